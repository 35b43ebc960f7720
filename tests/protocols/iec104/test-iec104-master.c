/* test-iec104-master.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The master driver against the outstation simulator over loopback: each on its own I/O
 * thread (dc-io-pool), the test's sink collecting batches, the main context receiving
 * link changes, call/ctrl results and progress.
 */

#include "config.h"

#include <math.h>
#include <string.h>
#include <signal.h>
#include <stdlib.h>
#include <glib/gstdio.h>

#include "dc-error.h"
#include "dc-io-pool.h"
#include "dc-iec104-codec.h"
#include "dc-iec104-driver.h"
#include "dc-iec104-sim.h"

/* Sink */

typedef struct
{
  DcSampleSink  parent;
  GMutex        lock;
  GArray       *samples;
  GHashTable   *last;       /* key → DcSample * (newest) */
  guint         batches;
  gint          congested;
  guint64       count;
} TestSink;

static void
sink_push (DcSampleSink *sink,
           GArray       *samples)
{
  TestSink *self = (TestSink *) sink;

  g_mutex_lock (&self->lock);
  self->batches++;
  self->count += samples->len;
  for (guint i = 0; i < samples->len; i++)
    {
      DcSample *s = &g_array_index (samples, DcSample, i);

      if (self->samples->len < 100000)
        g_array_append_val (self->samples, *s);
      g_hash_table_replace (self->last, GINT_TO_POINTER ((int) s->key), g_memdup2 (s, sizeof *s));
    }
  g_mutex_unlock (&self->lock);
  g_array_unref (samples);
  g_main_context_wakeup (NULL);
}

static gboolean
sink_congested (DcSampleSink *sink)
{
  return g_atomic_int_get (&((TestSink *) sink)->congested);
}

static gboolean
sink_last (TestSink *self,
           gint64    key,
           DcSample *out)
{
  DcSample *s;

  g_mutex_lock (&self->lock);
  s = g_hash_table_lookup (self->last, GINT_TO_POINTER ((int) key));
  if (s && out)
    *out = *s;
  g_mutex_unlock (&self->lock);
  return s != NULL;
}

static guint64
sink_count (TestSink *self)
{
  guint64 n;

  g_mutex_lock (&self->lock);
  n = self->count;
  g_mutex_unlock (&self->lock);
  return n;
}

/* Fixture */

typedef struct
{
  DcIoPool          *sim_pool;
  DcIoPool          *io_pool;
  DcIec104SimConfig  sim_config;
  DcIec104Sim       *sim;
  guint16            port;
  DcDriver          *driver;
  TestSink           sink;
  JsonObject        *device;
  GPtrArray         *terms;
  GPtrArray         *points;
  DcLinkState        state;
  guint              ups;
  guint              downs;
  GPtrArray         *steps;
  gboolean           done;
  GError            *error;
  double             confirmed;
  DcSample           sample;
  gboolean           on_main_context;
} Fixture;

typedef struct
{
  Fixture *f;
} SimOp;

static gboolean
sim_start_cb (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GError) error = NULL;

  f->sim_config.port = f->port;
  f->sim = dc_iec104_sim_new (&f->sim_config, dc_io_pool_get_context (f->sim_pool, 0), &error);
  g_assert_no_error (error);
  f->port = dc_iec104_sim_get_port (f->sim);
  return G_SOURCE_REMOVE;
}

static gboolean
sim_stop_cb (gpointer data)
{
  Fixture *f = data;

  g_clear_pointer (&f->sim, dc_iec104_sim_free);
  return G_SOURCE_REMOVE;
}

static void
sim_start (Fixture *f)
{
  dc_io_invoke_sync (dc_io_pool_get_context (f->sim_pool, 0), sim_start_cb, f);
}

static void
sim_stop (Fixture *f)
{
  dc_io_invoke_sync (dc_io_pool_get_context (f->sim_pool, 0), sim_stop_cb, f);
}

static void
link_changed_cb (DcDriver   *driver,
                 int         state,
                 const char *last_error,
                 Fixture    *f)
{
  f->state = state;
  if (state == DC_LINK_UP)
    f->ups++;
  if (state == DC_LINK_DOWN)
    f->downs++;
}

typedef gboolean (*Cond) (Fixture *f, gconstpointer data);

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
wait_for (Fixture       *f,
          Cond           cond,
          gconstpointer  data,
          double         seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  g_autoptr(GSource) tick = g_timeout_source_new (20);

  /* A 20 ms tick so that conditions on other threads' state are re-checked. */
  g_source_set_callback (tick, tick_cb, NULL, NULL);
  g_source_attach (tick, NULL);
  while (!cond (f, data))
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_source_destroy (tick);
          return FALSE;
        }
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_destroy (tick);
  return TRUE;
}

static gboolean
is_up (Fixture *f, gconstpointer data)
{
  return f->state == DC_LINK_UP;
}

static gboolean
is_down (Fixture *f, gconstpointer data)
{
  return f->state == DC_LINK_DOWN;
}

static gboolean
ups_at_least (Fixture *f, gconstpointer data)
{
  return f->ups >= GPOINTER_TO_UINT (data) && f->state == DC_LINK_UP;
}

static gboolean
is_done (Fixture *f, gconstpointer data)
{
  return f->done;
}

static gboolean
has_sample (Fixture *f, gconstpointer data)
{
  return sink_last (&f->sink, GPOINTER_TO_INT (data), NULL);
}

static gboolean
count_at_least (Fixture *f, gconstpointer data)
{
  return sink_count (&f->sink) >= *(const guint64 *) data;
}

static gboolean
sim_gi_at_least (Fixture *f, gconstpointer data)
{
  DcIec104SimStats s;

  dc_iec104_sim_get_stats (f->sim, &s);
  return s.gi_count >= GPOINTER_TO_UINT (data);
}

static gboolean
t1_timeouts_at_least (Fixture *f, gconstpointer data)
{
  DcIec104DriverStats s;

  dc_iec104_driver_get_stats (DC_IEC104_DRIVER (f->driver), &s);
  return s.t1_timeouts >= GPOINTER_TO_UINT (data);
}

static void
add_point (Fixture    *f,
           gint64      key,
           guint32     ioa,
           guint       type,
           double      coefficient,
           gboolean    direct)
{
  g_autoptr(JsonObject) p = json_object_new ();
  g_autofree char *code = g_strdup_printf ("%u", ioa);
  g_autofree char *ctype = g_strdup_printf ("%u", type);
  g_autofree char *item = g_strdup_printf ("i%" G_GINT64_FORMAT, key);

  json_object_set_string_member (p, "device_id", "dev1");
  json_object_set_string_member (p, "term_id", "t1");
  json_object_set_string_member (p, "item_id", item);
  json_object_set_string_member (p, "protocol_code", code);
  json_object_set_string_member (p, "code_type", ctype);
  json_object_set_double_member (p, "coefficient", coefficient);
  json_object_set_boolean_member (p, "direct", direct);
  g_ptr_array_add (f->points, dc_point_info_new_from_json (key, p));
}

static const DcPointInfo *
point (Fixture *f,
       gint64   key)
{
  for (guint i = 0; i < f->points->len; i++)
    {
      const DcPointInfo *p = g_ptr_array_index (f->points, i);

      if (p->key == key)
        return p;
    }
  g_assert_not_reached ();
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  JsonObject *term;

  memset (f, 0, sizeof *f);
  f->sim_pool = dc_io_pool_new (1);
  f->io_pool = dc_io_pool_new (1);
  dc_iec104_sim_config_init (&f->sim_config);
  f->sim_config.changes_per_s = 0;

  g_mutex_init (&f->sink.lock);
  f->sink.parent.push_batch = sink_push;
  f->sink.parent.is_congested = sink_congested;
  f->sink.samples = g_array_new (FALSE, FALSE, sizeof (DcSample));
  f->sink.last = g_hash_table_new_full (NULL, NULL, NULL, g_free);

  f->device = json_object_new ();
  json_object_set_string_member (f->device, "id", "dev1");
  json_object_set_string_member (f->device, "protocol", "iec104");
  json_object_set_string_member (f->device, "ip", "127.0.0.1");
  f->terms = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  term = json_object_new ();
  json_object_set_string_member (term, "id", "t1");
  json_object_set_int_member (term, "address", 1);
  g_ptr_array_add (f->terms, term);
  f->points = g_ptr_array_new_with_free_func ((GDestroyNotify) dc_point_info_free);
  f->steps = g_ptr_array_new_with_free_func (g_free);

  /* Every point of the default sim. */
  for (guint i = 0; i < 4; i++)
    {
      add_point (f, 1 + i, DC_IEC104_SIM_IOA_SINGLES + i, 1, 1, FALSE);
      add_point (f, 11 + i, DC_IEC104_SIM_IOA_DOUBLES + i, 31, 1, FALSE);
      add_point (f, 21 + i, DC_IEC104_SIM_IOA_SCALED + i, 11, 1, FALSE);
      add_point (f, 31 + i, DC_IEC104_SIM_IOA_NORMALIZED + i, 34, 1, FALSE);
      add_point (f, 51 + i, DC_IEC104_SIM_IOA_COUNTERS + i, 37, 1, FALSE);
    }
  for (guint i = 0; i < 8; i++)
    add_point (f, 41 + i, DC_IEC104_SIM_IOA_FLOATS + i, 13, i == 1 ? 2.0 : 1.0, FALSE);
}

static void
driver_start (Fixture *f)
{
  json_object_set_int_member (f->device, "port", f->port);
  f->driver = dc_iec104_driver_new ();
  g_signal_connect (f->driver, "link-changed", G_CALLBACK (link_changed_cb), f);
  dc_driver_set_config (f->driver, f->device, f->terms, f->points);
  dc_driver_set_sink (f->driver, &f->sink.parent);
  if (!f->on_main_context)
    dc_driver_set_io_context (f->driver, dc_io_pool_get_context (f->io_pool, 0));
  dc_driver_start (f->driver);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->driver)
    {
      dc_driver_stop (f->driver);
      /* Let queued link-changed idles run, then drop the driver. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_assert_finalize_object (f->driver);
    }
  sim_stop (f);
  dc_io_pool_free (f->io_pool);
  dc_io_pool_free (f->sim_pool);
  g_array_unref (f->sink.samples);
  g_hash_table_unref (f->sink.last);
  g_mutex_clear (&f->sink.lock);
  json_object_unref (f->device);
  g_ptr_array_unref (f->terms);
  g_ptr_array_unref (f->points);
  g_ptr_array_unref (f->steps);
  g_clear_error (&f->error);
}

static void
start_both (Fixture *f)
{
  sim_start (f);
  driver_start (f);
  g_assert_true (wait_for (f, is_up, NULL, 10));
}

/* Tests */

static void
test_gi (Fixture       *f,
         gconstpointer  data)
{
  DcSample s = { 0 };
  gint64 now = g_get_real_time ();
  g_autoptr(GPtrArray) frames = NULL;
  DcIec104DriverStats st;

  json_object_set_int_member (f->device, "ci_s", 3600);
  start_both (f);

  for (guint i = 0; i < f->points->len; i++)
    {
      const DcPointInfo *p = g_ptr_array_index (f->points, i);

      g_assert_true (wait_for (f, has_sample, GINT_TO_POINTER ((int) p->key), 10));
    }

  g_assert_true (sink_last (&f->sink, 1, &s));
  g_assert_cmpfloat (s.value, ==, 0);
  g_assert_cmpuint (s.quality, ==, 0);
  g_assert_cmpint (llabs (s.time - now), <, 5 * G_USEC_PER_SEC);
  g_assert_true (sink_last (&f->sink, 2, &s));
  g_assert_cmpfloat (s.value, ==, 1);
  /* TYP 31 point takes TYP 3 from the GI. */
  g_assert_true (sink_last (&f->sink, 11, &s));
  g_assert_cmpfloat (s.value, ==, 1);
  g_assert_true (sink_last (&f->sink, 12, &s));
  g_assert_cmpfloat (s.value, ==, 2);
  g_assert_true (sink_last (&f->sink, 22, &s));
  g_assert_cmpfloat (s.value, ==, 110);
  g_assert_true (sink_last (&f->sink, 31, &s));
  g_assert_cmpfloat (s.value, ==, 0.25);
  g_assert_true (sink_last (&f->sink, 41, &s));
  g_assert_cmpfloat (s.value, ==, 100);
  /* coefficient 2 */
  g_assert_true (sink_last (&f->sink, 42, &s));
  g_assert_cmpfloat (s.value, ==, 220);
  /* counters from the counter interrogation */
  g_assert_true (sink_last (&f->sink, 53, &s));
  g_assert_cmpfloat (s.value, ==, 3000);

  dc_iec104_driver_get_stats (DC_IEC104_DRIVER (f->driver), &st);
  g_assert_cmpuint (st.gi_sent, ==, 1);
  g_assert_cmpuint (st.ci_sent, ==, 1);
  g_assert_cmpuint (st.asdus_dropped, ==, 0);
  g_assert_cmpuint (st.unknown_objects, ==, 0);

  /* The traffic ring: the first frame sent is STARTDT act and every frame decodes. */
  frames = dc_traffic_get_frames (dc_driver_get_traffic (f->driver), 0, 1000);
  g_assert_cmpuint (frames->len, >, 5);
  for (guint i = 0; i < frames->len; i++)
    {
      const DcTrafficFrame *fr = g_ptr_array_index (frames, i);
      g_autoptr(JsonObject) decoded = NULL;
      g_autofree char *err = NULL;
      g_autofree char *summary = dc_driver_decode_frame (f->driver, fr, &decoded, &err);

      g_assert_null (err);
      g_assert_nonnull (decoded);
      if (i == 0)
        {
          g_assert_false (fr->incoming);
          g_assert_cmpstr (summary, ==, "U STARTDT act");
        }
      if (i == 1)
        g_assert_cmpstr (summary, ==, "U STARTDT con");
    }
}

static gboolean
value_is_42_5 (Fixture *f, gconstpointer data)
{
  DcSample s;

  return sink_last (&f->sink, 48, &s) && s.value == 42.5;
}

static void
test_spontaneous (Fixture       *f,
                  gconstpointer  data)
{
  DcSample s = { 0 };
  gint64 now;

  start_both (f);
  g_assert_true (wait_for (f, has_sample, GINT_TO_POINTER (48), 10));
  now = g_get_real_time ();
  dc_iec104_sim_set_value (f->sim, DC_IEC104_SIM_IOA_FLOATS + 7, 42.5);
  g_assert_true (wait_for (f, has_sample, GINT_TO_POINTER (48), 10));
  g_assert_true (wait_for (f, value_is_42_5, NULL, 10));
  g_assert_true (sink_last (&f->sink, 48, &s));
  g_assert_cmpfloat (s.value, ==, 42.5);
  /* M_ME_TF_1 carries the station's CP56 time, within a second or so of now. */
  g_assert_cmpint (llabs (s.time - now), <, 2 * G_USEC_PER_SEC);
  g_assert_cmpuint (s.quality, ==, 0);
}

static void
test_flood (Fixture       *f,
            gconstpointer  data)
{
  guint64 target = 20000;
  guint64 before, after;
  DcIec104DriverStats st;
  DcIec104SimStats ss;

  f->sim_config.flood = 30;
  f->sim_config.floats = 30;
  for (guint i = 8; i < 30; i++)
    add_point (f, 41 + i, DC_IEC104_SIM_IOA_FLOATS + i, 13, 1, FALSE);
  start_both (f);
  g_assert_true (wait_for (f, count_at_least, &target, 20));

  /* Congested sink: the master holds its acknowledgements and the outstation stops at k. */
  g_atomic_int_set (&f->sink.congested, TRUE);
  g_usleep (200 * 1000);
  before = sink_count (&f->sink);
  g_usleep (300 * 1000);
  after = sink_count (&f->sink);
  g_assert_cmpuint (after - before, <=, 12 * 30);
  g_atomic_int_set (&f->sink.congested, FALSE);
  target = after + 20000;
  g_assert_true (wait_for (f, count_at_least, &target, 20));

  dc_iec104_driver_get_stats (DC_IEC104_DRIVER (f->driver), &st);
  g_assert_cmpuint (st.acks_held, >, 0);
  g_assert_cmpuint (st.w_max_used, <=, 12);
  g_assert_cmpuint (st.t1_timeouts, ==, 0);
  g_assert_cmpuint (st.asdus_dropped, ==, 0);
  g_assert_cmpuint (st.unknown_objects, ==, 0);
  /* Nothing the driver decoded was lost on the way to the sink. */
  dc_driver_stop (f->driver);
  dc_iec104_driver_get_stats (DC_IEC104_DRIVER (f->driver), &st);
  g_assert_cmpuint (st.samples, ==, sink_count (&f->sink));
  /* Every object received became a sample, except the GI's act-con and act-term. */
  g_assert_cmpuint (st.objects_in - 2, ==, sink_count (&f->sink));
  dc_iec104_sim_get_stats (f->sim, &ss);
  g_assert_cmpuint (ss.objects_sent, >=, sink_count (&f->sink));
  g_assert_cmpuint (f->ups, ==, 1);
}

static void
test_t1_reconnect (Fixture       *f,
                   gconstpointer  data)
{
  json_object_set_double_member (f->device, "t1", 0.5);
  json_object_set_double_member (f->device, "t3", 0.5);
  start_both (f);

  /* A frozen outstation never answers TESTFR: t1 closes the link. */
  dc_iec104_sim_set_frozen (f->sim, TRUE);
  g_assert_true (wait_for (f, t1_timeouts_at_least, GUINT_TO_POINTER (1), 10));
  g_assert_true (wait_for (f, is_down, NULL, 5));
  dc_iec104_sim_set_frozen (f->sim, FALSE);
  g_assert_true (wait_for (f, ups_at_least, GUINT_TO_POINTER (2), 15));
  g_assert_true (wait_for (f, sim_gi_at_least, GUINT_TO_POINTER (2), 5));

  /* Killed and restarted on the same port. */
  sim_stop (f);
  g_assert_true (wait_for (f, is_down, NULL, 5));
  sim_start (f);
  g_assert_true (wait_for (f, ups_at_least, GUINT_TO_POINTER (3), 20));
  g_assert_true (wait_for (f, sim_gi_at_least, GUINT_TO_POINTER (1), 5));
}

static void
test_backup (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                       G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  DcIec104DriverStats st;
  guint16 dead_port;

  /* A port nobody listens on: bound, never listening. */
  g_assert_true (g_socket_bind (s, addr, FALSE, NULL));
  bound = g_socket_get_local_address (s, NULL);
  dead_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  sim_start (f);
  json_object_set_string_member (f->device, "backup_ip", "127.0.0.1");
  json_object_set_int_member (f->device, "backup_port", f->port);
  f->port = dead_port;
  driver_start (f);
  g_assert_true (wait_for (f, is_up, NULL, 10));
  dc_iec104_driver_get_stats (DC_IEC104_DRIVER (f->driver), &st);
  g_assert_cmpuint (st.using_backup, ==, 1);
  g_assert_cmpuint (f->downs, >=, 1);
}

static void
call_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Fixture *f = user_data;

  dc_driver_call_finish (DC_DRIVER (source), result, &f->sample, &f->error);
  f->done = TRUE;
}

static void
test_read (Fixture       *f,
           gconstpointer  data)
{
  start_both (f);
  g_assert_true (wait_for (f, has_sample, GINT_TO_POINTER (42), 10));
  dc_driver_call_async (f->driver, point (f, 42), g_get_monotonic_time () + 5 * G_USEC_PER_SEC,
                        NULL, call_done_cb, f);
  g_assert_true (wait_for (f, is_done, NULL, 10));
  g_assert_no_error (f->error);
  g_assert_cmpint (f->sample.key, ==, 42);
  g_assert_cmpfloat (f->sample.value, ==, 220);
}

static void
progress_cb (DcCtrlStep  step,
             const char *detail,
             gpointer    user_data)
{
  Fixture *f = user_data;

  g_ptr_array_add (f->steps, g_strdup (dc_ctrl_step_to_string (step)));
}

static void
ctrl_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Fixture *f = user_data;

  dc_driver_ctrl_finish (DC_DRIVER (source), result, &f->confirmed, &f->error);
  f->done = TRUE;
}

static void
run_ctrl (Fixture *f,
          gint64   key,
          double   value,
          double   timeout_s)
{
  f->done = FALSE;
  g_clear_error (&f->error);
  g_ptr_array_set_size (f->steps, 0);
  dc_driver_ctrl_async (f->driver, point (f, key), value,
                        g_get_monotonic_time () + (gint64) (timeout_s * G_USEC_PER_SEC),
                        progress_cb, f, NULL, ctrl_done_cb, f);
  g_assert_true (wait_for (f, is_done, NULL, timeout_s + 5));
  /* Progress idles were posted before the result. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static char *
steps_string (Fixture *f)
{
  g_ptr_array_add (f->steps, NULL);
  return g_strjoinv (", ", (char **) f->steps->pdata);
}

static gboolean
feedback_is (Fixture *f, gconstpointer data)
{
  DcSample s = { 0 };

  return sink_last (&f->sink, 100, &s) && s.value == *(const double *) data;
}

static void
test_sbo (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *steps = NULL;
  const double one = 1;

  add_point (f, 100, DC_IEC104_SIM_IOA_DOUBLES + 1, 46, 1, FALSE);
  /* The monitor point at the same IOA is replaced by the command point. */
  start_both (f);
  g_assert_true (wait_for (f, has_sample, GINT_TO_POINTER (100), 10));

  run_ctrl (f, 100, 1, 5);
  g_assert_no_error (f->error);
  g_assert_cmpfloat (f->confirmed, ==, 1);
  steps = steps_string (f);
  g_assert_true (g_str_has_prefix (steps, "select sent, selected, execute sent, confirmed"));
  /* The station's feedback reaches the command point. */
  g_assert_true (wait_for (f, feedback_is, &one, 5));

  /* Value checks happen before anything is sent. */
  run_ctrl (f, 100, 3, 5);
  g_assert_error (f->error, DC_ERROR, DC_ERROR_INVALID);
  g_assert_cmpstr (f->error->message, ==,
                   "value 3 is not allowed for a double command (use 1 or 2)");
  run_ctrl (f, 41, 3, 5);
  g_assert_error (f->error, DC_ERROR, DC_ERROR_INVALID);
  g_assert_cmpstr (f->error->message, ==, "point is read-only");
}

static void
test_direct_setpoint (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *steps = NULL;

  add_point (f, 101, DC_IEC104_SIM_IOA_FLOATS + 2, 50, 1, TRUE);
  start_both (f);
  run_ctrl (f, 101, 12.5, 5);
  g_assert_no_error (f->error);
  g_assert_cmpfloat (f->confirmed, ==, 12.5);
  steps = steps_string (f);
  g_assert_true (g_str_has_prefix (steps, "execute sent, confirmed"));
}

static void
test_negative (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *steps = NULL;

  f->sim_config.negative = TRUE;
  add_point (f, 100, DC_IEC104_SIM_IOA_DOUBLES + 1, 46, 1, FALSE);
  start_both (f);
  run_ctrl (f, 100, 2, 5);
  g_assert_error (f->error, DC_ERROR, DC_ERROR_REJECTED);
  g_assert_cmpuint (dc_error_http_status (f->error), ==, 502);
  g_assert_cmpstr (f->error->message, ==,
                   "device dev1 rejected the command: "
                   "negative confirmation (C_DC_NA_1 actcon P/N=1)");
  steps = steps_string (f);
  g_assert_true (g_str_has_prefix (steps, "select sent, failed"));
}

static void
test_no_answer (Fixture       *f,
                gconstpointer  data)
{
  add_point (f, 100, DC_IEC104_SIM_IOA_DOUBLES + 1, 46, 1, FALSE);
  start_both (f);
  dc_iec104_sim_set_mute_commands (f->sim, TRUE);
  run_ctrl (f, 100, 2, 1);
  g_assert_error (f->error, DC_ERROR, DC_ERROR_TIMEOUT);
  g_assert_cmpuint (dc_error_http_status (f->error), ==, 504);
  g_assert_cmpstr (f->error->message, ==, "device dev1 did not answer within 1 s");

  /* Offline: 503 */
  sim_stop (f);
  g_assert_true (wait_for (f, is_down, NULL, 5));
  run_ctrl (f, 100, 2, 1);
  g_assert_error (f->error, DC_ERROR, DC_ERROR_OFFLINE);
  g_assert_cmpstr (f->error->message, ==, "device dev1 is offline");
}

static void
test_end_of_init (Fixture       *f,
                  gconstpointer  data)
{
  DcIec104DriverStats st;

  start_both (f);
  g_assert_true (wait_for (f, sim_gi_at_least, GUINT_TO_POINTER (1), 5));
  dc_iec104_sim_send_end_of_init (f->sim);
  g_assert_true (wait_for (f, sim_gi_at_least, GUINT_TO_POINTER (2), 5));
  dc_iec104_driver_get_stats (DC_IEC104_DRIVER (f->driver), &st);
  g_assert_cmpuint (st.end_of_init, ==, 1);
  g_assert_cmpuint (st.gi_sent, ==, 2);
}

static void
test_malformed_asdu (Fixture       *f,
                     gconstpointer  data)
{
  /* A short float ASDU claiming 2 objects with one present, then an unknown type: both are
   * dropped and counted, the link stays up. */
  const guint8 bad[] = { 13, 2, 3, 0, 1, 0, 0xa1, 0x0f, 0, 0, 0, 0x80, 0x3f, 0 };
  const guint8 unknown[] = { 99, 1, 3, 0, 1, 0, 0xa1, 0x0f, 0, 0 };
  DcIec104DriverStats st;

  start_both (f);
  g_assert_true (wait_for (f, has_sample, GINT_TO_POINTER (48), 10));
  dc_iec104_sim_send_raw_asdu (f->sim, bad, sizeof bad);
  dc_iec104_sim_send_raw_asdu (f->sim, unknown, sizeof unknown);
  dc_iec104_sim_set_value (f->sim, DC_IEC104_SIM_IOA_FLOATS, 7);
  for (int i = 0; i < 500; i++)
    {
      dc_iec104_driver_get_stats (DC_IEC104_DRIVER (f->driver), &st);
      if (st.asdus_dropped >= 2)
        break;
      g_usleep (10000);
    }
  g_assert_cmpuint (st.asdus_dropped, ==, 2);
  g_assert_cmpuint (f->downs, ==, 0);
  g_assert_cmpint (f->state, ==, DC_LINK_UP);
}


static gboolean
float_time_near (Fixture *f, gconstpointer data)
{
  DcSample s;

  return sink_last (&f->sink, 41, &s) && s.value == 77 &&
         llabs (s.time - *(const gint64 *) data) < 2 * G_USEC_PER_SEC;
}

static gboolean
float_is_77 (Fixture *f, gconstpointer data)
{
  DcSample s;

  return sink_last (&f->sink, 41, &s) && s.value == 77;
}

static void
test_time_zone (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Asia/Shanghai");
  gint64 now;
  DcSample s = { 0 };

  if (tz == NULL)
    {
      g_test_skip ("tzdata missing");
      return;
    }
  /* A DL/T 634.5104 station keeping Beijing time: read in the device's zone, stored in UTC. */
  f->sim_config.time_zone = "Asia/Shanghai";
  json_object_set_string_member (f->device, "time_zone", "Asia/Shanghai");
  start_both (f);
  g_assert_true (wait_for (f, has_sample, GINT_TO_POINTER (41), 10));
  now = g_get_real_time ();
  dc_iec104_sim_set_value (f->sim, DC_IEC104_SIM_IOA_FLOATS, 77);
  g_assert_true (wait_for (f, float_is_77, NULL, 10));
  g_assert_true (sink_last (&f->sink, 41, &s));
  g_assert_cmpint (llabs (s.time - now), <, 2 * G_USEC_PER_SEC);
  g_assert_true (wait_for (f, float_time_near, &now, 1));
}

static gboolean
float_is_88 (Fixture *f, gconstpointer data)
{
  DcSample s;

  return sink_last (&f->sink, 41, &s) && s.value == 88;
}

static void
test_cp24 (Fixture       *f,
           gconstpointer  data)
{
  DcIec104Asdu h = { .type = DC_IEC104_M_ME_TC_1, .cause = DC_IEC104_COT_SPONTANEOUS, .ca = 1 };
  DcIec104Object o = { .ioa = DC_IEC104_SIM_IOA_FLOATS, .value = 88 };
  gint64 tag = (g_get_real_time () / 1000 - 2000) * 1000;  /* 2 s ago, whole ms */
  guint8 buf[64];
  gsize len;
  DcSample s = { 0 };

  start_both (f);
  g_assert_true (wait_for (f, has_sample, GINT_TO_POINTER (41), 10));
  dc_iec104_time_from_us (&o.time, tag, NULL);
  len = dc_iec104_build_asdu (buf, sizeof buf, &h, &o, 1, NULL);
  g_assert_cmpuint (len, >, 0);
  dc_iec104_sim_send_raw_asdu (f->sim, buf, len);
  g_assert_true (wait_for (f, float_is_88, NULL, 10));
  g_assert_true (sink_last (&f->sink, 41, &s));
  /* Minutes and milliseconds from the tag, hour and date from the receive time. */
  g_assert_cmpint (s.time, ==, tag);
}

static gboolean
sim_periodic_done (Fixture *f, gconstpointer data)
{
  DcIec104SimStats s;

  dc_iec104_sim_get_stats (f->sim, &s);
  return s.gi_count >= 3 && s.ci_count >= 3 && s.clock_syncs >= 1;
}

static void
test_periods (Fixture       *f,
              gconstpointer  data)
{
  DcIec104DriverStats st;

  json_object_set_int_member (f->device, "gi_s", 1);
  json_object_set_int_member (f->device, "ci_s", 1);
  json_object_set_boolean_member (f->device, "clock_sync", TRUE);
  start_both (f);
  g_assert_true (wait_for (f, sim_periodic_done, NULL, 10));
  dc_iec104_driver_get_stats (DC_IEC104_DRIVER (f->driver), &st);
  g_assert_cmpuint (st.gi_sent, >=, 3);
  g_assert_cmpuint (st.clock_syncs, ==, 1);
  g_assert_cmpuint (f->ups, ==, 1);
}

static gboolean
float_is_50 (Fixture *f, gconstpointer data)
{
  DcSample s;

  return sink_last (&f->sink, 41, &s) && s.value == 50;
}

static void
test_points_changed (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) points = NULL;
  g_autoptr(JsonObject) p = json_object_new ();

  points = g_ptr_array_new_with_free_func ((GDestroyNotify) dc_point_info_free);
  start_both (f);
  g_assert_true (wait_for (f, has_sample, GINT_TO_POINTER (41), 10));

  /* Only point 41, now with coefficient 10: the map changes in place, the link stays. */
  json_object_set_string_member (p, "device_id", "dev1");
  json_object_set_string_member (p, "term_id", "t1");
  json_object_set_string_member (p, "item_id", "i41");
  json_object_set_string_member (p, "protocol_code", "4001");
  json_object_set_string_member (p, "code_type", "36");
  json_object_set_double_member (p, "coefficient", 10);
  g_ptr_array_add (points, dc_point_info_new_from_json (41, p));
  dc_driver_set_config (f->driver, f->device, f->terms, points);
  dc_driver_points_changed (f->driver);

  dc_iec104_sim_set_value (f->sim, DC_IEC104_SIM_IOA_FLOATS, 5);
  if (!wait_for (f, float_is_50, NULL, 10))
    {
      DcSample s = { 0 };
      DcIec104DriverStats st;

      sink_last (&f->sink, 41, &s);
      dc_iec104_driver_get_stats (DC_IEC104_DRIVER (f->driver), &st);
      g_error ("point 41 is %g (ups %u downs %u, unknown %" G_GUINT64_FORMAT ")", s.value,
               f->ups, f->downs, st.unknown_objects);
    }
  g_assert_cmpuint (f->ups, ==, 1);
  g_assert_cmpuint (f->downs, ==, 0);
}

/* The real datacoll-sim process, killed with SIGKILL and restarted on the same port. */
static GSubprocess *
spawn_sim (guint16  port,
           guint16 *port_out)
{
  const char *sim = g_getenv ("DATACOLL_SIM");
  g_autofree char *port_arg = g_strdup_printf ("%u", port);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  GSubprocess *proc;
  char *line;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, sim, "iec104", "--bind",
                           "127.0.0.1", "--port", port_arg, "--changes-per-s", "0", NULL);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  line = g_data_input_stream_read_line (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "datacoll-sim iec104: listening on 127.0.0.1 port "));
  *port_out = (guint16) atoi (strrchr (line, ' ') + 1);
  g_free (line);
  return proc;
}

static void
test_process_restart (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GSubprocess) proc2 = NULL;
  guint16 port2 = 0;

  if (g_getenv ("DATACOLL_SIM") == NULL)
    {
      g_test_skip ("DATACOLL_SIM is not set (run under meson test)");
      return;
    }
  proc = spawn_sim (0, &f->port);
  driver_start (f);
  g_assert_true (wait_for (f, is_up, NULL, 10));
  g_assert_true (wait_for (f, has_sample, GINT_TO_POINTER (41), 10));

  g_subprocess_force_exit (proc);
  g_assert_true (g_subprocess_wait (proc, NULL, NULL));
  g_assert_true (wait_for (f, is_down, NULL, 5));

  proc2 = spawn_sim (f->port, &port2);
  g_assert_cmpuint (port2, ==, f->port);
  g_assert_true (wait_for (f, ups_at_least, GUINT_TO_POINTER (2), 20));
  g_subprocess_send_signal (proc2, SIGTERM);
  g_assert_true (g_subprocess_wait_check (proc2, NULL, NULL));
}

/* Independent check: the frames of a session, written to a pcap as one TCP segment each, decoded
 * by tshark's IEC 104 dissector: no malformed packets, and the same TYP/COT/IOA per I-frame as
 * our own decoder. */

static void
put_be16 (GByteArray *a,
          guint16     v)
{
  guint8 b[2] = { v >> 8, v & 0xff };

  g_byte_array_append (a, b, 2);
}

static void
put_be32 (GByteArray *a,
          guint32     v)
{
  guint8 b[4] = { v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff };

  g_byte_array_append (a, b, 4);
}

static void
put_le32 (GByteArray *a,
          guint32     v)
{
  guint8 b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };

  g_byte_array_append (a, b, 4);
}

static void
write_pcap (GPtrArray  *frames,
            guint16     port,
            const char *path)
{
  g_autoptr(GByteArray) pcap = g_byte_array_new ();
  guint32 seq[2] = { 1000, 5000000 };
  const guint16 master_port = 40404;

  put_le32 (pcap, 0xa1b2c3d4);
  put_le32 (pcap, 2 | (4 << 16));
  put_le32 (pcap, 0);
  put_le32 (pcap, 0);
  put_le32 (pcap, 65535);
  put_le32 (pcap, 101);  /* LINKTYPE_RAW: IPv4 */

  for (guint i = 0; i < frames->len; i++)
    {
      const DcTrafficFrame *fr = g_ptr_array_index (frames, i);
      g_autoptr(GByteArray) ip = g_byte_array_new ();
      int dir = fr->incoming ? 1 : 0;
      guint32 sum = 0;

      /* IPv4 */
      put_be16 (ip, 0x4500);
      put_be16 (ip, 40 + fr->len);
      put_be16 (ip, i & 0xffff);
      put_be16 (ip, 0x4000);
      put_be16 (ip, 0x4006);
      put_be16 (ip, 0);
      put_be32 (ip, 0x7f000001);
      put_be32 (ip, 0x7f000001);
      for (guint j = 0; j < 20; j += 2)
        sum += (ip->data[j] << 8) | ip->data[j + 1];
      while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
      ip->data[10] = (~sum >> 8) & 0xff;
      ip->data[11] = ~sum & 0xff;
      /* TCP, PSH|ACK */
      put_be16 (ip, dir ? port : master_port);
      put_be16 (ip, dir ? master_port : port);
      put_be32 (ip, seq[dir]);
      put_be32 (ip, seq[!dir]);
      put_be16 (ip, 0x5018);
      put_be16 (ip, 65535);
      put_be32 (ip, 0);
      g_byte_array_append (ip, fr->bytes, fr->len);
      seq[dir] += fr->len;

      put_le32 (pcap, fr->time / G_USEC_PER_SEC);
      put_le32 (pcap, fr->time % G_USEC_PER_SEC);
      put_le32 (pcap, ip->len);
      put_le32 (pcap, ip->len);
      g_byte_array_append (pcap, ip->data, ip->len);
    }
  g_assert_true (g_file_set_contents (path, (const char *) pcap->data, pcap->len, NULL));
}

static gboolean
downs_at_least (Fixture *f, gconstpointer data)
{
  return f->downs >= GPOINTER_TO_UINT (data);
}

/* A STOPDT from the outstation and a sequence error each close the link; it comes back. */
static void
test_stopdt_sequence (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *last_error = NULL;

  start_both (f);
  dc_iec104_sim_send_stopdt (f->sim);
  g_assert_true (wait_for (f, downs_at_least, GUINT_TO_POINTER (1), 5));
  last_error = dc_driver_dup_last_error (f->driver);
  g_assert_cmpstr (last_error, ==, "the outstation sent STOPDT");
  g_assert_true (wait_for (f, ups_at_least, GUINT_TO_POINTER (2), 10));

  dc_iec104_sim_skip_sequence (f->sim);
  g_assert_true (wait_for (f, downs_at_least, GUINT_TO_POINTER (2), 5));
  g_clear_pointer (&last_error, g_free);
  last_error = dc_driver_dup_last_error (f->driver);
  g_assert_true (g_str_has_prefix (last_error, "sequence error: N(S)="));
  g_assert_true (wait_for (f, ups_at_least, GUINT_TO_POINTER (3), 15));
}

/* Two common addresses: GI goes to both; the station refuses CA 2 (cause 46) and the link
 * stays up. */
static void
test_two_cas (Fixture       *f,
              gconstpointer  data)
{
  JsonObject *term = json_object_new ();
  DcIec104DriverStats st;

  json_object_set_string_member (term, "id", "t2");
  json_object_set_int_member (term, "address", 2);
  g_ptr_array_add (f->terms, term);
  start_both (f);
  g_assert_true (wait_for (f, has_sample, GINT_TO_POINTER (41), 10));
  dc_iec104_driver_get_stats (DC_IEC104_DRIVER (f->driver), &st);
  g_assert_cmpuint (st.gi_sent, ==, 2);
  g_assert_cmpuint (f->downs, ==, 0);
}

/* Without an I/O context the driver runs on the caller's (main) context. */
static void
test_main_context (Fixture       *f,
                   gconstpointer  data)
{
  f->on_main_context = TRUE;
  start_both (f);
  g_assert_true (wait_for (f, has_sample, GINT_TO_POINTER (41), 10));
  run_ctrl (f, 41, 1, 1);
  g_assert_error (f->error, DC_ERROR, DC_ERROR_INVALID);
  dc_driver_stop (f->driver);
  g_assert_cmpuint (f->downs, ==, 0);
}

static void
test_tshark (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *tshark = g_find_program_in_path ("tshark");
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *decode_as = NULL;
  g_autofree char *out = NULL;
  g_autofree char *verbose = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) frames = NULL;
  g_autoptr(GString) ours = g_string_new (NULL);
  g_autoptr(GString) theirs = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) env = NULL;
  int status = 0;
  guint n_i = 0;

  if (tshark == NULL)
    {
      g_test_skip ("tshark is not installed (Debian package tshark)");
      return;
    }

  json_object_set_int_member (f->device, "ci_s", 3600);
  json_object_set_boolean_member (f->device, "clock_sync", TRUE);
  add_point (f, 100, DC_IEC104_SIM_IOA_DOUBLES + 1, 46, 1, FALSE);
  start_both (f);
  g_assert_true (wait_for (f, has_sample, GINT_TO_POINTER (53), 10));
  run_ctrl (f, 100, 1, 5);
  g_assert_no_error (f->error);
  f->done = FALSE;
  dc_driver_call_async (f->driver, point (f, 42), g_get_monotonic_time () + 5 * G_USEC_PER_SEC,
                        NULL, call_done_cb, f);
  g_assert_true (wait_for (f, is_done, NULL, 10));
  g_assert_no_error (f->error);
  dc_iec104_sim_set_value (f->sim, DC_IEC104_SIM_IOA_FLOATS, 55.5);
  dc_iec104_sim_set_value (f->sim, DC_IEC104_SIM_IOA_SINGLES, 1);
  g_usleep (300 * 1000);
  dc_driver_stop (f->driver);

  frames = dc_traffic_get_frames (dc_driver_get_traffic (f->driver), 0, 100000);
  g_assert_cmpuint (frames->len, >, 10);
  dir = g_dir_make_tmp ("iec104-tshark-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "session.pcap", NULL);
  write_pcap (frames, f->port, path);

  /* Our decoder: "TYP COT IOA,IOA,…" per I-frame. */
  for (guint i = 0; i < frames->len; i++)
    {
      const DcTrafficFrame *fr = g_ptr_array_index (frames, i);
      g_autoptr(JsonObject) decoded = NULL;
      g_autofree char *err = NULL;
      g_autofree char *summary = dc_driver_decode_frame (f->driver, fr, &decoded, &err);
      JsonArray *objects;

      g_assert_null (err);
      if (g_strcmp0 (json_object_get_string_member (decoded, "kind"), "I") != 0)
        continue;
      n_i++;
      g_string_append_printf (ours, "%" G_GINT64_FORMAT " %" G_GINT64_FORMAT " ",
                              json_object_get_int_member (decoded, "type"),
                              json_object_get_int_member (decoded, "cause"));
      objects = json_object_get_array_member (decoded, "objects");
      for (guint j = 0; j < json_array_get_length (objects); j++)
        {
          JsonObject *o = json_array_get_object_element (objects, j);

          g_string_append_printf (ours, "%s%" G_GINT64_FORMAT, j ? "," : "",
                                  json_object_get_int_member (o, "ioa"));
        }
      g_string_append_c (ours, '\n');
    }
  g_assert_cmpuint (n_i, >, 5);

  decode_as = g_strdup_printf ("tcp.port==%u,iec60870_104", f->port);
  /* tshark wants a writable configuration directory. */
  env = g_get_environ ();
  env = g_environ_setenv (env, "HOME", dir, TRUE);
  env = g_environ_setenv (env, "XDG_CONFIG_HOME", dir, TRUE);
  {
    const char *argv[] = { tshark, "-n", "-r", path, "-d", decode_as, "-Y", "iec60870_asdu",
                           "-T", "fields", "-e", "iec60870_asdu.typeid", "-e",
                           "iec60870_asdu.causetx", "-e", "iec60870_asdu.ioa",
                           "-E", "separator= ", "-E", "occurrence=a", "-E", "aggregator=,", NULL };

    g_autofree char *err = NULL;

    g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL,
                                 &out, &err, &status, &error));
    g_assert_no_error (error);
    if (!g_spawn_check_wait_status (status, NULL))
      g_error ("tshark failed: %s", err);
  }
  {
    const char *argv[] = { tshark, "-n", "-r", path, "-d", decode_as, "-V", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                                 &verbose, NULL, &status, &error));
    g_assert_no_error (error);
  }
  g_assert_null (strstr (verbose, "Malformed"));
  g_assert_nonnull (strstr (verbose, "IEC 60870-5-104"));

  /* tshark prints one line per I-frame (one ASDU each). */
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      g_string_append_printf (theirs, "%s\n", lines[i]);
  g_assert_cmpstr (theirs->str, ==, ours->str);

  g_remove (path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add ("/dc/iec104/master/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("gi", test_gi);
  ADD ("spontaneous", test_spontaneous);
  ADD ("flood-kw", test_flood);
  ADD ("t1-reconnect", test_t1_reconnect);
  ADD ("backup", test_backup);
  ADD ("read", test_read);
  ADD ("sbo", test_sbo);
  ADD ("direct-setpoint", test_direct_setpoint);
  ADD ("negative", test_negative);
  ADD ("no-answer", test_no_answer);
  ADD ("end-of-init", test_end_of_init);
  ADD ("malformed-asdu", test_malformed_asdu);
  ADD ("tshark", test_tshark);
  ADD ("main-context", test_main_context);
  ADD ("stopdt-sequence", test_stopdt_sequence);
  ADD ("two-cas", test_two_cas);
  ADD ("time-zone", test_time_zone);
  ADD ("cp24", test_cp24);
  ADD ("periods", test_periods);
  ADD ("points-changed", test_points_changed);
  ADD ("process-restart", test_process_restart);
#undef ADD

  return g_test_run ();
}
