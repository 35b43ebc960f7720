/* test-engine-flood.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Every value received is stored exactly once, in order per point (issue 22, docs/history.md
 * "One row per value"): the real engine with history `all` in a sqlite file, fed by
 * `datacoll-sim iec104 --flood` ($DATACOLL_SIM, a separate process, real sockets) that sends a
 * known number of objects; by Modbus polling of `datacoll-sim modbus`; and by API writes.
 * And the backlog between the drivers and the history file stays within its byte limit
 * while the writer is slow, with nothing lost.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <signal.h>

#include "dc-engine.h"
#include "dc-iec104-driver.h"
#include "dc-protocols.h"

#include "dc-test-sim.h"
#include "dc-test-store.h"
#include "dc-test-wait.h"

#define N_FLOATS 30

typedef struct
{
  DcStore   *store;
  DcHistory *history;
  DcEngine  *engine;
} Fixture;

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  dc_protocols_register_all ();
  dc_test_open_store_and_history (&fx->store, &fx->history);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  if (fx->engine != NULL)
    {
      dc_engine_shutdown (fx->engine);
      g_assert_finalize_object (fx->engine);
    }
  dc_test_release_history (fx->history);
  g_assert_finalize_object (fx->store);
}

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GArray *
stored (Fixture *fx,
        gint64   key)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GArray *samples;

  dc_history_query_samples_async (fx->history, key, G_MININT64, G_MAXINT64, 0, NULL,
                                  result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  samples = dc_history_query_samples_finish (fx->history, result, NULL, &error);
  g_assert_no_error (error);
  return samples;
}

static void
assert_increasing (GArray *rows)
{
  for (guint i = 1; i < rows->len; i++)
    g_assert_cmpint (g_array_index (rows, DcSample, i - 1).time, <,
                     g_array_index (rows, DcSample, i).time);
}

static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);  /* a failing test leaves no simulator behind */
}

/* `datacoll-sim iec104 ARGS…` on a free port; returns the port. */
static GSubprocess *
spawn_iec104_sim (guint16     *port,
                  const char  *first_arg,
                  ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  GSubprocess *process;
  va_list ap;

  g_ptr_array_add (argv, (char *) g_getenv ("DATACOLL_SIM"));
  g_assert_nonnull (argv->pdata[0]);
  g_ptr_array_add (argv, (char *) "iec104");
  g_ptr_array_add (argv, (char *) "--port");
  g_ptr_array_add (argv, (char *) "0");
  g_ptr_array_add (argv, (char *) "--bind");
  g_ptr_array_add (argv, (char *) "127.0.0.1");
  va_start (ap, first_arg);
  for (const char *a = first_arg; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (out, NULL, NULL, &error);
      const char *p;

      g_assert_no_error (error);
      g_assert_nonnull (line);
      if (g_str_has_prefix (line, "datacoll-sim iec104: listening on ") &&
          (p = strstr (line, " port ")) != NULL)
        {
          *port = (guint16) atoi (p + strlen (" port "));
          break;
        }
    }
  return process;
}

static void
kill_sim (GSubprocess *process)
{
  g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, NULL);
  g_object_unref (process);
}

/* A device "rtu" at @port, term "t1" (CA 1), items f0… at IOA 4001… (M_ME_NC_1), history all. */
static GArray *
create_iec104_points (Fixture *fx,
                      guint16  port)
{
  g_autofree char *device = g_strdup_printf ("{\"id\": \"rtu\", \"protocol\": \"iec104\", "
                                             "\"ip\": \"127.0.0.1\", \"port\": %u}", port);
  GArray *keys = g_array_new (FALSE, FALSE, sizeof (gint64));

  dc_test_store_create (fx->store, DC_KIND_DEVICE, device);
  dc_test_store_create (fx->store, DC_KIND_TERM,
                        "{\"id\": \"t1\", \"device_id\": \"rtu\", \"protocol\": \"iec104\", "
                        "\"address\": 1}");
  for (guint j = 0; j < N_FLOATS; j++)
    {
      g_autofree char *item = g_strdup_printf ("{\"id\": \"f%u\"}", j);
      g_autofree char *point = g_strdup_printf ("{\"term_id\": \"t1\", \"item_id\": \"f%u\", "
                                                "\"protocol_code\": %u, \"code_type\": 13, "
                                                "\"history\": \"all\"}", j, 4001 + j);
      g_autofree char *item_id = g_strdup_printf ("f%u", j);
      gint64 key;

      dc_test_store_create (fx->store, DC_KIND_ITEM, item);
      dc_test_store_create (fx->store, DC_KIND_POINT, point);
      key = dc_store_get_point_key (fx->store, "t1", item_id);
      g_assert_cmpint (key, >, 0);
      g_array_append_val (keys, key);
    }
  return keys;
}

/* The live value of every point is the last one the flood of @n objects sent it. */
static gboolean
flood_arrived (Fixture *fx,
               GArray  *keys,
               guint    n)
{
  dc_engine_flush (fx->engine);
  for (guint j = 0; j < N_FLOATS; j++)
    {
      guint last = n - N_FLOATS + j;
      DcSample live;

      if (!dc_engine_get_live (fx->engine, g_array_index (keys, gint64, j), &live) ||
          live.value != (double) last * 0.5)
        return FALSE;
    }
  return TRUE;
}

/* Object i of the flood went to point i % N_FLOATS with the value i / 2: every one of them
 * is a row, once, in the order sent. Rows between them are the GI answers' (the simulator's
 * initial value of the point, 100 + 10 j: the flood does not change it). */
static void
assert_flood_stored (Fixture *fx,
                     GArray  *keys,
                     guint    n)
{
  guint64 rows = 0, others = 0;

  for (guint j = 0; j < N_FLOATS; j++)
    {
      g_autoptr(GArray) got = stored (fx, g_array_index (keys, gint64, j));
      guint next = j;

      assert_increasing (got);
      for (guint r = 0; r < got->len; r++)
        {
          double v = g_array_index (got, DcSample, r).value;

          if (next < n && v == (double) next * 0.5)
            next += N_FLOATS;
          else if (v == 100.0 + 10.0 * j)
            others++;   /* the answer to a general interrogation: the simulator's value */
          else
            {
              /* A flood value twice, or one out of order. */
              for (guint q = r < 3 ? 0 : r - 3; q < MIN (got->len, r + 3); q++)
                g_test_message ("row %u: time %" G_GINT64_FORMAT " value %g", q,
                                g_array_index (got, DcSample, q).time,
                                g_array_index (got, DcSample, q).value);
              g_error ("point %u, row %u: value %g, expected %g (the flood's object %u)",
                       j, r, v, next * 0.5, next);
            }
        }
      if (next < n)
        g_error ("point %u: the flood's object %u (value %g) is not stored; %u rows", j, next,
                 next * 0.5, got->len);
      rows += got->len;
    }
  g_test_message ("%u flood objects, %" G_GUINT64_FORMAT " rows (%" G_GUINT64_FORMAT
                  " from GI answers)", n, rows, others);
  g_assert_cmpuint (rows, ==, n + others);
}

static void
assert_counted (Fixture *fx,
                guint64  rows)
{
  DcEngineStats stats;
  DcHistoryStats hstats;

  dc_engine_get_stats (fx->engine, &stats);
  dc_history_get_stats (fx->history, &hstats);
  g_test_message ("engine: received %" G_GUINT64_FORMAT ", accepted %" G_GUINT64_FORMAT
                  ", restamped %" G_GUINT64_FORMAT ", stored %" G_GUINT64_FORMAT
                  "; history: written %" G_GUINT64_FORMAT ", replaced %" G_GUINT64_FORMAT,
                  stats.received, stats.accepted, stats.restamped, stats.stored,
                  hstats.written, hstats.replaced);
  g_assert_cmpuint (stats.accepted, ==, stats.received);
  g_assert_cmpuint (stats.stored, ==, stats.accepted);
  g_assert_cmpuint (hstats.written, ==, stats.stored);
  g_assert_cmpuint (hstats.replaced, ==, 0);
  g_assert_cmpuint (hstats.queued, ==, 0);
  if (rows > 0)
    g_assert_cmpuint (hstats.written, ==, rows);
}

static guint64
count_rows (Fixture *fx,
            GArray  *keys)
{
  guint64 rows = 0;

  for (guint j = 0; j < keys->len; j++)
    {
      g_autoptr(GArray) got = stored (fx, g_array_index (keys, gint64, j));
      rows += got->len;
    }
  return rows;
}

/* 30 floats per ASDU, one value of each point per ASDU: one socket read holds several values
 * of each point, all without a time tag. */
static void
test_iec104_flood (Fixture       *fx,
                   gconstpointer  data)
{
  const guint n = N_FLOATS * 1000;
  g_autofree char *count = g_strdup_printf ("%u", n);
  g_autoptr(GArray) keys = NULL;
  GSubprocess *sim;
  DcIec104DriverStats dstats;
  DcEngineStats stats;
  guint16 port = 0;

  sim = spawn_iec104_sim (&port, "--floats", "30", "--flood", "30", "--flood-count", count,
                          NULL);
  keys = create_iec104_points (fx, port);
  fx->engine = dc_engine_new (fx->store, fx->history);
  dc_engine_start (fx->engine);

  DC_TEST_WAIT_UNTIL (flood_arrived (fx, keys, n), 60);
  dc_iec104_driver_get_stats (DC_IEC104_DRIVER (dc_engine_drivers_get_driver (
                                dc_engine_get_drivers (fx->engine), "rtu")), &dstats);
  dc_engine_shutdown (fx->engine);
  dc_history_sync (fx->history);

  assert_flood_stored (fx, keys, n);
  assert_counted (fx, count_rows (fx, keys));
  dc_engine_get_stats (fx->engine, &stats);
  /* Socket to row: every object the driver decoded reached the engine. */
  g_assert_cmpuint (dstats.samples, ==, stats.received);
  g_assert_cmpuint (stats.restamped, >, 0);
  kill_sim (sim);
}

/* The same flood while the history writer is slow and the backlog limit small: the drivers
 * are held back (IEC 104 holds its acknowledgements, the outstation's k window closes), the
 * samples in memory stay within the limit, and still every object is stored once. */
static void
test_backlog_bounded (Fixture       *fx,
                      gconstpointer  data)
{
  const guint n = N_FLOATS * 500;
  const guint64 limit = 256 * 1024;
  g_autofree char *count = g_strdup_printf ("%u", n);
  g_autoptr(GArray) keys = NULL;
  GSubprocess *sim;
  DcIec104DriverStats dstats;
  DcEngineStats stats;
  guint64 max_bytes = 0;
  guint16 port = 0;
  guint tick;

  sim = spawn_iec104_sim (&port, "--floats", "30", "--flood", "30", "--flood-count", count,
                          NULL);
  keys = create_iec104_points (fx, port);
  fx->engine = dc_engine_new (fx->store, fx->history);
  dc_engine_set_backlog_limit (fx->engine, limit);
  dc_history_set_throttle (fx->history, 10000);
  dc_engine_start (fx->engine);

  /* Watch the backlog at every wakeup (sink batches, the writer's ::ready, a 5 ms tick). */
  tick = g_timeout_add (5, dc_test_heartbeat_cb, NULL);
  for (gint64 deadline = g_get_monotonic_time () + 90 * G_USEC_PER_SEC;
       !flood_arrived (fx, keys, n);)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
      dc_engine_get_stats (fx->engine, &stats);
      max_bytes = MAX (max_bytes, stats.backlog_bytes);
    }
  g_source_remove (tick);
  dc_iec104_driver_get_stats (DC_IEC104_DRIVER (dc_engine_drivers_get_driver (
                                dc_engine_get_drivers (fx->engine), "rtu")), &dstats);
  g_test_message ("backlog at most %" G_GUINT64_FORMAT " bytes (limit %" G_GUINT64_FORMAT
                  "), %" G_GUINT64_FORMAT " acknowledgements held", max_bytes, limit,
                  dstats.acks_held);
  g_assert_cmpuint (stats.backlog_limit, ==, limit);
  g_assert_cmpuint (max_bytes, >, 0);
  g_assert_cmpuint (max_bytes, <=, limit);
  /* The flood is 480 KB of samples: without the hold it would all be in memory. */
  g_assert_cmpuint (dstats.acks_held, >, 0);

  dc_history_set_throttle (fx->history, 0);
  dc_engine_shutdown (fx->engine);
  dc_history_sync (fx->history);
  assert_flood_stored (fx, keys, n);
  assert_counted (fx, count_rows (fx, keys));
  dc_engine_get_stats (fx->engine, &stats);
  g_assert_cmpuint (stats.backlog_bytes, ==, 0);
  kill_sim (sim);
}

/* Modbus polling: each poll's value of the point is a row. */
static void
test_modbus_polls (Fixture       *fx,
                   gconstpointer  data)
{
  DcTestSim *sim = dc_test_sim_spawn ("--port", "0", NULL);
  g_autofree char *device = g_strdup_printf ("{\"id\": \"m\", \"protocol\": \"modbus_tcp\", "
                                             "\"ip\": \"127.0.0.1\", \"port\": %u, "
                                             "\"poll_ms\": 1}", sim->ports[0]);
  g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) got = NULL;
  DcEngineStats stats;
  gint64 key;

  dc_test_store_create (fx->store, DC_KIND_DEVICE, device);
  dc_test_store_create (fx->store, DC_KIND_TERM,
                        "{\"id\": \"t1\", \"device_id\": \"m\", \"address\": 1}");
  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\": \"r0\"}");
  dc_test_store_create (fx->store, DC_KIND_POINT,
                        "{\"term_id\": \"t1\", \"item_id\": \"r0\", \"protocol_code\": 0, "
                        "\"code_type\": \"hr:u16\", \"history\": \"all\"}");
  key = dc_store_get_point_key (fx->store, "t1", "r0");
  g_array_append_val (keys, key);
  fx->engine = dc_engine_new (fx->store, fx->history);
  dc_engine_start (fx->engine);

  DC_TEST_WAIT_UNTIL ((dc_engine_flush (fx->engine), dc_engine_get_stats (fx->engine, &stats),
                       stats.received >= 500), 60);
  dc_engine_shutdown (fx->engine);
  dc_history_sync (fx->history);

  got = stored (fx, key);
  dc_engine_get_stats (fx->engine, &stats);
  g_test_message ("%" G_GUINT64_FORMAT " polls, %u rows", stats.received, got->len);
  g_assert_cmpuint (got->len, ==, stats.received);
  assert_increasing (got);
  assert_counted (fx, got->len);
  dc_test_sim_kill (sim);
}

typedef struct
{
  guint  done;
  GError *error;
} CtrlCount;

static void
ctrl_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  CtrlCount *c = user_data;
  g_autoptr(GError) error = NULL;

  if (!dc_engine_drivers_ctrl_finish (DC_ENGINE_DRIVERS (object), result, NULL, &error) &&
      c->error == NULL)
    c->error = g_steal_pointer (&error);
  c->done++;
}

/* API writes: a burst of device_ctrl on a virtual point (each stamped when it is applied),
 * and samples written with one and the same time: every one is a row, in order. */
static void
test_api_writes (Fixture       *fx,
                 gconstpointer  data)
{
  const guint n = 300;
  CtrlCount c = { 0 };
  g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) got = NULL;
  g_autoptr(GArray) same = NULL;
  DcSample burst[5];
  gint64 key, key2, t;

  dc_test_store_create (fx->store, DC_KIND_DEVICE, "{\"id\": \"v\", \"protocol\": \"virtual\"}");
  dc_test_store_create (fx->store, DC_KIND_TERM, "{\"id\": \"t1\", \"device_id\": \"v\"}");
  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\": \"sp\"}");
  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\": \"sp2\"}");
  dc_test_store_create (fx->store, DC_KIND_POINT,
                        "{\"term_id\": \"t1\", \"item_id\": \"sp\", \"history\": \"all\"}");
  dc_test_store_create (fx->store, DC_KIND_POINT,
                        "{\"term_id\": \"t1\", \"item_id\": \"sp2\", \"history\": \"all\"}");
  key = dc_store_get_point_key (fx->store, "t1", "sp");
  key2 = dc_store_get_point_key (fx->store, "t1", "sp2");
  g_array_append_val (keys, key);
  g_array_append_val (keys, key2);
  fx->engine = dc_engine_new (fx->store, fx->history);
  dc_engine_start (fx->engine);

  for (guint i = 0; i < n; i++)
    dc_engine_drivers_ctrl_async (dc_engine_get_drivers (fx->engine), "v", "t1", "sp", i,
                                  "test", NULL, NULL, NULL, ctrl_done_cb, &c);
  DC_TEST_WAIT_UNTIL (c.done == n, 60);
  g_assert_no_error (c.error);

  t = g_get_real_time ();
  for (guint i = 0; i < G_N_ELEMENTS (burst); i++)
    burst[i] = (DcSample) { key2, t, i, 0 };
  dc_engine_ingest (fx->engine, burst, G_N_ELEMENTS (burst), DC_INGEST_API);
  for (guint i = 0; i < G_N_ELEMENTS (burst); i++)
    dc_engine_ingest (fx->engine, &burst[i], 1, DC_INGEST_API);
  dc_history_sync (fx->history);

  got = stored (fx, key);
  g_assert_cmpuint (got->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat (g_array_index (got, DcSample, i).value, ==, i);
  assert_increasing (got);

  same = stored (fx, key2);
  g_assert_cmpuint (same->len, ==, 2 * G_N_ELEMENTS (burst));
  for (guint i = 0; i < same->len; i++)
    {
      g_assert_cmpfloat (g_array_index (same, DcSample, i).value, ==, i % G_N_ELEMENTS (burst));
      g_assert_cmpint (g_array_index (same, DcSample, i).time, ==, t + i);
    }
  assert_counted (fx, count_rows (fx, keys));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/dc/engine/flood/iec104", Fixture, NULL, fixture_setup, test_iec104_flood,
              fixture_teardown);
  g_test_add ("/dc/engine/flood/backlog-bounded", Fixture, NULL, fixture_setup,
              test_backlog_bounded, fixture_teardown);
  g_test_add ("/dc/engine/flood/modbus-polls", Fixture, NULL, fixture_setup, test_modbus_polls,
              fixture_teardown);
  g_test_add ("/dc/engine/flood/api-writes", Fixture, NULL, fixture_setup, test_api_writes,
              fixture_teardown);

  return g_test_run ();
}
