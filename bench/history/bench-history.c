/* bench-history.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <math.h>
#include <sqlite3.h>
#include <glib/gstdio.h>
#include <stdio.h>

#include "dc-engine.h"
#include "dc-history.h"
#include "dc-protocols.h"
#include "dc-store.h"

/* Writer rows/s against a raw sqlite batched-insert loop into the same schema, an IEC 104
 * flood (`datacoll-sim iec104 --flood 30`, its own process on another CPU) through the real
 * engine into history `all` next to the raw floor of the same rows, then queries over 10
 * million samples of one point. Run through bench/history/run. */

#define SEC ((gint64) G_USEC_PER_SEC)
#define BATCH 1000

typedef struct
{
  const char *name;
  guint       n_keys;     /* points, one sample each per step */
  gint64      step;       /* µs between samples of one point */
  guint64     n_rows;
} Workload;

static gint64 t_base;

static void
fill_batch (const Workload *w,
            guint64         first,
            DcSample       *out,
            guint           n)
{
  for (guint i = 0; i < n; i++)
    {
      guint64 row = first + i;

      out[i].key = 1 + row % w->n_keys;
      out[i].time = t_base + (gint64) (row / w->n_keys) * w->step;
      out[i].value = sin ((double) row * 0.001) * 100.0;
      out[i].quality = 0;
    }
}

static double
raw_floor (const char     *path,
           const Workload *w)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  DcSample batch[BATCH];
  gint64 start;

  g_remove (path);
  sqlite3_open (path, &db);
  sqlite3_exec (db,
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                "CREATE TABLE samples (key INTEGER NOT NULL, time INTEGER NOT NULL, value REAL,"
                " quality INTEGER NOT NULL, PRIMARY KEY (key, time)) WITHOUT ROWID;",
                NULL, NULL, NULL);
  sqlite3_prepare_v2 (db, "INSERT OR REPLACE INTO samples VALUES (?1, ?2, ?3, ?4)", -1, &st,
                      NULL);
  start = g_get_monotonic_time ();
  for (guint64 row = 0; row < w->n_rows; row += BATCH)
    {
      fill_batch (w, row, batch, BATCH);
      sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
      for (guint i = 0; i < BATCH; i++)
        {
          sqlite3_bind_int64 (st, 1, batch[i].key);
          sqlite3_bind_int64 (st, 2, batch[i].time);
          sqlite3_bind_double (st, 3, batch[i].value);
          sqlite3_bind_int64 (st, 4, batch[i].quality);
          sqlite3_step (st);
          sqlite3_reset (st);
        }
      sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
    }
  sqlite3_finalize (st);
  sqlite3_close (db);
  return w->n_rows / ((g_get_monotonic_time () - start) / 1e6);
}

static double
history_rate (const char     *path,
              const Workload *w,
              DcHistory     **keep)
{
  g_autoptr(GError) error = NULL;
  DcHistory *h;
  DcSample batch[BATCH];
  gint64 start;

  if (keep == NULL || *keep == NULL)
    {
      g_remove (path);
      h = dc_history_new (path, &error);
      g_assert_no_error (error);
      dc_history_sync (h);   /* the start-up retention pass */
    }
  else
    h = *keep;

  start = g_get_monotonic_time ();
  for (guint64 row = 0; row < w->n_rows; row += BATCH)
    {
      fill_batch (w, row, batch, BATCH);
      while (!dc_history_push (h, batch, BATCH, NULL))
        {
          /* Wait for room the way a caller without a main loop can. */
          DcHistoryStats stats;

          do
            {
              g_usleep (200);
              dc_history_get_stats (h, &stats);
            }
          while (stats.queued > 100000);
        }
    }
  dc_history_sync (h);
  {
    double rate = w->n_rows / ((g_get_monotonic_time () - start) / 1e6);

    if (keep != NULL)
      *keep = h;
    else
      g_object_unref (h);
    return rate;
  }
}

typedef struct
{
  GAsyncResult *result;
} Wait;

static JsonArray *
array_from (GString *json)
{
  g_autoptr(JsonNode) node = json_from_string (json->str, NULL);

  g_assert_nonnull (node);
  return json_array_ref (json_node_get_array (node));
}

/* The whole ingest path: engine (history mode all, live table, listeners) → writer. */
static double
engine_rate (const char     *dir,
             const Workload *w)
{
  g_autofree char *db = g_build_filename (dir, "datacoll.db", NULL);
  g_autofree char *hdb = g_build_filename (dir, "engine-history.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DcStore) store = dc_store_open (db, &error);
  g_autoptr(DcHistory) history = NULL;
  g_autoptr(DcEngine) engine = NULL;
  g_autoptr(GString) items = g_string_new ("[");
  g_autoptr(GString) points = g_string_new ("[");
  g_autoptr(JsonArray) item_array = NULL;
  g_autoptr(JsonArray) point_array = NULL;
  g_autoptr(JsonObject) device = json_object_new ();
  g_autoptr(JsonObject) term = json_object_new ();
  g_autofree gint64 *keys = g_new (gint64, w->n_keys);
  DcSample batch[BATCH];
  DcHistoryStats stats;
  gint64 start;

  g_assert_no_error (error);
  json_object_set_string_member (device, "id", "v");
  json_object_set_string_member (device, "protocol", "virtual");
  dc_store_create (store, DC_KIND_DEVICE, device, &error);
  g_assert_no_error (error);
  json_object_set_string_member (term, "id", "t");
  json_object_set_string_member (term, "device_id", "v");
  dc_store_create (store, DC_KIND_TERM, term, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < w->n_keys; i++)
    {
      g_string_append_printf (items, "%s{\"id\":\"i%u\"}", i ? "," : "", i);
      g_string_append_printf (points, "%s{\"device_id\":\"v\",\"term_id\":\"t\","
                              "\"item_id\":\"i%u\",\"history\":\"all\"}", i ? "," : "", i);
    }
  g_string_append_c (items, ']');
  g_string_append_c (points, ']');
  item_array = array_from (items);
  point_array = array_from (points);
  dc_store_create_batch (store, DC_KIND_ITEM, item_array, &error);
  g_assert_no_error (error);
  dc_store_create_batch (store, DC_KIND_POINT, point_array, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < w->n_keys; i++)
    {
      g_autofree char *item = g_strdup_printf ("i%u", i);

      keys[i] = dc_store_get_point_key (store, "t", item);
    }

  history = dc_history_new (hdb, &error);
  g_assert_no_error (error);
  dc_history_sync (history);
  engine = dc_engine_new (store, history);
  dc_engine_start (engine);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  start = g_get_monotonic_time ();
  for (guint64 row = 0; row < w->n_rows; row += BATCH)
    {
      fill_batch (w, row, batch, BATCH);
      for (guint i = 0; i < BATCH; i++)
        batch[i].key = keys[batch[i].key - 1];
      dc_engine_ingest (engine, batch, BATCH, DC_INGEST_NONE);
      /* Backpressure: the writer's ::ready drains the engine's backlog. */
      while (dc_engine_is_congested (engine))
        g_main_context_iteration (NULL, TRUE);
    }
  dc_history_sync (history);
  dc_history_get_stats (history, &stats);
  g_assert_cmpuint (stats.written, ==, w->n_rows);
  {
    double rate = w->n_rows / ((g_get_monotonic_time () - start) / 1e6);

    dc_engine_shutdown (engine);
    return rate;
  }
}

static double
load_average (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    return -1;
  return g_ascii_strtod (text, NULL);
}

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* `datacoll-sim iec104 --flood 30` ($DATACOLL_SIM, pinned to CPU 0 when there are two) sends
 * @n_objects floats over @n_points points into the engine, history `all`: rows/s from the
 * start until the last row is committed, and whether every object is a row. */
static void
flood_bench (const char *dir,
             guint       n_points,
             guint64     n_objects)
{
  g_autofree char *db = g_build_filename (dir, "flood.db", NULL);
  g_autofree char *hdb = g_build_filename (dir, "flood-history.db", NULL);
  g_autofree char *raw_path = g_build_filename (dir, "flood-raw.db", NULL);
  g_autofree char *floats = g_strdup_printf ("%u", n_points);
  g_autofree char *count = g_strdup_printf ("%" G_GUINT64_FORMAT, n_objects);
  const char *sim_path = g_getenv ("DATACOLL_SIM");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) sim = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(DcStore) store = NULL;
  g_autoptr(DcHistory) history = NULL;
  g_autoptr(DcEngine) engine = NULL;
  g_autofree gint64 *keys = g_new (gint64, n_points);
  Workload raw_load = { "flood", n_points, SEC / 1000, n_objects };
  DcHistoryStats hstats;
  DcEngineStats stats;
  guint64 max_backlog = 0, rows;
  double raw, rate, load_before = load_average ();
  gint64 start;
  guint port = 0, tick;

  if (sim_path == NULL)
    {
      printf ("iec104 flood: DATACOLL_SIM is not set (bench/history/run sets it), skipped\n");
      return;
    }
  /* The raw floor of the same rows (points, count, batches of 1000) in the same run. */
  raw = raw_floor (raw_path, &raw_load);

  if (g_get_num_processors () >= 2)
    {
      g_ptr_array_add (argv, (char *) "taskset");
      g_ptr_array_add (argv, (char *) "-c");
      g_ptr_array_add (argv, (char *) "0");
    }
  g_ptr_array_add (argv, (char *) sim_path);
  for (const char *const *a = (const char *const[]) { "iec104", "--port", "0", "--bind",
                                                      "127.0.0.1", "--flood", "30", "--floats",
                                                      floats, "--flood-count", count, NULL };
       *a != NULL; a++)
    g_ptr_array_add (argv, (char *) *a);
  g_ptr_array_add (argv, NULL);
  sim = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                           &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sim));
  while (port == 0)
    {
      g_autofree char *line = g_data_input_stream_read_line (out, NULL, NULL, &error);
      const char *p;

      g_assert_nonnull (line);
      if ((p = strstr (line, "listening on 127.0.0.1 port ")) != NULL)
        port = atoi (p + strlen ("listening on 127.0.0.1 port "));
    }

  dc_protocols_register_all ();
  store = dc_store_open (db, &error);
  g_assert_no_error (error);
  {
    g_autofree char *device = g_strdup_printf ("{\"id\":\"rtu\",\"protocol\":\"iec104\","
                                               "\"ip\":\"127.0.0.1\",\"port\":%u}", port);
    g_autoptr(GString) items = g_string_new ("[");
    g_autoptr(GString) points = g_string_new ("[");
    g_autoptr(JsonNode) dn = json_from_string (device, NULL);
    g_autoptr(JsonNode) tn = json_from_string ("{\"id\":\"t\",\"device_id\":\"rtu\","
                                               "\"protocol\":\"iec104\",\"address\":1}", NULL);
    g_autoptr(JsonArray) item_array = NULL;
    g_autoptr(JsonArray) point_array = NULL;

    dc_store_create (store, DC_KIND_DEVICE, json_node_get_object (dn), &error);
    g_assert_no_error (error);
    dc_store_create (store, DC_KIND_TERM, json_node_get_object (tn), &error);
    g_assert_no_error (error);
    for (guint i = 0; i < n_points; i++)
      {
        g_string_append_printf (items, "%s{\"id\":\"f%u\"}", i ? "," : "", i);
        g_string_append_printf (points, "%s{\"term_id\":\"t\",\"item_id\":\"f%u\","
                                "\"protocol_code\":%u,\"code_type\":13,\"history\":\"all\"}",
                                i ? "," : "", i, 4001 + i);
      }
    g_string_append_c (items, ']');
    g_string_append_c (points, ']');
    item_array = array_from (items);
    point_array = array_from (points);
    dc_store_create_batch (store, DC_KIND_ITEM, item_array, &error);
    g_assert_no_error (error);
    dc_store_create_batch (store, DC_KIND_POINT, point_array, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < n_points; i++)
      {
        g_autofree char *item = g_strdup_printf ("f%u", i);

        keys[i] = dc_store_get_point_key (store, "t", item);
      }
  }
  history = dc_history_new (hdb, &error);
  g_assert_no_error (error);
  dc_history_sync (history);
  engine = dc_engine_new (store, history);

  start = g_get_monotonic_time ();
  dc_engine_start (engine);
  tick = g_timeout_add (10, tick_cb, NULL);
  for (;;)
    {
      gboolean all = TRUE;

      g_main_context_iteration (NULL, TRUE);
      dc_engine_get_stats (engine, &stats);
      max_backlog = MAX (max_backlog, stats.backlog_bytes);
      for (guint j = 0; j < n_points && all; j++)
        {
          guint64 last = n_objects - 1 - ((n_objects - 1 - j) % n_points);
          DcSample live;

          all = j >= n_objects ||
                (dc_engine_get_live (engine, keys[j], &live) &&
                 live.value == (double) (last % 100000) * 0.5);
        }
      if (all)
        break;
    }
  g_source_remove (tick);
  dc_engine_shutdown (engine);
  dc_history_sync (history);
  rate = 0;
  dc_history_get_stats (history, &hstats);
  rows = hstats.written - hstats.replaced;
  rate = rows / ((g_get_monotonic_time () - start) / 1e6);
  dc_engine_get_stats (engine, &stats);
  printf ("iec104 flood, %u points, 30 floats per ASDU: %" G_GUINT64_FORMAT " objects sent, %"
          G_GUINT64_FORMAT " received, %" G_GUINT64_FORMAT " rows (%" G_GUINT64_FORMAT
          " replaced)\n", n_points, n_objects, stats.received, rows, hstats.replaced);
  printf ("  end to end %9.0f rows/s  raw sqlite floor %9.0f rows/s  ratio %.2f  backlog at "
          "most %" G_GUINT64_FORMAT " KiB (limit %" G_GUINT64_FORMAT " KiB)\n",
          rate, raw, rate / raw, max_backlog / 1024, stats.backlog_limit / 1024);
  {
    double load_after = load_average ();

    printf ("  load average %.2f before, %.2f after%s\n", load_before, load_after,
            MAX (load_before, load_after) >= 1.5 ? ": NOISY, the machine was not quiet" : "");
  }
  g_subprocess_force_exit (sim);
  g_subprocess_wait (sim, NULL, NULL);
  g_clear_object (&engine);
  g_clear_object (&history);
  g_clear_object (&store);
  for (guint i = 0; i < 12; i++)
    {
      static const char *names[] = { "flood.db", "flood.db.lock", "flood.db-wal", "flood.db-shm",
                                     "flood-history.db", "flood-history.db-wal",
                                     "flood-history.db-shm", "flood-raw.db", "flood-raw.db-wal",
                                     "flood-raw.db-shm", "datacoll.db.lock", "flood.db-journal" };
      g_autofree char *f = g_build_filename (dir, names[i], NULL);

      g_remove (f);
    }
}

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  ((Wait *) user_data)->result = g_object_ref (result);
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median_ms (double *v,
           guint   n)
{
  qsort (v, n, sizeof (double), compare_double);
  return v[n / 2];
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = g_dir_make_tmp ("bench-history-XXXXXX", NULL);
  g_autofree char *raw_path = g_build_filename (dir, "raw.db", NULL);
  g_autofree char *hist_path = g_build_filename (dir, "datacoll-history.db", NULL);
  guint64 big = argc > 1 ? g_ascii_strtoull (argv[1], NULL, 10) : 10000000;
  Workload loads[] = {
    { "1000 points at 1 Hz", 1000, SEC, 500000 },
    { "1 point at 10 Hz", 1, SEC / 10, 1000000 },
  };
  Workload one = { "10M samples, 1 point at 10 Hz", 1, SEC / 10, big };
  DcHistory *h = NULL;
  double bucket_ms[9], limit_ms[9], raw_ms[3];
  guint n_buckets = 0;

  t_base = (g_get_real_time () / SEC - 200 * 86400) * SEC;
  printf ("load average %.2f at the start (figures are noisy above 1.5)\n", load_average ());

  /* The writer alone, for an instruction count of its thread (docs/performance.md, "History
   * writer: group commit"): BENCH_WRITER=paced|behind bench-history N under valgrind
   * --tool=callgrind --toggle-collect=dc_history_writer_thread. 1,000 points, N samples in
   * batches of 1,000; paced: each batch committed before the next is pushed (a writer that
   * keeps up); behind: the writer held by the test hook while everything is queued. */
  if (g_getenv ("BENCH_WRITER") != NULL)
    {
#if DC_TEST_BUILD
      gboolean behind = g_str_equal (g_getenv ("BENCH_WRITER"), "behind");
      g_autoptr(GError) error = NULL;
      DcSample batch[BATCH];
      DcHistoryStats st;
      /* Periods aligned, so that every run closes the same rollup rows. */
      gint64 t0 = (g_get_real_time () / SEC / 10000 * 10000 - 200 * 86400) * SEC;

      h = dc_history_new (hist_path, &error);
      g_assert_no_error (error);
      dc_history_sync (h);
      dc_history_set_max_wait (h, 600000);
      if (behind)
        dc_history_set_throttle (h, 20 * G_USEC_PER_SEC);
      for (guint64 row = 0; row < big; row += BATCH)
        {
          for (guint i = 0; i < BATCH; i++)
            {
              batch[i].key = 1 + (row + i) % 1000;
              batch[i].time = t0 + (gint64) ((row + i) / 1000) * SEC;
              batch[i].value = sin ((double) (row + i) * 0.001) * 100.0;
              batch[i].quality = 0;
            }
          if (!dc_history_push (h, batch, BATCH, &error))
            g_error ("%s", error->message);
          if (!behind)
            dc_history_sync (h);
        }
      dc_history_set_throttle (h, 0);
      dc_history_sync (h);
      dc_history_get_stats (h, &st);
      printf ("writer %" G_GUINT64_FORMAT " samples in %" G_GUINT64_FORMAT " transactions, "
              "largest batch in flight %" G_GUINT64_FORMAT "\n", st.written, st.batches,
              st.max_queued);
      g_object_unref (h);
      g_remove (hist_path);
      g_rmdir (dir);
      return 0;
#else
      g_printerr ("BENCH_WRITER needs a build with -Dtest_hooks=true\n");
      return 1;
#endif
    }
  if (g_getenv ("BENCH_FLOOD_ONLY") != NULL)
    {
      flood_bench (dir, 100, big);
      g_rmdir (dir);
      return 0;
    }
  flood_bench (dir, 100, 1500000);

  for (guint i = 0; i < G_N_ELEMENTS (loads); i++)
    {
      double raw = raw_floor (raw_path, &loads[i]);
      double ours = history_rate (hist_path, &loads[i], NULL);

      printf ("writer %-22s raw sqlite %9.0f rows/s  DcHistory %9.0f rows/s  ratio %.2f\n",
              loads[i].name, raw, ours, ours / raw);
    }

  {
    double alone = history_rate (hist_path, &loads[0], NULL);
    double full = engine_rate (dir, &loads[0]);

    printf ("engine ingest path %-18s DcHistory alone %9.0f rows/s  engine end to end %9.0f "
            "rows/s  ratio %.2f\n", loads[0].name, alone, full, full / alone);
  }

  {
    double ours = history_rate (hist_path, &one, &h);

    printf ("writer %-22s DcHistory %9.0f rows/s\n", one.name, ours);
  }

  {
    gint64 from = t_base, to = t_base + (gint64) (big / 1) * (SEC / 10);

    for (guint r = 0; r < G_N_ELEMENTS (bucket_ms); r++)
      {
        Wait w = { 0 };
        g_autoptr(GArray) buckets = NULL;
        gint64 start = g_get_monotonic_time ();

        dc_history_query_buckets_async (h, 1, from, to, 1000, NULL, done_cb, &w);
        while (w.result == NULL)
          g_main_context_iteration (NULL, TRUE);
        buckets = dc_history_query_buckets_finish (h, w.result, NULL);
        bucket_ms[r] = (g_get_monotonic_time () - start) / 1000.0;
        n_buckets = buckets->len;
        g_object_unref (w.result);
      }
    for (guint r = 0; r < G_N_ELEMENTS (limit_ms); r++)
      {
        Wait w = { 0 };
        g_autoptr(GArray) samples = NULL;
        gint64 start = g_get_monotonic_time ();

        dc_history_query_samples_async (h, 1, G_MININT64, G_MAXINT64, 1000, NULL, done_cb, &w);
        while (w.result == NULL)
          g_main_context_iteration (NULL, TRUE);
        samples = dc_history_query_samples_finish (h, w.result, NULL, NULL);
        limit_ms[r] = (g_get_monotonic_time () - start) / 1000.0;
        g_object_unref (w.result);
      }
    /* Floor for comparison: the same buckets from the samples table, no rollups. */
    {
      sqlite3 *db = NULL;
      sqlite3_stmt *st = NULL;

      sqlite3_open (hist_path, &db);
      sqlite3_prepare_v2 (db, "SELECT (time-?1)/?2 AS b, min(value), max(value), avg(value),"
                          " count(*) FROM samples WHERE key=1 AND time>=?1 AND time<?3"
                          " GROUP BY b", -1, &st, NULL);
      for (guint r = 0; r < G_N_ELEMENTS (raw_ms); r++)
        {
          gint64 start = g_get_monotonic_time ();

          sqlite3_bind_int64 (st, 1, from);
          sqlite3_bind_int64 (st, 2, (to - from) / 1000);
          sqlite3_bind_int64 (st, 3, to);
          while (sqlite3_step (st) == SQLITE_ROW)
            ;
          sqlite3_reset (st);
          raw_ms[r] = (g_get_monotonic_time () - start) / 1000.0;
        }
      sqlite3_finalize (st);
      sqlite3_close (db);
    }
    printf ("buckets=1000 over %" G_GUINT64_FORMAT " samples: %.1f ms median (%u buckets; "
            "GROUP BY over the samples table: %.0f ms, target <= 100 ms)\n",
            big, median_ms (bucket_ms, G_N_ELEMENTS (bucket_ms)), n_buckets,
            median_ms (raw_ms, G_N_ELEMENTS (raw_ms)));
    printf ("datas?limit=1000 at that size: %.2f ms median\n",
            median_ms (limit_ms, G_N_ELEMENTS (limit_ms)));
  }

  g_object_unref (h);
  g_remove (raw_path);
  g_remove (hist_path);
  {
    g_autofree char *wal = g_strconcat (hist_path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (hist_path, "-shm", NULL);
    g_autofree char *rwal = g_strconcat (raw_path, "-wal", NULL);
    g_autofree char *rshm = g_strconcat (raw_path, "-shm", NULL);

    g_remove (wal);
    g_remove (shm);
    g_remove (rwal);
    g_remove (rshm);
    for (guint i = 0; i < 5; i++)
      {
        static const char *names[] = { "datacoll.db", "datacoll.db.lock", "datacoll.db-wal",
                                       "datacoll.db-shm", "engine-history.db" };
        g_autofree char *f = g_build_filename (dir, names[i], NULL);

        g_remove (f);
      }
    for (guint i = 0; i < 2; i++)
      {
        g_autofree char *f = g_strconcat (dir, "/engine-history.db", i ? "-shm" : "-wal", NULL);

        g_remove (f);
      }
  }
  g_rmdir (dir);
  return 0;
}
