/* iec104-master-fixture.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "test-iec104-master"

#include "config.h"

#include "iec104-master-fixture.h"

#include <string.h>

#include "dc-test-driver.h"

/* Sink */

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

gboolean
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

guint64
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

void
sim_start (Fixture *f)
{
  dc_io_invoke_sync (dc_io_pool_get_context (f->sim_pool, 0), sim_start_cb, f);
}

void
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

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
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

gboolean
is_up (Fixture *f, gconstpointer data)
{
  return f->state == DC_LINK_UP;
}

gboolean
is_down (Fixture *f, gconstpointer data)
{
  return f->state == DC_LINK_DOWN;
}

gboolean
ups_at_least (Fixture *f, gconstpointer data)
{
  return f->ups >= GPOINTER_TO_UINT (data) && f->state == DC_LINK_UP;
}

gboolean
is_done (Fixture *f, gconstpointer data)
{
  return f->done;
}

gboolean
has_sample (Fixture *f, gconstpointer data)
{
  return sink_last (&f->sink, GPOINTER_TO_INT (data), NULL);
}

gboolean
count_at_least (Fixture *f, gconstpointer data)
{
  return sink_count (&f->sink) >= *(const guint64 *) data;
}

gboolean
sim_gi_at_least (Fixture *f, gconstpointer data)
{
  DcIec104SimStats s;

  dc_iec104_sim_get_stats (f->sim, &s);
  return s.gi_count >= GPOINTER_TO_UINT (data);
}

gboolean
t1_timeouts_at_least (Fixture *f, gconstpointer data)
{
  DcIec104DriverStats s;

  dc_iec104_driver_get_stats (DC_IEC104_DRIVER (f->driver), &s);
  return s.t1_timeouts >= GPOINTER_TO_UINT (data);
}

void
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

const DcPointInfo *
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

void
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

void
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

void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->driver)
    dc_test_driver_finish (f->driver);
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

void
start_both (Fixture *f)
{
  sim_start (f);
  driver_start (f);
  g_assert_true (wait_for (f, is_up, NULL, 10));
}

void
call_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Fixture *f = user_data;

  dc_driver_call_finish (DC_DRIVER (source), result, &f->sample, &f->error);
  f->done = TRUE;
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

void
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

char *
steps_string (Fixture *f)
{
  g_ptr_array_add (f->steps, NULL);
  return g_strjoinv (", ", (char **) f->steps->pdata);
}

gboolean
downs_at_least (Fixture *f, gconstpointer data)
{
  return f->downs >= GPOINTER_TO_UINT (data);
}
