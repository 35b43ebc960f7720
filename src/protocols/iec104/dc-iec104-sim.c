/* dc-iec104-sim.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-iec104-sim"

#include "config.h"

#include <math.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "dc-iec104-codec.h"
#include "dc-iec104-io-private.h"
#include "dc-iec104-sim.h"
#include "dc-sample.h"

#define TICK_MS        50
#define SIM_T1_US      (15 * G_USEC_PER_SEC)
#define SIM_T2_US      (200 * 1000)
#define MAX_QUEUE      4096
#define PERIODIC_US    (10 * G_USEC_PER_SEC)
#define OUT_HIGH_WATER (64 * 1024)

#define STAT_ADD(field, n) __atomic_fetch_add (&(field), (n), __ATOMIC_RELAXED)
#define STAT_GET(field)    __atomic_load_n (&(field), __ATOMIC_RELAXED)

typedef enum
{
  KIND_SINGLE,
  KIND_DOUBLE,
  KIND_SCALED,
  KIND_NORMALIZED,
  KIND_FLOAT,
  KIND_COUNTER,
  N_KINDS
} Kind;

static const guint8 gi_type[N_KINDS] = { 1, 3, 11, 9, 13, 15 };
static const guint8 spont_type[N_KINDS] = { 30, 31, 35, 34, 36, 37 };
static const guint32 first_ioa[N_KINDS] = {
  DC_IEC104_SIM_IOA_SINGLES, DC_IEC104_SIM_IOA_DOUBLES, DC_IEC104_SIM_IOA_SCALED,
  DC_IEC104_SIM_IOA_NORMALIZED, DC_IEC104_SIM_IOA_FLOATS, DC_IEC104_SIM_IOA_COUNTERS,
};

typedef struct
{
  guint32 ioa;
  Kind    kind;
  guint   index;    /* within its kind */
  double  value;
  guint32 quality;
} SimPoint;

typedef struct
{
  DcIec104Sim  *sim;
  GSocket      *socket;
  GSource      *in_source;
  GSource      *out_source;
  guint8        inbuf[4 * DC_IEC104_MAX_FRAME];
  gsize         inlen;
  GByteArray   *out;
  gboolean      started;
  guint16       ns;
  guint16       nr;
  guint16       ack;           /* the master's last N(R) */
  guint         unacked_rx;
  gint64        rx_since;
  gint64        ack_progress;  /* when the master last acknowledged something */
  GQueue        queue;         /* GBytes ASDUs waiting for the window */
} Conn;

struct _DcIec104Sim
{
  DcIec104SimConfig cfg;
  char             *address;
  char             *time_zone;
  GTimeZone        *tz;
  GMainContext     *context;
  GSocket          *listener;
  GSource          *listen_source;
  GSource          *tick;
  Conn             *conn;
  GArray           *points;      /* SimPoint */
  GHashTable       *by_ioa;      /* ioa → index + 1 */
  guint             first_of_kind[N_KINDS];
  guint16           port;
  gint64            last_tick;
  double            change_acc;
  guint             change_cursor;
  guint             flood_cursor;
  guint32           flood_counter;
  guint32           selected_ioa;
  guint8            selected_type;
  gboolean          have_selection;
  gint64            demo_next_trip;
  gint64            demo_reclose;
  guint             demo_tripped;
  gint64            demo_next_measure;
  gint64            next_periodic;
  GRand            *rand;
  gint              mute_commands;   /* atomic */
  gint              frozen;          /* atomic */
  DcIec104SimStats  stats;           /* atomic members */
};

static void conn_free (Conn *conn);
static void conn_flush (Conn *conn);

void
dc_iec104_sim_config_init (DcIec104SimConfig *config)
{
  g_return_if_fail (config != NULL);

  memset (config, 0, sizeof *config);
  config->ca = 1;
  config->singles = 4;
  config->doubles = 4;
  config->scaled = 4;
  config->normalized = 4;
  config->floats = 8;
  config->counters = 4;
  config->changes_per_s = 5;
  config->k = 12;
  config->w = 8;
}

char *
dc_iec104_sim_describe (const DcIec104SimConfig *c)
{
  GString *s = g_string_new (NULL);
  guint n[N_KINDS] = { c->singles, c->doubles, c->scaled, c->normalized, c->floats, c->counters };
  static const char *what[N_KINDS] = {
    "single points   M_SP_NA_1 / M_SP_TB_1, command C_SC",
    "double points   M_DP_NA_1 / M_DP_TB_1, command C_DC",
    "scaled values   M_ME_NB_1 / M_ME_TE_1, commands C_SE_NB, C_RC (+/-1)",
    "normalized      M_ME_NA_1 / M_ME_TD_1, command C_SE_NA",
    "short floats    M_ME_NC_1 / M_ME_TF_1, command C_SE_NC",
    "counters        M_IT_NA_1 (counter interrogation) / M_IT_TB_1, command C_BO",
  };

  g_string_append_printf (s, "common address %u\n", c->ca);
  for (guint k = 0; k < N_KINDS; k++)
    if (n[k] > 0)
      g_string_append_printf (s, "IOA %5u-%-5u %s\n",
                              first_ioa[k], first_ioa[k] + n[k] - 1, what[k]);
  return g_string_free (s, FALSE);
}

/* Values */

static double
initial_value (DcIec104Sim *self,
               Kind         kind,
               guint        i)
{
  switch (kind)
    {
    case KIND_SINGLE: return i % 2;
    case KIND_DOUBLE: return 1 + (i % 2);
    case KIND_SCALED: return 100 + 10 * (int) i;
    case KIND_NORMALIZED: return 0.25;
    case KIND_FLOAT: return 100.0 + 10.0 * i;
    case KIND_COUNTER: return 1000 * (i + 1);
    case N_KINDS:
    default: return 0;
    }
}

static void
next_value (DcIec104Sim *self,
            SimPoint    *p)
{
  double t = g_get_real_time () / (double) G_USEC_PER_SEC;

  switch (p->kind)
    {
    case KIND_SINGLE:
      p->value = p->value ? 0 : 1;
      break;
    case KIND_DOUBLE:
      p->value = p->value == 2 ? 1 : 2;
      break;
    case KIND_SCALED:
      p->value = 100 + 10 * (int) p->index + g_rand_int_range (self->rand, -20, 21);
      break;
    case KIND_NORMALIZED:
      p->value = round (0.5 * sin (t / 10.0 + p->index) * 32768.0) / 32768.0;
      break;
    case KIND_FLOAT:
      p->value = (float) (100.0 + 10.0 * p->index + 5.0 * sin (t / 7.0 + p->index) +
                          g_rand_double_range (self->rand, -0.5, 0.5));
      break;
    case KIND_COUNTER:
      p->value += g_rand_int_range (self->rand, 1, 10);
      if (p->value > G_MAXINT32)
        p->value = 0;
      break;
    case N_KINDS:
    default:
      break;
    }
}

static SimPoint *
lookup (DcIec104Sim *self,
        guint32      ioa)
{
  guint idx = GPOINTER_TO_UINT (g_hash_table_lookup (self->by_ioa, GUINT_TO_POINTER (ioa)));

  return idx ? &g_array_index (self->points, SimPoint, idx - 1) : NULL;
}

/* Demo: the substation RTU of docs/demo.md. Floats 4001–4003 feeder currents (A), 4004–4006
 * feeder active power (kW), 4007 busbar voltage (kV); doubles 1001–1003 breakers; counters
 * 5001–5003 feeder energy (kWh). */

static void
demo_update (DcIec104Sim *self,
             gint64       now)
{
  g_autoptr(GDateTime) dt = g_date_time_new_now_local ();
  double hour = g_date_time_get_hour (dt) + g_date_time_get_minute (dt) / 60.0;
  double daily = 0.65 + 0.3 * sin ((hour - 9.0) / 24.0 * 2 * G_PI);
  static const double base_kw[3] = { 1500, 1150, 850 };
  double u;
  SimPoint *v = lookup (self, 4007);

  u = 10.0 + 0.12 * sin (now / 1e6 / 300.0) + g_rand_double_range (self->rand, -0.02, 0.02);
  if (v)
    v->value = (float) u;
  for (guint f = 0; f < 3; f++)
    {
      SimPoint *br = lookup (self, 1001 + f);
      SimPoint *cur = lookup (self, 4001 + f);
      SimPoint *pw = lookup (self, 4004 + f);
      SimPoint *en = lookup (self, 5001 + f);
      double kw = 0;

      if (br && br->value == 2)
        kw = base_kw[f] * daily * (1 + g_rand_double_range (self->rand, -0.03, 0.03));
      if (pw)
        pw->value = (float) kw;
      if (cur)
        cur->value = (float) (kw / (1.732 * u * 0.95));
      if (en)
        en->value += kw / 3600.0;
    }
}

/* Connection */

static gboolean
window_open (Conn *conn)
{
  guint16 outstanding = (guint16) ((conn->ns - conn->ack) & 0x7fff);

  return conn->started && outstanding < conn->sim->cfg.k;
}

static void
conn_write (Conn         *conn,
            const guint8 *bytes,
            gsize         len)
{
  g_byte_array_append (conn->out, bytes, len);
}

static void
conn_send_i (Conn         *conn,
             const guint8 *asdu,
             gsize         len)
{
  guint8 frame[DC_IEC104_MAX_FRAME];
  gsize n = dc_iec104_build_i (frame, conn->ns, conn->nr, asdu, len);

  if (conn->ns == conn->ack)
    conn->ack_progress = g_get_monotonic_time ();
  conn->ns = (conn->ns + 1) & 0x7fff;
  conn->unacked_rx = 0;
  conn_write (conn, frame, n);
  STAT_ADD (conn->sim->stats.asdus_sent, 1);
}

static void
conn_queue_asdu (Conn         *conn,
                 const guint8 *asdu,
                 gsize         len)
{
  if (g_queue_get_length (&conn->queue) >= MAX_QUEUE)
    return;  /* the master is far behind; changes coalesce */
  g_queue_push_tail (&conn->queue, g_bytes_new (asdu, len));
}

static void
queue_objects (Conn                 *conn,
               guint8                type,
               guint8                cause,
               gboolean              sq,
               const DcIec104Object *objs,
               guint                 n)
{
  DcIec104Asdu h = { .type = type, .sq = sq, .cause = cause, .ca = conn->sim->cfg.ca };
  int size = dc_iec104_object_size (type);
  guint per = sq ? (DC_IEC104_MAX_ASDU - 9) / size : (DC_IEC104_MAX_ASDU - 6) / (3 + size);
  guint8 buf[DC_IEC104_MAX_ASDU];

  per = MIN (per, 127);
  for (guint off = 0; off < n; off += per)
    {
      g_autoptr(GError) error = NULL;
      guint cnt = MIN (per, n - off);
      gsize len = dc_iec104_build_asdu (buf, sizeof buf, &h, objs + off, cnt, &error);

      if (len == 0)
        {
          g_warning ("cannot build %s: %s", dc_iec104_type_name (type), error->message);
          continue;
        }
      conn_queue_asdu (conn, buf, len);
      STAT_ADD (conn->sim->stats.objects_sent, cnt);
    }
}

static void
point_to_object (DcIec104Sim    *self,
                 const SimPoint *p,
                 DcIec104Object *o,
                 gboolean        with_time,
                 gint64          now)
{
  memset (o, 0, sizeof *o);
  o->ioa = p->ioa;
  o->value = p->value;
  o->quality = p->quality;
  if (with_time)
    dc_iec104_time_from_us (&o->time, now, self->tz);
}

static void
queue_kind (Conn    *conn,
            Kind     kind,
            guint8   cause)
{
  DcIec104Sim *self = conn->sim;
  g_autoptr(GArray) objs = g_array_new (FALSE, TRUE, sizeof (DcIec104Object));

  for (guint i = 0; i < self->points->len; i++)
    {
      SimPoint *p = &g_array_index (self->points, SimPoint, i);
      DcIec104Object o;

      if (p->kind != kind)
        continue;
      point_to_object (self, p, &o, FALSE, 0);
      g_array_append_val (objs, o);
    }
  if (objs->len > 0)
    queue_objects (conn, gi_type[kind], cause, TRUE, (DcIec104Object *) objs->data, objs->len);
}

static void
queue_spontaneous (Conn     *conn,
                   SimPoint *p,
                   guint8    cause)
{
  DcIec104Object o;

  point_to_object (conn->sim, p, &o, TRUE, g_get_real_time ());
  queue_objects (conn, spont_type[p->kind], cause, FALSE, &o, 1);
}

static void
queue_mirror (Conn         *conn,
              const guint8 *asdu,
              gsize         len,
              guint8        cause,
              gboolean      negative)
{
  guint8 buf[DC_IEC104_MAX_ASDU];

  len = MIN (len, sizeof buf);
  memcpy (buf, asdu, len);
  buf[2] = (cause & 0x3f) | (negative ? 0x40 : 0) | (asdu[2] & 0x80);
  conn_queue_asdu (conn, buf, len);
}

static void
flood_fill (Conn *conn)
{
  DcIec104Sim *self = conn->sim;
  DcIec104Object objs[30];
  DcIec104Asdu h = { .type = DC_IEC104_M_ME_NC_1, .cause = DC_IEC104_COT_SPONTANEOUS,
                     .ca = self->cfg.ca };
  guint n = MIN (self->cfg.flood, 30);
  guint8 buf[DC_IEC104_MAX_ASDU];

  memset (objs, 0, sizeof objs);
  while (window_open (conn) && conn->out->len < OUT_HIGH_WATER)
    {
      gsize len;

      for (guint i = 0; i < n; i++)
        {
          guint span = MAX (self->cfg.floats, n);

          objs[i].ioa = DC_IEC104_SIM_IOA_FLOATS + (self->flood_cursor++ % span);
          objs[i].value = (float) (self->flood_counter++ % 100000) * 0.5f;
        }
      len = dc_iec104_build_asdu (buf, sizeof buf, &h, objs, n, NULL);
      conn_send_i (conn, buf, len);
      STAT_ADD (self->stats.objects_sent, n);
    }
}

static gboolean
out_ready_cb (GSocket      *socket,
              GIOCondition  condition,
              gpointer      user_data)
{
  Conn *conn = user_data;

  conn_flush (conn);
  return G_SOURCE_CONTINUE;
}

static void
conn_close (Conn *conn)
{
  DcIec104Sim *self = conn->sim;

  if (self->conn == conn)
    self->conn = NULL;
  conn_free (conn);
}

static void
conn_flush (Conn *conn)
{
  g_autoptr(GError) error = NULL;

  /* Queued ASDUs first, then the flood, then write what the socket takes. */
  for (int round = 0; round < 2; round++)
    {
      while (window_open (conn) && !g_queue_is_empty (&conn->queue) &&
             conn->out->len < OUT_HIGH_WATER)
        {
          g_autoptr(GBytes) asdu = g_queue_pop_head (&conn->queue);
          gsize len;
          const guint8 *data = g_bytes_get_data (asdu, &len);

          conn_send_i (conn, data, len);
        }
      if (conn->sim->cfg.flood > 0 && g_queue_is_empty (&conn->queue))
        flood_fill (conn);

      if (!dc_iec104_send_out (conn->socket, conn->out, &error))
        {
          g_debug ("send failed: %s", error->message);
          conn_close (conn);
          return;
        }
      if (conn->out->len > 0)
        break;
    }

  dc_iec104_watch_out (conn->socket, conn->out, &conn->out_source, out_ready_cb, conn,
                       conn->sim->context);
}

static void
handle_command (Conn                 *conn,
                const DcIec104Asdu   *h,
                const DcIec104Object *o,
                const guint8         *asdu,
                gsize                 len)
{
  DcIec104Sim *self = conn->sim;
  /* Commands address the point itself or its command address IOA + 10000. */
  SimPoint *p = lookup (self, o->ioa);
  gboolean select = (o->qualifier & 0x80) != 0 && h->type != 51 && h->type != 64;
  Kind want;
  double v = o->value;

  if (p == NULL && o->ioa > DC_IEC104_SIM_COMMAND_OFFSET)
    p = lookup (self, o->ioa - DC_IEC104_SIM_COMMAND_OFFSET);

  STAT_ADD (self->stats.commands, 1);

  if (g_atomic_int_get (&self->mute_commands))
    return;
  if (h->cause != DC_IEC104_COT_ACT)
    {
      queue_mirror (conn, asdu, len, DC_IEC104_COT_UNKNOWN_CAUSE, TRUE);
      return;
    }
  if (self->cfg.negative)
    {
      queue_mirror (conn, asdu, len, DC_IEC104_COT_ACTCON, TRUE);
      return;
    }

  switch (h->type)
    {
    case 45: case 58: want = KIND_SINGLE; break;
    case 46: case 59: want = KIND_DOUBLE; break;
    case 47: case 60: case 49: case 62: want = KIND_SCALED; break;
    case 48: case 61: want = KIND_NORMALIZED; break;
    case 50: case 63: want = KIND_FLOAT; break;
    default: want = KIND_COUNTER; break;
    }
  if (p == NULL || p->kind != want)
    {
      queue_mirror (conn, asdu, len, DC_IEC104_COT_UNKNOWN_IOA, TRUE);
      return;
    }
  if ((h->type == 46 || h->type == 59 || h->type == 47 || h->type == 60) && (v < 1 || v > 2))
    {
      queue_mirror (conn, asdu, len, DC_IEC104_COT_ACTCON, TRUE);
      return;
    }

  queue_mirror (conn, asdu, len, DC_IEC104_COT_ACTCON, FALSE);
  if (select)
    {
      self->have_selection = TRUE;
      self->selected_ioa = o->ioa;
      self->selected_type = h->type;
      return;
    }
  self->have_selection = FALSE;

  switch (h->type)
    {
    case 47: case 60:
      p->value = CLAMP (p->value + (v == 2 ? 1 : -1), -32768, 32767);
      break;
    default:
      p->value = v;
      break;
    }
  queue_spontaneous (conn, p, DC_IEC104_COT_RETREM);
  queue_mirror (conn, asdu, len, DC_IEC104_COT_ACTTERM, FALSE);
}

static void
handle_asdu (Conn         *conn,
             const guint8 *asdu,
             gsize         len)
{
  DcIec104Sim *self = conn->sim;
  g_autoptr(GArray) objects = g_array_new (FALSE, TRUE, sizeof (DcIec104Object));
  g_autoptr(GError) error = NULL;
  DcIec104Asdu h;
  const DcIec104Object *o;

  if (!dc_iec104_parse_asdu (asdu, len, &h, objects, &error))
    {
      g_debug ("dropping ASDU: %s", error->message);
      if (g_error_matches (error, DC_IEC104_ERROR, DC_IEC104_ERROR_UNKNOWN_TYPE) && len >= 6)
        queue_mirror (conn, asdu, len, DC_IEC104_COT_UNKNOWN_TYPE, TRUE);
      return;
    }
  if (h.ca != self->cfg.ca && h.ca != 0xffff)
    {
      queue_mirror (conn, asdu, len, DC_IEC104_COT_UNKNOWN_CA, TRUE);
      return;
    }
  o = &g_array_index (objects, DcIec104Object, 0);

  switch (h.type)
    {
    case DC_IEC104_C_IC_NA_1:
      STAT_ADD (self->stats.gi_count, 1);
      queue_mirror (conn, asdu, len, DC_IEC104_COT_ACTCON, FALSE);
      for (Kind k = KIND_SINGLE; k < KIND_COUNTER; k++)
        queue_kind (conn, k, DC_IEC104_COT_INROGEN);
      queue_mirror (conn, asdu, len, DC_IEC104_COT_ACTTERM, FALSE);
      break;

    case DC_IEC104_C_CI_NA_1:
      STAT_ADD (self->stats.ci_count, 1);
      queue_mirror (conn, asdu, len, DC_IEC104_COT_ACTCON, FALSE);
      queue_kind (conn, KIND_COUNTER, DC_IEC104_COT_REQCOGEN);
      queue_mirror (conn, asdu, len, DC_IEC104_COT_ACTTERM, FALSE);
      break;

    case DC_IEC104_C_CS_NA_1:
      STAT_ADD (self->stats.clock_syncs, 1);
      queue_mirror (conn, asdu, len, DC_IEC104_COT_ACTCON, FALSE);
      break;

    case DC_IEC104_C_RD_NA_1:
      {
        SimPoint *p = lookup (self, o->ioa);

        STAT_ADD (self->stats.reads, 1);
        if (g_atomic_int_get (&self->mute_commands))
          break;
        if (p == NULL)
          queue_mirror (conn, asdu, len, DC_IEC104_COT_UNKNOWN_IOA, TRUE);
        else
          {
            DcIec104Object r;

            point_to_object (self, p, &r, FALSE, 0);
            queue_objects (conn, gi_type[p->kind], DC_IEC104_COT_REQUEST, FALSE, &r, 1);
          }
      }
      break;

    default:
      if (dc_iec104_type_is_command (h.type))
        handle_command (conn, &h, o, asdu, len);
      else
        queue_mirror (conn, asdu, len, DC_IEC104_COT_UNKNOWN_TYPE, TRUE);
      break;
    }
}

static void
conn_ack_rx (Conn *conn)
{
  guint8 s[6];

  dc_iec104_build_s (s, conn->nr);
  conn_write (conn, s, 6);
  conn->unacked_rx = 0;
}

static gboolean
conn_handle_frame (Conn         *conn,
                   const guint8 *frame,
                   gsize         len)
{
  g_autoptr(GError) error = NULL;
  DcIec104Apci apci;
  guint8 u[6];

  if (!dc_iec104_parse_apci (frame, len, &apci, &error))
    {
      g_debug ("bad frame: %s", error->message);
      return FALSE;
    }

  switch (apci.kind)
    {
    case DC_IEC104_FRAME_U:
      if (apci.u == DC_IEC104_U_STARTDT_ACT)
        {
          conn->started = TRUE;
          conn_write (conn, u, dc_iec104_build_u (u, DC_IEC104_U_STARTDT_CON));
        }
      else if (apci.u == DC_IEC104_U_STOPDT_ACT)
        {
          if (conn->unacked_rx > 0)
            conn_ack_rx (conn);
          conn->started = FALSE;
          conn_write (conn, u, dc_iec104_build_u (u, DC_IEC104_U_STOPDT_CON));
        }
      else if (apci.u == DC_IEC104_U_TESTFR_ACT)
        conn_write (conn, u, dc_iec104_build_u (u, DC_IEC104_U_TESTFR_CON));
      return TRUE;

    case DC_IEC104_FRAME_S:
    case DC_IEC104_FRAME_I:
    default:
      if (((conn->ns - apci.nr) & 0x7fff) > ((conn->ns - conn->ack) & 0x7fff))
        {
          g_debug ("N(R)=%u acknowledges frames not sent (N(S)=%u)", apci.nr, conn->ns);
          return FALSE;
        }
      if (apci.nr != conn->ack)
        conn->ack_progress = g_get_monotonic_time ();
      conn->ack = apci.nr;
      if (apci.kind == DC_IEC104_FRAME_S)
        return TRUE;
      break;
    }

  if (apci.ns != conn->nr)
    {
      g_debug ("sequence error: N(S)=%u, expected %u", apci.ns, conn->nr);
      return FALSE;
    }
  conn->nr = (conn->nr + 1) & 0x7fff;
  if (conn->unacked_rx++ == 0)
    conn->rx_since = g_get_monotonic_time ();
  if (conn->unacked_rx >= conn->sim->cfg.w)
    conn_ack_rx (conn);
  handle_asdu (conn, apci.asdu, apci.asdu_len);
  return TRUE;
}

static gboolean
in_ready_cb (GSocket      *socket,
             GIOCondition  condition,
             gpointer      user_data)
{
  Conn *conn = user_data;
  g_autoptr(GError) error = NULL;
  gssize n;
  gsize off = 0;

  n = g_socket_receive (socket, (char *) conn->inbuf + conn->inlen,
                        sizeof conn->inbuf - conn->inlen, NULL, &error);
  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    {
      g_debug ("master closed the connection%s%s", error ? ": " : "", error ? error->message : "");
      conn_close (conn);
      return G_SOURCE_REMOVE;
    }
  conn->inlen += n;

  for (;;)
    {
      gssize flen = dc_iec104_frame_length (conn->inbuf + off, conn->inlen - off, NULL);

      if (flen == 0)
        break;
      if (flen < 0 || !conn_handle_frame (conn, conn->inbuf + off, flen))
        {
          conn_close (conn);
          return G_SOURCE_REMOVE;
        }
      off += flen;
    }
  memmove (conn->inbuf, conn->inbuf + off, conn->inlen - off);
  conn->inlen -= off;

  conn_flush (conn);
  return G_SOURCE_CONTINUE;
}

static void
conn_watch_input (Conn     *conn,
                  gboolean  watch)
{
  if (watch && conn->in_source == NULL)
    {
      conn->in_source = g_socket_create_source (conn->socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
      g_source_set_callback (conn->in_source, (GSourceFunc) (void (*)(void)) in_ready_cb,
                             conn, NULL);
      g_source_attach (conn->in_source, conn->sim->context);
    }
  else if (!watch && conn->in_source != NULL)
    {
      g_source_destroy (conn->in_source);
      g_clear_pointer (&conn->in_source, g_source_unref);
    }
}

static void
conn_free (Conn *conn)
{
  conn_watch_input (conn, FALSE);
  if (conn->out_source)
    {
      g_source_destroy (conn->out_source);
      g_source_unref (conn->out_source);
    }
  g_socket_close (conn->socket, NULL);
  g_object_unref (conn->socket);
  g_byte_array_unref (conn->out);
  g_queue_clear_full (&conn->queue, (GDestroyNotify) g_bytes_unref);
  g_free (conn);
}

static gboolean
accept_cb (GSocket      *listener,
           GIOCondition  condition,
           gpointer      user_data)
{
  DcIec104Sim *self = user_data;
  g_autoptr(GError) error = NULL;
  GSocket *socket = g_socket_accept (listener, NULL, &error);
  Conn *conn;

  if (socket == NULL)
    return G_SOURCE_CONTINUE;

  /* Single master: the new connection replaces the old one. */
  if (self->conn)
    conn_close (self->conn);

  g_socket_set_blocking (socket, FALSE);
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  conn = g_new0 (Conn, 1);
  conn->sim = self;
  conn->socket = socket;
  conn->out = g_byte_array_sized_new (OUT_HIGH_WATER + DC_IEC104_MAX_FRAME);
  conn->ack_progress = g_get_monotonic_time ();
  g_queue_init (&conn->queue);
  self->conn = conn;
  self->have_selection = FALSE;
  STAT_ADD (self->stats.connections, 1);
  if (!g_atomic_int_get (&self->frozen))
    conn_watch_input (conn, TRUE);
  return G_SOURCE_CONTINUE;
}

static void
spontaneous_changes (DcIec104Sim *self,
                     double       dt)
{
  Conn *conn = self->conn;
  guint n;

  if (self->points->len == 0 || self->cfg.changes_per_s <= 0)
    return;
  self->change_acc += self->cfg.changes_per_s * dt;
  n = (guint) self->change_acc;
  self->change_acc -= n;
  n = MIN (n, 1000);
  for (guint i = 0; i < n; i++)
    {
      guint idx = self->change_cursor++ % self->points->len;
      SimPoint *p = &g_array_index (self->points, SimPoint, idx);

      next_value (self, p);
      if (conn && conn->started)
        queue_spontaneous (conn, p, DC_IEC104_COT_SPONTANEOUS);
    }
}

static void
demo_tick (DcIec104Sim *self,
           gint64       now)
{
  Conn *conn = self->conn;
  gboolean live = conn && conn->started;

  if (now >= self->demo_next_measure)
    {
      self->demo_next_measure = now + G_USEC_PER_SEC;
      demo_update (self, now);
      if (live)
        {
          g_autoptr(GArray) objs = g_array_new (FALSE, TRUE, sizeof (DcIec104Object));

          for (guint i = 0; i < self->points->len; i++)
            {
              SimPoint *p = &g_array_index (self->points, SimPoint, i);
              DcIec104Object o;

              if (p->kind != KIND_FLOAT)
                continue;
              point_to_object (self, p, &o, TRUE, g_get_real_time ());
              g_array_append_val (objs, o);
            }
          queue_objects (conn, DC_IEC104_M_ME_TF_1, DC_IEC104_COT_SPONTANEOUS, FALSE,
                         (DcIec104Object *) objs->data, objs->len);
        }
    }

  if (self->demo_next_trip == 0)
    self->demo_next_trip = now + g_rand_int_range (self->rand, 20, 50) * G_USEC_PER_SEC;
  if (now >= self->demo_next_trip && self->demo_reclose == 0)
    {
      SimPoint *br;

      self->demo_tripped = g_rand_int_range (self->rand, 0, 3);
      br = lookup (self, 1001 + self->demo_tripped);
      if (br && br->value == 2)
        {
          br->value = 1;
          if (live)
            queue_spontaneous (conn, br, DC_IEC104_COT_SPONTANEOUS);
        }
      self->demo_reclose = now + 8 * G_USEC_PER_SEC;
    }
  if (self->demo_reclose != 0 && now >= self->demo_reclose)
    {
      SimPoint *br = lookup (self, 1001 + self->demo_tripped);

      if (br && br->value == 1)
        {
          br->value = 2;
          if (live)
            queue_spontaneous (conn, br, DC_IEC104_COT_SPONTANEOUS);
        }
      self->demo_reclose = 0;
      self->demo_next_trip = now + g_rand_int_range (self->rand, 30, 80) * G_USEC_PER_SEC;
    }
}

static gboolean
tick_cb (gpointer user_data)
{
  DcIec104Sim *self = user_data;
  gint64 now = g_get_monotonic_time ();
  double dt = (now - self->last_tick) / (double) G_USEC_PER_SEC;
  Conn *conn = self->conn;

  self->last_tick = now;
  if (self->cfg.demo)
    demo_tick (self, now);
  else
    spontaneous_changes (self, dt);

  /* With changes on, the measured values also go out cyclically (cause 1, SQ=1). */
  if (!self->cfg.demo && self->cfg.flood == 0 && self->cfg.changes_per_s > 0 &&
      conn != NULL && conn->started && now >= self->next_periodic)
    {
      if (self->next_periodic != 0)
        for (Kind k = KIND_SCALED; k <= KIND_FLOAT; k++)
          queue_kind (conn, k, DC_IEC104_COT_PERIODIC);
      self->next_periodic = now + PERIODIC_US;
    }

  if (conn == NULL || g_atomic_int_get (&self->frozen))
    return G_SOURCE_CONTINUE;

  if (conn->unacked_rx > 0 && now - conn->rx_since >= SIM_T2_US)
    conn_ack_rx (conn);
  if (conn->ns != conn->ack && now - conn->ack_progress > SIM_T1_US)
    {
      g_debug ("t1: master did not acknowledge");
      conn_close (conn);
      return G_SOURCE_CONTINUE;
    }
  conn_flush (conn);
  return G_SOURCE_CONTINUE;
}

DcIec104Sim *
dc_iec104_sim_new (const DcIec104SimConfig  *config,
                   GMainContext             *context,
                   GError                  **error)
{
  g_autoptr(GSocketAddress) addr = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GInetAddress) inet = NULL;
  DcIec104Sim *self;
  guint n[N_KINDS];

  g_return_val_if_fail (config != NULL, NULL);

  self = g_new0 (DcIec104Sim, 1);
  self->cfg = *config;
  self->address = g_strdup (config->address ? config->address : "127.0.0.1");
  self->time_zone = g_strdup (config->time_zone);
  self->cfg.address = self->address;
  self->cfg.time_zone = self->time_zone;
  if (self->cfg.k == 0)
    self->cfg.k = 12;
  if (self->cfg.w == 0)
    self->cfg.w = 8;
  if (self->time_zone && g_ascii_strcasecmp (self->time_zone, "UTC") != 0)
    self->tz = g_ascii_strcasecmp (self->time_zone, "local") == 0
             ? g_time_zone_new_local () : g_time_zone_new_identifier (self->time_zone);
  self->context = context ? g_main_context_ref (context) : g_main_context_ref_thread_default ();
  self->rand = g_rand_new ();

  if (self->cfg.demo)
    {
      self->cfg.singles = 0;
      self->cfg.scaled = 0;
      self->cfg.normalized = 0;
      self->cfg.floats = 7;
      self->cfg.doubles = 3;
      self->cfg.counters = 3;
    }
  if (self->cfg.flood > 30)
    self->cfg.flood = 30;
  if (self->cfg.floats < self->cfg.flood)
    self->cfg.floats = self->cfg.flood;

  n[KIND_SINGLE] = self->cfg.singles;
  n[KIND_DOUBLE] = self->cfg.doubles;
  n[KIND_SCALED] = self->cfg.scaled;
  n[KIND_NORMALIZED] = self->cfg.normalized;
  n[KIND_FLOAT] = self->cfg.floats;
  n[KIND_COUNTER] = self->cfg.counters;
  self->points = g_array_new (FALSE, TRUE, sizeof (SimPoint));
  self->by_ioa = g_hash_table_new (NULL, NULL);
  for (Kind k = KIND_SINGLE; k < N_KINDS; k++)
    for (guint i = 0; i < MIN (n[k], 999); i++)
      {
        SimPoint p = { .ioa = first_ioa[k] + i, .kind = k, .index = i };

        p.value = initial_value (self, k, i);
        if (self->cfg.demo && k == KIND_DOUBLE)
          p.value = 2;
        g_array_append_val (self->points, p);
        g_hash_table_insert (self->by_ioa, GUINT_TO_POINTER (p.ioa),
                             GUINT_TO_POINTER (self->points->len));
      }
  if (self->cfg.demo)
    demo_update (self, g_get_monotonic_time ());

  inet = g_inet_address_new_from_string (self->address);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "not an IP address: %s", self->address);
      dc_iec104_sim_free (self);
      return NULL;
    }
  addr = g_inet_socket_address_new (inet, config->port);
  self->listener = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, error);
  if (self->listener == NULL)
    {
      dc_iec104_sim_free (self);
      return NULL;
    }
  g_socket_set_blocking (self->listener, FALSE);
  if (!g_socket_bind (self->listener, addr, TRUE, error) ||
      !g_socket_listen (self->listener, error))
    {
      dc_iec104_sim_free (self);
      return NULL;
    }
  bound = g_socket_get_local_address (self->listener, error);
  if (bound == NULL)
    {
      dc_iec104_sim_free (self);
      return NULL;
    }
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  self->listen_source = g_socket_create_source (self->listener, G_IO_IN, NULL);
  g_source_set_callback (self->listen_source, (GSourceFunc) (void (*)(void)) accept_cb, self, NULL);
  g_source_attach (self->listen_source, self->context);

  self->last_tick = g_get_monotonic_time ();
  self->tick = g_timeout_source_new (TICK_MS);
  g_source_set_callback (self->tick, tick_cb, self, NULL);
  g_source_attach (self->tick, self->context);

  return self;
}

void
dc_iec104_sim_free (DcIec104Sim *self)
{
  if (self == NULL)
    return;

  if (self->conn)
    conn_close (self->conn);
  if (self->tick)
    {
      g_source_destroy (self->tick);
      g_source_unref (self->tick);
    }
  if (self->listen_source)
    {
      g_source_destroy (self->listen_source);
      g_source_unref (self->listen_source);
    }
  if (self->listener)
    {
      g_socket_close (self->listener, NULL);
      g_object_unref (self->listener);
    }
  g_clear_pointer (&self->points, g_array_unref);
  g_clear_pointer (&self->by_ioa, g_hash_table_unref);
  g_clear_pointer (&self->tz, g_time_zone_unref);
  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->address);
  g_free (self->time_zone);
  g_free (self);
}

guint16
dc_iec104_sim_get_port (DcIec104Sim *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->port;
}

void
dc_iec104_sim_get_stats (DcIec104Sim      *self,
                         DcIec104SimStats *stats)
{
  g_return_if_fail (self != NULL && stats != NULL);

  stats->connections = STAT_GET (self->stats.connections);
  stats->asdus_sent = STAT_GET (self->stats.asdus_sent);
  stats->objects_sent = STAT_GET (self->stats.objects_sent);
  stats->gi_count = STAT_GET (self->stats.gi_count);
  stats->ci_count = STAT_GET (self->stats.ci_count);
  stats->clock_syncs = STAT_GET (self->stats.clock_syncs);
  stats->commands = STAT_GET (self->stats.commands);
  stats->reads = STAT_GET (self->stats.reads);
}

void
dc_iec104_sim_set_mute_commands (DcIec104Sim *self,
                                 gboolean     mute)
{
  g_return_if_fail (self != NULL);

  g_atomic_int_set (&self->mute_commands, mute);
}

typedef struct
{
  DcIec104Sim *sim;
  int          op;
  guint32      ioa;
  double       value;
  GBytes      *bytes;
} Hook;

static gboolean
hook_cb (gpointer data)
{
  Hook *hook = data;
  DcIec104Sim *self = hook->sim;
  Conn *conn = self->conn;

  switch (hook->op)
    {
    case 0:  /* freeze */
      if (conn)
        conn_watch_input (conn, !g_atomic_int_get (&self->frozen));
      break;

    case 1:  /* end of init */
      if (conn && conn->started)
        {
          DcIec104Asdu h = { .type = DC_IEC104_M_EI_NA_1, .cause = DC_IEC104_COT_INIT,
                             .ca = self->cfg.ca };
          DcIec104Object o = { .ioa = 0, .value = 0 };
          guint8 buf[32];
          gsize len = dc_iec104_build_asdu (buf, sizeof buf, &h, &o, 1, NULL);

          conn_queue_asdu (conn, buf, len);
          conn_flush (conn);
        }
      break;

    case 2:  /* set value */
      {
        SimPoint *p = lookup (self, hook->ioa);

        if (p)
          {
            p->value = hook->value;
            if (conn && conn->started)
              {
                queue_spontaneous (conn, p, DC_IEC104_COT_SPONTANEOUS);
                conn_flush (conn);
              }
          }
      }
      break;

    case 3:  /* raw */
      if (conn && conn->started)
        {
          gsize len;
          const guint8 *payload = g_bytes_get_data (hook->bytes, &len);

          conn_queue_asdu (conn, payload, len);
          conn_flush (conn);
        }
      break;

    case 4:  /* STOPDT act */
      if (conn)
        {
          guint8 u[6];

          conn_write (conn, u, dc_iec104_build_u (u, DC_IEC104_U_STOPDT_ACT));
          conn_flush (conn);
        }
      break;

    case 5:  /* sequence gap */
      if (conn && conn->started)
        {
          DcIec104Asdu h = { .type = DC_IEC104_M_SP_NA_1, .cause = DC_IEC104_COT_SPONTANEOUS,
                             .ca = self->cfg.ca };
          DcIec104Object o = { .ioa = DC_IEC104_SIM_IOA_SINGLES };
          guint8 buf[32];
          gsize len = dc_iec104_build_asdu (buf, sizeof buf, &h, &o, 1, NULL);

          conn->ns = (conn->ns + 1) & 0x7fff;
          conn_send_i (conn, buf, len);
          conn_flush (conn);
        }
      break;

    default:
      break;
    }
  return G_SOURCE_REMOVE;
}

static void
hook_free (gpointer data)
{
  Hook *hook = data;

  g_clear_pointer (&hook->bytes, g_bytes_unref);
  g_free (hook);
}

static void
post_hook (DcIec104Sim *self,
           Hook        *hook)
{
  hook->sim = self;
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, hook_cb, hook, hook_free);
}

void
dc_iec104_sim_set_frozen (DcIec104Sim *self,
                          gboolean     frozen)
{
  g_return_if_fail (self != NULL);

  g_atomic_int_set (&self->frozen, frozen);
  post_hook (self, g_new0 (Hook, 1));
}

void
dc_iec104_sim_send_end_of_init (DcIec104Sim *self)
{
  Hook *hook = g_new0 (Hook, 1);

  g_return_if_fail (self != NULL);

  hook->op = 1;
  post_hook (self, hook);
}

void
dc_iec104_sim_set_value (DcIec104Sim *self,
                         guint32      ioa,
                         double       value)
{
  Hook *hook = g_new0 (Hook, 1);

  g_return_if_fail (self != NULL);

  hook->op = 2;
  hook->ioa = ioa;
  hook->value = value;
  post_hook (self, hook);
}

void
dc_iec104_sim_send_raw_asdu (DcIec104Sim  *self,
                             const guint8 *asdu,
                             gsize         len)
{
  Hook *hook = g_new0 (Hook, 1);

  g_return_if_fail (self != NULL);

  hook->op = 3;
  hook->bytes = g_bytes_new (asdu, len);
  post_hook (self, hook);
}

void
dc_iec104_sim_send_stopdt (DcIec104Sim *self)
{
  Hook *hook = g_new0 (Hook, 1);

  g_return_if_fail (self != NULL);

  hook->op = 4;
  post_hook (self, hook);
}

void
dc_iec104_sim_skip_sequence (DcIec104Sim *self)
{
  Hook *hook = g_new0 (Hook, 1);

  g_return_if_fail (self != NULL);

  hook->op = 5;
  post_hook (self, hook);
}
