/* dc-engine.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>

#include "dc-driver.h"
#include "dc-engine-drivers.h"
#include "dc-history.h"
#include "dc-model.h"
#include "dc-sample.h"
#include "dc-store.h"

G_BEGIN_DECLS

/* The engine's ingest path (docs/history.md): batches of samples from drivers (through the
 * thread-safe sink, one main-context wakeup per batch) or from the API (main thread) →
 * per-point history mode and deadband → live table (late-sample rule) → history writer →
 * listeners. The engine follows the store's points (::changed, ::point-removed) and owns the
 * driver half (DcEngineDrivers).
 *
 * Main thread only, except dc_engine_get_sink(), whose sink drivers call from any thread.
 *
 * Signals:
 *   ::samples (GArray *samples)
 *       each batch of accepted samples (DcSample), on the main thread, in ingest order.
 *       Late samples are included (they are history); the live table ignores them. The
 *       array is only valid during the emission. */
#define DC_TYPE_ENGINE (dc_engine_get_type ())

G_DECLARE_FINAL_TYPE (DcEngine, dc_engine, DC, ENGINE, GObject)

typedef enum
{
  DC_INGEST_NONE = 0,
  /* Written through the API (a virtual device_ctrl, a device_call answer): stored even
   * when the value repeats, unless the point's history is `none`. */
  DC_INGEST_API  = 1 << 0,
  /* Historical values (Sparkplug is_historical, docs/sparkplug.md): stored at their own time
   * like late samples, never live. */
  DC_INGEST_HISTORY = 1 << 1,
} DcIngestFlags;

typedef struct
{
  guint64 received;      /* samples handed to the engine */
  guint64 accepted;      /* samples of known points */
  guint64 unknown;       /* samples of unknown (deleted) points, dropped and counted */
  guint64 late;          /* accepted samples older than the live sample */
  guint64 future;        /* samples stamped too far ahead (quality 0x400, not live) */
  guint64 restamped;     /* samples placed 1 µs after the point's previous one (same time) */
  guint64 stored;        /* samples handed to the history writer */
  guint64 not_stored;    /* samples the history mode skipped */
  guint64 backlog;       /* samples waiting because the history writer is busy */
  guint64 backlog_bytes; /* every sample in memory between the drivers and the history
                          * file (sink queue, backlog, writer queue), in bytes */
  guint64 backlog_limit; /* dc_engine_set_backlog_limit() */
} DcEngineStats;

/* @history may be NULL (no history). */
DcEngine        *dc_engine_new           (DcStore        *store,
                                          DcHistory      *history);
DcStore         *dc_engine_get_store     (DcEngine       *self);
DcHistory       *dc_engine_get_history   (DcEngine       *self);
DcEngineDrivers *dc_engine_get_drivers   (DcEngine       *self);
/* Where drivers deliver batches; thread-safe, never drops. */
DcSampleSink    *dc_engine_get_sink      (DcEngine       *self);

/* Loads the points and starts the drivers. */
void             dc_engine_start         (DcEngine       *self);
/* Stops the drivers, ingests what is queued and hands the backlog to the history. */
void             dc_engine_shutdown      (DcEngine       *self);

/* Ingests samples now (main thread). */
void             dc_engine_ingest        (DcEngine       *self,
                                          const DcSample *samples,
                                          guint           n_samples,
                                          DcIngestFlags   flags);
/* Ingests the batches queued in the sink now. */
void             dc_engine_flush         (DcEngine       *self);

/* The live (current) sample of @key; FALSE when it has none. */
gboolean         dc_engine_get_live      (DcEngine       *self,
                                          gint64          key,
                                          DcSample       *sample);
/* The point of @key (owned by the engine, valid until the next store change), or NULL. */
const DcPointInfo *dc_engine_get_point   (DcEngine       *self,
                                          gint64          key);
/* Keys of every point, ordered by device, term, item (natural order). */
GArray          *dc_engine_list_keys     (DcEngine       *self);

/* How far ahead of the clock a time tag may be (10 min by default; 0: any). A sample
 * further ahead gets DC_QUALITY_TIME_INVALID, goes to history and is neither the live value
 * nor emitted (docs/security.md, "Limits"). */
#define DC_ENGINE_DEFAULT_MAX_FUTURE (600 * G_USEC_PER_SEC)
void             dc_engine_set_max_future (DcEngine      *self,
                                           gint64         max_future_us);

gboolean         dc_engine_is_congested  (DcEngine       *self);
/* Bounds the samples held in memory between the drivers and the history file to about
 * @bytes (default 16 MiB, at least 64 KiB): past it drivers are told to slow down (IEC 104
 * holds its acknowledgements, Modbus delays polls); nothing is dropped. Also sets the
 * history writer's queue capacity (half of it). */
void             dc_engine_set_backlog_limit (DcEngine   *self,
                                          guint64         bytes);
void             dc_engine_get_stats     (DcEngine       *self,
                                          DcEngineStats  *stats);

G_END_DECLS
