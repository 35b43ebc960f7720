/* test-engine-drivers-base.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The driver base class, the traffic ring and the I/O thread pool, with real threads.
 */

#include "config.h"

#include <string.h>

#include "dc-driver.h"
#include "dc-error.h"
#include "dc-io-pool.h"
#include "dc-traffic.h"

#include "dc-test-sink.h"
#include "dc-test-wait.h"

#define WAIT_UNTIL(cond) DC_TEST_WAIT_UNTIL (cond, 10)

/* A real driver subclass: a timer on its I/O context produces batches, counts frames, writes
 * traffic and flips the link state. */
#define TEST_TYPE_DRIVER (test_driver_get_type ())
G_DECLARE_FINAL_TYPE (TestDriver, test_driver, TEST, DRIVER, DcDriver)

struct _TestDriver
{
  DcDriver  parent_instance;
  GSource  *timer;
  guint     n_ticks;     /* I/O thread */
  guint     max_ticks;
  GThread  *io_thread;   /* set by the first tick */
};

G_DEFINE_FINAL_TYPE (TestDriver, test_driver, DC_TYPE_DRIVER)

static gboolean
test_driver_tick_cb (gpointer data)
{
  TestDriver *self = data;
  DcDriver *driver = DC_DRIVER (self);
  GArray *batch;
  guint8 frame[6] = { 0x68, 0x04, 0x07, 0x00, 0x00, 0x00 };

  self->io_thread = g_thread_self ();

  if (self->n_ticks == 0)
    dc_driver_set_link_state (driver, DC_LINK_UP, NULL);

  dc_driver_count_frame (driver, FALSE, sizeof frame);
  dc_traffic_append (dc_driver_get_traffic (driver), FALSE, frame, sizeof frame);

  batch = g_array_sized_new (FALSE, FALSE, sizeof (DcSample), 10);
  for (guint i = 0; i < 10; i++)
    {
      DcSample sample = { i + 1, g_get_real_time (), self->n_ticks, 0 };

      g_array_append_val (batch, sample);
    }
  dc_sample_sink_push_batch (dc_driver_get_sink (driver), batch);

  self->n_ticks++;
  if (self->n_ticks == self->max_ticks)
    {
      dc_driver_set_link_state (driver, DC_LINK_DOWN, "connection refused");
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static void
test_driver_start (DcDriver *driver)
{
  TestDriver *self = TEST_DRIVER (driver);

  dc_driver_set_link_state (driver, DC_LINK_CONNECTING, NULL);
  self->timer = g_timeout_source_new (1);
  g_source_set_callback (self->timer, test_driver_tick_cb, self, NULL);
  g_source_attach (self->timer, dc_driver_get_io_context (driver));
}

static gboolean
test_driver_stop_io_cb (gpointer data)
{
  TestDriver *self = data;

  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }

  return G_SOURCE_REMOVE;
}

static void
test_driver_stop (DcDriver *driver)
{
  dc_driver_io_invoke_sync (driver, test_driver_stop_io_cb, driver);
  dc_driver_set_link_state (driver, DC_LINK_DISABLED, NULL);
}

static void
test_driver_add_status (DcDriver    *driver,
                        JsonBuilder *builder)
{
  json_builder_set_member_name (builder, "ticks");
  json_builder_add_int_value (builder, TEST_DRIVER (driver)->n_ticks);
}

static void
test_driver_class_init (TestDriverClass *klass)
{
  DcDriverClass *driver_class = DC_DRIVER_CLASS (klass);

  driver_class->start = test_driver_start;
  driver_class->stop = test_driver_stop;
  driver_class->add_status = test_driver_add_status;
}

static void
test_driver_init (TestDriver *self)
{
  self->max_ticks = 20;
}

static DcDriver *
test_driver_factory (void)
{
  return g_object_new (TEST_TYPE_DRIVER, NULL);
}

/* Traffic */

static void
test_traffic_basic (void)
{
  g_autoptr(DcTraffic) ring = dc_traffic_new (1024);
  g_autoptr(GPtrArray) frames = NULL;
  g_autofree char *hex = NULL;
  guint8 bytes[4] = { 0x68, 0x04, 0x0b, 0xff };
  gint64 before = g_get_real_time ();

  dc_traffic_append (ring, FALSE, bytes, 4);
  dc_traffic_append (ring, TRUE, bytes, 2);
  dc_traffic_append (ring, TRUE, bytes, 3);

  frames = dc_traffic_get_frames (ring, 0, 200);
  g_assert_cmpuint (frames->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      DcTrafficFrame *frame = g_ptr_array_index (frames, i);

      g_assert_cmpuint (frame->seq, ==, i + 1);
      g_assert_cmpint (frame->time, >=, before);
      g_assert_cmpint (frame->time, <=, g_get_real_time ());
    }
  g_assert_false (((DcTrafficFrame *) g_ptr_array_index (frames, 0))->incoming);
  g_assert_true (((DcTrafficFrame *) g_ptr_array_index (frames, 1))->incoming);
  g_assert_cmpmem (((DcTrafficFrame *) g_ptr_array_index (frames, 0))->bytes, 4, bytes, 4);
  g_assert_cmpuint (((DcTrafficFrame *) g_ptr_array_index (frames, 2))->len, ==, 3);
  g_clear_pointer (&frames, g_ptr_array_unref);

  /* limit keeps the newest, oldest first; since excludes what was already seen. */
  frames = dc_traffic_get_frames (ring, 0, 2);
  g_assert_cmpuint (frames->len, ==, 2);
  g_assert_cmpuint (((DcTrafficFrame *) g_ptr_array_index (frames, 0))->seq, ==, 2);
  g_assert_cmpuint (((DcTrafficFrame *) g_ptr_array_index (frames, 1))->seq, ==, 3);
  g_clear_pointer (&frames, g_ptr_array_unref);

  frames = dc_traffic_get_frames (ring, 2, 200);
  g_assert_cmpuint (frames->len, ==, 1);
  g_assert_cmpuint (((DcTrafficFrame *) g_ptr_array_index (frames, 0))->seq, ==, 3);
  g_clear_pointer (&frames, g_ptr_array_unref);

  frames = dc_traffic_get_frames (ring, 3, 200);
  g_assert_cmpuint (frames->len, ==, 0);

  hex = dc_traffic_format_hex (bytes, 4);
  g_assert_cmpstr (hex, ==, "68 04 0b ff");
  g_clear_pointer (&hex, g_free);
  hex = dc_traffic_format_hex (bytes, 0);
  g_assert_cmpstr (hex, ==, "");
}

static void
test_traffic_ring_cap (void)
{
  g_autoptr(DcTraffic) ring = dc_traffic_new (DC_TRAFFIC_DEVICE_BYTES);
  g_autoptr(GPtrArray) frames = NULL;
  guint8 bytes[256];
  gsize cost = sizeof bytes + 32;
  guint expected = DC_TRAFFIC_DEVICE_BYTES / cost;

  for (guint i = 0; i < sizeof bytes; i++)
    bytes[i] = i;

  for (guint i = 0; i < 5000; i++)
    {
      bytes[0] = i & 0xff;
      dc_traffic_append (ring, i % 2, bytes, sizeof bytes);
      g_assert_cmpuint (dc_traffic_get_bytes (ring), <=, DC_TRAFFIC_DEVICE_BYTES);
    }

  frames = dc_traffic_get_frames (ring, 0, G_MAXUINT);
  g_assert_cmpuint (frames->len, ==, expected);
  /* The oldest were dropped: the last one kept is frame 5000. */
  g_assert_cmpuint (((DcTrafficFrame *) g_ptr_array_index (frames, frames->len - 1))->seq, ==, 5000);
  g_assert_cmpuint (((DcTrafficFrame *) g_ptr_array_index (frames, 0))->seq, ==, 5000 - expected + 1);
  g_assert_cmpuint (((DcTrafficFrame *) g_ptr_array_index (frames, 0))->bytes[0], ==,
                    (5000 - expected) & 0xff);
  g_clear_pointer (&frames, g_ptr_array_unref);

  /* A frame longer than the ring is cut to fit, not dropped. */
  {
    g_autoptr(DcTraffic) small = dc_traffic_new (100);
    g_autofree guint8 *big = g_malloc0 (1000);

    dc_traffic_append (small, TRUE, big, 1000);
    frames = dc_traffic_get_frames (small, 0, 10);
    g_assert_cmpuint (frames->len, ==, 1);
    g_assert_cmpuint (((DcTrafficFrame *) g_ptr_array_index (frames, 0))->len, ==, 100 - 32);
  }
}

static void
test_traffic_global_cap (void)
{
  GPtrArray *rings = g_ptr_array_new_with_free_func ((GDestroyNotify) dc_traffic_free);
  gsize base = dc_traffic_get_global_bytes ();
  gsize old_limit = dc_traffic_set_global_limit (base + 100 * 1000);
  guint8 bytes[68] = { 0 };   /* 100 bytes each with the bookkeeping */

  g_assert_cmpuint (old_limit, ==, 64 * 1024 * 1024);

  for (guint r = 0; r < 10; r++)
    g_ptr_array_add (rings, dc_traffic_new (DC_TRAFFIC_DEVICE_BYTES));

  /* 10 rings × 200 frames × 100 bytes = 200 kB; the global cap keeps 100 kB, the newest. */
  for (guint i = 0; i < 200; i++)
    for (guint r = 0; r < 10; r++)
      dc_traffic_append (g_ptr_array_index (rings, r), FALSE, bytes, sizeof bytes);

  g_assert_cmpuint (dc_traffic_get_global_bytes (), ==, base + 100 * 1000);
  for (guint r = 0; r < 10; r++)
    {
      g_autoptr(GPtrArray) frames = dc_traffic_get_frames (g_ptr_array_index (rings, r), 0, G_MAXUINT);

      /* Oldest first across rings: each ring keeps its newest 100 frames. */
      g_assert_cmpuint (frames->len, ==, 100);
      g_assert_cmpuint (((DcTrafficFrame *) g_ptr_array_index (frames, 0))->seq, ==, 101);
    }

  /* Freeing rings gives their bytes back. */
  g_ptr_array_set_size (rings, 5);
  g_assert_cmpuint (dc_traffic_get_global_bytes (), ==, base + 50 * 1000);
  g_ptr_array_unref (rings);
  g_assert_cmpuint (dc_traffic_get_global_bytes (), ==, base);

  dc_traffic_set_global_limit (old_limit);
}

typedef struct
{
  DcTraffic *ring;
  guint      n;
} AppendJob;

static gpointer
append_thread (gpointer data)
{
  AppendJob *job = data;
  guint8 bytes[20] = { 0 };

  for (guint i = 0; i < job->n; i++)
    dc_traffic_append (job->ring, i % 2, bytes, 1 + i % 20);

  return NULL;
}

static void
test_traffic_threads (void)
{
  g_autoptr(DcTraffic) ring = dc_traffic_new (64 * 1024);
  AppendJob job = { ring, 50000 };
  GThread *threads[3];
  guint64 last_seq = 0;

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("append", append_thread, &job);

  /* Read while they write: sequences always increase and never repeat. */
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(GPtrArray) frames = dc_traffic_get_frames (ring, last_seq, 100);

      for (guint j = 0; j < frames->len; j++)
        {
          DcTrafficFrame *frame = g_ptr_array_index (frames, j);

          g_assert_cmpuint (frame->seq, >, last_seq);
          last_seq = frame->seq;
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  {
    g_autoptr(GPtrArray) frames = dc_traffic_get_frames (ring, 0, 1);

    g_assert_cmpuint (((DcTrafficFrame *) g_ptr_array_index (frames, 0))->seq, ==, 150000);
  }
  g_assert_cmpuint (dc_traffic_get_bytes (ring), <=, 64 * 1024);
}

/* I/O pool */

typedef struct
{
  GMainContext *context;
  GThread      *thread;
  gboolean      owner;
} WhereJob;

static gboolean
where_cb (gpointer data)
{
  WhereJob *job = data;

  job->thread = g_thread_self ();
  job->owner = g_main_context_is_owner (job->context);

  return G_SOURCE_REMOVE;
}

static void
test_io_pool (void)
{
  DcIoPool *pool = dc_io_pool_new (3);
  GThread *seen[3] = { NULL, };

  g_assert_cmpuint (dc_io_pool_get_n_threads (pool), ==, 3);

  /* Round-robin over three distinct contexts, each served by its own thread. */
  for (guint i = 0; i < 6; i++)
    {
      GMainContext *context = dc_io_pool_next_context (pool);
      WhereJob job = { context, NULL, FALSE };

      g_assert_true (context == dc_io_pool_get_context (pool, i % 3));
      dc_io_invoke_sync (context, where_cb, &job);
      g_assert_true (job.owner);
      g_assert_true (job.thread != g_thread_self ());
      if (i < 3)
        {
          for (guint j = 0; j < i; j++)
            g_assert_true (seen[j] != job.thread);
          seen[i] = job.thread;
        }
      else
        g_assert_true (seen[i % 3] == job.thread);
    }

  /* Default thread count: between 1 and 4. */
  dc_io_pool_free (pool);
  pool = dc_io_pool_new (0);
  g_assert_cmpuint (dc_io_pool_get_n_threads (pool), >=, 1);
  g_assert_cmpuint (dc_io_pool_get_n_threads (pool), <=, 4);
  dc_io_pool_free (pool);
}

/* Driver */

typedef struct
{
  GArray   *states;
  GPtrArray *errors;
} LinkLog;

static void
link_changed_cb (DcDriver   *driver,
                 int         state,
                 const char *last_error,
                 LinkLog    *log)
{
  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  g_array_append_val (log->states, state);
  g_ptr_array_add (log->errors, g_strdup (last_error));
}

static void
test_driver_lifecycle (void)
{
  g_autoptr(DcIoPool) pool = dc_io_pool_new (2);
  g_autoptr(JsonObject) device = json_object_new ();
  g_autoptr(GPtrArray) terms = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GPtrArray) points = g_ptr_array_new ();
  g_autoptr(DcDriver) driver = NULL;
  g_autoptr(JsonNode) status = NULL;
  g_autoptr(GPtrArray) frames = NULL;
  g_autofree char *error = NULL;
  DcTestSink *sink = dc_test_sink_new ();
  LinkLog log = { g_array_new (FALSE, FALSE, sizeof (int)),
                  g_ptr_array_new_with_free_func (g_free) };
  DcDriverCounters counters;
  JsonObject *object;

  dc_driver_register_protocol ("test", test_driver_factory);
  g_assert_true (dc_driver_protocol_is_known ("test"));
  g_assert_false (dc_driver_protocol_is_known ("nope"));
  g_assert_null (dc_driver_new_for_protocol ("nope"));

  driver = dc_driver_new_for_protocol ("test");
  g_assert_true (TEST_IS_DRIVER (driver));
  g_assert_cmpint (dc_driver_get_link_state (driver), ==, DC_LINK_DISABLED);

  json_object_set_int_member (device, "id", 7);
  dc_driver_set_config (driver, device, terms, points);
  g_assert_cmpstr (dc_driver_get_device_id (driver), ==, "7");
  g_assert_true (dc_driver_get_device (driver) == device);
  g_assert_true (dc_driver_get_terms (driver) == terms);
  g_assert_true (dc_driver_get_points (driver) == points);

  dc_driver_set_sink (driver, &sink->parent);
  dc_driver_set_io_context (driver, dc_io_pool_next_context (pool));
  g_signal_connect (driver, "link-changed", G_CALLBACK (link_changed_cb), &log);

  dc_driver_start (driver);
  WAIT_UNTIL (log.states->len == 3);

  /* connecting (main) → up (I/O thread) → down (I/O thread), in order, on the main thread. */
  g_assert_cmpint (g_array_index (log.states, int, 0), ==, DC_LINK_CONNECTING);
  g_assert_cmpint (g_array_index (log.states, int, 1), ==, DC_LINK_UP);
  g_assert_cmpint (g_array_index (log.states, int, 2), ==, DC_LINK_DOWN);
  g_assert_cmpstr (g_ptr_array_index (log.errors, 2), ==, "connection refused");
  g_assert_true (TEST_DRIVER (driver)->io_thread != g_thread_self ());

  g_assert_cmpuint (dc_test_sink_count (sink), ==, 200);
  g_assert_cmpuint (sink->n_batches, ==, 20);

  dc_driver_get_counters (driver, &counters);
  g_assert_cmpuint (counters.frames_out, ==, 20);
  g_assert_cmpuint (counters.bytes_out, ==, 120);
  g_assert_cmpuint (counters.frames_in, ==, 0);

  error = dc_driver_dup_last_error (driver);
  g_assert_cmpstr (error, ==, "connection refused");

  status = dc_driver_build_status (driver);
  object = json_node_get_object (status);
  g_assert_cmpstr (json_object_get_string_member (object, "device_id"), ==, "7");
  g_assert_cmpstr (json_object_get_string_member (object, "state"), ==, "down");
  g_assert_cmpstr (json_object_get_string_member (object, "last_error"), ==, "connection refused");
  g_assert_cmpint (json_object_get_int_member (object, "frames_out"), ==, 20);
  g_assert_cmpint (json_object_get_int_member (object, "bytes_out"), ==, 120);
  g_assert_cmpint (json_object_get_int_member (object, "reconnects"), ==, 0);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (object, "since"), "Z"));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (object, "protocol"),
                                               "ticks"), ==, 20);

  frames = dc_traffic_get_frames (dc_driver_get_traffic (driver), 0, 200);
  g_assert_cmpuint (frames->len, ==, 20);

  /* Same state and error again is no change; stop is synchronous and ends in disabled. */
  dc_driver_set_link_state (driver, DC_LINK_DOWN, "connection refused");
  dc_driver_stop (driver);
  WAIT_UNTIL (log.states->len == 4);
  g_assert_cmpint (g_array_index (log.states, int, 3), ==, DC_LINK_DISABLED);
  g_assert_null (TEST_DRIVER (driver)->timer);

  /* Restart: base points_changed does stop + start, and the driver runs again. */
  TEST_DRIVER (driver)->n_ticks = 0;
  TEST_DRIVER (driver)->max_ticks = 5;
  dc_driver_points_changed (driver);
  WAIT_UNTIL (dc_test_sink_count (sink) == 250);
  dc_driver_stop (driver);

  g_signal_handlers_disconnect_by_data (driver, &log);
  g_array_unref (log.states);
  g_ptr_array_unref (log.errors);
  /* Let the queued emissions drop their references. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (g_steal_pointer (&driver));
  dc_test_sink_free (sink);
}

typedef struct
{
  GPtrArray *terms;
  GArray    *ups;
} TermLog;

static void
term_link_changed_cb (DcDriver   *driver,
                      const char *term_id,
                      gboolean    up,
                      const char *last_error,
                      TermLog    *log)
{
  g_ptr_array_add (log->terms, g_strdup (term_id));
  g_array_append_val (log->ups, up);
}

static gpointer
term_flip_thread (gpointer data)
{
  DcDriver *driver = data;

  dc_driver_set_term_link_state (driver, "t1", TRUE, NULL);          /* up already: nothing */
  dc_driver_set_term_link_state (driver, "t1", FALSE, "timeout");
  dc_driver_set_term_link_state (driver, "t1", FALSE, "timeout");    /* same: nothing */
  dc_driver_set_term_link_state (driver, "t2", FALSE, "exception 11");
  dc_driver_set_term_link_state (driver, "t1", TRUE, NULL);

  return NULL;
}

static void
test_driver_term_link (void)
{
  g_autoptr(DcDriver) driver = test_driver_factory ();
  TermLog log = { g_ptr_array_new_with_free_func (g_free), g_array_new (FALSE, FALSE, sizeof (gboolean)) };

  g_signal_connect (driver, "term-link-changed", G_CALLBACK (term_link_changed_cb), &log);
  g_thread_join (g_thread_new ("flip", term_flip_thread, driver));
  WAIT_UNTIL (log.terms->len == 3);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (log.terms->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (log.terms, 0), ==, "t1");
  g_assert_false (g_array_index (log.ups, gboolean, 0));
  g_assert_cmpstr (g_ptr_array_index (log.terms, 1), ==, "t2");
  g_assert_cmpstr (g_ptr_array_index (log.terms, 2), ==, "t1");
  g_assert_true (g_array_index (log.ups, gboolean, 2));

  g_signal_handlers_disconnect_by_data (driver, &log);
  g_ptr_array_unref (log.terms);
  g_array_unref (log.ups);
}

static void
async_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_driver_defaults (void)
{
  g_autoptr(DcDriver) driver = test_driver_factory ();
  g_autoptr(JsonObject) device = json_object_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  DcPointInfo point = { .key = 1 };
  DcSample sample;
  double confirmed;
  DcTestSink *sink = dc_test_sink_new ();

  json_object_set_string_member (device, "id", "dev");
  dc_driver_set_config (driver, device, NULL, NULL);

  dc_driver_call_async (driver, &point, 0, NULL, async_result_cb, &result);
  WAIT_UNTIL (result != NULL);
  g_assert_false (dc_driver_call_finish (driver, result, &sample, &error));
  g_assert_error (error, DC_ERROR, DC_ERROR_REJECTED);
  g_assert_cmpstr (error->message, ==, "device dev rejected the command: reading is not supported");
  g_clear_error (&error);
  g_clear_object (&result);

  dc_driver_ctrl_async (driver, &point, 1.0, 0, NULL, NULL, NULL, async_result_cb, &result);
  WAIT_UNTIL (result != NULL);
  g_assert_false (dc_driver_ctrl_finish (driver, result, &confirmed, &error));
  g_assert_error (error, DC_ERROR, DC_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "point is read-only");
  g_clear_error (&error);

  error = dc_driver_error_offline ("dev");
  g_assert_error (error, DC_ERROR, DC_ERROR_OFFLINE);
  g_assert_cmpstr (error->message, ==, "device dev is offline");
  g_assert_cmpuint (dc_error_http_status (error), ==, 503);
  g_clear_error (&error);
  error = dc_driver_error_timeout ("dev", 10 * G_USEC_PER_SEC);
  g_assert_cmpstr (error->message, ==, "device dev did not answer within 10 s");
  g_assert_cmpuint (dc_error_http_status (error), ==, 504);
  g_clear_error (&error);
  error = dc_driver_error_timeout ("dev", G_USEC_PER_SEC / 2);
  g_assert_cmpstr (error->message, ==, "device dev did not answer within 0.5 s");
  g_clear_error (&error);
  error = dc_driver_error_rejected ("dev", "illegal data address");
  g_assert_cmpstr (error->message, ==, "device dev rejected the command: illegal data address");
  g_assert_cmpuint (dc_error_http_status (error), ==, 502);

  g_assert_cmpstr (dc_link_state_to_string (DC_LINK_UP), ==, "up");
  g_assert_cmpstr (dc_link_state_to_string (DC_LINK_CONNECTING), ==, "connecting");
  g_assert_cmpstr (dc_ctrl_step_to_string (DC_CTRL_STEP_EXECUTE_SENT), ==, "execute sent");

  g_assert_false (dc_sample_sink_is_congested (&sink->parent));
  sink->congested = TRUE;
  g_assert_true (dc_sample_sink_is_congested (&sink->parent));
  dc_test_sink_free (sink);

  dc_driver_count_reconnect (driver);
  dc_driver_count_frame (driver, TRUE, 12);
  {
    DcDriverCounters counters;

    dc_driver_get_counters (driver, &counters);
    g_assert_cmpuint (counters.reconnects, ==, 1);
    g_assert_cmpuint (counters.frames_in, ==, 1);
    g_assert_cmpuint (counters.bytes_in, ==, 12);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/dc/traffic/basic", test_traffic_basic);
  g_test_add_func ("/dc/traffic/ring-cap", test_traffic_ring_cap);
  g_test_add_func ("/dc/traffic/global-cap", test_traffic_global_cap);
  g_test_add_func ("/dc/traffic/threads", test_traffic_threads);
  g_test_add_func ("/dc/io-pool/threads", test_io_pool);
  g_test_add_func ("/dc/driver/lifecycle", test_driver_lifecycle);
  g_test_add_func ("/dc/driver/term-link", test_driver_term_link);
  g_test_add_func ("/dc/driver/defaults", test_driver_defaults);

  return g_test_run ();
}
