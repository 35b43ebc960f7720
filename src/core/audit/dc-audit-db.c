/* dc-audit-db.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-audit"

#include "config.h"

#include <sqlite3.h>

#include "dc-audit-private.h"

#include "dc-error.h"
#include "dc-time.h"

/* The audit log in sqlite (docs/security.md, "Audit log"): one table "audit" that is only
 * appended to (a trigger refuses every UPDATE; rows leave only through the retention),
 * indexed by time. The time is kept twice: as µs for ranges and order, and as its RFC 3339
 * text for whoever opens the file with another tool. WAL and synchronous=FULL: a row the
 * writer committed survives a power cut; the cost is the writer thread's, one sync per batch.
 * Every value is bound, never formatted into the SQL. */

#define SCHEMA \
  "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;" \
  "CREATE TABLE IF NOT EXISTS audit (" \
  " id INTEGER PRIMARY KEY AUTOINCREMENT," \
  " time_us INTEGER NOT NULL," \
  " time TEXT NOT NULL," \
  " user TEXT NOT NULL," \
  " role TEXT NOT NULL," \
  " source TEXT NOT NULL," \
  " action TEXT NOT NULL," \
  " target TEXT NOT NULL," \
  " detail TEXT NOT NULL," \
  " result TEXT NOT NULL);" \
  "CREATE INDEX IF NOT EXISTS audit_time ON audit (time_us);" \
  "CREATE TRIGGER IF NOT EXISTS audit_append_only BEFORE UPDATE ON audit" \
  " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"

/* from, to, user, action (or under it), target (or under it), text, limit. */
#define QUERY \
  "SELECT id, time_us, user, role, source, action, target, detail, result FROM audit" \
  " WHERE (?1 = 0 OR time_us >= ?1) AND (?2 = 0 OR time_us < ?2)" \
  " AND (?3 IS NULL OR user = ?3)" \
  " AND (?4 IS NULL OR action = ?4 OR substr (action, 1, length (?4) + 1) = ?4 || '.')" \
  " AND (?5 IS NULL OR target = ?5 OR substr (target, 1, length (?5) + 1) = ?5 || ':')" \
  " AND (?6 IS NULL OR instr (lower (user || ' ' || role || ' ' || source || ' ' || action" \
  "  || ' ' || target || ' ' || detail || ' ' || result), lower (?6)) > 0)" \
  " ORDER BY time_us DESC, id DESC LIMIT ?7"

static gboolean
fail (GError     **error,
      sqlite3     *db,
      const char  *what)
{
  g_set_error (error, DC_ERROR, DC_ERROR_INTERNAL, "audit log: %s: %s", what,
               db != NULL ? sqlite3_errmsg (db) : "out of memory");
  return FALSE;
}

static gpointer
sqlite_open (const char  *location,
             gboolean     writer,
             GError     **error)
{
  sqlite3 *db = NULL;
  int flags = writer ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;

  if (sqlite3_open_v2 (location, &db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INTERNAL, "cannot open %s: %s", location,
                   db != NULL ? sqlite3_errmsg (db) : "out of memory");
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, writer ? 1000 : 5000);
  if (writer && sqlite3_exec (db, SCHEMA, NULL, NULL, NULL) != SQLITE_OK)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INTERNAL, "cannot open %s: %s", location,
                   sqlite3_errmsg (db));
      sqlite3_close (db);
      return NULL;
    }
  return db;
}

static void
sqlite_close (gpointer conn)
{
  sqlite3_close (conn);
}

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
}

static gboolean
sqlite_append (gpointer    conn,
               GPtrArray  *rows,
               GError    **error)
{
  sqlite3 *db = conn;
  sqlite3_stmt *stmt = NULL;
  gboolean ok = TRUE;

  if (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    return fail (error, db, "begin");
  if (sqlite3_prepare_v2 (db, "INSERT INTO audit (time_us, time, user, role, source, action,"
                          " target, detail, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          -1, &stmt, NULL) != SQLITE_OK)
    ok = fail (error, db, "insert");
  for (guint i = 0; ok && i < rows->len; i++)
    {
      DcAuditRow *row = g_ptr_array_index (rows, i);
      g_autofree char *time = dc_time_format (row->time);

      sqlite3_bind_int64 (stmt, 1, row->time);
      bind_text (stmt, 2, time);
      bind_text (stmt, 3, row->user);
      bind_text (stmt, 4, row->role);
      bind_text (stmt, 5, row->source);
      bind_text (stmt, 6, row->action);
      bind_text (stmt, 7, row->target);
      bind_text (stmt, 8, row->detail);
      bind_text (stmt, 9, row->result);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        ok = fail (error, db, "insert");
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  if (ok && sqlite3_exec (db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    ok = fail (error, db, "commit");
  if (!ok)
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  return ok;
}

static gint64
sqlite_purge (gpointer   conn,
              gint64     before,
              guint      chunk,
              GError   **error)
{
  sqlite3 *db = conn;
  sqlite3_stmt *stmt = NULL;
  gint64 removed = -1;

  if (sqlite3_prepare_v2 (db, "DELETE FROM audit WHERE id IN (SELECT id FROM audit"
                          " WHERE time_us < ?1 ORDER BY time_us LIMIT ?2)", -1, &stmt,
                          NULL) != SQLITE_OK)
    {
      fail (error, db, "retention");
      return -1;
    }
  sqlite3_bind_int64 (stmt, 1, before);
  sqlite3_bind_int64 (stmt, 2, chunk);
  if (sqlite3_step (stmt) == SQLITE_DONE)
    removed = sqlite3_changes (db);
  else
    fail (error, db, "retention");
  sqlite3_finalize (stmt);
  return removed;
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           col)
{
  const char *text = (const char *) sqlite3_column_text (stmt, col);

  return g_strdup (text != NULL ? text : "");
}

static GPtrArray *
sqlite_query (gpointer             conn,
              const DcAuditQuery  *query,
              GError             **error)
{
  sqlite3 *db = conn;
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) dc_audit_row_free);
  int rc;

  if (sqlite3_prepare_v2 (db, QUERY, -1, &stmt, NULL) != SQLITE_OK)
    {
      fail (error, db, "query");
      return NULL;
    }
  sqlite3_bind_int64 (stmt, 1, query->from);
  sqlite3_bind_int64 (stmt, 2, query->to);
  bind_text (stmt, 3, query->user);
  bind_text (stmt, 4, query->action);
  bind_text (stmt, 5, query->target);
  bind_text (stmt, 6, query->text);
  sqlite3_bind_int64 (stmt, 7, query->limit > 0 ? query->limit : DC_AUDIT_DEFAULT_LIMIT);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      DcAuditRow *row = g_new0 (DcAuditRow, 1);

      row->id = sqlite3_column_int64 (stmt, 0);
      row->time = sqlite3_column_int64 (stmt, 1);
      row->user = column_dup (stmt, 2);
      row->role = column_dup (stmt, 3);
      row->source = column_dup (stmt, 4);
      row->action = column_dup (stmt, 5);
      row->target = column_dup (stmt, 6);
      row->detail = column_dup (stmt, 7);
      row->result = column_dup (stmt, 8);
      g_ptr_array_add (rows, row);
    }
  if (rc != SQLITE_DONE)
    {
      fail (error, db, "query");
      sqlite3_finalize (stmt);
      return NULL;
    }
  sqlite3_finalize (stmt);
  return g_steal_pointer (&rows);
}

const DcAuditBackend dc_audit_sqlite_backend = {
  .open = sqlite_open,
  .close = sqlite_close,
  .append = sqlite_append,
  .purge = sqlite_purge,
  .query = sqlite_query,
};
