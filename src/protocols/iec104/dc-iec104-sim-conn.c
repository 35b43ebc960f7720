/* dc-iec104-sim-conn.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * One controlling station's connection to the IEC 104 simulator (docs/iec104.md): I-frames
 * within the window, interrogation answers and spontaneous data, commands (select/execute,
 * mirrors, terminations), frames in, acknowledgements, accepting connections.
 */

#define G_LOG_DOMAIN "dc-iec104-sim"

#include "config.h"

#include <math.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "dc-iec104-sim-private.h"
#include "dc-sample.h"

static void conn_free (Conn *conn);

/* Connection */

SimPoint *
_dc_iec104_sim_lookup (DcIec104Sim *self,
                       guint32      ioa)
{
  guint idx = GPOINTER_TO_UINT (g_hash_table_lookup (self->by_ioa, GUINT_TO_POINTER (ioa)));

  return idx ? &g_array_index (self->points, SimPoint, idx - 1) : NULL;
}

static gboolean
window_open (Conn *conn)
{
  guint16 outstanding = (guint16) ((conn->ns - conn->ack) & 0x7fff);

  return conn->started && outstanding < conn->sim->cfg.k;
}

void
_dc_iec104_sim_conn_write (Conn         *conn,
                           const guint8 *bytes,
                           gsize         len)
{
  g_byte_array_append (conn->out, bytes, len);
}

void
_dc_iec104_sim_conn_send_i (Conn         *conn,
                            const guint8 *asdu,
                            gsize         len)
{
  guint8 frame[DC_IEC104_MAX_FRAME];
  gsize n = dc_iec104_build_i (frame, conn->ns, conn->nr, asdu, len);

  if (conn->ns == conn->ack)
    conn->ack_progress = g_get_monotonic_time ();
  conn->ns = (conn->ns + 1) & 0x7fff;
  conn->unacked_rx = 0;
  _dc_iec104_sim_conn_write (conn, frame, n);
  STAT_ADD (conn->sim->stats.asdus_sent, 1);
}

void
_dc_iec104_sim_conn_queue_asdu (Conn         *conn,
                                const guint8 *asdu,
                                gsize         len)
{
  if (g_queue_get_length (&conn->queue) >= MAX_QUEUE)
    return;  /* the master is far behind; changes coalesce */
  g_queue_push_tail (&conn->queue, g_bytes_new (asdu, len));
}

void
_dc_iec104_sim_queue_objects (Conn                 *conn,
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
      _dc_iec104_sim_conn_queue_asdu (conn, buf, len);
      STAT_ADD (conn->sim->stats.objects_sent, cnt);
    }
}

void
_dc_iec104_sim_point_to_object (DcIec104Sim    *self,
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

void
_dc_iec104_sim_queue_kind (Conn    *conn,
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
      _dc_iec104_sim_point_to_object (self, p, &o, FALSE, 0);
      g_array_append_val (objs, o);
    }
  if (objs->len > 0)
    _dc_iec104_sim_queue_objects (conn, gi_type[kind], cause, TRUE, (DcIec104Object *) objs->data, objs->len);
}

void
_dc_iec104_sim_queue_spontaneous (Conn     *conn,
                                  SimPoint *p,
                                  guint8    cause)
{
  DcIec104Object o;

  _dc_iec104_sim_point_to_object (conn->sim, p, &o, TRUE, g_get_real_time ());
  _dc_iec104_sim_queue_objects (conn, spont_type[p->kind], cause, FALSE, &o, 1);
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
  _dc_iec104_sim_conn_queue_asdu (conn, buf, len);
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
  guint span = MAX (self->cfg.floats, n);

  memset (objs, 0, sizeof objs);
  while (window_open (conn) && conn->out->len < OUT_HIGH_WATER)
    {
      gsize len;

      if (self->cfg.flood_limit > 0)
        {
          if (self->flood_counter >= self->cfg.flood_limit)
            break;
          n = (guint) MIN ((guint64) n, self->cfg.flood_limit - self->flood_counter);
        }

      for (guint i = 0; i < n; i++)
        {
          objs[i].ioa = DC_IEC104_SIM_IOA_FLOATS + (self->flood_cursor++ % span);
          objs[i].value = (float) (self->flood_counter++ % 100000) * 0.5f;
        }
      len = dc_iec104_build_asdu (buf, sizeof buf, &h, objs, n, NULL);
      _dc_iec104_sim_conn_send_i (conn, buf, len);
      STAT_ADD (self->stats.objects_sent, n);
    }
}

static gboolean
out_ready_cb (GSocket      *socket,
              GIOCondition  condition,
              gpointer      user_data)
{
  Conn *conn = user_data;

  _dc_iec104_sim_conn_flush (conn);
  return G_SOURCE_CONTINUE;
}

void
_dc_iec104_sim_conn_close (Conn *conn)
{
  DcIec104Sim *self = conn->sim;

  if (self->conn == conn)
    self->conn = NULL;
  conn_free (conn);
}

void
_dc_iec104_sim_conn_flush (Conn *conn)
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

          _dc_iec104_sim_conn_send_i (conn, data, len);
        }
      if (conn->sim->cfg.flood > 0 && g_queue_is_empty (&conn->queue))
        flood_fill (conn);

      if (!dc_iec104_send_out (conn->socket, conn->out, &error))
        {
          g_debug ("send failed: %s", error->message);
          _dc_iec104_sim_conn_close (conn);
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
  SimPoint *p = _dc_iec104_sim_lookup (self, o->ioa);
  gboolean select = (o->qualifier & 0x80) != 0 && h->type != 51 && h->type != 64;
  Kind want;
  double v = o->value;

  if (p == NULL && o->ioa > DC_IEC104_SIM_COMMAND_OFFSET)
    p = _dc_iec104_sim_lookup (self, o->ioa - DC_IEC104_SIM_COMMAND_OFFSET);

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
  _dc_iec104_sim_queue_spontaneous (conn, p, DC_IEC104_COT_RETREM);
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
        _dc_iec104_sim_queue_kind (conn, k, DC_IEC104_COT_INROGEN);
      queue_mirror (conn, asdu, len, DC_IEC104_COT_ACTTERM, FALSE);
      break;

    case DC_IEC104_C_CI_NA_1:
      STAT_ADD (self->stats.ci_count, 1);
      queue_mirror (conn, asdu, len, DC_IEC104_COT_ACTCON, FALSE);
      _dc_iec104_sim_queue_kind (conn, KIND_COUNTER, DC_IEC104_COT_REQCOGEN);
      queue_mirror (conn, asdu, len, DC_IEC104_COT_ACTTERM, FALSE);
      break;

    case DC_IEC104_C_CS_NA_1:
      STAT_ADD (self->stats.clock_syncs, 1);
      queue_mirror (conn, asdu, len, DC_IEC104_COT_ACTCON, FALSE);
      break;

    case DC_IEC104_C_RD_NA_1:
      {
        SimPoint *p = _dc_iec104_sim_lookup (self, o->ioa);

        STAT_ADD (self->stats.reads, 1);
        if (g_atomic_int_get (&self->mute_commands))
          break;
        if (p == NULL)
          queue_mirror (conn, asdu, len, DC_IEC104_COT_UNKNOWN_IOA, TRUE);
        else
          {
            DcIec104Object r;

            _dc_iec104_sim_point_to_object (self, p, &r, FALSE, 0);
            _dc_iec104_sim_queue_objects (conn, gi_type[p->kind], DC_IEC104_COT_REQUEST, FALSE, &r, 1);
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

void
_dc_iec104_sim_conn_ack_rx (Conn *conn)
{
  guint8 s[6];

  dc_iec104_build_s (s, conn->nr);
  _dc_iec104_sim_conn_write (conn, s, 6);
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
          _dc_iec104_sim_conn_write (conn, u, dc_iec104_build_u (u, DC_IEC104_U_STARTDT_CON));
        }
      else if (apci.u == DC_IEC104_U_STOPDT_ACT)
        {
          if (conn->unacked_rx > 0)
            _dc_iec104_sim_conn_ack_rx (conn);
          conn->started = FALSE;
          _dc_iec104_sim_conn_write (conn, u, dc_iec104_build_u (u, DC_IEC104_U_STOPDT_CON));
        }
      else if (apci.u == DC_IEC104_U_TESTFR_ACT)
        _dc_iec104_sim_conn_write (conn, u, dc_iec104_build_u (u, DC_IEC104_U_TESTFR_CON));
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
    _dc_iec104_sim_conn_ack_rx (conn);
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
      _dc_iec104_sim_conn_close (conn);
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
          _dc_iec104_sim_conn_close (conn);
          return G_SOURCE_REMOVE;
        }
      off += flen;
    }
  memmove (conn->inbuf, conn->inbuf + off, conn->inlen - off);
  conn->inlen -= off;

  _dc_iec104_sim_conn_flush (conn);
  return G_SOURCE_CONTINUE;
}

void
_dc_iec104_sim_conn_watch_input (Conn     *conn,
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
  _dc_iec104_sim_conn_watch_input (conn, FALSE);
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

gboolean
_dc_iec104_sim_accept_cb (GSocket      *listener,
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
    _dc_iec104_sim_conn_close (self->conn);

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
    _dc_iec104_sim_conn_watch_input (conn, TRUE);
  return G_SOURCE_CONTINUE;
}
