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
#include "dc-sample.h"
#include "dc-store.h"

/* Configuration entities are stored as the client's JSON object (unknown fields and types kept)
 * without their identity fields, which live in columns: renames and moves are then plain
 * column updates, and foreign keys with ON UPDATE/DELETE CASCADE keep children attached.
 * Formulas point at their result point through its never-reused key. */

#define SCHEMA_VERSION 1

typedef struct
{
  DcKind      kind;
  DcChangeOp  op;
  char       *id;
  char       *old_id;
} Change;

struct _DcStore
{
  GObject   parent_instance;

  char     *path;
  sqlite3  *db;
  int       lock_fd;

  /* Pending notifications of the running transaction, emitted after COMMIT. */
  GArray   *changes;
  GArray   *removed_keys;
};

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
};

static void
change_clear (Change *change)
{
  g_clear_pointer (&change->id, g_free);
  g_clear_pointer (&change->old_id, g_free);
}

static void
queue_change (DcStore    *self,
              DcKind      kind,
              DcChangeOp  op,
              const char *id,
              const char *old_id)
{
  Change change = { kind, op, g_strdup (id), g_strdup (old_id) };

  g_array_append_val (self->changes, change);
}

static gboolean
set_sqlite_error (DcStore  *self,
                  GError  **error)
{
  int code = sqlite3_errcode (self->db);

  g_set_error (error, DC_ERROR,
               code == SQLITE_BUSY || code == SQLITE_LOCKED ? DC_ERROR_BUSY : DC_ERROR_INTERNAL,
               "database error: %s", sqlite3_errmsg (self->db));
  return FALSE;
}

static sqlite3_stmt *
prepare (DcStore    *self,
         const char *sql,
         GError    **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error);
      return NULL;
    }
  return stmt;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

static gboolean
exec_sql (DcStore    *self,
          const char *sql,
          GError    **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return set_sqlite_error (self, error);
  return TRUE;
}

static gboolean
begin (DcStore  *self,
       GError  **error)
{
  g_assert (self->changes->len == 0);
  return exec_sql (self, "BEGIN IMMEDIATE", error);
}

static void
rollback (DcStore *self)
{
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  g_array_set_size (self->changes, 0);
  g_array_set_size (self->removed_keys, 0);
}

static gboolean
commit (DcStore  *self,
        GError  **error)
{
  g_autoptr(GArray) changes = NULL;
  g_autoptr(GArray) keys = NULL;

  if (!exec_sql (self, "COMMIT", error))
    {
      rollback (self);
      return FALSE;
    }

  /* Emit after the commit, from copies: handlers may call back into the store. */
  changes = g_steal_pointer (&self->changes);
  keys = g_steal_pointer (&self->removed_keys);
  self->changes = g_array_new (FALSE, TRUE, sizeof (Change));
  g_array_set_clear_func (self->changes, (GDestroyNotify) change_clear);
  self->removed_keys = g_array_new (FALSE, FALSE, sizeof (gint64));

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

static JsonObject *
parse_body (const char *text)
{
  g_autoptr(JsonNode) node = json_from_string (text, NULL);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return json_object_new ();
  return json_object_ref (json_node_get_object (node));
}

static char *
body_to_string (JsonObject *object,
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
  return json_to_string (node, FALSE);
}

static const char * const device_ids[] = { "id", "status", NULL };
static const char * const term_ids[] = { "id", "device_id", NULL };
static const char * const item_ids[] = { "id", NULL };
static const char * const point_ids[] = { "device_id", "term_id", "item_id", NULL };
static const char * const formula_ids[] = { "id", "device_id", "term_id", "item_id", NULL };

static const char * const *
identity_fields (DcKind kind)
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

      if (!begin (self, error))
        return FALSE;
      if (!exec_sql (self, migrations[version], error) || !exec_sql (self, bump, error))
        {
          rollback (self);
          return FALSE;
        }
      if (!commit (self, error))
        return FALSE;
      g_info ("migrated %s to schema version %d", self->path, version + 1);
    }

  return TRUE;
}

static void
dc_store_finalize (GObject *object)
{
  DcStore *self = DC_STORE (object);

  g_clear_pointer (&self->db, sqlite3_close);
  if (self->lock_fd >= 0)
    close (self->lock_fd);
  g_clear_pointer (&self->changes, g_array_unref);
  g_clear_pointer (&self->removed_keys, g_array_unref);
  g_clear_pointer (&self->path, g_free);

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

  /* WAL for concurrent readers; synchronous=FULL so a change is durable when the call
   * answers (configuration transactions are small and rare). */
  if (!exec_sql (self, "PRAGMA journal_mode = WAL", error) ||
      !exec_sql (self, "PRAGMA synchronous = FULL", error) ||
      !exec_sql (self, "PRAGMA foreign_keys = ON", error) ||
      !migrate (self, error))
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

static const char *
table_of (DcKind kind)
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

static gboolean
exists (DcStore    *self,
        DcKind      kind,
        const char *id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT 1 FROM %s WHERE id = ?", table_of (kind));
  g_autoptr(sqlite3_stmt) stmt = prepare (self, sql, NULL);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, id);
  return sqlite3_step (stmt) == SQLITE_ROW;
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
    stmt = prepare (self, "SELECT term_id || ':' || item_id FROM points", NULL);
  else
    {
      g_autofree char *sql = g_strdup_printf ("SELECT id FROM %s", table_of (kind));

      stmt = prepare (self, sql, NULL);
    }

  if (stmt == NULL)
    return g_ptr_array_new_with_free_func (g_free);
  return collect_ids (stmt);
}

static gboolean
not_found (DcKind   kind,
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

  if (!exists (self, DC_KIND_DEVICE, device_id))
    return not_found (DC_KIND_DEVICE, error), NULL;

  stmt = prepare (self, "SELECT id FROM terms WHERE device_id = ?", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, device_id);
  return collect_ids (stmt);
}

GPtrArray *
dc_store_list_term_items (DcStore     *self,
                          const char  *term_id,
                          GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (DC_IS_STORE (self), NULL);

  if (!exists (self, DC_KIND_TERM, term_id))
    return not_found (DC_KIND_TERM, error), NULL;

  stmt = prepare (self, "SELECT item_id FROM points WHERE term_id = ?", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, term_id);
  return collect_ids (stmt);
}

static JsonObject *
get_entity (DcStore     *self,
            DcKind       kind,
            const char  *id,
            GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  JsonObject *object;

  switch (kind)
    {
    case DC_KIND_DEVICE:
      stmt = prepare (self, "SELECT body, id FROM devices WHERE id = ?", error);
      break;
    case DC_KIND_TERM:
      stmt = prepare (self, "SELECT body, id, device_id FROM terms WHERE id = ?", error);
      break;
    case DC_KIND_ITEM:
      stmt = prepare (self, "SELECT body, id FROM items WHERE id = ?", error);
      break;
    case DC_KIND_FORMULA:
      stmt = prepare (self,
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
  bind_text (stmt, 1, id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return not_found (kind, error), NULL;

  object = parse_body ((const char *) sqlite3_column_text (stmt, 0));
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

  return get_entity (self, kind, id, error);
}

static JsonObject *
point_from_row (sqlite3_stmt *stmt,
                int           first_column)
{
  JsonObject *object = parse_body ((const char *) sqlite3_column_text (stmt, first_column));

  json_object_set_string_member (object, "device_id",
                                 (const char *) sqlite3_column_text (stmt, first_column + 1));
  json_object_set_string_member (object, "term_id",
                                 (const char *) sqlite3_column_text (stmt, first_column + 2));
  json_object_set_string_member (object, "item_id",
                                 (const char *) sqlite3_column_text (stmt, first_column + 3));
  return object;
}

#define POINT_COLUMNS "p.body, t.device_id, p.term_id, p.item_id"
#define POINT_FROM    "FROM points p JOIN terms t ON t.id = p.term_id"

JsonObject *
dc_store_get_point (DcStore     *self,
                    const char  *term_id,
                    const char  *item_id,
                    GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (DC_IS_STORE (self), NULL);

  if (!exists (self, DC_KIND_TERM, term_id))
    return not_found (DC_KIND_TERM, error), NULL;
  if (!exists (self, DC_KIND_ITEM, item_id))
    return not_found (DC_KIND_ITEM, error), NULL;

  stmt = prepare (self, "SELECT " POINT_COLUMNS " " POINT_FROM
                        " WHERE p.term_id = ? AND p.item_id = ?", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, term_id);
  bind_text (stmt, 2, item_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return not_found (DC_KIND_POINT, error), NULL;

  return point_from_row (stmt, 0);
}

gint64
dc_store_get_point_key (DcStore    *self,
                        const char *term_id,
                        const char *item_id)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (DC_IS_STORE (self), 0);

  stmt = prepare (self, "SELECT key FROM points WHERE term_id = ? AND item_id = ?", NULL);
  if (stmt == NULL)
    return 0;
  bind_text (stmt, 1, term_id);
  bind_text (stmt, 2, item_id);
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

  stmt = prepare (self, "SELECT " POINT_COLUMNS " " POINT_FROM
                        " WHERE (?1 IS NULL OR t.device_id = ?1) AND (?2 IS NULL OR p.term_id = ?2)",
                  NULL);
  if (stmt == NULL)
    return points;
  if (device_id != NULL)
    bind_text (stmt, 1, device_id);
  if (term_id != NULL)
    bind_text (stmt, 2, term_id);

  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (points, point_from_row (stmt, 0));

  g_ptr_array_sort (points, point_compare);
  return points;
}

GPtrArray *
dc_store_list_point_infos (DcStore *self)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GPtrArray *infos = g_ptr_array_new_with_free_func ((GDestroyNotify) dc_point_info_free);

  g_return_val_if_fail (DC_IS_STORE (self), infos);

  stmt = prepare (self, "SELECT p.key, " POINT_COLUMNS " " POINT_FROM, NULL);
  if (stmt == NULL)
    return infos;

  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(JsonObject) object = point_from_row (stmt, 1);

      g_ptr_array_add (infos, dc_point_info_new_from_json (sqlite3_column_int64 (stmt, 0), object));
    }

  return infos;
}

/* Writes. Every public write is one transaction; the *_in_tx helpers run inside one. */

static char *
device_protocol_of (DcStore    *self,
                    const char *device_id)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, "SELECT body FROM devices WHERE id = ?", NULL);
  g_autoptr(JsonObject) body = NULL;

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, device_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  body = parse_body ((const char *) sqlite3_column_text (stmt, 0));
  return g_strdup (dc_json_get_string (body, "protocol", NULL));
}

static char *
term_device_of (DcStore    *self,
                const char *term_id)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, "SELECT device_id FROM terms WHERE id = ?", NULL);

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, term_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

static gint64
term_address_of (DcStore    *self,
                 const char *term_id,
                 const char *protocol)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, "SELECT body FROM terms WHERE id = ?", NULL);
  g_autoptr(JsonObject) body = NULL;

  if (stmt == NULL)
    return 1;
  bind_text (stmt, 1, term_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return 1;
  body = parse_body ((const char *) sqlite3_column_text (stmt, 0));
  return dc_json_get_int (body, "address", 1);
}

/* rest-api.md "Address uniqueness": one IEC 104 point per (device, CA, IOA); Modbus register
 * ranges on one (device, unit, table) must not overlap, except bitN points sharing a register. */
static gboolean
check_address_unique (DcStore    *self,
                      JsonObject *point,
                      const char *device_id,
                      const char *protocol,
                      GError    **error)
{
  g_autoptr(GPtrArray) others = NULL;
  g_autofree char *space = NULL;
  gint64 first, last;
  int bit;
  const char *term_id = json_object_get_string_member (point, "term_id");
  const char *item_id = json_object_get_string_member (point, "item_id");

  if (!dc_model_point_address (point, protocol, term_address_of (self, term_id, protocol),
                               &space, &first, &last, &bit))
    return TRUE;

  others = dc_store_list_points (self, device_id, NULL);
  for (guint i = 0; i < others->len; i++)
    {
      JsonObject *other = g_ptr_array_index (others, i);
      const char *o_term = json_object_get_string_member (other, "term_id");
      const char *o_item = json_object_get_string_member (other, "item_id");
      g_autofree char *o_space = NULL;
      gint64 o_first, o_last;
      int o_bit;

      if (g_str_equal (o_term, term_id) && g_str_equal (o_item, item_id))
        continue;
      if (!dc_model_point_address (other, protocol, term_address_of (self, o_term, protocol),
                                   &o_space, &o_first, &o_last, &o_bit))
        continue;
      if (!g_str_equal (space, o_space) || o_last < first || o_first > last)
        continue;
      if (bit >= 0 && o_bit >= 0 && bit != o_bit)
        continue;

      g_set_error (error, DC_ERROR, DC_ERROR_EXISTS,
                   "protocol_code already used by %s:%s!", o_term, o_item);
      return FALSE;
    }

  return TRUE;
}

static gint64
formula_of_result (DcStore    *self,
                   gint64      key,
                   char      **formula_id)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, "SELECT id FROM formulas WHERE result_key = ?", NULL);

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, key);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return 0;
  if (formula_id)
    *formula_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  return key;
}

static gboolean
insert_row (DcStore    *self,
            const char *sql,
            const char *a,
            const char *b,
            const char *c,
            gint64      key,
            GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, sql, error);
  int i = 1;

  if (stmt == NULL)
    return FALSE;
  if (key != 0)
    sqlite3_bind_int64 (stmt, i++, key);
  bind_text (stmt, i++, a);
  if (b != NULL)
    bind_text (stmt, i++, b);
  if (c != NULL)
    bind_text (stmt, i++, c);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_sqlite_error (self, error);
  return TRUE;
}

/* Validates a formula's result point: it exists, sits on a formula device, and no other formula
 * computes it. Returns its key. */
static gint64
check_formula_result (DcStore    *self,
                      JsonObject *formula,
                      const char *self_id,
                      GError    **error)
{
  const char *device_id = json_object_get_string_member (formula, "device_id");
  const char *term_id = json_object_get_string_member (formula, "term_id");
  const char *item_id = json_object_get_string_member (formula, "item_id");
  g_autofree char *term_device = term_device_of (self, term_id);
  g_autofree char *protocol = NULL;
  g_autofree char *other = NULL;
  gint64 key = dc_store_get_point_key (self, term_id, item_id);

  if (key == 0 || g_strcmp0 (term_device, device_id) != 0)
    return not_found (DC_KIND_POINT, error), 0;

  protocol = device_protocol_of (self, device_id);
  if (g_strcmp0 (protocol, "formula") != 0)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                   "result point %s:%s:%s must be on a formula device", device_id, term_id, item_id);
      return 0;
    }

  if (formula_of_result (self, key, &other) != 0 && g_strcmp0 (other, self_id) != 0)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_EXISTS, "point already computed by formula %s!", other);
      return 0;
    }

  return key;
}

static gboolean
create_in_tx (DcStore    *self,
              DcKind      kind,
              JsonObject *object,
              GError    **error)
{
  g_autofree char *body = NULL;
  g_autofree char *protocol = NULL;
  const char *id = NULL;

  /* Ids first so that errors about the parent use the normalised id. */
  switch (kind)
    {
    case DC_KIND_DEVICE:
    case DC_KIND_ITEM:
      if (!dc_model_validate (kind, object, NULL, error))
        return FALSE;
      id = json_object_get_string_member (object, "id");
      if (exists (self, kind, id))
        {
          g_set_error_literal (error, DC_ERROR, DC_ERROR_EXISTS, dc_kind_exists_text (kind));
          return FALSE;
        }
      body = body_to_string (object, identity_fields (kind));
      if (!insert_row (self, kind == DC_KIND_DEVICE ?
                             "INSERT INTO devices (id, body) VALUES (?, ?)" :
                             "INSERT INTO items (id, body) VALUES (?, ?)",
                       id, body, NULL, 0, error))
        return FALSE;
      break;

    case DC_KIND_TERM:
      {
        g_autofree char *device_id = NULL;
        JsonNode *node = json_object_get_member (object, "device_id");

        if (node == NULL || JSON_NODE_HOLDS_NULL (node))
          {
            g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID, "missing field: device_id");
            return FALSE;
          }
        device_id = dc_model_id_from_node (node, "device_id", error);
        if (device_id == NULL)
          return FALSE;
        protocol = device_protocol_of (self, device_id);
        if (!dc_model_validate (kind, object, protocol, error))
          return FALSE;
        id = json_object_get_string_member (object, "id");
        if (protocol == NULL)
          return not_found (DC_KIND_DEVICE, error);
        if (exists (self, kind, id))
          {
            g_set_error_literal (error, DC_ERROR, DC_ERROR_EXISTS, dc_kind_exists_text (kind));
            return FALSE;
          }
        body = body_to_string (object, identity_fields (kind));
        if (!insert_row (self, "INSERT INTO terms (id, device_id, body) VALUES (?, ?, ?)",
                         id, device_id, body, 0, error))
          return FALSE;
      }
      break;

    case DC_KIND_POINT:
      {
        g_autofree char *term_id = NULL;
        g_autofree char *device_id = NULL;
        g_autofree char *point_id = NULL;
        JsonNode *node = json_object_get_member (object, "term_id");
        const char *item_id;

        if (node == NULL || JSON_NODE_HOLDS_NULL (node))
          {
            g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID, "missing field: term_id");
            return FALSE;
          }
        term_id = dc_model_id_from_node (node, "term_id", error);
        if (term_id == NULL)
          return FALSE;
        device_id = term_device_of (self, term_id);
        if (device_id != NULL)
          protocol = device_protocol_of (self, device_id);
        if (!dc_model_validate (kind, object, protocol, error))
          return FALSE;
        if (device_id == NULL)
          return not_found (DC_KIND_TERM, error);
        item_id = json_object_get_string_member (object, "item_id");
        if (!exists (self, DC_KIND_ITEM, item_id))
          return not_found (DC_KIND_ITEM, error);
        if (dc_store_get_point_key (self, term_id, item_id) != 0)
          {
            g_set_error_literal (error, DC_ERROR, DC_ERROR_EXISTS, dc_kind_exists_text (kind));
            return FALSE;
          }
        json_object_set_string_member (object, "device_id", device_id);
        if (!check_address_unique (self, object, device_id, protocol, error))
          return FALSE;
        body = body_to_string (object, identity_fields (kind));
        if (!insert_row (self, "INSERT INTO points (term_id, item_id, body) VALUES (?, ?, ?)",
                         term_id, item_id, body, 0, error))
          return FALSE;
        point_id = g_strconcat (term_id, ":", item_id, NULL);
        queue_change (self, kind, DC_CHANGE_CREATE, point_id, NULL);
        return TRUE;
      }

    case DC_KIND_FORMULA:
      {
        gint64 key;

        if (!dc_model_validate (kind, object, NULL, error))
          return FALSE;
        id = json_object_get_string_member (object, "id");
        if (exists (self, kind, id))
          {
            g_set_error_literal (error, DC_ERROR, DC_ERROR_EXISTS, dc_kind_exists_text (kind));
            return FALSE;
          }
        key = check_formula_result (self, object, id, error);
        if (key == 0)
          return FALSE;
        body = body_to_string (object, identity_fields (kind));
        if (!insert_row (self, "INSERT INTO formulas (result_key, id, body) VALUES (?, ?, ?)",
                         id, body, NULL, key, error))
          return FALSE;
      }
      break;

    case DC_N_KINDS:
    default:
      g_assert_not_reached ();
    }

  queue_change (self, kind, DC_CHANGE_CREATE, id, NULL);
  return TRUE;
}

gboolean
dc_store_create (DcStore     *self,
                 DcKind       kind,
                 JsonObject  *object,
                 GError     **error)
{
  g_return_val_if_fail (DC_IS_STORE (self), FALSE);
  g_return_val_if_fail (object != NULL, FALSE);

  if (!begin (self, error))
    return FALSE;
  if (!create_in_tx (self, kind, object, error))
    {
      rollback (self);
      return FALSE;
    }
  return commit (self, error);
}

/* Formula references "d:t:i" follow renames of their parts. @part: 0 device, 1 term, 2 item.
 * With @device_filter (term moves), only references whose device part equals it change. */
static gboolean
rewrite_formula_refs (DcStore    *self,
                      int         part,
                      const char *old_id,
                      const char *new_id,
                      const char *term_filter,
                      GError    **error)
{
  g_autoptr(sqlite3_stmt) select = prepare (self, "SELECT id, body FROM formulas", error);
  g_autoptr(GPtrArray) updates = g_ptr_array_new_with_free_func (g_free);

  if (select == NULL)
    return FALSE;

  while (sqlite3_step (select) == SQLITE_ROW)
    {
      g_autoptr(JsonObject) body = parse_body ((const char *) sqlite3_column_text (select, 1));
      g_autoptr(GList) members = json_object_get_members (body);
      gboolean changed = FALSE;

      for (const GList *l = members; l; l = l->next)
        {
          const char *name = l->data;
          const char *ref;
          g_auto(GStrv) parts = NULL;

          if (name[0] != 'p' || !g_ascii_isdigit (name[1]))
            continue;
          ref = dc_json_get_string (body, name, NULL);
          if (ref == NULL)
            continue;
          parts = g_strsplit (ref, ":", -1);
          if (g_strv_length (parts) != 3 || !g_str_equal (parts[part], old_id))
            continue;
          if (term_filter != NULL && !g_str_equal (parts[1], term_filter))
            continue;

          g_free (parts[part]);
          parts[part] = g_strdup (new_id);
          {
            g_autofree char *joined = g_strjoinv (":", parts);

            json_object_set_string_member (body, name, joined);
          }
          changed = TRUE;
        }

      if (changed)
        {
          g_ptr_array_add (updates, g_strdup ((const char *) sqlite3_column_text (select, 0)));
          g_ptr_array_add (updates, body_to_string (body, NULL));
        }
    }

  for (guint i = 0; i < updates->len; i += 2)
    {
      g_autoptr(sqlite3_stmt) update = prepare (self, "UPDATE formulas SET body = ? WHERE id = ?", error);

      if (update == NULL)
        return FALSE;
      bind_text (update, 1, g_ptr_array_index (updates, i + 1));
      bind_text (update, 2, g_ptr_array_index (updates, i));
      if (sqlite3_step (update) != SQLITE_DONE)
        return set_sqlite_error (self, error);
      queue_change (self, DC_KIND_FORMULA, DC_CHANGE_UPDATE, g_ptr_array_index (updates, i), NULL);
    }

  return TRUE;
}

static void
merge_patch (JsonObject *target,
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

static gboolean
update_body (DcStore    *self,
             const char *table,
             const char *id,
             JsonObject *object,
             DcKind      kind,
             GError    **error)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE %s SET body = ? WHERE id = ?", table);
  g_autoptr(sqlite3_stmt) stmt = prepare (self, sql, error);
  g_autofree char *body = body_to_string (object, identity_fields (kind));

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, body);
  bind_text (stmt, 2, id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_sqlite_error (self, error);
  return TRUE;
}

static gboolean
rename_row (DcStore    *self,
            DcKind      kind,
            const char *old_id,
            const char *new_id,
            GError    **error)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE %s SET id = ? WHERE id = ?", table_of (kind));
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (exists (self, kind, new_id))
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_EXISTS, dc_kind_exists_text (kind));
      return FALSE;
    }

  stmt = prepare (self, sql, error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, new_id);
  bind_text (stmt, 2, old_id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_sqlite_error (self, error);
  return TRUE;
}

/* Every point of @device_id as a ::changed update (address or owner changed). */
static void
queue_points_of (DcStore    *self,
                 const char *device_id,
                 const char *term_id)
{
  g_autoptr(GPtrArray) points = dc_store_list_points (self, device_id, term_id);

  for (guint i = 0; i < points->len; i++)
    {
      JsonObject *p = g_ptr_array_index (points, i);
      g_autofree char *pid = g_strconcat (json_object_get_string_member (p, "term_id"), ":",
                                          json_object_get_string_member (p, "item_id"), NULL);

      queue_change (self, DC_KIND_POINT, DC_CHANGE_UPDATE, pid, NULL);
    }
}

static gboolean
update_in_tx (DcStore    *self,
              DcKind      kind,
              const char *id,
              JsonObject *patch,
              GError    **error)
{
  g_autoptr(JsonObject) current = NULL;
  g_autofree char *new_id = NULL;
  g_autofree char *protocol = NULL;
  JsonNode *id_node;

  current = get_entity (self, kind, id, error);
  if (current == NULL)
    return FALSE;

  if (kind == DC_KIND_FORMULA)
    {
      /* PUT replaces the whole formula (it may rename it). */
      g_autoptr(JsonObject) replacement = json_object_new ();
      gint64 key;

      merge_patch (replacement, patch);
      if (!json_object_has_member (replacement, "id"))
        json_object_set_string_member (replacement, "id", id);
      if (!dc_model_validate (kind, replacement, NULL, error))
        return FALSE;
      new_id = g_strdup (json_object_get_string_member (replacement, "id"));
      if (!g_str_equal (new_id, id) && !rename_row (self, kind, id, new_id, error))
        return FALSE;
      key = check_formula_result (self, replacement, new_id, error);
      if (key == 0)
        return FALSE;
      {
        g_autoptr(sqlite3_stmt) stmt =
          prepare (self, "UPDATE formulas SET body = ?, result_key = ? WHERE id = ?", error);
        g_autofree char *body = body_to_string (replacement, identity_fields (kind));

        if (stmt == NULL)
          return FALSE;
        bind_text (stmt, 1, body);
        sqlite3_bind_int64 (stmt, 2, key);
        bind_text (stmt, 3, new_id);
        if (sqlite3_step (stmt) != SQLITE_DONE)
          return set_sqlite_error (self, error);
      }
      queue_change (self, kind, DC_CHANGE_UPDATE, new_id,
                    g_str_equal (new_id, id) ? NULL : id);
      return TRUE;
    }

  id_node = json_object_get_member (patch, "id");
  merge_patch (current, patch);
  if (id_node == NULL || JSON_NODE_HOLDS_NULL (id_node))
    json_object_set_string_member (current, "id", id);

  if (kind == DC_KIND_TERM)
    {
      JsonNode *dev = json_object_get_member (current, "device_id");
      g_autofree char *device_id = NULL;

      if (dev == NULL || JSON_NODE_HOLDS_NULL (dev))
        {
          g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID, "missing field: device_id");
          return FALSE;
        }
      device_id = dc_model_id_from_node (dev, "device_id", error);
      if (device_id == NULL)
        return FALSE;
      protocol = device_protocol_of (self, device_id);
      if (protocol == NULL)
        return not_found (DC_KIND_DEVICE, error);
    }

  if (!dc_model_validate (kind, current, protocol, error))
    return FALSE;

  new_id = g_strdup (json_object_get_string_member (current, "id"));
  if (!g_str_equal (new_id, id))
    {
      if (!rename_row (self, kind, id, new_id, error) ||
          !rewrite_formula_refs (self, kind == DC_KIND_DEVICE ? 0 : kind == DC_KIND_TERM ? 1 : 2,
                                 id, new_id, NULL, error))
        return FALSE;
    }

  if (!update_body (self, table_of (kind), new_id, current, kind, error))
    return FALSE;

  if (kind == DC_KIND_TERM)
    {
      const char *device_id = json_object_get_string_member (current, "device_id");
      g_autofree char *old_device = term_device_of (self, new_id);

      if (g_strcmp0 (old_device, device_id) != 0)
        {
          g_autoptr(sqlite3_stmt) stmt =
            prepare (self, "UPDATE terms SET device_id = ? WHERE id = ?", error);

          if (stmt == NULL)
            return FALSE;
          bind_text (stmt, 1, device_id);
          bind_text (stmt, 2, new_id);
          if (sqlite3_step (stmt) != SQLITE_DONE)
            return set_sqlite_error (self, error);
          /* Formula references of the moved points follow the term to its new device. */
          if (!rewrite_formula_refs (self, 0, old_device, device_id, new_id, error))
            return FALSE;
        }
    }

  queue_change (self, kind, DC_CHANGE_UPDATE, new_id, g_str_equal (new_id, id) ? NULL : id);

  /* Children's identity or their driver's settings changed with the parent. */
  if (kind == DC_KIND_DEVICE)
    queue_points_of (self, new_id, NULL);
  else if (kind == DC_KIND_TERM)
    queue_points_of (self, NULL, new_id);
  else if (kind == DC_KIND_ITEM && !g_str_equal (new_id, id))
    {
      g_autoptr(sqlite3_stmt) stmt = prepare (self, "SELECT term_id FROM points WHERE item_id = ?", NULL);

      if (stmt != NULL)
        {
          bind_text (stmt, 1, new_id);
          while (sqlite3_step (stmt) == SQLITE_ROW)
            {
              g_autofree char *pid = g_strconcat ((const char *) sqlite3_column_text (stmt, 0),
                                                  ":", new_id, NULL);
              queue_change (self, DC_KIND_POINT, DC_CHANGE_UPDATE, pid, NULL);
            }
        }
    }

  return TRUE;
}

gboolean
dc_store_update (DcStore     *self,
                 DcKind       kind,
                 const char  *id,
                 JsonObject  *patch,
                 GError     **error)
{
  g_return_val_if_fail (DC_IS_STORE (self), FALSE);
  g_return_val_if_fail (kind != DC_KIND_POINT, FALSE);
  g_return_val_if_fail (id != NULL && patch != NULL, FALSE);

  if (!begin (self, error))
    return FALSE;
  if (!update_in_tx (self, kind, id, patch, error))
    {
      rollback (self);
      return FALSE;
    }
  return commit (self, error);
}

static gboolean
update_point_in_tx (DcStore    *self,
                    const char *term_id,
                    const char *item_id,
                    JsonObject *patch,
                    GError    **error)
{
  g_autoptr(JsonObject) current = NULL;
  g_autofree char *protocol = NULL;
  g_autofree char *body = NULL;
  g_autofree char *pid = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *device_id = NULL;
  static const char * const identity[] = { "term_id", "item_id" };

  current = dc_store_get_point (self, term_id, item_id, NULL);
  if (current == NULL)
    return not_found (DC_KIND_POINT, error);

  /* A point is named by its URL; the body may repeat but not change its identity. */
  for (guint i = 0; i < G_N_ELEMENTS (identity); i++)
    {
      JsonNode *node = json_object_get_member (patch, identity[i]);
      g_autofree char *value = NULL;

      if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        continue;
      value = dc_model_id_from_node (node, identity[i], error);
      if (value == NULL)
        return FALSE;
      if (!g_str_equal (value, i == 0 ? term_id : item_id))
        {
          g_set_error (error, DC_ERROR, DC_ERROR_INVALID, "%s mismatch in url and body!", identity[i]);
          return FALSE;
        }
    }

  /* A copy: the merge below replaces the member this would point into. */
  device_id = g_strdup (json_object_get_string_member (current, "device_id"));
  protocol = device_protocol_of (self, device_id);
  merge_patch (current, patch);
  json_object_set_string_member (current, "term_id", term_id);
  json_object_set_string_member (current, "item_id", item_id);
  json_object_set_string_member (current, "device_id", device_id);
  if (!dc_model_validate (DC_KIND_POINT, current, protocol, error) ||
      !check_address_unique (self, current, device_id, protocol, error))
    return FALSE;

  stmt = prepare (self, "UPDATE points SET body = ? WHERE term_id = ? AND item_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  body = body_to_string (current, identity_fields (DC_KIND_POINT));
  bind_text (stmt, 1, body);
  bind_text (stmt, 2, term_id);
  bind_text (stmt, 3, item_id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_sqlite_error (self, error);

  pid = g_strconcat (term_id, ":", item_id, NULL);
  queue_change (self, DC_KIND_POINT, DC_CHANGE_UPDATE, pid, NULL);
  return TRUE;
}

gboolean
dc_store_update_point (DcStore     *self,
                       const char  *term_id,
                       const char  *item_id,
                       JsonObject  *patch,
                       GError     **error)
{
  g_return_val_if_fail (DC_IS_STORE (self), FALSE);
  g_return_val_if_fail (term_id != NULL && item_id != NULL && patch != NULL, FALSE);

  if (!begin (self, error))
    return FALSE;
  if (!update_point_in_tx (self, term_id, item_id, patch, error))
    {
      rollback (self);
      return FALSE;
    }
  return commit (self, error);
}

/* Queues the notifications of everything a delete takes with it, before it goes. */
static gboolean
queue_cascade (DcStore    *self,
               const char *where_sql,
               const char *id,
               GError    **error)
{
  g_autofree char *sql = g_strdup_printf (
    "SELECT p.key, p.term_id, p.item_id, f.id FROM points p JOIN terms t ON t.id = p.term_id "
    "LEFT JOIN formulas f ON f.result_key = p.key WHERE %s", where_sql);
  g_autoptr(sqlite3_stmt) stmt = prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 key = sqlite3_column_int64 (stmt, 0);
      g_autofree char *pid = g_strconcat ((const char *) sqlite3_column_text (stmt, 1), ":",
                                          (const char *) sqlite3_column_text (stmt, 2), NULL);

      if (sqlite3_column_type (stmt, 3) != SQLITE_NULL)
        queue_change (self, DC_KIND_FORMULA, DC_CHANGE_DELETE,
                      (const char *) sqlite3_column_text (stmt, 3), NULL);
      queue_change (self, DC_KIND_POINT, DC_CHANGE_DELETE, pid, NULL);
      g_array_append_val (self->removed_keys, key);
    }
  return TRUE;
}

static gboolean
delete_in_tx (DcStore    *self,
              DcKind      kind,
              const char *id,
              GError    **error)
{
  g_autofree char *sql = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!exists (self, kind, id))
    return not_found (kind, error);

  switch (kind)
    {
    case DC_KIND_DEVICE:
      if (!queue_cascade (self, "t.device_id = ?1", id, error))
        return FALSE;
      {
        g_autoptr(sqlite3_stmt) terms = prepare (self, "SELECT id FROM terms WHERE device_id = ?", error);

        if (terms == NULL)
          return FALSE;
        bind_text (terms, 1, id);
        while (sqlite3_step (terms) == SQLITE_ROW)
          queue_change (self, DC_KIND_TERM, DC_CHANGE_DELETE,
                        (const char *) sqlite3_column_text (terms, 0), NULL);
      }
      break;
    case DC_KIND_TERM:
      if (!queue_cascade (self, "p.term_id = ?1", id, error))
        return FALSE;
      break;
    case DC_KIND_ITEM:
      if (!queue_cascade (self, "p.item_id = ?1", id, error))
        return FALSE;
      break;
    case DC_KIND_FORMULA:
      break;
    case DC_KIND_POINT:
    case DC_N_KINDS:
    default:
      g_assert_not_reached ();
    }

  sql = g_strdup_printf ("DELETE FROM %s WHERE id = ?", table_of (kind));
  stmt = prepare (self, sql, error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_sqlite_error (self, error);

  queue_change (self, kind, DC_CHANGE_DELETE, id, NULL);
  return TRUE;
}

gboolean
dc_store_delete (DcStore     *self,
                 DcKind       kind,
                 const char  *id,
                 GError     **error)
{
  g_return_val_if_fail (DC_IS_STORE (self), FALSE);
  g_return_val_if_fail (kind != DC_KIND_POINT, FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (!begin (self, error))
    return FALSE;
  if (!delete_in_tx (self, kind, id, error))
    {
      rollback (self);
      return FALSE;
    }
  return commit (self, error);
}

static gboolean
delete_point_in_tx (DcStore    *self,
                    const char *term_id,
                    const char *item_id,
                    GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *pid = NULL;

  if (!exists (self, DC_KIND_TERM, term_id))
    return not_found (DC_KIND_TERM, error);
  if (!exists (self, DC_KIND_ITEM, item_id))
    return not_found (DC_KIND_ITEM, error);

  pid = g_strconcat (term_id, ":", item_id, NULL);
  stmt = prepare (self, "SELECT p.key, f.id FROM points p LEFT JOIN formulas f "
                        "ON f.result_key = p.key WHERE p.term_id = ? AND p.item_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, term_id);
  bind_text (stmt, 2, item_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return not_found (DC_KIND_POINT, error);

  {
    gint64 key = sqlite3_column_int64 (stmt, 0);
    g_autoptr(sqlite3_stmt) del = NULL;

    if (sqlite3_column_type (stmt, 1) != SQLITE_NULL)
      queue_change (self, DC_KIND_FORMULA, DC_CHANGE_DELETE,
                    (const char *) sqlite3_column_text (stmt, 1), NULL);
    g_array_append_val (self->removed_keys, key);

    del = prepare (self, "DELETE FROM points WHERE key = ?", error);
    if (del == NULL)
      return FALSE;
    sqlite3_bind_int64 (del, 1, key);
    if (sqlite3_step (del) != SQLITE_DONE)
      return set_sqlite_error (self, error);
  }

  queue_change (self, DC_KIND_POINT, DC_CHANGE_DELETE, pid, NULL);
  return TRUE;
}

gboolean
dc_store_delete_point (DcStore     *self,
                       const char  *term_id,
                       const char  *item_id,
                       GError     **error)
{
  g_return_val_if_fail (DC_IS_STORE (self), FALSE);
  g_return_val_if_fail (term_id != NULL && item_id != NULL, FALSE);

  if (!begin (self, error))
    return FALSE;
  if (!delete_point_in_tx (self, term_id, item_id, error))
    {
      rollback (self);
      return FALSE;
    }
  return commit (self, error);
}

/* " (element <n>, id <id>)" after the first failing element's error. */
static gboolean
batch_error (GError    **error,
             GError     *inner,
             guint       index,
             const char *id)
{
  g_set_error (error, inner->domain, inner->code, "%s (element %u, id %s)",
               inner->message, index, id ? id : "");
  g_error_free (inner);
  return FALSE;
}

static char *
element_id (DcKind    kind,
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

gboolean
dc_store_create_batch (DcStore     *self,
                       DcKind       kind,
                       JsonArray   *objects,
                       GError     **error)
{
  guint n;

  g_return_val_if_fail (DC_IS_STORE (self), FALSE);
  g_return_val_if_fail (objects != NULL, FALSE);

  if (!begin (self, error))
    return FALSE;

  n = json_array_get_length (objects);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (objects, i);
      g_autofree char *id = element_id (kind, element);
      GError *inner = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        g_set_error_literal (&inner, DC_ERROR, DC_ERROR_INVALID, "element must be an object");
      else
        {
          g_autoptr(JsonObject) copy = json_object_ref (json_node_get_object (element));

          create_in_tx (self, kind, copy, &inner);
        }

      if (inner != NULL)
        {
          rollback (self);
          return batch_error (error, inner, i, id);
        }
    }

  return commit (self, error);
}

gboolean
dc_store_delete_batch (DcStore     *self,
                       DcKind       kind,
                       JsonArray   *ids,
                       GError     **error)
{
  guint n;

  g_return_val_if_fail (DC_IS_STORE (self), FALSE);
  g_return_val_if_fail (ids != NULL, FALSE);

  if (!begin (self, error))
    return FALSE;

  n = json_array_get_length (ids);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (ids, i);
      g_autofree char *id = element_id (kind, element);
      GError *inner = NULL;

      if (kind == DC_KIND_POINT)
        {
          JsonObject *object = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
          g_autofree char *term_id = NULL;
          g_autofree char *item_id = NULL;

          if (object == NULL)
            g_set_error_literal (&inner, DC_ERROR, DC_ERROR_INVALID,
                                 "element must be an object with term_id and item_id");
          else if (!json_object_has_member (object, "term_id"))
            g_set_error_literal (&inner, DC_ERROR, DC_ERROR_INVALID, "missing field: term_id");
          else if (!json_object_has_member (object, "item_id"))
            g_set_error_literal (&inner, DC_ERROR, DC_ERROR_INVALID, "missing field: item_id");
          else if ((term_id = dc_model_id_from_node (json_object_get_member (object, "term_id"),
                                                     "term_id", &inner)) != NULL &&
                   (item_id = dc_model_id_from_node (json_object_get_member (object, "item_id"),
                                                     "item_id", &inner)) != NULL)
            {
              g_autofree char *term_device = term_device_of (self, term_id);
              const char *device_id = dc_json_get_string (object, "device_id", NULL);
              g_autofree char *device_norm = NULL;

              if (json_object_has_member (object, "device_id"))
                device_norm = dc_model_id_from_node (json_object_get_member (object, "device_id"),
                                                     "device_id", NULL);
              device_id = device_norm ? device_norm : device_id;
              if (device_id != NULL && !exists (self, DC_KIND_DEVICE, device_id))
                not_found (DC_KIND_DEVICE, &inner);
              else if (device_id != NULL && term_device != NULL &&
                       !g_str_equal (device_id, term_device))
                not_found (DC_KIND_POINT, &inner);
              else
                delete_point_in_tx (self, term_id, item_id, &inner);
            }
        }
      else if (id == NULL)
        {
          if (element != NULL)
            g_free (dc_model_id_from_node (element, "id", &inner));
          if (inner == NULL)
            g_set_error_literal (&inner, DC_ERROR, DC_ERROR_INVALID,
                                 "field id must be a string or an integer");
        }
      else
        delete_in_tx (self, kind, id, &inner);

      if (inner != NULL)
        {
          rollback (self);
          return batch_error (error, inner, i, id);
        }
    }

  return commit (self, error);
}

gboolean
dc_store_record_control (DcStore     *self,
                         gint64       time_us,
                         const char  *user,
                         const char  *device_id,
                         const char  *term_id,
                         const char  *item_id,
                         double       value,
                         const char  *result,
                         GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (DC_IS_STORE (self), FALSE);

  stmt = prepare (self, "INSERT INTO controls (time, user, device_id, term_id, item_id, value, result) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, time_us);
  bind_text (stmt, 2, user ? user : "");
  bind_text (stmt, 3, device_id);
  bind_text (stmt, 4, term_id);
  bind_text (stmt, 5, item_id);
  sqlite3_bind_double (stmt, 6, value);
  bind_text (stmt, 7, result ? result : "");
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_sqlite_error (self, error);
  return TRUE;
}

JsonArray *
dc_store_list_controls (DcStore *self,
                        guint    limit)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  JsonArray *array = json_array_new ();

  g_return_val_if_fail (DC_IS_STORE (self), array);

  stmt = prepare (self, "SELECT time, user, device_id, term_id, item_id, value, result "
                        "FROM controls ORDER BY id DESC LIMIT ?", NULL);
  if (stmt == NULL)
    return array;
  sqlite3_bind_int64 (stmt, 1, limit);

  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonObject *o = json_object_new ();
      g_autofree char *time = dc_time_format (sqlite3_column_int64 (stmt, 0));

      json_object_set_string_member (o, "time", time);
      json_object_set_string_member (o, "user", (const char *) sqlite3_column_text (stmt, 1));
      json_object_set_string_member (o, "device_id", (const char *) sqlite3_column_text (stmt, 2));
      json_object_set_string_member (o, "term_id", (const char *) sqlite3_column_text (stmt, 3));
      json_object_set_string_member (o, "item_id", (const char *) sqlite3_column_text (stmt, 4));
      json_object_set_double_member (o, "value", sqlite3_column_double (stmt, 5));
      json_object_set_string_member (o, "result", (const char *) sqlite3_column_text (stmt, 6));
      json_array_add_object_element (array, o);
    }

  return array;
}

/* Project import and export. */

static const char * const project_sections[DC_N_KINDS] = {
  "devices", "terms", "items", "points", "formulas",
};

void
dc_import_row_free (DcImportRow *row)
{
  if (row == NULL)
    return;
  g_free (row->id);
  g_free (row->error);
  g_free (row);
}

const char *
dc_import_action_to_string (DcImportAction action)
{
  switch (action)
    {
    case DC_IMPORT_CREATE:    return "create";
    case DC_IMPORT_UPDATE:    return "update";
    case DC_IMPORT_UNCHANGED: return "unchanged";
    case DC_IMPORT_ERROR:     return "error";
    default:                  g_return_val_if_reached (NULL);
    }
}

static JsonObject *
get_any (DcStore    *self,
         DcKind      kind,
         JsonObject *row)
{
  if (kind == DC_KIND_POINT)
    {
      const char *term_id = dc_json_get_string (row, "term_id", NULL);
      const char *item_id = dc_json_get_string (row, "item_id", NULL);

      if (term_id == NULL || item_id == NULL)
        return NULL;
      return dc_store_get_point (self, term_id, item_id, NULL);
    }
  if (dc_json_get_string (row, "id", NULL) == NULL)
    return NULL;
  return get_entity (self, kind, dc_json_get_string (row, "id", NULL), NULL);
}

static gboolean
json_objects_equal (JsonObject *a,
                    JsonObject *b)
{
  g_autoptr(JsonNode) na = json_node_init_object (json_node_alloc (), a);
  g_autoptr(JsonNode) nb = json_node_init_object (json_node_alloc (), b);

  return json_node_equal (na, nb);
}

static void
import_row (DcStore     *self,
            DcKind       kind,
            JsonNode    *element,
            DcImportRow *row)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) copy = NULL;
  g_autoptr(JsonObject) existing = NULL;
  g_autoptr(JsonObject) after = NULL;
  guint n_changes, n_removed;

  row->id = element_id (kind, element);
  if (!JSON_NODE_HOLDS_OBJECT (element))
    {
      row->action = DC_IMPORT_ERROR;
      row->error = g_strdup ("row must be an object");
      return;
    }

  /* Work on a normalised copy so that integer ids find their string form. */
  copy = json_object_new ();
  merge_patch (copy, json_node_get_object (element));
  for (const char * const *f = identity_fields (kind); *f; f++)
    if (json_object_has_member (copy, *f) && !g_str_equal (*f, "status"))
      {
        g_autofree char *id = dc_model_id_from_node (json_object_get_member (copy, *f), *f, NULL);

        if (id != NULL)
          json_object_set_string_member (copy, *f, id);
      }

  existing = get_any (self, kind, copy);
  n_changes = self->changes->len;
  n_removed = self->removed_keys->len;
  sqlite3_exec (self->db, "SAVEPOINT import_row", NULL, NULL, NULL);

  if (existing == NULL)
    {
      row->action = DC_IMPORT_CREATE;
      create_in_tx (self, kind, copy, &error);
    }
  else
    {
      if (kind == DC_KIND_POINT)
        update_point_in_tx (self, json_object_get_string_member (copy, "term_id"),
                            json_object_get_string_member (copy, "item_id"), copy, &error);
      else
        update_in_tx (self, kind, json_object_get_string_member (copy, "id"), copy, &error);
      if (error == NULL)
        {
          after = get_any (self, kind, copy);
          row->action = after != NULL && json_objects_equal (existing, after) ?
                        DC_IMPORT_UNCHANGED : DC_IMPORT_UPDATE;
        }
    }

  if (error != NULL)
    {
      row->action = DC_IMPORT_ERROR;
      row->error = g_strdup (error->message);
      sqlite3_exec (self->db, "ROLLBACK TO import_row", NULL, NULL, NULL);
    }
  sqlite3_exec (self->db, "RELEASE import_row", NULL, NULL, NULL);

  /* Nothing to announce for a failed or unchanged row. */
  if (row->action == DC_IMPORT_ERROR || row->action == DC_IMPORT_UNCHANGED)
    {
      g_array_set_size (self->changes, n_changes);
      g_array_set_size (self->removed_keys, n_removed);
    }
}

GPtrArray *
dc_store_import (DcStore     *self,
                 JsonObject  *project,
                 gboolean     apply,
                 gboolean    *applied,
                 GError     **error)
{
  g_autoptr(GPtrArray) rows = NULL;
  gboolean failed = FALSE;

  g_return_val_if_fail (DC_IS_STORE (self), NULL);
  g_return_val_if_fail (project != NULL, NULL);

  if (applied != NULL)
    *applied = FALSE;

  for (guint k = 0; k < DC_N_KINDS; k++)
    {
      JsonNode *section = json_object_get_member (project, project_sections[k]);

      if (section != NULL && !JSON_NODE_HOLDS_ARRAY (section) && !JSON_NODE_HOLDS_NULL (section))
        {
          g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                       "field %s must be an array", project_sections[k]);
          return NULL;
        }
    }

  if (!begin (self, error))
    return NULL;

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) dc_import_row_free);
  for (guint k = 0; k < DC_N_KINDS; k++)
    {
      JsonNode *section = json_object_get_member (project, project_sections[k]);
      JsonArray *array;

      if (section == NULL || JSON_NODE_HOLDS_NULL (section))
        continue;
      array = json_node_get_array (section);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          DcImportRow *row = g_new0 (DcImportRow, 1);

          row->kind = k;
          row->index = i;
          import_row (self, k, json_array_get_element (array, i), row);
          failed |= row->action == DC_IMPORT_ERROR;
          g_ptr_array_add (rows, row);
        }
    }

  if (apply && !failed)
    {
      if (!commit (self, error))
        return NULL;
      if (applied != NULL)
        *applied = TRUE;
    }
  else
    rollback (self);

  return g_steal_pointer (&rows);
}

JsonObject *
dc_store_export (DcStore *self)
{
  JsonObject *project = json_object_new ();

  g_return_val_if_fail (DC_IS_STORE (self), project);

  for (guint k = 0; k < DC_N_KINDS; k++)
    {
      JsonArray *array = json_array_new ();

      if (k == DC_KIND_POINT)
        {
          g_autoptr(GPtrArray) points = dc_store_list_points (self, NULL, NULL);

          for (guint i = 0; i < points->len; i++)
            json_array_add_object_element (array, json_object_ref (g_ptr_array_index (points, i)));
        }
      else
        {
          g_autoptr(GPtrArray) ids = dc_store_list_ids (self, k);

          for (guint i = 0; i < ids->len; i++)
            {
              JsonObject *o = get_entity (self, k, g_ptr_array_index (ids, i), NULL);

              if (o != NULL)
                json_array_add_object_element (array, o);
            }
        }
      json_object_set_array_member (project, project_sections[k], array);
    }

  return project;
}
