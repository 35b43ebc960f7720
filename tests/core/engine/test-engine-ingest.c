/* test-engine-ingest.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <math.h>

#include "dc-engine.h"
#include "dc-error.h"

#include "dc-protocols.h"
#include "dc-test-store.h"

#define SEC ((gint64) G_USEC_PER_SEC)

typedef struct
{
  DcStore   *store;
  DcHistory *history;
  DcEngine  *engine;
  GArray    *heard;      /* every sample the listener got */
  guint      emissions;
  gint64     t0;
} Fixture;

static gint64
key_of (Fixture    *fx,
        const char *item)
{
  gint64 key = dc_store_get_point_key (fx->store, "t1", item);

  g_assert_cmpint (key, >, 0);
  return key;
}

static void
samples_cb (DcEngine *engine,
            GArray   *samples,
            Fixture  *fx)
{
  g_array_append_vals (fx->heard, samples->data, samples->len);
  fx->emissions++;
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  dc_test_open_store_and_history (&fx->store, &fx->history);

  dc_test_store_create (fx->store, DC_KIND_DEVICE, "{\"id\":\"v\",\"protocol\":\"virtual\"}");
  dc_test_store_create (fx->store, DC_KIND_TERM, "{\"id\":\"t1\",\"device_id\":\"v\"}");
  for (int i = 1; i <= 4; i++)
    {
      g_autofree char *item = g_strdup_printf ("{\"id\":\"i%d\"}", i);
      dc_test_store_create (fx->store, DC_KIND_ITEM, item);
    }
  dc_test_store_create (fx->store, DC_KIND_POINT,
                        "{\"term_id\":\"t1\",\"item_id\":\"i1\",\"history\":\"change\","
                        "\"history_deadband\":0.5}");
  dc_test_store_create (fx->store, DC_KIND_POINT,
                        "{\"term_id\":\"t1\",\"item_id\":\"i2\",\"history\":\"all\"}");
  dc_test_store_create (fx->store, DC_KIND_POINT,
                        "{\"term_id\":\"t1\",\"item_id\":\"i3\",\"history\":\"none\"}");
  dc_test_store_create (fx->store, DC_KIND_POINT, "{\"term_id\":\"t1\",\"item_id\":\"i4\"}");

  fx->engine = dc_engine_new (fx->store, fx->history);
  fx->heard = g_array_new (FALSE, FALSE, sizeof (DcSample));
  g_signal_connect (fx->engine, "samples", G_CALLBACK (samples_cb), fx);
  dc_engine_start (fx->engine);
  fx->t0 = (g_get_real_time () / SEC) * SEC - 3600 * SEC;
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  dc_engine_shutdown (fx->engine);
  g_assert_finalize_object (fx->engine);
  dc_test_release_history (fx->history);
  g_assert_finalize_object (fx->store);
  g_array_unref (fx->heard);
}

static GArray *
stored (Fixture *fx,
        gint64   key)
{
  return dc_test_history_samples (fx->history, key);
}

static void
feed (Fixture       *fx,
      gint64         key,
      const double  *values,
      guint          n,
      guint32        quality_at,   /* index whose sample gets a quality bit, or G_MAXUINT32 */
      DcIngestFlags  flags)
{
  for (guint i = 0; i < n; i++)
    {
      DcSample s = { key, fx->t0 + i * SEC, values[i], i == quality_at ? DC_QUALITY_BLOCKED : 0 };

      dc_engine_ingest (fx->engine, &s, 1, flags);
    }
}

static void
assert_values (GArray       *samples,
               const double *expected,
               guint         n)
{
  g_assert_cmpuint (samples->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      double v = g_array_index (samples, DcSample, i).value;

      if (isnan (expected[i]))
        g_assert_true (isnan (v));
      else
        g_assert_cmpfloat (v, ==, expected[i]);
    }
}

/* History modes: change with deadband and quality, all, none. */
static void
test_modes (Fixture       *fx,
            gconstpointer  data)
{
  static const double in[] = { 1.0, 1.2, 1.5, 1.6, 1.6, 1.0, NAN, NAN, 2.0 };
  static const double change05[] = { 1.0, 1.6, 1.0, NAN, 2.0 };
  static const double change0[] = { 1.0, 1.2, 1.5, 1.6, 1.0, NAN, 2.0 };
  g_autoptr(GArray) a = NULL;
  g_autoptr(GArray) b = NULL;
  g_autoptr(GArray) c = NULL;
  g_autoptr(GArray) d = NULL;
  DcEngineStats stats;
  DcSample live;

  /* Index 5 gets a quality change: stored although the value is within the deadband. */
  feed (fx, key_of (fx, "i1"), in, G_N_ELEMENTS (in), 5, 0);
  feed (fx, key_of (fx, "i2"), in, G_N_ELEMENTS (in), G_MAXUINT32, 0);
  feed (fx, key_of (fx, "i3"), in, G_N_ELEMENTS (in), G_MAXUINT32, 0);
  feed (fx, key_of (fx, "i4"), in, G_N_ELEMENTS (in), 5, 0);

  a = stored (fx, key_of (fx, "i1"));
  b = stored (fx, key_of (fx, "i2"));
  c = stored (fx, key_of (fx, "i3"));
  d = stored (fx, key_of (fx, "i4"));
  assert_values (a, change05, G_N_ELEMENTS (change05));
  g_assert_cmpuint (g_array_index (a, DcSample, 1).quality, ==, 0);
  g_assert_cmpuint (g_array_index (a, DcSample, 2).quality, ==, DC_QUALITY_BLOCKED);
  g_assert_cmpuint (g_array_index (a, DcSample, 3).quality, ==, DC_QUALITY_INVALID);
  assert_values (b, in, G_N_ELEMENTS (in));
  g_assert_cmpuint (c->len, ==, 0);
  assert_values (d, change0, G_N_ELEMENTS (change0));

  /* The live table and the listeners see every sample, stored or not. */
  for (int i = 1; i <= 4; i++)
    {
      g_autofree char *item = g_strdup_printf ("i%d", i);

      g_assert_true (dc_engine_get_live (fx->engine, key_of (fx, item), &live));
      g_assert_cmpfloat (live.value, ==, 2.0);
      g_assert_cmpint (live.time, ==, fx->t0 + 8 * SEC);
    }
  g_assert_cmpuint (fx->heard->len, ==, 4 * G_N_ELEMENTS (in));
  dc_engine_get_stats (fx->engine, &stats);
  g_assert_cmpuint (stats.accepted, ==, 4 * G_N_ELEMENTS (in));
  g_assert_cmpuint (stats.stored, ==, a->len + b->len + c->len + d->len);
  g_assert_cmpuint (stats.stored + stats.not_stored, ==, stats.accepted);
}

/* Samples written through the API are stored even when they repeat, unless `none`. */
static void
test_api_samples (Fixture       *fx,
                  gconstpointer  data)
{
  static const double in[] = { 5.0, 5.0, 5.0 };
  g_autoptr(GArray) a = NULL;
  g_autoptr(GArray) c = NULL;

  feed (fx, key_of (fx, "i1"), in, 3, G_MAXUINT32, DC_INGEST_API);
  feed (fx, key_of (fx, "i3"), in, 3, G_MAXUINT32, DC_INGEST_API);
  a = stored (fx, key_of (fx, "i1"));
  c = stored (fx, key_of (fx, "i3"));
  g_assert_cmpuint (a->len, ==, 3);
  g_assert_cmpuint (c->len, ==, 0);
}

/* Late samples go to history at their own time; the live value stays. */
static void
test_late (Fixture       *fx,
           gconstpointer  data)
{
  gint64 key = key_of (fx, "i1");
  DcSample now = { key, fx->t0 + 100 * SEC, 10.0, 0 };
  DcSample late[] = {
    { key, fx->t0 + 50 * SEC, 10.0, 0 },   /* same value, still stored */
    { key, fx->t0 + 60 * SEC, 3.0, 0 },
  };
  DcSample after = { key, fx->t0 + 101 * SEC, 10.2, 0 };
  g_autoptr(GArray) a = NULL;
  DcEngineStats stats;
  DcSample live;

  dc_engine_ingest (fx->engine, &now, 1, 0);
  dc_engine_ingest (fx->engine, late, 2, 0);
  g_assert_true (dc_engine_get_live (fx->engine, key, &live));
  g_assert_cmpint (live.time, ==, now.time);
  g_assert_cmpfloat (live.value, ==, 10.0);

  /* Deadband is measured against the last stored live sample, not the late one. */
  dc_engine_ingest (fx->engine, &after, 1, 0);
  a = stored (fx, key);
  g_assert_cmpuint (a->len, ==, 3);
  g_assert_cmpint (g_array_index (a, DcSample, 0).time, ==, late[0].time);
  g_assert_cmpint (g_array_index (a, DcSample, 1).time, ==, late[1].time);
  g_assert_cmpint (g_array_index (a, DcSample, 2).time, ==, now.time);
  g_assert_true (dc_engine_get_live (fx->engine, key, &live));
  g_assert_cmpfloat (live.value, ==, 10.2);
  dc_engine_get_stats (fx->engine, &stats);
  g_assert_cmpuint (stats.late, ==, 2);
  g_assert_cmpuint (fx->heard->len, ==, 4);
}

/* Historical values (dc_sample_sink_push_history, a Sparkplug is_historical metric) go to
 * history at their time and never live, even when they are newer than the live sample or the
 * point has none yet. */
static void
test_history_only (Fixture       *fx,
                   gconstpointer  data)
{
  gint64 key = key_of (fx, "i4");
  gint64 other = key_of (fx, "i2");
  DcSampleSink *sink = dc_engine_get_sink (fx->engine);
  DcSample now = { key, fx->t0 + 100 * SEC, 10.0, 0 };
  DcSample historical[] = {
    { key, fx->t0 + 50 * SEC, 3.0, 0 },
    { key, fx->t0 + 200 * SEC, 4.0, 0 },   /* newer than the live sample: still not live */
    { other, fx->t0 + 10 * SEC, 5.0, 0 },  /* a point without a live sample */
  };
  GArray *batch = g_array_new (FALSE, FALSE, sizeof (DcSample));
  g_autoptr(GArray) a = NULL;
  g_autoptr(GArray) b = NULL;
  DcSample live;

  dc_engine_ingest (fx->engine, &now, 1, 0);
  g_array_append_vals (batch, historical, G_N_ELEMENTS (historical));
  dc_sample_sink_push_history (sink, batch);
  dc_engine_flush (fx->engine);

  g_assert_true (dc_engine_get_live (fx->engine, key, &live));
  g_assert_cmpint (live.time, ==, now.time);
  g_assert_cmpfloat (live.value, ==, 10.0);
  g_assert_false (dc_engine_get_live (fx->engine, other, &live));
  a = stored (fx, key);
  g_assert_cmpuint (a->len, ==, 3);
  g_assert_cmpfloat (g_array_index (a, DcSample, 0).value, ==, 3.0);
  g_assert_cmpfloat (g_array_index (a, DcSample, 1).value, ==, 10.0);
  g_assert_cmpfloat (g_array_index (a, DcSample, 2).value, ==, 4.0);
  b = stored (fx, other);
  g_assert_cmpuint (b->len, ==, 1);
  g_assert_cmpint (g_array_index (b, DcSample, 0).time, ==, historical[2].time);
}

/* Driver threads push through the sink; the main context applies them in order, no loss,
 * even when the history writer is throttled and refuses batches. */
typedef struct
{
  DcSampleSink *sink;
  gint64        key;
  gint64        t0;
  int           n_batches;
  int           batch_size;
  gboolean      saw_congestion;
} Producer;

static gpointer
producer_thread (gpointer data)
{
  Producer *p = data;

  for (int b = 0; b < p->n_batches; b++)
    {
      GArray *batch = g_array_sized_new (FALSE, FALSE, sizeof (DcSample), p->batch_size);

      for (int i = 0; i < p->batch_size; i++)
        {
          DcSample s = { p->key, p->t0 + (gint64) (b * p->batch_size + i) * 1000, i, 0 };
          g_array_append_val (batch, s);
        }
      dc_sample_sink_push_batch (p->sink, batch);
      if (dc_sample_sink_is_congested (p->sink))
        p->saw_congestion = TRUE;
    }
  return NULL;
}

static void
test_sink_backpressure (Fixture       *fx,
                        gconstpointer  data)
{
  Producer p = { dc_engine_get_sink (fx->engine), key_of (fx, "i2"), fx->t0, 300, 100, FALSE };
  g_autoptr(GThread) thread = NULL;
  guint64 total = (guint64) p.n_batches * p.batch_size;
  DcHistoryStats hstats;
  DcEngineStats stats;
  guint64 max_backlog = 0;
  gboolean api_checked = FALSE;
  DcSample live;

  dc_history_set_queue_capacity (fx->history, 1000);
  dc_history_set_throttle (fx->history, 3000);

  thread = g_thread_new ("producer", producer_thread, &p);
  /* Every step below is driven by an event: sink wakeups and the writer's ::ready. */
  for (;;)
    {
      g_main_context_iteration (NULL, TRUE);
      dc_engine_get_stats (fx->engine, &stats);
      max_backlog = MAX (max_backlog, stats.backlog);
      if (dc_engine_is_congested (fx->engine))
        p.saw_congestion = TRUE;
      if (stats.backlog > 0 && !api_checked)
        {
          /* A sample written through the API while the writer is behind is readable at
           * once (it does not wait behind the backlog). */
          DcSample api = { key_of (fx, "i1"), fx->t0 + 999 * SEC, 77.0, 0 };
          g_autoptr(GArray) got = NULL;

          dc_engine_ingest (fx->engine, &api, 1, DC_INGEST_API);
          dc_engine_get_stats (fx->engine, &stats);
          g_assert_cmpuint (stats.backlog, ==, 0);
          got = stored (fx, api.key);
          g_assert_cmpuint (got->len, ==, 1);
          g_assert_cmpfloat (g_array_index (got, DcSample, 0).value, ==, 77.0);
          api_checked = TRUE;
        }
      if (stats.accepted == total + 1 && stats.backlog == 0)
        break;
    }
  dc_history_sync (fx->history);
  g_thread_join (g_steal_pointer (&thread));

  dc_history_get_stats (fx->history, &hstats);
  dc_engine_get_stats (fx->engine, &stats);
  g_assert_cmpuint (max_backlog, >, 0);
  g_assert_true (api_checked);
  g_assert_true (p.saw_congestion);
  g_assert_cmpuint (hstats.refused, >, 0);
  g_assert_cmpuint (stats.accepted, ==, total + 1);
  g_assert_cmpuint (stats.stored, ==, total + 1);
  g_assert_cmpuint (stats.backlog, ==, 0);
  g_assert_cmpuint (hstats.written, ==, total + 1);
  g_assert_cmpuint (fx->heard->len, ==, total + 1);
  g_assert_false (dc_engine_is_congested (fx->engine));
  /* Order kept: the last sample pushed is live. */
  g_assert_true (dc_engine_get_live (fx->engine, p.key, &live));
  g_assert_cmpint (live.time, ==, fx->t0 + (gint64) (total - 1) * 1000);
  /* Fewer emissions than batches is fine (one wakeup ingests what is queued); never more. */
  g_assert_cmpuint (fx->emissions, <=, (guint) p.n_batches + 1);
}

/* The engine follows the store: a new mode applies at once; a deleted point's samples are
 * counted as unknown and its history is purged. */
static void
test_follow_store (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(JsonObject) patch = dc_test_json_object ("{\"history\":\"none\"}");
  g_autoptr(GError) error = NULL;
  gint64 k2 = key_of (fx, "i2");
  DcSample s = { k2, fx->t0, 1.0, 0 };
  DcEngineStats stats;
  DcHistoryStats hstats;
  GArray *got;

  dc_engine_ingest (fx->engine, &s, 1, 0);
  dc_store_update_point (fx->store, "t1", "i2", patch, &error);
  g_assert_no_error (error);
  s.time += SEC;
  dc_engine_ingest (fx->engine, &s, 1, 0);
  got = stored (fx, k2);
  g_assert_cmpuint (got->len, ==, 1);
  g_array_unref (got);

  dc_store_delete_point (fx->store, "t1", "i2", &error);
  g_assert_no_error (error);
  s.time += SEC;
  dc_engine_ingest (fx->engine, &s, 1, 0);
  dc_engine_get_stats (fx->engine, &stats);
  g_assert_cmpuint (stats.unknown, ==, 1);
  g_assert_false (dc_engine_get_live (fx->engine, k2, NULL));
  g_assert_null (dc_engine_get_point (fx->engine, k2));

  dc_history_sync (fx->history);
  dc_history_get_stats (fx->history, &hstats);
  g_assert_cmpuint (hstats.purged, ==, 1);
  got = stored (fx, k2);
  g_assert_cmpuint (got->len, ==, 0);
  g_array_unref (got);
}

/* One batch through the sink, in place (docs/performance.md, "Modbus acquisition path"):
 * the samples of unknown points and those too far ahead are left out of the emitted batch,
 * the rest keep their order, a value equal in time to the one before it is restamped 1 µs
 * later, a non-finite value becomes NaN invalid, and history gets what its mode says
 * (including the sample from the future). Twice, so the second batch finds every state on
 * its hint. */
static void
test_batch_in_place (Fixture       *fx,
                     gconstpointer  data)
{
  gint64 k1 = key_of (fx, "i1"), k2 = key_of (fx, "i2"), k3 = key_of (fx, "i3");
  gint64 far = g_get_real_time () + 3600 * SEC;
  DcSampleSink *sink = dc_engine_get_sink (fx->engine);
  DcEngineStats stats;
  GArray *got;

  for (int round = 0; round < 2; round++)
    {
      gint64 t = fx->t0 + round * SEC;
      DcSample in[] = {
        { k1, t, 1.0 + round, 0 },
        { 999999, t, 5.0, 0 },          /* no such point */
        { k2, far + round * SEC, 2.0, 0 },  /* too far ahead */
        { k2, t, INFINITY, 0 },
        { k3, t, 3.0, 0 },
        { k3, t, 4.0, 0 },              /* the same time again: restamped */
      };
      GArray *batch = g_array_new (FALSE, FALSE, sizeof (DcSample));
      const DcSample *h;

      g_array_append_vals (batch, in, G_N_ELEMENTS (in));
      g_array_set_size (fx->heard, 0);
      dc_sample_sink_push_batch (sink, batch);
      dc_engine_flush (fx->engine);

      g_assert_cmpuint (fx->heard->len, ==, 4);
      h = (const DcSample *) fx->heard->data;
      g_assert_cmpint (h[0].key, ==, k1);
      g_assert_cmpfloat (h[0].value, ==, 1.0 + round);
      g_assert_cmpint (h[1].key, ==, k2);
      g_assert_true (isnan (h[1].value));
      g_assert_cmpuint (h[1].quality & DC_QUALITY_INVALID, !=, 0);
      g_assert_cmpint (h[2].key, ==, k3);
      g_assert_cmpint (h[2].time, ==, t);
      g_assert_cmpint (h[3].key, ==, k3);
      g_assert_cmpint (h[3].time, ==, t + 1);
      g_assert_cmpfloat (h[3].value, ==, 4.0);
    }

  dc_engine_get_stats (fx->engine, &stats);
  g_assert_cmpuint (stats.received, ==, 12);
  g_assert_cmpuint (stats.unknown, ==, 2);
  g_assert_cmpuint (stats.future, ==, 2);
  g_assert_cmpuint (stats.accepted, ==, 8);
  g_assert_cmpuint (stats.restamped, ==, 2);

  dc_history_sync (fx->history);
  got = stored (fx, k2);   /* history all: the NaN and the far one, each round */
  g_assert_cmpuint (got->len, ==, 4);
  g_array_unref (got);
  got = stored (fx, k3);   /* history none */
  g_assert_cmpuint (got->len, ==, 0);
  g_array_unref (got);
  got = stored (fx, k1);   /* change: 1 then 2 */
  g_assert_cmpuint (got->len, ==, 2);
  g_array_unref (got);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_protocols_register_all ();

  g_test_add ("/dc/engine/ingest/modes", Fixture, NULL, fixture_setup, test_modes,
              fixture_teardown);
  g_test_add ("/dc/engine/ingest/api-samples", Fixture, NULL, fixture_setup, test_api_samples,
              fixture_teardown);
  g_test_add ("/dc/engine/ingest/late", Fixture, NULL, fixture_setup, test_late,
              fixture_teardown);
  g_test_add ("/dc/engine/ingest/history-only", Fixture, NULL, fixture_setup, test_history_only,
              fixture_teardown);
  g_test_add ("/dc/engine/ingest/sink-backpressure", Fixture, NULL, fixture_setup,
              test_sink_backpressure, fixture_teardown);
  g_test_add ("/dc/engine/ingest/follow-store", Fixture, NULL, fixture_setup,
              test_follow_store, fixture_teardown);
  g_test_add ("/dc/engine/ingest/batch-in-place", Fixture, NULL, fixture_setup,
              test_batch_in_place, fixture_teardown);

  return g_test_run ();
}
