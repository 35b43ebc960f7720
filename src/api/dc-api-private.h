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
void        dc_api_add_openapi_route    (DcServer          *server);

/* Returns the body's object, or answers 400 "request body must be a JSON object" and returns
 * NULL. */
JsonObject *dc_api_require_object       (SoupServerMessage *msg,
                                         JsonNode          *body);

/* A cache of serialised GET answers (the configuration changes rarely and is read often),
 * keyed by a string the route chooses, emptied on every change the store signals. */
GBytes     *dc_api_cache_lookup         (DcServer          *server,
                                         const char        *key);
/* Takes @json, stores it under @key and returns it (owned by the cache: use it before the
 * handler returns). */
GBytes     *dc_api_cache_insert         (DcServer          *server,
                                         const char        *key,
                                         GString           *json);
/* Serialises @object with the members named in @first (NULL-terminated, those present) first,
 * then the others in their stored order: identity fields lead, as clients print them. */
void        dc_api_append_object        (GString           *out,
                                         JsonObject        *object,
                                         const char * const *first);
/* Serialises an array of strings. */
GString    *dc_api_string_array         (GPtrArray         *strings);

G_END_DECLS
