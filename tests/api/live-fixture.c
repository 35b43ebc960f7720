/* live-fixture.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "test-api-live"

#include "config.h"

#include "live-fixture.h"

#include <string.h>

#include "dc-protocols.h"

#include "dc-test-store.h"

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

void
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

void
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

void
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

JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);

  return node;
}

/* A WebSocket client running on its own thread and context. */

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

WsClient *
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

void
ws_client_set_paused (WsClient *client,
                      gboolean  paused)
{
  g_mutex_lock (&client->lock);
  client->paused = paused;
  g_cond_signal (&client->cond);
  g_mutex_unlock (&client->lock);
  g_main_context_wakeup (client->context);
}

void
ws_client_send (WsClient   *client,
                const char *text)
{
  g_mutex_lock (&client->lock);
  g_assert_null (client->send);
  client->send = g_strdup (text);
  g_mutex_unlock (&client->lock);
  g_main_context_wakeup (client->context);
}

guint
ws_client_count (WsClient *client)
{
  guint n;

  g_mutex_lock (&client->lock);
  n = client->messages->len;
  g_mutex_unlock (&client->lock);

  return n;
}

JsonObject *
ws_client_message (WsClient *client,
                   guint     index)
{
  JsonObject *object;

  g_mutex_lock (&client->lock);
  object = json_node_get_object (g_ptr_array_index (client->messages, index));
  g_mutex_unlock (&client->lock);

  return object;
}

const char *
ws_client_type (WsClient *client,
                guint     index)
{
  return json_object_get_string_member (ws_client_message (client, index), "type");
}

gboolean
ws_client_finished (WsClient *client)
{
  gboolean finished;

  g_mutex_lock (&client->lock);
  finished = client->finished;
  g_mutex_unlock (&client->lock);

  return finished;
}

void
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

gboolean
ws_client_connected (WsClient *client)
{
  gboolean connected;

  g_mutex_lock (&client->lock);
  connected = client->connected;
  g_mutex_unlock (&client->lock);

  return connected;
}

void
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

guint
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

static void
drop_log_cb (const char     *domain,
             GLogLevelFlags  level,
             const char     *message,
             gpointer        user_data)
{
}

void
live_test_init (void)
{
  dc_protocols_register_all ();
  /* libsoup logs every frame at debug level: too much for the slow-client test. */
  g_log_set_handler ("libsoup", G_LOG_LEVEL_DEBUG, drop_log_cb, NULL);
}
