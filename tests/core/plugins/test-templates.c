/* test-templates.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <sqlite3.h>

#include "dc-error.h"
#include "dc-protocols.h"
#include "dc-store.h"
#include "dc-templates.h"
#include "dc-time.h"

#include "dc-test-store.h"

#define SAVE_SQL "INSERT INTO log (device_id, term_id, item_id, time, value, msg) " \
                 "VALUES (:device_id, :term_id, :item_id, :time, :value, :warn_msg)"
#define INJECTION "it's'); DROP TABLE log; --"

typedef struct
{
  char        *dir;
  char        *user_db;
  DcStore     *store;
  DcTemplates *templates;
  gint64       key;
  gint64       key_warn;
} Fixture;

static void
user_exec (Fixture    *fx,
           const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (fx->user_db, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* The rows of the user table, one "device|term|item|value|msg" string each. */
static GPtrArray *
rows (Fixture *fx)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open (fx->user_db, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT device_id, term_id, item_id, value, msg, time "
                                           "FROM log ORDER BY rowid", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 t = 0;

      /* :time is RFC 3339. */
      g_assert_true (dc_time_parse ((const char *) sqlite3_column_text (stmt, 5), &t));
      g_ptr_array_add (out, g_strdup_printf ("%s|%s|%s|%g|%s",
                                             sqlite3_column_text (stmt, 0),
                                             sqlite3_column_text (stmt, 1),
                                             sqlite3_column_text (stmt, 2),
                                             sqlite3_column_double (stmt, 3),
                                             sqlite3_column_text (stmt, 4)));
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return out;
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;
  g_autofree char *point = NULL;
  g_autofree char *warn_point = NULL;

  fx->dir = g_dir_make_tmp ("dc-templates-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (fx->dir, "dc.db", NULL);
  fx->user_db = g_build_filename (fx->dir, "user.db", NULL);
  fx->store = dc_store_open (db, &error);
  g_assert_no_error (error);

  /* The user database: its owner creates the tables (one named like DataColl's own). */
  user_exec (fx, "CREATE TABLE log (device_id TEXT, term_id TEXT, item_id TEXT, time TEXT,"
                 " value REAL, msg TEXT); CREATE TABLE points (secret TEXT);"
                 " INSERT INTO points VALUES ('hidden')");

  dc_test_store_create (fx->store, DC_KIND_DEVICE, "{\"id\": \"vd\", \"protocol\": \"virtual\"}");
  dc_test_store_create (fx->store, DC_KIND_TERM, "{\"id\": \"t1\", \"device_id\": \"vd\"}");
  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\": \"a\"}");
  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\": \"w\"}");
  point = g_strdup_printf ("{\"term_id\": \"t1\", \"item_id\": \"a\", \"db_save_sql\": \"%s\","
                           " \"warn_msg\": \"%s\"}", SAVE_SQL, INJECTION);
  dc_test_store_create (fx->store, DC_KIND_POINT, point);
  warn_point = g_strdup_printf ("{\"term_id\": \"t1\", \"item_id\": \"w\", \"db_warn_sql\":"
                                " \"%s\", \"warn_msg\": \"too hot\"}", SAVE_SQL);
  dc_test_store_create (fx->store, DC_KIND_POINT, warn_point);
  fx->key = dc_store_get_point_key (fx->store, "t1", "a");
  fx->key_warn = dc_store_get_point_key (fx->store, "t1", "w");

  fx->templates = dc_templates_new (fx->store, fx->user_db, &error);
  g_assert_no_error (error);
  dc_templates_start (fx->templates);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_assert_finalize_object (fx->templates);
  g_assert_finalize_object (fx->store);
  dc_test_remove_dir (fx->dir);
  g_free (fx->dir);
  g_free (fx->user_db);
}

static void
feed (Fixture *fx,
      gint64   key,
      double   value)
{
  DcSample s = { key, g_get_real_time (), value, 0 };

  dc_templates_process (fx->templates, &s, 1);
}

/* Rows written with bound parameters, only changed values, the injection stored literally. */
static void
test_save (Fixture       *fx,
           gconstpointer  data)
{
  g_autoptr(GPtrArray) got = NULL;
  guint64 n_run = 0, n_failed = 0;

  feed (fx, fx->key, 1.5);
  feed (fx, fx->key, 1.5);
  feed (fx, fx->key, 2.5);
  feed (fx, fx->key_warn, 9);   /* no db_save_sql */
  dc_templates_sync (fx->templates);

  got = rows (fx);
  g_assert_cmpuint (got->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (got, 0), ==, "vd|t1|a|1.5|" INJECTION);
  g_assert_cmpstr (g_ptr_array_index (got, 1), ==, "vd|t1|a|2.5|" INJECTION);
  dc_templates_get_counts (fx->templates, &n_run, &n_failed);
  g_assert_cmpuint (n_run, ==, 2);
  g_assert_cmpuint (n_failed, ==, 0);

  /* db_warn_sql runs with the warning text. */
  dc_templates_warn (fx->templates, fx->key_warn, g_get_real_time (), 99, "too hot: 99");
  dc_templates_warn (fx->templates, fx->key, g_get_real_time (), 99, "no warn template");
  dc_templates_sync (fx->templates);
  g_clear_pointer (&got, g_ptr_array_unref);
  got = rows (fx);
  g_assert_cmpuint (got->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (got, 2), ==, "vd|t1|w|99|too hot: 99");
}

/* Points without templates, so that one change is a small part of the plant (the plugin
 * re-reads a quarter of it or more in one scan, which would hide what a refresh of one
 * point does). */
static void
add_plain_points (Fixture *fx,
                  guint    n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *item = g_strdup_printf ("{\"id\": \"x%u\"}", i);
      g_autofree char *point = g_strdup_printf ("{\"term_id\": \"t1\", \"item_id\": \"x%u\"}", i);

      dc_test_store_create (fx->store, DC_KIND_ITEM, item);
      dc_test_store_create (fx->store, DC_KIND_POINT, point);
    }
  dc_templates_flush (fx->templates);
}

/* A point renamed and then deleted before the plugin re-read it leaves no rule behind: its
 * samples (the key is never reused) and warnings run nothing. A new point under the old name
 * gets a rule of its own. */
static void
test_rename_then_delete (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(JsonObject) rename = dc_test_json_object ("{\"id\": \"a2\"}");
  g_autoptr(GPtrArray) got = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *point = NULL;
  guint64 n_run = 0, n_failed = 0;
  gint64 key;

  add_plain_points (fx, 10);
  g_assert_true (dc_store_update (fx->store, DC_KIND_ITEM, "a", rename, &error));
  g_assert_no_error (error);
  g_assert_cmpint (dc_store_get_point_key (fx->store, "t1", "a2"), ==, fx->key);
  /* Deleted before the deferred refresh ran. */
  g_assert_true (dc_store_delete_point (fx->store, "t1", "a2", &error));
  g_assert_no_error (error);
  dc_templates_flush (fx->templates);

  feed (fx, fx->key, 1.5);
  dc_templates_warn (fx->templates, fx->key, g_get_real_time (), 2.5, "gone");
  dc_templates_sync (fx->templates);
  dc_templates_get_counts (fx->templates, &n_run, &n_failed);
  g_assert_cmpuint (n_run, ==, 0);
  g_assert_cmpuint (n_failed, ==, 0);
  got = rows (fx);
  g_assert_cmpuint (got->len, ==, 0);

  /* The old name again, a new point: its own rule, under its own key. */
  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\": \"a\"}");
  point = g_strdup_printf ("{\"term_id\": \"t1\", \"item_id\": \"a\", \"db_save_sql\": \"%s\","
                           " \"warn_msg\": \"new\"}", SAVE_SQL);
  dc_test_store_create (fx->store, DC_KIND_POINT, point);
  key = dc_store_get_point_key (fx->store, "t1", "a");
  g_assert_cmpint (key, !=, fx->key);
  dc_templates_flush (fx->templates);
  feed (fx, fx->key, 3.5);
  feed (fx, key, 4.5);
  dc_templates_sync (fx->templates);
  g_clear_pointer (&got, g_ptr_array_unref);
  got = rows (fx);
  g_assert_cmpuint (got->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (got, 0), ==, "vd|t1|a|4.5|new");
}

/* A renamed point keeps its rule (by key) with its new ids, before and after the refresh. */
static void
test_rename (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(JsonObject) rename = dc_test_json_object ("{\"id\": \"a2\"}");
  g_autoptr(GPtrArray) got = NULL;
  g_autoptr(GError) error = NULL;

  add_plain_points (fx, 10);
  g_assert_true (dc_store_update (fx->store, DC_KIND_ITEM, "a", rename, &error));
  g_assert_no_error (error);
  dc_templates_flush (fx->templates);
  feed (fx, fx->key, 1.5);
  dc_templates_sync (fx->templates);
  got = rows (fx);
  g_assert_cmpuint (got->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (got, 0), ==, "vd|t1|a2|1.5|" INJECTION);
}

/* A template the authorizer refuses fails without touching anything; others keep working. */
static void
test_refused_at_run (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) got = NULL;
  guint64 n_run = 0, n_failed = 0;

  g_assert_true (json_parser_load_from_data (parser, "{\"db_save_sql\": \"DROP TABLE log\"}",
                                             -1, NULL));
  g_assert_true (dc_store_update_point (fx->store, "t1", "w",
                                        json_node_get_object (json_parser_get_root (parser)),
                                        NULL));
  dc_templates_flush (fx->templates);
  feed (fx, fx->key_warn, 1);
  feed (fx, fx->key_warn, 2);
  feed (fx, fx->key, 3);
  dc_templates_sync (fx->templates);
  dc_templates_get_counts (fx->templates, &n_run, &n_failed);
  g_assert_cmpuint (n_run, ==, 1);
  g_assert_cmpuint (n_failed, ==, 2);
  got = rows (fx);
  g_assert_cmpuint (got->len, ==, 1);
}

static void
test_check (Fixture       *fx,
            gconstpointer  data)
{
  struct { const char *sql; const char *answer; } cases[] = {
    { SAVE_SQL, "OK" },
    { "UPDATE log SET msg = :warn_msg WHERE item_id = :item_id", "OK" },
    { "SELECT count(*) FROM log WHERE value > :value", "OK" },
    { "INSERT INTO nope VALUES (1)", "no such table: nope" },
    { "INSERT INTO log VALUES (", "incomplete input" },
    { "ATTACH DATABASE 'other.db' AS other", "not authorized" },
    { "PRAGMA journal_mode = DELETE", "not authorized" },
    { "CREATE TABLE t (a)", "not authorized" },
    { "DROP TABLE log", "not authorized" },
    { "ALTER TABLE log ADD COLUMN b", "not authorized" },
    { "DELETE FROM log", "not authorized" },
    { "SELECT secret FROM points", "access to points.secret is prohibited" },
    { "SELECT * FROM sqlite_master", "access to sqlite_master.type is prohibited" },
    { "INSERT INTO log (msg) SELECT secret FROM points", "access to points.secret is prohibited" },
    { SAVE_SQL "; DROP TABLE log", "only one statement is allowed" },
    { "BEGIN", "not authorized" },
  };
  g_autoptr(GPtrArray) got = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) point = json_object_new ();
      g_autofree char *answer = NULL;

      json_object_set_string_member (point, "device_id", "vd");
      json_object_set_string_member (point, "term_id", "t1");
      json_object_set_string_member (point, "item_id", "a");
      json_object_set_string_member (point, i % 2 ? "db_warn_sql" : "db_save_sql", cases[i].sql);
      answer = dc_templates_check (fx->user_db, point);
      g_assert_cmpstr (answer, ==, cases[i].answer);
    }

  /* The check rolls back. */
  got = rows (fx);
  g_assert_cmpuint (got->len, ==, 0);

  {
    g_autoptr(JsonObject) point = json_object_new ();
    g_autofree char *none = NULL;
    g_autofree char *no_db = NULL;

    json_object_set_string_member (point, "db_save_sql", "");
    none = dc_templates_check (fx->user_db, point);
    g_assert_cmpstr (none, ==, "not found sql to check");
    json_object_set_string_member (point, "db_save_sql", SAVE_SQL);
    no_db = dc_templates_check (NULL, point);
    g_assert_cmpstr (no_db, ==, "no user database (--user-db)");
  }
}

/* DataColl's own databases are never a user database. */
static void
test_own_database (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = g_build_filename (fx->dir, "missing.db", NULL);

  g_assert_null (dc_templates_new (fx->store, dc_store_get_path (fx->store), &error));
  g_assert_error (error, DC_ERROR, DC_ERROR_FORBIDDEN);
  g_assert_true (g_str_has_suffix (error->message, "must not be one of DataColl's own databases"));
  g_clear_error (&error);

  g_assert_null (dc_templates_new (fx->store, missing, &error));
  g_assert_error (error, DC_ERROR, DC_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "cannot open user database"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_protocols_register_all ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/dc/templates/save", test_save);
  ADD ("/dc/templates/refused-at-run", test_refused_at_run);
  ADD ("/dc/templates/check", test_check);
  ADD ("/dc/templates/rename", test_rename);
  ADD ("/dc/templates/rename-then-delete", test_rename_then_delete);
  ADD ("/dc/templates/own-database", test_own_database);
#undef ADD

  return g_test_run ();
}
