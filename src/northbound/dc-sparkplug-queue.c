/* dc-sparkplug-queue.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-sparkplug"

#include "config.h"

#include "dc-sparkplug-queue.h"

#include <math.h>

#include <sqlite3.h>

#include "dc-error.h"

/* One table, "queue": a row per value. Rows leave oldest first by (time, id): values the node
 * puts back after a lost session (docs/sparkplug.md) slot in by their time. The worker thread
 * owns the connection; jobs reach it in order through an asynchronous queue, and consecutive
 * pushes share one transaction. */

#define SCHEMA \
  "PRAGMA journal_mode=WAL;" \
  "PRAGMA synchronous=NORMAL;" \
  "CREATE TABLE IF NOT EXISTS queue (" \
  "  id INTEGER PRIMARY KEY," \
  "  key INTEGER NOT NULL," \
  "  device TEXT NOT NULL," \
  "  time INTEGER NOT NULL," \
  "  value REAL," \
  "  quality INTEGER NOT NULL," \
  "  datatype INTEGER NOT NULL);" \
  "CREATE INDEX IF NOT EXISTS queue_time ON queue (time, id);"

typedef enum
{
  JOB_PUSH,
  JOB_TAKE,
  JOB_QUIT,
} JobType;

typedef struct
{
  JobType  type;
  GArray  *values;  /* JOB_PUSH */
  GTask   *task;    /* JOB_TAKE */
  guint    max;     /* JOB_TAKE */
} Job;

struct _DcSparkplugQueue
{
  char         *path;
  sqlite3      *db;
  sqlite3_stmt *insert;
  sqlite3_stmt *select;
  sqlite3_stmt *delete;
  sqlite3_stmt *drop;
  GAsyncQueue  *jobs;
  GThread      *thread;
  guint64       max_values;
  guint64       rows;    /* worker thread: rows in the file */

  GMutex        lock;    /* the counters */
  DcSparkplugQueueStats stats;
};

static void
job_free (Job *job)
{
  g_clear_pointer (&job->values, g_array_unref);
  g_clear_object (&job->task);
  g_free (job);
}

static void
log_error (DcSparkplugQueue *self,
           const char       *what)
{
  g_warning ("Sparkplug queue %s: %s: %s", self->path, what, sqlite3_errmsg (self->db));
}

static void
insert_values (DcSparkplugQueue *self,
               GArray           *values)
{
  for (guint i = 0; i < values->len; i++)
    {
      const DcSparkplugQueued *v = &g_array_index (values, DcSparkplugQueued, i);

      sqlite3_bind_int64 (self->insert, 1, v->key);
      sqlite3_bind_text (self->insert, 2, v->device_id, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (self->insert, 3, v->time);
      if (isfinite (v->value))
        sqlite3_bind_double (self->insert, 4, v->value);
      else
        sqlite3_bind_null (self->insert, 4);
      sqlite3_bind_int64 (self->insert, 5, v->quality);
      sqlite3_bind_int64 (self->insert, 6, v->datatype);
      if (sqlite3_step (self->insert) != SQLITE_DONE)
        log_error (self, "cannot write a value");
      else
        self->rows++;
      sqlite3_reset (self->insert);
    }
}

/* Past the bound, the oldest rows go first. */
static void
enforce_bound (DcSparkplugQueue *self)
{
  guint64 excess;

  if (self->rows <= self->max_values)
    return;
  excess = self->rows - self->max_values;
  sqlite3_bind_int64 (self->drop, 1, (sqlite3_int64) excess);
  if (sqlite3_step (self->drop) != SQLITE_DONE)
    log_error (self, "cannot drop the oldest values");
  else
    {
      guint64 changed = (guint64) sqlite3_changes (self->db);

      self->rows -= changed;
      g_mutex_lock (&self->lock);
      self->stats.dropped += changed;
      self->stats.queued -= MIN (changed, self->stats.queued);
      g_mutex_unlock (&self->lock);
      g_message ("Sparkplug queue full (%" G_GUINT64_FORMAT " values): the %" G_GUINT64_FORMAT
                 " oldest dropped", self->max_values, changed);
    }
  sqlite3_reset (self->drop);
}

/* Writes @job's values and every push that follows it in one transaction; returns the first
 * job that is not a push (or NULL). */
static Job *
run_pushes (DcSparkplugQueue *self,
            Job              *job)
{
  Job *next = NULL;

  if (sqlite3_exec (self->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
    log_error (self, "cannot begin");
  insert_values (self, job->values);
  job_free (job);
  while ((next = g_async_queue_try_pop (self->jobs)) != NULL && next->type == JOB_PUSH)
    {
      insert_values (self, next->values);
      job_free (next);
      next = NULL;
    }
  enforce_bound (self);
  if (sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    log_error (self, "cannot commit");
  return next;
}

static void
run_take (DcSparkplugQueue *self,
          Job              *job)
{
  g_autoptr(GArray) values = g_array_new (FALSE, TRUE, sizeof (DcSparkplugQueued));
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint64 deleted = 0;

  if (g_task_return_error_if_cancelled (job->task))
    return;

  if (sqlite3_exec (self->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
    log_error (self, "cannot begin");
  sqlite3_bind_int64 (self->select, 1, job->max);
  while (sqlite3_step (self->select) == SQLITE_ROW)
    {
      DcSparkplugQueued v;
      gint64 id = sqlite3_column_int64 (self->select, 0);

      v.key = sqlite3_column_int64 (self->select, 1);
      v.device_id = g_intern_string ((const char *) sqlite3_column_text (self->select, 2));
      v.time = sqlite3_column_int64 (self->select, 3);
      v.value = sqlite3_column_type (self->select, 4) == SQLITE_NULL ? NAN :
        sqlite3_column_double (self->select, 4);
      v.quality = (guint32) sqlite3_column_int64 (self->select, 5);
      v.datatype = (guint32) sqlite3_column_int64 (self->select, 6);
      g_array_append_val (values, v);
      g_array_append_val (ids, id);
    }
  sqlite3_reset (self->select);
  for (guint i = 0; i < ids->len; i++)
    {
      sqlite3_bind_int64 (self->delete, 1, g_array_index (ids, gint64, i));
      if (sqlite3_step (self->delete) == SQLITE_DONE)
        deleted++;
      sqlite3_reset (self->delete);
    }
  if (sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    log_error (self, "cannot commit");
  self->rows -= MIN (deleted, self->rows);

  g_mutex_lock (&self->lock);
  self->stats.taken += values->len;
  self->stats.queued -= MIN ((guint64) values->len, self->stats.queued);
  g_mutex_unlock (&self->lock);

  g_task_return_pointer (job->task, g_steal_pointer (&values), (GDestroyNotify) g_array_unref);
}

static gpointer
worker_func (gpointer data)
{
  DcSparkplugQueue *self = data;
  Job *job = NULL;

  for (;;)
    {
      if (job == NULL)
        job = g_async_queue_pop (self->jobs);
      switch (job->type)
        {
        case JOB_PUSH:
          job = run_pushes (self, job);
          continue;
        case JOB_TAKE:
          run_take (self, job);
          break;
        case JOB_QUIT:
          job_free (job);
          return NULL;
        default:
          g_assert_not_reached ();
        }
      job_free (job);
      job = NULL;
    }
}

static gboolean
prepare (DcSparkplugQueue  *self,
         const char        *sql,
         sqlite3_stmt     **stmt,
         GError           **error)
{
  if (sqlite3_prepare_v2 (self->db, sql, -1, stmt, NULL) == SQLITE_OK)
    return TRUE;
  g_set_error (error, DC_ERROR, DC_ERROR_INTERNAL, "cannot open %s: %s", self->path,
               sqlite3_errmsg (self->db));
  return FALSE;
}

DcSparkplugQueue *
dc_sparkplug_queue_open (const char  *path,
                         guint64      max_values,
                         GError     **error)
{
  g_autoptr(DcSparkplugQueue) self = NULL;
  sqlite3_stmt *count = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (max_values >= 1, NULL);

  self = g_new0 (DcSparkplugQueue, 1);
  self->path = g_strdup (path);
  self->max_values = max_values;
  g_mutex_init (&self->lock);
  self->jobs = g_async_queue_new ();

  if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                       SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
      sqlite3_busy_timeout (self->db, 5000) != SQLITE_OK ||
      sqlite3_exec (self->db, SCHEMA, NULL, NULL, NULL) != SQLITE_OK)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INTERNAL, "cannot open %s: %s", path,
                   self->db != NULL ? sqlite3_errmsg (self->db) : "out of memory");
      return NULL;
    }
  if (!prepare (self, "INSERT INTO queue (key, device, time, value, quality, datatype) "
                "VALUES (?, ?, ?, ?, ?, ?)", &self->insert, error) ||
      !prepare (self, "SELECT id, key, device, time, value, quality, datatype FROM queue "
                "ORDER BY time, id LIMIT ?", &self->select, error) ||
      !prepare (self, "DELETE FROM queue WHERE id = ?", &self->delete, error) ||
      !prepare (self, "DELETE FROM queue WHERE id IN "
                "(SELECT id FROM queue ORDER BY time, id LIMIT ?)", &self->drop, error) ||
      !prepare (self, "SELECT count(*) FROM queue", &count, error))
    return NULL;
  if (sqlite3_step (count) == SQLITE_ROW)
    self->rows = (guint64) sqlite3_column_int64 (count, 0);
  sqlite3_finalize (count);
  self->stats.queued = self->rows;
  if (self->rows > 0)
    g_message ("Sparkplug queue %s: %" G_GUINT64_FORMAT " values from an earlier run", path,
               self->rows);
  /* A smaller bound than the last run's applies now. */
  enforce_bound (self);

  self->thread = g_thread_new ("dc-mqtt-queue", worker_func, self);
  return g_steal_pointer (&self);
}

static void
push (DcSparkplugQueue        *self,
      const DcSparkplugQueued *values,
      guint                    n,
      gboolean                 new_values)
{
  Job *job;

  if (n == 0)
    return;
  job = g_new0 (Job, 1);
  job->type = JOB_PUSH;
  job->values = g_array_sized_new (FALSE, FALSE, sizeof (DcSparkplugQueued), n);
  g_array_append_vals (job->values, values, n);

  g_mutex_lock (&self->lock);
  self->stats.queued += n;
  if (new_values)
    self->stats.stored += n;
  else
    self->stats.taken -= MIN (n, self->stats.taken);
  g_mutex_unlock (&self->lock);

  g_async_queue_push (self->jobs, job);
}

void
dc_sparkplug_queue_push (DcSparkplugQueue        *self,
                         const DcSparkplugQueued *values,
                         guint                    n)
{
  g_return_if_fail (self != NULL);

  push (self, values, n, TRUE);
}

void
dc_sparkplug_queue_put_back (DcSparkplugQueue        *self,
                             const DcSparkplugQueued *values,
                             guint                    n)
{
  g_return_if_fail (self != NULL);

  push (self, values, n, FALSE);
}

void
dc_sparkplug_queue_take_async (DcSparkplugQueue    *self,
                               guint                max,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  Job *job;

  g_return_if_fail (self != NULL);
  g_return_if_fail (max > 0);

  job = g_new0 (Job, 1);
  job->type = JOB_TAKE;
  job->max = max;
  job->task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (job->task, dc_sparkplug_queue_take_async);
  g_async_queue_push (self->jobs, job);
}

GArray *
dc_sparkplug_queue_take_finish (DcSparkplugQueue  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
dc_sparkplug_queue_get_stats (DcSparkplugQueue      *self,
                              DcSparkplugQueueStats *stats)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->lock);
  *stats = self->stats;
  g_mutex_unlock (&self->lock);
}

void
dc_sparkplug_queue_free (DcSparkplugQueue *self)
{
  if (self == NULL)
    return;

  if (self->thread != NULL)
    {
      Job *quit = g_new0 (Job, 1);

      quit->type = JOB_QUIT;
      g_async_queue_push (self->jobs, quit);
      g_thread_join (self->thread);
    }
  /* Jobs left after QUIT (none: every push and take comes from the owner, before free). */
  g_async_queue_unref (self->jobs);
  sqlite3_finalize (self->insert);
  sqlite3_finalize (self->select);
  sqlite3_finalize (self->delete);
  sqlite3_finalize (self->drop);
  sqlite3_close (self->db);
  g_mutex_clear (&self->lock);
  g_free (self->path);
  g_free (self);
}
