/* dc-routes-audit.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-api-audit"

#include "config.h"

#include "dc-routes.h"

#include <string.h>

#include "dc-audit.h"
#include "dc-error.h"

/* GET /api/v1/audit?from&to&user&action&target&text&limit&format (docs/rest.md, "Audit log"):
 * the rows of the audit log, newest first, as JSON or CSV. The query runs in a thread while
 * the message is paused. Nothing in the API changes the audit log. */

typedef struct
{
  SoupServerMessage *msg;
  gboolean           csv;
} Pending;

static void
query_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Pending *p = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = dc_audit_query_finish (DC_AUDIT (object), result, &error);

  if (rows == NULL)
    dc_server_reply_error (p->msg, error);
  else if (p->csv)
    {
      char *csv = dc_audit_rows_to_csv (rows);

      soup_server_message_set_status (p->msg, 200, NULL);
      soup_server_message_set_response (p->msg, "text/csv; charset=utf-8", SOUP_MEMORY_TAKE,
                                        csv, strlen (csv));
    }
  else
    {
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);
      JsonArray *array = json_array_sized_new (rows->len);

      for (guint i = 0; i < rows->len; i++)
        json_array_add_object_element (array, dc_audit_row_to_json (g_ptr_array_index (rows, i)));
      json_node_take_array (node, array);
      dc_server_reply_json (p->msg, 200, node);
    }
  soup_server_message_unpause (p->msg);
  g_object_unref (p->msg);
  g_free (p);
}

static void
audit_cb (DcServer          *server,
          SoupServerMessage *msg,
          GHashTable        *params,
          JsonNode          *body,
          gpointer           user_data)
{
  DcAudit *audit = dc_store_get_audit (dc_server_get_store (server));
  const char *text = g_uri_get_query (soup_server_message_get_uri (msg));
  g_autoptr(GHashTable) query = NULL;
  g_autoptr(DcAuditQuery) q = dc_audit_query_new ();
  g_autoptr(GError) error = NULL;
  const char *format;
  Pending *p;

  if (audit == NULL)
    {
      g_set_error_literal (&error, DC_ERROR, DC_ERROR_OFFLINE, "the audit log is not open");
      dc_server_reply_error (msg, error);
      return;
    }
  query = text != NULL ? g_uri_parse_params (text, -1, "&", G_URI_PARAMS_NONE, &error)
                       : g_hash_table_new (g_str_hash, g_str_equal);
  if (query == NULL)
    {
      g_autoptr(GError) invalid = g_error_new (DC_ERROR, DC_ERROR_INVALID, "%s",
                                               error != NULL ? error->message
                                                             : "invalid query string");

      dc_server_reply_error (msg, invalid);
      return;
    }
  if (!dc_audit_query_parse (q, query, &error))
    {
      dc_server_reply_error (msg, error);
      return;
    }
  format = g_hash_table_lookup (query, "format");
  if (format != NULL && g_strcmp0 (format, "csv") != 0 && g_strcmp0 (format, "json") != 0)
    {
      g_set_error_literal (&error, DC_ERROR, DC_ERROR_INVALID,
                           "parameter format must be json or csv");
      dc_server_reply_error (msg, error);
      return;
    }

  p = g_new0 (Pending, 1);
  p->msg = g_object_ref (msg);
  p->csv = g_strcmp0 (format, "csv") == 0;
  soup_server_message_pause (msg);
  dc_audit_query_async (audit, q, NULL, query_done_cb, p);
}

void
dc_api_add_audit_route (DcServer *server)
{
  g_return_if_fail (DC_IS_SERVER (server));

  dc_server_add_route (server, "GET", "/api/v1/audit", audit_cb, NULL);
}
