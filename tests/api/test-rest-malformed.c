/* test-rest-malformed.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "test-rest"

#include "config.h"

#include <string.h>

#include "dc-protocols.h"

#include "rest-fixture.h"

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
