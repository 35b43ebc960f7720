/* test-modbus-faults.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The modbus_tcp driver against a peer that misbehaves: python3-pymodbus
 * (pymodbus-server.py) leaving requests for an unknown unit unanswered, or answering with a
 * wrong transaction id. Every unanswered request must time out, however many there are
 * (docs/modbus.md): a driver that stops timing out freezes while its link reports up.
 * Exits 77 (skipped) only when pymodbus cannot be imported.
 */

#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>

#include "dc-error.h"
#include "dc-io-pool.h"
#include "dc-modbus.h"

#include "dc-test-driver.h"
#include "dc-test-sim.h"
#include "dc-test-sink.h"

typedef struct
{
  GSubprocess *peer;
  guint16      port;
  DcIoPool    *pool;
  DcTestSink    *sink;
  DcTestLinkLog      link;
  GPtrArray   *terms;
  GPtrArray   *points;
  DcDriver    *driver;
} Fixture;

/* A failing test must not leave its peer behind (meson would wait for its output). */
static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
spawn_peer (Fixture    *f,
            const char *fault,
            const char *fault_arg)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "protocols", "modbus",
                                                   "pymodbus-server.py", NULL);
  const char *python = dc_test_python3 ();
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) data = NULL;
  g_autofree char *line = NULL;

  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  f->peer = g_subprocess_launcher_spawn (launcher, &error, python, script, fault, fault_arg,
                                         NULL);
  g_assert_no_error (error);
  data = g_data_input_stream_new (g_subprocess_get_stdout_pipe (f->peer));
  line = g_data_input_stream_read_line (data, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "port "));
  f->port = atoi (line + 5);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->pool = dc_io_pool_new (1);
  f->sink = dc_test_sink_new ();
  f->terms = dc_test_terms_new ();
  f->points = dc_test_points_new ();
  dc_modbus_register_drivers ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->driver != NULL)
    dc_test_driver_finish (f->driver);
  g_ptr_array_unref (f->terms);
  g_ptr_array_unref (f->points);
  dc_test_sink_free (f->sink);
  dc_io_pool_free (f->pool);
  g_free (f->link.last_error);
  if (f->peer != NULL)
    {
      g_subprocess_force_exit (f->peer);
      g_subprocess_wait (f->peer, NULL, NULL);
      g_object_unref (f->peer);
    }
}

static void
fixture_start (Fixture *f,
               int      poll_ms,
               int      timeout_ms)
{
  g_autoptr(JsonObject) device = dc_test_device_json ("py", "modbus_tcp", f->port, poll_ms,
                                                   timeout_ms);

  f->driver = dc_driver_new_for_protocol ("modbus_tcp");
  g_signal_connect (f->driver, "link-changed", G_CALLBACK (dc_test_link_changed_cb), &f->link);
  dc_driver_set_config (f->driver, device, f->terms, f->points);
  dc_driver_set_sink (f->driver, &f->sink->parent);
  dc_driver_set_io_context (f->driver, dc_io_pool_get_context (f->pool, 0));
  dc_driver_start (f->driver);
}

static gint64
protocol_stat (Fixture    *f,
               const char *name)
{
  g_autoptr(JsonNode) status = dc_driver_build_status (f->driver);
  JsonObject *protocol = json_object_get_object_member (json_node_get_object (status),
                                                        "protocol");

  return json_object_get_int_member (protocol, name);
}

/* A point on unit 9, which the peer does not serve and leaves unanswered: each request times
 * out after timeout_ms and takes the link down, again and again, not only the first time.
 * Before the fix the second unanswered request was never given up on: "requests 2,
 * timeouts 1" for good, the link up without an error. */
static void
test_unanswered_unit (Fixture       *f,
                      gconstpointer  data)
{
  DcPointInfo *p9;
  DcTestOp r = { 0 };

  spawn_peer (f, "--drop-unknown-units", NULL);
  g_ptr_array_add (f->terms, dc_test_term_json ("t9", 9));
  g_ptr_array_add (f->points, dc_test_point (1, "py", "t9", 0, "hr:u16", 1, 0));
  p9 = g_ptr_array_index (f->points, 0);
  fixture_start (f, 200, 500);

  /* Each round: connect, one request, 500 ms without an answer, down, back-off (1 s, 2 s).
   * Nothing ever answered, so the link was never up (docs/modbus.md "Link state"). */
  g_assert_true (dc_test_wait_link (&f->link, 0, 3, 20));
  g_assert_cmpuint (f->link.n_up, ==, 0);
  g_assert_cmpstr (f->link.last_error, ==, "no answer within 500 ms");
  g_assert_cmpint (protocol_stat (f, "timeouts"), >=, 3);
  /* Nothing was answered, so nothing was stored. */
  g_assert_cmpuint (dc_test_sink_n_batches (f->sink), ==, 0);

  /* An operation on the silent unit ends (timeout, or offline between rounds) instead of
   * waiting for ever. */
  dc_test_call (f->driver, p9, &r);
  g_assert_false (r.ok);
  g_assert_true (g_error_matches (r.error, DC_ERROR, DC_ERROR_TIMEOUT) ||
                 g_error_matches (r.error, DC_ERROR, DC_ERROR_OFFLINE));
  dc_test_op_clear (&r);
}

/* Every third answer carries a wrong transaction id: the driver drops it as late, times the
 * request out, reconnects and polls on; values keep arriving after each of several such
 * answers. */
static void
test_corrupt_transaction_id (Fixture       *f,
                             gconstpointer  data)
{
  DcSample s = { 0 };

  spawn_peer (f, "--corrupt-tid", "3");
  g_ptr_array_add (f->terms, dc_test_term_json ("t1", 1));
  g_ptr_array_add (f->points, dc_test_point (1, "py", "t1", 0, "hr:u16", 1, 0));
  fixture_start (f, 200, 500);

  g_assert_true (dc_test_wait_link (&f->link, 1, 3, 20));
  g_assert_cmpint (protocol_stat (f, "timeouts"), >=, 3);
  /* Values after the third timeout: polling resumed. */
  dc_test_sink_reset (f->sink);
  g_assert_true (dc_test_sink_wait_batches (f->sink, 1, 10));
  g_assert_true (dc_test_sink_latest (f->sink, 1, &s));
  g_assert_cmpfloat (s.value, ==, 65000);
  g_assert_cmpuint (s.quality, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_test_require_pymodbus ();

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/dc/modbus/faults/unanswered-unit", test_unanswered_unit);
  ADD ("/dc/modbus/faults/corrupt-transaction-id", test_corrupt_transaction_id);
#undef ADD

  return g_test_run ();
}
