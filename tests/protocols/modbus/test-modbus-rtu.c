/* test-modbus-rtu.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The modbus_rtu driver against datacoll-sim on a socat pty pair: unit 1 answers, unit 3 is
 * dead and goes down alone.
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "dc-error.h"
#include "dc-modbus-rtu-driver.h"
#include "dc-modbus.h"

#include "dc-test-driver.h"
#include "dc-test-serial.h"
#include "dc-test-sim.h"
#include "dc-test-sink.h"
#include "dc-test-wait.h"

typedef struct
{
  GHashTable *down;   /* term id → last error */
  GHashTable *up;     /* term ids that came up */
} TermLog;

static void
term_link_changed_cb (DcDriver   *driver,
                      const char *term_id,
                      gboolean    up,
                      const char *last_error,
                      TermLog    *log)
{
  if (up)
    {
      g_hash_table_add (log->up, g_strdup (term_id));
      g_hash_table_remove (log->down, term_id);
    }
  else
    g_hash_table_insert (log->down, g_strdup (term_id), g_strdup (last_error));
}

static gboolean
driver_is_down (gpointer user_data)
{
  return dc_driver_get_link_state (user_data) == DC_LINK_DOWN;
}

static gboolean
t3_is_down (gpointer user_data)
{
  TermLog *log = user_data;

  return g_hash_table_contains (log->down, "t3");
}

static void
test_rtu_units (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autoptr(DcTestPtyPair) socat = NULL;
  g_autoptr(GPtrArray) terms = dc_test_terms_new ();
  g_autoptr(GPtrArray) points = dc_test_points_new ();
  g_autoptr(JsonObject) device = NULL;
  DcTestSink *sink = dc_test_sink_new ();
  TermLog log = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free),
                  g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL) };
  DcTestSim *sim;
  DcDriver *driver;
  DcPointInfo *hr1, *bit1, *hr3;
  DcTestOp r = { 0 };
  DcSample s = { 0 };

  if (g_find_program_in_path ("socat") == NULL)
    {
      g_test_skip ("socat is not installed (build-aux/install-deps installs it)");
      return;
    }

  dir = g_dir_make_tmp ("dc-rtu-XXXXXX", NULL);
  a = g_build_filename (dir, "sim", NULL);
  b = g_build_filename (dir, "master", NULL);
  socat = dc_test_pty_pair_new (a, b);
  sim = dc_test_sim_spawn ("--rtu", a, "--units", "1,2", "--registers", "100", "--static", NULL);

  dc_modbus_register_drivers ();
  device = json_object_new ();
  json_object_set_string_member (device, "id", "line1");
  json_object_set_string_member (device, "protocol", "modbus_rtu");
  json_object_set_string_member (device, "serial", b);
  json_object_set_int_member (device, "baud", 115200);
  json_object_set_string_member (device, "parity", "N");
  json_object_set_int_member (device, "poll_ms", 50);
  json_object_set_int_member (device, "timeout_ms", 500);
  g_ptr_array_add (terms, dc_test_term_json ("t1", 1));
  g_ptr_array_add (terms, dc_test_term_json ("t3", 3));
  hr1 = dc_test_point (1, "line1", "t1", 10, "hr:u16", 1, 0);
  bit1 = dc_test_point (2, "line1", "t1", 30, "hr:bit2", 1, 0);
  hr3 = dc_test_point (3, "line1", "t3", 10, "hr:u16", 1, 0);
  g_ptr_array_add (points, hr1);
  g_ptr_array_add (points, bit1);
  g_ptr_array_add (points, dc_test_point (4, "line1", "t1", 5, "co:bool", 1, 0));
  g_ptr_array_add (points, hr3);

  driver = dc_driver_new_for_protocol ("modbus_rtu");
  g_assert_true (DC_IS_MODBUS_RTU_DRIVER (driver));
  g_signal_connect (driver, "term-link-changed", G_CALLBACK (term_link_changed_cb), &log);
  dc_driver_set_config (driver, device, terms, points);
  dc_driver_set_sink (driver, &sink->parent);
  dc_driver_start (driver);

  /* Unit 3 goes down alone; unit 1 keeps delivering. */
  g_assert_true (dc_test_wait_for (NULL, t3_is_down, &log, 20));
  g_assert_cmpstr (g_hash_table_lookup (log.down, "t3"), ==, "no answer within 500 ms");
  g_assert_false (g_hash_table_contains (log.down, "t1"));
  g_assert_true (dc_test_sink_wait_batches (sink, 3, 20));
  g_assert_true (dc_test_sink_latest (sink, 1, &s));
  g_assert_cmpfloat (s.value, ==, 10);
  g_assert_cmpuint (s.quality, ==, 0);
  g_assert_true (dc_test_sink_latest (sink, 4, &s));
  g_assert_cmpfloat (s.value, ==, 1);
  g_assert_false (dc_test_sink_latest (sink, 3, &s));
  g_assert_cmpint (dc_driver_get_link_state (driver), ==, DC_LINK_UP);

  /* Writes with read-back on the live unit; the dead one times out. */
  dc_test_ctrl (driver, hr1, 4321, &r);
  g_assert_no_error (r.error);
  g_assert_cmpfloat (r.confirmed, ==, 4321);
  g_assert_cmpstr (r.steps->str, ==, "execute sent,confirmed");
  dc_test_ctrl (driver, bit1, 1, &r);
  g_assert_no_error (r.error);
  g_assert_cmpfloat (r.confirmed, ==, 1);
  dc_test_call (driver, hr1, &r);
  g_assert_no_error (r.error);
  g_assert_cmpfloat (r.sample.value, ==, 4321);
  dc_test_call (driver, hr3, &r);
  g_assert_error (r.error, DC_ERROR, DC_ERROR_TIMEOUT);

  /* Frames in the ring decode as RTU with good CRCs. */
  {
    g_autoptr(GPtrArray) frames = dc_traffic_get_frames (dc_driver_get_traffic (driver), 0, 50);
    g_assert_cmpuint (frames->len, >, 4);
    for (guint i = 0; i < frames->len; i++)
      {
        DcTrafficFrame *frame = g_ptr_array_index (frames, i);
        g_autoptr(JsonObject) decoded = NULL;
        g_autofree char *error = NULL;
        g_autofree char *summary = dc_driver_decode_frame (driver, frame, &decoded, &error);

        g_assert_null (error);
        g_assert_nonnull (decoded);
        g_assert_true (g_str_has_prefix (summary, frame->incoming ? "response unit 1 "
                                                                  : "request unit "));
      }
  }

  /* The simulator holds the written value. */
  dc_test_sink_reset (sink);
  g_assert_true (dc_test_sink_wait_batches (sink, 2, 20));
  g_assert_true (dc_test_sink_latest (sink, 1, &s));
  g_assert_cmpfloat (s.value, ==, 4321);
  g_assert_true (dc_test_sink_latest (sink, 2, &s));
  g_assert_cmpfloat (s.value, ==, 1);

  /* The line goes away (the pty pair is closed): the device goes down and the driver keeps
   * trying to reopen it. */
  dc_test_pty_pair_close (socat);
  g_assert_true (dc_test_wait_for (NULL, driver_is_down, driver, 20));
  dc_test_call (driver, hr1, &r);
  g_assert_error (r.error, DC_ERROR, DC_ERROR_OFFLINE);

  dc_test_driver_finish (driver);
  dc_test_op_clear (&r);
  dc_test_sim_kill (sim);
  dc_test_sink_free (sink);
  g_hash_table_unref (log.down);
  g_hash_table_unref (log.up);
  g_remove (a);
  g_remove (b);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/dc/modbus/rtu/units", test_rtu_units);

  return g_test_run ();
}
