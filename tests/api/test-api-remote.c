/* test-api-remote.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* What a remote workstation needs from the REST interface (docs/rest.md): the whole
 * configuration in one answer (GET /api/v1/project), its import (POST /api/v1/project) and a
 * control's steps on the stream
 * (device_ctrl with "request"). The real datacoll binary, a real Modbus simulator. */

#define G_LOG_DOMAIN "test-api-remote"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "dc-test-http.h"
#include "dc-test-server.h"
#include "dc-test-sim.h"
#include "dc-test-wait.h"

typedef struct
{
  char         *dir;
  DcTestSim    *sim;
  DcTestServer *server;
} Fixture;

static void
post (Fixture    *fx,
      const char *path,
      const char *body)
{
  g_autoptr(DcReply) reply = dc_http (fx->server->base, "POST", path, body);

  if (reply->status != 200)
    g_error ("POST %s %s: %u %s", path, body, reply->status, reply->body);
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autofree char *db = NULL;
  g_autofree char *device = NULL;

  fx->dir = dc_test_make_dir ();
  db = g_build_filename (fx->dir, "server.db", NULL);
  fx->sim = dc_test_sim_spawn ("--port", "0", "--static", NULL);
  fx->server = dc_test_server_start ((const char *[]) { "--server", "--port", "0", "--db", db,
                                                        NULL });
  device = g_strdup_printf ("{\"id\":\"m\",\"protocol\":\"modbus_tcp\",\"ip\":\"127.0.0.1\","
                            "\"port\":%u,\"poll_ms\":200}", fx->sim->ports[0]);
  post (fx, "/api/v1/devices", device);
  post (fx, "/api/v1/terms", "{\"id\":\"t1\",\"device_id\":\"m\",\"address\":1}");
  post (fx, "/api/v1/items", "{\"id\":\"r0\",\"name\":\"Register 0\"}");
  post (fx, "/api/v1/terms/t1/items",
        "{\"item_id\":\"r0\",\"protocol_code\":0,\"code_type\":\"hr:u16\"}");
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  dc_test_server_stop (fx->server);
  dc_test_sim_kill (fx->sim);
  g_free (fx->dir);
}

static JsonArray *
section (JsonObject *project,
         const char *name)
{
  g_assert_true (json_object_has_member (project, name));
  return json_object_get_array_member (project, name);
}

/* GET /api/v1/project: every section, the objects as stored (ids as strings). */
static void
test_project (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(DcReply) reply = dc_http (fx->server->base, "GET", "/api/v1/project", NULL);
  g_autoptr(JsonNode) root = NULL;
  JsonObject *project, *device, *point;

  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_nonnull (strstr (reply->content_type, "application/json"));
  root = json_from_string (reply->body, NULL);
  g_assert_nonnull (root);
  project = json_node_get_object (root);
  g_assert_cmpuint (json_array_get_length (section (project, "devices")), ==, 1);
  g_assert_cmpuint (json_array_get_length (section (project, "terms")), ==, 1);
  g_assert_cmpuint (json_array_get_length (section (project, "items")), ==, 1);
  g_assert_cmpuint (json_array_get_length (section (project, "points")), ==, 1);
  g_assert_cmpuint (json_array_get_length (section (project, "formulas")), ==, 0);
  device = json_array_get_object_element (section (project, "devices"), 0);
  g_assert_cmpstr (json_object_get_string_member (device, "id"), ==, "m");
  g_assert_cmpstr (json_object_get_string_member (device, "protocol"), ==, "modbus_tcp");
  point = json_array_get_object_element (section (project, "points"), 0);
  g_assert_cmpstr (json_object_get_string_member (point, "term_id"), ==, "t1");
  g_assert_cmpstr (json_object_get_string_member (point, "item_id"), ==, "r0");
  g_assert_cmpstr (json_object_get_string_member (point, "code_type"), ==, "hr:u16");

  /* A change shows in the next answer. */
  post (fx, "/api/v1/items", "{\"id\":\"r1\"}");
  g_clear_pointer (&reply, dc_reply_free);
  reply = dc_http (fx->server->base, "GET", "/api/v1/project", NULL);
  g_assert_nonnull (strstr (reply->body, "\"r1\""));
}

typedef struct
{
  SoupWebsocketConnection *conn;
  GPtrArray               *controls;   /* JsonObject of {"type":"control"} */
} Stream;

static void
stream_message_cb (SoupWebsocketConnection *conn,
                   gint                     type,
                   GBytes                  *message,
                   Stream                  *s)
{
  g_autoptr(JsonNode) node = json_from_string (g_bytes_get_data (message, NULL), NULL);
  JsonObject *object = node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

  if (object != NULL &&
      g_strcmp0 (json_object_get_string_member_with_default (object, "type", ""), "control") == 0)
    g_ptr_array_add (s->controls, json_object_ref (object));
}

static void
stream_ready_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Stream *s = user_data;
  g_autoptr(GError) error = NULL;

  s->conn = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);
  g_assert_no_error (error);
  g_signal_connect (s->conn, "message", G_CALLBACK (stream_message_cb), s);
  soup_websocket_connection_send_text (s->conn, "{\"subscribe\":[\"*\"]}");
}

static gboolean
has_step (Stream     *s,
          const char *request,
          const char *step)
{
  for (guint i = 0; i < s->controls->len; i++)
    {
      JsonObject *o = g_ptr_array_index (s->controls, i);

      if (g_strcmp0 (json_object_get_string_member (o, "request"), request) == 0 &&
          (step == NULL || g_strcmp0 (json_object_get_string_member (o, "step"), step) == 0))
        return TRUE;
    }
  return FALSE;
}

/* device_ctrl with "request": the steps of the control on the stream, each with the request
 * id and the device; without it, none; a request that is no short string: 400. */
static void
test_control_steps (Fixture       *fx,
                    gconstpointer  data)
{
  Stream s = { NULL, g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref) };
  g_autofree char *uri = g_strconcat ("ws", fx->server->base + 4, "/api/v1/stream", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
  g_autoptr(DcReply) reply = NULL;
  g_autoptr(DcReply) plain = NULL;
  g_autoptr(DcReply) bad = NULL;
  g_autoptr(DcReply) long_request = NULL;
  g_autofree char *too_long = g_strnfill (65, 'x');
  g_autofree char *body = NULL;

  soup_session_websocket_connect_async (dc_test_session (), msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        NULL, stream_ready_cb, &s);
  DC_TEST_WAIT_UNTIL (s.conn != NULL, 20);
  /* The link is up (the control would say offline otherwise). */
  DC_TEST_WAIT_UNTIL (({ g_autoptr(DcReply) r = dc_http (fx->server->base, "GET",
                                                         "/api/v1/devices/m/status", NULL);
                         strstr (r->body, "\"state\":\"up\"") != NULL; }), 20);

  reply = dc_http (fx->server->base, "POST", "/api/v1/device_ctrl",
                   "{\"device_id\":\"m\",\"term_id\":\"t1\",\"item_id\":\"r0\",\"value\":77,"
                   "\"request\":\"desk-1\"}");
  g_assert_cmpuint (reply->status, ==, 200);
  DC_TEST_WAIT_UNTIL (has_step (&s, "desk-1", "confirmed"), 20);
  for (guint i = 0; i < s.controls->len; i++)
    g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (s.controls, i),
                                                    "device_id"), ==, "m");

  /* Without a request id nothing is sent: the next control's steps are only desk-2's. */
  plain = dc_http (fx->server->base, "POST", "/api/v1/device_ctrl",
                   "{\"device_id\":\"m\",\"term_id\":\"t1\",\"item_id\":\"r0\",\"value\":78}");
  g_assert_cmpuint (plain->status, ==, 200);
  g_ptr_array_set_size (s.controls, 0);
  g_clear_pointer (&reply, dc_reply_free);
  reply = dc_http (fx->server->base, "POST", "/api/v1/device_ctrl",
                   "{\"device_id\":\"m\",\"term_id\":\"t1\",\"item_id\":\"r0\",\"value\":79,"
                   "\"request\":\"desk-2\"}");
  DC_TEST_WAIT_UNTIL (has_step (&s, "desk-2", "confirmed"), 20);
  for (guint i = 0; i < s.controls->len; i++)
    g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (s.controls, i),
                                                    "request"), ==, "desk-2");

  bad = dc_http (fx->server->base, "POST", "/api/v1/device_ctrl",
                 "{\"device_id\":\"m\",\"term_id\":\"t1\",\"item_id\":\"r0\",\"value\":1,"
                 "\"request\":5}");
  dc_assert_reply (bad, 400, "field request must be a string of 1-64 characters");
  body = g_strdup_printf ("{\"device_id\":\"m\",\"term_id\":\"t1\",\"item_id\":\"r0\","
                          "\"value\":1,\"request\":\"%s\"}", too_long);
  long_request = dc_http (fx->server->base, "POST", "/api/v1/device_ctrl", body);
  dc_assert_reply (long_request, 400, "field request must be a string of 1-64 characters");

  soup_websocket_connection_close (s.conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  DC_TEST_WAIT_UNTIL (soup_websocket_connection_get_state (s.conn) == SOUP_WEBSOCKET_STATE_CLOSED, 10);
  g_object_unref (s.conn);
  g_ptr_array_unref (s.controls);
}

/* POST /api/v1/project: a preview changes nothing and says what would; ?apply=true applies all
 * or nothing; the audit log has one import row; bad parameters and bodies are 400 with their
 * text. */
static void
test_import (Fixture       *fx,
             gconstpointer  data)
{
  const char *project = "{\"items\":[{\"id\":\"r0\",\"name\":\"Register 0\"},"
                        "{\"id\":\"r5\",\"name\":\"Register 5\"}],"
                        "\"points\":[{\"term_id\":\"t1\",\"item_id\":\"r5\","
                        "\"protocol_code\":5,\"code_type\":\"hr:u16\"}]}";
  const char *bad = "{\"devices\":[{\"id\":\"m\",\"port\":70000}],"
                    "\"items\":[{\"id\":\"r6\",\"name\":\"Register 6\"}]}";

  {
    g_autoptr(DcReply) reply = dc_http (fx->server->base, "POST", "/api/v1/project", project);
    g_autoptr(DcReply) item = dc_http (fx->server->base, "GET", "/api/v1/items/r5", NULL);

    g_assert_cmpuint (reply->status, ==, 200);
    g_assert_cmpstr (reply->body, ==,
                     "{\"applied\":false,\"rows\":["
                     "{\"kind\":\"item\",\"index\":0,\"id\":\"r0\",\"action\":\"unchanged\"},"
                     "{\"kind\":\"item\",\"index\":1,\"id\":\"r5\",\"action\":\"create\"},"
                     "{\"kind\":\"point\",\"index\":0,\"id\":\"t1:r5\",\"action\":\"create\"}]}");
    g_assert_cmpuint (item->status, ==, 404);
  }
  {
    g_autoptr(DcReply) reply = dc_http (fx->server->base, "POST", "/api/v1/project?apply=true",
                                        project);
    g_autoptr(DcReply) point = dc_http (fx->server->base, "GET", "/api/v1/terms/t1/items/r5",
                                        NULL);
    g_autoptr(DcReply) audit = dc_http (fx->server->base, "GET", "/api/v1/audit?action=import",
                                        NULL);

    g_assert_cmpuint (reply->status, ==, 200);
    g_assert_true (g_str_has_prefix (reply->body, "{\"applied\":true,"));
    g_assert_cmpuint (point->status, ==, 200);
    g_assert_nonnull (strstr (audit->body, "\"action\":\"import\""));
  }
  /* A failing row: nothing of the project is applied (r6 stays unknown). */
  {
    g_autoptr(DcReply) reply = dc_http (fx->server->base, "POST", "/api/v1/project?apply=true",
                                        bad);
    g_autoptr(DcReply) item = dc_http (fx->server->base, "GET", "/api/v1/items/r6", NULL);

    g_test_message ("%s", reply->body);
    g_assert_cmpuint (reply->status, ==, 200);
    g_assert_true (g_str_has_prefix (reply->body, "{\"applied\":false,"));
    g_assert_nonnull (strstr (reply->body, "\"action\":\"error\",\"error\":\"field port"));
    g_assert_cmpuint (item->status, ==, 404);
  }
  {
    g_autoptr(DcReply) r1 = dc_http (fx->server->base, "POST", "/api/v1/project?apply=yes", project);
    g_autoptr(DcReply) r2 = dc_http (fx->server->base, "POST", "/api/v1/project", "[1]");

    g_assert_cmpuint (r1->status, ==, 400);
    g_assert_cmpstr (r1->body, ==, "parameter apply must be true or false");
    g_assert_cmpuint (r2->status, ==, 400);
    g_assert_cmpstr (r2->body, ==, "the body must be a project object");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/api/remote/project", Fixture, NULL, fixture_setup, test_project,
              fixture_teardown);
  g_test_add ("/api/remote/import", Fixture, NULL, fixture_setup, test_import, fixture_teardown);
  g_test_add ("/api/remote/control-steps", Fixture, NULL, fixture_setup, test_control_steps,
              fixture_teardown);

  return g_test_run ();
}
