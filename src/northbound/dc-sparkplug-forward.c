/* dc-sparkplug-forward.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-sparkplug"

#include "config.h"

#include "dc-sparkplug-forward.h"

#include <math.h>

#include "dc-sample.h"

/* Replay pace: messages of up to CHUNK values, one every PACE_MS at most. */
#define CHUNK       500
#define PACE_MS     10
/* The window holds at most this many values (the oldest leave it first). */
#define WINDOW_MAX  1000000

typedef struct
{
  DcSparkplugQueued value;
  gint64            sent;   /* monotonic µs */
} Sent;

struct _DcSparkplugForward
{
  DcSparkplugQueue          *queue;
  gint64                     window_us;
  DcSparkplugForwardPublish  publish;
  gpointer                   user_data;

  GArray                    *window;  /* Sent, oldest first from @head */
  guint                      head;

  gboolean                   replaying;
  gboolean                   take_pending;
  gboolean                   closing;
  guint                      pace_id;

  guint64                    replayed;
  guint64                    resent;
  guint64                    unborn;
};

static void take_next (DcSparkplugForward *self);

static void
prune_window (DcSparkplugForward *self,
              gint64              now)
{
  while (self->head < self->window->len &&
         (g_array_index (self->window, Sent, self->head).sent < now - self->window_us ||
          self->window->len - self->head > WINDOW_MAX))
    self->head++;
  if (self->head == self->window->len)
    {
      g_array_set_size (self->window, 0);
      self->head = 0;
    }
  else if (self->head > 4096 && self->head > self->window->len / 2)
    {
      g_array_remove_range (self->window, 0, self->head);
      self->head = 0;
    }
}

void
dc_sparkplug_forward_sent (DcSparkplugForward      *self,
                           const DcSparkplugQueued *values,
                           guint                    n)
{
  gint64 now = g_get_monotonic_time ();

  g_return_if_fail (self != NULL);

  prune_window (self, now);
  for (guint i = 0; i < n; i++)
    {
      Sent sent = { .value = values[i], .sent = now };

      g_array_append_val (self->window, sent);
    }
}

void
dc_sparkplug_forward_store (DcSparkplugForward      *self,
                            const DcSparkplugQueued *values,
                            guint                    n)
{
  g_return_if_fail (self != NULL);

  dc_sparkplug_queue_push (self->queue, values, n);
}

void
dc_sparkplug_forward_lost (DcSparkplugForward *self)
{
  guint n;

  g_return_if_fail (self != NULL);

  self->replaying = FALSE;
  g_clear_handle_id (&self->pace_id, g_source_remove);
  prune_window (self, g_get_monotonic_time ());
  n = self->window->len - self->head;
  if (n > 0)
    {
      g_autoptr(GArray) values = g_array_sized_new (FALSE, FALSE, sizeof (DcSparkplugQueued), n);

      for (guint i = self->head; i < self->window->len; i++)
        g_array_append_val (values, g_array_index (self->window, Sent, i).value);
      dc_sparkplug_queue_push (self->queue, (DcSparkplugQueued *) values->data, n);
      self->resent += n;
      g_debug ("%u values of the last %" G_GINT64_FORMAT " ms go back to the queue", n,
               self->window_us / 1000);
    }
  g_array_set_size (self->window, 0);
  self->head = 0;
}

static gboolean
pace_cb (gpointer user_data)
{
  DcSparkplugForward *self = user_data;

  self->pace_id = 0;
  take_next (self);
  return G_SOURCE_REMOVE;
}

/* Publishes @values (in their order) as DDATA, one message per run of one device. */
static void
send_values (DcSparkplugForward *self,
             GArray             *values)
{
  g_autoptr(GArray) metrics = g_array_new (FALSE, TRUE, sizeof (DcSparkplugMetric));
  guint start = 0;

  while (start < values->len)
    {
      const char *device_id = g_array_index (values, DcSparkplugQueued, start).device_id;
      guint end = start;

      g_array_set_size (metrics, 0);
      for (; end < values->len &&
             g_array_index (values, DcSparkplugQueued, end).device_id == device_id; end++)
        {
          const DcSparkplugQueued *v = &g_array_index (values, DcSparkplugQueued, end);
          DcSparkplugMetric metric = {
            .alias = (guint64) v->key,
            .timestamp_ms = (guint64) (v->time / 1000),
            .datatype = v->datatype,
            .value = v->value,
            .is_null = (v->quality & DC_QUALITY_INVALID) != 0 || !isfinite (v->value),
            .is_historical = TRUE,
            .has_quality = TRUE,
            .quality = v->quality,
          };

          g_array_append_val (metrics, metric);
        }
      if (self->publish (self->user_data, device_id, (DcSparkplugMetric *) metrics->data,
                         metrics->len))
        {
          self->replayed += metrics->len;
          dc_sparkplug_forward_sent (self, &g_array_index (values, DcSparkplugQueued, start),
                                     end - start);
        }
      else
        {
          self->unborn += metrics->len;
          g_message ("%u stored values of device %s dropped: it is not published now",
                     metrics->len, device_id);
        }
      start = end;
    }
}

static void
take_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  DcSparkplugForward *self = user_data;
  g_autoptr(GArray) values = NULL;
  g_autoptr(GError) error = NULL;

  self->take_pending = FALSE;
  values = dc_sparkplug_queue_take_finish (self->queue, result, &error);
  if (values == NULL)
    {
      g_warning ("Sparkplug queue: %s", error->message);
      return;
    }
  /* The node died meanwhile (or the server stops): back into the queue, in place. */
  if (!self->replaying || self->closing)
    {
      dc_sparkplug_queue_put_back (self->queue, (DcSparkplugQueued *) values->data,
                                   values->len);
      return;
    }
  if (values->len == 0)
    {
      self->replaying = FALSE;
      g_debug ("store and forward: the queue is empty");
      return;
    }
  send_values (self, values);
  self->pace_id = g_timeout_add (PACE_MS, pace_cb, self);
}

static void
take_next (DcSparkplugForward *self)
{
  if (!self->replaying || self->take_pending || self->closing)
    return;
  self->take_pending = TRUE;
  dc_sparkplug_queue_take_async (self->queue, CHUNK, NULL, take_done_cb, self);
}

void
dc_sparkplug_forward_replay (DcSparkplugForward *self)
{
  g_return_if_fail (self != NULL);

  self->replaying = TRUE;
  if (self->pace_id == 0)
    take_next (self);
}

void
dc_sparkplug_forward_get_stats (DcSparkplugForward      *self,
                                DcSparkplugForwardStats *stats)
{
  DcSparkplugQueueStats q;

  g_return_if_fail (self != NULL);

  dc_sparkplug_queue_get_stats (self->queue, &q);
  stats->queued = q.queued;
  stats->stored = q.stored;
  stats->replayed = self->replayed;
  stats->resent = self->resent;
  stats->dropped = q.dropped + self->unborn;
  stats->replaying = self->replaying;
}

DcSparkplugForward *
dc_sparkplug_forward_new (DcSparkplugQueue          *queue,
                          gint64                     window_us,
                          DcSparkplugForwardPublish  publish,
                          gpointer                   user_data)
{
  DcSparkplugForward *self;

  g_return_val_if_fail (queue != NULL, NULL);
  g_return_val_if_fail (publish != NULL, NULL);

  self = g_new0 (DcSparkplugForward, 1);
  self->queue = queue;
  self->window_us = window_us;
  self->publish = publish;
  self->user_data = user_data;
  self->window = g_array_new (FALSE, FALSE, sizeof (Sent));

  return self;
}

void
dc_sparkplug_forward_free (DcSparkplugForward *self)
{
  if (self == NULL)
    return;

  self->closing = TRUE;
  g_clear_handle_id (&self->pace_id, g_source_remove);
  /* A take on its way back is put back in the queue before it closes (the worker answers at
   * once; the answer comes through this thread's context). */
  while (self->take_pending)
    g_main_context_iteration (NULL, TRUE);
  dc_sparkplug_queue_free (self->queue);
  g_array_unref (self->window);
  g_free (self);
}
