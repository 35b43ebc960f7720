/* dc-bench-modbus-datacoll.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * DataColl's side of bench/modbus/run: a real store, history and engine (the data path of
 * `datacoll --server`) polling N modbus_tcp devices on consecutive ports of datacoll-sim.
 * Prints one line of "name value" pairs measured after the first poll of every device:
 * total_polls (since start), polls, seconds, cpu_s, rss_kib, history_rows, max_lateness_ms, late_polls, congested_polls.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "dc-engine.h"
#include "dc-history.h"
#include "dc-modbus.h"
#include "dc-store.h"

typedef struct
{
  DcEngine   *engine;
  GMainLoop  *loop;
  guint       n_devices;
  double      seconds;
  gint64      max_polls;
  gboolean    measuring;
  gint64      t0;
  double      cpu0;
  guint64     polls0;
  guint64     rows0;
  guint64     late0;
  guint64     congested0;
  guint64     received0;
  guint       n_registers;
  guint       n_up;        /* devices d0 … d(n_up - 1) have answered */
  long        rss_setup;
} Bench;

static double
cpu_seconds (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static long
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *p;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  p = strstr (status, "VmRSS:");
  return p ? strtol (p + 6, NULL, 10) : -1;
}

typedef struct
{
  guint64 polls;
  guint64 late;
  guint64 congested;
  gint64  max_lateness_ms;
  guint   n_polled;
} Totals;

static void
collect (Bench  *b,
         Totals *t)
{
  DcEngineDrivers *drivers = dc_engine_get_drivers (b->engine);

  memset (t, 0, sizeof *t);
  for (guint d = 0; d < b->n_devices; d++)
    {
      g_autofree char *id = g_strdup_printf ("d%u", d);
      DcDriver *driver = dc_engine_drivers_get_driver (drivers, id);
      g_autoptr(JsonNode) status = NULL;
      JsonObject *protocol;
      gint64 polls;

      if (driver == NULL)
        continue;
      status = dc_driver_build_status (driver);
      protocol = json_object_get_object_member (json_node_get_object (status), "protocol");
      polls = json_object_get_int_member (protocol, "polls");
      t->polls += polls;
      t->n_polled += polls > 0;
      t->late += json_object_get_int_member (protocol, "late_polls");
      t->congested += json_object_get_int_member (protocol, "congested_polls");
      t->max_lateness_ms = MAX (t->max_lateness_ms,
                                json_object_get_int_member (protocol, "max_lateness_ms"));
    }
}

/* TRUE when every device has answered once (its link is up); scans on from the last device
 * seen down, so the wait costs the devices once, not once per tick. */
static gboolean
all_up (Bench *b)
{
  DcEngineDrivers *drivers = dc_engine_get_drivers (b->engine);

  while (b->n_up < b->n_devices)
    {
      g_autofree char *id = g_strdup_printf ("d%u", b->n_up);
      DcDriver *driver = dc_engine_drivers_get_driver (drivers, id);

      if (driver == NULL || dc_driver_get_link_state (driver) != DC_LINK_UP)
        return FALSE;
      b->n_up++;
    }
  return TRUE;
}

/* Between the start and the end of the window the tick reads only the engine's counters (a
 * struct copy): the drivers' status JSON cost ~5,400 instructions per poll at one tick per
 * 100 ms and was counted as DataColl's (docs/performance.md). */
static gboolean
tick_cb (gpointer user_data)
{
  Bench *b = user_data;
  DcHistoryStats hs;
  DcEngineStats es;
  Totals t;

  dc_engine_get_stats (b->engine, &es);
  if (!b->measuring)
    {
      if (!all_up (b))
        return G_SOURCE_CONTINUE;
      collect (b, &t);
      if (t.n_polled < b->n_devices)
        return G_SOURCE_CONTINUE;
      dc_history_get_stats (dc_engine_get_history (b->engine), &hs);
      b->measuring = TRUE;
      b->t0 = g_get_monotonic_time ();
      b->cpu0 = cpu_seconds ();
      b->polls0 = t.polls;
      b->rows0 = hs.written;
      b->late0 = t.late;
      b->congested0 = t.congested;
      b->received0 = es.received;
      return G_SOURCE_CONTINUE;
    }

  if ((b->max_polls > 0 &&
       es.received - b->received0 >= (guint64) b->max_polls * b->n_registers) ||
      (b->max_polls == 0 && g_get_monotonic_time () - b->t0 >= b->seconds * G_USEC_PER_SEC))
    {
      double secs = (g_get_monotonic_time () - b->t0) / 1e6;
      double cpu = cpu_seconds () - b->cpu0;

      collect (b, &t);
      dc_history_get_stats (dc_engine_get_history (b->engine), &hs);
      printf ("total_polls %" G_GUINT64_FORMAT " polls %" G_GUINT64_FORMAT " seconds %.3f cpu_s %.3f rss_kib %ld history_rows %"
              G_GUINT64_FORMAT " max_lateness_ms %" G_GINT64_FORMAT " late_polls %" G_GUINT64_FORMAT
              " congested_polls %" G_GUINT64_FORMAT " rss_setup_kib %ld\n",
              t.polls, t.polls - b->polls0, secs, cpu, rss_kib (),
              hs.written - b->rows0, t.max_lateness_ms, t.late - b->late0,
              t.congested - b->congested0, b->rss_setup);
      fflush (stdout);
      g_main_loop_quit (b->loop);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
create (DcStore    *store,
        DcKind      kind,
        JsonObject *object)
{
  g_autoptr(GError) error = NULL;

  if (!dc_store_create (store, kind, object, &error))
    g_error ("create %s: %s", dc_kind_to_string (kind), error->message);
}

int
main (int   argc,
      char *argv[])
{
  int port = 502;
  int devices = 1;
  int registers = 100;
  int poll_ms = 1;
  int io_threads = 0;
  double seconds = 5;
  gint64 max_polls = 0;
  g_autofree char *history_mode = NULL;
  GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "First simulator port", "N" },
    { "devices", 0, 0, G_OPTION_ARG_INT, &devices, "Devices on consecutive ports", "N" },
    { "registers", 0, 0, G_OPTION_ARG_INT, &registers, "hr:u16 points per device", "N" },
    { "poll-ms", 0, 0, G_OPTION_ARG_INT, &poll_ms, "poll_ms of every device", "MS" },
    { "history", 0, 0, G_OPTION_ARG_STRING, &history_mode, "History mode (all)", "MODE" },
    { "io-threads", 0, 0, G_OPTION_ARG_INT, &io_threads, "I/O threads (0 = default)", "N" },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, "Measured duration", "S" },
    { "polls", 0, 0, G_OPTION_ARG_INT64, &max_polls, "Stop after N polls instead", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- DataColl Modbus polling");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  g_autofree char *hdb = NULL;
  g_autoptr(DcStore) store = NULL;
  g_autoptr(DcHistory) history = NULL;
  g_autoptr(JsonArray) points = json_array_new ();
  Bench b = { 0 };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }

  {
    struct rlimit rl;

    if (getrlimit (RLIMIT_NOFILE, &rl) == 0)
      {
        rl.rlim_cur = rl.rlim_max;
        setrlimit (RLIMIT_NOFILE, &rl);
      }
  }

  dc_modbus_register_drivers ();
  dir = g_dir_make_tmp ("dc-bench-modbus-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (dir, "datacoll.db", NULL);
  hdb = dc_history_path_for_config (db);
  store = dc_store_open (db, &error);
  g_assert_no_error (error);
  history = dc_history_new (hdb, &error);
  g_assert_no_error (error);

  for (int i = 0; i < registers; i++)
    {
      g_autoptr(JsonObject) item = json_object_new ();
      g_autofree char *id = g_strdup_printf ("r%d", i);

      json_object_set_string_member (item, "id", id);
      create (store, DC_KIND_ITEM, item);
    }
  for (int d = 0; d < devices; d++)
    {
      g_autoptr(JsonObject) device = json_object_new ();
      g_autoptr(JsonObject) term = json_object_new ();
      g_autofree char *id = g_strdup_printf ("d%d", d);
      g_autofree char *tid = g_strdup_printf ("t%d", d);

      json_object_set_string_member (device, "id", id);
      json_object_set_string_member (device, "protocol", "modbus_tcp");
      json_object_set_string_member (device, "ip", "127.0.0.1");
      json_object_set_int_member (device, "port", port + d);
      json_object_set_int_member (device, "poll_ms", poll_ms);
      json_object_set_int_member (device, "timeout_ms", 2000);
      create (store, DC_KIND_DEVICE, device);
      json_object_set_string_member (term, "id", tid);
      json_object_set_string_member (term, "device_id", id);
      json_object_set_int_member (term, "address", 1);
      create (store, DC_KIND_TERM, term);
      for (int i = 0; i < registers && devices <= 10; i++)
        {
          JsonObject *p = json_object_new ();
          g_autofree char *item = g_strdup_printf ("r%d", i);

          json_object_set_string_member (p, "device_id", id);
          json_object_set_string_member (p, "term_id", tid);
          json_object_set_string_member (p, "item_id", item);
          json_object_set_int_member (p, "protocol_code", i);
          json_object_set_string_member (p, "code_type", "hr:u16");
          json_object_set_string_member (p, "history", history_mode ? history_mode : "all");
          json_array_add_object_element (points, p);
        }
    }
  if (devices <= 10)
    {
      if (!dc_store_create_batch (store, DC_KIND_POINT, points, &error))
        g_error ("points: %s", error->message);
    }
  else
    {
      /* dc_store_create checks address uniqueness against every point of the device (quadratic
       * per device: 100,000 points take many minutes), so the scale run writes its points with
       * SQL in the store's own schema while the store is closed. */
      sqlite3 *sql = NULL;
      sqlite3_stmt *stmt = NULL;

      g_clear_object (&store);
      if (sqlite3_open (db, &sql) != SQLITE_OK ||
          sqlite3_exec (sql, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
          sqlite3_prepare_v2 (sql, "INSERT INTO points (term_id, item_id, body) VALUES (?, ?, ?)",
                              -1, &stmt, NULL) != SQLITE_OK)
        g_error ("sqlite: %s", sqlite3_errmsg (sql));
      /* Row by row, without a JSON object per point (1,000,000 of them at 10,000 devices
       * held gigabytes before the engine started). */
      for (int d = 0; d < devices; d++)
        {
          g_autofree char *tid = g_strdup_printf ("t%d", d);

          for (int i = 0; i < registers; i++)
            {
              g_autofree char *item = g_strdup_printf ("r%d", i);
              g_autofree char *body = g_strdup_printf ("{\"protocol_code\":%d"
                                                       ",\"code_type\":\"hr:u16\",\"history\":\"%s\"}",
                                                       i, history_mode ? history_mode : "all");

              sqlite3_bind_text (stmt, 1, tid, -1, SQLITE_TRANSIENT);
              sqlite3_bind_text (stmt, 2, item, -1, SQLITE_TRANSIENT);
              sqlite3_bind_text (stmt, 3, body, -1, SQLITE_TRANSIENT);
              if (sqlite3_step (stmt) != SQLITE_DONE)
                g_error ("insert: %s", sqlite3_errmsg (sql));
              sqlite3_reset (stmt);
            }
        }
      sqlite3_finalize (stmt);
      if (sqlite3_exec (sql, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        g_error ("commit: %s", sqlite3_errmsg (sql));
      sqlite3_close (sql);
      store = dc_store_open (db, &error);
      g_assert_no_error (error);
    }

  b.engine = dc_engine_new (store, history);
  if (io_threads > 0)
    dc_engine_drivers_set_n_io_threads (dc_engine_get_drivers (b.engine), io_threads);
  b.loop = g_main_loop_new (NULL, FALSE);
  b.n_devices = devices;
  b.n_registers = registers;
  b.seconds = seconds;
  b.max_polls = max_polls;
  b.rss_setup = rss_kib ();
  dc_engine_start (b.engine);
  /* Status JSON costs instructions: look only every 100 ms (the run script divides by the
   * polls actually made). */
  g_timeout_add (100, tick_cb, &b);
  g_main_loop_run (b.loop);

  dc_engine_shutdown (b.engine);
  g_object_unref (b.engine);
  dc_history_sync (history);
  g_main_loop_unref (b.loop);
  g_clear_object (&history);
  g_clear_object (&store);
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);

        g_remove (path);
      }
    g_rmdir (dir);
  }
  return 0;
}
