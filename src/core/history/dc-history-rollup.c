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

/* Statement helpers of the writer (also used by dc-history.c and dc-history-retention.c). */

void
dc_history_bind_double_or_null (sqlite3_stmt *stmt,
                                int           col,
                                double        value)
{
  if (isfinite (value))
    sqlite3_bind_double (stmt, col, value);
  else
    sqlite3_bind_null (stmt, col);
}

gboolean
dc_history_writer_step_done (Writer       *w,
                             sqlite3_stmt *stmt)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      g_critical ("history writer: %s", sqlite3_errmsg (w->db));
      return FALSE;
    }
  return TRUE;
}

gboolean
dc_history_writer_select_int64 (Writer       *w,
                                sqlite3_stmt *stmt,
                                gint64       *out)
{
  gboolean found = FALSE;

  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    {
      *out = sqlite3_column_int64 (stmt, 0);
      found = TRUE;
    }
  sqlite3_reset (stmt);
  return found;
}

/* Merges @acc into the rollup row of (@key, @level, @period). */
static gboolean
merge_acc (Writer             *w,
           gint64              key,
           int                 level,
           gint64              period,
           const DcHistoryAcc *acc)
{
  sqlite3_stmt *st = w->merge;

  if (acc->count == 0)
    return TRUE;
  sqlite3_bind_int64 (st, 1, key);
  sqlite3_bind_int (st, 2, level);
  sqlite3_bind_int64 (st, 3, period);
  dc_history_bind_double_or_null (st, 4, acc->min);
  dc_history_bind_double_or_null (st, 5, acc->max);
  sqlite3_bind_int64 (st, 6, acc->first_time);
  dc_history_bind_double_or_null (st, 7, acc->first);
  sqlite3_bind_int64 (st, 8, acc->last_time);
  dc_history_bind_double_or_null (st, 9, acc->last);
  sqlite3_bind_double (st, 10, acc->sum);
  sqlite3_bind_int64 (st, 11, acc->n);
  sqlite3_bind_int64 (st, 12, acc->count);
  return dc_history_writer_step_done (w, st);
}

/* Rebuilds the rollup rows of @level for [@from, @to) (aligned) from the samples. */
gboolean
dc_history_recompute_range (Writer *w,
                            gint64  key,
                            int     level,
                            gint64  from,
                            gint64  to)
{
  gint64 period = dc_history_level_period[level];

  if (from >= to)
    return TRUE;

  sqlite3_bind_int64 (w->recompute_delete, 1, key);
  sqlite3_bind_int (w->recompute_delete, 2, level);
  sqlite3_bind_int64 (w->recompute_delete, 3, from);
  sqlite3_bind_int64 (w->recompute_delete, 4, to);
  if (!dc_history_writer_step_done (w, w->recompute_delete))
    return FALSE;

  sqlite3_bind_int64 (w->recompute_insert, 1, key);
  sqlite3_bind_int (w->recompute_insert, 2, level);
  sqlite3_bind_int64 (w->recompute_insert, 3, from);
  sqlite3_bind_int64 (w->recompute_insert, 4, to);
  sqlite3_bind_int64 (w->recompute_insert, 5, period);
  return dc_history_writer_step_done (w, w->recompute_insert);
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
  g_hash_table_insert (w->keys, &ks->key, ks);

  sqlite3_bind_int64 (w->max_raw, 1, key);
  sqlite3_bind_int64 (w->min_raw, 1, key);
  if (!dc_history_writer_select_int64 (w, w->max_raw, &max_raw) ||
      !dc_history_writer_select_int64 (w, w->min_raw, &min_raw))
    return ks;

  for (int level = 0; level < DC_HISTORY_N_LEVELS; level++)
    {
      gint64 period = dc_history_level_period[level];
      gint64 start, last = dc_history_floor (max_raw, period);

      sqlite3_bind_int64 (w->max_rollup, 1, key);
      sqlite3_bind_int (w->max_rollup, 2, level);
      if (!dc_history_writer_select_int64 (w, w->max_rollup, &start))
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
