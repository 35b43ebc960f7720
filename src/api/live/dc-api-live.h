/* dc-api-live.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-engine.h"
#include "dc-engine-drivers.h"
#include "dc-server.h"

G_BEGIN_DECLS

/* Live data of docs/rest.md: GET /api/v1/devices/{device_id}/status, GET …/frames and the
 * WebSocket /api/v1/stream (subscriptions, snapshot, samples per batch, device, alarm and
 * config events, slow clients coalesced, overflow past the backlog limit). Main thread. */
#define DC_TYPE_API_LIVE (dc_api_live_get_type ())

G_DECLARE_FINAL_TYPE (DcApiLive, dc_api_live, DC, API_LIVE, GObject)

/* The current sample of every point (GArray of DcSample, transfer full), for snapshots. */
typedef GArray *(*DcLiveSnapshotFunc) (gpointer user_data);

/* The backlog past which a slow client gets {"type":"overflow"} and a fresh snapshot. */
#define DC_API_LIVE_BACKLOG_LIMIT (8 * 1024 * 1024)

/* Adds the routes to @server (which must have a store). @drivers may be NULL (every device
 * then has no status). */
DcApiLive *dc_api_live_new                (DcServer           *server,
                                           DcEngineDrivers    *drivers);
/* The usual wiring: @engine's drivers, its live table for snapshots, its ::samples for
 * batches. */
DcApiLive *dc_api_live_new_for_engine     (DcServer           *server,
                                           DcEngine           *engine);
void       dc_api_live_set_snapshot_func  (DcApiLive          *self,
                                           DcLiveSnapshotFunc  func,
                                           gpointer            user_data,
                                           GDestroyNotify      destroy);
/* One batch of samples the engine accepted (live table already updated). */
void       dc_api_live_push_samples       (DcApiLive          *self,
                                           const DcSample     *samples,
                                           guint               n_samples);
/* An alarm object (the alarm plugin's JSON); sent as {"type":"alarm", …members}. */
void       dc_api_live_push_alarm         (DcApiLive          *self,
                                           JsonObject         *alarm);

/* A step of a control sent with a "request" id (ext): {"type":"control","request",
 * "device_id","step","detail"} to the clients subscribed to @device_id. */
void       dc_api_live_push_control_step  (DcApiLive          *self,
                                           const char         *device_id,
                                           const char         *request,
                                           DcCtrlStep          step,
                                           const char         *detail);

void       dc_api_live_set_backlog_limit  (DcApiLive          *self,
                                           gsize               bytes);
guint      dc_api_live_get_n_clients      (DcApiLive          *self);
/* Clients following a device's traffic ({"traffic": device_id} on the stream). */
guint      dc_api_live_get_n_traffic_clients (DcApiLive       *self);
/* Bytes held for slow clients (coalesced samples and queued events), all clients. */
gsize      dc_api_live_get_backlog        (DcApiLive          *self);
/* Overflows sent so far, all clients. */
guint      dc_api_live_get_n_overflows    (DcApiLive          *self);

G_END_DECLS
