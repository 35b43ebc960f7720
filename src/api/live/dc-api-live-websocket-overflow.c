/* dc-api-live-websocket-overflow.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-api-live"

#include "config.h"

#include "dc-api-live-private.h"

#include <string.h>

/* How a WebSocket client of the stream is written to, and what happens when it is slow
 * (docs/engine.md, "Slow clients"). After every send the socket is polled for writability;
 * when it is full the client is congested and nothing more is handed to libsoup: samples are
 * coalesced (the latest per point), events are queued and the backlog is counted. When the
 * socket drains, an idle flush (after libsoup's own writer, so libsoup holds at most one
 * message) sends the queued events and one coalesced `samples` message. Past the backlog
 * limit everything held is dropped: the client overflows, and gets {"type":"overflow"} and a
 * fresh snapshot once writable. */

static gboolean client_flush_cb (gpointer data);

void
dc_live_client_free (DcLiveClient *client)
{
  g_clear_handle_id (&client->grace_id, g_source_remove);
  g_clear_handle_id (&client->flush_id, g_source_remove);
  if (client->writable_source != NULL)
    {
      g_source_destroy (client->writable_source);
      g_clear_pointer (&client->writable_source, g_source_unref);
    }
  g_signal_handlers_disconnect_by_data (client->conn, client);
  g_clear_object (&client->conn);
  g_clear_pointer (&client->patterns, g_ptr_array_unref);
  g_clear_pointer (&client->pending, g_hash_table_unref);
  g_queue_clear_full (&client->events, g_free);
  g_free (client->traffic_device);
  g_free (client);
}

void
dc_live_client_clear_backlog (DcLiveClient *client)
{
  g_hash_table_remove_all (client->pending);
  g_queue_clear_full (&client->events, g_free);
  client->backlog = 0;
}

/* Congestion */

static gboolean
client_writable_cb (GObject  *stream,
                    gpointer  data)
{
  DcLiveClient *client = data;

  g_clear_pointer (&client->writable_source, g_source_unref);
  /* Let libsoup's own writer (default priority) drain its queue first. */
  if (client->flush_id == 0)
    client->flush_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, client_flush_cb, client, NULL);

  return G_SOURCE_REMOVE;
}

static GPollableOutputStream *
client_get_output (DcLiveClient *client)
{
  GIOStream *stream = soup_websocket_connection_get_io_stream (client->conn);
  GOutputStream *out = stream != NULL ? g_io_stream_get_output_stream (stream) : NULL;

  if (out != NULL && G_IS_POLLABLE_OUTPUT_STREAM (out) &&
      g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (out)))
    return G_POLLABLE_OUTPUT_STREAM (out);

  return NULL;
}

static void
client_watch_writable (DcLiveClient *client)
{
  GPollableOutputStream *out = client_get_output (client);

  client->congested = TRUE;
  if (client->writable_source != NULL || out == NULL)
    return;

  client->writable_source = g_pollable_output_stream_create_source (out, NULL);
  g_source_set_callback (client->writable_source, (GSourceFunc) (void (*) (void)) client_writable_cb,
                         client, NULL);
  g_source_set_static_name (client->writable_source, "[dc-api-live-writable]");
  g_source_attach (client->writable_source, NULL);
}

static gboolean
client_is_writable (DcLiveClient *client)
{
  GPollableOutputStream *out = client_get_output (client);

  return out == NULL || g_pollable_output_stream_is_writable (out);
}

/* Sends now; notes congestion when the socket is full afterwards (libsoup then holds the rest
 * of this message and nothing more is handed to it until the socket drains). */
void
dc_live_client_send (DcLiveClient *client,
                     const char   *text)
{
  if (soup_websocket_connection_get_state (client->conn) != SOUP_WEBSOCKET_STATE_OPEN)
    return;

  soup_websocket_connection_send_text (client->conn, text);
  if (!client_is_writable (client))
    client_watch_writable (client);
}

void
dc_live_client_send_snapshot (DcLiveClient *client)
{
  g_autoptr(GPtrArray) messages = NULL;

  g_clear_handle_id (&client->grace_id, g_source_remove);
  messages = dc_live_build_snapshot (client->live, client);
  client->snapshot_sent = TRUE;
  for (guint i = 0; i < messages->len; i++)
    dc_live_client_send (client, g_ptr_array_index (messages, i));
}

/* Backlog and overflow */

static void
client_overflow (DcLiveClient *client)
{
  dc_live_client_clear_backlog (client);
  client->overflowed = TRUE;
  client->live->n_overflows++;
  g_debug ("stream client overflowed its backlog");
}

void
dc_live_client_hold_event (DcLiveClient *client,
                           char         *text)
{
  client->backlog += strlen (text);
  g_queue_push_tail (&client->events, text);
  if (client->backlog > client->live->backlog_limit)
    client_overflow (client);
}

void
dc_live_client_coalesce (DcLiveClient   *client,
                         const DcSample *samples,
                         guint           n_samples)
{
  DcApiLive *self = client->live;

  for (guint i = 0; i < n_samples && !client->overflowed; i++)
    {
      DcLivePointRef *ref = dc_live_lookup_point (self, samples[i].key);
      DcSample *copy;

      if (ref == NULL || !dc_live_client_wants_point (client, ref))
        continue;
      if (!g_hash_table_contains (client->pending, &samples[i].key))
        client->backlog += strlen (ref->prefix) + DC_API_LIVE_SAMPLE_COST;
      copy = g_memdup2 (&samples[i], sizeof (DcSample));
      g_hash_table_replace (client->pending, &copy->key, copy);
      if (client->backlog > self->backlog_limit)
        client_overflow (client);
    }
}

/* Flush */

static gboolean
client_flush_cb (gpointer data)
{
  DcLiveClient *client = data;
  DcApiLive *self = client->live;

  client->flush_id = 0;

  if (!client_is_writable (client))
    {
      client_watch_writable (client);
      return G_SOURCE_REMOVE;
    }
  client->congested = FALSE;

  if (client->overflowed)
    {
      client->overflowed = FALSE;
      dc_live_client_send (client, "{\"type\":\"overflow\"}");
      dc_live_client_send_snapshot (client);
      return G_SOURCE_REMOVE;
    }

  while (!g_queue_is_empty (&client->events))
    {
      g_autofree char *text = g_queue_pop_head (&client->events);

      client->backlog -= MIN (client->backlog, strlen (text));
      dc_live_client_send (client, text);
    }

  if (g_hash_table_size (client->pending) > 0)
    {
      g_autoptr(GArray) samples = g_array_sized_new (FALSE, FALSE, sizeof (DcSample),
                                                     g_hash_table_size (client->pending));
      g_autofree char *text = NULL;
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, client->pending);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_array_append_vals (samples, value, 1);
      g_hash_table_remove_all (client->pending);
      client->backlog = 0;

      text = dc_live_build_samples_message (self, "samples", NULL, (const DcSample *) samples->data,
                                            samples->len, NULL);
      dc_live_client_send (client, text);
    }

  return G_SOURCE_REMOVE;
}
