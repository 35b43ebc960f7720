/* dc-engine-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Shared by dc-engine.c (the sink, ingest, history hand-off) and dc-engine-points.c (the
 * engine's view of the points: loaded from the store's point cache, refreshed per change).
 */

#pragma once

#include "dc-engine.h"
#include "dc-live-states-private.h"

G_BEGIN_DECLS

typedef struct
{
  DcSampleSink  parent;
  DcEngine     *engine;   /* borrowed; the engine outlives its sink */

  GMutex        mutex;
  GQueue        batches;   /* GArray of DcSample */
  GQueue        history;   /* GArray of DcSample for history only (dc_sample_sink_push_history) */
  guint64       queued;
  guint64       congest_at; /* samples queued here that make the sink congested */
  gboolean      wakeup_pending;
  GSource      *wakeup;    /* made pending by a push: one source for the engine's life */
  gint          congested; /* atomic */
} Sink;

struct _DcEngine
{
  GObject          parent_instance;

  DcStore         *store;
  DcHistory       *history;
  DcEngineDrivers *drivers;
  GMainContext    *context;
  Sink            *sink;

  GHashTable      *points;     /* key → DcPointInfo */
  DcLiveStates    *states;     /* per point: live and last stored sample */
  guint            points_gen; /* bumped when a DcPointInfo of points may be replaced or freed */
  GArray          *order;      /* keys in natural order */
  GQueue           backlog;    /* GArray of DcSample refused by the history writer */
  guint64          backlog_samples;
  guint64          backlog_limit;  /* bytes, dc_engine_set_backlog_limit() */
  gboolean         reload_pending;
  gboolean         idle_pending;
  GHashTable      *refresh;    /* "term:item" of points created or edited since, or NULL */
  gboolean         started;
  gulong           changed_id;
  gulong           removed_id;
  gulong           ready_id;
  gint64           max_future;  /* µs a time tag may be ahead of the clock; 0: any */
  DcEngineStats    stats;
};

/* dc-engine-points.c */
void     _dc_engine_reload_points          (DcEngine   *self);
void     _dc_engine_ensure_points          (DcEngine   *self);
void     _dc_engine_store_changed_cb       (DcStore    *store,
                                            int         kind,
                                            int         op,
                                            const char *id,
                                            const char *old_id,
                                            DcEngine   *self);
void     _dc_engine_store_point_removed_cb (DcStore    *store,
                                            gint64      key,
                                            DcEngine   *self);

G_END_DECLS
