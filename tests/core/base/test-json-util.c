/* test-json-util.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* The JSON field accessors of src/core/base/dc-json-util.c on numbers out of range (found by
 * fuzz-modbus: a term address of 2333…3 went through an undefined conversion). */

#define G_LOG_DOMAIN "test-json-util"

#include "config.h"

#include "dc-json-util.h"

static JsonObject *
object_from (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);

  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (node));
}

static void
test_get_int_saturates (void)
{
  static const struct
  {
    const char *json;
    gint64      want;
  } cases[] = {
    { "{\"a\": 1e300}", G_MAXINT64 },
    { "{\"a\": -1e300}", G_MININT64 },
    { "{\"a\": 9223372036854775807}", G_MAXINT64 },
    { "{\"a\": -9223372036854775808}", G_MININT64 },
    { "{\"a\": \"2333333333333333333333333333333\"}", G_MAXINT64 },
    { "{\"a\": \"-9.3e18\"}", G_MININT64 },
    { "{\"a\": 9.2e18}", 9200000000000000000 },
    { "{\"a\": -12.7}", -12 },
    { "{\"a\": \"502\"}", 502 },
    { "{\"a\": \"x\"}", 7 },
    { "{\"a\": \"1e999\"}", 7 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) object = object_from (cases[i].json);

      g_test_message ("%s", cases[i].json);
      g_assert_cmpint (dc_json_get_int (object, "a", 7), ==, cases[i].want);
    }
}

/* What dc_json_node_to_string() writes reads back to the same values (json-glib 1.6's writer
 * gives "1e+20.0" for 1e20, which does not read), in the shortest form that does (0.1, not
 * 0.10000000000000001; 62.800000000000004 stays what it is: it is another double). */
static void
test_to_string (void)
{
  static const struct
  {
    const char *json;
    const char *want;
  } cases[] = {
    { "{\"z\":1e20,\"y\":[2.0,-0.0,3,5e-324]}",
      "{\"z\":1e+20,\"y\":[2.0,-0.0,3,4.94065645841247e-324]}" },
    { "[0.1,62.800000000000004,0.30000000000000004,1.5]",
      "[0.1,62.800000000000004,0.30000000000000004,1.5]" },
    { "[0.10000000000000001,100.0]", "[0.1,100.0]" },
    { "[\"a\\\"b\\\\c\\n\\u0001\\u00e9\",true,null,{}]",
      "[\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\",true,null,{}]" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = json_from_string (cases[i].json, &error);
      g_autoptr(JsonNode) back = NULL;
      g_autofree char *text = NULL;

      g_assert_no_error (error);
      text = dc_json_node_to_string (node);
      g_assert_cmpstr (text, ==, cases[i].want);
      back = json_from_string (text, &error);
      g_assert_no_error (error);
      g_assert_true (json_node_equal (node, back));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json-util/get-int-saturates", test_get_int_saturates);
  g_test_add_func ("/json-util/to-string", test_to_string);
  return g_test_run ();
}
