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

#include "dc-iec104-sim-private.h"
#include "dc-sample.h"

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
  SimPoint *v = _dc_iec104_sim_lookup (self, 4007);

  u = 10.0 + 0.12 * sin (now / 1e6 / 300.0) + g_rand_double_range (self->rand, -0.02, 0.02);
  if (v)
    v->value = (float) u;
  for (guint f = 0; f < 3; f++)
    {
      SimPoint *br = _dc_iec104_sim_lookup (self, 1001 + f);
      SimPoint *cur = _dc_iec104_sim_lookup (self, 4001 + f);
      SimPoint *pw = _dc_iec104_sim_lookup (self, 4004 + f);
      SimPoint *en = _dc_iec104_sim_lookup (self, 5001 + f);
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
        _dc_iec104_sim_queue_spontaneous (conn, p, DC_IEC104_COT_SPONTANEOUS);
    }
}

/* docs/demo.md "The substation RTU": one trip soon after the start, so that a first look finds
 * something in the alarm list and the traffic monitor, then a few per hour (every 15 to 25
 * minutes), as a real feeder would rather not. */
guint
dc_iec104_sim_demo_trip_delay_s (GRand    *rand,
                                 gboolean  first)
{
  g_return_val_if_fail (rand != NULL, 0);

  if (first)
    return (guint) g_rand_int_range (rand, 20, 50);
  return (guint) g_rand_int_range (rand, 15 * 60, 25 * 60 + 1);
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
              _dc_iec104_sim_point_to_object (self, p, &o, TRUE, g_get_real_time ());
              g_array_append_val (objs, o);
            }
          _dc_iec104_sim_queue_objects (conn, DC_IEC104_M_ME_TF_1, DC_IEC104_COT_SPONTANEOUS, FALSE,
                                        (DcIec104Object *) objs->data, objs->len);
        }
    }

  if (self->demo_next_trip == 0)
    self->demo_next_trip = now + dc_iec104_sim_demo_trip_delay_s (self->rand, TRUE) * G_USEC_PER_SEC;
  if (now >= self->demo_next_trip && self->demo_reclose == 0)
    {
      SimPoint *br;

      self->demo_tripped = g_rand_int_range (self->rand, 0, 3);
      br = _dc_iec104_sim_lookup (self, 1001 + self->demo_tripped);
      if (br && br->value == 2)
        {
          br->value = 1;
          if (live)
            _dc_iec104_sim_queue_spontaneous (conn, br, DC_IEC104_COT_SPONTANEOUS);
        }
      self->demo_reclose = now + 8 * G_USEC_PER_SEC;
    }
  if (self->demo_reclose != 0 && now >= self->demo_reclose)
    {
      SimPoint *br = _dc_iec104_sim_lookup (self, 1001 + self->demo_tripped);

      if (br && br->value == 1)
        {
          br->value = 2;
          if (live)
            _dc_iec104_sim_queue_spontaneous (conn, br, DC_IEC104_COT_SPONTANEOUS);
        }
      self->demo_reclose = 0;
      self->demo_next_trip = now + dc_iec104_sim_demo_trip_delay_s (self->rand, FALSE) * G_USEC_PER_SEC;
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
          _dc_iec104_sim_queue_kind (conn, k, DC_IEC104_COT_PERIODIC);
      self->next_periodic = now + PERIODIC_US;
    }

  if (conn == NULL || g_atomic_int_get (&self->frozen))
    return G_SOURCE_CONTINUE;

  if (conn->unacked_rx > 0 && now - conn->rx_since >= SIM_T2_US)
    _dc_iec104_sim_conn_ack_rx (conn);
  if (conn->ns != conn->ack && now - conn->ack_progress > SIM_T1_US)
    {
      g_debug ("t1: master did not acknowledge");
      _dc_iec104_sim_conn_close (conn);
      return G_SOURCE_CONTINUE;
    }
  _dc_iec104_sim_conn_flush (conn);
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
  g_source_set_callback (self->listen_source, (GSourceFunc) (void (*)(void)) _dc_iec104_sim_accept_cb, self, NULL);
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
    _dc_iec104_sim_conn_close (self->conn);
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
        _dc_iec104_sim_conn_watch_input (conn, !g_atomic_int_get (&self->frozen));
      break;

    case 1:  /* end of init */
      if (conn && conn->started)
        {
          DcIec104Asdu h = { .type = DC_IEC104_M_EI_NA_1, .cause = DC_IEC104_COT_INIT,
                             .ca = self->cfg.ca };
          DcIec104Object o = { .ioa = 0, .value = 0 };
          guint8 buf[32];
          gsize len = dc_iec104_build_asdu (buf, sizeof buf, &h, &o, 1, NULL);

          _dc_iec104_sim_conn_queue_asdu (conn, buf, len);
          _dc_iec104_sim_conn_flush (conn);
        }
      break;

    case 2:  /* set value */
      {
        SimPoint *p = _dc_iec104_sim_lookup (self, hook->ioa);

        if (p)
          {
            p->value = hook->value;
            if (conn && conn->started)
              {
                _dc_iec104_sim_queue_spontaneous (conn, p, DC_IEC104_COT_SPONTANEOUS);
                _dc_iec104_sim_conn_flush (conn);
              }
          }
      }
      break;

    case 3:  /* raw */
      if (conn && conn->started)
        {
          gsize len;
          const guint8 *payload = g_bytes_get_data (hook->bytes, &len);

          _dc_iec104_sim_conn_queue_asdu (conn, payload, len);
          _dc_iec104_sim_conn_flush (conn);
        }
      break;

    case 4:  /* STOPDT act */
      if (conn)
        {
          guint8 u[6];

          _dc_iec104_sim_conn_write (conn, u, dc_iec104_build_u (u, DC_IEC104_U_STOPDT_ACT));
          _dc_iec104_sim_conn_flush (conn);
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
          _dc_iec104_sim_conn_send_i (conn, buf, len);
          _dc_iec104_sim_conn_flush (conn);
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
