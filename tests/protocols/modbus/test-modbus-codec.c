/* test-modbus-codec.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "dc-error.h"
#include "dc-modbus-codec.h"

static DcModbusCodeType
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  DcModbusCodeType ct;

  g_assert_true (dc_modbus_code_type_parse (text, &ct, &error));
  g_assert_no_error (error);
  return ct;
}

static void
test_code_type_parse (void)
{
  static const struct { const char *text; DcModbusTable table; DcModbusType type;
                        DcModbusOrder order; int bit; const char *canon; } ok[] = {
    { "co:bool", DC_MODBUS_TABLE_CO, DC_MODBUS_TYPE_BOOL, DC_MODBUS_ORDER_ABCD, 0, "co:bool" },
    { "di:bool", DC_MODBUS_TABLE_DI, DC_MODBUS_TYPE_BOOL, DC_MODBUS_ORDER_ABCD, 0, "di:bool" },
    { "hr:u16", DC_MODBUS_TABLE_HR, DC_MODBUS_TYPE_U16, DC_MODBUS_ORDER_ABCD, 0, "hr:u16" },
    { "ir:i16", DC_MODBUS_TABLE_IR, DC_MODBUS_TYPE_I16, DC_MODBUS_ORDER_ABCD, 0, "ir:i16" },
    { "hr:f32:cdab", DC_MODBUS_TABLE_HR, DC_MODBUS_TYPE_F32, DC_MODBUS_ORDER_CDAB, 0, "hr:f32:cdab" },
    { "ir:f32", DC_MODBUS_TABLE_IR, DC_MODBUS_TYPE_F32, DC_MODBUS_ORDER_ABCD, 0, "ir:f32:abcd" },
    { "hr:f64:dcba", DC_MODBUS_TABLE_HR, DC_MODBUS_TYPE_F64, DC_MODBUS_ORDER_DCBA, 0, "hr:f64:dcba" },
    { "hr:u64:badc", DC_MODBUS_TABLE_HR, DC_MODBUS_TYPE_U64, DC_MODBUS_ORDER_BADC, 0, "hr:u64:badc" },
    { "hr:bit15", DC_MODBUS_TABLE_HR, DC_MODBUS_TYPE_BIT, DC_MODBUS_ORDER_ABCD, 15, "hr:bit15" },
    { "ir:bit0", DC_MODBUS_TABLE_IR, DC_MODBUS_TYPE_BIT, DC_MODBUS_ORDER_ABCD, 0, "ir:bit0" },
  };
  static const char * const bad[] = {
    "", "hr", "hr:u16:abcd:x", "xx:u16", "hr:u8", "hr:bool", "co:u16", "hr:bit16", "hr:bit",
    "hr:f32:abdc", "co:bool:abcd", "hr:bitx",
  };

  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      DcModbusCodeType ct = parse_ok (ok[i].text);
      g_autofree char *canon = dc_modbus_code_type_to_string (&ct);

      g_assert_cmpint (ct.table, ==, ok[i].table);
      g_assert_cmpint (ct.type, ==, ok[i].type);
      g_assert_cmpint (ct.order, ==, ok[i].order);
      g_assert_cmpint (ct.bit, ==, ok[i].bit);
      g_assert_cmpstr (canon, ==, ok[i].canon);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      DcModbusCodeType ct;

      g_assert_false (dc_modbus_code_type_parse (bad[i], &ct, &error));
      g_assert_error (error, DC_ERROR, DC_ERROR_INVALID);
      g_assert_true (g_str_has_prefix (error->message, "field code_type "));
    }
}

static void
test_address_parse (void)
{
  g_autoptr(GError) error = NULL;
  guint16 a;

  g_assert_true (dc_modbus_address_parse ("0", &a, NULL));
  g_assert_cmpuint (a, ==, 0);
  g_assert_true (dc_modbus_address_parse ("65535", &a, NULL));
  g_assert_cmpuint (a, ==, 65535);
  g_assert_false (dc_modbus_address_parse ("65536", &a, NULL));
  g_assert_false (dc_modbus_address_parse ("-1", &a, NULL));
  g_assert_false (dc_modbus_address_parse ("40001x", &a, &error));
  g_assert_error (error, DC_ERROR, DC_ERROR_INVALID);
}

/* Known wire words for the same value in the four orders. */
static void
test_orders (void)
{
  static const struct { const char *ct; guint16 w[4]; double value; } cases[] = {
    { "hr:u32:abcd", { 0x0102, 0x0304 }, 0x01020304 },
    { "hr:u32:cdab", { 0x0304, 0x0102 }, 0x01020304 },
    { "hr:u32:badc", { 0x0201, 0x0403 }, 0x01020304 },
    { "hr:u32:dcba", { 0x0403, 0x0201 }, 0x01020304 },
    { "hr:f32:abcd", { 0x3fc0, 0x0000 }, 1.5 },
    { "hr:f32:cdab", { 0x0000, 0x3fc0 }, 1.5 },
    { "hr:f32:badc", { 0xc03f, 0x0000 }, 1.5 },
    { "hr:f32:dcba", { 0x0000, 0xc03f }, 1.5 },
    { "hr:i32", { 0xffff, 0xfffe }, -2 },
    { "hr:i32:cdab", { 0xfffe, 0xffff }, -2 },
    { "hr:u64:abcd", { 0x0001, 0x0203, 0x0405, 0x0607 }, 0x0001020304050607 },
    { "hr:u64:cdab", { 0x0607, 0x0405, 0x0203, 0x0001 }, 0x0001020304050607 },
    { "hr:u64:badc", { 0x0100, 0x0302, 0x0504, 0x0706 }, 0x0001020304050607 },
    { "hr:u64:dcba", { 0x0706, 0x0504, 0x0302, 0x0100 }, 0x0001020304050607 },
    { "hr:i64", { 0xffff, 0xffff, 0xffff, 0xfffd }, -3 },
    { "hr:f64:abcd", { 0x4009, 0x21fb, 0x5444, 0x2d18 }, 3.141592653589793 },
    { "hr:f64:dcba", { 0x182d, 0x4454, 0xfb21, 0x0940 }, 3.141592653589793 },
    { "hr:f64:cdab", { 0x2d18, 0x5444, 0x21fb, 0x4009 }, 3.141592653589793 },
    { "hr:f64:badc", { 0x0940, 0xfb21, 0x4454, 0x182d }, 3.141592653589793 },
    { "ir:u16", { 0xfffe }, 65534 },
    { "ir:i16", { 0xfffe }, -2 },
    { "hr:bit0", { 0x8001 }, 1 },
    { "hr:bit1", { 0x8001 }, 0 },
    { "hr:bit15", { 0x8001 }, 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      DcModbusCodeType ct = parse_ok (cases[i].ct);
      guint16 out[4] = { 0 };
      guint n = dc_modbus_code_type_width (&ct);

      g_test_message ("%s", cases[i].ct);
      g_assert_cmpfloat (dc_modbus_decode_raw (&ct, cases[i].w), ==, cases[i].value);

      if (ct.type == DC_MODBUS_TYPE_BIT)
        out[0] = cases[i].w[0] ^ (1u << ct.bit); /* encode must restore the bit only */
      dc_modbus_encode_raw (&ct, cases[i].value, out);
      for (guint j = 0; j < n; j++)
        g_assert_cmphex (out[j], ==, cases[i].w[j]);
    }
}

static void
test_bool (void)
{
  DcModbusCodeType ct = parse_ok ("co:bool");
  guint16 w = 1;

  g_assert_cmpfloat (dc_modbus_decode_raw (&ct, &w), ==, 1);
  w = 0;
  g_assert_cmpfloat (dc_modbus_decode_raw (&ct, &w), ==, 0);
  dc_modbus_encode_raw (&ct, 1, &w);
  g_assert_cmpuint (w, ==, 1);
  g_assert_cmpuint (dc_modbus_code_type_width (&ct), ==, 1);
  g_assert_true (dc_modbus_table_is_bits (ct.table));
  g_assert_cmpuint (dc_modbus_table_read_function (DC_MODBUS_TABLE_CO), ==, 1);
  g_assert_cmpuint (dc_modbus_table_read_function (DC_MODBUS_TABLE_DI), ==, 2);
  g_assert_cmpuint (dc_modbus_table_read_function (DC_MODBUS_TABLE_HR), ==, 3);
  g_assert_cmpuint (dc_modbus_table_read_function (DC_MODBUS_TABLE_IR), ==, 4);
}

static void
check_scale_error (const char *code_type,
                   double      value,
                   double      coefficient,
                   double      base_val,
                   const char *message)
{
  g_autoptr(GError) error = NULL;
  DcModbusCodeType ct = parse_ok (code_type);
  double raw = -12345;

  g_assert_false (dc_modbus_inverse_scale (&ct, value, coefficient, base_val, &raw, &error));
  g_assert_error (error, DC_ERROR, DC_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, message);
  g_assert_cmpfloat (raw, ==, -12345);
}

static double
scale_ok (const char *code_type,
          double      value,
          double      coefficient,
          double      base_val)
{
  g_autoptr(GError) error = NULL;
  DcModbusCodeType ct = parse_ok (code_type);
  double raw = NAN;

  g_assert_true (dc_modbus_inverse_scale (&ct, value, coefficient, base_val, &raw, &error));
  g_assert_no_error (error);
  return raw;
}

static void
test_inverse_scale (void)
{
  g_assert_cmpfloat (scale_ok ("hr:u16", 65535, 1, 0), ==, 65535);
  g_assert_cmpfloat (scale_ok ("hr:u16", 12.34, 0.1, 0), ==, 123);
  g_assert_cmpfloat (scale_ok ("hr:i16", 20, 0.5, -10), ==, 60);
  g_assert_cmpfloat (scale_ok ("hr:i16", -32768, 1, 0), ==, -32768);
  g_assert_cmpfloat (scale_ok ("hr:f32", 1.25, 2, 0), ==, 0.625);
  g_assert_cmpfloat (scale_ok ("co:bool", 1, 1, 0), ==, 1);
  g_assert_cmpfloat (scale_ok ("hr:bit4", 0, 1, 0), ==, 0);
  g_assert_cmpfloat (scale_ok ("hr:u32", 4294967295.0, 1, 0), ==, 4294967295.0);
  g_assert_cmpfloat (scale_ok ("hr:i64", -9e18, 1, 0), ==, -9e18);

  check_scale_error ("hr:u16", 70000, 1, 0, "value 70000 is out of range for hr:u16 (0 to 65535)");
  check_scale_error ("hr:u16", -1, 1, 0, "value -1 is out of range for hr:u16 (0 to 65535)");
  check_scale_error ("hr:u16", 7000, 0.1, 0,
                     "value 7000 is out of range for hr:u16 (0 to 6553.5)");
  check_scale_error ("hr:i16", -32769, 1, 0,
                     "value -32769 is out of range for hr:i16 (-32768 to 32767)");
  check_scale_error ("hr:i16", 40000, -1, 0,
                     "value 40000 is out of range for hr:i16 (-32767 to 32768)");
  check_scale_error ("hr:u32:cdab", 5e9, 1, 0,
                     "value 5000000000 is out of range for hr:u32:cdab (0 to 4294967295)");
  check_scale_error ("co:bool", 2, 1, 0, "value 2 is out of range for co:bool (0 or 1)");
  check_scale_error ("hr:bit3", 0.5, 1, 0, "value 0.5 is out of range for hr:bit3 (0 or 1)");
  check_scale_error ("hr:f32", 1e39, 1, 0,
                     "value 1e+39 is out of range for hr:f32:abcd "
                     "(-3.40282346638529e+38 to 3.40282346638529e+38)");
  check_scale_error ("hr:u16", NAN, 1, 0, "value nan is out of range for hr:u16 (0 to 65535)");
  check_scale_error ("ir:f32", 1, 1, 0, "point is read-only");
  check_scale_error ("di:bool", 1, 1, 0, "point is read-only");
  check_scale_error ("hr:u16", 1, 0, 0, "point has coefficient 0 and cannot be written");
}

static DcModbusPlanItem
item (guint8      unit,
      guint16     address,
      const char *code_type,
      guint       index)
{
  DcModbusPlanItem it = { unit, address, parse_ok (code_type), index };

  return it;
}

static DcModbusPlan *
plan_of (const DcModbusPlanItem *items,
         guint                   n)
{
  g_autoptr(GArray) arr = g_array_new (FALSE, FALSE, sizeof (DcModbusPlanItem));

  g_array_append_vals (arr, items, n);
  return dc_modbus_plan_new (arr, DC_MODBUS_MAX_REGISTERS, DC_MODBUS_MAX_BITS,
                             DC_MODBUS_GAP_REGISTERS);
}

#define REQ(plan, i) (&g_array_index ((plan)->requests, DcModbusRequest, (i)))

static void
test_plan_merge (void)
{
  {
    /* Contiguous and a gap of exactly 8 registers merge; given out of order. */
    DcModbusPlanItem items[] = {
      item (1, 11, "hr:f32", 0), item (1, 0, "hr:u16", 1), item (1, 1, "hr:bit3", 2),
      item (1, 1, "hr:bit4", 3), item (1, 2, "hr:u16", 4),
    };
    g_autoptr(DcModbusPlan) plan = plan_of (items, G_N_ELEMENTS (items));

    g_assert_cmpuint (plan->requests->len, ==, 1);
    g_assert_cmpuint (REQ (plan, 0)->address, ==, 0);
    g_assert_cmpuint (REQ (plan, 0)->count, ==, 13);
    g_assert_cmpuint (REQ (plan, 0)->n_items, ==, 5);
    g_assert_cmpuint (g_array_index (plan->items, DcModbusPlanItem, 0).index, ==, 1);
    g_assert_cmpuint (g_array_index (plan->items, DcModbusPlanItem, 4).index, ==, 0);
  }
  {
    /* A gap of 9 splits. */
    DcModbusPlanItem items[] = { item (1, 0, "hr:u16", 0), item (1, 10, "hr:u16", 1) };
    g_autoptr(DcModbusPlan) plan = plan_of (items, G_N_ELEMENTS (items));

    g_assert_cmpuint (plan->requests->len, ==, 2);
    g_assert_cmpuint (REQ (plan, 1)->address, ==, 10);
    g_assert_cmpuint (REQ (plan, 1)->count, ==, 1);
  }
  {
    /* Tables and units never merge; ir and hr at the same address are two requests. */
    DcModbusPlanItem items[] = {
      item (1, 0, "hr:u16", 0), item (1, 0, "ir:u16", 1), item (2, 0, "hr:u16", 2),
      item (1, 0, "co:bool", 3), item (1, 0, "di:bool", 4),
    };
    g_autoptr(DcModbusPlan) plan = plan_of (items, G_N_ELEMENTS (items));

    g_assert_cmpuint (plan->requests->len, ==, 5);
  }
  {
    /* 130 contiguous registers: 125 + 5. f32 pairs never straddle. */
    g_autoptr(GArray) arr = g_array_new (FALSE, FALSE, sizeof (DcModbusPlanItem));
    g_autoptr(DcModbusPlan) plan = NULL;

    for (guint i = 0; i < 65; i++)
      {
        DcModbusPlanItem it = item (1, 2 * i, "hr:f32:cdab", i);

        g_array_append_val (arr, it);
      }
    plan = dc_modbus_plan_new (arr, 125, 2000, 8);
    g_assert_cmpuint (plan->requests->len, ==, 2);
    g_assert_cmpuint (REQ (plan, 0)->count, ==, 124);
    g_assert_cmpuint (REQ (plan, 0)->n_items, ==, 62);
    g_assert_cmpuint (REQ (plan, 1)->address, ==, 124);
    g_assert_cmpuint (REQ (plan, 1)->count, ==, 6);
  }
  {
    /* Bits: 2000 per request, gaps up to 128 bits. */
    g_autoptr(GArray) arr = g_array_new (FALSE, FALSE, sizeof (DcModbusPlanItem));
    g_autoptr(DcModbusPlan) plan = NULL;
    DcModbusPlanItem more[] = { item (1, 2129, "co:bool", 3000), item (1, 2259, "co:bool", 3001) };

    for (guint i = 0; i <= 2000; i++)
      {
        DcModbusPlanItem it = item (1, i, "co:bool", i);

        g_array_append_val (arr, it);
      }
    g_array_append_vals (arr, more, G_N_ELEMENTS (more));
    plan = dc_modbus_plan_new (arr, 125, 2000, 8);
    g_assert_cmpuint (plan->requests->len, ==, 3);
    g_assert_cmpuint (REQ (plan, 0)->count, ==, 2000);
    g_assert_cmpuint (REQ (plan, 1)->address, ==, 2000);
    g_assert_cmpuint (REQ (plan, 1)->count, ==, 130);
    g_assert_cmpuint (REQ (plan, 1)->n_items, ==, 2);
    g_assert_cmpuint (REQ (plan, 2)->address, ==, 2259);
  }
  {
    /* The last register. */
    DcModbusPlanItem items[] = { item (1, 65535, "hr:u16", 0) };
    g_autoptr(DcModbusPlan) plan = plan_of (items, G_N_ELEMENTS (items));

    g_assert_cmpuint (plan->requests->len, ==, 1);
    g_assert_cmpuint (REQ (plan, 0)->count, ==, 1);
  }
  {
    g_autoptr(DcModbusPlan) plan = plan_of (NULL, 0);

    g_assert_cmpuint (plan->requests->len, ==, 0);
  }
}

static void
test_frames (void)
{
  guint8 pdu[260], adu[260], rsp[260];
  guint16 regs[] = { 0x1234, 0xabcd };
  guint16 values[16];  /* large enough for the 10-coil read below */
  gsize n, m;
  guint8 exc = 0xff;
  char *error = NULL;

  n = dc_modbus_pdu_read (pdu, DC_MODBUS_FC_READ_HOLDING_REGISTERS, 0x006b, 3);
  m = dc_modbus_mbap_wrap (adu, 0x0102, 0x11, pdu, n);
  {
    static const guint8 expect[] = { 0x01, 0x02, 0, 0, 0, 6, 0x11, 0x03, 0x00, 0x6b, 0x00, 0x03 };

    g_assert_cmpmem (adu, m, expect, sizeof expect);
    g_assert_cmpuint (dc_modbus_mbap_frame_length (adu), ==, 12);
  }
  adu[2] = 1;
  g_assert_cmpuint (dc_modbus_mbap_frame_length (adu), ==, 0);

  /* Normal read response. */
  {
    static const guint8 ok[] = { 0x03, 0x06, 0x02, 0x2b, 0x00, 0x00, 0x00, 0x64 };

    g_assert_true (dc_modbus_check_response (pdu, n, ok, sizeof ok, values, &exc, &error));
    g_assert_null (error);
    g_assert_cmpuint (exc, ==, 0);
    g_assert_cmphex (values[0], ==, 0x022b);
    g_assert_cmphex (values[2], ==, 0x0064);
  }
  /* Exception. */
  {
    static const guint8 ex[] = { 0x83, 0x02 };

    g_assert_false (dc_modbus_check_response (pdu, n, ex, sizeof ex, values, &exc, &error));
    g_assert_null (error);
    g_assert_cmpuint (exc, ==, 2);
    g_assert_cmpstr (dc_modbus_exception_name (exc), ==, "illegal data address");
    g_assert_cmpstr (dc_modbus_exception_name (0x0b), ==, "gateway target failed to respond");
  }
  /* An exception response whose code is 0 is malformed, with its reason (found by
   * fuzz-modbus: it was neither an exception nor an error, and a control answered "(null)"). */
  {
    static const guint8 ex0[] = { 0x83, 0x00 };

    g_assert_false (dc_modbus_check_response (pdu, n, ex0, sizeof ex0, values, &exc, &error));
    g_assert_cmpuint (exc, ==, 0);
    g_assert_cmpstr (error, ==, "exception response without an exception code");
    g_clear_pointer (&error, g_free);
  }
  /* Wrong byte count. */
  {
    static const guint8 bad[] = { 0x03, 0x04, 0x02, 0x2b, 0x00, 0x00 };

    g_assert_false (dc_modbus_check_response (pdu, n, bad, sizeof bad, values, &exc, &error));
    g_assert_nonnull (error);
    g_clear_pointer (&error, g_free);
  }
  /* Coils: bit unpacking. */
  n = dc_modbus_pdu_read (pdu, DC_MODBUS_FC_READ_COILS, 19, 10);
  {
    static const guint8 ok[] = { 0x01, 0x02, 0xcd, 0x01 };

    g_assert_true (dc_modbus_check_response (pdu, n, ok, sizeof ok, values, &exc, &error));
    g_assert_cmpuint (values[0], ==, 1);
    g_assert_cmpuint (values[1], ==, 0);
    g_assert_cmpuint (values[2], ==, 1);
    g_assert_cmpuint (values[3], ==, 1);
  }
  /* Writes echo. */
  n = dc_modbus_pdu_write_registers (pdu, 1, regs, 2);
  g_assert_cmpuint (n, ==, 10);
  g_assert_cmpuint (pdu[5], ==, 4);
  memcpy (rsp, pdu, 5);
  g_assert_true (dc_modbus_check_response (pdu, n, rsp, 5, NULL, &exc, &error));
  n = dc_modbus_pdu_mask_write (pdu, 4, 0xfff7, 0x0008);
  memcpy (rsp, pdu, n);
  g_assert_true (dc_modbus_check_response (pdu, n, rsp, n, NULL, &exc, &error));
  rsp[6] = 0;
  g_assert_false (dc_modbus_check_response (pdu, n, rsp, n, NULL, &exc, &error));
  g_assert_nonnull (error);
  g_free (error);
  n = dc_modbus_pdu_write_coil (pdu, 7, TRUE);
  g_assert_cmphex (pdu[3], ==, 0xff);
  g_assert_cmphex (pdu[4], ==, 0x00);
}

static void
test_crc (void)
{
  static const guint8 frame[] = { 0x01, 0x03, 0x00, 0x00, 0x00, 0x0a };

  g_assert_cmphex (dc_modbus_crc16 (frame, sizeof frame), ==, 0xcdc5);
}

static void
test_decode_frame (void)
{
  g_autoptr(JsonObject) obj = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *error = NULL;

  {
    static const guint8 req[] = { 0x00, 0x07, 0, 0, 0, 6, 0x01, 0x03, 0x00, 0x6b, 0x00, 0x03 };

    summary = dc_modbus_decode_frame (req, sizeof req, FALSE, FALSE, &obj, &error);
    g_assert_null (error);
    g_assert_cmpstr (summary, ==, "request unit 1 read holding registers address 107 count 3");
    g_assert_cmpint (json_object_get_int_member (obj, "transaction"), ==, 7);
    g_assert_cmpint (json_object_get_int_member (obj, "function"), ==, 3);
    g_assert_cmpint (json_object_get_int_member (obj, "address"), ==, 107);
    g_assert_cmpint (json_object_get_int_member (obj, "count"), ==, 3);
    g_clear_pointer (&summary, g_free);
    g_clear_pointer (&obj, json_object_unref);
  }
  {
    static const guint8 rsp[] = { 0x00, 0x07, 0, 0, 0, 7, 0x01, 0x03, 0x04, 0x00, 0x01, 0xff, 0xff };
    JsonArray *values;

    summary = dc_modbus_decode_frame (rsp, sizeof rsp, FALSE, TRUE, &obj, &error);
    g_assert_null (error);
    g_assert_cmpstr (summary, ==, "response unit 1 read holding registers 2 registers");
    values = json_object_get_array_member (obj, "values");
    g_assert_cmpuint (json_array_get_length (values), ==, 2);
    g_assert_cmpint (json_array_get_int_element (values, 1), ==, 65535);
    g_clear_pointer (&summary, g_free);
    g_clear_pointer (&obj, json_object_unref);
  }
  {
    static const guint8 rsp[] = { 0x00, 0x07, 0, 0, 0, 3, 0x09, 0x84, 0x0b };

    summary = dc_modbus_decode_frame (rsp, sizeof rsp, FALSE, TRUE, &obj, &error);
    g_assert_null (error);
    g_assert_cmpstr (summary, ==, "response unit 9 read input registers: "
                                  "exception 0x0b gateway target failed to respond");
    g_assert_cmpint (json_object_get_int_member (obj, "exception"), ==, 11);
    g_assert_cmpstr (json_object_get_string_member (obj, "exception_name"), ==,
                     "gateway target failed to respond");
    g_clear_pointer (&summary, g_free);
    g_clear_pointer (&obj, json_object_unref);
  }
  {
    /* RTU with a good and a broken CRC. */
    guint8 req[] = { 0x01, 0x03, 0x00, 0x00, 0x00, 0x0a, 0xc5, 0xcd };

    summary = dc_modbus_decode_frame (req, sizeof req, TRUE, FALSE, &obj, &error);
    g_assert_null (error);
    g_assert_cmpstr (summary, ==, "request unit 1 read holding registers address 0 count 10");
    g_clear_pointer (&summary, g_free);
    g_clear_pointer (&obj, json_object_unref);
    req[7] = 0;
    summary = dc_modbus_decode_frame (req, sizeof req, TRUE, FALSE, &obj, &error);
    g_assert_cmpstr (error, ==, "CRC mismatch");
    g_clear_pointer (&error, g_free);
    g_clear_pointer (&summary, g_free);
    g_clear_pointer (&obj, json_object_unref);
  }
  {
    /* Write multiple registers request, and a truncated one. */
    guint8 pdu[64], adu[80];
    guint16 regs[] = { 1, 2, 3 };
    gsize n = dc_modbus_pdu_write_registers (pdu, 100, regs, 3);
    gsize m = dc_modbus_mbap_wrap (adu, 1, 1, pdu, n);
    JsonArray *values;

    summary = dc_modbus_decode_frame (adu, m, FALSE, FALSE, &obj, &error);
    g_assert_null (error);
    values = json_object_get_array_member (obj, "values");
    g_assert_cmpuint (json_array_get_length (values), ==, 3);
    g_assert_cmpint (json_array_get_int_element (values, 2), ==, 3);
    g_clear_pointer (&summary, g_free);
    g_clear_pointer (&obj, json_object_unref);

    summary = dc_modbus_decode_frame (adu, m - 2, FALSE, FALSE, &obj, &error);
    g_assert_cmpstr (error, ==, "frame truncated");
    g_clear_pointer (&error, g_free);
    g_clear_pointer (&summary, g_free);
    g_clear_pointer (&obj, json_object_unref);
  }
  {
    static const guint8 tiny[] = { 0, 1, 0 };

    summary = dc_modbus_decode_frame (tiny, sizeof tiny, FALSE, TRUE, &obj, &error);
    g_assert_nonnull (error);
    g_assert_null (obj);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/dc/modbus/codec/code-type", test_code_type_parse);
  g_test_add_func ("/dc/modbus/codec/address", test_address_parse);
  g_test_add_func ("/dc/modbus/codec/orders", test_orders);
  g_test_add_func ("/dc/modbus/codec/bool", test_bool);
  g_test_add_func ("/dc/modbus/codec/inverse-scale", test_inverse_scale);
  g_test_add_func ("/dc/modbus/codec/plan", test_plan_merge);
  g_test_add_func ("/dc/modbus/codec/frames", test_frames);
  g_test_add_func ("/dc/modbus/codec/crc", test_crc);
  g_test_add_func ("/dc/modbus/codec/decode-frame", test_decode_frame);

  return g_test_run ();
}
