/* dc-history.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-history"

#include "config.h"

#include "dc-error.h"
#if HAVE_LIBPQ
#include "dc-history-pg-private.h"
#endif
#include "dc-history-writer-private.h"

/* DcHistory: the object, its queue of batches as the engine pushes them, its settings and
 * counters. The writer thread that empties the queue is dc-history-writer.c, its rollups
 * dc-history-rollup.c, its purge and retention jobs dc-history-retention.c, the database
 * schema dc-history-db.c, queries dc-history-query.c. Design notes in docs/history.md. */

#define DEFAULT_CAPACITY        1000000
#define DEFAULT_MAX_WAIT_MS     500
#define DEFAULT_RETENTION_DAYS  365
#define DEFAULT_PURGE_CHUNK     5000

enum {
  SIGNAL_READY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DcHistory, dc_history, G_TYPE_OBJECT)



static void
dc_history_finalize (GObject *object)
{
  DcHistory *self = DC_HISTORY (object);

  if (self->writer != NULL)
    {
      g_mutex_lock (&self->mutex);
      self->stopping = TRUE;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->mutex);
      g_thread_join (self->writer);
    }

  g_queue_clear_full (&self->jobs, g_free);
  g_clear_pointer (&self->purges_to_record, g_array_unref);
  g_clear_pointer (&self->published, g_hash_table_unref);
  g_clear_pointer (&self->retention, g_hash_table_unref);
  if (self->readers != NULL)
    {
      for (guint i = 0; i < self->readers->len; i++)
        self->backend->reader_close (g_ptr_array_index (self->readers, i));
      g_ptr_array_unref (self->readers);
    }
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->failure, g_free);
  g_clear_pointer (&self->conninfo, g_free);
  g_clear_pointer (&self->config_id, g_free);
  g_clear_pointer (&self->config_path, g_free);
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_clear_pointer (&self->password, g_free);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (dc_history_parent_class)->finalize (object);
}

static void
dc_history_class_init (DcHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = dc_history_finalize;

  /**
   * DcHistory::ready:
   *
   * The queue has room again after dc_history_push() refused a batch.
   */
  signals[SIGNAL_READY] =
    g_signal_new ("ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
dc_history_init (DcHistory *self)
{
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  g_queue_init (&self->queue);
  g_queue_init (&self->jobs);
  self->published = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->retention = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->readers = g_ptr_array_new ();
  self->purges_to_record = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->capacity = DEFAULT_CAPACITY;
  self->max_wait_us = (gint64) DEFAULT_MAX_WAIT_MS * 1000;
  self->default_retention_days = DEFAULT_RETENTION_DAYS;
  self->purge_chunk = DEFAULT_PURGE_CHUNK;
  self->next_seq = 1;
  self->context = g_main_context_ref_thread_default ();
}

/* Opens the writer's connection (creating the schema) and starts the writer thread. */
static gboolean
dc_history_start (DcHistory  *self,
                  GError    **error)
{
  g_autoptr(GArray) purges = g_array_new (FALSE, FALSE, sizeof (gint64));
  Writer *w;

  w = g_new0 (Writer, 1);
  w->self = self;
  w->ops = self->backend;
  w->keys = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_free);
  w->touched = g_ptr_array_new ();
  if (!w->ops->writer_open (w, error))
    {
      g_hash_table_unref (w->keys);
      g_ptr_array_unref (w->touched);
      g_free (w);
      return FALSE;
    }

  /* Purges that were not finished before the last stop. */
  w->ops->list_purges (w, purges);
  for (guint i = 0; i < purges->len; i++)
    dc_history_add_job_locked (self, JOB_PURGE_KEY, g_array_index (purges, gint64, i), 0);

  self->writer = g_thread_new ("dc-history-writer", dc_history_writer_thread, w);
  return TRUE;
}

DcHistory *
dc_history_new (const char  *path,
                GError     **error)
{
  g_autoptr(DcHistory) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (DC_TYPE_HISTORY, NULL);
  self->backend = &dc_history_sqlite_backend;
  self->path = g_strdup (path);
  if (!dc_history_start (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

#if HAVE_LIBPQ
/* The first line of @path (a password file: docs/historian-postgresql.md). */
static char *
read_password_file (const char  *path,
                    GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local = NULL;
  char *end;

  if (!g_file_get_contents (path, &contents, NULL, &local))
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID, "cannot read the history password file: %s",
                   local->message);
      return NULL;
    }
  end = strpbrk (contents, "\r\n");
  if (end != NULL)
    *end = '\0';
  return g_steal_pointer (&contents);
}
#endif

DcHistory *
dc_history_new_postgresql (const char  *url,
                           const char  *password_file,
                           const char  *config_db_path,
                           const char  *config_id,
                           GError     **error)
{
#if HAVE_LIBPQ
  g_autoptr(DcHistory) self = NULL;

  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail ((config_db_path == NULL) == (config_id == NULL), NULL);

  self = g_object_new (DC_TYPE_HISTORY, NULL);
  self->backend = &dc_history_pg_backend;
  self->conninfo = g_strdup (url);
  self->config_id = g_strdup (config_id);
  self->config_path = g_strdup (config_db_path);
  self->path = dc_history_pg_display_url (url, error);
  if (self->path == NULL)
    return NULL;
  if (password_file != NULL &&
      (self->password = read_password_file (password_file, error)) == NULL)
    return NULL;
  if (!dc_history_start (self, error))
    return NULL;

  return g_steal_pointer (&self);
#else
  g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID,
                       "[history] backend=postgresql: this build has no PostgreSQL support "
                       "(built with -Dlibpq=disabled)");
  return NULL;
#endif
}

const char *
dc_history_get_backend_name (DcHistory *self)
{
  g_return_val_if_fail (DC_IS_HISTORY (self), NULL);

  return self->backend->name;
}

const char *
dc_history_get_path (DcHistory *self)
{
  g_return_val_if_fail (DC_IS_HISTORY (self), NULL);

  return self->path;
}

void
dc_history_set_queue_capacity (DcHistory *self,
                               guint      max_samples)
{
  g_return_if_fail (DC_IS_HISTORY (self));
  g_return_if_fail (max_samples > 0);

  g_mutex_lock (&self->mutex);
  self->capacity = max_samples;
  g_mutex_unlock (&self->mutex);
}

void
dc_history_set_max_wait (DcHistory *self,
                         guint      ms)
{
  g_return_if_fail (DC_IS_HISTORY (self));
  g_return_if_fail (ms > 0);

  g_mutex_lock (&self->mutex);
  self->max_wait_us = (gint64) ms * 1000;
  g_mutex_unlock (&self->mutex);
}

void
dc_history_set_default_retention_days (DcHistory *self,
                                       int        days)
{
  g_return_if_fail (DC_IS_HISTORY (self));
  g_return_if_fail (days > 0);

  g_mutex_lock (&self->mutex);
  self->default_retention_days = days;
  g_mutex_unlock (&self->mutex);
}

void
dc_history_set_retention_days (DcHistory *self,
                               gint64     key,
                               int        days)
{
  g_return_if_fail (DC_IS_HISTORY (self));

  g_mutex_lock (&self->mutex);
  if (days > 0)
    g_hash_table_insert (self->retention, g_memdup2 (&key, sizeof key), GINT_TO_POINTER (days));
  else
    g_hash_table_remove (self->retention, &key);
  g_mutex_unlock (&self->mutex);
}

static gboolean
push_internal (DcHistory      *self,
               const DcSample *samples,
               guint           n_samples,
               gboolean        always,
               GError        **error)
{
  DcHistoryBatch *batch;
  gint64 now;

  if (n_samples == 0)
    return TRUE;

  now = g_get_monotonic_time ();
  g_mutex_lock (&self->mutex);
  /* While the file takes no writes, a full queue drops instead of refusing: refused, the
   * batches would back up into the engine and throttle acquisition, and the live values must
   * go on (docs/history.md "Full disk"). */
  if (self->failure != NULL && !self->stopping && self->stats.queued > 0 &&
      self->stats.queued + n_samples > self->capacity)
    {
      self->stats.dropped += n_samples;
      g_mutex_unlock (&self->mutex);
      return TRUE;
    }
  /* The batch in flight is bounded (docs/history.md "Batch in flight"): in samples (an
   * oversized batch is taken when the queue is empty, else it could never pass) and in the
   * time the batches behind the transaction have waited (while the file can be written). */
  if (!always &&
      (self->stopping ||
       (self->stats.queued > 0 && self->stats.queued + n_samples > self->capacity) ||
       (self->failure == NULL && self->waiting_since != 0 &&
        now - self->waiting_since >= self->max_wait_us)))
    {
      self->stats.refused += n_samples;
      self->refused_since_ready = TRUE;
      dc_history_schedule_ready_locked (self);
      g_mutex_unlock (&self->mutex);
      g_set_error (error, DC_ERROR, DC_ERROR_BUSY, "history writer is busy");
      return FALSE;
    }

  batch = g_new0 (DcHistoryBatch, 1);
  batch->seq = self->next_seq++;
  batch->queued_at = now;
  batch->samples = g_array_sized_new (FALSE, FALSE, sizeof (DcSample), n_samples);
  g_array_append_vals (batch->samples, samples, n_samples);
  g_queue_push_tail (&self->queue, batch);
  if (self->waiting_since == 0)
    self->waiting_since = now;
  self->stats.accepted += n_samples;
  self->stats.queued += n_samples;
  if (self->stats.queued > self->stats.max_queued)
    self->stats.max_queued = self->stats.queued;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  return TRUE;
}

gboolean
dc_history_push (DcHistory      *self,
                 const DcSample *samples,
                 guint           n_samples,
                 GError        **error)
{
  g_return_val_if_fail (DC_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (samples != NULL || n_samples == 0, FALSE);

  return push_internal (self, samples, n_samples, FALSE, error);
}

void
dc_history_push_always (DcHistory      *self,
                        const DcSample *samples,
                        guint           n_samples)
{
  g_return_if_fail (DC_IS_HISTORY (self));
  g_return_if_fail (samples != NULL || n_samples == 0);

  push_internal (self, samples, n_samples, TRUE, NULL);
}

gboolean
dc_history_is_congested (DcHistory *self)
{
  gboolean congested;

  g_return_val_if_fail (DC_IS_HISTORY (self), FALSE);

  g_mutex_lock (&self->mutex);
  congested = self->failure == NULL &&
              (self->refused_since_ready || self->stats.queued >= self->capacity);
  g_mutex_unlock (&self->mutex);

  return congested;
}

void
dc_history_purge_key (DcHistory *self,
                      gint64     key)
{
  g_return_if_fail (DC_IS_HISTORY (self));

  /* The writer records the purge in the database before anything else, so a restart
   * finishes it; no sqlite work on the caller's (main) thread. */
  g_mutex_lock (&self->mutex);
  g_hash_table_remove (self->retention, &key);
  g_array_append_val (self->purges_to_record, key);
  dc_history_add_job_locked (self, JOB_PURGE_KEY, key, 0);
  g_mutex_unlock (&self->mutex);
}

void
dc_history_run_retention (DcHistory *self,
                          gint64     now_us)
{
  g_return_if_fail (DC_IS_HISTORY (self));

  g_mutex_lock (&self->mutex);
  dc_history_add_job_locked (self, JOB_RETENTION, 0, now_us != 0 ? now_us : g_get_real_time ());
  g_mutex_unlock (&self->mutex);
}

void
dc_history_get_stats (DcHistory      *self,
                      DcHistoryStats *stats)
{
  g_return_if_fail (DC_IS_HISTORY (self));
  g_return_if_fail (stats != NULL);

  g_mutex_lock (&self->mutex);
  *stats = self->stats;
  stats->capacity = self->capacity;
  g_mutex_unlock (&self->mutex);
}

char *
dc_history_dup_error (DcHistory *self)
{
  char *error;

  g_return_val_if_fail (DC_IS_HISTORY (self), NULL);

  g_mutex_lock (&self->mutex);
  error = g_strdup (self->failure);
  g_mutex_unlock (&self->mutex);
  return error;
}

void
dc_history_sync (DcHistory *self)
{
  g_return_if_fail (DC_IS_HISTORY (self));

  g_mutex_lock (&self->mutex);
  while ((self->queue.length > 0 || self->jobs.length > 0) && self->failure == NULL)
    g_cond_wait (&self->cond, &self->mutex);
  g_mutex_unlock (&self->mutex);
}

#if DC_TEST_BUILD
void
dc_history_set_throttle (DcHistory *self,
                         guint      delay_us)
{
  g_return_if_fail (DC_IS_HISTORY (self));

  g_mutex_lock (&self->mutex);
  self->throttle_us = delay_us;
  g_mutex_unlock (&self->mutex);
}

void
dc_history_set_commit_delay (DcHistory *self,
                             guint      delay_us)
{
  g_return_if_fail (DC_IS_HISTORY (self));

  g_atomic_int_set (&self->commit_delay_us, delay_us);
}

void
dc_history_set_purge_chunk (DcHistory *self,
                            guint      rows)
{
  g_return_if_fail (DC_IS_HISTORY (self));
  g_return_if_fail (rows > 0);

  g_mutex_lock (&self->mutex);
  self->purge_chunk = rows;
  g_mutex_unlock (&self->mutex);
}
#endif
