/* test-api-live-overflow.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * A deliberately slow WebSocket client (its own thread, stops reading) gets coalesced batches,
 * then an overflow and a fresh snapshot, while the server's backlog stays bounded.
 */

#define G_LOG_DOMAIN "test-api-live"

#include "config.h"

#include <math.h>
#include <unistd.h>

#include "live-fixture.h"

/* The newest value the client saw for a point, or NAN. */
static double
client_last_value (WsClient *client,
                   guint     index)
{
  g_autofree char *id = g_strdup_printf ("p%u", index);
  double *value;
  double result;

  g_mutex_lock (&client->lock);
  value = g_hash_table_lookup (client->last, id);
  result = value != NULL ? *value : NAN;
  g_mutex_unlock (&client->lock);

  return result;
}

static gsize
rss_bytes (void)
{
  g_autofree char *statm = NULL;
  g_auto(GStrv) fields = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL));
  fields = g_strsplit (statm, " ", -1);

  return (gsize) g_ascii_strtoull (fields[1], NULL, 10) * (gsize) sysconf (_SC_PAGESIZE);
}

/* Whether the client has seen @value for the last point. */
static gboolean
caught_up (WsClient *client,
           double    value)
{
  return client_last_value (client, N_POINTS - 1) == value;
}

static void
test_slow_client (Fixture       *fx,
                  gconstpointer  data)
{
  WsClient *slow;
  WsClient *fast;
  gsize max_backlog = 0;
  gsize rss_before, rss_after;
  guint round = 0;
  guint overflow_at;
  guint fast_before;

  push_values (fx, 0, N_POINTS, 0);

  slow = ws_client_new (fx);
  fast = ws_client_new (fx);
  ws_client_send (slow, "{\"subscribe\": [\"*\"]}");
  ws_client_send (fast, "{\"subscribe\": [\"v:*\"]}");
  WAIT_UNTIL (ws_client_count (slow) >= 1 && ws_client_count (fast) >= 1);
  g_assert_cmpstr (ws_client_type (slow, 0), ==, "snapshot");

  /* The slow client stops reading. Batches of every point until the server notices: the
   * socket buffers fill, then the server coalesces instead of queueing. */
  ws_client_set_paused (slow, TRUE);
  while (dc_api_live_get_backlog (fx->api) == 0)
    {
      g_assert_cmpuint (round, <, 2000);
      push_values (fx, 0, N_POINTS, ++round * 10000.0);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }

  /* From now on the backlog is one sample per point at most, however many batches come:
   * 120 batches of ~230 kB (28 MB if they were queued) leave the process size nearly flat. */
  rss_before = rss_bytes ();
  for (guint i = 0; i < 120; i++)
    {
      push_values (fx, 0, N_POINTS, ++round * 10000.0);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      max_backlog = MAX (max_backlog, dc_api_live_get_backlog (fx->api));
    }
  rss_after = rss_bytes ();
  g_test_message ("RSS %zu kB -> %zu kB", rss_before / 1024, rss_after / 1024);
#ifndef __SANITIZE_ADDRESS__
  /* (ASan keeps freed memory in quarantine: the process size says nothing there.) */
  g_assert_cmpuint (rss_after, <, rss_before + 16 * 1024 * 1024);
#endif
  g_assert_cmpuint (max_backlog, >, 0);
  /* Both clients may be behind (the "fast" one parses 200 kB messages on a shared CPU). */
  g_assert_cmpuint (max_backlog, <=, 2 * N_POINTS * 200);
  g_assert_cmpuint (dc_api_live_get_n_overflows (fx->api), ==, 0);

  /* The fast client kept up meanwhile (perhaps coalesced): it has the newest values. */
  WAIT_UNTIL (caught_up (fast, round * 10000.0 + N_POINTS - 1));
  g_assert_cmpuint (find_type (fast, 0, "overflow"), ==, G_MAXUINT);

  /* Reading again, the slow client catches up with the newest value of every point. */
  ws_client_set_paused (slow, FALSE);
  WAIT_UNTIL (dc_api_live_get_backlog (fx->api) == 0);
  WAIT_UNTIL (caught_up (slow, round * 10000.0 + N_POINTS - 1));
  for (guint i = 0; i < N_POINTS; i++)
    g_assert_cmpfloat (client_last_value (slow, i), ==, round * 10000.0 + i);
  g_assert_cmpuint (find_type (slow, 0, "overflow"), ==, G_MAXUINT);

  /* A small backlog limit: past it the client gets overflow and then a fresh snapshot. The
   * other client now only listens to d1, so only the slow one can overflow. */
  fast_before = ws_client_count (fast);
  ws_client_send (fast, "{\"subscribe\": [\"d1:*\"]}");
  WAIT_UNTIL (find_type (fast, fast_before, "snapshot") != G_MAXUINT);
  dc_api_live_set_backlog_limit (fx->api, 64 * 1024);
  ws_client_set_paused (slow, TRUE);
  while (dc_api_live_get_n_overflows (fx->api) == 0)
    {
      g_assert_cmpuint (round, <, 10000);
      push_values (fx, 0, N_POINTS, ++round * 10000.0);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_assert_cmpuint (dc_api_live_get_backlog (fx->api), <=, 64 * 1024 + 200);
    }

  ws_client_set_paused (slow, FALSE);
  WAIT_UNTIL ((overflow_at = find_type (slow, 0, "overflow")) != G_MAXUINT &&
              find_type (slow, overflow_at, "snapshot") != G_MAXUINT);
  {
    guint snapshot_at = find_type (slow, overflow_at, "snapshot");

    g_assert_cmpuint (snapshot_at, ==, overflow_at + 1);
    g_assert_cmpint (json_object_get_int_member (ws_client_message (slow, snapshot_at), "n"), ==, N_POINTS);
    WAIT_UNTIL (client_last_value (slow, 3) == round * 10000.0 + 3);
  }
  g_assert_cmpuint (dc_api_live_get_n_overflows (fx->api), ==, 1);

  ws_client_free (slow);
  ws_client_free (fast);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  live_test_init ();

  g_test_add ("/dc/api-live/slow-client", Fixture, NULL, fixture_setup, test_slow_client, fixture_teardown);

  return g_test_run ();
}
