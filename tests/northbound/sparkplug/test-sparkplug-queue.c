/* test-sparkplug-queue.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The store-and-forward queue (docs/sparkplug.md, "Store and forward") on a real sqlite file:
 * values come out oldest first by time (values put back later slot in by their time), the
 * bound drops the oldest and counts them, and what is left survives a reopen.
 */

#include "config.h"

#include <math.h>

#include <glib/gstdio.h>

#include "dc-sparkplug-queue.h"
#include "dc-test-store.h"
#include "dc-test-wait.h"

static void
take_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GArray **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = dc_sparkplug_queue_take_finish (NULL, result, &error);
  g_assert_no_error (error);
}

static GArray *
take (DcSparkplugQueue *queue,
      guint             max)
{
  GArray *values = NULL;

  dc_sparkplug_queue_take_async (queue, max, NULL, take_cb, &values);
  DC_TEST_WAIT_UNTIL (values != NULL, 10);
  return values;
}

static DcSparkplugQueued
value_at (gint64 time,
          double value)
{
  DcSparkplugQueued v = {
    .key = 7,
    .device_id = g_intern_static_string ("dev1"),
    .time = time,
    .value = value,
    .quality = 0,
    .datatype = 10,
  };

  return v;
}

static void
test_order_bound_reopen (void)
{
  g_autofree char *dir = g_dir_make_tmp ("dc-sparkplug-queue-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "q.db", NULL);
  g_autoptr(GError) error = NULL;
  DcSparkplugQueue *queue;
  DcSparkplugQueueStats st;
  g_autoptr(GArray) first = NULL;
  g_autoptr(GArray) rest = NULL;
  g_autoptr(GArray) left = NULL;
  DcSparkplugQueued later[] = { value_at (300, 3), value_at (400, 4), value_at (500, 5) };
  DcSparkplugQueued earlier[] = { value_at (100, 1), value_at (200, NAN) };

  queue = dc_sparkplug_queue_open (path, 4, &error);
  g_assert_no_error (error);
  /* Pushed out of time order: taken in time order. */
  dc_sparkplug_queue_push (queue, later, G_N_ELEMENTS (later));
  dc_sparkplug_queue_push (queue, earlier, G_N_ELEMENTS (earlier));
  first = take (queue, 2);
  dc_sparkplug_queue_get_stats (queue, &st);
  /* 5 values, bound 4: the oldest (100) dropped. */
  g_assert_cmpuint (st.stored, ==, 5);
  g_assert_cmpuint (st.dropped, ==, 1);
  g_assert_cmpuint (st.taken, ==, 2);
  g_assert_cmpuint (st.queued, ==, 2);
  g_assert_cmpuint (first->len, ==, 2);
  g_assert_cmpint (g_array_index (first, DcSparkplugQueued, 0).time, ==, 200);
  g_assert_true (isnan (g_array_index (first, DcSparkplugQueued, 0).value));
  g_assert_cmpint (g_array_index (first, DcSparkplugQueued, 1).time, ==, 300);
  g_assert_cmpstr (g_array_index (first, DcSparkplugQueued, 1).device_id, ==, "dev1");
  g_assert_true (g_array_index (first, DcSparkplugQueued, 1).device_id ==
                 g_intern_static_string ("dev1"));
  g_assert_cmpint (g_array_index (first, DcSparkplugQueued, 1).key, ==, 7);
  g_assert_cmpuint (g_array_index (first, DcSparkplugQueued, 1).datatype, ==, 10);
  dc_sparkplug_queue_free (queue);

  /* Reopened: the two left are there, in order. */
  queue = dc_sparkplug_queue_open (path, 4, &error);
  g_assert_no_error (error);
  dc_sparkplug_queue_get_stats (queue, &st);
  g_assert_cmpuint (st.queued, ==, 2);
  rest = take (queue, 10);
  g_assert_cmpuint (rest->len, ==, 2);
  g_assert_cmpfloat (g_array_index (rest, DcSparkplugQueued, 0).value, ==, 4);
  g_assert_cmpfloat (g_array_index (rest, DcSparkplugQueued, 1).value, ==, 5);
  left = take (queue, 10);
  g_assert_cmpuint (left->len, ==, 0);
  dc_sparkplug_queue_free (queue);

  g_unlink (path);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (dir);
}

/* A bound smaller than what an earlier run left drops the oldest at open. */
static void
test_smaller_bound (void)
{
  g_autofree char *dir = g_dir_make_tmp ("dc-sparkplug-queue-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "q.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) values = NULL;
  DcSparkplugQueue *queue;
  DcSparkplugQueueStats st;
  DcSparkplugQueued v[] = { value_at (1, 1), value_at (2, 2), value_at (3, 3) };

  queue = dc_sparkplug_queue_open (path, 100, &error);
  g_assert_no_error (error);
  dc_sparkplug_queue_push (queue, v, G_N_ELEMENTS (v));
  dc_sparkplug_queue_free (queue);

  queue = dc_sparkplug_queue_open (path, 1, &error);
  g_assert_no_error (error);
  dc_sparkplug_queue_get_stats (queue, &st);
  g_assert_cmpuint (st.queued, ==, 1);
  g_assert_cmpuint (st.dropped, ==, 2);
  values = take (queue, 10);
  g_assert_cmpuint (values->len, ==, 1);
  g_assert_cmpfloat (g_array_index (values, DcSparkplugQueued, 0).value, ==, 3);
  dc_sparkplug_queue_free (queue);

  g_unlink (path);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (dir);
}

/* Values taken but not sent go back in place, and count as queued, not as stored again. */
static void
test_put_back (void)
{
  g_autofree char *dir = g_dir_make_tmp ("dc-sparkplug-queue-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "q.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) taken = NULL;
  g_autoptr(GArray) again = NULL;
  DcSparkplugQueue *queue;
  DcSparkplugQueueStats st;
  DcSparkplugQueued v[] = { value_at (10, 1), value_at (20, 2), value_at (30, 3) };

  queue = dc_sparkplug_queue_open (path, 100, &error);
  g_assert_no_error (error);
  dc_sparkplug_queue_push (queue, v, G_N_ELEMENTS (v));
  taken = take (queue, 2);
  g_assert_cmpuint (taken->len, ==, 2);
  dc_sparkplug_queue_put_back (queue, (DcSparkplugQueued *) taken->data, taken->len);
  dc_sparkplug_queue_get_stats (queue, &st);
  g_assert_cmpuint (st.stored, ==, 3);
  g_assert_cmpuint (st.taken, ==, 0);
  g_assert_cmpuint (st.queued, ==, 3);
  again = take (queue, 10);
  g_assert_cmpuint (again->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpfloat (g_array_index (again, DcSparkplugQueued, i).value, ==, i + 1);
  dc_sparkplug_queue_free (queue);
  dc_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sparkplug/queue/order-bound-reopen", test_order_bound_reopen);
  g_test_add_func ("/sparkplug/queue/smaller-bound", test_smaller_bound);
  g_test_add_func ("/sparkplug/queue/put-back", test_put_back);

  return g_test_run ();
}
