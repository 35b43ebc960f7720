/* dc-history-retention.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-history"

#include "config.h"

#include "dc-history-writer-private.h"

/* The writer's jobs: purging a deleted point's history and deleting samples older than their
 * retention, with the rollups fixed. One small step per call, in its own transaction, so that
 * batches keep flowing between steps. The SQL is the backend's (DcHistoryBackend). */

#define USEC_PER_DAY (G_USEC_PER_SEC * (gint64) 86400)

/* Deletes samples of @key before @bound and fixes the rollups. Returns the rows deleted. */
static gint64
delete_before (Writer  *w,
               gint64   key,
               gint64   bound,
               gboolean purge)
{
  KeyState *ks = g_hash_table_lookup (w->keys, &key);
  gint64 deleted;

  deleted = w->ops->delete_samples (w, key, bound);

  for (int level = 0; level < DC_HISTORY_N_LEVELS; level++)
    {
      gint64 period = dc_history_level_period[level];
      gint64 pb = dc_history_floor (bound, period);

      w->ops->delete_rollups (w, key, level, purge ? bound : pb);

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

/* Commits a job's step and counts what it deleted; FALSE when it did not commit. */
static gboolean
commit_step (Writer *w,
             gint64  deleted)
{
  DcHistory *self = w->self;
  DcHistoryCommit result;

  result = w->ops->commit (w);
  g_mutex_lock (&self->mutex);
  if (result == DC_HISTORY_COMMIT_OK)
    self->stats.purged += deleted;
  /* The writer says so and waits (docs/history.md "Full disk"). */
  if (result == DC_HISTORY_COMMIT_STALLED)
    w->stalled = TRUE;
  g_mutex_unlock (&self->mutex);

  if (result != DC_HISTORY_COMMIT_OK)
    dc_history_writer_forget (w);
  return result == DC_HISTORY_COMMIT_OK;
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

  if (!w->ops->begin (w))
    return FALSE;
  bound = w->ops->chunk_bound (w, job->key, G_MAXINT64, chunk);
  deleted = delete_before (w, job->key, bound, TRUE);
  if (bound == G_MAXINT64)
    deleted += w->ops->finish_purge (w, job->key);

  return commit_step (w, deleted) && bound == G_MAXINT64;
}

gboolean
dc_history_run_retention_step (Writer       *w,
                               DcHistoryJob *job)
{
  DcHistory *self = w->self;
  gint64 key, cutoff, bound, deleted;
  guint chunk;
  int days;

  /* First, whatever is older than every point's retention goes at once where the backend
   * can (PostgreSQL drops whole partitions). */
  if (!job->started && w->ops->drop_expired != NULL)
    {
      GHashTableIter iter;
      gpointer value;
      int max_days;

      g_mutex_lock (&self->mutex);
      max_days = self->default_retention_days;
      g_hash_table_iter_init (&iter, self->retention);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        max_days = MAX (max_days, GPOINTER_TO_INT (value));
      g_mutex_unlock (&self->mutex);

      if (!w->ops->begin (w))
        return FALSE;
      if (!commit_step (w, w->ops->drop_expired (w, job->now - max_days * USEC_PER_DAY)))
        return FALSE;
    }
  job->started = TRUE;

  if (!w->ops->next_key (w, job->key, &key))
    return TRUE;

  g_mutex_lock (&self->mutex);
  chunk = self->purge_chunk;
  days = GPOINTER_TO_INT (g_hash_table_lookup (self->retention, &key));
  if (days <= 0)
    days = self->default_retention_days;
  g_mutex_unlock (&self->mutex);

  cutoff = job->now - days * USEC_PER_DAY;
  if (!w->ops->begin (w))
    return FALSE;
  bound = w->ops->chunk_bound (w, key, cutoff, chunk);
  if (bound > cutoff)
    bound = cutoff;
  deleted = delete_before (w, key, bound, FALSE);
  if (!commit_step (w, deleted))
    return FALSE;

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
