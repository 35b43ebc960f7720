/* test-datacoll.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "dc-test-http.h"
#include "dc-test-server.h"

/* The real binary ($DATACOLL): persistence across a restart, a second instance refused, a
 * busy port, the token rule on a non-loopback bind, --config, --version. */

static guint
request (const char  *base,
         const char  *method,
         const char  *path,
         const char  *body,
         const char  *token,
         char       **reply)
{
  g_autoptr(DcReply) r = dc_http_full (base, method, path, body, -1, token);

  if (reply != NULL)
    *reply = g_strdup (r->body);
  return r->status;
}

static void
post_ok (const char *base,
         const char *path,
         const char *body)
{
  g_autofree char *reply = NULL;
  guint status = request (base, "POST", path, body, NULL, &reply);

  if (status != 200)
    g_error ("POST %s %s: %u %s", path, body, status, reply);
}

/* Everything reachable through the API, in one string. */
static char *
dump (const char *base)
{
  GString *out = g_string_new (NULL);
  const char *paths[] = {
    "/api/v1/devices", "/api/v1/devices/d1", "/api/v1/devices/%E7%94%B5", "/api/v1/terms",
    "/api/v1/terms/t1", "/api/v1/items", "/api/v1/items/i1", "/api/v1/terms/t1/items",
    "/api/v1/terms/t1/items/i1", "/api/v1/formulas", "/api/v1/formulas/f1",
  };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *reply = NULL;
      guint status = request (base, "GET", paths[i], NULL, NULL, &reply);

      g_string_append_printf (out, "%s %u %s\n", paths[i], status, reply);
    }
  return g_string_free (out, FALSE);
}

static void
test_version (void)
{
  const char *args[] = { "--version", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (dc_test_datacoll_run (args, &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, "datacoll " PACKAGE_VERSION "\n");
}

static void
test_bad_arguments (void)
{
  const char *unknown[] = { "--server", "--no-such-option", NULL };
  const char *port[] = { "--server", "--port", "99999", NULL };
  g_autofree char *err1 = NULL;
  g_autofree char *err2 = NULL;

  g_assert_cmpint (dc_test_datacoll_run (unknown, NULL, &err1), ==, 1);
  g_assert_cmpstr (err1, ==, "unexpected argument --no-such-option (see --help)\n");
  g_assert_cmpint (dc_test_datacoll_run (port, NULL, &err2), ==, 1);
  g_assert_cmpstr (err2, ==, "--port must be an integer between 0 and 65535\n");
}

/* Stop and restart on the same file: everything is still there. A second instance on the
 * same file is refused, naming the first one's pid. */
static void
test_persistence (void)
{
  g_autofree char *dir = dc_test_make_dir ();
  g_autofree char *db = g_build_filename (dir, "sub", "dc.db", NULL);
  const char *args[] = { "--server", "--port", "0", "--db", db, NULL };
  DcTestServer *first;
  DcTestServer *again;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *err = NULL;
  g_autofree char *want = NULL;

  first = dc_test_server_start (args);
  g_assert_nonnull (strstr (first->log, db));
  post_ok (first->base, "/api/v1/devices",
           "{\"id\":\"d1\",\"protocol\":\"modbus_tcp\",\"ip\":\"127.0.0.1\",\"port\":\"1502\","
             "\"x\":[1.5,null]}");
  post_ok (first->base, "/api/v1/devices", "{\"id\":\"电\",\"protocol\":\"formula\","
    "\"name\":\"计算\"}");
  post_ok (first->base, "/api/v1/terms", "{\"id\":\"t1\",\"device_id\":\"d1\",\"address\":3}");
  post_ok (first->base, "/api/v1/terms", "{\"id\":\"t2\",\"device_id\":\"电\"}");
  post_ok (first->base, "/api/v1/items", "{\"id\":\"i1\",\"unit\":\"kWh\"}");
  post_ok (first->base, "/api/v1/terms/t1/items",
           "{\"item_id\":\"i1\",\"protocol_code\":4,\"code_type\":\"hr:u32:cdab\","
             "\"coefficient\":0.01}");
  post_ok (first->base, "/api/v1/terms/t2/items", "{\"item_id\":\"i1\"}");
  post_ok (first->base, "/api/v1/formulas",
           "{\"id\":\"f1\",\"formula\":\"p1[-1]\",\"device_id\":\"电\",\"term_id\":\"t2\","
             "\"item_id\":\"i1\",\"p1\":\"d1:t1:i1\"}");
  before = dump (first->base);
  g_assert_null (strstr (before, " 404 "));

  want = g_strdup_printf ("database %s is in use by process %s\n", db,
                          g_subprocess_get_identifier (first->process));
  g_assert_cmpint (dc_test_datacoll_run (args, NULL, &err), ==, 1);
  g_assert_cmpstr (err, ==, want);

  dc_test_server_stop (first);

  again = dc_test_server_start (args);
  after = dump (again->base);
  g_assert_cmpstr (before, ==, after);
  dc_test_server_stop (again);
}

static void
test_busy_port (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = dc_test_make_dir ();
  g_autofree char *db = g_build_filename (dir, "dc.db", NULL);
  g_autofree char *port = NULL;
  g_autofree char *err = NULL;
  g_autofree char *want = NULL;
  guint n;

  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &effective, &error);
  g_assert_no_error (error);
  n = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  port = g_strdup_printf ("%u", n);
  want = g_strdup_printf ("port %u is in use\n", n);

  {
    const char *args[] = { "--server", "--port", port, "--db", db, NULL };

    g_assert_cmpint (dc_test_datacoll_run (args, NULL, &err), ==, 1);
    g_assert_cmpstr (err, ==, want);
  }
}

/* A non-loopback bind (0.0.0.0, reached through 127.0.0.1) needs users or --token-file; then
 * every request needs the token, which acts as admin (docs/security.md). */
static void
test_token_bind (void)
{
  g_autofree char *dir = dc_test_make_dir ();
  g_autofree char *db = g_build_filename (dir, "dc.db", NULL);
  g_autofree char *token_file = g_build_filename (dir, "token", NULL);
  g_autofree char *err = NULL;
  g_autofree char *reply = NULL;
  g_autoptr(GError) error = NULL;
  const char *open_args[] = { "--server", "--bind", "0.0.0.0", "--port", "0", "--db", db, NULL };
  const char *args[] = { "--server", "--bind", "0.0.0.0", "--port", "0", "--db", db,
                         "--token-file", token_file, NULL };
  DcTestServer *instance;

  g_assert_cmpint (dc_test_datacoll_run (open_args, NULL, &err), ==, 1);
  g_assert_cmpstr (err, ==, "refusing to listen on 0.0.0.0 without users or a token file\n");

  g_file_set_contents (token_file, "  abc123  \n", -1, &error);
  g_assert_no_error (error);
  instance = dc_test_server_start (args);
  g_assert_cmpuint (request (instance->base, "POST", "/api/v1/items", "{\"id\":\"x\"}", NULL,
    &reply), ==, 401);
  g_assert_cmpstr (reply, ==, "authentication required!");
  g_clear_pointer (&reply, g_free);
  g_assert_cmpuint (request (instance->base, "POST", "/api/v1/items", "{\"id\":\"x\"}", "abc",
    &reply), ==, 401);
  g_assert_cmpstr (reply, ==, "authentication required!");
  g_clear_pointer (&reply, g_free);
  g_assert_cmpuint (request (instance->base, "POST", "/api/v1/items", "{\"id\":\"x\"}", "abc123",
    NULL), ==, 200);
  g_assert_cmpuint (request (instance->base, "GET", "/api/v1/items", NULL, NULL, &reply), ==, 401);
  g_clear_pointer (&reply, g_free);
  g_assert_cmpuint (request (instance->base, "GET", "/api/v1/items", NULL, "abc123", &reply), ==,
    200);
  g_assert_cmpstr (reply, ==, "[\"x\"]");
  g_clear_pointer (&reply, g_free);

  /* The engine runs behind the server: a virtual device's link is up at once. */
  g_assert_cmpuint (request (instance->base, "POST", "/api/v1/devices",
                             "{\"id\":\"v\",\"protocol\":\"virtual\"}", "abc123", NULL), ==, 200);
  g_assert_cmpuint (request (instance->base, "GET", "/api/v1/devices/v", NULL, "abc123", &reply),
    ==, 200);
  g_assert_cmpstr (reply, ==, "{\"id\":\"v\",\"protocol\":\"virtual\",\"status\":\"on\"}");
  dc_test_server_stop (instance);
}

/* Settings from --config; the command line wins over the file. */
static void
test_config_file (void)
{
  g_autofree char *dir = dc_test_make_dir ();
  g_autofree char *conf = g_build_filename (dir, "datacoll.conf", NULL);
  g_autofree char *file_db = g_build_filename (dir, "from-file.db", NULL);
  g_autofree char *cli_db = g_build_filename (dir, "from-cli.db", NULL);
  g_autoptr(GError) error = NULL;
  const char *file_args[] = { "--server", "--config", conf, NULL };
  const char *cli_args[] = { "--server", "--config", conf, "--db", cli_db, NULL };
  DcTestServer *instance;

  g_file_set_contents (conf, "[server]\nport=0\ndb=from-file.db\n[log]\nverbose=false\n", -1,
    &error);
  g_assert_no_error (error);

  instance = dc_test_server_start (file_args);
  g_assert_nonnull (strstr (instance->log, file_db));
  dc_test_server_stop (instance);
  g_assert_true (g_file_test (file_db, G_FILE_TEST_EXISTS));

  instance = dc_test_server_start (cli_args);
  g_assert_nonnull (strstr (instance->log, cli_db));
  dc_test_server_stop (instance);
  g_assert_true (g_file_test (cli_db, G_FILE_TEST_EXISTS));
}

static gint64
status_member (const char *base,
               const char *group,
               const char *member)
{
  g_autofree char *reply = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *o;

  g_assert_cmpuint (request (base, "GET", "/api/v1/status", NULL, NULL, &reply), ==, 200);
  node = json_from_string (reply, &error);
  g_assert_no_error (error);
  o = json_object_get_object_member (json_node_get_object (node), group);
  g_assert_nonnull (o);
  g_assert_true (json_object_has_member (o, member));
  return json_object_get_int_member (o, member);
}

/* GET /api/v1/status: the ingest counters from the API write to the row, and the backlog
 * limit of [history] backlog_mb (docs/history.md). */
static void
test_status (void)
{
  g_autofree char *dir = dc_test_make_dir ();
  g_autofree char *conf = g_build_filename (dir, "datacoll.conf", NULL);
  g_autoptr(GError) error = NULL;
  const char *args[] = { "--server", "--config", conf, NULL };
  const char *ingest[] = { "received", "accepted", "unknown", "late", "future", "restamped",
                           "not_stored", "stored" };
  const char *history[] = { "accepted", "refused", "queued", "transaction", "max_queued",
                            "queue_limit", "written", "replaced", "batches", "purged", "jobs" };
  DcTestServer *instance;
  gint64 deadline;

  g_file_set_contents (conf, "[server]\nport=0\ndb=dc.db\n[history]\nbacklog_mb=2\n", -1,
                       &error);
  g_assert_no_error (error);
  instance = dc_test_server_start (args);
  post_ok (instance->base, "/api/v1/devices", "{\"id\":\"v\",\"protocol\":\"virtual\"}");
  post_ok (instance->base, "/api/v1/terms", "{\"id\":\"t1\",\"device_id\":\"v\"}");
  post_ok (instance->base, "/api/v1/items", "{\"id\":\"sp\"}");
  post_ok (instance->base, "/api/v1/terms/t1/items", "{\"item_id\":\"sp\",\"history\":\"all\"}");
  for (guint i = 0; i < 3; i++)
    post_ok (instance->base, "/api/v1/device_ctrl",
             "{\"device_id\":\"v\",\"term_id\":\"t1\",\"item_id\":\"sp\",\"value\":1}");

  for (guint i = 0; i < G_N_ELEMENTS (ingest); i++)
    status_member (instance->base, "ingest", ingest[i]);
  for (guint i = 0; i < G_N_ELEMENTS (history); i++)
    status_member (instance->base, "history", history[i]);
  g_assert_cmpint (status_member (instance->base, "ingest", "received"), ==, 3);
  g_assert_cmpint (status_member (instance->base, "ingest", "stored"), ==, 3);
  g_assert_cmpint (status_member (instance->base, "backlog", "limit"), ==, 2 * 1024 * 1024);
  /* The writer's share of the backlog, in samples of 32 bytes (docs/history.md). */
  g_assert_cmpint (status_member (instance->base, "history", "queue_limit"), ==, 32768);
  status_member (instance->base, "backlog", "bytes");
  status_member (instance->base, "backlog", "samples");
  /* The writer commits on its own thread: ask until it has (no sleep, a deadline). */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (status_member (instance->base, "history", "written") < 3)
    g_assert_cmpint (g_get_monotonic_time (), <, deadline);
  g_assert_cmpint (status_member (instance->base, "history", "written"), ==, 3);
  g_assert_cmpint (status_member (instance->base, "history", "replaced"), ==, 0);
  g_assert_cmpint (status_member (instance->base, "history", "max_queued"), >=, 1);
  dc_test_server_stop (instance);
}

/* Without --server and without a display, datacoll is the server. */
static void
test_no_display (void)
{
  g_autofree char *dir = dc_test_make_dir ();
  g_autofree char *db = g_build_filename (dir, "dc.db", NULL);
  const char *args[] = { "--port", "0", "--db", db, NULL };
  g_autofree char *reply = NULL;
  DcTestServer *instance;

  instance = dc_test_server_start (args);
  g_assert_cmpuint (request (instance->base, "GET", "/api/v1/devices", NULL, NULL, &reply), ==,
    200);
  g_assert_cmpstr (reply, ==, "[]");
  dc_test_server_stop (instance);
}

/* Every route the router serves (GET /) is in the OpenAPI document, and every documented
 * route is served. */
static void
test_openapi (void)
{
  g_autofree char *dir = dc_test_make_dir ();
  g_autofree char *db = g_build_filename (dir, "dc.db", NULL);
  const char *args[] = { "--server", "--port", "0", "--db", db, NULL };
  DcTestServer *instance = dc_test_server_start (args);
  g_autoptr(DcReply) index = dc_http (instance->base, "GET", "/", NULL);
  g_autoptr(DcReply) doc = dc_http (instance->base, "GET", "/api/v1/openapi.json", NULL);
  g_autoptr(GHashTable) served = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GList) paths = NULL;
  JsonObject *paths_object;
  guint documented = 0;

  g_assert_cmpuint (index->status, ==, 200);
  g_assert_cmpuint (doc->status, ==, 200);

  /* "method: GET      URL: http://127.0.0.1:1234/api/v1/devices" */
  lines = g_strsplit (index->body, "\n", -1);
  for (guint i = 2; lines[i] != NULL; i++)
    {
      g_auto(GStrv) words = g_strsplit_set (lines[i], " ", -1);
      const char *method = NULL, *url = NULL;

      for (guint w = 0; words[w] != NULL; w++)
        if (*words[w] != '\0' && !g_str_has_suffix (words[w], ":"))
          {
            if (method == NULL)
              method = words[w];
            else
              url = words[w];
          }
      if (method == NULL || url == NULL)
        continue;
      g_hash_table_add (served, g_strdup_printf ("%s %s", method,
                                                 strstr (url, instance->base) == url ?
                                                 url + strlen (instance->base) : url));
    }
  g_assert_true (g_hash_table_contains (served, "GET /api/v1/openapi.json"));

  root = json_from_string (doc->body, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (json_node_get_object (root),
                                                                  "openapi"), "3.0."));
  paths_object = json_object_get_object_member (json_node_get_object (root), "paths");
  paths = json_object_get_members (paths_object);
  for (const GList *l = paths; l != NULL; l = l->next)
    {
      g_autoptr(GList) methods = json_object_get_members (json_object_get_object_member (paths_object, l->data));

      for (const GList *m = methods; m != NULL; m = m->next)
        {
          g_autofree char *upper = g_ascii_strup (m->data, -1);
          g_autofree char *key = g_strdup_printf ("%s %s", upper, (const char *) l->data);
          JsonObject *op = json_object_get_object_member (json_object_get_object_member (paths_object, l->data), m->data);

          if (!g_hash_table_contains (served, key))
            g_error ("documented but not served: %s", key);
          g_assert_true (json_object_has_member (op, "responses"));
          documented++;
        }
    }
  if (documented != g_hash_table_size (served))
    {
      GHashTableIter iter;
      const char *key;

      g_hash_table_iter_init (&iter, served);
      while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
        {
          g_auto(GStrv) parts = g_strsplit (key, " ", 2);
          g_autofree char *lower = g_ascii_strdown (parts[0], -1);
          JsonObject *item = json_object_get_object_member (paths_object, parts[1]);

          if (item == NULL || !json_object_has_member (item, lower))
            g_error ("served but not documented: %s", key);
        }
    }
  g_assert_cmpuint (documented, ==, g_hash_table_size (served));
  dc_test_server_stop (instance);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/dc/datacoll/version", test_version);
  g_test_add_func ("/dc/datacoll/bad-arguments", test_bad_arguments);
  g_test_add_func ("/dc/datacoll/persistence", test_persistence);
  g_test_add_func ("/dc/datacoll/busy-port", test_busy_port);
  g_test_add_func ("/dc/datacoll/token-bind", test_token_bind);
  g_test_add_func ("/dc/datacoll/config-file", test_config_file);
  g_test_add_func ("/dc/datacoll/no-display", test_no_display);
  g_test_add_func ("/dc/datacoll/openapi", test_openapi);
  g_test_add_func ("/dc/datacoll/status", test_status);

  return g_test_run ();
}
