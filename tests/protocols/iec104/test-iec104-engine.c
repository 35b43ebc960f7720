/* test-iec104-engine.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The IEC 104 driver inside the real engine (store, history, DcEngineDrivers) against the demo
 * substation RTU (`sub1` of docs/demo.md) running in-process on its own thread: live values
 * from the GI, a select-before-operate breaker command at its own command address with the
 * breaker's feedback, and communication lost when the outstation goes away.
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "dc-engine.h"
#include "dc-error.h"
#include "dc-io-pool.h"
#include "dc-iec104-driver.h"
#include "dc-iec104-sim.h"

#include "dc-test-store.h"

typedef struct
{
  DcIoPool     *pool;
  DcIec104Sim  *sim;
  DcEngine     *engine;
  gboolean      done;
  double        confirmed;
  GError       *error;
} Fixture;

static gboolean
sim_start_cb (gpointer data)
{
  Fixture *f = data;
  DcIec104SimConfig config;
  g_autoptr(GError) error = NULL;

  dc_iec104_sim_config_init (&config);
  config.demo = TRUE;
  f->sim = dc_iec104_sim_new (&config, dc_io_pool_get_context (f->pool, 0), &error);
  g_assert_no_error (error);
  return G_SOURCE_REMOVE;
}

static gboolean
sim_stop_cb (gpointer data)
{
  Fixture *f = data;

  g_clear_pointer (&f->sim, dc_iec104_sim_free);
  return G_SOURCE_REMOVE;
}

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

typedef gboolean (*Cond) (Fixture *f, gconstpointer data);

static gboolean
wait_for (Fixture       *f,
          Cond           cond,
          gconstpointer  data,
          double         seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  g_autoptr(GSource) tick = g_timeout_source_new (20);
  gboolean ok = TRUE;

  g_source_set_callback (tick, tick_cb, NULL, NULL);
  g_source_attach (tick, NULL);
  while (!cond (f, data))
    {
      if (g_get_monotonic_time () > deadline)
        {
          ok = FALSE;
          break;
        }
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_destroy (tick);
  return ok;
}

static gint64
key_of (Fixture    *f,
        const char *item)
{
  return dc_store_get_point_key (dc_engine_get_store (f->engine), "t1", item);
}

typedef struct
{
  const char *item;
  double      value;      /* NAN: any good value */
  guint32     quality_mask;
} LiveWant;

static gboolean
live_is (Fixture *f, gconstpointer data)
{
  const LiveWant *w = data;
  DcSample s;

  if (!dc_engine_get_live (f->engine, key_of (f, w->item), &s))
    return FALSE;
  if (w->quality_mask != 0)
    return (s.quality & w->quality_mask) == w->quality_mask;
  return s.quality == 0 && (isnan (w->value) || s.value == w->value);
}

static gboolean
real_time_after (Fixture *f, gconstpointer data)
{
  return g_get_real_time () > *(const gint64 *) data + 2000;
}

static gboolean
is_done (Fixture *f, gconstpointer data)
{
  return f->done;
}

static void
ctrl_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Fixture *f = user_data;

  dc_driver_ctrl_finish (DC_DRIVER (source), result, &f->confirmed, &f->error);
  f->done = TRUE;
}

static void
test_demo_substation (void)
{
  Fixture fx = { 0 }, *f = &fx;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "engine-test", NULL);
  g_autofree char *config_path = g_build_filename (dir, "config.db", NULL);
  g_autofree char *history_path = g_build_filename (dir, "history.db", NULL);
  g_autofree char *device = NULL;
  g_autoptr(DcStore) store = NULL;
  g_autoptr(DcHistory) history = NULL;
  DcDriver *driver;
  LiveWant current = { "f1_current", NAN, 0 };
  LiveWant breaker_on = { "f1_breaker", 2, 0 };
  LiveWant breaker_off = { "f1_breaker", 1, 0 };
  LiveWant lost = { "f1_current", NAN, DC_QUALITY_COMM_LOST };
  const DcPointInfo *cmd;
  DcSample s;
  gint64 gi_time;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  dc_iec104_driver_register ();
  f->pool = dc_io_pool_new (1);
  dc_io_invoke_sync (dc_io_pool_get_context (f->pool, 0), sim_start_cb, f);

  store = dc_store_open (config_path, &error);
  g_assert_no_error (error);
  history = dc_history_new (history_path, &error);
  g_assert_no_error (error);

  device = g_strdup_printf ("{\"id\": \"sub1\", \"name\": \"Substation 1 RTU\", \"protocol\": "
                            "\"iec104\", \"ip\": \"127.0.0.1\", \"port\": %u}",
                            dc_iec104_sim_get_port (f->sim));
  dc_test_store_create (store, DC_KIND_DEVICE, device);
  dc_test_store_create (store, DC_KIND_TERM,
                        "{\"id\": \"t1\", \"device_id\": \"sub1\", \"protocol\": \"iec104\", "
                        "\"address\": 1}");
  dc_test_store_create (store, DC_KIND_ITEM, "{\"id\": \"f1_current\", \"unit\": \"A\"}");
  dc_test_store_create (store, DC_KIND_ITEM, "{\"id\": \"f1_breaker\"}");
  dc_test_store_create (store, DC_KIND_ITEM, "{\"id\": \"f1_breaker_cmd\"}");
  dc_test_store_create (store, DC_KIND_ITEM, "{\"id\": \"busbar_kv\", \"unit\": \"kV\"}");
  dc_test_store_create (store, DC_KIND_POINT, "{\"term_id\": \"t1\", \"item_id\": \"f1_current\", "
                                              "\"protocol_code\": 4001, \"code_type\": 13}");
  dc_test_store_create (store, DC_KIND_POINT, "{\"term_id\": \"t1\", \"item_id\": \"f1_breaker\", "
                                              "\"protocol_code\": 1001, \"code_type\": 31}");
  dc_test_store_create (store, DC_KIND_POINT,
                        "{\"term_id\": \"t1\", \"item_id\": \"f1_breaker_cmd\", "
                        "\"protocol_code\": 11001, \"code_type\": 46}");
  dc_test_store_create (store, DC_KIND_POINT, "{\"term_id\": \"t1\", \"item_id\": \"busbar_kv\", "
                                              "\"protocol_code\": 4007, \"code_type\": 13}");

  f->engine = dc_engine_new (store, history);
  dc_engine_start (f->engine);

  /* GI: the feeder current is a plausible positive value, the breaker is on. */
  g_assert_true (wait_for (f, live_is, &current, 10));
  g_assert_true (dc_engine_get_live (f->engine, key_of (f, "f1_current"), &s));
  g_assert_cmpfloat (s.value, >, 10);
  g_assert_cmpfloat (s.value, <, 500);
  g_assert_true (wait_for (f, live_is, &breaker_on, 10));
  g_assert_true (dc_engine_get_live (f->engine, key_of (f, "busbar_kv"), &s));
  g_assert_cmpfloat (fabs (s.value - 10.0), <, 0.5);

  /* The GI answer (no time tag) carries the receive time in µs, the feedback the station's CP56
   * time in ms: command a little later so that the feedback is not older than the live value
   * (the engine's late-sample rule). */
  g_assert_true (dc_engine_get_live (f->engine, key_of (f, "f1_breaker"), &s));
  gi_time = s.time;
  g_assert_true (wait_for (f, real_time_after, &gi_time, 5));

  /* Open the breaker through its command address (select-before-operate). */
  driver = dc_engine_drivers_get_driver (dc_engine_get_drivers (f->engine), "sub1");
  g_assert_nonnull (driver);
  g_assert_true (DC_IS_IEC104_DRIVER (driver));
  cmd = dc_engine_get_point (f->engine, key_of (f, "f1_breaker_cmd"));
  g_assert_nonnull (cmd);
  dc_driver_ctrl_async (driver, cmd, 1, g_get_monotonic_time () + 5 * G_USEC_PER_SEC,
                        NULL, NULL, NULL, ctrl_done_cb, f);
  g_assert_true (wait_for (f, is_done, NULL, 10));
  g_assert_no_error (f->error);
  g_assert_cmpfloat (f->confirmed, ==, 1);
  if (!wait_for (f, live_is, &breaker_off, 10))
    {
      g_autoptr(GPtrArray) frames = dc_traffic_get_frames (dc_driver_get_traffic (driver), 0, 1000);

      for (guint i = 0; i < frames->len; i++)
        {
          const DcTrafficFrame *fr = g_ptr_array_index (frames, i);
          g_autofree char *sum = dc_driver_decode_frame (driver, fr, NULL, NULL);

          g_printerr ("%s %s\n", fr->incoming ? "rx" : "tx", sum);
        }
      dc_engine_get_live (f->engine, key_of (f, "f1_breaker"), &s);
      g_error ("breaker live %g q %x time %" G_GINT64_FORMAT, s.value, s.quality, s.time);
    }

  /* The outstation goes away: the engine marks the device's points communication-lost. */
  dc_io_invoke_sync (dc_io_pool_get_context (f->pool, 0), sim_stop_cb, f);
  g_assert_true (wait_for (f, live_is, &lost, 10));

  dc_engine_shutdown (f->engine);
  g_clear_object (&f->engine);
  dc_io_pool_free (f->pool);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/dc/iec104/engine/demo-substation", test_demo_substation);

  return g_test_run ();
}
