/* dc-routes-openapi.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * GET /api/v1/openapi.json: the OpenAPI 3.0 description of every route, kept in the repository as
 * src/api/openapi.json and compiled into the binary. tests/api/test-datacoll.c checks that the
 * document and the router agree in both directions.
 */

#define G_LOG_DOMAIN "dc-api"

#include "config.h"

#include "dc-routes.h"

#include "dc-api-private.h"
#include "dc-api-resources.h"

#define OPENAPI_RESOURCE "/io/github/datacoll/DataColl/api/openapi.json"

static void
openapi_cb (DcServer          *server,
            SoupServerMessage *msg,
            GHashTable        *params,
            JsonNode          *body,
            gpointer           user_data)
{
  GBytes *document = user_data;

  dc_server_reply_json_bytes (msg, SOUP_STATUS_OK, document, NULL);
}

void
dc_api_add_openapi_route (DcServer *server)
{
  g_autoptr(GError) error = NULL;
  GBytes *document;

  g_return_if_fail (DC_IS_SERVER (server));

  document = g_resource_lookup_data (dc_api_get_resource (), OPENAPI_RESOURCE,
                                     G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  /* Compiled in: a missing resource is a build defect, not a runtime condition. */
  g_assert_no_error (error);

  dc_server_add_route (server, "GET", "/api/v1/openapi.json", openapi_cb, document);
  g_object_set_data_full (G_OBJECT (server), "dc-openapi-document", document,
                          (GDestroyNotify) g_bytes_unref);
}
