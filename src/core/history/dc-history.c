/* dc-history.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-history"

#include "config.h"

#include "dc-error.h"
#include "dc-history-writer-private.h"

/* DcHistory and its writer thread: the queue of batches, the jobs, the ::ready signal. The
 * writer's rollups live in dc-history-rollup.c, its purge and retention jobs in
 * dc-history-retention.c, the database schema in dc-history-db.c, queries in
 * dc-history-query.c. Design notes in docs/history.md. */

#define DEFAULT_CAPACITY        1000000
#define DEFAULT_RETENTION_DAYS  365
#define DEFAULT_PURGE_CHUNK     5000
#define RETENTION_INTERVAL_US   ((gint64) G_USEC_PER_SEC * 3600)

enum {
  SIGNAL_READY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DcHistory, dc_history, G_TYPE_OBJECT)

static gboolean
emit_ready_cb (gpointer data)
{
  GWeakRef *ref = data;
  g_autoptr(DcHistory) self = g_weak_ref_get (ref);

  if (self == NULL)
    return G_SOURCE_REMOVE;

  g_mutex_lock (&self->mutex);
  self->ready_scheduled = FALSE;
  self->refused_since_ready = FALSE;
  g_mutex_unlock (&self->mutex);

  g_signal_emit (self, signals[SIGNAL_READY], 0);
  return G_SOURCE_REMOVE;
}

static void
free_weak_ref (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

/* Called with the mutex held after a commit. */
static void
maybe_schedule_ready (DcHistory *self)
{
  GSource *source;
  GWeakRef *ref;

  if (!self->refused_since_ready || self->ready_scheduled || self->stopping ||
      self->stats.queued > self->capacity / 2)
    return;

  self->ready_scheduled = TRUE;
  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, emit_ready_cb, ref, free_weak_ref);
  g_source_set_static_name (source, "[dc-history-ready]");
  g_source_attach (source, self->context);
  g_source_unref (source);
}

/* Queued batches written in one transaction, up to this many samples (a flood arrives in
 * batches of a few hundred, one per socket read: a commit each would cost more than the rows). */
#define MAX_TRANSACTION_SAMPLES 8192

static void
write_samples (Writer         *w,
               DcHistoryBatch *batch,
               gboolean       *ok,
               guint64        *n_replaced)
{
  for (guint i = 0; *ok && i < batch->samples->len; i++)
    {
      const DcSample *s = &g_array_index (batch->samples, DcSample, i);
      KeyState *ks = dc_history_key_state_get (w, s->key);
      gboolean replaced;

      sqlite3_bind_int64 (w->insert, 1, s->key);
      sqlite3_bind_int64 (w->insert, 2, s->time);
      dc_history_bind_double_or_null (w->insert, 3, s->value);
      sqlite3_bind_int64 (w->insert, 4, s->quality);
      *ok = dc_history_writer_step_done (w, w->insert);
      replaced = sqlite3_changes (w->db) == 0;
      if (*ok && replaced)
        {
          (*n_replaced)++;
          dc_history_bind_double_or_null (w->update, 1, s->value);
          sqlite3_bind_int64 (w->update, 2, s->quality);
          sqlite3_bind_int64 (w->update, 3, s->key);
          sqlite3_bind_int64 (w->update, 4, s->time);
          *ok = dc_history_writer_step_done (w, w->update);
        }

      dc_history_rollup_add (w, ks, s, replaced);
      if (ks->touched != w->batch_no)
        {
          ks->touched = w->batch_no;
          g_ptr_array_add (w->touched, ks);
        }
    }
}

/* Writes the first @n_batches queued batches (the writer is the only one that pops them, so
 * they stay put) in one transaction; they leave the queue under the mutex in the same
 * critical section as the COMMIT. */
static void
write_batches (Writer *w,
               guint   n_batches)
{
  DcHistory *self = w->self;
  g_autofree DcHistoryBatch **batches = g_new (DcHistoryBatch *, n_batches);
  gboolean ok = TRUE;
  guint64 n_replaced = 0, n_samples = 0;
  GList *l;
  guint i;

  g_mutex_lock (&self->mutex);
  for (l = self->queue.head, i = 0; i < n_batches; l = l->next, i++)
    batches[i] = l->data;
  g_mutex_unlock (&self->mutex);

  w->batch_no++;
  if (sqlite3_exec (w->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    g_critical ("history writer: BEGIN: %s", sqlite3_errmsg (w->db));
  for (i = 0; i < n_batches; i++)
    {
      write_samples (w, batches[i], &ok, &n_replaced);
      n_samples += batches[i]->samples->len;
    }

  g_mutex_lock (&self->mutex);
  if (sqlite3_exec (w->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    {
      /* Nothing of the batches is written; the samples stay counted as queued → never
       * silently lost, the error is loud. */
      g_critical ("history writer: COMMIT: %s", sqlite3_errmsg (w->db));
      sqlite3_exec (w->db, "ROLLBACK", NULL, NULL, NULL);
    }
  else
    {
      self->stats.written += n_samples;
      self->stats.replaced += n_replaced;
      self->stats.batches++;
    }
  dc_history_publish_watermarks (w);
  for (i = 0; i < n_batches; i++)
    g_queue_pop_head (&self->queue);
  self->stats.queued -= n_samples;
  self->written_seq = batches[n_batches - 1]->seq;
  maybe_schedule_ready (self);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  for (i = 0; i < n_batches; i++)
    {
      g_array_unref (batches[i]->samples);
      g_free (batches[i]);
    }
}

static void
add_job_locked (DcHistory *self,
                JobKind    kind,
                gint64     key,
                gint64     now)
{
  DcHistoryJob *job = g_new0 (DcHistoryJob, 1);

  job->kind = kind;
  job->key = kind == JOB_RETENTION ? G_MININT64 : key;
  job->now = now;
  job->after_seq = self->next_seq - 1;
  g_queue_push_tail (&self->jobs, job);
  self->stats.jobs++;
  g_cond_broadcast (&self->cond);
}

static gboolean
writer_prepare (Writer  *w,
                GError **error)
{
  static const struct { gsize offset; const char *sql; } stmts[] = {
    { G_STRUCT_OFFSET (Writer, insert),
      "INSERT OR IGNORE INTO samples (key, time, value, quality) VALUES (?1, ?2, ?3, ?4)" },
    { G_STRUCT_OFFSET (Writer, update),
      "UPDATE samples SET value=?1, quality=?2 WHERE key=?3 AND time=?4" },
    { G_STRUCT_OFFSET (Writer, merge),
      "INSERT INTO rollup (key, level, time, vmin, vmax, first_time, vfirst, last_time, vlast,"
      " vsum, n, count) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
      " ON CONFLICT (key, level, time) DO UPDATE SET"
      " vmin=coalesce(min(vmin, excluded.vmin), vmin, excluded.vmin),"
      " vmax=coalesce(max(vmax, excluded.vmax), vmax, excluded.vmax),"
      " vfirst=CASE WHEN excluded.first_time<first_time THEN excluded.vfirst ELSE vfirst END,"
      " first_time=min(first_time, excluded.first_time),"
      " vlast=CASE WHEN excluded.last_time>last_time THEN excluded.vlast ELSE vlast END,"
      " last_time=max(last_time, excluded.last_time),"
      " vsum=vsum+excluded.vsum, n=n+excluded.n, count=count+excluded.count" },
    { G_STRUCT_OFFSET (Writer, recompute_delete),
      "DELETE FROM rollup WHERE key=?1 AND level=?2 AND time>=?3 AND time<?4" },
    { G_STRUCT_OFFSET (Writer, recompute_insert),
      "INSERT INTO rollup (key, level, time, vmin, vmax, first_time, vfirst, last_time, vlast,"
      " vsum, n, count)"
      " SELECT ?1, ?2, time-(((time%?5)+?5)%?5) AS p, min(value), max(value), min(time),"
      " dc_first(value, time), max(time), dc_last(value, time), total(value), count(value),"
      " count(*) FROM samples WHERE key=?1 AND time>=?3 AND time<?4 GROUP BY p" },
    { G_STRUCT_OFFSET (Writer, max_raw), "SELECT max(time) FROM samples WHERE key=?1" },
    { G_STRUCT_OFFSET (Writer, min_raw), "SELECT min(time) FROM samples WHERE key=?1" },
    { G_STRUCT_OFFSET (Writer, max_rollup),
      "SELECT max(time) FROM rollup WHERE key=?1 AND level=?2" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (stmts); i++)
    {
      sqlite3_stmt **stmt = G_STRUCT_MEMBER_P (w, stmts[i].offset);

      if (sqlite3_prepare_v3 (w->db, stmts[i].sql, -1, SQLITE_PREPARE_PERSISTENT, stmt,
                              NULL) != SQLITE_OK)
        {
          dc_history_set_sql_error (error, w->db, stmts[i].sql);
          return FALSE;
        }
    }
  return TRUE;
}

static void
writer_finalize_statements (Writer *w)
{
  sqlite3_stmt *stmt;

  while ((stmt = sqlite3_next_stmt (w->db, NULL)) != NULL)
    sqlite3_finalize (stmt);
}

static void
record_purges (Writer *w,
               GArray *keys)
{
  sqlite3_stmt *st = NULL;

  sqlite3_exec (w->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  sqlite3_prepare_v2 (w->db, "INSERT OR IGNORE INTO purge_keys (key) VALUES (?1)", -1, &st, NULL);
  for (guint i = 0; i < keys->len; i++)
    {
      sqlite3_bind_int64 (st, 1, g_array_index (keys, gint64, i));
      dc_history_writer_step_done (w, st);
    }
  sqlite3_finalize (st);
  if (sqlite3_exec (w->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    g_warning ("history: cannot record purges: %s", sqlite3_errmsg (w->db));
}

/* Whether a job waits for the batch before @seq to be written (and not for @seq). */
static gboolean
job_waits_for (DcHistory *self,
               guint64    seq)
{
  DcHistoryJob *job = g_queue_peek_head (&self->jobs);

  return job != NULL && job->after_seq == seq - 1;
}

static gpointer
writer_thread (gpointer data)
{
  Writer *w = data;
  DcHistory *self = w->self;
  gint64 next_retention = g_get_monotonic_time ();

  g_mutex_lock (&self->mutex);
  for (;;)
    {
      DcHistoryBatch *batch;
      DcHistoryJob *job;
      guint throttle, n_batches;

      if (g_get_monotonic_time () >= next_retention)
        {
          add_job_locked (self, JOB_RETENTION, 0, g_get_real_time ());
          next_retention = g_get_monotonic_time () + RETENTION_INTERVAL_US;
        }

      if (self->purges_to_record->len > 0)
        {
          g_autoptr(GArray) keys = self->purges_to_record;

          self->purges_to_record = g_array_new (FALSE, FALSE, sizeof (gint64));
          g_mutex_unlock (&self->mutex);
          record_purges (w, keys);
          g_mutex_lock (&self->mutex);
        }

      batch = g_queue_peek_head (&self->queue);
      job = g_queue_peek_head (&self->jobs);
      if (job != NULL && job->after_seq > self->written_seq)
        job = NULL;

      if (batch == NULL && job == NULL)
        {
          if (self->stopping)
            break;
          g_cond_wait_until (&self->cond, &self->mutex, next_retention);
          continue;
        }
      /* At shutdown, write what was accepted and leave the jobs for the next start
       * (purges are remembered in the database, retention runs again). */
      if (batch == NULL && self->stopping)
        break;

      throttle = self->throttle_us;
      n_batches = 0;
      if (batch != NULL)
        {
          guint64 n = 0;

          /* Batches queued behind it go in the same transaction, up to a bound; not past a
           * job's turn (a job runs after the batches queued before it). */
          for (GList *l = self->queue.head; l != NULL && (n_batches == 0 ||
               n + ((DcHistoryBatch *) l->data)->samples->len <= MAX_TRANSACTION_SAMPLES);
               l = l->next)
            {
              DcHistoryBatch *b = l->data;

              if (n_batches > 0 && job_waits_for (self, b->seq))
                break;
              n += b->samples->len;
              n_batches++;
            }
        }
      g_mutex_unlock (&self->mutex);

      if (batch != NULL)
        {
          if (throttle > 0)
            g_usleep (throttle);
          write_batches (w, n_batches);
        }
      if (job != NULL)
        {
          gboolean done;

          if (job->kind == JOB_PURGE_KEY)
            done = dc_history_run_purge_step (w, job);
          else
            done = dc_history_run_retention_step (w, job);

          if (done)
            {
              g_mutex_lock (&self->mutex);
              g_queue_remove (&self->jobs, job);
              self->stats.jobs--;
              g_cond_broadcast (&self->cond);
              g_mutex_unlock (&self->mutex);
              g_free (job);
            }
        }

      g_mutex_lock (&self->mutex);
    }
  g_mutex_unlock (&self->mutex);

  /* Close the open periods so the next start finds complete rollups. */
  if (sqlite3_exec (w->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK)
    {
      GHashTableIter iter;
      KeyState *ks;

      g_hash_table_iter_init (&iter, w->keys);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &ks))
        for (int level = 0; level < DC_HISTORY_N_LEVELS; level++)
          dc_history_close_open (w, ks, level);
      sqlite3_exec (w->db, "COMMIT", NULL, NULL, NULL);
    }

  writer_finalize_statements (w);
  sqlite3_close (w->db);
  g_hash_table_unref (w->keys);
  g_ptr_array_unref (w->touched);
  g_free (w);
  return NULL;
}

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
        sqlite3_close (g_ptr_array_index (self->readers, i));
      g_ptr_array_unref (self->readers);
    }
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->path, g_free);
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
  self->default_retention_days = DEFAULT_RETENTION_DAYS;
  self->purge_chunk = DEFAULT_PURGE_CHUNK;
  self->next_seq = 1;
  self->context = g_main_context_ref_thread_default ();
}

DcHistory *
dc_history_new (const char  *path,
                GError     **error)
{
  g_autoptr(DcHistory) self = NULL;
  Writer *w;
  sqlite3_stmt *st = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (DC_TYPE_HISTORY, NULL);
  self->path = g_strdup (path);

  w = g_new0 (Writer, 1);
  w->self = self;
  w->keys = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_free);
  w->touched = g_ptr_array_new ();
  w->db = dc_history_open_db (path, TRUE, error);
  if (w->db == NULL || !writer_prepare (w, error))
    {
      if (w->db != NULL)
        {
          writer_finalize_statements (w);
          sqlite3_close (w->db);
        }
      g_hash_table_unref (w->keys);
      g_ptr_array_unref (w->touched);
      g_free (w);
      return NULL;
    }

  /* Purges that were not finished before the last stop. */
  sqlite3_prepare_v2 (w->db, "SELECT key FROM purge_keys", -1, &st, NULL);
  while (sqlite3_step (st) == SQLITE_ROW)
    add_job_locked (self, JOB_PURGE_KEY, sqlite3_column_int64 (st, 0), 0);
  sqlite3_finalize (st);

  self->writer = g_thread_new ("dc-history-writer", writer_thread, w);

  return g_steal_pointer (&self);
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

  if (n_samples == 0)
    return TRUE;

  g_mutex_lock (&self->mutex);
  /* An oversized batch is taken when the queue is empty, else it could never pass. */
  if (!always &&
      (self->stopping ||
       (self->stats.queued > 0 && self->stats.queued + n_samples > self->capacity)))
    {
      self->stats.refused += n_samples;
      self->refused_since_ready = TRUE;
      maybe_schedule_ready (self);
      g_mutex_unlock (&self->mutex);
      g_set_error (error, DC_ERROR, DC_ERROR_BUSY, "history writer is busy");
      return FALSE;
    }

  batch = g_new0 (DcHistoryBatch, 1);
  batch->seq = self->next_seq++;
  batch->samples = g_array_sized_new (FALSE, FALSE, sizeof (DcSample), n_samples);
  g_array_append_vals (batch->samples, samples, n_samples);
  g_queue_push_tail (&self->queue, batch);
  self->stats.accepted += n_samples;
  self->stats.queued += n_samples;
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
  congested = self->refused_since_ready || self->stats.queued >= self->capacity;
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
  add_job_locked (self, JOB_PURGE_KEY, key, 0);
  g_mutex_unlock (&self->mutex);
}

void
dc_history_run_retention (DcHistory *self,
                          gint64     now_us)
{
  g_return_if_fail (DC_IS_HISTORY (self));

  g_mutex_lock (&self->mutex);
  add_job_locked (self, JOB_RETENTION, 0, now_us != 0 ? now_us : g_get_real_time ());
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
  g_mutex_unlock (&self->mutex);
}

void
dc_history_sync (DcHistory *self)
{
  g_return_if_fail (DC_IS_HISTORY (self));

  g_mutex_lock (&self->mutex);
  while (self->queue.length > 0 || self->jobs.length > 0)
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
