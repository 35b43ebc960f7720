/* test-engine-drivers-manager.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Driver management: one driver per enabled device following the store, comm-lost marking,
 * device_call/device_ctrl with deadlines and the spec's errors. The drivers are a real DcDriver
 * subclass whose work runs on the engine's I/O threads.
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "dc-engine-drivers.h"
#include "dc-error.h"
#include "dc-json-util.h"
#include "dc-protocols.h"
#include "dc-store.h"

#include "dc-test-store.h"
#include "dc-test-wait.h"

#define WAIT_UNTIL(cond) DC_TEST_WAIT_UNTIL (cond, 20)

/* The fake protocol. Device fields (kept by the store as unknown fields) steer it:
 * "test_link": "up" (default) or "down"; "answer_ms": delay of call/ctrl answers.
 * Items steer calls: "hang*" never answers, "rej*" is rejected. */
#define TEST_TYPE_DRIVER (test_driver_get_type ())
G_DECLARE_FINAL_TYPE (TestDriver, test_driver, TEST, DRIVER, DcDriver)

struct _TestDriver
{
  DcDriver  parent_instance;
  guint     n_starts;
  guint     n_stops;
  guint     n_points_changed;
  guint     n_points;
};

G_DEFINE_FINAL_TYPE (TestDriver, test_driver, DC_TYPE_DRIVER)

static GPtrArray *all_drivers;   /* weak: every TestDriver alive */

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

/* Fixture: a real store in a temp dir, a sink with a live table, the drivers. */

typedef struct
{
  DcSampleSink     sink;
  GMutex           lock;
  GArray          *samples;     /* everything pushed, in order */
  GHashTable      *live;        /* key → DcSample* (latest by push order) */
  GArray          *api_samples; /* push_api */
  DcStore         *store;
  DcEngineDrivers *drivers;
  GPtrArray       *events;      /* "device:state:error" */
} Fixture;

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

static gboolean
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

static guint
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

static gboolean
has_event (Fixture    *fx,
           const char *event)
{
  for (guint i = 0; i < fx->events->len; i++)
    if (g_str_equal (g_ptr_array_index (fx->events, i), event))
      return TRUE;

  return FALSE;
}

static void
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

static gint64
key_of (Fixture    *fx,
        const char *term_id,
        const char *item_id)
{
  gint64 key = dc_store_get_point_key (fx->store, term_id, item_id);

  g_assert_cmpint (key, >, 0);

  return key;
}

static void
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

static void
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

static TestDriver *
driver_of (Fixture    *fx,
           const char *device_id)
{
  DcDriver *driver = dc_engine_drivers_get_driver (fx->drivers, device_id);

  return driver != NULL ? TEST_DRIVER (driver) : NULL;
}

static void
test_start (Fixture       *fx,
            gconstpointer  data)
{
  g_autoptr(JsonNode) status = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  /* A driver per enabled link device, with its points, on an I/O thread. */
  g_assert_nonnull (driver_of (fx, "d1"));
  g_assert_nonnull (driver_of (fx, "d2"));
  g_assert_null (driver_of (fx, "v"));
  g_assert_null (driver_of (fx, "f"));
  g_assert_null (driver_of (fx, "off"));
  g_assert_cmpuint (driver_of (fx, "d1")->n_points, ==, 4);
  g_assert_cmpuint (driver_of (fx, "d2")->n_points, ==, 1);
  WAIT_UNTIL (all_drivers->len == 2);

  WAIT_UNTIL (dc_engine_drivers_get_state (fx->drivers, "d1") == DC_LINK_UP &&
              dc_engine_drivers_get_state (fx->drivers, "d2") == DC_LINK_UP);
  WAIT_UNTIL (has_event (fx, "d1:up:") && has_event (fx, "d2:up:"));
  g_assert_cmpstr (dc_engine_drivers_get_device_status (fx->drivers, "d1"), ==, "on");
  g_assert_cmpint (dc_engine_drivers_get_state (fx->drivers, "v"), ==, DC_LINK_UP);
  g_assert_cmpint (dc_engine_drivers_get_state (fx->drivers, "off"), ==, DC_LINK_DISABLED);
  g_assert_cmpstr (dc_engine_drivers_get_device_status (fx->drivers, "off"), ==, "off");
  g_assert_cmpuint (count_samples (fx, key_of (fx, "t1", "ua"), 0), ==, 1);

  status = dc_engine_drivers_build_status (fx->drivers, "off", &error);
  g_assert_no_error (error);
  object = json_node_get_object (status);
  g_assert_cmpstr (json_object_get_string_member (object, "state"), ==, "disabled");
  g_assert_cmpstr (json_object_get_string_member (object, "device_id"), ==, "off");
  g_assert_true (json_object_has_member (object, "protocol"));
  g_clear_pointer (&status, json_node_unref);

  status = dc_engine_drivers_build_status (fx->drivers, "d1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (status), "state"), ==, "up");

  g_assert_null (dc_engine_drivers_build_status (fx->drivers, "nope", &error));
  g_assert_error (error, DC_ERROR, DC_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "device_id not found!");
}

static void
test_config_changes (Fixture       *fx,
                     gconstpointer  data)
{
  TestDriver *d1 = driver_of (fx, "d1");
  TestDriver *d2 = driver_of (fx, "d2");
  gint64 key;

  WAIT_UNTIL (dc_engine_drivers_get_state (fx->drivers, "d2") == DC_LINK_UP);

  /* A name is not a link setting: same driver, no restart. */
  update (fx, DC_KIND_DEVICE, "d1", "{\"name\": \"Feeder 1\"}");
  dc_engine_drivers_flush (fx->drivers);
  g_assert_true (driver_of (fx, "d1") == d1);
  g_assert_cmpuint (d1->n_starts, ==, 1);

  /* Adding points is points_changed, not a restart; the driver sees them at once. */
  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\": \"uc\"}");
  dc_test_store_create (fx->store, DC_KIND_POINT, "{\"term_id\": \"t2\", \"item_id\": \"uc\", \"protocol_code\": 7, \"code_type\": 13}");
  dc_test_store_create (fx->store, DC_KIND_POINT, "{\"term_id\": \"t2\", \"item_id\": \"ub\", \"protocol_code\": 8, \"code_type\": 13}");
  /* Applied from the main loop right after the commit, once for both points. */
  WAIT_UNTIL (d2->n_points == 3);
  g_assert_cmpuint (d2->n_points_changed, ==, 1);
  g_assert_cmpuint (d2->n_starts, ==, 1);

  /* Deleting a point. */
  {
    g_autoptr(GError) error = NULL;

    dc_store_delete_point (fx->store, "t2", "uc", &error);
    g_assert_no_error (error);
  }
  dc_engine_drivers_flush (fx->drivers);
  g_assert_cmpuint (d2->n_points, ==, 2);

  /* A new port restarts the driver at once: a new driver object. */
  update (fx, DC_KIND_DEVICE, "d2", "{\"port\": 2406}");
  WAIT_UNTIL (driver_of (fx, "d2") != d2);
  d2 = driver_of (fx, "d2");
  g_assert_nonnull (d2);
  g_assert_cmpuint (d2->n_points, ==, 2);
  WAIT_UNTIL (dc_engine_drivers_get_state (fx->drivers, "d2") == DC_LINK_UP);

  /* Moving a term to another device moves its points between drivers. */
  update (fx, DC_KIND_TERM, "t2", "{\"device_id\": \"d1\"}");
  dc_engine_drivers_flush (fx->drivers);
  g_assert_cmpuint (driver_of (fx, "d1")->n_points, ==, 6);
  g_assert_cmpuint (driver_of (fx, "d2")->n_points, ==, 0);

  /* Disabling stops the driver and marks its points communication-lost, keeping the value. */
  key = key_of (fx, "t1", "ua");
  update (fx, DC_KIND_DEVICE, "d1", "{\"enabled\": false}");
  dc_engine_drivers_flush (fx->drivers);
  g_assert_null (driver_of (fx, "d1"));
  g_assert_cmpint (dc_engine_drivers_get_state (fx->drivers, "d1"), ==, DC_LINK_DISABLED);
  g_assert_true (has_event (fx, "d1:disabled:"));
  g_assert_cmpuint (count_samples (fx, key, DC_QUALITY_COMM_LOST), ==, 1);
  {
    DcSample live = { 0, };

    g_assert_true (fixture_get_live (fx, key, &live));
    g_assert_cmpfloat (live.value, ==, key * 10.0);
    g_assert_cmpuint (live.quality, ==, DC_QUALITY_COMM_LOST);
  }

  /* Enabling again starts a driver; fresh values clear the quality. */
  update (fx, DC_KIND_DEVICE, "d1", "{\"enabled\": true}");
  dc_engine_drivers_flush (fx->drivers);
  g_assert_nonnull (driver_of (fx, "d1"));
  WAIT_UNTIL (count_samples (fx, key, 0) == 3);
  {
    DcSample live = { 0, };

    g_assert_true (fixture_get_live (fx, key, &live));
    g_assert_cmpuint (live.quality, ==, 0);
  }

  /* Deleting the device stops and drops its driver. */
  {
    g_autoptr(GError) error = NULL;

    dc_store_delete (fx->store, DC_KIND_DEVICE, "d2", &error);
    g_assert_no_error (error);
  }
  dc_engine_drivers_flush (fx->drivers);
  g_assert_null (driver_of (fx, "d2"));
  WAIT_UNTIL (all_drivers->len == 1);

  /* A new device starts its driver. */
  dc_test_store_create (fx->store, DC_KIND_DEVICE, "{\"id\": \"d3\", \"protocol\": \"iec104\", \"ip\": \"127.0.0.1\", \"test_link\": \"down\"}");
  WAIT_UNTIL (driver_of (fx, "d3") != NULL);
  WAIT_UNTIL (has_event (fx, "d3:down:connection refused"));
  WAIT_UNTIL (all_drivers->len == 2);

  /* Renaming a device restarts it under its new id. */
  update (fx, DC_KIND_DEVICE, "d3", "{\"id\": \"d4\"}");
  dc_engine_drivers_flush (fx->drivers);
  g_assert_null (driver_of (fx, "d3"));
  g_assert_nonnull (driver_of (fx, "d4"));
  WAIT_UNTIL (all_drivers->len == 2);
}

static gpointer
link_down_thread (gpointer data)
{
  dc_driver_set_link_state (data, DC_LINK_DOWN, "timeout t1");

  return NULL;
}

static void
test_link_down (Fixture       *fx,
                gconstpointer  data)
{
  gint64 ua = key_of (fx, "t1", "ua");
  gint64 ub = key_of (fx, "t1", "ub");
  gint64 other = key_of (fx, "t2", "ua");
  DcDriver *d1;
  DcSample live = { 0, };

  WAIT_UNTIL (dc_engine_drivers_get_state (fx->drivers, "d1") == DC_LINK_UP &&
              count_samples (fx, other, 0) == 1);
  d1 = DC_DRIVER (driver_of (fx, "d1"));

  /* The link drops (reported from another thread): every point of the device gets 0x100. */
  g_thread_join (g_thread_new ("down", link_down_thread, d1));
  WAIT_UNTIL (count_samples (fx, ua, DC_QUALITY_COMM_LOST) == 1 &&
              count_samples (fx, ub, DC_QUALITY_COMM_LOST) == 1);
  g_assert_cmpuint (count_samples (fx, other, DC_QUALITY_COMM_LOST), ==, 0);
  g_assert_true (fixture_get_live (fx, ub, &live));
  g_assert_cmpfloat (live.value, ==, ub * 10.0);
  g_assert_true (has_event (fx, "d1:down:timeout t1"));
  g_assert_cmpstr (dc_engine_drivers_get_device_status (fx->drivers, "d1"), ==, "off");

  /* Again down (other error): already marked, nothing new. */
  dc_driver_set_link_state (d1, DC_LINK_DOWN, "timeout t3");
  WAIT_UNTIL (has_event (fx, "d1:down:timeout t3"));
  g_assert_cmpuint (count_samples (fx, ua, DC_QUALITY_COMM_LOST), ==, 1);

  /* One unit down: only its points. */
  dc_driver_set_link_state (d1, DC_LINK_UP, NULL);
  {
    GArray *batch = g_array_new (FALSE, FALSE, sizeof (DcSample));
    DcSample fresh = { ua, g_get_real_time (), 1.0, 0 };

    g_array_append_val (batch, fresh);
    fresh.key = ub;
    g_array_append_val (batch, fresh);
    dc_sample_sink_push_batch (&fx->sink, batch);
  }
  dc_driver_set_term_link_state (DC_DRIVER (driver_of (fx, "d2")), "t2", FALSE, "no answer");
  WAIT_UNTIL (count_samples (fx, other, DC_QUALITY_COMM_LOST) == 1);
  g_assert_cmpuint (count_samples (fx, ua, DC_QUALITY_COMM_LOST), ==, 1);
}

/* Calls */

typedef struct
{
  gboolean  done;
  gboolean  ok;
  DcSample  sample;
  GError   *error;
  GPtrArray *steps;
} CallResult;

static void
call_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  CallResult *r = user_data;

  r->ok = dc_engine_drivers_call_finish (DC_ENGINE_DRIVERS (object), result, &r->sample, &r->error);
  r->done = TRUE;
}

static void
ctrl_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  CallResult *r = user_data;

  r->ok = dc_engine_drivers_ctrl_finish (DC_ENGINE_DRIVERS (object), result, &r->sample, &r->error);
  r->done = TRUE;
}

static void
progress_cb (DcCtrlStep  step,
             const char *detail,
             gpointer    user_data)
{
  CallResult *r = user_data;

  if (r->steps == NULL)
    r->steps = g_ptr_array_new ();
  g_ptr_array_add (r->steps, (gpointer) dc_ctrl_step_to_string (step));
}

static void
call_result_clear (CallResult *r)
{
  g_clear_error (&r->error);
  g_clear_pointer (&r->steps, g_ptr_array_unref);
  memset (r, 0, sizeof *r);
}

static void
do_call (Fixture    *fx,
         const char *d,
         const char *t,
         const char *i,
         CallResult *r)
{
  call_result_clear (r);
  dc_engine_drivers_call_async (fx->drivers, d, t, i, NULL, call_done_cb, r);
  WAIT_UNTIL (r->done);
}

static void
do_ctrl (Fixture    *fx,
         const char *d,
         const char *t,
         const char *i,
         double      value,
         CallResult *r)
{
  call_result_clear (r);
  dc_engine_drivers_ctrl_async (fx->drivers, d, t, i, value, "tester", progress_cb, r, NULL,
                                ctrl_done_cb, r);
  WAIT_UNTIL (r->done);
}

static void
assert_error (CallResult *r,
              int         code,
              const char *message)
{
  g_assert_false (r->ok);
  g_assert_error (r->error, DC_ERROR, code);
  g_assert_cmpstr (r->error->message, ==, message);
}

static void
test_calls (Fixture       *fx,
            gconstpointer  data)
{
  CallResult r = { 0, };
  gint64 ua = key_of (fx, "t1", "ua");

  WAIT_UNTIL (dc_engine_drivers_get_state (fx->drivers, "d1") == DC_LINK_UP);

  /* A read: answered by the driver on its thread, the answer is a sample. */
  do_call (fx, "d1", "t1", "ua", &r);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpint (r.sample.key, ==, ua);
  g_assert_cmpfloat (r.sample.value, ==, 100.0 + ua);
  g_assert_cmpuint (fx->api_samples->len, ==, 1);
  g_assert_cmpfloat (g_array_index (fx->api_samples, DcSample, 0).value, ==, 100.0 + ua);

  /* 404s in the order device, term, item, point; a term of another device. */
  do_call (fx, "nope", "nope", "nope", &r);
  assert_error (&r, DC_ERROR_NOT_FOUND, "device_id not found!");
  do_call (fx, "d1", "nope", "nope", &r);
  assert_error (&r, DC_ERROR_NOT_FOUND, "term_id not found!");
  do_call (fx, "d1", "t2", "ua", &r);
  assert_error (&r, DC_ERROR_INVALID, "term t2 does not belong to device d1");
  do_call (fx, "d1", "t1", "nope", &r);
  assert_error (&r, DC_ERROR_NOT_FOUND, "item_id not found!");
  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\": \"spare\"}");
  do_call (fx, "d1", "t1", "spare", &r);
  assert_error (&r, DC_ERROR_NOT_FOUND, "term_item not found!");

  /* Rejected by the device. */
  do_call (fx, "d1", "t1", "rej1", &r);
  assert_error (&r, DC_ERROR_REJECTED, "device d1 rejected the command: illegal data address");

  /* The deadline: the driver never answers. */
  dc_engine_drivers_set_call_timeout (fx->drivers, 200 * 1000);
  do_call (fx, "d1", "t1", "hang1", &r);
  assert_error (&r, DC_ERROR_TIMEOUT, "device d1 did not answer within 0.2 s");

  /* Offline: link down, disabled. */
  dc_driver_set_link_state (DC_DRIVER (driver_of (fx, "d1")), DC_LINK_DOWN, "gone");
  do_call (fx, "d1", "t1", "ua", &r);
  assert_error (&r, DC_ERROR_OFFLINE, "device d1 is offline");
  do_call (fx, "off", "toff", "ua", &r);
  assert_error (&r, DC_ERROR_OFFLINE, "device off is offline");

  /* Virtual and formula points answer their current sample. */
  do_call (fx, "v", "tv", "ua", &r);
  assert_error (&r, DC_ERROR_NOT_FOUND, "no sample yet!");
  do_ctrl (fx, "v", "tv", "ua", 21.5, &r);
  g_assert_no_error (r.error);
  do_call (fx, "v", "tv", "ua", &r);
  g_assert_no_error (r.error);
  g_assert_cmpfloat (r.sample.value, ==, 21.5);
  do_call (fx, "f", "tf", "ua", &r);
  assert_error (&r, DC_ERROR_NOT_FOUND, "no sample yet!");

  call_result_clear (&r);
}

static guint
count_done (CallResult *results,
            guint       n)
{
  guint n_done = 0;

  for (guint i = 0; i < n; i++)
    n_done += results[i].done;

  return n_done;
}

static void
test_concurrent_calls (Fixture       *fx,
                       gconstpointer  data)
{
  CallResult results[40];
  const char *items[] = { "ua", "ub", "rej1", "hang1" };

  memset (results, 0, sizeof results);
  update (fx, DC_KIND_DEVICE, "d1", "{\"answer_ms\": 20}");
  dc_engine_drivers_set_call_timeout (fx->drivers, 500 * 1000);
  WAIT_UNTIL (dc_engine_drivers_get_state (fx->drivers, "d1") == DC_LINK_UP &&
              dc_engine_drivers_get_state (fx->drivers, "d2") == DC_LINK_UP);

  /* Reads and writes to two devices at once, every one gets its own answer. */
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      const char *item = items[i % 4];

      if (i % 5 == 0)
        dc_engine_drivers_call_async (fx->drivers, "d2", "t2", "ua", NULL, call_done_cb, &results[i]);
      else if (i % 2 == 0)
        dc_engine_drivers_call_async (fx->drivers, "d1", "t1", item, NULL, call_done_cb, &results[i]);
      else
        dc_engine_drivers_ctrl_async (fx->drivers, "d1", "t1", item, i, "tester", NULL, NULL, NULL,
                                      ctrl_done_cb, &results[i]);
    }

  WAIT_UNTIL (count_done (results, G_N_ELEMENTS (results)) == G_N_ELEMENTS (results));

  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      CallResult *r = &results[i];
      const char *item = items[i % 4];

      if (i % 5 == 0)
        {
          g_assert_no_error (r->error);
          g_assert_cmpfloat (r->sample.value, ==, 100.0 + key_of (fx, "t2", "ua"));
        }
      else if (g_str_equal (item, "rej1"))
        g_assert_error (r->error, DC_ERROR, DC_ERROR_REJECTED);
      else if (g_str_equal (item, "hang1"))
        g_assert_error (r->error, DC_ERROR, DC_ERROR_TIMEOUT);
      else if (i % 2 == 0)
        {
          g_assert_no_error (r->error);
          g_assert_cmpfloat (r->sample.value, ==, 100.0 + key_of (fx, "t1", item));
        }
      else
        {
          g_assert_no_error (r->error);
          g_assert_cmpfloat (r->sample.value, ==, i);
        }
      call_result_clear (r);
    }
}

static void
test_controls (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(JsonArray) record = NULL;
  CallResult r = { 0, };
  JsonObject *entry;

  WAIT_UNTIL (dc_engine_drivers_get_state (fx->drivers, "d1") == DC_LINK_UP);

  do_ctrl (fx, "d1", "t1", "ua", 42, &r);
  g_assert_no_error (r.error);
  g_assert_cmpfloat (r.sample.value, ==, 42);
  g_assert_cmpuint (r.steps->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (r.steps, 0), ==, "execute sent");
  /* A field device's confirmation is not a sample. */
  g_assert_cmpuint (fx->api_samples->len, ==, 0);

  do_ctrl (fx, "d1", "t1", "rej1", 1, &r);
  assert_error (&r, DC_ERROR_REJECTED, "device d1 rejected the command: illegal data address");
  do_ctrl (fx, "f", "tf", "ua", 1, &r);
  assert_error (&r, DC_ERROR_INVALID, "formula points are computed, not written");
  do_ctrl (fx, "off", "toff", "ua", 1, &r);
  assert_error (&r, DC_ERROR_OFFLINE, "device off is offline");
  do_ctrl (fx, "v", "tv", "ua", 7, &r);
  g_assert_no_error (r.error);
  /* A virtual control is a sample, stored even when it repeats. */
  do_ctrl (fx, "v", "tv", "ua", 7, &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (fx->api_samples->len, ==, 2);
  do_ctrl (fx, "nope", "t1", "ua", 1, &r);
  assert_error (&r, DC_ERROR_NOT_FOUND, "device_id not found!");

  /* Every control that reached a point is recorded, newest first. */
  record = dc_store_list_controls (fx->store, 100);
  g_assert_cmpuint (json_array_get_length (record), ==, 6);
  entry = json_array_get_object_element (record, 5);
  g_assert_cmpstr (json_object_get_string_member (entry, "device_id"), ==, "d1");
  g_assert_cmpstr (json_object_get_string_member (entry, "item_id"), ==, "ua");
  g_assert_cmpstr (json_object_get_string_member (entry, "user"), ==, "tester");
  g_assert_cmpstr (json_object_get_string_member (entry, "result"), ==, "confirmed");
  entry = json_array_get_object_element (record, 4);
  g_assert_cmpstr (json_object_get_string_member (entry, "result"), ==,
                   "device d1 rejected the command: illegal data address");
  entry = json_array_get_object_element (record, 2);
  g_assert_cmpstr (json_object_get_string_member (entry, "result"), ==, "device off is offline");

  call_result_clear (&r);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_protocols_register_all ();

  g_test_add ("/dc/engine-drivers/start", Fixture, NULL, fixture_setup, test_start, fixture_teardown);
  g_test_add ("/dc/engine-drivers/config-changes", Fixture, NULL, fixture_setup, test_config_changes, fixture_teardown);
  g_test_add ("/dc/engine-drivers/link-down", Fixture, NULL, fixture_setup, test_link_down, fixture_teardown);
  g_test_add ("/dc/engine-drivers/calls", Fixture, NULL, fixture_setup, test_calls, fixture_teardown);
  g_test_add ("/dc/engine-drivers/concurrent-calls", Fixture, NULL, fixture_setup, test_concurrent_calls, fixture_teardown);
  g_test_add ("/dc/engine-drivers/controls", Fixture, NULL, fixture_setup, test_controls, fixture_teardown);

  return g_test_run ();
}
