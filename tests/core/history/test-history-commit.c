/* test-history-commit.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The history writer commits outside its mutex (docs/history.md "Writer"): the engine pushes
 * from the main loop, and a COMMIT that takes seconds (a busy disk) must not hold it up.
 */

#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>

#include "dc-error.h"
#include "dc-history.h"

#define SEC ((gint64) G_USEC_PER_SEC)
#define COMMIT_DELAY_US (3 * G_USEC_PER_SEC)

/* TRUE when accepted; a refusal is the writer's back-pressure (the batch in flight has waited
 * too long, docs/history.md "Batch in flight"), never a wait. */
static gboolean
try_push (DcHistory *h,
          gint64     key,
          gint64     time,
          double     value)
{
  DcSample s = { key, time, value, 0 };
  g_autoptr(GError) error = NULL;

  if (dc_history_push (h, &s, 1, &error))
    return TRUE;
  g_assert_error (error, DC_ERROR, DC_ERROR_BUSY);
  return FALSE;
}

static void
ready_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* All samples of @key, each checked to be pushed once, in order: the value is its index. */
static void
check_samples (DcHistory *h,
               gint64     key,
               guint      n)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) got = NULL;

  dc_history_query_samples_async (h, key, G_MININT64, G_MAXINT64, 0, NULL, ready_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  got = dc_history_query_samples_finish (h, result, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->len, ==, n);
  for (guint i = 0; i < got->len; i++)
    g_assert_cmpfloat (g_array_index (got, DcSample, i).value, ==, i);
}

/* Every call into the history while a 3 s commit runs returns at once (accepted or refused); the samples pushed
 * meanwhile are written by the next commits, and the queries see each sample once. */
static void
test_push_during_slow_commit (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DcHistory) h = NULL;
  g_autofree char *path = NULL;
  DcHistoryStats stats = { 0 };
  gint64 t0 = (g_get_real_time () / SEC) * SEC - 3600 * SEC;
  gint64 longest = 0, started;
  guint n = 0, refused = 0;

  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  path = g_build_filename (g_get_user_data_dir (), "commit-history.db", NULL);
  h = dc_history_new (path, &error);
  g_assert_no_error (error);
  dc_history_set_commit_delay (h, COMMIT_DELAY_US);

  /* Push and read the counters until the first commit has finished: the whole commit falls
   * inside the loop, whenever the writer thread gets to it. */
  started = g_get_monotonic_time ();
  while (stats.batches == 0)
    {
      gint64 before = g_get_monotonic_time ();

      if (try_push (h, 1, t0 + n * SEC, n))
        n++;
      else
        refused++;
      dc_history_get_stats (h, &stats);
      longest = MAX (longest, g_get_monotonic_time () - before);
      /* A query while the commit runs: each sample once, queued or stored. */
      if (n % 50 == 0)
        check_samples (h, 1, n);
      g_assert_cmpint (g_get_monotonic_time () - started, <, 60 * SEC);
      g_usleep (5000);   /* pacing, like the engine's ticks: not a synchronisation */
    }
  g_test_message ("%u pushes accepted and %u refused during the first commit, the longest call "
                  "took %.1f ms", n, refused, longest / 1000.0);
  /* The commit took at least 3 s; a call that waited for it would take about as long. */
  g_assert_cmpint (g_get_monotonic_time () - started, >=, COMMIT_DELAY_US);
  g_assert_cmpint (longest, <, COMMIT_DELAY_US / 3);
  g_assert_cmpuint (n, >, 10);

  dc_history_set_commit_delay (h, 0);
  check_samples (h, 1, n);
  dc_history_sync (h);
  check_samples (h, 1, n);
  dc_history_get_stats (h, &stats);
  g_assert_cmpuint (stats.written, ==, n);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/dc/history/commit/push-during-slow-commit", test_push_during_slow_commit);
  return g_test_run ();
}
