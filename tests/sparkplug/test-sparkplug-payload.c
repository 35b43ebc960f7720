/* test-sparkplug-payload.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The Sparkplug B payload codec (docs/sparkplug.md): births with properties, data by alias,
 * deaths with bdSeq, and the value conversions of commands (signed widths, null, strings).
 */

#include "config.h"

#include "dc-error.h"
#include "dc-sparkplug-payload.h"
#include "sparkplug_b.pb-c.h"

typedef Org__Eclipse__Tahu__Protobuf__Payload Payload;

static Payload *
unpack (GBytes *bytes)
{
  Payload *p = org__eclipse__tahu__protobuf__payload__unpack (NULL, g_bytes_get_size (bytes),
                                                              g_bytes_get_data (bytes, NULL));

  g_assert_nonnull (p);
  return p;
}

static void
test_birth (void)
{
  DcSparkplugMetric metrics[] = {
    { .name = "t1/temp", .alias = 7, .timestamp_ms = 1000, .datatype = DC_SPARKPLUG_DOUBLE,
      .value = 21.5, .unit = "degC", .has_quality = TRUE, .quality = 0x100 },
    { .name = "t1/run", .alias = 8, .timestamp_ms = 1000, .datatype = DC_SPARKPLUG_BOOLEAN,
      .is_null = TRUE, .has_quality = TRUE },
  };
  g_autoptr(GBytes) bytes = dc_sparkplug_payload_encode (2000, 3, metrics, 2);
  Payload *p = unpack (bytes);
  Org__Eclipse__Tahu__Protobuf__Payload__Metric *m;

  g_assert_true (p->has_seq);
  g_assert_cmpuint (p->seq, ==, 3);
  g_assert_cmpuint (p->timestamp, ==, 2000);
  g_assert_cmpuint (p->n_metrics, ==, 2);
  m = p->metrics[0];
  g_assert_cmpstr (m->name, ==, "t1/temp");
  g_assert_cmpuint (m->alias, ==, 7);
  g_assert_cmpuint (m->datatype, ==, DC_SPARKPLUG_DOUBLE);
  g_assert_cmpfloat (m->double_value, ==, 21.5);
  g_assert_nonnull (m->properties);
  g_assert_cmpuint (m->properties->n_keys, ==, 2);
  g_assert_cmpstr (m->properties->keys[0], ==, "unit");
  g_assert_cmpstr (m->properties->values[0]->string_value, ==, "degC");
  g_assert_cmpstr (m->properties->keys[1], ==, "quality");
  g_assert_cmpuint (m->properties->values[1]->type, ==, DC_SPARKPLUG_INT32);
  g_assert_cmpuint (m->properties->values[1]->int_value, ==, 0x100);
  m = p->metrics[1];
  g_assert_true (m->has_is_null && m->is_null);
  g_assert_cmpint (m->value_case, ==,
                   ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE__NOT_SET);
  org__eclipse__tahu__protobuf__payload__free_unpacked (p, NULL);
}

static void
test_data_by_alias (void)
{
  DcSparkplugMetric metric = { .alias = 9, .timestamp_ms = 5, .datatype = DC_SPARKPLUG_BOOLEAN,
                               .value = 1, .is_historical = TRUE };
  g_autoptr(GBytes) bytes = dc_sparkplug_payload_encode (5, 255, &metric, 1);
  Payload *p = unpack (bytes);

  g_assert_cmpuint (p->seq, ==, 255);
  g_assert_null (p->metrics[0]->name);
  g_assert_false (p->metrics[0]->has_datatype);
  g_assert_true (p->metrics[0]->is_historical);
  g_assert_true (p->metrics[0]->boolean_value);
  g_assert_null (p->metrics[0]->properties);
  org__eclipse__tahu__protobuf__payload__free_unpacked (p, NULL);
}

static void
test_death (void)
{
  g_autoptr(GBytes) bytes = dc_sparkplug_payload_encode_death (10, 42);
  Payload *p = unpack (bytes);

  g_assert_false (p->has_seq);
  g_assert_cmpuint (p->n_metrics, ==, 1);
  g_assert_cmpstr (p->metrics[0]->name, ==, "bdSeq");
  g_assert_false (p->metrics[0]->has_alias);
  g_assert_cmpuint (p->metrics[0]->datatype, ==, DC_SPARKPLUG_INT64);
  g_assert_cmpuint (p->metrics[0]->long_value, ==, 42);
  org__eclipse__tahu__protobuf__payload__free_unpacked (p, NULL);
}

/* Encodes commands with protobuf-c directly, as a host would. */
static GArray *
decode_one (Org__Eclipse__Tahu__Protobuf__Payload__Metric *m)
{
  Payload p = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__INIT;
  guint8 buffer[256];
  gsize size;
  g_autoptr(GError) error = NULL;
  GArray *commands;

  p.n_metrics = 1;
  p.metrics = &m;
  p.has_seq = TRUE;
  p.seq = 12;
  size = org__eclipse__tahu__protobuf__payload__pack (&p, buffer);
  commands = dc_sparkplug_payload_decode (buffer, size, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (commands->len, ==, 1);
  return commands;
}

static void
test_command_values (void)
{
  Org__Eclipse__Tahu__Protobuf__Payload__Metric m =
    ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__INIT;
  g_autoptr(GArray) c = NULL;

  m.name = (char *) "t1/sp";
  m.has_datatype = TRUE;
  m.datatype = DC_SPARKPLUG_INT8;
  m.value_case = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_INT_VALUE;
  m.int_value = 0xFFFFFFFE;
  c = decode_one (&m);
  g_assert_cmpstr (g_array_index (c, DcSparkplugCommand, 0).name, ==, "t1/sp");
  g_assert_true (g_array_index (c, DcSparkplugCommand, 0).has_value);
  g_assert_cmpfloat (g_array_index (c, DcSparkplugCommand, 0).value, ==, -2);
  g_clear_pointer (&c, g_array_unref);

  m.datatype = DC_SPARKPLUG_UINT32;
  c = decode_one (&m);
  g_assert_cmpfloat (g_array_index (c, DcSparkplugCommand, 0).value, ==, 4294967294.0);
  g_clear_pointer (&c, g_array_unref);

  m.datatype = DC_SPARKPLUG_INT64;
  m.value_case = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_LONG_VALUE;
  m.long_value = G_MAXUINT64 - 4;
  c = decode_one (&m);
  g_assert_cmpfloat (g_array_index (c, DcSparkplugCommand, 0).value, ==, -5);
  g_clear_pointer (&c, g_array_unref);

  m.datatype = DC_SPARKPLUG_FLOAT;
  m.value_case = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_FLOAT_VALUE;
  m.float_value = 1.25f;
  m.name = NULL;
  m.has_alias = TRUE;
  m.alias = 77;
  c = decode_one (&m);
  g_assert_null (g_array_index (c, DcSparkplugCommand, 0).name);
  g_assert_true (g_array_index (c, DcSparkplugCommand, 0).has_alias);
  g_assert_cmpuint (g_array_index (c, DcSparkplugCommand, 0).alias, ==, 77);
  g_assert_cmpfloat (g_array_index (c, DcSparkplugCommand, 0).value, ==, 1.25);
  g_clear_pointer (&c, g_array_unref);

  m.has_is_null = TRUE;
  m.is_null = TRUE;
  c = decode_one (&m);
  g_assert_false (g_array_index (c, DcSparkplugCommand, 0).has_value);
  g_clear_pointer (&c, g_array_unref);

  m.has_is_null = FALSE;
  m.datatype = DC_SPARKPLUG_STRING;
  m.value_case = ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_STRING_VALUE;
  m.string_value = (char *) "12";
  c = decode_one (&m);
  g_assert_false (g_array_index (c, DcSparkplugCommand, 0).has_value);
}

static void
test_garbage (void)
{
  const guint8 garbage[] = { 0x12, 0x05, 0x0a, 0xff, 0xff };
  g_autoptr(GError) error = NULL;
  GArray *commands = dc_sparkplug_payload_decode (garbage, sizeof garbage, NULL, &error);

  g_assert_null (commands);
  g_assert_error (error, DC_ERROR, DC_ERROR_INVALID);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sparkplug/payload/birth", test_birth);
  g_test_add_func ("/sparkplug/payload/data-by-alias", test_data_by_alias);
  g_test_add_func ("/sparkplug/payload/death", test_death);
  g_test_add_func ("/sparkplug/payload/command-values", test_command_values);
  g_test_add_func ("/sparkplug/payload/garbage", test_garbage);

  return g_test_run ();
}
