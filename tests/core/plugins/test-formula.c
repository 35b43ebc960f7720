/* test-formula.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <math.h>

#include "dc-error.h"
#include "dc-formula.h"
#include "dc-history.h"
#include "dc-protocols.h"
#include "dc-store.h"

#include "dc-test-store.h"

/* A real configuration store and history file in a temporary directory; the test plays the
 * engine: it feeds samples to dc_formula_process() and collects the outputs. */
typedef struct
{
  char      *dir;
  DcStore   *store;
  DcHistory *history;
  DcFormula *formula;
  GArray    *out;      /* DcSample */
  gint64     key_a;
  gint64     key_b;
  gint64     key_sum;
  gint64     key_dbl;
  gboolean   echo;     /* hand outputs back in, as the engine does */
} Fixture;

static const gint64 T = G_GINT64_CONSTANT (1700000000000000);

static gboolean
create_formula (Fixture     *fx,
                const char  *json,
                GError     **error)
{
  g_autoptr(JsonObject) object = dc_test_json_object (json);

  return dc_store_create (fx->store, DC_KIND_FORMULA, object, error);
}

static void
output_cb (const DcSample *samples,
           guint           n_samples,
           gpointer        user_data)
{
  Fixture *fx = user_data;

  g_array_append_vals (fx->out, samples, n_samples);
  if (fx->echo)
    dc_formula_process (fx->formula, samples, n_samples);
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;
  g_autofree char *hdb = NULL;

  fx->dir = g_dir_make_tmp ("dc-formula-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (fx->dir, "dc.db", NULL);
  fx->store = dc_store_open (db, &error);
  g_assert_no_error (error);
  hdb = dc_history_path_for_config (db);
  fx->history = dc_history_new (hdb, &error);
  g_assert_no_error (error);
  /* The samples are stamped around T, years ago: keep them from the retention passes (the
   * writer runs one at start, maybe after the first samples arrived), else a formula created
   * later finds no history and computes nothing. */
  dc_history_set_default_retention_days (fx->history, 100 * 365);
  fx->out = g_array_new (FALSE, FALSE, sizeof (DcSample));

  dc_test_store_create (fx->store, DC_KIND_DEVICE, "{\"id\": \"vd\", \"protocol\": \"virtual\"}");
  dc_test_store_create (fx->store, DC_KIND_DEVICE, "{\"id\": \"calc\", \"protocol\": \"formula\"}");
  dc_test_store_create (fx->store, DC_KIND_TERM, "{\"id\": \"t1\", \"device_id\": \"vd\"}");
  dc_test_store_create (fx->store, DC_KIND_TERM, "{\"id\": \"ct\", \"device_id\": \"calc\"}");
  for (guint i = 0; i < 4; i++)
    {
      static const char * const items[] = { "a", "b", "sum", "dbl" };
      g_autofree char *item = g_strdup_printf ("{\"id\": \"%s\"}", items[i]);
      g_autofree char *point = g_strdup_printf ("{\"term_id\": \"%s\", \"item_id\": \"%s\"}",
                                                i < 2 ? "t1" : "ct", items[i]);

      dc_test_store_create (fx->store, DC_KIND_ITEM, item);
      dc_test_store_create (fx->store, DC_KIND_POINT, point);
    }
  fx->key_a = dc_store_get_point_key (fx->store, "t1", "a");
  fx->key_b = dc_store_get_point_key (fx->store, "t1", "b");
  fx->key_sum = dc_store_get_point_key (fx->store, "ct", "sum");
  fx->key_dbl = dc_store_get_point_key (fx->store, "ct", "dbl");
  g_assert_cmpint (fx->key_a, >, 0);
  g_assert_cmpint (fx->key_dbl, >, 0);

  fx->formula = dc_formula_new (fx->store, fx->history);
  dc_formula_set_output (fx->formula, output_cb, fx, NULL);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_assert_finalize_object (fx->formula);
  dc_history_sync (fx->history);
  /* A GTask worker drops its reference to the task (and so to the history) just after the
   * task's callback was queued: wait for the last reference to go, with a deadline. */
  {
    GWeakRef weak;
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    DcHistory *history;

    g_weak_ref_init (&weak, fx->history);
    g_clear_object (&fx->history);
    while ((history = g_weak_ref_get (&weak)) != NULL && g_get_monotonic_time () < deadline)
      {
        g_object_unref (history);
        g_main_context_iteration (NULL, FALSE);
        g_thread_yield ();
      }
    g_assert_null (history);
    g_weak_ref_clear (&weak);
  }
  g_assert_finalize_object (fx->store);
  g_array_unref (fx->out);

  dc_test_remove_dir (fx->dir);
  g_free (fx->dir);
}

/* Iterates the main context until the plugin has applied every change and loaded every
 * window, with a deadline. */
static void
settle (Fixture *fx)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  dc_formula_flush (fx->formula);
  while (dc_formula_is_loading (fx->formula) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (dc_formula_is_loading (fx->formula));
}

/* Keeps the blocking iterations of wait_out() checking their deadline. */
static gboolean
wake_tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the main context until the formula has sent n results, with a deadline: a new
 * formula's first result may come one iteration after its window has loaded. */
static void
wait_out (Fixture *fx,
          guint    n)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint tick = g_timeout_add (50, G_SOURCE_FUNC (wake_tick), NULL);

  while (fx->out->len < n && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  g_assert_cmpuint (fx->out->len, ==, n);
}

static void
feed (Fixture *fx,
      gint64   key,
      gint64   time,
      double   value,
      guint32  quality)
{
  DcSample s = { key, time, value, quality };

  /* As the engine: history first, then the plugins. */
  g_assert_true (dc_history_push (fx->history, &s, 1, NULL));
  dc_formula_process (fx->formula, &s, 1);
}

static void
assert_out (Fixture *fx,
            guint    index,
            gint64   key,
            gint64   time,
            double   value,
            guint32  quality)
{
  DcSample *s;

  g_assert_cmpuint (index, <, fx->out->len);
  s = &g_array_index (fx->out, DcSample, index);
  g_assert_cmpint (s->key, ==, key);
  g_assert_cmpint (s->time, ==, time);
  if (isnan (value))
    g_assert_true (isnan (s->value));
  else
    g_assert_cmpfloat (s->value, ==, value);
  g_assert_cmphex (s->quality, ==, quality);
}

#define SUM_FORMULA \
  "{\"id\": \"f1\", \"formula\": \"p1+p2\", \"device_id\": \"calc\", \"term_id\": \"ct\"," \
  " \"item_id\": \"sum\", \"p1\": \"vd:t1:a\", \"p2\": \"vd:t1:b\"}"

/* PyDataColl's scenario: result at creation; a new input → new result; the same input again
 * → no new result; the other input → new result. */
static void
test_scenario (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->echo = TRUE;
  feed (fx, fx->key_a, T + 1, 1.0, 0);
  feed (fx, fx->key_b, T + 2, 2.0, 0);
  /* The writer's start-up retention pass may run after these samples are queued (it did on
   * loaded machines): run one now so that this order is tested every time. */
  dc_history_run_retention (fx->history, 0);
  dc_history_sync (fx->history);
  dc_formula_start (fx->formula);
  settle (fx);
  g_assert_cmpuint (fx->out->len, ==, 0);

  g_assert_true (create_formula (fx, SUM_FORMULA, &error));
  g_assert_no_error (error);
  settle (fx);
  wait_out (fx, 1);
  assert_out (fx, 0, fx->key_sum, T + 2, 3.0, 0);
  g_assert_true (dc_formula_is_result (fx->formula, fx->key_sum));
  g_assert_false (dc_formula_is_result (fx->formula, fx->key_a));

  feed (fx, fx->key_a, T + 3, 5.0, 0);
  g_assert_cmpuint (fx->out->len, ==, 2);
  assert_out (fx, 1, fx->key_sum, T + 3, 7.0, 0);

  feed (fx, fx->key_a, T + 4, 5.0, 0);
  g_assert_cmpuint (fx->out->len, ==, 2);

  feed (fx, fx->key_b, T + 5, 3.0, 0);
  g_assert_cmpuint (fx->out->len, ==, 3);
  assert_out (fx, 2, fx->key_sum, T + 5, 8.0, 0);

  /* Our own result coming back through the engine changes nothing. */
  dc_formula_process (fx->formula, &g_array_index (fx->out, DcSample, 2), 1);
  g_assert_cmpuint (fx->out->len, ==, 3);
  /* Neither does a point no formula reads. */
  feed (fx, fx->key_dbl, T + 6, 1.0, 0);
  g_assert_cmpuint (fx->out->len, ==, 3);
  g_assert_null (dc_formula_get_error (fx->formula, "f1"));
}

/* One batch: samples of one time changed together (one recalculation with all of them);
 * samples of different times are a recalculation each, in order; our own results in the
 * batch are skipped. */
static void
test_batch (Fixture       *fx,
            gconstpointer  data)
{
  dc_formula_start (fx->formula);
  g_assert_true (create_formula (fx, SUM_FORMULA, NULL));
  settle (fx);

  {
    DcSample batch[] = {
      { fx->key_a, T + 1, 1.0, 0 },
      { fx->key_b, T + 1, 2.0, 0 },
    };

    dc_formula_process (fx->formula, batch, G_N_ELEMENTS (batch));
    g_assert_cmpuint (fx->out->len, ==, 1);
    assert_out (fx, 0, fx->key_sum, T + 1, 3.0, 0);
  }
  {
    DcSample batch[] = {
      { fx->key_a, T + 2, 10.0, 0 },
      { fx->key_sum, T + 1, 3.0, 0 },
      { fx->key_b, T + 3, 20.0, 0 },
      { fx->key_a, T + 3, 30.0, 0 },
      { fx->key_b, T + 4, 40.0, 0 },
    };
    guint64 before = dc_formula_get_n_evaluations (fx->formula);

    dc_formula_process (fx->formula, batch, G_N_ELEMENTS (batch));
    g_assert_cmpuint (dc_formula_get_n_evaluations (fx->formula) - before, ==, 3);
    g_assert_cmpuint (fx->out->len, ==, 4);
    assert_out (fx, 1, fx->key_sum, T + 2, 12.0, 0);
    assert_out (fx, 2, fx->key_sum, T + 3, 50.0, 0);
    assert_out (fx, 3, fx->key_sum, T + 4, 70.0, 0);
  }
}

static void
test_quality (Fixture       *fx,
              gconstpointer  data)
{
  dc_formula_start (fx->formula);
  g_assert_true (create_formula (fx, SUM_FORMULA, NULL));
  settle (fx);
  g_assert_cmpuint (fx->out->len, ==, 0); /* no input yet, nothing to compute */

  feed (fx, fx->key_a, T + 1, 1.0, 0);
  /* b has no sample yet: nothing to compute, nothing to report. */
  g_assert_cmpuint (fx->out->len, ==, 0);
  g_assert_null (dc_formula_get_error (fx->formula, "f1"));

  feed (fx, fx->key_b, T + 2, 2.0, DC_QUALITY_COMM_LOST);
  assert_out (fx, 0, fx->key_sum, T + 2, 3.0, DC_QUALITY_COMM_LOST);

  feed (fx, fx->key_a, T + 3, 1.0, DC_QUALITY_INVALID);
  assert_out (fx, 1, fx->key_sum, T + 3, 3.0, DC_QUALITY_COMM_LOST | DC_QUALITY_INVALID);

  /* The same value with a better quality is a change. */
  feed (fx, fx->key_a, T + 4, 1.0, 0);
  feed (fx, fx->key_b, T + 5, 2.0, 0);
  g_assert_cmpuint (fx->out->len, ==, 4);
  assert_out (fx, 3, fx->key_sum, T + 5, 3.0, 0);

  /* An evaluation error: NaN with 0x200 and the inputs' bits. */
  g_assert_true (create_formula (fx, "{\"id\": \"z\", \"formula\": \"p1 / (p1 - p1)\", "
                                 "\"device_id\": \"calc\", \"term_id\": \"ct\", "
                                 "\"item_id\": \"dbl\", \"p1\": \"vd:t1:a\"}", NULL));
  settle (fx);
  wait_out (fx, 5);
  assert_out (fx, 4, fx->key_dbl, T + 4, NAN, DC_QUALITY_CALC_FAILED);
  feed (fx, fx->key_a, T + 10, 3.0, DC_QUALITY_SUBSTITUTED);
  g_assert_cmpuint (fx->out->len, ==, 7);
  for (guint i = 5; i < 7; i++)
    if (g_array_index (fx->out, DcSample, i).key == fx->key_dbl)
      assert_out (fx, i, fx->key_dbl, T + 10, NAN,
                  DC_QUALITY_CALC_FAILED | DC_QUALITY_SUBSTITUTED);
    else
      assert_out (fx, i, fx->key_sum, T + 10, 5.0, DC_QUALITY_SUBSTITUTED);
}

/* One failing formula marks 0x200 and keeps failing quietly; the others keep going; it
 * recovers with its inputs. */
static void
test_failure (Fixture       *fx,
              gconstpointer  data)
{
  dc_formula_start (fx->formula);
  g_assert_true (create_formula (fx, "{\"id\": \"div\", \"formula\": \"p1 / p2\", "
                                 "\"device_id\": \"calc\", \"term_id\": \"ct\", "
                                 "\"item_id\": \"dbl\", \"p1\": \"vd:t1:a\", "
                                 "\"p2\": \"vd:t1:b\"}", NULL));
  g_assert_true (create_formula (fx, SUM_FORMULA, NULL));
  settle (fx);

  feed (fx, fx->key_a, T + 1, 6.0, 0);
  g_assert_cmpuint (fx->out->len, ==, 0);

  feed (fx, fx->key_b, T + 2, 0.0, 0);
  /* The division fails (NaN, 0x200), the sum does not. */
  g_assert_cmpuint (fx->out->len, ==, 2);
  g_assert_cmpstr (dc_formula_get_error (fx->formula, "div"), ==, "division by zero");
  g_assert_null (dc_formula_get_error (fx->formula, "f1"));
  {
    gboolean seen_div = FALSE, seen_sum = FALSE;

    for (guint i = 0; i < 2; i++)
      {
        DcSample *s = &g_array_index (fx->out, DcSample, i);

        if (s->key == fx->key_dbl)
          {
            seen_div = TRUE;
            g_assert_true (isnan (s->value));
            g_assert_cmphex (s->quality, ==, DC_QUALITY_CALC_FAILED);
          }
        else
          {
            seen_sum = TRUE;
            assert_out (fx, i, fx->key_sum, T + 2, 6.0, 0);
          }
      }
    g_assert_true (seen_div && seen_sum);
  }

  /* Still failing: the sum changes, the unchanged failed result is not output again. */
  feed (fx, fx->key_a, T + 3, 7.0, 0);
  g_assert_cmpuint (fx->out->len, ==, 3);
  assert_out (fx, 2, fx->key_sum, T + 3, 7.0, 0);

  feed (fx, fx->key_b, T + 4, 2.0, 0);
  g_assert_cmpuint (fx->out->len, ==, 5);
  g_assert_null (dc_formula_get_error (fx->formula, "div"));
  {
    gboolean seen_div = FALSE;

    for (guint i = 3; i < 5; i++)
      if (g_array_index (fx->out, DcSample, i).key == fx->key_dbl)
        {
          assert_out (fx, i, fx->key_dbl, T + 4, 3.5, 0);
          seen_div = TRUE;
        }
    g_assert_true (seen_div);
  }
}

/* A formula reading another formula's result is computed after it, in the same pass. */
static void
test_dependency_order (Fixture       *fx,
                       gconstpointer  data)
{
  dc_formula_start (fx->formula);
  /* Created first, so only dependency order (not creation order) puts it second. */
  g_assert_true (create_formula (fx, "{\"id\": \"f2\", \"formula\": \"p1 * 2 + p2\", "
                                 "\"device_id\": \"calc\", \"term_id\": \"ct\", "
                                 "\"item_id\": \"dbl\", \"p1\": \"calc:ct:sum\", "
                                 "\"p2\": \"vd:t1:a\"}", NULL));
  g_assert_true (create_formula (fx, SUM_FORMULA, NULL));
  settle (fx);

  feed (fx, fx->key_a, T + 1, 1.0, 0);
  /* f1 waits for b; so does f2, which reads f1's result. */
  feed (fx, fx->key_b, T + 2, 10.0, 0);
  g_array_set_size (fx->out, 0);

  feed (fx, fx->key_a, T + 3, 2.0, 0);
  g_assert_cmpuint (fx->out->len, ==, 2);
  assert_out (fx, 0, fx->key_sum, T + 3, 12.0, 0);
  assert_out (fx, 1, fx->key_dbl, T + 3, 26.0, 0);

  /* A change of b reaches f2 only through f1. */
  feed (fx, fx->key_b, T + 4, 20.0, 0);
  g_assert_cmpuint (fx->out->len, ==, 4);
  assert_out (fx, 2, fx->key_sum, T + 4, 22.0, 0);
  assert_out (fx, 3, fx->key_dbl, T + 4, 46.0, 0);
}

static void
test_cycles (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) patch = NULL;

  g_assert_true (create_formula (fx, SUM_FORMULA, NULL));
  g_assert_true (create_formula (fx, "{\"id\": \"f2\", \"formula\": \"p1 * 2\", "
                                 "\"device_id\": \"calc\", \"term_id\": \"ct\", "
                                 "\"item_id\": \"dbl\", \"p1\": \"calc:ct:sum\"}", NULL));

  /* PUT f1 so that it reads f2's result: f1 -> f2 -> f1. */
  patch = dc_test_json_object ("{\"formula\": \"p1 + p2\", \"device_id\": \"calc\", \"term_id\": \"ct\","
                       " \"item_id\": \"sum\", \"p1\": \"vd:t1:a\", \"p2\": \"calc:ct:dbl\"}");
  g_assert_false (dc_store_update (fx->store, DC_KIND_FORMULA, "f1", patch, &error));
  g_assert_error (error, DC_ERROR, DC_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "formula cycle: f1 -> f2 -> f1");
  g_assert_cmpuint (dc_error_http_status (error), ==, 400);
  g_clear_error (&error);

  /* Reading its own result. */
  g_assert_true (dc_store_delete (fx->store, DC_KIND_FORMULA, "f2", NULL));
  g_assert_false (create_formula (fx, "{\"id\": \"self\", \"formula\": \"p1 + 1\", "
                                  "\"device_id\": \"calc\", \"term_id\": \"ct\", "
                                  "\"item_id\": \"dbl\", \"p1\": \"calc:ct:dbl\"}", &error));
  g_assert_cmpstr (error->message, ==, "formula cycle: self -> self");
  g_clear_error (&error);

  /* A batch whose last element closes the cycle fails as a whole. */
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonArray *batch;

    g_assert_true (json_parser_load_from_data (parser,
      "[{\"id\": \"g1\", \"formula\": \"p1\", \"device_id\": \"calc\", \"term_id\": \"ct\","
      "  \"item_id\": \"dbl\", \"p1\": \"calc:ct:sum\"},"
      " {\"id\": \"g2\", \"formula\": \"p1\", \"device_id\": \"calc\", \"term_id\": \"ct\","
      "  \"item_id\": \"sum\", \"p1\": \"calc:ct:dbl\"}]", -1, NULL));
    batch = json_node_get_array (json_parser_get_root (parser));
    g_assert_true (dc_store_delete (fx->store, DC_KIND_FORMULA, "f1", NULL));
    g_assert_false (dc_store_create_batch (fx->store, DC_KIND_FORMULA, batch, &error));
    g_assert_cmpstr (error->message, ==, "formula cycle: g2 -> g1 -> g2 (element 1, id g2)");
    g_clear_error (&error);
    g_assert_null (dc_store_get (fx->store, DC_KIND_FORMULA, "g1", NULL));
  }

  /* Deep chain without a cycle is fine. */
  g_assert_true (create_formula (fx, SUM_FORMULA, NULL));
  g_assert_true (create_formula (fx, "{\"id\": \"f2\", \"formula\": \"p1 * 2\", "
                                 "\"device_id\": \"calc\", \"term_id\": \"ct\", "
                                 "\"item_id\": \"dbl\", \"p1\": \"calc:ct:sum\"}", NULL));
}

/* Windows come from history at start. */
static void
test_history_window (Fixture       *fx,
                     gconstpointer  data)
{
  gint64 now = g_get_real_time ();

  for (guint i = 0; i < 20; i++)
    {
      DcSample s = { fx->key_a, now - (20 - i) * G_USEC_PER_SEC, (double) (i % 7), 0 };

      g_assert_true (dc_history_push (fx->history, &s, 1, NULL));
    }
  dc_history_sync (fx->history);
  g_assert_true (create_formula (fx, "{\"id\": \"w\", \"formula\": "
                                 "\"p1.window(5).max() * 100 + p1.count()\", "
                                 "\"device_id\": \"calc\", \"term_id\": \"ct\", "
                                 "\"item_id\": \"dbl\", \"p1\": \"vd:t1:a\"}", NULL));
  dc_formula_start (fx->formula);
  g_assert_true (dc_formula_is_loading (fx->formula));
  settle (fx);
  wait_out (fx, 1);

  /* Samples i = 15…19 are within 5 s of the newest (i = 19): values 1, 2, 3, 4, 5 → 5; all
   * 20 samples kept (under DC_FORMULA_KEEP_SAMPLES). */
  assert_out (fx, 0, fx->key_dbl, now - 1 * G_USEC_PER_SEC, 520.0, 0);

  feed (fx, fx->key_a, now, 6.0, 0);
  assert_out (fx, 1, fx->key_dbl, now, 621.0, 0);
}

/* Parameters may name points that do not exist yet; the formula computes once they do. */
static void
test_missing_parameter (Fixture       *fx,
                        gconstpointer  data)
{
  dc_formula_start (fx->formula);
  g_assert_true (create_formula (fx, "{\"id\": \"m\", \"formula\": \"p1 + p2\", "
                                 "\"device_id\": \"calc\", \"term_id\": \"ct\", "
                                 "\"item_id\": \"sum\", \"p1\": \"vd:t1:a\", "
                                 "\"p2\": \"vd:t1:later\"}", NULL));
  settle (fx);
  wait_out (fx, 1);
  g_assert_cmphex (g_array_index (fx->out, DcSample, 0).quality, ==, DC_QUALITY_CALC_FAILED);
  g_assert_cmpstr (dc_formula_get_error (fx->formula, "m"), ==,
                   "parameter not found: p2=vd:t1:later");

  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\": \"later\"}");
  dc_test_store_create (fx->store, DC_KIND_POINT, "{\"term_id\": \"t1\", \"item_id\": \"later\"}");
  settle (fx);
  feed (fx, fx->key_a, T + 1, 1.0, 0);
  feed (fx, dc_store_get_point_key (fx->store, "t1", "later"), T + 2, 2.0, 0);
  assert_out (fx, fx->out->len - 1, fx->key_sum, T + 2, 3.0, 0);
  g_assert_null (dc_formula_get_error (fx->formula, "m"));

  /* Deleting the parameter's point: bad quality again. */
  g_assert_true (dc_store_delete_point (fx->store, "t1", "later", NULL));
  settle (fx);
  g_assert_cmphex (g_array_index (fx->out, DcSample, fx->out->len - 1).quality, ==,
                   DC_QUALITY_CALC_FAILED);

  /* A syntax error in a stored formula is a permanent failure of that formula only. */
  g_assert_true (create_formula (fx, "{\"id\": \"bad\", \"formula\": \"p1 +\", "
                                 "\"device_id\": \"calc\", \"term_id\": \"ct\", "
                                 "\"item_id\": \"dbl\", \"p1\": \"vd:t1:a\"}", NULL));
  settle (fx);
  g_assert_cmpstr (dc_formula_get_error (fx->formula, "bad"), ==,
                   "syntax error at column 5: unexpected end of expression");
  g_assert_cmpuint (dc_formula_get_n_formulas (fx->formula), ==, 2);
}

static void
test_check (Fixture       *fx,
            gconstpointer  data)
{
  struct { const char *body; const char *answer; } cases[] = {
    { "{\"formula\": \"p1+p2\", \"p1\": \"vd:t1:a\", \"p2\": \"vd:t1:b\"}", "OK" },
    { "{\"formula\": \"max(p1[-1], p2[-1])\", \"p1\": \"vd:t1:a\", \"p2\": \"calc:ct:sum\"}", "OK" },
    { "{\"formula\": \"p1+p2\", \"p1\": \"123:45:6\"}", "parameter not found: p1=123:45:6" },
    { "{\"formula\": \"p1\", \"p1\": \"vd:ct:sum\"}", "parameter not found: p1=vd:ct:sum" },
    { "{\"formula\": \"p1\", \"p1\": \"vd:t1\"}", "parameter not found: p1=vd:t1" },
    { "{\"formula\": \"p1\", \"p1\": 5}", "parameter not found: p1=5" },
    { "{\"formula\": \"p1 + (* p1)\", \"p1\": \"vd:t1:a\"}",
      "syntax error at column 7: unexpected '*'" },
    { "{\"formula\": \"p1 + p2\", \"p1\": \"vd:t1:a\"}", "name p2 is not defined" },
    { "{\"formula\": \"p1.resample('1min').mean()\", \"p1\": \"vd:t1:a\"}",
      "resample is not supported (pandas only)" },
    { "{\"formula\": \"p1.foo()\", \"p1\": \"vd:t1:a\"}",
      "series p1 has no method foo (use max, min, sum, mean, count, last or window)" },
    { "{\"p1\": \"vd:t1:a\"}", "missing field: formula" },
    { "{\"formula\": 3}", "field formula must be a string" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) body = dc_test_json_object (cases[i].body);
      g_autofree char *answer = dc_formula_check_text (fx->store, body);

      g_assert_cmpstr (answer, ==, cases[i].answer);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_protocols_register_all ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/dc/formula/scenario", test_scenario);
  ADD ("/dc/formula/batch", test_batch);
  ADD ("/dc/formula/quality", test_quality);
  ADD ("/dc/formula/failure", test_failure);
  ADD ("/dc/formula/dependency-order", test_dependency_order);
  ADD ("/dc/formula/cycles", test_cycles);
  ADD ("/dc/formula/history-window", test_history_window);
  ADD ("/dc/formula/missing-parameter", test_missing_parameter);
  ADD ("/dc/formula/check", test_check);
#undef ADD

  return g_test_run ();
}
