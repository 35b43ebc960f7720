/* dc-remote-source-alarms.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-remote-source"

#include "config.h"

#include "dc-alarm-badge.h"
#include "dc-error.h"
#include "dc-remote-source-private.h"
#include "dc-time.h"

/* The alarms of a server for its desks (docs/ui.md "The plant connection"; the routes of
 * docs/plugins.md): every alarm read at each connection, kept in step by the stream's alarm
 * messages; acknowledge and shelve through REST (the server records the token's user). */

static void
store_alarm (DcRemoteSource *self,
             JsonObject     *object,
             gboolean        emit)
{
  g_autoptr(JsonObject) copy = json_object_new ();
  g_autoptr(GList) members = json_object_get_members (object);
  gint64 id = json_object_get_int_member_with_default (object, "id", 0);

  if (id == 0)
    return;
  for (GList *l = members; l != NULL; l = l->next)
    if (!g_str_equal (l->data, "type"))
      json_object_set_member (copy, l->data, json_node_copy (json_object_get_member (object, l->data)));
  g_hash_table_replace (self->alarms, g_memdup2 (&id, sizeof id), json_object_ref (copy));
  if (emit)
    dc_plant_source_emit_alarm ((DcPlantSource *) self, copy);
}

static void
alarms_ready_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  DcRemoteSource *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = _dc_remote_request_finish (result, &error);

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* 404: the server runs without the alarm plugin. */
      self->has_alarms = answer != NULL && JSON_NODE_HOLDS_ARRAY (answer);
      g_hash_table_remove_all (self->alarms);
      if (self->has_alarms)
        {
          JsonArray *array = json_node_get_array (answer);

          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonObject *o = json_array_get_object_element (array, i);

              if (o != NULL)
                store_alarm (self, o, FALSE);
            }
        }
      /* One notification that everything may have changed: the pages rebuild. */
      dc_plant_source_emit_alarm ((DcPlantSource *) self, NULL);
    }
  g_object_unref (self);
}

void
_dc_remote_alarms_load (DcRemoteSource *self)
{
  _dc_remote_request (self, "GET", "/api/v1/alarms?all=true", NULL, self->cancellable,
                      alarms_ready_cb, g_object_ref (self));
}

void
_dc_remote_alarm_message (DcRemoteSource *self,
                          JsonObject     *message)
{
  self->has_alarms = TRUE;
  store_alarm (self, message, TRUE);
}

static gboolean
remote_has_alarms (DcPlantSource *source)
{
  return ((DcRemoteSource *) source)->has_alarms;
}

/* The plugin's order: highest priority first, then the newest state change, then the id. */
static int
compare_alarms (gconstpointer pa,
                gconstpointer pb)
{
  JsonObject *a = *(JsonObject * const *) pa;
  JsonObject *b = *(JsonObject * const *) pb;
  int ra = dc_alarm_priority_rank (json_object_get_string_member_with_default (a, "priority", ""));
  int rb = dc_alarm_priority_rank (json_object_get_string_member_with_default (b, "priority", ""));
  int since;
  gint64 ia, ib;

  if (ra != rb)
    return rb - ra;
  since = g_strcmp0 (json_object_get_string_member_with_default (b, "since", ""),
                     json_object_get_string_member_with_default (a, "since", ""));
  if (since != 0)
    return since;
  ia = json_object_get_int_member_with_default (a, "id", 0);
  ib = json_object_get_int_member_with_default (b, "id", 0);
  return ia > ib ? -1 : ia < ib;
}

static JsonArray *
remote_list_alarms (DcPlantSource *source,
                    gboolean       all)
{
  DcRemoteSource *self = (DcRemoteSource *) source;
  g_autoptr(GPtrArray) list = g_ptr_array_new ();
  JsonArray *array = json_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->alarms);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const char *state = json_object_get_string_member_with_default (value, "state", "");

      if (all || (!g_str_equal (state, "normal") && !g_str_equal (state, "shelved")))
        g_ptr_array_add (list, value);
    }
  g_ptr_array_sort (list, compare_alarms);
  for (guint i = 0; i < list->len; i++)
    json_array_add_object_element (array, json_object_ref (g_ptr_array_index (list, i)));
  return array;
}

static void
remote_alarm_action (DcPlantSource    *source,
                     gint64            id,
                     gboolean          shelve,
                     gint64            until_us,
                     const char       *comment,
                     DcSourceDoneFunc  done,
                     gpointer          user_data)
{
  DcRemoteSource *self = (DcRemoteSource *) source;
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *path = g_strdup_printf ("/api/v1/alarms/%" G_GINT64_FORMAT "/%s", id,
                                           shelve ? "shelve" : "ack");

  if (comment != NULL && comment[0] != '\0')
    json_object_set_string_member (body, "comment", comment);
  if (shelve)
    {
      g_autofree char *until = dc_time_format (until_us);

      json_object_set_string_member (body, "until", until);
    }
  json_node_set_object (node, body);
  /* The new state comes back through the stream. */
  _dc_remote_write (self, "POST", path, node, done, user_data);
}

/* POST /api/v1/alarms/ack {ids?, comment?} (docs/plugins.md). */
static void
remote_ack_all (DcPlantSource    *source,
                const gint64     *ids,
                guint             n_ids,
                const char       *comment,
                DcSourceDoneFunc  done,
                gpointer          user_data)
{
  DcRemoteSource *self = (DcRemoteSource *) source;
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  if (ids != NULL)
    {
      JsonArray *array = json_array_sized_new (n_ids);

      for (guint i = 0; i < n_ids; i++)
        json_array_add_int_element (array, ids[i]);
      json_object_set_array_member (body, "ids", array);
    }
  if (comment != NULL && comment[0] != '\0')
    json_object_set_string_member (body, "comment", comment);
  json_node_set_object (node, body);
  /* The new states come back through the stream. */
  _dc_remote_write (self, "POST", "/api/v1/alarms/ack", node, done, user_data);
}

static void
journal_ready_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(JsonNode) answer = _dc_remote_request_finish_type (result, JSON_NODE_ARRAY, "journal",
                                                               &error);

  if (answer == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, json_array_ref (json_node_get_array (answer)),
                           (GDestroyNotify) json_array_unref);
}

static void
remote_journal_async (DcPlantSource       *source,
                      gint64               from,
                      gint64               to,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  DcRemoteSource *self = (DcRemoteSource *) source;
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  GString *path = g_string_new ("/api/v1/alarms/journal");
  char sep = '?';

  /* Open ends (0, G_MAXINT64) are left out: the server's defaults. */
  if (from > 0)
    {
      g_autofree char *text = dc_time_format (from);
      g_autofree char *escaped = g_uri_escape_string (text, NULL, FALSE);

      g_string_append_printf (path, "%cfrom=%s", sep, escaped);
      sep = '&';
    }
  if (to < G_MAXINT64)
    {
      g_autofree char *text = dc_time_format (to);
      g_autofree char *escaped = g_uri_escape_string (text, NULL, FALSE);

      g_string_append_printf (path, "%cto=%s", sep, escaped);
    }
  g_task_set_source_tag (task, remote_journal_async);
  _dc_remote_request (self, "GET", path->str, NULL, cancellable, journal_ready_cb, task);
  g_string_free (path, TRUE);
}


void
_dc_remote_source_init_alarms (DcPlantSourceInterface *iface)
{
  iface->has_alarms = remote_has_alarms;
  iface->list_alarms = remote_list_alarms;
  iface->alarm_action = remote_alarm_action;
  iface->ack_all = remote_ack_all;
  iface->journal_async = remote_journal_async;
}
