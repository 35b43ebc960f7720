/* test-hostile-sql.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "hostile.h"

/* Issue 21, item 5: SQL templates (db_save_sql, db_warn_sql) against the user database. A
 * recursive CTE spun the templates thread forever (SIGTERM then hung) and left a pool thread
 * spinning per sql_check; sql_check answered with error texts that carried selected values
 * (json_extract), and allowed fts3_tokenizer (a pointer) and REINDEX. */

#define RUNAWAY "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) " \
                "INSERT INTO log SELECT x, 0, '' FROM c"

static char *
make_user_db (void)
{
  char *path = g_build_filename (g_get_user_data_dir (), "user.db", NULL);
  sqlite3 *db = NULL;

  g_mkdir_with_parents (g_get_user_data_dir (), 0700);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE log (item TEXT, value REAL, msg TEXT);"
                                 "CREATE TABLE secrets (secret TEXT);"
                                 "INSERT INTO secrets VALUES ('hunter2');", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);
  return path;
}

static HostileServer *
start_with_user_db (void)
{
  g_autofree char *user_db = make_user_db ();
  const char *args[] = { "--user-db", user_db, NULL };

  return hostile_server_start (NULL, args);
}

static char *
sql_check (HostileServer *server,
           const char    *field,
           const char    *sql)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *body = NULL;
  char *answer = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, field);
  json_builder_add_string_value (builder, sql);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  body = json_to_string (node, FALSE);
  g_assert_cmpuint (hostile_http (server, "POST", "/api/v1/sql_check", body, &answer), ==, 200);
  return answer;
}

/* A runaway template is cut by the budget; three in a row leave nothing spinning (each
 * answers, and the server answers other requests meanwhile). */
static void
test_runaway_check (void)
{
  g_autoptr(HostileServer) server = start_with_user_db ();

  for (guint i = 0; i < 3; i++)
    {
      gint64 start = g_get_monotonic_time ();
      g_autofree char *answer = sql_check (server, "db_save_sql", RUNAWAY);

      g_test_message ("answered in %.2f s: %s", (g_get_monotonic_time () - start) / 1e6,
                      answer);
      g_assert_cmpstr (answer, ==, "template exceeded its budget (1 s, 100000000 steps)");
      hostile_assert_responsive (server);
    }
}

typedef struct
{
  const char *sql;
  const char *answer;     /* expected, or NULL */
  const char *forbidden;  /* must not appear in the answer, or NULL */
} CheckCase;

static const CheckCase check_cases[] = {
  { "INSERT INTO log SELECT hex(fts3_tokenizer('simple')), 0, ''",
    "not authorized to use function: fts3_tokenizer", NULL },
  { "REINDEX", "not authorized", NULL },
  { "INSERT INTO log SELECT json_extract('{}', secret), 0, '' FROM secrets", NULL, "hunter2" },
  { "INSERT INTO log SELECT json_extract('{}', '$.' || secret || '['), 0, '' FROM secrets", NULL,
    "hunter2" },
  { "INSERT INTO log SELECT 'a', 1 / 0, '' FROM secrets", "OK", NULL },
};

static void
test_check (gconstpointer data)
{
  const CheckCase *c = data;
  g_autoptr(HostileServer) server = start_with_user_db ();
  g_autofree char *answer = sql_check (server, "db_save_sql", c->sql);

  g_test_message ("%s → %s", c->sql, answer);
  if (c->answer != NULL)
    g_assert_cmpstr (answer, ==, c->answer);
  if (c->forbidden != NULL)
    g_assert_null (strstr (answer, c->forbidden));
}

/* A runaway db_save_sql on a point: samples keep coming, the server answers and stops on
 * SIGTERM within 10 s (hostile_server_stop). */
static void
test_runaway_template (void)
{
  HostileServer *server = start_with_user_db ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *point = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "item_id");
  json_builder_add_string_value (builder, "a");
  json_builder_set_member_name (builder, "db_save_sql");
  json_builder_add_string_value (builder, RUNAWAY);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  point = json_to_string (node, FALSE);

  hostile_http_ok (server, "POST", "/api/v1/devices", "{\"id\":\"v\",\"protocol\":\"virtual\"}");
  hostile_http_ok (server, "POST", "/api/v1/terms", "{\"id\":\"t1\",\"device_id\":\"v\"}");
  hostile_http_ok (server, "POST", "/api/v1/items", "{\"id\":\"a\"}");
  hostile_http_ok (server, "POST", "/api/v1/terms/t1/items", point);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *ctrl = g_strdup_printf ("{\"device_id\":\"v\",\"term_id\":\"t1\","
                                               "\"item_id\":\"a\",\"value\":%u,"
                                               "\"user\":\"hostile\"}", i);

      hostile_http_ok (server, "POST", "/api/v1/device_ctrl", ctrl);
      hostile_assert_responsive (server);
    }
  hostile_assert_responsive_for (server, 1000);
  hostile_server_stop (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/dc/hostile/sql/runaway-check", test_runaway_check);
  for (guint i = 0; i < G_N_ELEMENTS (check_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/dc/hostile/sql/check/%u", i);

      g_test_add_data_func (path, &check_cases[i], test_check);
    }
  g_test_add_func ("/dc/hostile/sql/runaway-template", test_runaway_template);

  return g_test_run ();
}
