/* dc-remote-source-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <libsoup/soup.h>

#include "dc-remote-source.h"

G_BEGIN_DECLS

/* DcRemoteSource is split by concern: dc-remote-source.c (type, connection, stream, feeding
 * the plant model) and dc-remote-source-ops.c (REST requests: lookups' cache, writes, history,
 * controls), which only uses this struct and never calls back into dc-remote-source.c. */
struct _DcRemoteSource
{
  GObject                  parent_instance;

  SoupSession             *session;
  char                    *url;          /* http://host:port, no trailing slash */
  char                    *token;
  DcPlantModel            *plant;

  /* The configuration as last read: kind → (id → JsonObject); points by "term:item". */
  GHashTable              *objects[DC_KIND_FORMULA + 1];
  GHashTable              *keys;         /* "term:item" → gint64 key (stable over reloads) */
  gint64                   next_key;
  char                    *project_text; /* the last GET /api/v1/project answer */

  SoupWebsocketConnection *ws;
  GCancellable            *cancellable;  /* the connection attempt and the stream */
  guint                    retry_id;
  guint                    backoff_ms;
  guint                    n_connects;
  GQueue                   changes;      /* config messages (JsonObject) applied in order */
  gboolean                 change_running;
  GHashTable              *controls;     /* request id → GTask of a control with progress */
  GHashTable              *alarms;       /* id (gint64*) → JsonObject, every alarm */
  gboolean                 has_alarms;   /* the server answered GET /api/v1/alarms */
  char                    *trusted;      /* the fingerprint the user trusts (self-signed) */
  char                    *pending;      /* the one seen and refused, for the user to decide */
  gpointer                 traffic;      /* the traffic feed following frames, or NULL
                                          * (dc-remote-source-traffic.c) */
};

/* dc-remote-source-ops.c */

/* Sends @method @path (with @body JSON when not NULL) and calls @callback with the GTask's
 * result: a JsonNode (the answer, or NULL for an empty 200), or a GError with the server's
 * text (DC_ERROR code from the status). */
void     _dc_remote_request         (DcRemoteSource      *self,
                                     const char          *method,
                                     const char          *path,
                                     JsonNode            *body,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
JsonNode *_dc_remote_request_finish (GAsyncResult        *result,
                                     GError             **error);
/* _dc_remote_request_finish() of an answer that must be a JSON @type (an error naming @what
 * otherwise). */
JsonNode *_dc_remote_request_finish_type (GAsyncResult   *result,
                                          JsonNodeType    type,
                                          const char     *what,
                                          GError        **error);
/* The body of the finished soup_session_send_and_read_async() @result, or NULL with @task
 * returned: the transport's error, or for a status outside 2xx the server's text (else the
 * reason phrase) with the DC_ERROR code of the status. */
GBytes  *_dc_remote_reply_bytes     (GObject             *session,
                                     GAsyncResult        *result,
                                     GTask               *task);
/* A write whose answer only matters as a success or the server's error, given to @done. */
void     _dc_remote_write           (DcRemoteSource      *self,
                                     const char          *method,
                                     const char          *path,
                                     JsonNode            *body,
                                     DcSourceDoneFunc     done,
                                     gpointer             user_data);
/* Adds the token and the certificate check of @self to @msg (every request and the stream). */
void     _dc_remote_prepare_message (DcRemoteSource      *self,
                                     SoupMessage         *msg);
/* The REST path of an entity ("/api/v1/terms/t1/items/i1"), or of its collection when @id
 * is NULL (for a point, @parent is the term). */
char    *_dc_remote_entity_path     (DcKind               kind,
                                     const char          *id,
                                     const char          *parent);
/* The key of point "term:item" (a new one the first time). */
gint64   _dc_remote_key_for         (DcRemoteSource      *self,
                                     const char          *point_id);
/* A control's step from the stream ({"type":"control", "request", "step", "detail"}). */
void     _dc_remote_control_step    (DcRemoteSource      *self,
                                     JsonObject          *message);
void     _dc_remote_source_init_ops (DcPlantSourceInterface *iface);

/* dc-remote-source-alarms.c: the alarms of the server (GET /api/v1/alarms?all=true at each
 * connection, then the stream's alarm messages) */
void     _dc_remote_alarms_load     (DcRemoteSource      *self);
void     _dc_remote_alarm_message   (DcRemoteSource      *self,
                                     JsonObject          *message);
void     _dc_remote_source_init_alarms (DcPlantSourceInterface *iface);

/* dc-remote-source-project.c: import and export through GET and POST /api/v1/project, and the
 * audit log through GET /api/v1/audit (the DcAuditSource the plant model is given while
 * attached). */
void     _dc_remote_source_init_project (DcPlantSourceInterface *iface);
void     _dc_remote_source_init_audit   (DcAuditSourceInterface *iface);
/* dc-remote-source-formula.c: formula_check (POST /api/v1/formula_check, a text answer) */
void     _dc_remote_source_init_formula (DcPlantSourceInterface *iface);

G_END_DECLS
