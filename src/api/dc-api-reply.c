/* dc-api-reply.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-api"

#include "config.h"

#include "dc-api-private.h"
#include "dc-model-fields.h"

/* What the route families share: the cache of serialised GET answers, the serialisation of
 * stored objects and string lists, the check of a request body. The families in routes/ use
 * these; the installer (dc-api.c) uses the families. */

/* Bounded: past this many entries the cache starts over. */
#define CACHE_MAX_ENTRIES 20000

typedef struct
{
  DcStore    *store;
  GHashTable *entries;  /* key → GBytes */
  gulong      changed_id;
  gulong      removed_id;
} DcApiCache;

static GQuark cache_quark;

static void
cache_clear_cb (DcApiCache *cache)
{
  g_hash_table_remove_all (cache->entries);
}

static void
cache_free (DcApiCache *cache)
{
  g_clear_signal_handler (&cache->changed_id, cache->store);
  g_clear_signal_handler (&cache->removed_id, cache->store);
  g_clear_object (&cache->store);
  g_hash_table_unref (cache->entries);
  g_free (cache);
}

void
dc_api_cache_ensure (DcServer *server)
{
  DcApiCache *cache;

  g_return_if_fail (DC_IS_SERVER (server));
  g_return_if_fail (dc_server_get_store (server) != NULL);

  if (cache_quark == 0)
    cache_quark = g_quark_from_static_string ("dc-api-cache");
  if (g_object_get_qdata (G_OBJECT (server), cache_quark) != NULL)
    return;

  cache = g_new0 (DcApiCache, 1);
  cache->store = g_object_ref (dc_server_get_store (server));
  cache->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_bytes_unref);
  /* Any change may touch any answer (a rename rewrites formulas, a delete cascades): the
   * whole cache goes. */
  cache->changed_id = g_signal_connect_swapped (cache->store, "changed",
                                                G_CALLBACK (cache_clear_cb), cache);
  cache->removed_id = g_signal_connect_swapped (cache->store, "point-removed",
                                                G_CALLBACK (cache_clear_cb), cache);
  g_object_set_qdata_full (G_OBJECT (server), cache_quark, cache, (GDestroyNotify) cache_free);
}

GBytes *
dc_api_cache_lookup (DcServer   *server,
                     const char *key)
{
  DcApiCache *cache = g_object_get_qdata (G_OBJECT (server), cache_quark);

  return cache != NULL ? g_hash_table_lookup (cache->entries, key) : NULL;
}

GBytes *
dc_api_cache_insert (DcServer   *server,
                     const char *key,
                     GString    *json)
{
  DcApiCache *cache = g_object_get_qdata (G_OBJECT (server), cache_quark);
  GBytes *bytes = g_string_free_to_bytes (json);

  g_assert (cache != NULL);
  if (g_hash_table_size (cache->entries) >= CACHE_MAX_ENTRIES)
    g_hash_table_remove_all (cache->entries);
  g_hash_table_insert (cache->entries, g_strdup (key), bytes);

  return bytes;
}

void
dc_api_append_object (GString            *out,
                      JsonObject         *object,
                      const char * const *first)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;
  gboolean comma = FALSE;

  g_string_append_c (out, '{');
  for (guint i = 0; first[i] != NULL; i++)
    {
      member = json_object_get_member (object, first[i]);
      if (member == NULL)
        continue;
      if (comma)
        g_string_append_c (out, ',');
      comma = TRUE;
      dc_json_append_string (out, first[i]);
      g_string_append_c (out, ':');
      dc_json_append (out, member);
    }

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      if (g_strv_contains (first, name))
        continue;
      if (comma)
        g_string_append_c (out, ',');
      comma = TRUE;
      dc_json_append_string (out, name);
      g_string_append_c (out, ':');
      dc_json_append (out, member);
    }
  g_string_append_c (out, '}');
}

GString *
dc_api_string_array (GPtrArray *strings)
{
  GString *out = g_string_sized_new (16 + strings->len * 12);

  g_string_append_c (out, '[');
  for (guint i = 0; i < strings->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      dc_json_append_string (out, g_ptr_array_index (strings, i));
    }
  g_string_append_c (out, ']');
  return out;
}

void
dc_api_reply_gstring (SoupServerMessage *msg,
                      GString           *json)
{
  gsize len = json->len;

  dc_server_reply_json_take (msg, 200, g_string_free (json, FALSE), len);
}

JsonObject *
dc_api_require_object (SoupServerMessage *msg,
                       JsonNode          *body)
{
  if (body == NULL)
    {
      dc_server_reply_text (msg, 400, "request body must be a JSON object (the body is empty)");
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (body))
    {
      dc_server_reply_text (msg, 400, "request body must be a JSON object");
      return NULL;
    }
  return json_node_get_object (body);
}

#define MAX_FIELD_WARNINGS 10

GPtrArray *
dc_api_field_warnings (DcKind    kind,
                       JsonNode *body)
{
  GPtrArray *warnings = g_ptr_array_new_with_free_func (g_free);

  dc_model_field_warnings (kind, body, warnings, MAX_FIELD_WARNINGS);
  return warnings;
}

void
dc_api_reply_done_warned (SoupServerMessage *msg,
                          gboolean           ok,
                          const GError      *error,
                          GPtrArray         *warnings)
{
  /* Only a change that was kept warns about what it kept. */
  for (guint i = 0; ok && warnings != NULL && i < warnings->len; i++)
    dc_server_add_warning (msg, g_ptr_array_index (warnings, i));
  dc_server_reply_done (msg, ok, error);
}
