/* test-api-samples.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include "dc-api.h"
#include "dc-routes.h"
#include "dc-engine.h"
#include "dc-error.h"
#include "dc-json.h"

#include "dc-protocols.h"
#include "dc-test-http.h"
#include "dc-test-store.h"
#include "dc-time.h"

/* The sample routes over real HTTP: store, history, engine and server in process, on
 * 127.0.0.1 port 0. */

#define SEC ((gint64) G_USEC_PER_SEC)
#define MAX_SAMPLES 50

typedef struct
{
  DcStore   *store;
  DcHistory *history;
  DcEngine  *engine;
  DcServer  *server;
  char      *base;
  gint64     t0;
} Fixture;

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  /* The same answers from both history backends (data: "sqlite" or "postgresql"). */
  dc_test_open_store_and_history_on (data, &fx->store, &fx->history);

  dc_test_store_create (fx->store, DC_KIND_DEVICE, "{\"id\":\"v\",\"protocol\":\"virtual\"}");
  dc_test_store_create (fx->store, DC_KIND_DEVICE,
                        "{\"id\":\"m\",\"protocol\":\"modbus_tcp\",\"ip\":\"127.0.0.1\","
                        "\"port\":1,\"enabled\":false}");
  dc_test_store_create (fx->store, DC_KIND_TERM, "{\"id\":\"t1\",\"device_id\":\"v\"}");
  dc_test_store_create (fx->store, DC_KIND_TERM, "{\"id\":\"t2\",\"device_id\":\"m\"}");
  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\":\"i1\"}");
  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\":\"i2\"}");
  dc_test_store_create (fx->store, DC_KIND_POINT, "{\"term_id\":\"t1\",\"item_id\":\"i1\"}");
  dc_test_store_create (fx->store, DC_KIND_POINT,
                        "{\"term_id\":\"t1\",\"item_id\":\"i2\",\"history\":\"all\"}");
  dc_test_store_create (fx->store, DC_KIND_POINT,
                        "{\"term_id\":\"t2\",\"item_id\":\"i1\",\"protocol_code\":1,"
                        "\"code_type\":\"hr:u16\"}");

  fx->engine = dc_engine_new (fx->store, fx->history);
  dc_engine_start (fx->engine);
  fx->server = dc_server_new (fx->store);
  dc_api_add_config_routes (fx->server);
  dc_api_add_sample_routes (fx->server, fx->engine, MAX_SAMPLES);
  dc_api_add_control_routes (fx->server, fx->engine);
  dc_server_listen (fx->server, "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  fx->base = g_strdup_printf ("http://127.0.0.1:%u", dc_server_get_port (fx->server));
  fx->t0 = (g_get_real_time () / SEC) * SEC - 3600 * SEC;
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  dc_server_disconnect (fx->server);
  g_assert_finalize_object (fx->server);
  dc_engine_shutdown (fx->engine);
  g_assert_finalize_object (fx->engine);
  dc_test_release_history (fx->history);
  g_assert_finalize_object (fx->store);
  g_free (fx->base);
}

static DcReply *
get (Fixture    *fx,
     const char *path)
{
  return dc_http (fx->base, "GET", path, NULL);
}

static JsonNode *
parse (DcReply *reply)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = dc_json_parse (reply->body, reply->length, &error);

  g_assert_no_error (error);
  return node;
}

static void
ingest (Fixture *fx,
        gint64   key,
        gint64   time,
        double   value)
{
  DcSample s = { key, time, value, 0 };

  dc_engine_ingest (fx->engine, &s, 1, DC_INGEST_API);
}

/* PyDataColl's data scenario: three samples through a virtual device, then datas,
 * datas/-1, datas/0, out of range, non-integer, unknown point. */
static void
test_data_scenario (Fixture       *fx,
                    gconstpointer  data)
{
  static const char *values[] = { "1.5", "\"2.5\"", "3" };
  static const double expected[] = { 1.5, 2.5, 3.0 };
  const char *datas = "/api/v1/devices/v/terms/t1/items/i1/datas";
  g_autoptr(DcReply) r = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GPtrArray) controls = NULL;
  g_autoptr(GList) members = NULL;
  JsonObject *o;
  char *times[3];

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"device_id\":\"v\",\"term_id\":\"t1\","
                                               "\"item_id\":\"i1\",\"value\":%s,\"user\":\"ann\"}",
                                               values[i]);
      g_autoptr(DcReply) ctrl = dc_http (fx->base, "POST", "/api/v1/device_ctrl", body);
      g_autoptr(JsonNode) answer = NULL;
      g_autoptr(DcReply) after = NULL;
      g_autoptr(JsonNode) seen = NULL;

      g_assert_cmpuint (ctrl->status, ==, 200);
      answer = parse (ctrl);
      o = json_node_get_object (answer);
      g_assert_cmpstr (json_object_get_string_member (o, "device_id"), ==, "v");
      g_assert_cmpstr (json_object_get_string_member (o, "item_id"), ==, "i1");
      g_assert_cmpfloat (json_object_get_double_member (o, "value"), ==, expected[i]);
      g_assert_cmpint (json_object_get_int_member (o, "quality"), ==, 0);
      times[i] = g_strdup (json_object_get_string_member (o, "time"));

      /* Read-your-writes: the sample is there right after the answer. */
      after = get (fx, datas);
      g_assert_cmpuint (after->status, ==, 200);
      seen = parse (after);
      g_assert_true (json_object_has_member (json_node_get_object (seen), times[i]));
      g_assert_cmpuint (json_object_get_size (json_node_get_object (seen)), ==, i + 1);
    }

  r = get (fx, datas);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_true (g_str_has_prefix (r->content_type, "application/json"));
  node = parse (r);
  o = json_node_get_object (node);
  members = json_object_get_members (o);
  g_assert_cmpuint (g_list_length (members), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      const char *t = g_list_nth_data (members, i);

      g_assert_cmpstr (t, ==, times[i]);
      g_assert_cmpfloat (json_object_get_double_member (o, t), ==, expected[i]);
    }

  {
    g_autoptr(DcReply) last = get (fx, "/api/v1/devices/v/terms/t1/items/i1/datas/-1");
    g_autoptr(DcReply) first = get (fx, "/api/v1/devices/v/terms/t1/items/i1/datas/0");
    g_autofree char *want_last = g_strdup_printf ("{\"%s\":3.0}", times[2]);
    g_autofree char *want_first = g_strdup_printf ("{\"%s\":1.5}", times[0]);

    dc_assert_reply (last, 200, want_last);
    dc_assert_reply (first, 200, want_first);
  }
  {
    g_autoptr(DcReply) a = get (fx, "/api/v1/devices/v/terms/t1/items/i1/datas/3");
    g_autoptr(DcReply) b = get (fx, "/api/v1/devices/v/terms/t1/items/i1/datas/-4");
    g_autoptr(DcReply) c = get (fx, "/api/v1/devices/v/terms/t1/items/i1/datas/x");
    g_autoptr(DcReply) d = get (fx, "/api/v1/devices/v/terms/t1/items/i1/datas/1.5");
    g_autoptr(DcReply) e = get (fx, "/api/v1/devices/v/terms/t1/items/nope/datas");
    g_autoptr(DcReply) f = get (fx, "/api/v1/devices/m/terms/t1/items/i1/datas");
    g_autoptr(DcReply) g = get (fx, "/api/v1/devices/v/terms/t1/items/nope/datas/0");

    dc_assert_reply (a, 404, "index out of range!");
    dc_assert_reply (b, 404, "index out of range!");
    g_assert_cmpuint (c->status, ==, 400);
    g_assert_cmpuint (d->status, ==, 400);
    dc_assert_reply (e, 200, "{}");
    dc_assert_reply (f, 200, "{}");   /* the term is not on that device */
    dc_assert_reply (g, 404, "index out of range!");
  }

  /* device_call answers the current sample; a point without one → 404. */
  {
    g_autoptr(DcReply) call = dc_http (fx->base, "POST", "/api/v1/device_call",
                                       "{\"device_id\":\"v\",\"term_id\":\"t1\",\"item_id\":\"i1\"}");
    g_autoptr(DcReply) none = dc_http (fx->base, "POST", "/api/v1/device_call",
                                       "{\"device_id\":\"v\",\"term_id\":\"t1\",\"item_id\":\"i2\"}");
    g_autoptr(DcReply) offline = dc_http (fx->base, "POST", "/api/v1/device_call",
                                          "{\"device_id\":\"m\",\"term_id\":\"t2\",\"item_id\":\"i1\"}");
    g_autoptr(DcReply) missing = dc_http (fx->base, "POST", "/api/v1/device_ctrl",
                                          "{\"device_id\":\"v\",\"term_id\":\"t1\",\"item_id\":\"i1\"}");
    g_autoptr(DcReply) bad = dc_http (fx->base, "POST", "/api/v1/device_ctrl",
                                      "{\"device_id\":\"v\",\"term_id\":\"t1\",\"item_id\":\"i1\","
                                      "\"value\":\"abc\"}");
    g_autoptr(DcReply) nodev = dc_http (fx->base, "POST", "/api/v1/device_call",
                                        "{\"device_id\":\"x\",\"term_id\":\"t1\",\"item_id\":\"i1\"}");
    g_autoptr(JsonNode) answer = NULL;

    g_assert_cmpuint (call->status, ==, 200);
    answer = parse (call);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (answer), "time"), ==,
                     times[2]);
    dc_assert_reply (none, 404, "no sample yet!");
    dc_assert_reply (offline, 503, "device m is offline");
    dc_assert_reply (missing, 400, "missing field: value");
    dc_assert_reply (bad, 400, "field value must be a number");
    dc_assert_reply (nodev, 404, "device_id not found!");
  }

  /* Every control is recorded. */
  controls = dc_test_audit_rows (fx->store, "control.result", NULL);
  g_assert_cmpuint (controls->len, ==, 3);
  {
    DcAuditRow *row = g_ptr_array_index (controls, 0);

    /* Open mode: the user is "local", the source the peer; the body's name is kept. */
    g_assert_cmpstr (row->user, ==, "local");
    g_assert_true (g_str_has_prefix (row->source, "127.0.0.1:"));
    g_assert_nonnull (strstr (row->detail, "\"by\":\"ann\""));
  }

  /* /values: the current samples. The disabled Modbus device's point is marked
   * communication lost (null value, 0x80|0x100) by the engine. */
  {
    g_autoptr(DcReply) v = get (fx, "/api/v1/values");
    g_autoptr(DcReply) vv = get (fx, "/api/v1/values?device_id=v&term_id=t1");
    g_autoptr(DcReply) vt = get (fx, "/api/v1/values?term_id=nope");
    g_autoptr(JsonNode) arr = NULL;
    g_autoptr(JsonNode) arr2 = NULL;
    JsonObject *s;

    g_assert_cmpuint (v->status, ==, 200);
    arr = parse (v);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (arr)), ==, 2);
    s = json_array_get_object_element (json_node_get_array (arr), 0);
    g_assert_cmpstr (json_object_get_string_member (s, "device_id"), ==, "m");
    g_assert_true (json_node_is_null (json_object_get_member (s, "value")));
    g_assert_cmpint (json_object_get_int_member (s, "quality"), ==, 0x180);
    arr2 = parse (vv);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (arr2)), ==, 1);
    s = json_array_get_object_element (json_node_get_array (arr2), 0);
    g_assert_cmpstr (json_object_get_string_member (s, "item_id"), ==, "i1");
    g_assert_cmpfloat (json_object_get_double_member (s, "value"), ==, 3.0);
    dc_assert_reply (vt, 200, "[]");
    /* A number's text is its shortest form (docs/rest.md "Live data"). */
    g_assert_cmpstr (json_object_get_string_member (s, "text"), ==, "3");
  }

  /* With state texts the value is also in words: "text" (docs/model.md "State texts"). */
  {
    g_autoptr(JsonObject) patch = dc_test_json_object ("{\"states\":{\"3\":\"running\"}}");
    g_autoptr(GError) error = NULL;
    g_autoptr(DcReply) v = NULL;
    g_autoptr(JsonNode) arr = NULL;
    JsonObject *s;

    g_assert_true (dc_store_update_point (fx->store, "t1", "i1", patch, &error));
    g_assert_no_error (error);
    v = get (fx, "/api/v1/values?device_id=v");
    arr = parse (v);
    s = json_array_get_object_element (json_node_get_array (arr), 0);
    g_assert_cmpfloat (json_object_get_double_member (s, "value"), ==, 3.0);
    g_assert_cmpstr (json_object_get_string_member (s, "text"), ==, "running");
  }

  /* Without states, a number in text: no arithmetic noise (628 × 0.1 reads 62.8), the point's
   * decimals and the item's unit (docs/model.md "Numbers in texts"). */
  {
    g_autoptr(JsonObject) no_states = dc_test_json_object ("{\"states\":null}");
    g_autoptr(JsonObject) decimals = dc_test_json_object ("{\"decimals\":2}");
    g_autoptr(JsonObject) unit = dc_test_json_object ("{\"unit\":\"kV\"}");
    g_autoptr(GError) error = NULL;
    g_autoptr(DcReply) ctrl = NULL;
    g_autoptr(DcReply) v1 = NULL;
    g_autoptr(DcReply) v2 = NULL;
    g_autoptr(JsonNode) arr1 = NULL;
    g_autoptr(JsonNode) arr2 = NULL;
    g_autofree char *body = NULL;
    JsonObject *s;

    g_assert_true (dc_store_update_point (fx->store, "t1", "i1", no_states, &error));
    g_assert_no_error (error);
    body = g_strdup_printf ("{\"device_id\":\"v\",\"term_id\":\"t1\",\"item_id\":\"i1\","
                            "\"value\":%.17g}", 628 * 0.1);
    ctrl = dc_http (fx->base, "POST", "/api/v1/device_ctrl", body);
    g_assert_cmpuint (ctrl->status, ==, 200);
    v1 = get (fx, "/api/v1/values?device_id=v");
    arr1 = parse (v1);
    s = json_array_get_object_element (json_node_get_array (arr1), 0);
    g_assert_cmpfloat (json_object_get_double_member (s, "value"), ==, 628 * 0.1);
    g_assert_cmpstr (json_object_get_string_member (s, "text"), ==, "62.8");

    g_assert_true (dc_store_update_point (fx->store, "t1", "i1", decimals, &error));
    g_assert_no_error (error);
    g_assert_true (dc_store_update (fx->store, DC_KIND_ITEM, "i1", unit, &error));
    g_assert_no_error (error);
    v2 = get (fx, "/api/v1/values?device_id=v");
    arr2 = parse (v2);
    s = json_array_get_object_element (json_node_get_array (arr2), 0);
    g_assert_cmpstr (json_object_get_string_member (s, "text"), ==, "62.80 kV");
  }

  for (guint i = 0; i < 3; i++)
    g_free (times[i]);
}

static char *
path_with (const char *query_format,
           ...) G_GNUC_PRINTF (1, 2);

static char *
path_with (const char *query_format,
           ...)
{
  g_autofree char *query = NULL;
  va_list args;

  va_start (args, query_format);
  query = g_strdup_vprintf (query_format, args);
  va_end (args);
  return g_strconcat ("/api/v1/devices/v/terms/t1/items/i2/datas?", query, NULL);
}

/* Windows, limit, buckets with gaps, CSV and the truncation header. */
static void
test_windows (Fixture       *fx,
              gconstpointer  data)
{
  gint64 key = dc_store_get_point_key (fx->store, "t1", "i2");
  g_autofree char *t10 = dc_time_format (fx->t0 + 10 * SEC);
  g_autofree char *t20 = dc_time_format (fx->t0 + 20 * SEC);

  for (int i = 0; i < 10; i++)
    ingest (fx, key, fx->t0 + i * SEC, i);
  for (int i = 50; i < 100; i++)
    ingest (fx, key, fx->t0 + i * SEC, i);
  for (int i = 10; i < 20; i++)
    ingest (fx, key, fx->t0 + i * SEC, i);   /* late: history yes */

  {
    g_autofree char *p = path_with ("from=%s&to=%s", t10, t20);
    g_autoptr(DcReply) r = get (fx, p);
    g_autoptr(JsonNode) node = parse (r);
    g_autoptr(GList) members = json_object_get_members (json_node_get_object (node));

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpuint (g_list_length (members), ==, 10);
    g_assert_cmpstr (members->data, ==, t10);
  }
  {
    g_autofree char *p = path_with ("from=%s&to=%s&limit=3", t10, t20);
    g_autoptr(DcReply) r = get (fx, p);
    g_autoptr(JsonNode) node = parse (r);
    JsonObject *o = json_node_get_object (node);
    g_autoptr(GList) members = json_object_get_members (o);

    g_assert_cmpuint (g_list_length (members), ==, 3);
    g_assert_cmpfloat (json_object_get_double_member (o, members->data), ==, 17.0);
  }
  {
    /* Seconds since the epoch work too. */
    g_autofree char *p = path_with ("from=%" G_GINT64_FORMAT "&to=%" G_GINT64_FORMAT,
                                    (fx->t0 + 50 * SEC) / SEC, (fx->t0 + 52 * SEC) / SEC);
    g_autoptr(DcReply) r = get (fx, p);
    g_autoptr(JsonNode) node = parse (r);

    g_assert_cmpuint (json_object_get_size (json_node_get_object (node)), ==, 2);
  }
  {
    g_autofree char *from = dc_time_format (fx->t0);
    g_autofree char *to = dc_time_format (fx->t0 + 60 * SEC);
    g_autofree char *p = path_with ("from=%s&to=%s&buckets=6", from, to);
    g_autoptr(DcReply) r = get (fx, p);
    g_autoptr(JsonNode) node = parse (r);
    JsonArray *a = json_node_get_array (node);
    JsonObject *b0, *b1;
    g_autofree char *t50 = dc_time_format (fx->t0 + 50 * SEC);

    g_assert_cmpuint (r->status, ==, 200);
    /* Buckets of 10 s: [0,10) [10,20) and [50,60); the gap is not listed. */
    g_assert_cmpuint (json_array_get_length (a), ==, 3);
    b0 = json_array_get_object_element (a, 0);
    b1 = json_array_get_object_element (a, 2);
    g_assert_cmpstr (json_object_get_string_member (b0, "time"), ==, from);
    g_assert_cmpfloat (json_object_get_double_member (b0, "min"), ==, 0);
    g_assert_cmpfloat (json_object_get_double_member (b0, "max"), ==, 9);
    g_assert_cmpfloat (json_object_get_double_member (b0, "first"), ==, 0);
    g_assert_cmpfloat (json_object_get_double_member (b0, "last"), ==, 9);
    g_assert_cmpfloat (json_object_get_double_member (b0, "avg"), ==, 4.5);
    g_assert_cmpint (json_object_get_int_member (b0, "count"), ==, 10);
    g_assert_cmpstr (json_object_get_string_member (b1, "time"), ==, t50);
    g_assert_cmpint (json_object_get_int_member (b1, "count"), ==, 10);
  }
  {
    g_autofree char *p = path_with ("buckets=0");
    g_autofree char *q = path_with ("buckets=10001");
    g_autofree char *f = path_with ("from=yesterday");
    g_autoptr(DcReply) r = get (fx, p);
    g_autoptr(DcReply) s = get (fx, q);
    g_autoptr(DcReply) t = get (fx, f);

    dc_assert_reply (r, 400, "parameter buckets must be an integer between 1 and 10000");
    g_assert_cmpuint (s->status, ==, 400);
    g_assert_cmpuint (t->status, ==, 400);
  }
  {
    g_autofree char *p = path_with ("from=%s&to=%s&format=csv&limit=2", t10, t20);
    g_autoptr(DcReply) r = get (fx, p);
    g_autofree char *t18 = dc_time_format (fx->t0 + 18 * SEC);
    g_autofree char *t19 = dc_time_format (fx->t0 + 19 * SEC);
    g_autofree char *want = g_strdup_printf ("time,value,quality\n%s,18,0\n%s,19,0\n", t18, t19);

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_true (g_str_has_prefix (r->content_type, "text/csv"));
    g_assert_cmpstr (r->body, ==, want);
  }
  /* 70 samples, --max-samples 50: the newest 50 and the truncation header. */
  {
    g_autofree char *uri = g_strconcat (fx->base, "/api/v1/devices/v/terms/t1/items/i2/datas",
                                        NULL);
    g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) node = NULL;

    bytes = dc_test_send (msg);
    g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                   "X-DataColl-Truncated"), ==, "true");
    node = dc_json_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (json_object_get_size (json_node_get_object (node)), ==, MAX_SAMPLES);
  }
  {
    g_autofree char *p = path_with ("from=%s&to=%s", t10, t20);
    g_autofree char *uri = g_strconcat (fx->base, p, NULL);
    g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
    g_autoptr(GBytes) bytes = NULL;

    bytes = dc_test_send (msg);
    g_assert_null (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                 "X-DataColl-Truncated"));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_protocols_register_all ();

  dc_test_add_for_backends ("/dc/api/samples", "data-scenario", sizeof (Fixture),
                            (GTestFixtureFunc) fixture_setup, (GTestFixtureFunc) test_data_scenario,
                            (GTestFixtureFunc) fixture_teardown);
  dc_test_add_for_backends ("/dc/api/samples", "windows", sizeof (Fixture),
                            (GTestFixtureFunc) fixture_setup, (GTestFixtureFunc) test_windows,
                            (GTestFixtureFunc) fixture_teardown);

  return g_test_run ();
}
