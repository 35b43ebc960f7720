/* test-api-live-status.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The live routes over real HTTP: a device's status and its traffic frames (the ring, limit,
 * decoded frames and decode errors); a plain GET of the stream is not an upgrade.
 */

#define G_LOG_DOMAIN "test-api-live"

#include "config.h"

#include "live-fixture.h"

static void
test_status_frames (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(DcReply) reply = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;
  JsonArray *frames;

  WAIT_UNTIL (dc_engine_drivers_get_state (fx->drivers, "d1") == DC_LINK_UP);

  reply = dc_http (fx->base, "GET", "/api/v1/devices/d1/status", NULL);
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpstr (reply->content_type, ==, "application/json; charset=utf-8");
  node = parse (reply->body);
  object = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (object, "device_id"), ==, "d1");
  g_assert_cmpstr (json_object_get_string_member (object, "state"), ==, "up");
  g_assert_true (json_object_get_null_member (object, "last_error"));
  g_assert_cmpint (json_object_get_int_member (object, "frames_in"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (object, "frames_out"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (object, "bytes_in"), ==, 6);
  g_assert_cmpint (json_object_get_int_member (object, "reconnects"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (object, "protocol"),
                                               "gi_count"), ==, 3);
  g_clear_pointer (&reply, dc_reply_free);
  g_clear_pointer (&node, json_node_unref);

  reply = dc_http (fx->base, "GET", "/api/v1/devices/v/status", NULL);
  g_assert_cmpuint (reply->status, ==, 200);
  node = parse (reply->body);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "state"), ==, "up");
  g_clear_pointer (&reply, dc_reply_free);
  g_clear_pointer (&node, json_node_unref);

  reply = dc_http (fx->base, "GET", "/api/v1/devices/nope/status", NULL);
  dc_assert_reply (reply, 404, "device_id not found!");
  g_clear_pointer (&reply, dc_reply_free);

  reply = dc_http (fx->base, "GET", "/api/v1/devices/d1/frames", NULL);
  g_assert_cmpuint (reply->status, ==, 200);
  node = parse (reply->body);
  frames = json_node_get_array (node);
  g_assert_cmpuint (json_array_get_length (frames), ==, 2);
  object = json_array_get_object_element (frames, 0);
  g_assert_cmpstr (json_object_get_string_member (object, "dir"), ==, "tx");
  g_assert_cmpstr (json_object_get_string_member (object, "bytes"), ==, "68 04 07 00 00 00");
  g_assert_cmpstr (json_object_get_string_member (object, "summary"), ==, "STARTDT act");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (object, "decoded"),
                                               "control"), ==, 7);
  g_assert_true (json_object_get_null_member (object, "error"));
  g_assert_true (g_str_has_suffix (json_object_get_string_member (object, "time"), "Z"));
  object = json_array_get_object_element (frames, 1);
  g_assert_cmpstr (json_object_get_string_member (object, "dir"), ==, "rx");
  g_assert_cmpstr (json_object_get_string_member (object, "error"), ==, "unexpected STARTDT con");
  g_clear_pointer (&reply, dc_reply_free);
  g_clear_pointer (&node, json_node_unref);

  /* limit keeps the newest. */
  reply = dc_http (fx->base, "GET", "/api/v1/devices/d1/frames?limit=1", NULL);
  g_assert_cmpuint (reply->status, ==, 200);
  node = parse (reply->body);
  frames = json_node_get_array (node);
  g_assert_cmpuint (json_array_get_length (frames), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (frames, 0), "dir"), ==, "rx");
  g_clear_pointer (&reply, dc_reply_free);
  g_clear_pointer (&node, json_node_unref);

  reply = dc_http (fx->base, "GET", "/api/v1/devices/d1/frames?limit=0", NULL);
  dc_assert_reply (reply, 400, "parameter limit must be an integer between 1 and 100000");
  g_clear_pointer (&reply, dc_reply_free);
  reply = dc_http (fx->base, "GET", "/api/v1/devices/d1/frames?limit=x", NULL);
  g_assert_cmpuint (reply->status, ==, 400);
  g_clear_pointer (&reply, dc_reply_free);

  /* A device without a driver has an empty ring. */
  reply = dc_http (fx->base, "GET", "/api/v1/devices/v/frames", NULL);
  dc_assert_reply (reply, 200, "[]");
  g_clear_pointer (&reply, dc_reply_free);
  reply = dc_http (fx->base, "GET", "/api/v1/devices/nope/frames", NULL);
  dc_assert_reply (reply, 404, "device_id not found!");
  g_clear_pointer (&reply, dc_reply_free);

  /* A plain GET of the stream is not an upgrade. */
  reply = dc_http (fx->base, "GET", "/api/v1/stream", NULL);
  g_assert_cmpuint (reply->status, ==, 400);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  live_test_init ();

  g_test_add ("/dc/api-live/status-frames", Fixture, NULL, fixture_setup, test_status_frames, fixture_teardown);

  return g_test_run ();
}
