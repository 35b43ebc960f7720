/* dc-sparkplug-client.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The MQTT session of the edge node (docs/sparkplug.md) on the shared MQTT link
 * (dc-mqtt-link.h: its own network thread connects, reconnects and runs libmosquitto's loop).
 * Everything the broker says is handed to the main context the client was created on, through
 * the callbacks below; nothing here blocks the main loop.
 *
 * The session owns the birth/death sequence number bdSeq: the MQTT will is NDEATH with bdSeq,
 * and when a session ends the next bdSeq and its will are set before libmosquitto reconnects,
 * so the NBIRTH of a session (published by the caller from ::connected) and its NDEATH always
 * carry the same bdSeq. */
typedef struct _DcSparkplugClient DcSparkplugClient;

typedef struct
{
  /* A session started (CONNACK accepted, subscriptions sent): publish the births now. */
  void (*connected)    (gpointer     user_data,
                        guint64      bd_seq);
  /* The session ended (@reason: libmosquitto's code, 0 = asked for). */
  void (*disconnected) (gpointer     user_data,
                        int          reason);
  /* A message on a subscribed topic. */
  void (*message)      (gpointer     user_data,
                        const char  *topic,
                        GBytes      *payload);
} DcSparkplugClientCallbacks;

typedef struct
{
  guint64 published;      /* messages handed to libmosquitto */
  guint64 publish_failed; /* messages libmosquitto refused (no connection, …) */
  guint64 received;       /* messages on the subscribed topics */
  guint64 connects;       /* sessions started */
  guint64 disconnects;    /* sessions ended */
} DcSparkplugClientStats;

/* @death_topic: the NDEATH topic (the will). @subscriptions: NULL-terminated topic filters
 * subscribed at each connection. The callbacks are called on the thread-default main context
 * of the caller, never after dc_sparkplug_client_free(). */
DcSparkplugClient *dc_sparkplug_client_new     (const char                       *client_id,
                                                const char                       *death_topic,
                                                const char * const               *subscriptions,
                                                const DcSparkplugClientCallbacks *callbacks,
                                                gpointer                          user_data);
/* MQTT username and password (before start; @password may be NULL). */
void               dc_sparkplug_client_set_credentials (DcSparkplugClient        *self,
                                                        const char               *username,
                                                        const char               *password);
/* TLS to the broker (before start): its certificate is checked against the CA certificates
 * in @ca_file, and its name against the host name. FALSE (DC_ERROR_INVALID) when
 * libmosquitto refuses the file. */
gboolean           dc_sparkplug_client_set_tls (DcSparkplugClient        *self,
                                                const char               *ca_file,
                                                GError                  **error);
/* Connects to @host:@port in the background and keeps reconnecting (every 1 s to 2 s). */
void               dc_sparkplug_client_start   (DcSparkplugClient                *self,
                                                const char                       *host,
                                                guint                             port,
                                                guint                             keepalive_s);
/* Queues a message (main thread; never blocks). FALSE when libmosquitto refused it. */
gboolean           dc_sparkplug_client_publish (DcSparkplugClient                *self,
                                                const char                       *topic,
                                                GBytes                           *payload,
                                                int                               qos);
void               dc_sparkplug_client_get_stats (DcSparkplugClient              *self,
                                                  DcSparkplugClientStats         *stats);
/* Publishes NDEATH (a clean end of the session), disconnects, stops the network thread. */
void               dc_sparkplug_client_free    (DcSparkplugClient                *self);

G_END_DECLS
