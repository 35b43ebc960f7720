/* test-formula-rest.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* PyDataColl's formula scenario end to end: a real `datacoll --server` on a free port, inputs
 * on a virtual device written with device_ctrl, the formula created over REST, results read
 * back from history over REST. */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "dc-test-http.h"
#include "dc-test-server.h"
#include "dc-test-store.h"

typedef struct
{
  DcTestServer *server;
  char         *base;   /* the server's */
  char         *dir;
} Server;

static Server *server_start_with (const char *user_db);

static Server *
server_start (void)
{
  return server_start_with (NULL);
}

static Server *
server_start_with (const char *user_db)
{
  Server *server = g_new0 (Server, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;

  server->dir = g_dir_make_tmp ("dc-formula-rest-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (server->dir, "dc.db", NULL);
  {
    const char *args[] = { "--server", "--port", "0", "--db", db,
                           user_db != NULL ? "--user-db" : NULL, user_db, NULL };

    server->server = dc_test_server_start (args);
  }
  server->base = server->server->base;
  return server;
}

static void
server_stop (Server *server)
{
  dc_test_server_stop (server->server);

  dc_test_remove_dir (server->dir);
  g_free (server->dir);
  g_free (server);
}

static void
post_ok (Server     *server,
         const char *path,
         const char *body)
{
  g_autoptr(DcReply) reply = dc_http (server->base, "POST", path, body);

  dc_assert_reply (reply, 200, "");
}

static void
ctrl (Server     *server,
      const char *item,
      double      value)
{
  g_autofree char *body = g_strdup_printf ("{\"device_id\": \"vd\", \"term_id\": \"t1\", "
                                           "\"item_id\": \"%s\", \"value\": %g}", item, value);
  g_autoptr(DcReply) reply = dc_http (server->base, "POST", "/api/v1/device_ctrl", body);

  g_assert_cmpuint (reply->status, ==, 200);
}

/* The stored results of calc:ct:sum, oldest first. */
static GArray *
results (Server *server)
{
  g_autoptr(DcReply) reply = dc_http (server->base, "GET",
                                      "/api/v1/devices/calc/terms/ct/items/sum/datas", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GList) members = NULL;
  GArray *values = g_array_new (FALSE, FALSE, sizeof (double));
  JsonObject *object;

  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_true (json_parser_load_from_data (parser, reply->body, -1, NULL));
  object = json_node_get_object (json_parser_get_root (parser));
  members = json_object_get_members (object);
  for (const GList *l = members; l != NULL; l = l->next)
    {
      double v = json_object_get_double_member (object, l->data);

      g_array_append_val (values, v);
    }
  return values;
}

/* Reads the results until there are @n of them (each read is a request: no sleeping), with
 * a deadline, and checks them. */
static void
assert_results (Server       *server,
                const double *want,
                guint         n)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  g_autoptr(GArray) got = NULL;

  for (;;)
    {
      g_clear_pointer (&got, g_array_unref);
      got = results (server);
      if (got->len >= n || g_get_monotonic_time () > deadline)
        break;
      g_main_context_iteration (NULL, FALSE);
    }
  g_assert_cmpuint (got->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat (g_array_index (got, double, i), ==, want[i]);
}

static void
test_scenario (void)
{
  Server *server = server_start ();
  static const double r1[] = { 3 };
  static const double r2[] = { 3, 7 };
  static const double r3[] = { 3, 7, 8 };

  post_ok (server, "/api/v1/devices", "{\"id\": \"vd\", \"protocol\": \"virtual\"}");
  post_ok (server, "/api/v1/devices", "{\"id\": \"calc\", \"protocol\": \"formula\"}");
  post_ok (server, "/api/v1/terms", "{\"id\": \"t1\", \"device_id\": \"vd\"}");
  post_ok (server, "/api/v1/terms", "{\"id\": \"ct\", \"device_id\": \"calc\"}");
  post_ok (server, "/api/v1/items", "{\"id\": \"a\"}");
  post_ok (server, "/api/v1/items", "{\"id\": \"b\"}");
  post_ok (server, "/api/v1/items", "{\"id\": \"sum\"}");
  post_ok (server, "/api/v1/items", "{\"id\": \"dbl\"}");
  post_ok (server, "/api/v1/terms/t1/items", "{\"term_id\": \"t1\", \"item_id\": \"a\"}");
  post_ok (server, "/api/v1/terms/t1/items", "{\"term_id\": \"t1\", \"item_id\": \"b\"}");
  post_ok (server, "/api/v1/terms/ct/items", "{\"term_id\": \"ct\", \"item_id\": \"sum\"}");
  post_ok (server, "/api/v1/terms/ct/items", "{\"term_id\": \"ct\", \"item_id\": \"dbl\"}");

  ctrl (server, "a", 1);
  ctrl (server, "b", 2);

  /* formula_check: the exact texts. */
  {
    struct { const char *body; const char *answer; } checks[] = {
      { "{\"formula\": \"p1+p2\", \"p1\": \"vd:t1:a\", \"p2\": \"vd:t1:b\"}", "OK" },
      { "{\"formula\": \"p1+p2\", \"p1\": \"123:45:6\"}", "parameter not found: p1=123:45:6" },
      { "{\"formula\": \"p1 + (* p1)\", \"p1\": \"vd:t1:a\"}",
        "syntax error at column 7: unexpected '*'" },
      { "{\"formula\": \"p1 + p2\", \"p1\": \"vd:t1:a\"}", "name p2 is not defined" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (checks); i++)
      {
        g_autoptr(DcReply) reply = dc_http (server->base, "POST", "/api/v1/formula_check",
                                            checks[i].body);

        dc_assert_reply (reply, 200, checks[i].answer);
        g_assert_true (g_str_has_prefix (reply->content_type, "text/plain"));
      }
  }

  /* A result at creation. */
  post_ok (server, "/api/v1/formulas",
           "{\"id\": \"f1\", \"formula\": \"p1+p2\", \"device_id\": \"calc\", \"term_id\": \"ct\","
           " \"item_id\": \"sum\", \"p1\": \"vd:t1:a\", \"p2\": \"vd:t1:b\"}");
  assert_results (server, r1, 1);

  /* A new input → a new result. */
  ctrl (server, "a", 5);
  assert_results (server, r2, 2);

  /* The same input again → no new result; then the other input → one new result. Exactly
   * three results stored (a result for the repeated input would come before the 8). */
  ctrl (server, "a", 5);
  ctrl (server, "b", 3);
  assert_results (server, r3, 3);

  /* A cycle is refused at save with 400 naming it. */
  post_ok (server, "/api/v1/formulas",
           "{\"id\": \"f2\", \"formula\": \"p1 * 2\", \"device_id\": \"calc\", \"term_id\": \"ct\","
           " \"item_id\": \"dbl\", \"p1\": \"calc:ct:sum\"}");
  {
    g_autoptr(DcReply) reply =
      dc_http (server->base, "PUT", "/api/v1/formulas/f1",
               "{\"id\": \"f1\", \"formula\": \"p1+p2\", \"device_id\": \"calc\", \"term_id\": \"ct\","
               " \"item_id\": \"sum\", \"p1\": \"vd:t1:a\", \"p2\": \"calc:ct:dbl\"}");

    dc_assert_reply (reply, 400, "formula cycle: f1 -> f2 -> f1");
  }

  /* The dependent formula follows: 8 * 2. */
  {
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    gboolean found = FALSE;

    while (!found && g_get_monotonic_time () < deadline)
      {
        g_autoptr(DcReply) reply = dc_http (server->base, "GET",
                                            "/api/v1/devices/calc/terms/ct/items/dbl/datas/-1",
                                            NULL);

        found = reply->status == 200 && strstr (reply->body, ":16") != NULL;
      }
    g_assert_true (found);
  }

  server_stop (server);
}

/* A raw WebSocket client (the server is another process, so blocking reads are fine):
 * the upgrade request, then everything the server sends, unmasked text frames. */
static GSocketConnection *
ws_open (Server *server)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  const char *port = strrchr (server->base, ':') + 1;
  g_autofree char *request = g_strdup_printf ("GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                              "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                              "Sec-WebSocket-Version: 13\r\n\r\n");
  GSocketConnection *conn;

  conn = g_socket_client_connect_to_host (client, "127.0.0.1",
                                          (guint16) g_ascii_strtoull (port, NULL, 10), NULL, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (g_socket_connection_get_socket (conn), 20);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), request,
                             strlen (request), NULL, NULL, &error);
  g_assert_no_error (error);
  return conn;
}

/* Reads until the received bytes contain both @a and @b (the socket times out after 20 s). */
static void
ws_expect (GSocketConnection *conn,
           GString           *received,
           const char        *a,
           const char        *b)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn));

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      char buf[4096];
      gssize n;
      const char *at = strstr (received->str, a);

      if (at != NULL && strstr (at, b) != NULL)
        return;
      n = g_input_stream_read (in, buf, sizeof buf, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      /* Frame headers hold NUL bytes: keep the text searchable. */
      for (gssize k = 0; k < n; k++)
        g_string_append_c (received, buf[k] != '\0' ? buf[k] : ' ');
    }
}

/* Alarms over REST and the WebSocket: raise, list, acknowledge, clear, journal. */
static void
test_alarms (void)
{
  Server *server = server_start ();
  g_autoptr(GString) received = g_string_new (NULL);
  g_autoptr(GSocketConnection) ws = NULL;

  post_ok (server, "/api/v1/devices", "{\"id\": \"vd\", \"protocol\": \"virtual\"}");
  post_ok (server, "/api/v1/terms", "{\"id\": \"t1\", \"device_id\": \"vd\"}");
  post_ok (server, "/api/v1/items", "{\"id\": \"a\"}");
  post_ok (server, "/api/v1/terms/t1/items",
           "{\"term_id\": \"t1\", \"item_id\": \"a\", \"up_limit\": 10, \"alarm_priority\": \"high\"}");

  ws = ws_open (server);
  ws_expect (ws, received, "\"type\":\"snapshot\"", "]");

  {
    g_autoptr(DcReply) reply = dc_http (server->base, "GET", "/api/v1/alarms", NULL);

    dc_assert_reply (reply, 200, "[]");
  }

  ctrl (server, "a", 20);
  {
    g_autoptr(DcReply) reply = dc_http (server->base, "GET", "/api/v1/alarms", NULL);

    g_assert_cmpuint (reply->status, ==, 200);
    g_assert_nonnull (strstr (reply->body, "\"id\":1,"));
    g_assert_nonnull (strstr (reply->body, "\"state\":\"active_unacknowledged\""));
    g_assert_nonnull (strstr (reply->body, "\"priority\":\"high\""));
  }
  /* The stream carries the alarm too. */
  ws_expect (ws, received, "{\"type\":\"alarm\",\"id\":1,", "\"state\":\"active_unacknowledged\"");

  {
    g_autoptr(DcReply) r1 = dc_http (server->base, "POST", "/api/v1/alarms/1/ack",
                                     "{\"user\": \"op\", \"comment\": \"on it\"}");
    g_autoptr(DcReply) r2 = dc_http (server->base, "POST", "/api/v1/alarms/1/ack", "{}");
    g_autoptr(DcReply) r3 = dc_http (server->base, "POST", "/api/v1/alarms/7/ack", "{}");
    g_autoptr(DcReply) r4 = dc_http (server->base, "POST", "/api/v1/alarms/1/shelve", "{}");
    g_autoptr(DcReply) r5 = dc_http (server->base, "POST", "/api/v1/alarms/1/shelve",
                                     "{\"until\": \"2001-01-01T00:00:00Z\"}");
    g_autoptr(DcReply) r6 = dc_http (server->base, "GET", "/api/v1/alarms", NULL);

    dc_assert_reply (r1, 200, "");
    dc_assert_reply (r2, 400, "alarm 1 has nothing to acknowledge");
    dc_assert_reply (r3, 404, "alarm_id not found!");
    dc_assert_reply (r4, 400, "missing field: until");
    dc_assert_reply (r5, 400, "field until must be a time in the future");
    g_assert_nonnull (strstr (r6->body, "\"state\":\"active_acknowledged\""));
    g_assert_nonnull (strstr (r6->body, "\"ack_user\":\"op\""));
  }

  ctrl (server, "a", 5);
  {
    g_autoptr(DcReply) list = dc_http (server->base, "GET", "/api/v1/alarms", NULL);
    g_autoptr(DcReply) all = dc_http (server->base, "GET", "/api/v1/alarms?all=true", NULL);
    g_autoptr(DcReply) csv = dc_http (server->base, "GET", "/api/v1/alarms/journal?format=csv",
                                      NULL);
    g_autoptr(DcReply) json = dc_http (server->base, "GET", "/api/v1/alarms/journal?limit=1",
                                       NULL);
    g_auto(GStrv) lines = NULL;

    dc_assert_reply (list, 200, "[]");
    g_assert_nonnull (strstr (all->body, "\"state\":\"normal\""));
    g_assert_true (g_str_has_prefix (csv->content_type, "text/csv"));
    lines = g_strsplit (csv->body, "\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, 5);
    g_assert_nonnull (strstr (lines[1], ",1,high,vd,t1,a,active_unacknowledged,20,"));
    g_assert_nonnull (strstr (lines[2], ",active_acknowledged,20,op,on it,"));
    g_assert_nonnull (strstr (lines[3], ",normal,5,"));
    g_assert_nonnull (strstr (json->body, "\"state\":\"normal\""));
    g_assert_null (strstr (json->body, "active_acknowledged"));
  }

  ws_expect (ws, received, "{\"type\":\"alarm\",\"id\":1,", "\"state\":\"normal\"");
  g_io_stream_close (G_IO_STREAM (ws), NULL, NULL);
  server_stop (server);
}

static gint64
count_rows (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  if (sqlite3_prepare_v2 (db, "SELECT count(*) FROM log WHERE msg = 'it''s; --'", -1, &stmt,
                          NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* Database templates end to end: --user-db, db_save_sql on changed values, sql_check. */
static void
test_templates (void)
{
  g_autofree char *dir = g_dir_make_tmp ("dc-user-db-XXXXXX", NULL);
  g_autofree char *user_db = g_build_filename (dir, "user.db", NULL);
  sqlite3 *db = NULL;
  Server *server;
  gint64 deadline;

  g_assert_cmpint (sqlite3_open (user_db, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE log (item TEXT, value REAL, msg TEXT)", NULL,
                                 NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  server = server_start_with (user_db);
  post_ok (server, "/api/v1/devices", "{\"id\": \"vd\", \"protocol\": \"virtual\"}");
  post_ok (server, "/api/v1/terms", "{\"id\": \"t1\", \"device_id\": \"vd\"}");
  post_ok (server, "/api/v1/items", "{\"id\": \"a\"}");
  post_ok (server, "/api/v1/terms/t1/items",
           "{\"term_id\": \"t1\", \"item_id\": \"a\", \"warn_msg\": \"it's; --\","
           " \"db_save_sql\": \"INSERT INTO log VALUES (:item_id, :value, :warn_msg)\"}");
  {
    struct { const char *body; const char *answer; } checks[] = {
      { "{\"db_save_sql\": \"INSERT INTO log VALUES (:item_id, :value, :warn_msg)\"}", "OK" },
      { "{\"db_warn_sql\": \"DELETE FROM log\"}", "not authorized" },
      { "{\"db_save_sql\": \"INSERT INTO nope VALUES (1)\"}", "no such table: nope" },
      { "{\"item_id\": \"a\"}", "not found sql to check" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (checks); i++)
      {
        g_autoptr(DcReply) reply = dc_http (server->base, "POST", "/api/v1/sql_check",
                                            checks[i].body);

        dc_assert_reply (reply, 200, checks[i].answer);
      }
  }
  g_assert_cmpint (count_rows (user_db), ==, 0);

  ctrl (server, "a", 1);
  ctrl (server, "a", 1);
  ctrl (server, "a", 2);
  /* The worker writes in the background: read until both rows are there. */
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (count_rows (user_db) < 2 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  server_stop (server);
  /* Stopped: everything queued has run; the repeated value was not saved. */
  g_assert_cmpint (count_rows (user_db), ==, 2);

  g_unlink (user_db);
  {
    g_autofree char *wal = g_strconcat (user_db, "-wal", NULL);
    g_autofree char *shm = g_strconcat (user_db, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
  }
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/dc/formula/rest-scenario", test_scenario);
  g_test_add_func ("/dc/alarm/rest", test_alarms);
  g_test_add_func ("/dc/templates/rest", test_templates);

  return g_test_run ();
}
