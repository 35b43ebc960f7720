/* dc-remote-source-ops.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-remote-source"

#include "config.h"

#include <math.h>
#include <string.h>

#include "dc-error.h"
#include "dc-point-id.h"
#include "dc-remote-source-private.h"
#include "dc-time.h"

/* The REST side of the remote plant connection: requests, the configuration lookups, writes,
 * history buckets and controls (docs/rest.md). */

/* Requests ------------------------------------------------------------------------------- */

static int
error_code_for (guint status)
{
  switch (status)
    {
    case 400:
      return DC_ERROR_INVALID;
    case 401:
      return DC_ERROR_UNAUTHORIZED;
    case 403:
      return DC_ERROR_FORBIDDEN;
    case 404:
      return DC_ERROR_NOT_FOUND;
    case 409:
      return DC_ERROR_EXISTS;
    case 413:
      return DC_ERROR_TOO_LARGE;
    case 502:
      return DC_ERROR_REJECTED;
    case 503:
      return DC_ERROR_OFFLINE;
    case 504:
      return DC_ERROR_TIMEOUT;
    default:
      return DC_ERROR_INTERNAL;
    }
}

GBytes *
_dc_remote_reply_bytes (GObject      *session,
                        GAsyncResult *result,
                        GTask        *task)
{
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (session), result);
  GError *error = NULL;
  g_autoptr(GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (session), result,
                                                                &error);
  guint status;

  if (bytes == NULL)
    {
      g_task_return_error (task, error);
      return NULL;
    }
  status = soup_message_get_status (msg);
  if (status < 200 || status >= 300)
    {
      gsize size = 0;
      const char *data = g_bytes_get_data (bytes, &size);
      g_autofree char *text = size > 0 ? g_strndup (data, size)
                                       : g_strdup (soup_message_get_reason_phrase (msg));

      g_task_return_new_error (task, DC_ERROR, error_code_for (status), "%s", text);
      return NULL;
    }
  return g_steal_pointer (&bytes);
}

static void
request_ready_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GBytes) bytes = _dc_remote_reply_bytes (object, result, task);
  GError *error = NULL;
  gsize size = 0;
  const char *data;

  if (bytes == NULL)
    return;
  data = g_bytes_get_data (bytes, &size);
  if (size == 0)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  {
    g_autoptr(JsonParser) parser = json_parser_new_immutable ();

    if (!json_parser_load_from_data (parser, data, (gssize) size, &error))
      {
        g_task_return_error (task, error);
        return;
      }
    g_task_return_pointer (task, json_node_ref (json_parser_get_root (parser)),
                           (GDestroyNotify) json_node_unref);
  }
}

char *
dc_remote_source_fingerprint (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize length = sizeof digest;
  GString *out = g_string_new (NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  if (der != NULL)
    g_checksum_update (checksum, der->data, der->len);
  g_checksum_get_digest (checksum, digest, &length);
  for (gsize i = 0; i < length; i++)
    g_string_append_printf (out, i ? ":%02X" : "%02X", digest[i]);
  return g_string_free (out, FALSE);
}

/* A certificate the system does not trust: accepted only with the fingerprint the user
 * trusted for this server; otherwise remembered as pending (the state becomes "trust"). */
static gboolean
accept_certificate_cb (SoupMessage          *msg,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  DcRemoteSource *self = user_data;
  g_autofree char *fingerprint = dc_remote_source_fingerprint (certificate);

  if (self->trusted != NULL && g_ascii_strcasecmp (self->trusted, fingerprint) == 0)
    return TRUE;
  g_free (self->pending);
  self->pending = g_steal_pointer (&fingerprint);
  return FALSE;
}

void
_dc_remote_prepare_message (DcRemoteSource *self,
                            SoupMessage    *msg)
{
  if (self->token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", self->token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    auth);
    }
  g_signal_connect_object (msg, "accept-certificate", G_CALLBACK (accept_certificate_cb), self, 0);
}

void
_dc_remote_request (DcRemoteSource      *self,
                    const char          *method,
                    const char          *path,
                    JsonNode            *body,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autofree char *uri = g_strconcat (self->url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  if (msg == NULL)
    {
      g_task_return_new_error (task, DC_ERROR, DC_ERROR_INVALID, "invalid request %s", path);
      g_object_unref (task);
      return;
    }
  _dc_remote_prepare_message (self, msg);
  if (body != NULL)
    {
      char *text = json_to_string (body, FALSE);
      gsize length = strlen (text);
      g_autoptr(GBytes) bytes = g_bytes_new_take (text, length);

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  g_task_set_task_data (task, g_object_ref (msg), g_object_unref);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    request_ready_cb, task);
}

JsonNode *
_dc_remote_request_finish (GAsyncResult  *result,
                           GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

JsonNode *
_dc_remote_request_finish_type (GAsyncResult  *result,
                                JsonNodeType   type,
                                const char    *what,
                                GError       **error)
{
  g_autoptr(JsonNode) answer = _dc_remote_request_finish (result, error);

  if (answer == NULL && error != NULL && *error != NULL)
    return NULL;
  if (answer == NULL || JSON_NODE_TYPE (answer) != type)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INTERNAL, "%s: not an %s", what,
                   type == JSON_NODE_ARRAY ? "array" : "object");
      return NULL;
    }
  return g_steal_pointer (&answer);
}

char *
_dc_remote_entity_path (DcKind      kind,
                        const char *id,
                        const char *parent)
{
  g_autofree char *escaped = id ? g_uri_escape_string (id, NULL, FALSE) : NULL;
  static const char *collections[] = {
    [DC_KIND_DEVICE] = "/api/v1/devices",
    [DC_KIND_TERM] = "/api/v1/terms",
    [DC_KIND_ITEM] = "/api/v1/items",
    [DC_KIND_FORMULA] = "/api/v1/formulas",
  };

  if (kind == DC_KIND_POINT)
    {
      g_autofree char *term_id = NULL;
      const char *item_id;
      g_autofree char *term = NULL;
      g_autofree char *item = NULL;

      if (id == NULL)
        {
          term = g_uri_escape_string (parent ? parent : "", NULL, FALSE);
          return g_strdup_printf ("/api/v1/terms/%s/items", term);
        }
      if (!dc_point_id_split (id, &term_id, &item_id))
        return NULL;
      term = g_uri_escape_string (term_id, NULL, FALSE);
      item = g_uri_escape_string (item_id, NULL, FALSE);
      return g_strdup_printf ("/api/v1/terms/%s/items/%s", term, item);
    }
  if (kind > DC_KIND_FORMULA || collections[kind] == NULL)
    return NULL;
  return escaped ? g_strdup_printf ("%s/%s", collections[kind], escaped)
                 : g_strdup (collections[kind]);
}

gint64
_dc_remote_key_for (DcRemoteSource *self,
                    const char     *point_id)
{
  gpointer key;

  if (g_hash_table_lookup_extended (self->keys, point_id, NULL, &key))
    return GPOINTER_TO_SIZE (key);
  g_hash_table_insert (self->keys, g_strdup (point_id), GSIZE_TO_POINTER (++self->next_key));
  return self->next_key;
}

/* Lookups and writes --------------------------------------------------------------------- */

static JsonObject *
remote_get (DcPlantSource *source,
            DcKind         kind,
            const char    *id)
{
  DcRemoteSource *self = (DcRemoteSource *) source;
  JsonObject *object;

  if (kind > DC_KIND_FORMULA)
    return NULL;
  object = g_hash_table_lookup (self->objects[kind], id);
  return object ? json_object_ref (object) : NULL;
}

typedef struct
{
  DcSourceDoneFunc done;
  gpointer         user_data;
} DoneData;

static void
write_ready_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autofree DoneData *d = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = _dc_remote_request_finish (result, &error);

  /* The change itself comes back through the stream, as for every other desk. */
  d->done (error, d->user_data);
}

void
_dc_remote_write (DcRemoteSource   *self,
                  const char       *method,
                  const char       *path,
                  JsonNode         *body,
                  DcSourceDoneFunc  done,
                  gpointer          user_data)
{
  DoneData *d = g_new0 (DoneData, 1);

  d->done = done;
  d->user_data = user_data;
  _dc_remote_request (self, method, path, body, NULL, write_ready_cb, d);
}

static void
remote_save (DcPlantSource    *source,
             DcKind            kind,
             const char       *id,
             JsonObject       *object,
             DcSourceDoneFunc  done,
             gpointer          user_data)
{
  DcRemoteSource *self = (DcRemoteSource *) source;
  g_autoptr(JsonNode) body = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *path = NULL;

  json_node_set_object (body, object);
  path = _dc_remote_entity_path (kind, id,
                                 kind == DC_KIND_POINT
                                 ? json_object_get_string_member_with_default (object, "term_id", "")
                                 : NULL);
  if (path == NULL)
    {
      g_autoptr(GError) error = g_error_new (DC_ERROR, DC_ERROR_INVALID, "cannot save %s",
                                             dc_kind_to_string (kind));

      done (error, user_data);
      return;
    }
  /* The edit dialog's merge: PUT of the changed fields; a formula is replaced whole. */
  _dc_remote_write (self, id ? "PUT" : "POST", path, body, done, user_data);
}

static void
remote_remove (DcPlantSource    *source,
               DcKind            kind,
               const char       *id,
               DcSourceDoneFunc  done,
               gpointer          user_data)
{
  DcRemoteSource *self = (DcRemoteSource *) source;
  g_autofree char *path = _dc_remote_entity_path (kind, id, NULL);

  if (path == NULL)
    {
      g_autoptr(GError) error = g_error_new (DC_ERROR, DC_ERROR_NOT_FOUND, "%s",
                                             dc_kind_not_found_text (kind));

      done (error, user_data);
      return;
    }
  _dc_remote_write (self, "DELETE", path, NULL, done, user_data);
}

/* History -------------------------------------------------------------------------------- */

static double
number_or_nan (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NAN;
  return json_node_get_double (node);
}

static void
buckets_ready_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(JsonNode) answer = _dc_remote_request_finish (result, &error);
  g_autoptr(GArray) buckets = g_array_new (FALSE, FALSE, sizeof (DcBucket));
  JsonArray *array;

  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (answer == NULL || !JSON_NODE_HOLDS_ARRAY (answer))
    {
      g_task_return_new_error (task, DC_ERROR, DC_ERROR_INTERNAL, "buckets: not an array");
      return;
    }
  array = json_node_get_array (answer);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);
      DcBucket bucket = { 0 };

      if (o == NULL ||
          !dc_time_parse (json_object_get_string_member_with_default (o, "time", ""),
                          &bucket.time))
        continue;
      bucket.min = number_or_nan (o, "min");
      bucket.max = number_or_nan (o, "max");
      bucket.first = number_or_nan (o, "first");
      bucket.last = number_or_nan (o, "last");
      bucket.avg = number_or_nan (o, "avg");
      bucket.count = json_object_get_int_member_with_default (o, "count", 0);
      g_array_append_val (buckets, bucket);
    }
  g_task_return_pointer (task, g_steal_pointer (&buckets), (GDestroyNotify) g_array_unref);
}

static void
remote_buckets_async (DcPlantSource       *source,
                      gint64               key,
                      gint64               from,
                      gint64               to,
                      guint                n_buckets,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  DcRemoteSource *self = (DcRemoteSource *) source;
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  DcPointRow *row = self->plant ? dc_plant_model_lookup_point (self->plant, key) : NULL;
  g_autofree char *d = NULL, *t = NULL, *i = NULL, *f = NULL, *u = NULL, *path = NULL;
  g_autofree char *from_text = dc_time_format (from);
  g_autofree char *to_text = dc_time_format (to);

  g_task_set_source_tag (task, remote_buckets_async);
  if (row == NULL)
    {
      g_task_return_new_error (task, DC_ERROR, DC_ERROR_NOT_FOUND, "term_item not found!");
      g_object_unref (task);
      return;
    }
  d = g_uri_escape_string (dc_point_row_get_device_id (row), NULL, FALSE);
  t = g_uri_escape_string (dc_point_row_get_term_id (row), NULL, FALSE);
  i = g_uri_escape_string (dc_point_row_get_item_id (row), NULL, FALSE);
  f = g_uri_escape_string (from_text, NULL, FALSE);
  u = g_uri_escape_string (to_text, NULL, FALSE);
  path = g_strdup_printf ("/api/v1/devices/%s/terms/%s/items/%s/datas?buckets=%u&from=%s&to=%s",
                          d, t, i, CLAMP (n_buckets, 1, 10000), f, u);
  _dc_remote_request (self, "GET", path, NULL, cancellable, buckets_ready_cb, task);
}


/* Controls ------------------------------------------------------------------------------- */

typedef struct
{
  char               *request;
  DcCtrlProgressFunc  progress;
  gpointer            progress_data;
} ControlData;

static void
control_data_free (gpointer data)
{
  ControlData *c = data;

  g_free (c->request);
  g_free (c);
}

static DcCtrlStep
step_from_string (const char *step)
{
  for (DcCtrlStep s = DC_CTRL_STEP_SELECT_SENT; s <= DC_CTRL_STEP_FAILED; s++)
    if (g_strcmp0 (dc_ctrl_step_to_string (s), step) == 0)
      return s;
  return DC_CTRL_STEP_FAILED;
}

void
_dc_remote_control_step (DcRemoteSource *self,
                         JsonObject     *message)
{
  const char *request = json_object_get_string_member_with_default (message, "request", "");
  GTask *task = g_hash_table_lookup (self->controls, request);
  ControlData *c;
  const char *detail;

  if (task == NULL)
    return;
  c = g_task_get_task_data (task);
  if (c->progress == NULL || g_task_get_completed (task))
    return;
  detail = json_object_has_member (message, "detail") &&
           !json_object_get_null_member (message, "detail")
           ? json_object_get_string_member (message, "detail") : NULL;
  c->progress (step_from_string (json_object_get_string_member_with_default (message, "step", "")),
               detail, c->progress_data);
}

static void
control_ready_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DcRemoteSource *self = g_task_get_source_object (task);
  ControlData *c = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(JsonNode) answer = _dc_remote_request_finish (result, &error);
  double *confirmed;

  g_hash_table_remove (self->controls, c->request);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (answer == NULL || !JSON_NODE_HOLDS_OBJECT (answer))
    {
      g_task_return_new_error (task, DC_ERROR, DC_ERROR_INTERNAL, "device_ctrl: no answer");
      return;
    }
  confirmed = g_new (double, 1);
  *confirmed = number_or_nan (json_node_get_object (answer), "value");
  g_task_return_pointer (task, confirmed, g_free);
}

static void
remote_control_async (DcPlantSource       *source,
                      const char          *device_id,
                      const char          *term_id,
                      const char          *item_id,
                      double               value,
                      DcCtrlProgressFunc   progress,
                      gpointer             progress_data,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  DcRemoteSource *self = (DcRemoteSource *) source;
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  ControlData *c = g_new0 (ControlData, 1);
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  g_task_set_source_tag (task, remote_control_async);
  c->request = g_uuid_string_random ();
  c->progress = progress;
  c->progress_data = progress_data;
  g_task_set_task_data (task, c, control_data_free);
  /* The server names the user of the token in its control record and audit; "request"
   * (ext) ties the steps it sends on the stream to this control. */
  json_object_set_string_member (body, "device_id", device_id);
  json_object_set_string_member (body, "term_id", term_id);
  json_object_set_string_member (body, "item_id", item_id);
  json_object_set_double_member (body, "value", value);
  json_object_set_string_member (body, "request", c->request);
  json_node_set_object (node, body);
  g_hash_table_insert (self->controls, g_strdup (c->request), task);
  _dc_remote_request (self, "POST", "/api/v1/device_ctrl", node, cancellable, control_ready_cb,
                      task);
}


/* Link status ---------------------------------------------------------------------------- */

static void
status_ready_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  JsonNode *answer = _dc_remote_request_finish (result, &error);

  if (answer == NULL && error == NULL)
    error = g_error_new (DC_ERROR, DC_ERROR_INTERNAL, "status: empty answer");
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, answer, (GDestroyNotify) json_node_unref);
}

static void
remote_status_async (DcPlantSource       *source,
                     const char          *device_id,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  DcRemoteSource *self = (DcRemoteSource *) source;
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *escaped = g_uri_escape_string (device_id, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s/status", escaped);

  g_task_set_source_tag (task, remote_status_async);
  _dc_remote_request (self, "GET", path, NULL, cancellable, status_ready_cb, task);
}


void
_dc_remote_source_init_ops (DcPlantSourceInterface *iface)
{
  iface->status_async = remote_status_async;
  iface->get = remote_get;
  iface->save = remote_save;
  iface->remove = remote_remove;
  iface->buckets_async = remote_buckets_async;
  iface->control_async = remote_control_async;
}
