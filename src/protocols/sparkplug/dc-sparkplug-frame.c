/* dc-sparkplug-frame.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The traffic frames of the southbound sparkplug driver: MQTT PUBLISH packets, their decoding
 * and the byte-by-byte notes of the traffic view (docs/sparkplug.md, "Traffic").
 */

#define G_LOG_DOMAIN "dc-sparkplug-host"

#include "config.h"

#include "dc-sparkplug-frame-private.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "dc-frame-notes.h"
#include "dc-number.h"
#include "dc-sparkplug-message.h"
#include "dc-time.h"

#define MAX_LISTED 64

guint8 *
dc_sparkplug_frame_build (const char   *topic,
                          const guint8 *payload,
                          gsize         payload_len,
                          int           qos,
                          gboolean      retain,
                          int           mid,
                          gsize        *len)
{
  gsize topic_len = strlen (topic);
  gsize remaining = 2 + topic_len + (qos > 0 ? 2 : 0) + payload_len;
  GByteArray *out = g_byte_array_sized_new ((guint) (remaining + 5));
  guint8 byte;

  byte = 0x30 | ((qos & 3) << 1) | (retain ? 1 : 0);
  g_byte_array_append (out, &byte, 1);
  /* Remaining length: 7 bits a byte, low first (MQTT 3.1.1 2.2.3). */
  do
    {
      byte = remaining % 128;
      remaining /= 128;
      if (remaining > 0)
        byte |= 0x80;
      g_byte_array_append (out, &byte, 1);
    }
  while (remaining > 0);
  byte = (guint8) (topic_len >> 8);
  g_byte_array_append (out, &byte, 1);
  byte = (guint8) (topic_len & 0xff);
  g_byte_array_append (out, &byte, 1);
  g_byte_array_append (out, (const guint8 *) topic, (guint) topic_len);
  if (qos > 0)
    {
      byte = (guint8) ((mid >> 8) & 0xff);
      g_byte_array_append (out, &byte, 1);
      byte = (guint8) (mid & 0xff);
      g_byte_array_append (out, &byte, 1);
    }
  if (payload_len > 0)
    g_byte_array_append (out, payload, (guint) payload_len);

  *len = out->len;
  return g_byte_array_free (out, FALSE);
}

/* The parts of a PUBLISH packet; FALSE when @bytes is not one. */
typedef struct
{
  int           qos;
  gsize         length_bytes;   /* bytes of the remaining length */
  gsize         topic_len;
  const char   *topic;
  gsize         payload_at;
} Parts;

static gboolean
parse (const guint8 *b,
       gsize         len,
       Parts        *p)
{
  gsize remaining = 0;
  gsize i = 1;
  guint shift = 0;

  memset (p, 0, sizeof *p);
  if (len < 2 || (b[0] & 0xf0) != 0x30)
    return FALSE;
  p->qos = (b[0] >> 1) & 3;
  for (;;)
    {
      if (i >= len || i > 4)
        return FALSE;
      remaining |= (gsize) (b[i] & 0x7f) << shift;
      shift += 7;
      if ((b[i++] & 0x80) == 0)
        break;
    }
  p->length_bytes = i - 1;
  if (remaining != len - i || len - i < 2)
    return FALSE;
  p->topic_len = ((gsize) b[i] << 8) | b[i + 1];
  i += 2;
  if (p->topic_len > len - i)
    return FALSE;
  p->topic = (const char *) b + i;
  i += p->topic_len;
  if (p->qos > 0)
    {
      if (len - i < 2)
        return FALSE;
      i += 2;
    }
  p->payload_at = i;
  return TRUE;
}

static void
add_metrics (JsonObject               *obj,
             const DcSparkplugMessage *message)
{
  JsonArray *metrics = json_array_new ();

  for (guint i = 0; i < message->metrics->len && i < MAX_LISTED; i++)
    {
      const DcSparkplugValue *v = &g_array_index (message->metrics, DcSparkplugValue, i);
      JsonObject *m = json_object_new ();
      const char *type = dc_sparkplug_datatype_name (v->datatype);

      if (v->name != NULL)
        json_object_set_string_member (m, "name", v->name);
      if (v->has_alias)
        json_object_set_int_member (m, "alias", (gint64) v->alias);
      if (type != NULL)
        json_object_set_string_member (m, "datatype", type);
      if (v->has_value && isfinite (v->value))
        json_object_set_double_member (m, "value", v->value);
      else
        json_object_set_null_member (m, "value");
      if (v->timestamp_ms != 0)
        {
          g_autofree char *t = dc_time_format ((gint64) v->timestamp_ms * 1000);

          json_object_set_string_member (m, "time", t);
        }
      if (v->unit != NULL)
        json_object_set_string_member (m, "unit", v->unit);
      if (v->has_quality)
        json_object_set_int_member (m, "quality", v->quality);
      if (v->is_historical)
        json_object_set_boolean_member (m, "historical", TRUE);
      json_array_add_object_element (metrics, m);
    }
  json_object_set_int_member (obj, "metrics_total", message->metrics->len);
  json_object_set_array_member (obj, "metrics", metrics);
}

char *
dc_sparkplug_frame_decode (const guint8  *bytes,
                           gsize          len,
                           JsonObject   **decoded,
                           char         **error)
{
  g_autoptr(JsonObject) obj = json_object_new ();
  g_autoptr(DcSparkplugMessage) message = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *topic = NULL;
  g_autofree char *group = NULL;
  g_autofree char *node = NULL;
  g_autofree char *device = NULL;
  GString *summary = g_string_new (NULL);
  DcSparkplugMessageType type;
  Parts p;

  if (error)
    *error = NULL;
  if (decoded)
    *decoded = NULL;

  if (!parse (bytes, len, &p))
    {
      g_string_append (summary, "malformed frame: not an MQTT PUBLISH packet");
      if (error)
        *error = g_strdup ("not an MQTT PUBLISH packet");
      return g_string_free (summary, FALSE);
    }
  topic = g_utf8_make_valid (p.topic, (gssize) p.topic_len);
  json_object_set_string_member (obj, "topic", topic);
  json_object_set_int_member (obj, "qos", p.qos);
  if (!dc_sparkplug_topic_parse (topic, &type, &group, &node, &device))
    {
      g_string_append_printf (summary, "PUBLISH %s", topic);
      goto out;
    }
  json_object_set_string_member (obj, "type_name", dc_sparkplug_message_type_name (type));
  if (group != NULL)
    json_object_set_string_member (obj, "group_id", group);
  if (node != NULL)
    json_object_set_string_member (obj, "edge_node_id", node);
  if (device != NULL)
    json_object_set_string_member (obj, "device_id", device);
  g_string_append_printf (summary, "%s %s", dc_sparkplug_message_type_name (type),
                          topic + strlen ("spBv1.0/"));
  if (type == DC_SPARKPLUG_STATE)
    goto out;

  message = dc_sparkplug_message_decode (bytes + p.payload_at, len - p.payload_at,
                                         &local_error);
  if (message == NULL)
    {
      if (error)
        *error = g_strdup (local_error->message);
      goto out;
    }
  if (message->has_seq)
    {
      json_object_set_int_member (obj, "seq", (gint64) message->seq);
      g_string_append_printf (summary, " seq %" G_GUINT64_FORMAT, message->seq);
    }
  if (message->has_timestamp)
    {
      g_autofree char *t = dc_time_format ((gint64) message->timestamp_ms * 1000);

      json_object_set_string_member (obj, "timestamp", t);
    }
  g_string_append_printf (summary, ": %u metric%s", message->metrics->len,
                          message->metrics->len == 1 ? "" : "s");
  add_metrics (obj, message);

out:
  if (decoded)
    *decoded = g_steal_pointer (&obj);
  return g_string_free (summary, FALSE);
}

/* A protobuf varint at *@off; FALSE at the end or when too long. */
static gboolean
read_varint (const guint8 *b,
             gsize         len,
             gsize         off,
             guint64      *value,
             gsize        *n)
{
  guint64 v = 0;

  for (gsize i = 0; i < 10 && off + i < len; i++)
    {
      v |= (guint64) (b[off + i] & 0x7f) << (7 * i);
      if ((b[off + i] & 0x80) == 0)
        {
          *value = v;
          *n = i + 1;
          return TRUE;
        }
    }
  return FALSE;
}

/* "metric 2: 1/level, alias 3, Double 2.5" for the traffic view. */
static char *
metric_label (const DcSparkplugMessage *message,
              guint                     index)
{
  GString *out = g_string_new (NULL);
  const DcSparkplugValue *v;
  const char *type;

  g_string_printf (out, _("metric %u"), index + 1);
  if (message == NULL || index >= message->metrics->len)
    return g_string_free (out, FALSE);
  v = &g_array_index (message->metrics, DcSparkplugValue, index);
  type = dc_sparkplug_datatype_name (v->datatype);
  g_string_append (out, ":");
  if (v->name != NULL)
    g_string_append_printf (out, " %s", v->name);
  if (v->has_alias)
    g_string_append_printf (out, _(" alias %" G_GUINT64_FORMAT), v->alias);
  if (type != NULL)
    g_string_append_printf (out, " %s", type);
  if (v->has_value)
    {
      g_autofree char *number = dc_number_format (v->value, -1);

      g_string_append_printf (out, " = %s", number);
    }
  else if (v->is_null)
    g_string_append (out, " = null");
  if (v->is_historical)
    g_string_append (out, _(" (historical)"));
  return g_string_free (out, FALSE);
}

/* @n bytes as @what, 8 a line. */
static void
note_long (GString      *out,
           const guint8 *b,
           gsize         len,
           gsize        *off,
           gsize         n,
           const char   *what)
{
  gsize end = MIN (len, *off + n);

  while (*off < end)
    dc_frame_note (out, b, end, off, 8, what);
}

void
dc_sparkplug_frame_describe (const guint8 *b,
                             gsize         len,
                             const char   *kind,
                             gsize        *off,
                             GString      *out)
{
  g_autoptr(DcSparkplugMessage) message = NULL;
  Parts p;
  guint metric = 0;

  if (!parse (b, len, &p))
    return;
  /* The metrics' names and values label their bytes. */
  message = dc_sparkplug_message_decode (b + p.payload_at, len - p.payload_at, NULL);
  dc_frame_note (out, b, len, off, 1, _("PUBLISH, QoS and retain flags"));
  dc_frame_note (out, b, len, off, p.length_bytes, _("remaining length"));
  dc_frame_note (out, b, len, off, 2, _("topic length"));
  note_long (out, b, len, off, p.topic_len, _("topic"));
  if (p.qos > 0)
    dc_frame_note (out, b, len, off, 2, _("packet identifier"));

  /* The payload's top-level fields: Payload.timestamp (1), metrics (2), seq (3). */
  while (*off < len)
    {
      guint64 tag, value;
      gsize n_tag, n_value;
      g_autofree char *what = NULL;

      if (!read_varint (b, len, *off, &tag, &n_tag))
        return;
      switch (tag)
        {
        case (1 << 3) | 0:
          if (!read_varint (b, len, *off + n_tag, &value, &n_value))
            return;
          dc_frame_note (out, b, len, off, n_tag + n_value, _("payload timestamp (ms)"));
          break;
        case (3 << 3) | 0:
          if (!read_varint (b, len, *off + n_tag, &value, &n_value))
            return;
          what = g_strdup_printf (_("seq %" G_GUINT64_FORMAT), value);
          dc_frame_note (out, b, len, off, n_tag + n_value, what);
          break;
        case (2 << 3) | 2:
          if (!read_varint (b, len, *off + n_tag, &value, &n_value) ||
              value > len - *off - n_tag - n_value)
            return;
          what = metric_label (message, metric++);
          dc_frame_note (out, b, len, off, n_tag + n_value, _("metric: field 2, length"));
          note_long (out, b, len, off, value, what);
          break;
        default:
          return;
        }
    }
}
