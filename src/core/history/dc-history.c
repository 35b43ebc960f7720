/* dc-history.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-history"

#include "config.h"

#include <math.h>

#include "dc-error.h"
#include "dc-history-private.h"

/* The writer thread: batches, rollups, retention and purge jobs. Queries live in
 * dc-history-query.c. Design notes in docs/history.md. */

const gint64 dc_history_level_period[DC_HISTORY_N_LEVELS] = {
  10 * (gint64) G_USEC_PER_SEC,
  100 * (gint64) G_USEC_PER_SEC,
  1000 * (gint64) G_USEC_PER_SEC,
  10000 * (gint64) G_USEC_PER_SEC,
};

#define DEFAULT_CAPACITY        1000000
#define DEFAULT_RETENTION_DAYS  365
#define DEFAULT_PURGE_CHUNK     5000
#define RETENTION_INTERVAL_US   ((gint64) G_USEC_PER_SEC * 3600)
#define USEC_PER_DAY            (G_USEC_PER_SEC * (gint64) 86400)

typedef enum
{
  JOB_PURGE_KEY,
  JOB_RETENTION,
} JobKind;

typedef struct
{
  JobKind kind;
  guint64 after_seq;  /* runs once every batch up to this one is written */
  gint64  key;        /* JOB_PURGE_KEY: the key; JOB_RETENTION: the cursor */
  gint64  now;        /* JOB_RETENTION */
  gboolean started;
} DcHistoryJob;

typedef struct
{
  gint64       key;
  gboolean     has_open[DC_HISTORY_N_LEVELS];
  gboolean     dirty[DC_HISTORY_N_LEVELS];   /* recompute the open period from samples */
  gint64       open[DC_HISTORY_N_LEVELS];
  DcHistoryAcc acc[DC_HISTORY_N_LEVELS];
  guint64      touched;
} KeyState;

typedef struct
{
  DcHistory    *self;
  sqlite3      *db;
  sqlite3_stmt *insert;
  sqlite3_stmt *update;
  sqlite3_stmt *merge;
  sqlite3_stmt *recompute_delete;
  sqlite3_stmt *recompute_insert;
  sqlite3_stmt *max_raw;
  sqlite3_stmt *min_raw;
  sqlite3_stmt *max_rollup;
  GHashTable   *keys;      /* key → KeyState */
  GPtrArray    *touched;   /* KeyState touched by the current batch */
  guint64       batch_no;
} Writer;

enum {
  SIGNAL_READY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DcHistory, dc_history, G_TYPE_OBJECT)

static const char schema_sql[] =
  "PRAGMA journal_mode=WAL;"
  "PRAGMA synchronous=NORMAL;"
  "CREATE TABLE IF NOT EXISTS samples ("
  "  key INTEGER NOT NULL, time INTEGER NOT NULL, value REAL, quality INTEGER NOT NULL,"
  "  PRIMARY KEY (key, time)) WITHOUT ROWID;"
  "CREATE TABLE IF NOT EXISTS rollup ("
  "  key INTEGER NOT NULL, level INTEGER NOT NULL, time INTEGER NOT NULL,"
  "  vmin REAL, vmax REAL, first_time INTEGER NOT NULL, vfirst REAL,"
  "  last_time INTEGER NOT NULL, vlast REAL, vsum REAL NOT NULL, n INTEGER NOT NULL,"
  "  count INTEGER NOT NULL,"
  "  PRIMARY KEY (key, level, time)) WITHOUT ROWID;"
  "CREATE TABLE IF NOT EXISTS purge_keys (key INTEGER PRIMARY KEY);"
  "PRAGMA user_version=1;";

gint64
dc_history_floor (gint64 t,
                  gint64 period)
{
  gint64 r = t % period;

  if (r < 0)
    r += period;
  return t - r;
}

void
dc_history_set_sql_error (GError     **error,
                          sqlite3     *db,
                          const char  *what)
{
  g_set_error (error, DC_ERROR, DC_ERROR_INTERNAL, "history database: %s: %s",
               what, db ? sqlite3_errmsg (db) : "out of memory");
}

/* dc_first(value, time) / dc_last(value, time): the value at the smallest / largest time. */
typedef struct
{
  gint64 time;
  double value;
  gboolean has;
  gboolean is_null;
} PickCtx;

static void
pick_step (sqlite3_context *ctx,
           sqlite3_value  **argv,
           gboolean         first)
{
  PickCtx *c = sqlite3_aggregate_context (ctx, sizeof *c);
  gint64 t;

  if (c == NULL || sqlite3_value_type (argv[1]) == SQLITE_NULL)
    return;
  t = sqlite3_value_int64 (argv[1]);
  if (!c->has || (first ? t < c->time : t > c->time))
    {
      c->has = TRUE;
      c->time = t;
      c->is_null = sqlite3_value_type (argv[0]) == SQLITE_NULL;
      c->value = sqlite3_value_double (argv[0]);
    }
}

static void
first_step_cb (sqlite3_context *ctx,
               int              argc,
               sqlite3_value  **argv)
{
  pick_step (ctx, argv, TRUE);
}

static void
last_step_cb (sqlite3_context *ctx,
              int              argc,
              sqlite3_value  **argv)
{
  pick_step (ctx, argv, FALSE);
}

static void
pick_final_cb (sqlite3_context *ctx)
{
  PickCtx *c = sqlite3_aggregate_context (ctx, 0);

  if (c == NULL || !c->has || c->is_null)
    sqlite3_result_null (ctx);
  else
    sqlite3_result_double (ctx, c->value);
}

sqlite3 *
dc_history_open_db (const char  *path,
                    gboolean     create,
                    GError     **error)
{
  sqlite3 *db = NULL;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

  if (create)
    flags |= SQLITE_OPEN_CREATE;

  if (sqlite3_open_v2 (path, &db, flags, NULL) != SQLITE_OK)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INTERNAL, "cannot open history database %s: %s",
                   path, db ? sqlite3_errmsg (db) : "out of memory");
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, 10000);
  sqlite3_create_function (db, "dc_first", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                           NULL, first_step_cb, pick_final_cb);
  sqlite3_create_function (db, "dc_last", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                           NULL, last_step_cb, pick_final_cb);

  if (create && sqlite3_exec (db, schema_sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INTERNAL, "cannot open history database %s: %s",
                   path, sqlite3_errmsg (db));
      sqlite3_close (db);
      return NULL;
    }

  return db;
}

char *
dc_history_path_for_config (const char *config_db_path)
{
  g_autofree char *dir = NULL;

  g_return_val_if_fail (config_db_path != NULL, NULL);

  dir = g_path_get_dirname (config_db_path);
  return g_build_filename (dir, "datacoll-history.db", NULL);
}

/* Writer helpers. */

static void
bind_double_or_null (sqlite3_stmt *stmt,
                     int           col,
                     double        value)
{
  if (isfinite (value))
    sqlite3_bind_double (stmt, col, value);
  else
    sqlite3_bind_null (stmt, col);
}

static gboolean
step_done (Writer       *w,
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

static gboolean
select_int64 (Writer       *w,
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

void
dc_history_acc_reset (DcHistoryAcc *acc)
{
  acc->min = acc->max = acc->first = acc->last = NAN;
  acc->sum = 0;
  acc->first_time = G_MAXINT64;
  acc->last_time = G_MININT64;
  acc->n = 0;
  acc->count = 0;
}

void
dc_history_acc_add (DcHistoryAcc   *acc,
                    const DcSample *s)
{
  gboolean valid = isfinite (s->value);

  if (valid)
    {
      if (acc->n == 0 || s->value < acc->min)
        acc->min = s->value;
      if (acc->n == 0 || s->value > acc->max)
        acc->max = s->value;
      acc->sum += s->value;
      acc->n++;
    }
  if (s->time < acc->first_time)
    {
      acc->first_time = s->time;
      acc->first = valid ? s->value : NAN;
    }
  if (s->time > acc->last_time)
    {
      acc->last_time = s->time;
      acc->last = valid ? s->value : NAN;
    }
  acc->count++;
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
  bind_double_or_null (st, 4, acc->min);
  bind_double_or_null (st, 5, acc->max);
  sqlite3_bind_int64 (st, 6, acc->first_time);
  bind_double_or_null (st, 7, acc->first);
  sqlite3_bind_int64 (st, 8, acc->last_time);
  bind_double_or_null (st, 9, acc->last);
  sqlite3_bind_double (st, 10, acc->sum);
  sqlite3_bind_int64 (st, 11, acc->n);
  sqlite3_bind_int64 (st, 12, acc->count);
  return step_done (w, st);
}

/* Rebuilds the rollup rows of @level for [@from, @to) (aligned) from the samples. */
static gboolean
recompute_range (Writer *w,
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
  if (!step_done (w, w->recompute_delete))
    return FALSE;

  sqlite3_bind_int64 (w->recompute_insert, 1, key);
  sqlite3_bind_int (w->recompute_insert, 2, level);
  sqlite3_bind_int64 (w->recompute_insert, 3, from);
  sqlite3_bind_int64 (w->recompute_insert, 4, to);
  sqlite3_bind_int64 (w->recompute_insert, 5, period);
  return step_done (w, w->recompute_insert);
}

/* The state of @key, created on first use in this run. A key that already has samples
 * from an earlier run (or a crash) gets its rollup tail rebuilt from the samples, and
 * its last period is recomputed when it closes. */
static KeyState *
key_state_get (Writer *w,
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
  if (!select_int64 (w, w->max_raw, &max_raw) || !select_int64 (w, w->min_raw, &min_raw))
    return ks;

  for (int level = 0; level < DC_HISTORY_N_LEVELS; level++)
    {
      gint64 period = dc_history_level_period[level];
      gint64 start, last = dc_history_floor (max_raw, period);

      sqlite3_bind_int64 (w->max_rollup, 1, key);
      sqlite3_bind_int (w->max_rollup, 2, level);
      if (!select_int64 (w, w->max_rollup, &start))
        start = dc_history_floor (min_raw, period);
      recompute_range (w, key, level, start, last);
      ks->has_open[level] = TRUE;
      ks->open[level] = last;
      ks->dirty[level] = TRUE;
      dc_history_acc_reset (&ks->acc[level]);
    }

  return ks;
}

static void
close_open (Writer   *w,
            KeyState *ks,
            int       level)
{
  gint64 period = dc_history_level_period[level];

  if (!ks->has_open[level])
    return;
  if (ks->dirty[level])
    recompute_range (w, ks->key, level, ks->open[level], ks->open[level] + period);
  else
    merge_acc (w, ks->key, level, ks->open[level], &ks->acc[level]);
  ks->has_open[level] = FALSE;
  ks->dirty[level] = FALSE;
}

static void
rollup_add (Writer         *w,
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
            recompute_range (w, ks->key, level, p, p + period);
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
        close_open (w, ks, level);

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

static void
publish_watermarks (Writer *w)
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

static void
write_batch (Writer         *w,
             DcHistoryBatch *batch)
{
  DcHistory *self = w->self;
  gboolean ok = TRUE;

  w->batch_no++;
  if (sqlite3_exec (w->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    g_critical ("history writer: BEGIN: %s", sqlite3_errmsg (w->db));

  for (guint i = 0; ok && i < batch->samples->len; i++)
    {
      const DcSample *s = &g_array_index (batch->samples, DcSample, i);
      KeyState *ks = key_state_get (w, s->key);
      gboolean replaced;

      sqlite3_bind_int64 (w->insert, 1, s->key);
      sqlite3_bind_int64 (w->insert, 2, s->time);
      bind_double_or_null (w->insert, 3, s->value);
      sqlite3_bind_int64 (w->insert, 4, s->quality);
      ok = step_done (w, w->insert);
      replaced = sqlite3_changes (w->db) == 0;
      if (ok && replaced)
        {
          bind_double_or_null (w->update, 1, s->value);
          sqlite3_bind_int64 (w->update, 2, s->quality);
          sqlite3_bind_int64 (w->update, 3, s->key);
          sqlite3_bind_int64 (w->update, 4, s->time);
          ok = step_done (w, w->update);
        }

      rollup_add (w, ks, s, replaced);
      if (ks->touched != w->batch_no)
        {
          ks->touched = w->batch_no;
          g_ptr_array_add (w->touched, ks);
        }
    }

  g_mutex_lock (&self->mutex);
  if (sqlite3_exec (w->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    {
      /* Nothing of the batch is written; the samples stay counted as queued → never
       * silently lost, the error is loud. */
      g_critical ("history writer: COMMIT: %s", sqlite3_errmsg (w->db));
      sqlite3_exec (w->db, "ROLLBACK", NULL, NULL, NULL);
    }
  else
    {
      self->stats.written += batch->samples->len;
      self->stats.batches++;
    }
  publish_watermarks (w);
  g_queue_pop_head (&self->queue);
  self->stats.queued -= batch->samples->len;
  self->written_seq = batch->seq;
  maybe_schedule_ready (self);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  g_array_unref (batch->samples);
  g_free (batch);
}

/* Jobs: one small step per call, in its own transaction. */

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
  step_done (w, st);
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
      step_done (w, st);
      sqlite3_finalize (st);

      if (purge || pb == bound)
        continue;

      /* The period that straddles @bound lost some samples. */
      if (ks != NULL && ks->has_open[level] && ks->open[level] <= pb)
        {
          ks->dirty[level] = TRUE;
          continue;
        }
      recompute_range (w, key, level, pb, pb + period);
    }

  return deleted;
}

static gboolean
run_purge_step (Writer       *w,
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
      step_done (w, st);
      deleted += sqlite3_changes (w->db);
      sqlite3_finalize (st);
      st = NULL;
      sqlite3_prepare_v2 (w->db, "DELETE FROM rollup WHERE key=?1", -1, &st, NULL);
      sqlite3_bind_int64 (st, 1, job->key);
      step_done (w, st);
      sqlite3_finalize (st);
      st = NULL;
      sqlite3_prepare_v2 (w->db, "DELETE FROM purge_keys WHERE key=?1", -1, &st, NULL);
      sqlite3_bind_int64 (st, 1, job->key);
      step_done (w, st);
      sqlite3_finalize (st);
    }
  g_mutex_lock (&self->mutex);
  sqlite3_exec (w->db, "COMMIT", NULL, NULL, NULL);
  self->stats.purged += deleted;
  g_mutex_unlock (&self->mutex);

  return bound == G_MAXINT64;
}

static gboolean
run_retention_step (Writer       *w,
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
  found = select_int64 (w, st, &key);
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
      step_done (w, st);
    }
  sqlite3_finalize (st);
  if (sqlite3_exec (w->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    g_warning ("history: cannot record purges: %s", sqlite3_errmsg (w->db));
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
      guint throttle;

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
      g_mutex_unlock (&self->mutex);

      if (batch != NULL)
        {
          if (throttle > 0)
            g_usleep (throttle);
          write_batch (w, batch);
        }
      if (job != NULL)
        {
          gboolean done;

          if (job->kind == JOB_PURGE_KEY)
            done = run_purge_step (w, job);
          else
            done = run_retention_step (w, job);

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
          close_open (w, ks, level);
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
