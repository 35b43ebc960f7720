/* modbus-test-util.h
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Helpers shared by the Modbus tests: spawning datacoll-sim and reading its ports back.
 */

#pragma once

#include <gio/gio.h>
#include <stdlib.h>
#include <string.h>

typedef struct
{
  GSubprocess *process;
  guint16      ports[16];
  guint        n_ports;
} TestSim;

/* Spawns "$DATACOLL_SIM modbus ARGS…" and waits for its "ready" line; returns NULL when the
 * simulator exits before (a port in use). */
static inline TestSim *
test_sim_spawnv (const char *first_arg,
                 va_list     ap)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) data = NULL;
  TestSim *sim = g_new0 (TestSim, 1);
  const char *exe = g_getenv ("DATACOLL_SIM");

  g_assert_nonnull (exe);
  g_ptr_array_add (argv, (char *) exe);
  g_ptr_array_add (argv, (char *) "modbus");
  for (const char *a = first_arg; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) a);
  g_ptr_array_add (argv, NULL);

  sim->process = g_subprocess_newv ((const char * const *) argv->pdata,
                                    G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
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

static inline TestSim *
test_sim_try_spawn (const char *first_arg,
                    ...)
{
  TestSim *sim;
  va_list ap;

  va_start (ap, first_arg);
  sim = test_sim_spawnv (first_arg, ap);
  va_end (ap);
  return sim;
}

static inline TestSim *
test_sim_spawn (const char *first_arg,
                ...)
{
  TestSim *sim;
  va_list ap;

  va_start (ap, first_arg);
  sim = test_sim_spawnv (first_arg, ap);
  va_end (ap);
  g_assert_nonnull (sim);
  return sim;
}

/* A port range outside the kernel's ephemeral range (where client sockets of other tests live):
 * spawns the simulator on @n ports from a random base, retrying on conflicts. */
static inline TestSim *
test_sim_spawn_range (guint        n,
                      guint16     *base,
                      const char  *registers)
{
  for (int attempt = 0; attempt < 20; attempt++)
    {
      guint16 first = g_random_int_range (10000, 32000 - n);
      g_autofree char *range = g_strdup_printf ("%u-%u", first, first + n - 1);
      TestSim *sim = test_sim_try_spawn ("--ports", range, "--registers", registers, "--static",
                                         NULL);

      if (sim != NULL)
        {
          *base = first;
          return sim;
        }
    }
  g_assert_not_reached ();
  return NULL;
}

static inline void
test_sim_kill (TestSim *sim)
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

static inline gboolean
test_timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

typedef gboolean (*TestPredicate) (gpointer user_data);

/* Iterates @context (blocking; other threads wake it with g_main_context_wakeup) until
 * @predicate returns TRUE or @timeout_s passes. */
static inline gboolean
test_wait_for (GMainContext  *context,
               TestPredicate  predicate,
               gpointer       user_data,
               double         timeout_s)
{
  gboolean timed_out = FALSE;
  GSource *timeout = g_timeout_source_new (timeout_s * 1000);
  gboolean ok;

  g_source_set_callback (timeout, test_timeout_cb, &timed_out, NULL);
  g_source_attach (timeout, context);
  while (!(ok = predicate (user_data)) && !timed_out)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timeout);
  g_source_unref (timeout);
  return ok;
}

static inline gboolean
test_flag_is_set (gpointer user_data)
{
  return *(gboolean *) user_data;
}
