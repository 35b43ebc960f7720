/* dc-alarm-journal.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-alarm"

#include "config.h"

#include <math.h>
#include <string.h>

#include "dc-alarm-private.h"

#include "dc-companion.h"
#include "dc-error.h"
#include "dc-number.h"
#include "dc-time.h"

/* The alarm journal: the alarms and every transition in their own sqlite file (the
 * transitions of one batch of samples in one transaction, with statements prepared once:
 * docs/performance.md), the JSON form of an
 * alarm as stored and shown, and the names of conditions, states and priorities. Works on
 * the journal's connection only; the plugin (dc-alarm.c) owns the alarms. */

static const char * const cond_names[DC_ALARM_N_CONDS] = {
  "high", "low", "state", "verify", "comm",
};
static const char * const state_names[] = {
  "normal", "active_unacknowledged", "active_acknowledged", "cleared_unacknowledged", "shelved",
};
static const char * const priority_names[] = { "low", "medium", "high", "critical" };

const char *
dc_alarm_cond_to_string (DcAlarmCond cond)
{
  g_assert (cond < DC_ALARM_N_CONDS);
  return cond_names[cond];
}

const char *
dc_alarm_state_to_string (DcAlarmState state)
{
  g_return_val_if_fail (state <= DC_ALARM_SHELVED, NULL);

  return state_names[state];
}

char *
dc_alarm_path_for_config (const char *config_db_path)
{
  return dc_companion_path (config_db_path, "alarms");
}

int
dc_alarm_priority_from_string (const char *text,
                               int         fallback)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (priority_names); i++)
    if (g_ascii_strcasecmp (text, priority_names[i]) == 0)
      return (int) i;
  return fallback;
}

char *
dc_alarm_ident_of (DcAlarmCond cond,
                   gint64      key,
                   const char *device_id)
{
  if (cond == DC_ALARM_COND_COMM)
    return g_strdup_printf ("comm:%s", device_id);
  return g_strdup_printf ("%s:%" G_GINT64_FORMAT, cond_names[cond], key);
}

/* Alarms */

void
dc_alarm_item_free (gpointer data)
{
  DcAlarmItem *a = data;

  g_clear_handle_id (&a->delay_id, g_source_remove);
  g_clear_handle_id (&a->shelve_id, g_source_remove);
  g_free (a->device_id);
  g_free (a->term_id);
  g_free (a->item_id);
  g_free (a->text);
  g_free (a->ack_user);
  g_free (a->ack_comment);
  g_free (a->shelve_user);
  g_free (a->shelve_comment);
  g_free (a);
}

JsonObject *
dc_alarm_item_to_json (DcAlarmItem *a)
{
  JsonObject *object = json_object_new ();
  const char *times[] = { "since", "active_since", "ack_time", "shelved_until" };
  gint64 values[] = { a->since, a->active_since, a->ack_time, a->shelved_until };

  json_object_set_int_member (object, "id", a->id);
  json_object_set_string_member (object, "condition", cond_names[a->cond]);
  json_object_set_string_member (object, "device_id", a->device_id);
  if (a->cond != DC_ALARM_COND_COMM)
    {
      json_object_set_string_member (object, "term_id", a->term_id);
      json_object_set_string_member (object, "item_id", a->item_id);
    }
  json_object_set_string_member (object, "state", state_names[a->state]);
  json_object_set_string_member (object, "priority", priority_names[a->priority]);
  if (isfinite (a->value))
    json_object_set_double_member (object, "value", a->value);
  else
    json_object_set_null_member (object, "value");
  json_object_set_string_member (object, "text", a->text != NULL ? a->text : "");
  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      if (values[i] == 0)
        json_object_set_null_member (object, times[i]);
      else
        {
          g_autofree char *t = dc_time_format (values[i]);

          json_object_set_string_member (object, times[i], t);
        }
    }
  if (a->ack_user != NULL)
    json_object_set_string_member (object, "ack_user", a->ack_user);
  if (a->ack_comment != NULL)
    json_object_set_string_member (object, "ack_comment", a->ack_comment);
  if (a->shelve_user != NULL)
    json_object_set_string_member (object, "shelve_user", a->shelve_user);
  if (a->shelve_comment != NULL)
    json_object_set_string_member (object, "shelve_comment", a->shelve_comment);
  return object;
}

/* Persistence */

static gboolean
exec (sqlite3     *db,
      const char  *sql,
      GError     **error)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INTERNAL, "alarm journal: %s", message);
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

static sqlite3_stmt *
prepare (sqlite3    *db,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      g_warning ("alarm journal: %s", sqlite3_errmsg (db));
      return NULL;
    }
  return stmt;
}

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

sqlite3 *
dc_alarm_journal_open (const char  *path,
                       GError     **error)
{
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
      SQLITE_OK)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INTERNAL, "cannot open %s: %s", path,
                   db != NULL ? sqlite3_errmsg (db) : "out of memory");
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, 5000);
  if (!exec (db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
             "CREATE TABLE IF NOT EXISTS alarms (id INTEGER PRIMARY KEY AUTOINCREMENT,"
             " ident TEXT NOT NULL UNIQUE, body TEXT NOT NULL);"
             "CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
             " time INTEGER NOT NULL, alarm_id INTEGER NOT NULL, condition TEXT,"
             " device_id TEXT, term_id TEXT, item_id TEXT, state TEXT, value REAL,"
             " user TEXT, comment TEXT, text TEXT);"
             "CREATE INDEX IF NOT EXISTS journal_time ON journal (time);", error))
    {
      sqlite3_close (db);
      return NULL;
    }
  return db;
}

static const char *
string_member (JsonObject *object,
               const char *name,
               const char *fallback)
{
  return json_object_get_string_member_with_default (object, name, fallback);
}

static gint64
time_member (JsonObject *object,
             const char *name)
{
  const char *text = string_member (object, name, NULL);
  gint64 t = 0;

  if (text == NULL || !dc_time_parse (text, &t))
    return 0;
  return t;
}

GPtrArray *
dc_alarm_journal_load (sqlite3 *db,
                       DcStore *store)
{
  GPtrArray *alarms = g_ptr_array_new ();
  sqlite3_stmt *stmt = prepare (db, "SELECT id, body FROM alarms ORDER BY id");

  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *o;
      DcAlarmItem *a;
      const char *cond;
      DcAlarmCond c = DC_ALARM_N_CONDS;

      if (!json_parser_load_from_data (parser, (const char *) sqlite3_column_text (stmt, 1), -1,
                                       NULL) ||
          !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        continue;
      o = json_node_get_object (json_parser_get_root (parser));
      cond = json_object_get_string_member_with_default (o, "condition", "");
      for (guint i = 0; i < DC_ALARM_N_CONDS; i++)
        if (g_str_equal (cond, cond_names[i]))
          c = i;
      if (c == DC_ALARM_N_CONDS)
        continue;

      a = g_new0 (DcAlarmItem, 1);
      a->id = sqlite3_column_int64 (stmt, 0);
      a->cond = c;
      a->device_id = g_strdup (string_member (o, "device_id", ""));
      a->term_id = g_strdup (string_member (o, "term_id", NULL));
      a->item_id = g_strdup (string_member (o, "item_id", NULL));
      if (c != DC_ALARM_COND_COMM)
        a->key = dc_store_get_point_key (store, a->term_id, a->item_id);
      a->priority = dc_alarm_priority_from_string (string_member (o, "priority", NULL), 1);
      a->value = json_object_get_double_member_with_default (o, "value", NAN);
      a->text = g_strdup (string_member (o, "text", NULL));
      a->since = time_member (o, "since");
      a->active_since = time_member (o, "active_since");
      a->ack_time = time_member (o, "ack_time");
      a->shelved_until = time_member (o, "shelved_until");
      a->ack_user = g_strdup (string_member (o, "ack_user", NULL));
      a->ack_comment = g_strdup (string_member (o, "ack_comment", NULL));
      a->shelve_user = g_strdup (string_member (o, "shelve_user", NULL));
      a->shelve_comment = g_strdup (string_member (o, "shelve_comment", NULL));
      for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
        if (g_str_equal (string_member (o, "state", ""), state_names[i]))
          a->state = i;
      /* The condition is re-established by the next sample; an active alarm stays active
       * until then. */
      a->active = a->raw = a->state == DC_ALARM_ACTIVE_UNACKED ||
                           a->state == DC_ALARM_ACTIVE_ACKED;
      g_ptr_array_add (alarms, a);
    }
  if (stmt != NULL)
    sqlite3_finalize (stmt);
  return alarms;
}

/* The statement @sql kept in @cache[@slot], reset for a new run. */
static sqlite3_stmt *
cached (sqlite3       *db,
        sqlite3_stmt **cache,
        guint          slot,
        const char    *sql)
{
  if (cache[slot] == NULL &&
      sqlite3_prepare_v3 (db, sql, -1, SQLITE_PREPARE_PERSISTENT, &cache[slot], NULL) != SQLITE_OK)
    {
      g_warning ("alarm journal: %s", sqlite3_errmsg (db));
      cache[slot] = NULL;
      return NULL;
    }
  sqlite3_reset (cache[slot]);
  sqlite3_clear_bindings (cache[slot]);
  return cache[slot];
}

static void
step_done (sqlite3      *db,
           sqlite3_stmt *stmt)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    g_warning ("alarm journal: %s", sqlite3_errmsg (db));
  sqlite3_reset (stmt);
}

void
dc_alarm_journal_clear_cache (sqlite3_stmt **cache)
{
  for (guint i = 0; i < DC_ALARM_JOURNAL_N_STMTS; i++)
    g_clear_pointer (&cache[i], sqlite3_finalize);
}

void
dc_alarm_journal_exec (sqlite3    *db,
                       const char *sql)
{
  g_autoptr(GError) error = NULL;

  if (!exec (db, sql, &error))
    g_warning ("%s", error->message);
}

void
dc_alarm_journal_record (sqlite3       *db,
                         sqlite3_stmt **cache,
                         DcAlarmItem   *a,
                         JsonObject    *object,
                         gint64         time,
                         const char    *user,
                         const char    *comment)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);
  g_autofree char *body = json_to_string (node, FALSE);
  sqlite3_stmt *stmt;

  /* The alarm's row exists since its id was taken (dc_alarm_journal_new_id()): an update in
   * place, no delete and insert in the ident index. */
  stmt = cached (db, cache, 1, "UPDATE alarms SET body = ? WHERE id = ?");
  if (stmt != NULL)
    {
      bind_text (stmt, 1, body);
      sqlite3_bind_int64 (stmt, 2, a->id);
      step_done (db, stmt);
      stmt = sqlite3_changes (db) == 0 ?
        cached (db, cache, 3, "INSERT OR REPLACE INTO alarms (id, ident, body) VALUES (?, ?, ?)") :
        NULL;
    }
  if (stmt != NULL)
    {
      g_autofree char *ident = dc_alarm_ident_of (a->cond, a->key, a->device_id);

      /* An id the journal could not give (a fallback): the row is made here. */
      sqlite3_bind_int64 (stmt, 1, a->id);
      bind_text (stmt, 2, ident);
      bind_text (stmt, 3, body);
      step_done (db, stmt);
    }
  stmt = cached (db, cache, 2, "INSERT INTO journal (time, alarm_id, condition, device_id, "
                               "term_id, item_id, state, value, user, comment, text) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, time);
      sqlite3_bind_int64 (stmt, 2, a->id);
      bind_text (stmt, 3, cond_names[a->cond]);
      bind_text (stmt, 4, a->device_id);
      bind_text (stmt, 5, a->term_id);
      bind_text (stmt, 6, a->item_id);
      bind_text (stmt, 7, state_names[a->state]);
      if (isfinite (a->value))
        sqlite3_bind_double (stmt, 8, a->value);
      else
        sqlite3_bind_null (stmt, 8);
      bind_text (stmt, 9, user);
      bind_text (stmt, 10, comment);
      bind_text (stmt, 11, a->text);
      step_done (db, stmt);
    }
}

gint64
dc_alarm_journal_new_id (sqlite3       *db,
                         sqlite3_stmt **cache,
                         const char    *ident)
{
  sqlite3_stmt *stmt;
  gint64 id = 0;

  /* AUTOINCREMENT: never reused. */
  stmt = cached (db, cache, 0, "INSERT INTO alarms (ident, body) VALUES (?, '{}')");
  if (stmt != NULL)
    {
      bind_text (stmt, 1, ident);
      if (sqlite3_step (stmt) == SQLITE_DONE)
        id = sqlite3_last_insert_rowid (db);
      sqlite3_reset (stmt);
    }
  return id;
}

/* Reading the journal */

static sqlite3_stmt *
journal_query (sqlite3 *db,
               gint64   from,
               gint64   to,
               guint    limit)
{
  sqlite3_stmt *stmt = prepare (db,
                                "SELECT * FROM (SELECT seq, time, alarm_id, condition, device_id,"
                                " term_id, item_id, state, value, user, comment, text FROM journal"
                                " WHERE time >= ? AND time < ? ORDER BY time DESC, seq DESC"
                                " LIMIT ?) ORDER BY time, seq");

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, from);
  sqlite3_bind_int64 (stmt, 2, to);
  sqlite3_bind_int64 (stmt, 3, limit == 0 ? 100000 : limit);
  return stmt;
}

JsonArray *
dc_alarm_journal_read (sqlite3 *db,
                       gint64   from,
                       gint64   to,
                       guint    limit)
{
  static const char * const names[] = {
    NULL, "time", "alarm_id", "condition", "device_id", "term_id", "item_id", "state", "value",
    "user", "comment", "text",
  };
  JsonArray *array = json_array_new ();
  sqlite3_stmt *stmt;

  stmt = journal_query (db, from, to, limit);
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonObject *o = json_object_new ();

      for (int c = 1; c < (int) G_N_ELEMENTS (names); c++)
        {
          if (c == 1)
            {
              g_autofree char *t = dc_time_format (sqlite3_column_int64 (stmt, c));

              json_object_set_string_member (o, names[c], t);
            }
          else if (c == 2)
            json_object_set_int_member (o, names[c], sqlite3_column_int64 (stmt, c));
          else if (sqlite3_column_type (stmt, c) == SQLITE_NULL)
            json_object_set_null_member (o, names[c]);
          else if (c == 8)
            json_object_set_double_member (o, names[c], sqlite3_column_double (stmt, c));
          else
            json_object_set_string_member (o, names[c], (const char *) sqlite3_column_text (stmt,
                                                                                            c));
        }
      json_array_add_object_element (array, o);
    }
  if (stmt != NULL)
    sqlite3_finalize (stmt);
  return array;
}

static void
csv_field (GString    *out,
           const char *text)
{
  if (text == NULL)
    return;
  if (strpbrk (text, ",\"\n\r") == NULL)
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

char *
dc_alarm_journal_read_csv (sqlite3 *db,
                           gint64   from,
                           gint64   to,
                           guint    limit)
{
  GString *out = g_string_new ("time,alarm_id,condition,device_id,term_id,item_id,state,value,"
                               "user,comment,text\n");
  sqlite3_stmt *stmt;

  stmt = journal_query (db, from, to, limit);
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autofree char *t = dc_time_format (sqlite3_column_int64 (stmt, 1));

      g_string_append (out, t);
      g_string_append_printf (out, ",%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, 2));
      for (int c = 3; c <= 11; c++)
        {
          g_string_append_c (out, ',');
          if (c == 8 && sqlite3_column_type (stmt, c) != SQLITE_NULL)
            dc_number_append (out, sqlite3_column_double (stmt, c));
          else
            csv_field (out, (const char *) sqlite3_column_text (stmt, c));
        }
      g_string_append_c (out, '\n');
    }
  if (stmt != NULL)
    sqlite3_finalize (stmt);
  return g_string_free (out, FALSE);
}
