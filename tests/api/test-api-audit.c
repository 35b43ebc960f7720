/* test-api-audit.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The audit log over real HTTP: every kind of action made through REST leaves its row with
 * the user, role and source of the request (the authenticated user the accounts code puts on
 * the message, else "local" with the peer as source), and GET /api/v1/audit answers them
 * with its filters, as JSON and CSV. Store, history, engine, alarm plugin and server in
 * process on 127.0.0.1 port 0.
 */

#define G_LOG_DOMAIN "test-api-audit"

#include "config.h"

#include <string.h>

#include "dc-alarm.h"
#include "dc-api.h"
#include "dc-audit.h"
#include "dc-routes.h"

#include "dc-protocols.h"
#include "dc-test-http.h"
#include "dc-test-store.h"
#include "dc-time.h"

typedef struct
{
  DcStore   *store;
  DcHistory *history;
  DcEngine  *engine;
  DcAlarm   *alarm;
  DcServer  *server;
  char      *base;
} Fixture;

/* What the accounts code does after it authenticated a request: the user and role as object
 * data of the message. Here a test header names them. */
static void
got_headers_cb (SoupServerMessage *msg,
                gpointer           user_data)
{
  const char *who = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                  "X-Test-User");

  if (who != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (who, "/", 2);

      g_object_set_data_full (G_OBJECT (msg), "dc-auth-user", g_strdup (parts[0]), g_free);
      g_object_set_data_full (G_OBJECT (msg), "dc-auth-role", g_strdup (parts[1]), g_free);
    }
}

static void
request_started_cb (SoupServer        *soup,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  g_signal_connect (msg, "got-headers", G_CALLBACK (got_headers_cb), NULL);
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *alarms = NULL;

  dc_protocols_register_all ();
  dc_test_open_store_and_history (&fx->store, &fx->history);
  dc_test_store_create (fx->store, DC_KIND_DEVICE, "{\"id\":\"v\",\"protocol\":\"virtual\"}");
  dc_test_store_create (fx->store, DC_KIND_TERM, "{\"id\":\"t1\",\"device_id\":\"v\"}");
  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\":\"temp\"}");
  dc_test_store_create (fx->store, DC_KIND_POINT,
                        "{\"term_id\":\"t1\",\"item_id\":\"temp\",\"up_limit\":100}");

  fx->engine = dc_engine_new (fx->store, fx->history);
  alarms = dc_alarm_path_for_config (dc_store_get_path (fx->store));
  fx->alarm = dc_alarm_new_for_engine (fx->engine, alarms, &error);
  g_assert_no_error (error);
  dc_alarm_start (fx->alarm);
  dc_engine_start (fx->engine);
  fx->server = dc_server_new (fx->store);
  dc_api_add_config_routes (fx->server);
  dc_api_add_control_routes (fx->server, fx->engine);
  dc_api_add_alarm_routes (fx->server, fx->alarm);
  dc_api_add_audit_route (fx->server);
  g_signal_connect (dc_server_get_soup_server (fx->server), "request-started",
                    G_CALLBACK (request_started_cb), NULL);
  dc_server_listen (fx->server, "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  fx->base = g_strdup_printf ("http://127.0.0.1:%u", dc_server_get_port (fx->server));
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  dc_server_disconnect (fx->server);
  g_assert_finalize_object (fx->server);
  g_clear_object (&fx->alarm);
  dc_engine_shutdown (fx->engine);
  g_assert_finalize_object (fx->engine);
  dc_test_release_history (fx->history);
  g_clear_object (&fx->store);
  g_free (fx->base);
}

static DcReply *
request_as (Fixture    *fx,
            const char *who,
            const char *method,
            const char *path,
            const char *body)
{
  g_autofree char *uri = g_strconcat (fx->base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GBytes) answer = NULL;
  DcReply *reply = g_new0 (DcReply, 1);
  gsize length;

  if (who != NULL)
    soup_message_headers_append (soup_message_get_request_headers (msg), "X-Test-User", who);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  answer = dc_test_send (msg);
  reply->status = soup_message_get_status (msg);
  reply->body = g_strndup (g_bytes_get_size (answer) > 0 ? g_bytes_get_data (answer, &length)
                                                          : "", g_bytes_get_size (answer));
  length = g_bytes_get_size (answer);
  reply->length = length;
  reply->content_type = g_strdup (soup_message_headers_get_one (
                                    soup_message_get_response_headers (msg), "Content-Type"));
  return reply;
}

/* GET /api/v1/audit?@query as rows (JSON objects), newest first. */
static JsonArray *
audit (Fixture    *fx,
       const char *query)
{
  g_autofree char *path = g_strconcat ("/api/v1/audit", query[0] ? "?" : "", query, NULL);
  g_autoptr(DcReply) r = dc_http (fx->base, "GET", path, NULL);
  g_autoptr(JsonNode) node = NULL;

  if (r->status != 200)
    g_error ("GET %s: %u %s", path, r->status, r->body);
  g_assert_cmpstr (r->content_type, ==, "application/json; charset=utf-8");
  node = json_from_string (r->body, NULL);
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  return json_array_ref (json_node_get_array (node));
}

static JsonObject *
row (JsonArray *rows,
     guint      i)
{
  g_assert_cmpuint (i, <, json_array_get_length (rows));
  return json_array_get_object_element (rows, i);
}

/* Asserts status and body, and frees @reply. */
static void
check (DcReply    *reply,
       guint       status,
       const char *body)
{
  dc_assert_reply (reply, status, body);
  dc_reply_free (reply);
}

static const char *
field (JsonArray  *rows,
       guint       i,
       const char *name)
{
  return json_object_get_string_member (row (rows, i), name);
}

static char *
detail_text (JsonArray *rows,
             guint      i)
{
  g_autoptr(JsonNode) node = json_node_copy (json_object_get_member (row (rows, i), "detail"));

  return json_to_string (node, FALSE);
}

static void
assert_peer (const char *source)
{
  guint64 port = 0;

  g_assert_true (g_str_has_prefix (source, "127.0.0.1:"));
  g_assert_true (g_ascii_string_to_unsigned (source + strlen ("127.0.0.1:"), 10, 1, 65535,
                                             &port, NULL));
}

static gboolean
alarm_active (gpointer data)
{
  Fixture *fx = data;
  gint64 key = dc_store_get_point_key (fx->store, "t1", "temp");

  return dc_alarm_find (fx->alarm, key, "high") != 0;
}

static void
test_actions (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(JsonArray) rows = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *ack_path = NULL;
  g_autofree char *shelve_body = NULL;
  g_autofree char *until = NULL;
  g_autofree char *since = NULL;
  g_autofree char *since_query = NULL;
  gint64 alarm_id;
  gint64 deadline;

  /* The rows of the fixture's set-up are older. */
  since = dc_time_format (g_get_real_time ());
  since_query = g_strconcat ("from=", since, NULL);

  /* Configuration: create as an authenticated admin, update and delete in open mode. */
  check (request_as (fx, "ann/admin", "POST", "/api/v1/devices",
                               "{\"id\":\"d2\",\"protocol\":\"virtual\"}"), 200, "");
  check (dc_http (fx->base, "PUT", "/api/v1/devices/d2", "{\"name\":\"Pump 2\"}"),
                   200, "");
  check (dc_http (fx->base, "DELETE", "/api/v1/devices/nope", NULL), 404,
                   "device_id not found!");
  check (dc_http (fx->base, "PUT", "/api/v1/terms/t1/items/temp",
                            "{\"up_limit\":90}"), 200, "");
  check (request_as (fx, "eve/engineer", "POST", "/api/v2/items",
                               "[{\"id\":\"a\"},{\"id\":\"b\"}]"), 200, "");
  check (dc_http (fx->base, "DELETE", "/api/v1/devices/d2", NULL), 200, "");

  rows = audit (fx, since_query);
  g_assert_cmpuint (json_array_get_length (rows), ==, 6);
  g_assert_cmpstr (field (rows, 5, "action"), ==, "device.create");
  g_assert_cmpstr (field (rows, 5, "user"), ==, "ann");
  g_assert_cmpstr (field (rows, 5, "role"), ==, "admin");
  assert_peer (field (rows, 5, "source"));
  g_assert_cmpstr (field (rows, 5, "target"), ==, "d2");
  g_assert_cmpstr (field (rows, 5, "result"), ==, "ok");
  detail = detail_text (rows, 5);
  g_assert_cmpstr (detail, ==, "{\"entity\":\"device\",\"id\":\"d2\","
                   "\"new\":{\"protocol\":\"virtual\",\"id\":\"d2\"}}");
  g_clear_pointer (&detail, g_free);

  g_assert_cmpstr (field (rows, 4, "action"), ==, "device.update");
  g_assert_cmpstr (field (rows, 4, "user"), ==, "local");
  g_assert_cmpstr (field (rows, 4, "role"), ==, "");
  assert_peer (field (rows, 4, "source"));
  detail = detail_text (rows, 4);
  g_assert_cmpstr (detail, ==, "{\"entity\":\"device\",\"id\":\"d2\","
                   "\"old\":{\"protocol\":\"virtual\",\"id\":\"d2\"},"
                   "\"new\":{\"protocol\":\"virtual\",\"name\":\"Pump 2\",\"id\":\"d2\"}}");
  g_clear_pointer (&detail, g_free);

  g_assert_cmpstr (field (rows, 3, "action"), ==, "device.delete");
  g_assert_cmpstr (field (rows, 3, "target"), ==, "nope");
  g_assert_cmpstr (field (rows, 3, "result"), ==, "device_id not found!");

  g_assert_cmpstr (field (rows, 2, "action"), ==, "point.update");
  g_assert_cmpstr (field (rows, 2, "target"), ==, "v:t1:temp");
  {
    JsonObject *d = json_object_get_object_member (row (rows, 2), "detail");

    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (d, "old"),
                                                 "up_limit"), ==, 100);
    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (d, "new"),
                                                 "up_limit"), ==, 90);
    g_assert_cmpstr (json_object_get_string_member (d, "id"), ==, "t1:temp");
  }

  g_assert_cmpstr (field (rows, 1, "action"), ==, "item.create");
  g_assert_cmpstr (field (rows, 1, "user"), ==, "eve");
  g_assert_cmpstr (field (rows, 1, "role"), ==, "engineer");
  detail = detail_text (rows, 1);
  g_assert_cmpstr (detail, ==, "{\"entity\":\"item\",\"count\":2,\"ids\":[\"a\",\"b\"],"
                   "\"new\":[{\"id\":\"a\"},{\"id\":\"b\"}]}");
  g_clear_pointer (&detail, g_free);

  g_assert_cmpstr (field (rows, 0, "action"), ==, "device.delete");
  g_assert_cmpstr (field (rows, 0, "result"), ==, "ok");
  detail = detail_text (rows, 0);
  g_assert_cmpstr (detail, ==, "{\"entity\":\"device\",\"id\":\"d2\","
                   "\"old\":{\"protocol\":\"virtual\",\"name\":\"Pump 2\",\"id\":\"d2\"}}");
  g_clear_pointer (&detail, g_free);
  g_clear_pointer (&rows, json_array_unref);

  /* A control: requested and its outcome, with the name the body gave. It raises the high
   * alarm (limit 90). */
  {
    g_autoptr(DcReply) r = request_as (fx, "olga/operator", "POST", "/api/v1/device_ctrl",
                                       "{\"device_id\":\"v\",\"term_id\":\"t1\","
                                       "\"item_id\":\"temp\",\"value\":120,"
                                       "\"user\":\"shift 2\"}");

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_nonnull (strstr (r->body, "\"value\":120.0"));
  }
  check (request_as (fx, "olga/operator", "POST", "/api/v1/device_ctrl",
                               "{\"device_id\":\"v\",\"term_id\":\"t1\",\"item_id\":\"nope\","
                               "\"value\":1}"), 404, "item_id not found!");
  rows = audit (fx, "action=control");
  g_assert_cmpuint (json_array_get_length (rows), ==, 3);
  g_assert_cmpstr (field (rows, 0, "action"), ==, "control.request");
  g_assert_cmpstr (field (rows, 0, "target"), ==, "v:t1:nope");
  g_assert_cmpstr (field (rows, 0, "result"), ==, "item_id not found!");
  g_assert_cmpstr (field (rows, 1, "action"), ==, "control.result");
  g_assert_cmpstr (field (rows, 1, "user"), ==, "olga");
  g_assert_cmpstr (field (rows, 1, "role"), ==, "operator");
  assert_peer (field (rows, 1, "source"));
  g_assert_cmpstr (field (rows, 1, "result"), ==, "ok");
  detail = detail_text (rows, 1);
  g_assert_cmpstr (detail, ==, "{\"value\":120.0,\"confirmed\":120.0,\"by\":\"shift 2\"}");
  g_clear_pointer (&detail, g_free);
  g_assert_cmpstr (field (rows, 2, "action"), ==, "control.request");
  g_assert_cmpstr (field (rows, 2, "result"), ==, "ok");
  g_clear_pointer (&rows, json_array_unref);

  /* Alarms: acknowledge (and once more: nothing to acknowledge), shelve. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!alarm_active (fx) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  alarm_id = dc_alarm_find (fx->alarm, dc_store_get_point_key (fx->store, "t1", "temp"), "high");
  g_assert_cmpint (alarm_id, >, 0);
  ack_path = g_strdup_printf ("/api/v1/alarms/%" G_GINT64_FORMAT "/ack", alarm_id);
  check (request_as (fx, "olga/operator", "POST", ack_path, "{\"comment\":\"seen\"}"),
                   200, "");
  {
    g_autoptr(DcReply) again = request_as (fx, "olga/operator", "POST", ack_path, "{}");

    g_assert_cmpuint (again->status, ==, 400);
  }
  until = dc_time_format (g_get_real_time () + (gint64) 3600 * G_USEC_PER_SEC);
  shelve_body = g_strdup_printf ("{\"until\":\"%s\",\"comment\":\"sensor swap\"}", until);
  ack_path[strlen (ack_path) - strlen ("ack")] = '\0';
  {
    g_autofree char *shelve_path = g_strconcat (ack_path, "shelve", NULL);

    check (request_as (fx, "olga/operator", "POST", shelve_path, shelve_body), 200,
                     "");
  }
  rows = audit (fx, "action=alarm");
  g_assert_cmpuint (json_array_get_length (rows), ==, 3);
  g_assert_cmpstr (field (rows, 0, "action"), ==, "alarm.shelve");
  g_assert_cmpstr (field (rows, 0, "target"), ==, "v:t1:temp");
  detail = detail_text (rows, 0);
  {
    g_autofree char *want = g_strdup_printf ("{\"alarm_id\":%" G_GINT64_FORMAT ","
                                             "\"condition\":\"high\",\"comment\":\"sensor swap\","
                                             "\"until\":\"%s\"}", alarm_id, until);

    g_assert_cmpstr (detail, ==, want);
  }
  g_clear_pointer (&detail, g_free);
  g_assert_cmpstr (field (rows, 1, "action"), ==, "alarm.ack");
  g_assert_true (g_str_has_prefix (field (rows, 1, "result"), "alarm "));
  g_assert_true (g_str_has_suffix (field (rows, 1, "result"), " has nothing to acknowledge"));
  g_assert_cmpstr (field (rows, 2, "action"), ==, "alarm.ack");
  g_assert_cmpstr (field (rows, 2, "user"), ==, "olga");
  g_assert_cmpstr (field (rows, 2, "result"), ==, "ok");
  g_clear_pointer (&rows, json_array_unref);

  /* An applied import (the workstation's import dialog calls the store): its own row. */
  {
    g_autoptr(JsonObject) project = dc_test_json_object ("{\"items\":[{\"id\":\"c\"},"
                                                         "{\"id\":\"a\",\"name\":\"A\"}]}");
    g_autoptr(GPtrArray) result = NULL;
    g_autoptr(GError) error = NULL;
    gboolean applied = FALSE;

    result = dc_store_import (fx->store, project, TRUE, &applied, &error);
    g_assert_no_error (error);
    g_assert_true (applied);
    rows = audit (fx, "action=import");
    g_assert_cmpuint (json_array_get_length (rows), ==, 1);
    detail = detail_text (rows, 0);
    g_assert_cmpstr (detail, ==, "{\"applied\":true,\"created\":1,\"updated\":1,\"unchanged\":0,"
                     "\"errors\":0,\"changes\":[{\"entity\":\"item\",\"id\":\"c\","
                     "\"action\":\"create\"},{\"entity\":\"item\",\"id\":\"a\","
                     "\"action\":\"update\"}]}");
    g_clear_pointer (&rows, json_array_unref);
  }
}

/* POST /api/v1/alarms/ack (the Alarms page's Acknowledge All on a server's desk): a precise 400
 * and 404 before anything is acknowledged, then every alarm waiting for it, each with its audit
 * row as the request's user; a second call finds nothing left. */
static void
test_ack_many (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(JsonArray) rows = NULL;
  g_autofree char *want = NULL;
  gint64 alarm_id;
  gint64 deadline;

  {
    g_autoptr(DcReply) r = request_as (fx, "olga/operator", "POST", "/api/v1/device_ctrl",
                                       "{\"device_id\":\"v\",\"term_id\":\"t1\","
                                       "\"item_id\":\"temp\",\"value\":120}");

    g_assert_cmpuint (r->status, ==, 200);
  }
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!alarm_active (fx) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  alarm_id = dc_alarm_find (fx->alarm, dc_store_get_point_key (fx->store, "t1", "temp"), "high");
  g_assert_cmpint (alarm_id, >, 0);
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, alarm_id), ==, DC_ALARM_ACTIVE_UNACKED);

  check (request_as (fx, "olga/operator", "POST", "/api/v1/alarms/ack", "{\"ids\":\"all\"}"),
         400, "field ids must be an array of alarm ids");
  check (request_as (fx, "olga/operator", "POST", "/api/v1/alarms/ack", "{\"ids\":[0]}"),
         400, "field ids must be an array of alarm ids");
  check (request_as (fx, "olga/operator", "POST", "/api/v1/alarms/ack", "{\"ids\":[987654]}"),
         404, "alarm_id not found!");
  check (request_as (fx, "olga/operator", "POST", "/api/v1/alarms/ack", "[]"),
         400, "request body must be a JSON object");
  check (request_as (fx, "olga/operator", "POST", "/api/v1/alarms/ack", "{\"ids\":[]}"),
         200, "{\"acknowledged\":[]}");
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, alarm_id), ==, DC_ALARM_ACTIVE_UNACKED);

  want = g_strdup_printf ("{\"acknowledged\":[%" G_GINT64_FORMAT "]}", alarm_id);
  check (request_as (fx, "olga/operator", "POST", "/api/v1/alarms/ack",
                     "{\"comment\":\"all seen\"}"), 200, want);
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, alarm_id), ==, DC_ALARM_ACTIVE_ACKED);
  check (request_as (fx, "olga/operator", "POST", "/api/v1/alarms/ack", NULL),
         200, "{\"acknowledged\":[]}");

  rows = audit (fx, "action=alarm.ack");
  g_assert_cmpuint (json_array_get_length (rows), ==, 1);
  g_assert_cmpstr (field (rows, 0, "user"), ==, "olga");
  g_assert_cmpstr (field (rows, 0, "role"), ==, "operator");
  g_assert_cmpstr (field (rows, 0, "target"), ==, "v:t1:temp");
  g_assert_cmpstr (field (rows, 0, "result"), ==, "ok");
}

static void
test_route (Fixture       *fx,
            gconstpointer  data)
{
  g_autoptr(DcAuditActor) ann = dc_audit_actor_new ("ann", "admin", "10.1.2.3:5000");
  g_autoptr(DcAuditActor) bob = dc_audit_actor_new ("bob", "operator", "gui");
  DcAudit *log = dc_store_get_audit (fx->store);
  g_autoptr(JsonArray) rows = NULL;
  gint64 t0 = 1764000000000000;  /* 2025-11-24T16:00:00Z; the set-up's rows are newer */

  dc_audit_record_json (log, t0, ann, "settings.change", "server.port",
                        "{\"old\":\"8080\",\"new\":\"8081\"}", NULL);
  dc_audit_record_json (log, t0 + G_USEC_PER_SEC, bob, "control.request", "v:t1:temp",
                        "{\"value\":1.0}", NULL);
  dc_audit_record_json (log, t0 + 2 * G_USEC_PER_SEC, bob, "control.result", "v:t1:temp",
                        "{\"value\":1.0}", "device v is offline");

  rows = audit (fx, "to=2025-12-01T00:00:00Z");
  g_assert_cmpuint (json_array_get_length (rows), ==, 3);
  g_assert_cmpstr (field (rows, 0, "time"), ==, "2025-11-24T16:00:02.000000Z");
  g_assert_cmpstr (field (rows, 2, "time"), ==, "2025-11-24T16:00:00.000000Z");
  g_clear_pointer (&rows, json_array_unref);

  rows = audit (fx, "user=ann");
  g_assert_cmpuint (json_array_get_length (rows), ==, 1);
  g_assert_cmpstr (field (rows, 0, "action"), ==, "settings.change");
  g_clear_pointer (&rows, json_array_unref);
  rows = audit (fx, "action=control&target=v&limit=1");
  g_assert_cmpuint (json_array_get_length (rows), ==, 1);
  g_assert_cmpstr (field (rows, 0, "result"), ==, "device v is offline");
  g_clear_pointer (&rows, json_array_unref);
  rows = audit (fx, "target=v:t1&to=2025-12-01T00:00:00Z");
  g_assert_cmpuint (json_array_get_length (rows), ==, 2);
  g_clear_pointer (&rows, json_array_unref);
  rows = audit (fx, "from=2025-11-24T16:00:01Z&to=2025-11-24T16:00:02Z");
  g_assert_cmpuint (json_array_get_length (rows), ==, 1);
  g_assert_cmpstr (field (rows, 0, "action"), ==, "control.request");
  g_clear_pointer (&rows, json_array_unref);
  rows = audit (fx, "from=1764000001&text=OFFLINE");
  g_assert_cmpuint (json_array_get_length (rows), ==, 1);
  g_clear_pointer (&rows, json_array_unref);

  /* CSV */
  {
    g_autoptr(DcReply) r = dc_http (fx->base, "GET", "/api/v1/audit?format=csv&user=bob", NULL);

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpstr (r->content_type, ==, "text/csv; charset=utf-8");
    g_assert_cmpstr (r->body, ==,
                     "time,user,role,source,action,target,result,detail\n"
                     "2025-11-24T16:00:02.000000Z,bob,operator,gui,control.result,v:t1:temp,"
                     "device v is offline,\"{\"\"value\"\":1.0}\"\n"
                     "2025-11-24T16:00:01.000000Z,bob,operator,gui,control.request,v:t1:temp,ok,"
                     "\"{\"\"value\"\":1.0}\"\n");
  }

  /* Bad parameters: one line naming the parameter. */
  check (dc_http (fx->base, "GET", "/api/v1/audit?limit=0", NULL), 400,
                   "parameter limit must be an integer between 1 and 100000");
  check (dc_http (fx->base, "GET", "/api/v1/audit?from=soon", NULL), 400,
                   "parameter from must be an RFC 3339 time or seconds since the epoch");
  check (dc_http (fx->base, "GET", "/api/v1/audit?from=2025-11-25T00:00:00Z"
                            "&to=2025-11-24T00:00:00Z", NULL), 400,
                   "parameter to must be later than from");
  check (dc_http (fx->base, "GET", "/api/v1/audit?format=xml", NULL), 400,
                   "parameter format must be json or csv");

  /* The API never changes the audit log. */
  {
    g_autoptr(DcReply) post = dc_http (fx->base, "POST", "/api/v1/audit", "{}");
    g_autoptr(DcReply) put = dc_http (fx->base, "PUT", "/api/v1/audit", "{}");
    g_autoptr(DcReply) del = dc_http (fx->base, "DELETE", "/api/v1/audit", NULL);

    g_assert_cmpuint (post->status, ==, 405);
    g_assert_cmpuint (put->status, ==, 405);
    g_assert_cmpuint (del->status, ==, 405);
  }
  rows = audit (fx, "to=2025-12-01T00:00:00Z");
  g_assert_cmpuint (json_array_get_length (rows), ==, 3);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/dc/api/audit/actions", Fixture, NULL, fixture_setup, test_actions,
              fixture_teardown);
  g_test_add ("/dc/api/audit/ack-many", Fixture, NULL, fixture_setup, test_ack_many,
              fixture_teardown);
  g_test_add ("/dc/api/audit/route", Fixture, NULL, fixture_setup, test_route,
              fixture_teardown);

  return g_test_run ();
}
