/* dc-audit-row.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-audit"

#include "config.h"

#include <string.h>

#include "dc-audit-private.h"
#include "dc-csv-field.h"

#include "dc-error.h"
#include "dc-time.h"

/* Rows of the audit log and their JSON and CSV forms; queries and their REST parameters
 * (docs/rest.md, GET /api/v1/audit). */

DcAuditRow *
dc_audit_row_new (gint64              time,
                  const DcAuditActor *actor,
                  const char         *action,
                  const char         *target,
                  const char         *detail_json,
                  const char         *result)
{
  DcAuditRow *row = g_new0 (DcAuditRow, 1);

  row->time = time;
  row->user = g_strdup (actor->user);
  row->role = g_strdup (actor->role);
  row->source = g_strdup (actor->source);
  row->action = g_strdup (action);
  row->target = g_strdup (target != NULL ? target : "");
  row->detail = g_strdup (detail_json != NULL ? detail_json : "{}");
  row->result = g_strdup (result != NULL ? result : "ok");
  return row;
}

void
dc_audit_row_free (DcAuditRow *row)
{
  if (row == NULL)
    return;
  g_free (row->user);
  g_free (row->role);
  g_free (row->source);
  g_free (row->action);
  g_free (row->target);
  g_free (row->detail);
  g_free (row->result);
  g_free (row);
}

JsonObject *
dc_audit_row_to_json (const DcAuditRow *row)
{
  JsonObject *object = json_object_new ();
  g_autofree char *time = dc_time_format (row->time);
  JsonNode *detail = json_from_string (row->detail, NULL);

  json_object_set_string_member (object, "time", time);
  json_object_set_string_member (object, "user", row->user);
  json_object_set_string_member (object, "role", row->role);
  json_object_set_string_member (object, "source", row->source);
  json_object_set_string_member (object, "action", row->action);
  json_object_set_string_member (object, "target", row->target);
  if (detail != NULL)
    json_object_set_member (object, "detail", detail);
  else
    json_object_set_string_member (object, "detail", row->detail);
  json_object_set_string_member (object, "result", row->result);
  return object;
}

char *
dc_audit_rows_to_csv (GPtrArray *rows)
{
  GString *csv = g_string_new ("time,user,role,source,action,target,result,detail\n");

  g_return_val_if_fail (rows != NULL, g_string_free (csv, FALSE));

  for (guint i = 0; i < rows->len; i++)
    {
      const DcAuditRow *row = g_ptr_array_index (rows, i);
      g_autofree char *time = dc_time_format (row->time);
      const char *cells[] = { time, row->user, row->role, row->source, row->action,
                              row->target, row->result, row->detail };

      for (guint c = 0; c < G_N_ELEMENTS (cells); c++)
        {
          if (c > 0)
            g_string_append_c (csv, ',');
          dc_csv_append_field (csv, cells[c], FALSE);
        }
      g_string_append_c (csv, '\n');
    }
  return g_string_free (csv, FALSE);
}

/* Queries */

DcAuditQuery *
dc_audit_query_new (void)
{
  return g_new0 (DcAuditQuery, 1);
}

DcAuditQuery *
dc_audit_query_copy (const DcAuditQuery *query)
{
  DcAuditQuery *copy = dc_audit_query_new ();

  g_return_val_if_fail (query != NULL, copy);

  copy->from = query->from;
  copy->to = query->to;
  copy->user = g_strdup (query->user);
  copy->action = g_strdup (query->action);
  copy->target = g_strdup (query->target);
  copy->text = g_strdup (query->text);
  copy->limit = query->limit;
  return copy;
}

void
dc_audit_query_free (DcAuditQuery *query)
{
  if (query == NULL)
    return;
  g_free (query->user);
  g_free (query->action);
  g_free (query->target);
  g_free (query->text);
  g_free (query);
}

static void
take_string (GHashTable  *params,
             const char  *name,
             char       **out)
{
  const char *text = g_hash_table_lookup (params, name);

  if (text != NULL && text[0] != '\0')
    {
      g_free (*out);
      *out = g_strdup (text);
    }
}

gboolean
dc_audit_query_parse (DcAuditQuery  *query,
                      GHashTable    *params,
                      GError       **error)
{
  const char *limit;

  g_return_val_if_fail (query != NULL, FALSE);

  if (params == NULL)
    return TRUE;
  if (!dc_time_parse_param (params, "from", TRUE, &query->from, error) ||
      !dc_time_parse_param (params, "to", TRUE, &query->to, error))
    return FALSE;
  if (query->from != 0 && query->to != 0 && query->to <= query->from)
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID,
                           "parameter to must be later than from");
      return FALSE;
    }
  take_string (params, "user", &query->user);
  take_string (params, "action", &query->action);
  take_string (params, "target", &query->target);
  take_string (params, "text", &query->text);
  limit = g_hash_table_lookup (params, "limit");
  if (limit != NULL)
    {
      guint64 n = 0;

      if (!g_ascii_string_to_unsigned (limit, 10, 1, DC_AUDIT_MAX_LIMIT, &n, NULL))
        {
          g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                       "parameter limit must be an integer between 1 and %u",
                       DC_AUDIT_MAX_LIMIT);
          return FALSE;
        }
      query->limit = (guint) n;
    }
  return TRUE;
}
