/* dc-router-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-route-access-private.h"
#include "dc-server.h"

G_BEGIN_DECLS

/* The route table of a DcServer (dc-router.c); the server (dc-server.c) owns one and applies
 * the request rules around it. Main thread. */
typedef struct _DcRouter     DcRouter;
typedef struct _DcRouteEntry DcRouteEntry;

/* One method of a path template. */
typedef struct
{
  char           *method;
  DcRouteHandler  handler;
  gpointer        user_data;
  const DcRouteAccess *access;  /* who may use it (dc-route-access.c) */
} DcRouteMethod;

/* The answer of dc_router_match(). */
typedef struct
{
  DcRouteEntry  *entry;     /* NULL: no route for the path (404) */
  DcRouteMethod *method;    /* NULL: the path has no such method (405) */
  GHashTable    *params;    /* parameter name → decoded value (names owned by the entry) */
  gboolean       bad_path;  /* a segment is not percent-encoded UTF-8 (400) */
} DcRouteMatch;

DcRouter     *dc_router_new               (void);
void          dc_router_free              (DcRouter       *self);
/* Criticals when (@method, @path_template) is already there. */
void          dc_router_add               (DcRouter       *self,
                                           const char     *method,
                                           const char     *path_template,
                                           DcRouteHandler  handler,
                                           gpointer        user_data);
/* Matches a request path: segments are percent-decoded; HEAD looks up GET. */
DcRouteMatch *dc_router_match             (DcRouter       *self,
                                           const char     *method,
                                           const char     *raw_path);
void          dc_route_match_free         (DcRouteMatch   *match);
/* The routes in the order of GET / (a GPtrArray of DcRouteInfo). */
GPtrArray    *dc_router_list              (DcRouter       *self);

const char   *dc_route_entry_get_template (DcRouteEntry   *entry);
/* "GET, HEAD, PUT, DELETE": the Allow header of a 405 for @entry. */
char         *dc_route_entry_allow_header (DcRouteEntry   *entry);

G_END_DECLS
