/* dc-routes-catalogues.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-api"

#include "config.h"

#include "dc-routes.h"

#include "dc-api-private.h"
#include "dc-protocol.h"

/* Descriptive metadata only (docs/rest.md, Catalogues), from the protocol registry
 * (dc-protocol.h): each protocol's description and terminal entry, in registration order. The
 * texts are fixed English: they are part of the API, not of the user interface. */

static void
device_protocols_cb (DcServer          *server,
                     SoupServerMessage *msg,
                     GHashTable        *params,
                     JsonNode          *body,
                     gpointer           user_data)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree const DcProtocol **protocols = dc_protocol_list (NULL);

  for (guint i = 0; protocols[i] != NULL; i++)
    if (protocols[i]->description != NULL)
      json_object_set_string_member (object, protocols[i]->name, protocols[i]->description);
  json_node_set_object (node, object);
  dc_server_reply_json (msg, 200, node);
}

static void
term_protocols_cb (DcServer          *server,
                   SoupServerMessage *msg,
                   GHashTable        *params,
                   JsonNode          *body,
                   gpointer           user_data)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree const DcProtocol **protocols = dc_protocol_list (NULL);

  for (guint i = 0; protocols[i] != NULL; i++)
    {
      const DcProtocolTermInfo *info = protocols[i]->term_info;
      JsonObject *entry;

      /* Protocols that share terminals (Modbus TCP and RTU) share one entry. */
      if (info == NULL || json_object_has_member (object, info->key))
        continue;
      entry = json_object_new ();
      json_object_set_string_member (entry, "name", info->name);
      json_object_set_string_member (entry, "address", info->address);
      json_object_set_string_member (entry, "protocol_code", info->protocol_code);
      json_object_set_string_member (entry, "code_type", info->code_type);
      json_object_set_object_member (object, info->key, entry);
    }
  json_node_set_object (node, object);
  dc_server_reply_json (msg, 200, node);
}

void
dc_api_add_catalogue_routes (DcServer *server)
{
  dc_server_add_route (server, "GET", "/api/v1/device_protocols", device_protocols_cb, NULL);
  dc_server_add_route (server, "GET", "/api/v1/term_protocols", term_protocols_cb, NULL);
}
