/* dc-sparkplug-payload.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-sparkplug"

#include "config.h"

#include "dc-sparkplug-payload.h"

#include "dc-error.h"
#include "sparkplug_b.pb-c.h"

typedef Org__Eclipse__Tahu__Protobuf__Payload               Payload;
typedef Org__Eclipse__Tahu__Protobuf__Payload__Metric       Metric;
typedef Org__Eclipse__Tahu__Protobuf__Payload__PropertySet  PropertySet;
typedef Org__Eclipse__Tahu__Protobuf__Payload__PropertyValue PropertyValue;

/* The storage of one encoded metric: the message and its properties live side by side so
 * that one allocation per metric is enough. */
typedef struct
{
  Metric         metric;
  PropertySet    properties;
  char          *keys[2];
  PropertyValue  values[2];
  PropertyValue *value_ptrs[2];
} MetricStore;

static void
metric_store_fill (MetricStore             *store,
                   const DcSparkplugMetric *in)
{
  Metric *m = &store->metric;
  guint n = 0;

  org__eclipse__tahu__protobuf__payload__metric__init (m);
  m->name = (char *) in->name;
  /* Alias 0 = none (point keys start at 1; node metrics have no alias). */
  m->has_alias = in->alias != 0;
  m->alias = in->alias;
  m->has_timestamp = TRUE;
  m->timestamp = in->timestamp_ms;
  /* DATA messages name the alias only; the datatype is the birth's. */
  if (in->name != NULL)
    {
      m->has_datatype = TRUE;
      m->datatype = in->datatype;
    }
  if (in->is_historical)
    {
      m->has_is_historical = TRUE;
      m->is_historical = TRUE;
    }
  if (in->is_null)
    {
      m->has_is_null = TRUE;
      m->is_null = TRUE;
    }
  else if (in->datatype == DC_SPARKPLUG_BOOLEAN)
    {
      m->value_case = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_BOOLEAN_VALUE;
      m->boolean_value = in->value != 0.0;
    }
  else if (in->datatype == DC_SPARKPLUG_INT64)
    {
      m->value_case = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_LONG_VALUE;
      m->long_value = (guint64) in->long_value;
    }
  else if (in->datatype == DC_SPARKPLUG_UINT64 || in->datatype == DC_SPARKPLUG_DATETIME)
    {
      m->value_case = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_LONG_VALUE;
      m->long_value = (guint64) in->value;
    }
  else if (in->datatype >= DC_SPARKPLUG_INT8 && in->datatype <= DC_SPARKPLUG_UINT32)
    {
      /* The 32-bit field, two's complement for the signed types (Sparkplug B 3.0). */
      m->value_case = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_INT_VALUE;
      m->int_value = in->datatype <= DC_SPARKPLUG_INT32 ?
        (guint32) (gint32) in->value : (guint32) in->value;
    }
  else if (in->datatype == DC_SPARKPLUG_FLOAT)
    {
      m->value_case = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_FLOAT_VALUE;
      m->float_value = (float) in->value;
    }
  else
    {
      m->value_case = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_DOUBLE_VALUE;
      m->double_value = in->value;
    }

  if (in->unit != NULL)
    {
      PropertyValue *v = &store->values[n];

      org__eclipse__tahu__protobuf__payload__property_value__init (v);
      v->has_type = TRUE;
      v->type = DC_SPARKPLUG_STRING;
      v->value_case = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__PROPERTY_VALUE__VALUE_STRING_VALUE;
      v->string_value = (char *) in->unit;
      store->keys[n] = (char *) "unit";
      store->value_ptrs[n] = v;
      n++;
    }
  if (in->has_quality)
    {
      PropertyValue *v = &store->values[n];

      org__eclipse__tahu__protobuf__payload__property_value__init (v);
      v->has_type = TRUE;
      v->type = DC_SPARKPLUG_INT32;
      v->value_case = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__PROPERTY_VALUE__VALUE_INT_VALUE;
      v->int_value = in->quality;
      store->keys[n] = (char *) "quality";
      store->value_ptrs[n] = v;
      n++;
    }
  if (n > 0)
    {
      org__eclipse__tahu__protobuf__payload__property_set__init (&store->properties);
      store->properties.n_keys = n;
      store->properties.keys = store->keys;
      store->properties.n_values = n;
      store->properties.values = store->value_ptrs;
      m->properties = &store->properties;
    }
}

GBytes *
dc_sparkplug_payload_encode (guint64                  timestamp_ms,
                             gint                     seq,
                             const DcSparkplugMetric *metrics,
                             guint                    n_metrics)
{
  Payload payload = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__INIT;
  g_autofree MetricStore *stores = g_new0 (MetricStore, MAX (n_metrics, 1));
  g_autofree Metric **ptrs = g_new0 (Metric *, MAX (n_metrics, 1));
  guint8 *buffer;
  gsize size;

  g_return_val_if_fail (n_metrics == 0 || metrics != NULL, NULL);

  for (guint i = 0; i < n_metrics; i++)
    {
      metric_store_fill (&stores[i], &metrics[i]);
      ptrs[i] = &stores[i].metric;
    }
  payload.has_timestamp = TRUE;
  payload.timestamp = timestamp_ms;
  payload.n_metrics = n_metrics;
  payload.metrics = ptrs;
  if (seq >= 0)
    {
      payload.has_seq = TRUE;
      payload.seq = (guint64) seq;
    }

  size = org__eclipse__tahu__protobuf__payload__get_packed_size (&payload);
  buffer = g_malloc (MAX (size, 1));
  org__eclipse__tahu__protobuf__payload__pack (&payload, buffer);

  return g_bytes_new_take (buffer, size);
}

GBytes *
dc_sparkplug_payload_encode_death (guint64 timestamp_ms,
                                   guint64 bd_seq)
{
  DcSparkplugMetric metric = {
    .name = "bdSeq",
    .timestamp_ms = timestamp_ms,
    .datatype = DC_SPARKPLUG_INT64,
    .long_value = (gint64) bd_seq,
  };
  Payload payload = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__INIT;
  MetricStore store = { 0 };
  Metric *ptr = &store.metric;
  guint8 *buffer;
  gsize size;

  metric_store_fill (&store, &metric);
  payload.has_timestamp = TRUE;
  payload.timestamp = timestamp_ms;
  payload.n_metrics = 1;
  payload.metrics = &ptr;

  size = org__eclipse__tahu__protobuf__payload__get_packed_size (&payload);
  buffer = g_malloc (MAX (size, 1));
  org__eclipse__tahu__protobuf__payload__pack (&payload, buffer);

  return g_bytes_new_take (buffer, size);
}

void
dc_sparkplug_command_clear (DcSparkplugCommand *command)
{
  g_clear_pointer (&command->name, g_free);
}

/* The metric's value as a double, by its value field and (for the integer fields) the
 * datatype's signedness and width. */
static gboolean
metric_get_value (const Metric *m,
                  double       *value)
{
  guint32 type = m->has_datatype ? m->datatype : 0;

  if (m->has_is_null && m->is_null)
    return FALSE;

  switch (m->value_case)
    {
    case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_INT_VALUE:
      if (type == DC_SPARKPLUG_INT8)
        *value = (gint8) m->int_value;
      else if (type == DC_SPARKPLUG_INT16)
        *value = (gint16) m->int_value;
      else if (type == DC_SPARKPLUG_INT32)
        *value = (gint32) m->int_value;
      else
        *value = m->int_value;
      return TRUE;
    case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_LONG_VALUE:
      if (type == DC_SPARKPLUG_INT64)
        *value = (double) (gint64) m->long_value;
      else
        *value = (double) m->long_value;
      return TRUE;
    case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_FLOAT_VALUE:
      *value = m->float_value;
      return TRUE;
    case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_DOUBLE_VALUE:
      *value = m->double_value;
      return TRUE;
    case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_BOOLEAN_VALUE:
      *value = m->boolean_value ? 1.0 : 0.0;
      return TRUE;
    case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE__NOT_SET:
    case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_STRING_VALUE:
    case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_BYTES_VALUE:
    case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_DATASET_VALUE:
    case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_TEMPLATE_VALUE:
    case ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_EXTENSION_VALUE:
    default:
      return FALSE;
    }
}

GArray *
dc_sparkplug_payload_decode (const guint8  *data,
                             gsize          len,
                             guint64       *seq,
                             GError       **error)
{
  Payload *payload;
  GArray *commands;

  payload = org__eclipse__tahu__protobuf__payload__unpack (NULL, len, data);
  if (payload == NULL)
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID, "not a Sparkplug B payload");
      return NULL;
    }

  commands = g_array_sized_new (FALSE, TRUE, sizeof (DcSparkplugCommand), payload->n_metrics);
  g_array_set_clear_func (commands, (GDestroyNotify) dc_sparkplug_command_clear);
  for (gsize i = 0; i < payload->n_metrics; i++)
    {
      const Metric *m = payload->metrics[i];
      DcSparkplugCommand command = { 0 };

      command.name = g_strdup (m->name);
      command.has_alias = m->has_alias;
      command.alias = m->alias;
      command.datatype = m->has_datatype ? m->datatype : 0;
      command.has_value = metric_get_value (m, &command.value);
      g_array_append_val (commands, command);
    }
  if (seq != NULL)
    *seq = payload->has_seq ? payload->seq : 0;

  org__eclipse__tahu__protobuf__payload__free_unpacked (payload, NULL);

  return commands;
}
