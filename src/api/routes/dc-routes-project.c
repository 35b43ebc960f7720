/* dc-routes-project.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-api-project"

#include "config.h"

#include "dc-routes.h"

#include "dc-error.h"
#include "dc-project.h"
#include "dc-store.h"

/* GET /api/v1/project (ext): the whole configuration in one answer, the project object of
 * docs/rest.md "Project" (what a remote workstation loads when it connects). POST (ext): the
 * import of a project, a preview or (?apply=true) all or nothing, as the workstation's Import
 * dialog does it locally. */

static void
project_cb (DcServer          *server,
            SoupServerMessage *msg,
            GHashTable        *params,
            JsonNode          *body,
            gpointer           user_data)
{
  g_autoptr(JsonObject) project = dc_store_export (dc_server_get_store (server));
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, project);
  dc_server_reply_json (msg, 200, node);
}

/* One import row as the workstation's dialog shows it: {kind, index, id, action[, error]}. */
static JsonObject *
import_row_to_json (const DcImportRow *row)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "kind", dc_kind_to_string (row->kind));
  json_object_set_int_member (object, "index", row->index);
  if (row->id != NULL)
    json_object_set_string_member (object, "id", row->id);
  json_object_set_string_member (object, "action", dc_import_action_to_string (row->action));
  if (row->error != NULL)
    json_object_set_string_member (object, "error", row->error);
  return object;
}

static void
reply_invalid (SoupServerMessage *msg,
               const char        *text)
{
  g_autoptr(GError) error = g_error_new_literal (DC_ERROR, DC_ERROR_INVALID, text);

  dc_server_reply_error (msg, error);
}

static void
import_cb (DcServer          *server,
           SoupServerMessage *msg,
           GHashTable        *params,
           JsonNode          *body,
           gpointer           user_data)
{
  const char *query = g_uri_get_query (soup_server_message_get_uri (msg));
  g_autoptr(GHashTable) fields = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonNode) node = NULL;
  const char *apply_text = NULL;
  gboolean applied = FALSE;
  JsonArray *array;

  if (query != NULL)
    {
      fields = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
      if (fields == NULL)
        {
          reply_invalid (msg, "invalid query string");
          return;
        }
      apply_text = g_hash_table_lookup (fields, "apply");
    }
  if (apply_text != NULL && g_strcmp0 (apply_text, "true") != 0 &&
      g_strcmp0 (apply_text, "false") != 0)
    {
      reply_invalid (msg, "parameter apply must be true or false");
      return;
    }
  if (body == NULL || !JSON_NODE_HOLDS_OBJECT (body))
    {
      reply_invalid (msg, "the body must be a project object");
      return;
    }
  rows = dc_store_import (dc_server_get_store (server), json_node_get_object (body),
                          g_strcmp0 (apply_text, "true") == 0, &applied, &error);
  if (rows == NULL)
    {
      dc_server_reply_error (msg, error);
      return;
    }
  array = json_array_sized_new (rows->len);
  for (guint i = 0; i < rows->len; i++)
    json_array_add_object_element (array, import_row_to_json (g_ptr_array_index (rows, i)));
  answer = json_object_new ();
  json_object_set_boolean_member (answer, "applied", applied);
  json_object_set_array_member (answer, "rows", array);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, answer);
  dc_server_reply_json (msg, 200, node);
}

void
dc_api_add_project_route (DcServer *server)
{
  g_return_if_fail (DC_IS_SERVER (server));

  dc_server_add_route (server, "GET", "/api/v1/project", project_cb, NULL);
  dc_server_add_route (server, "POST", "/api/v1/project", import_cb, NULL);
}
