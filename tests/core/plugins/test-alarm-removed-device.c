/* test-alarm-removed-device.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include "dc-alarm.h"
#include "dc-engine.h"
#include "dc-engine-drivers.h"
#include "dc-protocols.h"
#include "dc-store.h"

#include "dc-test-store.h"

/* The comm alarm of a device whose link is down when the device is deleted or renamed: its
 * condition ends with the device (docs/plugins.md), so the alarm clears and waits for its
 * acknowledgement instead of staying active for ever. Real store, history, engine and alarm
 * plugin on sqlite files; nothing listens on the device's port, so its link is down. */

typedef struct
{
  DcStore   *store;
  DcHistory *history;
  DcEngine  *engine;
  DcAlarm   *alarm;
  char      *journal;
} Fixture;

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;

  dc_test_open_store_and_history (&fx->store, &fx->history);
  dc_test_store_create (fx->store, DC_KIND_DEVICE,
                        "{\"id\":\"m\",\"protocol\":\"modbus_tcp\",\"ip\":\"127.0.0.1\",\"port\":1,"
                        "\"comm_alarm_delay_ms\":0}");
  dc_test_store_create (fx->store, DC_KIND_DEVICE,
                        "{\"id\":\"n\",\"protocol\":\"modbus_tcp\",\"ip\":\"127.0.0.1\",\"port\":1,"
                        "\"comm_alarm_delay_ms\":0}");
  db = g_build_filename (g_get_user_data_dir (), "datacoll", "datacoll.db", NULL);
  fx->journal = dc_alarm_path_for_config (db);
  fx->engine = dc_engine_new (fx->store, fx->history);
  fx->alarm = dc_alarm_new_for_engine (fx->engine, fx->journal, &error);
  g_assert_no_error (error);
  dc_alarm_start (fx->alarm);
  dc_engine_start (fx->engine);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_assert_finalize_object (fx->alarm);
  dc_engine_shutdown (fx->engine);
  g_assert_finalize_object (fx->engine);
  dc_test_release_history (fx->history);
  g_assert_finalize_object (fx->store);
  g_free (fx->journal);
}

static gboolean
deadline_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until the comm alarm of @device_id is in @state (10 s at most). */
static void
wait_comm_state (Fixture      *fx,
                 const char   *device_id,
                 DcAlarmState  state)
{
  gboolean expired = FALSE;
  guint deadline = g_timeout_add_seconds (10, deadline_cb, &expired);
  gint64 id;

  while (((id = dc_alarm_find_comm (fx->alarm, device_id)) == 0 ||
          dc_alarm_get_state (fx->alarm, id) != state) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (deadline);
  g_assert_cmpint (id, !=, 0);
  g_assert_cmpstr (dc_alarm_state_to_string (dc_alarm_get_state (fx->alarm, id)), ==,
                   dc_alarm_state_to_string (state));
}

/* Runs what is pending: the coalesced store changes of the drivers and the alarm plugin. */
static void
settle (Fixture *fx)
{
  dc_engine_drivers_flush (dc_engine_get_drivers (fx->engine));
  dc_alarm_flush (fx->alarm);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static guint
n_listed (Fixture *fx)
{
  g_autoptr(JsonArray) list = dc_alarm_list (fx->alarm, FALSE);

  return json_array_get_length (list);
}

/* Deleted while down: the alarm clears (text says why); acknowledged, it is gone from the
 * list. The other device's alarm stays active. */
static void
test_deleted (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) alarm = NULL;
  gint64 id;

  wait_comm_state (fx, "m", DC_ALARM_ACTIVE_UNACKED);
  wait_comm_state (fx, "n", DC_ALARM_ACTIVE_UNACKED);
  id = dc_alarm_find_comm (fx->alarm, "m");

  g_assert_true (dc_store_delete (fx->store, DC_KIND_DEVICE, "m", &error));
  g_assert_no_error (error);
  wait_comm_state (fx, "m", DC_ALARM_CLEARED_UNACKED);
  settle (fx);
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, id), ==, DC_ALARM_CLEARED_UNACKED);
  alarm = dc_alarm_get (fx->alarm, id, NULL);
  g_assert_cmpstr (json_object_get_string_member (alarm, "text"), ==, "device m was deleted");

  g_assert_true (dc_alarm_ack (fx->alarm, id, "ann", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, id), ==, DC_ALARM_NORMAL);
  g_assert_cmpuint (n_listed (fx), ==, 1);
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, dc_alarm_find_comm (fx->alarm, "n")), ==,
                   DC_ALARM_ACTIVE_UNACKED);

  /* A device created again under the same name and down again alarms again. */
  dc_test_store_create (fx->store, DC_KIND_DEVICE,
                        "{\"id\":\"m\",\"protocol\":\"modbus_tcp\",\"ip\":\"127.0.0.1\",\"port\":1,"
                        "\"comm_alarm_delay_ms\":0}");
  wait_comm_state (fx, "m", DC_ALARM_ACTIVE_UNACKED);
}

/* Renamed while down: the old name's alarm clears, the new name alarms on its own. */
static void
test_renamed (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) patch = dc_test_json_object ("{\"id\":\"m2\"}");
  gint64 id;

  wait_comm_state (fx, "m", DC_ALARM_ACTIVE_UNACKED);
  id = dc_alarm_find_comm (fx->alarm, "m");

  g_assert_true (dc_store_update (fx->store, DC_KIND_DEVICE, "m", patch, &error));
  g_assert_no_error (error);
  wait_comm_state (fx, "m", DC_ALARM_CLEARED_UNACKED);
  wait_comm_state (fx, "m2", DC_ALARM_ACTIVE_UNACKED);
  settle (fx);
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, id), ==, DC_ALARM_CLEARED_UNACKED);
}

/* A comm alarm left active in the journal for a device that no longer exists (deleted while
 * DataColl was stopped, or left so by an earlier version) clears when the plugin starts. */
static void
test_gone_at_start (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_build_filename (g_get_user_data_dir (), "datacoll", "datacoll.db",
                                          NULL);
  g_autofree char *journal = dc_alarm_path_for_config (db);
  DcStore *store;
  DcHistory *history;
  DcAlarm *alarm;
  gint64 id;

  dc_test_open_store_and_history (&store, &history);
  dc_test_store_create (store, DC_KIND_DEVICE,
                        "{\"id\":\"m\",\"protocol\":\"modbus_tcp\",\"ip\":\"127.0.0.1\","
                        "\"port\":1,\"comm_alarm_delay_ms\":0}");
  alarm = dc_alarm_new (store, journal, &error);
  g_assert_no_error (error);
  dc_alarm_set_link (alarm, "m", FALSE, g_get_real_time ());
  id = dc_alarm_find_comm (alarm, "m");
  g_assert_cmpint (dc_alarm_get_state (alarm, id), ==, DC_ALARM_ACTIVE_UNACKED);
  g_assert_finalize_object (alarm);

  g_assert_true (dc_store_delete (store, DC_KIND_DEVICE, "m", &error));
  g_assert_no_error (error);

  alarm = dc_alarm_new (store, journal, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dc_alarm_get_state (alarm, id), ==, DC_ALARM_ACTIVE_UNACKED);
  dc_alarm_start (alarm);
  g_assert_cmpint (dc_alarm_get_state (alarm, id), ==, DC_ALARM_CLEARED_UNACKED);
  g_assert_finalize_object (alarm);
  dc_test_release_history (history);
  g_assert_finalize_object (store);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_protocols_register_all ();

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/dc/alarm/removed-device/deleted", test_deleted);
  ADD ("/dc/alarm/removed-device/renamed", test_renamed);
#undef ADD
  g_test_add_func ("/dc/alarm/removed-device/gone-at-start", test_gone_at_start);

  return g_test_run ();
}
