/* dc-plant-source-samples.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-plant-source"

#include "config.h"

#include <math.h>
#include <string.h>

#include "dc-error.h"
#include "dc-local-source.h"
#include "dc-plant-source-samples.h"
#include "dc-remote-source-private.h"
#include "dc-time.h"

/* Raw samples of one point for the Trend page's export and the History page (docs/ui.md):
 * locally from the engine's history, remotely through `datas` (docs/rest.md). */

typedef struct
{
  gint64   key;
  gboolean truncated;
} SamplesData;

static void
local_ready_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SamplesData *data = g_task_get_task_data (task);
  GError *error = NULL;
  GArray *samples;

  samples = dc_history_query_samples_finish (DC_HISTORY (object), result, &data->truncated,
                                             &error);
  if (samples == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, samples, (GDestroyNotify) g_array_unref);
}

GArray *
dc_plant_source_parse_samples_csv (const char  *text,
                                   gsize        length,
                                   gint64       key,
                                   GError     **error)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (DcSample));
  g_autofree char *copy = g_strndup (text, length);
  g_auto(GStrv) lines = g_strsplit (copy, "\n", -1);

  /* The first line is the header "time,value,quality". */
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;
      DcSample s = { key, 0, NAN, 0 };
      guint64 quality = 0;
      char *end = NULL;

      g_strchomp (lines[i]);
      if (lines[i][0] == '\0')
        continue;
      fields = g_strsplit (lines[i], ",", 3);
      if (g_strv_length (fields) != 3 || !dc_time_parse (fields[0], &s.time) ||
          !g_ascii_string_to_unsigned (fields[2], 10, 0, G_MAXUINT32, &quality, NULL))
        {
          g_set_error (error, DC_ERROR, DC_ERROR_INTERNAL, "samples: malformed line %u", i + 1);
          return NULL;
        }
      if (fields[1][0] != '\0')
        {
          s.value = g_ascii_strtod (fields[1], &end);
          if (end == NULL || *end != '\0')
            {
              g_set_error (error, DC_ERROR, DC_ERROR_INTERNAL, "samples: malformed value on line %u",
                           i + 1);
              return NULL;
            }
        }
      s.quality = (guint32) quality;
      g_array_append_val (samples, s);
    }
  return g_steal_pointer (&samples);
}

static void
remote_ready_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SamplesData *data = g_task_get_task_data (task);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  g_autoptr(GBytes) bytes = _dc_remote_reply_bytes (object, result, task);
  GError *error = NULL;
  const char *text;
  gsize size = 0;
  GArray *samples;

  if (bytes == NULL)
    return;
  text = g_bytes_get_data (bytes, &size);
  data->truncated = g_strcmp0 (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                             "X-DataColl-Truncated"), "true") == 0;
  samples = dc_plant_source_parse_samples_csv (text ? text : "", size, data->key, &error);
  if (samples == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, samples, (GDestroyNotify) g_array_unref);
}

static void
remote_samples (DcRemoteSource *self,
                DcPointRow     *row,
                gint64          from,
                gint64          to,
                guint           limit,
                GCancellable   *cancellable,
                GTask          *task)
{
  g_autofree char *d = g_uri_escape_string (dc_point_row_get_device_id (row), NULL, FALSE);
  g_autofree char *t = g_uri_escape_string (dc_point_row_get_term_id (row), NULL, FALSE);
  g_autofree char *i = g_uri_escape_string (dc_point_row_get_item_id (row), NULL, FALSE);
  g_autoptr(GString) uri = g_string_new (self->url);
  g_autoptr(SoupMessage) msg = NULL;

  g_string_append_printf (uri, "/api/v1/devices/%s/terms/%s/items/%s/datas?format=csv", d, t, i);
  if (limit > 0)
    g_string_append_printf (uri, "&limit=%u", limit);
  if (from != G_MININT64)
    {
      g_autofree char *text = dc_time_format (from);
      g_autofree char *escaped = g_uri_escape_string (text, NULL, FALSE);

      g_string_append_printf (uri, "&from=%s", escaped);
    }
  if (to != G_MAXINT64)
    {
      g_autofree char *text = dc_time_format (to);
      g_autofree char *escaped = g_uri_escape_string (text, NULL, FALSE);

      g_string_append_printf (uri, "&to=%s", escaped);
    }
  msg = soup_message_new ("GET", uri->str);
  if (msg == NULL)
    {
      g_task_return_new_error (task, DC_ERROR, DC_ERROR_INVALID, "invalid request %s", uri->str);
      g_object_unref (task);
      return;
    }
  _dc_remote_prepare_message (self, msg);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    remote_ready_cb, task);
}

void
dc_plant_source_samples_async (DcPlantSource       *self,
                               DcPointRow          *row,
                               gint64               from,
                               gint64               to,
                               guint                limit,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;
  SamplesData *data;

  g_return_if_fail (DC_IS_PLANT_SOURCE (self));
  g_return_if_fail (DC_IS_POINT_ROW (row));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, dc_plant_source_samples_async);
  data = g_new0 (SamplesData, 1);
  data->key = dc_point_row_get_key (row);
  g_task_set_task_data (task, data, g_free);

  if (DC_IS_REMOTE_SOURCE (self))
    {
      remote_samples (DC_REMOTE_SOURCE (self), row, from, to, limit, cancellable, task);
      return;
    }
  {
    DcEngine *engine = dc_plant_source_get_local_engine (self);
    DcHistory *history = engine ? dc_engine_get_history (engine) : NULL;

    if (history == NULL)
      {
        g_task_return_new_error (task, DC_ERROR, DC_ERROR_NOT_FOUND, "no history");
        g_object_unref (task);
        return;
      }
    dc_history_query_samples_async (history, data->key, from, to, limit, cancellable,
                                    local_ready_cb, task);
  }
}

GArray *
dc_plant_source_samples_finish (DcPlantSource  *self,
                                GAsyncResult   *result,
                                gboolean       *truncated,
                                GError        **error)
{
  GArray *samples;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  samples = g_task_propagate_pointer (G_TASK (result), error);
  if (truncated != NULL)
    *truncated = samples != NULL && ((SamplesData *) g_task_get_task_data (G_TASK (result)))->truncated;
  return samples;
}
