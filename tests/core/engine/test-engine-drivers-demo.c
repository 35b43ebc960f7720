/* test-engine-drivers-demo.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * `datacoll --server --demo` ($DATACOLL, the real binary): live values from the in-process
 * simulators soon after start, a separate demo database, a control that moves the plant, and
 * a second start over the same demo database; the RTU's breaker trips: one soon after the start,
 * then a few per hour (docs/demo.md).
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "dc-iec104-sim.h"
#include "dc-test-http.h"
#include "dc-test-server.h"

static DcTestServer *
start_demo (void)
{
  const char *args[] = { "--server", "--demo", "--port", "0", NULL };
  DcTestServer *instance = dc_test_server_start (args);

  g_test_message ("%s", instance->log);
  g_assert_null (strstr (instance->log, "WARNING"));
  return instance;
}

static JsonNode *
request (DcTestServer *instance,
         const char   *method,
         const char   *path,
         const char   *body,
         guint        *status)
{
  g_autoptr(DcReply) reply = dc_http (instance->base, method, path, body);
  const char *text = reply->body;

  *status = reply->status;
  if (*status != 200)
    {
      g_test_message ("%s %s: %u %s", method, path, *status, text);
      return NULL;
    }

  return json_from_string (text, NULL);
}

/* item id → value of the good current values. */
static GHashTable *
good_values (DcTestServer *instance)
{
  GHashTable *values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  guint status;
  g_autoptr(JsonNode) node = request (instance, "GET", "/api/v1/values", NULL, &status);
  JsonArray *array;

  g_assert_cmpuint (status, ==, 200);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *sample = json_array_get_object_element (array, i);
      double value;

      if (json_object_get_int_member (sample, "quality") != 0)
        continue;
      value = json_object_get_double_member (sample, "value");
      g_hash_table_replace (values, g_strdup (json_object_get_string_member (sample, "item_id")),
                            g_memdup2 (&value, sizeof value));
    }

  return values;
}

static const char * const measured[] = {
  "f1_current", "f2_current", "f3_current", "f1_power", "f2_power", "f3_power",
  "f1_breaker", "f2_breaker", "f3_breaker", "busbar_voltage",
  "u_l1", "u_l2", "u_l3", "i_l1", "i_l2", "i_l3", "p_total", "frequency", "energy",
  "tank_level", "pump_running", "pump_command", "level_setpoint",
  "ambient_temperature", "shift_notes",
};

static gboolean
has_all (GHashTable *values)
{
  for (guint i = 0; i < G_N_ELEMENTS (measured); i++)
    if (!g_hash_table_contains (values, measured[i]))
      return FALSE;

  return TRUE;
}

static double
value_of (DcTestServer   *instance,
          const char *item_id)
{
  g_autoptr(GHashTable) values = good_values (instance);
  double *value = g_hash_table_lookup (values, item_id);

  return value != NULL ? *value : -1;
}

static void
test_demo (void)
{
  g_autofree char *user_db = g_build_filename (g_get_user_data_dir (), "datacoll", "datacoll.db", NULL);
  g_autofree char *demo_db = g_build_filename (g_get_user_data_dir (), "datacoll", "demo", "datacoll.db", NULL);
  DcTestServer *instance;
  g_autoptr(GHashTable) values = NULL;
  g_autoptr(JsonNode) node = NULL;
  gint64 started = g_get_monotonic_time ();
  gint64 deadline;
  double level;
  guint status;

  instance = start_demo ();

  /* Live values of every demo point soon after start. */
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (values = good_values (instance), !has_all (values))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_clear_pointer (&values, g_hash_table_unref);
      g_usleep (50 * 1000);   /* another process: poll its REST interface */
    }
  g_test_message ("all demo values after %.2f s", (g_get_monotonic_time () - started) / 1e6);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 10 * G_USEC_PER_SEC);

  /* Plausible values, not random jumps. */
  g_assert_cmpfloat (*(double *) g_hash_table_lookup (values, "busbar_voltage"), >, 9.5);
  g_assert_cmpfloat (*(double *) g_hash_table_lookup (values, "busbar_voltage"), <, 10.5);
  g_assert_cmpfloat (*(double *) g_hash_table_lookup (values, "frequency"), >, 49.9);
  g_assert_cmpfloat (*(double *) g_hash_table_lookup (values, "frequency"), <, 50.1);
  g_assert_cmpfloat (*(double *) g_hash_table_lookup (values, "level_setpoint"), ==, 70);

  /* The demo database, never the user's own. */
  g_assert_true (g_file_test (demo_db, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (user_db, G_FILE_TEST_EXISTS));

  /* The link devices are up. */
  node = request (instance, "GET", "/api/v1/devices/meter1/status", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "state"), ==, "up");
  g_clear_pointer (&node, json_node_unref);
  node = request (instance, "GET", "/api/v1/devices/sub1/status", NULL, &status);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "state"), ==, "up");
  g_clear_pointer (&node, json_node_unref);

  /* The operator starts the pump with a coil write: it runs and the tank fills. */
  level = value_of (instance, "tank_level");
  node = request (instance, "POST", "/api/v1/device_ctrl",
                  "{\"device_id\": \"plc1\", \"term_id\": \"plc1_u2\", \"item_id\": \"pump_command\", \"value\": 1}",
                  &status);
  g_assert_cmpuint (status, ==, 200);
  g_clear_pointer (&node, json_node_unref);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (value_of (instance, "pump_running") != 1 || value_of (instance, "tank_level") <= level)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (100 * 1000);
    }

  /* A breaker command (select-before-operate at its command address) opens F2; the state
   * point reports it. */
  node = request (instance, "POST", "/api/v1/device_ctrl",
                  "{\"device_id\": \"sub1\", \"term_id\": \"sub1_ca1\", \"item_id\": \"f2_breaker_cmd\", \"value\": 1}",
                  &status);
  g_assert_cmpuint (status, ==, 200);
  g_clear_pointer (&node, json_node_unref);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (value_of (instance, "f2_breaker") != 1)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (100 * 1000);
    }

  /* Manual entry. */
  node = request (instance, "POST", "/api/v1/device_ctrl",
                  "{\"device_id\": \"manual\", \"term_id\": \"manual_entry\", \"item_id\": \"ambient_temperature\", \"value\": 21.5}",
                  &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpfloat (value_of (instance, "ambient_temperature"), ==, 21.5);
  g_clear_pointer (&node, json_node_unref);

  dc_test_server_stop (instance);

  /* Again over the same demo database: nothing to create, new simulator ports, values flow. */
  instance = start_demo ();
  g_clear_pointer (&values, g_hash_table_unref);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (values = good_values (instance), !has_all (values))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_clear_pointer (&values, g_hash_table_unref);
      g_usleep (50 * 1000);
    }
  dc_test_server_stop (instance);
}

/* The trip schedule of the demo RTU: the first trip within a minute, then every 15–25 minutes
 * (2.4 to 4 trips an hour); the sim asks dc_iec104_sim_demo_trip_delay_s() for each delay. */
static void
test_demo_trip_rate (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (18);
  guint64 total = 0;
  guint min = G_MAXUINT, max = 0;

  for (guint i = 0; i < 1000; i++)
    {
      guint first = dc_iec104_sim_demo_trip_delay_s (rand, TRUE);

      g_assert_cmpuint (first, >=, 20);
      g_assert_cmpuint (first, <, 60);
    }
  for (guint i = 0; i < 1000; i++)
    {
      guint next = dc_iec104_sim_demo_trip_delay_s (rand, FALSE);

      min = MIN (min, next);
      max = MAX (max, next);
      total += next;
    }
  /* Never more than 4 an hour, on average about 3 (not one a minute). */
  g_assert_cmpuint (min, >=, 15 * 60);
  g_assert_cmpuint (max, <=, 25 * 60);
  g_assert_cmpfloat (3600.0 / (total / 1000.0), >, 2.4);
  g_assert_cmpfloat (3600.0 / (total / 1000.0), <, 4.0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/dc/demo/server", test_demo);
  g_test_add_func ("/dc/demo/trip-rate", test_demo_trip_rate);

  return g_test_run ();
}
