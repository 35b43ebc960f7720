/* dc-test-server.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-test"

#include "config.h"

#include "dc-test-server.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

static void
dc_test_child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocess *
spawn (GSubprocessFlags    flags,
       gboolean            display,
       const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *path = g_getenv ("DATACOLL");
  GSubprocess *process;

  g_assert_nonnull (path);
  g_ptr_array_add (argv, (char *) path);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  /* No display for the children, whether or not the tests run under Xvfb (but desks). */
  if (!display)
    {
      g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
      g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
    }
  /* The isolated directories of this test, for the child too. */
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", g_get_home_dir (), TRUE);
  g_subprocess_launcher_set_child_setup (launcher, dc_test_child_setup, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return process;
}

GSubprocess *
dc_test_datacoll_spawn (GSubprocessFlags    flags,
                        const char * const *args)
{
  return spawn (flags, FALSE, args);
}

GSubprocess *
dc_test_desk_spawn (GSubprocessFlags    flags,
                    const char * const *args)
{
  g_assert_nonnull (g_getenv ("DISPLAY"));
  return spawn (flags, TRUE, args);
}

int
dc_test_datacoll_run (const char * const  *args,
                      char               **out,
                      char               **err)
{
  return dc_test_datacoll_run_input (args, NULL, out, err);
}

int
dc_test_datacoll_run_input (const char * const  *args,
                            const char          *input,
                            char               **out,
                            char               **err)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  process = dc_test_datacoll_spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                    G_SUBPROCESS_FLAGS_STDERR_PIPE |
                                    (input != NULL ? G_SUBPROCESS_FLAGS_STDIN_PIPE : 0), args);
  g_subprocess_communicate_utf8 (process, input, NULL, out, err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

static DcTestServer *
server_start (gboolean            display,
              const char * const *args)
{
  DcTestServer *server = g_new0 (DcTestServer, 1);
  GString *log = g_string_new (NULL);

  server->process = spawn (G_SUBPROCESS_FLAGS_STDERR_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE,
                           display, args);
  server->err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (server->process));

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = g_data_input_stream_read_line_utf8 (server->err, NULL, NULL,
                                                                  &error);
      const char *at;

      g_assert_no_error (error);
      if (line == NULL)
        g_error ("datacoll exited before listening: %s", log->str);
      g_string_append_printf (log, "%s\n", line);
      at = strstr (line, "listening on http");
      if (at != NULL)
        {
          const char *colon = strrchr (at, ':');
          guint port = (guint) g_ascii_strtoull (colon + 1, NULL, 10);
          gboolean https = g_str_has_prefix (at, "listening on https://");

          g_assert_cmpuint (port, >, 0);
          server->base = g_strdup_printf ("%s://127.0.0.1:%u", https ? "https" : "http", port);
          break;
        }
    }
  server->log = g_string_free (log, FALSE);

  server->rest = g_memory_output_stream_new_resizable ();
  g_output_stream_splice_async (server->rest, G_INPUT_STREAM (server->err),
                                G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, G_PRIORITY_DEFAULT, NULL,
                                NULL, NULL);
  return server;
}

DcTestServer *
dc_test_server_start (const char * const *args)
{
  return server_start (FALSE, args);
}

DcTestServer *
dc_test_desk_start (const char * const *args)
{
  g_assert_nonnull (g_getenv ("DISPLAY"));
  return server_start (TRUE, args);
}

void
dc_test_server_stop (DcTestServer *server)
{
  g_autoptr(GError) error = NULL;
  GMemoryOutputStream *rest = G_MEMORY_OUTPUT_STREAM (server->rest);

  g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_wait (server->process, NULL, &error);
  g_assert_no_error (error);
  /* What the server logged after it started listening, for a failing test's log. */
  while (!g_output_stream_is_closed (server->rest))
    g_main_context_iteration (NULL, TRUE);
  g_test_message ("server log: %.*s", (int) g_memory_output_stream_get_data_size (rest),
                  (const char *) g_memory_output_stream_get_data (rest));
  g_assert_true (g_subprocess_get_if_exited (server->process));
  g_assert_cmpint (g_subprocess_get_exit_status (server->process), ==, 0);

  g_object_unref (server->rest);
  g_object_unref (server->err);
  g_object_unref (server->process);
  g_free (server->base);
  g_free (server->log);
  g_free (server);
}

char *
dc_test_server_dup_log (DcTestServer *server)
{
  GMemoryOutputStream *rest = G_MEMORY_OUTPUT_STREAM (server->rest);

  return g_strndup (g_memory_output_stream_get_data (rest),
                    g_memory_output_stream_get_data_size (rest));
}

void
dc_test_server_kill (DcTestServer *server)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_force_exit (server->process);
  g_subprocess_wait (server->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (server->process));
  g_assert_cmpint (g_subprocess_get_term_sig (server->process), ==, SIGKILL);
  /* The splice of its stderr ends with the process. */
  while (!g_output_stream_is_closed (server->rest))
    g_main_context_iteration (NULL, TRUE);

  g_object_unref (server->rest);
  g_object_unref (server->err);
  g_object_unref (server->process);
  g_free (server->base);
  g_free (server->log);
  g_free (server);
}

char *
dc_test_make_dir (void)
{
  char *dir = g_build_filename (g_get_user_cache_dir (), "dc-datacoll-XXXXXX", NULL);

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  g_assert_nonnull (g_mkdtemp (dir));
  return dir;
}
