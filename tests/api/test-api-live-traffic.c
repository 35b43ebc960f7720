/* test-api-live-traffic.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * A device's traffic on the stream (docs/rest.md "Live data"): {"traffic": id, "since": seq}
 * brings the device's link counters at once and then its frames, decoded and numbered, as
 * they come; "since" resumes; null stops; a bad request is an error message.
 */

#define G_LOG_DOMAIN "test-api-live"

#include "config.h"

#include "dc-driver.h"

#include "live-fixture.h"

/* The index of the first message of @type for @device_id at or after @from, or G_MAXUINT. */
static guint
find_traffic (WsClient   *client,
              guint       from,
              const char *type)
{
  guint n = ws_client_count (client);

  for (guint i = from; i < n; i++)
    if (g_strcmp0 (ws_client_type (client, i), type) == 0)
      return i;
  return G_MAXUINT;
}

static JsonObject *
next_traffic (WsClient   *client,
              guint      *cursor,
              const char *type)
{
  guint index;

  WAIT_UNTIL ((index = find_traffic (client, *cursor, type)) != G_MAXUINT);
  *cursor = index + 1;
  return ws_client_message (client, index);
}

static void
append_frame (Fixture      *fx,
              gboolean      incoming,
              const guint8 *bytes,
              gsize         len)
{
  DcDriver *driver = dc_engine_drivers_get_driver (fx->drivers, "d1");

  g_assert_nonnull (driver);
  dc_traffic_append (dc_driver_get_traffic (driver), incoming, bytes, len);
}

static void
test_traffic (Fixture       *fx,
              gconstpointer  data)
{
  static const guint8 testfr[] = { 0x68, 0x04, 0x43, 0x00, 0x00, 0x00 };
  WsClient *client;
  JsonObject *message;
  JsonObject *status;
  JsonArray *frames;
  JsonObject *frame;
  guint at = 0;
  guint stop;

  WAIT_UNTIL (dc_engine_drivers_get_state (fx->drivers, "d1") == DC_LINK_UP);
  client = ws_client_new (fx);
  WAIT_UNTIL (ws_client_connected (client) && dc_api_live_get_n_clients (fx->api) == 1);

  /* The link counters at once, then what the ring holds, oldest first, numbered. */
  ws_client_send (client, "{\"traffic\": \"d1\"}");
  message = next_traffic (client, &at, "link");
  g_assert_cmpstr (json_object_get_string_member (message, "device_id"), ==, "d1");
  status = json_object_get_object_member (message, "status");
  g_assert_cmpstr (json_object_get_string_member (status, "state"), ==, "up");
  g_assert_cmpint (json_object_get_int_member (status, "frames_in"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (status, "bytes_in"), ==, 6);
  message = next_traffic (client, &at, "frames");
  g_assert_cmpstr (json_object_get_string_member (message, "device_id"), ==, "d1");
  frames = json_object_get_array_member (message, "frames");
  g_assert_cmpuint (json_array_get_length (frames), ==, 2);
  frame = json_array_get_object_element (frames, 0);
  g_assert_cmpint (json_object_get_int_member (frame, "seq"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (frame, "dir"), ==, "tx");
  g_assert_cmpstr (json_object_get_string_member (frame, "bytes"), ==, "68 04 07 00 00 00");
  g_assert_cmpstr (json_object_get_string_member (frame, "summary"), ==, "STARTDT act");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (frame, "decoded"),
                                               "control"), ==, 7);
  g_assert_true (json_object_get_null_member (frame, "error"));
  g_assert_true (g_str_has_suffix (json_object_get_string_member (frame, "time"), "Z"));
  frame = json_array_get_object_element (frames, 1);
  g_assert_cmpint (json_object_get_int_member (frame, "seq"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (frame, "dir"), ==, "rx");
  g_assert_cmpstr (json_object_get_string_member (frame, "error"), ==, "unexpected STARTDT con");

  /* A new frame comes alone. */
  append_frame (fx, FALSE, testfr, sizeof testfr);
  message = next_traffic (client, &at, "frames");
  frames = json_object_get_array_member (message, "frames");
  g_assert_cmpuint (json_array_get_length (frames), ==, 1);
  frame = json_array_get_object_element (frames, 0);
  g_assert_cmpint (json_object_get_int_member (frame, "seq"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (frame, "bytes"), ==, "68 04 43 00 00 00");

  /* The link counters again within a second or so. */
  message = next_traffic (client, &at, "link");
  g_assert_cmpstr (json_object_get_string_member (message, "device_id"), ==, "d1");

  /* null stops; what comes meanwhile is sent after "since" when asked again. */
  ws_client_send (client, "{\"traffic\": null}");
  WAIT_UNTIL (dc_api_live_get_n_traffic_clients (fx->api) == 0);
  stop = ws_client_count (client);
  append_frame (fx, TRUE, testfr, sizeof testfr);
  append_frame (fx, FALSE, testfr, sizeof testfr);
  ws_client_send (client, "{\"traffic\": \"d1\", \"since\": 4}");
  message = next_traffic (client, &at, "link");
  /* Nothing came between the stop and the new request's link message. */
  g_assert_cmpuint (find_traffic (client, stop, "frames"), ==, G_MAXUINT);
  message = next_traffic (client, &at, "frames");
  frames = json_object_get_array_member (message, "frames");
  g_assert_cmpuint (json_array_get_length (frames), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (frames, 0), "seq"), ==, 5);

  /* Bad requests: an error message, the following stays as it was. */
  ws_client_send (client, "{\"traffic\": \"nope\"}");
  message = next_traffic (client, &at, "error");
  g_assert_cmpstr (json_object_get_string_member (message, "message"), ==, "device_id not found!");
  ws_client_send (client, "{\"traffic\": 5}");
  message = next_traffic (client, &at, "error");
  g_assert_cmpstr (json_object_get_string_member (message, "message"), ==,
                   "field traffic must be a device id or null");
  ws_client_send (client, "{\"traffic\": \"d1\", \"since\": -1}");
  message = next_traffic (client, &at, "error");
  g_assert_cmpstr (json_object_get_string_member (message, "message"), ==,
                   "field since must be a non-negative integer");
  g_assert_cmpuint (dc_api_live_get_n_traffic_clients (fx->api), ==, 1);

  /* A device without a driver has no frames; its status still comes. */
  ws_client_send (client, "{\"traffic\": \"v\"}");
  message = next_traffic (client, &at, "link");
  g_assert_cmpstr (json_object_get_string_member (message, "device_id"), ==, "v");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (message, "status"),
                                                  "state"), ==, "up");

  ws_client_free (client);
  WAIT_UNTIL (dc_api_live_get_n_traffic_clients (fx->api) == 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  live_test_init ();

  g_test_add ("/dc/api-live/traffic", Fixture, NULL, fixture_setup, test_traffic, fixture_teardown);

  return g_test_run ();
}
