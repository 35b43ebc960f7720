/* drivers-manager-fixture.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "test-engine-drivers"

#include "config.h"

#include "drivers-manager-fixture.h"

#include "dc-error.h"
#include "dc-json-util.h"

G_DEFINE_FINAL_TYPE (TestDriver, test_driver, DC_TYPE_DRIVER)

GPtrArray *all_drivers;

typedef struct
{
  TestDriver *driver;
  GArray     *keys;
  gboolean    up;
} StartJob;

static gboolean
start_io_cb (gpointer data)
{
  StartJob *job = data;
  DcDriver *driver = DC_DRIVER (job->driver);
  GArray *batch = g_array_new (FALSE, FALSE, sizeof (DcSample));

  if (job->up)
    {
      dc_driver_set_link_state (driver, DC_LINK_UP, NULL);
      for (guint i = 0; i < job->keys->len; i++)
        {
          gint64 key = g_array_index (job->keys, gint64, i);
          DcSample sample = { key, g_get_real_time (), key * 10.0, 0 };

          g_array_append_val (batch, sample);
        }
      dc_sample_sink_push_batch (dc_driver_get_sink (driver), batch);
    }
  else
    {
      g_array_unref (batch);
      dc_driver_set_link_state (driver, DC_LINK_DOWN, "connection refused");
    }

  g_array_unref (job->keys);
  g_object_unref (job->driver);
  g_free (job);

  return G_SOURCE_REMOVE;
}

static void
test_driver_start (DcDriver *driver)
{
  TestDriver *self = TEST_DRIVER (driver);
  GPtrArray *points = dc_driver_get_points (driver);
  JsonObject *device = dc_driver_get_device (driver);
  StartJob *job = g_new0 (StartJob, 1);

  self->n_starts++;
  self->n_points = points != NULL ? points->len : 0;
  dc_driver_set_link_state (driver, DC_LINK_CONNECTING, NULL);

  job->driver = g_object_ref (self);
  job->up = g_strcmp0 (dc_json_get_string (device, "test_link", "up"), "up") == 0;
  job->keys = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; points != NULL && i < points->len; i++)
    g_array_append_val (job->keys, ((DcPointInfo *) g_ptr_array_index (points, i))->key);
  g_main_context_invoke (dc_driver_get_io_context (driver), start_io_cb, job);
}

static gboolean
nothing_cb (gpointer data)
{
  return G_SOURCE_REMOVE;
}

static void
test_driver_stop (DcDriver *driver)
{
  TEST_DRIVER (driver)->n_stops++;
  /* Synchronise with the I/O thread: what it queued before is done. */
  dc_driver_io_invoke_sync (driver, nothing_cb, NULL);
  dc_driver_set_link_state (driver, DC_LINK_DISABLED, NULL);
}

static void
test_driver_points_changed (DcDriver *driver)
{
  TestDriver *self = TEST_DRIVER (driver);
  GPtrArray *points = dc_driver_get_points (driver);

  self->n_points_changed++;
  self->n_points = points != NULL ? points->len : 0;
}

typedef struct
{
  GTask   *task;
  gboolean ctrl;
  double   value;
  gint64   key;
  char    *item_id;
  char    *device_id;
} Answer;

static gboolean
answer_io_cb (gpointer data)
{
  Answer *answer = data;

  g_assert_false (g_main_context_is_owner (g_main_context_default ()));

  if (g_str_has_prefix (answer->item_id, "rej"))
    g_task_return_error (answer->task, dc_driver_error_rejected (answer->device_id,
                                                                 "illegal data address"));
  else if (answer->ctrl)
    g_task_return_pointer (answer->task, g_memdup2 (&answer->value, sizeof (double)), g_free);
  else
    {
      DcSample sample = { answer->key, g_get_real_time (), 100.0 + answer->key, 0 };

      g_task_return_pointer (answer->task, g_memdup2 (&sample, sizeof sample), g_free);
    }

  g_object_unref (answer->task);
  g_free (answer->item_id);
  g_free (answer->device_id);
  g_free (answer);

  return G_SOURCE_REMOVE;
}

static void
hang_cancelled_cb (GCancellable *cancellable,
                   GTask        *task)
{
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
}

static void
start_answer (DcDriver          *driver,
              const DcPointInfo *point,
              gboolean           ctrl,
              double             value,
              GCancellable      *cancellable,
              GAsyncReadyCallback callback,
              gpointer           user_data)
{
  /* The task does not hold the cancellable: the hang case's handler holds the task. */
  GTask *task = g_task_new (driver, NULL, callback, user_data);
  Answer *answer;
  GSource *source;
  int delay = (int) dc_json_get_int (dc_driver_get_device (driver), "answer_ms", 0);

  if (g_str_has_prefix (point->item_id, "hang"))
    {
      /* Never answers by itself; the engine's deadline cancels it. */
      g_cancellable_connect (cancellable, G_CALLBACK (hang_cancelled_cb), task, g_object_unref);
      return;
    }

  answer = g_new0 (Answer, 1);
  answer->task = task;
  answer->ctrl = ctrl;
  answer->value = value;
  answer->key = point->key;
  answer->item_id = g_strdup (point->item_id);
  answer->device_id = g_strdup (dc_driver_get_device_id (driver));

  source = g_timeout_source_new (delay);
  g_source_set_callback (source, answer_io_cb, answer, NULL);
  g_source_attach (source, dc_driver_get_io_context (driver));
  g_source_unref (source);
}

static void
test_driver_call_async (DcDriver            *driver,
                        const DcPointInfo   *point,
                        gint64               deadline_us,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  start_answer (driver, point, FALSE, 0, cancellable, callback, user_data);
}

static void
test_driver_ctrl_async (DcDriver            *driver,
                        const DcPointInfo   *point,
                        double               value,
                        gint64               deadline_us,
                        DcCtrlProgressFunc   progress,
                        gpointer             progress_data,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  if (progress != NULL)
    progress (DC_CTRL_STEP_EXECUTE_SENT, NULL, progress_data);
  start_answer (driver, point, TRUE, value, cancellable, callback, user_data);
}

static void
test_driver_finalize (GObject *object)
{
  g_ptr_array_remove (all_drivers, object);

  G_OBJECT_CLASS (test_driver_parent_class)->finalize (object);
}

static void
test_driver_class_init (TestDriverClass *klass)
{
  DcDriverClass *driver_class = DC_DRIVER_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_driver_finalize;
  driver_class->start = test_driver_start;
  driver_class->stop = test_driver_stop;
  driver_class->points_changed = test_driver_points_changed;
  driver_class->call_async = test_driver_call_async;
  driver_class->ctrl_async = test_driver_ctrl_async;
}

static void
test_driver_init (TestDriver *self)
{
  g_ptr_array_add (all_drivers, self);
}

static DcDriver *
test_driver_factory (void)
{
  return g_object_new (TEST_TYPE_DRIVER, NULL);
}

static void
fixture_push_batch (DcSampleSink *sink,
                    GArray       *samples)
{
  Fixture *fx = (Fixture *) sink;

  g_mutex_lock (&fx->lock);
  for (guint i = 0; i < samples->len; i++)
    {
      DcSample *sample = &g_array_index (samples, DcSample, i);

      g_array_append_val (fx->samples, *sample);
      g_hash_table_replace (fx->live, g_memdup2 (&sample->key, sizeof (gint64)),
                            g_memdup2 (sample, sizeof *sample));
    }
  g_mutex_unlock (&fx->lock);
  g_array_unref (samples);
}

gboolean
fixture_get_live (gpointer  user_data,
                  gint64    key,
                  DcSample *sample)
{
  Fixture *fx = user_data;
  DcSample *live;

  g_mutex_lock (&fx->lock);
  live = g_hash_table_lookup (fx->live, &key);
  if (live != NULL)
    *sample = *live;
  g_mutex_unlock (&fx->lock);

  return live != NULL;
}

static void
fixture_push_api (gpointer        user_data,
                  const DcSample *sample)
{
  Fixture *fx = user_data;
  GArray *batch = g_array_new (FALSE, FALSE, sizeof (DcSample));

  g_array_append_val (fx->api_samples, *sample);
  g_array_append_val (batch, *sample);
  fixture_push_batch (&fx->sink, batch);
}

static void
device_changed_cb (DcEngineDrivers *drivers,
                   const char      *device_id,
                   const char      *state,
                   const char      *last_error,
                   Fixture         *fx)
{
  g_ptr_array_add (fx->events, g_strdup_printf ("%s:%s:%s", device_id, state,
                                                last_error != NULL ? last_error : ""));
}

guint
count_samples (Fixture *fx,
               gint64   key,
               guint32  quality_mask)
{
  guint n = 0;

  g_mutex_lock (&fx->lock);
  for (guint i = 0; i < fx->samples->len; i++)
    {
      DcSample *sample = &g_array_index (fx->samples, DcSample, i);

      if (sample->key == key && (quality_mask == 0 || (sample->quality & quality_mask) != 0))
        n++;
    }
  g_mutex_unlock (&fx->lock);

  return n;
}

gboolean
has_event (Fixture    *fx,
           const char *event)
{
  for (guint i = 0; i < fx->events->len; i++)
    if (g_str_equal (g_ptr_array_index (fx->events, i), event))
      return TRUE;

  return FALSE;
}

void
update (Fixture    *fx,
        DcKind      kind,
        const char *id,
        const char *text)
{
  g_autoptr(JsonObject) object = dc_test_json_object (text);
  g_autoptr(GError) error = NULL;

  dc_store_update (fx->store, kind, id, object, &error);
  g_assert_no_error (error);
}

gint64
key_of (Fixture    *fx,
        const char *term_id,
        const char *item_id)
{
  gint64 key = dc_store_get_point_key (fx->store, term_id, item_id);

  g_assert_cmpint (key, >, 0);

  return key;
}

void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "test.db", NULL);
  g_autoptr(GError) error = NULL;
  DcEngineDriversHooks hooks = { fixture_get_live, fixture_push_api, NULL };

  if (all_drivers == NULL)
    all_drivers = g_ptr_array_new ();
  dc_driver_register_protocol ("iec104", test_driver_factory);

  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  fx->sink.push_batch = fixture_push_batch;
  g_mutex_init (&fx->lock);
  fx->samples = g_array_new (FALSE, FALSE, sizeof (DcSample));
  fx->api_samples = g_array_new (FALSE, FALSE, sizeof (DcSample));
  fx->live = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  fx->events = g_ptr_array_new_with_free_func (g_free);

  fx->store = dc_store_open (path, &error);
  g_assert_no_error (error);
  dc_test_store_attach_audit (fx->store);

  /* Two iec104 devices with two points each, a virtual and a formula device, a disabled one. */
  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\": \"ua\"}");
  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\": \"ub\"}");
  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\": \"hang1\"}");
  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\": \"rej1\"}");
  dc_test_store_create (fx->store, DC_KIND_DEVICE, "{\"id\": \"d1\", \"protocol\": \"iec104\", \"ip\": \"127.0.0.1\", \"port\": 2404, \"answer_ms\": 1}");
  dc_test_store_create (fx->store, DC_KIND_DEVICE, "{\"id\": \"d2\", \"protocol\": \"iec104\", \"ip\": \"127.0.0.1\", \"port\": 2405}");
  dc_test_store_create (fx->store, DC_KIND_DEVICE, "{\"id\": \"v\", \"protocol\": \"virtual\"}");
  dc_test_store_create (fx->store, DC_KIND_DEVICE, "{\"id\": \"f\", \"protocol\": \"formula\"}");
  dc_test_store_create (fx->store, DC_KIND_DEVICE, "{\"id\": \"off\", \"protocol\": \"iec104\", \"ip\": \"127.0.0.1\", \"enabled\": false}");
  dc_test_store_create (fx->store, DC_KIND_TERM, "{\"id\": \"t1\", \"device_id\": \"d1\"}");
  dc_test_store_create (fx->store, DC_KIND_TERM, "{\"id\": \"t2\", \"device_id\": \"d2\"}");
  dc_test_store_create (fx->store, DC_KIND_TERM, "{\"id\": \"tv\", \"device_id\": \"v\"}");
  dc_test_store_create (fx->store, DC_KIND_TERM, "{\"id\": \"tf\", \"device_id\": \"f\"}");
  dc_test_store_create (fx->store, DC_KIND_TERM, "{\"id\": \"toff\", \"device_id\": \"off\"}");
  dc_test_store_create (fx->store, DC_KIND_POINT, "{\"term_id\": \"t1\", \"item_id\": \"ua\", \"protocol_code\": 1, \"code_type\": 13}");
  dc_test_store_create (fx->store, DC_KIND_POINT, "{\"term_id\": \"t1\", \"item_id\": \"ub\", \"protocol_code\": 2, \"code_type\": 13}");
  dc_test_store_create (fx->store, DC_KIND_POINT, "{\"term_id\": \"t1\", \"item_id\": \"hang1\", \"protocol_code\": 3, \"code_type\": 13}");
  dc_test_store_create (fx->store, DC_KIND_POINT, "{\"term_id\": \"t1\", \"item_id\": \"rej1\", \"protocol_code\": 4, \"code_type\": 13}");
  dc_test_store_create (fx->store, DC_KIND_POINT, "{\"term_id\": \"t2\", \"item_id\": \"ua\", \"protocol_code\": 1, \"code_type\": 13}");
  dc_test_store_create (fx->store, DC_KIND_POINT, "{\"term_id\": \"tv\", \"item_id\": \"ua\"}");
  dc_test_store_create (fx->store, DC_KIND_POINT, "{\"term_id\": \"tf\", \"item_id\": \"ua\"}");
  dc_test_store_create (fx->store, DC_KIND_POINT, "{\"term_id\": \"toff\", \"item_id\": \"ua\", \"protocol_code\": 1, \"code_type\": 13}");

  fx->drivers = dc_engine_drivers_new (fx->store, &fx->sink, &hooks, fx);
  dc_engine_drivers_set_n_io_threads (fx->drivers, 2);
  g_signal_connect (fx->drivers, "device-changed", G_CALLBACK (device_changed_cb), fx);
  dc_engine_drivers_start (fx->drivers);
}

void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  dc_engine_drivers_shutdown (fx->drivers);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (g_steal_pointer (&fx->drivers));
  g_assert_cmpuint (all_drivers->len, ==, 0);
  g_assert_finalize_object (g_steal_pointer (&fx->store));
  g_array_unref (fx->samples);
  g_array_unref (fx->api_samples);
  g_hash_table_unref (fx->live);
  g_ptr_array_unref (fx->events);
  g_mutex_clear (&fx->lock);
}

TestDriver *
driver_of (Fixture    *fx,
           const char *device_id)
{
  DcDriver *driver = dc_engine_drivers_get_driver (fx->drivers, device_id);

  return driver != NULL ? TEST_DRIVER (driver) : NULL;
}
