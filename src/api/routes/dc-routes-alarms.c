/* dc-routes-alarms.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-api"

#include "config.h"

#include "dc-routes.h"

#include <string.h>

#include "dc-error.h"
#include "dc-time.h"

/* GET /api/v1/alarms[?all=true], GET /api/v1/alarms/journal?from&to&limit&format=csv,
 * POST /api/v1/alarms/{alarm_id}/ack {user?, comment?},
 * POST /api/v1/alarms/ack {ids?, user?, comment?} (several or all at once),
 * POST /api/v1/alarms/{alarm_id}/shelve {until, comment?, user?}. */

static void
reply_error_text (SoupServerMessage *msg,
                  DcError            code,
                  const char        *text)
{
  g_autoptr(GError) error = g_error_new_literal (DC_ERROR, code, text);

  dc_server_reply_error (msg, error);
}

static GHashTable *
parse_query (SoupServerMessage  *msg,
             GError            **error)
{
  const char *text = g_uri_get_query (soup_server_message_get_uri (msg));

  if (text == NULL)
    return g_hash_table_new (g_str_hash, g_str_equal);
  return g_uri_parse_params (text, -1, "&", G_URI_PARAMS_NONE, error);
}

static void
alarms_cb (DcServer          *server,
           SoupServerMessage *msg,
           GHashTable        *params,
           JsonNode          *body,
           gpointer           user_data)
{
  DcAlarm *alarm = user_data;
  g_autoptr(GHashTable) query = parse_query (msg, NULL);
  const char *all = query != NULL ? g_hash_table_lookup (query, "all") : NULL;
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);

  json_node_take_array (node, dc_alarm_list (alarm, g_strcmp0 (all, "true") == 0 ||
                                                    g_strcmp0 (all, "1") == 0));
  dc_server_reply_json (msg, 200, node);
}

static void
journal_cb (DcServer          *server,
            SoupServerMessage *msg,
            GHashTable        *params,
            JsonNode          *body,
            gpointer           user_data)
{
  DcAlarm *alarm = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) query = parse_query (msg, &error);
  gint64 from = G_MININT64, to = G_MAXINT64, limit = 0;
  const char *text;
  const char *format;

  if (query == NULL)
    {
      reply_error_text (msg, DC_ERROR_INVALID,
                        error != NULL ? error->message : "invalid query string");
      return;
    }
  if (!dc_time_parse_param (query, "from", FALSE, &from, &error) ||
      !dc_time_parse_param (query, "to", FALSE, &to, &error))
    {
      if (error != NULL)
        dc_server_reply_error (msg, error);
      return;
    }
  text = g_hash_table_lookup (query, "limit");
  if (text != NULL && !g_ascii_string_to_signed (text, 10, 1, 100000, &limit, NULL))
    {
      reply_error_text (msg, DC_ERROR_INVALID,
                        "parameter limit must be an integer between 1 and 100000");
      return;
    }
  format = g_hash_table_lookup (query, "format");
  if (format != NULL && g_strcmp0 (format, "csv") != 0 && g_strcmp0 (format, "json") != 0)
    {
      reply_error_text (msg, DC_ERROR_INVALID, "parameter format must be json or csv");
      return;
    }

  if (g_strcmp0 (format, "csv") == 0)
    {
      char *csv = dc_alarm_journal_csv (alarm, from, to, (guint) limit, NULL);

      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "text/csv; charset=utf-8", SOUP_MEMORY_TAKE, csv,
                                        strlen (csv));
    }
  else
    {
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);

      json_node_take_array (node, dc_alarm_journal (alarm, from, to, (guint) limit, NULL));
      dc_server_reply_json (msg, 200, node);
    }
}

static gboolean
alarm_id_param (GHashTable *params,
                gint64     *id)
{
  const char *text = g_hash_table_lookup (params, "alarm_id");

  return text != NULL && g_ascii_string_to_signed (text, 10, 1, G_MAXINT64, id, NULL);
}

/* An optional string member of the body; FALSE (and a 400) when it is not a string. */
static gboolean
optional_string (SoupServerMessage  *msg,
                 JsonObject         *object,
                 const char         *name,
                 const char        **out)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_autofree char *text = g_strdup_printf ("field %s must be a string", name);

      reply_error_text (msg, DC_ERROR_INVALID, text);
      return FALSE;
    }
  *out = json_node_get_string (node);
  return TRUE;
}

static void
ack_cb (DcServer          *server,
        SoupServerMessage *msg,
        GHashTable        *params,
        JsonNode          *body,
        gpointer           user_data)
{
  DcAlarm *alarm = user_data;
  JsonObject *object = body != NULL && JSON_NODE_HOLDS_OBJECT (body) ?
                       json_node_get_object (body) : NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *user = NULL;
  const char *comment;
  const char *ignored;
  gint64 id;

  if (!alarm_id_param (params, &id))
    {
      reply_error_text (msg, DC_ERROR_NOT_FOUND, "alarm_id not found!");
      return;
    }
  if (body != NULL && object == NULL)
    {
      reply_error_text (msg, DC_ERROR_INVALID, "request body must be a JSON object");
      return;
    }
  if (!optional_string (msg, object, "comment", &comment) ||
      !optional_string (msg, object, "user", &ignored))
    return;
  user = dc_server_message_get_user (msg, body);
  if (!dc_alarm_ack (alarm, id, user, comment, &error))
    dc_server_reply_error (msg, error);
  else
    dc_server_reply_empty (msg);
}

/* POST /api/v1/alarms/ack: the listed alarms (`ids`), else every alarm waiting for an
 * acknowledgement, each as POST /api/v1/alarms/{alarm_id}/ack would (an audit row each). An
 * alarm that no longer waits (acknowledged meanwhile) is skipped; an unknown id is a 404 before
 * anything is acknowledged. Answers {"acknowledged": [ids]}. */
static void
ack_many_cb (DcServer          *server,
             SoupServerMessage *msg,
             GHashTable        *params,
             JsonNode          *body,
             gpointer           user_data)
{
  DcAlarm *alarm = user_data;
  JsonObject *object = body != NULL && JSON_NODE_HOLDS_OBJECT (body) ?
                       json_node_get_object (body) : NULL;
  JsonNode *ids_node = object != NULL ? json_object_get_member (object, "ids") : NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  static const gint64 no_id = 0;
  g_autoptr(GArray) acked = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autofree char *user = NULL;
  JsonArray *done;
  JsonObject *reply;
  const char *comment;
  const char *ignored;

  if (body != NULL && object == NULL)
    {
      reply_error_text (msg, DC_ERROR_INVALID, "request body must be a JSON object");
      return;
    }
  if (!optional_string (msg, object, "comment", &comment) ||
      !optional_string (msg, object, "user", &ignored))
    return;
  if (ids_node != NULL && !JSON_NODE_HOLDS_NULL (ids_node))
    {
      JsonArray *array = JSON_NODE_HOLDS_ARRAY (ids_node) ? json_node_get_array (ids_node) : NULL;

      for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          gint64 id;

          if (!JSON_NODE_HOLDS_VALUE (element) ||
              json_node_get_value_type (element) != G_TYPE_INT64 ||
              (id = json_node_get_int (element)) < 1)
            {
              array = NULL;
              break;
            }
          g_array_append_val (ids, id);
        }
      if (array == NULL)
        {
          reply_error_text (msg, DC_ERROR_INVALID, "field ids must be an array of alarm ids");
          return;
        }
    }

  user = dc_server_message_get_user (msg, body);
  /* "ids": [] acknowledges nothing (an empty GArray may have no data). */
  acked = dc_alarm_ack_many (alarm, ids_node == NULL || JSON_NODE_HOLDS_NULL (ids_node) ? NULL
                                    : ids->len > 0 ? (const gint64 *) ids->data : &no_id,
                             ids->len, user, comment, &error);
  if (acked == NULL)
    {
      dc_server_reply_error (msg, error);
      return;
    }
  answer = json_node_new (JSON_NODE_OBJECT);
  reply = json_object_new ();
  done = json_array_new ();
  for (guint i = 0; i < acked->len; i++)
    json_array_add_int_element (done, g_array_index (acked, gint64, i));
  json_object_set_array_member (reply, "acknowledged", done);
  json_node_take_object (answer, reply);
  dc_server_reply_json (msg, 200, answer);
}

static void
shelve_cb (DcServer          *server,
           SoupServerMessage *msg,
           GHashTable        *params,
           JsonNode          *body,
           gpointer           user_data)
{
  DcAlarm *alarm = user_data;
  JsonObject *object = body != NULL && JSON_NODE_HOLDS_OBJECT (body) ?
                       json_node_get_object (body) : NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *user = NULL;
  const char *comment;
  const char *until_text;
  const char *ignored;
  gint64 until = 0;
  gint64 id;

  if (!alarm_id_param (params, &id))
    {
      reply_error_text (msg, DC_ERROR_NOT_FOUND, "alarm_id not found!");
      return;
    }
  if (object == NULL)
    {
      reply_error_text (msg, DC_ERROR_INVALID, "missing field: until");
      return;
    }
  if (!optional_string (msg, object, "comment", &comment) ||
      !optional_string (msg, object, "user", &ignored) ||
      !optional_string (msg, object, "until", &until_text))
    return;
  if (until_text == NULL)
    {
      reply_error_text (msg, DC_ERROR_INVALID, "missing field: until");
      return;
    }
  if (!dc_time_parse (until_text, &until))
    {
      reply_error_text (msg, DC_ERROR_INVALID, "field until must be an RFC 3339 time");
      return;
    }
  user = dc_server_message_get_user (msg, body);
  if (!dc_alarm_shelve (alarm, id, until, user, comment, &error))
    dc_server_reply_error (msg, error);
  else
    dc_server_reply_empty (msg);
}

void
dc_api_add_alarm_routes (DcServer *server,
                         DcAlarm  *alarm)
{
  g_return_if_fail (DC_IS_SERVER (server));
  g_return_if_fail (DC_IS_ALARM (alarm));

  /* The server keeps the routes as long as it lives. */
  g_object_set_data_full (G_OBJECT (server), "dc-alarm", g_object_ref (alarm), g_object_unref);
  dc_server_add_route (server, "GET", "/api/v1/alarms", alarms_cb, alarm);
  dc_server_add_route (server, "GET", "/api/v1/alarms/journal", journal_cb, alarm);
  dc_server_add_route (server, "POST", "/api/v1/alarms/ack", ack_many_cb, alarm);
  dc_server_add_route (server, "POST", "/api/v1/alarms/{alarm_id}/ack", ack_cb, alarm);
  dc_server_add_route (server, "POST", "/api/v1/alarms/{alarm_id}/shelve", shelve_cb, alarm);
}
