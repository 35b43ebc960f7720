/* dc-routes-entities.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-api"

#include "config.h"

#include "dc-routes.h"

#include <string.h>

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

/* A cache key: @parts (NULL-terminated) end to end in @buffer, or in a new string when they do
 * not fit (freed by the caller through @heap). No printf per request. */
static const char *
make_key (char               *buffer,
          gsize               size,
          char              **heap,
          const char * const *parts)
{
  gsize need = 1;
  char *out;
  char *p;

  for (guint i = 0; parts[i] != NULL; i++)
    need += strlen (parts[i]);
  out = need <= size ? buffer : (*heap = g_malloc (need));
  p = out;
  for (guint i = 0; parts[i] != NULL; i++)
    p = g_stpcpy (p, parts[i]);
  return out;
}

static void
list_cb (DcServer          *server,
         SoupServerMessage *msg,
         GHashTable        *params,
         JsonNode          *body,
         gpointer           user_data)
{
  const DcEntityRoutes *routes = user_data;
  char buffer[128];
  g_autofree char *heap = NULL;
  const char * const parts[] = { "list/", routes->collection, NULL };
  const char *key = make_key (buffer, sizeof buffer, &heap, parts);
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
  char buffer[256];
  g_autofree char *heap = NULL;
  const char * const parts[] = { "get/", routes->collection, "/", id, NULL };
  const char *key = make_key (buffer, sizeof buffer, &heap, parts);
  GBytes *json = NULL;
  char whole_buffer[256];
  g_autofree char *whole_heap = NULL;
  const char *whole_key = NULL;
  const char *status = NULL;
  GBytes *whole;
  GString *out;

  /* A device's status is the engine's, current at every request: the answer is cached whole
   * per status ("get!<collection>/<status>/<id>"; a status has no '/') beside the object
   * without it, which is kept without its closing brace. */
  if (routes->kind == DC_KIND_DEVICE)
    {
      status = dc_server_get_device_status (server, id);
      {
        const char * const whole_parts[] = { "get!", routes->collection, "/", status, "/", id,
                                             NULL };

        whole_key = make_key (whole_buffer, sizeof whole_buffer, &whole_heap, whole_parts);
      }
      whole = dc_api_cache_lookup (server, whole_key);
      if (whole != NULL)
        {
          dc_server_reply_json_bytes (msg, 200, whole, NULL);
          return;
        }
    }

  json = dc_api_cache_lookup (server, key);
  if (json == NULL)
    {
      static const char * const first[] = { "id", "device_id", "term_id", "item_id", NULL };
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) object = NULL;

      object = dc_store_get (dc_server_get_store (server), routes->kind, id, &error);
      if (object == NULL)
        {
          dc_server_reply_error (msg, error);
          return;
        }

      out = g_string_new (NULL);
      json_object_remove_member (object, "status");
      dc_api_append_object (out, object, first);
      if (routes->kind == DC_KIND_DEVICE)
        g_string_truncate (out, out->len - 1);
      json = dc_api_cache_insert (server, key, out);
    }

  if (routes->kind != DC_KIND_DEVICE)
    {
      dc_server_reply_json_bytes (msg, 200, json, NULL);
      return;
    }

  /* "{" alone when the object was empty: no comma then. Built before the insert, which may
   * empty the cache (and @json with it). */
  out = g_string_sized_new (g_bytes_get_size (json) + 32);
  g_string_append_len (out, g_bytes_get_data (json, NULL), g_bytes_get_size (json));
  g_string_append (out, g_bytes_get_size (json) > 1 ? ",\"status\":\"" : "\"status\":\"");
  g_string_append (out, status);
  g_string_append (out, "\"}");
  whole = dc_api_cache_insert (server, whole_key, out);
  dc_server_reply_json_bytes (msg, 200, whole, NULL);
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
