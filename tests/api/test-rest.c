/* test-rest.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "dc-api.h"
#include "dc-error.h"
#include "dc-json.h"
#include "dc-protocols.h"
#include "dc-server.h"
#include "dc-store.h"

#include "dc-test-http.h"

/* REST over real HTTP: an in-process DcServer on 127.0.0.1 port 0 with a temporary sqlite
 * file, requests through SoupSession. */

typedef struct
{
  char     *dir;
  DcStore  *store;
  DcServer *server;
  char     *base;
} Fixture;

static void
fixture_open (Fixture    *f,
              const char *bind,
              const char *token)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("dc-rest-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "datacoll.db", NULL);
  f->store = dc_store_open (path, &error);
  g_assert_no_error (error);
  f->server = dc_server_new (f->store);
  dc_server_set_token (f->server, token);
  dc_api_add_config_routes (f->server);
  dc_server_listen (f->server, bind, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dc_server_get_port (f->server), >, 0);
  /* Whatever the bind, the client connects over loopback. */
  f->base = g_strdup_printf ("http://127.0.0.1:%u", dc_server_get_port (f->server));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  fixture_open (f, "127.0.0.1", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "datacoll.db", NULL);
  g_autofree char *lock = g_strconcat (path, ".lock", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  dc_server_disconnect (f->server);
  g_assert_finalize_object (f->server);
  g_assert_finalize_object (f->store);
  g_unlink (path);
  g_unlink (lock);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->base);
}

static void
ok (Fixture    *f,
    const char *method,
    const char *path,
    const char *body)
{
  g_autoptr(DcReply) r = dc_http (f->base, method, path, body);

  if (r->status != 200)
    g_error ("%s %s %s: got %u '%s'", method, path, body ? body : "", r->status, r->body);
  if (!g_str_equal (method, "GET"))
    g_assert_cmpuint (r->length, ==, 0);
}

static JsonNode *
get_json (Fixture    *f,
          const char *path)
{
  g_autoptr(DcReply) r = dc_http (f->base, "GET", path, NULL);
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  if (r->status != 200)
    g_error ("GET %s: got %u '%s'", path, r->status, r->body);
  g_assert_cmpstr (r->content_type, ==, "application/json; charset=utf-8");
  node = dc_json_parse (r->body, r->length, &error);
  g_assert_no_error (error);
  return node;
}

/* The JSON text of GET @path, for compact comparisons. */
static char *
get_text (Fixture    *f,
          const char *path)
{
  g_autoptr(JsonNode) node = get_json (f, path);

  return dc_json_to_string (node, NULL);
}

static const char *
member_string (JsonNode   *node,
               const char *name)
{
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  if (!json_object_has_member (json_node_get_object (node), name))
    return NULL;
  return json_object_get_string_member (json_node_get_object (node), name);
}

#define assert_get(f, path, want) \
  G_STMT_START { \
    g_autofree char *got_ = get_text ((f), (path)); \
    g_assert_cmpstr (got_, ==, (want)); \
  } G_STMT_END

#define assert_request(f, m_, p_, b_, s_, t_) \
  G_STMT_START { \
    g_autoptr(DcReply) req_ = dc_http ((f)->base, (m_), (p_), (b_)); \
    dc_assert_reply (req_, (s_), (t_)); \
    if (req_->status >= 400) \
      g_assert_cmpstr (req_->content_type, ==, "text/plain; charset=utf-8"); \
  } G_STMT_END

/* A small plant: a Modbus device with a term and a point, a formula device with a formula. */
static void
plant (Fixture *f)
{
  ok (f, "POST", "/api/v1/devices",
      "{\"id\":\"d1\",\"protocol\":\"modbus_tcp\",\"ip\":\"127.0.0.1\",\"port\":502,"
        "\"name\":\"PLC\"}");
  ok (f, "POST", "/api/v1/devices", "{\"id\":2,\"protocol\":\"formula\"}");
  ok (f, "POST", "/api/v1/devices", "{\"id\":\"v1\",\"protocol\":\"virtual\"}");
  ok (f, "POST", "/api/v1/terms", "{\"id\":\"t1\",\"device_id\":\"d1\",\"address\":1}");
  ok (f, "POST", "/api/v1/terms", "{\"id\":\"t2\",\"device_id\":2}");
  ok (f, "POST", "/api/v1/items", "{\"id\":\"i1\",\"name\":\"电压\",\"unit\":\"V\"}");
  ok (f, "POST", "/api/v1/items", "{\"id\":\"i2\"}");
  ok (f, "POST", "/api/v1/items", "{\"id\":\"i3\"}");
  ok (f, "POST", "/api/v1/terms/t1/items",
      "{\"item_id\":\"i1\",\"protocol_code\":0,\"code_type\":\"hr:f32\",\"coefficient\":0.1}");
  ok (f, "POST", "/api/v1/terms/t2/items", "{\"term_id\":\"t2\",\"item_id\":\"i2\"}");
  ok (f, "POST", "/api/v1/formulas",
      "{\"id\":\"f1\",\"formula\":\"p1[-1]*2\",\"device_id\":\"2\",\"term_id\":\"t2\","
      "\"item_id\":\"i2\",\"p1\":\"d1:t1:i1\"}");
}

/* Everything the store holds, as one string (through the store, not the API under test). */
static char *
dump (DcStore *store)
{
  GString *out = g_string_new (NULL);
  g_autoptr(GPtrArray) points = NULL;

  for (DcKind kind = DC_KIND_DEVICE; kind < DC_N_KINDS; kind++)
    {
      g_autoptr(GPtrArray) ids = NULL;

      if (kind == DC_KIND_POINT)
        continue;
      ids = dc_store_list_ids (store, kind);
      for (guint i = 0; i < ids->len; i++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(JsonObject) object = dc_store_get (store, kind, ids->pdata[i], &error);
          g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

          g_assert_no_error (error);
          json_node_set_object (node, object);
          g_string_append_printf (out, "%s ", dc_kind_to_string (kind));
          dc_json_append (out, node);
          g_string_append_c (out, '\n');
        }
    }

  points = dc_store_list_points (store, NULL, NULL);
  for (guint i = 0; i < points->len; i++)
    {
      JsonObject *object = g_ptr_array_index (points, i);
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

      json_node_set_object (node, object);
      g_string_append (out, "point ");
      dc_json_append (out, node);
      g_string_append_printf (out, " key=%" G_GINT64_FORMAT "\n",
                              dc_store_get_point_key (store,
                                                      json_object_get_string_member (object,
                                                        "term_id"),
                                                      json_object_get_string_member (object,
                                                        "item_id")));
    }

  return g_string_free (out, FALSE);
}

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
  g_assert_cmpuint (routes->len, ==, 40);
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

static const char *
status_cb (const char *device_id,
           gpointer    user_data)
{
  return g_str_equal (device_id, user_data) ? "on" : "off";
}

/* PyDataColl's device scenario: create, get, 409, rename, 404, delete, batch delete. */
static void
test_devices (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(JsonNode) device = NULL;
  g_autoptr(JsonNode) renamed = NULL;

  assert_get (f, "/api/v1/devices", "[]");
  ok (f, "POST", "/api/v1/devices",
      "{\"id\":\"dev\",\"protocol\":\"iec104\",\"ip\":\"10.0.0.1\",\"port\":\"2404\","
        "\"name\":\"RTU\","
      "\"x-site\":{\"floor\":3}}");
  device = get_json (f, "/api/v1/devices/dev");
  g_assert_cmpstr (member_string (device, "id"), ==, "dev");
  g_assert_cmpstr (member_string (device, "status"), ==, "off");
  /* Types as sent: a numeric string stays a string; unknown fields are kept. */
  g_assert_cmpstr (member_string (device, "port"), ==, "2404");
  g_assert_true (json_object_has_member (json_node_get_object (device), "x-site"));

  assert_request (f, "POST", "/api/v1/devices", "{\"id\":\"dev\",\"protocol\":\"virtual\"}",
                  409, "device already exists!");

  /* The status is the engine's, current at each request (not cached with the object). */
  dc_server_set_device_status_func (f->server, status_cb, g_strdup ("dev"), g_free);
  device = (json_node_unref (device), get_json (f, "/api/v1/devices/dev"));
  g_assert_cmpstr (member_string (device, "status"), ==, "on");
  g_assert_cmpstr (member_string (device, "ip"), ==, "10.0.0.1");
  dc_server_set_device_status_func (f->server, NULL, NULL, NULL);

  ok (f, "POST", "/api/v1/terms", "{\"id\":\"rtu-1\",\"device_id\":\"dev\"}");
  ok (f, "PUT", "/api/v1/devices/dev", "{\"id\":\"dev2\",\"name\":\"renamed\"}");
  assert_request (f, "GET", "/api/v1/devices/dev", NULL, 404, "device_id not found!");
  renamed = get_json (f, "/api/v1/devices/dev2");
  g_assert_cmpstr (member_string (renamed, "name"), ==, "renamed");
  g_assert_cmpstr (member_string (renamed, "ip"), ==, "10.0.0.1");
  /* The term followed the rename. */
  assert_get (f, "/api/v1/devices/dev2/terms", "[\"rtu-1\"]");
  assert_request (f, "GET", "/api/v1/devices/dev/terms", NULL, 404, "device_id not found!");

  ok (f, "POST", "/api/v1/devices", "{\"id\":\"other\",\"protocol\":\"virtual\"}");
  assert_request (f, "PUT", "/api/v1/devices/dev2", "{\"id\":\"other\"}", 409,
                  "device already exists!");
  assert_request (f, "PUT", "/api/v1/devices/nope", "{\"name\":\"x\"}", 404,
    "device_id not found!");

  ok (f, "DELETE", "/api/v1/devices/dev2", NULL);
  assert_request (f, "GET", "/api/v1/devices/dev2", NULL, 404, "device_id not found!");
  assert_request (f, "DELETE", "/api/v1/devices/dev2", NULL, 404, "device_id not found!");
  /* The cascade took the term. */
  assert_request (f, "GET", "/api/v1/terms/rtu-1", NULL, 404, "term_id not found!");

  ok (f, "POST", "/api/v2/devices",
      "[{\"id\":\"b1\",\"protocol\":\"virtual\"},{\"id\":\"b2\",\"protocol\":\"virtual\"}]");
  assert_get (f, "/api/v1/devices", "[\"b1\",\"b2\",\"other\"]");
  ok (f, "POST", "/api/v2/devices/del", "[\"b1\",\"other\"]");
  assert_get (f, "/api/v1/devices", "[\"b2\"]");
  ok (f, "POST", "/api/v2/devices/del", "\"b2\"");
  assert_get (f, "/api/v1/devices", "[]");
}

static void
test_terms (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(JsonNode) term = NULL;

  ok (f, "POST", "/api/v1/devices", "{\"id\":\"d\",\"protocol\":\"modbus_tcp\","
    "\"ip\":\"127.0.0.1\"}");
  ok (f, "POST", "/api/v1/devices", "{\"id\":\"e\",\"protocol\":\"modbus_tcp\","
    "\"ip\":\"127.0.0.1\"}");
  assert_get (f, "/api/v1/devices/d/terms", "[]");
  assert_get (f, "/api/v1/terms", "[]");

  assert_request (f, "POST", "/api/v1/terms", "{\"id\":\"u1\",\"device_id\":\"nope\"}", 404,
                  "device_id not found!");
  ok (f, "POST", "/api/v1/terms", "{\"id\":\"u1\",\"device_id\":\"d\",\"address\":255}");
  assert_request (f, "POST", "/api/v1/terms", "{\"id\":\"u1\",\"device_id\":\"d\"}", 409,
                  "term already exists!");
  term = get_json (f, "/api/v1/terms/u1");
  g_assert_cmpstr (member_string (term, "device_id"), ==, "d");
  assert_get (f, "/api/v1/terms", "[\"u1\"]");
  assert_get (f, "/api/v1/devices/d/terms", "[\"u1\"]");
  assert_get (f, "/api/v1/terms/u1/items", "[]");
  assert_request (f, "GET", "/api/v1/terms/nope/items", NULL, 404, "term_id not found!");

  /* Move to another device; 404 when that device is missing. */
  assert_request (f, "PUT", "/api/v1/terms/u1", "{\"device_id\":\"nope\"}", 404,
                  "device_id not found!");
  ok (f, "PUT", "/api/v1/terms/u1", "{\"device_id\":\"e\"}");
  assert_get (f, "/api/v1/devices/d/terms", "[]");
  assert_get (f, "/api/v1/devices/e/terms", "[\"u1\"]");

  ok (f, "PUT", "/api/v1/terms/u1", "{\"id\":\"u2\"}");
  assert_request (f, "GET", "/api/v1/terms/u1", NULL, 404, "term_id not found!");
  ok (f, "DELETE", "/api/v1/terms/u2", NULL);
  assert_request (f, "DELETE", "/api/v1/terms/u2", NULL, 404, "term_id not found!");

  ok (f, "POST", "/api/v2/terms",
      "[{\"id\":\"x1\",\"device_id\":\"d\"},{\"id\":\"x2\",\"device_id\":\"e\"}]");
  assert_get (f, "/api/v1/terms", "[\"x1\",\"x2\"]");
  ok (f, "POST", "/api/v2/terms/del", "[\"x1\",\"x2\"]");
  assert_get (f, "/api/v1/terms", "[]");
}

static void
test_items (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(JsonNode) item = NULL;

  assert_get (f, "/api/v1/items", "[]");
  ok (f, "POST", "/api/v1/items", "{\"id\":\"ua\",\"name\":\"phase-A voltage\",\"unit\":\"V\"}");
  assert_request (f, "POST", "/api/v1/items", "{\"id\":\"ua\"}", 409, "item already exists!");
  item = get_json (f, "/api/v1/items/ua");
  g_assert_cmpstr (member_string (item, "unit"), ==, "V");
  ok (f, "PUT", "/api/v1/items/ua", "{\"id\":\"ub\"}");
  assert_request (f, "GET", "/api/v1/items/ua", NULL, 404, "item_id not found!");
  assert_get (f, "/api/v1/items", "[\"ub\"]");
  ok (f, "DELETE", "/api/v1/items/ub", NULL);
  assert_request (f, "DELETE", "/api/v1/items/ub", NULL, 404, "item_id not found!");
  ok (f, "POST", "/api/v2/items", "{\"id\":\"one\"}");
  ok (f, "POST", "/api/v2/items", "[{\"id\":\"two\"},{\"id\":3}]");
  assert_get (f, "/api/v1/items", "[\"3\",\"one\",\"two\"]");
  ok (f, "POST", "/api/v2/items/del", "[3,\"two\"]");
  assert_get (f, "/api/v1/items", "[\"one\"]");
}

/* Points: create, get, 409, 404 order (term, item, point), update, delete, batches. */
static void
test_points (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(JsonNode) point = NULL;
  g_autoptr(JsonNode) updated = NULL;
  gint64 key;

  plant (f);

  /* Identity first, then the fields as sent. */
  {
    g_autoptr(DcReply) r = dc_http (f->base, "GET", "/api/v1/terms/t1/items/i1", NULL);
    g_autoptr(DcReply) d = dc_http (f->base, "GET", "/api/v1/devices/d1", NULL);

    g_assert_true (g_str_has_prefix (r->body, "{\"device_id\":\"d1\",\"term_id\":\"t1\","
                                              "\"item_id\":\"i1\",\"protocol_code\":0,"));
    g_assert_true (g_str_has_prefix (d->body, "{\"id\":\"d1\",\"protocol\":\"modbus_tcp\","));
    g_assert_true (g_str_has_suffix (d->body, ",\"status\":\"off\"}"));
  }
  point = get_json (f, "/api/v1/terms/t1/items/i1");
  g_assert_cmpstr (member_string (point, "device_id"), ==, "d1");
  g_assert_cmpstr (member_string (point, "term_id"), ==, "t1");
  g_assert_cmpstr (member_string (point, "item_id"), ==, "i1");
  g_assert_false (json_object_has_member (json_node_get_object (point), "key"));

  assert_request (f, "GET", "/api/v1/terms/nope/items/nope", NULL, 404, "term_id not found!");
  assert_request (f, "GET", "/api/v1/terms/t1/items/nope", NULL, 404, "item_id not found!");
  assert_request (f, "GET", "/api/v1/terms/t1/items/i2", NULL, 404, "term_item not found!");

  assert_request (f, "POST", "/api/v1/terms/t1/items",
                  "{\"term_id\":\"t2\",\"item_id\":\"i2\",\"protocol_code\":10,"
                    "\"code_type\":\"hr:u16\"}",
                  400, "term_id mismatch in url and body!");
  assert_request (f, "POST", "/api/v1/terms/nope/items", "{\"item_id\":\"i2\"}", 404,
                  "term_id not found!");
  assert_request (f, "POST", "/api/v1/terms/t1/items",
                  "{\"item_id\":\"nope\",\"protocol_code\":10,\"code_type\":\"hr:u16\"}", 404,
                  "item_id not found!");
  assert_request (f, "POST", "/api/v1/terms/t1/items",
                  "{\"item_id\":\"i1\",\"protocol_code\":10,\"code_type\":\"hr:u16\"}", 409,
                  "term_item already exists!");
  assert_request (f, "POST", "/api/v1/terms/t1/items",
                  "{\"item_id\":\"i2\",\"protocol_code\":1,\"code_type\":\"hr:u16\"}", 409,
                  "protocol_code already used by t1:i1!");

  /* A numeric term_id in the body equals the URL's. */
  ok (f, "POST", "/api/v1/terms", "{\"id\":7,\"device_id\":\"d1\",\"address\":2}");
  ok (f, "POST", "/api/v1/terms/7/items",
      "{\"term_id\":7,\"item_id\":\"i2\",\"protocol_code\":1,\"code_type\":\"hr:u16\"}");
  point = (json_node_unref (point), get_json (f, "/api/v1/terms/7/items/i2"));
  g_assert_cmpstr (member_string (point, "term_id"), ==, "7");
  g_assert_cmpstr (member_string (point, "device_id"), ==, "d1");
  assert_get (f, "/api/v1/terms/7/items", "[\"i2\"]");

  /* Update keeps the point key (and so its history). */
  key = dc_store_get_point_key (f->store, "t1", "i1");
  g_assert_cmpint (key, >, 0);
  ok (f, "PUT", "/api/v1/terms/t1/items/i1", "{\"protocol_code\":20,\"unit\":\"kV\"}");
  updated = get_json (f, "/api/v1/terms/t1/items/i1");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (updated), "protocol_code"),
    ==, 20);
  g_assert_cmpstr (member_string (updated, "unit"), ==, "kV");
  g_assert_cmpint (dc_store_get_point_key (f->store, "t1", "i1"), ==, key);
  assert_request (f, "PUT", "/api/v1/terms/t1/items/i3", "{}", 404, "term_item not found!");

  ok (f, "DELETE", "/api/v1/terms/7/items/i2", NULL);
  assert_request (f, "DELETE", "/api/v1/terms/7/items/i2", NULL, 404, "term_item not found!");

  ok (f, "POST", "/api/v2/term_items",
      "[{\"device_id\":\"d1\",\"term_id\":\"t1\",\"item_id\":\"i2\",\"protocol_code\":30,"
        "\"code_type\":\"hr:u16\"},"
      "{\"device_id\":\"d1\",\"term_id\":\"t1\",\"item_id\":\"i3\",\"protocol_code\":31,"
        "\"code_type\":\"hr:u16\"}]");
  assert_get (f, "/api/v1/terms/t1/items", "[\"i1\",\"i2\",\"i3\"]");
  ok (f, "POST", "/api/v2/term_items/del",
      "[{\"device_id\":\"d1\",\"term_id\":\"t1\",\"item_id\":\"i2\"},"
      "{\"device_id\":\"d1\",\"term_id\":\"t1\",\"item_id\":\"i3\"}]");
  assert_get (f, "/api/v1/terms/t1/items", "[\"i1\"]");

  /* Deleting an item deletes only the points that use it. */
  ok (f, "DELETE", "/api/v1/items/i1", NULL);
  assert_get (f, "/api/v1/terms/t1/items", "[]");
  assert_get (f, "/api/v1/terms/t2/items", "[\"i2\"]");
}

static void
test_formulas (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(JsonNode) formula = NULL;

  plant (f);
  assert_get (f, "/api/v1/formulas", "[\"f1\"]");
  formula = get_json (f, "/api/v1/formulas/f1");
  g_assert_cmpstr (member_string (formula, "formula"), ==, "p1[-1]*2");
  g_assert_cmpstr (member_string (formula, "p1"), ==, "d1:t1:i1");

  assert_request (f, "POST", "/api/v1/formulas",
                  "{\"id\":\"f1\",\"formula\":\"1\",\"device_id\":\"2\",\"term_id\":\"t2\","
                    "\"item_id\":\"i2\"}",
                  409, "formula already exists!");
  assert_request (f, "POST", "/api/v1/formulas",
                  "{\"id\":\"f2\",\"formula\":\"1\",\"device_id\":\"2\",\"term_id\":\"t2\","
                    "\"item_id\":\"i2\"}",
                  409, "point already computed by formula f1!");
  assert_request (f, "POST", "/api/v1/formulas",
                  "{\"id\":\"f2\",\"formula\":\"1\",\"device_id\":\"2\",\"term_id\":\"t2\","
                    "\"item_id\":\"i3\"}",
                  404, "term_item not found!");
  assert_request (f, "GET", "/api/v1/formulas/nope", NULL, 404, "formula_id not found!");

  /* PUT replaces the whole formula (p1 is gone afterwards) and may rename it. */
  ok (f, "PUT", "/api/v1/formulas/f1",
      "{\"id\":\"f9\",\"formula\":\"42\",\"device_id\":\"2\",\"term_id\":\"t2\","
        "\"item_id\":\"i2\"}");
  assert_request (f, "GET", "/api/v1/formulas/f1", NULL, 404, "formula_id not found!");
  formula = (json_node_unref (formula), get_json (f, "/api/v1/formulas/f9"));
  g_assert_cmpstr (member_string (formula, "formula"), ==, "42");
  g_assert_null (member_string (formula, "p1"));

  ok (f, "DELETE", "/api/v1/formulas/f9", NULL);
  assert_get (f, "/api/v1/formulas", "[]");
  ok (f, "POST", "/api/v2/formulas",
      "[{\"id\":\"g1\",\"formula\":\"p1[-1]\",\"device_id\":\"2\",\"term_id\":\"t2\","
        "\"item_id\":\"i2\","
      "\"p1\":\"d1:t1:i1\"}]");
  assert_get (f, "/api/v1/formulas", "[\"g1\"]");
  ok (f, "POST", "/api/v2/formulas/del", "[\"g1\"]");
  assert_get (f, "/api/v1/formulas", "[]");
}

/* Renaming a device rewrites the formula parameters that name its points. */
static void
test_rename_rewrites_formulas (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(JsonNode) formula = NULL;

  plant (f);
  ok (f, "PUT", "/api/v1/devices/d1", "{\"id\":\"plc\"}");
  formula = get_json (f, "/api/v1/formulas/f1");
  g_assert_cmpstr (member_string (formula, "p1"), ==, "plc:t1:i1");
  assert_get (f, "/api/v1/devices/plc/terms", "[\"t1\"]");
}

/* Numeric ids: 1 ≡ "1", always returned as strings; other numbers are refused. */
static void
test_numeric_ids (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(JsonNode) device = NULL;
  g_autoptr(JsonNode) term = NULL;

  ok (f, "POST", "/api/v1/devices", "{\"id\":1,\"protocol\":\"virtual\"}");
  assert_request (f, "POST", "/api/v1/devices", "{\"id\":\"1\",\"protocol\":\"virtual\"}", 409,
                  "device already exists!");
  device = get_json (f, "/api/v1/devices/1");
  g_assert_cmpstr (member_string (device, "id"), ==, "1");
  ok (f, "POST", "/api/v1/terms", "{\"id\":10,\"device_id\":1}");
  term = get_json (f, "/api/v1/terms/10");
  g_assert_cmpstr (member_string (term, "id"), ==, "10");
  g_assert_cmpstr (member_string (term, "device_id"), ==, "1");
  assert_get (f, "/api/v1/devices", "[\"1\"]");
  assert_request (f, "POST", "/api/v1/devices", "{\"id\":1.5,\"protocol\":\"virtual\"}", 400,
                  "field id must be a string or an integer");
  assert_request (f, "POST", "/api/v1/devices", "{\"id\":1e3,\"protocol\":\"virtual\"}", 400,
                  "field id must be a string or an integer");
  ok (f, "POST", "/api/v2/devices/del", "[1]");
  assert_get (f, "/api/v1/devices", "[]");
}

/* Merge: body fields replace stored ones, null removes, the rest stays. */
static void
test_merge_and_null (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(JsonNode) device = NULL;
  JsonObject *object;

  ok (f, "POST", "/api/v1/devices",
      "{\"id\":\"m\",\"protocol\":\"modbus_tcp\",\"ip\":\"127.0.0.1\",\"port\":502,\"name\":\"n\","
      "\"identify\":\"abc\",\"poll_ms\":500}");
  ok (f, "PUT", "/api/v1/devices/m", "{\"name\":null,\"port\":\"1502\",\"extra\":[1,2.5,\"三\"]}");
  device = get_json (f, "/api/v1/devices/m");
  object = json_node_get_object (device);
  g_assert_false (json_object_has_member (object, "name"));
  g_assert_cmpstr (member_string (device, "port"), ==, "1502");
  g_assert_cmpstr (member_string (device, "identify"), ==, "abc");
  g_assert_cmpint (json_object_get_int_member (object, "poll_ms"), ==, 500);
  g_assert_cmpstr (member_string (device, "ip"), ==, "127.0.0.1");
  {
    g_autofree char *extra = dc_json_to_string (json_object_get_member (object, "extra"), NULL);

    g_assert_cmpstr (extra, ==, "[1,2.5,\"三\"]");
  }
  /* status is engine-owned: ignored on input. */
  ok (f, "PUT", "/api/v1/devices/m", "{\"status\":\"on\"}");
  device = (json_node_unref (device), get_json (f, "/api/v1/devices/m"));
  g_assert_cmpstr (member_string (device, "status"), ==, "off");
  /* An empty patch changes nothing. */
  ok (f, "PUT", "/api/v1/devices/m", "{}");
}

/* Natural order: numeric ids numerically, then strings. */
static void
test_natural_order (Fixture       *f,
                    gconstpointer  data)
{
  const char *ids[] = { "10", "b", "9", "2", "a10", "a9", "100", "1" };
  g_autoptr(JsonNode) list = NULL;
  JsonArray *array;

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"id\":\"%s\"}", ids[i]);

      ok (f, "POST", "/api/v1/items", body);
    }

  list = get_json (f, "/api/v1/items");
  array = json_node_get_array (list);
  g_assert_cmpuint (json_array_get_length (array), ==, G_N_ELEMENTS (ids));
  g_assert_cmpstr (json_array_get_string_element (array, 0), ==, "1");
  g_assert_cmpstr (json_array_get_string_element (array, 1), ==, "2");
  g_assert_cmpstr (json_array_get_string_element (array, 2), ==, "9");
  g_assert_cmpstr (json_array_get_string_element (array, 3), ==, "10");
  g_assert_cmpstr (json_array_get_string_element (array, 4), ==, "100");
  for (guint i = 5; i + 1 < json_array_get_length (array); i++)
    g_assert_cmpint (dc_natural_compare (json_array_get_string_element (array, i),
                                         json_array_get_string_element (array, i + 1)), <, 0);
}

/* UTF-8 ids and names, in URLs and bodies; JSON out is UTF-8 without \u escapes. */
static void
test_utf8 (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(DcReply) r = NULL;
  g_autofree char *escaped = g_uri_escape_string ("电表-1", NULL, FALSE);
  g_autofree char *path = g_strconcat ("/api/v1/devices/", escaped, NULL);

  ok (f, "POST", "/api/v1/devices",
      "{\"id\":\"电表-1\",\"protocol\":\"virtual\","
        "\"name\":\"温度 ℃ — Zürich \\u00e9 \\ud83d\\ude00\"}");
  r = dc_http (f->base, "GET", path, NULL);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_true (g_utf8_validate (r->body, r->length, NULL));
  g_assert_null (strstr (r->body, "\\u"));
  g_assert_nonnull (strstr (r->body, "\"id\":\"电表-1\""));
  g_assert_nonnull (strstr (r->body, "\"name\":\"温度 ℃ — Zürich é 😀\""));
  assert_get (f, "/api/v1/devices", "[\"电表-1\"]");

  ok (f, "PUT", path, "{\"id\":\"电表-2\"}");
  assert_request (f, "GET", path, NULL, 404, "device_id not found!");
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

/* The token rule on a non-loopback bind (0.0.0.0, reached through 127.0.0.1): reads are
 * open, changes need the bearer token. */
static void
test_token (void)
{
  Fixture fixture = { 0 };
  Fixture *f = &fixture;
  g_autoptr(DcReply) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DcServer) open_server = dc_server_new (NULL);

  /* Without a token a non-loopback bind is refused. */
  g_assert_false (dc_server_listen (open_server, "0.0.0.0", 0, &error));
  g_assert_error (error, DC_ERROR, DC_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_false (dc_server_listen (open_server, "not-an-address", 0, &error));
  g_assert_error (error, DC_ERROR, DC_ERROR_INVALID);

  fixture_open (f, "0.0.0.0", "s3cret-token");

  r = dc_http_full (f->base, "POST", "/api/v1/devices", "{\"id\":\"a\",\"protocol\":\"virtual\"}",
    -1, NULL);
  dc_assert_reply (r, 401, "token required");
  dc_reply_free (r);
  r = dc_http_full (f->base, "POST", "/api/v1/devices", "{\"id\":\"a\",\"protocol\":\"virtual\"}",
    -1,
                    "wrong");
  dc_assert_reply (r, 403, "token rejected");
  dc_reply_free (r);
  r = dc_http_full (f->base, "POST", "/api/v1/devices", "{\"id\":\"a\",\"protocol\":\"virtual\"}",
    -1,
                    "s3cret-token-and-more");
  dc_assert_reply (r, 403, "token rejected");
  dc_reply_free (r);
  r = dc_http_full (f->base, "DELETE", "/api/v1/devices/a", NULL, -1, NULL);
  dc_assert_reply (r, 401, "token required");
  dc_reply_free (r);
  r = dc_http_full (f->base, "PUT", "/api/v1/devices/a", "{}", -1, "s3cret");
  dc_assert_reply (r, 403, "token rejected");
  dc_reply_free (r);
  assert_get (f, "/api/v1/devices", "[]");

  r = dc_http_full (f->base, "POST", "/api/v1/devices", "{\"id\":\"a\",\"protocol\":\"virtual\"}",
    -1,
                    "s3cret-token");
  dc_assert_reply (r, 200, "");
  dc_reply_free (r);
  /* Reads need no token. */
  assert_get (f, "/api/v1/devices", "[\"a\"]");
  r = dc_http_full (f->base, "DELETE", "/api/v1/devices/a", NULL, -1, "s3cret-token");
  dc_assert_reply (r, 200, "");

  fixture_teardown (f, NULL);
}

/* Malformed requests: each answered 4xx with a precise reason, the store unchanged. A text
 * starting with '~' is matched as a prefix. */
typedef struct
{
  const char *method;
  const char *path;
  const char *body;
  guint       status;
  const char *text;
} Malformed;

static const Malformed malformed[] = {
  /* Bad JSON. */
  { "POST", "/api/v1/devices", "{\"id\": x}", 400,
    "invalid JSON at line 1 column 8: unexpected character 'x', expected a value" },
  { "POST", "/api/v1/devices", "{\"id\":\"a\",}", 400,
    "invalid JSON at line 1 column 11: unexpected character '}', expected a string key" },
  { "POST", "/api/v1/devices", "{'id':'a'}", 400,
    "invalid JSON at line 1 column 2: unexpected character ''', expected a string key" },
  { "POST", "/api/v1/devices", "{\"id\":\"a\"", 400,
    "invalid JSON at line 1 column 10: unexpected end of input, expected ',' or '}'" },
  { "POST", "/api/v2/devices", "[1,]", 400,
    "invalid JSON at line 1 column 4: unexpected character ']', expected a value" },
  { "POST", "/api/v1/devices", "{\"id\":\"a\"} x", 400,
    "invalid JSON at line 1 column 12: unexpected character 'x', expected end of input" },
  { "POST", "/api/v1/devices", "{\"id\":\"a\",\n \"id\":\"b\"}", 400,
    "invalid JSON at line 2 column 2: duplicate key \"id\"" },
  { "POST", "/api/v1/devices", "{\"id\":01}", 400,
    "invalid JSON at line 1 column 7: invalid number (leading zero)" },
  { "POST", "/api/v1/devices", "{\"id\":.5}", 400,
    "invalid JSON at line 1 column 7: unexpected character '.', expected a value" },
  { "POST", "/api/v1/devices", "{\"id\":\"z\",\"protocol\":\"virtual\",\"x\":1e400}", 400,
    "invalid JSON at line 1 column 36: number out of range" },
  { "POST", "/api/v1/devices", "{\"id\":\"a\x01\"}", 400,
    "invalid JSON at line 1 column 9: control character in string" },
  { "POST", "/api/v1/devices", "{\"id\":\"\\q\"}", 400,
    "invalid JSON at line 1 column 8: invalid escape sequence" },
  { "POST", "/api/v1/devices", "{\"id\":\"\\ud800\"}", 400,
    "invalid JSON at line 1 column 8: unpaired surrogate in \\u escape" },
  { "POST", "/api/v1/devices", "{\"id\":\"\xff\"}", 400,
    "invalid JSON at line 1 column 8: invalid UTF-8" },
  { "POST", "/api/v1/devices", "/*c*/{}", 400,
    "invalid JSON at line 1 column 1: unexpected character '/', expected a value" },
  { "POST", "/api/v1/devices", "{\"id\":NaN}", 400,
    "invalid JSON at line 1 column 7: unexpected character 'N', expected a value" },
  { "POST", "/api/v1/devices", "{\"id\":tru}", 400,
    "invalid JSON at line 1 column 7: unexpected character 't', expected a value" },
  { "POST", "/api/v1/devices", "{\"id\":\"a\\u0000\"}", 400,
    "invalid JSON at line 1 column 9: \\u0000 is not allowed in strings" },
  { "POST", "/api/v1/devices", "{\"id\":-}", 400,
    "invalid JSON at line 1 column 7: invalid number" },
  { "POST", "/api/v1/devices", "{\"id\":\"电表\" \"protocol\"}", 400,
    "invalid JSON at line 1 column 12: unexpected character '\"', expected ',' or '}'" },
  { "POST", "/api/v2/devices",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
                               "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", 400,
    "invalid JSON at line 1 column 129: nesting deeper than 128 levels" },
  /* Wrong body types. */
  { "POST", "/api/v1/devices", "[]", 400, "request body must be a JSON object" },
  { "POST", "/api/v1/devices", "\"d9\"", 400, "request body must be a JSON object" },
  { "POST", "/api/v1/devices", "42", 400, "request body must be a JSON object" },
  { "POST", "/api/v1/devices", "null", 400, "request body must be a JSON object" },
  { "POST", "/api/v1/devices", NULL, 400,
    "request body must be a JSON object (the body is empty)" },
  { "PUT", "/api/v1/devices/d1", "[]", 400, "request body must be a JSON object" },
  { "PUT", "/api/v1/devices/d1", NULL, 400,
    "request body must be a JSON object (the body is empty)" },
  { "POST", "/api/v1/terms/t1/items", "[{\"item_id\":\"i2\"}]", 400,
    "request body must be a JSON object" },
  { "POST", "/api/v2/devices", "5", 400,
    "request body must be a JSON array of objects (or one object)" },
  { "POST", "/api/v2/devices", NULL, 400,
    "request body must be a JSON array of objects (or one object)" },
  { "POST", "/api/v2/devices/del", "{\"id\":\"d1\"}", 400,
    "request body must be a JSON array of ids (or one id)" },
  { "POST", "/api/v2/term_items/del", "\"t1\"", 400,
    "request body must be a JSON array of {device_id, term_id, item_id} (or one)" },
  /* Fields: required, types, ranges, ids. */
  { "POST", "/api/v1/devices", "{\"protocol\":\"virtual\"}", 400, "missing field: id" },
  { "POST", "/api/v1/devices", "{\"id\":\"nd\"}", 400, "missing field: protocol" },
  { "POST", "/api/v1/devices", "{\"id\":1.5,\"protocol\":\"virtual\"}", 400,
    "field id must be a string or an integer" },
  { "POST", "/api/v1/devices", "{\"id\":true,\"protocol\":\"virtual\"}", 400,
    "field id must be a string or an integer" },
  { "POST", "/api/v1/devices", "{\"id\":[\"a\"],\"protocol\":\"virtual\"}", 400,
    "field id must be a string or an integer" },
  { "POST", "/api/v1/devices", "{\"id\":null,\"protocol\":\"virtual\"}", 400, "missing field: id" },
  { "POST", "/api/v1/devices", "{\"id\":\"a/b\",\"protocol\":\"virtual\"}", 400,
    "~field id must be 1 to 64 characters" },
  { "POST", "/api/v1/devices", "{\"id\":\"a b\",\"protocol\":\"virtual\"}", 400,
    "~field id must be 1 to 64 characters" },
  { "POST", "/api/v1/devices", "{\"id\":\"\",\"protocol\":\"virtual\"}", 400,
    "~field id must be 1 to 64 characters" },
  { "POST", "/api/v1/devices", "{\"id\":\"a:b\",\"protocol\":\"virtual\"}", 400,
    "~field id must be 1 to 64 characters" },
  { "POST", "/api/v1/devices", "{\"id\":\"a*b\",\"protocol\":\"virtual\"}", 400,
    "~field id must be 1 to 64 characters" },
  { "POST", "/api/v1/devices", "{\"id\":\"a\\tb\",\"protocol\":\"virtual\"}", 400,
    "~field id must be 1 to 64 characters" },
  { "POST", "/api/v1/devices",
    "{\"id\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\","
    "\"protocol\":\"virtual\"}",
    400, "~field id must be 1 to 64 characters" },
  { "POST", "/api/v1/devices", "{\"id\":\"nd\",\"protocol\":\"bogus\"}", 400,
    "~field protocol must be one of " },
  { "POST", "/api/v1/devices", "{\"id\":\"nd\",\"protocol\":7}", 400, "~field protocol must be" },
  { "POST", "/api/v1/devices", "{\"id\":\"nd\",\"protocol\":\"modbus_tcp\",\"ip\":\"h\","
    "\"port\":70000}", 400,
    "field port must be an integer between 1 and 65535" },
  { "POST", "/api/v1/devices", "{\"id\":\"nd\",\"protocol\":\"modbus_tcp\",\"ip\":\"h\","
    "\"port\":\"abc\"}", 400,
    "field port must be an integer between 1 and 65535" },
  { "POST", "/api/v1/devices", "{\"id\":\"nd\",\"protocol\":\"modbus_tcp\",\"ip\":\"h\","
    "\"port\":0}", 400,
    "field port must be an integer between 1 and 65535" },
  { "POST", "/api/v1/devices", "{\"id\":\"nd\",\"protocol\":\"modbus_tcp\",\"ip\":\"h\","
    "\"port\":1.5}", 400,
    "field port must be an integer between 1 and 65535" },
  { "POST", "/api/v1/devices", "{\"id\":\"nd\",\"protocol\":\"modbus_rtu\","
    "\"serial\":\"/dev/ttyS0\",\"parity\":\"X\"}", 400,
    "~field parity must be one of" },
  { "POST", "/api/v1/devices", "{\"id\":\"nd\",\"protocol\":\"virtual\",\"enabled\":\"maybe\"}",
    400,
    "field enabled must be true or false" },
  { "PUT", "/api/v1/devices/d1", "{\"port\":65536}", 400,
    "field port must be an integer between 1 and 65535" },
  { "PUT", "/api/v1/devices/d1", "{\"id\":\"bad id\"}", 400,
    "~field id must be 1 to 64 characters" },
  { "POST", "/api/v1/terms", "{\"id\":\"nt\"}", 400, "missing field: device_id" },
  { "POST", "/api/v1/terms", "{\"id\":\"nt\",\"device_id\":\"d1\",\"address\":300}", 400,
    "~field address must be an integer between 0 and 255" },
  { "POST", "/api/v1/terms", "{\"id\":\"nt\",\"device_id\":{}}", 400,
    "field device_id must be a string or an integer" },
  { "POST", "/api/v1/items", "{\"name\":\"x\"}", 400, "missing field: id" },
  { "POST", "/api/v1/items", "{\"id\":\"ni\",\"name\":true}", 400, "~field name must be" },
  { "POST", "/api/v1/terms/t1/items", "{\"term_id\":\"t2\",\"item_id\":\"i2\"}", 400,
    "term_id mismatch in url and body!" },
  { "POST", "/api/v1/terms/t1/items", "{\"term_id\":1.5,\"item_id\":\"i2\"}", 400,
    "field term_id must be a string or an integer" },
  { "POST", "/api/v1/terms/t1/items", "{\"item_id\":\"i2\"}", 400, "missing field: protocol_code" },
  { "POST", "/api/v1/terms/t1/items", "{\"protocol_code\":40,\"code_type\":\"hr:u16\"}", 400,
    "missing field: item_id" },
  { "POST", "/api/v1/terms/t1/items", "{\"item_id\":\"i2\",\"protocol_code\":10,"
    "\"code_type\":\"xx:u16\"}", 400,
    "~field code_type must be <table>:<type>" },
  { "POST", "/api/v1/terms/t1/items", "{\"item_id\":\"i2\",\"protocol_code\":70000,"
    "\"code_type\":\"hr:u16\"}", 400,
    "~field protocol_code must be an integer between 0 and 65535" },
  { "POST", "/api/v1/formulas", "{\"id\":\"f2\",\"device_id\":\"2\",\"term_id\":\"t2\","
    "\"item_id\":\"i3\"}", 400,
    "missing field: formula" },
  { "POST", "/api/v1/formulas", "{\"id\":\"f2\",\"formula\":\"1\",\"device_id\":\"2\","
    "\"term_id\":\"t2\",\"item_id\":\"i2\",\"p1\":\"bad\"}",
    400, "~field p1 must be a point name" },
  { "POST", "/api/v1/formulas", "{\"id\":\"f2\",\"formula\":\"1\",\"device_id\":\"d1\","
    "\"term_id\":\"t1\",\"item_id\":\"i1\"}",
    400, "~result point d1:t1:i1 must be on a formula device" },
  /* Not found and conflicts. */
  { "POST", "/api/v1/terms", "{\"id\":\"nt\",\"device_id\":\"nope\"}", 404,
    "device_id not found!" },
  { "POST", "/api/v1/terms/nope/items", "{\"item_id\":\"i2\"}", 404, "term_id not found!" },
  { "POST", "/api/v1/terms/t1/items", "{\"item_id\":\"nope\",\"protocol_code\":40,"
    "\"code_type\":\"hr:u16\"}", 404,
    "item_id not found!" },
  { "POST", "/api/v1/formulas", "{\"id\":\"f2\",\"formula\":\"1\",\"device_id\":\"2\","
    "\"term_id\":\"t2\",\"item_id\":\"i3\"}",
    404, "term_item not found!" },
  { "GET", "/api/v1/devices/nope", NULL, 404, "device_id not found!" },
  { "GET", "/api/v1/devices/nope/terms", NULL, 404, "device_id not found!" },
  { "GET", "/api/v1/terms/nope", NULL, 404, "term_id not found!" },
  { "GET", "/api/v1/terms/nope/items", NULL, 404, "term_id not found!" },
  { "GET", "/api/v1/items/nope", NULL, 404, "item_id not found!" },
  { "GET", "/api/v1/formulas/nope", NULL, 404, "formula_id not found!" },
  { "GET", "/api/v1/terms/t1/items/i2", NULL, 404, "term_item not found!" },
  { "PUT", "/api/v1/devices/nope", "{\"name\":\"x\"}", 404, "device_id not found!" },
  { "PUT", "/api/v1/terms/t1", "{\"device_id\":\"nope\"}", 404, "device_id not found!" },
  { "PUT", "/api/v1/terms/t1/items/i2", "{}", 404, "term_item not found!" },
  { "PUT", "/api/v1/terms/t1/items/i1", "{\"term_id\":\"t2\"}", 400,
    "term_id mismatch in url and body!" },
  { "PUT", "/api/v1/items/nope", "{}", 404, "item_id not found!" },
  { "PUT", "/api/v1/formulas/nope", "{\"id\":\"nope\",\"formula\":\"1\",\"device_id\":\"2\","
    "\"term_id\":\"t2\",\"item_id\":\"i2\"}",
    404, "formula_id not found!" },
  { "DELETE", "/api/v1/devices/nope", NULL, 404, "device_id not found!" },
  { "DELETE", "/api/v1/terms/nope", NULL, 404, "term_id not found!" },
  { "DELETE", "/api/v1/items/nope", NULL, 404, "item_id not found!" },
  { "DELETE", "/api/v1/formulas/nope", NULL, 404, "formula_id not found!" },
  { "DELETE", "/api/v1/terms/t1/items/i2", NULL, 404, "term_item not found!" },
  { "POST", "/api/v1/devices", "{\"id\":\"d1\",\"protocol\":\"virtual\"}", 409,
    "device already exists!" },
  { "POST", "/api/v1/devices", "{\"id\":2,\"protocol\":\"virtual\"}", 409,
    "device already exists!" },
  { "POST", "/api/v1/terms", "{\"id\":\"t1\",\"device_id\":\"d1\"}", 409, "term already exists!" },
  { "POST", "/api/v1/items", "{\"id\":\"i1\"}", 409, "item already exists!" },
  { "POST", "/api/v1/terms/t1/items", "{\"item_id\":\"i1\",\"protocol_code\":40,"
    "\"code_type\":\"hr:u16\"}", 409,
    "term_item already exists!" },
  { "POST", "/api/v1/terms/t1/items", "{\"item_id\":\"i2\",\"protocol_code\":1,"
    "\"code_type\":\"hr:u16\"}", 409,
    "protocol_code already used by t1:i1!" },
  { "PUT", "/api/v1/devices/d1", "{\"id\":\"2\"}", 409, "device already exists!" },
  { "PUT", "/api/v1/terms/t1", "{\"id\":\"t2\"}", 409, "term already exists!" },
  { "PUT", "/api/v1/items/i1", "{\"id\":\"i2\"}", 409, "item already exists!" },
  { "POST", "/api/v1/formulas", "{\"id\":\"f2\",\"formula\":\"1\",\"device_id\":\"2\","
    "\"term_id\":\"t2\",\"item_id\":\"i2\"}",
    409, "point already computed by formula f1!" },
  /* Batches: the first failing element aborts all, with its index. */
  { "POST", "/api/v2/devices", "[{\"id\":\"n1\",\"protocol\":\"virtual\"},{\"id\":\"d1\","
    "\"protocol\":\"virtual\"}]", 409,
    "device already exists! (element 1, id d1)" },
  { "POST", "/api/v2/devices", "[{\"id\":\"n1\",\"protocol\":\"virtual\"},{\"id\":\"n1\","
    "\"protocol\":\"virtual\"}]", 409,
    "device already exists! (element 1, id n1)" },
  { "POST", "/api/v2/devices", "[{\"id\":\"n1\",\"protocol\":\"virtual\"},5]", 400,
    "~element must be an object (element 1" },
  { "POST", "/api/v2/devices", "[{\"id\":\"n1\",\"protocol\":\"virtual\"},{\"id\":\"n2\","
    "\"protocol\":\"x\"}]", 400,
    "~field protocol must be one of" },
  { "POST", "/api/v2/devices/del", "[\"d1\",\"nope\"]", 404, "device_id not found! (element 1,"
    " id nope)" },
  { "POST", "/api/v2/devices/del", "[\"v1\",1.5]", 400,
    "~field id must be a string or an integer" },
  { "POST", "/api/v2/terms", "[{\"id\":\"nt\",\"device_id\":\"nope\"}]", 404,
    "device_id not found! (element 0, id nt)" },
  { "POST", "/api/v2/items/del", "\"nope\"", 404, "item_id not found! (element 0, id nope)" },
  { "POST", "/api/v2/items", "[{\"id\":\"n1\"},{\"id\":\"n2\"},{\"name\":\"x\"}]", 400,
    "missing field: id (element 2, id )" },
  { "POST", "/api/v2/term_items",
    "[{\"device_id\":\"d1\",\"term_id\":\"t1\",\"item_id\":\"i2\",\"protocol_code\":100,"
      "\"code_type\":\"hr:u16\"},"
    "{\"device_id\":\"d1\",\"term_id\":\"t1\",\"item_id\":\"i1\",\"protocol_code\":101,"
      "\"code_type\":\"hr:u16\"}]", 409,
    "term_item already exists! (element 1, id t1:i1)" },
  { "POST", "/api/v2/term_items/del", "[{\"device_id\":\"d1\",\"term_id\":\"t1\","
    "\"item_id\":\"i1\"},"
    "{\"device_id\":\"d1\",\"term_id\":\"t1\",\"item_id\":\"i9\"}]", 404,
      "~item_id not found! (element 1" },
  { "POST", "/api/v2/formulas/del", "[\"f1\",\"nope\"]", 404, "formula_id not found! (element 1,"
    " id nope)" },
  /* Routing. */
  { "GET", "/api/v1/nothing", NULL, 404, "unknown path /api/v1/nothing" },
  { "GET", "/api/v1/devices/", NULL, 404, "unknown path /api/v1/devices/" },
  { "GET", "/api/v1//devices", NULL, 404, "unknown path /api/v1//devices" },
  { "GET", "/api/v1/redis_key", NULL, 404, "unknown path /api/v1/redis_key" },
  { "PATCH", "/api/v1/devices", "{}", 405,
    "method PATCH not allowed for /api/v1/devices (allowed: GET, HEAD, POST)" },
  { "DELETE", "/api/v1/devices", NULL, 405,
    "method DELETE not allowed for /api/v1/devices (allowed: GET, HEAD, POST)" },
  { "POST", "/api/v1/devices/d1", "{}", 405,
    "method POST not allowed for /api/v1/devices/{device_id} (allowed: GET, HEAD, PUT, DELETE)" },
  { "GET", "/api/v2/devices", NULL, 405,
    "method GET not allowed for /api/v2/devices (allowed: POST)" },
  { "PUT", "/", "{}", 405, "method PUT not allowed for / (allowed: GET, HEAD)" },
  { "GET", "/api/v1/devices/%FF", NULL, 400, "invalid percent-encoding in path (must be UTF-8)" },
  { "DELETE", "/api/v1/terms/t1/items/%C3", NULL, 400,
    "invalid percent-encoding in path (must be UTF-8)" },
  { "GET", "/api/v1/devices/a%2Fb", NULL, 404, "unknown path /api/v1/devices/a/b" },
  { "GET", "/api/v1/devices/%41", NULL, 404, "device_id not found!" },
  { "GET", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z/a/b/c/d/e/f/g/h/i/j/k/l/m"
           "/n/o/p/q/r/s/t/u/v/w/x/y/z/1/2/3/4/5/6/7/8/9/0/1/2/3/4",
    NULL, 404, "~unknown path /a/b/c/d/e" },
};

static Fixture *malformed_fixture;

static void
test_malformed (gconstpointer data)
{
  const Malformed *m = data;
  Fixture *f = malformed_fixture;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(DcReply) r = NULL;

  if (f == NULL)
    {
      f = malformed_fixture = g_new0 (Fixture, 1);
      fixture_setup (f, NULL);
      plant (f);
    }

  before = dump (f->store);
  r = dc_http (f->base, m->method, m->path, m->body);
  if (m->text[0] == '~')
    {
      g_assert_cmpuint (r->status, ==, m->status);
      if (!g_str_has_prefix (r->body, m->text + 1))
        g_error ("got '%s', want a text starting with '%s'", r->body, m->text + 1);
    }
  else
    {
      dc_assert_reply (r, m->status, m->text);
    }
  g_assert_cmpuint (r->status, >=, 400);
  g_assert_cmpuint (r->status, <, 500);
  g_assert_cmpstr (r->content_type, ==, "text/plain; charset=utf-8");
  g_assert_null (strchr (r->body, '\n'));

  after = dump (f->store);
  g_assert_cmpstr (before, ==, after);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_protocols_register_all ();

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/dc/rest/index", test_index);
  ADD ("/dc/rest/index-host-header", test_index_host_header);
  ADD ("/dc/rest/catalogues", test_catalogues);
  ADD ("/dc/rest/devices", test_devices);
  ADD ("/dc/rest/terms", test_terms);
  ADD ("/dc/rest/items", test_items);
  ADD ("/dc/rest/points", test_points);
  ADD ("/dc/rest/formulas", test_formulas);
  ADD ("/dc/rest/rename-rewrites-formulas", test_rename_rewrites_formulas);
  ADD ("/dc/rest/numeric-ids", test_numeric_ids);
  ADD ("/dc/rest/merge-and-null", test_merge_and_null);
  ADD ("/dc/rest/natural-order", test_natural_order);
  ADD ("/dc/rest/utf8", test_utf8);
  ADD ("/dc/rest/routing", test_routing);
  ADD ("/dc/rest/custom-routes", test_custom_routes);
  ADD ("/dc/rest/body-limit", test_body_limit);
#undef ADD
  g_test_add_func ("/dc/rest/token", test_token);

  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      g_autofree char *path = g_strdup_printf ("/dc/rest/malformed/%03u", i);

      g_test_add_data_func (path, &malformed[i], test_malformed);
    }

  status = g_test_run ();

  if (malformed_fixture != NULL)
    {
      fixture_teardown (malformed_fixture, NULL);
      g_free (malformed_fixture);
    }

  return status;
}
