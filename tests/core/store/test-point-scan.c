/* test-point-scan.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * A point's view read from its stored text (dc_point_info_new_from_text: the flat scanner, or
 * json-glib for the rest) equals the view read from the parsed object; the address check's
 * index exists and the check still finds overlaps across the terms of a device.
 */

#include "config.h"

#include <sqlite3.h>

#include "dc-error.h"
#include "dc-protocols.h"
#include "dc-point-scan-private.h"
#include "dc-store.h"

#include "dc-test-store.h"

static DcPointInfo *
info_from_object (const char *body)
{
  g_autoptr(JsonNode) node = json_from_string (body, NULL);
  g_autoptr(JsonObject) object = NULL;

  object = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_object_ref (json_node_get_object (node))
                                                         : json_object_new ();
  json_object_set_string_member (object, "device_id", "d1");
  json_object_set_string_member (object, "term_id", "t1");
  json_object_set_string_member (object, "item_id", "i1");
  return dc_point_info_new_from_body (7, object, body);
}

static void
assert_same_view (const char *body,
                  gboolean    flat)
{
  g_autoptr(DcPointInfo) scanned = dc_point_info_new_from_text (7, "d1", "t1", "i1", body);
  g_autoptr(DcPointInfo) parsed = info_from_object (body);

  g_test_message ("body %s", body);
  /* Which path the view took. */
  {
    DcPointInfo probe = { 0 };

    g_assert_cmpint (_dc_point_scan_body (body, &probe), ==, flat);
    g_clear_pointer (&probe.protocol_code, g_ref_string_release);
    g_clear_pointer (&probe.code_type, g_ref_string_release);
  }
  g_assert_cmpint (scanned->key, ==, 7);
  g_assert_cmpstr (scanned->device_id, ==, "d1");
  g_assert_cmpstr (scanned->term_id, ==, "t1");
  g_assert_cmpstr (scanned->item_id, ==, "i1");
  g_assert_cmpstr (scanned->protocol_code, ==, parsed->protocol_code);
  g_assert_cmpstr (scanned->code_type, ==, parsed->code_type);
  g_assert_cmpfloat (scanned->coefficient, ==, parsed->coefficient);
  g_assert_cmpfloat (scanned->base_val, ==, parsed->base_val);
  g_assert_cmpint (scanned->history, ==, parsed->history);
  g_assert_cmpfloat (scanned->history_deadband, ==, parsed->history_deadband);
  g_assert_cmpint (scanned->retention_days, ==, parsed->retention_days);
  g_assert_cmpint (scanned->decimals, ==, parsed->decimals);
  g_assert_true ((scanned->json == NULL) == (parsed->json == NULL));
  g_assert_cmpstr (scanned->body, ==, parsed->body);
  /* Interned: the same text is the same pointer. */
  g_assert_true (scanned->code_type == parsed->code_type);
  g_assert_true (scanned->term_id == parsed->term_id);
  /* One member of the view, read without the whole object. */
  {
    static const char * const names[] = {
      "protocol_code", "code_type", "coefficient", "history", "decimals", "name", "extra",
      "up_limit", "states", "direct", "missing", "device_id", "item_id",
    };
    g_autoptr(JsonObject) whole = dc_point_info_dup_json (parsed);

    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_autoptr(JsonNode) member = dc_point_info_dup_member (scanned, names[i]);
        JsonNode *expected = json_object_get_member (whole, names[i]);

        g_assert_true ((member == NULL) == (expected == NULL));
        if (member == NULL)
          continue;
        g_assert_cmpint (json_node_get_node_type (member), ==, json_node_get_node_type (expected));
        if (JSON_NODE_HOLDS_VALUE (member))
          g_assert_true (json_node_get_value_type (member) == json_node_get_value_type (expected));
        g_assert_true (json_node_equal (member, expected));
      }
  }
  {
    g_autoptr(JsonObject) a = dc_point_info_dup_json (scanned);
    g_autoptr(JsonObject) b = dc_point_info_dup_json (parsed);
    g_autoptr(JsonNode) na = json_node_init_object (json_node_alloc (), a);
    g_autoptr(JsonNode) nb = json_node_init_object (json_node_alloc (), b);

    g_assert_true (json_node_equal (na, nb));
  }
}

static void
test_same_view (void)
{
  static const char * const bodies[] = {
    /* The usual point (the scanner's path). */
    "{\"protocol_code\":40001,\"code_type\":\"hr:u16\",\"history\":\"change\"}",
    "{}",
    " { \"protocol_code\" : 5 , \"code_type\" : \"hr:f32\" } ",
    "{\"protocol_code\":\"M_ME_NC_1:4001\",\"code_type\":\"float\",\"history\":\"all\"}",
    "{\"protocol_code\":12.6,\"code_type\":3,\"history\":\"none\"}",
    "{\"protocol_code\":-0,\"code_type\":2.5}",
    "{\"protocol_code\":1e3,\"code_type\":true,\"history\":\"ALL\"}",
    "{\"protocol_code\":null,\"code_type\":null,\"history\":null,\"decimals\":null}",
    "{\"protocol_code\":false,\"history\":5}",
    "{\"coefficient\":0.1,\"base_val\":-40,\"history_deadband\":0.5,\"retention_days\":30}",
    "{\"coefficient\":\" 2.5 \",\"base_val\":\"abc\",\"history_deadband\":\"\",\"retention_days\":\"7\"}",
    "{\"coefficient\":1e999,\"base_val\":-1E-3,\"retention_days\":1e30,\"decimals\":99}",
    "{\"retention_days\":-1e30,\"decimals\":-5}",
    "{\"decimals\":3,\"coefficient\":true,\"base_val\":false}",
    "{\"decimals\":\"2\",\"retention_days\":12.9}",
    "{\"protocol_code\":123456789012345678,\"name\":\"pump 1\",\"unit\":\"°C\"}",
    /* The JSON path: nested members, escapes, long integers, repeated members, alarms. */
    "{\"protocol_code\":1234567890123456789012,\"code_type\":\"hr:u16\"}",
    "{\"protocol_code\":7,\"name\":\"say \\\"hi\\\"\",\"code_type\":\"hr:u16\"}",
    "{\"protocol_code\":7,\"code_type\":\"hr\\u003au16\"}",
    "{\"protocol_code\":7,\"extra\":{\"a\":[1,2]},\"decimals\":2}",
    "{\"protocol_code\":7,\"protocol_code\":8}",
    "{\"protocol_code\":7,\"up_limit\":90,\"down_limit\":10}",
    "{\"protocol_code\":7,\"states\":{\"1\":\"open\"}}",
    "{\"protocol_code\":7,\"direct\":true}",
    "{\"protocol_code\":7,\"do_verify\":\"x > 1\"}",
    /* Not an object, or not JSON: a view with no members either way. */
    "[1,2]",
    "{\"protocol_code\":7,}",
    "{\"protocol_code\":07}",
    "{\"protocol_code\":7} x",
    "not json",
    "",
  };
  const guint n_flat = 16;  /* the bodies before "The JSON path" */

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    assert_same_view (bodies[i], i < n_flat);
}

static void
test_scanned_fields (void)
{
  g_autoptr(DcPointInfo) info = dc_point_info_new_from_text (
    3, "d", "t", "i",
    "{\"protocol_code\":40001,\"code_type\":\"hr:u16\",\"coefficient\":0.5,"
    "\"history\":\"all\",\"decimals\":2,\"retention_days\":10}");
  g_autoptr(DcPointInfo) alarm = dc_point_info_new_from_text (
    4, "d", "t", "j", "{\"protocol_code\":1,\"up_limit\":5}");

  /* The values themselves, not only agreement with json-glib. */
  g_assert_cmpstr (info->protocol_code, ==, "40001");
  g_assert_cmpstr (info->code_type, ==, "hr:u16");
  g_assert_cmpfloat (info->coefficient, ==, 0.5);
  g_assert_cmpfloat (info->base_val, ==, 0.0);
  g_assert_cmpint (info->history, ==, DC_HISTORY_ALL);
  g_assert_cmpint (info->decimals, ==, 2);
  g_assert_cmpint (info->retention_days, ==, 10);
  g_assert_null (info->json);
  g_assert_nonnull (info->body);
  /* An alarm member keeps the object, with the ids. */
  g_assert_nonnull (alarm->json);
  g_assert_cmpstr (json_object_get_string_member (alarm->json, "item_id"), ==, "j");
  g_assert_cmpfloat (json_object_get_double_member (alarm->json, "up_limit"), ==, 5.0);
}

#define object_from dc_test_json_object

static void
create_ok (DcStore    *store,
           DcKind      kind,
           const char *json)
{
  dc_test_store_create (store, kind, json);
}

static void
test_address_index (void)
{
  g_autofree char *dir = g_dir_make_tmp ("dc-point-scan-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "datacoll.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DcStore) store = dc_store_open (path, &error);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autoptr(JsonArray) batch = json_array_new ();
  int found = 0;

  g_assert_no_error (error);
  create_ok (store, DC_KIND_DEVICE, "{\"id\":\"d\",\"protocol\":\"modbus_tcp\",\"ip\":\"127.0.0.1\"}");
  create_ok (store, DC_KIND_TERM, "{\"id\":\"t1\",\"device_id\":\"d\",\"address\":1}");
  create_ok (store, DC_KIND_TERM, "{\"id\":\"t2\",\"device_id\":\"d\",\"address\":1}");
  create_ok (store, DC_KIND_TERM, "{\"id\":\"t3\",\"device_id\":\"d\",\"address\":2}");
  for (int i = 0; i < 20; i++)
    {
      g_autofree char *item = g_strdup_printf ("{\"id\":\"i%d\"}", i);

      create_ok (store, DC_KIND_ITEM, item);
    }
  /* 0..9 as u16, 10 as u32 (10-11), 20 as f64 (20-23) on t1. */
  for (int i = 0; i < 10; i++)
    {
      g_autofree char *p = g_strdup_printf ("{\"term_id\":\"t1\",\"item_id\":\"i%d\","
                                            "\"protocol_code\":%d,\"code_type\":\"hr:u16\"}", i, i);

      json_array_add_object_element (batch, object_from (p));
    }
  json_array_add_object_element (batch, object_from ("{\"term_id\":\"t1\",\"item_id\":\"i10\","
                                                     "\"protocol_code\":10,\"code_type\":\"hr:u32\"}"));
  json_array_add_object_element (batch, object_from ("{\"term_id\":\"t1\",\"item_id\":\"i11\","
                                                     "\"protocol_code\":20,\"code_type\":\"hr:f64\"}"));
  g_assert_true (dc_store_create_batch (store, DC_KIND_POINT, batch, &error));
  g_assert_no_error (error);

  /* The same unit on another term of the device: register 11 is inside 10's u32, 23 inside
   * 20's f64, and 19 as f64 (19-22) overlaps 20. */
  {
    static const char * const overlaps[] = {
      "{\"term_id\":\"t2\",\"item_id\":\"i12\",\"protocol_code\":11,\"code_type\":\"hr:u16\"}",
      "{\"term_id\":\"t2\",\"item_id\":\"i12\",\"protocol_code\":23,\"code_type\":\"hr:u16\"}",
      "{\"term_id\":\"t2\",\"item_id\":\"i12\",\"protocol_code\":19,\"code_type\":\"hr:f64\"}",
      "{\"term_id\":\"t1\",\"item_id\":\"i12\",\"protocol_code\":\"5\",\"code_type\":\"hr:u16\"}",
    };

    for (guint i = 0; i < G_N_ELEMENTS (overlaps); i++)
      {
        g_autoptr(JsonObject) p = object_from (overlaps[i]);
        g_autoptr(GError) e = NULL;

        g_assert_false (dc_store_create (store, DC_KIND_POINT, p, &e));
        g_assert_error (e, DC_ERROR, DC_ERROR_EXISTS);
        g_assert_true (g_str_has_prefix (e->message, "protocol_code already used by t1:i"));
      }
  }
  /* Free registers, and the same register on another unit (t3), are accepted. */
  create_ok (store, DC_KIND_POINT,
             "{\"term_id\":\"t2\",\"item_id\":\"i12\",\"protocol_code\":12,\"code_type\":\"hr:u16\"}");
  create_ok (store, DC_KIND_POINT,
             "{\"term_id\":\"t2\",\"item_id\":\"i13\",\"protocol_code\":16,\"code_type\":\"hr:f64\"}");
  create_ok (store, DC_KIND_POINT,
             "{\"term_id\":\"t3\",\"item_id\":\"i12\",\"protocol_code\":0,\"code_type\":\"hr:u16\"}");

  /* In a batch (terms, items and neighbours' ranges read once per batch): sequential
   * registers pass, and an overlap with a point of the same batch fails the batch. */
  {
    g_autoptr(JsonArray) ok = json_array_new ();
    g_autoptr(JsonArray) bad = json_array_new ();
    g_autoptr(GError) e = NULL;

    for (int i = 14; i < 19; i++)
      {
        g_autofree char *p = g_strdup_printf ("{\"term_id\":\"t3\",\"item_id\":\"i%d\","
                                              "\"protocol_code\":%d,\"code_type\":\"hr:u16\"}",
                                              i, i - 13);

        json_array_add_object_element (ok, object_from (p));
      }
    g_assert_true (dc_store_create_batch (store, DC_KIND_POINT, ok, &error));
    g_assert_no_error (error);
    json_array_add_object_element (bad, object_from ("{\"term_id\":\"t3\",\"item_id\":\"i19\","
                                                     "\"protocol_code\":40,\"code_type\":\"hr:u16\"}"));
    json_array_add_object_element (bad, object_from ("{\"term_id\":\"t2\",\"item_id\":\"i19\","
                                                     "\"protocol_code\":41,\"code_type\":\"hr:u32\"}"));
    json_array_add_object_element (bad, object_from ("{\"term_id\":\"t2\",\"item_id\":\"i18\","
                                                     "\"protocol_code\":39,\"code_type\":\"hr:u16\"}"));
    json_array_add_object_element (bad, object_from ("{\"term_id\":\"t3\",\"item_id\":\"i0\","
                                                     "\"protocol_code\":3,\"code_type\":\"hr:u32\"}"));
    g_assert_false (dc_store_create_batch (store, DC_KIND_POINT, bad, &e));
    g_assert_error (e, DC_ERROR, DC_ERROR_EXISTS);
    g_assert_cmpstr (e->message, ==, "protocol_code already used by t3:i16! (element 3, id t3:i0)");
    /* All or nothing: t3:i19 was rolled back. */
    g_assert_cmpint (dc_store_get_point_key (store, "t3", "i19"), ==, 0);
  }

  /* The index is there and the check's query reads it. */
  g_assert_cmpint (sqlite3_open_v2 (dc_store_get_path (store), &db, SQLITE_OPEN_READONLY, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "EXPLAIN QUERY PLAN SELECT p.term_id FROM points p "
                                       "JOIN terms t ON t.id = p.term_id WHERE t.device_id = 'd' "
                                       "AND CAST (json_extract (p.body, '$.protocol_code') AS INTEGER) "
                                       "BETWEEN 1 AND 4", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    if (strstr ((const char *) sqlite3_column_text (stmt, 3), "points_by_term_code") != NULL)
      found++;
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpint (found, ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  dc_protocols_register_all ();

  g_test_add_func ("/dc/store/point-scan/same-view", test_same_view);
  g_test_add_func ("/dc/store/point-scan/scanned-fields", test_scanned_fields);
  g_test_add_func ("/dc/store/point-scan/address-index", test_address_index);
  return g_test_run ();
}
