/* test-api-live-stream.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The WebSocket stream with a real client (SoupSession on its own thread): the snapshot,
 * batches, subscriptions, device and config events.
 */

#define G_LOG_DOMAIN "test-api-live"

#include "config.h"

#include <math.h>

#include "dc-test-store.h"

#include "live-fixture.h"

/* Waits for the next message of @type at or after *@cursor; only device events may come
 * before it. Moves the cursor past it. */
static JsonObject *
next_message (WsClient   *client,
              guint      *cursor,
              const char *type)
{
  guint index;

  WAIT_UNTIL ((index = find_type (client, *cursor, type)) != G_MAXUINT);
  for (guint i = *cursor; i < index; i++)
    if (g_strcmp0 (ws_client_type (client, i), "device") != 0)
      g_error ("message %u is a %s, expected %s", i, ws_client_type (client, i), type);
  *cursor = index + 1;

  return ws_client_message (client, index);
}

static guint
find_device_state (WsClient   *client,
                   guint       from,
                   const char *device_id,
                   const char *state)
{
  guint n = ws_client_count (client);

  for (guint i = from; i < n; i++)
    {
      JsonObject *message = ws_client_message (client, i);

      if (g_strcmp0 (json_object_get_string_member (message, "type"), "device") == 0 &&
          g_strcmp0 (json_object_get_string_member (message, "device_id"), device_id) == 0 &&
          g_strcmp0 (json_object_get_string_member (message, "state"), state) == 0)
        return i;
    }

  return G_MAXUINT;
}

static void
test_stream (Fixture       *fx,
             gconstpointer  data)
{
  WsClient *client;
  JsonObject *message;
  JsonArray *samples;
  JsonObject *sample;
  guint at = 0;
  guint n;

  /* Two values exist before the client connects. */
  push_values (fx, 0, 2, 1000);

  client = ws_client_new (fx);
  WAIT_UNTIL (ws_client_connected (client) && dc_api_live_get_n_clients (fx->api) == 1);

  /* The snapshot first (after the grace period, no subscription sent: everything), then the
   * state of every device. */
  message = next_message (client, &at, "snapshot");
  g_assert_cmpuint (at, ==, 1);
  samples = json_object_get_array_member (message, "samples");
  g_assert_cmpuint (json_array_get_length (samples), ==, 2);
  message = next_message (client, &at, "device");
  g_assert_cmpstr (json_object_get_string_member (message, "device_id"), ==, "d1");
  g_assert_cmpstr (json_object_get_string_member (message, "state"), ==, "up");
  g_assert_true (json_object_get_null_member (message, "last_error"));
  message = next_message (client, &at, "device");
  g_assert_cmpstr (json_object_get_string_member (message, "device_id"), ==, "v");
  g_assert_cmpuint (at, ==, 3);

  /* One message per batch, with the ids, RFC 3339 time, value and quality. */
  push_values (fx, 0, 3, 2000);
  message = next_message (client, &at, "samples");
  samples = json_object_get_array_member (message, "samples");
  g_assert_cmpuint (json_array_get_length (samples), ==, 3);
  sample = json_array_get_object_element (samples, 2);
  g_assert_cmpstr (json_object_get_string_member (sample, "device_id"), ==, "v");
  g_assert_cmpstr (json_object_get_string_member (sample, "term_id"), ==, "tv");
  g_assert_cmpstr (json_object_get_string_member (sample, "item_id"), ==, "p2");
  g_assert_cmpfloat (json_object_get_double_member (sample, "value"), ==, 2002);
  g_assert_cmpint (json_object_get_int_member (sample, "quality"), ==, 0);
  g_assert_cmpuint (strlen (json_object_get_string_member (sample, "time")), ==, 27);

  /* NaN is sent as null with the invalid bit. */
  {
    DcSample bad = { fx->keys[5], g_get_real_time (), NAN, 0 };

    fixture_ingest (fx, &bad, 1);
  }
  message = next_message (client, &at, "samples");
  sample = json_array_get_object_element (json_object_get_array_member (message, "samples"), 0);
  g_assert_true (json_object_get_null_member (sample, "value"));
  g_assert_cmpint (json_object_get_int_member (sample, "quality"), ==, DC_QUALITY_INVALID);

  /* A subscription: a fresh snapshot of just that, then only its samples. */
  ws_client_send (client, "{\"subscribe\": [\"v:tv:p1\", \"d1:*\"]}");
  message = next_message (client, &at, "snapshot");
  samples = json_object_get_array_member (message, "samples");
  g_assert_cmpuint (json_array_get_length (samples), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (samples, 0), "item_id"), ==, "p1");

  push_values (fx, 0, 10, 3000);
  message = next_message (client, &at, "samples");
  samples = json_object_get_array_member (message, "samples");
  g_assert_cmpuint (json_array_get_length (samples), ==, 1);
  g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (samples, 0), "value"), ==, 3001);

  /* A batch with nothing subscribed sends nothing; a device event of a subscribed device
   * arrives (the driver's link drops). */
  push_values (fx, 5, 5, 4000);
  dc_driver_set_link_state (dc_engine_drivers_get_driver (fx->drivers, "d1"), DC_LINK_DOWN, "gone");
  WAIT_UNTIL (find_device_state (client, at, "d1", "down") != G_MAXUINT);
  {
    guint down_at = find_device_state (client, at, "d1", "down");

    message = ws_client_message (client, down_at);
    g_assert_cmpstr (json_object_get_string_member (message, "last_error"), ==, "gone");
    for (guint i = at; i < down_at; i++)
      g_assert_cmpstr (ws_client_type (client, i), ==, "device");
    at = down_at + 1;
  }

  /* Configuration events go to everyone. */
  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\": \"new\"}");
  message = next_message (client, &at, "config");
  g_assert_cmpstr (json_object_get_string_member (message, "kind"), ==, "item");
  g_assert_cmpstr (json_object_get_string_member (message, "op"), ==, "create");
  g_assert_cmpstr (json_object_get_string_member (message, "id"), ==, "new");

  /* A new point is named in samples at once. */
  dc_test_store_create (fx->store, DC_KIND_POINT, "{\"term_id\": \"t1\", \"item_id\": \"new\", \"protocol_code\": 9, \"code_type\": 13}");
  message = next_message (client, &at, "config");
  g_assert_cmpstr (json_object_get_string_member (message, "kind"), ==, "point");
  {
    DcSample s = { dc_store_get_point_key (fx->store, "t1", "new"), g_get_real_time (), 5, 0 };

    fixture_ingest (fx, &s, 1);
  }
  message = next_message (client, &at, "samples");
  samples = json_object_get_array_member (message, "samples");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (samples, 0), "item_id"), ==, "new");

  /* A bad subscription is answered with an error (the driver restarted for the new point,
   * so device events may come first). */
  n = ws_client_count (client);
  ws_client_send (client, "{\"subscribe\": [\"a:b:c:d\"]}");
  WAIT_UNTIL (find_type (client, n, "error") != G_MAXUINT);
  message = ws_client_message (client, find_type (client, n, "error"));
  g_assert_cmpstr (json_object_get_string_member (message, "message"), ==, "invalid subscription: a:b:c:d");

  ws_client_free (client);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  live_test_init ();

  g_test_add ("/dc/api-live/stream", Fixture, NULL, fixture_setup, test_stream, fixture_teardown);

  return g_test_run ();
}
