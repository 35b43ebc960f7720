/* dc-templates-worker.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-templates"

#include "config.h"

#include <math.h>
#include <string.h>

#include "dc-templates-private.h"

#include "dc-json-util.h"
#include "dc-time.h"

/* The user database side of the templates (docs/plugins.md "Database templates"): the
 * connection and its limits, the authorizer, the queue of runs and the worker thread that owns
 * the connection, and sql_check on a connection of its own. */

/* A template's budget per run (docs/security.md, "Limits"): wall time and virtual machine
 * instructions, checked every PROGRESS_OPS instructions; while the server stops, each run
 * gets STOPPING_MS at most and the queue STOP_DRAIN_MS in all. */
#define BUDGET_MS      1000
#define BUDGET_OPS     G_GINT64_CONSTANT (100000000)
#define PROGRESS_OPS   1000
#define STOPPING_MS    100
#define STOP_DRAIN_MS  5000
#define BUDGET_TEXT    "template exceeded its budget (1 s, 100000000 steps)"
/* Jobs waiting for the worker; more are dropped and counted. */
#define MAX_QUEUED     10000
/* The longest string or blob a template may make, and the longest template. */
#define MAX_LENGTH     (1024 * 1024)
#define MAX_SQL_LENGTH 65536

typedef struct
{
  gint64         start;
  gint64         ops;
  const gint    *stopping;  /* may be NULL */
  gboolean       over;
} Budget;

/* Tables that belong to DataColl (configuration, history, alarms): never reachable. */
static const char * const own_tables[] = {
  "devices", "terms", "items", "points", "formulas", "controls", "samples", "rollups",
  "alarms", "journal", "schema", "meta", "retention", "purges",
};

/* The authorizer of docs/rest.md: INSERT, UPDATE and SELECT on the user database's own tables;
 * no ATTACH, PRAGMA, DDL, DELETE, transactions or DataColl tables. */
static int
authorizer (void       *data,
            int         action,
            const char *arg1,
            const char *arg2,
            const char *db_name,
            const char *trigger)
{
  gboolean *is_dml = data;

  switch (action)
    {
    case SQLITE_FUNCTION:
      /* fts3_tokenizer('simple') answers a pointer into the process. */
      if (arg2 != NULL && g_ascii_strcasecmp (arg2, "fts3_tokenizer") == 0)
        return SQLITE_DENY;
      return SQLITE_OK;
    case SQLITE_SELECT:
      *is_dml = TRUE;
      return SQLITE_OK;
    case SQLITE_RECURSIVE:
      return SQLITE_OK;
    case SQLITE_INSERT:
    case SQLITE_UPDATE:
      *is_dml = TRUE;
      G_GNUC_FALLTHROUGH;
    case SQLITE_READ:
      if (db_name != NULL && strcmp (db_name, "main") != 0)
        return SQLITE_DENY;
      if (arg1 == NULL || g_ascii_strncasecmp (arg1, "sqlite_", 7) == 0)
        return SQLITE_DENY;
      for (guint i = 0; i < G_N_ELEMENTS (own_tables); i++)
        if (g_ascii_strcasecmp (arg1, own_tables[i]) == 0)
          return SQLITE_DENY;
      return SQLITE_OK;
    default:
      return SQLITE_DENY;
    }
}

static sqlite3_stmt *
prepare_template (sqlite3     *db,
                  const char  *sql,
                  char       **error_message)
{
  sqlite3_stmt *stmt = NULL;
  const char *tail = NULL;
  gboolean is_dml = FALSE;

  sqlite3_set_authorizer (db, authorizer, &is_dml);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, &tail) != SQLITE_OK)
    {
      *error_message = g_strdup (sqlite3_errmsg (db));
      stmt = NULL;
    }
  else if (stmt == NULL)
    *error_message = g_strdup ("empty statement");
  else if (!is_dml)
    {
      /* REINDEX, VACUUM and the like reach no authorizer action of their own. */
      sqlite3_finalize (stmt);
      stmt = NULL;
      *error_message = g_strdup ("not authorized");
    }
  else if (tail != NULL && *tail != '\0' && strspn (tail, " \t\r\n;") != strlen (tail))
    {
      /* One statement per template: a second one would run unchecked. */
      sqlite3_finalize (stmt);
      stmt = NULL;
      *error_message = g_strdup ("only one statement is allowed");
    }
  sqlite3_set_authorizer (db, NULL, NULL);
  return stmt;
}

static void
bind_named (sqlite3_stmt *stmt,
            const char   *name,
            const char   *text)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (index > 0)
    {
      if (text != NULL)
        sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
      else
        sqlite3_bind_null (stmt, index);
    }
}

static int
progress_cb (void *data)
{
  Budget *budget = data;
  gint64 elapsed_ms = (g_get_monotonic_time () - budget->start) / 1000;

  budget->ops += PROGRESS_OPS;
  if (elapsed_ms > BUDGET_MS || budget->ops > BUDGET_OPS ||
      (budget->stopping != NULL && g_atomic_int_get (budget->stopping) &&
       elapsed_ms > STOPPING_MS))
    {
      budget->over = TRUE;
      return 1;
    }
  return 0;
}

/* Binds the parameters of one run and steps to the end, within the budget. Errors of a run
 * are sqlite's generic texts: its detailed messages may quote the data a statement read
 * (json_extract's path errors do). */
static gboolean
run_template (sqlite3              *db,
              sqlite3_stmt         *stmt,
              const DcTemplatesJob *job,
              const gint           *stopping,
              char                **error_message)
{
  Budget budget = { g_get_monotonic_time (), 0, stopping, FALSE };
  g_autofree char *time = dc_time_format (job->time);
  int index;
  int rc;

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  bind_named (stmt, ":device_id", job->device_id);
  bind_named (stmt, ":term_id", job->term_id);
  bind_named (stmt, ":item_id", job->item_id);
  bind_named (stmt, ":time", time);
  bind_named (stmt, ":warn_msg", job->warn_msg);
  index = sqlite3_bind_parameter_index (stmt, ":value");
  if (index > 0)
    {
      if (isfinite (job->value))
        sqlite3_bind_double (stmt, index, job->value);
      else
        sqlite3_bind_null (stmt, index);
    }
  sqlite3_progress_handler (db, PROGRESS_OPS, progress_cb, &budget);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    ;
  sqlite3_progress_handler (db, 0, NULL, NULL);
  if (rc != SQLITE_DONE)
    {
      if (budget.over)
        *error_message = g_strdup (BUDGET_TEXT);
      else
        *error_message = g_strdup (sqlite3_errstr (sqlite3_extended_errcode (db)));
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

static void
job_clear (DcTemplatesJob *job)
{
  g_clear_pointer (&job->info, dc_point_info_unref);
  g_clear_pointer (&job->owned, g_free);
}

/* Runs @job inside the worker's transaction. */
static void
run_job (DcTemplates    *self,
         DcTemplatesJob *job)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, job->sql);
  g_autofree char *message = NULL;

  if (stmt == NULL && !g_hash_table_contains (self->failed, job->sql))
    {
      stmt = prepare_template (self->db, job->sql, &message);
      if (stmt != NULL)
        g_hash_table_insert (self->statements, g_strdup (job->sql), stmt);
      else
        {
          g_message ("template refused: %s: %s", job->sql, message);
          g_hash_table_add (self->failed, g_strdup (job->sql));
        }
    }
  if (stmt == NULL)
    self->n_failed++;
  else if (!run_template (self->db, stmt, job, &self->stop_now, &message))
    {
      g_message ("template failed: %s: %s", job->sql, message);
      self->n_failed++;
    }
  else
    self->n_run++;
}

static gpointer
worker (gpointer data)
{
  DcTemplates *self = data;
  /* The queue and this array trade places: the main thread fills one while this thread
   * runs the other. */
  GArray *batch = g_array_new (FALSE, FALSE, sizeof (DcTemplatesJob));
  gint64 drain_deadline = 0;

  for (;;)
    {
      GArray *swap;

      g_mutex_lock (&self->mutex);
      while (self->jobs->len == 0 && !self->stopping)
        g_cond_wait (&self->cond, &self->mutex);
      if (self->jobs->len == 0 && self->stopping)
        {
          g_mutex_unlock (&self->mutex);
          break;
        }
      /* Everything queued goes in one transaction. */
      swap = self->jobs;
      self->jobs = batch;
      batch = swap;
      self->busy = batch->len;
      g_mutex_unlock (&self->mutex);

      sqlite3_exec (self->db, "BEGIN", NULL, NULL, NULL);
      for (guint i = 0; i < batch->len; i++)
        {
          DcTemplatesJob *job = &g_array_index (batch, DcTemplatesJob, i);

          /* Stopping: what is queued runs for STOP_DRAIN_MS at most, the rest is dropped. */
          if (g_atomic_int_get (&self->stop_now))
            {
              if (drain_deadline == 0)
                drain_deadline = g_get_monotonic_time () + STOP_DRAIN_MS * 1000;
              if (g_get_monotonic_time () > drain_deadline)
                {
                  g_mutex_lock (&self->mutex);
                  self->n_dropped++;
                  g_mutex_unlock (&self->mutex);
                  job_clear (job);
                  continue;
                }
            }
          run_job (self, job);
          job_clear (job);
        }
      g_array_set_size (batch, 0);
      sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL);

      g_mutex_lock (&self->mutex);
      self->busy = 0;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->mutex);
    }
  g_array_unref (batch);
  return NULL;
}

const char *
dc_templates_text_of (JsonObject *json,
                      const char *field)
{
  const char *sql = json != NULL ? dc_json_get_string (json, field, NULL) : NULL;

  return sql != NULL && *sql != '\0' ? sql : NULL;
}

void
dc_templates_worker_start (DcTemplates *self)
{
  self->thread = g_thread_new ("dc-templates", worker, self);
}

void
dc_templates_worker_stop (DcTemplates *self)
{
  if (self->thread == NULL)
    return;
  g_atomic_int_set (&self->stop_now, TRUE);
  g_mutex_lock (&self->mutex);
  self->stopping = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
  g_thread_join (g_steal_pointer (&self->thread));
}

void
dc_templates_worker_clear (DcTemplates *self)
{
  if (self->jobs != NULL)
    for (guint i = 0; i < self->jobs->len; i++)
      job_clear (&g_array_index (self->jobs, DcTemplatesJob, i));
  g_clear_pointer (&self->jobs, g_array_unref);
  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_pointer (&self->failed, g_hash_table_unref);
  if (self->db != NULL)
    sqlite3_close (self->db);
  self->db = NULL;
}

void
dc_templates_queue (DcTemplates     *self,
                    DcTemplatesRule *rule,
                    const char      *sql,
                    gint64           time,
                    double           value,
                    const char      *warn_msg)
{
  DcTemplatesJob job = { NULL, sql, rule->info->device_id, rule->info->term_id,
                         rule->info->item_id, time, value, warn_msg, NULL };

  g_mutex_lock (&self->mutex);
  if (self->jobs->len >= MAX_QUEUED)
    {
      /* The worker is behind (a slow template): dropping beats growing without a bound. */
      if (self->n_dropped++ == 0)
        g_message ("templates queue full (%d jobs): dropping", MAX_QUEUED);
      g_mutex_unlock (&self->mutex);
      return;
    }
  /* The point's view keeps the ids and the templates alive until the job has run, even if
   * the rule is rebuilt or removed meanwhile. */
  job.info = dc_point_info_ref (rule->info);
  if (warn_msg != NULL && warn_msg != rule->warn_msg)
    job.warn_msg = job.owned = g_strdup (warn_msg);
  g_array_append_val (self->jobs, job);
  /* The worker waits only on an empty queue. */
  if (self->jobs->len == 1)
    g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

sqlite3 *
dc_templates_open_user_db (const char  *path,
                           char       **error_message)
{
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
    {
      *error_message = g_strdup_printf ("cannot open user database %s: %s", path,
                                        db != NULL ? sqlite3_errmsg (db) : "out of memory");
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, 5000);
  /* No ATTACH at all on this connection, whatever the authorizer says. */
  sqlite3_limit (db, SQLITE_LIMIT_ATTACHED, 0);
  /* zeroblob(1e9) and the like: no value over 1 MiB, no template over 64 KiB. */
  sqlite3_limit (db, SQLITE_LIMIT_LENGTH, MAX_LENGTH);
  sqlite3_limit (db, SQLITE_LIMIT_SQL_LENGTH, MAX_SQL_LENGTH);
  return db;
}

char *
dc_templates_check (const char *user_db_path,
                    JsonObject *point)
{
  g_autofree char *message = NULL;
  const char *save;
  const char *warn;
  const char *templates[2];
  DcTemplatesJob job = { 0 };
  sqlite3 *db;
  char *answer = NULL;

  g_return_val_if_fail (point != NULL, NULL);

  save = dc_templates_text_of (point, "db_save_sql");
  warn = dc_templates_text_of (point, "db_warn_sql");
  if (save == NULL && warn == NULL)
    return g_strdup ("not found sql to check");
  if (user_db_path == NULL)
    return g_strdup ("no user database (--user-db)");

  db = dc_templates_open_user_db (user_db_path, &message);
  if (db == NULL)
    return g_steal_pointer (&message);

  job.device_id = dc_json_get_string (point, "device_id", NULL);
  job.term_id = dc_json_get_string (point, "term_id", NULL);
  job.item_id = dc_json_get_string (point, "item_id", NULL);
  job.warn_msg = dc_json_get_string (point, "warn_msg", NULL);
  job.time = g_get_real_time ();
  job.value = dc_json_get_double (point, "value", 0);
  templates[0] = save;
  templates[1] = warn;

  sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (templates) && answer == NULL; i++)
    {
      sqlite3_stmt *stmt;

      if (templates[i] == NULL)
        continue;
      stmt = prepare_template (db, templates[i], &message);
      if (stmt == NULL || !run_template (db, stmt, &job, NULL, &message))
        answer = g_steal_pointer (&message);
      if (stmt != NULL)
        sqlite3_finalize (stmt);
    }
  sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (db);
  return answer != NULL ? answer : g_strdup ("OK");
}
