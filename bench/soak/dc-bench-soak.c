/* dc-bench-soak.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The soak benchmark (docs/history.md "Soak"): `datacoll --server` under a steady load for a
 * long time, measured per period.
 *
 * Load: ten modbus_tcp devices polling 100 registers each every 10 ms from datacoll-sim
 * (100,000 values/s; 5 % of the registers change on each read, history `change`), an eleventh
 * device whose simulator is killed and started again every 30 s (its link flaps every minute),
 * ten WebSocket clients (one device each), and REST load (values, status and a history query
 * about 30 times a second).
 * Measures, per period: the server's RSS and open fds (the largest of one reading a second), the
 * longest answer to a small GET made every 50 ms (an upper bound of the longest main-loop
 * stall: it includes the loopback and this process' scheduling), the p99 of sample time →
 * WebSocket receive time over every batch the clients received, and the values ingested.
 * At the end, whether each stayed flat: within ±5 % of the second period (the first is the
 * warm-up) in every later period.
 *
 * Usage: dc-bench-soak DATACOLL DATACOLL_SIM DURATION_S PERIOD_S
 */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#define N_DEVICES  10
#define N_POINTS   100
#define N_CLIENTS  10

typedef struct
{
  gint64  rss_kib;        /* largest reading */
  guint   fds;            /* largest reading */
  gint64  stall_us;       /* longest probe answer */
  double  p99_ms;         /* sample → WebSocket */
  guint64 batches;        /* WebSocket batches received */
  double  values_per_s;   /* ingested */
} Period;

typedef struct
{
  const char   *datacoll;
  const char   *sim;
  char         *dir;
  GSubprocess  *server;
  GPid          server_pid;
  char         *base;
  GSubprocess  *sim_main;
  GSubprocess  *sim_flap;
  guint16       sim_port;
  guint16       flap_port;
  SoupSession  *session;       /* the load and the probe, asynchronous */
  SoupSession  *sync_session;  /* set-up and the counters: a blocking call on the load's
                                * session waits for a connection the blocked loop holds */

  /* WebSocket clients: their own thread and context */
  GThread      *ws_thread;
  GMainContext *ws_context;
  GMutex        lock;
  GArray       *latencies;  /* gint64 µs, this period, under lock */
  guint64       batches;    /* this period, under lock */
  gboolean      quit;

  /* This period, main thread */
  gint64        rss_kib;
  guint         fds;
  gint64        stall_us;
  guint64       received_at_start;
  gint64        period_start;
  GArray       *periods;
  gboolean      probe_busy;
  guint         rest_turn;
  gboolean      flap_up;
} Soak;

static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocess *
spawn (GSubprocessFlags     flags,
       const char * const  *argv)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (process == NULL)
    g_error ("%s: %s", argv[0], error->message);
  return process;
}

/* Reads @process' @stream lines until one starts with @prefix; returns the rest of it. */
static char *
wait_line (GInputStream *stream,
           const char   *prefix)
{
  g_autoptr(GDataInputStream) data = g_data_input_stream_new (stream);

  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (data), FALSE);
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = g_data_input_stream_read_line (data, NULL, NULL, &error);
      const char *at;

      if (line == NULL)
        g_error ("the process ended before printing %s", prefix);
      at = strstr (line, prefix);
      if (at != NULL)
        return g_strdup (at + strlen (prefix));
    }
}

/* Copies what @stream still sends into @name in the run's folder, so that the child never
 * blocks on a full pipe. */
static void
drain (Soak         *soak,
       GInputStream *stream,
       const char   *name)
{
  g_autofree char *path = g_build_filename (soak->dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileOutputStream) out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL,
                                                     NULL);

  if (out == NULL)
    g_error ("cannot write %s", path);
  g_output_stream_splice_async (G_OUTPUT_STREAM (out), stream,
                                G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, G_PRIORITY_LOW, NULL, NULL,
                                NULL);
}

static GSubprocess *
spawn_sim (Soak       *soak,
           guint16     port,
           const char *registers,
           const char *changing,
           guint16    *bound)
{
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  const char *argv[] = { soak->sim, "modbus", "--port", port_text, "--registers", registers,
                         "--changing", changing, NULL };
  GSubprocess *sim = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, argv);
  g_autofree char *rest = wait_line (g_subprocess_get_stdout_pipe (sim), "listening on port ");

  if (bound != NULL)
    *bound = atoi (rest);
  drain (soak, g_subprocess_get_stdout_pipe (sim), port == 0 && bound == &soak->sim_port
                                                   ? "sim.log" : "sim-flap.log");
  return sim;
}

static char *
http (Soak       *soak,
      const char *method,
      const char *path,
      const char *body,
      guint      *status)
{
  g_autofree char *uri = g_strconcat (soak->base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;

  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  reply = soup_session_send_and_read (soak->sync_session, msg, NULL, &error);
  if (reply == NULL)
    g_error ("%s %s: %s", method, path, error->message);
  *status = soup_message_get_status (msg);
  return g_strndup (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply));
}

static void
post_ok (Soak       *soak,
         const char *path,
         const char *body)
{
  guint status;
  g_autofree char *reply = http (soak, "POST", path, body, &status);

  if (status != 200)
    g_error ("POST %s: %u %s", path, status, reply);
}

static void
create_plant (Soak *soak)
{
  g_autoptr(GString) points = g_string_new ("[");
  g_autofree char *flap = NULL;

  for (guint d = 0; d < N_DEVICES; d++)
    {
      g_autofree char *device = g_strdup_printf ("{\"id\":\"m%u\",\"protocol\":\"modbus_tcp\","
                                                 "\"ip\":\"127.0.0.1\",\"port\":%u,"
                                                 "\"poll_ms\":10}", d, soak->sim_port);
      g_autofree char *term = g_strdup_printf ("{\"id\":\"t%u\",\"device_id\":\"m%u\"}", d, d);

      post_ok (soak, "/api/v1/devices", device);
      post_ok (soak, "/api/v1/terms", term);
    }
  flap = g_strdup_printf ("{\"id\":\"flap\",\"protocol\":\"modbus_tcp\",\"ip\":\"127.0.0.1\","
                          "\"port\":%u,\"poll_ms\":1000,\"timeout_ms\":500}", soak->flap_port);
  post_ok (soak, "/api/v1/devices", flap);
  post_ok (soak, "/api/v1/terms", "{\"id\":\"tf\",\"device_id\":\"flap\"}");
  for (guint n = 0; n < N_POINTS; n++)
    {
      g_autofree char *item = g_strdup_printf ("{\"id\":\"i%u\"}", n);

      post_ok (soak, "/api/v1/items", item);
    }
  for (guint d = 0; d < N_DEVICES; d++)
    for (guint n = 0; n < N_POINTS; n++)
      g_string_append_printf (points, "{\"device_id\":\"m%u\",\"term_id\":\"t%u\","
                              "\"item_id\":\"i%u\",\"protocol_code\":\"%u\","
                              "\"code_type\":\"hr:u16\",\"history\":\"change\"},", d, d, n,
                              d * N_POINTS + n);
  for (guint n = 0; n < 10; n++)
    g_string_append_printf (points, "{\"device_id\":\"flap\",\"term_id\":\"tf\","
                            "\"item_id\":\"i%u\",\"protocol_code\":\"%u\","
                            "\"code_type\":\"hr:u16\",\"history\":\"change\"}%s", n, n,
                            n < 9 ? "," : "");
  g_string_append (points, "]");
  post_ok (soak, "/api/v2/term_items", points->str);
}

/* WebSocket clients */

static gint64
parse_time_us (const char *text,
               gsize       len)
{
  g_autofree char *copy = g_strndup (text, len);
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (copy, NULL);

  if (dt == NULL)
    return 0;
  return g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
}

static void
ws_message_cb (SoupWebsocketConnection *conn,
               gint                     type,
               GBytes                  *message,
               Soak                    *soak)
{
  gsize len;
  const char *data = g_bytes_get_data (message, &len);
  gint64 now = g_get_real_time ();
  const char *at, *end;
  gint64 t;

  /* {"type":"samples","samples":[{…,"time":"…",…}]}: the batch's first time is enough. */
  if (data == NULL || len < 20 || memmem (data, MIN (len, 40), "\"samples\"", 9) == NULL)
    return;
  at = memmem (data, len, "\"time\":\"", 8);
  if (at == NULL)
    return;
  at += 8;
  end = memchr (at, '"', data + len - at);
  if (end == NULL)
    return;
  t = parse_time_us (at, end - at);
  if (t == 0)
    return;
  g_mutex_lock (&soak->lock);
  g_array_append_val (soak->latencies, (gint64) { now - t });
  soak->batches++;
  g_mutex_unlock (&soak->lock);
}

static void
ws_connected_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Soak *soak = user_data;
  g_autoptr(GError) error = NULL;
  SoupWebsocketConnection *conn;
  static guint next;
  g_autofree char *subscribe = NULL;

  conn = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (conn == NULL)
    g_error ("WebSocket: %s", error->message);
  soup_websocket_connection_set_max_incoming_payload_size (conn, 64 * 1024 * 1024);
  g_signal_connect (conn, "message", G_CALLBACK (ws_message_cb), soak);
  subscribe = g_strdup_printf ("{\"subscribe\":[\"m%u:*\"]}", next++ % N_DEVICES);
  soup_websocket_connection_send_text (conn, subscribe);
  /* Kept for the whole run (the thread's context ends with the process). */
}

static gpointer
ws_thread (gpointer data)
{
  Soak *soak = data;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *uri = g_strdup_printf ("%s/api/v1/stream", soak->base);

  g_main_context_push_thread_default (soak->ws_context);
  soup_session_set_timeout (session, 0);
  for (guint i = 0; i < N_CLIENTS; i++)
    {
      SoupMessage *msg = soup_message_new ("GET", uri);

      soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                            ws_connected_cb, soak);
      g_object_unref (msg);
    }
  while (!g_atomic_int_get (&soak->quit))
    g_main_context_iteration (soak->ws_context, TRUE);
  g_main_context_pop_thread_default (soak->ws_context);
  return NULL;
}

/* The server's RSS (KiB) and open fds, from /proc. */
static void
read_proc (Soak *soak)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", soak->server_pid);
  g_autofree char *fd_dir = g_strdup_printf ("/proc/%d/fd", soak->server_pid);
  g_autofree char *status = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *at;
  guint fds = 0;

  if (!g_file_get_contents (path, &status, NULL, NULL))
    g_error ("the server is gone");
  at = strstr (status, "VmRSS:");
  if (at != NULL)
    soak->rss_kib = MAX (soak->rss_kib, g_ascii_strtoll (at + 6, NULL, 10));
  dir = g_dir_open (fd_dir, 0, NULL);
  while (dir != NULL && g_dir_read_name (dir) != NULL)
    fds++;
  soak->fds = MAX (soak->fds, fds);
}

static guint64
ingest_received (Soak *soak)
{
  guint status;
  g_autofree char *body = http (soak, "GET", "/api/v1/status", NULL, &status);
  g_autoptr(JsonNode) node = json_from_string (body, NULL);

  return json_object_get_int_member (json_object_get_object_member (json_node_get_object (node),
                                                                    "ingest"), "received");
}

/* Probe and REST load: async on the main context */

typedef struct
{
  Soak   *soak;
  gint64  sent;
  gboolean probe;
} Pending;

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Pending *p = user_data;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                              NULL);

  if (p->probe)
    {
      p->soak->stall_us = MAX (p->soak->stall_us, g_get_monotonic_time () - p->sent);
      p->soak->probe_busy = FALSE;
    }
  g_free (p);
}

static void
send_async (Soak       *soak,
            const char *path,
            gboolean    probe)
{
  g_autofree char *uri = g_strconcat (soak->base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
  Pending *p = g_new0 (Pending, 1);

  p->soak = soak;
  p->sent = g_get_monotonic_time ();
  p->probe = probe;
  soup_session_send_and_read_async (soak->session, msg, G_PRIORITY_DEFAULT, NULL, sent_cb, p);
}

static gboolean
probe_cb (gpointer user_data)
{
  Soak *soak = user_data;

  /* One probe at a time: a stalled server holds it, and its answer time is the stall. */
  if (!soak->probe_busy)
    {
      soak->probe_busy = TRUE;
      send_async (soak, "/api/v1/devices/m0", TRUE);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
rest_cb (gpointer user_data)
{
  Soak *soak = user_data;
  g_autofree char *path = NULL;

  switch (soak->rest_turn++ % 3)
    {
    case 0:
      path = g_strdup_printf ("/api/v1/values?device_id=m%u", soak->rest_turn % N_DEVICES);
      break;
    case 1:
      path = g_strdup ("/api/v1/status");
      break;
    default:
      path = g_strdup_printf ("/api/v1/devices/m%u/terms/t%u/items/i%u/datas?limit=100",
                              soak->rest_turn % N_DEVICES, soak->rest_turn % N_DEVICES,
                              soak->rest_turn % 5);
      break;
    }
  send_async (soak, path, FALSE);
  return G_SOURCE_CONTINUE;
}

static gboolean
proc_cb (gpointer user_data)
{
  read_proc (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
flap_cb (gpointer user_data)
{
  Soak *soak = user_data;

  if (soak->flap_up)
    {
      g_subprocess_force_exit (soak->sim_flap);
      g_subprocess_wait (soak->sim_flap, NULL, NULL);
      g_clear_object (&soak->sim_flap);
    }
  else
    soak->sim_flap = spawn_sim (soak, soak->flap_port, "10", "100", NULL);
  soak->flap_up = !soak->flap_up;
  return G_SOURCE_CONTINUE;
}

static int
cmp_gint64 (gconstpointer a,
            gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static gboolean
period_cb (gpointer user_data)
{
  Soak *soak = user_data;
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 now = g_get_monotonic_time ();
  guint64 received = ingest_received (soak);
  Period p = { 0 };

  g_mutex_lock (&soak->lock);
  g_array_append_vals (latencies, soak->latencies->data, soak->latencies->len);
  g_array_set_size (soak->latencies, 0);
  p.batches = soak->batches;
  soak->batches = 0;
  g_mutex_unlock (&soak->lock);

  g_array_sort (latencies, cmp_gint64);
  if (latencies->len > 0)
    p.p99_ms = g_array_index (latencies, gint64, (latencies->len * 99) / 100) / 1000.0;
  p.rss_kib = soak->rss_kib;
  p.fds = soak->fds;
  p.stall_us = soak->stall_us;
  p.values_per_s = (received - soak->received_at_start) * 1e6 / (now - soak->period_start);
  g_array_append_val (soak->periods, p);
  printf ("| %3u | %7.1f | %4u | %8.1f | %8.1f | %8" G_GUINT64_FORMAT " | %9.0f |\n",
          soak->periods->len, p.rss_kib / 1024.0, p.fds, p.stall_us / 1000.0, p.p99_ms,
          p.batches, p.values_per_s);
  fflush (stdout);

  soak->rss_kib = 0;
  soak->fds = 0;
  soak->stall_us = 0;
  soak->received_at_start = received;
  soak->period_start = now;
  return G_SOURCE_CONTINUE;
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

/* Flat: every period after the second within ±5 % of the second. */
static void
print_flat (GArray     *periods,
            const char *name,
            gsize       offset,
            gboolean    is_double)
{
  double ref = 0, worst = 0;

  for (guint i = 1; i < periods->len; i++)
    {
      const guint8 *p = (const guint8 *) &g_array_index (periods, Period, i);
      double v = is_double ? *(const double *) (p + offset)
                           : offset == G_STRUCT_OFFSET (Period, fds)
                             ? *(const guint *) (p + offset) : *(const gint64 *) (p + offset);

      if (i == 1)
        ref = v;
      else if (ref > 0)
        worst = MAX (worst, ABS (v - ref) / ref);
    }
  printf ("%-28s %s (largest change from period 2: %+.1f %%)\n", name,
          periods->len < 3 ? "too short to tell" : worst <= 0.05 ? "flat" : "NOT flat",
          worst * 100);
}

int
main (int   argc,
      char *argv[])
{
  Soak soak = { 0 };
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree char *db = NULL;
  g_autofree char *port_line = NULL;
  guint duration_s, period_s;

  if (argc != 5)
    {
      fprintf (stderr, "usage: %s DATACOLL DATACOLL_SIM DURATION_S PERIOD_S\n", argv[0]);
      return 2;
    }
  soak.datacoll = argv[1];
  soak.sim = argv[2];
  duration_s = atoi (argv[3]);
  period_s = MAX (atoi (argv[4]), 1);
  soak.dir = g_dir_make_tmp ("dc-soak-XXXXXX", NULL);
  db = g_build_filename (soak.dir, "soak.db", NULL);
  g_mutex_init (&soak.lock);
  soak.latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  soak.periods = g_array_new (FALSE, FALSE, sizeof (Period));
  soak.session = soup_session_new_with_options ("max-conns", 16, NULL);
  soak.sync_session = soup_session_new ();

  soak.sim_main = spawn_sim (&soak, 0, "1000", "5", &soak.sim_port);
  /* The flapping simulator: a port of its own, taken and given back every 30 s. */
  soak.sim_flap = spawn_sim (&soak, 0, "10", "100", &soak.flap_port);
  soak.flap_up = TRUE;

  {
    const char *server_argv[] = { soak.datacoll, "--server", "--port", "0", "--db", db, NULL };

    soak.server = spawn (G_SUBPROCESS_FLAGS_STDERR_PIPE, server_argv);
    port_line = wait_line (g_subprocess_get_stderr_pipe (soak.server), "listening on http://");
    soak.server_pid = atoi (g_subprocess_get_identifier (soak.server));
    soak.base = g_strdup_printf ("http://%.*s", (int) strcspn (port_line, " \n"), port_line);
    drain (&soak, g_subprocess_get_stderr_pipe (soak.server), "server.log");
  }
  create_plant (&soak);

  soak.ws_context = g_main_context_new ();
  soak.ws_thread = g_thread_new ("soak-websocket", ws_thread, &soak);

  printf ("soak: %u s, a period every %u s; server %s (pid %d), data in %s\n\n", duration_s,
          period_s, soak.base, soak.server_pid, soak.dir);
  printf ("| period | RSS MiB | fds | longest stall ms | p99 sample→WS ms | WS batches | values/s |\n");
  printf ("|---|---|---|---|---|---|---|\n");
  fflush (stdout);

  soak.period_start = g_get_monotonic_time ();
  soak.received_at_start = ingest_received (&soak);
  g_timeout_add (50, probe_cb, &soak);
  g_timeout_add (33, rest_cb, &soak);
  g_timeout_add (1000, proc_cb, &soak);
  g_timeout_add_seconds (30, flap_cb, &soak);
  g_timeout_add_seconds (period_s, period_cb, &soak);
  g_timeout_add_seconds (duration_s, quit_cb, loop);
  g_main_loop_run (loop);

  printf ("\n");
  print_flat (soak.periods, "RSS", G_STRUCT_OFFSET (Period, rss_kib), FALSE);
  print_flat (soak.periods, "open fds", G_STRUCT_OFFSET (Period, fds), FALSE);
  print_flat (soak.periods, "longest main-loop stall", G_STRUCT_OFFSET (Period, stall_us),
              FALSE);
  print_flat (soak.periods, "p99 sample to WebSocket", G_STRUCT_OFFSET (Period, p99_ms), TRUE);

  g_atomic_int_set (&soak.quit, TRUE);
  g_main_context_wakeup (soak.ws_context);
  g_thread_join (soak.ws_thread);
  g_subprocess_send_signal (soak.server, SIGTERM);
  g_subprocess_wait (soak.server, NULL, NULL);
  if (soak.sim_flap != NULL)
    g_subprocess_force_exit (soak.sim_flap);
  g_subprocess_force_exit (soak.sim_main);
  printf ("server exit: %s\n", g_subprocess_get_if_exited (soak.server) &&
          g_subprocess_get_exit_status (soak.server) == 0 ? "clean" : "NOT clean");

  /* The run's files (the databases grow by about 5,000 rows a second) unless asked to keep. */
  if (g_getenv ("SOAK_KEEP") == NULL)
    {
      g_autoptr(GDir) dir = g_dir_open (soak.dir, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (soak.dir, name, NULL);

          g_unlink (path);
        }
      g_rmdir (soak.dir);
    }
  else
    printf ("files kept in %s\n", soak.dir);
  return 0;
}
