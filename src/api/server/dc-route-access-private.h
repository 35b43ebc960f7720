/* dc-route-access-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

#include "dc-users.h"

G_BEGIN_DECLS

/* Who may use each route (docs/security.md, "Roles"): the one table of the code, read by the
 * router when a route is added and checked for every request by dc-server-auth.c. The OpenAPI
 * document names the same role per operation (`x-datacoll-role`); tests/api/test-auth-routes.c
 * checks that both agree with the routes the server has. */
typedef struct
{
  const char *method;
  const char *path;          /* the route's template */
  DcRole      role;          /* the least role; DC_ROLE_NONE: public */
  const char *action;        /* "… cannot <action>" in a 403 */
  gboolean    query_token;   /* the token may come as ?token= (WebSocket clients) */
} DcRouteAccess;

/* The row of (@method, @path_template) (HEAD uses the GET row). A route that is not in the table gets
 * a row that asks for admin: a route added without a row is closed, not open. The row lives as
 * long as the process. */
const DcRouteAccess *dc_route_access_lookup (const char *method,
                                             const char *path_template);
/* The whole table, for the tests. */
const DcRouteAccess *dc_route_access_table  (guint      *n_rows);

G_END_DECLS
