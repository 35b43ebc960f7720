/* test-engine-drivers-live.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Live data over real HTTP and a real WebSocket client (SoupSession): device status, traffic
 * frames, the stream's snapshot, batches, subscriptions, device and config events, and a
 * deliberately slow client (its own thread, stops reading) that gets coalesced batches, then
 * an overflow and a fresh snapshot, while the server's backlog stays bounded.
 */

#include "config.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

#include "dc-api-live.h"
#include "dc-engine-drivers.h"
#include "dc-error.h"
#include "dc-protocols.h"
#include "dc-server.h"
#include "dc-store.h"

#include "dc-test-http.h"
#include "dc-test-store.h"
#include "dc-test-wait.h"

#define WAIT_UNTIL(cond) DC_TEST_WAIT_UNTIL (cond, 60)

#define N_POINTS 2000

/* A driver that talks a little: two frames on start, then link up. */
#define TEST_TYPE_DRIVER (test_driver_get_type ())
G_DECLARE_FINAL_TYPE (TestDriver, test_driver, TEST, DRIVER, DcDriver)

struct _TestDriver
{
  DcDriver parent_instance;
};

G_DEFINE_FINAL_TYPE (TestDriver, test_driver, DC_TYPE_DRIVER)

static gboolean
start_io_cb (gpointer data)
{
  DcDriver *driver = data;
  const guint8 tx[] = { 0x68, 0x04, 0x07, 0x00, 0x00, 0x00 };
  const guint8 rx[] = { 0x68, 0x04, 0x0b, 0x00, 0x00, 0x00 };

  dc_traffic_append (dc_driver_get_traffic (driver), FALSE, tx, sizeof tx);
  dc_driver_count_frame (driver, FALSE, sizeof tx);
  dc_traffic_append (dc_driver_get_traffic (driver), TRUE, rx, sizeof rx);
  dc_driver_count_frame (driver, TRUE, sizeof rx);
  dc_driver_set_link_state (driver, DC_LINK_UP, NULL);

  return G_SOURCE_REMOVE;
}

static void
test_driver_start (DcDriver *driver)
{
  g_main_context_invoke_full (dc_driver_get_io_context (driver), G_PRIORITY_DEFAULT, start_io_cb,
                              g_object_ref (driver), g_object_unref);
}

static gboolean
nothing_cb (gpointer data)
{
  return G_SOURCE_REMOVE;
}

static void
test_driver_stop (DcDriver *driver)
{
  dc_driver_io_invoke_sync (driver, nothing_cb, NULL);
}

static char *
test_driver_decode_frame (DcDriver             *driver,
                          const DcTrafficFrame *frame,
                          JsonObject          **decoded,
                          char                **error)
{
  *decoded = json_object_new ();
  json_object_set_int_member (*decoded, "control", frame->bytes[2]);
  if (frame->bytes[2] == 0x0b)
    *error = g_strdup ("unexpected STARTDT con");

  return g_strdup (frame->incoming ? "STARTDT con" : "STARTDT act");
}

static void
test_driver_add_status (DcDriver    *driver,
                        JsonBuilder *builder)
{
  json_builder_set_member_name (builder, "gi_count");
  json_builder_add_int_value (builder, 3);
}

static void
test_driver_class_init (TestDriverClass *klass)
{
  DcDriverClass *driver_class = DC_DRIVER_CLASS (klass);

  driver_class->start = test_driver_start;
  driver_class->stop = test_driver_stop;
  driver_class->decode_frame = test_driver_decode_frame;
  driver_class->add_status = test_driver_add_status;
}

static void
test_driver_init (TestDriver *self)
{
}

static DcDriver *
test_driver_factory (void)
{
  return g_object_new (TEST_TYPE_DRIVER, NULL);
}

/* Fixture */

typedef struct
{
  DcSampleSink     sink;
  GHashTable      *live;      /* key → DcSample, main thread */
  DcStore         *store;
  DcServer        *server;
  DcEngineDrivers *drivers;
  DcApiLive       *api;
  char            *base;
  gint64          *keys;      /* N_POINTS virtual points, v:tv:p0 … */
} Fixture;

static void
fixture_push_batch (DcSampleSink *sink,
                    GArray       *samples)
{
  /* Only comm-lost marking goes through here in this test (drivers push nothing). */
  g_array_unref (samples);
}

static GArray *
fixture_snapshot (gpointer user_data)
{
  Fixture *fx = user_data;
  GArray *samples = g_array_new (FALSE, FALSE, sizeof (DcSample));
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, fx->live);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_array_append_vals (samples, value, 1);

  return samples;
}

/* What the engine does per accepted batch: live table, then listeners. */
static void
fixture_ingest (Fixture        *fx,
                const DcSample *samples,
                guint           n_samples)
{
  for (guint i = 0; i < n_samples; i++)
    {
      DcSample *copy = g_memdup2 (&samples[i], sizeof (DcSample));

      g_hash_table_replace (fx->live, &copy->key, copy);
    }
  dc_api_live_push_samples (fx->api, samples, n_samples);
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "live.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) points = json_array_new ();
  g_autoptr(JsonArray) items = json_array_new ();

  dc_driver_register_protocol ("iec104", test_driver_factory);
  g_mkdir_with_parents (g_get_user_data_dir (), 0700);

  fx->sink.push_batch = fixture_push_batch;
  fx->live = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_free);
  fx->store = dc_store_open (path, &error);
  g_assert_no_error (error);

  dc_test_store_create (fx->store, DC_KIND_DEVICE, "{\"id\": \"d1\", \"protocol\": \"iec104\", \"ip\": \"127.0.0.1\"}");
  dc_test_store_create (fx->store, DC_KIND_DEVICE, "{\"id\": \"v\", \"protocol\": \"virtual\"}");
  dc_test_store_create (fx->store, DC_KIND_TERM, "{\"id\": \"t1\", \"device_id\": \"d1\"}");
  dc_test_store_create (fx->store, DC_KIND_TERM, "{\"id\": \"tv\", \"device_id\": \"v\"}");
  for (guint i = 0; i < N_POINTS; i++)
    {
      g_autofree char *id = g_strdup_printf ("p%u", i);
      JsonObject *item = json_object_new ();
      JsonObject *point = json_object_new ();

      json_object_set_string_member (item, "id", id);
      json_array_add_object_element (items, item);
      json_object_set_string_member (point, "device_id", "v");
      json_object_set_string_member (point, "term_id", "tv");
      json_object_set_string_member (point, "item_id", id);
      json_array_add_object_element (points, point);
    }
  dc_store_create_batch (fx->store, DC_KIND_ITEM, items, &error);
  g_assert_no_error (error);
  dc_store_create_batch (fx->store, DC_KIND_POINT, points, &error);
  g_assert_no_error (error);
  dc_test_store_create (fx->store, DC_KIND_POINT, "{\"term_id\": \"t1\", \"item_id\": \"p0\", \"protocol_code\": 1, \"code_type\": 13}");

  fx->keys = g_new0 (gint64, N_POINTS);
  for (guint i = 0; i < N_POINTS; i++)
    {
      g_autofree char *id = g_strdup_printf ("p%u", i);

      fx->keys[i] = dc_store_get_point_key (fx->store, "tv", id);
      g_assert_cmpint (fx->keys[i], >, 0);
    }

  fx->drivers = dc_engine_drivers_new (fx->store, &fx->sink, NULL, NULL);
  dc_engine_drivers_set_n_io_threads (fx->drivers, 1);
  dc_engine_drivers_start (fx->drivers);

  fx->server = dc_server_new (fx->store);
  fx->api = dc_api_live_new (fx->server, fx->drivers);
  dc_api_live_set_snapshot_func (fx->api, fixture_snapshot, fx, NULL);
  dc_server_listen (fx->server, "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  fx->base = dc_server_get_base_uri (fx->server);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  WAIT_UNTIL (dc_api_live_get_n_clients (fx->api) == 0);
  dc_engine_drivers_shutdown (fx->drivers);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&fx->api);
  dc_server_disconnect (fx->server);
  g_clear_object (&fx->server);
  g_assert_finalize_object (g_steal_pointer (&fx->drivers));
  g_clear_object (&fx->store);
  g_hash_table_unref (fx->live);
  g_free (fx->keys);
  g_free (fx->base);
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);

  return node;
}

/* Status and frames */

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

/* A WebSocket client running on its own thread and context. */

typedef struct
{
  char                    *uri;
  GThread                 *thread;
  GMainContext            *context;
  GMutex                   lock;
  GCond                    cond;
  gboolean                 paused;
  gboolean                 quit;
  gboolean                 connected;
  gboolean                 closed;
  gboolean                 finished;
  char                    *send;      /* a text to send, taken by the thread */
  GPtrArray               *messages;  /* JsonNode; big ones reduced to {type, n} */
  GHashTable              *last;      /* item id → newest value seen */
  SoupWebsocketConnection *conn;
} WsClient;

static void
ws_message_cb (SoupWebsocketConnection *conn,
               int                      type,
               GBytes                  *message,
               WsClient                *client)
{
  gsize length;
  const char *data = g_bytes_get_data (message, &length);
  g_autofree char *text = g_strndup (data, length);
  JsonNode *node = parse (text);
  JsonObject *object = json_node_get_object (node);

  g_mutex_lock (&client->lock);
  if (json_object_has_member (object, "samples"))
    {
      JsonArray *samples = json_object_get_array_member (object, "samples");
      guint n = json_array_get_length (samples);

      for (guint i = 0; i < n; i++)
        {
          JsonObject *s = json_array_get_object_element (samples, i);
          double value = json_object_get_double_member (s, "value");

          g_hash_table_replace (client->last, g_strdup (json_object_get_string_member (s, "item_id")),
                                g_memdup2 (&value, sizeof value));
        }
      if (n > 50)
        {
          JsonObject *small = json_object_new ();

          json_object_set_string_member (small, "type", json_object_get_string_member (object, "type"));
          json_object_set_int_member (small, "n", n);
          json_node_unref (node);
          node = json_node_new (JSON_NODE_OBJECT);
          json_node_take_object (node, small);
        }
    }
  g_ptr_array_add (client->messages, node);
  g_mutex_unlock (&client->lock);
}

static void
ws_closed_cb (SoupWebsocketConnection *conn,
              WsClient                *client)
{
  g_mutex_lock (&client->lock);
  client->closed = TRUE;
  g_mutex_unlock (&client->lock);
}

static void
ws_connected_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  WsClient *client = user_data;
  g_autoptr(GError) error = NULL;
  SoupWebsocketConnection *conn;

  conn = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
  soup_websocket_connection_set_max_incoming_payload_size (conn, 64 * 1024 * 1024);
  g_signal_connect (conn, "message", G_CALLBACK (ws_message_cb), client);
  g_signal_connect (conn, "closed", G_CALLBACK (ws_closed_cb), client);

  g_mutex_lock (&client->lock);
  client->conn = conn;
  client->connected = TRUE;
  g_mutex_unlock (&client->lock);
}

static gpointer
ws_thread (gpointer data)
{
  WsClient *client = data;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupMessage) msg = NULL;

  g_main_context_push_thread_default (client->context);
  {
    /* A direct connection: no desktop proxy settings in tests. */
    g_autoptr(GProxyResolver) direct = g_simple_proxy_resolver_new (NULL, NULL);

    session = soup_session_new_with_options ("proxy-resolver", direct, NULL);
  }
  msg = soup_message_new ("GET", client->uri);
  soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        ws_connected_cb, client);

  g_mutex_lock (&client->lock);
  while (!client->quit)
    {
      char *send;

      while (client->paused && !client->quit)
        g_cond_wait (&client->cond, &client->lock);
      send = g_steal_pointer (&client->send);
      g_mutex_unlock (&client->lock);

      if (send != NULL && client->conn != NULL)
        soup_websocket_connection_send_text (client->conn, send);
      g_free (send);
      g_main_context_iteration (client->context, TRUE);

      g_mutex_lock (&client->lock);
    }
  g_mutex_unlock (&client->lock);

  if (client->conn != NULL)
    {
      soup_websocket_connection_close (client->conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      while (soup_websocket_connection_get_state (client->conn) != SOUP_WEBSOCKET_STATE_CLOSED)
        g_main_context_iteration (client->context, TRUE);
      g_clear_object (&client->conn);
    }
  g_clear_object (&session);
  while (g_main_context_iteration (client->context, FALSE))
    ;
  g_main_context_pop_thread_default (client->context);

  g_mutex_lock (&client->lock);
  client->finished = TRUE;
  g_mutex_unlock (&client->lock);

  return NULL;
}

static WsClient *
ws_client_new (Fixture *fx)
{
  WsClient *client = g_new0 (WsClient, 1);
  g_autofree char *http = g_strconcat (fx->base, "/api/v1/stream", NULL);

  client->uri = g_strconcat ("ws", http + strlen ("http"), NULL);
  client->context = g_main_context_new ();
  client->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  client->last = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_mutex_init (&client->lock);
  g_cond_init (&client->cond);
  client->thread = g_thread_new ("ws-client", ws_thread, client);

  return client;
}

static void
ws_client_set_paused (WsClient *client,
                      gboolean  paused)
{
  g_mutex_lock (&client->lock);
  client->paused = paused;
  g_cond_signal (&client->cond);
  g_mutex_unlock (&client->lock);
  g_main_context_wakeup (client->context);
}

static void
ws_client_send (WsClient   *client,
                const char *text)
{
  g_mutex_lock (&client->lock);
  g_assert_null (client->send);
  client->send = g_strdup (text);
  g_mutex_unlock (&client->lock);
  g_main_context_wakeup (client->context);
}

static guint
ws_client_count (WsClient *client)
{
  guint n;

  g_mutex_lock (&client->lock);
  n = client->messages->len;
  g_mutex_unlock (&client->lock);

  return n;
}

/* Borrowed; valid until the client is freed. */
static JsonObject *
ws_client_message (WsClient *client,
                   guint     index)
{
  JsonObject *object;

  g_mutex_lock (&client->lock);
  object = json_node_get_object (g_ptr_array_index (client->messages, index));
  g_mutex_unlock (&client->lock);

  return object;
}

static const char *
ws_client_type (WsClient *client,
                guint     index)
{
  return json_object_get_string_member (ws_client_message (client, index), "type");
}

static gboolean
ws_client_finished (WsClient *client)
{
  gboolean finished;

  g_mutex_lock (&client->lock);
  finished = client->finished;
  g_mutex_unlock (&client->lock);

  return finished;
}

static void
ws_client_free (WsClient *client)
{
  g_mutex_lock (&client->lock);
  client->quit = TRUE;
  g_cond_signal (&client->cond);
  g_mutex_unlock (&client->lock);
  g_main_context_wakeup (client->context);
  /* The server answers the close on this thread's context: keep it running. */
  WAIT_UNTIL (ws_client_finished (client));
  g_thread_join (client->thread);
  g_main_context_unref (client->context);
  g_ptr_array_unref (client->messages);
  g_hash_table_unref (client->last);
  g_mutex_clear (&client->lock);
  g_cond_clear (&client->cond);
  g_free (client->uri);
  g_free (client->send);
  g_free (client);
}

static gboolean
ws_client_connected (WsClient *client)
{
  gboolean connected;

  g_mutex_lock (&client->lock);
  connected = client->connected;
  g_mutex_unlock (&client->lock);

  return connected;
}

static void
push_values (Fixture *fx,
             guint    first,
             guint    n,
             double   value)
{
  g_autoptr(GArray) batch = g_array_sized_new (FALSE, FALSE, sizeof (DcSample), n);
  gint64 now = g_get_real_time ();

  for (guint i = first; i < first + n; i++)
    {
      DcSample sample = { fx->keys[i], now, value + i, 0 };

      g_array_append_val (batch, sample);
    }
  fixture_ingest (fx, (const DcSample *) batch->data, batch->len);
}

static guint
find_type (WsClient   *client,
           guint       from,
           const char *type)
{
  guint n = ws_client_count (client);

  for (guint i = from; i < n; i++)
    if (g_strcmp0 (ws_client_type (client, i), type) == 0)
      return i;

  return G_MAXUINT;
}

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

/* The newest value the client saw for a point, or NAN. */
static double
client_last_value (WsClient *client,
                   guint     index)
{
  g_autofree char *id = g_strdup_printf ("p%u", index);
  double *value;
  double result;

  g_mutex_lock (&client->lock);
  value = g_hash_table_lookup (client->last, id);
  result = value != NULL ? *value : NAN;
  g_mutex_unlock (&client->lock);

  return result;
}

static gsize
rss_bytes (void)
{
  g_autofree char *statm = NULL;
  g_auto(GStrv) fields = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL));
  fields = g_strsplit (statm, " ", -1);

  return (gsize) g_ascii_strtoull (fields[1], NULL, 10) * (gsize) sysconf (_SC_PAGESIZE);
}

/* Whether the client has seen @value for the last point. */
static gboolean
caught_up (WsClient *client,
           double    value)
{
  return client_last_value (client, N_POINTS - 1) == value;
}

static void
test_slow_client (Fixture       *fx,
                  gconstpointer  data)
{
  WsClient *slow;
  WsClient *fast;
  gsize max_backlog = 0;
  gsize rss_before, rss_after;
  guint round = 0;
  guint overflow_at;
  guint fast_before;

  push_values (fx, 0, N_POINTS, 0);

  slow = ws_client_new (fx);
  fast = ws_client_new (fx);
  ws_client_send (slow, "{\"subscribe\": [\"*\"]}");
  ws_client_send (fast, "{\"subscribe\": [\"v:*\"]}");
  WAIT_UNTIL (ws_client_count (slow) >= 1 && ws_client_count (fast) >= 1);
  g_assert_cmpstr (ws_client_type (slow, 0), ==, "snapshot");

  /* The slow client stops reading. Batches of every point until the server notices: the
   * socket buffers fill, then the server coalesces instead of queueing. */
  ws_client_set_paused (slow, TRUE);
  while (dc_api_live_get_backlog (fx->api) == 0)
    {
      g_assert_cmpuint (round, <, 2000);
      push_values (fx, 0, N_POINTS, ++round * 10000.0);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }

  /* From now on the backlog is one sample per point at most, however many batches come:
   * 120 batches of ~230 kB (28 MB if they were queued) leave the process size nearly flat. */
  rss_before = rss_bytes ();
  for (guint i = 0; i < 120; i++)
    {
      push_values (fx, 0, N_POINTS, ++round * 10000.0);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      max_backlog = MAX (max_backlog, dc_api_live_get_backlog (fx->api));
    }
  rss_after = rss_bytes ();
  g_test_message ("RSS %zu kB -> %zu kB", rss_before / 1024, rss_after / 1024);
#ifndef __SANITIZE_ADDRESS__
  /* (ASan keeps freed memory in quarantine: the process size says nothing there.) */
  g_assert_cmpuint (rss_after, <, rss_before + 16 * 1024 * 1024);
#endif
  g_assert_cmpuint (max_backlog, >, 0);
  /* Both clients may be behind (the "fast" one parses 200 kB messages on a shared CPU). */
  g_assert_cmpuint (max_backlog, <=, 2 * N_POINTS * 200);
  g_assert_cmpuint (dc_api_live_get_n_overflows (fx->api), ==, 0);

  /* The fast client kept up meanwhile (perhaps coalesced): it has the newest values. */
  WAIT_UNTIL (caught_up (fast, round * 10000.0 + N_POINTS - 1));
  g_assert_cmpuint (find_type (fast, 0, "overflow"), ==, G_MAXUINT);

  /* Reading again, the slow client catches up with the newest value of every point. */
  ws_client_set_paused (slow, FALSE);
  WAIT_UNTIL (dc_api_live_get_backlog (fx->api) == 0);
  WAIT_UNTIL (caught_up (slow, round * 10000.0 + N_POINTS - 1));
  for (guint i = 0; i < N_POINTS; i++)
    g_assert_cmpfloat (client_last_value (slow, i), ==, round * 10000.0 + i);
  g_assert_cmpuint (find_type (slow, 0, "overflow"), ==, G_MAXUINT);

  /* A small backlog limit: past it the client gets overflow and then a fresh snapshot. The
   * other client now only listens to d1, so only the slow one can overflow. */
  fast_before = ws_client_count (fast);
  ws_client_send (fast, "{\"subscribe\": [\"d1:*\"]}");
  WAIT_UNTIL (find_type (fast, fast_before, "snapshot") != G_MAXUINT);
  dc_api_live_set_backlog_limit (fx->api, 64 * 1024);
  ws_client_set_paused (slow, TRUE);
  while (dc_api_live_get_n_overflows (fx->api) == 0)
    {
      g_assert_cmpuint (round, <, 10000);
      push_values (fx, 0, N_POINTS, ++round * 10000.0);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_assert_cmpuint (dc_api_live_get_backlog (fx->api), <=, 64 * 1024 + 200);
    }

  ws_client_set_paused (slow, FALSE);
  WAIT_UNTIL ((overflow_at = find_type (slow, 0, "overflow")) != G_MAXUINT &&
              find_type (slow, overflow_at, "snapshot") != G_MAXUINT);
  {
    guint snapshot_at = find_type (slow, overflow_at, "snapshot");

    g_assert_cmpuint (snapshot_at, ==, overflow_at + 1);
    g_assert_cmpint (json_object_get_int_member (ws_client_message (slow, snapshot_at), "n"), ==, N_POINTS);
    WAIT_UNTIL (client_last_value (slow, 3) == round * 10000.0 + 3);
  }
  g_assert_cmpuint (dc_api_live_get_n_overflows (fx->api), ==, 1);

  ws_client_free (slow);
  ws_client_free (fast);
}

static void
drop_log_cb (const char     *domain,
             GLogLevelFlags  level,
             const char     *message,
             gpointer        user_data)
{
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_protocols_register_all ();
  /* libsoup logs every frame at debug level: too much for the slow-client test. */
  g_log_set_handler ("libsoup", G_LOG_LEVEL_DEBUG, drop_log_cb, NULL);

  g_test_add ("/dc/api-live/status-frames", Fixture, NULL, fixture_setup, test_status_frames, fixture_teardown);
  g_test_add ("/dc/api-live/stream", Fixture, NULL, fixture_setup, test_stream, fixture_teardown);
  g_test_add ("/dc/api-live/slow-client", Fixture, NULL, fixture_setup, test_slow_client, fixture_teardown);

  return g_test_run ();
}
