/* test-auth-server.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "test-auth"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "dc-audit.h"
#include "dc-route-access-private.h"

#include "dc-test-http.h"
#include "dc-test-server.h"
#include "dc-test-wait.h"

/* docs/security.md against the real binary: the `datacoll user` commands, every route of the
 * OpenAPI document asked by every role, the access table and the document agreeing, the
 * WebSocket stream with and without a token, and a user added while the server runs. */

static const char * const role_names[] = { "anonymous", "viewer", "operator", "engineer",
                                           "admin" };

/* Runs `datacoll user @words… --db @db` with @input on standard input. */
static int
cli (const char  *db,
     const char  *input,
     char       **out,
     char       **err,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *word;
  va_list ap;

  g_ptr_array_add (args, (char *) "user");
  va_start (ap, err);
  while ((word = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (char *) word);
  va_end (ap);
  g_ptr_array_add (args, (char *) "--db");
  g_ptr_array_add (args, (char *) db);
  g_ptr_array_add (args, NULL);
  return dc_test_datacoll_run_input ((const char * const *) args->pdata, input, out, err);
}

#define assert_cli(db, input, want_status, want_err, ...) \
  G_STMT_START { \
    g_autofree char *out_ = NULL; \
    g_autofree char *err_ = NULL; \
    int status_ = cli ((db), (input), &out_, &err_, __VA_ARGS__, NULL); \
    if (status_ != (want_status) || g_strcmp0 (err_, (want_err)) != 0) \
      g_error ("%s:%d: datacoll user …: exit %d, stderr '%s'; want %d '%s'", __FILE__, \
               __LINE__, status_, err_, (want_status), (want_err)); \
  } G_STMT_END

/* A new API token of @name through the command line. */
static char *
cli_token (const char *db,
           const char *name)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (cli (db, NULL, &out, &err, "token", name, "--label", "test", NULL), ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpuint (strlen (out), ==, 44);
  g_assert_cmpint (out[43], ==, '\n');
  out[43] = '\0';
  return g_steal_pointer (&out);
}

static void
test_cli (void)
{
  g_autofree char *dir = dc_test_make_dir ();
  g_autofree char *db = g_build_filename (dir, "dc.db", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *token = NULL;

  assert_cli (db, "alice-password\n", 0, "", "add", "alice", "--role", "admin");
  assert_cli (db, "alice-password\n", 1, "user already exists!\n", "add", "alice", "--role",
              "admin");
  assert_cli (db, "short\n", 1, "field password must be at least 8 characters\n", "add", "bob",
              "--role", "viewer");
  assert_cli (db, "", 1, "no password on standard input\n", "add", "bob", "--role", "viewer");
  assert_cli (db, "bob-password\n", 1, "datacoll user add NAME needs --role ROLE\n", "add",
              "bob");
  assert_cli (db, "bob-password\n", 1,
              "field role must be one of viewer, operator, engineer, admin\n", "add", "bob",
              "--role", "boss");
  assert_cli (db, "bob-password\n", 1,
              "field name must be 1–64 characters without white space or ':'\n", "add",
              "bob:x", "--role", "viewer");
  assert_cli (db, "bob-password\r\n", 0, "", "add", "bob", "--role", "viewer");

  g_assert_cmpint (cli (db, NULL, &out, &err, "list", NULL), ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_assert_true (g_str_has_prefix (out, "alice                admin     enabled  created "));
  g_assert_nonnull (strstr (out, "\nbob                  viewer    enabled  created "));
  g_assert_nonnull (strstr (out, "last login never\n"));
  g_assert_null (strstr (out, "password"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  assert_cli (db, "bob-password-2\n", 0, "", "passwd", "bob");
  assert_cli (db, "x-password\n", 1, "user not found!\n", "passwd", "nobody");
  assert_cli (db, NULL, 0, "", "role", "bob", "operator");
  assert_cli (db, NULL, 1, "field role must be one of viewer, operator, engineer, admin\n", "role",
              "bob", "root");
  assert_cli (db, NULL, 1, "user not found!\n", "role", "nobody", "viewer");
  assert_cli (db, NULL, 0, "", "disable", "bob");
  assert_cli (db, NULL, 1, "user not found!\n", "disable", "nobody");
  assert_cli (db, NULL, 1, "user bob is disabled\n", "token", "bob");
  assert_cli (db, NULL, 1, "user not found!\n", "token", "nobody");
  assert_cli (db, NULL, 1,
              "usage: datacoll user add NAME --role ROLE | list | passwd NAME | role NAME ROLE | "
              "disable NAME | enable NAME | token NAME [--expires DAYS] [--label TEXT]\n",
              "frobnicate");

  g_assert_cmpint (cli (db, NULL, &out, &err, "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "\nbob                  operator  disabled created "));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (cli (db, NULL, &out, &err, "token", "alice", "--expires", "30", "--label",
                        "scada", NULL), ==, 0);
  g_assert_cmpuint (strlen (out), ==, 44);

  /* The token works against a server on the same file; bob is disabled. */
  token = g_strndup (out, 43);
  {
    const char *args[] = { "--server", "--port", "0", "--db", db, NULL };
    DcTestServer *server = dc_test_server_start (args);
    g_autoptr(DcReply) r = dc_http_full (server->base, "GET", "/api/v1/devices", NULL, -1,
                                         token);
    g_autoptr(DcReply) bob = dc_http (server->base, "POST", "/api/v1/login",
                                      "{\"user\":\"bob\",\"password\":\"bob-password-2\"}");

    dc_assert_reply (r, 200, "[]");
    dc_assert_reply (bob, 401, "invalid user or password!");
    g_assert_nonnull (strstr (server->log, ", authentication required)"));
    dc_test_server_stop (server);
  }
  assert_cli (db, NULL, 0, "", "enable", "bob");

  /* Every change, refused ones too, is an audit row from "cli" in the system user's name. */
  {
    g_autofree char *path = g_build_filename (dir, "dc-audit.db", NULL);
    g_autoptr(DcAudit) audit = dc_audit_new (path, NULL);
    g_autoptr(DcAuditQuery) query = dc_audit_query_new ();
    g_autoptr(GPtrArray) rows = NULL;
    g_autoptr(GError) error = NULL;
    guint tokens = 0, refused = 0;

    g_assert_nonnull (audit);
    query->limit = 100;
    rows = dc_audit_query_sync (audit, query, &error);
    g_assert_no_error (error);
    /* The server that ran in between wrote its own rows (start, bob's login, stop). */
    for (guint i = rows->len; i-- > 0;)
      {
        DcAuditRow *row = g_ptr_array_index (rows, i);

        if (!g_str_equal (row->source, "cli"))
          g_ptr_array_remove_index (rows, i);
      }
    for (guint i = 0; i < rows->len; i++)
      {
        DcAuditRow *row = g_ptr_array_index (rows, i);

        g_assert_cmpstr (row->source, ==, "cli");
        g_assert_cmpstr (row->user, ==, g_get_user_name ());
        g_assert_null (strstr (row->detail, "password-2"));
        g_assert_null (strstr (row->detail, token));
        tokens += g_str_equal (row->action, "token.create");
        refused += !g_str_equal (row->result, "ok");
      }
    /* Newest first: enable bob, then the tokens of alice and bob's refused one. */
    g_assert_cmpuint (rows->len, ==, 19);
    g_assert_cmpstr (((DcAuditRow *) rows->pdata[0])->action, ==, "user.update");
    g_assert_cmpstr (((DcAuditRow *) rows->pdata[0])->detail, ==, "{\"disabled\":false}");
    g_assert_cmpstr (((DcAuditRow *) rows->pdata[1])->action, ==, "token.create");
    g_assert_cmpstr (((DcAuditRow *) rows->pdata[1])->target, ==, "alice");
    g_assert_true (g_str_has_prefix (((DcAuditRow *) rows->pdata[1])->detail,
                                     "{\"label\":\"scada\",\"expires\":\""));
    g_assert_cmpuint (tokens, ==, 3);
    g_assert_cmpuint (refused, ==, 12);
  }
}

/* Every operation of the OpenAPI document, asked by every role: refused with the exact 401
 * or 403 below its x-datacoll-role, answered by the route's handler (neither 401 nor 403)
 * from it up. The access table agrees with the document. */
static void
test_route_roles (void)
{
  g_autofree char *dir = dc_test_make_dir ();
  g_autofree char *db = g_build_filename (dir, "dc.db", NULL);
  const char *args[] = { "--server", "--port", "0", "--db", db, NULL };
  char *tokens[G_N_ELEMENTS (role_names)] = { NULL };
  g_autoptr(DcReply) doc = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GList) paths = NULL;
  DcTestServer *server;
  JsonObject *paths_object;
  guint checked = 0;

  for (guint r = 1; r < G_N_ELEMENTS (role_names); r++)
    {
      g_autofree char *name = g_strdup_printf ("%s-user", role_names[r]);

      assert_cli (db, "a-good-password\n", 0, "", "add", name, "--role", role_names[r]);
      tokens[r] = cli_token (db, name);
    }

  server = dc_test_server_start (args);
  doc = dc_http_full (server->base, "GET", "/api/v1/openapi.json", NULL, -1, tokens[1]);
  g_assert_cmpuint (doc->status, ==, 200);
  root = json_from_string (doc->body, &error);
  g_assert_no_error (error);
  paths_object = json_object_get_object_member (json_node_get_object (root), "paths");
  paths = json_object_get_members (paths_object);

  for (const GList *l = paths; l != NULL; l = l->next)
    {
      const char *path = l->data;
      JsonObject *ops = json_object_get_object_member (paths_object, path);
      g_autoptr(GList) methods = json_object_get_members (ops);
      g_autoptr(GRegex) param = g_regex_new ("\\{[^}]+\\}", 0, 0, NULL);
      g_autofree char *concrete = g_regex_replace_literal (param, path, -1, 0, "x", 0, NULL);

      for (const GList *m = methods; m != NULL; m = m->next)
        {
          g_autofree char *method = g_ascii_strup (m->data, -1);
          JsonObject *op = json_object_get_object_member (ops, m->data);
          const char *doc_role = json_object_get_string_member_with_default (op,
                                                                             "x-datacoll-role",
                                                                             NULL);
          const DcRouteAccess *table;
          const DcRouteAccess *row = NULL;
          guint n_rows;
          guint need;
          guint allowed_status;

          /* The document and the table name the same role. */
          table = dc_route_access_table (&n_rows);
          for (guint i = 0; i < n_rows; i++)
            if (g_str_equal (table[i].method, method) && g_str_equal (table[i].path, path))
              row = &table[i];
          if (row == NULL)
            g_error ("%s %s is documented but not in the access table", method, path);
          if (doc_role == NULL)
            g_error ("%s %s has no x-datacoll-role", method, path);
          g_assert_cmpstr (row->role == 0 ? "public" : role_names[row->role], ==, doc_role);
          need = row->role;
          allowed_status = 0;

          for (guint r = 0; r < G_N_ELEMENTS (role_names); r++)
            {
              const char *body = g_str_equal (method, "GET") ? NULL : "{}";
              g_autoptr(DcReply) reply = dc_http_full (server->base, method, concrete, body, -1,
                                                       tokens[r]);

              if (need == 0 || r >= need)
                {
                  if (reply->status == 401 || reply->status == 403)
                    g_error ("%s %s as %s: %u %s, want the route's own answer", method,
                             concrete, role_names[r], reply->status, reply->body);
                  /* The handler answers every role that may ask alike. */
                  if (allowed_status == 0)
                    allowed_status = reply->status;
                  else if (reply->status != allowed_status)
                    g_error ("%s %s as %s: %u %s, but %u for the roles below", method, concrete,
                             role_names[r], reply->status, reply->body, allowed_status);
                }
              else if (r == 0)
                dc_assert_reply (reply, 401, "authentication required!");
              else
                {
                  g_autofree char *want = g_strdup_printf ("permission denied: %s cannot %s",
                                                           role_names[r], row->action);

                  dc_assert_reply (reply, 403, want);
                }
              checked++;
            }
        }
    }
  g_test_message ("%u requests checked", checked);
  g_assert_cmpuint (checked, >=, 5 * 60);

  /* Some of the texts, spelt out. */
  {
    g_autoptr(DcReply) r = dc_http_full (server->base, "POST", "/api/v1/device_ctrl", "{}", -1,
                                         tokens[1]);

    dc_assert_reply (r, 403, "permission denied: viewer cannot control");
  }
  {
    g_autoptr(DcReply) r = dc_http_full (server->base, "POST", "/api/v1/alarms/a/ack", "{}", -1,
                                         tokens[1]);

    dc_assert_reply (r, 403, "permission denied: viewer cannot acknowledge alarms");
  }
  {
    g_autoptr(DcReply) r = dc_http_full (server->base, "POST", "/api/v2/devices", "[]", -1,
                                         tokens[2]);

    dc_assert_reply (r, 403, "permission denied: operator cannot configure");
  }

  dc_test_server_stop (server);
  for (guint r = 0; r < G_N_ELEMENTS (tokens); r++)
    g_free (tokens[r]);
}

static void
websocket_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;
  SoupWebsocketConnection *conn = soup_session_websocket_connect_finish (SOUP_SESSION (source),
                                                                         result, &error);

  if (conn == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, conn, g_object_unref);
  g_object_unref (task);
}

/* Opens the stream at @uri (with "Authorization: Bearer @token" when @token is set); returns
 * the status of the handshake answer (101 when the WebSocket is open). */
static guint
websocket_status (SoupSession *session,
                  const char  *uri,
                  const char  *token)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);
  g_autoptr(SoupWebsocketConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  if (token != NULL)
    {
      g_autofree char *header = g_strdup_printf ("Bearer %s", token);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    header);
    }
  soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        websocket_done_cb, g_object_ref (task));
  while (!g_task_get_completed (task))
    {
      g_main_context_iteration (NULL, TRUE);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }
  conn = g_task_propagate_pointer (task, &error);
  if (conn != NULL)
    {
      soup_websocket_connection_close (conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      while (soup_websocket_connection_get_state (conn) != SOUP_WEBSOCKET_STATE_CLOSED)
        {
          g_main_context_iteration (NULL, TRUE);
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        }
    }
  return soup_message_get_status (msg);
}

/* The status of GET @path with @token (NULL: none). */
static guint
get_status (const char *base,
            const char *path,
            const char *token)
{
  g_autoptr(DcReply) r = dc_http_full (base, "GET", path, NULL, -1, token);

  return r->status;
}

/* The stream needs a token once one user exists: the header, or ?token= for browsers. A user
 * added by the command line while the server runs closes it at the next request. */
static void
test_websocket_and_live_change (void)
{
  g_autofree char *dir = dc_test_make_dir ();
  g_autofree char *db = g_build_filename (dir, "dc.db", NULL);
  const char *args[] = { "--server", "--port", "0", "--db", db, NULL };
  DcTestServer *server = dc_test_server_start (args);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *ws = NULL;
  g_autofree char *token = NULL;
  g_autofree char *with_query = NULL;
  g_autofree char *with_bad_query = NULL;

  ws = g_strdup_printf ("ws%s/api/v1/stream", server->base + strlen ("http"));
  /* Open as long as no user exists. */
  g_assert_cmpuint (websocket_status (session, ws, NULL), ==, 101);
  {
    g_autoptr(DcReply) r = dc_http (server->base, "GET", "/api/v1/devices", NULL);

    dc_assert_reply (r, 200, "[]");
  }

  assert_cli (db, "operator-password\n", 0, "", "add", "olga", "--role", "operator");
  token = cli_token (db, "olga");
  /* The running server sees the new user within a second (docs/security.md). */
  DC_TEST_WAIT_UNTIL (get_status (server->base, "/api/v1/devices", NULL) == 401, 10);
  {
    g_autoptr(DcReply) r = dc_http (server->base, "GET", "/api/v1/devices", NULL);

    dc_assert_reply (r, 401, "authentication required!");
  }
  g_assert_cmpuint (websocket_status (session, ws, NULL), ==, 401);
  g_assert_cmpuint (websocket_status (session, ws, "wrong-token"), ==, 401);
  g_assert_cmpuint (websocket_status (session, ws, token), ==, 101);
  with_query = g_strdup_printf ("%s?token=%s", ws, token);
  g_assert_cmpuint (websocket_status (session, with_query, NULL), ==, 101);
  with_bad_query = g_strdup_printf ("%s?token=%sx", ws, token);
  g_assert_cmpuint (websocket_status (session, with_bad_query, NULL), ==, 401);
  /* The query token is for the stream only. */
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/devices?token=%s", token);
    g_autoptr(DcReply) r = dc_http (server->base, "GET", path, NULL);

    dc_assert_reply (r, 401, "authentication required!");
  }

  /* Disabled by the command line: the running server refuses the token within a second. */
  g_assert_cmpuint (get_status (server->base, "/api/v1/devices", token), ==, 200);
  assert_cli (db, NULL, 0, "", "disable", "olga");
  DC_TEST_WAIT_UNTIL (get_status (server->base, "/api/v1/devices", token) == 401, 10);

  dc_test_server_stop (server);
}

/* Runs @argv (a program we did not write: openssl, curl) with @input on its standard input;
 * returns its exit status and its standard output. */
static int
run_tool (const char * const  *argv,
          const char          *input,
          char               **out)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;

  g_assert_nonnull (g_find_program_in_path (argv[0]));
  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE |
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("%s: %s", argv[0], err);
  return g_subprocess_get_exit_status (process);
}

/* HTTPS and WSS with a certificate the test makes (openssl req -x509), spoken to by curl,
 * openssl s_client and libsoup's client, each verifying the certificate. */
static void
test_tls (void)
{
  g_autofree char *dir = dc_test_make_dir ();
  g_autofree char *db = g_build_filename (dir, "dc.db", NULL);
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.pem", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *token = NULL;
  g_autofree char *url = NULL;
  g_autofree char *plain = NULL;
  g_autofree char *auth = NULL;
  g_autofree char *connect = NULL;
  g_autofree char *wss = NULL;
  g_autoptr(GTlsDatabase) trust = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GError) error = NULL;
  const char *req[] = { "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "2", "-subj", "/CN=localhost", "-addext",
                        "subjectAltName=IP:127.0.0.1,DNS:localhost", NULL };
  const char *alone[] = { "--server", "--port", "0", "--db", db, "--tls-cert", cert, NULL };
  const char *no_key[] = { "--server", "--port", "0", "--db", db, "--tls-cert", cert,
                           "--tls-key", missing, NULL };
  const char *args[] = { "--server", "--port", "0", "--db", db, "--tls-cert", cert,
                         "--tls-key", key, NULL };
  DcTestServer *server;
  guint port;

  g_assert_cmpint (run_tool (req, NULL, NULL), ==, 0);

  g_assert_cmpint (dc_test_datacoll_run (alone, NULL, &err), ==, 1);
  g_assert_cmpstr (err, ==, "[server] tls_cert and tls_key (--tls-cert, --tls-key) go together\n");
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (dc_test_datacoll_run (no_key, NULL, &err), ==, 1);
  g_assert_true (g_str_has_prefix (err, "cannot load the TLS certificate "));
  g_clear_pointer (&err, g_free);

  assert_cli (db, "viewer-password\n", 0, "", "add", "vic", "--role", "viewer");
  token = cli_token (db, "vic");
  server = dc_test_server_start (args);
  g_assert_true (g_str_has_prefix (server->base, "https://127.0.0.1:"));
  port = (guint) g_ascii_strtoull (strrchr (server->base, ':') + 1, NULL, 10);

  /* curl verifies the certificate and sends the bearer token. */
  url = g_strdup_printf ("%s/api/v1/devices", server->base);
  auth = g_strdup_printf ("Authorization: Bearer %s", token);
  {
    const char *curl[] = { "curl", "-sS", "--cacert", cert, "-H", auth, "-w", " %{http_code}",
                           url, NULL };

    g_assert_cmpint (run_tool (curl, NULL, &out), ==, 0);
    g_assert_cmpstr (out, ==, "[] 200");
    g_clear_pointer (&out, g_free);
  }
  {
    const char *curl[] = { "curl", "-sS", "--cacert", cert, "-w", " %{http_code}", url, NULL };

    g_assert_cmpint (run_tool (curl, NULL, &out), ==, 0);
    g_assert_cmpstr (out, ==, "authentication required! 401");
    g_clear_pointer (&out, g_free);
  }
  /* With the system's trust store only, curl refuses the self-signed server (exit 60). */
  {
    const char *curl[] = { "curl", "-sS", url, NULL };

    g_assert_cmpint (run_tool (curl, NULL, &out), ==, 60);
    g_clear_pointer (&out, g_free);
  }
  /* Plain HTTP on the port gets no answer. */
  plain = g_strdup_printf ("http://127.0.0.1:%u/api/v1/devices", port);
  {
    const char *curl[] = { "curl", "-sS", "-w", "%{http_code}", "--max-time", "20", plain,
                           NULL };

    g_assert_cmpint (run_tool (curl, NULL, &out), !=, 0);
    g_assert_cmpstr (out, ==, "000");
    g_clear_pointer (&out, g_free);
  }

  /* openssl s_client: the handshake verifies, then one HTTP/1.1 request. */
  connect = g_strdup_printf ("127.0.0.1:%u", port);
  {
    const char *s_client[] = { "openssl", "s_client", "-connect", connect, "-CAfile", cert,
                               "-verify_return_error", "-verify_ip", "127.0.0.1", "-quiet",
                               NULL };
    g_autofree char *request = g_strdup_printf ("GET /api/v1/status HTTP/1.1\r\n"
                                                "Host: 127.0.0.1\r\n"
                                                "Authorization: Bearer %s\r\n"
                                                "Connection: close\r\n\r\n", token);

    g_assert_cmpint (run_tool (s_client, request, &out), ==, 0);
    g_assert_true (g_str_has_prefix (out, "HTTP/1.1 200 OK\r\n"));
    g_assert_nonnull (strstr (out, "application/json"));
    g_clear_pointer (&out, g_free);
  }

  /* WSS through libsoup's client, trusting only the test's certificate. */
  trust = g_tls_file_database_new (cert, &error);
  g_assert_no_error (error);
  session = soup_session_new_with_options ("tls-database", trust, NULL);
  wss = g_strdup_printf ("wss://127.0.0.1:%u/api/v1/stream", port);
  g_assert_cmpuint (websocket_status (session, wss, NULL), ==, 401);
  g_assert_cmpuint (websocket_status (session, wss, token), ==, 101);

  dc_test_server_stop (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/auth/server/cli", test_cli);
  g_test_add_func ("/auth/server/route-roles", test_route_roles);
  g_test_add_func ("/auth/server/websocket", test_websocket_and_live_change);
  g_test_add_func ("/auth/server/tls", test_tls);

  return g_test_run ();
}
