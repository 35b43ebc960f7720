/* dc-routes-project.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-api-project"

#include "config.h"

#include "dc-routes.h"

#include "dc-project.h"
#include "dc-store.h"

/* GET /api/v1/project (ext): the whole configuration in one answer, the project object of
 * docs/rest.md "Project" (what a remote workstation loads when it connects). */

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

void
dc_api_add_project_route (DcServer *server)
{
  g_return_if_fail (DC_IS_SERVER (server));

  dc_server_add_route (server, "GET", "/api/v1/project", project_cb, NULL);
}
