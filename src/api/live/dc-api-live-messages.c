/* dc-api-live-messages.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-api-live"

#include "config.h"

#include "dc-api-live-private.h"

#include <math.h>
#include <string.h>

#include "dc-json.h"
#include "dc-time.h"

/* The JSON messages of the stream (docs/rest.md), the names of the points they carry and the
 * subscription patterns that pick them. Sample JSON is written directly into a GString with a
 * precomputed per-point prefix and a per-second cached time prefix. */

/* JSON helpers */

/* RFC 3339 with six fraction digits; the seconds part is cached (samples of a batch share it). */
static void
append_time (GString *out,
             gint64   time_us)
{
  static gint64 cached_secs = G_MININT64;
  static char cached[32];
  gint64 secs = time_us / G_USEC_PER_SEC;
  gint64 usec = time_us % G_USEC_PER_SEC;

  if (usec < 0)
    {
      usec += G_USEC_PER_SEC;
      secs -= 1;
    }

  if (secs != cached_secs)
    {
      g_autofree char *full = dc_time_format (secs * G_USEC_PER_SEC);

      /* "YYYY-MM-DDTHH:MM:SS" without ".000000Z" */
      g_strlcpy (cached, full, MIN (sizeof cached, strlen (full) - 7));
      cached_secs = secs;
    }

  g_string_append_c (out, '"');
  g_string_append (out, cached);
  g_string_append_printf (out, ".%06dZ\"", (int) usec);
}

static void
append_sample (GString              *out,
               const DcLivePointRef *ref,
               const DcSample       *sample)
{
  g_string_append (out, ref->prefix);
  g_string_append (out, "\"time\":");
  append_time (out, sample->time);
  g_string_append (out, ",\"value\":");
  dc_json_append_double (out, sample->value);
  g_string_append_printf (out, ",\"quality\":%u}",
                          sample->quality | (isfinite (sample->value) ? 0 : DC_QUALITY_INVALID));
}

/* Points */

void
dc_live_point_ref_free (gpointer data)
{
  DcLivePointRef *ref = data;

  g_free (ref->device_id);
  g_free (ref->term_id);
  g_free (ref->item_id);
  g_free (ref->prefix);
  g_free (ref);
}

void
dc_live_add_point_ref (DcApiLive  *self,
                       gint64      key,
                       const char *device_id,
                       const char *term_id,
                       const char *item_id)
{
  DcLivePointRef *ref = g_new0 (DcLivePointRef, 1);
  GString *prefix = g_string_new ("{\"device_id\":");

  ref->key = key;
  ref->device_id = g_strdup (device_id);
  ref->term_id = g_strdup (term_id);
  ref->item_id = g_strdup (item_id);
  dc_json_append_string (prefix, device_id);
  g_string_append (prefix, ",\"term_id\":");
  dc_json_append_string (prefix, term_id);
  g_string_append (prefix, ",\"item_id\":");
  dc_json_append_string (prefix, item_id);
  g_string_append_c (prefix, ',');
  ref->prefix = g_string_free (prefix, FALSE);

  g_hash_table_replace (self->points, &ref->key, ref);
}

void
dc_live_ensure_points (DcApiLive *self)
{
  g_autoptr(GPtrArray) infos = NULL;

  if (self->points_loaded)
    return;

  infos = dc_store_list_point_infos (self->store);
  for (guint i = 0; i < infos->len; i++)
    {
      DcPointInfo *info = g_ptr_array_index (infos, i);

      dc_live_add_point_ref (self, info->key, info->device_id, info->term_id, info->item_id);
    }
  self->points_loaded = TRUE;
}

DcLivePointRef *
dc_live_lookup_point (DcApiLive *self,
                      gint64     key)
{
  return g_hash_table_lookup (self->points, &key);
}

/* Patterns */

void
dc_live_pattern_free (gpointer data)
{
  DcLivePattern *pattern = data;

  g_free (pattern->device_id);
  g_free (pattern->term_id);
  g_free (pattern->item_id);
  g_free (pattern);
}

/* "d:t:i", "d:t:*", "d:*", "*" */
DcLivePattern *
dc_live_pattern_parse (const char *text)
{
  g_auto(GStrv) parts = NULL;
  DcLivePattern *pattern;
  guint n;

  if (text == NULL || *text == '\0')
    return NULL;

  parts = g_strsplit (text, ":", -1);
  n = g_strv_length (parts);
  for (guint i = 0; i < n; i++)
    if (*parts[i] == '\0' || (strchr (parts[i], '*') != NULL && (i != n - 1 || !g_str_equal (parts[i], "*"))))
      return NULL;
  if (n > 3 || (n == 1 && !g_str_equal (parts[0], "*")) || (n == 2 && !g_str_equal (parts[1], "*")))
    return NULL;

  pattern = g_new0 (DcLivePattern, 1);
  if (n >= 2)
    pattern->device_id = g_strdup (parts[0]);
  if (n == 3)
    {
      pattern->term_id = g_strdup (parts[1]);
      if (!g_str_equal (parts[2], "*"))
        pattern->item_id = g_strdup (parts[2]);
    }

  return pattern;
}

gboolean
dc_live_client_wants_point (DcLiveClient         *client,
                            const DcLivePointRef *ref)
{
  if (client->patterns == NULL)
    return TRUE;

  for (guint i = 0; i < client->patterns->len; i++)
    {
      DcLivePattern *p = g_ptr_array_index (client->patterns, i);

      if ((p->device_id == NULL || g_str_equal (p->device_id, ref->device_id)) &&
          (p->term_id == NULL || g_str_equal (p->term_id, ref->term_id)) &&
          (p->item_id == NULL || g_str_equal (p->item_id, ref->item_id)))
        return TRUE;
    }

  return FALSE;
}

gboolean
dc_live_client_wants_device (DcLiveClient *client,
                             const char   *device_id)
{
  if (client->patterns == NULL)
    return TRUE;

  for (guint i = 0; i < client->patterns->len; i++)
    {
      DcLivePattern *p = g_ptr_array_index (client->patterns, i);

      if (p->device_id == NULL || g_str_equal (p->device_id, device_id))
        return TRUE;
    }

  return FALSE;
}

/* Messages */

char *
dc_live_build_samples_message (DcApiLive      *self,
                               const char     *type,
                               DcLiveClient   *client,   /* NULL: no filter */
                               const DcSample *samples,
                               guint           n_samples,
                               guint          *n_out)
{
  GString *out = g_string_sized_new (64 + (gsize) n_samples * 120);
  guint n = 0;

  g_string_append (out, "{\"type\":\"");
  g_string_append (out, type);
  g_string_append (out, "\",\"samples\":[");
  for (guint i = 0; i < n_samples; i++)
    {
      DcLivePointRef *ref = dc_live_lookup_point (self, samples[i].key);

      if (ref == NULL || (client != NULL && !dc_live_client_wants_point (client, ref)))
        continue;
      if (n > 0)
        g_string_append_c (out, ',');
      append_sample (out, ref, &samples[i]);
      n++;
    }
  g_string_append (out, "]}");

  if (n_out != NULL)
    *n_out = n;

  return g_string_free (out, FALSE);
}

char *
dc_live_build_device_message (const char *device_id,
                              const char *state,
                              const char *last_error)
{
  GString *out = g_string_new ("{\"type\":\"device\",\"device_id\":");

  dc_json_append_string (out, device_id);
  g_string_append (out, ",\"state\":");
  dc_json_append_string (out, state);
  g_string_append (out, ",\"last_error\":");
  if (last_error != NULL)
    dc_json_append_string (out, last_error);
  else
    g_string_append (out, "null");
  g_string_append_c (out, '}');

  return g_string_free (out, FALSE);
}

char *
dc_live_build_config_message (DcKind      kind,
                              DcChangeOp  op,
                              const char *id,
                              const char *old_id)
{
  GString *out = g_string_new ("{\"type\":\"config\",\"kind\":");

  dc_json_append_string (out, dc_kind_to_string (kind));
  g_string_append (out, ",\"op\":");
  dc_json_append_string (out, dc_change_op_to_string (op));
  g_string_append (out, ",\"id\":");
  dc_json_append_string (out, id);
  if (old_id != NULL)
    {
      g_string_append (out, ",\"old_id\":");
      dc_json_append_string (out, old_id);
    }
  g_string_append_c (out, '}');

  return g_string_free (out, FALSE);
}

char *
dc_live_build_alarm_message (JsonObject *alarm)
{
  g_autoptr(JsonObject) copy = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(GList) members = NULL;

  json_object_set_string_member (copy, "type", "alarm");
  members = json_object_get_members (alarm);
  for (GList *l = members; l != NULL; l = l->next)
    if (!g_str_equal (l->data, "type"))
      json_object_set_member (copy, l->data, json_node_copy (json_object_get_member (alarm, l->data)));
  json_node_set_object (node, copy);
  /* dc_json_to_string: NaN/Inf go out as null, non-ASCII as UTF-8 (docs/rest.md). */
  return dc_json_to_string (node, NULL);
}

char *
dc_live_build_error_message (const char *message)
{
  GString *out = g_string_new ("{\"type\":\"error\",\"message\":");

  dc_json_append_string (out, message);
  g_string_append_c (out, '}');

  return g_string_free (out, FALSE);
}

GPtrArray *
dc_live_build_snapshot (DcApiLive    *self,
                        DcLiveClient *client)
{
  GPtrArray *messages = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) samples = NULL;

  dc_live_ensure_points (self);

  if (self->snapshot_func != NULL)
    samples = self->snapshot_func (self->snapshot_data);
  if (samples == NULL)
    samples = g_array_new (FALSE, FALSE, sizeof (DcSample));

  g_ptr_array_add (messages,
                   dc_live_build_samples_message (self, "snapshot", client,
                                                  (const DcSample *) samples->data, samples->len,
                                                  NULL));

  /* Then the state of every subscribed device (ext): a new client, and one that lost events
   * to an overflow, learns the links as they are now. */
  if (self->drivers != NULL)
    {
      g_autoptr(GPtrArray) ids = dc_store_list_ids (self->store, DC_KIND_DEVICE);

      for (guint i = 0; i < ids->len; i++)
        {
          const char *device_id = g_ptr_array_index (ids, i);
          g_autoptr(JsonNode) status = NULL;
          JsonObject *object;
          const char *last_error;

          if (!dc_live_client_wants_device (client, device_id))
            continue;
          status = dc_engine_drivers_build_status (self->drivers, device_id, NULL);
          if (status == NULL)
            continue;
          object = json_node_get_object (status);
          last_error = json_object_get_null_member (object, "last_error")
                       ? NULL
                       : json_object_get_string_member (object, "last_error");
          g_ptr_array_add (messages,
                           dc_live_build_device_message (device_id,
                                                         json_object_get_string_member (object,
                                                                                        "state"),
                                                         last_error));
        }
    }

  return messages;
}
