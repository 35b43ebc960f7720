/* dc-routes-controls.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-api-samples"

#include "config.h"

#include <string.h>

#include "dc-routes.h"

#include <math.h>

#include "dc-api-private.h"
#include "dc-number.h"
#include "dc-states.h"
#include "dc-time.h"

/* Live values, reads and controls of docs/rest.md: GET /api/v1/values (the engine's live
 * table), POST /api/v1/device_call and /api/v1/device_ctrl (through the engine's drivers; the
 * message is paused until the driver answers). */

/* Live values */

/* The sample in words (docs/model.md "State texts", "Numbers in texts"): the point's `states`
 * text, else the default of its protocol's value kind, else the number with the point's
 * `decimals` and its item's unit ("10.02 kV"). NULL without a finite value. @protocols caches
 * device id → descriptor and @units item id → unit for one request. */
static char *
sample_text (DcEngine          *engine,
             GHashTable        *protocols,
             GHashTable        *units,
             const DcPointInfo *info,
             const DcSample    *s)
{
  DcStore *store = dc_engine_get_store (engine);
  const DcProtocol *descriptor;
  g_autoptr(JsonObject) json = NULL;
  const char *unit;
  JsonNode *states;
  char *text;
  char buf[DC_NUMBER_BUF_SIZE];

  if ((info->json == NULL && info->body == NULL) || !isfinite (s->value))
    return NULL;
  if (!g_hash_table_lookup_extended (protocols, info->device_id, NULL, (gpointer *) &descriptor))
    {
      g_autoptr(JsonObject) device = dc_store_get (store, DC_KIND_DEVICE, info->device_id, NULL);

      descriptor = device != NULL
                   ? dc_protocol_lookup (json_object_get_string_member_with_default (device,
                                                                                     "protocol", ""))
                   : NULL;
      g_hash_table_insert (protocols, info->device_id, (gpointer) descriptor);
    }
  /* A compact point (no json) has no states: only a protocol's value kind needs its object. */
  if (info->json != NULL || (descriptor != NULL && descriptor->value_kind != NULL))
    json = dc_point_info_dup_json (info);
  states = json != NULL ? json_object_get_member (json, "states") : NULL;
  text = dc_states_text_full (states != NULL && JSON_NODE_HOLDS_OBJECT (states)
                              ? json_node_get_object (states) : NULL,
                              json != NULL && descriptor != NULL && descriptor->value_kind != NULL
                              ? descriptor->value_kind (json) : DC_PROTOCOL_VALUE_ANALOG,
                              s->value, FALSE);
  if (text != NULL)
    return text;

  if (!g_hash_table_lookup_extended (units, info->item_id, NULL, (gpointer *) &unit))
    {
      g_autoptr(JsonObject) item = dc_store_get (store, DC_KIND_ITEM, info->item_id, NULL);
      const char *u = item != NULL ? json_object_get_string_member_with_default (item, "unit", NULL)
                                   : NULL;

      unit = u != NULL && u[0] != '\0' ? g_strdup (u) : NULL;
      g_hash_table_insert (units, info->item_id, (gpointer) unit);
    }
  dc_number_format_buf (buf, sizeof buf, s->value, info->decimals);
  return unit != NULL ? g_strdup_printf ("%s %s", buf, unit) : g_strdup (buf);
}

static void
append_full_sample (GString           *out,
                    const DcPointInfo *info,
                    const DcSample    *s)
{
  g_autofree char *time = dc_time_format (s->time);

  g_string_append (out, "{\"device_id\":");
  dc_json_append_string (out, info->device_id);
  g_string_append (out, ",\"term_id\":");
  dc_json_append_string (out, info->term_id);
  g_string_append (out, ",\"item_id\":");
  dc_json_append_string (out, info->item_id);
  g_string_append (out, ",\"time\":");
  dc_json_append_string (out, time);
  g_string_append (out, ",\"value\":");
  dc_json_append_double (out, s->value);
  g_string_append_printf (out, ",\"quality\":%u}", s->quality);
}

static void
values_cb (DcServer          *server,
           SoupServerMessage *msg,
           GHashTable        *params,
           JsonNode          *body,
           gpointer           user_data)
{
  DcEngine *engine = user_data;
  const char *query_text = g_uri_get_query (soup_server_message_get_uri (msg));
  g_autoptr(GHashTable) query = NULL;
  g_autoptr(GArray) keys = dc_engine_list_keys (engine);
  const char *device_id = NULL, *term_id = NULL;
  GString *json = g_string_sized_new (64 + keys->len * 16);
  g_autoptr(GHashTable) protocols = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) units = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  gboolean first = TRUE;

  if (query_text != NULL &&
      (query = g_uri_parse_params (query_text, -1, "&", G_URI_PARAMS_NONE, NULL)) != NULL)
    {
      device_id = g_hash_table_lookup (query, "device_id");
      term_id = g_hash_table_lookup (query, "term_id");
    }

  g_string_append_c (json, '[');
  for (guint i = 0; i < keys->len; i++)
    {
      gint64 key = g_array_index (keys, gint64, i);
      const DcPointInfo *info = dc_engine_get_point (engine, key);
      g_autofree char *text = NULL;
      DcSample s;

      if (info == NULL || !dc_engine_get_live (engine, key, &s))
        continue;
      if ((device_id != NULL && g_strcmp0 (device_id, info->device_id) != 0) ||
          (term_id != NULL && g_strcmp0 (term_id, info->term_id) != 0))
        continue;
      if (!first)
        g_string_append_c (json, ',');
      first = FALSE;
      append_full_sample (json, info, &s);
      text = sample_text (engine, protocols, units, info, &s);
      if (text != NULL)
        {
          /* Inside the object append_full_sample closed: "…,"quality":0,"text":"open"}". */
          g_string_truncate (json, json->len - 1);
          g_string_append (json, ",\"text\":");
          dc_json_append_string (json, text);
          g_string_append_c (json, '}');
        }
    }
  g_string_append_c (json, ']');
  dc_api_reply_gstring (msg, json);
}

/* device_call / device_ctrl */

typedef struct
{
  SoupServerMessage *msg;
  DcEngine          *engine;
  char              *ids[3];
  DcServer          *server;    /* for the control steps of a "request" (ext) */
  char              *request;
} Control;

static void
control_free (Control *c)
{
  g_object_unref (c->msg);
  g_object_unref (c->engine);
  for (guint i = 0; i < G_N_ELEMENTS (c->ids); i++)
    g_free (c->ids[i]);
  g_clear_object (&c->server);
  g_free (c->request);
  g_free (c);
}

typedef struct
{
  DcApiControlStepFunc func;
  gpointer             data;
  GDestroyNotify       destroy;
} StepHook;

static void
step_hook_free (gpointer data)
{
  StepHook *hook = data;

  if (hook->destroy != NULL)
    hook->destroy (hook->data);
  g_free (hook);
}

void
dc_api_set_control_step_func (DcServer             *server,
                              DcApiControlStepFunc  func,
                              gpointer              user_data,
                              GDestroyNotify        destroy)
{
  StepHook *hook = g_new0 (StepHook, 1);

  g_return_if_fail (DC_IS_SERVER (server));

  hook->func = func;
  hook->data = user_data;
  hook->destroy = destroy;
  g_object_set_data_full (G_OBJECT (server), "dc-api-control-steps", hook, step_hook_free);
}

/* A step of a control that carries a "request" id: to the hook (the stream). */
static void
ctrl_progress_cb (DcCtrlStep  step,
                  const char *detail,
                  gpointer    user_data)
{
  Control *c = user_data;
  StepHook *hook = g_object_get_data (G_OBJECT (c->server), "dc-api-control-steps");

  if (hook != NULL && hook->func != NULL)
    hook->func (c->ids[0], c->request, step, detail, hook->data);
}

static void
control_reply (Control        *c,
               const DcSample *s)
{
  DcPointInfo info = { .device_id = c->ids[0], .term_id = c->ids[1], .item_id = c->ids[2] };
  GString *json = g_string_new (NULL);

  append_full_sample (json, &info, s);
  dc_api_reply_gstring (c->msg, json);
}

/* Answers a device_call or device_ctrl with @sample or @error, resumes and frees @c. */
static void
control_complete (Control        *c,
                  const DcSample *sample,
                  const GError   *error)
{
  if (sample != NULL)
    control_reply (c, sample);
  else
    dc_server_reply_error (c->msg, error);
  soup_server_message_unpause (c->msg);
  control_free (c);
}

static void
call_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Control *c = user_data;
  g_autoptr(GError) error = NULL;
  DcSample sample;

  if (dc_engine_drivers_call_finish (DC_ENGINE_DRIVERS (object), result, &sample, &error))
    control_complete (c, &sample, NULL);
  else
    control_complete (c, NULL, error);
}

static void
ctrl_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Control *c = user_data;
  g_autoptr(GError) error = NULL;
  DcSample sample;

  if (dc_engine_drivers_ctrl_finish (DC_ENGINE_DRIVERS (object), result, &sample, &error))
    control_complete (c, &sample, NULL);
  else
    control_complete (c, NULL, error);
}

static Control *
control_parse (DcEngine          *engine,
               SoupServerMessage *msg,
               JsonNode          *body,
               JsonObject       **object_out)
{
  static const char *fields[] = { "device_id", "term_id", "item_id" };
  JsonObject *object = dc_api_require_object (msg, body);
  g_autofree char *ids[3] = { NULL, NULL, NULL };
  Control *c;

  if (object == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      JsonNode *node = json_object_get_member (object, fields[i]);
      g_autoptr(GError) error = NULL;

      if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        {
          g_autofree char *text = g_strdup_printf ("missing field: %s", fields[i]);

          dc_server_reply_text (msg, 400, text);
          return NULL;
        }
      ids[i] = dc_model_id_from_node (node, fields[i], &error);
      if (ids[i] == NULL)
        {
          dc_server_reply_error (msg, error);
          return NULL;
        }
    }

  c = g_new0 (Control, 1);
  c->msg = g_object_ref (msg);
  c->engine = g_object_ref (engine);
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    c->ids[i] = g_steal_pointer (&ids[i]);
  *object_out = object;
  return c;
}

static void
device_call_cb (DcServer          *server,
                SoupServerMessage *msg,
                GHashTable        *params,
                JsonNode          *body,
                gpointer           user_data)
{
  DcEngine *engine = user_data;
  JsonObject *object = NULL;
  Control *c = control_parse (engine, msg, body, &object);

  if (c == NULL)
    return;
  soup_server_message_pause (msg);
  dc_engine_drivers_call_async (dc_engine_get_drivers (engine),
                                c->ids[0], c->ids[1], c->ids[2], NULL, call_done_cb, c);
}

/* A number, a boolean (1/0) or a numeric string (PyDataColl clients send strings). */
static gboolean
parse_value (JsonNode *node,
             double   *value)
{
  GType type;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    *value = (double) json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    *value = json_node_get_double (node);
  else if (type == G_TYPE_BOOLEAN)
    *value = json_node_get_boolean (node) ? 1.0 : 0.0;
  else if (type == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (node);
      char *end = NULL;

      *value = g_ascii_strtod (text, &end);
      if (end == text || *end != '\0')
        return FALSE;
    }
  else
    return FALSE;
  return isfinite (*value);
}

static void
device_ctrl_cb (DcServer          *server,
                SoupServerMessage *msg,
                GHashTable        *params,
                JsonNode          *body,
                gpointer           user_data)
{
  DcEngine *engine = user_data;
  JsonObject *object = NULL;
  Control *c = control_parse (engine, msg, body, &object);
  g_autofree char *user = NULL;
  JsonNode *node;
  double value;

  if (c == NULL)
    return;

  node = json_object_get_member (object, "value");
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      dc_server_reply_text (msg, 400, "missing field: value");
      control_free (c);
      return;
    }
  if (!parse_value (node, &value))
    {
      dc_server_reply_text (msg, 400, "field value must be a number");
      control_free (c);
      return;
    }

  /* The audit log names the sender (dc_server_message_get_actor); a name the body gives is
   * kept beside it ("by"), docs/security.md. */
  {
    JsonNode *given = json_object_get_member (object, "user");

    if (given != NULL && JSON_NODE_HOLDS_VALUE (given) &&
        json_node_get_value_type (given) == G_TYPE_STRING)
      user = g_strdup (json_node_get_string (given));
  }
  /* "request" (ext): an id of the client's choice; the control's steps are sent on the
   * stream as {"type":"control","request":…} (docs/rest.md "Live data"). */
  node = json_object_get_member (object, "request");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      const char *request = JSON_NODE_HOLDS_VALUE (node) &&
                            json_node_get_value_type (node) == G_TYPE_STRING
                            ? json_node_get_string (node) : NULL;

      if (request == NULL || request[0] == '\0' || strlen (request) > 64)
        {
          dc_server_reply_text (msg, 400, "field request must be a string of 1-64 characters");
          control_free (c);
          return;
        }
      c->request = g_strdup (request);
      c->server = g_object_ref (server);
    }

  soup_server_message_pause (msg);
  dc_engine_drivers_ctrl_async (dc_engine_get_drivers (engine),
                                c->ids[0], c->ids[1], c->ids[2], value, user,
                                c->request ? ctrl_progress_cb : NULL, c, NULL,
                                ctrl_done_cb, c);
}

void
dc_api_add_control_routes (DcServer *server,
                           DcEngine *engine)
{
  g_return_if_fail (DC_IS_SERVER (server));
  g_return_if_fail (DC_IS_ENGINE (engine));

  /* The engine lives as long as the server. */
  g_object_set_data_full (G_OBJECT (server), "dc-api-controls", g_object_ref (engine),
                          g_object_unref);

  dc_server_add_route (server, "GET", "/api/v1/values", values_cb, engine);
  dc_server_add_route (server, "POST", "/api/v1/device_call", device_call_cb, engine);
  dc_server_add_route (server, "POST", "/api/v1/device_ctrl", device_ctrl_cb, engine);
}
