/* test-iec104-proxy.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The IEC 104 master and the outstation simulator with the fault-injecting proxy of the test
 * library between them (no independent IEC 104 outstation is packaged for Debian 12). For each
 * fault: answers split into single bytes or random pieces, or held back less than t1, change
 * nothing; the others take the link down (t1 = t3 = 1 s here); after the fault ends, values
 * flow again within 3 s; and no value that the outstation did not send is ever stored
 * (docs/iec104.md).
 */

#include "config.h"

#include "dc-io-pool.h"
#include "dc-iec104-driver.h"
#include "dc-iec104-sim.h"

#include "dc-test-driver.h"
#include "dc-test-proxy.h"
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
  { "delay-2500ms", DC_TEST_PROXY_DELAY, 2500, TRUE },
  { "drop-after-20", DC_TEST_PROXY_DROP_AFTER, 20, TRUE },
  { "corrupt-start", DC_TEST_PROXY_CORRUPT, 0, TRUE },
  { "corrupt-length", DC_TEST_PROXY_CORRUPT, 1, TRUE },
  { "corrupt-sequence", DC_TEST_PROXY_CORRUPT, 2, TRUE },
  { "blackhole", DC_TEST_PROXY_BLACKHOLE, 0, TRUE },
  { "half-open-requests", DC_TEST_PROXY_HALF_OPEN_UP, 0, TRUE },
  { "half-open-answers", DC_TEST_PROXY_HALF_OPEN_DOWN, 0, TRUE },
};

/* Keys, addresses, type ids and the simulator's (constant) values. */
static const struct { gint64 key; guint32 ioa; guint type; double value; } points[] = {
  { 1, DC_IEC104_SIM_IOA_FLOATS, 13, 100 },
  { 2, DC_IEC104_SIM_IOA_FLOATS + 1, 13, 110 },
  { 3, DC_IEC104_SIM_IOA_SCALED, 11, 100 },
  { 4, DC_IEC104_SIM_IOA_SCALED + 1, 11, 110 },
};

typedef struct
{
  DcIec104SimConfig  config;
  DcIec104Sim       *sim;
  DcIoPool          *pool;
} Sim;

static gboolean
sim_start_cb (gpointer data)
{
  Sim *s = data;
  g_autoptr(GError) error = NULL;

  s->sim = dc_iec104_sim_new (&s->config, dc_io_pool_get_context (s->pool, 0), &error);
  g_assert_no_error (error);
  return G_SOURCE_REMOVE;
}

static gboolean
sim_stop_cb (gpointer data)
{
  Sim *s = data;

  g_clear_pointer (&s->sim, dc_iec104_sim_free);
  return G_SOURCE_REMOVE;
}

/* What the peer sends, for dc_test_sink_assert_values() and dc_test_flow_ready(). */
static void
expected_init (DcTestExpected *expected)
{
  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    expected[i] = (DcTestExpected) { points[i].key, points[i].value };
}

static DcPointInfo *
point_info (guint i)
{
  g_autoptr(JsonObject) p = json_object_new ();
  g_autofree char *code = g_strdup_printf ("%u", points[i].ioa);
  g_autofree char *type = g_strdup_printf ("%u", points[i].type);
  g_autofree char *item = g_strdup_printf ("i%" G_GINT64_FORMAT, points[i].key);

  json_object_set_string_member (p, "device_id", "dev1");
  json_object_set_string_member (p, "term_id", "t1");
  json_object_set_string_member (p, "item_id", item);
  json_object_set_string_member (p, "protocol_code", code);
  json_object_set_string_member (p, "code_type", type);
  return dc_point_info_new_from_json (points[i].key, p);
}

static void
test_fault (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(DcIoPool) pool = dc_io_pool_new (1);
  g_autoptr(GPtrArray) terms = dc_test_terms_new ();
  g_autoptr(GPtrArray) infos = dc_test_points_new ();
  g_autoptr(JsonObject) device = NULL;
  g_autoptr(DcTestProxy) proxy = NULL;
  Sim sim = { { 0 } };
  DcTestSink *sink = dc_test_sink_new ();
  DcTestLinkLog link = { 0 };
  DcTestExpected expected[G_N_ELEMENTS (points)];
  DcTestFlow progress = { sink, &link.state, expected, G_N_ELEMENTS (points), 0 };
  DcDriver *driver;
  gint64 fault_end;

  sim.pool = dc_io_pool_new (1);
  dc_iec104_sim_config_init (&sim.config);
  sim.config.changes_per_s = 0;
  dc_io_invoke_sync (dc_io_pool_get_context (sim.pool, 0), sim_start_cb, &sim);
  proxy = dc_test_proxy_new (dc_iec104_sim_get_port (sim.sim));

  /* General interrogation every second: values keep coming without changes. */
  device = dc_test_device_json ("dev1", "iec104", dc_test_proxy_get_port (proxy), 0, 0);
  json_object_set_double_member (device, "t1", 1);
  json_object_set_double_member (device, "t2", 0.5);
  json_object_set_double_member (device, "t3", 1);
  json_object_set_double_member (device, "gi_s", 1);
  g_ptr_array_add (terms, dc_test_term_json ("t1", 1));
  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    g_ptr_array_add (infos, point_info (i));

  driver = dc_iec104_driver_new ();
  g_signal_connect (driver, "link-changed", G_CALLBACK (dc_test_link_changed_cb), &link);
  dc_driver_set_config (driver, device, terms, infos);
  dc_driver_set_sink (driver, &sink->parent);
  dc_driver_set_io_context (driver, dc_io_pool_get_context (pool, 0));
  expected_init (expected);
  dc_driver_start (driver);
  g_assert_true (dc_test_wait_for (NULL, dc_test_flow_ready, &progress, 20));

  dc_test_proxy_set_fault (proxy, c->fault, c->arg);
  if (c->takes_link_down)
    {
      g_assert_true (dc_test_wait_link (&link, 1, 1, 20));
      g_assert_cmpint (link.state, !=, DC_LINK_UP);
    }
  else
    {
      /* Three interrogations through the fault, the link never down. */
      progress.batches = dc_test_sink_n_batches (sink) + 3;
      g_assert_true (dc_test_wait_for (NULL, dc_test_flow_ready, &progress, 20));
      g_assert_cmpuint (link.n_down, ==, 0);
    }

  dc_test_proxy_set_fault (proxy, DC_TEST_PROXY_PASS, 0);
  fault_end = g_get_monotonic_time ();
  dc_test_sink_reset (sink);
  progress.batches = 0;
  g_assert_true (dc_test_wait_for (NULL, dc_test_flow_ready, &progress, 10));
  g_test_message ("%s: values again %.2f s after the fault ended", c->name,
                  (g_get_monotonic_time () - fault_end) / 1e6);
  g_assert_cmpint (g_get_monotonic_time () - fault_end, <, 3 * G_USEC_PER_SEC);
  dc_test_sink_assert_values (sink, expected, G_N_ELEMENTS (points));

  dc_driver_stop (driver);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (driver);
  g_clear_pointer (&proxy, dc_test_proxy_free);
  dc_io_invoke_sync (dc_io_pool_get_context (sim.pool, 0), sim_stop_cb, &sim);
  dc_io_pool_free (sim.pool);
  g_free (link.last_error);
  dc_test_sink_free (sink);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/dc/iec104/proxy/%s", cases[i].name);

      g_test_add_data_func (path, &cases[i], test_fault);
    }

  return g_test_run ();
}
