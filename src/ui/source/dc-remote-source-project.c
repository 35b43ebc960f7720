/* dc-remote-source-project.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-remote-source"

#include "config.h"

#include "dc-error.h"
#include "dc-remote-source-private.h"
#include "dc-time.h"

/* What the remote plant connection reads and writes as a whole (docs/ui-audit.md,
 * docs/ui-editing.md "Import and export"): the project (GET /api/v1/project), its import
 * (POST /api/v1/project, a preview or ?apply=true) and the audit log (GET /api/v1/audit). */

/* Export --------------------------------------------------------------------------------- */

static void
export_ready_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(JsonNode) answer = _dc_remote_request_finish_type (result, JSON_NODE_OBJECT,
                                                               "GET /api/v1/project", &error);

  if (answer == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, json_object_ref (json_node_get_object (answer)),
                           (GDestroyNotify) json_object_unref);
}

static void
remote_export_async (DcPlantSource       *source,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  DcRemoteSource *self = (DcRemoteSource *) source;
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, remote_export_async);
  _dc_remote_request (self, "GET", "/api/v1/project", NULL, cancellable, export_ready_cb, task);
}

/* Import --------------------------------------------------------------------------------- */

static DcImportAction
action_from_string (const char *text)
{
  static const DcImportAction actions[] = {
    DC_IMPORT_CREATE, DC_IMPORT_UPDATE, DC_IMPORT_UNCHANGED,
  };

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    if (g_strcmp0 (text, dc_import_action_to_string (actions[i])) == 0)
      return actions[i];
  return DC_IMPORT_ERROR;
}

static DcImportRow *
import_row_from_json (JsonObject *object)
{
  DcImportRow *row = g_new0 (DcImportRow, 1);
  const char *kind = json_object_get_string_member_with_default (object, "kind", "");
  const char *error = json_object_get_string_member_with_default (object, "error", NULL);

  row->kind = DC_KIND_DEVICE;
  for (DcKind k = DC_KIND_DEVICE; k <= DC_KIND_FORMULA; k++)
    if (g_strcmp0 (kind, dc_kind_to_string (k)) == 0)
      row->kind = k;
  row->index = (guint) CLAMP (json_object_get_int_member_with_default (object, "index", 0), 0,
                              G_MAXUINT);
  row->id = g_strdup (json_object_get_string_member_with_default (object, "id", NULL));
  row->action = action_from_string (json_object_get_string_member_with_default (object, "action",
                                                                                NULL));
  row->error = g_strdup (error);
  return row;
}

static void
import_ready_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(JsonNode) answer = _dc_remote_request_finish_type (result, JSON_NODE_OBJECT,
                                                               "POST /api/v1/project", &error);
  g_autoptr(GPtrArray) rows = NULL;
  JsonObject *object_answer;
  JsonArray *array;

  if (answer == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  object_answer = json_node_get_object (answer);
  array = json_object_has_member (object_answer, "rows")
          ? json_object_get_array_member (object_answer, "rows") : NULL;
  if (array == NULL)
    {
      g_task_return_new_error (task, DC_ERROR, DC_ERROR_INTERNAL,
                               "POST /api/v1/project: no rows in the answer");
      return;
    }
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) dc_import_row_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *row = json_array_get_object_element (array, i);

      if (row != NULL)
        g_ptr_array_add (rows, import_row_from_json (row));
    }
  dc_plant_source_return_import (task, rows,
                                 json_object_get_boolean_member_with_default (object_answer,
                                                                              "applied", FALSE));
}

static void
remote_import_async (DcPlantSource       *source,
                     JsonObject          *project,
                     gboolean             apply,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  DcRemoteSource *self = (DcRemoteSource *) source;
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(JsonNode) body = json_node_new (JSON_NODE_OBJECT);

  g_task_set_source_tag (task, remote_import_async);
  json_node_set_object (body, project);
  /* The applied changes come back through the stream, as every other desk sees them. */
  _dc_remote_request (self, "POST", apply ? "/api/v1/project?apply=true" : "/api/v1/project",
                      body, cancellable, import_ready_cb, task);
}

void
_dc_remote_source_init_project (DcPlantSourceInterface *iface)
{
  iface->export_async = remote_export_async;
  iface->import_async = remote_import_async;
}

/* Audit ---------------------------------------------------------------------------------- */

static void
append_param (GString    *path,
              const char *name,
              const char *value)
{
  g_autofree char *escaped = NULL;

  if (value == NULL || value[0] == '\0')
    return;
  escaped = g_uri_escape_string (value, NULL, FALSE);
  g_string_append_printf (path, "%c%s=%s", strchr (path->str, '?') ? '&' : '?', name, escaped);
}

static DcAuditRow *
audit_row_from_json (JsonObject *object)
{
  DcAuditRow *row = g_new0 (DcAuditRow, 1);
  JsonNode *detail = json_object_get_member (object, "detail");
  const char *fields[] = { "user", "role", "source", "action", "target", "result" };
  char **slots[] = { &row->user, &row->role, &row->source, &row->action, &row->target,
                     &row->result };

  if (!dc_time_parse (json_object_get_string_member_with_default (object, "time", ""),
                      &row->time))
    row->time = 0;
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    *slots[i] = g_strdup (json_object_get_string_member_with_default (object, fields[i], ""));
  if (detail != NULL && JSON_NODE_HOLDS_VALUE (detail) &&
      json_node_get_value_type (detail) == G_TYPE_STRING)
    row->detail = g_strdup (json_node_get_string (detail));
  else
    row->detail = detail != NULL ? json_to_string (detail, FALSE) : g_strdup ("{}");
  return row;
}

static void
audit_ready_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(JsonNode) answer = _dc_remote_request_finish_type (result, JSON_NODE_ARRAY,
                                                               "GET /api/v1/audit", &error);
  GPtrArray *rows;
  JsonArray *array;

  if (answer == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  array = json_node_get_array (answer);
  rows = g_ptr_array_new_full (json_array_get_length (array), (GDestroyNotify) dc_audit_row_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *row = json_array_get_object_element (array, i);

      if (row != NULL)
        g_ptr_array_add (rows, audit_row_from_json (row));
    }
  g_task_return_pointer (task, rows, (GDestroyNotify) g_ptr_array_unref);
}

static void
remote_audit_query_async (DcAuditSource       *source,
                          const DcAuditQuery  *query,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  DcRemoteSource *self = (DcRemoteSource *) source;
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GString) path = g_string_new ("/api/v1/audit");

  g_task_set_source_tag (task, remote_audit_query_async);
  /* The query's open ends (0, G_MAXINT64) are the server's defaults. */
  if (query->from > 0)
    {
      g_autofree char *from = dc_time_format (query->from);

      append_param (path, "from", from);
    }
  if (query->to > 0 && query->to < G_MAXINT64)
    {
      g_autofree char *to = dc_time_format (query->to);

      append_param (path, "to", to);
    }
  append_param (path, "user", query->user);
  append_param (path, "action", query->action);
  append_param (path, "target", query->target);
  append_param (path, "text", query->text);
  if (query->limit > 0)
    {
      g_autofree char *limit = g_strdup_printf ("%u", MIN (query->limit, 100000));

      append_param (path, "limit", limit);
    }
  _dc_remote_request (self, "GET", path->str, NULL, cancellable, audit_ready_cb, task);
}


void
_dc_remote_source_init_audit (DcAuditSourceInterface *iface)
{
  iface->query_async = remote_audit_query_async;
}
