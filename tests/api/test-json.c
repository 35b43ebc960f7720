/* test-json.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "dc-error.h"
#include "dc-json.h"

/* Parse then write: the strict parser accepts exactly RFC 8259 and the writer gives back
 * compact UTF-8 (no \u escapes except control characters). */
typedef struct
{
  const char *input;
  const char *output;  /* NULL: the input itself */
} RoundTrip;

static const RoundTrip round_trips[] = {
  { "{}", NULL },
  { "[]", NULL },
  { " { \"a\" : [ 1 , 2 ] } ", "{\"a\":[1,2]}" },
  { "\"\"", NULL },
  { "0", NULL },
  { "-0", "0" },
  { "-12", NULL },
  { "9223372036854775807", NULL },
  { "-9223372036854775808", NULL },
  { "99999999999999999999", "1e+20" },
  { "1.0", NULL },
  { "2.5", NULL },
  { "0.1", NULL },
  { "1e3", "1000.0" },
  { "1E-2", "0.01" },
  { "-0.0", "-0.0" },
  { "1.7976931348623157e308", "1.7976931348623157e+308" },
  { "5e-324", "4.94065645841247e-324" },
  { "0.30000000000000004", NULL },
  { "true", NULL },
  { "false", NULL },
  { "null", NULL },
  { "\"\\u00e9\\u4e2d\"", "\"é中\"" },
  { "\"\\ud83d\\ude00\"", "\"😀\"" },
  { "\"a\\\"b\\\\c\\/d\"", "\"a\\\"b\\\\c/d\"" },
  { "\"\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\"", "\"\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\"" },
  { "\"电表 ℃\"", NULL },
  { "{\"b\":1,\"a\":2,\"c\":{\"z\":null}}", NULL },
  { "\xef\xbb\xbf{}", "{}" },
  { "[[[[[[[[[[1]]]]]]]]]]", NULL },
};

static void
test_round_trip (gconstpointer data)
{
  const RoundTrip *rt = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = dc_json_parse (rt->input, strlen (rt->input), &error);
  g_autofree char *out = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (node);
  out = dc_json_to_string (node, NULL);
  g_assert_cmpstr (out, ==, rt->output ? rt->output : rt->input);
}

typedef struct
{
  const char *input;
  gssize      length;
  const char *message;
} Invalid;

static const Invalid invalid[] = {
  { "", -1, "invalid JSON at line 1 column 1: unexpected end of input, expected a value" },
  { "   ", -1, "invalid JSON at line 1 column 4: unexpected end of input, expected a value" },
  { "{", -1, "invalid JSON at line 1 column 2: unexpected end of input, expected a string key" },
  { "[1 2]", -1, "invalid JSON at line 1 column 4: unexpected character '2', expected ',' or ']'" },
  { "{\"a\" 1}", -1, "invalid JSON at line 1 column 6: unexpected character '1', expected ':'" },
  { "{\"a\":1,}", -1, "invalid JSON at line 1 column 8: unexpected character '}',"
    " expected a string key" },
  { "\n\n  x", -1, "invalid JSON at line 3 column 3: unexpected character 'x', expected a value" },
  { "\"电表\" x", -1, "invalid JSON at line 1 column 6: unexpected character 'x',"
    " expected end of input" },
  { "+1", -1, "invalid JSON at line 1 column 1: unexpected character '+', expected a value" },
  { "1.", -1, "invalid JSON at line 1 column 1: invalid number" },
  { "1e", -1, "invalid JSON at line 1 column 1: invalid number" },
  { "1e+", -1, "invalid JSON at line 1 column 1: invalid number" },
  { "00", -1, "invalid JSON at line 1 column 1: invalid number (leading zero)" },
  { "-", -1, "invalid JSON at line 1 column 1: invalid number" },
  { "1e309", -1, "invalid JSON at line 1 column 1: number out of range" },
  { "-1e309", -1, "invalid JSON at line 1 column 1: number out of range" },
  { "Infinity", -1, "invalid JSON at line 1 column 1: unexpected character 'I', expected a value" },
  { "\"abc", -1, "invalid JSON at line 1 column 5: unterminated string" },
  { "\"a\nb\"", -1, "invalid JSON at line 1 column 3: control character in string" },
  { "\"\\u12\"", -1, "invalid JSON at line 1 column 2: invalid \\u escape" },
  { "\"\\udc00\"", -1, "invalid JSON at line 1 column 2: unpaired surrogate in \\u escape" },
  { "\"\\ud800\\u0041\"", -1, "invalid JSON at line 1 column 2: unpaired surrogate in \\u escape" },
  { "\"\\x41\"", -1, "invalid JSON at line 1 column 2: invalid escape sequence" },
  { "\"\xc3\x28\"", -1, "invalid JSON at line 1 column 2: invalid UTF-8" },
  { "[1,\0 2]", 6, "invalid JSON at line 1 column 4: NUL byte in input" },
  { "{\"a\":1,\"a\":1}", -1, "invalid JSON at line 1 column 8: duplicate key \"a\"" },
  { "nul", -1, "invalid JSON at line 1 column 1: unexpected character 'n', expected a value" },
  { "[\xe2\x80\x83]", -1, "invalid JSON at line 1 column 2: unexpected character U+2003,"
    " expected a value" },
};

static void
test_invalid (gconstpointer data)
{
  const Invalid *inv = data;
  g_autoptr(GError) error = NULL;
  gsize length = inv->length < 0 ? strlen (inv->input) : (gsize) inv->length;
  g_autoptr(JsonNode) node = dc_json_parse (inv->input, length, &error);

  g_assert_null (node);
  g_assert_error (error, DC_ERROR, DC_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, inv->message);
}

static void
test_depth (void)
{
  GString *deep = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ok = NULL;
  g_autoptr(JsonNode) too_deep = NULL;

  for (guint i = 0; i < DC_JSON_MAX_DEPTH; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < DC_JSON_MAX_DEPTH; i++)
    g_string_append_c (deep, ']');
  ok = dc_json_parse (deep->str, deep->len, &error);
  g_assert_no_error (error);

  g_string_prepend_c (deep, '[');
  g_string_append_c (deep, ']');
  too_deep = dc_json_parse (deep->str, deep->len, &error);
  g_assert_null (too_deep);
  g_assert_error (error, DC_ERROR, DC_ERROR_INVALID);
  g_assert_true (strstr (error->message, "nesting deeper than 128 levels") != NULL);
  g_string_free (deep, TRUE);
}

/* NaN and ±Inf never reach the wire: null. */
static void
test_non_finite (void)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *out = NULL;
  GString *str = g_string_new (NULL);

  json_object_set_double_member (object, "nan", NAN);
  json_object_set_double_member (object, "inf", INFINITY);
  json_object_set_double_member (object, "-inf", -INFINITY);
  json_object_set_double_member (object, "x", 1.5);
  json_node_set_object (node, object);
  out = dc_json_to_string (node, NULL);
  g_assert_cmpstr (out, ==, "{\"nan\":null,\"inf\":null,\"-inf\":null,\"x\":1.5}");

  dc_json_append_double (str, NAN);
  dc_json_append_double (str, 100.0);
  g_assert_cmpstr (str->str, ==, "null100.0");
  g_string_free (str, TRUE);
}

/* Every double written reads back to the same double. */
static void
test_double_round_trip (void)
{
  GRand *rand = g_rand_new_with_seed (42);

  for (guint i = 0; i < 20000; i++)
    {
      union { guint64 bits; double d; } u;
      GString *str = g_string_new (NULL);

      u.bits = ((guint64) g_rand_int (rand) << 32) | g_rand_int (rand);
      if (!isfinite (u.d))
        {
          g_string_free (str, TRUE);
          continue;
        }
      dc_json_append_double (str, u.d);
      g_assert_true (g_ascii_strtod (str->str, NULL) == u.d);
      g_string_free (str, TRUE);
    }
  g_rand_free (rand);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (round_trips); i++)
    {
      g_autofree char *path = g_strdup_printf ("/dc/json/round-trip/%02u", i);

      g_test_add_data_func (path, &round_trips[i], test_round_trip);
    }
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autofree char *path = g_strdup_printf ("/dc/json/invalid/%02u", i);

      g_test_add_data_func (path, &invalid[i], test_invalid);
    }
  g_test_add_func ("/dc/json/depth", test_depth);
  g_test_add_func ("/dc/json/non-finite", test_non_finite);
  g_test_add_func ("/dc/json/double-round-trip", test_double_round_trip);

  return g_test_run ();
}
