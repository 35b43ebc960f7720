/* dc-route-access.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-server"

#include "config.h"

#include "dc-route-access-private.h"

#include <string.h>

/* The role each route needs (docs/security.md, "Roles"). Keep it in step with the
 * `x-datacoll-role` of src/api/openapi.json: test-auth-routes fails when they differ. */

#define READ     "read"
#define CONFIG   "configure"

static const DcRouteAccess table[] = {
  /* Public. */
  { "GET", "/", DC_ROLE_NONE, NULL, FALSE },
  { "POST", "/api/v1/login", DC_ROLE_NONE, NULL, FALSE },

  /* viewer: every GET, the stream, device_call. */
  { "POST", "/api/v1/logout", DC_ROLE_VIEWER, "log out", FALSE },
  { "GET", "/api/v1/openapi.json", DC_ROLE_VIEWER, READ, FALSE },
  { "GET", "/api/v1/device_protocols", DC_ROLE_VIEWER, READ, FALSE },
  { "GET", "/api/v1/term_protocols", DC_ROLE_VIEWER, READ, FALSE },
  { "GET", "/api/v1/devices", DC_ROLE_VIEWER, READ, FALSE },
  { "GET", "/api/v1/devices/{device_id}", DC_ROLE_VIEWER, READ, FALSE },
  { "GET", "/api/v1/devices/{device_id}/terms", DC_ROLE_VIEWER, READ, FALSE },
  { "GET", "/api/v1/devices/{device_id}/status", DC_ROLE_VIEWER, READ, FALSE },
  { "GET", "/api/v1/devices/{device_id}/frames", DC_ROLE_VIEWER, READ, FALSE },
  { "GET", "/api/v1/devices/{device_id}/terms/{term_id}/items/{item_id}/datas",
    DC_ROLE_VIEWER, READ, FALSE },
  { "GET", "/api/v1/devices/{device_id}/terms/{term_id}/items/{item_id}/datas/{index}",
    DC_ROLE_VIEWER, READ, FALSE },
  { "GET", "/api/v1/terms", DC_ROLE_VIEWER, READ, FALSE },
  { "GET", "/api/v1/terms/{term_id}", DC_ROLE_VIEWER, READ, FALSE },
  { "GET", "/api/v1/terms/{term_id}/items", DC_ROLE_VIEWER, READ, FALSE },
  { "GET", "/api/v1/terms/{term_id}/items/{item_id}", DC_ROLE_VIEWER, READ, FALSE },
  { "GET", "/api/v1/items", DC_ROLE_VIEWER, READ, FALSE },
  { "GET", "/api/v1/items/{item_id}", DC_ROLE_VIEWER, READ, FALSE },
  { "GET", "/api/v1/formulas", DC_ROLE_VIEWER, READ, FALSE },
  { "GET", "/api/v1/formulas/{formula_id}", DC_ROLE_VIEWER, READ, FALSE },
  { "GET", "/api/v1/project", DC_ROLE_VIEWER, READ, FALSE },
  { "GET", "/api/v1/values", DC_ROLE_VIEWER, READ, FALSE },
  { "GET", "/api/v1/status", DC_ROLE_VIEWER, READ, FALSE },
  { "GET", "/api/v1/alarms", DC_ROLE_VIEWER, READ, FALSE },
  { "GET", "/api/v1/alarms/journal", DC_ROLE_VIEWER, READ, FALSE },
  { "GET", "/api/v1/stream", DC_ROLE_VIEWER, READ, TRUE },
  { "POST", "/api/v1/device_call", DC_ROLE_VIEWER, "call devices", FALSE },

  /* operator: + controls, alarm actions. */
  { "POST", "/api/v1/device_ctrl", DC_ROLE_OPERATOR, "control", FALSE },
  { "POST", "/api/v1/alarms/ack", DC_ROLE_OPERATOR, "acknowledge alarms", FALSE },
  { "POST", "/api/v1/alarms/{alarm_id}/ack", DC_ROLE_OPERATOR, "acknowledge alarms", FALSE },
  { "POST", "/api/v1/alarms/{alarm_id}/shelve", DC_ROLE_OPERATOR, "shelve alarms", FALSE },

  /* engineer: + every configuration write, the checks. */
  { "POST", "/api/v1/devices", DC_ROLE_ENGINEER, CONFIG, FALSE },
  { "PUT", "/api/v1/devices/{device_id}", DC_ROLE_ENGINEER, CONFIG, FALSE },
  { "DELETE", "/api/v1/devices/{device_id}", DC_ROLE_ENGINEER, CONFIG, FALSE },
  { "POST", "/api/v1/terms", DC_ROLE_ENGINEER, CONFIG, FALSE },
  { "PUT", "/api/v1/terms/{term_id}", DC_ROLE_ENGINEER, CONFIG, FALSE },
  { "DELETE", "/api/v1/terms/{term_id}", DC_ROLE_ENGINEER, CONFIG, FALSE },
  { "POST", "/api/v1/terms/{term_id}/items", DC_ROLE_ENGINEER, CONFIG, FALSE },
  { "PUT", "/api/v1/terms/{term_id}/items/{item_id}", DC_ROLE_ENGINEER, CONFIG, FALSE },
  { "DELETE", "/api/v1/terms/{term_id}/items/{item_id}", DC_ROLE_ENGINEER, CONFIG, FALSE },
  { "POST", "/api/v1/items", DC_ROLE_ENGINEER, CONFIG, FALSE },
  { "PUT", "/api/v1/items/{item_id}", DC_ROLE_ENGINEER, CONFIG, FALSE },
  { "DELETE", "/api/v1/items/{item_id}", DC_ROLE_ENGINEER, CONFIG, FALSE },
  { "POST", "/api/v1/formulas", DC_ROLE_ENGINEER, CONFIG, FALSE },
  { "PUT", "/api/v1/formulas/{formula_id}", DC_ROLE_ENGINEER, CONFIG, FALSE },
  { "DELETE", "/api/v1/formulas/{formula_id}", DC_ROLE_ENGINEER, CONFIG, FALSE },
  { "POST", "/api/v2/devices", DC_ROLE_ENGINEER, CONFIG, FALSE },
  { "POST", "/api/v2/devices/del", DC_ROLE_ENGINEER, CONFIG, FALSE },
  { "POST", "/api/v2/terms", DC_ROLE_ENGINEER, CONFIG, FALSE },
  { "POST", "/api/v2/terms/del", DC_ROLE_ENGINEER, CONFIG, FALSE },
  { "POST", "/api/v2/items", DC_ROLE_ENGINEER, CONFIG, FALSE },
  { "POST", "/api/v2/items/del", DC_ROLE_ENGINEER, CONFIG, FALSE },
  { "POST", "/api/v2/term_items", DC_ROLE_ENGINEER, CONFIG, FALSE },
  { "POST", "/api/v2/term_items/del", DC_ROLE_ENGINEER, CONFIG, FALSE },
  { "POST", "/api/v2/formulas", DC_ROLE_ENGINEER, CONFIG, FALSE },
  { "POST", "/api/v2/formulas/del", DC_ROLE_ENGINEER, CONFIG, FALSE },
  { "POST", "/api/v1/project", DC_ROLE_ENGINEER, CONFIG, FALSE },
  { "POST", "/api/v1/formula_check", DC_ROLE_ENGINEER, "check formulas", FALSE },
  { "POST", "/api/v1/sql_check", DC_ROLE_ENGINEER, "check SQL templates", FALSE },

  /* admin: + users and tokens, settings, the audit log. */
  { "GET", "/api/v1/users", DC_ROLE_ADMIN, "manage users", FALSE },
  { "POST", "/api/v1/users", DC_ROLE_ADMIN, "manage users", FALSE },
  { "PUT", "/api/v1/users/{name}", DC_ROLE_ADMIN, "manage users", FALSE },
  { "DELETE", "/api/v1/users/{name}", DC_ROLE_ADMIN, "manage users", FALSE },
  { "GET", "/api/v1/audit", DC_ROLE_ADMIN, "read the audit log", FALSE },
};

const DcRouteAccess *
dc_route_access_lookup (const char *method,
                        const char *path_template)
{
  static GHashTable *unknown = NULL;
  G_LOCK_DEFINE_STATIC (unknown);
  const DcRouteAccess *row;

  if (g_str_equal (method, "HEAD"))
    method = "GET";
  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    if (g_str_equal (table[i].method, method) && g_str_equal (table[i].path, path_template))
      return &table[i];

  /* Not in the table: admin only, and said once. Rows are kept for the process's life. */
  G_LOCK (unknown);
  if (unknown == NULL)
    unknown = g_hash_table_new (g_str_hash, g_str_equal);
  {
    g_autofree char *key = g_strconcat (method, " ", path_template, NULL);
    DcRouteAccess *made = g_hash_table_lookup (unknown, key);

    if (made == NULL)
      {
        g_message ("route %s has no role in the access table: admin only", key);
        made = g_new0 (DcRouteAccess, 1);
        made->method = g_intern_string (method);
        made->path = g_intern_string (path_template);
        made->role = DC_ROLE_ADMIN;
        made->action = "use this route";
        g_hash_table_insert (unknown, g_steal_pointer (&key), made);
      }
    row = made;
  }
  G_UNLOCK (unknown);
  return row;
}

const DcRouteAccess *
dc_route_access_table (guint *n_rows)
{
  *n_rows = G_N_ELEMENTS (table);
  return table;
}
