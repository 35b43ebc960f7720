/* test-history-writer.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The writer's batch in flight (docs/history.md "Batch in flight"): everything queued is the
 * next transaction (group commit), and the queue behind the transaction being written takes
 * more only for the max wait, then refuses (back-pressure) until the writer takes it.
 */

#include "config.h"

#include "dc-error.h"
#include "dc-history.h"
#include "dc-test-wait.h"

#define SEC ((gint64) G_USEC_PER_SEC)

/* Recent times, so the writer's start-up retention pass (365 days) keeps them. */
static gint64
base_time (void)
{
  return (g_get_real_time () / (1000 * SEC)) * (1000 * SEC) - (gint64) 30 * 86400 * SEC;
}

static DcHistory *
open_history (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  DcHistory *h;

  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  path = g_build_filename (g_get_user_data_dir (), "w-history.db", NULL);
  h = dc_history_new (path, &error);
  g_assert_no_error (error);
  return h;
}

/* @n samples of @key from @first on (one a millisecond). */
static gboolean
push_run (DcHistory  *h,
          gint64      key,
          guint       first,
          guint       n,
          GError    **error)
{
  g_autofree DcSample *samples = g_new (DcSample, n);
  gint64 t0 = base_time ();

  for (guint i = 0; i < n; i++)
    {
      samples[i].key = key;
      samples[i].time = t0 + (gint64) (first + i) * 1000;
      samples[i].value = first + i;
      samples[i].quality = 0;
    }
  return dc_history_push (h, samples, n, error);
}

static DcHistoryStats
stats_of (DcHistory *h)
{
  DcHistoryStats st;

  dc_history_get_stats (h, &st);
  return st;
}

/* A transaction is being written (held by the throttle) and 20,000 samples queue behind it in
 * 20 batches: the next transaction takes them all. Before, the writer took at most 8,192
 * samples a transaction and left the rest queued behind the one in flight (4 transactions). */
static void
test_group_commit (void)
{
  g_autoptr(DcHistory) h = open_history ();
  g_autoptr(GError) error = NULL;
  DcHistoryStats st;

  dc_history_set_max_wait (h, 600000);   /* only the group is tested here */
  dc_history_set_throttle (h, 1000000);
  g_assert_true (push_run (h, 1, 0, 100, &error));
  DC_TEST_WAIT_UNTIL (stats_of (h).transaction == 100, 30);

  for (guint b = 0; b < 20; b++)
    {
      g_assert_true (push_run (h, 2, b * 1000, 1000, &error));
      g_assert_no_error (error);
    }
  st = stats_of (h);
  g_assert_cmpuint (st.batches, ==, 0);
  g_assert_cmpuint (st.transaction, ==, 100);
  g_assert_cmpuint (st.queued, ==, 20100);
  g_assert_cmpuint (st.max_queued, ==, 20100);

  dc_history_set_throttle (h, 0);
  dc_history_sync (h);
  st = stats_of (h);
  g_assert_cmpuint (st.written, ==, 20100);
  g_assert_cmpuint (st.batches, ==, 2);
  g_assert_cmpuint (st.transaction, ==, 0);
  g_assert_cmpuint (st.queued, ==, 0);
  g_assert_cmpuint (st.refused, ==, 0);
}

static void
ready_cb (DcHistory *h,
          gpointer   user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* The queue behind the transaction takes batches for 50 ms (the max wait here), then refuses
 * although it holds 200 of its 1,000,000 samples; ::ready comes when the writer takes it, and
 * every sample is written. */
static void
test_max_wait (void)
{
  g_autoptr(DcHistory) h = open_history ();
  g_autoptr(GError) error = NULL;
  DcHistoryStats st;
  gboolean ready = FALSE, accepted;
  gint64 waiting_since;

  g_signal_connect (h, "ready", G_CALLBACK (ready_cb), &ready);
  dc_history_set_max_wait (h, 50);
  dc_history_set_throttle (h, 3000000);
  g_assert_true (push_run (h, 1, 0, 100, &error));
  DC_TEST_WAIT_UNTIL (stats_of (h).transaction == 100, 30);

  /* The first batch behind the transaction starts the wait; the next one right after is
   * taken too (when the machine let it come within the 50 ms). */
  waiting_since = g_get_monotonic_time ();
  g_assert_true (push_run (h, 1, 100, 100, &error));
  accepted = push_run (h, 1, 200, 100, NULL);
  if (g_get_monotonic_time () - waiting_since < 50000)
    g_assert_true (accepted);

  /* 50 ms later the same push is refused, with the queue far from full. */
  DC_TEST_WAIT_UNTIL (g_get_monotonic_time () - waiting_since > 60000, 5);
  if (accepted)
    g_assert_false (push_run (h, 1, 300, 100, &error));
  else
    g_assert_false (push_run (h, 1, 200, 100, &error));
  g_assert_error (error, DC_ERROR, DC_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_true (dc_history_is_congested (h));
  st = stats_of (h);
  g_assert_cmpuint (st.batches, ==, 0);          /* the first transaction is still written */
  g_assert_cmpuint (st.refused, ==, 100);
  g_assert_cmpuint (st.queued, <=, 300);
  g_assert_cmpuint (st.capacity, >=, 1000000);

  /* ::ready when the writer takes the waiting batches into its next transaction. */
  dc_history_set_throttle (h, 0);
  DC_TEST_WAIT_UNTIL (ready, 30);
  g_assert_true (push_run (h, 1, accepted ? 300 : 200, 100, &error));
  g_assert_no_error (error);
  dc_history_sync (h);
  st = stats_of (h);
  g_assert_cmpuint (st.written, ==, accepted ? 400 : 300);
  g_assert_cmpuint (st.batches, ==, 3);
  g_assert_cmpuint (st.queued, ==, 0);
  g_assert_false (dc_history_is_congested (h));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/dc/history/writer/group-commit", test_group_commit);
  g_test_add_func ("/dc/history/writer/max-wait", test_max_wait);

  return g_test_run ();
}
