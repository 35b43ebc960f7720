/* dc-sparkplug-session-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-driver.h"
#include "dc-sparkplug-message.h"

G_BEGIN_DECLS

/* The MQTT side of the southbound sparkplug driver (docs/sparkplug.md, "Southbound"): one
 * MQTT link (dc-mqtt-link.h, as in the edge node: a network thread of its own connects,
 * reconnects and runs libmosquitto's loop) subscribed to one edge node. On the network
 * thread the session checks seq and bdSeq, turns DATA into samples by alias (pushed to the driver's sink, historical metrics to history only) and records every
 * message in the driver's traffic ring; births and deaths, the broker's link and control
 * confirmations go to the main context through the callbacks, never after
 * dc_sparkplug_session_free(). DATA that arrives while a birth is being applied on the main
 * context waits for it (dc_sparkplug_session_set_aliases() with @birth_applied). */

/* Where a metric's values go: @key 0 = a metric without a point (skipped, not unknown). */
typedef struct
{
  gint64  key;
  guint32 datatype;
} DcSparkplugTarget;

/* Alias and address (docs/sparkplug.md: "<device>/<metric>", "/<metric>" for the node's own
 * metrics) → target. Built on the main context, then read-only and shared. */
typedef struct _DcSparkplugAliases DcSparkplugAliases;

DcSparkplugAliases *dc_sparkplug_aliases_new    (void);
DcSparkplugAliases *dc_sparkplug_aliases_ref    (DcSparkplugAliases *self);
void                dc_sparkplug_aliases_unref  (DcSparkplugAliases *self);
/* @alias 0 = the metric has none. */
void                dc_sparkplug_aliases_add    (DcSparkplugAliases *self,
                                                 guint64             alias,
                                                 const char         *address,
                                                 gint64              key,
                                                 guint32             datatype);
guint               dc_sparkplug_aliases_size   (DcSparkplugAliases *self);

typedef struct
{
  /* The broker's link: @up after CONNACK (subscribed, rebirth requested), else @error. */
  void (*broker) (gpointer                user_data,
                  gboolean                up,
                  const char             *error);
  /* NBIRTH or DBIRTH (@device NULL for NBIRTH); @message is valid during the call. The
   * callee must call dc_sparkplug_session_set_aliases (…, TRUE) once it applied it. */
  void (*birth)  (gpointer                user_data,
                  DcSparkplugMessageType  type,
                  const char             *device,
                  DcSparkplugMessage     *message);
  /* NDEATH of the current session (bdSeq matches) or DDEATH. */
  void (*death)  (gpointer                user_data,
                  DcSparkplugMessageType  type,
                  const char             *device);
  /* A DATA value of an alias dc_sparkplug_session_expect() named. */
  void (*confirm) (gpointer               user_data,
                   guint64                alias,
                   double                 value,
                   guint32                quality);
} DcSparkplugSessionCallbacks;

typedef struct
{
  const char *host;
  guint       port;
  const char *username;    /* NULL: anonymous */
  const char *password;
  const char *group_id;
  const char *edge_node_id;
  const char *client_id;
  guint       keepalive_s;
  const char *host_id;     /* NULL: no primary host STATE published */
} DcSparkplugSessionConfig;

typedef struct
{
  guint64 messages;          /* messages of the edge node received */
  guint64 values;            /* samples pushed (live and historical) */
  guint64 historical;        /* of them: historical metrics, to history only */
  guint64 births;
  guint64 deaths;
  guint64 seq_gaps;          /* a seq that did not follow the one before */
  guint64 rebirth_requests;  /* NCMD Node Control/Rebirth sent */
  guint64 unknown_aliases;   /* DATA metrics no birth named */
  guint64 decode_errors;     /* payloads that are not Sparkplug B */
  guint64 commands;          /* DCMD and NCMD sent for controls */
  guint64 stale_deaths;      /* NDEATH of an older session (bdSeq differs), ignored */
  guint64 throttled;         /* messages read late because the engine was congested */
} DcSparkplugSessionStats;

/* @driver: for the sink, the traffic ring and the counters (borrowed; it outlives the
 * session). Created on the main context, whose thread-default context gets the callbacks. */
typedef struct _DcSparkplugSession DcSparkplugSession;

DcSparkplugSession *dc_sparkplug_session_new         (DcDriver                          *driver,
                                                      const DcSparkplugSessionConfig    *config,
                                                      const DcSparkplugSessionCallbacks *callbacks,
                                                      gpointer                           user_data);
void                dc_sparkplug_session_start       (DcSparkplugSession                *self);
/* Disconnects and joins the network thread. */
void                dc_sparkplug_session_free        (DcSparkplugSession                *self);

/* Main context. Replaces the alias table; @birth_applied: a birth handed to ::birth is done
 * (the DATA that waited for it is handled now). */
void                dc_sparkplug_session_set_aliases (DcSparkplugSession                *self,
                                                      DcSparkplugAliases                *aliases,
                                                      gboolean                           birth_applied);
/* Main context. NCMD (@device NULL) or DCMD with one metric: @name (nullable), @alias (0 =
 * none), @datatype and the value. FALSE with @error (DC_ERROR_OFFLINE) when libmosquitto
 * refuses it. */
gboolean            dc_sparkplug_session_command     (DcSparkplugSession                *self,
                                                      const char                        *device,
                                                      const char                        *name,
                                                      guint64                            alias,
                                                      guint32                            datatype,
                                                      double                             value,
                                                      GError                           **error);
/* Main context. The next DATA value of @alias is reported to ::confirm (until cancelled). */
void                dc_sparkplug_session_expect      (DcSparkplugSession                *self,
                                                      guint64                            alias);
void                dc_sparkplug_session_unexpect    (DcSparkplugSession                *self,
                                                      guint64                            alias);
/* Any thread. NCMD Node Control/Rebirth, at most once per 2 s. */
void                dc_sparkplug_session_request_rebirth (DcSparkplugSession            *self,
                                                          const char                    *why);
void                dc_sparkplug_session_get_stats   (DcSparkplugSession                *self,
                                                      DcSparkplugSessionStats           *stats);

G_END_DECLS
