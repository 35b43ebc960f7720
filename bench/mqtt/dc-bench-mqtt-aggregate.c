/* dc-bench-mqtt-aggregate.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The aggregation half of bench/mqtt (docs/sparkplug.md, "Benchmark"): N simulated Sparkplug
 * edge nodes (one libmosquitto client each, one publishing thread each) with P Double metrics
 * each publish into one central `datacoll --server` that has one `sparkplug` device per node.
 *
 *   dc-bench-mqtt-aggregate MQTT_PORT CENTRAL_URL CENTRAL_PID EDGES POINTS SECONDS RATE
 *
 * RATE is the values/s each node publishes (DDATA of 500 metrics, round robin over its
 * metrics). The program creates the central's devices over REST, answers rebirth requests with
 * NBIRTH and DBIRTH, waits until the central made every point, then publishes for SECONDS and
 * prints, one "key value" a line:
 *   learn_s       seconds from the first connection until the central made every point
 *                 (births of all nodes: items, terms and points created in its store)
 *   published/s   values published per second (all nodes)
 *   accepted/s    values the central's engine accepted per second (GET /api/v1/status)
 *   drained_s     seconds after the end until the central had accepted everything
 *   central_cpu   the central's CPU use over the window (1.0 = one core; /proc/PID/stat)
 *   cpu_per_1000  the central's CPU ms per 1,000 values
 *   latency_p50_ms, latency_p99_ms  from publishing a probe value at node 0 (its own
 *                 Sparkplug device "probe") until the central's live table has it — the
 *                 moment GET /api/v1/values answers it —, told by the central's WebSocket
 *                 stream (/api/v1/stream, subscribed to the probe point only, so that the
 *                 measure costs the central nothing); 10 probes a second, after the throughput
 *                 window, under the same load
 */

#define G_LOG_DOMAIN "dc-bench-mqtt"

#include "config.h"

#include <math.h>
#include <mosquitto.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dc-sparkplug-payload.h"

#define GROUP      "Bench"
#define PER_MSG    500
#define PROBE_ALIAS G_GUINT64_CONSTANT (1000000000)

typedef struct
{
  guint              index;
  char              *node;
  struct mosquitto  *mosq;
  GMutex             lock;      /* seq and publishing */
  guint              seq;
  gint               rebirth;   /* atomic: a rebirth was asked for */
  guint64            published;
  GThread           *thread;
} Edge;

static guint n_points;
static double rate;
static gint running;
static gint stopping;

static guint64
now_ms (void)
{
  return (guint64) (g_get_real_time () / 1000);
}

/* Under edge->lock. */
static void
publish (Edge               *edge,
         const char         *type,
         const char         *device,
         DcSparkplugMetric  *metrics,
         guint               n,
         gboolean            birth)
{
  g_autofree char *topic = device != NULL ?
    g_strdup_printf ("spBv1.0/" GROUP "/%s/%s/%s", type, edge->node, device) :
    g_strdup_printf ("spBv1.0/" GROUP "/%s/%s", type, edge->node);
  g_autoptr(GBytes) payload = NULL;
  int rc;

  if (birth && device == NULL)
    edge->seq = 0;
  payload = dc_sparkplug_payload_encode (now_ms (), (gint) edge->seq, metrics, n);
  edge->seq = (edge->seq + 1) % 256;
  rc = mosquitto_publish (edge->mosq, NULL, topic, (int) g_bytes_get_size (payload),
                          g_bytes_get_data (payload, NULL), 0, false);
  if (rc != MOSQ_ERR_SUCCESS)
    g_printerr ("publish %s: %s\n", topic, mosquitto_strerror (rc));
}

static void
births (Edge *edge)
{
  g_autofree DcSparkplugMetric *metrics = g_new0 (DcSparkplugMetric, MAX (n_points, 2));
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  guint64 t = now_ms ();

  g_mutex_lock (&edge->lock);
  metrics[0] = (DcSparkplugMetric) { .name = "bdSeq", .timestamp_ms = t,
                                     .datatype = DC_SPARKPLUG_INT64 };
  metrics[1] = (DcSparkplugMetric) { .name = "Node Control/Rebirth", .timestamp_ms = t,
                                     .datatype = DC_SPARKPLUG_BOOLEAN };
  publish (edge, "NBIRTH", NULL, metrics, 2, TRUE);
  for (guint i = 0; i < n_points; i++)
    {
      char *name = g_strdup_printf ("1/p%05u", i);

      g_ptr_array_add (names, name);
      metrics[i] = (DcSparkplugMetric) { .name = name, .alias = i + 1, .timestamp_ms = t,
                                         .datatype = DC_SPARKPLUG_DOUBLE, .value = 0 };
    }
  publish (edge, "DBIRTH", "plc", metrics, n_points, TRUE);
  if (edge->index == 0)
    {
      DcSparkplugMetric probe = { .name = "1/lat", .alias = PROBE_ALIAS, .timestamp_ms = t,
                                  .datatype = DC_SPARKPLUG_DOUBLE, .value = -1 };

      publish (edge, "DBIRTH", "probe", &probe, 1, TRUE);
    }
  g_mutex_unlock (&edge->lock);
}

static void
on_message_cb (struct mosquitto               *mosq,
               void                           *obj,
               const struct mosquitto_message *msg)
{
  Edge *edge = obj;

  /* Any NCMD here is Node Control/Rebirth: the publishing thread answers it. */
  g_atomic_int_set (&edge->rebirth, 1);
}

static void
on_connect_cb (struct mosquitto *mosq,
               void             *obj,
               int               rc)
{
  Edge *edge = obj;
  g_autofree char *ncmd = g_strdup_printf ("spBv1.0/" GROUP "/NCMD/%s", edge->node);

  mosquitto_subscribe (mosq, NULL, ncmd, 0);
  g_atomic_int_set (&edge->rebirth, 1);
}

static gpointer
edge_thread (gpointer data)
{
  Edge *edge = data;
  g_autofree DcSparkplugMetric *metrics = g_new0 (DcSparkplugMetric, PER_MSG);
  guint next = 0;
  double value = 0;
  gint64 start = 0;
  guint64 sent = 0;

  while (!g_atomic_int_get (&stopping))
    {
      if (g_atomic_int_compare_and_exchange (&edge->rebirth, 1, 0))
        births (edge);
      if (!g_atomic_int_get (&running))
        {
          g_usleep (1000);
          start = 0;
          continue;
        }
      if (start == 0)
        {
          start = g_get_monotonic_time ();
          sent = 0;
        }
      /* Keep to the rate: sent values ahead of the clock wait. */
      if ((double) sent > rate * (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC)
        {
          g_usleep (500);
          continue;
        }
      value += 1;
      for (guint i = 0; i < PER_MSG; i++)
        {
          metrics[i] = (DcSparkplugMetric) { .alias = next + 1, .timestamp_ms = now_ms (),
                                             .datatype = DC_SPARKPLUG_DOUBLE, .value = value };
          next = (next + 1) % n_points;
        }
      g_mutex_lock (&edge->lock);
      publish (edge, "DDATA", "plc", metrics, PER_MSG, FALSE);
      g_mutex_unlock (&edge->lock);
      sent += PER_MSG;
      g_atomic_pointer_add (&edge->published, PER_MSG);
    }
  return NULL;
}

/* REST */

static JsonNode *
rest (SoupSession *session,
      const char  *base,
      const char  *method,
      const char  *path,
      const char  *body,
      guint       *status)
{
  g_autofree char *url = g_strconcat (base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;

  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  answer = soup_session_send_and_read (session, msg, NULL, &error);
  if (answer == NULL)
    g_error ("%s %s: %s", method, path, error->message);
  if (status != NULL)
    *status = soup_message_get_status (msg);
  return json_from_string (g_bytes_get_data (answer, NULL) != NULL ?
                           (const char *) g_bytes_get_data (answer, NULL) : "null", NULL);
}

static gint64
status_accepted (SoupSession *session,
                 const char  *base)
{
  g_autoptr(JsonNode) node = rest (session, base, "GET", "/api/v1/status", NULL, NULL);
  JsonObject *ingest = json_object_get_object_member (json_node_get_object (node), "ingest");

  return json_object_get_int_member (ingest, "accepted");
}

static gint64
points_created (SoupSession *session,
                const char  *base,
                const char  *device)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s/status", device);
  g_autoptr(JsonNode) node = rest (session, base, "GET", path, NULL, NULL);
  JsonObject *protocol;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return 0;
  protocol = json_object_get_object_member (json_node_get_object (node), "protocol");
  return protocol != NULL ? json_object_get_int_member_with_default (protocol, "points_created", 0)
                          : 0;
}

/* The probe: the central's stream tells when the probe point's value changed. */
typedef struct
{
  double  waiting_for;
  gint64  seen;        /* monotonic µs; 0 = not yet */
} Probe;

static void
ws_message_cb (SoupWebsocketConnection *ws,
               gint                     type,
               GBytes                  *message,
               gpointer                 user_data)
{
  Probe *probe = user_data;
  gint64 now = g_get_monotonic_time ();
  g_autoptr(JsonNode) node = json_from_string (g_bytes_get_data (message, NULL), NULL);
  JsonObject *object;
  JsonArray *samples;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;
  object = json_node_get_object (node);
  if (!json_object_has_member (object, "samples"))
    return;
  samples = json_object_get_array_member (object, "samples");
  for (guint i = 0; i < json_array_get_length (samples); i++)
    {
      JsonObject *sample = json_array_get_object_element (samples, i);
      JsonNode *value = json_object_get_member (sample, "value");

      if (value != NULL && JSON_NODE_HOLDS_VALUE (value) &&
          json_node_get_double (value) == probe->waiting_for && probe->seen == 0)
        probe->seen = now;
    }
}

static void
ws_connected_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SoupWebsocketConnection **ws = user_data;
  g_autoptr(GError) error = NULL;

  *ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (*ws == NULL)
    g_error ("the central's stream: %s", error->message);
}

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static double
cpu_seconds (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *close;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  close = strrchr (text, ')');
  if (close == NULL)
    return 0;
  fields = g_strsplit (close + 2, " ", 0);
  /* After the name: state is field 0, utime 11, stime 12. */
  if (g_strv_length (fields) < 13)
    return 0;
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) /
         (double) sysconf (_SC_CLK_TCK);
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (double));
  Edge *edges;
  guint mqtt_port, n_edges, seconds;
  const char *base;
  int pid;
  gint64 accepted0, accepted1, t0, t1, end;
  guint64 published0 = 0, published1 = 0;
  gint64 accepted_start;
  gint64 learn;
  double cpu0, cpu1, probe = 0;
  guint64 published = 0;

  if (argc != 8)
    {
      g_printerr ("usage: %s MQTT_PORT CENTRAL_URL CENTRAL_PID EDGES POINTS SECONDS RATE\n",
                  argv[0]);
      return 2;
    }
  mqtt_port = (guint) atoi (argv[1]);
  base = argv[2];
  pid = atoi (argv[3]);
  n_edges = (guint) atoi (argv[4]);
  n_points = (guint) atoi (argv[5]);
  seconds = (guint) atoi (argv[6]);
  rate = g_ascii_strtod (argv[7], NULL);
  if (n_edges < 1 || n_points < PER_MSG || seconds < 1 || rate <= 0)
    {
      g_printerr ("EDGES ≥ 1, POINTS ≥ %d, SECONDS ≥ 1, RATE > 0\n", PER_MSG);
      return 2;
    }

  session = soup_session_new_with_options ("timeout", 60, NULL);
  mosquitto_lib_init ();

  /* The central's devices: one per node (created before the nodes are born, so that the
   * births are asked for). */
  for (guint e = 0; e < n_edges; e++)
    {
      g_autofree char *body = g_strdup_printf (
        "{\"id\":\"edge%u\",\"protocol\":\"sparkplug\",\"ip\":\"127.0.0.1\",\"port\":%u,"
        "\"group_id\":\"" GROUP "\",\"edge_node_id\":\"edge%u\"}", e, mqtt_port, e);
      g_autoptr(JsonNode) answer = NULL;
      guint status = 0;

      answer = rest (session, base, "POST", "/api/v1/devices", body, &status);
      if (status != 200 && status != 201)
        g_error ("POST /api/v1/devices: %u", status);
    }

  edges = g_new0 (Edge, n_edges);
  for (guint e = 0; e < n_edges; e++)
    {
      Edge *edge = &edges[e];
      g_autofree char *id = g_strdup_printf ("bench-edge%u", e);
      g_autofree char *will = NULL;
      g_autoptr(GBytes) death = dc_sparkplug_payload_encode_death (now_ms (), 0);

      edge->index = e;
      edge->node = g_strdup_printf ("edge%u", e);
      g_mutex_init (&edge->lock);
      edge->mosq = mosquitto_new (id, true, edge);
      will = g_strdup_printf ("spBv1.0/" GROUP "/NDEATH/%s", edge->node);
      mosquitto_will_set (edge->mosq, will, (int) g_bytes_get_size (death),
                          g_bytes_get_data (death, NULL), 1, false);
      mosquitto_connect_callback_set (edge->mosq, on_connect_cb);
      mosquitto_message_callback_set (edge->mosq, on_message_cb);
      if (mosquitto_connect (edge->mosq, "127.0.0.1", (int) mqtt_port, 60) != MOSQ_ERR_SUCCESS ||
          mosquitto_loop_start (edge->mosq) != MOSQ_ERR_SUCCESS)
        g_error ("edge %u cannot connect to the broker", e);
      edge->thread = g_thread_new ("edge", edge_thread, edge);
    }

  /* Every point made at the central. */
  learn = g_get_monotonic_time ();
  end = learn + 300 * G_USEC_PER_SEC;
  for (guint e = 0; e < n_edges; e++)
    {
      g_autofree char *device = g_strdup_printf ("edge%u", e);
      gint64 want = n_points + (e == 0 ? 1 : 0);

      while (points_created (session, base, device) < want)
        {
          if (g_get_monotonic_time () > end)
            g_error ("the central did not make the points of %s within 300 s", device);
          g_usleep (100000);
        }
    }
  g_printerr ("central: %u x %u points made\n", n_edges, n_points);
  g_print ("learn_s %.1f\n", (double) (g_get_monotonic_time () - learn) / G_USEC_PER_SEC);

  /* The load: a second to settle, then the throughput window. */
  accepted_start = status_accepted (session, base);
  g_atomic_int_set (&running, 1);
  g_usleep (G_USEC_PER_SEC);
  accepted0 = status_accepted (session, base);
  cpu0 = cpu_seconds (pid);
  for (guint e = 0; e < n_edges; e++)
    published0 += (guint64) g_atomic_pointer_get (&edges[e].published);
  t0 = g_get_monotonic_time ();
  g_usleep ((gulong) seconds * G_USEC_PER_SEC);
  t1 = g_get_monotonic_time ();
  for (guint e = 0; e < n_edges; e++)
    published1 += (guint64) g_atomic_pointer_get (&edges[e].published);
  accepted1 = status_accepted (session, base);
  cpu1 = cpu_seconds (pid);

  /* Then the latency, under the same load. */
  {
    g_autoptr(SoupSession) ws_session = soup_session_new ();
    g_autofree char *url = g_strconcat (base, "/api/v1/stream", NULL);
    g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
    g_autoptr(SoupWebsocketConnection) ws = NULL;
    Probe state = { 0 };
    guint tick = g_timeout_add (5, tick_cb, NULL);
    guint n_probes = MIN (seconds, 10) * 10;

    soup_session_websocket_connect_async (ws_session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                          ws_connected_cb, &ws);
    while (ws == NULL)
      g_main_context_iteration (NULL, TRUE);
    g_signal_connect (ws, "message", G_CALLBACK (ws_message_cb), &state);
    soup_websocket_connection_send_text (ws, "{\"subscribe\": [\"edge0:edge0.probe.1:lat\"]}");

    for (guint i = 0; i < n_probes; i++)
      {
        DcSparkplugMetric metric;
        gint64 sent, deadline;

        probe += 1;
        state.waiting_for = probe;
        state.seen = 0;
        metric = (DcSparkplugMetric) { .alias = PROBE_ALIAS, .timestamp_ms = now_ms (),
                                       .datatype = DC_SPARKPLUG_DOUBLE, .value = probe };
        g_mutex_lock (&edges[0].lock);
        sent = g_get_monotonic_time ();
        publish (&edges[0], "DDATA", "probe", &metric, 1, FALSE);
        g_mutex_unlock (&edges[0].lock);
        deadline = sent + 10 * G_USEC_PER_SEC;
        while (state.seen == 0 && g_get_monotonic_time () < deadline)
          g_main_context_iteration (NULL, TRUE);
        if (state.seen != 0)
          {
            double ms = (double) (state.seen - sent) / 1000.0;

            g_array_append_val (latencies, ms);
          }
        end = g_get_monotonic_time () + 100000;
        while (g_get_monotonic_time () < end)
          g_main_context_iteration (NULL, TRUE);
      }
    g_source_remove (tick);
    soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  }
  g_atomic_int_set (&running, 0);
  for (guint e = 0; e < n_edges; e++)
    published += (guint64) g_atomic_pointer_get (&edges[e].published);

  /* Drain: how long until the central accepted what was sent. */
  {
    gint64 drained = g_get_monotonic_time ();
    gint64 limit = drained + 60 * G_USEC_PER_SEC;

    while (status_accepted (session, base) - accepted_start < (gint64) published &&
           g_get_monotonic_time () < limit)
      g_usleep (10000);
    g_print ("published %" G_GUINT64_FORMAT "\n", published);
    g_print ("accepted %" G_GINT64_FORMAT "\n",
             status_accepted (session, base) - accepted_start);
    g_print ("drained_s %.2f\n", (double) (g_get_monotonic_time () - drained) / G_USEC_PER_SEC);
  }

  {
    double wall = (double) (t1 - t0) / G_USEC_PER_SEC;
    double cpu = cpu1 - cpu0;
    double values = (double) (accepted1 - accepted0);

    g_print ("published/s %.0f\n", (double) (published1 - published0) / wall);
    g_print ("accepted/s %.0f\n", values / wall);
    g_print ("central_cpu %.2f\n", cpu / wall);
    g_print ("cpu_per_1000 %.3f\n", values > 0 ? cpu * 1000.0 * 1000.0 / values : 0.0);
  }
  if (latencies->len > 0)
    {
      g_array_sort (latencies, compare_double);
      g_print ("latency_p50_ms %.1f\n",
               g_array_index (latencies, double, latencies->len / 2));
      g_print ("latency_p99_ms %.1f\n",
               g_array_index (latencies, double, MIN (latencies->len - 1,
                                                      latencies->len * 99 / 100)));
      g_print ("probes %u\n", latencies->len);
    }

  g_atomic_int_set (&stopping, 1);
  for (guint e = 0; e < n_edges; e++)
    {
      g_thread_join (edges[e].thread);
      mosquitto_disconnect (edges[e].mosq);
      mosquitto_loop_stop (edges[e].mosq, false);
      mosquitto_destroy (edges[e].mosq);
      g_free (edges[e].node);
      g_mutex_clear (&edges[e].lock);
    }
  g_free (edges);
  mosquitto_lib_cleanup ();
  return 0;
}
