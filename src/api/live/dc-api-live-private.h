/* dc-api-live-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-api-live.h"

G_BEGIN_DECLS

/* Shared by the files of DcApiLive (docs/engine.md, "Live data API"). They depend one way:
 *   dc-api-live.c                    the object, the status and frames routes, engine, store
 *                                    and driver events
 *   dc-api-live-websocket.c          WebSocket clients: accept, subscribe, fan-out
 *   dc-api-live-websocket-overflow.c a client's sending: snapshot, slow clients (coalesced
 *                                    samples, held events, backlog), overflow, flush
 *   dc-api-live-messages.c           the stream's JSON messages, point names, subscriptions
 *   dc-api-live-frames.c             a device's traffic frames and link counters on the stream
 * Main thread. */

/* A coalesced sample costs about its JSON plus bookkeeping. */
#define DC_API_LIVE_SAMPLE_COST 64

/* Where a point's samples are named: key → ids and the JSON prefix of its samples. */
typedef struct
{
  gint64  key;
  char   *device_id;
  char   *term_id;
  char   *item_id;
  char   *prefix;   /* {"device_id":"d","term_id":"t","item_id":"i", */
} DcLivePointRef;

/* One subscription pattern: NULL parts are wildcards. */
typedef struct
{
  char *device_id;
  char *term_id;
  char *item_id;
} DcLivePattern;

/* One WebSocket client of /api/v1/stream. */
typedef struct
{
  DcApiLive               *live;      /* borrowed */
  SoupWebsocketConnection *conn;
  GPtrArray               *patterns;  /* DcLivePattern; NULL = everything */
  gboolean                 snapshot_sent;
  guint                    grace_id;
  GHashTable              *pending;   /* key → DcSample, coalesced while the client is slow */
  GQueue                   events;    /* char * (serialised messages) held while slow */
  gsize                    backlog;
  gboolean                 congested;
  gboolean                 overflowed;
  GSource                 *writable_source;
  guint                    flush_id;
  char                    *traffic_device;  /* the device whose frames it follows, or NULL */
  guint64                  traffic_seq;     /* of the last frame sent */
  gpointer                 traffic_driver;  /* compared only: a new driver has a new ring */
  guint                    traffic_ticks;
} DcLiveClient;

struct _DcApiLive
{
  GObject             parent_instance;

  DcServer           *server;      /* borrowed: the server outlives us */
  DcStore            *store;
  DcEngineDrivers    *drivers;
  DcLiveSnapshotFunc  snapshot_func;
  gpointer            snapshot_data;
  GDestroyNotify      snapshot_destroy;

  GHashTable         *points;      /* key → DcLivePointRef */
  gboolean            points_loaded;
  GList              *clients;     /* DcLiveClient */
  gsize               backlog_limit;
  guint               n_overflows;
  gulong              changed_id;
  gulong              removed_id;
  gulong              device_id;
  DcEngine           *engine;
  gulong              samples_id;
  guint               traffic_id;  /* the frames timer (dc-api-live-frames.c) */
};

/* dc-api-live-messages.c: point names */
void            dc_live_point_ref_free         (gpointer             data);
void            dc_live_add_point_ref          (DcApiLive           *self,
                                                gint64               key,
                                                const char          *device_id,
                                                const char          *term_id,
                                                const char          *item_id);
/* Loads every point's names from the store on first use. */
void            dc_live_ensure_points          (DcApiLive           *self);
DcLivePointRef *dc_live_lookup_point           (DcApiLive           *self,
                                                gint64               key);

/* dc-api-live-messages.c: subscriptions */
void            dc_live_pattern_free           (gpointer             data);
/* "d:t:i", "d:t:*", "d:*", "*"; NULL when @text is none of these. */
DcLivePattern  *dc_live_pattern_parse          (const char          *text);
gboolean        dc_live_client_wants_point     (DcLiveClient        *client,
                                                const DcLivePointRef *ref);
gboolean        dc_live_client_wants_device    (DcLiveClient        *client,
                                                const char          *device_id);

/* dc-api-live-messages.c: messages */
/* {"type":@type,"samples":[…]} with the samples @client wants (all when @client is NULL);
 * @n_out (nullable) gets how many went in. */
char           *dc_live_build_samples_message  (DcApiLive           *self,
                                                const char          *type,
                                                DcLiveClient        *client,
                                                const DcSample      *samples,
                                                guint                n_samples,
                                                guint               *n_out);
char           *dc_live_build_device_message   (const char          *device_id,
                                                const char          *state,
                                                const char          *last_error);
char           *dc_live_build_config_message   (DcKind               kind,
                                                DcChangeOp           op,
                                                const char          *id,
                                                const char          *old_id);
char           *dc_live_build_alarm_message    (JsonObject          *alarm);
char           *dc_live_build_error_message    (const char          *message);
/* What a (re)subscribed client gets: the snapshot of its points, then one device message per
 * subscribed device with its current state. A GPtrArray of char *. */
GPtrArray      *dc_live_build_snapshot         (DcApiLive           *self,
                                                DcLiveClient        *client);

/* dc-api-live-websocket-overflow.c */
void            dc_live_client_free            (DcLiveClient        *client);
/* Sends now; notes congestion when the socket is full afterwards. */
void            dc_live_client_send            (DcLiveClient        *client,
                                                const char          *text);
void            dc_live_client_send_snapshot   (DcLiveClient        *client);
/* Drops what is held for the client (coalesced samples, queued events). */
void            dc_live_client_clear_backlog   (DcLiveClient        *client);
/* Queues @text (taken) for a congested client; past the backlog limit, overflows. */
void            dc_live_client_hold_event      (DcLiveClient        *client,
                                                char                *text);
/* Keeps the latest sample per point for a congested client; past the limit, overflows. */
void            dc_live_client_coalesce        (DcLiveClient        *client,
                                                const DcSample      *samples,
                                                guint                n_samples);

/* dc-api-live-frames.c: a client's {"traffic": device_id | null, "since": seq}; FALSE with
 * DC_ERROR_INVALID or DC_ERROR_NOT_FOUND (the text of docs/rest.md) when refused. */
gboolean        dc_live_client_set_traffic     (DcLiveClient        *client,
                                                JsonObject          *request,
                                                GError             **error);

/* dc-api-live-websocket.c */
void            dc_live_websocket_cb           (SoupServer              *server,
                                                SoupServerMessage       *msg,
                                                const char              *path,
                                                SoupWebsocketConnection *conn,
                                                gpointer                 user_data);
/* The upgrade of GET /api/v1/stream, done by the route rather than by
 * soup_server_add_websocket_handler() so that the connection reads through
 * dc_ws_limit_stream_new(); FALSE when @msg is no WebSocket handshake. */
gboolean        dc_live_websocket_upgrade      (DcApiLive               *self,
                                                SoupServerMessage       *msg);
/* Sends @text to every client with a snapshot (those subscribed to @device_id when not
 * NULL); a congested client holds it. */
void            dc_live_broadcast              (DcApiLive           *self,
                                                const char          *device_id,
                                                const char          *text);
void            dc_live_fan_out_samples        (DcApiLive           *self,
                                                const DcSample      *samples,
                                                guint                n_samples);

G_END_DECLS
