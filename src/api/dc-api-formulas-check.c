/* dc-api-formulas-check.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-api"

#include "config.h"

#include "dc-api-plugins.h"
#include "dc-error.h"
#include "dc-formula.h"

static void
formula_check_cb (DcServer          *server,
                  SoupServerMessage *msg,
                  GHashTable        *params,
                  JsonNode          *body,
                  gpointer           user_data)
{
  g_autofree char *answer = NULL;

  if (body == NULL || !JSON_NODE_HOLDS_OBJECT (body))
    {
      g_autoptr(GError) error = g_error_new_literal (DC_ERROR, DC_ERROR_INVALID,
                                                     "request body must be a JSON object");

      dc_server_reply_error (msg, error);
      return;
    }

  /* Every answer is 200 text/plain: "OK" or the reason (compat). */
  answer = dc_formula_check_text (dc_server_get_store (server), json_node_get_object (body));
  dc_server_reply_text (msg, 200, answer);
}

void
dc_api_add_formula_check_route (DcServer *server)
{
  g_return_if_fail (DC_IS_SERVER (server));
  g_return_if_fail (dc_server_get_store (server) != NULL);

  dc_server_add_route (server, "POST", "/api/v1/formula_check", formula_check_cb, NULL);
}
