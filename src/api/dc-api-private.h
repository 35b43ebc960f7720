/* dc-api-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-error.h"
#include "dc-json.h"
#include "dc-model.h"
#include "dc-server.h"
#include "dc-store.h"

G_BEGIN_DECLS

/* The helpers the route families share (dc-api-reply.c). Main thread. */

/* Returns the body's object, or answers 400 "request body must be a JSON object" and returns
 * NULL. */
JsonObject *dc_api_require_object       (SoupServerMessage  *msg,
                                         JsonNode           *body);

/* A cache of serialised GET answers (the configuration changes rarely and is read often),
 * keyed by a string the route chooses, emptied on every change the store signals. A family
 * that caches calls dc_api_cache_ensure() when it adds its routes (once per server is
 * enough; later calls do nothing). */
void        dc_api_cache_ensure         (DcServer           *server);
GBytes     *dc_api_cache_lookup         (DcServer           *server,
                                         const char         *key);
/* Takes @json, stores it under @key and returns it (owned by the cache: use it before the
 * handler returns). */
GBytes     *dc_api_cache_insert         (DcServer           *server,
                                         const char         *key,
                                         GString            *json);

/* 200 with @json (serialised JSON, taken). */
void        dc_api_reply_gstring        (SoupServerMessage  *msg,
                                         GString            *json);

/* Serialises @object with the members named in @first (NULL-terminated, those present) first,
 * then the others in their stored order: identity fields lead, as clients print them. */
void        dc_api_append_object        (GString            *out,
                                         JsonObject         *object,
                                         const char * const *first);
/* Serialises an array of strings. */
GString    *dc_api_string_array         (GPtrArray          *strings);

/* The warnings about unknown fields and aliases in @body (an object or an array of objects
 * of @kind; docs/rest.md "Unknown fields"), at most 10, read before the store normalises the
 * body. dc_api_reply_done_warned() answers as dc_server_reply_done() and, on success, adds
 * them as Warning headers. */
GPtrArray  *dc_api_field_warnings       (DcKind              kind,
                                         JsonNode           *body);
void        dc_api_reply_done_warned    (SoupServerMessage  *msg,
                                         gboolean            ok,
                                         const GError       *error,
                                         GPtrArray          *warnings);

G_END_DECLS
