/* test-hostile-formula.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include "hostile.h"

/* Issue 21, item 1: formulas whose value is cheap to build and huge to print or compare.
 * `[[1]*100000]*100000` shares one inner list 100,000 times; printing it for the "result is
 * not a number" message used to spin the main loop until the process aborted, and again on
 * every restart. Each formula must give a result of quality 0x200 (calculation failed) while
 * the server keeps answering, and the server must start again with the formula stored. */

#define QUALITY_CALC_FAILED 0x200

typedef struct
{
  const char *formula;
  gint64      quality;
  const char *log;  /* a text the server must have logged about the formula, or NULL */
} FormulaCase;

static const FormulaCase cases[] = {
  /* The control: a plain formula, computed, and the probes pass. */
  { "p1[-1] * 2", 0, NULL },
  { "[[1]*100000]*100000", QUALITY_CALC_FAILED, "result is not a number: [[1, 1, 1" },
  { "[[1]*100000]*100000 == [[1]*100000]*100000", QUALITY_CALC_FAILED,
    "formula disabled: evaluation exceeded 1000000 steps" },
  { "len(str([[1]*100000]*100000))", QUALITY_CALC_FAILED,
    "string too long (limit 65536 bytes)" },
  { "p1[-1] + ([1]*99999 + [2] in [[1]*100000]*100000)", QUALITY_CALC_FAILED,
    "formula disabled: evaluation exceeded 1000000 steps" },
};

/* A virtual device with one point that has a sample, and a formula device for the results. */
static void
make_plant (HostileServer *server)
{
  hostile_http_ok (server, "POST", "/api/v1/devices", "{\"id\":\"v\",\"protocol\":\"virtual\"}");
  hostile_http_ok (server, "POST", "/api/v1/terms", "{\"id\":\"tv\",\"device_id\":\"v\"}");
  hostile_http_ok (server, "POST", "/api/v1/items", "{\"id\":\"i1\"}");
  hostile_http_ok (server, "POST", "/api/v1/items", "{\"id\":\"r1\"}");
  hostile_http_ok (server, "POST", "/api/v1/terms/tv/items", "{\"item_id\":\"i1\"}");
  hostile_http_ok (server, "POST", "/api/v1/devices", "{\"id\":\"fd\",\"protocol\":\"formula\"}");
  hostile_http_ok (server, "POST", "/api/v1/terms", "{\"id\":\"tf\",\"device_id\":\"fd\"}");
  hostile_http_ok (server, "POST", "/api/v1/terms/tf/items", "{\"item_id\":\"r1\"}");
  hostile_http_ok (server, "POST", "/api/v1/device_ctrl",
                   "{\"device_id\":\"v\",\"term_id\":\"tv\",\"item_id\":\"i1\",\"value\":1,"
                   "\"user\":\"hostile\"}");
}

/* The quality of the result point's live value, or -1 while it has none. */
static gint64
result_quality (HostileServer *server)
{
  g_autoptr(JsonNode) node = hostile_get_json (server, "/api/v1/values?device_id=fd");
  JsonArray *array = json_node_get_array (node);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);

      if (g_strcmp0 (json_object_get_string_member (o, "item_id"), "r1") == 0)
        return json_object_get_int_member (o, "quality");
    }
  return -1;
}

/* Polls until the result has a live value (10 s at most), staying responsive meanwhile. */
static gint64
wait_result_quality (HostileServer *server)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  gint64 quality;

  while ((quality = result_quality (server)) < 0 && g_get_monotonic_time () < deadline)
    hostile_assert_responsive (server);
  return quality;
}

/* 0: exactly 0; otherwise the bits must be set (a NaN result carries 0x80 too). */
static void
check_quality (gint64 quality,
               gint64 expected)
{
  if (expected == 0)
    g_assert_cmpint (quality, ==, 0);
  else
    g_assert_cmpint (quality & expected, ==, expected);
}

static void
test_formula (gconstpointer data)
{
  const FormulaCase *c = data;
  HostileServer *server = hostile_server_start (NULL, NULL);
  g_autofree char *db = g_strdup (hostile_server_get_db (server));
  g_autofree char *body = NULL;
  g_autofree char *log = NULL;
  g_autofree char *start_log = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  gsize rss_before;
  gsize rss_after;

  make_plant (server);
  rss_before = hostile_server_get_rss_kib (server);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, "f1");
  json_builder_set_member_name (builder, "formula");
  json_builder_add_string_value (builder, c->formula);
  json_builder_set_member_name (builder, "device_id");
  json_builder_add_string_value (builder, "fd");
  json_builder_set_member_name (builder, "term_id");
  json_builder_add_string_value (builder, "tf");
  json_builder_set_member_name (builder, "item_id");
  json_builder_add_string_value (builder, "r1");
  json_builder_set_member_name (builder, "p1");
  json_builder_add_string_value (builder, "v:tv:i1");
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  body = json_to_string (node, FALSE);
  hostile_http_ok (server, "POST", "/api/v1/formulas", body);

  /* The formula runs in an idle after the store commits: probe through it. */
  hostile_assert_responsive_for (server, 2000);
  check_quality (wait_result_quality (server), c->quality);
  hostile_assert_responsive (server);
  rss_after = hostile_server_get_rss_kib (server);
  g_test_message ("RSS %zu → %zu KiB", rss_before, rss_after);
  g_assert_cmpuint (rss_after, <, rss_before + HOSTILE_RSS_BOUND (64 * 1024));
  log = hostile_server_get_log (server);
  if (c->log != NULL && strstr (log, c->log) == NULL)
    g_error ("the server did not log \"%s\": %s", c->log, log);
  hostile_server_stop (server);

  /* Again from the stored formula: the server must start and answer. */
  server = hostile_server_try_start (db, NULL, 10000, &start_log);
  if (server == NULL)
    g_error ("datacoll did not start again with the formula stored: %.2000s", start_log);
  hostile_assert_responsive_for (server, 1000);
  /* A new sample runs the formula, if loading the history did not already. */
  hostile_http_ok (server, "POST", "/api/v1/device_ctrl",
                   "{\"device_id\":\"v\",\"term_id\":\"tv\",\"item_id\":\"i1\",\"value\":2,"
                   "\"user\":\"hostile\"}");
  hostile_assert_responsive_for (server, 1000);
  check_quality (wait_result_quality (server), c->quality);
  g_assert_cmpuint (hostile_server_get_rss_kib (server), <,
                    rss_before + HOSTILE_RSS_BOUND (64 * 1024));
  hostile_server_stop (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/dc/hostile/formula/%u", i);

      g_test_add_data_func (path, &cases[i], test_formula);
    }

  return g_test_run ();
}
