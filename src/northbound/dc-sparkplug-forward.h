/* dc-sparkplug-forward.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-sparkplug-payload.h"
#include "dc-sparkplug-queue.h"

G_BEGIN_DECLS

/* Store and forward for the edge node (docs/sparkplug.md, "Store and forward"). While the node
 * is not born (no session, or the primary host offline) its changed values go to the queue;
 * after the next birth they are sent again as historical DDATA, oldest first, in messages of
 * up to 500 values, one message every 10 ms at most.
 *
 * Data goes out at QoS 0, so nothing tells the node which of its last messages reached the
 * broker before a connection died: the values published during the last @window_us (at
 * least the time libmosquitto needs to notice a dead connection, two keep-alive periods) are kept,
 * and when the session ends they go back to the queue and are sent again as historical. A
 * host may see some of them twice (same metric, same timestamp); none is lost.
 *
 * Main thread only. */
typedef struct _DcSparkplugForward DcSparkplugForward;

/* Publishes @n metrics (historical, aliases only) as one DDATA of @device_id. FALSE when the
 * device is not born (its values are dropped and counted). */
typedef gboolean (*DcSparkplugForwardPublish) (gpointer                 user_data,
                                               const char              *device_id,
                                               const DcSparkplugMetric *metrics,
                                               guint                    n);

typedef struct
{
  guint64 queued;    /* values in the queue now */
  guint64 stored;    /* values put in the queue since the start */
  guint64 replayed;  /* values sent from the queue as historical */
  guint64 resent;    /* values of a lost session's last window put back in the queue */
  guint64 dropped;   /* values dropped: the queue's bound, or their device not born */
  gboolean replaying;
} DcSparkplugForwardStats;

/* Takes @queue. */
DcSparkplugForward *dc_sparkplug_forward_new       (DcSparkplugQueue          *queue,
                                                    gint64                     window_us,
                                                    DcSparkplugForwardPublish  publish,
                                                    gpointer                   user_data);
/* @n values just published live: kept for the window. */
void                dc_sparkplug_forward_sent      (DcSparkplugForward        *self,
                                                    const DcSparkplugQueued   *values,
                                                    guint                      n);
/* @n values that could not be published: into the queue. */
void                dc_sparkplug_forward_store     (DcSparkplugForward        *self,
                                                    const DcSparkplugQueued   *values,
                                                    guint                      n);
/* The node is no longer born: the window goes back to the queue, a replay stops. */
void                dc_sparkplug_forward_lost      (DcSparkplugForward        *self);
/* The node was just born: sends the queue. */
void                dc_sparkplug_forward_replay    (DcSparkplugForward        *self);
void                dc_sparkplug_forward_get_stats (DcSparkplugForward        *self,
                                                    DcSparkplugForwardStats   *stats);
/* Closes the queue (values on their way out go back first). A clean stop sends everything
 * before its DISCONNECT, so the window is not put back. */
void                dc_sparkplug_forward_free      (DcSparkplugForward        *self);

G_END_DECLS
