/* dc-sparkplug-queue.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The store-and-forward queue of the edge node (docs/sparkplug.md, "Store and forward"): the
 * values the node could not publish while the broker (or the primary host) was away, in a
 * sqlite file of their own (the configuration's companion "<stem>-sparkplug.db"), to be sent
 * as historical DDATA after the next birth, oldest first.
 *
 * Bounded by a number of values: past it, the oldest values leave first and are counted as
 * dropped. The file is written and read by a thread of its own; the functions below are for
 * the main thread and never wait for the disk (take() answers on the main context). Values
 * still in the file when the server stops are there at the next start. */
typedef struct _DcSparkplugQueue DcSparkplugQueue;

/* One value. @device_id is an interned string (g_intern_string()). @time in µs since the
 * epoch; @datatype the Sparkplug datatype its metric was born with. */
typedef struct
{
  gint64      key;
  const char *device_id;
  gint64      time;
  double      value;
  guint32     quality;
  guint32     datatype;
} DcSparkplugQueued;

typedef struct
{
  guint64 queued;   /* values in the queue now (those being written included) */
  guint64 stored;   /* values put in the queue since the start */
  guint64 taken;    /* values taken out to be sent */
  guint64 dropped;  /* values dropped at the bound, oldest first */
} DcSparkplugQueueStats;

/* An estimate of the file's size per value, for a bound given in bytes. */
#define DC_SPARKPLUG_QUEUE_BYTES_PER_VALUE 64

/* Opens (creates) the queue file at @path; @max_values ≥ 1. */
DcSparkplugQueue *dc_sparkplug_queue_open        (const char               *path,
                                                  guint64                   max_values,
                                                  GError                  **error);
/* Appends @n values (copied; written in the background, in order). */
void              dc_sparkplug_queue_push        (DcSparkplugQueue         *self,
                                                  const DcSparkplugQueued  *values,
                                                  guint                     n);
/* Puts values taken out but not sent back (they count as queued again, not as stored). */
void              dc_sparkplug_queue_put_back    (DcSparkplugQueue         *self,
                                                  const DcSparkplugQueued  *values,
                                                  guint                     n);
/* Takes up to @max of the oldest values (by time, then by arrival) out of the queue, after
 * every value pushed before this call is written. The result (a GArray of
 * DcSparkplugQueued, empty when the queue is empty) comes back on the caller's main context. */
void              dc_sparkplug_queue_take_async  (DcSparkplugQueue         *self,
                                                  guint                     max,
                                                  GCancellable             *cancellable,
                                                  GAsyncReadyCallback       callback,
                                                  gpointer                  user_data);
GArray           *dc_sparkplug_queue_take_finish (DcSparkplugQueue         *self,
                                                  GAsyncResult             *result,
                                                  GError                  **error);
void              dc_sparkplug_queue_get_stats   (DcSparkplugQueue         *self,
                                                  DcSparkplugQueueStats    *stats);
/* Writes what is pending, closes the file, ends the thread. */
void              dc_sparkplug_queue_free        (DcSparkplugQueue         *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DcSparkplugQueue, dc_sparkplug_queue_free)

G_END_DECLS
