/* dc-routes-entities.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-api"

#include "config.h"

#include "dc-routes.h"

#include "dc-api-private.h"

/* Devices, terms, items and formulas share one shape of CRUD (docs/rest.md): a list of ids,
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
  g_autofree char *key = g_strdup_printf ("list/%s", routes->collection);
  GBytes *json = dc_api_cache_lookup (server, key);

  if (json == NULL)
    {
      g_autoptr(GPtrArray) ids = dc_store_list_ids (dc_server_get_store (server), routes->kind);

      json = dc_api_cache_insert (server, key, dc_api_string_array (ids));
    }
  dc_server_reply_json_bytes (msg, 200, json, NULL);
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
  g_autofree char *key = g_strdup_printf ("get/%s/%s", routes->collection, id);
  GBytes *json = dc_api_cache_lookup (server, key);
  g_autofree char *suffix = NULL;

  if (json == NULL)
    {
      static const char * const first[] = { "id", "device_id", "term_id", "item_id", NULL };
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) object = NULL;
      GString *out = g_string_new (NULL);

      object = dc_store_get (dc_server_get_store (server), routes->kind, id, &error);
      if (object == NULL)
        {
          g_string_free (out, TRUE);
          dc_server_reply_error (msg, error);
          return;
        }

      /* A device's status is the engine's, current at every request: it is appended to the
       * cached object, which is kept without its closing brace. */
      json_object_remove_member (object, "status");
      dc_api_append_object (out, object, first);
      if (routes->kind == DC_KIND_DEVICE)
        g_string_truncate (out, out->len - 1);
      json = dc_api_cache_insert (server, key, out);
    }

  if (routes->kind == DC_KIND_DEVICE)
    {
      const char *status = dc_server_get_device_status (server, id);
      gsize length = g_bytes_get_size (json);

      /* "{" alone when the object was empty: no comma then. */
      suffix = g_strdup_printf ("%s\"status\":\"%s\"}", length > 1 ? "," : "", status);
    }
  dc_server_reply_json_bytes (msg, 200, json, suffix);
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
  g_autoptr(GPtrArray) warnings = NULL;
  JsonObject *object;
  gboolean ok;

  object = dc_api_require_object (msg, body);
  if (object == NULL)
    return;

  warnings = dc_api_field_warnings (routes->kind, body);
  ok = dc_store_create (dc_server_get_store (server), routes->kind, object, &error);
  dc_api_reply_done_warned (msg, ok, error, warnings);
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
  g_autoptr(GPtrArray) warnings = NULL;
  JsonObject *patch;
  gboolean ok;

  patch = dc_api_require_object (msg, body);
  if (patch == NULL)
    return;

  warnings = dc_api_field_warnings (routes->kind, body);
  ok = dc_store_update (dc_server_get_store (server), routes->kind, id, patch, &error);
  dc_api_reply_done_warned (msg, ok, error, warnings);
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
  gboolean ok;

  ok = dc_store_delete (dc_server_get_store (server), routes->kind, id, &error);
  dc_server_reply_done (msg, ok, error);
}

/* Children lists: the ids, or the store's 404 for a missing parent. */
static void
children_cb (DcServer          *server,
             SoupServerMessage *msg,
             GHashTable        *params,
             JsonNode          *body,
             gpointer           user_data)
{
  DcKind parent = GPOINTER_TO_INT (user_data);
  const char *id = g_hash_table_lookup (params, parent == DC_KIND_DEVICE ? "device_id" : "term_id");
  g_autofree char *key = g_strdup_printf ("children/%d/%s", parent, id);
  GBytes *json = dc_api_cache_lookup (server, key);

  if (json == NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) ids = NULL;
      DcStore *store = dc_server_get_store (server);

      if (parent == DC_KIND_DEVICE)
        ids = dc_store_list_device_terms (store, id, &error);
      else
        ids = dc_store_list_term_items (store, id, &error);
      if (ids == NULL)
        {
          dc_server_reply_error (msg, error);
          return;
        }
      json = dc_api_cache_insert (server, key, dc_api_string_array (ids));
    }
  dc_server_reply_json_bytes (msg, 200, json, NULL);
}

void
dc_api_add_entity_routes (DcServer *server)
{
  g_return_if_fail (DC_IS_SERVER (server));

  dc_api_cache_ensure (server);
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

  dc_server_add_route (server, "GET", "/api/v1/devices/{device_id}/terms", children_cb,
                       GINT_TO_POINTER (DC_KIND_DEVICE));
  dc_server_add_route (server, "GET", "/api/v1/terms/{term_id}/items", children_cb,
                       GINT_TO_POINTER (DC_KIND_TERM));
}
