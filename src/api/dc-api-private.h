/* dc-api-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-api.h"
#include "dc-error.h"
#include "dc-json.h"
#include "dc-model.h"
#include "dc-store.h"

G_BEGIN_DECLS

void        dc_api_add_catalogue_routes (DcServer          *server);
void        dc_api_add_entity_routes    (DcServer          *server);
void        dc_api_add_point_routes     (DcServer          *server);
void        dc_api_add_batch_routes     (DcServer          *server);

/* Returns the body's object, or answers 400 "request body must be a JSON object" and returns
 * NULL. */
JsonObject *dc_api_require_object       (SoupServerMessage *msg,
                                         JsonNode          *body);

G_END_DECLS
