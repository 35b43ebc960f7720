/* dc-templates.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-templates"

#include "config.h"

#include <math.h>
#include <string.h>

#include <sqlite3.h>

#include "dc-companion.h"
#include "dc-error.h"
#include "dc-deferred.h"
#include "dc-json-util.h"
#include "dc-templates.h"
#include "dc-time.h"

typedef struct
{
  gint64  key;
  char   *device_id;
  char   *term_id;
  char   *item_id;
  char   *save_sql;
  char   *warn_sql;
  char   *warn_msg;
  gboolean has_saved;
  double   saved;
} Rule;

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

typedef struct
{
  char   *sql;
  char   *device_id;
  char   *term_id;
  char   *item_id;
  gint64  time;
  double  value;
  char   *warn_msg;
} Job;

struct _DcTemplates
{
  GObject      parent_instance;

  DcStore     *store;
  DcEngine    *engine;        /* weak */
  DcAlarm     *alarm;         /* weak */
  gulong       samples_id;
  gulong       alarm_changed_id;
  gulong       changed_id;
  DcDeferred        rebuild;
  gboolean     reload;        /* the next rebuild reads every point */
  GHashTable  *refresh;       /* "term:item" of points created or edited since, or NULL */
  guint        n_points;      /* points read by the last rebuild */
  GHashTable  *rules;         /* gint64 key → Rule */
  GHashTable  *by_point;      /* "term:item" → Rule (borrowed) */

  /* Worker */
  char        *path;
  sqlite3     *db;            /* worker thread only (after open) */
  GThread     *thread;
  GMutex       mutex;
  GCond        cond;
  GQueue       jobs;
  guint        busy;          /* jobs taken but not finished */
  gboolean     stopping;
  GHashTable  *statements;    /* sql → sqlite3_stmt, worker only */
  GHashTable  *failed;        /* sql that failed to prepare (logged once), worker only */
  guint64      n_run;
  guint64      n_failed;
  guint64      n_dropped;     /* jobs refused on a full queue */
  gint         stop_now;      /* atomic: the worker interrupts what runs */
};

G_DEFINE_FINAL_TYPE (DcTemplates, dc_templates, G_TYPE_OBJECT)

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
run_template (sqlite3      *db,
              sqlite3_stmt *stmt,
              const Job    *job,
              const gint   *stopping,
              char        **error_message)
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
job_free (gpointer data)
{
  Job *job = data;

  g_free (job->sql);
  g_free (job->device_id);
  g_free (job->term_id);
  g_free (job->item_id);
  g_free (job->warn_msg);
  g_free (job);
}

static gpointer
worker (gpointer data)
{
  DcTemplates *self = data;

  gint64 drain_deadline = 0;

  for (;;)
    {
      GQueue batch = G_QUEUE_INIT;
      Job *job;

      g_mutex_lock (&self->mutex);
      while (self->jobs.length == 0 && !self->stopping)
        g_cond_wait (&self->cond, &self->mutex);
      if (self->jobs.length == 0 && self->stopping)
        {
          g_mutex_unlock (&self->mutex);
          break;
        }
      /* Everything queued goes in one transaction. */
      batch = self->jobs;
      g_queue_init (&self->jobs);
      self->busy = batch.length;
      g_mutex_unlock (&self->mutex);

      sqlite3_exec (self->db, "BEGIN", NULL, NULL, NULL);
      while ((job = g_queue_pop_head (&batch)) != NULL)
        {
          sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, job->sql);
          g_autofree char *message = NULL;

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
                  job_free (job);
                  continue;
                }
            }
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
          job_free (job);
        }
      sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL);

      g_mutex_lock (&self->mutex);
      self->busy = 0;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->mutex);
    }
  return NULL;
}

static void
queue_job (DcTemplates *self,
           Rule        *rule,
           const char  *sql,
           gint64       time,
           double       value,
           const char  *warn_msg)
{
  Job *job = g_new0 (Job, 1);

  job->sql = g_strdup (sql);
  job->device_id = g_strdup (rule->device_id);
  job->term_id = g_strdup (rule->term_id);
  job->item_id = g_strdup (rule->item_id);
  job->time = time;
  job->value = value;
  job->warn_msg = g_strdup (warn_msg);

  g_mutex_lock (&self->mutex);
  if (self->jobs.length >= MAX_QUEUED)
    {
      /* The worker is behind (a slow template): dropping beats growing without a bound. */
      if (self->n_dropped++ == 0)
        g_message ("templates queue full (%d jobs): dropping", MAX_QUEUED);
      g_mutex_unlock (&self->mutex);
      job_free (job);
      return;
    }
  g_queue_push_tail (&self->jobs, job);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

/* Rules */

static void
rule_free (gpointer data)
{
  Rule *rule = data;

  g_free (rule->device_id);
  g_free (rule->term_id);
  g_free (rule->item_id);
  g_free (rule->save_sql);
  g_free (rule->warn_sql);
  g_free (rule->warn_msg);
  g_free (rule);
}

static char *
template_of (JsonObject *json,
             const char *field)
{
  const char *sql = json != NULL ? dc_json_get_string (json, field, NULL) : NULL;

  return sql != NULL && *sql != '\0' ? g_strdup (sql) : NULL;
}

/* The rule of @info (NULL without templates), keeping what @previous saved last when its
 * db_save_sql is the same. */
static Rule *
rule_new (DcPointInfo *info,
          Rule        *previous)
{
  g_autofree char *save = template_of (info->json, "db_save_sql");
  g_autofree char *warn = template_of (info->json, "db_warn_sql");
  Rule *rule;

  if (save == NULL && warn == NULL)
    return NULL;
  rule = g_new0 (Rule, 1);
  rule->key = info->key;
  rule->device_id = g_strdup (info->device_id);
  rule->term_id = g_strdup (info->term_id);
  rule->item_id = g_strdup (info->item_id);
  rule->save_sql = g_steal_pointer (&save);
  rule->warn_sql = g_steal_pointer (&warn);
  rule->warn_msg = g_strdup (dc_json_get_string (info->json, "warn_msg", NULL));
  if (previous != NULL && g_strcmp0 (previous->save_sql, rule->save_sql) == 0)
    {
      rule->has_saved = previous->has_saved;
      rule->saved = previous->saved;
    }
  return rule;
}

static void
rebuild (DcTemplates *self)
{
  g_autoptr(GPtrArray) infos = dc_store_list_point_infos (self->store);
  g_autoptr(GHashTable) old = g_steal_pointer (&self->rules);

  self->reload = FALSE;
  g_clear_pointer (&self->refresh, g_hash_table_unref);
  self->n_points = infos->len;
  self->rules = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, rule_free);
  g_hash_table_remove_all (self->by_point);
  for (guint i = 0; i < infos->len; i++)
    {
      DcPointInfo *info = g_ptr_array_index (infos, i);
      Rule *rule = rule_new (info, g_hash_table_lookup (old, &info->key));

      if (rule == NULL)
        continue;
      g_hash_table_insert (self->rules, &rule->key, rule);
      g_hash_table_insert (self->by_point, g_strconcat (rule->term_id, ":", rule->item_id, NULL),
                           rule);
    }
}

/* The deferred rebuild: only the rules of the points created or edited since, unless
 * something else changed (docs/performance.md: a change costs its size). */
static void
apply_changes (DcTemplates *self)
{
  g_autoptr(GHashTable) refresh = NULL;
  GHashTableIter iter;
  gpointer id;

  /* Reading a quarter of the plant point by point costs more than one scan. */
  if (self->reload || self->refresh == NULL ||
      g_hash_table_size (self->refresh) > self->n_points / 4)
    {
      rebuild (self);
      return;
    }
  refresh = g_steal_pointer (&self->refresh);
  g_hash_table_iter_init (&iter, refresh);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    {
      g_autoptr(DcPointInfo) info = dc_store_get_point_info_by_id (self->store, id);
      Rule *rule;
      Rule *old;

      if (info == NULL)
        continue;  /* deleted since: its delete took its rule out */
      old = g_hash_table_lookup (self->rules, &info->key);
      rule = rule_new (info, old);
      /* The old rule's "term:item": @id unless the point was renamed or moved. */
      if (old != NULL)
        {
          g_autofree char *old_id = g_strconcat (old->term_id, ":", old->item_id, NULL);

          g_hash_table_remove (self->by_point, old_id);
        }
      g_hash_table_remove (self->by_point, id);
      if (rule == NULL)
        {
          g_hash_table_remove (self->rules, &info->key);
          continue;
        }
      g_hash_table_replace (self->rules, &rule->key, rule);
      g_hash_table_insert (self->by_point, g_strconcat (rule->term_id, ":", rule->item_id, NULL),
                           rule);
    }
}

static void
store_changed_cb (DcStore     *store,
                  int          kind,
                  int          op,
                  const char  *id,
                  const char  *old_id,
                  DcTemplates *self)
{
  Rule *rule;

  /* Only points have rules, and each is re-read alone (a device, term or item edit announces
   * each of its points, a delete each of its removed points). */
  if (kind != DC_KIND_POINT)
    return;
  if (op == DC_CHANGE_DELETE)
    {
      rule = g_hash_table_lookup (self->by_point, id);
      if (rule != NULL)
        {
          g_hash_table_remove (self->by_point, id);
          g_hash_table_remove (self->rules, &rule->key);
        }
      if (self->n_points > 0)
        self->n_points--;
      return;
    }
  if (self->refresh == NULL)
    self->refresh = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_add (self->refresh, g_strdup (id));
  dc_deferred_schedule (&self->rebuild);
}

static void
engine_samples_cb (DcEngine    *engine,
                   GArray      *samples,
                   DcTemplates *self)
{
  dc_templates_process (self, (const DcSample *) samples->data, samples->len);
}

static void
alarm_changed_cb (DcAlarm     *alarm,
                  JsonObject  *object,
                  DcTemplates *self)
{
  g_autofree char *point = NULL;
  Rule *rule;
  gint64 time = 0;

  /* A verify alarm that becomes active runs the point's db_warn_sql. */
  if (g_strcmp0 (json_object_get_string_member_with_default (object, "condition", NULL),
                 "verify") != 0 ||
      g_strcmp0 (json_object_get_string_member_with_default (object, "state", NULL),
                 "active_unacknowledged") != 0)
    return;
  point = g_strconcat (json_object_get_string_member_with_default (object, "term_id", ""), ":",
                       json_object_get_string_member_with_default (object, "item_id", ""), NULL);
  rule = g_hash_table_lookup (self->by_point, point);
  if (rule == NULL)
    return;
  if (!dc_time_parse (json_object_get_string_member_with_default (object, "active_since", ""),
                      &time))
    time = g_get_real_time ();
  dc_templates_warn (self, rule->key, time,
                     json_object_get_double_member_with_default (object, "value", NAN),
                     json_object_get_string_member_with_default (object, "text", NULL));
}

/* GObject */

static void
dc_templates_dispose (GObject *object)
{
  DcTemplates *self = DC_TEMPLATES (object);

  g_clear_signal_handler (&self->changed_id, self->store);
  if (self->engine != NULL)
    {
      g_clear_signal_handler (&self->samples_id, self->engine);
      g_object_remove_weak_pointer (G_OBJECT (self->engine), (gpointer *) &self->engine);
      self->engine = NULL;
    }
  if (self->alarm != NULL)
    {
      g_clear_signal_handler (&self->alarm_changed_id, self->alarm);
      g_object_remove_weak_pointer (G_OBJECT (self->alarm), (gpointer *) &self->alarm);
      self->alarm = NULL;
    }
  dc_deferred_cancel (&self->rebuild);
  if (self->thread != NULL)
    {
      g_atomic_int_set (&self->stop_now, TRUE);
      g_mutex_lock (&self->mutex);
      self->stopping = TRUE;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->mutex);
      g_thread_join (g_steal_pointer (&self->thread));
    }
  g_clear_object (&self->store);

  G_OBJECT_CLASS (dc_templates_parent_class)->dispose (object);
}

static void
dc_templates_finalize (GObject *object)
{
  DcTemplates *self = DC_TEMPLATES (object);

  g_queue_clear_full (&self->jobs, job_free);
  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_pointer (&self->failed, g_hash_table_unref);
  g_clear_pointer (&self->rules, g_hash_table_unref);
  g_clear_pointer (&self->by_point, g_hash_table_unref);
  g_clear_pointer (&self->refresh, g_hash_table_unref);
  if (self->db != NULL)
    sqlite3_close (self->db);
  g_free (self->path);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (dc_templates_parent_class)->finalize (object);
}

static void
dc_templates_class_init (DcTemplatesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dc_templates_dispose;
  object_class->finalize = dc_templates_finalize;
}

static void
dc_templates_init (DcTemplates *self)
{
  dc_deferred_init (&self->rebuild, (GFunc) apply_changes, self);
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  g_queue_init (&self->jobs);
  self->rules = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, rule_free);
  self->by_point = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) sqlite3_finalize);
  self->failed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* Public API */

static gboolean
same_file (const char *a,
           const char *b)
{
  g_autoptr(GFile) fa = g_file_new_for_path (a);
  g_autoptr(GFile) fb = g_file_new_for_path (b);
  g_autoptr(GFileInfo) ia = g_file_query_info (fa, G_FILE_ATTRIBUTE_ID_FILE,
                                               G_FILE_QUERY_INFO_NONE, NULL, NULL);
  g_autoptr(GFileInfo) ib = g_file_query_info (fb, G_FILE_ATTRIBUTE_ID_FILE,
                                               G_FILE_QUERY_INFO_NONE, NULL, NULL);

  if (ia == NULL || ib == NULL)
    return g_file_equal (fa, fb);
  return g_strcmp0 (g_file_info_get_attribute_string (ia, G_FILE_ATTRIBUTE_ID_FILE),
                    g_file_info_get_attribute_string (ib, G_FILE_ATTRIBUTE_ID_FILE)) == 0;
}

static sqlite3 *
open_user_db (const char  *path,
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

DcTemplates *
dc_templates_new (DcStore     *store,
                  const char  *user_db_path,
                  GError     **error)
{
  g_autoptr(DcTemplates) self = NULL;
  g_autofree char *message = NULL;
  const char *store_path;

  g_return_val_if_fail (DC_IS_STORE (store), NULL);
  g_return_val_if_fail (user_db_path != NULL, NULL);

  store_path = dc_store_get_path (store);
  if (store_path != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (store_path);
      g_autofree char *history = dc_companion_path (store_path, "history");
      g_autofree char *alarms = dc_companion_path (store_path, "alarms");
      /* The files earlier versions shared between the configurations of a folder. */
      g_autofree char *old_history = g_build_filename (dir, "datacoll-history.db", NULL);
      g_autofree char *old_alarms = g_build_filename (dir, "datacoll-alarms.db", NULL);

      if (same_file (user_db_path, store_path) || same_file (user_db_path, history) ||
          same_file (user_db_path, alarms) || same_file (user_db_path, old_history) ||
          same_file (user_db_path, old_alarms))
        {
          g_set_error (error, DC_ERROR, DC_ERROR_FORBIDDEN,
                       "the user database %s must not be one of DataColl's own databases",
                       user_db_path);
          return NULL;
        }
    }

  self = g_object_new (DC_TYPE_TEMPLATES, NULL);
  self->store = g_object_ref (store);
  self->path = g_strdup (user_db_path);
  self->db = open_user_db (user_db_path, &message);
  if (self->db == NULL)
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID, message);
      return NULL;
    }
  self->thread = g_thread_new ("dc-templates", worker, self);
  return g_steal_pointer (&self);
}

DcTemplates *
dc_templates_new_for_engine (DcEngine    *engine,
                             DcAlarm     *alarm,
                             const char  *user_db_path,
                             GError     **error)
{
  DcTemplates *self;

  g_return_val_if_fail (DC_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (alarm == NULL || DC_IS_ALARM (alarm), NULL);

  self = dc_templates_new (dc_engine_get_store (engine), user_db_path, error);
  if (self == NULL)
    return NULL;
  self->engine = engine;
  g_object_add_weak_pointer (G_OBJECT (engine), (gpointer *) &self->engine);
  self->samples_id = g_signal_connect_after (engine, "samples", G_CALLBACK (engine_samples_cb),
                                             self);
  if (alarm != NULL)
    {
      self->alarm = alarm;
      g_object_add_weak_pointer (G_OBJECT (alarm), (gpointer *) &self->alarm);
      self->alarm_changed_id = g_signal_connect (alarm, "changed", G_CALLBACK (alarm_changed_cb),
                                                 self);
    }
  return self;
}

void
dc_templates_start (DcTemplates *self)
{
  g_return_if_fail (DC_IS_TEMPLATES (self));

  if (self->changed_id == 0)
    self->changed_id = g_signal_connect (self->store, "changed", G_CALLBACK (store_changed_cb),
                                         self);
  rebuild (self);
}

void
dc_templates_flush (DcTemplates *self)
{
  g_return_if_fail (DC_IS_TEMPLATES (self));

  dc_deferred_flush (&self->rebuild);
}

void
dc_templates_process (DcTemplates    *self,
                      const DcSample *samples,
                      guint           n_samples)
{
  g_return_if_fail (DC_IS_TEMPLATES (self));

  for (guint i = 0; i < n_samples; i++)
    {
      const DcSample *s = &samples[i];
      Rule *rule = g_hash_table_lookup (self->rules, &s->key);

      if (rule == NULL || rule->save_sql == NULL)
        continue;
      /* Only changed values are saved (NaN counts as a value of its own). */
      if (rule->has_saved && (rule->saved == s->value || (isnan (rule->saved) && isnan (s->value))))
        continue;
      rule->has_saved = TRUE;
      rule->saved = s->value;
      queue_job (self, rule, rule->save_sql, s->time, s->value, rule->warn_msg);
    }
}

void
dc_templates_warn (DcTemplates *self,
                   gint64       key,
                   gint64       time_us,
                   double       value,
                   const char  *warn_msg)
{
  Rule *rule;

  g_return_if_fail (DC_IS_TEMPLATES (self));

  rule = g_hash_table_lookup (self->rules, &key);
  if (rule == NULL || rule->warn_sql == NULL)
    return;
  queue_job (self, rule, rule->warn_sql, time_us, value,
             warn_msg != NULL ? warn_msg : rule->warn_msg);
}

void
dc_templates_sync (DcTemplates *self)
{
  g_return_if_fail (DC_IS_TEMPLATES (self));

  g_mutex_lock (&self->mutex);
  while (self->jobs.length > 0 || self->busy > 0)
    g_cond_wait (&self->cond, &self->mutex);
  g_mutex_unlock (&self->mutex);
}

guint64
dc_templates_get_dropped (DcTemplates *self)
{
  guint64 n;

  g_return_val_if_fail (DC_IS_TEMPLATES (self), 0);

  g_mutex_lock (&self->mutex);
  n = self->n_dropped;
  g_mutex_unlock (&self->mutex);
  return n;
}

void
dc_templates_get_counts (DcTemplates *self,
                         guint64     *n_run,
                         guint64     *n_failed)
{
  g_return_if_fail (DC_IS_TEMPLATES (self));

  g_mutex_lock (&self->mutex);
  if (n_run != NULL)
    *n_run = self->n_run;
  if (n_failed != NULL)
    *n_failed = self->n_failed;
  g_mutex_unlock (&self->mutex);
}

char *
dc_templates_check (const char *user_db_path,
                    JsonObject *point)
{
  g_autofree char *save = NULL;
  g_autofree char *warn = NULL;
  g_autofree char *message = NULL;
  const char *templates[2];
  Job job = { 0 };
  sqlite3 *db;
  char *answer = NULL;

  g_return_val_if_fail (point != NULL, NULL);

  save = template_of (point, "db_save_sql");
  warn = template_of (point, "db_warn_sql");
  if (save == NULL && warn == NULL)
    return g_strdup ("not found sql to check");
  if (user_db_path == NULL)
    return g_strdup ("no user database (--user-db)");

  db = open_user_db (user_db_path, &message);
  if (db == NULL)
    return g_steal_pointer (&message);

  job.device_id = (char *) dc_json_get_string (point, "device_id", NULL);
  job.term_id = (char *) dc_json_get_string (point, "term_id", NULL);
  job.item_id = (char *) dc_json_get_string (point, "item_id", NULL);
  job.warn_msg = (char *) dc_json_get_string (point, "warn_msg", NULL);
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
