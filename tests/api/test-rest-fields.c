/* test-rest-fields.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "test-rest"

#include "config.h"

#include <string.h>

#include "dc-protocols.h"

#include "rest-fixture.h"

/* docs/rest.md "Unknown fields" and docs/model.md "Fields" over real HTTP: unknown fields are
 * kept and answered with Warning headers naming the nearest known field; low_limit/high_limit
 * are stored as down_limit/up_limit; IEC 104 code_type by name. */

typedef struct
{
  guint  status;
  char  *body;
  char  *warning;   /* the Warning header(s), joined by ", "; NULL when none */
} Answer;

static void
answer_free (Answer *a)
{
  g_free (a->body);
  g_free (a->warning);
  g_free (a);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Answer, answer_free)

static Answer *
request (Fixture    *f,
         const char *method,
         const char *path,
         const char *body)
{
  g_autofree char *uri = g_strconcat (f->base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GBytes) request_body = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) bytes = NULL;
  Answer *a = g_new0 (Answer, 1);

  soup_message_set_request_body_from_bytes (msg, "application/json", request_body);
  bytes = dc_test_send (msg);
  a->status = soup_message_get_status (msg);
  a->body = g_bytes_get_size (bytes) > 0
            ? g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes))
            : g_strdup ("");
  a->warning = g_strdup (soup_message_headers_get_list (soup_message_get_response_headers (msg),
                                                        "Warning"));
  return a;
}

static void
test_unknown_fields (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(Answer) a = NULL;
  g_autoptr(JsonNode) point = NULL;
  g_autoptr(JsonNode) device = NULL;

  plant (f);

  /* A typo in a point: kept, and the answer names it and the field it may have meant. */
  a = request (f, "PUT", "/api/v1/terms/t1/items/i1", "{\"hi_limit\":90}");
  g_assert_cmpuint (a->status, ==, 200);
  g_assert_cmpstr (a->body, ==, "");
  g_assert_cmpstr (a->warning, ==, "299 - \"unknown field 'hi_limit', did you mean 'up_limit'?\"");
  point = get_json (f, "/api/v1/terms/t1/items/i1");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (point), "hi_limit"), ==, 90);
  g_assert_false (json_object_has_member (json_node_get_object (point), "up_limit"));

  /* Known fields only: no Warning. */
  g_clear_pointer (&a, answer_free);
  a = request (f, "PUT", "/api/v1/terms/t1/items/i1", "{\"up_limit\":90,\"alarm_priority\":\"high\"}");
  g_assert_cmpuint (a->status, ==, 200);
  g_assert_null (a->warning);

  /* Several: one warn-value each; quotes escaped, non-ASCII as %XX. */
  g_clear_pointer (&a, answer_free);
  a = request (f, "POST", "/api/v1/devices",
               "{\"id\":\"rtu\",\"protocol\":\"iec104\",\"ip\":\"127.0.0.1\",\"prot\":2404,"
               "\"a\\\"b\":1,\"café\":2}");
  g_assert_cmpuint (a->status, ==, 200);
  g_assert_cmpstr (a->warning, ==,
                   "299 - \"unknown field 'prot', did you mean 'port'?\", "
                   "299 - \"unknown field 'a\\\"b' (kept, not used)\", "
                   "299 - \"unknown field 'caf%C3%A9' (kept, not used)\"");
  device = get_json (f, "/api/v1/devices/rtu");
  g_assert_true (json_object_has_member (json_node_get_object (device), "prot"));

  /* Batches name the element. */
  g_clear_pointer (&a, answer_free);
  a = request (f, "POST", "/api/v2/items", "[{\"id\":\"i7\"},{\"id\":\"i8\",\"uint\":\"kV\"}]");
  g_assert_cmpuint (a->status, ==, 200);
  g_assert_cmpstr (a->warning, ==,
                   "299 - \"unknown field 'uint', did you mean 'unit'? (element 1)\"");

  /* Formulas: p1…pN are known. */
  g_clear_pointer (&a, answer_free);
  a = request (f, "PUT", "/api/v1/formulas/f1",
               "{\"id\":\"f1\",\"formula\":\"p1[-1]+p2[-1]\",\"device_id\":\"2\",\"term_id\":\"t2\","
               "\"item_id\":\"i2\",\"p1\":\"d1:t1:i1\",\"p2\":\"d1:t1:i1\",\"fromula\":\"x\"}");
  g_assert_cmpuint (a->status, ==, 200);
  g_assert_cmpstr (a->warning, ==, "299 - \"unknown field 'fromula', did you mean 'formula'?\"");

  /* A refused change keeps nothing and warns about nothing. */
  g_clear_pointer (&a, answer_free);
  a = request (f, "POST", "/api/v1/devices", "{\"id\":\"rtu\",\"protocol\":\"iec104\",\"prot\":1}");
  g_assert_cmpuint (a->status, ==, 409);
  g_assert_null (a->warning);
}

static void
test_limit_aliases (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(Answer) a = NULL;
  g_autoptr(JsonNode) point = NULL;
  JsonObject *o;

  plant (f);
  a = request (f, "PUT", "/api/v1/terms/t1/items/i1", "{\"low_limit\":2,\"high_limit\":98}");
  g_assert_cmpuint (a->status, ==, 200);
  g_assert_cmpstr (a->warning, ==,
                   "299 - \"field 'low_limit' is stored as 'down_limit'\", "
                   "299 - \"field 'high_limit' is stored as 'up_limit'\"");
  point = get_json (f, "/api/v1/terms/t1/items/i1");
  o = json_node_get_object (point);
  g_assert_cmpint (json_object_get_int_member (o, "down_limit"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (o, "up_limit"), ==, 98);
  g_assert_false (json_object_has_member (o, "low_limit"));
  g_assert_false (json_object_has_member (o, "high_limit"));

  assert_request (f, "PUT", "/api/v1/terms/t1/items/i1", "{\"low_limit\":1,\"down_limit\":3}",
                  400, "field low_limit is another name for down_limit and differs from it");
}

static void
test_code_type_names (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(JsonNode) point = NULL;

  ok (f, "POST", "/api/v1/devices", "{\"id\":\"rtu\",\"protocol\":\"iec104\",\"ip\":\"127.0.0.1\"}");
  ok (f, "POST", "/api/v1/terms", "{\"id\":\"ca1\",\"device_id\":\"rtu\",\"address\":1}");
  ok (f, "POST", "/api/v1/items", "{\"id\":\"brk\"}");
  ok (f, "POST", "/api/v1/items", "{\"id\":\"cmd\"}");
  ok (f, "POST", "/api/v1/terms/ca1/items",
      "{\"item_id\":\"brk\",\"protocol_code\":100,\"code_type\":\"M_DP_NA_1\"}");
  ok (f, "POST", "/api/v2/term_items",
      "[{\"device_id\":\"rtu\",\"term_id\":\"ca1\",\"item_id\":\"cmd\",\"protocol_code\":200,"
      "\"code_type\":\"C_DC_NA_1\"}]");
  assert_get (f, "/api/v1/terms/ca1/items/brk",
              "{\"device_id\":\"rtu\",\"term_id\":\"ca1\",\"item_id\":\"brk\",\"protocol_code\":100,"
              "\"code_type\":3}");
  point = get_json (f, "/api/v1/terms/ca1/items/cmd");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (point), "code_type"), ==, 46);
  assert_request (f, "PUT", "/api/v1/terms/ca1/items/brk", "{\"code_type\":\"M_DP_XX_1\"}",
                  400, "field code_type must be a supported IEC 104 type id (1-16, 20, 21, 30-38, "
                       "45-51, 58-64) or its name (M_ME_NC_1)");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_protocols_register_all ();

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/dc/rest/fields/unknown", test_unknown_fields);
  ADD ("/dc/rest/fields/limit-aliases", test_limit_aliases);
  ADD ("/dc/rest/fields/code-type-names", test_code_type_names);
#undef ADD

  return g_test_run ();
}
