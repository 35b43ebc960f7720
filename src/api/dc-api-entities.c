/* dc-api-entities.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-api"

#include "config.h"

#include "dc-api-private.h"

/* Devices, terms, items and formulas share one shape of CRUD (rest-api.md): a list of ids,
 * get, create (v1: one object), merge update (formulas: whole replacement, done by the
 * store), delete with cascades. */
typedef struct
{
  DcKind      kind;
  const char *collection;  /* "/api/v1/devices" */
  const char *item;        /* "/api/v1/devices/{device_id}" */
  const char *param;       /* "device_id" */
} DcEntityRoutes;

static const DcEntityRoutes entity_routes[] = {
  { DC_KIND_DEVICE, "/api/v1/devices", "/api/v1/devices/{device_id}", "device_id" },
  { DC_KIND_TERM, "/api/v1/terms", "/api/v1/terms/{term_id}", "term_id" },
  { DC_KIND_ITEM, "/api/v1/items", "/api/v1/items/{item_id}", "item_id" },
  { DC_KIND_FORMULA, "/api/v1/formulas", "/api/v1/formulas/{formula_id}", "formula_id" },
};

static void
list_cb (DcServer          *server,
         SoupServerMessage *msg,
         GHashTable        *params,
         JsonNode          *body,
         gpointer           user_data)
{
  const DcEntityRoutes *routes = user_data;
  g_autoptr(GPtrArray) ids = dc_store_list_ids (dc_server_get_store (server), routes->kind);

  dc_server_reply_string_array (msg, ids);
}

static void
get_cb (DcServer          *server,
        SoupServerMessage *msg,
        GHashTable        *params,
        JsonNode          *body,
        gpointer           user_data)
{
  const DcEntityRoutes *routes = user_data;
  const char *id = g_hash_table_lookup (params, routes->param);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(JsonNode) node = NULL;

  object = dc_store_get (dc_server_get_store (server), routes->kind, id, &error);
  if (object == NULL)
    {
      dc_server_reply_error (msg, error);
      return;
    }

  if (routes->kind == DC_KIND_DEVICE)
    json_object_set_string_member (object, "status", dc_server_get_device_status (server, id));

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, object);
  dc_server_reply_json (msg, 200, node);
}

static void
create_cb (DcServer          *server,
           SoupServerMessage *msg,
           GHashTable        *params,
           JsonNode          *body,
           gpointer           user_data)
{
  const DcEntityRoutes *routes = user_data;
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  object = dc_api_require_object (msg, body);
  if (object == NULL)
    return;

  if (!dc_store_create (dc_server_get_store (server), routes->kind, object, &error))
    dc_server_reply_error (msg, error);
  else
    dc_server_reply_empty (msg);
}

static void
update_cb (DcServer          *server,
           SoupServerMessage *msg,
           GHashTable        *params,
           JsonNode          *body,
           gpointer           user_data)
{
  const DcEntityRoutes *routes = user_data;
  const char *id = g_hash_table_lookup (params, routes->param);
  g_autoptr(GError) error = NULL;
  JsonObject *patch;

  patch = dc_api_require_object (msg, body);
  if (patch == NULL)
    return;

  if (!dc_store_update (dc_server_get_store (server), routes->kind, id, patch, &error))
    dc_server_reply_error (msg, error);
  else
    dc_server_reply_empty (msg);
}

static void
delete_cb (DcServer          *server,
           SoupServerMessage *msg,
           GHashTable        *params,
           JsonNode          *body,
           gpointer           user_data)
{
  const DcEntityRoutes *routes = user_data;
  const char *id = g_hash_table_lookup (params, routes->param);
  g_autoptr(GError) error = NULL;

  if (!dc_store_delete (dc_server_get_store (server), routes->kind, id, &error))
    dc_server_reply_error (msg, error);
  else
    dc_server_reply_empty (msg);
}

static void
device_terms_cb (DcServer          *server,
                 SoupServerMessage *msg,
                 GHashTable        *params,
                 JsonNode          *body,
                 gpointer           user_data)
{
  const char *device_id = g_hash_table_lookup (params, "device_id");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ids = NULL;

  ids = dc_store_list_device_terms (dc_server_get_store (server), device_id, &error);
  if (ids == NULL)
    dc_server_reply_error (msg, error);
  else
    dc_server_reply_string_array (msg, ids);
}

static void
term_items_cb (DcServer          *server,
               SoupServerMessage *msg,
               GHashTable        *params,
               JsonNode          *body,
               gpointer           user_data)
{
  const char *term_id = g_hash_table_lookup (params, "term_id");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ids = NULL;

  ids = dc_store_list_term_items (dc_server_get_store (server), term_id, &error);
  if (ids == NULL)
    dc_server_reply_error (msg, error);
  else
    dc_server_reply_string_array (msg, ids);
}

void
dc_api_add_entity_routes (DcServer *server)
{
  for (guint i = 0; i < G_N_ELEMENTS (entity_routes); i++)
    {
      const DcEntityRoutes *routes = &entity_routes[i];
      gpointer data = (gpointer) routes;

      dc_server_add_route (server, "GET", routes->collection, list_cb, data);
      dc_server_add_route (server, "POST", routes->collection, create_cb, data);
      dc_server_add_route (server, "GET", routes->item, get_cb, data);
      dc_server_add_route (server, "PUT", routes->item, update_cb, data);
      dc_server_add_route (server, "DELETE", routes->item, delete_cb, data);
    }

  dc_server_add_route (server, "GET", "/api/v1/devices/{device_id}/terms", device_terms_cb, NULL);
  dc_server_add_route (server, "GET", "/api/v1/terms/{term_id}/items", term_items_cb, NULL);
}
