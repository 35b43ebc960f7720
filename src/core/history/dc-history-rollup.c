/* dc-history-rollup.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-history"

#include "config.h"

#include <math.h>

#include "dc-history-writer-private.h"

/* The writer's rollups: every written sample updates the open period of its key at each level
 * (DcHistoryAcc), which is merged into the rollup table when a later period opens. A late sample
 * is merged into its complete period at once; a replaced sample has its period rebuilt from the
 * samples. */

/* Merges @acc into the rollup row of (@key, @level, @period). */
static gboolean
merge_acc (Writer             *w,
           gint64              key,
           int                 level,
           gint64              period,
           const DcHistoryAcc *acc)
{
  if (acc->count == 0)
    return TRUE;
  return w->ops->merge_acc (w, key, level, period, acc);
}

/* Rebuilds the rollup rows of @level for [@from, @to) (aligned) from the samples. */
gboolean
dc_history_recompute_range (Writer *w,
                            gint64  key,
                            int     level,
                            gint64  from,
                            gint64  to)
{
  if (from >= to)
    return TRUE;
  return w->ops->recompute_range (w, key, level, from, to);
}

/* The state of @key, created on first use in this run. A key that already has samples
 * from an earlier run (or a crash) gets its rollup tail rebuilt from the samples, and
 * its last period is recomputed when it closes. */
KeyState *
dc_history_key_state_get (Writer *w,
                          gint64  key)
{
  KeyState *ks = g_hash_table_lookup (w->keys, &key);
  gint64 min_raw, max_raw;

  if (ks != NULL)
    return ks;

  ks = g_new0 (KeyState, 1);
  ks->key = key;
  ks->max_time = G_MININT64;
  g_hash_table_insert (w->keys, &ks->key, ks);

  if (!w->ops->key_bounds (w, key, &min_raw, &max_raw))
    return ks;
  ks->max_time = max_raw;

  for (int level = 0; level < DC_HISTORY_N_LEVELS; level++)
    {
      gint64 period = dc_history_level_period[level];
      gint64 start, last = dc_history_floor (max_raw, period);

      if (!w->ops->max_rollup (w, key, level, &start))
        start = dc_history_floor (min_raw, period);
      dc_history_recompute_range (w, key, level, start, last);
      ks->has_open[level] = TRUE;
      ks->open[level] = last;
      ks->dirty[level] = TRUE;
      dc_history_acc_reset (&ks->acc[level]);
    }

  return ks;
}

void
dc_history_close_open (Writer   *w,
                       KeyState *ks,
                       int       level)
{
  gint64 period = dc_history_level_period[level];

  if (!ks->has_open[level])
    return;
  if (ks->dirty[level])
    dc_history_recompute_range (w, ks->key, level, ks->open[level], ks->open[level] + period);
  else
    merge_acc (w, ks->key, level, ks->open[level], &ks->acc[level]);
  ks->has_open[level] = FALSE;
  ks->dirty[level] = FALSE;
}

void
dc_history_rollup_add (Writer         *w,
                       KeyState       *ks,
                       const DcSample *s,
                       gboolean        replaced)
{
  for (int level = 0; level < DC_HISTORY_N_LEVELS; level++)
    {
      gint64 period = dc_history_level_period[level];
      gint64 p = dc_history_floor (s->time, period);

      if (ks->has_open[level] && p < ks->open[level])
        {
          /* A late sample: its period is already complete in the table. */
          if (replaced)
            dc_history_recompute_range (w, ks->key, level, p, p + period);
          else
            {
              DcHistoryAcc one;

              dc_history_acc_reset (&one);
              dc_history_acc_add (&one, s);
              merge_acc (w, ks->key, level, p, &one);
            }
          continue;
        }

      if (ks->has_open[level] && p > ks->open[level])
        dc_history_close_open (w, ks, level);

      if (!ks->has_open[level])
        {
          ks->has_open[level] = TRUE;
          ks->open[level] = p;
          ks->dirty[level] = FALSE;
          dc_history_acc_reset (&ks->acc[level]);
        }

      if (replaced)
        ks->dirty[level] = TRUE;
      else if (!ks->dirty[level])
        dc_history_acc_add (&ks->acc[level], s);
    }
}

/* Forgets the state of every key (after a transaction that did not commit: the open periods
 * and watermarks are rebuilt from the database at the next write of each key). */
void
dc_history_writer_forget (Writer *w)
{
  g_hash_table_remove_all (w->keys);
  g_ptr_array_set_size (w->touched, 0);
}

void
dc_history_publish_watermarks (Writer *w)
{
  DcHistory *self = w->self;

  for (guint i = 0; i < w->touched->len; i++)
    {
      KeyState *ks = g_ptr_array_index (w->touched, i);
      DcHistoryWatermarks *wm = g_hash_table_lookup (self->published, &ks->key);

      if (wm == NULL)
        {
          gint64 *k = g_new (gint64, 1);

          *k = ks->key;
          wm = g_new (DcHistoryWatermarks, 1);
          g_hash_table_insert (self->published, k, wm);
        }
      for (int level = 0; level < DC_HISTORY_N_LEVELS; level++)
        wm->wm[level] = ks->has_open[level] ? ks->open[level] : G_MAXINT64;
    }
  g_ptr_array_set_size (w->touched, 0);
}
