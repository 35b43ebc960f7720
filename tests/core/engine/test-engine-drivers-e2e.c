/* test-engine-drivers-e2e.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * End to end: 10,000 points over 50 Modbus TCP devices polled from the in-process simulator
 * (real sockets, the engine's I/O threads), through the engine into the history, with every
 * sample counted at each stage and cross-checked against the simulator's request count; and
 * device_ctrl writes while the polling is busy, each confirmed and found in the simulator.
 */

#include "config.h"

#include <string.h>

#include "dc-engine.h"
#include "dc-error.h"
#include "dc-history.h"
#include "dc-io-pool.h"
#include "dc-modbus-server.h"
#include "dc-protocols.h"
#include "dc-store.h"

#include "dc-test-store.h"
#include "dc-test-wait.h"

#define N_DEVICES 50
#define N_POINTS_PER_DEVICE 200
#define N_POINTS (N_DEVICES * N_POINTS_PER_DEVICE)
#define N_CTRLS 20

#define WAIT_UNTIL(cond) DC_TEST_WAIT_UNTIL (cond, 50)

typedef struct
{
  DcIoPool    *pool;
  DcModbusSim *sim;
  GError      *error;
} SimThread;

static gboolean
sim_start_cb (gpointer data)
{
  SimThread *st = data;
  DcModbusSimOptions options = { 0, };

  options.port = 0;
  options.n_ports = 1;
  options.n_registers = 1000;
  st->sim = dc_modbus_sim_start (&options, dc_io_pool_get_context (st->pool, 0), &st->error);

  return G_SOURCE_REMOVE;
}

static gboolean
sim_stop_cb (gpointer data)
{
  SimThread *st = data;

  g_clear_pointer (&st->sim, dc_modbus_sim_stop);

  return G_SOURCE_REMOVE;
}

static gboolean
all_up (DcEngine *engine)
{
  for (guint d = 0; d < N_DEVICES; d++)
    {
      g_autofree char *id = g_strdup_printf ("m%u", d);

      if (dc_engine_drivers_get_state (dc_engine_get_drivers (engine), id) != DC_LINK_UP)
        return FALSE;
    }

  return TRUE;
}

typedef struct
{
  gboolean done;
  gboolean ok;
  DcSample sample;
  GError  *error;
} CtrlResult;

static void
ctrl_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  CtrlResult *r = user_data;

  r->ok = dc_engine_drivers_ctrl_finish (DC_ENGINE_DRIVERS (object), result, &r->sample, &r->error);
  r->done = TRUE;
}

static guint
n_ctrls_done (CtrlResult *results)
{
  guint n = 0;

  for (guint i = 0; i < N_CTRLS; i++)
    n += results[i].done;

  return n;
}

/* Whether the live table shows every written value (polled back from the simulator). */
static gboolean
ctrl_values_live (DcEngine *engine,
                  GArray   *keys)
{
  dc_engine_flush (engine);
  for (guint i = 0; i < N_CTRLS; i++)
    {
      gint64 key = g_array_index (keys, gint64, i * 2 * N_POINTS_PER_DEVICE + 10 + i);
      DcSample live;

      if (!dc_engine_get_live (engine, key, &live) || live.value != 1000 + i)
        return FALSE;
    }

  return TRUE;
}

typedef struct
{
  gint64 total;
  guint  pending;
  gint64 per_key[N_POINTS];
} Counts;

typedef struct
{
  Counts *counts;
  guint   index;
} CountJob;

static void
count_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  CountJob *job = user_data;
  g_autoptr(GError) error = NULL;
  gint64 n = dc_history_count_finish (DC_HISTORY (object), result, &error);

  g_assert_no_error (error);
  job->counts->per_key[job->index] = n;
  job->counts->total += n;
  job->counts->pending--;
  g_free (job);
}

static void
test_e2e (void)
{
  g_autofree char *db = g_build_filename (g_get_user_data_dir (), "e2e.db", NULL);
  g_autofree char *history_db = g_build_filename (g_get_user_data_dir (), "e2e-history.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DcStore) store = NULL;
  g_autoptr(DcHistory) history = NULL;
  g_autoptr(DcEngine) engine = NULL;
  g_autoptr(JsonArray) items = json_array_new ();
  g_autoptr(JsonArray) points = json_array_new ();
  g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (gint64));
  SimThread st = { 0, };
  CtrlResult ctrls[N_CTRLS];
  DcEngineStats stats;
  DcHistoryStats hstats;
  Counts *counts;
  guint64 requests;
  guint port;

  memset (ctrls, 0, sizeof ctrls);
  g_mkdir_with_parents (g_get_user_data_dir (), 0700);

  /* The simulator on its own thread. */
  st.pool = dc_io_pool_new (1);
  dc_io_invoke_sync (dc_io_pool_get_context (st.pool, 0), sim_start_cb, &st);
  g_assert_no_error (st.error);
  port = dc_modbus_sim_get_port (st.sim, 0);

  dc_protocols_register_all ();
  store = dc_store_open (db, &error);
  g_assert_no_error (error);
  dc_test_store_attach_audit (store);
  for (guint d = 0; d < N_DEVICES; d++)
    {
      g_autofree char *device = g_strdup_printf ("{\"id\": \"m%u\", \"protocol\": \"modbus_tcp\", "
                                                 "\"ip\": \"127.0.0.1\", \"port\": %u, "
                                                 "\"poll_ms\": 200, \"timeout_ms\": 5000}", d, port);
      g_autofree char *term = g_strdup_printf ("{\"id\": \"u%u\", \"device_id\": \"m%u\", \"address\": 1}", d, d);
      g_autoptr(JsonNode) node = json_from_string (device, NULL);
      g_autoptr(JsonNode) term_node = json_from_string (term, NULL);

      dc_store_create (store, DC_KIND_DEVICE, json_node_get_object (node), &error);
      g_assert_no_error (error);
      dc_store_create (store, DC_KIND_TERM, json_node_get_object (term_node), &error);
      g_assert_no_error (error);
    }
  for (guint i = 0; i < N_POINTS_PER_DEVICE; i++)
    {
      JsonObject *item = json_object_new ();
      g_autofree char *id = g_strdup_printf ("r%u", i);

      json_object_set_string_member (item, "id", id);
      json_array_add_object_element (items, item);
    }
  dc_store_create_batch (store, DC_KIND_ITEM, items, &error);
  g_assert_no_error (error);
  for (guint d = 0; d < N_DEVICES; d++)
    for (guint i = 0; i < N_POINTS_PER_DEVICE; i++)
      {
        JsonObject *point = json_object_new ();
        g_autofree char *term = g_strdup_printf ("u%u", d);
        g_autofree char *item = g_strdup_printf ("r%u", i);

        g_autofree char *device = g_strdup_printf ("m%u", d);

        json_object_set_string_member (point, "device_id", device);
        json_object_set_string_member (point, "term_id", term);
        json_object_set_string_member (point, "item_id", item);
        json_object_set_int_member (point, "protocol_code", i);
        json_object_set_string_member (point, "code_type", "hr:u16");
        json_object_set_string_member (point, "history", "all");
        json_array_add_object_element (points, point);
      }
  dc_store_create_batch (store, DC_KIND_POINT, points, &error);
  g_assert_no_error (error);

  for (guint d = 0; d < N_DEVICES; d++)
    for (guint i = 0; i < N_POINTS_PER_DEVICE; i++)
      {
        g_autofree char *term = g_strdup_printf ("u%u", d);
        g_autofree char *item = g_strdup_printf ("r%u", i);
        gint64 key = dc_store_get_point_key (store, term, item);

        g_assert_cmpint (key, >, 0);
        g_array_append_val (keys, key);
      }

  history = dc_history_new (history_db, &error);
  g_assert_no_error (error);
  engine = dc_engine_new (store, history);
  dc_engine_start (engine);

  WAIT_UNTIL (all_up (engine));

  /* Writes while every device is polling: each to its own device and register. */
  WAIT_UNTIL ((dc_engine_get_stats (engine, &stats), stats.received >= 2 * N_POINTS));
  for (guint i = 0; i < N_CTRLS; i++)
    {
      g_autofree char *device = g_strdup_printf ("m%u", i * 2);
      g_autofree char *term = g_strdup_printf ("u%u", i * 2);
      g_autofree char *item = g_strdup_printf ("r%u", 10 + i);

      dc_engine_drivers_ctrl_async (dc_engine_get_drivers (engine), device, term, item,
                                    1000 + i, "e2e", NULL, NULL, NULL, ctrl_done_cb, &ctrls[i]);
    }
  WAIT_UNTIL (n_ctrls_done (ctrls) == N_CTRLS);
  for (guint i = 0; i < N_CTRLS; i++)
    {
      guint16 value = 0;

      g_assert_no_error (ctrls[i].error);
      g_assert_true (ctrls[i].ok);
      g_assert_cmpfloat (ctrls[i].sample.value, ==, 1000 + i);
      g_assert_true (dc_modbus_sim_get_value (st.sim, 0, 1, DC_MODBUS_TABLE_HR, 10 + i, &value));
      g_assert_cmpuint (value, ==, 1000 + i);
    }

  /* The written values come back through polling too. */
  WAIT_UNTIL (ctrl_values_live (engine, keys));

  /* Poll a while longer, then stop: drivers stop, the engine ingests what is queued and
   * hands everything to the history, the writer commits it all. */
  WAIT_UNTIL ((dc_engine_get_stats (engine, &stats), stats.received >= 8 * N_POINTS));
  dc_engine_shutdown (engine);
  requests = dc_modbus_sim_get_requests (st.sim, DC_MODBUS_FC_READ_HOLDING_REGISTERS);
  dc_history_sync (history);

  dc_engine_get_stats (engine, &stats);
  dc_history_get_stats (history, &hstats);
  g_test_message ("received %" G_GUINT64_FORMAT ", stored %" G_GUINT64_FORMAT
                  ", written %" G_GUINT64_FORMAT ", FC3 requests %" G_GUINT64_FORMAT,
                  stats.received, stats.stored, hstats.written, requests);

  /* Every sample the drivers delivered was accepted and stored (history "all"). */
  g_assert_cmpuint (stats.received, >=, 8 * N_POINTS);
  g_assert_cmpuint (stats.received, ==, stats.accepted);
  g_assert_cmpuint (stats.unknown, ==, 0);
  g_assert_cmpuint (stats.not_stored, ==, 0);
  g_assert_cmpuint (stats.stored, ==, stats.accepted);
  g_assert_cmpuint (stats.backlog, ==, 0);
  g_assert_cmpuint (hstats.written, ==, stats.stored);
  g_assert_cmpuint (hstats.queued, ==, 0);
  /* Whole polls only: a multiple of the points per device. */
  g_assert_cmpuint (stats.received % N_POINTS_PER_DEVICE, ==, 0);

  /* The peer's view: each poll of 200 registers is two requests (125 + 75); requests still in
   * flight at the stop were not answered, and the 20 read-backs of the writes are one each. */
  g_assert_cmpuint (stats.received / N_POINTS_PER_DEVICE * 2, <=, requests);
  g_assert_cmpuint (stats.received / N_POINTS_PER_DEVICE * 2 + 2 * N_DEVICES + N_CTRLS, >=, requests);

  /* And the history file holds them: every point, equally often per device. */
  counts = g_new0 (Counts, 1);
  for (guint i = 0; i < N_POINTS; i++)
    {
      CountJob *job = g_new0 (CountJob, 1);

      job->counts = counts;
      job->index = i;
      counts->pending++;
      dc_history_count_async (history, g_array_index (keys, gint64, i), G_MININT64, G_MAXINT64,
                              NULL, count_done_cb, job);
    }
  WAIT_UNTIL (counts->pending == 0);
  g_assert_cmpint (counts->total, ==, (gint64) hstats.written);
  for (guint d = 0; d < N_DEVICES; d++)
    for (guint i = 1; i < N_POINTS_PER_DEVICE; i++)
      g_assert_cmpint (counts->per_key[d * N_POINTS_PER_DEVICE + i], ==,
                       counts->per_key[d * N_POINTS_PER_DEVICE]);
  g_free (counts);

  /* Every control was recorded. */
  {
    g_autoptr(GPtrArray) record = dc_test_audit_rows (store, "control.result", NULL);

    g_assert_cmpuint (record->len, ==, N_CTRLS);
  }

  g_clear_object (&engine);
  g_clear_object (&history);
  dc_io_invoke_sync (dc_io_pool_get_context (st.pool, 0), sim_stop_cb, &st);
  dc_io_pool_free (st.pool);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/dc/engine/e2e-10k-points", test_e2e);

  return g_test_run ();
}
