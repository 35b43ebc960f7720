/* dc-routes-batches.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-api"

#include "config.h"

#include "dc-routes.h"

#include "dc-api-private.h"

/* v2 batches (docs/rest.md): an array (or one element) created or deleted in one transaction
 * by the store; the first failing element aborts all, its index in the error text. */
typedef struct
{
  DcKind      kind;
  const char *create;
  const char *delete;
} DcBatchRoutes;

static const DcBatchRoutes batch_routes[] = {
  { DC_KIND_DEVICE, "/api/v2/devices", "/api/v2/devices/del" },
  { DC_KIND_TERM, "/api/v2/terms", "/api/v2/terms/del" },
  { DC_KIND_ITEM, "/api/v2/items", "/api/v2/items/del" },
  { DC_KIND_FORMULA, "/api/v2/formulas", "/api/v2/formulas/del" },
  { DC_KIND_POINT, "/api/v2/term_items", "/api/v2/term_items/del" },
};

/* An array as is, or one element wrapped in an array. */
static JsonArray *
body_to_array (JsonNode *body)
{
  JsonArray *array;

  if (JSON_NODE_HOLDS_ARRAY (body))
    return json_array_ref (json_node_get_array (body));

  array = json_array_new ();
  json_array_add_element (array, json_node_copy (body));
  return array;
}

static void
create_batch_cb (DcServer          *server,
                 SoupServerMessage *msg,
                 GHashTable        *params,
                 JsonNode          *body,
                 gpointer           user_data)
{
  const DcBatchRoutes *routes = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) array = NULL;
  g_autoptr(GPtrArray) warnings = NULL;
  gboolean ok;

  if (body == NULL || !(JSON_NODE_HOLDS_ARRAY (body) || JSON_NODE_HOLDS_OBJECT (body)))
    {
      dc_server_reply_text (msg, 400,
                            "request body must be a JSON array of objects (or one object)");
      return;
    }

  array = body_to_array (body);
  warnings = dc_api_field_warnings (routes->kind, body);
  ok = dc_store_create_batch (dc_server_get_store (server), routes->kind, array, &error);
  dc_api_reply_done_warned (msg, ok, error, warnings);
}

static void
delete_batch_cb (DcServer          *server,
                 SoupServerMessage *msg,
                 GHashTable        *params,
                 JsonNode          *body,
                 gpointer           user_data)
{
  const DcBatchRoutes *routes = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) array = NULL;
  gboolean ok;

  if (routes->kind == DC_KIND_POINT)
    ok = body != NULL && (JSON_NODE_HOLDS_ARRAY (body) || JSON_NODE_HOLDS_OBJECT (body));
  else
    ok = body != NULL && (JSON_NODE_HOLDS_ARRAY (body) || JSON_NODE_HOLDS_VALUE (body));

  if (!ok)
    {
      dc_server_reply_text (msg, 400, routes->kind == DC_KIND_POINT
                            ? "request body must be a JSON array of {device_id, term_id,"
                              " item_id} (or one)"
                            : "request body must be a JSON array of ids (or one id)");
      return;
    }

  array = body_to_array (body);
  ok = dc_store_delete_batch (dc_server_get_store (server), routes->kind, array, &error);
  dc_server_reply_done (msg, ok, error);
}

void
dc_api_add_batch_routes (DcServer *server)
{
  for (guint i = 0; i < G_N_ELEMENTS (batch_routes); i++)
    {
      gpointer data = (gpointer) &batch_routes[i];

      dc_server_add_route (server, "POST", batch_routes[i].create, create_batch_cb, data);
      dc_server_add_route (server, "POST", batch_routes[i].delete, delete_batch_cb, data);
    }
}
