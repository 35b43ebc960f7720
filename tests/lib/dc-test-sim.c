/* dc-test-sim.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-test"

#include "config.h"

#include "dc-test-sim.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

static void
dc_test_sim_child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static DcTestSim *
dc_test_sim_spawnv (const char *first_arg,
                    va_list     ap)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) data = NULL;
  DcTestSim *sim = g_new0 (DcTestSim, 1);
  const char *exe = g_getenv ("DATACOLL_SIM");

  g_assert_nonnull (exe);
  g_ptr_array_add (argv, (char *) exe);
  g_ptr_array_add (argv, (char *) "modbus");
  for (const char *a = first_arg; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) a);
  g_ptr_array_add (argv, NULL);

  /* The simulator dies with the test: a failing test leaves none behind holding its output
   * open (meson would wait for it until the timeout). */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, dc_test_sim_child_setup, NULL, NULL);
  sim->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                               &error);
  g_assert_no_error (error);
  data = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sim->process));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (data, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL)
        {
          g_subprocess_wait (sim->process, NULL, NULL);
          g_object_unref (sim->process);
          g_free (sim);
          return NULL;
        }
      if (g_str_has_prefix (line, "listening on port ") && sim->n_ports < 16)
        sim->ports[sim->n_ports++] = atoi (line + strlen ("listening on port "));
      if (strcmp (line, "ready") == 0)
        break;
    }
  return sim;
}

DcTestSim *
dc_test_sim_try_spawn (const char *first_arg,
                       ...)
{
  DcTestSim *sim;
  va_list ap;

  va_start (ap, first_arg);
  sim = dc_test_sim_spawnv (first_arg, ap);
  va_end (ap);
  return sim;
}

DcTestSim *
dc_test_sim_spawn (const char *first_arg,
                   ...)
{
  DcTestSim *sim;
  va_list ap;

  va_start (ap, first_arg);
  sim = dc_test_sim_spawnv (first_arg, ap);
  va_end (ap);
  g_assert_nonnull (sim);
  return sim;
}

DcTestSim *
dc_test_sim_spawn_range (guint        n,
                         guint16     *base,
                         const char  *registers)
{
  for (int attempt = 0; attempt < 20; attempt++)
    {
      guint16 first = g_random_int_range (10000, 32000 - n);
      g_autofree char *range = g_strdup_printf ("%u-%u", first, first + n - 1);
      DcTestSim *sim = dc_test_sim_try_spawn ("--ports", range, "--registers", registers,
                                              "--static", NULL);

      if (sim != NULL)
        {
          *base = first;
          return sim;
        }
    }
  g_assert_not_reached ();
  return NULL;
}

void
dc_test_sim_kill (DcTestSim *sim)
{
  g_autoptr(GError) error = NULL;

  if (sim == NULL)
    return;
  g_subprocess_send_signal (sim->process, SIGKILL);
  g_subprocess_wait (sim->process, NULL, &error);
  g_assert_no_error (error);
  g_object_unref (sim->process);
  g_free (sim);
}

const char *
dc_test_python3 (void)
{
  return g_getenv ("PYTHON3") ? g_getenv ("PYTHON3") : "/usr/bin/python3";
}

void
dc_test_require_pymodbus (void)
{
  const char *python = dc_test_python3 ();
  const char *check[] = { python, "-c", "import pymodbus.server.async_io", NULL };
  int status = -1;

  if (!g_spawn_sync (NULL, (char **) check, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL,
                     NULL, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    {
      /* A TAP plan of no tests: meson (protocol 'tap') and .ci/run count it as skipped. */
      g_print ("1..0 # SKIP %s cannot import pymodbus (install python3-pymodbus and "
               "python3-serial-asyncio: build-aux/install-deps)\n", python);
      exit (0);
    }
}
