/* dc-history-sqlite.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-history"

#include "config.h"

#include <math.h>

#include "dc-error.h"
#include "dc-history-sqlite-private.h"
#include "dc-history-writer-private.h"

/* The sqlite backend of DcHistory (DcHistoryBackend, dc-history-private.h): the embedded
 * default, one file in WAL mode. The schema and connections are in dc-history-db.c; here
 * are the writer's prepared statements, the jobs' and the queries' SQL. Design notes in
 * docs/history.md. */

typedef struct
{
  sqlite3      *db;
  sqlite3_stmt *insert;
  sqlite3_stmt *update;
  sqlite3_stmt *merge;
  sqlite3_stmt *recompute_delete;
  sqlite3_stmt *recompute_insert;
  sqlite3_stmt *max_raw;
  sqlite3_stmt *min_raw;
  sqlite3_stmt *max_rollup;
  int           failed_rc;    /* the first failed statement of the transaction, 0: none */
  char         *failed_msg;
} SqliteWriter;

#define SW(w) ((SqliteWriter *) (w)->conn)

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

static double
column_double_or_nan (sqlite3_stmt *st,
                      int           col)
{
  if (sqlite3_column_type (st, col) == SQLITE_NULL)
    return NAN;
  return sqlite3_column_double (st, col);
}

/* A full or failing disk: the writer waits and says so once (docs/history.md "Full disk"). */
static gboolean
rc_is_disk (int rc)
{
  return (rc & 0xff) == SQLITE_FULL || (rc & 0xff) == SQLITE_IOERR;
}

static void
note_failure (SqliteWriter *sw,
              int           rc)
{
  if (sw->failed_rc != 0)
    return;
  sw->failed_rc = rc;
  sw->failed_msg = g_strdup (sqlite3_errmsg (sw->db));
  if (!rc_is_disk (rc))
    g_critical ("history writer: %s", sw->failed_msg);
}

static gboolean
step_done (SqliteWriter *sw,
           sqlite3_stmt *stmt)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      note_failure (sw, rc);
      return FALSE;
    }
  return TRUE;
}

static gboolean
select_int64 (sqlite3_stmt *stmt,
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

/* A one-off statement of the writer: prepared, bound with @n int64 values, stepped once. */
static gboolean
exec_int64 (SqliteWriter *sw,
            const char   *sql,
            guint         n,
            const gint64 *values,
            gint64       *changes)
{
  sqlite3_stmt *st = NULL;
  gboolean ok;

  if (sqlite3_prepare_v2 (sw->db, sql, -1, &st, NULL) != SQLITE_OK)
    {
      g_critical ("history writer: %s: %s", sql, sqlite3_errmsg (sw->db));
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    sqlite3_bind_int64 (st, i + 1, values[i]);
  ok = step_done (sw, st);
  sqlite3_finalize (st);
  if (changes != NULL)
    *changes = ok ? sqlite3_changes (sw->db) : 0;
  return ok;
}

static void
finalize_statements (sqlite3 *db)
{
  sqlite3_stmt *stmt;

  while ((stmt = sqlite3_next_stmt (db, NULL)) != NULL)
    sqlite3_finalize (stmt);
}

static gboolean
sqlite_writer_open (Writer  *w,
                    GError **error)
{
  static const struct { gsize offset; const char *sql; } stmts[] = {
    { G_STRUCT_OFFSET (SqliteWriter, insert),
      "INSERT OR IGNORE INTO samples (key, time, value, quality) VALUES (?1, ?2, ?3, ?4)" },
    { G_STRUCT_OFFSET (SqliteWriter, update),
      "UPDATE samples SET value=?1, quality=?2 WHERE key=?3 AND time=?4" },
    { G_STRUCT_OFFSET (SqliteWriter, merge),
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
    { G_STRUCT_OFFSET (SqliteWriter, recompute_delete),
      "DELETE FROM rollup WHERE key=?1 AND level=?2 AND time>=?3 AND time<?4" },
    { G_STRUCT_OFFSET (SqliteWriter, recompute_insert),
      "INSERT INTO rollup (key, level, time, vmin, vmax, first_time, vfirst, last_time, vlast,"
      " vsum, n, count)"
      " SELECT ?1, ?2, time-(((time%?5)+?5)%?5) AS p, min(value), max(value), min(time),"
      " dc_first(value, time), max(time), dc_last(value, time), total(value), count(value),"
      " count(*) FROM samples WHERE key=?1 AND time>=?3 AND time<?4 GROUP BY p" },
    { G_STRUCT_OFFSET (SqliteWriter, max_raw), "SELECT max(time) FROM samples WHERE key=?1" },
    { G_STRUCT_OFFSET (SqliteWriter, min_raw), "SELECT min(time) FROM samples WHERE key=?1" },
    { G_STRUCT_OFFSET (SqliteWriter, max_rollup),
      "SELECT max(time) FROM rollup WHERE key=?1 AND level=?2" },
  };
  SqliteWriter *sw = g_new0 (SqliteWriter, 1);

  sw->db = dc_history_open_db (w->self->path, TRUE, error);
  if (sw->db == NULL)
    {
      g_free (sw);
      return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (stmts); i++)
    {
      sqlite3_stmt **stmt = G_STRUCT_MEMBER_P (sw, stmts[i].offset);

      if (sqlite3_prepare_v3 (sw->db, stmts[i].sql, -1, SQLITE_PREPARE_PERSISTENT, stmt,
                              NULL) != SQLITE_OK)
        {
          dc_history_set_sql_error (error, sw->db, stmts[i].sql);
          finalize_statements (sw->db);
          sqlite3_close (sw->db);
          g_free (sw);
          return FALSE;
        }
    }
  w->conn = sw;
  return TRUE;
}

static void
sqlite_writer_close (Writer *w)
{
  SqliteWriter *sw = SW (w);

  finalize_statements (sw->db);
  sqlite3_close (sw->db);
  g_free (sw->failed_msg);
  g_free (sw);
  w->conn = NULL;
}

static void
sqlite_list_purges (Writer *w,
                    GArray *keys)
{
  sqlite3_stmt *st = NULL;

  sqlite3_prepare_v2 (SW (w)->db, "SELECT key FROM purge_keys", -1, &st, NULL);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      gint64 key = sqlite3_column_int64 (st, 0);

      g_array_append_val (keys, key);
    }
  sqlite3_finalize (st);
}

static void
sqlite_record_purges (Writer *w,
                      GArray *keys)
{
  SqliteWriter *sw = SW (w);
  sqlite3_stmt *st = NULL;

  sqlite3_exec (sw->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  sqlite3_prepare_v2 (sw->db, "INSERT OR IGNORE INTO purge_keys (key) VALUES (?1)", -1, &st, NULL);
  for (guint i = 0; i < keys->len; i++)
    {
      sqlite3_bind_int64 (st, 1, g_array_index (keys, gint64, i));
      step_done (sw, st);
    }
  sqlite3_finalize (st);
  if (sqlite3_exec (sw->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    g_warning ("history: cannot record purges: %s", sqlite3_errmsg (sw->db));
}

static gboolean
sqlite_begin (Writer *w)
{
  SqliteWriter *sw = SW (w);
  int rc;

  sw->failed_rc = 0;
  g_clear_pointer (&sw->failed_msg, g_free);
  rc = sqlite3_exec (sw->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      note_failure (sw, sqlite3_extended_errcode (sw->db));
      return FALSE;
    }
  return TRUE;
}

/* Commits, unless a statement of the transaction failed: then nothing of it is kept (before,
 * the rows written before the failure were committed: half a batch). A full disk stalls the
 * writer (the batches wait); anything else loses the transaction, loudly. */
static DcHistoryCommit
sqlite_commit (Writer *w)
{
  SqliteWriter *sw = SW (w);

#if DC_TEST_BUILD
  {
    guint delay = g_atomic_int_get (&w->self->commit_delay_us);

    if (delay > 0)
      g_usleep (delay);
  }
#endif
  if (sw->failed_rc == 0 && sqlite3_exec (sw->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    note_failure (sw, sqlite3_extended_errcode (sw->db));
  if (sw->failed_rc == 0)
    return DC_HISTORY_COMMIT_OK;

  sqlite3_exec (sw->db, "ROLLBACK", NULL, NULL, NULL);
  if (rc_is_disk (sw->failed_rc))
    {
      g_free (w->error);
      w->error = g_strdup (sw->failed_msg);
      return DC_HISTORY_COMMIT_STALLED;
    }
  return DC_HISTORY_COMMIT_FAILED;
}

static gboolean
sqlite_write_sample (Writer         *w,
                     KeyState       *ks,
                     const DcSample *s,
                     gboolean       *replaced)
{
  SqliteWriter *sw = SW (w);
  gboolean ok;

  sqlite3_bind_int64 (sw->insert, 1, s->key);
  sqlite3_bind_int64 (sw->insert, 2, s->time);
  bind_double_or_null (sw->insert, 3, s->value);
  sqlite3_bind_int64 (sw->insert, 4, s->quality);
  ok = step_done (sw, sw->insert);
  *replaced = sqlite3_changes (sw->db) == 0;
  if (ok && *replaced)
    {
      bind_double_or_null (sw->update, 1, s->value);
      sqlite3_bind_int64 (sw->update, 2, s->quality);
      sqlite3_bind_int64 (sw->update, 3, s->key);
      sqlite3_bind_int64 (sw->update, 4, s->time);
      ok = step_done (sw, sw->update);
    }
  return ok;
}

static gboolean
sqlite_merge_acc (Writer             *w,
                  gint64              key,
                  int                 level,
                  gint64              period,
                  const DcHistoryAcc *acc)
{
  SqliteWriter *sw = SW (w);
  sqlite3_stmt *st = sw->merge;

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
  return step_done (sw, st);
}

static gboolean
sqlite_recompute_range (Writer *w,
                        gint64  key,
                        int     level,
                        gint64  from,
                        gint64  to)
{
  SqliteWriter *sw = SW (w);

  sqlite3_bind_int64 (sw->recompute_delete, 1, key);
  sqlite3_bind_int (sw->recompute_delete, 2, level);
  sqlite3_bind_int64 (sw->recompute_delete, 3, from);
  sqlite3_bind_int64 (sw->recompute_delete, 4, to);
  if (!step_done (sw, sw->recompute_delete))
    return FALSE;

  sqlite3_bind_int64 (sw->recompute_insert, 1, key);
  sqlite3_bind_int (sw->recompute_insert, 2, level);
  sqlite3_bind_int64 (sw->recompute_insert, 3, from);
  sqlite3_bind_int64 (sw->recompute_insert, 4, to);
  sqlite3_bind_int64 (sw->recompute_insert, 5, dc_history_level_period[level]);
  return step_done (sw, sw->recompute_insert);
}

static gboolean
sqlite_key_bounds (Writer *w,
                   gint64  key,
                   gint64 *min_time,
                   gint64 *max_time)
{
  SqliteWriter *sw = SW (w);

  sqlite3_bind_int64 (sw->max_raw, 1, key);
  sqlite3_bind_int64 (sw->min_raw, 1, key);
  return select_int64 (sw->max_raw, max_time) && select_int64 (sw->min_raw, min_time);
}

static gboolean
sqlite_max_rollup (Writer *w,
                   gint64  key,
                   int     level,
                   gint64 *time)
{
  SqliteWriter *sw = SW (w);

  sqlite3_bind_int64 (sw->max_rollup, 1, key);
  sqlite3_bind_int (sw->max_rollup, 2, level);
  return select_int64 (sw->max_rollup, time);
}

static gint64
sqlite_chunk_bound (Writer *w,
                    gint64  key,
                    gint64  cutoff,
                    guint   chunk)
{
  sqlite3_stmt *st = NULL;
  gint64 bound = cutoff;

  sqlite3_prepare_v2 (SW (w)->db,
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

static gint64
sqlite_delete_samples (Writer *w,
                       gint64  key,
                       gint64  bound)
{
  gint64 deleted = 0;

  exec_int64 (SW (w), "DELETE FROM samples WHERE key=?1 AND time<?2", 2,
              (gint64[]) { key, bound }, &deleted);
  return deleted;
}

static void
sqlite_delete_rollups (Writer *w,
                       gint64  key,
                       int     level,
                       gint64  before)
{
  exec_int64 (SW (w), "DELETE FROM rollup WHERE key=?1 AND level=?2 AND time<?3", 3,
              (gint64[]) { key, level, before }, NULL);
}

static gint64
sqlite_finish_purge (Writer *w,
                     gint64  key)
{
  gint64 deleted = 0;

  exec_int64 (SW (w), "DELETE FROM samples WHERE key=?1", 1, &key, &deleted);
  exec_int64 (SW (w), "DELETE FROM rollup WHERE key=?1", 1, &key, NULL);
  exec_int64 (SW (w), "DELETE FROM purge_keys WHERE key=?1", 1, &key, NULL);
  return deleted;
}

static gboolean
sqlite_next_key (Writer *w,
                 gint64  from,
                 gint64 *key)
{
  sqlite3_stmt *st = NULL;
  gboolean found;

  sqlite3_prepare_v2 (SW (w)->db, "SELECT key FROM samples WHERE key>=?1 ORDER BY key LIMIT 1",
                      -1, &st, NULL);
  sqlite3_bind_int64 (st, 1, from);
  found = select_int64 (st, key);
  sqlite3_finalize (st);
  return found;
}

/* Readers. */

static gpointer
sqlite_reader_open (DcHistory  *self,
                    GError    **error)
{
  return dc_history_open_db (self->path, FALSE, error);
}

static void
sqlite_reader_close (gpointer conn)
{
  sqlite3_close (conn);
}

static gboolean
sqlite_read_begin (gpointer   conn,
                   GError   **error)
{
  /* BEGIN and a first read fix the WAL snapshot (under the history mutex). */
  if (sqlite3_exec (conn, "BEGIN; SELECT 1 FROM samples LIMIT 1", NULL, NULL, NULL) != SQLITE_OK)
    {
      dc_history_set_sql_error (error, conn, "read");
      sqlite3_exec (conn, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  return TRUE;
}

static void
sqlite_read_end (gpointer conn)
{
  sqlite3_exec (conn, "COMMIT", NULL, NULL, NULL);
}

static gboolean
sqlite_select (gpointer   conn,
               gint64     key,
               gint64     from,
               gint64     to,
               gboolean   desc,
               gint64     limit,
               GArray    *out,
               GError   **error)
{
  sqlite3 *db = conn;
  sqlite3_stmt *st = NULL;
  const char *sql = desc
    ? "SELECT time, value, quality FROM samples WHERE key=?1 AND time>=?2 AND time<?3 "
      "ORDER BY time DESC LIMIT ?4"
    : "SELECT time, value, quality FROM samples WHERE key=?1 AND time>=?2 AND time<?3 "
      "ORDER BY time LIMIT ?4";
  guint start = out->len;
  int rc;

  if (sqlite3_prepare_v2 (db, sql, -1, &st, NULL) != SQLITE_OK)
    {
      dc_history_set_sql_error (error, db, "select");
      return FALSE;
    }
  sqlite3_bind_int64 (st, 1, key);
  sqlite3_bind_int64 (st, 2, from);
  sqlite3_bind_int64 (st, 3, to);
  sqlite3_bind_int64 (st, 4, limit);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      DcSample s;

      s.key = key;
      s.time = sqlite3_column_int64 (st, 0);
      s.value = column_double_or_nan (st, 1);
      s.quality = (guint32) sqlite3_column_int64 (st, 2);
      g_array_append_val (out, s);
    }
  sqlite3_finalize (st);
  if (rc != SQLITE_DONE)
    {
      dc_history_set_sql_error (error, db, "select");
      return FALSE;
    }

  if (desc)
    dc_history_reverse_samples (out, start);
  return TRUE;
}

static gboolean
sqlite_count (gpointer   conn,
              gint64     key,
              gint64     from,
              gint64     to,
              gint64    *count,
              GError   **error)
{
  sqlite3_stmt *st = NULL;

  *count = 0;
  sqlite3_prepare_v2 (conn, "SELECT count(*) FROM samples WHERE key=?1 AND time>=?2 AND time<?3",
                      -1, &st, NULL);
  sqlite3_bind_int64 (st, 1, key);
  sqlite3_bind_int64 (st, 2, from);
  sqlite3_bind_int64 (st, 3, to);
  if (sqlite3_step (st) == SQLITE_ROW)
    *count = sqlite3_column_int64 (st, 0);
  sqlite3_finalize (st);
  return TRUE;
}

static gboolean
sqlite_row_exists (gpointer conn,
                   gint64   key,
                   gint64   time)
{
  sqlite3_stmt *st = NULL;
  gboolean exists;

  sqlite3_prepare_v2 (conn, "SELECT 1 FROM samples WHERE key=?1 AND time=?2", -1, &st, NULL);
  sqlite3_bind_int64 (st, 1, key);
  sqlite3_bind_int64 (st, 2, time);
  exists = sqlite3_step (st) == SQLITE_ROW;
  sqlite3_finalize (st);
  return exists;
}

static gboolean
sqlite_reader_max_rollup (gpointer conn,
                          gint64   key,
                          int      level,
                          gint64  *time)
{
  sqlite3_stmt *mx = NULL;
  gboolean found;

  sqlite3_prepare_v2 (conn, "SELECT max(time) FROM rollup WHERE key=?1 AND level=?2",
                      -1, &mx, NULL);
  sqlite3_bind_int64 (mx, 1, key);
  sqlite3_bind_int (mx, 2, level);
  found = select_int64 (mx, time);
  sqlite3_finalize (mx);
  return found;
}

static gboolean
sqlite_bucket_rows (gpointer   conn,
                    gint64     key,
                    int        level,
                    gint64     base,
                    gint64     width,
                    gint64     r0,
                    gint64     r1,
                    gint64     from,
                    gint64     to,
                    GArray    *out,
                    GError   **error)
{
  static const char sql[] =
    "SELECT (t-?1)/?2 AS b, min(mn), max(mx), dc_first(fv, ft), min(ft), dc_last(lv, lt),"
    " max(lt), total(sm), sum(n), sum(cnt) FROM ("
    "  SELECT time AS t, vmin AS mn, vmax AS mx, first_time AS ft, vfirst AS fv,"
    "   last_time AS lt, vlast AS lv, vsum AS sm, n, count AS cnt"
    "   FROM rollup WHERE key=?3 AND level=?4 AND time>=?5 AND time<?6"
    "  UNION ALL"
    "  SELECT time, value, value, time, value, time, value, value, value IS NOT NULL, 1"
    "   FROM samples WHERE key=?3 AND time>=?7 AND time<?8"
    "  UNION ALL"
    "  SELECT time, value, value, time, value, time, value, value, value IS NOT NULL, 1"
    "   FROM samples WHERE key=?3 AND time>=?9 AND time<?10"
    ") GROUP BY b ORDER BY b";
  sqlite3_stmt *st = NULL;
  int rc;

  sqlite3_prepare_v2 (conn, sql, -1, &st, NULL);
  sqlite3_bind_int64 (st, 1, base);
  sqlite3_bind_int64 (st, 2, width);
  sqlite3_bind_int64 (st, 3, key);
  sqlite3_bind_int (st, 4, level);
  sqlite3_bind_int64 (st, 5, r0);
  sqlite3_bind_int64 (st, 6, r1);
  sqlite3_bind_int64 (st, 7, from);
  sqlite3_bind_int64 (st, 8, r0);
  sqlite3_bind_int64 (st, 9, r1);
  sqlite3_bind_int64 (st, 10, to);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      DcHistoryBucketRow b;

      b.index = sqlite3_column_int64 (st, 0);
      b.acc.min = column_double_or_nan (st, 1);
      b.acc.max = column_double_or_nan (st, 2);
      b.acc.first = column_double_or_nan (st, 3);
      b.acc.first_time = sqlite3_column_int64 (st, 4);
      b.acc.last = column_double_or_nan (st, 5);
      b.acc.last_time = sqlite3_column_int64 (st, 6);
      b.acc.sum = sqlite3_column_double (st, 7);
      b.acc.n = sqlite3_column_int64 (st, 8);
      b.acc.count = sqlite3_column_int64 (st, 9);
      g_array_append_val (out, b);
    }
  sqlite3_finalize (st);
  if (rc != SQLITE_DONE)
    {
      dc_history_set_sql_error (error, conn, "buckets");
      return FALSE;
    }
  return TRUE;
}

const DcHistoryBackend dc_history_sqlite_backend = {
  .name = "sqlite",
  .writer_open = sqlite_writer_open,
  .writer_close = sqlite_writer_close,
  .list_purges = sqlite_list_purges,
  .record_purges = sqlite_record_purges,
  .begin = sqlite_begin,
  .commit = sqlite_commit,
  .write_sample = sqlite_write_sample,
  .merge_acc = sqlite_merge_acc,
  .recompute_range = sqlite_recompute_range,
  .key_bounds = sqlite_key_bounds,
  .max_rollup = sqlite_max_rollup,
  .chunk_bound = sqlite_chunk_bound,
  .delete_samples = sqlite_delete_samples,
  .delete_rollups = sqlite_delete_rollups,
  .finish_purge = sqlite_finish_purge,
  .next_key = sqlite_next_key,
  .reader_open = sqlite_reader_open,
  .reader_close = sqlite_reader_close,
  .read_begin = sqlite_read_begin,
  .read_end = sqlite_read_end,
  .select = sqlite_select,
  .count = sqlite_count,
  .row_exists = sqlite_row_exists,
  .reader_max_rollup = sqlite_reader_max_rollup,
  .bucket_rows = sqlite_bucket_rows,
};
