/* test-modbus-proxy.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The modbus_tcp driver and an independent peer (python3-pymodbus, pymodbus-server.py) with
 * the fault-injecting proxy of the test library between them. For each fault: answers split
 * into single bytes or random pieces, or held back less than the timeout, change nothing; the
 * others take the link down; after the fault ends, values flow again within 3 s; and no value
 * that the peer did not send is ever stored (docs/modbus.md).
 * Skipped only when pymodbus cannot be imported.
 */

#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>

#include "dc-io-pool.h"
#include "dc-modbus.h"

#include "dc-test-driver.h"
#include "dc-test-proxy.h"
#include "dc-test-sim.h"
#include "dc-test-sink.h"
#include "dc-test-wait.h"

typedef struct
{
  const char       *name;
  DcTestProxyFault  fault;
  guint             arg;
  gboolean          takes_link_down;
} Case;

static const Case cases[] = {
  { "one-byte", DC_TEST_PROXY_ONE_BYTE, 0, FALSE },
  { "random-split", DC_TEST_PROXY_RANDOM_SPLIT, 0, FALSE },
  { "delay-100ms", DC_TEST_PROXY_DELAY, 100, FALSE },
  { "delay-800ms", DC_TEST_PROXY_DELAY, 800, TRUE },
  { "drop-after-20", DC_TEST_PROXY_DROP_AFTER, 20, TRUE },
  /* Modbus TCP has no checksum: a corrupted data byte cannot be told from a value. The
   * header is checked: transaction id, length, unit. */
  { "corrupt-tid", DC_TEST_PROXY_CORRUPT, 0, TRUE },
  { "corrupt-length", DC_TEST_PROXY_CORRUPT, 5, TRUE },
  { "corrupt-unit", DC_TEST_PROXY_CORRUPT, 6, TRUE },
  { "blackhole", DC_TEST_PROXY_BLACKHOLE, 0, TRUE },
  { "half-open-requests", DC_TEST_PROXY_HALF_OPEN_UP, 0, TRUE },
  { "half-open-answers", DC_TEST_PROXY_HALF_OPEN_DOWN, 0, TRUE },
};

/* Keys and the values pymodbus-server.py serves on unit 1. */
static const struct { gint64 key; int address; const char *code_type; double value; } points[] = {
  { 1, 0, "hr:u16", 65000 },
  { 2, 1, "hr:i16", -1234 },
  { 3, 10, "hr:f32:abcd", (float) 123.456 },
  { 4, 20, "hr:f64:abcd", -9876.54321 },
};

static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocess *
spawn_peer (guint16 *port)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "protocols", "modbus",
                                                   "pymodbus-server.py", NULL);
  const char *python = dc_test_python3 ();
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) data = NULL;
  g_autofree char *line = NULL;
  GSubprocess *peer;

  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  peer = g_subprocess_launcher_spawn (launcher, &error, python, script, NULL);
  g_assert_no_error (error);
  data = g_data_input_stream_new (g_subprocess_get_stdout_pipe (peer));
  line = g_data_input_stream_read_line (data, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "port "));
  *port = atoi (line + 5);
  return peer;
}

/* What the peer sends, for dc_test_sink_assert_values() and dc_test_flow_ready(). */
static void
expected_init (DcTestExpected *expected)
{
  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    expected[i] = (DcTestExpected) { points[i].key, points[i].value };
}

/* The driver, the peer and the proxy between them. */
typedef struct
{
  DcIoPool       *pool;
  GSubprocess    *peer;
  DcTestProxy    *proxy;
  DcTestSink     *sink;
  DcTestLinkLog   link;
  DcTestExpected  expected[G_N_ELEMENTS (points)];
  DcTestFlow      progress;
  DcDriver       *driver;
} Rig;

/* Starts the driver through the proxy, with @fault set before it connects. */
static void
rig_start (Rig              *rig,
           DcTestProxyFault  fault)
{
  g_autoptr(GPtrArray) terms = dc_test_terms_new ();
  g_autoptr(GPtrArray) infos = dc_test_points_new ();
  g_autoptr(JsonObject) device = NULL;
  guint16 port;

  rig->pool = dc_io_pool_new (1);
  rig->peer = spawn_peer (&port);
  rig->proxy = dc_test_proxy_new (port);
  rig->sink = dc_test_sink_new ();
  dc_test_proxy_set_fault (rig->proxy, fault, 0);
  dc_modbus_register_drivers ();
  device = dc_test_device_json ("py", "modbus_tcp", dc_test_proxy_get_port (rig->proxy), 100,
                                500);
  g_ptr_array_add (terms, dc_test_term_json ("t1", 1));
  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    g_ptr_array_add (infos, dc_test_point (points[i].key, "py", "t1", points[i].address,
                                           points[i].code_type, 1, 0));

  rig->driver = dc_driver_new_for_protocol ("modbus_tcp");
  g_signal_connect (rig->driver, "link-changed", G_CALLBACK (dc_test_link_changed_cb),
                    &rig->link);
  dc_driver_set_config (rig->driver, device, terms, infos);
  dc_driver_set_sink (rig->driver, &rig->sink->parent);
  dc_driver_set_io_context (rig->driver, dc_io_pool_get_context (rig->pool, 0));
  expected_init (rig->expected);
  rig->progress = (DcTestFlow) { rig->sink, &rig->link.state, rig->expected,
                                 G_N_ELEMENTS (points), 0 };
  dc_driver_start (rig->driver);
}

/* Ends the fault; values flow again within @within_s; nothing stored was not sent. */
static void
rig_recover (Rig        *rig,
             const char *name,
             double      within_s)
{
  gint64 fault_end;

  dc_test_proxy_set_fault (rig->proxy, DC_TEST_PROXY_PASS, 0);
  fault_end = g_get_monotonic_time ();
  dc_test_sink_reset (rig->sink);
  rig->progress.batches = 0;
  g_assert_true (dc_test_wait_for (NULL, dc_test_flow_ready, &rig->progress, 10));
  g_test_message ("%s: values again %.2f s after the fault ended", name,
                  (g_get_monotonic_time () - fault_end) / 1e6);
  g_assert_cmpint (g_get_monotonic_time () - fault_end, <, within_s * G_USEC_PER_SEC);
  dc_test_sink_assert_values (rig->sink, rig->expected, G_N_ELEMENTS (points));
}

static void
rig_finish (Rig *rig)
{
  dc_driver_stop (rig->driver);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (rig->driver);
  g_free (rig->link.last_error);
  dc_test_sink_free (rig->sink);
  dc_test_proxy_free (rig->proxy);
  g_subprocess_force_exit (rig->peer);
  g_subprocess_wait (rig->peer, NULL, NULL);
  g_object_unref (rig->peer);
  dc_io_pool_free (rig->pool);
}

static void
test_fault (gconstpointer data)
{
  const Case *c = data;
  Rig rig = { 0 };

  rig_start (&rig, DC_TEST_PROXY_PASS);
  g_assert_true (dc_test_wait_for (NULL, dc_test_flow_ready, &rig.progress, 20));

  dc_test_proxy_set_fault (rig.proxy, c->fault, c->arg);
  if (c->takes_link_down)
    {
      g_assert_true (dc_test_wait_link (&rig.link, 1, 1, 20));
      g_assert_cmpint (rig.link.state, !=, DC_LINK_UP);
    }
  else
    {
      /* Twenty polls through the fault, the link never down. */
      rig.progress.batches = dc_test_sink_n_batches (rig.sink) + 20;
      g_assert_true (dc_test_wait_for (NULL, dc_test_flow_ready, &rig.progress, 20));
      g_assert_cmpuint (rig.link.n_down, ==, 0);
    }

  rig_recover (&rig, c->name, 3);
  rig_finish (&rig);
}

/* "Up" means answered (docs/modbus.md "Link state"): a peer that accepts the connection and
 * never answers (here the proxy blackholes everything from the start) leaves the device
 * connecting, then down, over and over, never up. */
static void
test_status_never_answered (void)
{
  Rig rig = { 0 };

  rig_start (&rig, DC_TEST_PROXY_BLACKHOLE);
  /* Two connections accepted by the proxy, each unanswered until its timeout. */
  g_assert_true (dc_test_wait_link (&rig.link, 0, 2, 20));
  g_assert_cmpuint (dc_test_proxy_n_accepted (rig.proxy), >=, 2);
  g_assert_cmpuint (rig.link.n_up, ==, 0);
  g_assert_cmpint (rig.link.state, !=, DC_LINK_UP);
  g_assert_cmpstr (rig.link.last_error, ==, "no answer within 500 ms");
  g_assert_cmpuint (dc_test_sink_count (rig.sink), ==, 0);

  /* The third try (back-off 2 s after two unanswered connections) finds answers. */
  rig_recover (&rig, "never-answered", 2 + 3);
  g_assert_cmpuint (rig.link.n_up, ==, 1);
  rig_finish (&rig);
}

/* A device that answered, then stops answering behind a proxy that still accepts connections:
 * down, and it does not come back up on each reconnection. */
static void
test_status_stops_answering (void)
{
  Rig rig = { 0 };

  rig_start (&rig, DC_TEST_PROXY_PASS);
  g_assert_true (dc_test_wait_for (NULL, dc_test_flow_ready, &rig.progress, 20));
  g_assert_cmpuint (rig.link.n_up, ==, 1);

  dc_test_proxy_set_fault (rig.proxy, DC_TEST_PROXY_BLACKHOLE, 0);
  /* The connection in place times out, then a fresh one (accepted) times out too. */
  g_assert_true (dc_test_wait_link (&rig.link, 1, 2, 20));
  g_assert_cmpuint (dc_test_proxy_n_accepted (rig.proxy), >=, 2);
  g_assert_cmpuint (rig.link.n_up, ==, 1);
  g_assert_cmpint (rig.link.state, !=, DC_LINK_UP);

  rig_recover (&rig, "stops-answering", 2 + 3);
  g_assert_cmpuint (rig.link.n_up, ==, 2);
  rig_finish (&rig);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_test_require_pymodbus ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/dc/modbus/proxy/%s", cases[i].name);

      g_test_add_data_func (path, &cases[i], test_fault);
    }
  g_test_add_func ("/dc/modbus/proxy/status/never-answered", test_status_never_answered);
  g_test_add_func ("/dc/modbus/proxy/status/stops-answering", test_status_stops_answering);

  return g_test_run ();
}
