/* test-iec104-master-faults.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The master driver under faults: t1 expiry on a frozen station, a simulator killed and
 * restarted (in process and as a real process), a STOPDT and a sequence error from the station,
 * malformed and unknown ASDUs.
 */

#define G_LOG_DOMAIN "test-iec104-master"

#include "config.h"

#include <signal.h>
#include <stdlib.h>

#include "iec104-master-fixture.h"

static void
test_t1_reconnect (Fixture       *f,
                   gconstpointer  data)
{
  json_object_set_double_member (f->device, "t1", 0.5);
  json_object_set_double_member (f->device, "t3", 0.5);
  start_both (f);

  /* A frozen outstation never answers TESTFR: t1 closes the link. */
  dc_iec104_sim_set_frozen (f->sim, TRUE);
  g_assert_true (wait_for (f, t1_timeouts_at_least, GUINT_TO_POINTER (1), 10));
  g_assert_true (wait_for (f, is_down, NULL, 5));
  dc_iec104_sim_set_frozen (f->sim, FALSE);
  g_assert_true (wait_for (f, ups_at_least, GUINT_TO_POINTER (2), 15));
  g_assert_true (wait_for (f, sim_gi_at_least, GUINT_TO_POINTER (2), 5));

  /* Killed and restarted on the same port. */
  sim_stop (f);
  g_assert_true (wait_for (f, is_down, NULL, 5));
  sim_start (f);
  g_assert_true (wait_for (f, ups_at_least, GUINT_TO_POINTER (3), 20));
  g_assert_true (wait_for (f, sim_gi_at_least, GUINT_TO_POINTER (1), 5));
}

static void
test_malformed_asdu (Fixture       *f,
                     gconstpointer  data)
{
  /* A short float ASDU claiming 2 objects with one present, then an unknown type: both are
   * dropped and counted, the link stays up. */
  const guint8 bad[] = { 13, 2, 3, 0, 1, 0, 0xa1, 0x0f, 0, 0, 0, 0x80, 0x3f, 0 };
  const guint8 unknown[] = { 99, 1, 3, 0, 1, 0, 0xa1, 0x0f, 0, 0 };
  DcIec104DriverStats st;

  start_both (f);
  g_assert_true (wait_for (f, has_sample, GINT_TO_POINTER (48), 10));
  dc_iec104_sim_send_raw_asdu (f->sim, bad, sizeof bad);
  dc_iec104_sim_send_raw_asdu (f->sim, unknown, sizeof unknown);
  dc_iec104_sim_set_value (f->sim, DC_IEC104_SIM_IOA_FLOATS, 7);
  for (int i = 0; i < 500; i++)
    {
      dc_iec104_driver_get_stats (DC_IEC104_DRIVER (f->driver), &st);
      if (st.asdus_dropped >= 2)
        break;
      g_usleep (10000);
    }
  g_assert_cmpuint (st.asdus_dropped, ==, 2);
  g_assert_cmpuint (f->downs, ==, 0);
  g_assert_cmpint (f->state, ==, DC_LINK_UP);
}

/* A STOPDT from the outstation and a sequence error each close the link; it comes back. */
static void
test_stopdt_sequence (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *last_error = NULL;

  start_both (f);
  dc_iec104_sim_send_stopdt (f->sim);
  g_assert_true (wait_for (f, downs_at_least, GUINT_TO_POINTER (1), 5));
  last_error = dc_driver_dup_last_error (f->driver);
  g_assert_cmpstr (last_error, ==, "the outstation sent STOPDT");
  g_assert_true (wait_for (f, ups_at_least, GUINT_TO_POINTER (2), 10));

  dc_iec104_sim_skip_sequence (f->sim);
  g_assert_true (wait_for (f, downs_at_least, GUINT_TO_POINTER (2), 5));
  g_clear_pointer (&last_error, g_free);
  last_error = dc_driver_dup_last_error (f->driver);
  g_assert_true (g_str_has_prefix (last_error, "sequence error: N(S)="));
  g_assert_true (wait_for (f, ups_at_least, GUINT_TO_POINTER (3), 15));
}

/* The real datacoll-sim process, killed with SIGKILL and restarted on the same port. */
static GSubprocess *
spawn_sim (guint16  port,
           guint16 *port_out)
{
  const char *sim = g_getenv ("DATACOLL_SIM");
  g_autofree char *port_arg = g_strdup_printf ("%u", port);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  GSubprocess *proc;
  char *line;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, sim, "iec104", "--bind",
                           "127.0.0.1", "--port", port_arg, "--changes-per-s", "0", NULL);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  line = g_data_input_stream_read_line (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "datacoll-sim iec104: listening on 127.0.0.1 port "));
  *port_out = (guint16) atoi (strrchr (line, ' ') + 1);
  g_free (line);
  return proc;
}

static void
test_process_restart (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GSubprocess) proc2 = NULL;
  guint16 port2 = 0;

  if (g_getenv ("DATACOLL_SIM") == NULL)
    {
      g_test_skip ("DATACOLL_SIM is not set (run under meson test)");
      return;
    }
  proc = spawn_sim (0, &f->port);
  driver_start (f);
  g_assert_true (wait_for (f, is_up, NULL, 10));
  g_assert_true (wait_for (f, has_sample, GINT_TO_POINTER (41), 10));

  g_subprocess_force_exit (proc);
  g_assert_true (g_subprocess_wait (proc, NULL, NULL));
  g_assert_true (wait_for (f, is_down, NULL, 5));

  proc2 = spawn_sim (f->port, &port2);
  g_assert_cmpuint (port2, ==, f->port);
  g_assert_true (wait_for (f, ups_at_least, GUINT_TO_POINTER (2), 20));
  g_subprocess_send_signal (proc2, SIGTERM);
  g_assert_true (g_subprocess_wait_check (proc2, NULL, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  ADD ("t1-reconnect", test_t1_reconnect);
  ADD ("malformed-asdu", test_malformed_asdu);
  ADD ("stopdt-sequence", test_stopdt_sequence);
  ADD ("process-restart", test_process_restart);

  return g_test_run ();
}
