/* dc-bench-modbus-floor.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The floor of bench/modbus/run: a raw libmodbus client reading 100 holding registers in a
 * loop. With --period-ms P it is paced like a DataColl device with poll_ms P: one read per
 * period at absolute deadlines (start + k·P, clock_nanosleep TIMER_ABSTIME), a late read is
 * made at once and the schedule is not shifted. Prints one line:
 * "polls N seconds S cpu_s C scheduled K" (K: the periods in S; 0 when unpaced).
 */

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include <glib.h>
#include <modbus.h>

static double
cpu_seconds (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

int
main (int   argc,
      char *argv[])
{
  int port = 502;
  int registers = 100;
  double seconds = 5;
  gint64 max_polls = 0;
  int period_ms = 0;
  GOptionEntry entries[] = {
    { "period-ms", 0, 0, G_OPTION_ARG_INT, &period_ms, "One read per period (0: unpaced)", "MS" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Server port", "N" },
    { "registers", 0, 0, G_OPTION_ARG_INT, &registers, "Holding registers per read", "N" },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, "Duration", "S" },
    { "polls", 0, 0, G_OPTION_ARG_INT64, &max_polls, "Stop after N reads (instead of --seconds)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- libmodbus read loop");
  g_autoptr(GError) error = NULL;
  uint16_t regs[125];
  modbus_t *ctx;
  gint64 polls = 0, start, end;
  struct timespec next;
  double cpu0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || registers < 1 || registers > 125)
    {
      fprintf (stderr, "%s\n", error ? error->message : "bad --registers");
      return 2;
    }

  ctx = modbus_new_tcp ("127.0.0.1", port);
  if (modbus_connect (ctx) < 0)
    {
      fprintf (stderr, "connect: %s\n", modbus_strerror (errno));
      return 1;
    }
  modbus_set_slave (ctx, 1);

  cpu0 = cpu_seconds ();
  clock_gettime (CLOCK_MONOTONIC, &next);
  start = g_get_monotonic_time ();
  end = start + seconds * G_USEC_PER_SEC;
  for (;;)
    {
      if (period_ms > 0)
        {
          next.tv_nsec += (long) period_ms * 1000000L;
          while (next.tv_nsec >= 1000000000L)
            {
              next.tv_nsec -= 1000000000L;
              next.tv_sec++;
            }
          while (clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
            ;
        }
      if (modbus_read_registers (ctx, 0, registers, regs) != registers)
        {
          fprintf (stderr, "read: %s\n", modbus_strerror (errno));
          return 1;
        }
      polls++;
      if (max_polls > 0 ? polls >= max_polls
                        : ((period_ms > 0 || polls % 64 == 0) && g_get_monotonic_time () >= end))
        break;
    }
  {
    double elapsed = (g_get_monotonic_time () - start) / 1e6;

    printf ("polls %" G_GINT64_FORMAT " seconds %.3f cpu_s %.3f scheduled %.0f\n", polls, elapsed,
            cpu_seconds () - cpu0, period_ms > 0 ? elapsed * 1000.0 / period_ms : 0.0);
  }
  modbus_close (ctx);
  modbus_free (ctx);
  return 0;
}
