/* dc-store.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "dc-error.h"
#include "dc-json-util.h"
#include "dc-sample.h"
#include "dc-store-private.h"

/* Configuration entities are stored as the client's JSON object (unknown fields and types kept)
 * without their identity fields, which live in columns: renames and moves are then plain
 * column updates, and foreign keys with ON UPDATE/DELETE CASCADE keep children attached.
 * Formulas point at their result point through its never-reused key. */

#define SCHEMA_VERSION 2

enum {
  SIGNAL_CHANGED,
  SIGNAL_POINT_REMOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DcStore, dc_store, G_TYPE_OBJECT)

static const char * const migrations[SCHEMA_VERSION] = {
  /* 0 → 1 */
  "CREATE TABLE devices ("
  "  id   TEXT PRIMARY KEY NOT NULL,"
  "  body TEXT NOT NULL);"
  "CREATE TABLE terms ("
  "  id        TEXT PRIMARY KEY NOT NULL,"
  "  device_id TEXT NOT NULL REFERENCES devices (id) ON UPDATE CASCADE ON DELETE CASCADE,"
  "  body      TEXT NOT NULL);"
  "CREATE INDEX terms_by_device ON terms (device_id);"
  "CREATE TABLE items ("
  "  id   TEXT PRIMARY KEY NOT NULL,"
  "  body TEXT NOT NULL);"
  "CREATE TABLE points ("
  "  key     INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  term_id TEXT NOT NULL REFERENCES terms (id) ON UPDATE CASCADE ON DELETE CASCADE,"
  "  item_id TEXT NOT NULL REFERENCES items (id) ON UPDATE CASCADE ON DELETE CASCADE,"
  "  body    TEXT NOT NULL,"
  "  UNIQUE (term_id, item_id));"
  "CREATE INDEX points_by_item ON points (item_id);"
  "CREATE TABLE formulas ("
  "  id         TEXT PRIMARY KEY NOT NULL,"
  "  result_key INTEGER NOT NULL UNIQUE REFERENCES points (key) ON DELETE CASCADE,"
  "  body       TEXT NOT NULL);"
  "CREATE TABLE controls ("
  "  id        INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  time      INTEGER NOT NULL,"
  "  user      TEXT NOT NULL,"
  "  device_id TEXT NOT NULL,"
  "  term_id   TEXT NOT NULL,"
  "  item_id   TEXT NOT NULL,"
  "  value     REAL,"
  "  result    TEXT NOT NULL);",
  /* 1 → 2: points stored with the aliases low_limit/high_limit before they were normalised on
   * write (docs/model.md "Aliases and unknown fields") get them under the names the alarms
   * read. A limit stored under its own name as well stays (the alarms used it); the alias
   * goes. A null alias is dropped. */
  "UPDATE points SET body = json_set (body, '$.down_limit', body -> '$.low_limit')"
  "  WHERE json_type (body, '$.low_limit') NOT IN ('null')"
  "    AND coalesce (json_type (body, '$.down_limit'), 'null') = 'null';"
  "UPDATE points SET body = json_set (body, '$.up_limit', body -> '$.high_limit')"
  "  WHERE json_type (body, '$.high_limit') NOT IN ('null')"
  "    AND coalesce (json_type (body, '$.up_limit'), 'null') = 'null';"
  "UPDATE points SET body = json_remove (body, '$.low_limit', '$.high_limit')"
  "  WHERE json_type (body, '$.low_limit') IS NOT NULL"
  "     OR json_type (body, '$.high_limit') IS NOT NULL;",
};

/* Indexes that only speed up reads, created on every open when missing (no schema version:
 * a database without them is the same database). points_by_term_code serves the address
 * check of every stored point (dc-store-edit.c): without it each new point scanned its
 * device's other points (docs/store.md "Indexes"). */
static const char indexes[] =
  "CREATE INDEX IF NOT EXISTS points_by_term_code ON points"
  "  (term_id, CAST (json_extract (body, '$.protocol_code') AS INTEGER));";

static void
change_clear (Change *change)
{
  g_clear_pointer (&change->id, g_free);
  g_clear_pointer (&change->old_id, g_free);
}

void
_dc_store_queue_change (DcStore    *self,
                        DcKind      kind,
                        DcChangeOp  op,
                        const char *id,
                        const char *old_id)
{
  Change change = { kind, op, g_strdup (id), g_strdup (old_id) };

  g_array_append_val (self->changes, change);
}

gboolean
_dc_store_set_sqlite_error (DcStore  *self,
                            GError  **error)
{
  int code = sqlite3_errcode (self->db);

  g_set_error (error, DC_ERROR,
               code == SQLITE_BUSY || code == SQLITE_LOCKED ? DC_ERROR_BUSY : DC_ERROR_INTERNAL,
               "database error: %s", sqlite3_errmsg (self->db));
  return FALSE;
}

sqlite3_stmt *
_dc_store_prepare (DcStore    *self,
                   const char *sql,
                   GError    **error)
{
  sqlite3_stmt *stmt = _dc_store_stmt_get (self->db, sql);

  if (stmt == NULL)
    _dc_store_set_sqlite_error (self, error);
  return stmt;
}

void
_dc_store_bind_text (sqlite3_stmt *stmt,
                     int           index,
                     const char   *text)
{
  sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

gboolean
_dc_store_exec_sql (DcStore    *self,
                    const char *sql,
                    GError    **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return _dc_store_set_sqlite_error (self, error);
  return TRUE;
}

gboolean
_dc_store_begin (DcStore  *self,
                 GError  **error)
{
  g_assert (self->changes->len == 0);
  return _dc_store_exec_sql (self, "BEGIN IMMEDIATE", error);
}

void
_dc_store_rollback (DcStore *self)
{
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  g_array_set_size (self->changes, 0);
  g_array_set_size (self->removed_keys, 0);
}

gboolean
_dc_store_commit (DcStore  *self,
                  GError  **error)
{
  g_autoptr(GArray) changes = NULL;
  g_autoptr(GArray) keys = NULL;

  if (!_dc_store_exec_sql (self, "COMMIT", error))
    {
      _dc_store_rollback (self);
      return FALSE;
    }

  /* Emit after the commit, from copies: handlers may call back into the store. */
  changes = g_steal_pointer (&self->changes);
  keys = g_steal_pointer (&self->removed_keys);
  self->changes = g_array_new (FALSE, TRUE, sizeof (Change));
  g_array_set_clear_func (self->changes, (GDestroyNotify) change_clear);
  self->removed_keys = g_array_new (FALSE, FALSE, sizeof (gint64));

  if (self->points_committed != NULL)
    self->points_committed (self, changes, keys);
  g_object_ref (self);
  for (guint i = 0; i < changes->len; i++)
    {
      const Change *c = &g_array_index (changes, Change, i);

      g_signal_emit (self, signals[SIGNAL_CHANGED], 0, c->kind, c->op, c->id, c->old_id);
    }
  for (guint i = 0; i < keys->len; i++)
    g_signal_emit (self, signals[SIGNAL_POINT_REMOVED], 0, g_array_index (keys, gint64, i));
  g_object_unref (self);

  return TRUE;
}

/* Ends a transaction begun by the caller: commits when @ok, else rolls back (the error is
 * already set). */
gboolean
_dc_store_end (DcStore  *self,
               gboolean  ok,
               GError  **error)
{
  if (!ok)
    {
      _dc_store_rollback (self);
      return FALSE;
    }
  return _dc_store_commit (self, error);
}

JsonObject *
_dc_store_parse_body (const char *text)
{
  g_autoptr(JsonNode) node = json_from_string (text, NULL);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return json_object_new ();
  return json_object_ref (json_node_get_object (node));
}

char *
_dc_store_body_to_string (JsonObject *object,
                          const char * const *skip)
{
  g_autoptr(JsonObject) copy = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(GList) members = json_object_get_members (object);

  for (const GList *l = members; l; l = l->next)
    {
      if (skip != NULL && g_strv_contains (skip, l->data))
        continue;
      json_object_set_member (copy, l->data,
                              json_node_copy (json_object_get_member (object, l->data)));
    }

  json_node_set_object (node, copy);
  /* Not json_to_string(): it writes 1e20 as "1e+20.0", and the body would not read again. */
  return dc_json_node_to_string (node);
}

static const char * const device_ids[] = { "id", "status", NULL };
static const char * const term_ids[] = { "id", "device_id", NULL };
static const char * const item_ids[] = { "id", NULL };
static const char * const point_ids[] = { "device_id", "term_id", "item_id", NULL };
static const char * const formula_ids[] = { "id", "device_id", "term_id", "item_id", NULL };

const char * const *
_dc_store_identity_fields (DcKind kind)
{
  switch (kind)
    {
    case DC_KIND_DEVICE:  return device_ids;
    case DC_KIND_TERM:    return term_ids;
    case DC_KIND_ITEM:    return item_ids;
    case DC_KIND_POINT:   return point_ids;
    case DC_KIND_FORMULA: return formula_ids;
    case DC_N_KINDS:
    default:              g_assert_not_reached ();
    }
}

static gboolean
acquire_lock (DcStore  *self,
              GError  **error)
{
  g_autofree char *lock_path = g_strconcat (self->path, ".lock", NULL);
  struct flock fl = { 0 };
  char buf[32];
  int fd;

  fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, DC_ERROR, DC_ERROR_INTERNAL,
                   "cannot open %s: %s", lock_path, g_strerror (saved));
      return FALSE;
    }

  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  /* Open-file-description locks: a second open in the same process is refused too. */
  if (fcntl (fd, F_OFD_SETLK, &fl) < 0)
    {
      ssize_t n = pread (fd, buf, sizeof buf - 1, 0);
      long pid = 0;

      if (n > 0)
        {
          buf[n] = '\0';
          pid = strtol (buf, NULL, 10);
        }
      close (fd);
      g_set_error (error, DC_ERROR, DC_ERROR_BUSY,
                   "database %s is in use by process %ld", self->path, pid);
      return FALSE;
    }

  if (ftruncate (fd, 0) == 0)
    {
      int len = g_snprintf (buf, sizeof buf, "%ld\n", (long) getpid ());

      if (pwrite (fd, buf, len, 0) != len)
        g_debug ("could not write pid to %s", lock_path);
    }

  self->lock_fd = fd;
  return TRUE;
}

static gboolean
migrate (DcStore  *self,
         GError  **error)
{
  int version = dc_store_get_schema_version (self);

  if (version > SCHEMA_VERSION)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INTERNAL,
                   "database %s has schema version %d, newer than this DataColl (%d)",
                   self->path, version, SCHEMA_VERSION);
      return FALSE;
    }

  for (; version < SCHEMA_VERSION; version++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", version + 1);

      if (!_dc_store_begin (self, error))
        return FALSE;
      if (!_dc_store_exec_sql (self, migrations[version], error) || !_dc_store_exec_sql (self, bump, error))
        {
          _dc_store_rollback (self);
          return FALSE;
        }
      if (!_dc_store_commit (self, error))
        return FALSE;
      g_info ("migrated %s to schema version %d", self->path, version + 1);
    }

  return TRUE;
}

static void
dc_store_finalize (GObject *object)
{
  DcStore *self = DC_STORE (object);

  if (self->db != NULL)
    _dc_store_stmt_cache_close (self->db);
  g_clear_pointer (&self->db, sqlite3_close);
  if (self->lock_fd >= 0)
    close (self->lock_fd);
  g_clear_pointer (&self->changes, g_array_unref);
  g_clear_pointer (&self->removed_keys, g_array_unref);
  g_clear_pointer (&self->point_cache, g_hash_table_unref);
  g_clear_pointer (&self->path, g_free);
  g_clear_object (&self->audit);

  G_OBJECT_CLASS (dc_store_parent_class)->finalize (object);
}

static void
dc_store_class_init (DcStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = dc_store_finalize;

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, G_TYPE_INT, G_TYPE_INT, G_TYPE_STRING, G_TYPE_STRING);

  signals[SIGNAL_POINT_REMOVED] =
    g_signal_new ("point-removed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
dc_store_init (DcStore *self)
{
  self->lock_fd = -1;
  self->changes = g_array_new (FALSE, TRUE, sizeof (Change));
  g_array_set_clear_func (self->changes, (GDestroyNotify) change_clear);
  self->removed_keys = g_array_new (FALSE, FALSE, sizeof (gint64));
}

DcStore *
dc_store_open (const char  *path,
               GError     **error)
{
  g_autoptr(DcStore) self = NULL;
  g_autofree char *dir = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (DC_TYPE_STORE, NULL);
  self->path = g_strdup (path);

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, DC_ERROR, DC_ERROR_INTERNAL,
                   "cannot create directory %s: %s", dir, g_strerror (saved));
      return NULL;
    }

  if (!acquire_lock (self, error))
    return NULL;

  if (sqlite3_open_v2 (path, &self->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                       NULL) != SQLITE_OK)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INTERNAL, "cannot open database %s: %s",
                   path, self->db ? sqlite3_errmsg (self->db) : "out of memory");
      return NULL;
    }

  sqlite3_busy_timeout (self->db, 5000);
  sqlite3_extended_result_codes (self->db, 0);
  _dc_store_stmt_cache_open (self->db);

  /* WAL for concurrent readers; synchronous=FULL so a change is durable when the call
   * answers (configuration transactions are small and rare). */
  if (!_dc_store_exec_sql (self, "PRAGMA journal_mode = WAL", error) ||
      !_dc_store_exec_sql (self, "PRAGMA synchronous = FULL", error) ||
      !_dc_store_exec_sql (self, "PRAGMA foreign_keys = ON", error) ||
      !migrate (self, error) ||
      !_dc_store_exec_sql (self, indexes, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
dc_store_get_path (DcStore *self)
{
  g_return_val_if_fail (DC_IS_STORE (self), NULL);
  return self->path;
}

int
dc_store_get_schema_version (DcStore *self)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (DC_IS_STORE (self), -1);

  if (sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK ||
      sqlite3_step (stmt) != SQLITE_ROW)
    return -1;
  return sqlite3_column_int (stmt, 0);
}

/* Lookups. */

const char *
_dc_store_table_of (DcKind kind)
{
  switch (kind)
    {
    case DC_KIND_DEVICE:  return "devices";
    case DC_KIND_TERM:    return "terms";
    case DC_KIND_ITEM:    return "items";
    case DC_KIND_FORMULA: return "formulas";
    case DC_KIND_POINT:
    case DC_N_KINDS:
    default:              g_assert_not_reached ();
    }
}

gboolean
_dc_store_exists (DcStore    *self,
                  DcKind      kind,
                  const char *id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT 1 FROM %s WHERE id = ?", _dc_store_table_of (kind));
  g_autoptr(sqlite3_stmt) stmt = _dc_store_prepare (self, sql, NULL);

  if (stmt == NULL)
    return FALSE;
  _dc_store_bind_text (stmt, 1, id);
  return sqlite3_step (stmt) == SQLITE_ROW;
}

char *
_dc_store_term_device_of (DcStore    *self,
                          const char *term_id)
{
  g_autoptr(sqlite3_stmt) stmt = _dc_store_prepare (self, "SELECT device_id FROM terms WHERE id = ?", NULL);

  if (stmt == NULL)
    return NULL;
  _dc_store_bind_text (stmt, 1, term_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

static GPtrArray *
collect_ids (sqlite3_stmt *stmt)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  dc_natural_sort (ids);
  return ids;
}

GPtrArray *
dc_store_list_ids (DcStore *self,
                   DcKind   kind)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (DC_IS_STORE (self), NULL);

  if (kind == DC_KIND_POINT)
    stmt = _dc_store_prepare (self, "SELECT term_id || ':' || item_id FROM points", NULL);
  else
    {
      g_autofree char *sql = g_strdup_printf ("SELECT id FROM %s", _dc_store_table_of (kind));

      stmt = _dc_store_prepare (self, sql, NULL);
    }

  if (stmt == NULL)
    return g_ptr_array_new_with_free_func (g_free);
  return collect_ids (stmt);
}

gboolean
_dc_store_not_found (DcKind   kind,
                     GError **error)
{
  g_set_error_literal (error, DC_ERROR, DC_ERROR_NOT_FOUND, dc_kind_not_found_text (kind));
  return FALSE;
}

GPtrArray *
dc_store_list_device_terms (DcStore     *self,
                            const char  *device_id,
                            GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (DC_IS_STORE (self), NULL);

  if (!_dc_store_exists (self, DC_KIND_DEVICE, device_id))
    return _dc_store_not_found (DC_KIND_DEVICE, error), NULL;

  stmt = _dc_store_prepare (self, "SELECT id FROM terms WHERE device_id = ?", error);
  if (stmt == NULL)
    return NULL;
  _dc_store_bind_text (stmt, 1, device_id);
  return collect_ids (stmt);
}

GPtrArray *
dc_store_list_term_items (DcStore     *self,
                          const char  *term_id,
                          GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (DC_IS_STORE (self), NULL);

  if (!_dc_store_exists (self, DC_KIND_TERM, term_id))
    return _dc_store_not_found (DC_KIND_TERM, error), NULL;

  stmt = _dc_store_prepare (self, "SELECT item_id FROM points WHERE term_id = ?", error);
  if (stmt == NULL)
    return NULL;
  _dc_store_bind_text (stmt, 1, term_id);
  return collect_ids (stmt);
}

JsonObject *
_dc_store_get_entity (DcStore     *self,
                      DcKind       kind,
                      const char  *id,
                      GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  JsonObject *object;

  switch (kind)
    {
    case DC_KIND_DEVICE:
      stmt = _dc_store_prepare (self, "SELECT body, id FROM devices WHERE id = ?", error);
      break;
    case DC_KIND_TERM:
      stmt = _dc_store_prepare (self, "SELECT body, id, device_id FROM terms WHERE id = ?", error);
      break;
    case DC_KIND_ITEM:
      stmt = _dc_store_prepare (self, "SELECT body, id FROM items WHERE id = ?", error);
      break;
    case DC_KIND_FORMULA:
      stmt = _dc_store_prepare (self,
                      "SELECT f.body, f.id, t.device_id, p.term_id, p.item_id FROM formulas f "
                      "JOIN points p ON p.key = f.result_key JOIN terms t ON t.id = p.term_id "
                      "WHERE f.id = ?", error);
      break;
    case DC_KIND_POINT:
    case DC_N_KINDS:
    default:
      g_assert_not_reached ();
    }

  if (stmt == NULL)
    return NULL;
  _dc_store_bind_text (stmt, 1, id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return _dc_store_not_found (kind, error), NULL;

  object = _dc_store_parse_body ((const char *) sqlite3_column_text (stmt, 0));
  json_object_set_string_member (object, "id", (const char *) sqlite3_column_text (stmt, 1));
  if (kind == DC_KIND_TERM || kind == DC_KIND_FORMULA)
    json_object_set_string_member (object, "device_id",
                                   (const char *) sqlite3_column_text (stmt, 2));
  if (kind == DC_KIND_FORMULA)
    {
      json_object_set_string_member (object, "term_id",
                                     (const char *) sqlite3_column_text (stmt, 3));
      json_object_set_string_member (object, "item_id",
                                     (const char *) sqlite3_column_text (stmt, 4));
    }

  return object;
}

JsonObject *
dc_store_get (DcStore     *self,
              DcKind       kind,
              const char  *id,
              GError     **error)
{
  g_return_val_if_fail (DC_IS_STORE (self), NULL);
  g_return_val_if_fail (kind != DC_KIND_POINT, NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return _dc_store_get_entity (self, kind, id, error);
}

JsonObject *
_dc_store_point_from_row (sqlite3_stmt *stmt,
                          int           first_column)
{
  JsonObject *object = _dc_store_parse_body ((const char *) sqlite3_column_text (stmt, first_column));

  json_object_set_string_member (object, "device_id",
                                 (const char *) sqlite3_column_text (stmt, first_column + 1));
  json_object_set_string_member (object, "term_id",
                                 (const char *) sqlite3_column_text (stmt, first_column + 2));
  json_object_set_string_member (object, "item_id",
                                 (const char *) sqlite3_column_text (stmt, first_column + 3));
  return object;
}


JsonObject *
dc_store_get_point (DcStore     *self,
                    const char  *term_id,
                    const char  *item_id,
                    GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (DC_IS_STORE (self), NULL);

  if (!_dc_store_exists (self, DC_KIND_TERM, term_id))
    return _dc_store_not_found (DC_KIND_TERM, error), NULL;
  if (!_dc_store_exists (self, DC_KIND_ITEM, item_id))
    return _dc_store_not_found (DC_KIND_ITEM, error), NULL;

  stmt = _dc_store_prepare (self, "SELECT " POINT_COLUMNS " " POINT_FROM
                        " WHERE p.term_id = ? AND p.item_id = ?", error);
  if (stmt == NULL)
    return NULL;
  _dc_store_bind_text (stmt, 1, term_id);
  _dc_store_bind_text (stmt, 2, item_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return _dc_store_not_found (DC_KIND_POINT, error), NULL;

  return _dc_store_point_from_row (stmt, 0);
}

gint64
dc_store_get_point_key (DcStore    *self,
                        const char *term_id,
                        const char *item_id)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (DC_IS_STORE (self), 0);

  stmt = _dc_store_prepare (self, "SELECT key FROM points WHERE term_id = ? AND item_id = ?", NULL);
  if (stmt == NULL)
    return 0;
  _dc_store_bind_text (stmt, 1, term_id);
  _dc_store_bind_text (stmt, 2, item_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return 0;
  return sqlite3_column_int64 (stmt, 0);
}

static int
point_compare (gconstpointer a,
               gconstpointer b)
{
  JsonObject *pa = *(JsonObject * const *) a;
  JsonObject *pb = *(JsonObject * const *) b;
  static const char * const fields[] = { "device_id", "term_id", "item_id" };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      int r = dc_natural_compare (json_object_get_string_member (pa, fields[i]),
                                  json_object_get_string_member (pb, fields[i]));
      if (r != 0)
        return r;
    }
  return 0;
}

GPtrArray *
dc_store_list_points (DcStore    *self,
                      const char *device_id,
                      const char *term_id)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GPtrArray *points = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  g_return_val_if_fail (DC_IS_STORE (self), points);

  /* One statement per filter combination: "?1 IS NULL OR …" would keep sqlite from using the
   * indexes, and the address check lists a device's points for every point it stores. */
  if (device_id != NULL && term_id != NULL)
    stmt = _dc_store_prepare (self, "SELECT " POINT_COLUMNS " " POINT_FROM
                              " WHERE t.device_id = ?1 AND p.term_id = ?2", NULL);
  else if (device_id != NULL)
    stmt = _dc_store_prepare (self, "SELECT " POINT_COLUMNS " " POINT_FROM
                              " WHERE t.device_id = ?1", NULL);
  else if (term_id != NULL)
    stmt = _dc_store_prepare (self, "SELECT " POINT_COLUMNS " " POINT_FROM
                              " WHERE p.term_id = ?1", NULL);
  else
    stmt = _dc_store_prepare (self, "SELECT " POINT_COLUMNS " " POINT_FROM, NULL);
  if (stmt == NULL)
    return points;
  if (device_id != NULL)
    _dc_store_bind_text (stmt, 1, device_id);
  if (term_id != NULL)
    _dc_store_bind_text (stmt, device_id != NULL ? 2 : 1, term_id);

  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (points, _dc_store_point_from_row (stmt, 0));

  g_ptr_array_sort (points, point_compare);
  return points;
}

void
_dc_store_merge_patch (JsonObject *target,
                       JsonObject *patch)
{
  g_autoptr(GList) members = json_object_get_members (patch);

  for (const GList *l = members; l; l = l->next)
    {
      JsonNode *node = json_object_get_member (patch, l->data);

      if (JSON_NODE_HOLDS_NULL (node))
        json_object_remove_member (target, l->data);
      else
        json_object_set_member (target, l->data, json_node_copy (node));
    }
}

char *
_dc_store_element_id (DcKind    kind,
                      JsonNode *element)
{
  JsonObject *object;

  if (element == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (element))
    return dc_model_id_from_node (element, "id", NULL);
  if (!JSON_NODE_HOLDS_OBJECT (element))
    return NULL;

  object = json_node_get_object (element);
  if (kind == DC_KIND_POINT)
    {
      g_autofree char *t = json_object_has_member (object, "term_id") ?
        dc_model_id_from_node (json_object_get_member (object, "term_id"), "term_id", NULL) : NULL;
      g_autofree char *i = json_object_has_member (object, "item_id") ?
        dc_model_id_from_node (json_object_get_member (object, "item_id"), "item_id", NULL) : NULL;

      return g_strdup_printf ("%s:%s", t ? t : "", i ? i : "");
    }
  if (!json_object_has_member (object, "id"))
    return NULL;
  return dc_model_id_from_node (json_object_get_member (object, "id"), "id", NULL);
}
