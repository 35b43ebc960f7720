/* dc-history-writer.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-history"

#include "config.h"

#include "dc-history-writer-private.h"

/* The writer thread of DcHistory (docs/history.md "Writer"): it takes the queued batches in
 * order, several in one transaction, writes their samples and rollups through the backend,
 * runs the purge and retention jobs between them, reconnects a lost connection and retries a
 * stalled commit; and ::ready once the queue has room again. */

#define RETENTION_INTERVAL_US   ((gint64) G_USEC_PER_SEC * 3600)

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

  g_signal_emit_by_name (self, "ready");
  return G_SOURCE_REMOVE;
}

static void
free_weak_ref (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

/* Called with the mutex held after a commit. */
void
dc_history_schedule_ready_locked (DcHistory *self)
{
  GSource *source;
  GWeakRef *ref;

  if (!self->refused_since_ready || self->ready_scheduled || self->stopping ||
      (self->failure == NULL &&
       (self->stats.queued > self->capacity / 2 ||
        (self->waiting_since != 0 &&
         g_get_monotonic_time () - self->waiting_since >= self->max_wait_us))))
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
      gboolean replaced = FALSE;

      *ok = w->ops->write_sample (w, ks, s, &replaced);
      if (*ok && replaced)
        (*n_replaced)++;
      if (s->time > ks->max_time)
        ks->max_time = s->time;

      dc_history_rollup_add (w, ks, s, replaced);
      if (ks->touched != w->batch_no)
        {
          ks->touched = w->batch_no;
          g_ptr_array_add (w->touched, ks);
        }
    }
}

/* A commit stalled (DC_HISTORY_COMMIT_STALLED, the reason in w->error): said once, retried in
 * a second. The mutex is held. */
static void
writer_stalled_locked (Writer *w)
{
  DcHistory *self = w->self;
  const char *error = w->error != NULL ? w->error : "cannot write";

  /* The open periods may hold samples that were rolled back: rebuilt from the file. */
  dc_history_writer_forget (w);
  if (self->failure == NULL)
    {
      g_warning ("history: cannot write %s: %s; acquisition goes on, the writer holds up to "
                 "%u samples and drops the rest until it can write again",
                 self->path != NULL ? self->path : w->ops->name, error, self->capacity);
      self->failing_since = g_get_monotonic_time ();
      self->dropped_before = self->stats.dropped;
    }
  g_free (self->failure);
  self->failure = g_strdup_printf ("cannot write %s: %s",
                                   self->path != NULL ? self->path : w->ops->name, error);
  self->retry_at = g_get_monotonic_time () + G_USEC_PER_SEC;
  if (self->stopping && self->queue.length > 0)
    {
      g_warning ("history: stopping without writing %s: %" G_GUINT64_FORMAT " samples were "
                 "not written", self->path != NULL ? self->path : w->ops->name,
                 self->stats.queued);
      self->stats.dropped += self->stats.queued;
      while (self->queue.length > 0)
        {
          DcHistoryBatch *batch = g_queue_pop_head (&self->queue);

          self->stats.queued -= batch->samples->len;
          g_array_unref (batch->samples);
          g_free (batch);
        }
      self->waiting_since = 0;
    }
  /* A caller holding refused batches pushes them now: they are dropped, not refused. */
  dc_history_schedule_ready_locked (self);
  g_cond_broadcast (&self->cond);
}

/* Writes the first @n_batches queued batches (the writer is the only one that pops them, so
 * they stay put) in one transaction; they leave the queue under the mutex right after the
 * COMMIT, which runs outside it. FALSE when the connection was
 * lost: the batches stay queued for the next attempt. When the commit stalls (a full disk)
 * they stay queued too, and the writer tries again in a second (docs/history.md "Full
 * disk"). */
static gboolean
write_batches (Writer *w,
               guint   n_batches)
{
  DcHistory *self = w->self;
  DcHistoryBatch **batches;
  gboolean ok;
  guint64 n_replaced = 0, n_samples = 0;
  DcHistoryCommit result;
  GList *l;
  guint i;

  g_assert (n_batches > 0);
  w->batch_no++;
  ok = w->ops->begin (w);
  if (!ok && w->ops->lost != NULL && w->ops->lost (w))
    {
      g_mutex_lock (&self->mutex);
      self->stats.transaction = 0;
      self->waiting_since = ((DcHistoryBatch *) g_queue_peek_head (&self->queue))->queued_at;
      g_mutex_unlock (&self->mutex);
      dc_history_writer_forget (w);
      return FALSE;
    }

  batches = g_new (DcHistoryBatch *, n_batches);
  g_mutex_lock (&self->mutex);
  for (l = self->queue.head, i = 0; i < n_batches; l = l->next, i++)
    batches[i] = l->data;
  g_mutex_unlock (&self->mutex);
  for (i = 0; i < n_batches; i++)
    {
      write_samples (w, batches[i], &ok, &n_replaced);
      n_samples += batches[i]->samples->len;
    }

  /* COMMIT runs outside the mutex: dc_history_push() (the engine, on the main loop) never
   * waits for a disk or a network round trip (docs/history.md "Writer"). */
  result = w->ops->commit (w);
  g_mutex_lock (&self->mutex);
  self->stats.transaction = 0;
  if (result == DC_HISTORY_COMMIT_RETRY || result == DC_HISTORY_COMMIT_STALLED)
    {
      /* The batches wait again, for the next attempt. */
      self->waiting_since = batches[0]->queued_at;
      g_free (batches);
      if (result == DC_HISTORY_COMMIT_STALLED)
        writer_stalled_locked (w);
      g_mutex_unlock (&self->mutex);
      if (result == DC_HISTORY_COMMIT_STALLED)
        return TRUE;
      dc_history_writer_forget (w);
      return FALSE;
    }
  if (result == DC_HISTORY_COMMIT_OK)
    {
      self->stats.written += n_samples;
      self->stats.replaced += n_replaced;
      self->stats.batches++;
      if (self->failure != NULL)
        {
          g_message ("history: writing %s again after %.0f s; %" G_GUINT64_FORMAT " samples "
                     "were dropped meanwhile", self->path != NULL ? self->path : w->ops->name,
                     (g_get_monotonic_time () - self->failing_since) / (double) G_USEC_PER_SEC,
                     self->stats.dropped - self->dropped_before);
          g_clear_pointer (&self->failure, g_free);
        }
    }
  /* DC_HISTORY_COMMIT_FAILED: nothing of the batches is written and the error was loud
   * (g_critical); they leave the queue. */
  dc_history_publish_watermarks (w);
  for (i = 0; i < n_batches; i++)
    g_queue_pop_head (&self->queue);
  self->stats.queued -= n_samples;
  self->written_seq = batches[n_batches - 1]->seq;
  dc_history_schedule_ready_locked (self);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  for (i = 0; i < n_batches; i++)
    {
      g_array_unref (batches[i]->samples);
      g_free (batches[i]);
    }
  g_free (batches);
  return TRUE;
}

void
dc_history_add_job_locked (DcHistory *self,
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

#define RECONNECT_MIN_US        ((gint64) G_USEC_PER_SEC / 10)
#define RECONNECT_MAX_US        ((gint64) G_USEC_PER_SEC * 5)
#define RECONNECT_AT_STOP_US    ((gint64) G_USEC_PER_SEC * 10)

/* The connection is lost: reconnects with back-off (0.1 s doubling up to 5 s) while the
 * batches wait in the queue (and, once it is full, in the engine's backlog). At a stop it
 * tries for another 10 s and then gives up: FALSE, with a warning naming the samples that
 * were not written. */
static gboolean
wait_reconnect (Writer *w)
{
  DcHistory *self = w->self;
  gint64 delay = RECONNECT_MIN_US;
  gint64 give_up_at = 0;

  g_message ("history: the %s connection is lost; the writer reconnects while samples wait",
             w->ops->name);
  dc_history_writer_forget (w);
  for (;;)
    {
      gint64 until = g_get_monotonic_time () + delay;

      g_mutex_lock (&self->mutex);
      while (g_get_monotonic_time () < until)
        {
          if (self->stopping && give_up_at == 0)
            give_up_at = g_get_monotonic_time () + RECONNECT_AT_STOP_US;
          if (give_up_at != 0 && g_get_monotonic_time () >= give_up_at)
            {
              g_warning ("history: stopping without the %s database: %" G_GUINT64_FORMAT
                         " samples were not written", w->ops->name, self->stats.queued);
              g_mutex_unlock (&self->mutex);
              return FALSE;
            }
          g_cond_wait_until (&self->cond, &self->mutex, until);
        }
      g_mutex_unlock (&self->mutex);

      if (w->ops->reconnect (w))
        {
          g_message ("history: the %s connection is back", w->ops->name);
          return TRUE;
        }
      delay = MIN (delay * 2, RECONNECT_MAX_US);
    }
}

static gboolean
writer_lost (Writer *w)
{
  return w->ops->lost != NULL && w->ops->lost (w);
}

/* Whether a job waits for the batch before @seq to be written (and not for @seq). */
static gboolean
job_waits_for (DcHistory *self,
               guint64    seq)
{
  DcHistoryJob *job = g_queue_peek_head (&self->jobs);

  return job != NULL && job->after_seq == seq - 1;
}

/* Batches left when the writer gave up at a stop (wait_reconnect() said how many). */
static void
writer_drop_queue (DcHistory *self)
{
  DcHistoryBatch *batch;

  g_mutex_lock (&self->mutex);
  while ((batch = g_queue_pop_head (&self->queue)) != NULL)
    {
      self->stats.queued -= batch->samples->len;
      g_array_unref (batch->samples);
      g_free (batch);
    }
  self->waiting_since = 0;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

gpointer
dc_history_writer_thread (gpointer data)
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
          dc_history_add_job_locked (self, JOB_RETENTION, 0, g_get_real_time ());
          next_retention = g_get_monotonic_time () + RETENTION_INTERVAL_US;
        }

      if (self->purges_to_record->len > 0)
        {
          g_autoptr(GArray) keys = self->purges_to_record;

          self->purges_to_record = g_array_new (FALSE, FALSE, sizeof (gint64));
          g_mutex_unlock (&self->mutex);
          w->ops->record_purges (w, keys);
          if (writer_lost (w))
            {
              /* Recorded again after the reconnection. */
              g_mutex_lock (&self->mutex);
              g_array_prepend_vals (self->purges_to_record, keys->data, keys->len);
              g_mutex_unlock (&self->mutex);
              if (!wait_reconnect (w))
                goto stopped;
            }
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

      /* The file takes no writes (a full disk): the next attempt in a second (at once at a
       * stop); jobs wait too. */
      if (self->failure != NULL && !self->stopping && g_get_monotonic_time () < self->retry_at)
        {
          g_cond_wait_until (&self->cond, &self->mutex, self->retry_at);
          continue;
        }

      throttle = self->throttle_us;
      n_batches = 0;
      if (batch != NULL)
        {
          guint64 n = 0;
          GList *l;

          /* Group commit: everything queued is the next transaction (its size is bounded by
           * the queue's), so the queue never holds more than the transaction being written
           * and what was accepted since it began (docs/history.md "Batch in flight"); but
           * not past a job's turn (a job runs after the batches queued before it). */
          for (l = self->queue.head; l != NULL; l = l->next)
            {
              DcHistoryBatch *b = l->data;

              if (n_batches > 0 && job_waits_for (self, b->seq))
                break;
              n += b->samples->len;
              n_batches++;
            }
          self->stats.transaction = n;
          self->waiting_since = l != NULL ? ((DcHistoryBatch *) l->data)->queued_at : 0;
          /* The queue behind the transaction is empty again: a refused caller may push. */
          dc_history_schedule_ready_locked (self);
        }
      g_mutex_unlock (&self->mutex);

      if (batch != NULL)
        {
          if (throttle > 0)
            g_usleep (throttle);
          if (!write_batches (w, n_batches))
            {
              if (!wait_reconnect (w))
                goto stopped;
              g_mutex_lock (&self->mutex);
              continue;
            }
          g_mutex_lock (&self->mutex);
          if (self->failure != NULL)
            job = NULL;
          g_mutex_unlock (&self->mutex);
        }
      if (job != NULL)
        {
          gboolean done;

          if (job->kind == JOB_PURGE_KEY)
            done = dc_history_run_purge_step (w, job);
          else
            done = dc_history_run_retention_step (w, job);

          if (!done && writer_lost (w) && !wait_reconnect (w))
            goto stopped;
          if (w->stalled)
            {
              w->stalled = FALSE;
              g_mutex_lock (&self->mutex);
              writer_stalled_locked (w);
              g_mutex_unlock (&self->mutex);
            }
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

stopped:
  /* Close the open periods so the next start finds complete rollups. */
  if (!writer_lost (w) && w->ops->begin (w))
    {
      GHashTableIter iter;
      KeyState *ks;

      g_hash_table_iter_init (&iter, w->keys);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &ks))
        for (int level = 0; level < DC_HISTORY_N_LEVELS; level++)
          dc_history_close_open (w, ks, level);
      w->ops->commit (w);
    }
  writer_drop_queue (self);

  w->ops->writer_close (w);
  g_hash_table_unref (w->keys);
  g_ptr_array_unref (w->touched);
  g_free (w->error);
  g_free (w);
  return NULL;
}
