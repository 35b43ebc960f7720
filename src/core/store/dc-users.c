/* dc-users.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-users"

#include "config.h"

#include "dc-users.h"

#include <sqlite3.h>
#include <sodium.h>
#include <string.h>

#include "dc-error.h"

/* Users, tokens and sessions (docs/security.md, "Users"). The tables are created here, not by
 * the store's migrations: the command line opens the file while a server holds its lock. */

#define SLIDE_STEP (60 * G_USEC_PER_SEC)  /* a session's end moves at most once a minute */

/* What a request costs: a token found in the last second is not looked up again (a change by
 * another process, the command line, is seen within CACHE_TTL; a change through this object at
 * once: every write empties the cache). */
#define CACHE_TTL  G_USEC_PER_SEC
#define CACHE_MAX  10000

typedef struct
{
  guint8    digest[32];
  char     *name;
  DcRole    role;
  gint64    expires;   /* 0: never */
  gboolean  session;
  gint64    checked;   /* monotonic µs of the lookup */
} CacheEntry;

struct _DcUsers
{
  GObject           parent_instance;

  sqlite3          *db;
  sqlite3_stmt     *any_stmt;
  sqlite3_stmt     *auth_stmt;
  sqlite3_stmt     *slide_stmt;
  DcUsersClockFunc  clock;
  gpointer          clock_data;

  GHashTable       *cache;        /* digest → CacheEntry */
  gboolean          any;
  gint64            any_checked;  /* monotonic µs; 0: not cached */
};

G_DEFINE_FINAL_TYPE (DcUsers, dc_users, G_TYPE_OBJECT)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

static const char * const role_names[] = { "anonymous", "viewer", "operator", "engineer", "admin" };

static const char schema[] =
  "CREATE TABLE IF NOT EXISTS users ("
  "  name TEXT PRIMARY KEY NOT NULL,"
  "  role TEXT NOT NULL,"
  "  hash TEXT NOT NULL,"
  "  created INTEGER NOT NULL,"
  "  disabled INTEGER NOT NULL DEFAULT 0,"
  "  last_login INTEGER);"
  "CREATE TABLE IF NOT EXISTS user_tokens ("
  "  hash BLOB PRIMARY KEY NOT NULL,"
  "  user TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE ON UPDATE CASCADE,"
  "  kind TEXT NOT NULL,"
  "  label TEXT NOT NULL DEFAULT '',"
  "  created INTEGER NOT NULL,"
  "  expires INTEGER);"
  "CREATE INDEX IF NOT EXISTS user_tokens_user ON user_tokens (user);";

static void
sodium_init_once (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      if (sodium_init () < 0)
        g_error ("libsodium cannot be initialised");
      g_once_init_leave (&done, 1);
    }
}

const char *
dc_role_to_string (DcRole role)
{
  g_return_val_if_fail (role <= DC_ROLE_ADMIN, "anonymous");

  return role_names[role];
}

gboolean
dc_role_parse (const char  *text,
               DcRole      *role,
               GError     **error)
{
  for (guint r = DC_ROLE_VIEWER; text != NULL && r <= DC_ROLE_ADMIN; r++)
    if (g_str_equal (text, role_names[r]))
      {
        *role = r;
        return TRUE;
      }
  g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID,
                       "field role must be one of viewer, operator, engineer, admin");
  return FALSE;
}

gboolean
dc_user_name_validate (const char  *name,
                       GError     **error)
{
  glong length;

  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    goto bad;
  length = g_utf8_strlen (name, -1);
  if (length < 1 || length > DC_USERS_MAX_NAME)
    goto bad;
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == ':' || g_unichar_isspace (c) || g_unichar_iscntrl (c))
        goto bad;
    }
  return TRUE;

bad:
  g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID,
                       "field name must be 1–64 characters without white space or ':'");
  return FALSE;
}

gboolean
dc_password_validate (const char  *password,
                      GError     **error)
{
  if (password != NULL && g_utf8_validate (password, -1, NULL) &&
      g_utf8_strlen (password, -1) >= DC_USERS_MIN_PASSWORD)
    return TRUE;
  g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
               "field password must be at least %d characters", DC_USERS_MIN_PASSWORD);
  return FALSE;
}

char *
dc_password_hash (const char  *password,
                  GError     **error)
{
  char out[crypto_pwhash_STRBYTES];

  g_return_val_if_fail (password != NULL, NULL);

  sodium_init_once ();
  if (crypto_pwhash_str (out, password, strlen (password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                         crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_INTERNAL,
                           "cannot hash the password (out of memory)");
      return NULL;
    }
  return g_strdup (out);
}

/* The hash an unknown user is verified against: same algorithm and cost as a real one. */
static const char *
dummy_hash (void)
{
  static char *hash = NULL;

  if (g_once_init_enter (&hash))
    {
      char *made = dc_password_hash ("no such user, no such password", NULL);

      g_once_init_leave (&hash, made != NULL ? made : g_strdup (""));
    }
  return hash;
}

gboolean
dc_password_verify (const char *hash,
                    const char *password)
{
  gboolean known = hash != NULL;
  int result;

  g_return_val_if_fail (password != NULL, FALSE);

  sodium_init_once ();
  if (hash == NULL)
    hash = dummy_hash ();
  result = crypto_pwhash_str_verify (hash, password, strlen (password));
  return known && result == 0;
}

char *
dc_token_generate (void)
{
  guint8 bytes[32];
  char text[sodium_base64_ENCODED_LEN (32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];

  sodium_init_once ();
  randombytes_buf (bytes, sizeof bytes);
  sodium_bin2base64 (text, sizeof text, bytes, sizeof bytes,
                     sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero (bytes, sizeof bytes);
  return g_strdup (text);
}

void
dc_token_digest (const char *token,
                 guint8      digest[32])
{
  sodium_init_once ();
  crypto_hash_sha256 (digest, (const guint8 *) token, strlen (token));
}

void
dc_user_info_free (DcUserInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->name);
  g_free (info);
}

static gint64
real_clock (gpointer user_data)
{
  return g_get_real_time ();
}

static gboolean
set_sqlite_error (DcUsers  *self,
                  GError  **error)
{
  int code = sqlite3_extended_errcode (self->db);

  if (code == SQLITE_BUSY || (code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
    g_set_error (error, DC_ERROR, DC_ERROR_BUSY, "configuration database is busy: %s",
                 sqlite3_errmsg (self->db));
  else
    g_set_error (error, DC_ERROR, DC_ERROR_INTERNAL, "configuration database error: %s",
                 sqlite3_errmsg (self->db));
  return FALSE;
}

static sqlite3_stmt *
prepare (DcUsers     *self,
         const char  *sql,
         GError     **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error);
      return NULL;
    }
  return stmt;
}

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

static guint
digest_hash (gconstpointer key)
{
  guint value;

  memcpy (&value, key, sizeof value);
  return value;
}

static gboolean
digest_equal (gconstpointer a,
              gconstpointer b)
{
  return sodium_memcmp (a, b, 32) == 0;
}

static void
cache_entry_free (CacheEntry *entry)
{
  g_free (entry->name);
  g_free (entry);
}

/* Every write through this object: what was cached may be wrong now. */
static void
forget (DcUsers *self)
{
  g_hash_table_remove_all (self->cache);
  self->any_checked = 0;
}

static void
dc_users_finalize (GObject *object)
{
  DcUsers *self = DC_USERS (object);

  g_hash_table_unref (self->cache);
  sqlite3_finalize (self->any_stmt);
  sqlite3_finalize (self->auth_stmt);
  sqlite3_finalize (self->slide_stmt);
  sqlite3_close (self->db);

  G_OBJECT_CLASS (dc_users_parent_class)->finalize (object);
}

static void
dc_users_class_init (DcUsersClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = dc_users_finalize;
}

static void
dc_users_init (DcUsers *self)
{
  self->clock = real_clock;
  self->cache = g_hash_table_new_full (digest_hash, digest_equal, NULL,
                                       (GDestroyNotify) cache_entry_free);
}

DcUsers *
dc_users_open (const char  *path,
               GError     **error)
{
  g_autoptr(DcUsers) self = g_object_new (DC_TYPE_USERS, NULL);
  char *message = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                       SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID, "cannot open %s: %s", path,
                   self->db != NULL ? sqlite3_errmsg (self->db) : "out of memory");
      return NULL;
    }
  sqlite3_busy_timeout (self->db, 5000);
  if (sqlite3_exec (self->db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;", NULL, NULL,
                    &message) != SQLITE_OK ||
      sqlite3_exec (self->db, schema, NULL, NULL, &message) != SQLITE_OK)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID, "cannot open %s: %s", path,
                   message != NULL ? message : "unknown error");
      sqlite3_free (message);
      return NULL;
    }

  self->any_stmt = prepare (self, "SELECT 1 FROM users LIMIT 1", error);
  if (self->any_stmt == NULL)
    return NULL;
  self->auth_stmt = prepare (self,
                             "SELECT t.hash, t.user, t.kind, t.expires, u.role "
                             "FROM user_tokens t JOIN users u ON u.name = t.user "
                             "WHERE t.hash = ? AND u.disabled = 0", error);
  if (self->auth_stmt == NULL)
    return NULL;
  self->slide_stmt = prepare (self, "UPDATE user_tokens SET expires = ? WHERE hash = ?", error);
  if (self->slide_stmt == NULL)
    return NULL;

  return g_steal_pointer (&self);
}

void
dc_users_set_clock (DcUsers          *self,
                    DcUsersClockFunc  func,
                    gpointer          user_data)
{
  g_return_if_fail (DC_IS_USERS (self));

  self->clock = func != NULL ? func : real_clock;
  self->clock_data = user_data;
}

gint64
dc_users_now (DcUsers *self)
{
  g_return_val_if_fail (DC_IS_USERS (self), 0);

  return self->clock (self->clock_data);
}

gboolean
dc_users_any (DcUsers *self)
{
  gint64 now = g_get_monotonic_time ();

  g_return_val_if_fail (DC_IS_USERS (self), FALSE);

  if (self->any_checked != 0 && now - self->any_checked < CACHE_TTL)
    return self->any;
  self->any = sqlite3_step (self->any_stmt) == SQLITE_ROW;
  sqlite3_reset (self->any_stmt);
  self->any_checked = now;
  return self->any;
}

static DcUserInfo *
info_from_row (sqlite3_stmt *stmt)
{
  DcUserInfo *info = g_new0 (DcUserInfo, 1);

  info->name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  if (!dc_role_parse ((const char *) sqlite3_column_text (stmt, 1), &info->role, NULL))
    info->role = DC_ROLE_NONE;
  info->created = sqlite3_column_int64 (stmt, 2);
  info->disabled = sqlite3_column_int (stmt, 3) != 0;
  info->last_login = sqlite3_column_int64 (stmt, 4);
  return info;
}

#define INFO_COLUMNS "name, role, created, disabled, coalesce (last_login, 0)"

GPtrArray *
dc_users_list (DcUsers  *self,
               GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) list = NULL;
  int rc;

  g_return_val_if_fail (DC_IS_USERS (self), NULL);

  stmt = prepare (self, "SELECT " INFO_COLUMNS " FROM users ORDER BY name", error);
  if (stmt == NULL)
    return NULL;
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) dc_user_info_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (list, info_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error);
      return NULL;
    }
  return g_steal_pointer (&list);
}

static gboolean
not_found (GError **error)
{
  g_set_error_literal (error, DC_ERROR, DC_ERROR_NOT_FOUND, "user not found!");
  return FALSE;
}

DcUserInfo *
dc_users_get (DcUsers     *self,
              const char  *name,
              GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (DC_IS_USERS (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  stmt = prepare (self, "SELECT " INFO_COLUMNS " FROM users WHERE name = ?", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, name);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return info_from_row (stmt);
  if (rc == SQLITE_DONE)
    not_found (error);
  else
    set_sqlite_error (self, error);
  return NULL;
}

char *
dc_users_get_hash (DcUsers    *self,
                   const char *name,
                   DcRole     *role)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (DC_IS_USERS (self), NULL);

  stmt = prepare (self, "SELECT hash, role FROM users WHERE name = ? AND disabled = 0", NULL);
  if (stmt == NULL || name == NULL)
    return NULL;
  bind_text (stmt, 1, name);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  if (role != NULL &&
      !dc_role_parse ((const char *) sqlite3_column_text (stmt, 1), role, NULL))
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

gboolean
dc_users_add (DcUsers     *self,
              const char  *name,
              DcRole       role,
              const char  *hash,
              GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (DC_IS_USERS (self), FALSE);
  g_return_val_if_fail (hash != NULL, FALSE);

  if (!dc_user_name_validate (name, error))
    return FALSE;
  if (role == DC_ROLE_NONE || role > DC_ROLE_ADMIN)
    return dc_role_parse (NULL, &role, error);

  stmt = prepare (self, "INSERT INTO users (name, role, hash, created) VALUES (?, ?, ?, ?)",
                  error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, name);
  bind_text (stmt, 2, role_names[role]);
  bind_text (stmt, 3, hash);
  sqlite3_bind_int64 (stmt, 4, dc_users_now (self));
  rc = sqlite3_step (stmt);
  forget (self);
  if (rc == SQLITE_CONSTRAINT || sqlite3_extended_errcode (self->db) ==
      SQLITE_CONSTRAINT_PRIMARYKEY)
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_EXISTS, "user already exists!");
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return set_sqlite_error (self, error);
  return TRUE;
}

static gboolean
end_sessions (DcUsers     *self,
              const char  *name,
              GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = prepare (self, "DELETE FROM user_tokens WHERE user = ? AND kind = 'session'", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, name);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_sqlite_error (self, error);
  return TRUE;
}

gboolean
dc_users_update (DcUsers     *self,
                 const char  *name,
                 DcRole       role,
                 const char  *hash,
                 int          disabled,
                 GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (DC_IS_USERS (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (role <= DC_ROLE_ADMIN, FALSE);

  forget (self);
  if (sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    return set_sqlite_error (self, error);

  stmt = prepare (self,
                  "UPDATE users SET role = coalesce (?, role), hash = coalesce (?, hash), "
                  "disabled = coalesce (?, disabled) WHERE name = ?", error);
  if (stmt == NULL)
    goto fail;
  if (role != DC_ROLE_NONE)
    bind_text (stmt, 1, role_names[role]);
  if (hash != NULL)
    bind_text (stmt, 2, hash);
  if (disabled >= 0)
    sqlite3_bind_int (stmt, 3, disabled != 0);
  bind_text (stmt, 4, name);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      set_sqlite_error (self, error);
      goto fail;
    }
  if (sqlite3_changes (self->db) == 0)
    {
      not_found (error);
      goto fail;
    }
  if ((hash != NULL || disabled > 0) && !end_sessions (self, name, error))
    goto fail;
  if (sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error);
      goto fail;
    }
  return TRUE;

fail:
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

gboolean
dc_users_delete (DcUsers     *self,
                 const char  *name,
                 GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (DC_IS_USERS (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  /* The tokens go with the user (ON DELETE CASCADE). */
  forget (self);
  stmt = prepare (self, "DELETE FROM users WHERE name = ?", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, name);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_sqlite_error (self, error);
  if (sqlite3_changes (self->db) == 0)
    return not_found (error);
  return TRUE;
}

void
dc_users_record_login (DcUsers    *self,
                       const char *name)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_if_fail (DC_IS_USERS (self));

  stmt = prepare (self, "UPDATE users SET last_login = ? WHERE name = ?", NULL);
  if (stmt == NULL)
    return;
  sqlite3_bind_int64 (stmt, 1, dc_users_now (self));
  bind_text (stmt, 2, name);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    g_warning ("cannot record the login of %s: %s", name, sqlite3_errmsg (self->db));
}

static char *
insert_token (DcUsers     *self,
              const char  *name,
              const char  *kind,
              const char  *label,
              gint64       expires,
              GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *token = dc_token_generate ();
  g_autofree char *hash = dc_users_get_hash (self, name, NULL);
  guint8 digest[32];

  if (hash == NULL)
    {
      /* Unknown or disabled: a disabled user gets no token either. */
      g_autoptr(DcUserInfo) info = dc_users_get (self, name, error);

      if (info == NULL)
        return NULL;
      g_set_error (error, DC_ERROR, DC_ERROR_FORBIDDEN, "user %s is disabled", name);
      return NULL;
    }

  stmt = prepare (self,
                  "INSERT INTO user_tokens (hash, user, kind, label, created, expires) "
                  "VALUES (?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return NULL;
  dc_token_digest (token, digest);
  sqlite3_bind_blob (stmt, 1, digest, sizeof digest, SQLITE_TRANSIENT);
  bind_text (stmt, 2, name);
  bind_text (stmt, 3, kind);
  bind_text (stmt, 4, label != NULL ? label : "");
  sqlite3_bind_int64 (stmt, 5, dc_users_now (self));
  if (expires > 0)
    sqlite3_bind_int64 (stmt, 6, expires);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      set_sqlite_error (self, error);
      return NULL;
    }
  return g_steal_pointer (&token);
}

char *
dc_users_new_session (DcUsers     *self,
                      const char  *name,
                      gint64      *expires,
                      GError     **error)
{
  g_autoptr(sqlite3_stmt) purge = NULL;
  gint64 now;
  gint64 end;

  g_return_val_if_fail (DC_IS_USERS (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  now = dc_users_now (self);
  end = now + DC_USERS_SESSION_LIFETIME;
  /* Expired sessions go at each login: the table holds the live ones and a few more. */
  purge = prepare (self, "DELETE FROM user_tokens WHERE kind = 'session' AND expires <= ?",
                   NULL);
  if (purge != NULL)
    {
      sqlite3_bind_int64 (purge, 1, now);
      sqlite3_step (purge);
    }
  if (expires != NULL)
    *expires = end;
  return insert_token (self, name, "session", NULL, end, error);
}

char *
dc_users_new_token (DcUsers     *self,
                    const char  *name,
                    const char  *label,
                    guint        days,
                    gint64      *expires,
                    GError     **error)
{
  gint64 end = 0;

  g_return_val_if_fail (DC_IS_USERS (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (days > 0)
    end = dc_users_now (self) + (gint64) days * 24 * 3600 * G_USEC_PER_SEC;
  if (expires != NULL)
    *expires = end;
  return insert_token (self, name, "api", label, end, error);
}

/* The stored row of @digest: FALSE when unknown or its user disabled. */
static gboolean
lookup_token (DcUsers      *self,
              const guint8  digest[32],
              CacheEntry   *found)
{
  sqlite3_stmt *stmt = self->auth_stmt;
  gboolean ok = FALSE;

  sqlite3_bind_blob (stmt, 1, digest, 32, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW &&
      sqlite3_column_bytes (stmt, 0) == 32 &&
      sodium_memcmp (sqlite3_column_blob (stmt, 0), digest, 32) == 0 &&
      dc_role_parse ((const char *) sqlite3_column_text (stmt, 4), &found->role, NULL))
    {
      memcpy (found->digest, digest, 32);
      found->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      found->session = g_str_equal ((const char *) sqlite3_column_text (stmt, 2), "session");
      found->expires = sqlite3_column_type (stmt, 3) == SQLITE_NULL ? 0 :
                       MAX (sqlite3_column_int64 (stmt, 3), 1);
      ok = TRUE;
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return ok;
}

gboolean
dc_users_authenticate_digest (DcUsers      *self,
                              const guint8  digest[32],
                              char        **name,
                              DcRole       *role)
{
  gint64 now = dc_users_now (self);
  gint64 mono = g_get_monotonic_time ();
  CacheEntry *entry;

  g_return_val_if_fail (DC_IS_USERS (self), FALSE);

  entry = g_hash_table_lookup (self->cache, digest);
  /* A session near a minute from its last slide goes to the database to slide again. */
  if (entry != NULL &&
      (mono - entry->checked >= CACHE_TTL ||
       (entry->session && now + DC_USERS_SESSION_LIFETIME - entry->expires >= SLIDE_STEP)))
    {
      g_hash_table_remove (self->cache, digest);
      entry = NULL;
    }
  if (entry == NULL)
    {
      CacheEntry found = { 0 };

      if (!lookup_token (self, digest, &found))
        return FALSE;
      if (found.session && found.expires > now &&
          now + DC_USERS_SESSION_LIFETIME - found.expires >= SLIDE_STEP)
        {
          /* Sliding: the end moves with use, written at most once a minute. */
          found.expires = now + DC_USERS_SESSION_LIFETIME;
          sqlite3_bind_int64 (self->slide_stmt, 1, found.expires);
          sqlite3_bind_blob (self->slide_stmt, 2, digest, 32, SQLITE_STATIC);
          if (sqlite3_step (self->slide_stmt) != SQLITE_DONE)
            g_debug ("cannot extend a session: %s", sqlite3_errmsg (self->db));
          sqlite3_reset (self->slide_stmt);
          sqlite3_clear_bindings (self->slide_stmt);
        }
      if (g_hash_table_size (self->cache) >= CACHE_MAX)
        g_hash_table_remove_all (self->cache);
      entry = g_memdup2 (&found, sizeof found);
      entry->checked = mono;
      g_hash_table_insert (self->cache, entry->digest, entry);
    }

  if (entry->expires != 0 && now >= entry->expires)
    return FALSE;
  if (name != NULL)
    *name = g_strdup (entry->name);
  if (role != NULL)
    *role = entry->role;
  return TRUE;
}

gboolean
dc_users_authenticate (DcUsers     *self,
                       const char  *token,
                       char       **name,
                       DcRole      *role)
{
  guint8 digest[32];
  gboolean ok;

  g_return_val_if_fail (DC_IS_USERS (self), FALSE);

  if (token == NULL || token[0] == '\0')
    return FALSE;
  dc_token_digest (token, digest);
  ok = dc_users_authenticate_digest (self, digest, name, role);
  sodium_memzero (digest, sizeof digest);
  return ok;
}

gboolean
dc_users_end_session (DcUsers    *self,
                      const char *token)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  guint8 digest[32];

  g_return_val_if_fail (DC_IS_USERS (self), FALSE);

  if (token == NULL)
    return FALSE;
  forget (self);
  stmt = prepare (self, "DELETE FROM user_tokens WHERE hash = ? AND kind = 'session'", NULL);
  if (stmt == NULL)
    return FALSE;
  dc_token_digest (token, digest);
  sqlite3_bind_blob (stmt, 1, digest, sizeof digest, SQLITE_TRANSIENT);
  return sqlite3_step (stmt) == SQLITE_DONE && sqlite3_changes (self->db) > 0;
}
