/* bench-remote.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* Sample-to-screen latency of the workstation, local vs remote (docs/ui.md "The plant
 * connection", bench/remote/run): an IEC 104 simulator (datacoll-sim) sends N_POINTS floats
 * spontaneously at RATE changes per second with their time tags; the workstation window shows
 * them, its plant connection either local (the engine in this process) or remote (a separate
 * `datacoll --server` polled through REST + the WebSocket stream). For every row the plant
 * model updates, latency = the moment the row changed − the sample's time (the time tag of the
 * simulator, or the server's reception for the cyclic values). Also the longest main-loop
 * stall of the window's process (the largest gap between two ticks of a 5 ms timer, less 5 ms).
 *
 * Usage: bench-remote local|remote RATE SECONDS
 * Prints: "<mode> rate=<R> n=<rows> median_ms=… p99_ms=… max_ms=… stall_ms=…" */

#define G_LOG_DOMAIN "bench-remote"

#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <adwaita.h>
#include <libsoup/soup.h>

#include "dc-application.h"
#include "dc-engine.h"
#include "dc-history.h"
#include "dc-local-source.h"
#include "dc-protocols.h"
#include "dc-remote-source.h"
#include "dc-store.h"
#include "dc-window.h"

#define N_POINTS 1000
#define WARMUP_S 3

typedef struct
{
  GArray       *latencies;   /* double ms */
  GHashTable   *last;        /* key → gint64 time seen */
  DcPlantModel *plant;
  gboolean      measuring;
  gint64        last_tick;
  gint64        max_stall;
} Bench;

static char *
project_json (guint16 port)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "{\"devices\":[{\"id\":\"rtu\",\"protocol\":\"iec104\","
                          "\"ip\":\"127.0.0.1\",\"port\":%u}],"
                          "\"terms\":[{\"id\":\"t1\",\"device_id\":\"rtu\",\"address\":1}],"
                          "\"items\":[", port);
  for (guint i = 0; i < N_POINTS; i++)
    g_string_append_printf (out, "%s{\"id\":\"f%u\"}", i ? "," : "", i);
  g_string_append (out, "],\"points\":[");
  for (guint i = 0; i < N_POINTS; i++)
    g_string_append_printf (out, "%s{\"device_id\":\"rtu\",\"term_id\":\"t1\",\"item_id\":\"f%u\","
                            "\"protocol_code\":%u,\"code_type\":13,\"history\":\"none\"}",
                            i ? "," : "", i, 4001 + i);
  g_string_append (out, "],\"formulas\":[]}");
  return g_string_free (out, FALSE);
}

/* Reads the child's stderr until a line contains @marker; returns that line. */
static char *
read_line_with (GInputStream *stream,
                const char   *marker)
{
  g_autoptr(GDataInputStream) err = g_data_input_stream_new (stream);

  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (err), FALSE);
  for (;;)
    {
      char *line = g_data_input_stream_read_line_utf8 (err, NULL, NULL, NULL);

      if (line == NULL)
        g_error ("the child ended before '%s'", marker);
      if (strstr (line, marker) != NULL)
        return line;
      g_free (line);
    }
}

static guint16
port_after (const char *line,
            const char *marker)
{
  const char *at = strstr (line, marker);

  return (guint16) g_ascii_strtoull (at + strlen (marker), NULL, 10);
}

static void
post_json (SoupSession *session,
           const char  *base,
           const char  *path,
           JsonNode    *body)
{
  g_autofree char *uri = g_strconcat (base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", uri);
  g_autofree char *text = json_to_string (body, FALSE);
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(GBytes) answer = NULL;

  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  answer = soup_session_send_and_read (session, msg, NULL, NULL);
  if (soup_message_get_status (msg) != 200)
    g_error ("POST %s: %u", path, soup_message_get_status (msg));
}

static void
flushed_cb (DcPlantModel *plant,
            guint         n_rows,
            Bench        *b)
{
  gint64 now = g_get_real_time ();
  GListModel *devices = dc_plant_model_get_devices (plant);
  g_autoptr(DcDeviceNode) device = g_list_model_get_n_items (devices) ? g_list_model_get_item (devices, 0) : NULL;
  GListModel *points = device ? dc_device_node_get_points (device) : NULL;

  for (guint i = 0; points != NULL && i < g_list_model_get_n_items (points); i++)
    {
      g_autoptr(DcPointRow) row = g_list_model_get_item (points, i);
      gint64 key = dc_point_row_get_key (row);
      gint64 time = dc_point_row_get_time (row);
      gpointer seen = g_hash_table_lookup (b->last, &key);

      if (!dc_point_row_has_value (row) || (seen != NULL && *(gint64 *) seen == time))
        continue;
      if (seen == NULL)
        {
          gint64 *k = g_new (gint64, 1), *t = g_new (gint64, 1);

          *k = key;
          *t = time;
          g_hash_table_insert (b->last, k, t);
        }
      else
        *(gint64 *) seen = time;
      if (b->measuring)
        {
          double ms = (now - time) / 1000.0;

          g_array_append_val (b->latencies, ms);
        }
    }
}

static gboolean
tick_cb (gpointer data)
{
  Bench *b = data;
  gint64 now = g_get_monotonic_time ();

  if (b->measuring && b->last_tick != 0)
    b->max_stall = MAX (b->max_stall, now - b->last_tick - 5000);
  b->last_tick = now;
  return G_SOURCE_CONTINUE;
}

static gboolean
flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
run_for (guint seconds)
{
  gboolean done = FALSE;

  g_timeout_add_seconds (seconds, flag_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

int
main (int   argc,
      char *argv[])
{
  Bench b = { 0 };
  const char *mode;
  double rate;
  guint seconds;
  g_autofree char *dir = NULL;
  g_autofree char *sim_line = NULL;
  g_autofree char *rate_text = NULL;
  g_autofree char *project = NULL;
  g_autoptr(GSubprocess) sim = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DcApplication) app = NULL;
  g_autoptr(DcPlantSource) source = NULL;
  g_autoptr(DcStore) store = NULL;
  g_autoptr(DcHistory) history = NULL;
  g_autoptr(DcEngine) engine = NULL;
  g_autofree char *exe_dir = NULL;
  g_autofree char *datacoll = NULL;
  g_autofree char *datacoll_sim = NULL;
  DcWindow *window;
  guint16 sim_port;

  if (argc != 4)
    {
      g_printerr ("usage: %s local|remote RATE SECONDS\n", argv[0]);
      return 2;
    }
  mode = argv[1];
  rate = g_ascii_strtod (argv[2], NULL);
  seconds = (guint) g_ascii_strtoull (argv[3], NULL, 10);
  gtk_init ();
  adw_init ();
  dc_protocols_register_all ();

  /* The binaries of this build: bench/remote/bench-remote → src/. */
  exe_dir = g_path_get_dirname (g_file_read_link ("/proc/self/exe", NULL));
  datacoll = g_build_filename (exe_dir, "..", "..", "src", "datacoll", NULL);
  datacoll_sim = g_build_filename (exe_dir, "..", "..", "src", "sim", "datacoll-sim", NULL);
  dir = g_dir_make_tmp ("bench-remote-XXXXXX", &error);
  g_assert_no_error (error);

  rate_text = g_strdup_printf ("%g", rate);
  sim = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                          &error, datacoll_sim, "iec104", "--port", "0", "--bind", "127.0.0.1",
                          "--floats", G_STRINGIFY (N_POINTS), "--singles", "0", "--doubles", "0",
                          "--scaled", "0", "--normalized", "0", "--counters", "0",
                          "--changes-per-s", rate_text, NULL);
  g_assert_no_error (error);
  sim_line = read_line_with (g_subprocess_get_stdout_pipe (sim), "port ");
  sim_port = port_after (sim_line, "port ");
  project = project_json (sim_port);

  app = dc_application_new (G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, NULL);
  if (g_str_equal (mode, "local"))
    {
      g_autofree char *db = g_build_filename (dir, "local.db", NULL);
      g_autofree char *hdb = g_build_filename (dir, "local-history.db", NULL);
      g_autoptr(JsonNode) node = json_from_string (project, &error);

      g_assert_no_error (error);
      store = dc_store_open (db, &error);
      g_assert_no_error (error);
      g_ptr_array_unref (dc_store_import (store, json_node_get_object (node), TRUE, NULL, &error));
      g_assert_no_error (error);
      history = dc_history_new (hdb, &error);
      g_assert_no_error (error);
      engine = dc_engine_new (store, history);
      dc_engine_start (engine);
      source = DC_PLANT_SOURCE (dc_local_source_new (store, engine));
    }
  else
    {
      g_autofree char *db = g_build_filename (dir, "server.db", NULL);
      g_autofree char *line = NULL;
      g_autofree char *base = NULL;
      g_autoptr(SoupSession) session = soup_session_new ();
      g_autoptr(JsonNode) node = json_from_string (project, &error);
      const char *sections[] = { "devices", "terms", "items", "points" };
      const char *paths[] = { "/api/v2/devices", "/api/v2/terms", "/api/v2/items",
                              "/api/v2/term_items" };

      server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE,
                                 &error, datacoll, "--server", "--port", "0", "--db", db, NULL);
      g_assert_no_error (error);
      line = read_line_with (g_subprocess_get_stderr_pipe (server), "listening on http://");
      base = g_strdup_printf ("http://127.0.0.1:%u", port_after (line, "127.0.0.1:"));
      for (guint s = 0; s < G_N_ELEMENTS (sections); s++)
        post_json (session, base, paths[s],
                   json_object_get_member (json_node_get_object (node), sections[s]));
      source = DC_PLANT_SOURCE (dc_remote_source_new (base, NULL, &error));
      g_assert_no_error (error);
    }
  dc_application_set_source (app, source);
  g_application_activate (G_APPLICATION (app));
  window = DC_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 700);
  b.plant = dc_application_get_plant (app);
  b.latencies = g_array_new (FALSE, FALSE, sizeof (double));
  b.last = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  g_signal_connect (b.plant, "flushed", G_CALLBACK (flushed_cb), &b);
  g_timeout_add (5, tick_cb, &b);

  /* Connected, the plant shown (the device's table visible), the first values in. */
  while (dc_plant_model_get_n_points (b.plant) < N_POINTS)
    g_main_context_iteration (NULL, TRUE);
  dc_window_select (window, dc_plant_model_lookup_device (b.plant, "rtu"));
  run_for (WARMUP_S);
  b.measuring = TRUE;
  run_for (seconds);
  b.measuring = FALSE;

  g_array_sort (b.latencies, compare_double);
  if (b.latencies->len == 0)
    g_error ("no row was updated");
  g_print ("%s rate=%g n=%u median_ms=%.1f p99_ms=%.1f max_ms=%.1f stall_ms=%.1f\n", mode, rate,
           b.latencies->len,
           g_array_index (b.latencies, double, b.latencies->len / 2),
           g_array_index (b.latencies, double, (guint) (b.latencies->len * 0.99)),
           g_array_index (b.latencies, double, b.latencies->len - 1),
           b.max_stall / 1000.0);

  gtk_window_destroy (GTK_WINDOW (window));
  dc_application_set_source (app, NULL);
  if (engine != NULL)
    dc_engine_shutdown (engine);
  if (server != NULL)
    {
      g_subprocess_send_signal (server, SIGTERM);
      g_subprocess_wait (server, NULL, NULL);
    }
  g_subprocess_force_exit (sim);
  g_subprocess_wait (sim, NULL, NULL);
  return 0;
}
