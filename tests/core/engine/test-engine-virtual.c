/* test-engine-virtual.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The virtual and formula drivers: alone against a recording sink and a live table, and behind
 * the real engine (store, history, DcEngineDrivers) with the engine's own sink and live table.
 */

#include "config.h"

#include <string.h>

#include "dc-engine.h"
#include "dc-error.h"
#include "dc-formula-driver.h"
#include "dc-protocols.h"
#include "dc-virtual-driver.h"

#include "dc-test-store.h"
#include "dc-test-wait.h"

#define SEC ((gint64) G_USEC_PER_SEC)

#define WAIT_UNTIL(cond) DC_TEST_WAIT_UNTIL (cond, 10)

/* A recording sink and live table */

typedef struct
{
  DcSampleSink parent;
  GArray      *batches;   /* samples pushed with push_batch */
  GArray      *api;       /* samples pushed with push_api */
  GHashTable  *live;      /* key → DcSample */
} TestSink;

static void
test_sink_push_batch (DcSampleSink *sink,
                      GArray       *samples)
{
  TestSink *s = (TestSink *) sink;

  g_array_append_vals (s->batches, samples->data, samples->len);
  g_array_unref (samples);
}

static void
test_sink_push_api (DcSampleSink   *sink,
                    const DcSample *sample)
{
  TestSink *s = (TestSink *) sink;

  g_array_append_val (s->api, *sample);
  g_hash_table_replace (s->live, g_memdup2 (&sample->key, sizeof (gint64)),
                        g_memdup2 (sample, sizeof *sample));
}

static gboolean
test_live (gpointer  user_data,
           gint64    key,
           DcSample *sample)
{
  TestSink *s = user_data;
  DcSample *live = g_hash_table_lookup (s->live, &key);

  if (live == NULL)
    return FALSE;
  *sample = *live;
  return TRUE;
}

static void
test_sink_init (TestSink *s,
                gboolean  with_api)
{
  memset (s, 0, sizeof *s);
  s->parent.push_batch = test_sink_push_batch;
  s->parent.push_api = with_api ? test_sink_push_api : NULL;
  s->batches = g_array_new (FALSE, FALSE, sizeof (DcSample));
  s->api = g_array_new (FALSE, FALSE, sizeof (DcSample));
  s->live = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
}

static void
test_sink_clear (TestSink *s)
{
  g_array_unref (s->batches);
  g_array_unref (s->api);
  g_hash_table_unref (s->live);
}

typedef struct
{
  gboolean  done;
  gboolean  ok;
  DcSample  sample;
  double    confirmed;
  GError   *error;
} Result;

static void
result_clear (Result *r)
{
  g_clear_error (&r->error);
  memset (r, 0, sizeof *r);
}

static void
driver_call_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Result *r = user_data;

  r->ok = dc_driver_call_finish (DC_DRIVER (object), result, &r->sample, &r->error);
  r->done = TRUE;
}

static void
driver_ctrl_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Result *r = user_data;

  r->ok = dc_driver_ctrl_finish (DC_DRIVER (object), result, &r->confirmed, &r->error);
  r->done = TRUE;
}

static void
driver_call (DcDriver          *driver,
             const DcPointInfo *point,
             Result            *r)
{
  result_clear (r);
  dc_driver_call_async (driver, point, g_get_monotonic_time () + SEC, NULL, driver_call_cb, r);
  /* Asynchronous even when the answer is at hand. */
  g_assert_false (r->done);
  WAIT_UNTIL (r->done);
}

static void
driver_ctrl (DcDriver          *driver,
             const DcPointInfo *point,
             double             value,
             Result            *r)
{
  result_clear (r);
  dc_driver_ctrl_async (driver, point, value, g_get_monotonic_time () + SEC, NULL, NULL, NULL,
                        driver_ctrl_cb, r);
  WAIT_UNTIL (r->done);
}

static void
link_changed_cb (DcDriver   *driver,
                 int         state,
                 const char *last_error,
                 GPtrArray  *events)
{
  g_ptr_array_add (events, g_strdup (dc_link_state_to_string (state)));
}

static DcPointInfo *
point_new (gint64 key)
{
  g_autoptr(JsonNode) node = json_from_string ("{\"term_id\":\"t\",\"item_id\":\"i\"}", NULL);

  return dc_point_info_new_from_json (key, json_node_get_object (node));
}

static void
test_virtual_driver (void)
{
  g_autoptr(DcDriver) driver = NULL;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonNode) device = json_from_string ("{\"id\":\"v\",\"protocol\":\"virtual\"}", NULL);
  DcPointInfo *point = point_new (7);
  TestSink sink;
  Result r = { 0, };
  DcSample live = { 7, 1000 * SEC, 12.5, 0x40 };

  dc_virtual_driver_register ();
  driver = dc_driver_new_for_protocol ("virtual");
  g_assert_true (DC_IS_VIRTUAL_DRIVER (driver));
  g_assert_true (DC_DRIVER_GET_CLASS (driver)->no_link);

  test_sink_init (&sink, TRUE);
  dc_driver_set_config (driver, json_object_ref (json_node_get_object (device)),
                        g_ptr_array_new (), g_ptr_array_new ());
  dc_driver_set_sink (driver, &sink.parent);
  g_signal_connect (driver, "link-changed", G_CALLBACK (link_changed_cb), events);

  /* Up as soon as it is started; no I/O context needed. */
  g_assert_cmpint (dc_driver_get_link_state (driver), ==, DC_LINK_DISABLED);
  dc_driver_start (driver);
  g_assert_cmpint (dc_driver_get_link_state (driver), ==, DC_LINK_UP);
  WAIT_UNTIL (events->len == 1);
  g_assert_cmpstr (g_ptr_array_index (events, 0), ==, "up");

  /* Without a live function or a live sample: 404. */
  driver_call (driver, point, &r);
  g_assert_false (r.ok);
  g_assert_error (r.error, DC_ERROR, DC_ERROR_NOT_FOUND);
  g_assert_cmpstr (r.error->message, ==, "no sample yet!");
  dc_driver_set_live_func (driver, test_live, &sink);
  driver_call (driver, point, &r);
  g_assert_error (r.error, DC_ERROR, DC_ERROR_NOT_FOUND);

  /* The call answers the live sample as it is, and pushes nothing. */
  g_hash_table_replace (sink.live, g_memdup2 (&live.key, sizeof (gint64)),
                        g_memdup2 (&live, sizeof live));
  driver_call (driver, point, &r);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpint (r.sample.key, ==, 7);
  g_assert_cmpint (r.sample.time, ==, live.time);
  g_assert_cmpfloat (r.sample.value, ==, 12.5);
  g_assert_cmpuint (r.sample.quality, ==, 0x40);
  g_assert_cmpuint (sink.api->len, ==, 0);
  g_assert_cmpuint (sink.batches->len, ==, 0);

  /* A control is an API sample (every one, also a repeat), confirmed with its value. */
  driver_ctrl (driver, point, 3.5, &r);
  g_assert_no_error (r.error);
  g_assert_cmpfloat (r.confirmed, ==, 3.5);
  driver_ctrl (driver, point, 3.5, &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (sink.api->len, ==, 2);
  g_assert_cmpuint (sink.batches->len, ==, 0);
  g_assert_cmpint (g_array_index (sink.api, DcSample, 0).key, ==, 7);
  g_assert_cmpfloat (g_array_index (sink.api, DcSample, 1).value, ==, 3.5);
  g_assert_cmpuint (g_array_index (sink.api, DcSample, 1).quality, ==, 0);
  g_assert_cmpint (g_array_index (sink.api, DcSample, 0).time, >, live.time);

  /* The next call answers the written value. */
  driver_call (driver, point, &r);
  g_assert_no_error (r.error);
  g_assert_cmpfloat (r.sample.value, ==, 3.5);
  g_assert_cmpint (r.sample.time, ==, g_array_index (sink.api, DcSample, 1).time);

  /* Point changes and stop do not touch the link. */
  dc_driver_points_changed (driver);
  dc_driver_stop (driver);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (events->len, ==, 1);

  result_clear (&r);
  dc_point_info_free (point);
  test_sink_clear (&sink);
}

static void
test_sink_api_fallback (void)
{
  TestSink sink;
  DcSample sample = { 3, 5 * SEC, 1.25, 0 };

  /* A sink without push_api gets the API sample as a batch of one. */
  test_sink_init (&sink, FALSE);
  dc_sample_sink_push_api (&sink.parent, &sample);
  g_assert_cmpuint (sink.batches->len, ==, 1);
  g_assert_cmpint (g_array_index (sink.batches, DcSample, 0).key, ==, 3);
  g_assert_cmpfloat (g_array_index (sink.batches, DcSample, 0).value, ==, 1.25);
  test_sink_clear (&sink);

  test_sink_init (&sink, TRUE);
  dc_sample_sink_push_api (&sink.parent, &sample);
  g_assert_cmpuint (sink.batches->len, ==, 0);
  g_assert_cmpuint (sink.api->len, ==, 1);
  test_sink_clear (&sink);
}

static void
test_formula_driver (void)
{
  g_autoptr(DcDriver) driver = NULL;
  g_autoptr(JsonNode) device = json_from_string ("{\"id\":\"f\",\"protocol\":\"formula\"}", NULL);
  DcPointInfo *point = point_new (9);
  TestSink sink;
  Result r = { 0, };
  DcSample live = { 9, 2000 * SEC, -4, 0 };

  dc_formula_driver_register ();
  driver = dc_driver_new_for_protocol ("formula");
  g_assert_true (DC_IS_FORMULA_DRIVER (driver));
  g_assert_true (DC_DRIVER_GET_CLASS (driver)->no_link);

  test_sink_init (&sink, TRUE);
  dc_driver_set_config (driver, json_object_ref (json_node_get_object (device)),
                        g_ptr_array_new (), g_ptr_array_new ());
  dc_driver_set_sink (driver, &sink.parent);
  dc_driver_set_live_func (driver, test_live, &sink);
  dc_driver_start (driver);
  g_assert_cmpint (dc_driver_get_link_state (driver), ==, DC_LINK_UP);

  driver_call (driver, point, &r);
  g_assert_error (r.error, DC_ERROR, DC_ERROR_NOT_FOUND);
  g_assert_cmpstr (r.error->message, ==, "no sample yet!");

  g_hash_table_replace (sink.live, g_memdup2 (&live.key, sizeof (gint64)),
                        g_memdup2 (&live, sizeof live));
  driver_call (driver, point, &r);
  g_assert_no_error (r.error);
  g_assert_cmpfloat (r.sample.value, ==, -4);
  g_assert_cmpint (r.sample.time, ==, live.time);

  /* Computed points are not written. */
  driver_ctrl (driver, point, 1, &r);
  g_assert_false (r.ok);
  g_assert_error (r.error, DC_ERROR, DC_ERROR_INVALID);
  g_assert_cmpstr (r.error->message, ==, "formula points are computed, not written");
  g_assert_cmpuint (sink.api->len, ==, 0);
  g_assert_cmpuint (sink.batches->len, ==, 0);

  dc_driver_stop (driver);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  result_clear (&r);
  dc_point_info_free (point);
  test_sink_clear (&sink);
}

/* Behind the engine */

typedef struct
{
  DcStore   *store;
  DcHistory *history;
  DcEngine  *engine;
  GPtrArray *events;    /* "device:state" */
} Fixture;

static void
update (Fixture    *fx,
        const char *id,
        const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  g_autoptr(GError) error = NULL;

  dc_store_update (fx->store, DC_KIND_DEVICE, id, json_node_get_object (node), &error);
  g_assert_no_error (error);
}

static void
device_changed_cb (DcEngineDrivers *drivers,
                   const char      *device_id,
                   const char      *state,
                   const char      *last_error,
                   Fixture         *fx)
{
  g_ptr_array_add (fx->events, g_strdup_printf ("%s:%s", device_id, state));
}

static guint
count_events (Fixture    *fx,
              const char *event)
{
  guint n = 0;

  for (guint i = 0; i < fx->events->len; i++)
    n += g_strcmp0 (g_ptr_array_index (fx->events, i), event) == 0;

  return n;
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "datacoll", NULL);
  g_autofree char *db = g_build_filename (dir, "datacoll.db", NULL);
  g_autofree char *hdb = dc_history_path_for_config (db);

  g_mkdir_with_parents (dir, 0700);
  fx->store = dc_store_open (db, &error);
  g_assert_no_error (error);
  dc_test_store_attach_audit (fx->store);
  fx->history = dc_history_new (hdb, &error);
  g_assert_no_error (error);
  fx->events = g_ptr_array_new_with_free_func (g_free);

  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\":\"ua\"}");
  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\":\"ub\"}");
  dc_test_store_create (fx->store, DC_KIND_DEVICE, "{\"id\":\"v\",\"protocol\":\"virtual\"}");
  dc_test_store_create (fx->store, DC_KIND_DEVICE, "{\"id\":\"f\",\"protocol\":\"formula\"}");
  dc_test_store_create (fx->store, DC_KIND_TERM, "{\"id\":\"tv\",\"device_id\":\"v\"}");
  dc_test_store_create (fx->store, DC_KIND_TERM, "{\"id\":\"tf\",\"device_id\":\"f\"}");
  dc_test_store_create (fx->store, DC_KIND_POINT, "{\"term_id\":\"tv\",\"item_id\":\"ua\",\"history\":\"change\"}");
  dc_test_store_create (fx->store, DC_KIND_POINT, "{\"term_id\":\"tv\",\"item_id\":\"ub\",\"history\":\"none\"}");
  dc_test_store_create (fx->store, DC_KIND_POINT, "{\"term_id\":\"tf\",\"item_id\":\"ua\"}");

  fx->engine = dc_engine_new (fx->store, fx->history);
  g_signal_connect (dc_engine_get_drivers (fx->engine), "device-changed",
                    G_CALLBACK (device_changed_cb), fx);
  dc_engine_start (fx->engine);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  gpointer weak;
  gint64 deadline = g_get_monotonic_time () + 10 * SEC;

  dc_engine_shutdown (fx->engine);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (fx->engine);
  weak = fx->history;
  g_object_add_weak_pointer (weak, &weak);
  g_object_unref (fx->history);
  while (weak != NULL && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_thread_yield ();
    }
  g_assert_null (weak);
  g_assert_finalize_object (fx->store);
  g_ptr_array_unref (fx->events);
}

static void
engine_call_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Result *r = user_data;

  r->ok = dc_engine_drivers_call_finish (DC_ENGINE_DRIVERS (object), result, &r->sample,
                                         &r->error);
  r->done = TRUE;
}

static void
engine_ctrl_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Result *r = user_data;

  r->ok = dc_engine_drivers_ctrl_finish (DC_ENGINE_DRIVERS (object), result, &r->sample,
                                         &r->error);
  r->done = TRUE;
}

static void
engine_call (Fixture    *fx,
             const char *device,
             const char *term,
             const char *item,
             Result     *r)
{
  result_clear (r);
  dc_engine_drivers_call_async (dc_engine_get_drivers (fx->engine), device, term, item, NULL,
                                engine_call_cb, r);
  WAIT_UNTIL (r->done);
}

static void
engine_ctrl (Fixture    *fx,
             const char *device,
             const char *term,
             const char *item,
             double      value,
             Result     *r)
{
  result_clear (r);
  dc_engine_drivers_ctrl_async (dc_engine_get_drivers (fx->engine), device, term, item, value,
                                "tester", NULL, NULL, NULL, engine_ctrl_cb, r);
  WAIT_UNTIL (r->done);
}

static void
test_engine (Fixture       *fx,
             gconstpointer  data)
{
  DcEngineDrivers *drivers = dc_engine_get_drivers (fx->engine);
  gint64 ua = dc_store_get_point_key (fx->store, "tv", "ua");
  gint64 ub = dc_store_get_point_key (fx->store, "tv", "ub");
  g_autoptr(JsonNode) status = NULL;
  g_autoptr(GPtrArray) controls = NULL;
  DcEngineStats before, after;
  DcSample live;
  Result r = { 0, };

  /* Both protocols have drivers in every engine, and the devices are up while enabled. */
  g_assert_true (dc_driver_protocol_is_known ("virtual"));
  g_assert_true (dc_driver_protocol_is_known ("formula"));
  g_assert_cmpint (dc_engine_drivers_get_state (drivers, "v"), ==, DC_LINK_UP);
  g_assert_cmpint (dc_engine_drivers_get_state (drivers, "f"), ==, DC_LINK_UP);
  g_assert_cmpstr (dc_engine_drivers_get_device_status (drivers, "v"), ==, "on");
  /* Link drivers only: nothing to show in traffic or counters. */
  g_assert_null (dc_engine_drivers_get_driver (drivers, "v"));
  WAIT_UNTIL (count_events (fx, "v:up") == 1 && count_events (fx, "f:up") == 1);
  status = dc_engine_drivers_build_status (drivers, "v", NULL);
  g_assert_nonnull (status);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (status), "state"), ==,
                   "up");

  engine_call (fx, "v", "tv", "ua", &r);
  g_assert_error (r.error, DC_ERROR, DC_ERROR_NOT_FOUND);
  g_assert_cmpstr (r.error->message, ==, "no sample yet!");

  /* A control is a sample: stored even when it repeats (history `change`), and the answer is
   * that very sample. */
  dc_engine_get_stats (fx->engine, &before);
  engine_ctrl (fx, "v", "tv", "ua", 5, &r);
  g_assert_no_error (r.error);
  g_assert_cmpfloat (r.sample.value, ==, 5);
  g_assert_true (dc_engine_get_live (fx->engine, ua, &live));
  g_assert_cmpint (live.time, ==, r.sample.time);
  g_assert_cmpfloat (live.value, ==, 5);
  engine_ctrl (fx, "v", "tv", "ua", 5, &r);
  g_assert_no_error (r.error);
  dc_engine_get_stats (fx->engine, &after);
  g_assert_cmpuint (after.accepted - before.accepted, ==, 2);
  g_assert_cmpuint (after.stored - before.stored, ==, 2);

  /* History none: accepted, live, not stored. */
  engine_ctrl (fx, "v", "tv", "ub", 1, &r);
  g_assert_no_error (r.error);
  g_assert_true (dc_engine_get_live (fx->engine, ub, &live));
  dc_engine_get_stats (fx->engine, &before);
  g_assert_cmpuint (before.stored, ==, after.stored);
  g_assert_cmpuint (before.not_stored - after.not_stored, ==, 1);

  /* A call answers the live sample and does not store it again. */
  engine_call (fx, "v", "tv", "ua", &r);
  g_assert_no_error (r.error);
  g_assert_true (dc_engine_get_live (fx->engine, ua, &live));
  g_assert_cmpint (r.sample.time, ==, live.time);
  g_assert_cmpfloat (r.sample.value, ==, 5);
  dc_engine_get_stats (fx->engine, &after);
  g_assert_cmpuint (after.received, ==, before.received);

  /* Formula: read-only, 404 until the formula engine computed a value. */
  engine_ctrl (fx, "f", "tf", "ua", 1, &r);
  g_assert_error (r.error, DC_ERROR, DC_ERROR_INVALID);
  g_assert_cmpstr (r.error->message, ==, "formula points are computed, not written");
  engine_call (fx, "f", "tf", "ua", &r);
  g_assert_error (r.error, DC_ERROR, DC_ERROR_NOT_FOUND);
  {
    DcSample computed = { dc_store_get_point_key (fx->store, "tf", "ua"), g_get_real_time (),
                          42, 0 };

    dc_engine_ingest (fx->engine, &computed, 1, DC_INGEST_NONE);
    engine_call (fx, "f", "tf", "ua", &r);
    g_assert_no_error (r.error);
    g_assert_cmpfloat (r.sample.value, ==, 42);
    g_assert_cmpint (r.sample.time, ==, computed.time);
  }

  /* Every control that reached a point is recorded. */
  controls = dc_test_audit_rows (fx->store, "control.result", NULL);
  g_assert_cmpuint (controls->len, ==, 4);
  g_assert_cmpstr (((DcAuditRow *) g_ptr_array_index (controls, 0))->result, ==,
                   "formula points are computed, not written");
  g_assert_cmpstr (((DcAuditRow *) g_ptr_array_index (controls, 1))->result, ==, "ok");

  /* A link-setting change restarts the driver without a new "up"; disabling is an event and
   * makes the device offline. */
  update (fx, "v", "{\"note\":\"x\"}");
  dc_engine_drivers_flush (drivers);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpint (dc_engine_drivers_get_state (drivers, "v"), ==, DC_LINK_UP);
  g_assert_cmpuint (count_events (fx, "v:up"), ==, 1);
  update (fx, "v", "{\"enabled\":false}");
  g_assert_cmpint (dc_engine_drivers_get_state (drivers, "v"), ==, DC_LINK_DISABLED);
  WAIT_UNTIL (count_events (fx, "v:disabled") == 1);
  engine_ctrl (fx, "v", "tv", "ua", 6, &r);
  g_assert_error (r.error, DC_ERROR, DC_ERROR_OFFLINE);
  update (fx, "v", "{\"enabled\":true}");
  g_assert_cmpint (dc_engine_drivers_get_state (drivers, "v"), ==, DC_LINK_UP);
  WAIT_UNTIL (count_events (fx, "v:up") == 2);
  engine_ctrl (fx, "v", "tv", "ua", 6, &r);
  g_assert_no_error (r.error);

  result_clear (&r);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_protocols_register_all ();

  g_test_add_func ("/engine/virtual/driver", test_virtual_driver);
  g_test_add_func ("/engine/virtual/sink-api", test_sink_api_fallback);
  g_test_add_func ("/engine/formula/driver", test_formula_driver);
  g_test_add ("/engine/virtual/engine", Fixture, NULL, fixture_setup, test_engine,
              fixture_teardown);

  return g_test_run ();
}
