/* dc-audit.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-audit"

#include "config.h"

#include "dc-audit-private.h"

#include <string.h>

#include "dc-error.h"

/* The audit log's queue and writer thread (docs/security.md, "Audit log").
 *
 * dc_audit_record() takes the lock only to append to the queue: a caller never waits for the
 * disk. The writer takes up to BATCH rows at a time and appends them in one transaction;
 * when the file cannot be written (locked by another process, disk full) it keeps the batch
 * and tries again every second, so the queue fills and further rows are counted as dropped
 * (the choice of docs/security.md: the main loop must not stall because the audit file
 * does; the loss is counted, logged and written into the log as "audit.dropped" once the
 * file takes rows again). The retention runs in the writer between batches, in chunks.
 *
 * Group commit: a row waits up to LINGER_US for others before the writer commits (unless a
 * batch is full, a flush or query waits, or the writer stops), so that a steady trickle —
 * 1,000 controls/s are 2,000 rows/s — costs tens of transactions (and syncs) a second, not
 * thousands. */

#define BATCH            512
#define PURGE_CHUNK      1000
#define QUEUE_MAX_BYTES  (16 * 1024 * 1024)
#define MAX_DETAIL       (256 * 1024)
#define RETRY_US         G_USEC_PER_SEC
#define RETENTION_EVERY  ((gint64) 3600 * G_USEC_PER_SEC)
#define WARN_EVERY       ((gint64) 10 * G_USEC_PER_SEC)
#define WAIT_WRITTEN_US  ((gint64) 10 * G_USEC_PER_SEC)
#define LINGER_US        (20 * 1000)

struct _DcAudit
{
  GObject                parent_instance;

  char                  *path;
  const DcAuditBackend  *backend;
  gpointer               conn;       /* the writer's; the writer thread only after start */
  GThread               *thread;

  GMutex                 lock;
  GCond                  work_cond;  /* the writer waits for rows or a request */
  GCond                  done_cond;  /* flushes wait for rows written, purges for their end */
  GQueue                 queue;      /* DcAuditRow */
  gsize                  queue_bytes;
  guint                  queue_limit;
  guint64                enqueued;   /* rows accepted since the start */
  guint64                written;    /* rows taken by the writer and written */
  guint64                dropped;
  guint64                dropped_unrecorded;
  gint64                 last_warning;
  gboolean               stopping;
  guint                  flush_waiters;    /* flushes and queries waiting: no lingering */
  guint                  retention_days;
  gint64                 next_retention;   /* monotonic */
  gint64                 purge_now;        /* a dc_audit_purge_now() request, else 0 */
  guint64                purge_serial;
  guint64                purge_done;
  guint64                purge_removed;
};

G_DEFINE_FINAL_TYPE (DcAudit, dc_audit, G_TYPE_OBJECT)

static gsize
row_bytes (const DcAuditRow *row)
{
  return sizeof *row + strlen (row->user) + strlen (row->role) + strlen (row->source) +
         strlen (row->action) + strlen (row->target) + strlen (row->detail) +
         strlen (row->result) + 7;
}

/* Removes the rows older than the retention (or @now's request), in chunks, the lock
 * released between chunks so that records keep flowing. Called with the lock held. */
static guint64
run_retention (DcAudit *self,
               gint64   now)
{
  gint64 before;
  guint64 total = 0;

  if (self->retention_days == 0)
    return 0;
  before = now - (gint64) self->retention_days * 24 * 3600 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gint64 removed;

      g_mutex_unlock (&self->lock);
      removed = self->backend->purge (self->conn, before, PURGE_CHUNK, &error);
      g_mutex_lock (&self->lock);
      if (removed < 0)
        {
          /* Transient (the file locked by another tool): the next run tries again. */
          g_message ("%s; trying again in an hour", error->message);
          break;
        }
      total += removed;
      if (removed < PURGE_CHUNK || self->stopping)
        break;
    }
  if (total > 0)
    g_message ("audit log: %" G_GUINT64_FORMAT " rows older than %u days removed", total,
               self->retention_days);
  return total;
}

static void
take_batch (DcAudit   *self,
            GPtrArray *batch)
{
  while (batch->len < BATCH && !g_queue_is_empty (&self->queue))
    {
      DcAuditRow *row = g_queue_pop_head (&self->queue);

      self->queue_bytes -= row_bytes (row);
      g_ptr_array_add (batch, row);
    }
  /* The dropped rows become a row of their own, after the rows that made it. */
  if (self->dropped_unrecorded > 0)
    {
      g_autoptr(DcAuditActor) system = dc_audit_actor_new (NULL, NULL, "system");
      g_autofree char *detail = g_strdup_printf ("{\"count\":%" G_GUINT64_FORMAT "}",
                                                 self->dropped_unrecorded);
      g_autofree char *result = g_strdup_printf ("queue full: %" G_GUINT64_FORMAT
                                                 " rows dropped", self->dropped_unrecorded);

      g_ptr_array_add (batch, dc_audit_row_new (g_get_real_time (), system, "audit.dropped",
                                                "", detail, result));
      self->dropped_unrecorded = 0;
    }
}

static gpointer
writer_thread (gpointer data)
{
  DcAudit *self = data;
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) dc_audit_row_free);
  guint taken = 0;     /* rows of @batch that came from the queue */
  gint64 retry_at = 0;

  g_mutex_lock (&self->lock);
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gint64 now = g_get_monotonic_time ();
      gboolean ok;

      if (self->purge_now != 0)
        {
          self->purge_removed = run_retention (self, self->purge_now);
          self->purge_now = 0;
          self->purge_done = self->purge_serial;
          g_cond_broadcast (&self->done_cond);
          continue;
        }
      if (batch->len == 0)
        {
          if (now >= self->next_retention)
            {
              run_retention (self, g_get_real_time ());
              self->next_retention = now + RETENTION_EVERY;
              continue;
            }
          if (!self->stopping && self->flush_waiters == 0 && self->queue.length > 0 &&
              self->queue.length < BATCH)
            {
              DcAuditRow *oldest = g_queue_peek_head (&self->queue);
              gint64 age = g_get_real_time () - oldest->time;

              if (age >= 0 && age < LINGER_US)
                {
                  g_cond_wait_until (&self->work_cond, &self->lock,
                                     now + MIN (LINGER_US - age, LINGER_US));
                  continue;
                }
            }
          taken = self->queue.length;
          take_batch (self, batch);
          taken = taken - self->queue.length;
          if (batch->len == 0)
            {
              if (self->stopping)
                break;
              g_cond_wait_until (&self->work_cond, &self->lock, self->next_retention);
              continue;
            }
        }
      if (retry_at != 0 && now < retry_at && !self->stopping)
        {
          g_cond_wait_until (&self->work_cond, &self->lock, retry_at);
          continue;
        }

      g_mutex_unlock (&self->lock);
      ok = self->backend->append (self->conn, batch, &error);
      g_mutex_lock (&self->lock);

      if (!ok && !self->stopping)
        {
          /* Rows wait in the queue meanwhile; a queue that fills is the warning. */
          if (retry_at == 0)
            g_message ("%s; trying again every second", error->message);
          retry_at = g_get_monotonic_time () + RETRY_US;
          continue;
        }
      if (!ok)
        {
          guint lost = batch->len + self->queue.length;

          g_warning ("%s; %u rows are lost", error->message, lost);
          taken += self->queue.length;
          g_queue_clear_full (&self->queue, (GDestroyNotify) dc_audit_row_free);
          self->queue_bytes = 0;
        }
      else if (retry_at != 0)
        g_message ("audit log: %s takes rows again", self->path);
      g_ptr_array_set_size (batch, 0);
      retry_at = 0;
      self->written += taken;
      taken = 0;
      g_cond_broadcast (&self->done_cond);
    }
  g_cond_broadcast (&self->done_cond);
  g_mutex_unlock (&self->lock);
  return NULL;
}

static void
dc_audit_finalize (GObject *object)
{
  DcAudit *self = DC_AUDIT (object);

  if (self->thread != NULL)
    {
      g_mutex_lock (&self->lock);
      self->stopping = TRUE;
      g_cond_broadcast (&self->work_cond);
      g_mutex_unlock (&self->lock);
      g_thread_join (self->thread);
    }
  if (self->conn != NULL)
    self->backend->close (self->conn);
  g_queue_clear_full (&self->queue, (GDestroyNotify) dc_audit_row_free);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->work_cond);
  g_cond_clear (&self->done_cond);
  g_free (self->path);

  G_OBJECT_CLASS (dc_audit_parent_class)->finalize (object);
}

static void
dc_audit_class_init (DcAuditClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = dc_audit_finalize;
}

static void
dc_audit_init (DcAudit *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->work_cond);
  g_cond_init (&self->done_cond);
  g_queue_init (&self->queue);
  self->queue_limit = DC_AUDIT_QUEUE_LIMIT;
  self->retention_days = DC_AUDIT_DEFAULT_RETENTION_DAYS;
  self->backend = &dc_audit_sqlite_backend;
}

DcAudit *
dc_audit_new (const char  *path,
              GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);

  return dc_audit_new_with_backend (&dc_audit_sqlite_backend, path, error);
}

DcAudit *
dc_audit_new_with_backend (const DcAuditBackend  *backend,
                           const char            *location,
                           GError               **error)
{
  g_autoptr(DcAudit) self = NULL;
  const char *path = location;

  g_return_val_if_fail (backend != NULL, NULL);
  g_return_val_if_fail (location != NULL, NULL);

  self = g_object_new (DC_TYPE_AUDIT, NULL);
  self->backend = backend;
  self->path = g_strdup (path);
  self->conn = self->backend->open (path, TRUE, error);
  if (self->conn == NULL)
    return NULL;
  self->thread = g_thread_new ("dc-audit-writer", writer_thread, self);
  return g_steal_pointer (&self);
}

const char *
dc_audit_get_path (DcAudit *self)
{
  g_return_val_if_fail (DC_IS_AUDIT (self), NULL);

  return self->path;
}

void
dc_audit_set_retention_days (DcAudit *self,
                             guint    days)
{
  g_return_if_fail (DC_IS_AUDIT (self));

  g_mutex_lock (&self->lock);
  self->retention_days = days;
  self->next_retention = 0;
  g_cond_signal (&self->work_cond);
  g_mutex_unlock (&self->lock);
}

void
dc_audit_set_queue_limit (DcAudit *self,
                          guint    limit)
{
  g_return_if_fail (DC_IS_AUDIT (self));

  g_mutex_lock (&self->lock);
  self->queue_limit = MAX (limit, 1);
  g_mutex_unlock (&self->lock);
}

void
dc_audit_record_json (DcAudit            *self,
                      gint64              time,
                      const DcAuditActor *actor,
                      const char         *action,
                      const char         *target,
                      const char         *detail_json,
                      const char         *result)
{
  g_autofree char *cut = NULL;
  DcAuditRow *row;
  gsize bytes;

  if (self == NULL)
    return;
  g_return_if_fail (DC_IS_AUDIT (self));
  g_return_if_fail (action != NULL);

  if (actor == NULL)
    actor = dc_audit_actor_get_current ();
  if (detail_json != NULL && strlen (detail_json) > MAX_DETAIL)
    {
      cut = g_strdup_printf ("{\"truncated\":true,\"bytes\":%" G_GSIZE_FORMAT "}",
                             strlen (detail_json));
      detail_json = cut;
    }
  row = dc_audit_row_new (time != 0 ? time : g_get_real_time (), actor, action, target,
                          detail_json, result);
  bytes = row_bytes (row);

  g_mutex_lock (&self->lock);
  if (self->stopping)
    {
      /* The object is being finalized: nobody may record any more. */
      g_mutex_unlock (&self->lock);
      dc_audit_row_free (row);
      return;
    }
  if (self->queue.length >= self->queue_limit || self->queue_bytes + bytes > QUEUE_MAX_BYTES)
    {
      gint64 now = g_get_monotonic_time ();

      self->dropped++;
      self->dropped_unrecorded++;
      if (self->last_warning == 0 || now - self->last_warning >= WARN_EVERY)
        {
          self->last_warning = now;
          g_warning ("audit log: the queue is full (%u rows); %" G_GUINT64_FORMAT
                     " rows dropped so far", self->queue.length, self->dropped);
        }
      g_mutex_unlock (&self->lock);
      dc_audit_row_free (row);
      return;
    }
  g_queue_push_tail (&self->queue, row);
  self->queue_bytes += bytes;
  self->enqueued++;
  /* The writer needs waking for the first row (it then lingers on its own clock) and for a
   * full batch; a wake-up per row would cost a context switch per row. */
  if (self->queue.length == 1 || self->queue.length == BATCH)
    g_cond_signal (&self->work_cond);
  g_mutex_unlock (&self->lock);
}

void
dc_audit_record (DcAudit            *self,
                 const DcAuditActor *actor,
                 const char         *action,
                 const char         *target,
                 JsonNode           *detail,
                 const char         *result)
{
  g_autofree char *json = NULL;

  if (self == NULL)
    return;
  if (detail != NULL)
    json = json_to_string (detail, FALSE);
  dc_audit_record_json (self, 0, actor, action, target, json, result);
}

guint64
dc_audit_get_dropped (DcAudit *self)
{
  guint64 dropped;

  g_return_val_if_fail (DC_IS_AUDIT (self), 0);

  g_mutex_lock (&self->lock);
  dropped = self->dropped;
  g_mutex_unlock (&self->lock);
  return dropped;
}

/* Waits until the rows accepted so far are written, at most WAIT_WRITTEN_US (a file that
 * cannot be written must not hang a query or the end of the process). */
static gboolean
wait_written (DcAudit *self)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_WRITTEN_US;
  gboolean done;

  g_mutex_lock (&self->lock);
  {
    guint64 target = self->enqueued;

    self->flush_waiters++;
    g_cond_signal (&self->work_cond);
    while (self->written < target && self->thread != NULL)
      if (!g_cond_wait_until (&self->done_cond, &self->lock, deadline))
        break;
    done = self->written >= target;
    self->flush_waiters--;
  }
  g_mutex_unlock (&self->lock);
  return done;
}

void
dc_audit_flush (DcAudit *self)
{
  g_return_if_fail (DC_IS_AUDIT (self));

  if (!wait_written (self))
    g_warning ("audit log: rows still waiting for %s", self->path);
}

guint64
dc_audit_purge_now (DcAudit *self,
                    gint64   now)
{
  guint64 serial;
  guint64 removed;

  g_return_val_if_fail (DC_IS_AUDIT (self), 0);
  g_return_val_if_fail (now != 0, 0);

  g_mutex_lock (&self->lock);
  serial = ++self->purge_serial;
  self->purge_now = now;
  g_cond_signal (&self->work_cond);
  while (self->purge_done < serial)
    g_cond_wait (&self->done_cond, &self->lock);
  removed = self->purge_removed;
  g_mutex_unlock (&self->lock);
  return removed;
}

GPtrArray *
dc_audit_query_sync (DcAudit             *self,
                     const DcAuditQuery  *query,
                     GError             **error)
{
  gpointer conn;
  GPtrArray *rows;

  g_return_val_if_fail (DC_IS_AUDIT (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  wait_written (self);
  conn = self->backend->open (self->path, FALSE, error);
  if (conn == NULL)
    return NULL;
  rows = self->backend->query (conn, query, error);
  self->backend->close (conn);
  return rows;
}

static void
query_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *rows = dc_audit_query_sync (source_object, task_data, &error);

  if (rows == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, rows, (GDestroyNotify) g_ptr_array_unref);
}

void
dc_audit_query_async (DcAudit             *self,
                      const DcAuditQuery  *query,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (DC_IS_AUDIT (self));
  g_return_if_fail (query != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, dc_audit_query_async);
  g_task_set_task_data (task, dc_audit_query_copy (query), (GDestroyNotify) dc_audit_query_free);
  g_task_run_in_thread (task, query_thread);
}

GPtrArray *
dc_audit_query_finish (DcAudit       *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
