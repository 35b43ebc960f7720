/* test-sparkplug-frame.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The southbound sparkplug protocol's pieces without a broker (docs/sparkplug.md,
 * "Southbound"): the points' ids and addresses made from metric names, which metrics are
 * points, the device and point checks of the descriptor, and the traffic frames (PUBLISH
 * packets built, decoded and described byte by byte; malformed ones refused).
 */

#include "config.h"

#include <string.h>

#include "dc-error.h"
#include "dc-protocol.h"
#include "dc-protocols.h"
#include "dc-sparkplug-birth-private.h"
#include "dc-sparkplug-frame-private.h"
#include "dc-sparkplug-payload.h"

static void
test_ids (void)
{
  g_autofree char *term = NULL;
  g_autofree char *item = NULL;
  g_autofree char *address = NULL;
  g_autofree char *long_name = g_strnfill (70, 'x');
  DcSparkplugValue value = { 0 };

  g_assert_true (dc_sparkplug_point_ids ("edgeA", "plc", "1/level", &term, &item));
  g_assert_cmpstr (term, ==, "edgeA.plc.1");
  g_assert_cmpstr (item, ==, "level");
  g_clear_pointer (&term, g_free);
  g_clear_pointer (&item, g_free);

  /* Node metrics, folders, characters an id may not have. */
  g_assert_true (dc_sparkplug_point_ids ("cen", NULL, "Inputs/Pump 1/run:state", &term, &item));
  g_assert_cmpstr (term, ==, "cen.Inputs.Pump_1");
  g_assert_cmpstr (item, ==, "run_state");
  g_clear_pointer (&term, g_free);
  g_clear_pointer (&item, g_free);
  g_assert_true (dc_sparkplug_point_ids ("cen", NULL, "temp", &term, &item));
  g_assert_cmpstr (term, ==, "cen");
  g_assert_cmpstr (item, ==, "temp");

  g_assert_false (dc_sparkplug_point_ids ("cen", "plc", "folder/", &term, &item));
  g_assert_false (dc_sparkplug_point_ids ("cen", "plc", long_name, &term, &item));

  address = dc_sparkplug_address ("plc", "1/level");
  g_assert_cmpstr (address, ==, "plc/1/level");
  g_free (address);
  address = dc_sparkplug_address (NULL, "temp");
  g_assert_cmpstr (address, ==, "/temp");

  value.name = (char *) "1/level";
  value.datatype = DC_SPARKPLUG_DOUBLE;
  g_assert_true (dc_sparkplug_metric_is_point (&value));
  value.datatype = DC_SPARKPLUG_STRING;
  g_assert_false (dc_sparkplug_metric_is_point (&value));
  value.datatype = DC_SPARKPLUG_INT64;
  value.name = (char *) "bdSeq";
  g_assert_false (dc_sparkplug_metric_is_point (&value));
  value.name = (char *) "Node Control/Rebirth";
  value.datatype = DC_SPARKPLUG_BOOLEAN;
  g_assert_false (dc_sparkplug_metric_is_point (&value));
  value.name = (char *) "x";
  value.datatype = 0;
  g_assert_false (dc_sparkplug_metric_is_point (&value));
  value.has_value = TRUE;
  g_assert_true (dc_sparkplug_metric_is_point (&value));
}

static void
expect_invalid (DcKind      kind,
                const char *json,
                const char *message)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (dc_model_validate (kind, json_node_get_object (node), "sparkplug", &error));
  g_assert_error (error, DC_ERROR, DC_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, message);
}

static void
expect_valid (DcKind      kind,
              const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (dc_model_validate (kind, json_node_get_object (node), "sparkplug", &error));
  g_assert_no_error (error);
}

static void
test_checks (void)
{
  expect_valid (DC_KIND_DEVICE, "{\"id\":\"e\",\"protocol\":\"sparkplug\",\"group_id\":\"G\","
                "\"edge_node_id\":\"n\"}");
  expect_invalid (DC_KIND_DEVICE, "{\"id\":\"e\",\"protocol\":\"sparkplug\",\"edge_node_id\":\"n\"}",
                  "missing field: group_id");
  expect_invalid (DC_KIND_DEVICE, "{\"id\":\"e\",\"protocol\":\"sparkplug\",\"group_id\":\"G\","
                  "\"edge_node_id\":\"a#\"}",
                  "field edge_node_id must be a non-empty string without '/', '+' or '#'");
  expect_invalid (DC_KIND_DEVICE, "{\"id\":\"e\",\"protocol\":\"sparkplug\",\"group_id\":\"G\","
                  "\"edge_node_id\":\"n\",\"password_file\":\"/p\"}",
                  "field password_file needs field username");
  expect_invalid (DC_KIND_DEVICE, "{\"id\":\"e\",\"protocol\":\"sparkplug\",\"group_id\":\"G\","
                  "\"edge_node_id\":\"n\",\"username\":\"u\",\"password_file\":\"p\"}",
                  "field password_file must be an absolute path");

  expect_valid (DC_KIND_POINT, "{\"term_id\":\"t\",\"item_id\":\"i\",\"protocol_code\":"
                "\"plc/1/level\",\"code_type\":\"Double\"}");
  expect_valid (DC_KIND_POINT, "{\"term_id\":\"t\",\"item_id\":\"i\",\"protocol_code\":\"/temp\"}");
  expect_invalid (DC_KIND_POINT, "{\"term_id\":\"t\",\"item_id\":\"i\"}",
                  "missing field: protocol_code");
  expect_invalid (DC_KIND_POINT, "{\"term_id\":\"t\",\"item_id\":\"i\",\"protocol_code\":\"x\"}",
                  "field protocol_code must be \"<device>/<metric>\" or \"/<metric>\" "
                  "(Sparkplug address)");
  expect_invalid (DC_KIND_POINT, "{\"term_id\":\"t\",\"item_id\":\"i\",\"protocol_code\":\"/x\","
                  "\"code_type\":\"String\"}",
                  "field code_type must be a Sparkplug datatype: Int8, Int16, Int32, Int64, "
                  "UInt8, UInt16, UInt32, UInt64, Float, Double, Boolean or DateTime");
}

static void
test_frames (void)
{
  DcSparkplugMetric metric = { .name = "1/level", .alias = 3, .timestamp_ms = 1700000000000,
                               .datatype = DC_SPARKPLUG_DOUBLE, .value = 2.5, .unit = "m" };
  g_autoptr(GBytes) payload = dc_sparkplug_payload_encode (1700000000000, 9, &metric, 1);
  const DcProtocol *protocol;
  g_autoptr(JsonObject) decoded = NULL;
  g_autoptr(GString) notes = g_string_new (NULL);
  g_autofree guint8 *frame = NULL;
  g_autofree guint8 *frame_qos = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *error = NULL;
  JsonObject *m;
  gsize len, len_qos, off = 0;

  frame = dc_sparkplug_frame_build ("spBv1.0/Plant/DDATA/edge1/plc",
                                    g_bytes_get_data (payload, NULL), g_bytes_get_size (payload),
                                    0, FALSE, 0, &len);
  g_assert_cmphex (frame[0], ==, 0x30);
  g_assert_cmpuint (frame[1], ==, len - 2);  /* short enough for one length byte */
  summary = dc_sparkplug_frame_decode (frame, len, &decoded, &error);
  g_assert_null (error);
  g_assert_cmpstr (summary, ==, "DDATA Plant/DDATA/edge1/plc seq 9: 1 metric");
  g_assert_cmpstr (json_object_get_string_member (decoded, "type_name"), ==, "DDATA");
  g_assert_cmpstr (json_object_get_string_member (decoded, "device_id"), ==, "plc");
  g_assert_cmpint (json_object_get_int_member (decoded, "seq"), ==, 9);
  m = json_array_get_object_element (json_object_get_array_member (decoded, "metrics"), 0);
  g_assert_cmpstr (json_object_get_string_member (m, "name"), ==, "1/level");
  g_assert_cmpint (json_object_get_int_member (m, "alias"), ==, 3);
  g_assert_cmpfloat (json_object_get_double_member (m, "value"), ==, 2.5);
  g_assert_cmpstr (json_object_get_string_member (m, "unit"), ==, "m");

  /* The traffic view's notes: the header, the topic, then the payload's fields. */
  dc_protocols_register_all ();
  protocol = dc_protocol_lookup ("sparkplug");
  g_assert_nonnull (protocol);
  g_assert_cmpuint (protocol->default_port, ==, 1883);
  protocol->describe_frame (frame, len, "DDATA", &off, notes);
  g_assert_cmpuint (off, ==, len);
  g_assert_nonnull (strstr (notes->str, "topic length"));
  g_assert_nonnull (strstr (notes->str, "seq 9"));
  g_assert_nonnull (strstr (notes->str, "metric 1: 1/level alias 3 Double = 2.5"));

  /* QoS 1 carries a packet id; a long payload needs two length bytes. */
  {
    g_autofree guint8 *big = g_malloc0 (300);

    frame_qos = dc_sparkplug_frame_build ("spBv1.0/Plant/NCMD/edge1", big, 300, 1, FALSE, 0x1234,
                                          &len_qos);
    g_assert_cmphex (frame_qos[0], ==, 0x32);
    g_assert_cmphex (frame_qos[1] & 0x80, ==, 0x80);
    g_clear_pointer (&summary, g_free);
    g_clear_pointer (&decoded, json_object_unref);
    summary = dc_sparkplug_frame_decode (frame_qos, len_qos, &decoded, &error);
    g_assert_cmpint (json_object_get_int_member (decoded, "qos"), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (decoded, "type_name"), ==, "NCMD");
    /* 300 zero bytes are not a payload. */
    g_assert_nonnull (error);
    g_clear_pointer (&error, g_free);
  }

  /* Not a PUBLISH, or cut short: an error, no notes. */
  for (gsize cut = 0; cut < len; cut++)
    {
      g_autofree char *s = NULL;
      g_autofree char *e = NULL;
      g_autoptr(JsonObject) d = NULL;

      s = dc_sparkplug_frame_decode (frame, cut, &d, &e);
      g_assert_nonnull (s);
      /* Cut inside the header: not a PUBLISH packet. */
      if (cut < len)
        g_assert_nonnull (e);
    }
  frame[0] = 0x20;
  g_clear_pointer (&summary, g_free);
  summary = dc_sparkplug_frame_decode (frame, len, NULL, &error);
  g_assert_cmpstr (error, ==, "not an MQTT PUBLISH packet");
  off = 0;
  g_string_truncate (notes, 0);
  protocol->describe_frame (frame, len, "", &off, notes);
  g_assert_cmpuint (off, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  dc_protocols_register_all ();
  g_test_add_func ("/sparkplug/host/ids", test_ids);
  g_test_add_func ("/sparkplug/host/checks", test_checks);
  g_test_add_func ("/sparkplug/host/frames", test_frames);
  return g_test_run ();
}
