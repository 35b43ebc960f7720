/* dc-sparkplug-message.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-sparkplug"

#include "config.h"

#include "dc-sparkplug-message.h"

#include <string.h>

#include "dc-error.h"
#include "dc-sparkplug-payload.h"
#include "sparkplug_b.pb-c.h"

typedef Org__Eclipse__Tahu__Protobuf__Payload               Payload;
typedef Org__Eclipse__Tahu__Protobuf__Payload__Metric       Metric;
typedef Org__Eclipse__Tahu__Protobuf__Payload__PropertyValue PropertyValue;

static const char * const type_names[] = {
  [DC_SPARKPLUG_NBIRTH] = "NBIRTH",
  [DC_SPARKPLUG_NDEATH] = "NDEATH",
  [DC_SPARKPLUG_DBIRTH] = "DBIRTH",
  [DC_SPARKPLUG_DDEATH] = "DDEATH",
  [DC_SPARKPLUG_NDATA] = "NDATA",
  [DC_SPARKPLUG_DDATA] = "DDATA",
  [DC_SPARKPLUG_NCMD] = "NCMD",
  [DC_SPARKPLUG_DCMD] = "DCMD",
  [DC_SPARKPLUG_STATE] = "STATE",
};

static const char * const datatype_names[] = {
  NULL, "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64", "Float",
  "Double", "Boolean", "String", "DateTime", "Text",
};

const char *
dc_sparkplug_message_type_name (DcSparkplugMessageType type)
{
  g_return_val_if_fail (type <= DC_SPARKPLUG_STATE, NULL);

  return type_names[type];
}

gboolean
dc_sparkplug_topic_parse (const char              *topic,
                          DcSparkplugMessageType  *type,
                          char                   **group,
                          char                   **edge_node,
                          char                   **device)
{
  g_auto(GStrv) parts = NULL;
  guint n;
  int found = -1;

  g_return_val_if_fail (topic != NULL, FALSE);

  parts = g_strsplit (topic, "/", 0);
  n = g_strv_length (parts);
  if (n < 3 || strcmp (parts[0], "spBv1.0") != 0)
    return FALSE;

  if (n == 3 && strcmp (parts[1], "STATE") == 0 && parts[2][0] != '\0')
    {
      if (type)
        *type = DC_SPARKPLUG_STATE;
      if (group)
        *group = NULL;
      if (edge_node)
        *edge_node = NULL;
      if (device)
        *device = g_strdup (parts[2]);
      return TRUE;
    }
  if (n != 4 && n != 5)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (type_names); i++)
    if (i != DC_SPARKPLUG_STATE && strcmp (parts[2], type_names[i]) == 0)
      found = (int) i;
  if (found < 0 || parts[1][0] == '\0' || parts[3][0] == '\0')
    return FALSE;
  /* Device messages name a device; node messages do not. */
  if ((n == 5) != (found == DC_SPARKPLUG_DBIRTH || found == DC_SPARKPLUG_DDEATH ||
                   found == DC_SPARKPLUG_DDATA || found == DC_SPARKPLUG_DCMD))
    return FALSE;
  if (n == 5 && parts[4][0] == '\0')
    return FALSE;

  if (type)
    *type = (DcSparkplugMessageType) found;
  if (group)
    *group = g_strdup (parts[1]);
  if (edge_node)
    *edge_node = g_strdup (parts[3]);
  if (device)
    *device = n == 5 ? g_strdup (parts[4]) : NULL;
  return TRUE;
}

const char *
dc_sparkplug_datatype_name (guint32 datatype)
{
  if (datatype >= G_N_ELEMENTS (datatype_names))
    return NULL;
  return datatype_names[datatype];
}

guint32
dc_sparkplug_datatype_from_name (const char *name)
{
  if (name == NULL)
    return 0;
  for (guint i = 1; i < G_N_ELEMENTS (datatype_names); i++)
    if (strcmp (datatype_names[i], name) == 0)
      return i;
  return 0;
}

double
dc_sparkplug_integer_value (guint64 raw,
                            guint32 datatype)
{
  switch (datatype)
    {
    case DC_SPARKPLUG_INT8:
      return (gint8) raw;
    case DC_SPARKPLUG_INT16:
      return (gint16) raw;
    case DC_SPARKPLUG_INT32:
      return (gint32) raw;
    case DC_SPARKPLUG_INT64:
    case DC_SPARKPLUG_DATETIME:
      return (double) (gint64) raw;
    default:
      return (double) raw;
    }
}

static void
value_clear (gpointer data)
{
  DcSparkplugValue *value = data;

  g_clear_pointer (&value->name, g_free);
  g_clear_pointer (&value->unit, g_free);
}

/* A property's value as an unsigned integer (quality codes). */
static gboolean
property_get_integer (const PropertyValue *v,
                      guint64             *out)
{
  if (v == NULL || (v->has_is_null && v->is_null))
    return FALSE;
  switch (v->value_case)
    {
    case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__PROPERTY_VALUE__VALUE_INT_VALUE:
      *out = v->int_value;
      return TRUE;
    case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__PROPERTY_VALUE__VALUE_LONG_VALUE:
      *out = v->long_value;
      return TRUE;
    case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__PROPERTY_VALUE__VALUE__NOT_SET:
    case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__PROPERTY_VALUE__VALUE_FLOAT_VALUE:
    case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__PROPERTY_VALUE__VALUE_DOUBLE_VALUE:
    case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__PROPERTY_VALUE__VALUE_BOOLEAN_VALUE:
    case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__PROPERTY_VALUE__VALUE_STRING_VALUE:
    default:
      return FALSE;
    }
}

static void
read_properties (const Metric     *m,
                 DcSparkplugValue *out)
{
  const char *eng_unit = NULL;

  if (m->properties == NULL)
    return;
  for (gsize i = 0; i < m->properties->n_keys && i < m->properties->n_values; i++)
    {
      const char *key = m->properties->keys[i];
      const PropertyValue *v = m->properties->values[i];
      gboolean is_string = v != NULL && !(v->has_is_null && v->is_null) &&
        v->value_case == ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__PROPERTY_VALUE__VALUE_STRING_VALUE;
      guint64 code;

      if (key == NULL)
        continue;
      if (strcmp (key, "unit") == 0 && is_string && out->unit == NULL)
        out->unit = g_strdup (v->string_value);
      else if (strcmp (key, "engUnit") == 0 && is_string)
        eng_unit = v->string_value;
      else if (strcmp (key, "quality") == 0 && property_get_integer (v, &code))
        {
          out->has_quality = TRUE;
          out->quality = (guint32) code;
        }
      else if (strcmp (key, "Quality") == 0 && !out->has_quality &&
               property_get_integer (v, &code))
        {
          /* The OPC codes most hosts use: 192 good, 500 stale, 0 (and anything else) bad. */
          out->has_quality = TRUE;
          out->quality = code == 192 ? 0 : code == 500 ? 0x40 /* not topical */ : 0x80;
        }
    }
  if (out->unit == NULL && eng_unit != NULL)
    out->unit = g_strdup (eng_unit);
}

static void
read_value (const Metric     *m,
            DcSparkplugValue *out)
{
  if (m->has_is_null && m->is_null)
    {
      out->is_null = TRUE;
      return;
    }
  out->has_value = TRUE;
  switch (m->value_case)
    {
    case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_INT_VALUE:
      out->is_integer = TRUE;
      out->raw_integer = m->int_value;
      out->value = dc_sparkplug_integer_value (m->int_value, out->datatype);
      break;
    case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_LONG_VALUE:
      out->is_integer = TRUE;
      out->raw_integer = m->long_value;
      out->value = dc_sparkplug_integer_value (m->long_value, out->datatype);
      break;
    case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_FLOAT_VALUE:
      out->value = m->float_value;
      break;
    case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_DOUBLE_VALUE:
      out->value = m->double_value;
      break;
    case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_BOOLEAN_VALUE:
      out->value = m->boolean_value ? 1.0 : 0.0;
      break;
    case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE__NOT_SET:
      /* No value field and not null: a birth of a value not known yet. */
      out->has_value = FALSE;
      out->is_null = TRUE;
      break;
    case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_STRING_VALUE:
    case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_BYTES_VALUE:
    case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_DATASET_VALUE:
    case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_TEMPLATE_VALUE:
    case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_EXTENSION_VALUE:
    default:
      out->has_value = FALSE;
      break;
    }
}

DcSparkplugMessage *
dc_sparkplug_message_decode (const guint8  *data,
                             gsize          len,
                             GError       **error)
{
  Payload *payload;
  DcSparkplugMessage *message;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  payload = org__eclipse__tahu__protobuf__payload__unpack (NULL, len, data);
  if (payload == NULL)
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID, "not a Sparkplug B payload");
      return NULL;
    }

  message = g_new0 (DcSparkplugMessage, 1);
  message->has_timestamp = payload->has_timestamp;
  message->timestamp_ms = payload->timestamp;
  message->has_seq = payload->has_seq;
  message->seq = payload->seq;
  message->metrics = g_array_sized_new (FALSE, TRUE, sizeof (DcSparkplugValue),
                                        payload->n_metrics);
  g_array_set_clear_func (message->metrics, value_clear);
  for (gsize i = 0; i < payload->n_metrics; i++)
    {
      const Metric *m = payload->metrics[i];
      DcSparkplugValue value = { 0 };

      value.name = g_strdup (m->name);
      value.has_alias = m->has_alias;
      value.alias = m->alias;
      value.timestamp_ms = m->has_timestamp ? m->timestamp : 0;
      value.datatype = m->has_datatype ? m->datatype : 0;
      value.is_historical = m->has_is_historical && m->is_historical;
      value.is_transient = m->has_is_transient && m->is_transient;
      read_value (m, &value);
      read_properties (m, &value);
      g_array_append_val (message->metrics, value);
    }
  org__eclipse__tahu__protobuf__payload__free_unpacked (payload, NULL);

  return message;
}

void
dc_sparkplug_message_free (DcSparkplugMessage *message)
{
  if (message == NULL)
    return;
  g_clear_pointer (&message->metrics, g_array_unref);
  g_free (message);
}
