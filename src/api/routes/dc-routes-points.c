/* dc-routes-points.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-api"

#include "config.h"

#include "dc-routes.h"

#include "dc-api-private.h"

/* Points (PyDataColl's term-items): /api/v1/terms/{term_id}/items/{item_id}. */

static void
get_point_cb (DcServer          *server,
              SoupServerMessage *msg,
              GHashTable        *params,
              JsonNode          *body,
              gpointer           user_data)
{
  const char *term_id = g_hash_table_lookup (params, "term_id");
  const char *item_id = g_hash_table_lookup (params, "item_id");
  /* Ids never contain ':' (id rules), so the key is unambiguous. */
  g_autofree char *key = g_strdup_printf ("point/%s:%s", term_id, item_id);
  GBytes *json = dc_api_cache_lookup (server, key);

  if (json == NULL)
    {
      static const char * const first[] = { "device_id", "term_id", "item_id", NULL };
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) object = NULL;
      GString *out;

      object = dc_store_get_point (dc_server_get_store (server), term_id, item_id, &error);
      if (object == NULL)
        {
          dc_server_reply_error (msg, error);
          return;
        }
      out = g_string_new (NULL);
      dc_api_append_object (out, object, first);
      json = dc_api_cache_insert (server, key, out);
    }
  dc_server_reply_json_bytes (msg, 200, json, NULL);
}

static void
create_point_cb (DcServer          *server,
                 SoupServerMessage *msg,
                 GHashTable        *params,
                 JsonNode          *body,
                 gpointer           user_data)
{
  const char *term_id = g_hash_table_lookup (params, "term_id");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) warnings = NULL;
  JsonObject *object;
  JsonNode *body_term;
  gboolean ok;

  object = dc_api_require_object (msg, body);
  if (object == NULL)
    return;

  /* compat: the body's term_id, when given, must be the URL's. */
  body_term = json_object_get_member (object, "term_id");
  if (body_term != NULL && !JSON_NODE_HOLDS_NULL (body_term))
    {
      g_autofree char *id = dc_model_id_from_node (body_term, "term_id", &error);

      if (id == NULL)
        {
          dc_server_reply_error (msg, error);
          return;
        }
      if (!g_str_equal (id, term_id))
        {
          dc_server_reply_text (msg, 400, "term_id mismatch in url and body!");
          return;
        }
    }
  json_object_set_string_member (object, "term_id", term_id);

  warnings = dc_api_field_warnings (DC_KIND_POINT, body);
  ok = dc_store_create (dc_server_get_store (server), DC_KIND_POINT, object, &error);
  dc_api_reply_done_warned (msg, ok, error, warnings);
}

static void
update_point_cb (DcServer          *server,
                 SoupServerMessage *msg,
                 GHashTable        *params,
                 JsonNode          *body,
                 gpointer           user_data)
{
  const char *term_id = g_hash_table_lookup (params, "term_id");
  const char *item_id = g_hash_table_lookup (params, "item_id");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) warnings = NULL;
  JsonObject *patch;
  gboolean ok;

  patch = dc_api_require_object (msg, body);
  if (patch == NULL)
    return;

  warnings = dc_api_field_warnings (DC_KIND_POINT, body);
  ok = dc_store_update_point (dc_server_get_store (server), term_id, item_id, patch, &error);
  dc_api_reply_done_warned (msg, ok, error, warnings);
}

static void
delete_point_cb (DcServer          *server,
                 SoupServerMessage *msg,
                 GHashTable        *params,
                 JsonNode          *body,
                 gpointer           user_data)
{
  const char *term_id = g_hash_table_lookup (params, "term_id");
  const char *item_id = g_hash_table_lookup (params, "item_id");
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = dc_store_delete_point (dc_server_get_store (server), term_id, item_id, &error);
  dc_server_reply_done (msg, ok, error);
}

void
dc_api_add_point_routes (DcServer *server)
{
  g_return_if_fail (DC_IS_SERVER (server));

  dc_api_cache_ensure (server);
  dc_server_add_route (server, "POST", "/api/v1/terms/{term_id}/items", create_point_cb, NULL);
  dc_server_add_route (server, "GET", "/api/v1/terms/{term_id}/items/{item_id}",
                       get_point_cb, NULL);
  dc_server_add_route (server, "PUT", "/api/v1/terms/{term_id}/items/{item_id}",
                       update_point_cb, NULL);
  dc_server_add_route (server, "DELETE", "/api/v1/terms/{term_id}/items/{item_id}",
                       delete_point_cb, NULL);
}
