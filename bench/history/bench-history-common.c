/* bench-history-common.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <glib/gstdio.h>

#include "bench-history-common.h"

gint64 bench_t_base;

void
bench_fill_batch (const Workload *w,
                  guint64         first,
                  DcSample       *out,
                  guint           n)
{
  for (guint i = 0; i < n; i++)
    {
      guint64 row = first + i;

      out[i].key = 1 + row % w->n_keys;
      out[i].time = bench_t_base + (gint64) (row / w->n_keys) * w->step;
      out[i].value = sin ((double) row * 0.001) * 100.0;
      out[i].quality = 0;
    }
}

double
bench_push_rate (DcHistory      *h,
                 const Workload *w)
{
  DcSample batch[BATCH];
  gint64 start = g_get_monotonic_time ();

  for (guint64 row = 0; row < w->n_rows; row += BATCH)
    {
      bench_fill_batch (w, row, batch, BATCH);
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
  return w->n_rows / ((g_get_monotonic_time () - start) / 1e6);
}

typedef struct
{
  GAsyncResult *result;
} Wait;

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

double
bench_median (double *v,
              guint   n)
{
  qsort (v, n, sizeof (double), compare_double);
  return v[n / 2];
}

void
bench_query_medians (DcHistory      *h,
                     const Workload *w,
                     double         *buckets_ms,
                     double         *limit_ms,
                     guint          *n_buckets)
{
  gint64 from = bench_t_base, to = bench_t_base + (gint64) w->n_rows * w->step;
  double b[9], l[9];

  for (guint r = 0; r < G_N_ELEMENTS (b); r++)
    {
      Wait wait = { 0 };
      g_autoptr(GArray) buckets = NULL;
      g_autoptr(GError) error = NULL;
      gint64 start = g_get_monotonic_time ();

      dc_history_query_buckets_async (h, 1, from, to, 1000, NULL, done_cb, &wait);
      while (wait.result == NULL)
        g_main_context_iteration (NULL, TRUE);
      buckets = dc_history_query_buckets_finish (h, wait.result, &error);
      g_assert_no_error (error);
      b[r] = (g_get_monotonic_time () - start) / 1000.0;
      *n_buckets = buckets->len;
      g_object_unref (wait.result);
    }
  for (guint r = 0; r < G_N_ELEMENTS (l); r++)
    {
      Wait wait = { 0 };
      g_autoptr(GArray) samples = NULL;
      gint64 start = g_get_monotonic_time ();

      dc_history_query_samples_async (h, 1, G_MININT64, G_MAXINT64, 1000, NULL, done_cb, &wait);
      while (wait.result == NULL)
        g_main_context_iteration (NULL, TRUE);
      samples = dc_history_query_samples_finish (h, wait.result, NULL, NULL);
      g_assert_nonnull (samples);
      g_assert_cmpuint (samples->len, ==, MIN (w->n_rows / w->n_keys, 1000));
      l[r] = (g_get_monotonic_time () - start) / 1000.0;
      g_object_unref (wait.result);
    }
  *buckets_ms = bench_median (b, G_N_ELEMENTS (b));
  *limit_ms = bench_median (l, G_N_ELEMENTS (l));
}

double
bench_load_average (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    return -1;
  return g_ascii_strtod (text, NULL);
}

const char *
bench_noisy (void)
{
  return bench_load_average () >= 1.5 ? " NOISY" : "";
}

void
bench_remove_sqlite (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  g_remove (path);
  g_remove (wal);
  g_remove (shm);
}
