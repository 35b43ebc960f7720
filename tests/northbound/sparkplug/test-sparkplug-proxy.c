/* test-sparkplug-proxy.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The Sparkplug B edge node (docs/sparkplug.md) behind the fault-injecting proxy of the test
 * library, in front of a real mosquitto started here; a subscriber of its own (libmosquitto
 * and the classes protoc-c generated from sparkplug_b.proto) connects to the broker directly.
 * A value changes every 20 ms through the real engine; the keep-alive is 5 s. For each fault: answers split into
 * single bytes or random pieces, or held back less than a keep-alive, change nothing (the
 * session stays, /status says connected); the others end the session and /status says so
 * during the fault; within 3 s of the fault's end the node is born again; every value
 * arrives (live, or historical from the store-and-forward queue), and the process has no
 * more file descriptors than before the fault.
 */

#include "config.h"

#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>

#include <glib/gstdio.h>
#include <mosquitto.h>

#include "dc-engine.h"
#include "dc-protocols.h"
#include "dc-sparkplug-node.h"
#include "dc-status-section.h"
#include "sparkplug_b.pb-c.h"

#include "dc-test-proxy.h"
#include "dc-test-store.h"
#include "dc-test-wait.h"

#define SEC ((gint64) G_USEC_PER_SEC)

typedef struct
{
  const char       *name;
  DcTestProxyFault  fault;
  guint             arg;
  gboolean          takes_link_down;
} Case;

/* The keep-alive is 5 s (libmosquitto's least): a dead connection is noticed within 10 s. */
static const Case cases[] = {
  { "one-byte", DC_TEST_PROXY_ONE_BYTE, 0, FALSE },
  { "random-split", DC_TEST_PROXY_RANDOM_SPLIT, 0, FALSE },
  { "delay-200ms", DC_TEST_PROXY_DELAY, 200, FALSE },
  { "delay-6s", DC_TEST_PROXY_DELAY, 6000, TRUE },
  /* The next PINGRESP is cut after its first byte; every CONNACK of the fault too. */
  { "drop-after-1", DC_TEST_PROXY_DROP_AFTER, 1, TRUE },
  { "blackhole", DC_TEST_PROXY_BLACKHOLE, 0, TRUE },
  { "half-open-requests", DC_TEST_PROXY_HALF_OPEN_UP, 0, TRUE },
  { "half-open-answers", DC_TEST_PROXY_HALF_OPEN_DOWN, 0, TRUE },
};

/* What the subscriber saw (its callbacks run on libmosquitto's thread). */
typedef struct
{
  GMutex      lock;
  GHashTable *values;     /* value (as gint64) → TRUE: every value of the point seen */
  guint       nbirths;
  guint       dbirths;
  gint64      last_live;  /* the last value seen live, -1: none */
  guint       historical;
} Seen;

static Seen seen;
static gint64 point_key;

static void
on_message_cb (struct mosquitto               *mosq,
               void                           *obj,
               const struct mosquitto_message *message)
{
  Org__Eclipse__Tahu__Protobuf__Payload *payload;

  payload = org__eclipse__tahu__protobuf__payload__unpack (NULL, (size_t) message->payloadlen,
                                                           message->payload);
  g_assert_nonnull (payload);
  g_mutex_lock (&seen.lock);
  if (strstr (message->topic, "/NBIRTH/") != NULL)
    seen.nbirths++;
  else if (strstr (message->topic, "/DBIRTH/") != NULL)
    seen.dbirths++;
  else if (strstr (message->topic, "/DDATA/") != NULL)
    for (size_t i = 0; i < payload->n_metrics; i++)
      {
        Org__Eclipse__Tahu__Protobuf__Payload__Metric *m = payload->metrics[i];
        gint64 value;

        if (!m->has_alias || (gint64) m->alias != point_key ||
            m->value_case != ORG__ECLIPSE__TAHU__PROTOBUF__PAYLOAD__METRIC__VALUE_DOUBLE_VALUE)
          continue;
        value = (gint64) m->double_value;
        g_hash_table_add (seen.values, g_memdup2 (&value, sizeof value));
        if (m->is_historical)
          seen.historical++;
        else
          seen.last_live = MAX (seen.last_live, value);
      }
  g_mutex_unlock (&seen.lock);
  org__eclipse__tahu__protobuf__payload__free_unpacked (payload, NULL);
}

static void
on_connect_cb (struct mosquitto *mosq,
               void             *obj,
               int               rc)
{
  gboolean *subscribed = obj;

  g_assert_cmpint (rc, ==, 0);
  g_assert_cmpint (mosquitto_subscribe (mosq, NULL, "spBv1.0/#", 0), ==, MOSQ_ERR_SUCCESS);
  g_atomic_int_set (subscribed, TRUE);
}

static guint
seen_nbirths (void)
{
  guint n;

  g_mutex_lock (&seen.lock);
  n = seen.nbirths;
  g_mutex_unlock (&seen.lock);
  return n;
}

static gint64
seen_last_live (void)
{
  gint64 n;

  g_mutex_lock (&seen.lock);
  n = seen.last_live;
  g_mutex_unlock (&seen.lock);
  return n;
}

/* Whether every value 0..@n-1 was seen. */
static gboolean
seen_all (gint64 n)
{
  gboolean all = TRUE;

  g_mutex_lock (&seen.lock);
  for (gint64 v = 0; v < n && all; v++)
    all = g_hash_table_contains (seen.values, &v);
  g_mutex_unlock (&seen.lock);
  return all;
}

static gint64
first_missing (gint64 n)
{
  gint64 v;

  g_mutex_lock (&seen.lock);
  for (v = 0; v < n; v++)
    if (!g_hash_table_contains (seen.values, &v))
      break;
  g_mutex_unlock (&seen.lock);
  return v;
}

/* Adds "socket:[inode]" to @set for each line of the table @path (/proc/net/tcp or
 * /proc/net/unix) that @keep accepts (@fields: the line's fields). */
static void
read_sockets (const char  *path,
              guint        inode_field,
              gboolean   (*keep) (GPtrArray *fields),
              GHashTable  *set)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
      g_autoptr(GPtrArray) fields = g_ptr_array_new ();

      for (guint k = 0; f[k] != NULL; k++)
        if (*f[k] != '\0')
          g_ptr_array_add (fields, f[k]);
      if (fields->len > inode_field && (keep == NULL || keep (fields)))
        g_hash_table_add (set, g_strdup_printf ("socket:[%s]",
                                                (char *) g_ptr_array_index (fields,
                                                                            inode_field)));
    }
}

static guint16 count_proxy_port;

/* A TCP connection to the proxy: the edge node's. */
static gboolean
to_proxy (GPtrArray *fields)
{
  const char *colon = strchr (g_ptr_array_index (fields, 2), ':');

  return colon != NULL && strtoul (colon + 1, NULL, 16) == count_proxy_port;
}

/* The descriptors that count: everything but the sockets of the proxy, which lives in this
 * process too (its closed links linger while its threads finish). So: files, pipes, unix
 * sockets (libmosquitto's wake-up pairs), and TCP sockets whose peer is the proxy (the edge
 * node's: one that its peer closed and it did not would still be listed). */
static gboolean
counts (const char *target,
        GHashTable *sockets)
{
  return target == NULL || !g_str_has_prefix (target, "socket:") ||
         g_hash_table_contains (sockets, target);
}

static GHashTable *
counted_sockets (void)
{
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  read_sockets ("/proc/net/tcp", 9, to_proxy, set);
  read_sockets ("/proc/net/unix", 6, NULL, set);
  return set;
}

static guint
count_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  g_autoptr(GHashTable) sockets = counted_sockets ();
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);

      n += counts (target, sockets);
    }
  return n;
}

/* The descriptors count_fds() counts and what they are, for a failure message. */
static char *
list_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  g_autoptr(GHashTable) sockets = counted_sockets ();
  GString *text = g_string_new (NULL);
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);

      if (counts (target, sockets))
        g_string_append_printf (text, " %s=%s", name, target != NULL ? target : "?");
    }
  return g_string_free (text, FALSE);
}

static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* mosquitto on @port with a configuration written in @dir; returns when it runs. */
static GSubprocess *
spawn_broker (const char *dir,
              guint16     port)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *conf = g_build_filename (dir, "mosquitto.conf", NULL);
  g_autofree char *text = g_strdup_printf ("listener %u 127.0.0.1\nallow_anonymous true\n"
                                           "persistence false\nlog_dest stderr\n"
                                           "user %s\n", port, g_get_user_name ());
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GDataInputStream) data = NULL;
  g_autoptr(GOutputStream) sink = NULL;
  GSubprocess *broker;

  g_assert_true (g_file_set_contents (conf, text, -1, NULL));
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  broker = g_subprocess_launcher_spawn (launcher, &error, "mosquitto", "-c", conf, NULL);
  g_assert_no_error (error);
  /* "mosquitto version … running" comes after the listener is open. */
  data = g_data_input_stream_new (g_subprocess_get_stderr_pipe (broker));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (data, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      if (strstr (line, " running") != NULL)
        break;
    }
  /* The rest of its log is drained so that it never blocks. */
  sink = g_memory_output_stream_new_resizable ();
  g_output_stream_splice_async (sink, G_INPUT_STREAM (data),
                                G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, G_PRIORITY_DEFAULT, NULL,
                                NULL, NULL);
  return broker;
}

typedef struct
{
  DcEngine *engine;
  gint64    next;    /* the next value */
  gboolean  writing;
} Writer;

static gboolean
write_cb (gpointer user_data)
{
  Writer *w = user_data;
  DcSample sample = {
    .key = point_key,
    .time = g_get_real_time (),
    .value = (double) w->next,
    .quality = 0,
  };

  if (!w->writing)
    return G_SOURCE_CONTINUE;
  dc_engine_ingest (w->engine, &sample, 1, DC_INGEST_NONE);
  w->next++;
  return G_SOURCE_CONTINUE;
}

static JsonObject *
status (void)
{
  g_autoptr(JsonNode) node = dc_status_section_get ("sparkplug");

  g_assert_nonnull (node);
  return json_object_ref (json_node_get_object (node));
}

static gboolean
status_says (const char *state,
             gboolean    connected)
{
  g_autoptr(JsonObject) st = status ();

  return g_str_equal (json_object_get_string_member (st, "state"), state) &&
         json_object_get_boolean_member (st, "connected") == connected;
}

static gint64
status_int (const char *member)
{
  g_autoptr(JsonObject) st = status ();

  return json_object_get_int_member (st, member);
}

static void
test_fault (gconstpointer data)
{
  const Case *c = data;
  g_autofree char *dir = g_dir_make_tmp ("dc-sparkplug-proxy-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (dir, "plant.db", NULL);
  g_autofree char *hdb = g_build_filename (dir, "plant-history.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) broker = NULL;
  g_autoptr(DcTestProxy) proxy = NULL;
  g_autoptr(DcStore) store = NULL;
  g_autoptr(DcHistory) history = NULL;
  g_autoptr(DcSparkplugSettings) settings = dc_sparkplug_settings_new ();
  DcSparkplugNode *node;
  struct mosquitto *sub;
  gboolean subscribed = FALSE;
  Writer writer = { 0 };
  guint write_id;
  guint fds_before;
  g_autofree char *fds_listed = NULL;
  gint64 reconnects, fault_end, recovered, written;
  guint16 port = free_port ();

  seen.values = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  seen.nbirths = seen.dbirths = seen.historical = 0;
  seen.last_live = -1;

  broker = spawn_broker (dir, port);
  proxy = dc_test_proxy_new (port);

  /* The subscriber, on the broker directly. */
  sub = mosquitto_new ("proxy-test-subscriber", true, &subscribed);
  mosquitto_connect_callback_set (sub, on_connect_cb);
  mosquitto_message_callback_set (sub, on_message_cb);
  g_assert_cmpint (mosquitto_connect (sub, "127.0.0.1", port, 30), ==, MOSQ_ERR_SUCCESS);
  g_assert_cmpint (mosquitto_loop_start (sub), ==, MOSQ_ERR_SUCCESS);
  DC_TEST_WAIT_UNTIL (g_atomic_int_get (&subscribed), 10);

  /* A virtual device with one point, the real engine. */
  dc_protocols_register_all ();
  store = dc_store_open (db, &error);
  g_assert_no_error (error);
  history = dc_history_new (hdb, &error);
  g_assert_no_error (error);
  dc_test_store_create (store, DC_KIND_ITEM, "{\"id\":\"x\"}");
  dc_test_store_create (store, DC_KIND_DEVICE, "{\"id\":\"v\",\"protocol\":\"virtual\"}");
  dc_test_store_create (store, DC_KIND_TERM, "{\"id\":\"t\",\"device_id\":\"v\"}");
  dc_test_store_create (store, DC_KIND_POINT, "{\"term_id\":\"t\",\"item_id\":\"x\"}");
  point_key = dc_store_get_point_key (store, "t", "x");
  g_assert_cmpint (point_key, >, 0);
  writer.engine = dc_engine_new (store, history);
  dc_engine_start (writer.engine);

  /* The edge node through the proxy, keep-alive 5 s. */
  settings->port = dc_test_proxy_get_port (proxy);
  settings->keepalive_s = 5;
  g_free (settings->group_id);
  settings->group_id = g_strdup ("G");
  g_free (settings->edge_node_id);
  settings->edge_node_id = g_strdup ("E");
  settings->queue_path = g_build_filename (dir, "plant-sparkplug.db", NULL);
  node = dc_sparkplug_node_new (writer.engine, settings);
  g_assert_true (dc_sparkplug_node_start (node, &error));
  g_assert_no_error (error);

  DC_TEST_WAIT_UNTIL (seen_nbirths () >= 1 && status_says ("online", TRUE), 10);
  writer.writing = TRUE;
  write_id = g_timeout_add (20, write_cb, &writer);
  DC_TEST_WAIT_UNTIL (seen_last_live () >= 10, 10);
  count_proxy_port = dc_test_proxy_get_port (proxy);
  fds_before = count_fds ();
  fds_listed = list_fds ();
  reconnects = status_int ("reconnects");

  dc_test_proxy_set_fault (proxy, c->fault, c->arg);
  if (c->takes_link_down)
    {
      /* The session ends, and /status says so during the fault. */
      DC_TEST_WAIT_UNTIL (!status_says ("online", TRUE), 15);
      g_assert_false (json_object_get_boolean_member (status (), "connected"));
      /* A second more of values in the queue. */
      {
        gint64 until = writer.next + 50;

        DC_TEST_WAIT_UNTIL (writer.next >= until, 10);
      }
      g_assert_false (status_says ("online", TRUE));
    }
  else
    {
      /* 600 values (12 s, more than two keep-alive periods) through the fault, the session never
       * lost. */
      gint64 until = writer.next + 600;

      /* The writer's timer may run late on a loaded machine: its pace is not under test, what
       * it wrote arriving is. */
      DC_TEST_WAIT_UNTIL (writer.next >= until, 60);
      DC_TEST_WAIT_UNTIL (seen_last_live () >= until, 15);
      g_assert_true (status_says ("online", TRUE));
      g_assert_cmpint (status_int ("reconnects"), ==, reconnects);
    }

  dc_test_proxy_set_fault (proxy, DC_TEST_PROXY_PASS, 0);
  fault_end = g_get_monotonic_time ();
  {
    guint nbirths = seen_nbirths ();

    DC_TEST_WAIT_UNTIL (status_says ("online", TRUE) &&
                        (!c->takes_link_down || seen_nbirths () > nbirths), 10);
  }
  recovered = g_get_monotonic_time ();
  g_test_message ("%s: born again %.2f s after the fault ended", c->name,
                  (recovered - fault_end) / 1e6);
  if (c->takes_link_down)
    g_assert_cmpint (recovered - fault_end, <, 3 * SEC);

  /* Every value arrives; the queue empties; nothing dropped. */
  writer.writing = FALSE;
  written = writer.next;
  {
    gint64 deadline = g_get_monotonic_time () + 20 * SEC;
    guint tick = g_timeout_add (5, dc_test_heartbeat_cb, NULL);

    while (!seen_all (written) && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
    g_source_remove (tick);
    if (!seen_all (written))
      g_error ("%s: value %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " never arrived",
               c->name, first_missing (written), written);
  }
  DC_TEST_WAIT_UNTIL (status_int ("queued") == 0, 10);
  g_assert_cmpint (status_int ("dropped"), ==, 0);
  g_test_message ("%s: %" G_GINT64_FORMAT " values, %u of them historical, %" G_GINT64_FORMAT
                  " replayed, %" G_GINT64_FORMAT " sent again", c->name, written,
                  seen.historical, status_int ("replayed"), status_int ("resent"));
  if (c->takes_link_down)
    g_assert_cmpuint (seen.historical, >, 0);

  /* No file descriptor left behind by the lost sessions. */
  {
    gint64 deadline = g_get_monotonic_time () + 10 * SEC;
    guint tick = g_timeout_add (5, dc_test_heartbeat_cb, NULL);

    while (count_fds () > fds_before && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
    g_source_remove (tick);
    if (count_fds () > fds_before)
      {
        g_autofree char *now = list_fds ();

        g_error ("%s: %u descriptors before the fault, %u now:\nbefore:%s\nnow:%s", c->name,
                 fds_before, count_fds (), fds_listed, now);
      }
  }

  g_source_remove (write_id);
  g_object_unref (node);
  dc_engine_shutdown (writer.engine);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&writer.engine);
  mosquitto_disconnect (sub);
  mosquitto_loop_stop (sub, false);
  mosquitto_destroy (sub);
  g_hash_table_unref (seen.values);
  g_subprocess_force_exit (broker);
  g_subprocess_wait (broker, NULL, NULL);
  dc_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  mosquitto_lib_init ();
  g_mutex_init (&seen.lock);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sparkplug/proxy/%s", cases[i].name);

      g_test_add_data_func (path, &cases[i], test_fault);
    }

  return g_test_run ();
}
