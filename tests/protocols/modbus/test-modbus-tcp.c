/* test-modbus-tcp.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The modbus_tcp driver on a real I/O thread against the simulator (in-process on the test's
 * main context, or datacoll-sim as a process), with a sink of the test's own.
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "dc-error.h"
#include "dc-io-pool.h"
#include "dc-modbus-server.h"
#include "dc-modbus-tcp-driver.h"
#include "dc-modbus.h"

#include "dc-test-driver.h"
#include "dc-test-sim.h"
#include "dc-test-sink.h"
#include "dc-test-wait.h"

typedef struct
{
  DcIoPool    *pool;
  DcModbusSim *sim;
  guint16      port;
  DcTestSink    *sink;
  DcDriver    *driver;
  JsonObject  *device;
  GPtrArray   *terms;
  GPtrArray   *points;
  DcTestLinkLog      link;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  static const guint8 units[] = { 1, 2 };
  DcModbusSimOptions options = { .n_ports = 1, .units = units, .n_units = 2, .n_registers = 1000 };
  g_autoptr(GError) error = NULL;

  dc_modbus_register_drivers ();
  f->pool = dc_io_pool_new (1);
  f->sim = dc_modbus_sim_start (&options, NULL, &error);
  g_assert_no_error (error);
  f->port = dc_modbus_sim_get_port (f->sim, 0);
  f->sink = dc_test_sink_new ();
  f->terms = dc_test_terms_new ();
  f->points = dc_test_points_new ();
  g_ptr_array_add (f->terms, dc_test_term_json ("t1", 1));
  g_ptr_array_add (f->terms, dc_test_term_json ("t2", 2));
  g_ptr_array_add (f->terms, dc_test_term_json ("t9", 9));
}

/* A generous device timeout: a loaded CI machine must not time out by accident. */
static int fixture_timeout_ms = 3000;

static void
fixture_start (Fixture *f,
               int      poll_ms)
{
  g_clear_pointer (&f->device, json_object_unref);
  f->device = dc_test_device_json ("d1", "modbus_tcp", f->port, poll_ms, fixture_timeout_ms);
  f->driver = dc_driver_new_for_protocol ("modbus_tcp");
  g_assert_true (DC_IS_MODBUS_TCP_DRIVER (f->driver));
  g_signal_connect (f->driver, "link-changed", G_CALLBACK (dc_test_link_changed_cb), &f->link);
  dc_driver_set_config (f->driver, f->device, f->terms, f->points);
  dc_driver_set_sink (f->driver, &f->sink->parent);
  dc_driver_set_io_context (f->driver, dc_io_pool_get_context (f->pool, 0));
  dc_driver_start (f->driver);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->driver != NULL)
    dc_test_driver_finish (f->driver);
  dc_modbus_sim_stop (f->sim);
  dc_io_pool_free (f->pool);
  dc_test_sink_free (f->sink);
  g_clear_pointer (&f->device, json_object_unref);
  g_ptr_array_unref (f->terms);
  g_ptr_array_unref (f->points);
  g_free (f->link.last_error);
}

static DcPointInfo *
add_point (Fixture    *f,
           gint64      key,
           const char *term,
           int         address,
           const char *code_type,
           double      coefficient,
           double      base_val)
{
  DcPointInfo *p = dc_test_point (key, "d1", term, address, code_type, coefficient, base_val);

  g_ptr_array_add (f->points, p);
  return p;
}

static void
sim_set (Fixture    *f,
         guint8      unit,
         const char *code_type,
         guint16     address,
         double      raw)
{
  DcModbusCodeType ct;

  g_assert_true (dc_modbus_code_type_parse (code_type, &ct, NULL));
  g_assert_true (dc_modbus_sim_set_typed (f->sim, 0, unit, &ct, address, raw));
}

static guint16
sim_get (Fixture      *f,
         guint8        unit,
         DcModbusTable table,
         guint16       address)
{
  guint16 v = 0;

  g_assert_true (dc_modbus_sim_get_value (f->sim, 0, unit, table, address, &v));
  return v;
}

static void
assert_sample (Fixture *f,
               gint64   key,
               double   value,
               guint32  quality)
{
  DcSample s = { 0 };

  g_assert_true (dc_test_sink_latest (f->sink, key, &s));
  g_assert_cmpuint (s.quality, ==, quality);
  if (isnan (value))
    g_assert_true (isnan (s.value));
  else
    g_assert_cmpfloat_with_epsilon (s.value, value, fabs (value) * 1e-6 + 1e-9);
}

/* Every type and order, with scaling; all decoded from one poll. */
static void
test_types_and_orders (Fixture       *f,
                       gconstpointer  data)
{
  static const struct { const char *ct; double raw; double coef; double base; } cases[] = {
    { "hr:u16", 65000, 1, 0 },
    { "hr:i16", -1234, 0.1, 0 },
    { "ir:u16", 42, 2, 1 },
    { "ir:i16", -32768, 1, 0 },
    { "hr:u32:abcd", 4000000000.0, 1, 0 },
    { "hr:u32:cdab", 123456789, 1, 0 },
    { "hr:u32:badc", 987654321, 1, 0 },
    { "hr:u32:dcba", 19088743, 1, 0 },
    { "hr:i32", -2000000000, 1, 0 },
    { "ir:i32:cdab", -7, 1, 0 },
    { "hr:f32", 3.25, 1, 0 },
    { "hr:f32:cdab", -1.5e10, 1, 0 },
    { "ir:f32:badc", 0.125, 1, 0 },
    { "ir:f32:dcba", 230.5, 1, 0 },
    { "hr:u64", 1099511627776.0, 1, 0 },
    { "hr:u64:dcba", 72057594037927936.0, 1, 0 },
    { "hr:i64:cdab", -9007199254740991.0, 1, 0 },
    { "hr:i64:badc", 12345678901234.0, 1, 0 },
    { "hr:f64", 2.718281828459045, 1, 0 },
    { "hr:f64:cdab", -1e300, 1, 0 },
    { "ir:f64:badc", 1.0 / 3.0, 1, 0 },
    { "hr:f64:dcba", 6.02214076e23, 1, 10 },
    { "hr:bit0", 1, 1, 0 },
    { "hr:bit15", 1, 1, 0 },
    { "ir:bit7", 1, 1, 0 },
    { "co:bool", 1, 1, 0 },
    { "di:bool", 1, 5, 0 },
  };
  guint16 address = 100;

  dc_modbus_sim_set_animate (f->sim, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      DcModbusCodeType ct;

      g_assert_true (dc_modbus_code_type_parse (cases[i].ct, &ct, NULL));
      /* Zero the register of bit points first so only the bit is set. */
      if (ct.type == DC_MODBUS_TYPE_BIT)
        dc_modbus_sim_set_value (f->sim, 0, 1, ct.table, address, 0);
      sim_set (f, 1, cases[i].ct, address, cases[i].raw);
      add_point (f, i + 1, "t1", address, cases[i].ct, cases[i].coef, cases[i].base);
      address += dc_modbus_code_type_width (&ct) + 1;
    }
  /* A bit that is not set, in the same register as hr:bit15's neighbour. */
  dc_modbus_sim_set_value (f->sim, 0, 1, DC_MODBUS_TABLE_HR, 500, 0x0002);
  add_point (f, 100, "t1", 500, "hr:bit0", 1, 0);
  add_point (f, 101, "t1", 500, "hr:bit1", 1, 0);

  fixture_start (f, 100000);
  g_assert_true (dc_test_sink_wait_batches (f->sink, 1, 20));
  g_assert_cmpuint (f->sink->samples->len, ==, G_N_ELEMENTS (cases) + 2);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].ct);
      assert_sample (f, i + 1, cases[i].raw * cases[i].coef + cases[i].base, 0);
    }
  assert_sample (f, 100, 0, 0);
  assert_sample (f, 101, 1, 0);
  g_assert_cmpint (f->link.state, ==, DC_LINK_UP);
}

/* Block planning: the simulator counts the requests of one poll cycle. */
static void
test_plan_requests (Fixture       *f,
                    gconstpointer  data)
{
  /* hr 0..9 and 15..16 (gap 5 → merged), hr 40 (gap 23 → own), ir 0, co 0 + co 3 (merged),
   * di 5, unit 2 hr 0: six requests. */
  add_point (f, 1, "t1", 0, "hr:u16", 1, 0);
  add_point (f, 2, "t1", 8, "hr:f32", 1, 0);
  add_point (f, 3, "t1", 15, "hr:u32", 1, 0);
  add_point (f, 4, "t1", 40, "hr:u16", 1, 0);
  add_point (f, 5, "t1", 0, "ir:u16", 1, 0);
  add_point (f, 6, "t1", 0, "co:bool", 1, 0);
  add_point (f, 7, "t1", 3, "co:bool", 1, 0);
  add_point (f, 8, "t1", 5, "di:bool", 1, 0);
  add_point (f, 9, "t2", 0, "hr:u16", 1, 0);
  /* 130 registers in a row need two requests. */
  for (int i = 0; i < 65; i++)
    add_point (f, 100 + i, "t1", 200 + 2 * i, "hr:f32:cdab", 1, 0);

  fixture_start (f, 100000);
  g_assert_true (dc_test_sink_wait_batches (f->sink, 1, 20));
  g_assert_cmpuint (f->sink->samples->len, ==, 9 + 65);
  g_assert_cmpuint (dc_modbus_sim_get_total_requests (f->sim), ==, 8);
  g_assert_cmpuint (dc_modbus_sim_get_requests (f->sim, DC_MODBUS_FC_READ_HOLDING_REGISTERS), ==, 5);
  g_assert_cmpuint (dc_modbus_sim_get_requests (f->sim, DC_MODBUS_FC_READ_INPUT_REGISTERS), ==, 1);
  g_assert_cmpuint (dc_modbus_sim_get_requests (f->sim, DC_MODBUS_FC_READ_COILS), ==, 1);
  g_assert_cmpuint (dc_modbus_sim_get_requests (f->sim, DC_MODBUS_FC_READ_DISCRETE_INPUTS), ==, 1);

  /* Status counters. */
  {
    g_autoptr(JsonNode) status = dc_driver_build_status (f->driver);
    JsonObject *protocol = json_object_get_object_member (json_node_get_object (status),
                                                          "protocol");

    g_assert_cmpint (json_object_get_int_member (protocol, "requests"), ==, 8);
    g_assert_cmpint (json_object_get_int_member (protocol, "responses"), ==, 8);
    g_assert_cmpint (json_object_get_int_member (protocol, "plan_requests"), ==, 8);
    g_assert_cmpint (json_object_get_int_member (protocol, "exceptions"), ==, 0);
    g_assert_cmpint (json_object_get_int_member (protocol, "polls"), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (status), "state"), ==,
                     "up");
    g_assert_cmpint (json_object_get_int_member (json_node_get_object (status), "frames_out"), ==, 8);
  }
}

/* Exceptions mark only the points of the failed request invalid. */
static void
test_exceptions (Fixture       *f,
                 gconstpointer  data)
{
  dc_modbus_sim_set_animate (f->sim, FALSE);
  add_point (f, 1, "t1", 10, "hr:u16", 1, 0);
  add_point (f, 2, "t1", 999, "hr:u32", 1, 0);  /* runs past the 1000 registers: 0x02 */
  add_point (f, 3, "t9", 0, "hr:u16", 1, 0);    /* unit 9 is not served: 0x0B */

  fixture_start (f, 100000);
  g_assert_true (dc_test_sink_wait_batches (f->sink, 1, 20));
  assert_sample (f, 1, 10, 0);
  assert_sample (f, 2, NAN, DC_QUALITY_INVALID);
  assert_sample (f, 3, NAN, DC_QUALITY_INVALID);
  g_assert_cmpint (f->link.state, ==, DC_LINK_UP);
  {
    g_autoptr(JsonNode) status = dc_driver_build_status (f->driver);
    JsonObject *protocol = json_object_get_object_member (json_node_get_object (status),
                                                          "protocol");

    g_assert_cmpint (json_object_get_int_member (protocol, "exceptions"), ==, 2);
  }

  /* The traffic ring holds both exception responses; the driver decodes them. */
  {
    g_autoptr(GPtrArray) frames = dc_traffic_get_frames (dc_driver_get_traffic (f->driver), 0, 100);
    guint n_exceptions = 0;
    gboolean gateway = FALSE;

    for (guint i = 0; i < frames->len; i++)
      {
        DcTrafficFrame *frame = g_ptr_array_index (frames, i);
        g_autoptr(JsonObject) decoded = NULL;
        g_autofree char *error = NULL;
        g_autofree char *summary = dc_driver_decode_frame (f->driver, frame, &decoded, &error);
        g_test_message ("frame %s", summary);
      }
    g_assert_cmpuint (frames->len, ==, 6);
    for (guint i = 0; i < frames->len; i++)
      {
        DcTrafficFrame *frame = g_ptr_array_index (frames, i);
        g_autoptr(JsonObject) decoded = NULL;
        g_autofree char *error = NULL;
        g_autofree char *summary = dc_driver_decode_frame (f->driver, frame, &decoded, &error);

        g_assert_null (error);
        g_assert_nonnull (decoded);
        g_assert_cmpint (frame->incoming, ==, i % 2 == 1);
        if (json_object_has_member (decoded, "exception"))
          {
            n_exceptions++;
            if (strstr (summary, "gateway target failed to respond") != NULL)
              gateway = TRUE;
          }
      }
    g_assert_cmpuint (n_exceptions, ==, 2);
    g_assert_true (gateway);
  }
}

/* Writes with inverse scaling, every write function, read-back, progress and errors. */
static void
test_writes (Fixture       *f,
             gconstpointer  data)
{
  DcPointInfo *u16 = add_point (f, 1, "t1", 10, "hr:u16", 0.1, 0);
  DcPointInfo *f32 = add_point (f, 2, "t1", 20, "hr:f32:cdab", 1, 0);
  DcPointInfo *i32 = add_point (f, 3, "t1", 30, "hr:i32:dcba", 1, -100);
  DcPointInfo *coil = add_point (f, 4, "t1", 7, "co:bool", 1, 0);
  DcPointInfo *bit = add_point (f, 5, "t1", 40, "hr:bit3", 1, 0);
  DcPointInfo *ir = add_point (f, 6, "t1", 5, "ir:u16", 1, 0);
  DcPointInfo *f64 = add_point (f, 7, "t2", 50, "hr:f64:badc", 2, 0);
  DcTestOp r = { 0 };

  dc_modbus_sim_set_animate (f->sim, FALSE);
  fixture_start (f, 100000);
  g_assert_true (dc_test_wait_link (&f->link, 1, 0, 20));

  dc_test_ctrl (f->driver, u16, 123.4, &r);
  g_assert_no_error (r.error);
  g_assert_cmpfloat_with_epsilon (r.confirmed, 123.4, 1e-9);
  g_assert_cmpuint (sim_get (f, 1, DC_MODBUS_TABLE_HR, 10), ==, 1234);
  g_assert_cmpstr (r.steps->str, ==, "execute sent,confirmed");

  dc_test_ctrl (f->driver, f32, -2.5, &r);
  g_assert_no_error (r.error);
  g_assert_cmpfloat (r.confirmed, ==, -2.5);
  g_assert_cmphex (sim_get (f, 1, DC_MODBUS_TABLE_HR, 20), ==, 0x0000);
  g_assert_cmphex (sim_get (f, 1, DC_MODBUS_TABLE_HR, 21), ==, 0xc020);

  dc_test_ctrl (f->driver, i32, -5, &r);
  g_assert_no_error (r.error);
  g_assert_cmpfloat (r.confirmed, ==, -5);
  g_assert_cmphex (sim_get (f, 1, DC_MODBUS_TABLE_HR, 30), ==, 0x5f00);

  dc_test_ctrl (f->driver, coil, 1, &r);
  g_assert_no_error (r.error);
  g_assert_cmpfloat (r.confirmed, ==, 1);
  g_assert_cmpuint (sim_get (f, 1, DC_MODBUS_TABLE_CO, 7), ==, 1);

  dc_test_ctrl (f->driver, f64, 1e100, &r);
  g_assert_no_error (r.error);
  g_assert_cmpfloat (r.confirmed, ==, 1e100);

  /* bitN with FC 22, then with the read-modify-write fallback. */
  dc_modbus_sim_set_value (f->sim, 0, 1, DC_MODBUS_TABLE_HR, 40, 0xf0f0);
  dc_test_ctrl (f->driver, bit, 1, &r);
  g_assert_no_error (r.error);
  g_assert_cmpfloat (r.confirmed, ==, 1);
  g_assert_cmphex (sim_get (f, 1, DC_MODBUS_TABLE_HR, 40), ==, 0xf0f8);
  g_assert_cmpuint (dc_modbus_sim_get_requests (f->sim, DC_MODBUS_FC_MASK_WRITE_REGISTER), ==, 1);

  dc_modbus_sim_set_mask_write (f->sim, FALSE);
  dc_test_ctrl (f->driver, bit, 0, &r);
  g_assert_no_error (r.error);
  g_assert_cmpfloat (r.confirmed, ==, 0);
  g_assert_cmphex (sim_get (f, 1, DC_MODBUS_TABLE_HR, 40), ==, 0xf0f0);
  g_assert_cmpuint (dc_modbus_sim_get_requests (f->sim, DC_MODBUS_FC_MASK_WRITE_REGISTER), ==, 2);
  g_assert_cmpstr (r.steps->str, ==, "execute sent,execute sent,confirmed");

  /* 400s before anything is sent. */
  dc_test_ctrl (f->driver, ir, 1, &r);
  g_assert_error (r.error, DC_ERROR, DC_ERROR_INVALID);
  g_assert_cmpstr (r.error->message, ==, "point is read-only");
  dc_test_ctrl (f->driver, u16, 7000, &r);
  g_assert_error (r.error, DC_ERROR, DC_ERROR_INVALID);
  g_assert_cmpstr (r.error->message, ==, "value 7000 is out of range for hr:u16 (0 to 6553.5)");

  /* A device exception is a 502 with its name. */
  {
    DcPointInfo *far = add_point (f, 8, "t1", 5000, "hr:u16", 1, 0);

    dc_test_ctrl (f->driver, far, 1, &r);
    g_assert_error (r.error, DC_ERROR, DC_ERROR_REJECTED);
    g_assert_cmpstr (r.error->message, ==, "device d1 rejected the command: illegal data address");
    g_assert_cmpstr (r.steps->str, ==, "execute sent,failed");
  }

  /* call: a read now. */
  dc_modbus_sim_set_value (f->sim, 0, 1, DC_MODBUS_TABLE_IR, 5, 4321);
  dc_test_call (f->driver, ir, &r);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpint (r.sample.key, ==, 6);
  g_assert_cmpfloat (r.sample.value, ==, 4321);
  g_assert_cmpuint (r.sample.quality, ==, 0);
  dc_test_op_clear (&r);
}

/* Operations on a driver whose device does not answer or does not exist. */
static void
test_offline_and_timeout (Fixture       *f,
                          gconstpointer  data)
{
  DcPointInfo *p = add_point (f, 1, "t1", 10, "hr:u16", 1, 0);
  DcTestOp r = { 0 };

  fixture_timeout_ms = 500;
  fixture_start (f, 50);
  fixture_timeout_ms = 3000;
  g_assert_true (dc_test_sink_wait_batches (f->sink, 1, 20));

  /* The simulator stops answering: the poll times out (500 ms), the link goes down. */
  dc_modbus_sim_set_mute (f->sim, TRUE);
  g_assert_true (dc_test_wait_link (&f->link, 1, 1, 20));
  g_assert_cmpstr (f->link.last_error, ==, "no answer within 500 ms");
  {
    g_autoptr(JsonNode) status = dc_driver_build_status (f->driver);
    JsonObject *protocol = json_object_get_object_member (json_node_get_object (status),
                                                          "protocol");

    g_assert_cmpint (json_object_get_int_member (protocol, "timeouts"), >=, 1);
  }
  /* While down, operations answer offline at once. */
  dc_test_call (f->driver, p, &r);
  g_assert_error (r.error, DC_ERROR, DC_ERROR_OFFLINE);
  g_assert_cmpstr (r.error->message, ==, "device d1 is offline");

  /* It answers again: the driver reconnects after its back-off and values flow. */
  dc_modbus_sim_set_mute (f->sim, FALSE);
  g_assert_true (dc_test_wait_link (&f->link, 2, 1, 20));
  dc_test_sink_reset (f->sink);
  g_assert_true (dc_test_sink_wait_batches (f->sink, 2, 20));
  dc_test_op_clear (&r);
}

/* A call with a deadline shorter than the device timeout. */
static void
test_call_deadline (Fixture       *f,
                    gconstpointer  data)
{
  DcPointInfo *p = add_point (f, 1, "t1", 10, "hr:u16", 1, 0);
  DcTestOp r = { 0 };

  fixture_start (f, 100000);
  g_assert_true (dc_test_sink_wait_batches (f->sink, 1, 20));
  dc_modbus_sim_set_mute (f->sim, TRUE);
  dc_driver_call_async (f->driver, p, g_get_monotonic_time () + 100 * 1000, NULL,
                        dc_test_call_done_cb, &r);
  g_assert_true (dc_test_wait_for (NULL, dc_test_flag_is_set, &r.done, 20));
  g_assert_error (r.error, DC_ERROR, DC_ERROR_TIMEOUT);
  g_assert_true (g_str_has_prefix (r.error->message, "device d1 did not answer within "));
  /* Only the caller gave up; the link stays up. */
  g_assert_cmpint (f->link.state, ==, DC_LINK_UP);
  dc_test_op_clear (&r);
}

/* Points added and removed while polling; the connection stays. */
static void
test_points_changed (Fixture       *f,
                     gconstpointer  data)
{
  DcSample s = { 0 };

  dc_modbus_sim_set_animate (f->sim, FALSE);
  add_point (f, 1, "t1", 10, "hr:u16", 1, 0);
  fixture_start (f, 20);
  g_assert_true (dc_test_sink_wait_batches (f->sink, 1, 20));
  g_assert_false (dc_test_sink_latest (f->sink, 2, &s));

  g_ptr_array_add (f->points, dc_test_point (2, "d1", "t1", 300, "hr:u16", 1, 0));
  dc_driver_set_config (f->driver, f->device, f->terms, f->points);
  dc_driver_points_changed (f->driver);
  dc_test_sink_reset (f->sink);
  g_assert_true (dc_test_sink_wait_batches (f->sink, 2, 20));
  assert_sample (f, 2, 300, 0);

  /* Remove point 1: new batches only carry point 2. */
  g_ptr_array_remove_index (f->points, 0);
  dc_driver_set_config (f->driver, f->device, f->terms, f->points);
  dc_driver_points_changed (f->driver);
  dc_test_sink_wait_batches (f->sink, dc_test_sink_n_batches (f->sink) + 1, 20);
  dc_test_sink_reset (f->sink);
  g_assert_true (dc_test_sink_wait_batches (f->sink, 2, 20));
  g_assert_false (dc_test_sink_latest (f->sink, 1, &s));
  assert_sample (f, 2, 300, 0);
  g_assert_cmpuint (f->link.n_up, ==, 1);
}

/* Changing the device's port restarts the driver on the new port. */
static void
test_port_change (Fixture       *f,
                  gconstpointer  data)
{
  DcModbusSimOptions options = { .n_ports = 1, .n_registers = 100 };
  g_autoptr(GError) error = NULL;
  DcModbusSim *other = dc_modbus_sim_start (&options, NULL, &error);

  g_assert_no_error (error);
  dc_modbus_sim_set_value (other, 0, 1, DC_MODBUS_TABLE_HR, 10, 777);
  dc_modbus_sim_set_animate (other, FALSE);
  add_point (f, 1, "t1", 10, "hr:u16", 1, 0);
  fixture_start (f, 20);
  g_assert_true (dc_test_sink_wait_batches (f->sink, 1, 20));

  json_object_set_int_member (f->device, "port", dc_modbus_sim_get_port (other, 0));
  dc_driver_stop (f->driver);
  dc_driver_set_config (f->driver, f->device, f->terms, f->points);
  dc_driver_start (f->driver);
  dc_test_sink_reset (f->sink);
  g_assert_true (dc_test_sink_wait_batches (f->sink, 1, 20));
  assert_sample (f, 1, 777, 0);
  g_assert_cmpuint (dc_modbus_sim_get_total_requests (other), >=, 1);

  dc_driver_stop (f->driver);
  dc_modbus_sim_stop (other);
}

/* A congested sink makes the driver skip polls and count them. */
static void
test_congestion (Fixture       *f,
                 gconstpointer  data)
{
  add_point (f, 1, "t1", 10, "hr:u16", 1, 0);
  fixture_start (f, 5);
  g_assert_true (dc_test_sink_wait_batches (f->sink, 1, 20));
  g_atomic_int_set (&f->sink->congested, TRUE);
  for (;;)
    {
      g_autoptr(JsonNode) status = dc_driver_build_status (f->driver);
      JsonObject *protocol = json_object_get_object_member (json_node_get_object (status),
                                                            "protocol");

      if (json_object_get_int_member (protocol, "congested_polls") >= 5)
        break;
      g_main_context_iteration (NULL, TRUE);
    }
  g_atomic_int_set (&f->sink->congested, FALSE);
  dc_test_sink_reset (f->sink);
  g_assert_true (dc_test_sink_wait_batches (f->sink, 1, 20));
}

/* The simulator process is killed and started again on the same port: the driver goes down,
 * reconnects with its back-off and values flow again with good quality. */
static void
test_reconnect_after_kill (void)
{
  g_autoptr(DcIoPool) pool = dc_io_pool_new (1);
  g_autoptr(GPtrArray) terms = dc_test_terms_new ();
  g_autoptr(GPtrArray) points = dc_test_points_new ();
  g_autoptr(JsonObject) device = NULL;
  g_autofree char *port_text = NULL;
  DcTestSink *sink = dc_test_sink_new ();
  DcTestLinkLog log = { 0 };
  DcTestSim *sim = dc_test_sim_spawn ("--port", "0", "--static", "--registers", "100", NULL);
  guint16 port = sim->ports[0];
  DcDriver *driver;
  DcSample s = { 0 };

  dc_modbus_register_drivers ();
  device = dc_test_device_json ("d1", "modbus_tcp", port, 20, 1000);
  g_ptr_array_add (terms, dc_test_term_json ("t1", 1));
  g_ptr_array_add (points, dc_test_point (1, "d1", "t1", 42, "hr:u16", 1, 0));
  driver = dc_driver_new_for_protocol ("modbus_tcp");
  g_signal_connect (driver, "link-changed", G_CALLBACK (dc_test_link_changed_cb), &log);
  dc_driver_set_config (driver, device, terms, points);
  dc_driver_set_sink (driver, &sink->parent);
  dc_driver_set_io_context (driver, dc_io_pool_get_context (pool, 0));
  dc_driver_start (driver);
  g_assert_true (dc_test_sink_wait_batches (sink, 1, 20));

  dc_test_sim_kill (sim);
  g_assert_true (dc_test_wait_link (&log, 1, 1, 20));
  g_assert_cmpint (log.state, !=, DC_LINK_UP);

  port_text = g_strdup_printf ("%u", port);
  sim = dc_test_sim_spawn ("--port", port_text, "--static", "--registers", "100", NULL);
  g_assert_true (dc_test_wait_link (&log, 2, 1, 40));
  dc_test_sink_reset (sink);
  g_assert_true (dc_test_sink_wait_batches (sink, 2, 20));
  g_assert_true (dc_test_sink_latest (sink, 1, &s));
  g_assert_cmpfloat (s.value, ==, 42);
  g_assert_cmpuint (s.quality, ==, 0);
  {
    DcDriverCounters counters;

    dc_driver_get_counters (driver, &counters);
    g_assert_cmpuint (counters.reconnects, >=, 1);
  }

  dc_test_driver_finish (driver);
  dc_test_sim_kill (sim);
  dc_test_sink_free (sink);
  g_free (log.last_error);
}

typedef struct
{
  DcTestSink *sink;
  guint     n_keys;
} AllKeys;

static gboolean
all_keys_seen (gpointer user_data)
{
  AllKeys *w = user_data;
  guint n;

  g_mutex_lock (&w->sink->lock);
  n = g_hash_table_size (w->sink->latest);
  g_mutex_unlock (&w->sink->lock);
  return n >= w->n_keys;
}

/* 200 devices on a port range of the simulator, two I/O threads. */
static void
test_many_devices (void)
{
  const guint n_devices = 200;
  const guint n_points = 10;
  g_autoptr(DcIoPool) pool = dc_io_pool_new (2);
  g_autoptr(GPtrArray) drivers = g_ptr_array_new ();
  g_autoptr(GPtrArray) terms = dc_test_terms_new ();
  DcTestSink *sink = dc_test_sink_new ();
  guint16 base;
  DcTestSim *sim = dc_test_sim_spawn_range (n_devices, &base, "20");
  AllKeys wait = { sink, n_devices * n_points };

  dc_modbus_register_drivers ();
  g_ptr_array_add (terms, dc_test_term_json ("t1", 1));
  for (guint d = 0; d < n_devices; d++)
    {
      g_autofree char *id = g_strdup_printf ("d%u", d);
      g_autoptr(JsonObject) device = dc_test_device_json (id, "modbus_tcp", base + d, 100, 1000);
      g_autoptr(GPtrArray) points = dc_test_points_new ();
      DcDriver *driver = dc_driver_new_for_protocol ("modbus_tcp");

      for (guint i = 0; i < n_points; i++)
        g_ptr_array_add (points, dc_test_point (d * 100 + i, id, "t1", i, "hr:u16", 1, d));
      dc_driver_set_config (driver, device, terms, points);
      dc_driver_set_sink (driver, &sink->parent);
      dc_driver_set_io_context (driver, dc_io_pool_next_context (pool));
      dc_driver_start (driver);
      g_ptr_array_add (drivers, driver);
    }

  g_assert_true (dc_test_wait_for (NULL, all_keys_seen, &wait, 30));
  for (guint d = 0; d < n_devices; d++)
    for (guint i = 0; i < n_points; i++)
      {
        DcSample s = { 0 };

        g_assert_true (dc_test_sink_latest (sink, d * 100 + i, &s));
        g_assert_cmpuint (s.quality, ==, 0);
        g_assert_cmpfloat (s.value, ==, i + d);
      }

  for (guint d = 0; d < n_devices; d++)
    {
      DcDriver *driver = g_ptr_array_index (drivers, d);

      g_assert_cmpint (dc_driver_get_link_state (driver), ==, DC_LINK_UP);
      dc_driver_stop (driver);
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;
  for (guint d = 0; d < n_devices; d++)
    g_assert_finalize_object (g_ptr_array_index (drivers, d));
  dc_test_sim_kill (sim);
  dc_test_sink_free (sink);
}

static guint
count_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static gboolean
fds_back_cb (gpointer user_data)
{
  return count_fds () == GPOINTER_TO_UINT (user_data);
}

/* Descriptors of a running device (its socket and the simulator's accepted one) after it
 * answered once; waits until they are closed again. */
static guint
fds_of_device (Fixture *f,
               int      poll_ms)
{
  guint before = count_fds ();
  guint during;

  f->link.n_up = 0;
  f->link.n_down = 0;
  dc_test_sink_reset (f->sink);
  fixture_start (f, poll_ms);
  g_assert_true (dc_test_wait_link (&f->link, 1, 0, 20));
  g_assert_true (dc_test_sink_wait_batches (f->sink, 1, 20));
  during = count_fds ();
  dc_test_driver_finish (g_steal_pointer (&f->driver));
  g_assert_true (dc_test_wait_for (NULL, fds_back_cb, GUINT_TO_POINTER (before), 20));
  return during - before;
}

/* Poll timing (docs/modbus.md "TCP driver", "Scale"): every device polls on a timer of its I/O
 * thread's loop (µs deadlines, no descriptor of its own): one descriptor per device (two with
 * the in-process simulator's end) whatever the period, and polls every period. */
static void
test_poll_timer (Fixture       *f,
                 gconstpointer  data)
{
  guint fast, slow;
  gint64 t0;

  add_point (f, 1, "t1", 10, "hr:u16", 1, 0);
  fast = fds_of_device (f, 20);
  slow = fds_of_device (f, 100);
  g_assert_cmpuint (slow, ==, fast);
  g_assert_cmpuint (fast, ==, 2);

  /* The fast timer polls every 20 ms: ten more batches take at least nine periods. */
  dc_test_sink_reset (f->sink);
  fixture_start (f, 20);
  g_assert_true (dc_test_sink_wait_batches (f->sink, 1, 20));
  t0 = g_get_monotonic_time ();
  g_assert_true (dc_test_sink_wait_batches (f->sink, 11, 20));
  g_assert_cmpint (g_get_monotonic_time () - t0, >=, 9 * 20 * 1000 - 1000);
  dc_test_driver_finish (g_steal_pointer (&f->driver));

  /* The slow timer polls every 100 ms: four more batches take at least three periods. */
  dc_test_sink_reset (f->sink);
  fixture_start (f, 100);
  g_assert_true (dc_test_sink_wait_batches (f->sink, 1, 20));
  t0 = g_get_monotonic_time ();
  g_assert_true (dc_test_sink_wait_batches (f->sink, 5, 20));
  g_assert_cmpint (g_get_monotonic_time () - t0, >=, 3 * 100 * 1000 - 5000);
  assert_sample (f, 1, sim_get (f, 1, DC_MODBUS_TABLE_HR, 10), 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  /* The congestion test polls counters that change on the I/O thread. */
  g_timeout_add (10, dc_test_heartbeat_cb, NULL);

#define ADD(path, func) \
  g_test_add ("/dc/modbus/tcp/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("types-and-orders", test_types_and_orders);
  ADD ("plan-requests", test_plan_requests);
  ADD ("exceptions", test_exceptions);
  ADD ("writes", test_writes);
  ADD ("offline-and-timeout", test_offline_and_timeout);
  ADD ("call-deadline", test_call_deadline);
  ADD ("points-changed", test_points_changed);
  ADD ("port-change", test_port_change);
  ADD ("congestion", test_congestion);
  ADD ("poll-timer", test_poll_timer);
#undef ADD
  g_test_add_func ("/dc/modbus/tcp/reconnect-after-kill", test_reconnect_after_kill);
  g_test_add_func ("/dc/modbus/tcp/many-devices", test_many_devices);

  return g_test_run ();
}
