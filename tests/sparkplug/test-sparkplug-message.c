/* test-sparkplug-message.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The host's side of the codec (docs/sparkplug.md, "Southbound"): topic names, datatype
 * names, and births and data decoded metric by metric (signed widths, null, strings,
 * historical, unit and quality properties).
 */

#include "config.h"

#include "dc-error.h"
#include "dc-sparkplug-message.h"
#include "dc-sparkplug-payload.h"
#include "sparkplug_b.pb-c.h"

typedef Org__Eclipse__Tahu__Protobuf__Payload               Payload;
typedef Org__Eclipse__Tahu__Protobuf__Payload__Metric       Metric;
typedef Org__Eclipse__Tahu__Protobuf__Payload__PropertySet  PropertySet;
typedef Org__Eclipse__Tahu__Protobuf__Payload__PropertyValue PropertyValue;

static void
test_topics (void)
{
  DcSparkplugMessageType type;
  g_autofree char *group = NULL;
  g_autofree char *node = NULL;
  g_autofree char *device = NULL;
  const char *bad[] = {
    "spBv1.0/G/NDATA/n/dev",      /* node message with a device */
    "spBv1.0/G/DDATA/n",          /* device message without one */
    "spBv1.0/G/XDATA/n",
    "spBv1.0//NBIRTH/n",
    "spBv1.0/G/DBIRTH/n/",
    "spAv1.0/G/NBIRTH/n",
    "spBv1.0/G/NBIRTH",
    "spBv1.0/G/DDATA/n/d/extra",
    "spBv1.0/STATE/",
  };

  g_assert_true (dc_sparkplug_topic_parse ("spBv1.0/Plant/DDATA/edge1/plc", &type, &group, &node,
                                           &device));
  g_assert_cmpint (type, ==, DC_SPARKPLUG_DDATA);
  g_assert_cmpstr (group, ==, "Plant");
  g_assert_cmpstr (node, ==, "edge1");
  g_assert_cmpstr (device, ==, "plc");
  g_clear_pointer (&group, g_free);
  g_clear_pointer (&node, g_free);
  g_clear_pointer (&device, g_free);

  g_assert_true (dc_sparkplug_topic_parse ("spBv1.0/Plant/NDEATH/edge1", &type, &group, &node,
                                           &device));
  g_assert_cmpint (type, ==, DC_SPARKPLUG_NDEATH);
  g_assert_null (device);
  g_assert_true (dc_sparkplug_topic_parse ("spBv1.0/STATE/host", &type, NULL, NULL, NULL));
  g_assert_cmpint (type, ==, DC_SPARKPLUG_STATE);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_false (dc_sparkplug_topic_parse (bad[i], NULL, NULL, NULL, NULL));

  g_assert_cmpstr (dc_sparkplug_message_type_name (DC_SPARKPLUG_DBIRTH), ==, "DBIRTH");
  g_assert_cmpstr (dc_sparkplug_datatype_name (DC_SPARKPLUG_UINT16), ==, "UInt16");
  g_assert_null (dc_sparkplug_datatype_name (0));
  g_assert_null (dc_sparkplug_datatype_name (99));
  for (guint32 t = 1; t <= 14; t++)
    g_assert_cmpuint (dc_sparkplug_datatype_from_name (dc_sparkplug_datatype_name (t)), ==, t);
  g_assert_cmpuint (dc_sparkplug_datatype_from_name ("double"), ==, 0);
  g_assert_cmpuint (dc_sparkplug_datatype_from_name (NULL), ==, 0);
}

/* A metric with a string property @key (or an integer one when @text is NULL). */
static void
set_property (Metric        *m,
              PropertySet   *set,
              char         **keys,
              PropertyValue *value,
              PropertyValue **values,
              const char    *key,
              const char    *text,
              guint32        number)
{
  org__eclipse__tahu__protobuf__payload__property_set__init (set);
  org__eclipse__tahu__protobuf__payload__property_value__init (value);
  keys[0] = (char *) key;
  values[0] = value;
  if (text != NULL)
    {
      value->value_case = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__PROPERTY_VALUE__VALUE_STRING_VALUE;
      value->string_value = (char *) text;
    }
  else
    {
      value->value_case = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__PROPERTY_VALUE__VALUE_INT_VALUE;
      value->int_value = number;
    }
  set->n_keys = set->n_values = 1;
  set->keys = keys;
  set->values = values;
  m->properties = set;
}

static DcSparkplugMessage *
decode (Payload *payload)
{
  gsize size = org__eclipse__tahu__protobuf__payload__get_packed_size (payload);
  g_autofree guint8 *buffer = g_malloc (MAX (size, 1));
  g_autoptr(GError) error = NULL;
  DcSparkplugMessage *message;

  org__eclipse__tahu__protobuf__payload__pack (payload, buffer);
  message = dc_sparkplug_message_decode (buffer, size, &error);
  g_assert_no_error (error);
  return message;
}

#define N 9

static void
test_decode (void)
{
  Payload payload = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__INIT;
  Metric metrics[N];
  Metric *ptrs[N];
  PropertySet sets[N];
  char *keys[N][1];
  PropertyValue values[N];
  PropertyValue *value_ptrs[N][1];
  g_autoptr(DcSparkplugMessage) message = NULL;
  const DcSparkplugValue *v;

  for (guint i = 0; i < N; i++)
    {
      org__eclipse__tahu__protobuf__payload__metric__init (&metrics[i]);
      ptrs[i] = &metrics[i];
    }
  payload.has_timestamp = TRUE;
  payload.timestamp = 1700000000000;
  payload.has_seq = TRUE;
  payload.seq = 7;
  payload.n_metrics = N;
  payload.metrics = ptrs;

  /* 0: Int8 -1 in the 32-bit field, with a unit. */
  metrics[0].name = (char *) "1/a";
  metrics[0].has_alias = TRUE;
  metrics[0].alias = 5;
  metrics[0].has_datatype = TRUE;
  metrics[0].datatype = DC_SPARKPLUG_INT8;
  metrics[0].value_case = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_INT_VALUE;
  metrics[0].int_value = 0xff;
  set_property (&metrics[0], &sets[0], keys[0], &values[0], value_ptrs[0], "unit", "kV", 0);
  /* 1: Int64 -3, historical with its own time. */
  metrics[1].has_datatype = TRUE;
  metrics[1].datatype = DC_SPARKPLUG_INT64;
  metrics[1].value_case = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_LONG_VALUE;
  metrics[1].long_value = (guint64) -3;
  metrics[1].has_is_historical = TRUE;
  metrics[1].is_historical = TRUE;
  metrics[1].has_timestamp = TRUE;
  metrics[1].timestamp = 1600000000000;
  /* 2: an alias only, the 32-bit field without datatype (DATA). */
  metrics[2].has_alias = TRUE;
  metrics[2].alias = 6;
  metrics[2].value_case = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_INT_VALUE;
  metrics[2].int_value = 0xfffffffe;
  /* 3: null. */
  metrics[3].has_is_null = TRUE;
  metrics[3].is_null = TRUE;
  metrics[3].value_case = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_DOUBLE_VALUE;
  /* 4: a string: no value. */
  metrics[4].value_case = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_STRING_VALUE;
  metrics[4].string_value = (char *) "text";
  /* 5: Float with engUnit; 6: Boolean with DataColl's quality; 7, 8: OPC Quality 500, 0. */
  metrics[5].value_case = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_FLOAT_VALUE;
  metrics[5].float_value = 1.5f;
  set_property (&metrics[5], &sets[5], keys[5], &values[5], value_ptrs[5], "engUnit", "A", 0);
  metrics[6].value_case = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_BOOLEAN_VALUE;
  metrics[6].boolean_value = TRUE;
  set_property (&metrics[6], &sets[6], keys[6], &values[6], value_ptrs[6], "quality", NULL,
                0x100);
  metrics[7].value_case = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_DOUBLE_VALUE;
  set_property (&metrics[7], &sets[7], keys[7], &values[7], value_ptrs[7], "Quality", NULL, 500);
  set_property (&metrics[8], &sets[8], keys[8], &values[8], value_ptrs[8], "Quality", NULL, 0);

  message = decode (&payload);
  g_assert_true (message->has_seq);
  g_assert_cmpuint (message->seq, ==, 7);
  g_assert_cmpuint (message->timestamp_ms, ==, 1700000000000);
  g_assert_cmpuint (message->metrics->len, ==, N);

  v = &g_array_index (message->metrics, DcSparkplugValue, 0);
  g_assert_cmpstr (v->name, ==, "1/a");
  g_assert_true (v->has_alias && v->alias == 5);
  g_assert_true (v->has_value && v->value == -1);
  g_assert_cmpstr (v->unit, ==, "kV");
  g_assert_false (v->has_quality);
  v = &g_array_index (message->metrics, DcSparkplugValue, 1);
  g_assert_true (v->has_value && v->value == -3);
  g_assert_true (v->is_historical);
  g_assert_cmpuint (v->timestamp_ms, ==, 1600000000000);
  v = &g_array_index (message->metrics, DcSparkplugValue, 2);
  g_assert_null (v->name);
  g_assert_true (v->is_integer);
  g_assert_cmpfloat (v->value, ==, 4294967294.0);
  g_assert_cmpfloat (dc_sparkplug_integer_value (v->raw_integer, DC_SPARKPLUG_INT32), ==, -2);
  g_assert_cmpfloat (dc_sparkplug_integer_value (v->raw_integer, DC_SPARKPLUG_UINT32), ==,
                     4294967294.0);
  g_assert_cmpfloat (dc_sparkplug_integer_value (0xfffe, DC_SPARKPLUG_INT16), ==, -2);
  v = &g_array_index (message->metrics, DcSparkplugValue, 3);
  g_assert_true (v->is_null && !v->has_value);
  v = &g_array_index (message->metrics, DcSparkplugValue, 4);
  g_assert_false (v->has_value);
  g_assert_false (v->is_null);
  v = &g_array_index (message->metrics, DcSparkplugValue, 5);
  g_assert_true (v->has_value && v->value == 1.5);
  g_assert_cmpstr (v->unit, ==, "A");
  v = &g_array_index (message->metrics, DcSparkplugValue, 6);
  g_assert_true (v->has_value && v->value == 1.0);
  g_assert_true (v->has_quality && v->quality == 0x100);
  v = &g_array_index (message->metrics, DcSparkplugValue, 7);
  g_assert_true (v->has_quality && v->quality == 0x40);
  v = &g_array_index (message->metrics, DcSparkplugValue, 8);
  g_assert_true (v->has_quality && v->quality == 0x80);
  /* No value field and not null: a value not known yet. */
  g_assert_true (v->is_null && !v->has_value);
}

static void
test_garbage (void)
{
  const guint8 garbage[] = { 0x0a, 0xff, 0xff, 0xff };
  g_autoptr(GError) error = NULL;
  DcSparkplugMessage *message;

  message = dc_sparkplug_message_decode (garbage, sizeof garbage, &error);
  g_assert_null (message);
  g_assert_error (error, DC_ERROR, DC_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "not a Sparkplug B payload");
}

static void
test_typed_commands (void)
{
  /* DCMD values go out in the datatype's own field (dc_sparkplug_payload_encode). */
  DcSparkplugMetric metrics[] = {
    { .name = "a", .datatype = DC_SPARKPLUG_INT16, .value = -2 },
    { .name = "b", .datatype = DC_SPARKPLUG_UINT32, .value = 4000000000.0 },
    { .name = "c", .datatype = DC_SPARKPLUG_FLOAT, .value = 2.5 },
    { .name = "d", .datatype = DC_SPARKPLUG_UINT64, .value = 5e15 },
  };
  g_autoptr(GBytes) bytes = dc_sparkplug_payload_encode (1, -1, metrics, G_N_ELEMENTS (metrics));
  g_autoptr(DcSparkplugMessage) message =
    dc_sparkplug_message_decode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL);
  double want[] = { -2, 4000000000.0, 2.5, 5e15 };

  g_assert_nonnull (message);
  g_assert_false (message->has_seq);
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      const DcSparkplugValue *v = &g_array_index (message->metrics, DcSparkplugValue, i);

      g_assert_cmpuint (v->datatype, ==, metrics[i].datatype);
      g_assert_true (v->has_value);
      g_assert_cmpfloat (v->value, ==, want[i]);
      g_assert_true (v->is_integer == (metrics[i].datatype != DC_SPARKPLUG_FLOAT));
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sparkplug/message/topics", test_topics);
  g_test_add_func ("/sparkplug/message/decode", test_decode);
  g_test_add_func ("/sparkplug/message/garbage", test_garbage);
  g_test_add_func ("/sparkplug/message/typed-commands", test_typed_commands);
  return g_test_run ();
}
