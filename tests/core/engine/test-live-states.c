/* test-live-states.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The engine's per-point state table (dc-live-states-private.h) against a GHashTable doing
 * the same inserts and removals: every key is found with its own state, removed keys are
 * gone, the hint follows a repeated order, and removals inside probe runs keep the other keys
 * reachable.
 */

#include "config.h"

#include "dc-live-states-private.h"

/* Every key of @ref is found with the value stored for it, and nothing else is. */
static void
check_against (DcLiveStates *t,
               GHashTable   *ref,
               gint64        max_key)
{
  g_assert_cmpuint (dc_live_states_size (t), ==, g_hash_table_size (ref));
  for (gint64 k = -2; k <= max_key; k++)
    {
      DcLiveState *st = dc_live_states_find (t, k);
      gpointer v = g_hash_table_lookup (ref, &k);

      if (v == NULL)
        g_assert_null (st);
      else
        {
          g_assert_nonnull (st);
          g_assert_cmpint (st->key, ==, k);
          g_assert_cmpint (st->last_source, ==, *(gint64 *) v * 7);
        }
    }
}

static void
test_random (void)
{
  g_autoptr(GHashTable) ref = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (19);
  DcLiveStates *t = dc_live_states_new ();
  const gint64 max_key = 3000;

  for (int round = 0; round < 20; round++)
    {
      for (int i = 0; i < 400; i++)
        {
          gint64 k = g_rand_int_range (rand, 0, max_key);

          if (g_hash_table_contains (ref, &k))
            continue;
          {
            DcLiveState *st = dc_live_states_insert (t, k);
            gint64 *kk = g_new (gint64, 1);

            g_assert_cmpint (st->key, ==, k);
            g_assert_false (st->has_live);
            st->last_source = k * 7;
            *kk = k;
            g_hash_table_insert (ref, kk, kk);
          }
        }
      for (int i = 0; i < 250; i++)
        {
          gint64 k = g_rand_int_range (rand, 0, max_key);

          dc_live_states_remove (t, k);
          g_hash_table_remove (ref, &k);
        }
      check_against (t, ref, max_key);
    }

  /* Empty again, then reused. */
  for (gint64 k = 0; k < max_key; k++)
    {
      dc_live_states_remove (t, k);
      g_hash_table_remove (ref, &k);
    }
  check_against (t, ref, max_key);
  g_assert_null (dc_live_states_lookup (t, 5));
  dc_live_states_insert (t, 5)->last_source = 35;
  g_assert_cmpint (dc_live_states_lookup (t, 5)->last_source, ==, 35);
  dc_live_states_free (t);
}

/* Keys far apart (k << 40) through several growths of the index, then every third one
 * removed: the keys after a removed one in its probe run stay reachable. */
static void
test_runs (void)
{
  DcLiveStates *t = dc_live_states_new ();

  for (gint64 k = 0; k < 64; k++)
    dc_live_states_insert (t, k << 40)->last_source = k;
  for (gint64 k = 0; k < 64; k += 3)
    dc_live_states_remove (t, k << 40);
  for (gint64 k = 0; k < 64; k++)
    {
      DcLiveState *st = dc_live_states_find (t, k << 40);

      if (k % 3 == 0)
        g_assert_null (st);
      else
        {
          g_assert_nonnull (st);
          g_assert_cmpint (st->last_source, ==, k);
        }
    }
  dc_live_states_free (t);
}

/* The same keys in the same order, batch after batch: each lookup lands on the hint (the
 * state after the last found), and a different order still finds every key. */
static void
test_order (void)
{
  DcLiveStates *t = dc_live_states_new ();
  const guint n = 500;

  for (guint i = 0; i < n; i++)
    dc_live_states_insert (t, 1000 + i * 13)->last_source = i;
  for (int batch = 0; batch < 3; batch++)
    for (guint i = 0; i < n; i++)
      {
        guint hint = t->hint;
        DcLiveState *st = dc_live_states_lookup (t, 1000 + i * 13);

        g_assert_nonnull (st);
        g_assert_cmpint (st->last_source, ==, i);
        if (i > 0)
          g_assert_cmpuint (hint, ==, i);
      }
  for (guint i = n; i-- > 0;)
    g_assert_cmpint (dc_live_states_lookup (t, 1000 + i * 13)->last_source, ==, i);
  g_assert_null (dc_live_states_lookup (t, 999));
  dc_live_states_free (t);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dc/engine/live-states/random", test_random);
  g_test_add_func ("/dc/engine/live-states/runs", test_runs);
  g_test_add_func ("/dc/engine/live-states/order", test_order);

  return g_test_run ();
}
