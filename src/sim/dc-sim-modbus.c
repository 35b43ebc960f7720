/* dc-sim-modbus.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * datacoll-sim modbus: the command line around DcModbusSim (src/protocols/modbus).
 */

#define G_LOG_DOMAIN "datacoll-sim"

#include "config.h"

#include <stdio.h>
#include <sys/resource.h>

#include <glib.h>
#include <glib-unix.h>

#include "dc-modbus-server.h"
#include "dc-sim.h"

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static void
raise_nofile_limit (void)
{
  struct rlimit rl;

  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max)
    {
      rl.rlim_cur = rl.rlim_max;
      setrlimit (RLIMIT_NOFILE, &rl);
    }
}

static gboolean
parse_units (const char  *text,
             GArray      *units,
             GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      guint64 v;
      guint8 u;

      if (!g_ascii_string_to_unsigned (g_strstrip (parts[i]), 10, 0, 255, &v, NULL))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--units: %s is not a unit id between 0 and 255", parts[i]);
          return FALSE;
        }
      u = v;
      g_array_append_val (units, u);
    }
  return TRUE;
}

int
dc_sim_modbus_main (int    argc,
                    char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) units = g_array_new (FALSE, FALSE, 1);
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *ports = NULL;
  g_autofree char *units_text = NULL;
  g_autofree char *rtu = NULL;
  g_autofree char *bind_address = NULL;
  int port = -1;
  int registers = 10000;
  gboolean no_animate = FALSE;
  int changing = 100;
  gboolean no_mask_write = FALSE;
  DcModbusSimOptions options = { 0 };
  DcModbusSim *sim;
  const GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "TCP port (0 = any free port)", "N" },
    { "ports", 0, 0, G_OPTION_ARG_STRING, &ports, "A range of TCP ports, one server each", "N-M" },
    { "units", 0, 0, G_OPTION_ARG_STRING, &units_text, "Unit ids served (default 1)", "1,2,…" },
    { "registers", 0, 0, G_OPTION_ARG_INT, &registers, "Entries per table (default 10000)", "N" },
    { "rtu", 0, 0, G_OPTION_ARG_FILENAME, &rtu, "Serve Modbus RTU on a serial line or pty", "PTY" },
    { "bind", 0, 0, G_OPTION_ARG_STRING, &bind_address, "Address to listen on (127.0.0.1)", "ADDR" },
    { "static", 0, 0, G_OPTION_ARG_NONE, &no_animate, "Values do not change on reads", NULL },
    { "changing", 0, 0, G_OPTION_ARG_INT, &changing,
      "Percentage of registers that change on reads (default 100)", "PERCENT" },
    { "no-mask-write", 0, 0, G_OPTION_ARG_NONE, &no_mask_write,
      "Answer FC 22 with illegal function", NULL },
    { NULL }
  };

  context = g_option_context_new ("- Modbus TCP/RTU simulator");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("datacoll-sim modbus: %s\n", error->message);
      return 2;
    }

  if (units_text != NULL && !parse_units (units_text, units, &error))
    {
      g_printerr ("datacoll-sim modbus: %s\n", error->message);
      return 2;
    }
  if (changing < 1 || changing > 100)
    {
      g_printerr ("datacoll-sim modbus: --changing must be between 1 and 100\n");
      return 2;
    }
  if (registers < 1 || registers > 65536)
    {
      g_printerr ("datacoll-sim modbus: --registers must be between 1 and 65536\n");
      return 2;
    }

  if (ports != NULL)
    {
      guint64 first, last;
      g_auto(GStrv) range = g_strsplit (ports, "-", 2);

      if (g_strv_length (range) != 2 ||
          !g_ascii_string_to_unsigned (range[0], 10, 1, 65535, &first, NULL) ||
          !g_ascii_string_to_unsigned (range[1], 10, first, 65535, &last, NULL))
        {
          g_printerr ("datacoll-sim modbus: --ports must be N-M with 1 ≤ N ≤ M ≤ 65535\n");
          return 2;
        }
      options.port = first;
      options.n_ports = last - first + 1;
    }
  else if (port >= 0)
    {
      if (port > 65535)
        {
          g_printerr ("datacoll-sim modbus: --port must be between 0 and 65535\n");
          return 2;
        }
      options.port = port;
      options.n_ports = 1;
    }
  else if (rtu == NULL)
    {
      options.port = 502;
      options.n_ports = 1;
    }

  raise_nofile_limit ();

  options.units = units->len > 0 ? (const guint8 *) units->data : NULL;
  options.n_units = units->len;
  options.n_registers = registers;
  options.rtu_path = rtu;
  options.animate = !no_animate;
  options.change_percent = changing;
  options.bind_address = bind_address;

  sim = dc_modbus_sim_start (&options, NULL, &error);
  if (sim == NULL)
    {
      g_printerr ("datacoll-sim modbus: %s\n", error->message);
      return 1;
    }
  dc_modbus_sim_set_mask_write (sim, !no_mask_write);

  /* One line per server so scripts and tests can read the ports back. */
  for (guint i = 0; i < options.n_ports && i < 16; i++)
    g_print ("listening on port %u\n", dc_modbus_sim_get_port (sim, i));
  if (options.n_ports > 16)
    g_print ("listening on ports %u-%u\n", dc_modbus_sim_get_port (sim, 0),
             dc_modbus_sim_get_port (sim, options.n_ports - 1));
  if (rtu != NULL)
    g_print ("serving RTU on %s\n", rtu);
  g_print ("ready\n");
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_main_loop_run (loop);

  dc_modbus_sim_stop (sim);
  return 0;
}
