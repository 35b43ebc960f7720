/* test-engine-future.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include "dc-engine.h"
#include "dc-protocols.h"
#include "dc-settings.h"

#include "dc-test-store.h"

/* Issue 21, item 8: a time tag far in the future (one IEC 104 sample stamped 2099) froze the
 * point's live value at it, newer samples going to history only, and gave its alarm an
 * active_since in 2099. More than the plausibility window ahead (10 min by default,
 * [server] max_future_s), a sample gets quality 0x400 (time invalid), goes to history and is
 * not the live value (docs/security.md). */

#define SEC ((gint64) G_USEC_PER_SEC)
#define QUALITY_TIME_INVALID 0x400

typedef struct
{
  DcStore   *store;
  DcHistory *history;
  DcEngine  *engine;
  GArray    *heard;
  gint64     key;
} Fixture;

static void
samples_cb (DcEngine *engine,
            GArray   *samples,
            Fixture  *fx)
{
  g_array_append_vals (fx->heard, samples->data, samples->len);
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  dc_test_open_store_and_history (&fx->store, &fx->history);
  dc_test_store_create (fx->store, DC_KIND_DEVICE, "{\"id\":\"v\",\"protocol\":\"virtual\"}");
  dc_test_store_create (fx->store, DC_KIND_TERM, "{\"id\":\"t1\",\"device_id\":\"v\"}");
  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\":\"i1\"}");
  dc_test_store_create (fx->store, DC_KIND_POINT,
                        "{\"term_id\":\"t1\",\"item_id\":\"i1\",\"history\":\"all\"}");
  fx->key = dc_store_get_point_key (fx->store, "t1", "i1");
  fx->engine = dc_engine_new (fx->store, fx->history);
  fx->heard = g_array_new (FALSE, FALSE, sizeof (DcSample));
  g_signal_connect (fx->engine, "samples", G_CALLBACK (samples_cb), fx);
  dc_engine_start (fx->engine);
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

/* The history of the point, once the writer has it (polled with a deadline). */
static GArray *
stored (Fixture *fx,
        guint    at_least)
{
  gint64 deadline = g_get_monotonic_time () + 20 * SEC;

  for (;;)
    {
      GArray *samples = dc_test_history_samples (fx->history, fx->key);

      if (samples->len >= at_least || g_get_monotonic_time () > deadline)
        return samples;
      g_array_unref (samples);
      g_main_context_iteration (NULL, FALSE);
    }
}

static void
ingest (Fixture *fx,
        gint64   time,
        double   value)
{
  DcSample s = { fx->key, time, value, 0 };

  dc_engine_ingest (fx->engine, &s, 1, DC_INGEST_NONE);
}

static void
test_far_future (Fixture       *fx,
                 gconstpointer  data)
{
  gint64 now = g_get_real_time ();
  /* 2099-01-01T00:00:00Z */
  gint64 future = G_GINT64_CONSTANT (4070908800) * SEC;
  g_autoptr(GArray) history = NULL;
  DcSample live;
  gboolean found = FALSE;

  ingest (fx, now - 2 * SEC, 1.0);
  ingest (fx, future, 99.0);
  g_assert_true (dc_engine_get_live (fx->engine, fx->key, &live));
  g_assert_cmpfloat (live.value, ==, 1.0);

  /* A newer plausible sample is the live value, as it should. */
  ingest (fx, now - 1 * SEC, 2.0);
  g_assert_true (dc_engine_get_live (fx->engine, fx->key, &live));
  g_assert_cmpfloat (live.value, ==, 2.0);
  g_assert_cmpint (live.quality, ==, 0);

  /* The future one is kept in history, flagged; listeners (alarms, formulas, the stream)
   * never saw it. */
  history = stored (fx, 3);
  g_assert_cmpuint (history->len, ==, 3);
  for (guint i = 0; i < history->len; i++)
    {
      const DcSample *s = &g_array_index (history, DcSample, i);

      if (s->time == future)
        {
          found = TRUE;
          g_assert_cmpuint (s->quality & QUALITY_TIME_INVALID, ==, QUALITY_TIME_INVALID);
        }
    }
  g_assert_true (found);
  for (guint i = 0; i < fx->heard->len; i++)
    g_assert_cmpint (g_array_index (fx->heard, DcSample, i).time, !=, future);
}

static void
test_window (Fixture       *fx,
             gconstpointer  data)
{
  gint64 now = g_get_real_time ();
  DcSample live;

  /* 5 minutes ahead: a clock off by minutes is a clock, not an attack. */
  ingest (fx, now + 300 * SEC, 5.0);
  g_assert_true (dc_engine_get_live (fx->engine, fx->key, &live));
  g_assert_cmpfloat (live.value, ==, 5.0);
  g_assert_cmpint (live.quality, ==, 0);

  /* A window of 60 s: 5 minutes ahead is too far. */
  dc_engine_set_max_future (fx->engine, 60 * SEC);
  ingest (fx, now + 600 * SEC, 6.0);
  g_assert_true (dc_engine_get_live (fx->engine, fx->key, &live));
  g_assert_cmpfloat (live.value, ==, 5.0);

  /* 0: no window. */
  dc_engine_set_max_future (fx->engine, 0);
  ingest (fx, now + 3600 * SEC, 7.0);
  g_assert_true (dc_engine_get_live (fx->engine, fx->key, &live));
  g_assert_cmpfloat (live.value, ==, 7.0);
}

static void
test_setting (void)
{
  g_autoptr(DcSettings) settings = dc_settings_new ();
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (settings->max_future_s, ==, 600);
  g_assert_true (g_key_file_load_from_data (key_file, "[server]\nmax_future_s=30\n", -1, 0,
                                            NULL));
  g_assert_true (dc_settings_load_key_file (settings, key_file, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (settings->max_future_s, ==, 30);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_protocols_register_all ();

  g_test_add ("/dc/engine/future/far", Fixture, NULL, fixture_setup, test_far_future,
              fixture_teardown);
  g_test_add ("/dc/engine/future/window", Fixture, NULL, fixture_setup, test_window,
              fixture_teardown);
  g_test_add_func ("/dc/engine/future/setting", test_setting);

  return g_test_run ();
}
