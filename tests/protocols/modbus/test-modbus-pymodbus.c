/* test-modbus-pymodbus.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The modbus_tcp driver against an independent peer: a server written with Debian's
 * python3-pymodbus (pymodbus-server.py) that encodes its values with Python's struct.
 * Exits 77 (skipped) only when pymodbus cannot be imported.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <modbus.h>

#include "dc-error.h"
#include "dc-io-pool.h"
#include "dc-modbus.h"

#include "dc-test-driver.h"
#include "dc-test-sim.h"
#include "dc-test-sink.h"

static const char * const orders[] = { "abcd", "cdab", "badc", "dcba" };

/* The same table as pymodbus-server.py. */
static const struct { guint16 address; const char *type; guint words; double value; } layout[] = {
  { 10, "f32", 2, 123.456 },
  { 20, "f64", 4, -9876.54321 },
  { 40, "u32", 2, 3000000000.0 },
  { 60, "i64", 4, -1234567890123.0 },
  { 80, "i32", 2, -100000 },
};

static GSubprocess *
spawn_peer (guint16 *port)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "protocols", "modbus", "pymodbus-server.py",
                                                   NULL);
  const char *python = dc_test_python3 ();
  GSubprocess *peer = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, python, script,
                                        NULL);
  g_autoptr(GDataInputStream) data = NULL;
  g_autofree char *line = NULL;

  g_assert_no_error (error);
  data = g_data_input_stream_new (g_subprocess_get_stdout_pipe (peer));
  line = g_data_input_stream_read_line (data, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "port "));
  *port = atoi (line + 5);
  return peer;
}

static void
read_raw (guint16   port,
          int       address,
          int       n,
          uint16_t *regs)
{
  modbus_t *ctx = modbus_new_tcp ("127.0.0.1", port);

  g_assert_cmpint (modbus_connect (ctx), ==, 0);
  modbus_set_slave (ctx, 1);
  g_assert_cmpint (modbus_read_registers (ctx, address, n, regs), ==, n);
  modbus_close (ctx);
  modbus_free (ctx);
}

static void
test_pymodbus_peer (void)
{
  g_autoptr(DcIoPool) pool = dc_io_pool_new (1);
  g_autoptr(GPtrArray) terms = dc_test_terms_new ();
  g_autoptr(GPtrArray) points = dc_test_points_new ();
  g_autoptr(JsonObject) device = NULL;
  g_autoptr(GSubprocess) peer = NULL;
  DcTestSink *sink = dc_test_sink_new ();
  DcTestOp r = { 0 };
  DcDriver *driver;
  guint16 port;
  gint64 key = 1;
  uint16_t regs[4];

  peer = spawn_peer (&port);
  dc_modbus_register_drivers ();
  device = dc_test_device_json ("py", "modbus_tcp", port, 100000, 2000);
  g_ptr_array_add (terms, dc_test_term_json ("t1", 1));

  /* Keys: 100·layout + 10·table + order. */
  for (guint l = 0; l < G_N_ELEMENTS (layout); l++)
    for (guint o = 0; o < G_N_ELEMENTS (orders); o++)
      for (guint t = 0; t < 2; t++)
        {
          g_autofree char *ct = g_strdup_printf ("%s:%s:%s", t ? "ir" : "hr", layout[l].type,
                                                 orders[o]);

          g_ptr_array_add (points, dc_test_point (100 * l + 10 * t + o, "py", "t1",
                                               layout[l].address + o * layout[l].words, ct, 1, 0));
        }
  g_ptr_array_add (points, dc_test_point (1000, "py", "t1", 0, "hr:u16", 1, 0));
  g_ptr_array_add (points, dc_test_point (1001, "py", "t1", 1, "hr:i16", 0.5, 1));
  g_ptr_array_add (points, dc_test_point (1002, "py", "t1", 100, "hr:bit1", 1, 0));
  g_ptr_array_add (points, dc_test_point (1003, "py", "t1", 100, "hr:bit2", 1, 0));
  g_ptr_array_add (points, dc_test_point (1004, "py", "t1", 3, "co:bool", 1, 0));
  g_ptr_array_add (points, dc_test_point (1005, "py", "t1", 4, "di:bool", 1, 0));
  g_ptr_array_add (points, dc_test_point (1006, "py", "t1", 5, "di:bool", 1, 0));

  driver = dc_driver_new_for_protocol ("modbus_tcp");
  dc_driver_set_config (driver, device, terms, points);
  dc_driver_set_sink (driver, &sink->parent);
  dc_driver_set_io_context (driver, dc_io_pool_get_context (pool, 0));
  dc_driver_start (driver);
  g_assert_true (dc_test_sink_wait_batches (sink, 1, 30));

  for (guint l = 0; l < G_N_ELEMENTS (layout); l++)
    for (guint o = 0; o < G_N_ELEMENTS (orders); o++)
      for (guint t = 0; t < 2; t++)
        {
          DcSample s = { 0 };
          double expect = layout[l].value;

          g_test_message ("%s %s %s", t ? "ir" : "hr", layout[l].type, orders[o]);
          g_assert_true (dc_test_sink_latest (sink, 100 * l + 10 * t + o, &s));
          g_assert_cmpuint (s.quality, ==, 0);
          if (g_str_equal (layout[l].type, "f32"))
            g_assert_cmpfloat (s.value, ==, (float) expect);
          else
            g_assert_cmpfloat (s.value, ==, expect);
        }
  {
    static const struct { gint64 key; double value; } simple[] = {
      { 1000, 65000 }, { 1001, -1234 * 0.5 + 1 }, { 1002, 1 }, { 1003, 0 }, { 1004, 1 },
      { 1005, 1 }, { 1006, 0 },
    };

    for (guint i = 0; i < G_N_ELEMENTS (simple); i++)
      {
        DcSample s = { 0 };

        g_assert_true (dc_test_sink_latest (sink, simple[i].key, &s));
        g_assert_cmpuint (s.quality, ==, 0);
        g_assert_cmpfloat (s.value, ==, simple[i].value);
      }
  }

  /* Writes read back by the driver, and the raw words checked with libmodbus against
   * Python's struct encoding. */
  {
    DcPointInfo *f32 = dc_test_point (key++, "py", "t1", 150, "hr:f32:cdab", 1, 0);
    DcPointInfo *u32 = dc_test_point (key++, "py", "t1", 152, "hr:u32:dcba", 1, 0);
    DcPointInfo *f64 = dc_test_point (key++, "py", "t1", 160, "hr:f64:badc", 1, 0);
    DcPointInfo *u16 = dc_test_point (key++, "py", "t1", 170, "hr:u16", 0.1, 0);
    DcPointInfo *bit = dc_test_point (key++, "py", "t1", 100, "hr:bit3", 1, 0);
    DcPointInfo *coil = dc_test_point (key++, "py", "t1", 3, "co:bool", 1, 0);

    dc_test_ctrl (driver, f32, 7.5, &r);
    g_assert_no_error (r.error);
    g_assert_cmpfloat (r.confirmed, ==, 7.5);
    read_raw (port, 150, 2, regs);
    g_assert_cmphex (regs[0], ==, 0x0000);
    g_assert_cmphex (regs[1], ==, 0x40f0);

    dc_test_ctrl (driver, u32, 123456789, &r);
    g_assert_no_error (r.error);
    g_assert_cmpfloat (r.confirmed, ==, 123456789);
    read_raw (port, 152, 2, regs);
    g_assert_cmphex (regs[0], ==, 0x15cd);
    g_assert_cmphex (regs[1], ==, 0x5b07);

    dc_test_ctrl (driver, f64, -0.5, &r);
    g_assert_no_error (r.error);
    g_assert_cmpfloat (r.confirmed, ==, -0.5);
    read_raw (port, 160, 4, regs);
    g_assert_cmphex (regs[0], ==, 0xe0bf);
    g_assert_cmphex (regs[3], ==, 0x0000);

    dc_test_ctrl (driver, u16, 55.5, &r);
    g_assert_no_error (r.error);
    g_assert_cmpfloat_with_epsilon (r.confirmed, 55.5, 1e-9);
    read_raw (port, 170, 1, regs);
    g_assert_cmpuint (regs[0], ==, 555);

    /* FC 22 on pymodbus (or its read-modify-write fallback). */
    dc_test_ctrl (driver, bit, 1, &r);
    g_assert_no_error (r.error);
    g_assert_cmpfloat (r.confirmed, ==, 1);
    read_raw (port, 100, 1, regs);
    g_assert_cmphex (regs[0], ==, 0b1010 | 0b1000);

    dc_test_ctrl (driver, coil, 0, &r);
    g_assert_no_error (r.error);
    g_assert_cmpfloat (r.confirmed, ==, 0);

    dc_point_info_free (f32);
    dc_point_info_free (u32);
    dc_point_info_free (f64);
    dc_point_info_free (u16);
    dc_point_info_free (bit);
    dc_point_info_free (coil);
  }

  dc_test_driver_finish (driver);
  dc_test_op_clear (&r);
  g_subprocess_force_exit (peer);
  g_subprocess_wait (peer, NULL, NULL);
  dc_test_sink_free (sink);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_test_require_pymodbus ();

  g_test_add_func ("/dc/modbus/pymodbus/peer", test_pymodbus_peer);

  return g_test_run ();
}
