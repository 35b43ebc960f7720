/* test-engine-drivers-manager.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Driver management: one driver per enabled device following the store (configuration
 * changes), comm-lost marking when a link goes down.
 */

#define G_LOG_DOMAIN "test-engine-drivers"

#include "config.h"

#include "dc-error.h"
#include "dc-protocols.h"

#include "drivers-manager-fixture.h"

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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_protocols_register_all ();

  g_test_add ("/dc/engine-drivers/start", Fixture, NULL, fixture_setup, test_start, fixture_teardown);
  g_test_add ("/dc/engine-drivers/config-changes", Fixture, NULL, fixture_setup, test_config_changes, fixture_teardown);
  g_test_add ("/dc/engine-drivers/link-down", Fixture, NULL, fixture_setup, test_link_down, fixture_teardown);

  return g_test_run ();
}
