/* test-history-pg.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include "dc-engine.h"
#include "dc-protocols.h"
#include "dc-test-pg.h"
#include "dc-test-store.h"
#include "dc-test-wait.h"

/* The PostgreSQL history when the server goes away during ingest (docs/historian-postgresql.md
 * "Lost connection"): killed and restarted, or stopped for 20 s. The engine keeps what the
 * writer cannot take in its backlog; nothing is lost. A real server (tests/lib/dc-test-pg.c). */

#define SEC ((gint64) G_USEC_PER_SEC)
#define N_POINTS 20

typedef struct
{
  DcTestPg  *pg;
  char      *url;
  DcStore   *store;
  DcHistory *history;
  DcEngine  *engine;
  gint64     keys[N_POINTS];
  gint64     t0;
  gint64     tick;
  guint64    ingested;
  guint      timer;
} Fixture;

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "datacoll", NULL);
  g_autofree char *db = g_build_filename (dir, "datacoll.db", NULL);

  /* A server of its own: this test stops and kills it. */
  fx->pg = dc_test_pg_start (&error);
  g_assert_no_error (error);
  fx->url = dc_test_pg_new_database (fx->pg);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  fx->store = dc_store_open (db, &error);
  g_assert_no_error (error);
  fx->history = dc_history_new_postgresql (fx->url, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  dc_test_store_create (fx->store, DC_KIND_DEVICE, "{\"id\":\"v\",\"protocol\":\"virtual\"}");
  dc_test_store_create (fx->store, DC_KIND_TERM, "{\"id\":\"t\",\"device_id\":\"v\"}");
  for (int i = 0; i < N_POINTS; i++)
    {
      g_autofree char *item = g_strdup_printf ("{\"id\":\"i%d\"}", i);
      g_autofree char *point = g_strdup_printf ("{\"term_id\":\"t\",\"item_id\":\"i%d\","
                                                "\"history\":\"all\"}", i);
      g_autofree char *id = g_strdup_printf ("i%d", i);

      dc_test_store_create (fx->store, DC_KIND_ITEM, item);
      dc_test_store_create (fx->store, DC_KIND_POINT, point);
      fx->keys[i] = dc_store_get_point_key (fx->store, "t", id);
    }
  fx->engine = dc_engine_new (fx->store, fx->history);
  /* A small backlog limit: the writer's queue holds 8,192 samples, the rest waits in the
   * engine's backlog. */
  dc_engine_set_backlog_limit (fx->engine, 512 * 1024);
  dc_engine_start (fx->engine);
  fx->t0 = (g_get_real_time () / SEC) * SEC - 600 * SEC;
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_clear_handle_id (&fx->timer, g_source_remove);
  dc_engine_shutdown (fx->engine);
  g_assert_finalize_object (fx->engine);
  dc_test_release_history (fx->history);
  g_assert_finalize_object (fx->store);
  g_free (fx->url);
  dc_test_pg_free (fx->pg);
}

/* One sample of every point each 10 ms (2,000 samples/s), 1 ms apart in sample time. */
static gboolean
ingest_cb (gpointer user_data)
{
  Fixture *fx = user_data;
  DcSample samples[N_POINTS];

  for (int i = 0; i < N_POINTS; i++)
    {
      samples[i].key = fx->keys[i];
      samples[i].time = fx->t0 + fx->tick * 1000;
      samples[i].value = (double) fx->tick;
      samples[i].quality = 0;
    }
  fx->tick++;
  dc_engine_ingest (fx->engine, samples, N_POINTS, 0);
  fx->ingested += N_POINTS;
  return G_SOURCE_CONTINUE;
}

static guint64
history_written (Fixture *fx)
{
  DcHistoryStats stats;

  dc_history_get_stats (fx->history, &stats);
  return stats.written;
}

static guint64
engine_backlog (Fixture *fx)
{
  DcEngineStats stats;

  dc_engine_get_stats (fx->engine, &stats);
  return stats.backlog;
}

/* After the server is back: stop ingesting, wait until the backlog and the writer's queue
 * are empty, then every ingested sample is a row, once. */
static void
assert_nothing_lost (Fixture *fx)
{
  DcEngineStats es;
  DcHistoryStats hs;
  g_autofree char *rows = NULL;
  g_autofree char *distinct = NULL;

  g_clear_handle_id (&fx->timer, g_source_remove);
  DC_TEST_WAIT_UNTIL (engine_backlog (fx) == 0, 120);
  dc_history_sync (fx->history);
  dc_engine_get_stats (fx->engine, &es);
  dc_history_get_stats (fx->history, &hs);
  g_assert_cmpuint (es.accepted, ==, fx->ingested);
  g_assert_cmpuint (es.stored, ==, fx->ingested);
  g_assert_cmpuint (hs.accepted, ==, fx->ingested);
  g_assert_cmpuint (hs.queued, ==, 0);

  rows = dc_test_pg_query (fx->url, "SELECT count(*) FROM samples");
  distinct = dc_test_pg_query (fx->url, "SELECT count(DISTINCT (key, time)) FROM samples");
  g_assert_cmpint (g_ascii_strtoll (rows, NULL, 10), ==, fx->ingested);
  g_assert_cmpint (g_ascii_strtoll (distinct, NULL, 10), ==, fx->ingested);
  for (int i = 0; i < N_POINTS; i++)
    {
      g_autoptr(GArray) samples = dc_test_history_samples (fx->history, fx->keys[i]);

      g_assert_cmpuint (samples->len, ==, fx->tick);
      for (guint k = 0; k < samples->len; k++)
        g_assert_cmpfloat (g_array_index (samples, DcSample, k).value, ==, (double) k);
    }
}

/* SIGKILL to the server and its processes in the middle of ingest, then a restart: what the
 * writer reported written is there, and what it had not written yet is written after. */
static void
test_server_killed (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *rows_after_restart = NULL;
  guint64 reported;

  fx->timer = g_timeout_add (10, ingest_cb, fx);
  DC_TEST_WAIT_UNTIL (history_written (fx) >= 4000, 60);

  dc_test_pg_kill (fx->pg);
  reported = history_written (fx);
  dc_test_pg_restart (fx->pg);

  /* Crash recovery kept every committed row. */
  rows_after_restart = dc_test_pg_query (fx->url, "SELECT count(*) FROM samples");
  g_assert_cmpint (g_ascii_strtoll (rows_after_restart, NULL, 10), >=, reported);

  DC_TEST_WAIT_UNTIL (history_written (fx) >= reported + 4000, 60);
  assert_nothing_lost (fx);
}

/* The server stops for 20 s while samples keep coming: the writer's queue fills, the engine
 * keeps the rest in its backlog (drivers are told to slow down), and after the restart the
 * writer catches up. */
static void
test_server_stopped (Fixture       *fx,
                     gconstpointer  data)
{
  gint64 restart_at;
  guint64 written_while_down;

  fx->timer = g_timeout_add (10, ingest_cb, fx);
  DC_TEST_WAIT_UNTIL (history_written (fx) >= 2000, 60);

  dc_test_pg_stop (fx->pg);
  restart_at = g_get_monotonic_time () + 20 * SEC;
  written_while_down = history_written (fx);
  DC_TEST_WAIT_UNTIL (engine_backlog (fx) > 0, 30);
  g_assert_true (dc_engine_is_congested (fx->engine));
  DC_TEST_WAIT_UNTIL (g_get_monotonic_time () >= restart_at, 30);
  g_assert_cmpuint (history_written (fx), ==, written_while_down);
  g_assert_cmpuint (engine_backlog (fx), >, 10000);
  dc_test_pg_restart (fx->pg);

  DC_TEST_WAIT_UNTIL (history_written (fx) >= written_while_down + 40000, 60);
  assert_nothing_lost (fx);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *reason = NULL;
  g_autofree char *bindir = dc_test_pg_bindir (&reason);

  /* No server binaries: a TAP plan of no tests that says why. */
  if (bindir == NULL)
    {
      g_print ("1..0 # SKIP %s\n", reason);
      return 0;
    }
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_protocols_register_all ();

  g_test_add ("/dc/history-pg/server-killed", Fixture, NULL, fixture_setup, test_server_killed,
              fixture_teardown);
  g_test_add ("/dc/history-pg/server-stopped-20s", Fixture, NULL, fixture_setup,
              test_server_stopped, fixture_teardown);

  return g_test_run ();
}
