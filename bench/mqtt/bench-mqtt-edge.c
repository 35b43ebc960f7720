/* bench-mqtt-edge.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The Sparkplug B edge node's publishing rate against a mosquitto on loopback (see
 * bench/mqtt/run-edge): 100 devices × POINTS/100 points; each "second" of the workload changes
 * CHANGE_PCT % of the points (a different tenth each time), and the seconds are fed as fast as
 * they go, TICKS of them.
 *
 *   bench-mqtt-edge floor PORT POINTS CHANGE_PCT TICKS
 *       the floor: the same DDATA payloads (one per device and tick, aliases, Double values,
 *       encoded by the project's codec) published by a raw libmosquitto loop
 *   bench-mqtt-edge edge  PORT POINTS CHANGE_PCT TICKS DIR
 *       the edge node: store (DIR), engine (no history: the edge's cost alone), the samples
 *       ingested in one batch per tick, DcSparkplugNode publishing them
 *
 * Both count the values at a subscriber of their own (its own connection and thread, every
 * payload decoded), from the first value produced to the last value received, and print
 * "values/s N", "cpu_ms_per_1000 X" (the process's CPU without the subscriber's thread) and
 * "received N expected M".
 *
 * Under callgrind (bench/mqtt/run-edge-callgrind: --instr-atstart=no) instrumentation covers
 * the window only, from the first value produced to the last received, dumped as "window".
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <mosquitto.h>
#ifdef HAVE_CALLGRIND_H
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(name)
#endif

#include "dc-engine.h"
#include "dc-protocols.h"
#include "dc-sparkplug-node.h"
#include "dc-sparkplug-payload.h"
#include "dc-status-section.h"
#include "dc-store.h"
#include "sparkplug_b.pb-c.h"

#define N_DEVICES 100

typedef struct
{
  GMutex   lock;
  guint64  received;     /* values */
  guint64  expected;
  gint64   done_at;      /* monotonic µs when received reached expected */
  double   thread_cpu_s; /* the subscriber thread's CPU, read when done */
  gboolean subscribed;
  guint    dbirths;
  guint64  digest;       /* of every value received, in any order (payloads_digest ()) */
} Counter;

static Counter counter;

static double
thread_cpu_s (int who)
{
  struct rusage ru;

  getrusage (who, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
         ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* A value's share of the digest: its alias, value, value field and quality property, mixed
 * (splitmix64) and summed, so that the order of the messages does not matter. Floor and edge
 * must send the same values in the same form: run-edge compares the digests. */
static guint64
metric_digest (const Org__Eclipse__Tahu__Protobuf__Payload__Metric *m)
{
  guint64 z, bits = 0;
  gint64 quality = -1;

  memcpy (&bits, &m->double_value, sizeof bits);
  for (gsize k = 0; m->properties != NULL && k < m->properties->n_keys; k++)
    if (g_str_equal (m->properties->keys[k], "quality") && k < m->properties->n_values)
      quality = m->properties->values[k]->int_value;
  z = m->alias * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15) ^ bits ^
      ((guint64) m->value_case << 56) ^ ((guint64) (quality + 1) << 40) ^
      ((guint64) m->has_datatype << 62) ^ ((guint64) m->is_null << 63);
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static void
count_message_cb (struct mosquitto               *mosq,
                  void                           *obj,
                  const struct mosquitto_message *message)
{
  Org__Eclipse__Tahu__Protobuf__Payload *payload;

  if (strstr (message->topic, "/DBIRTH/") != NULL)
    {
      g_mutex_lock (&counter.lock);
      counter.dbirths++;
      g_mutex_unlock (&counter.lock);
      return;
    }
  if (strstr (message->topic, "/DDATA/") == NULL)
    return;
  payload = org__eclipse__tahu__protobuf__payload__unpack (NULL, (size_t) message->payloadlen,
                                                           message->payload);
  if (payload == NULL)
    return;
  g_mutex_lock (&counter.lock);
  counter.received += payload->n_metrics;
  for (gsize i = 0; i < payload->n_metrics; i++)
    counter.digest += metric_digest (payload->metrics[i]);
  if (counter.done_at == 0 && counter.expected > 0 && counter.received >= counter.expected)
    {
      counter.done_at = g_get_monotonic_time ();
      counter.thread_cpu_s = thread_cpu_s (RUSAGE_THREAD);
    }
  g_mutex_unlock (&counter.lock);
  org__eclipse__tahu__protobuf__payload__free_unpacked (payload, NULL);
}

static void
count_connect_cb (struct mosquitto *mosq,
                  void             *obj,
                  int               rc)
{
  mosquitto_subscribe (mosq, NULL, "spBv1.0/#", 0);
  g_atomic_int_set (&counter.subscribed, TRUE);
}

static struct mosquitto *
start_counter (int port)
{
  struct mosquitto *sub = mosquitto_new ("bench-counter", true, NULL);

  g_mutex_init (&counter.lock);
  mosquitto_connect_callback_set (sub, count_connect_cb);
  mosquitto_message_callback_set (sub, count_message_cb);
  if (mosquitto_connect (sub, "127.0.0.1", port, 60) != MOSQ_ERR_SUCCESS ||
      mosquitto_loop_start (sub) != MOSQ_ERR_SUCCESS)
    g_error ("the counter cannot connect to 127.0.0.1:%d", port);
  while (!g_atomic_int_get (&counter.subscribed))
    g_usleep (1000);
  /* The SUBACK: a last round trip before the values come. */
  g_usleep (100000);
  return sub;
}

/* Waits (at most 60 s) until the counter saw every value; prints the figures. */
static int
report (gint64 start,
        double cpu_start)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  guint64 received, expected, digest;
  gint64 done_at;
  double sub_cpu, cpu;

  for (;;)
    {
      g_mutex_lock (&counter.lock);
      done_at = counter.done_at;
      received = counter.received;
      expected = counter.expected;
      sub_cpu = counter.thread_cpu_s;
      digest = counter.digest;
      g_mutex_unlock (&counter.lock);
      if (done_at != 0 || g_get_monotonic_time () > deadline)
        break;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  CALLGRIND_DUMP_STATS_AT ("window");
  CALLGRIND_STOP_INSTRUMENTATION;
  cpu = thread_cpu_s (RUSAGE_SELF) - cpu_start - sub_cpu;
  printf ("received %" G_GUINT64_FORMAT " expected %" G_GUINT64_FORMAT "\n", received,
          expected);
  printf ("digest %016" G_GINT64_MODIFIER "x\n", digest);
  if (done_at == 0)
    {
      printf ("values/s 0\n");
      return 1;
    }
  printf ("values/s %.0f\n", expected / ((done_at - start) / 1e6));
  printf ("cpu_ms_per_1000 %.3f\n", cpu * 1e3 / (expected / 1000.0));
  return 0;
}

/* Whether point @i changes at tick @tick: a different CHANGE_PCT % each tick. */
static gboolean
changes (guint i,
         guint tick,
         guint pct)
{
  return (i * 7919u + tick * 104729u) % 100 < pct;
}

static int
run_floor (int   port,
           guint n_points,
           guint pct,
           guint ticks)
{
  struct mosquitto *sub = start_counter (port);
  struct mosquitto *pub = mosquitto_new ("bench-floor", true, NULL);
  guint per_device = n_points / N_DEVICES;
  g_autoptr(GArray) metrics = g_array_new (FALSE, TRUE, sizeof (DcSparkplugMetric));
  /* Whether a point's value went out since the birth: the edge node's first DDATA of a point
   * born without a value carries its quality (docs/sparkplug.md), so the floor's does too. */
  g_autofree gboolean *sent = g_new0 (gboolean, per_device * N_DEVICES);
  guint64 expected = 0;
  guint seq = 0;
  gint64 start;
  double cpu_start;

  for (guint t = 0; t < ticks; t++)
    for (guint i = 0; i < per_device * N_DEVICES; i++)
      expected += changes (i, t, pct);
  g_mutex_lock (&counter.lock);
  counter.expected = expected;
  g_mutex_unlock (&counter.lock);

  if (mosquitto_connect (pub, "127.0.0.1", port, 60) != MOSQ_ERR_SUCCESS ||
      mosquitto_loop_start (pub) != MOSQ_ERR_SUCCESS)
    g_error ("the floor cannot connect");

  CALLGRIND_START_INSTRUMENTATION;
  CALLGRIND_ZERO_STATS;
  cpu_start = thread_cpu_s (RUSAGE_SELF);
  start = g_get_monotonic_time ();
  for (guint t = 0; t < ticks; t++)
    for (guint d = 0; d < N_DEVICES; d++)
      {
        g_autofree char *topic = g_strdup_printf ("spBv1.0/Bench/DDATA/edge/d%u", d);
        g_autoptr(GBytes) payload = NULL;
        guint64 now = (guint64) (g_get_real_time () / 1000);

        g_array_set_size (metrics, 0);
        for (guint p = 0; p < per_device; p++)
          {
            guint i = d * per_device + p;
            DcSparkplugMetric m = {
              .alias = i + 1,
              .timestamp_ms = now,
              .datatype = DC_SPARKPLUG_DOUBLE,
              .value = t * 1000.0 + i,
              .has_quality = !sent[i],
              .quality = 0,
            };

            if (changes (i, t, pct))
              {
                g_array_append_val (metrics, m);
                sent[i] = TRUE;
              }
          }
        if (metrics->len == 0)
          continue;
        payload = dc_sparkplug_payload_encode (now, (gint) seq, (DcSparkplugMetric *) metrics->data,
                                               metrics->len);
        seq = (seq + 1) % 256;
        while (mosquitto_publish (pub, NULL, topic, (int) g_bytes_get_size (payload),
                                  g_bytes_get_data (payload, NULL), 0, false) ==
               MOSQ_ERR_NOMEM)
          g_usleep (100);
      }

  {
    int rc = report (start, cpu_start);

    mosquitto_disconnect (pub);
    mosquitto_loop_stop (pub, false);
    mosquitto_destroy (pub);
    mosquitto_disconnect (sub);
    mosquitto_loop_stop (sub, false);
    mosquitto_destroy (sub);
    return rc;
  }
}

static JsonArray *
array_from (GString *text)
{
  g_autoptr(JsonNode) node = json_from_string (text->str, NULL);

  return json_array_ref (json_node_get_array (node));
}

static int
run_edge (int         port,
          guint       n_points,
          guint       pct,
          guint       ticks,
          const char *dir)
{
  g_autofree char *db = g_build_filename (dir, "bench.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DcStore) store = NULL;
  g_autoptr(DcEngine) engine = NULL;
  g_autoptr(DcSparkplugNode) node = NULL;
  g_autoptr(DcSparkplugSettings) settings = dc_sparkplug_settings_new ();
  g_autoptr(GString) items = g_string_new ("[");
  g_autoptr(GString) devices = g_string_new ("[");
  g_autoptr(GString) terms = g_string_new ("[");
  g_autoptr(GString) points = g_string_new ("[");
  g_autoptr(JsonArray) array = NULL;
  g_autofree gint64 *keys = NULL;
  g_autoptr(GArray) batch = g_array_new (FALSE, TRUE, sizeof (DcSample));
  guint per_device = n_points / N_DEVICES;
  struct mosquitto *sub;
  guint64 expected = 0;
  gint64 start;
  double cpu_start;

  n_points = per_device * N_DEVICES;
  keys = g_new0 (gint64, n_points);
  dc_protocols_register_all ();
  store = dc_store_open (db, &error);
  g_assert_no_error (error);
  for (guint p = 0; p < per_device; p++)
    g_string_append_printf (items, "%s{\"id\":\"i%u\"}", p ? "," : "", p);
  for (guint d = 0; d < N_DEVICES; d++)
    {
      g_string_append_printf (devices, "%s{\"id\":\"d%u\",\"protocol\":\"virtual\"}",
                              d ? "," : "", d);
      g_string_append_printf (terms, "%s{\"id\":\"t%u\",\"device_id\":\"d%u\"}", d ? "," : "",
                              d, d);
      for (guint p = 0; p < per_device; p++)
        g_string_append_printf (points, "%s{\"device_id\":\"d%u\",\"term_id\":\"t%u\","
                                "\"item_id\":\"i%u\",\"history\":\"none\"}",
                                d || p ? "," : "", d, d, p);
    }
  g_string_append_c (items, ']');
  g_string_append_c (devices, ']');
  g_string_append_c (terms, ']');
  g_string_append_c (points, ']');
  array = array_from (items);
  dc_store_create_batch (store, DC_KIND_ITEM, array, &error);
  g_assert_no_error (error);
  g_clear_pointer (&array, json_array_unref);
  array = array_from (devices);
  dc_store_create_batch (store, DC_KIND_DEVICE, array, &error);
  g_assert_no_error (error);
  g_clear_pointer (&array, json_array_unref);
  array = array_from (terms);
  dc_store_create_batch (store, DC_KIND_TERM, array, &error);
  g_assert_no_error (error);
  g_clear_pointer (&array, json_array_unref);
  array = array_from (points);
  dc_store_create_batch (store, DC_KIND_POINT, array, &error);
  g_assert_no_error (error);
  for (guint d = 0; d < N_DEVICES; d++)
    for (guint p = 0; p < per_device; p++)
      {
        g_autofree char *term = g_strdup_printf ("t%u", d);
        g_autofree char *item = g_strdup_printf ("i%u", p);

        keys[d * per_device + p] = dc_store_get_point_key (store, term, item);
      }

  engine = dc_engine_new (store, NULL);
  dc_engine_start (engine);
  sub = start_counter (port);

  settings->port = (guint) port;
  /* As the server runs it: with its store-and-forward queue (the last values kept). */
  settings->queue_path = g_build_filename (dir, "bench-sparkplug.db", NULL);
  g_free (settings->group_id);
  settings->group_id = g_strdup ("Bench");
  g_free (settings->edge_node_id);
  settings->edge_node_id = g_strdup ("edge");
  node = dc_sparkplug_node_new (engine, settings);
  if (!dc_sparkplug_node_start (node, &error))
    g_error ("%s", error->message);
  /* Born: every device up and its DBIRTH out. */
  for (;;)
    {
      g_autoptr(JsonNode) st = NULL;

      g_main_context_iteration (NULL, FALSE);
      st = dc_status_section_get ("sparkplug");
      if (g_str_equal (json_object_get_string_member (json_node_get_object (st), "state"),
                       "online"))
        break;
      g_usleep (1000);
    }
  /* The DBIRTHs follow the devices' links: every device born before the values come. */
  for (gint64 until = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;;)
    {
      guint dbirths;

      g_mutex_lock (&counter.lock);
      dbirths = counter.dbirths;
      g_mutex_unlock (&counter.lock);
      if (dbirths >= N_DEVICES)
        break;
      if (g_get_monotonic_time () > until)
        g_error ("%u DBIRTH of %u within 60 s", dbirths, N_DEVICES);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }

  for (guint t = 0; t < ticks; t++)
    for (guint i = 0; i < n_points; i++)
      expected += changes (i, t, pct);
  g_mutex_lock (&counter.lock);
  counter.expected = expected;
  g_mutex_unlock (&counter.lock);

  CALLGRIND_START_INSTRUMENTATION;
  CALLGRIND_ZERO_STATS;
  cpu_start = thread_cpu_s (RUSAGE_SELF);
  start = g_get_monotonic_time ();
  for (guint t = 0; t < ticks; t++)
    {
      gint64 now = g_get_real_time ();

      g_array_set_size (batch, 0);
      for (guint i = 0; i < n_points; i++)
        if (changes (i, t, pct))
          {
            DcSample s = { .key = keys[i], .time = now, .value = t * 1000.0 + i };

            g_array_append_val (batch, s);
          }
      dc_engine_ingest (engine, (DcSample *) batch->data, batch->len, DC_INGEST_NONE);
    }

  {
    int rc = report (start, cpu_start);

    mosquitto_disconnect (sub);
    mosquitto_loop_stop (sub, false);
    mosquitto_destroy (sub);
    g_clear_object (&node);
    dc_engine_shutdown (engine);
    return rc;
  }
}

int
main (int   argc,
      char *argv[])
{
  mosquitto_lib_init ();
  if (argc == 6 && g_str_equal (argv[1], "floor"))
    return run_floor (atoi (argv[2]), (guint) atoi (argv[3]), (guint) atoi (argv[4]),
                      (guint) atoi (argv[5]));
  if (argc == 7 && g_str_equal (argv[1], "edge"))
    return run_edge (atoi (argv[2]), (guint) atoi (argv[3]), (guint) atoi (argv[4]),
                     (guint) atoi (argv[5]), argv[6]);
  fprintf (stderr, "usage: bench-mqtt-edge floor PORT POINTS CHANGE_PCT TICKS\n"
                   "       bench-mqtt-edge edge PORT POINTS CHANGE_PCT TICKS DIR\n");
  return 2;
}
