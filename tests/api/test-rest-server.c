/* test-rest-server.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "test-rest"

#include "config.h"

#include <string.h>

#include "dc-error.h"
#include "dc-json.h"
#include "dc-protocols.h"

#include "rest-fixture.h"

/* The server over real HTTP: the index, the catalogues, routing (405, HEAD), routes added by
 * other areas, the body limit and the token rule. */

static void
test_index (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(DcReply) r = dc_http (f->base, "GET", "/", NULL);
  g_autoptr(GPtrArray) routes = dc_server_get_routes (f->server);
  g_auto(GStrv) lines = NULL;
  g_autofree char *host = g_strdup_printf ("127.0.0.1:%u", dc_server_get_port (f->server));
  const char *groups[] = { "GET", "POST", "PUT", "DELETE" };
  guint group = 0;
  const char *previous = "";

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (r->content_type, ==, "text/plain; charset=utf-8");
  lines = g_strsplit (r->body, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "DataColl is running, available API:");
  g_assert_cmpstr (lines[1], ==, "");
  /* One line per route plus the trailing empty string of the last newline. */
  g_assert_cmpuint (g_strv_length (lines), ==, 2 + routes->len + 1);
  g_assert_cmpstr (lines[2 + routes->len], ==, "");

  for (guint i = 0; i < routes->len; i++)
    {
      DcRouteInfo *info = g_ptr_array_index (routes, i);
      g_autofree char *want = g_strdup_printf ("method: %-8s URL: http://%s%s",
                                               info->method, host, info->path_template);
      const char *line = lines[2 + i];

      g_assert_cmpstr (line, ==, want);
      /* METHOD left-aligned in 8 columns: "URL:" always starts at column 17. */
      g_assert_true (g_str_has_prefix (line + 16, " URL: http://"));

      /* Grouped GET, POST, PUT, DELETE, each sorted. */
      while (group < G_N_ELEMENTS (groups) && !g_str_equal (info->method, groups[group]))
        {
          group++;
          previous = "";
        }
      g_assert_cmpuint (group, <, G_N_ELEMENTS (groups));
      g_assert_cmpint (strcmp (previous, info->path_template), <, 0);
      previous = info->path_template;
    }

  /* Every configuration route is listed; routes of other areas are not (yet) and answer 404. */
  g_assert_nonnull (strstr (r->body, "method: GET      URL: http://" ));
  g_assert_nonnull (strstr (r->body, "/api/v1/devices/{device_id}\n"));
  g_assert_nonnull (strstr (r->body, "method: DELETE   URL: "));
  g_assert_nonnull (strstr (r->body, "method: POST     URL: http://127.0.0.1"));
  g_assert_nonnull (strstr (r->body, "/api/v2/term_items/del\n"));
  g_assert_null (strstr (r->body, "redis_key"));
  g_assert_nonnull (strstr (r->body, "/api/v1/openapi.json\n"));
  g_assert_nonnull (strstr (r->body, "/api/v1/project\n"));
  g_assert_cmpuint (routes->len, ==, 42);
}

static void
test_index_host_header (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *uri = g_strconcat (f->base, "/", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
  g_autoptr(GBytes) bytes = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Host",
                                "scada.example:8080");
  bytes = dc_test_send (msg);
  g_assert_nonnull (strstr (g_bytes_get_data (bytes, NULL),
                            "method: GET      URL: http://scada.example:8080/api/v1/devices\n"));
}

static void
test_catalogues (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(JsonNode) devices = get_json (f, "/api/v1/device_protocols");
  g_autoptr(JsonNode) terms = get_json (f, "/api/v1/term_protocols");
  const char *device_protocols[] = { "iec104", "modbus_tcp", "modbus_rtu", "virtual", "formula" };
  const char *term_protocols[] = { "iec104", "modbus", "virtual", "formula" };

  for (guint i = 0; i < G_N_ELEMENTS (device_protocols); i++)
    g_assert_nonnull (member_string (devices, device_protocols[i]));
  for (guint i = 0; i < G_N_ELEMENTS (term_protocols); i++)
    g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (terms),
                                                                   term_protocols[i])));
}

static void
test_routing (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(DcReply) r = NULL;
  g_autoptr(DcReply) head = NULL;

  r = dc_http (f->base, "PATCH", "/api/v1/devices", "{}");
  g_assert_cmpuint (r->status, ==, 405);
  g_assert_cmpstr (r->allow, ==, "GET, HEAD, POST");
  dc_reply_free (r);

  r = dc_http (f->base, "DELETE", "/api/v1/devices/x/terms", NULL);
  g_assert_cmpuint (r->status, ==, 405);
  g_assert_cmpstr (r->allow, ==, "GET, HEAD");
  dc_reply_free (r);

  r = dc_http (f->base, "GET", "/api/v2/devices/del", NULL);
  g_assert_cmpuint (r->status, ==, 405);
  g_assert_cmpstr (r->allow, ==, "POST");
  dc_reply_free (r);

  r = dc_http (f->base, "POST", "/api/v1/devices/x", "{}");
  g_assert_cmpuint (r->status, ==, 405);
  g_assert_cmpstr (r->allow, ==, "GET, HEAD, PUT, DELETE");
  dc_reply_free (r);

  /* PyDataColl's redis_key is not served. */
  r = dc_http (f->base, "POST", "/api/v1/redis_key", "{}");
  dc_assert_reply (r, 404, "unknown path /api/v1/redis_key");

  /* HEAD: the headers of GET without the body. */
  ok (f, "POST", "/api/v1/devices", "{\"id\":\"h\",\"protocol\":\"virtual\"}");
  head = dc_http (f->base, "HEAD", "/api/v1/devices/h", NULL);
  g_assert_cmpuint (head->status, ==, 200);
  g_assert_cmpuint (head->length, ==, 0);
  g_assert_cmpstr (head->content_type, ==, "application/json; charset=utf-8");
}

/* A route added by another area: path parameters decoded, the literal segment wins over a
 * parameter, the body parsed, and a paused message answered later. */
static gboolean
answer_later_cb (gpointer user_data)
{
  SoupServerMessage *msg = user_data;

  dc_server_reply_text (msg, 202, "later");
  soup_server_message_unpause (msg);
  g_object_unref (msg);
  return G_SOURCE_REMOVE;
}

static void
custom_route_cb (DcServer          *server,
                 SoupServerMessage *msg,
                 GHashTable        *params,
                 JsonNode          *body,
                 gpointer           user_data)
{
  g_autofree char *text = NULL;
  g_autofree char *json = body ? dc_json_to_string (body, NULL) : g_strdup ("none");
  g_autofree char *user = dc_server_message_get_user (msg, body);

  if (g_strcmp0 (user_data, "async") == 0)
    {
      soup_server_message_pause (msg);
      g_idle_add (answer_later_cb, g_object_ref (msg));
      return;
    }

  text = g_strdup_printf ("%s a=%s b=%s body=%s user=%s", (char *) user_data,
                          (char *) g_hash_table_lookup (params, "a"),
                          (char *) g_hash_table_lookup (params, "b"), json, user);
  dc_server_reply_text (msg, 200, text);
}

static void
test_custom_routes (Fixture       *f,
                    gconstpointer  data)
{
  dc_server_add_route (f->server, "GET", "/x/{a}/y/{b}", custom_route_cb, (gpointer) "params");
  dc_server_add_route (f->server, "GET", "/x/{a}/y/fixed", custom_route_cb, (gpointer) "literal");
  dc_server_add_route (f->server, "POST", "/x/{a}/y/{b}", custom_route_cb, (gpointer) "post");
  dc_server_add_route (f->server, "GET", "/slow", custom_route_cb, (gpointer) "async");

  assert_request (f, "GET", "/x/%E7%94%B5%20x/y/b%3A1", NULL, 200,
                  "params a=电 x b=b:1 body=none user=rest@127.0.0.1");
  assert_request (f, "GET", "/x/1/y/fixed", NULL, 200,
                  "literal a=1 b=(null) body=none user=rest@127.0.0.1");
  assert_request (f, "POST", "/x/1/y/fixed", "{\"user\":\"alice\",\"v\":[1.0,null]}", 200,
                  "post a=1 b=fixed body={\"user\":\"alice\",\"v\":[1.0,null]} user=alice");
  assert_request (f, "POST", "/x/1/y/2", "  \n", 200,
                  "post a=1 b=2 body=none user=rest@127.0.0.1");
  assert_request (f, "GET", "/slow", NULL, 202, "later");
}

static void
test_body_limit (Fixture       *f,
                 gconstpointer  data)
{
  gsize size = DC_SERVER_MAX_BODY + 1;
  g_autofree char *big = g_malloc (size);
  g_autofree char *exact = NULL;
  g_autoptr(DcReply) r = NULL;
  g_autoptr(DcReply) r2 = NULL;
  g_autofree char *before = dump (f->store);
  g_autofree char *after = NULL;

  /* Over the limit: refused before the body is read. */
  memset (big, ' ', size);
  big[0] = '[';
  big[size - 1] = ']';
  r = dc_http_full (f->base, "POST", "/api/v2/devices", big, size, NULL);
  dc_assert_reply (r, 413, "request body too large!");

  /* Chunked (no length up front): read, then refused the same way. */
  {
    g_autofree char *uri = g_strconcat (f->base, "/api/v2/devices", NULL);
    g_autoptr(SoupMessage) msg = soup_message_new ("POST", uri);
    g_autoptr(GInputStream) stream =
      g_memory_input_stream_new_from_data (g_memdup2 (big, size), size, g_free);
    g_autoptr(GBytes) bytes = NULL;

    soup_message_set_request_body (msg, "application/json", stream, -1);
    bytes = dc_test_send (msg);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 413);
    g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_request_headers (msg),
                                                   "Transfer-Encoding"), ==, "chunked");
  }

  /* Exactly 8 MiB is accepted (an array of one device padded with spaces). */
  exact = g_malloc (DC_SERVER_MAX_BODY);
  memset (exact, ' ', DC_SERVER_MAX_BODY);
  memcpy (exact, "[{\"id\":\"big\",\"protocol\":\"virtual\"}", strlen ("[{\"id\":\"big\","
    "\"protocol\":\"virtual\"}"));
  exact[DC_SERVER_MAX_BODY - 1] = ']';
  r2 = dc_http_full (f->base, "POST", "/api/v2/devices", exact, DC_SERVER_MAX_BODY, NULL);
  dc_assert_reply (r2, 200, "");

  after = dump (f->store);
  g_assert_cmpstr (before, !=, after);
  assert_get (f, "/api/v1/devices", "[\"big\"]");
}

/* The token file on a non-loopback bind (0.0.0.0, reached through 127.0.0.1): every route
 * but GET / needs the bearer token, which acts as admin (docs/security.md). */
static void
test_token (void)
{
  Fixture fixture = { 0 };
  Fixture *f = &fixture;
  g_autoptr(DcReply) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DcServer) open_server = dc_server_new (NULL);

  /* Without a token or users a non-loopback bind is refused. */
  g_assert_false (dc_server_listen (open_server, "0.0.0.0", 0, &error));
  g_assert_error (error, DC_ERROR, DC_ERROR_FORBIDDEN);
  g_assert_cmpstr (error->message, ==, "refusing to listen on 0.0.0.0 without users or a token file");
  g_clear_error (&error);
  g_assert_false (dc_server_listen (open_server, "not-an-address", 0, &error));
  g_assert_error (error, DC_ERROR, DC_ERROR_INVALID);

  fixture_open (f, "0.0.0.0", "s3cret-token");

  r = dc_http_full (f->base, "POST", "/api/v1/devices", "{\"id\":\"a\",\"protocol\":\"virtual\"}",
    -1, NULL);
  dc_assert_reply (r, 401, "authentication required!");
  dc_reply_free (r);
  r = dc_http_full (f->base, "POST", "/api/v1/devices", "{\"id\":\"a\",\"protocol\":\"virtual\"}",
    -1, "wrong");
  dc_assert_reply (r, 401, "authentication required!");
  dc_reply_free (r);
  r = dc_http_full (f->base, "POST", "/api/v1/devices", "{\"id\":\"a\",\"protocol\":\"virtual\"}",
    -1, "s3cret-token-and-more");
  dc_assert_reply (r, 401, "authentication required!");
  dc_reply_free (r);
  r = dc_http_full (f->base, "DELETE", "/api/v1/devices/a", NULL, -1, NULL);
  dc_assert_reply (r, 401, "authentication required!");
  dc_reply_free (r);
  r = dc_http_full (f->base, "PUT", "/api/v1/devices/a", "{}", -1, "s3cret");
  dc_assert_reply (r, 401, "authentication required!");
  dc_reply_free (r);
  /* Reads need the token too; the index does not. */
  r = dc_http_full (f->base, "GET", "/api/v1/devices", NULL, -1, NULL);
  dc_assert_reply (r, 401, "authentication required!");
  dc_reply_free (r);
  r = dc_http_full (f->base, "GET", "/", NULL, -1, NULL);
  g_assert_cmpuint (r->status, ==, 200);
  dc_reply_free (r);

  r = dc_http_full (f->base, "POST", "/api/v1/devices", "{\"id\":\"a\",\"protocol\":\"virtual\"}",
    -1, "s3cret-token");
  dc_assert_reply (r, 200, "");
  dc_reply_free (r);
  r = dc_http_full (f->base, "GET", "/api/v1/devices", NULL, -1, "s3cret-token");
  dc_assert_reply (r, 200, "[\"a\"]");
  dc_reply_free (r);
  r = dc_http_full (f->base, "DELETE", "/api/v1/devices/a", NULL, -1, "s3cret-token");
  dc_assert_reply (r, 200, "");

  fixture_teardown (f, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_protocols_register_all ();

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/dc/rest/index", test_index);
  ADD ("/dc/rest/index-host-header", test_index_host_header);
  ADD ("/dc/rest/catalogues", test_catalogues);
  ADD ("/dc/rest/routing", test_routing);
  ADD ("/dc/rest/custom-routes", test_custom_routes);
  ADD ("/dc/rest/body-limit", test_body_limit);
#undef ADD
  g_test_add_func ("/dc/rest/token", test_token);

  return g_test_run ();
}
