/* dc-engine.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-engine"

#include "config.h"

#include <math.h>
#include <string.h>

#include "dc-engine-private.h"
#include "dc-error.h"

/* The ingest half of the engine. The driver half is DcEngineDrivers (dc-engine-drivers.c);
 * this file owns it and hands it the sink and the hooks. The engine's view of the points
 * (loaded, refreshed, in natural order) is dc-engine-points.c. */

enum {
  SIGNAL_SAMPLES,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DcEngine, dc_engine, G_TYPE_OBJECT)

/* Samples waiting in memory between the drivers and the history file (the sink's queue,
 * the engine's backlog, the history writer's queue) are bounded in bytes (docs/history.md,
 * "Backlog"): the writer's queue takes half the budget, the sink's queue a quarter before the
 * drivers are told to slow down; the backlog only holds what arrives after that. */
#define DEFAULT_BACKLOG_BYTES ((guint64) 16 * 1024 * 1024)
#define MIN_BACKLOG_BYTES     ((guint64) 64 * 1024)

static void engine_process_sink (DcEngine *self);

/* The sink's wake-up: one source for the engine's life, made pending by a push from any
 * thread, which then wakes the context. A new idle source and weak reference per batch cost
 * ~2,500 instructions a poll; a ready time cost one more main-loop iteration per batch (every
 * g_source_set_ready_time() signals the context, also the disarming one in the dispatch):
 * docs/performance.md. */
typedef struct
{
  GSource source;
  gint    pending;  /* atomic */
} WakeupSource;

static gboolean
wakeup_prepare (GSource *source,
                gint    *timeout)
{
  *timeout = -1;
  return g_atomic_int_get (&((WakeupSource *) source)->pending);
}

static gboolean
wakeup_check (GSource *source)
{
  return g_atomic_int_get (&((WakeupSource *) source)->pending);
}

static gboolean
wakeup_dispatch (GSource     *source,
                 GSourceFunc  callback,
                 gpointer     user_data)
{
  /* Cleared before the callback takes the queue: a push after that wakes again. */
  g_atomic_int_set (&((WakeupSource *) source)->pending, FALSE);
  return callback (user_data);
}

static GSourceFuncs wakeup_funcs = {
  .prepare = wakeup_prepare,
  .check = wakeup_check,
  .dispatch = wakeup_dispatch,
};

static gboolean
sink_wakeup_cb (gpointer data)
{
  engine_process_sink (data);
  return G_SOURCE_CONTINUE;
}

static void
sink_push (DcSampleSink *sink,
           GArray       *samples,
           gboolean      history)
{
  Sink *s = (Sink *) sink;
  gboolean wake = FALSE;

  g_mutex_lock (&s->mutex);
  g_queue_push_tail (history ? &s->history : &s->batches, samples);
  s->queued += samples->len;
  if (s->queued > s->congest_at)
    g_atomic_int_set (&s->congested, TRUE);
  if (!s->wakeup_pending)
    {
      s->wakeup_pending = TRUE;
      wake = TRUE;
    }
  g_mutex_unlock (&s->mutex);

  /* engine_process_sink() clears wakeup_pending after the dispatch cleared the source's
   * flag, so a push after that clear sets it again. */
  if (wake)
    {
      g_atomic_int_set (&((WakeupSource *) s->wakeup)->pending, TRUE);
      g_main_context_wakeup (s->engine->context);
    }
}

static void
sink_push_batch (DcSampleSink *sink,
                 GArray       *samples)
{
  sink_push (sink, samples, FALSE);
}

static void
sink_push_history (DcSampleSink *sink,
                   GArray       *samples)
{
  sink_push (sink, samples, TRUE);
}

static gboolean
sink_is_congested (DcSampleSink *sink)
{
  Sink *s = (Sink *) sink;

  return g_atomic_int_get (&s->congested);
}

/* History backlog. */

static void
update_congestion (DcEngine *self)
{
  Sink *s = self->sink;
  gboolean congested;

  g_mutex_lock (&s->mutex);
  congested = self->backlog.length > 0 || s->queued > s->congest_at;
  g_atomic_int_set (&s->congested, congested);
  g_mutex_unlock (&s->mutex);
}

static void
drain_backlog (DcEngine *self)
{
  GArray *batch;

  while ((batch = g_queue_peek_head (&self->backlog)) != NULL)
    {
      if (!dc_history_push (self->history, (DcSample *) batch->data, batch->len, NULL))
        break;
      g_queue_pop_head (&self->backlog);
      self->backlog_samples -= batch->len;
      self->stats.stored += batch->len;
      g_array_unref (batch);
    }
  update_congestion (self);
}

static void
history_ready_cb (DcHistory *history,
                  DcEngine  *self)
{
  drain_backlog (self);
}

static void
store_samples (DcEngine      *self,
               GArray        *samples,
               DcIngestFlags  flags)
{
  GArray *batch;

  if (samples->len == 0 || self->history == NULL)
    return;

  if (flags & DC_INGEST_API)
    {
      /* Readable as soon as the API call answers (docs/rest.md): the backlog goes first, in
       * order, whatever the queue's capacity; it is in memory either way. */
      while ((batch = g_queue_pop_head (&self->backlog)) != NULL)
        {
          dc_history_push_always (self->history, (DcSample *) batch->data, batch->len);
          self->backlog_samples -= batch->len;
          self->stats.stored += batch->len;
          g_array_unref (batch);
        }
      dc_history_push_always (self->history, (DcSample *) samples->data, samples->len);
      self->stats.stored += samples->len;
      return;
    }

  if (self->backlog.length == 0 &&
      dc_history_push (self->history, (DcSample *) samples->data, samples->len, NULL))
    {
      self->stats.stored += samples->len;
      return;
    }

  /* The writer is behind: keep the batch, in order, and tell the drivers to slow down. */
  g_queue_push_tail (&self->backlog, g_array_ref (samples));
  self->backlog_samples += samples->len;
}

static gboolean
should_store (const DcPointInfo *info,
              DcLiveState       *st,
              const DcSample    *s,
              gboolean           late,
              DcIngestFlags      flags)
{
  const DcSample *last = &st->stored;

  switch (info->history)
    {
    case DC_HISTORY_NONE:
      return FALSE;
    case DC_HISTORY_ALL:
      return TRUE;
    case DC_HISTORY_CHANGE:
    default:
      break;
    }

  if ((flags & DC_INGEST_API) || late || !st->has_stored)
    return TRUE;
  if (s->quality != last->quality)
    return TRUE;
  if (isnan (s->value) || isnan (last->value))
    return isnan (s->value) != isnan (last->value);
  return fabs (s->value - last->value) > info->history_deadband;
}

/* Takes @batch (its own, transfer full: docs/performance.md, "Modbus acquisition path"): the
 * samples are checked and restamped in place, and what is accepted is compacted to the front of
 * the same array and emitted, so a batch costs no copy and no allocation on the way. */
static void
ingest (DcEngine      *self,
        GArray        *batch,
        DcIngestFlags  flags)
{
  DcSample *samples = (DcSample *) batch->data;
  guint n_samples = batch->len;
  guint n_accepted = 0;
  guint n_store = 0;
  g_autoptr(GArray) to_store = NULL;
  gint64 latest = self->max_future > 0 ? g_get_real_time () + self->max_future : G_MAXINT64;
  gboolean from_history = (flags & DC_INGEST_HISTORY) != 0;

  _dc_engine_ensure_points (self);
  self->stats.received += n_samples;

  for (guint i = 0; i < n_samples; i++)
    {
      DcSample *s = &samples[i];
      DcLiveState *st = dc_live_states_lookup (self->states, s->key);
      const DcPointInfo *info;
      gboolean late;
      gboolean future;

      if (G_LIKELY (st != NULL && st->info_gen == self->points_gen))
        info = st->info;
      else
        {
          info = g_hash_table_lookup (self->points, &s->key);
          if (info == NULL)
            {
              self->stats.unknown++;
              continue;
            }
          if (st == NULL)
            st = dc_live_states_insert (self->states, s->key);
          st->info = info;
          st->info_gen = self->points_gen;
        }
      if (G_UNLIKELY (!isfinite (s->value)))
        {
          s->value = NAN;
          s->quality |= DC_QUALITY_INVALID;
        }

      /* A time tag too far ahead (docs/security.md) would hold the live value until then:
       * flagged, kept in history, not live and not heard. */
      future = s->time > latest;
      if (G_UNLIKELY (future))
        {
          s->quality |= DC_QUALITY_TIME_INVALID;
          self->stats.future++;
        }

      /* Times of one point strictly increase (docs/history.md, "One row per value"): a value
       * that comes with the time of the value before it (one receive stamp for a whole socket
       * read, or an equal time tag) is placed 1 µs after it, so that history keeps both
       * rows instead of the second replacing the first. Late means older than the time
       * the previous value came with, not than the moved one. */
      late = from_history || (st->has_live && s->time < st->last_source);
      if (late)
        self->stats.late++;
      else if (!future)
        {
          st->last_source = s->time;
          if (st->has_live && s->time <= st->live.time)
            {
              s->time = st->live.time + 1;
              self->stats.restamped++;
            }
          st->live = *s;
          st->has_live = TRUE;
        }

      if (info->history != DC_HISTORY_NONE && should_store (info, st, s, late || future, flags))
        {
          if (to_store == NULL)
            to_store = g_array_sized_new (FALSE, FALSE, sizeof (DcSample), n_samples - i);
          ((DcSample *) to_store->data)[n_store++] = *s;
          if (!late && !future)
            {
              st->stored = *s;
              st->has_stored = TRUE;
            }
        }
      else
        self->stats.not_stored++;

      /* Accepted samples move to the front only after one was left out. */
      if (!future)
        {
          if (G_UNLIKELY (n_accepted != i))
            samples[n_accepted] = *s;
          n_accepted++;
        }
    }

  self->stats.accepted += n_accepted;
  if (to_store != NULL)
    {
      g_array_set_size (to_store, n_store);
      store_samples (self, to_store, flags);
    }
  update_congestion (self);

  g_array_set_size (batch, n_accepted);
  if (n_accepted > 0)
    g_signal_emit (self, signals[SIGNAL_SAMPLES], 0, batch);
}

static void
engine_process_sink (DcEngine *self)
{
  Sink *s = self->sink;
  GQueue batches = G_QUEUE_INIT;
  GQueue history = G_QUEUE_INIT;
  GArray *batch;

  g_mutex_lock (&s->mutex);
  batches = s->batches;
  g_queue_init (&s->batches);
  history = s->history;
  g_queue_init (&s->history);
  s->queued = 0;
  s->wakeup_pending = FALSE;
  g_mutex_unlock (&s->mutex);

  while ((batch = g_queue_pop_head (&batches)) != NULL)
    {
      ingest (self, batch, DC_INGEST_NONE);
      g_array_unref (batch);
    }
  while ((batch = g_queue_pop_head (&history)) != NULL)
    {
      ingest (self, batch, DC_INGEST_HISTORY);
      g_array_unref (batch);
    }
}

/* Hooks for the driver half. */

static gboolean
hook_get_live (gpointer  user_data,
               gint64    key,
               DcSample *sample)
{
  return dc_engine_get_live (user_data, key, sample);
}

static void
hook_push_api (gpointer        user_data,
               const DcSample *sample)
{
  dc_engine_ingest (user_data, sample, 1, DC_INGEST_API);
}

static void
hook_flush_ingest (gpointer user_data)
{
  dc_engine_flush (user_data);
}

static void
dc_engine_dispose (GObject *object)
{
  DcEngine *self = DC_ENGINE (object);

  if (self->drivers != NULL)
    dc_engine_drivers_shutdown (self->drivers);
  g_clear_object (&self->drivers);
  g_clear_signal_handler (&self->changed_id, self->store);
  g_clear_signal_handler (&self->removed_id, self->store);
  g_clear_signal_handler (&self->ready_id, self->history);
  /* The drivers are stopped: nothing pushes any more; finalize takes what is queued. */
  if (self->sink->wakeup != NULL)
    g_source_destroy (self->sink->wakeup);

  G_OBJECT_CLASS (dc_engine_parent_class)->dispose (object);
}

static void
dc_engine_finalize (GObject *object)
{
  DcEngine *self = DC_ENGINE (object);
  GArray *batch;

  /* Nothing accepted is lost at a clean stop: queued batches go to history. */
  if (self->sink->batches.length > 0 || self->sink->history.length > 0)
    engine_process_sink (self);
  if (self->history != NULL)
    {
      while ((batch = g_queue_pop_head (&self->backlog)) != NULL)
        {
          while (!dc_history_push (self->history, (DcSample *) batch->data, batch->len, NULL))
            dc_history_sync (self->history);
          g_array_unref (batch);
        }
    }
  g_queue_clear_full (&self->backlog, (GDestroyNotify) g_array_unref);
  g_queue_clear_full (&self->sink->batches, (GDestroyNotify) g_array_unref);
  g_queue_clear_full (&self->sink->history, (GDestroyNotify) g_array_unref);
  g_mutex_clear (&self->sink->mutex);
  g_clear_pointer (&self->sink->wakeup, g_source_unref);
  g_clear_pointer (&self->sink, g_free);

  g_clear_pointer (&self->points, g_hash_table_unref);
  g_clear_pointer (&self->states, dc_live_states_free);
  g_clear_pointer (&self->order, g_array_unref);
  g_clear_pointer (&self->refresh, g_hash_table_unref);
  g_clear_object (&self->history);
  g_clear_object (&self->store);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (dc_engine_parent_class)->finalize (object);
}

static void
dc_engine_class_init (DcEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dc_engine_dispose;
  object_class->finalize = dc_engine_finalize;

  /**
   * DcEngine::samples:
   * @samples: (element-type DcSample): the accepted samples of one batch
   */
  signals[SIGNAL_SAMPLES] =
    g_signal_new ("samples", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1,
                  G_TYPE_ARRAY | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
dc_engine_init (DcEngine *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->max_future = DC_ENGINE_DEFAULT_MAX_FUTURE;
  self->states = dc_live_states_new ();
  g_queue_init (&self->backlog);

  self->sink = g_new0 (Sink, 1);
  self->sink->parent.push_batch = sink_push_batch;
  self->sink->parent.is_congested = sink_is_congested;
  self->sink->parent.push_history = sink_push_history;
  self->sink->engine = self;
  g_mutex_init (&self->sink->mutex);
  self->sink->wakeup = g_source_new (&wakeup_funcs, sizeof (WakeupSource));
  g_source_set_priority (self->sink->wakeup, G_PRIORITY_DEFAULT);
  g_source_set_callback (self->sink->wakeup, sink_wakeup_cb, self, NULL);
  g_source_set_static_name (self->sink->wakeup, "[dc-engine-ingest]");
  g_source_attach (self->sink->wakeup, self->context);
  g_queue_init (&self->sink->batches);
  g_queue_init (&self->sink->history);
}

DcEngine *
dc_engine_new (DcStore   *store,
               DcHistory *history)
{
  DcEngine *self;
  DcEngineDriversHooks hooks = { hook_get_live, hook_push_api, hook_flush_ingest };

  g_return_val_if_fail (DC_IS_STORE (store), NULL);
  g_return_val_if_fail (history == NULL || DC_IS_HISTORY (history), NULL);

  self = g_object_new (DC_TYPE_ENGINE, NULL);
  self->store = g_object_ref (store);
  if (history != NULL)
    {
      self->history = g_object_ref (history);
      self->ready_id = g_signal_connect (history, "ready", G_CALLBACK (history_ready_cb), self);
    }
  self->changed_id = g_signal_connect (store, "changed", G_CALLBACK (_dc_engine_store_changed_cb), self);
  self->removed_id = g_signal_connect (store, "point-removed",
                                       G_CALLBACK (_dc_engine_store_point_removed_cb), self);
  self->drivers = dc_engine_drivers_new (store, &self->sink->parent, &hooks, self);
  dc_engine_set_backlog_limit (self, DEFAULT_BACKLOG_BYTES);

  return self;
}

DcStore *
dc_engine_get_store (DcEngine *self)
{
  g_return_val_if_fail (DC_IS_ENGINE (self), NULL);

  return self->store;
}

DcHistory *
dc_engine_get_history (DcEngine *self)
{
  g_return_val_if_fail (DC_IS_ENGINE (self), NULL);

  return self->history;
}

DcEngineDrivers *
dc_engine_get_drivers (DcEngine *self)
{
  g_return_val_if_fail (DC_IS_ENGINE (self), NULL);

  return self->drivers;
}

DcSampleSink *
dc_engine_get_sink (DcEngine *self)
{
  g_return_val_if_fail (DC_IS_ENGINE (self), NULL);

  return &self->sink->parent;
}

void
dc_engine_start (DcEngine *self)
{
  g_return_if_fail (DC_IS_ENGINE (self));

  if (self->started)
    return;
  self->started = TRUE;
  _dc_engine_reload_points (self);
  dc_engine_drivers_start (self->drivers);
}

void
dc_engine_shutdown (DcEngine *self)
{
  g_return_if_fail (DC_IS_ENGINE (self));

  dc_engine_drivers_shutdown (self->drivers);
  engine_process_sink (self);
  if (self->history != NULL)
    {
      GArray *batch;

      while ((batch = g_queue_pop_head (&self->backlog)) != NULL)
        {
          while (!dc_history_push (self->history, (DcSample *) batch->data, batch->len, NULL))
            dc_history_sync (self->history);
          self->backlog_samples -= batch->len;
          self->stats.stored += batch->len;
          g_array_unref (batch);
        }
    }
}

void
dc_engine_ingest (DcEngine       *self,
                  const DcSample *samples,
                  guint           n_samples,
                  DcIngestFlags   flags)
{
  g_autoptr(GArray) batch = NULL;

  g_return_if_fail (DC_IS_ENGINE (self));
  g_return_if_fail (samples != NULL || n_samples == 0);

  /* Batches the drivers queued before go first, so the live table keeps their order. */
  engine_process_sink (self);
  batch = g_array_sized_new (FALSE, FALSE, sizeof (DcSample), n_samples);
  g_array_append_vals (batch, samples, n_samples);
  ingest (self, batch, flags);
}

void
dc_engine_flush (DcEngine *self)
{
  g_return_if_fail (DC_IS_ENGINE (self));

  engine_process_sink (self);
}

gboolean
dc_engine_get_live (DcEngine *self,
                    gint64    key,
                    DcSample *sample)
{
  DcLiveState *st;

  g_return_val_if_fail (DC_IS_ENGINE (self), FALSE);

  st = dc_live_states_find (self->states, key);
  if (st == NULL || !st->has_live)
    return FALSE;
  if (sample != NULL)
    *sample = st->live;
  return TRUE;
}

const DcPointInfo *
dc_engine_get_point (DcEngine *self,
                     gint64    key)
{
  g_return_val_if_fail (DC_IS_ENGINE (self), NULL);

  _dc_engine_ensure_points (self);
  return g_hash_table_lookup (self->points, &key);
}

GArray *
dc_engine_list_keys (DcEngine *self)
{
  g_return_val_if_fail (DC_IS_ENGINE (self), NULL);

  _dc_engine_ensure_points (self);
  return g_array_ref (self->order);
}

gboolean
dc_engine_is_congested (DcEngine *self)
{
  g_return_val_if_fail (DC_IS_ENGINE (self), FALSE);

  return sink_is_congested (&self->sink->parent);
}

void
dc_engine_get_stats (DcEngine      *self,
                     DcEngineStats *stats)
{
  guint64 pending;

  g_return_if_fail (DC_IS_ENGINE (self));
  g_return_if_fail (stats != NULL);

  *stats = self->stats;
  stats->backlog = self->backlog_samples;
  g_mutex_lock (&self->sink->mutex);
  pending = self->sink->queued;
  g_mutex_unlock (&self->sink->mutex);
  pending += self->backlog_samples;
  if (self->history != NULL)
    {
      DcHistoryStats hstats;

      dc_history_get_stats (self->history, &hstats);
      pending += hstats.queued;
    }
  stats->backlog_bytes = pending * sizeof (DcSample);
  stats->backlog_limit = self->backlog_limit;
}

void
dc_engine_set_backlog_limit (DcEngine *self,
                             guint64   bytes)
{
  guint64 samples;

  g_return_if_fail (DC_IS_ENGINE (self));

  bytes = MAX (bytes, MIN_BACKLOG_BYTES);
  samples = bytes / sizeof (DcSample);
  self->backlog_limit = bytes;
  g_mutex_lock (&self->sink->mutex);
  self->sink->congest_at = samples / 4;
  g_mutex_unlock (&self->sink->mutex);
  if (self->history != NULL)
    dc_history_set_queue_capacity (self->history, (guint) MIN (samples / 2, G_MAXUINT));
  update_congestion (self);
}

void
dc_engine_set_max_future (DcEngine *self,
                          gint64    max_future_us)
{
  g_return_if_fail (DC_IS_ENGINE (self));
  g_return_if_fail (max_future_us >= 0);

  self->max_future = max_future_us;
}
