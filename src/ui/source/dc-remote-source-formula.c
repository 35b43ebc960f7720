/* dc-remote-source-formula.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-remote-source"

#include "config.h"

#include <string.h>

#include "dc-error.h"
#include "dc-remote-source-private.h"

/* The remote plant connection's formula check: POST /api/v1/formula_check, whose 200 answer is
 * text (docs/rest.md "Formulas"), not JSON as the other requests'; and the ids of a kind as
 * the connection last read them. */

static void
check_ready_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GBytes) bytes = _dc_remote_reply_bytes (object, result, task);
  gsize size = 0;
  const char *data;

  if (bytes == NULL)
    return;
  data = g_bytes_get_data (bytes, &size);
  g_task_return_pointer (task, g_strndup (data != NULL ? data : "", size), g_free);
}

static void
remote_formula_check_async (DcPlantSource       *source,
                            JsonObject          *formula,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  DcRemoteSource *self = (DcRemoteSource *) source;
  g_autofree char *uri = g_strconcat (self->url, "/api/v1/formula_check", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", uri);
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(GBytes) body = NULL;
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  char *text;

  g_task_set_source_tag (task, remote_formula_check_async);
  if (msg == NULL)
    {
      g_task_return_new_error (task, DC_ERROR, DC_ERROR_INVALID, "invalid server address %s",
                               self->url);
      g_object_unref (task);
      return;
    }
  _dc_remote_prepare_message (self, msg);
  json_node_set_object (node, formula);
  text = json_to_string (node, FALSE);
  body = g_bytes_new_take (text, strlen (text));
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  g_task_set_task_data (task, g_object_ref (msg), g_object_unref);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    check_ready_cb, task);
}

static char *
remote_formula_check_finish (DcPlantSource  *source,
                             GAsyncResult   *result,
                             GError        **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The ids as last read (GET /api/v1/project and the stream's changes). */
static GPtrArray *
remote_list_ids (DcPlantSource *source,
                 DcKind         kind)
{
  DcRemoteSource *self = (DcRemoteSource *) source;
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer id;

  if (kind > DC_KIND_FORMULA || kind == DC_KIND_POINT || self->objects[kind] == NULL)
    return ids;
  g_hash_table_iter_init (&iter, self->objects[kind]);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    g_ptr_array_add (ids, g_strdup (id));
  dc_natural_sort (ids);
  return ids;
}

void
_dc_remote_source_init_formula (DcPlantSourceInterface *iface)
{
  iface->list_ids = remote_list_ids;
  iface->formula_check_async = remote_formula_check_async;
  iface->formula_check_finish = remote_formula_check_finish;
}
