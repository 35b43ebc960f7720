/* test-rest-entities.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "test-rest"

#include "config.h"

#include <string.h>

#include "dc-json.h"
#include "dc-protocols.h"

#include "rest-fixture.h"

/* The configuration routes over real HTTP: devices, terms, items, points and formulas; ids,
 * merges, order and UTF-8. */

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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_protocols_register_all ();

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
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
#undef ADD

  return g_test_run ();
}
