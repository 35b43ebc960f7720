/* test-history.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <unistd.h>

#include "dc-error.h"
#include "dc-history-private.h"
#if HAVE_LIBPQ
#include "dc-test-pg.h"
#endif
#include "dc-time.h"

#define SEC ((gint64) G_USEC_PER_SEC)

static const char *self_exe;

/* Recent times, so the writer's start-up retention pass (365 days) keeps them. */
static gint64
base_time (void)
{
  return (g_get_real_time () / (1000 * SEC)) * (1000 * SEC) - (gint64) 30 * 86400 * SEC;
}

static char *
db_path (void)
{
  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  return g_build_filename (g_get_user_data_dir (), "datacoll-history.db", NULL);
}

/* Every case runs on both backends with the same assertions (docs/history.md "Backends"). */
typedef struct
{
  const char *name;
  gboolean    pg;
} Backend;

static const Backend backends[] = {
  { "sqlite", FALSE },
  { "postgresql", TRUE },
};

/* The current case's database: the sqlite file or the PostgreSQL URL. */
static char *location;

/* A fresh database for the case; FALSE when the case is skipped (no PostgreSQL binaries). */
static gboolean
begin_case (const Backend *b)
{
  g_clear_pointer (&location, g_free);
  if (!b->pg)
    {
      location = db_path ();
      return TRUE;
    }
#if HAVE_LIBPQ
  {
    DcTestPg *pg = dc_test_pg_get_shared ();

    if (pg == NULL)
      return FALSE;
    location = dc_test_pg_new_database (pg);
    return TRUE;
  }
#else
  g_test_skip ("built with -Dlibpq=disabled");
  return FALSE;
#endif
}

static DcHistory *
open_at (const Backend *b,
         const char    *where,
         GError       **error)
{
  if (b->pg)
    return dc_history_new_postgresql (where, NULL, NULL, NULL, error);
  return dc_history_new (where, error);
}

static DcHistory *
history_open (const Backend *b,
              GError       **error)
{
  return open_at (b, location, error);
}

typedef struct
{
  GAsyncResult *result;
} Wait;

static void
ready_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Wait *w = user_data;

  w->result = g_object_ref (result);
}

static GAsyncResult *
wait_result (Wait *w)
{
  while (w->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return w->result;
}

static GArray *
get_samples (DcHistory *h,
             gint64     key,
             gint64     from,
             gint64     to,
             guint      limit,
             gboolean  *truncated)
{
  Wait w = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  GArray *samples;

  dc_history_query_samples_async (h, key, from, to, limit, NULL, ready_cb, &w);
  res = wait_result (&w);
  samples = dc_history_query_samples_finish (h, res, truncated, &error);
  g_assert_no_error (error);
  return samples;
}

static gint64
get_count (DcHistory *h,
           gint64     key)
{
  Wait w = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  gint64 n;

  dc_history_count_async (h, key, G_MININT64, G_MAXINT64, NULL, ready_cb, &w);
  res = wait_result (&w);
  n = dc_history_count_finish (h, res, &error);
  g_assert_no_error (error);
  return n;
}

static gboolean
get_index (DcHistory *h,
           gint64     key,
           gint64     index,
           DcSample  *sample,
           GError   **error)
{
  Wait w = { 0 };
  g_autoptr(GAsyncResult) res = NULL;

  dc_history_query_index_async (h, key, index, NULL, ready_cb, &w);
  res = wait_result (&w);
  return dc_history_query_index_finish (h, res, sample, error);
}

static GArray *
get_buckets (DcHistory *h,
             gint64     key,
             gint64     from,
             gint64     to,
             guint      n)
{
  Wait w = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  GArray *buckets;

  dc_history_query_buckets_async (h, key, from, to, n, NULL, ready_cb, &w);
  res = wait_result (&w);
  buckets = dc_history_query_buckets_finish (h, res, &error);
  g_assert_no_error (error);
  return buckets;
}

static void
push (DcHistory *h,
      GArray    *batch)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (dc_history_push (h, (DcSample *) batch->data, batch->len, &error));
  g_assert_no_error (error);
}

static void
push_one (DcHistory *h,
          gint64     key,
          gint64     time,
          double     value,
          guint32    quality)
{
  DcSample s = { key, time, value, quality };
  g_autoptr(GError) error = NULL;

  g_assert_true (dc_history_push (h, &s, 1, &error));
  g_assert_no_error (error);
}

/* Batches, same-key replace, queries and read-your-writes. */
static void
test_basic (gconstpointer data)
{
  const Backend *be = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DcHistory) h = NULL;
  g_autoptr(GArray) batch = g_array_new (FALSE, FALSE, sizeof (DcSample));
  g_autoptr(GArray) all = NULL;
  g_autoptr(GArray) last3 = NULL;
  DcHistoryStats stats;
  gint64 t0 = base_time ();
  gboolean truncated;
  DcSample s;

  if (!begin_case (be))
    return;
  h = history_open (be, &error);
  g_assert_no_error (error);

  for (int i = 0; i < 10; i++)
    {
      DcSample x = { 7, t0 + i * SEC, i * 1.5, 0 };
      g_array_append_val (batch, x);
    }
  push (h, batch);
  /* Same key and time replaces; another key does not interfere. */
  push_one (h, 7, t0 + 3 * SEC, 42.0, DC_QUALITY_SUBSTITUTED);
  push_one (h, 8, t0 + 3 * SEC, -1.0, 0);
  push_one (h, 7, t0 + 11 * SEC, NAN, DC_QUALITY_INVALID);

  /* Read-your-writes: whether written or still queued, all are visible. */
  all = get_samples (h, 7, G_MININT64, G_MAXINT64, 0, &truncated);
  g_assert_false (truncated);
  g_assert_cmpuint (all->len, ==, 11);
  g_assert_cmpfloat (g_array_index (all, DcSample, 3).value, ==, 42.0);
  g_assert_cmpuint (g_array_index (all, DcSample, 3).quality, ==, DC_QUALITY_SUBSTITUTED);
  g_assert_true (isnan (g_array_index (all, DcSample, 10).value));
  for (guint i = 1; i < all->len; i++)
    g_assert_cmpint (g_array_index (all, DcSample, i - 1).time, <,
                     g_array_index (all, DcSample, i).time);

  dc_history_sync (h);
  dc_history_get_stats (h, &stats);
  g_assert_cmpuint (stats.accepted, ==, 13);
  g_assert_cmpuint (stats.written, ==, 13);
  /* Batches queued together share a transaction (docs/history.md, Writer). */
  g_assert_cmpuint (stats.batches, >=, 1);
  g_assert_cmpuint (stats.batches, <=, 4);
  g_assert_cmpuint (stats.queued, ==, 0);
  g_assert_cmpint (get_count (h, 7), ==, 11);
  g_assert_cmpint (get_count (h, 8), ==, 1);
  g_assert_cmpint (get_count (h, 9), ==, 0);

  /* limit keeps the newest, oldest first; window is [from, to). */
  last3 = get_samples (h, 7, t0 + 2 * SEC, t0 + 9 * SEC, 3, &truncated);
  g_assert_true (truncated);
  g_assert_cmpuint (last3->len, ==, 3);
  g_assert_cmpint (g_array_index (last3, DcSample, 0).time, ==, t0 + 6 * SEC);
  g_assert_cmpint (g_array_index (last3, DcSample, 2).time, ==, t0 + 8 * SEC);

  g_assert_true (get_index (h, 7, 0, &s, &error));
  g_assert_cmpint (s.time, ==, t0);
  g_assert_true (get_index (h, 7, -1, &s, &error));
  g_assert_cmpint (s.time, ==, t0 + 11 * SEC);
  g_assert_true (get_index (h, 7, -2, &s, &error));
  g_assert_cmpint (s.time, ==, t0 + 9 * SEC);
  g_assert_true (get_index (h, 7, 10, &s, &error));
  g_assert_cmpint (s.time, ==, t0 + 11 * SEC);
  g_assert_false (get_index (h, 7, 11, &s, &error));
  g_assert_error (error, DC_ERROR, DC_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "index out of range!");
  g_clear_error (&error);
  g_assert_false (get_index (h, 7, -12, &s, &error));
  g_assert_error (error, DC_ERROR, DC_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (get_index (h, 99, -1, &s, &error));
  g_assert_error (error, DC_ERROR, DC_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* CSV. */
  {
    Wait w = { 0 };
    g_autoptr(GAsyncResult) res = NULL;
    g_autoptr(GBytes) bytes = NULL;
    g_autofree char *first = dc_time_format (t0);
    g_autofree char *expected = g_strdup_printf ("time,value,quality\n%s,0,0\n", first);
    const char *text;
    gsize len;

    dc_history_query_csv_async (h, 7, G_MININT64, t0 + 1, 0, NULL, ready_cb, &w);
    res = wait_result (&w);
    bytes = dc_history_query_csv_finish (h, res, &truncated, &error);
    g_assert_no_error (error);
    text = g_bytes_get_data (bytes, &len);
    g_assert_cmpmem (text, len, expected, strlen (expected));
  }
  /* CSV numbers without float noise (docs/model.md "Numbers in texts"): 628 × 0.1 is
   * 62.800000000000004, written 62.8; 0.1 is not 0.10000000000000001. */
  {
    Wait w = { 0 };
    g_autoptr(GAsyncResult) res = NULL;
    g_autoptr(GBytes) bytes = NULL;
    g_autofree char *first = dc_time_format (t0);
    g_autofree char *second = dc_time_format (t0 + SEC);
    g_autofree char *expected = g_strdup_printf ("time,value,quality\n%s,62.8,0\n%s,0.1,0\n",
                                                 first, second);
    const char *text;
    gsize len;

    push_one (h, 77, t0, 628 * 0.1, 0);
    push_one (h, 77, t0 + SEC, 0.1, 0);
    dc_history_sync (h);
    dc_history_query_csv_async (h, 77, G_MININT64, G_MAXINT64, 0, NULL, ready_cb, &w);
    res = wait_result (&w);
    bytes = dc_history_query_csv_finish (h, res, &truncated, &error);
    g_assert_no_error (error);
    text = g_bytes_get_data (bytes, &len);
    g_assert_cmpmem (text, len, expected, strlen (expected));
  }
}

/* Read-your-writes while the writer is behind (throttled). */
static void
test_read_your_writes (gconstpointer data)
{
  const Backend *be = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DcHistory) h = NULL;
  g_autoptr(GArray) got = NULL;
  g_autoptr(GArray) buckets = NULL;
  DcHistoryStats stats;
  gint64 t0 = base_time ();
  DcSample s;

  if (!begin_case (be))
    return;
  h = history_open (be, &error);
  g_assert_no_error (error);
  push_one (h, 1, t0, 1.0, 0);
  dc_history_sync (h);

  dc_history_set_throttle (h, 300000);
  push_one (h, 1, t0 + SEC, 2.0, 0);
  push_one (h, 1, t0, 5.0, 0);   /* replaces the written one, still queued */
  push_one (h, 1, t0 + 2 * SEC, 3.0, 0);

  got = get_samples (h, 1, G_MININT64, G_MAXINT64, 0, NULL);
  dc_history_get_stats (h, &stats);
  g_assert_cmpuint (stats.queued, >, 0);   /* the queries really ran before the writes */
  g_assert_cmpuint (got->len, ==, 3);
  g_assert_cmpfloat (g_array_index (got, DcSample, 0).value, ==, 5.0);
  g_assert_cmpfloat (g_array_index (got, DcSample, 2).value, ==, 3.0);
  g_assert_true (get_index (h, 1, -1, &s, &error));
  g_assert_cmpfloat (s.value, ==, 3.0);
  g_assert_cmpint (get_count (h, 1), ==, 3);
  buckets = get_buckets (h, 1, t0, t0 + 10 * SEC, 1);
  g_assert_cmpuint (buckets->len, ==, 1);
  g_assert_cmpint (g_array_index (buckets, DcBucket, 0).count, >=, 3);

  dc_history_set_throttle (h, 0);
  dc_history_sync (h);
  g_clear_pointer (&got, g_array_unref);
  got = get_samples (h, 1, G_MININT64, G_MAXINT64, 0, NULL);
  g_assert_cmpuint (got->len, ==, 3);
  g_assert_cmpfloat (g_array_index (got, DcSample, 0).value, ==, 5.0);
}

/* Buckets computed from the samples in C, compared with the query. */
static void
check_buckets (DcHistory *h,
               gint64     key,
               gint64     from,
               gint64     to,
               guint      n)
{
  g_autoptr(GArray) samples = get_samples (h, key, from, to, 0, NULL);
  g_autoptr(GArray) buckets = get_buckets (h, key, from, to, n);
  gint64 base, width;
  guint bi = 0, si = 0;

  dc_history_bucket_layout (from, to, n, &base, &width);
  g_assert_cmpuint (buckets->len, <=, n);

  while (si < samples->len)
    {
      gint64 index = (g_array_index (samples, DcSample, si).time - base) / width;
      double mn = NAN, mx = NAN, sum = 0, first = NAN, last = NAN;
      gint64 count = 0, nv = 0;
      const DcBucket *b;

      for (; si < samples->len; si++)
        {
          const DcSample *s = &g_array_index (samples, DcSample, si);

          if ((s->time - base) / width != index)
            break;
          if (count == 0)
            first = s->value;
          last = s->value;
          count++;
          if (isfinite (s->value))
            {
              mn = nv == 0 ? s->value : MIN (mn, s->value);
              mx = nv == 0 ? s->value : MAX (mx, s->value);
              sum += s->value;
              nv++;
            }
        }

      g_assert_cmpuint (bi, <, buckets->len);
      b = &g_array_index (buckets, DcBucket, bi++);
      g_assert_cmpint (b->time, ==, MAX (base + index * width, from));
      g_assert_cmpint (b->count, ==, count);
      if (nv == 0)
        {
          g_assert_true (isnan (b->min) && isnan (b->max) && isnan (b->avg));
        }
      else
        {
          g_assert_cmpfloat (b->min, ==, mn);
          g_assert_cmpfloat (b->max, ==, mx);
          g_assert_cmpfloat_with_epsilon (b->avg, sum / nv, 1e-9 * (1 + fabs (sum / nv)));
        }
      g_assert_true ((isnan (first) && isnan (b->first)) || first == b->first);
      g_assert_true ((isnan (last) && isnan (b->last)) || last == b->last);
    }
  g_assert_cmpuint (bi, ==, buckets->len);
}

static void
check_all_buckets (DcHistory *h,
                   gint64     key,
                   gint64     t0,
                   gint64     span)
{
  static const guint ns[] = { 1, 3, 10, 100, 1000 };

  for (guint i = 0; i < G_N_ELEMENTS (ns); i++)
    {
      check_buckets (h, key, t0, t0 + span, ns[i]);
      check_buckets (h, key, t0 + 12345 * SEC + 17, t0 + span - 777 * SEC, ns[i]);
    }
}

/* Random samples with late ones, replacements and invalid values; rollups must agree with
 * the samples while the writer runs, after a restart and after retention. */
static void
test_buckets (gconstpointer data)
{
  const Backend *be = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DcHistory) h = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (4);
  gint64 t0 = base_time ();
  gint64 span = 400000 * SEC;
  gint64 t = t0;

  if (!begin_case (be))
    return;
  h = history_open (be, &error);
  g_assert_no_error (error);
  for (int b = 0; b < 60; b++)
    {
      g_autoptr(GArray) batch = g_array_new (FALSE, FALSE, sizeof (DcSample));

      for (int i = 0; i < 500; i++)
        {
          DcSample s = { 3, 0, g_rand_double_range (rand, -100, 100), 0 };
          int r = g_rand_int_range (rand, 0, 100);

          t += g_rand_int_range (rand, 1, 25) * SEC + g_rand_int_range (rand, 0, 1000);
          s.time = t;
          if (r < 3)
            s.time = t - g_rand_int_range (rand, 0, 50000) * (gint64) SEC;   /* late */
          else if (r < 5)
            {
              s.value = NAN;
              s.quality = DC_QUALITY_INVALID;
            }
          g_array_append_val (batch, s);
          if (r >= 5 && r < 7)
            {
              /* Replace within the batch and later in the open period. */
              s.value = s.value + 1000;
              g_array_append_val (batch, s);
            }
        }
      push (h, batch);
      if (b == 30)
        {
          dc_history_sync (h);
          check_all_buckets (h, 3, t0, span);
        }
    }
  /* Queued and written mixed. */
  check_all_buckets (h, 3, t0, span);
  dc_history_sync (h);
  check_all_buckets (h, 3, t0, span);

  /* Restart: open periods are closed at stop, and the reopened writer goes on. */
  g_clear_object (&h);
  h = history_open (be, &error);
  g_assert_no_error (error);
  check_all_buckets (h, 3, t0, span);
  push_one (h, 3, t + SEC, 12345.0, 0);
  push_one (h, 3, t0 + 1000 * SEC + 1, -555.0, 0);
  dc_history_sync (h);
  check_all_buckets (h, 3, t0, span);

  /* Retention cuts through periods of every level. */
  dc_history_set_retention_days (h, 3, 1);
  dc_history_run_retention (h, t0 + 86400 * SEC + 123456 * SEC + 789);
  dc_history_sync (h);
  {
    g_autoptr(GArray) left = get_samples (h, 3, G_MININT64, t0 + 123456 * SEC + 789, 0, NULL);
    g_assert_cmpuint (left->len, ==, 0);
  }
  check_all_buckets (h, 3, t0, span);
  push_one (h, 3, t + 2 * SEC, 1.0, 0);
  dc_history_sync (h);
  check_all_buckets (h, 3, t0, span);
}

/* PostgreSQL: the day partitions of samples older than a year (docs/historian-postgresql.md:
 * retention drops them whole). */
static gint64
old_partitions (void)
{
#if HAVE_LIBPQ
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) cutoff = g_date_time_add_days (now, -366);
  g_autofree char *name = g_date_time_format (cutoff, "samples_p%Y%m%d");
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM pg_inherits i JOIN pg_class c"
                                          " ON c.oid = i.inhrelid WHERE i.inhparent ="
                                          " 'samples'::regclass AND c.relname < '%s'", name);
  g_autofree char *n = dc_test_pg_query (location, sql);

  return g_ascii_strtoll (n, NULL, 10);
#else
  g_assert_not_reached ();
#endif
}

/* Retention and the purge of a deleted point run in small steps while batches flow. */
static void
test_purge_while_ingesting (gconstpointer data)
{
  const Backend *be = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DcHistory) h = NULL;
  g_autoptr(GArray) batch = g_array_new (FALSE, FALSE, sizeof (DcSample));
  DcHistoryStats stats;
  gint64 t0 = base_time ();
  guint64 written_during_purge = 0;
  int n_old = 200000;
  gint64 pushed = 0;

  if (!begin_case (be))
    return;
  h = history_open (be, &error);
  g_assert_no_error (error);
  for (int i = 0; i < n_old; i++)
    {
      DcSample a = { 10, t0 + i * SEC, i, 0 };
      DcSample b = { 11, t0 - (gint64) 400 * 86400 * SEC + i * SEC, i, 0 };   /* expired */
      g_array_append_val (batch, a);
      g_array_append_val (batch, b);
    }
  push (h, batch);
  dc_history_sync (h);
  if (be->pg)
    g_assert_cmpint (old_partitions (), >, 0);

  dc_history_set_purge_chunk (h, 1000);
  dc_history_purge_key (h, 10);
  dc_history_run_retention (h, 0);

  /* Keep ingesting key 12 while the jobs run; batches must pass between the steps. */
  for (int i = 0;; i++)
    {
      guint64 before;

      dc_history_get_stats (h, &stats);
      if (stats.jobs == 0)
        break;
      before = stats.written;
      push_one (h, 12, t0 + i * SEC, i, 0);
      pushed++;
      while (stats.written == before && stats.jobs > 0)
        {
          g_thread_yield ();
          dc_history_get_stats (h, &stats);
        }
      if (stats.jobs > 0)
        written_during_purge++;
    }
  dc_history_sync (h);
  dc_history_get_stats (h, &stats);

  g_assert_cmpuint (written_during_purge, >, 10);
  g_assert_cmpuint (stats.purged, ==, 2 * n_old);
  g_assert_cmpint (get_count (h, 10), ==, 0);
  g_assert_cmpint (get_count (h, 11), ==, 0);
  g_assert_cmpint (get_count (h, 12), ==, pushed);
  g_assert_cmpuint (stats.written, ==, stats.accepted);
  if (be->pg)
    g_assert_cmpint (old_partitions (), ==, 0);
}

/* A purge requested just before a stop is finished after the restart. */
static void
test_purge_survives_restart (gconstpointer data)
{
  const Backend *be = data;
  g_autoptr(GError) error = NULL;
  DcHistory *h = NULL;
  gint64 t0 = base_time ();

  if (!begin_case (be))
    return;
  h = history_open (be, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 100; i++)
    push_one (h, 20, t0 + i * SEC, i, 0);
  push_one (h, 21, t0, 1, 0);
  dc_history_set_purge_chunk (h, 10);
  dc_history_purge_key (h, 20);
  g_object_unref (h);

  h = history_open (be, &error);
  g_assert_no_error (error);
  dc_history_sync (h);
  g_assert_cmpint (get_count (h, 20), ==, 0);
  g_assert_cmpint (get_count (h, 21), ==, 1);
  g_object_unref (h);
}

/* The queue is bounded: a slow writer refuses batches, ::ready says when to retry, and
 * every sample arrives. */
static void
ready_count_cb (DcHistory *h,
                gpointer   user_data)
{
  (*(guint *) user_data)++;
}

static void
test_backpressure (gconstpointer data)
{
  const Backend *be = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DcHistory) h = NULL;
  DcHistoryStats stats;
  gint64 t0 = base_time ();
  guint ready = 0, refusals = 0;
  int n_batches = 200, batch_size = 100;

  if (!begin_case (be))
    return;
  h = history_open (be, &error);
  g_assert_no_error (error);
  dc_history_set_queue_capacity (h, 1000);
  dc_history_set_throttle (h, 2000);
  g_signal_connect (h, "ready", G_CALLBACK (ready_count_cb), &ready);

  for (int b = 0; b < n_batches; b++)
    {
      g_autoptr(GArray) batch = g_array_new (FALSE, FALSE, sizeof (DcSample));

      for (int i = 0; i < batch_size; i++)
        {
          DcSample s = { 5, t0 + (b * batch_size + i) * (gint64) 1000, i, 0 };
          g_array_append_val (batch, s);
        }
      while (!dc_history_push (h, (DcSample *) batch->data, batch->len, &error))
        {
          guint seen = ready;

          g_assert_error (error, DC_ERROR, DC_ERROR_BUSY);
          g_clear_error (&error);
          g_assert_true (dc_history_is_congested (h));
          refusals++;
          while (ready == seen)
            g_main_context_iteration (NULL, TRUE);
        }
    }
  dc_history_sync (h);
  dc_history_get_stats (h, &stats);

  g_assert_cmpuint (refusals, >, 0);
  g_assert_cmpuint (ready, >, 0);
  g_assert_cmpuint (stats.refused, ==, (guint64) refusals * batch_size);
  g_assert_cmpuint (stats.accepted, ==, (guint64) n_batches * batch_size);
  g_assert_cmpuint (stats.written, ==, stats.accepted);
  g_assert_cmpint (get_count (h, 5), ==, n_batches * batch_size);
}

/* Crash safety: a child ingests until it is killed with SIGKILL. */
#define CRASH_BATCH 500

static int
crash_child (const char *backend,
             const char *where)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DcHistory) h = open_at (&backends[g_str_equal (backend, "postgresql")], where,
                                    &error);
  gint64 t0 = base_time ();
  guint64 reported = 0;

  if (h == NULL)
    return 1;
  /* Group commit takes everything queued: a small queue keeps the transactions small, so
   * that 40 of them come quickly. */
  dc_history_set_queue_capacity (h, 10 * CRASH_BATCH);
  for (gint64 b = 0;; b++)
    {
      DcSample samples[CRASH_BATCH];
      DcHistoryStats stats;

      for (int i = 0; i < CRASH_BATCH; i++)
        {
          samples[i].key = 1 + i % 5;
          samples[i].time = t0 + b * 1000 * SEC + i * SEC;
          samples[i].value = b;
          samples[i].quality = 0;
        }
      while (!dc_history_push (h, samples, CRASH_BATCH, NULL))
        g_usleep (1000);
      dc_history_get_stats (h, &stats);
      if (stats.batches != reported)
        {
          char line[64];
          int len;

          reported = stats.batches;
          len = g_snprintf (line, sizeof line, "%" G_GUINT64_FORMAT "\n", reported);
          if (write (STDOUT_FILENO, line, len) != len)
            return 1;
        }
    }
  return 0;
}

static void
test_crash (gconstpointer data)
{
  const Backend *be = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(DcHistory) h = NULL;
  guint64 committed = 0;
  gint64 rows, nbatches, maxb;

  if (!begin_case (be))
    return;
  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                            self_exe, "--crash-child", be->name, location, NULL);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  while (committed < 40)
    {
      g_autofree char *line = g_data_input_stream_read_line (in, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      committed = g_ascii_strtoull (line, NULL, 10);
    }
  g_subprocess_send_signal (child, SIGKILL);
  g_subprocess_wait (child, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (child));

  if (!be->pg)
    {
      sqlite3 *db = NULL;
      sqlite3_stmt *st = NULL;

      g_assert_cmpint (sqlite3_open (location, &db), ==, SQLITE_OK);
      sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &st, NULL);
      g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
      g_assert_cmpstr ((const char *) sqlite3_column_text (st, 0), ==, "ok");
      sqlite3_finalize (st);
      sqlite3_prepare_v2 (db, "SELECT count(*), count(DISTINCT value), max(value) FROM samples",
                          -1, &st, NULL);
      g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
      rows = sqlite3_column_int64 (st, 0);
      nbatches = sqlite3_column_int64 (st, 1);
      maxb = sqlite3_column_int64 (st, 2);
      sqlite3_finalize (st);
      sqlite3_close (db);
    }
  else
    {
#if HAVE_LIBPQ
      g_autofree char *r = dc_test_pg_query (location, "SELECT count(*) FROM samples");
      g_autofree char *n = dc_test_pg_query (location, "SELECT count(DISTINCT value) FROM samples");
      g_autofree char *m = dc_test_pg_query (location, "SELECT max(value) FROM samples");

      rows = g_ascii_strtoll (r, NULL, 10);
      nbatches = g_ascii_strtoll (n, NULL, 10);
      maxb = g_ascii_strtoll (m, NULL, 10);
#else
      g_assert_not_reached ();
#endif
    }

  /* Everything reported committed is there, and only whole batches 0..n-1. */
  g_assert_cmpint (nbatches, >=, (gint64) committed);
  g_assert_cmpint (rows, ==, nbatches * CRASH_BATCH);
  g_assert_cmpint (maxb, ==, nbatches - 1);

  /* The reopened history rebuilds its rollups from the samples. */
  h = history_open (be, &error);
  g_assert_no_error (error);
  for (gint64 key = 1; key <= 5; key++)
    {
      g_assert_cmpint (get_count (h, key), ==, nbatches * CRASH_BATCH / 5);
      check_all_buckets (h, key, base_time () - 1000 * SEC, nbatches * 1000 * SEC + 2000 * SEC);
    }
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 4 && g_str_equal (argv[1], "--crash-child"))
    return crash_child (argv[2], argv[3]);

  self_exe = argv[0];
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (backends); i++)
    {
      static const struct { const char *name; GTestDataFunc func; } cases[] = {
        { "basic", test_basic },
        { "read-your-writes", test_read_your_writes },
        { "buckets", test_buckets },
        { "purge-while-ingesting", test_purge_while_ingesting },
        { "purge-survives-restart", test_purge_survives_restart },
        { "backpressure", test_backpressure },
        { "crash", test_crash },
      };

      for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
        {
          g_autofree char *path = g_strdup_printf ("/dc/history/%s/%s", backends[i].name,
                                                   cases[c].name);

          g_test_add_data_func (path, &backends[i], cases[c].func);
        }
    }

  return g_test_run ();
}
