/* dc-api.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-api"

#include "config.h"

#include "dc-api-private.h"

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

void
dc_api_add_config_routes (DcServer *server)
{
  g_return_if_fail (DC_IS_SERVER (server));
  g_return_if_fail (dc_server_get_store (server) != NULL);

  dc_api_add_catalogue_routes (server);
  dc_api_add_entity_routes (server);
  dc_api_add_point_routes (server);
  dc_api_add_batch_routes (server);
}
