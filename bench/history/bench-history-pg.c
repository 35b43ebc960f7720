/* bench-history-pg.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <glib/gstdio.h>

#include "bench-history-common.h"
#include "dc-test-pg.h"

/* The PostgreSQL history (docs/historian-postgresql.md) against a raw libpq COPY loop into the
 * same schema, in the same run, with the sqlite backend's figures for the same workloads
 * beside them; then buckets=1000 and datas?limit=1000 over N samples of one point on both.
 * The server is started here in a temporary folder (tests/lib/dc-test-pg.c). Run through
 * bench/history/run-pg. Every line carries the load average (noisy above 1.5). */

#define DAY (86400 * SEC)

static void
put32 (GByteArray *b,
       guint32     v)
{
  guint32 be = GUINT32_TO_BE (v);

  g_byte_array_append (b, (const guint8 *) &be, 4);
}

static void
put64 (GByteArray *b,
       guint64     v)
{
  guint64 be = GUINT64_TO_BE (v);

  g_byte_array_append (b, (const guint8 *) &be, 8);
}

static void
exec_ok (PGconn     *conn,
         const char *sql)
{
  PGresult *res = PQexec (conn, sql);

  if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQresultErrorMessage (res));
  PQclear (res);
}

/* The floor: the schema made by DcHistory (partitions of the workload's days made before the
 * clock starts), then per batch of 1,000 rows BEGIN, COPY … FROM STDIN (FORMAT binary),
 * COMMIT — the writer's work without its queue, thread hand-off and rollups. */
static double
raw_copy (const char     *url,
          const Workload *w)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DcHistory) h = dc_history_new_postgresql (url, NULL, NULL, NULL, &error);
  g_autoptr(GByteArray) buf = g_byte_array_sized_new (BATCH * 48 + 32);
  static const guint8 signature[11] = { 'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r', '\n', 0 };
  DcSample batch[BATCH];
  gint64 last = bench_t_base + (gint64) (w->n_rows / w->n_keys) * w->step;
  PGconn *conn;
  gint64 start;

  g_assert_no_error (error);
  g_clear_object (&h);
  conn = PQconnectdb (url);
  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  for (gint64 day = bench_t_base / DAY; day <= last / DAY; day++)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (day * 86400);
      g_autofree char *name = g_date_time_format (dt, "samples_p%Y%m%d");
      g_autofree char *sql = g_strdup_printf ("CREATE TABLE IF NOT EXISTS %s PARTITION OF samples"
                                              " FOR VALUES FROM (%" G_GINT64_FORMAT ") TO (%"
                                              G_GINT64_FORMAT ")", name, day * DAY,
                                              (day + 1) * DAY);

      exec_ok (conn, sql);
    }

  start = g_get_monotonic_time ();
  for (guint64 row = 0; row < w->n_rows; row += BATCH)
    {
      PGresult *res;

      bench_fill_batch (w, row, batch, BATCH);
      g_byte_array_set_size (buf, 0);
      g_byte_array_append (buf, signature, sizeof signature);
      put32 (buf, 0);
      put32 (buf, 0);
      for (guint i = 0; i < BATCH; i++)
        {
          guint64 bits;
          guint16 n = GUINT16_TO_BE (4);

          memcpy (&bits, &batch[i].value, sizeof bits);
          g_byte_array_append (buf, (const guint8 *) &n, 2);
          put32 (buf, 8);
          put64 (buf, (guint64) batch[i].key);
          put32 (buf, 8);
          put64 (buf, (guint64) batch[i].time);
          put32 (buf, 8);
          put64 (buf, bits);
          put32 (buf, 4);
          put32 (buf, batch[i].quality);
        }
      {
        guint16 trailer = 0xffff;

        g_byte_array_append (buf, (const guint8 *) &trailer, 2);
      }
      exec_ok (conn, "BEGIN");
      res = PQexec (conn, "COPY samples (key, time, value, quality) FROM STDIN (FORMAT binary)");
      g_assert_cmpint (PQresultStatus (res), ==, PGRES_COPY_IN);
      PQclear (res);
      g_assert_cmpint (PQputCopyData (conn, (const char *) buf->data, buf->len), ==, 1);
      g_assert_cmpint (PQputCopyEnd (conn, NULL), ==, 1);
      while ((res = PQgetResult (conn)) != NULL)
        {
          if (PQresultStatus (res) != PGRES_COMMAND_OK)
            g_error ("COPY: %s", PQresultErrorMessage (res));
          PQclear (res);
        }
      exec_ok (conn, "COMMIT");
    }
  {
    double rate = w->n_rows / ((g_get_monotonic_time () - start) / 1e6);

    PQfinish (conn);
    return rate;
  }
}

/* DcHistory (either backend) fed in batches of 1,000 until everything is committed. */
static double
history_rate (DcHistory      *h,
              const Workload *w)
{
  DcHistoryStats stats;
  double rate;

  dc_history_sync (h);   /* the start-up retention pass */
  rate = bench_push_rate (h, w);
  dc_history_get_stats (h, &stats);
  g_assert_cmpuint (stats.written, ==, w->n_rows);
  return rate;
}

static DcHistory *
open_sqlite (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, "bench-history.db", NULL);
  DcHistory *h;

  bench_remove_sqlite (path);
  h = dc_history_new (path, &error);
  g_assert_no_error (error);
  return h;
}

static DcHistory *
open_pg (const char *url)
{
  g_autoptr(GError) error = NULL;
  DcHistory *h = dc_history_new_postgresql (url, NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  return h;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-history-pg-XXXXXX", NULL);
  g_autofree char *reason = NULL;
  g_autofree char *bindir = dc_test_pg_bindir (&reason);
  guint64 big = argc > 1 ? g_ascii_strtoull (argv[1], NULL, 10) : 10000000;
  Workload loads[] = {
    { "1000 points at 1 Hz", 1000, SEC, 500000 },
    { "1 point at 10 Hz", 1, SEC / 10, 1000000 },
  };
  Workload one = { "1 point at 10 Hz", 1, SEC / 10, big };
  g_autoptr(DcTestPg) pg = NULL;

  if (bindir == NULL)
    {
      g_printerr ("%s\n", reason);
      return 77;
    }
  bench_t_base = (g_get_real_time () / SEC - 200 * 86400) * SEC;
  pg = dc_test_pg_start (&error);
  g_assert_no_error (error);
  printf ("load average %.2f at the start (figures are noisy above 1.5)\n",
          bench_load_average ());

  for (guint i = 0; i < G_N_ELEMENTS (loads); i++)
    {
      g_autofree char *raw_url = dc_test_pg_new_database (pg);
      g_autofree char *url = dc_test_pg_new_database (pg);
      g_autoptr(DcHistory) pgh = open_pg (url);
      g_autoptr(DcHistory) sqh = open_sqlite (dir);
      double raw = raw_copy (raw_url, &loads[i]);
      double ours = history_rate (pgh, &loads[i]);
      double lite = history_rate (sqh, &loads[i]);

      printf ("writer %-20s raw COPY %9.0f rows/s  PostgreSQL DcHistory %9.0f rows/s  ratio %.2f"
              " (>= 0.7)  sqlite DcHistory %9.0f rows/s  [load %.2f%s]\n",
              loads[i].name, raw, ours, ours / raw, lite, bench_load_average (),
              bench_noisy ());
    }

  {
    g_autofree char *url = dc_test_pg_new_database (pg);
    g_autoptr(DcHistory) pgh = open_pg (url);
    g_autoptr(DcHistory) sqh = open_sqlite (dir);
    double pg_rate = history_rate (pgh, &one);
    double sq_rate = history_rate (sqh, &one);
    double pg_b, pg_l, sq_b, sq_l;
    guint pg_n, sq_n;

    bench_query_medians (pgh, &one, &pg_b, &pg_l, &pg_n);
    bench_query_medians (sqh, &one, &sq_b, &sq_l, &sq_n);
    g_assert_cmpuint (pg_n, ==, sq_n);
    printf ("writer %" G_GUINT64_FORMAT " samples, %s: PostgreSQL %9.0f rows/s  sqlite %9.0f"
            " rows/s  [load %.2f%s]\n", big, one.name, pg_rate, sq_rate, bench_load_average (),
            bench_noisy ());
    printf ("buckets=1000 over %" G_GUINT64_FORMAT " samples: PostgreSQL %.1f ms  sqlite %.1f ms"
            " median of 9 (%u buckets, target <= 100 ms)  [load %.2f%s]\n", big, pg_b, sq_b,
            pg_n, bench_load_average (), bench_noisy ());
    printf ("datas?limit=1000 at that size: PostgreSQL %.2f ms  sqlite %.2f ms median of 9"
            "  [load %.2f%s]\n", pg_l, sq_l, bench_load_average (), bench_noisy ());
  }

  {
    g_autofree char *path = g_build_filename (dir, "bench-history.db", NULL);

    bench_remove_sqlite (path);
    g_rmdir (dir);
  }
  return 0;
}
