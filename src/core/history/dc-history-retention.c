/* dc-history-retention.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-history"

#include "config.h"

#include "dc-history-writer-private.h"

/* The writer's jobs: purging a deleted point's history and deleting samples older than their
 * retention, with the rollups fixed. One small step per call, in its own transaction, so that
 * batches keep flowing between steps. */

#define USEC_PER_DAY (G_USEC_PER_SEC * (gint64) 86400)

static gint64
chunk_bound (Writer *w,
             gint64  key,
             gint64  cutoff,
             guint   chunk)
{
  sqlite3_stmt *st = NULL;
  gint64 bound = cutoff;

  sqlite3_prepare_v2 (w->db,
                      "SELECT time FROM samples WHERE key=?1 AND time<?2 "
                      "ORDER BY time LIMIT 1 OFFSET ?3", -1, &st, NULL);
  sqlite3_bind_int64 (st, 1, key);
  sqlite3_bind_int64 (st, 2, cutoff);
  sqlite3_bind_int64 (st, 3, chunk);
  if (sqlite3_step (st) == SQLITE_ROW)
    bound = sqlite3_column_int64 (st, 0);
  sqlite3_finalize (st);
  return bound;
}

/* Deletes samples of @key before @bound and fixes the rollups. Returns the rows deleted. */
static gint64
delete_before (Writer *w,
               gint64  key,
               gint64  bound,
               gboolean purge)
{
  sqlite3_stmt *st = NULL;
  KeyState *ks = g_hash_table_lookup (w->keys, &key);
  gint64 deleted;

  sqlite3_prepare_v2 (w->db, "DELETE FROM samples WHERE key=?1 AND time<?2", -1, &st, NULL);
  sqlite3_bind_int64 (st, 1, key);
  sqlite3_bind_int64 (st, 2, bound);
  dc_history_writer_step_done (w, st);
  sqlite3_finalize (st);
  deleted = sqlite3_changes (w->db);

  for (int level = 0; level < DC_HISTORY_N_LEVELS; level++)
    {
      gint64 period = dc_history_level_period[level];
      gint64 pb = dc_history_floor (bound, period);

      st = NULL;
      sqlite3_prepare_v2 (w->db, "DELETE FROM rollup WHERE key=?1 AND level=?2 AND time<?3",
                          -1, &st, NULL);
      sqlite3_bind_int64 (st, 1, key);
      sqlite3_bind_int (st, 2, level);
      sqlite3_bind_int64 (st, 3, purge ? bound : pb);
      dc_history_writer_step_done (w, st);
      sqlite3_finalize (st);

      if (purge || pb == bound)
        continue;

      /* The period that straddles @bound lost some samples. */
      if (ks != NULL && ks->has_open[level] && ks->open[level] <= pb)
        {
          ks->dirty[level] = TRUE;
          continue;
        }
      dc_history_recompute_range (w, key, level, pb, pb + period);
    }

  return deleted;
}

gboolean
dc_history_run_purge_step (Writer       *w,
                           DcHistoryJob *job)
{
  DcHistory *self = w->self;
  guint chunk;
  gint64 bound, deleted;

  g_mutex_lock (&self->mutex);
  chunk = self->purge_chunk;
  if (!job->started)
    {
      g_hash_table_remove (self->published, &job->key);
      job->started = TRUE;
    }
  g_mutex_unlock (&self->mutex);
  g_hash_table_remove (w->keys, &job->key);

  sqlite3_exec (w->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  bound = chunk_bound (w, job->key, G_MAXINT64, chunk);
  deleted = delete_before (w, job->key, bound, TRUE);
  if (bound == G_MAXINT64)
    {
      sqlite3_stmt *st = NULL;

      sqlite3_prepare_v2 (w->db, "DELETE FROM samples WHERE key=?1", -1, &st, NULL);
      sqlite3_bind_int64 (st, 1, job->key);
      dc_history_writer_step_done (w, st);
      deleted += sqlite3_changes (w->db);
      sqlite3_finalize (st);
      st = NULL;
      sqlite3_prepare_v2 (w->db, "DELETE FROM rollup WHERE key=?1", -1, &st, NULL);
      sqlite3_bind_int64 (st, 1, job->key);
      dc_history_writer_step_done (w, st);
      sqlite3_finalize (st);
      st = NULL;
      sqlite3_prepare_v2 (w->db, "DELETE FROM purge_keys WHERE key=?1", -1, &st, NULL);
      sqlite3_bind_int64 (st, 1, job->key);
      dc_history_writer_step_done (w, st);
      sqlite3_finalize (st);
    }
  g_mutex_lock (&self->mutex);
  sqlite3_exec (w->db, "COMMIT", NULL, NULL, NULL);
  self->stats.purged += deleted;
  g_mutex_unlock (&self->mutex);

  return bound == G_MAXINT64;
}

gboolean
dc_history_run_retention_step (Writer       *w,
                               DcHistoryJob *job)
{
  DcHistory *self = w->self;
  sqlite3_stmt *st = NULL;
  gint64 key, cutoff, bound, deleted = 0;
  guint chunk;
  int days;
  gboolean found;

  sqlite3_prepare_v2 (w->db, "SELECT key FROM samples WHERE key>=?1 ORDER BY key LIMIT 1",
                      -1, &st, NULL);
  sqlite3_bind_int64 (st, 1, job->key);
  found = dc_history_writer_select_int64 (w, st, &key);
  sqlite3_finalize (st);
  if (!found)
    return TRUE;

  g_mutex_lock (&self->mutex);
  chunk = self->purge_chunk;
  days = GPOINTER_TO_INT (g_hash_table_lookup (self->retention, &key));
  if (days <= 0)
    days = self->default_retention_days;
  g_mutex_unlock (&self->mutex);

  cutoff = job->now - days * USEC_PER_DAY;
  sqlite3_exec (w->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  bound = chunk_bound (w, key, cutoff, chunk);
  if (bound > cutoff)
    bound = cutoff;
  deleted = delete_before (w, key, bound, FALSE);
  g_mutex_lock (&self->mutex);
  sqlite3_exec (w->db, "COMMIT", NULL, NULL, NULL);
  self->stats.purged += deleted;
  g_mutex_unlock (&self->mutex);

  /* Next key once this one has nothing left before the cutoff. */
  if (bound == cutoff)
    {
      if (key == G_MAXINT64)
        return TRUE;
      job->key = key + 1;
    }
  else
    job->key = key;
  return FALSE;
}
