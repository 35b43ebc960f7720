/* test-modbus-sim.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * datacoll-sim modbus against libmodbus as the client, and many raw connections.
 */

#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <modbus.h>

#include "dc-modbus-codec.h"
#include "dc-modbus-server.h"

#include "dc-test-sim.h"
#include "dc-test-wait.h"

static modbus_t *
connect_unit (guint16 port,
              int     unit)
{
  modbus_t *ctx = modbus_new_tcp ("127.0.0.1", port);

  g_assert_nonnull (ctx);
  g_assert_cmpint (modbus_connect (ctx), ==, 0);
  modbus_set_slave (ctx, unit);
  modbus_set_response_timeout (ctx, 5, 0);
  return ctx;
}

static void
test_sim_cli_tables (void)
{
  DcTestSim *sim = dc_test_sim_spawn ("--port", "0", "--units", "1,2", "--registers", "100", NULL);
  modbus_t *ctx;
  uint16_t regs[125];
  uint8_t bits[100];

  g_assert_cmpuint (sim->n_ports, ==, 1);
  ctx = connect_unit (sim->ports[0], 1);

  /* Initial pattern, then animation on the next read. */
  g_assert_cmpint (modbus_read_registers (ctx, 0, 10, regs), ==, 10);
  for (int i = 0; i < 10; i++)
    g_assert_cmpuint (regs[i], ==, i);
  g_assert_cmpint (modbus_read_registers (ctx, 0, 10, regs), ==, 10);
  g_assert_cmpuint (regs[0], ==, 1);
  g_assert_cmpint (modbus_read_input_registers (ctx, 5, 2, regs), ==, 2);
  g_assert_cmpuint (regs[0], ==, 6);
  g_assert_cmpint (modbus_read_bits (ctx, 0, 4, bits), ==, 4);
  g_assert_cmpuint (bits[0], ==, 0);
  g_assert_cmpuint (bits[1], ==, 1);
  g_assert_cmpint (modbus_read_input_bits (ctx, 0, 4, bits), ==, 4);
  g_assert_cmpuint (bits[0], ==, 1);
  g_assert_cmpuint (bits[1], ==, 0);

  /* Writes: FC 6, 16, 5, 15, 22; written registers keep their value. */
  g_assert_cmpint (modbus_write_register (ctx, 3, 777), ==, 1);
  {
    uint16_t v[] = { 0x1234, 0x5678, 0x9abc };

    g_assert_cmpint (modbus_write_registers (ctx, 10, 3, v), ==, 3);
  }
  g_assert_cmpint (modbus_mask_write_register (ctx, 3, 0xfff0, 0x0005), ==, 1);
  g_assert_cmpint (modbus_write_bit (ctx, 0, 1), ==, 1);
  {
    uint8_t v[] = { 1, 1, 0, 1, 1, 1, 1, 1, 1 };

    g_assert_cmpint (modbus_write_bits (ctx, 20, 9, v), ==, 9);
  }
  for (int round = 0; round < 2; round++)
    {
      g_assert_cmpint (modbus_read_registers (ctx, 3, 10, regs), ==, 10);
      g_assert_cmpuint (regs[0], ==, (777 & 0xfff0) | 5);
      g_assert_cmphex (regs[7], ==, 0x1234);
      g_assert_cmphex (regs[9], ==, 0x9abc);
    }
  g_assert_cmpint (modbus_read_bits (ctx, 20, 9, bits), ==, 9);
  g_assert_cmpuint (bits[1], ==, 1);
  g_assert_cmpuint (bits[2], ==, 0);
  g_assert_cmpuint (bits[8], ==, 1);
  g_assert_cmpint (modbus_read_bits (ctx, 0, 1, bits), ==, 1);
  g_assert_cmpuint (bits[0], ==, 1);

  /* Exceptions. */
  errno = 0;
  g_assert_cmpint (modbus_read_registers (ctx, 95, 10, regs), ==, -1);
  g_assert_cmpint (errno, ==, EMBXILADD);
  g_assert_cmpint (modbus_read_registers (ctx, 0, 126, regs), ==, -1);
  modbus_set_slave (ctx, 7);
  errno = 0;
  g_assert_cmpint (modbus_read_registers (ctx, 0, 1, regs), ==, -1);
  g_assert_cmpint (errno, ==, EMBXGTAR);

  /* Unit 2 has its own data. */
  modbus_set_slave (ctx, 2);
  g_assert_cmpint (modbus_read_registers (ctx, 3, 1, regs), ==, 1);
  g_assert_cmpuint (regs[0], ==, 3);

  modbus_close (ctx);
  modbus_free (ctx);
  dc_test_sim_kill (sim);
}

static void
test_sim_cli_static_no_mask_write (void)
{
  DcTestSim *sim = dc_test_sim_spawn ("--port", "0", "--static", "--no-mask-write", NULL);
  modbus_t *ctx = connect_unit (sim->ports[0], 1);
  uint16_t regs[4];

  for (int i = 0; i < 3; i++)
    {
      g_assert_cmpint (modbus_read_registers (ctx, 40, 2, regs), ==, 2);
      g_assert_cmpuint (regs[0], ==, 40);
    }
  errno = 0;
  g_assert_cmpint (modbus_mask_write_register (ctx, 3, 0xfff0, 0x0005), ==, -1);
  g_assert_cmpint (errno, ==, EMBXILFUN);

  modbus_close (ctx);
  modbus_free (ctx);
  dc_test_sim_kill (sim);
}

static void
test_sim_cli_port_range (void)
{
  guint16 base;
  DcTestSim *sim = dc_test_sim_spawn_range (20, &base, "10");

  g_assert_cmpuint (sim->n_ports, ==, 16); /* only the first 16 are printed one by one */

  /* Each port is an independent device. */
  for (guint i = 0; i < 20; i++)
    {
      modbus_t *ctx = connect_unit (base + i, 1);

      g_assert_cmpint (modbus_write_register (ctx, 0, 1000 + i), ==, 1);
      modbus_close (ctx);
      modbus_free (ctx);
    }
  for (guint i = 0; i < 20; i++)
    {
      modbus_t *ctx = connect_unit (base + i, 1);
      uint16_t v;

      g_assert_cmpint (modbus_read_registers (ctx, 0, 1, &v), ==, 1);
      g_assert_cmpuint (v, ==, 1000 + i);
      modbus_close (ctx);
      modbus_free (ctx);
    }
  dc_test_sim_kill (sim);
}

/* 1,100 simultaneous connections, each answered: descriptors above 1023 work. */
static void
test_sim_many_connections (void)
{
  const guint n = 1100;
  struct rlimit rl;
  DcTestSim *sim;
  g_autofree int *fds = g_new0 (int, n);
  struct sockaddr_in sa = { 0 };

  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &rl), ==, 0);
  if (rl.rlim_max < n + 64)
    {
      g_test_skip ("RLIMIT_NOFILE hard limit too low for 1,100 connections");
      return;
    }
  rl.rlim_cur = rl.rlim_max;
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &rl), ==, 0);

  sim = dc_test_sim_spawn ("--port", "0", "--registers", "10", "--static", NULL);
  sa.sin_family = AF_INET;
  sa.sin_port = htons (sim->ports[0]);
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);

  for (guint i = 0; i < n; i++)
    {
      fds[i] = socket (AF_INET, SOCK_STREAM, 0);
      g_assert_cmpint (fds[i], >=, 0);
      g_assert_cmpint (connect (fds[i], (struct sockaddr *) &sa, sizeof sa), ==, 0);
    }
  /* Every connection sends a request; then every one reads its answer. */
  for (guint i = 0; i < n; i++)
    {
      guint8 pdu[8], adu[16];
      gsize len = dc_modbus_pdu_read (pdu, DC_MODBUS_FC_READ_HOLDING_REGISTERS, 5, 1);

      len = dc_modbus_mbap_wrap (adu, i, 1, pdu, len);
      g_assert_cmpint (write (fds[i], adu, len), ==, (gssize) len);
    }
  for (guint i = 0; i < n; i++)
    {
      guint8 rsp[11];
      gsize got = 0;

      while (got < sizeof rsp)
        {
          gssize r = read (fds[i], rsp + got, sizeof rsp - got);

          g_assert_cmpint (r, >, 0);
          got += r;
        }
      g_assert_cmpuint ((rsp[0] << 8) | rsp[1], ==, i & 0xffff);
      g_assert_cmpuint (rsp[7], ==, 3);
      g_assert_cmpuint ((rsp[9] << 8) | rsp[10], ==, 5);
      close (fds[i]);
    }
  dc_test_sim_kill (sim);
}

/* The in-process API on a main context, with a libmodbus client on another thread. */
typedef struct
{
  guint16  port;
  gboolean done;
  int      values[4];
  int      errno_unit;
} ClientData;

static gpointer
client_thread (gpointer user_data)
{
  ClientData *data = user_data;
  modbus_t *ctx = connect_unit (data->port, 255);
  uint16_t regs[2];

  if (modbus_read_registers (ctx, 100, 2, regs) == 2)
    {
      data->values[0] = regs[0];
      data->values[1] = regs[1];
    }
  modbus_write_register (ctx, 7, 4242);
  modbus_set_slave (ctx, 1);
  if (modbus_read_registers (ctx, 0, 1, regs) < 0)
    data->errno_unit = errno;
  modbus_close (ctx);
  modbus_free (ctx);
  g_atomic_int_set (&data->done, TRUE);
  g_main_context_wakeup (NULL);
  return NULL;
}

static gboolean
client_done (gpointer user_data)
{
  ClientData *data = user_data;

  return g_atomic_int_get (&data->done);
}

static void
test_sim_in_process (void)
{
  static const guint8 units[] = { 255 };
  DcModbusSimOptions options = { .port = 0, .n_ports = 1, .units = units, .n_units = 1,
                                 .n_registers = 200 };
  g_autoptr(GError) error = NULL;
  DcModbusSim *sim = dc_modbus_sim_start (&options, NULL, &error);
  DcModbusCodeType ct;
  ClientData data = { 0 };
  GThread *thread;
  guint16 v;

  g_assert_no_error (error);
  g_assert_nonnull (sim);
  g_assert_true (dc_modbus_code_type_parse ("hr:f32:cdab", &ct, NULL));
  g_assert_true (dc_modbus_sim_set_typed (sim, 0, 255, &ct, 100, 1.5));
  g_assert_false (dc_modbus_sim_set_typed (sim, 0, 255, &ct, 199, 1.5));
  g_assert_false (dc_modbus_sim_set_value (sim, 0, 1, DC_MODBUS_TABLE_HR, 0, 1));

  data.port = dc_modbus_sim_get_port (sim, 0);
  thread = g_thread_new ("client", client_thread, &data);
  g_assert_true (dc_test_wait_for (NULL, client_done, &data, 20));
  g_thread_join (thread);

  g_assert_cmphex (data.values[0], ==, 0x0000);
  g_assert_cmphex (data.values[1], ==, 0x3fc0);
  g_assert_cmpint (data.errno_unit, ==, EMBXGTAR);
  g_assert_true (dc_modbus_sim_get_value (sim, 0, 255, DC_MODBUS_TABLE_HR, 7, &v));
  g_assert_cmpuint (v, ==, 4242);
  g_assert_cmpuint (dc_modbus_sim_get_requests (sim, DC_MODBUS_FC_READ_HOLDING_REGISTERS), ==, 2);
  g_assert_cmpuint (dc_modbus_sim_get_requests (sim, DC_MODBUS_FC_WRITE_SINGLE_REGISTER), ==, 1);
  g_assert_cmpuint (dc_modbus_sim_get_total_requests (sim), ==, 3);

  dc_modbus_sim_stop (sim);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/dc/modbus/sim/cli-tables", test_sim_cli_tables);
  g_test_add_func ("/dc/modbus/sim/cli-static", test_sim_cli_static_no_mask_write);
  g_test_add_func ("/dc/modbus/sim/port-range", test_sim_cli_port_range);
  g_test_add_func ("/dc/modbus/sim/many-connections", test_sim_many_connections);
  g_test_add_func ("/dc/modbus/sim/in-process", test_sim_in_process);

  return g_test_run ();
}
