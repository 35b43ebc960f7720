/* bench-plugins.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* CPU cost of the plugins (formulas + alarms) on the ingest path: the same samples through the
 * same engine (store, history writer) with the plugins off (the floor) and on, in one process,
 * measured as process CPU time (all threads). Prints both and the ratio.
 *
 * Usage: bench-plugins [N_POINTS [N_FORMULAS [N_SAMPLES [MODE]]]]
 *   MODE "both" (default) or "off"/"on" (one configuration, for callgrind). */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "dc-alarm.h"
#include "dc-engine.h"
#include "dc-formula.h"
#include "dc-history.h"
#include "dc-protocols.h"
#include "dc-store.h"

static double
cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
check_at (gboolean    ok,
          GError     *error,
          int         line)
{
  if (!ok)
    g_error ("line %d: %s", line, error != NULL ? error->message : "failed");
}
#define check(ok, error) check_at ((ok), (error), __LINE__)

static JsonObject *
object_from (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  check (json_parser_load_from_data (parser, json, -1, NULL), NULL);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* A configuration database with @n_points virtual points (limits on every one) and
 * @n_formulas formulas "p1 + p2" over pairs of them. */
static char *
make_config (const char *dir,
             guint       n_points,
             guint       n_formulas)
{
  g_autofree char *path = g_build_filename (dir, "config.db", NULL);
  g_autoptr(DcStore) store = NULL;
  g_autoptr(JsonArray) items = json_array_new ();
  g_autoptr(JsonArray) points = json_array_new ();
  g_autoptr(JsonArray) formulas = json_array_new ();
  GError *error = NULL;
  const char *fixed[] = {
    "{\"id\": \"vd\", \"protocol\": \"virtual\"}",
    "{\"id\": \"calc\", \"protocol\": \"formula\"}",
  };

  store = dc_store_open (path, &error);
  check (store != NULL, error);
  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    {
      g_autoptr(JsonObject) o = object_from (fixed[i]);

      check (dc_store_create (store, DC_KIND_DEVICE, o, &error), error);
    }
  {
    g_autoptr(JsonObject) t = object_from ("{\"id\": \"t\", \"device_id\": \"vd\"}");
    g_autoptr(JsonObject) c = object_from ("{\"id\": \"ct\", \"device_id\": \"calc\"}");

    check (dc_store_create (store, DC_KIND_TERM, t, &error), error);
    check (dc_store_create (store, DC_KIND_TERM, c, &error), error);
  }
  for (guint i = 0; i < n_points + n_formulas; i++)
    {
      JsonObject *item = json_object_new ();
      JsonObject *point = json_object_new ();
      g_autofree char *id = g_strdup_printf ("%c%u", i < n_points ? 'p' : 'f', i);

      json_object_set_string_member (item, "id", id);
      json_array_add_object_element (items, item);
      json_object_set_string_member (point, "device_id", i < n_points ? "vd" : "calc");
      json_object_set_string_member (point, "term_id", i < n_points ? "t" : "ct");
      json_object_set_string_member (point, "item_id", id);
      if (i < n_points)
        {
          json_object_set_int_member (point, "up_limit", 90);
          json_object_set_int_member (point, "down_limit", 10);
          json_object_set_int_member (point, "alarm_deadband", 2);
        }
      json_array_add_object_element (points, point);
    }
  check (dc_store_create_batch (store, DC_KIND_ITEM, items, &error), error);
  check (dc_store_create_batch (store, DC_KIND_POINT, points, &error), error);
  for (guint k = 0; k < n_formulas; k++)
    {
      JsonObject *f = json_object_new ();
      g_autofree char *id = g_strdup_printf ("formula%u", k);
      g_autofree char *item = g_strdup_printf ("f%u", n_points + k);
      g_autofree char *p1 = g_strdup_printf ("vd:t:p%u", (2 * k) % n_points);
      g_autofree char *p2 = g_strdup_printf ("vd:t:p%u", (2 * k + 1) % n_points);

      json_object_set_string_member (f, "id", id);
      json_object_set_string_member (f, "formula", "p1 + p2");
      json_object_set_string_member (f, "device_id", "calc");
      json_object_set_string_member (f, "term_id", "ct");
      json_object_set_string_member (f, "item_id", item);
      json_object_set_string_member (f, "p1", p1);
      json_object_set_string_member (f, "p2", p2);
      json_array_add_object_element (formulas, f);
    }
  check (dc_store_create_batch (store, DC_KIND_FORMULA, formulas, &error), error);
  return g_steal_pointer (&path);
}

/* Ingests @n_samples over every point (batches of 1,000) and returns the CPU seconds, history
 * writes included. Each point walks ±5 inside its normal band (20–80, limits 10/90); before each
 * sample the point moves to the other side of its high limit (95) or back with probability 1 %, so
 * about 1 % of the samples cross a limit: alarms raise and clear at a realistic rate, the same
 * samples in both runs (fixed seed). @n_crossings counts them. */
static double
run (const char *dir,
     const char *config,
     gboolean    plugins,
     guint       n_points,
     guint       n_samples,
     guint64    *n_results,
     guint      *n_alarms,
     guint64    *n_crossings)
{
  g_autofree char *hdir = g_dir_make_tmp ("bench-plugins-h-XXXXXX", NULL);
  g_autofree char *hpath = g_build_filename (hdir, "history.db", NULL);
  g_autofree char *apath = g_build_filename (hdir, "alarms.db", NULL);
  g_autoptr(DcStore) store = NULL;
  g_autoptr(DcHistory) history = NULL;
  g_autoptr(DcEngine) engine = NULL;
  g_autoptr(DcFormula) formula = NULL;
  g_autoptr(DcAlarm) alarm = NULL;
  g_autoptr(GArray) keys = NULL;
  g_autofree double *walk = g_new0 (double, n_points);
  g_autofree gboolean *high = g_new0 (gboolean, n_points);
  GError *error = NULL;
  GRand *rand = g_rand_new_with_seed (42);
  gint64 t = G_GINT64_CONSTANT (1700000000000000);
  double start, used;
  DcEngineStats stats;

  store = dc_store_open (config, &error);
  check (store != NULL, error);
  history = dc_history_new (hpath, &error);
  check (history != NULL, error);
  engine = dc_engine_new (store, history);
  if (plugins)
    {
      formula = dc_formula_new_for_engine (engine);
      dc_formula_start (formula);
      alarm = dc_alarm_new_for_engine (engine, apath, &error);
      check (alarm != NULL, error);
      dc_alarm_start (alarm);
    }
  dc_engine_start (engine);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  keys = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < n_points; i++)
    {
      g_autofree char *item = g_strdup_printf ("p%u", i);
      gint64 key = dc_store_get_point_key (store, "t", item);

      g_array_append_val (keys, key);
      walk[i] = 50;
    }

  *n_crossings = 0;
  start = cpu_seconds ();
  for (guint done = 0; done < n_samples; )
    {
      DcSample batch[1000];
      guint n = MIN (G_N_ELEMENTS (batch), n_samples - done);

      for (guint i = 0; i < n; i++)
        {
          guint p = (done + i) % n_points;

          walk[p] = CLAMP (walk[p] + g_rand_double_range (rand, -5, 5), 20, 80);
          if (g_rand_double (rand) < 0.01)
            {
              high[p] = !high[p];
              (*n_crossings)++;
            }
          batch[i].key = g_array_index (keys, gint64, p);
          batch[i].time = t + (gint64) (done + i) * 10;
          batch[i].value = high[p] ? 95 : round (walk[p] * 10) / 10;
          batch[i].quality = 0;
        }
      dc_engine_ingest (engine, batch, n, DC_INGEST_NONE);
      done += n;
    }
  dc_history_sync (history);
  used = cpu_seconds () - start;

  dc_engine_get_stats (engine, &stats);
  *n_results = stats.accepted - n_samples;
  *n_alarms = 0;
  if (alarm != NULL)
    {
      /* Every raise, clear and return to normal is a journal entry: the alarm work done. */
      g_autoptr(JsonArray) journal = dc_alarm_journal (alarm, 0, G_MAXINT64, 0, NULL);

      *n_alarms = journal != NULL ? json_array_get_length (journal) : 0;
    }

  g_clear_object (&formula);
  g_clear_object (&alarm);
  dc_engine_shutdown (engine);
  g_rand_free (rand);
  g_clear_object (&engine);
  dc_history_sync (history);
  g_clear_object (&history);
  {
    g_autoptr(GDir) d = g_dir_open (hdir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *p = g_build_filename (hdir, name, NULL);

        g_unlink (p);
      }
    g_rmdir (hdir);
  }
  return used;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

int
main (int   argc,
      char *argv[])
{
  guint n_points = argc > 1 ? (guint) atoi (argv[1]) : 10000;
  guint n_formulas = argc > 2 ? (guint) atoi (argv[2]) : 1000;
  guint n_samples = argc > 3 ? (guint) atoi (argv[3]) : 100000;
  const char *mode = argc > 4 ? argv[4] : "both";
  g_autofree char *dir = g_dir_make_tmp ("bench-plugins-XXXXXX", NULL);
  g_autofree char *config = NULL;
  double setup;
  double off[3], on[3];
  guint64 results = 0, crossings = 0;
  guint alarms = 0;
  guint rounds = g_str_equal (mode, "both") ? 3 : 1;

  dc_protocols_register_all ();
  setup = cpu_seconds ();
  config = make_config (dir, n_points, n_formulas);
  g_print ("plugins benchmark: %u points (limits on every one), %u formulas, %u samples\n",
           n_points, n_formulas, n_samples);
  g_print ("setup (store with points and formulas): %.2f s CPU\n", cpu_seconds () - setup);

  /* Alternating rounds; the median of each. */
  for (guint r = 0; r < rounds; r++)
    {
      if (!g_str_equal (mode, "on"))
        off[r] = run (dir, config, FALSE, n_points, n_samples, &results, &alarms, &crossings);
      if (!g_str_equal (mode, "off"))
        on[r] = run (dir, config, TRUE, n_points, n_samples, &results, &alarms, &crossings);
    }

  if (g_str_equal (mode, "both"))
    {
      qsort (off, rounds, sizeof (double), compare_doubles);
      qsort (on, rounds, sizeof (double), compare_doubles);
      g_print ("plugins off (floor): %.3f s CPU, %.2f us/sample\n", off[1],
               off[1] * 1e6 / n_samples);
      g_print ("plugins on:          %.3f s CPU, %.2f us/sample (%" G_GUINT64_FORMAT
               " formula results, %u alarm journal entries)\n", on[1], on[1] * 1e6 / n_samples, results, alarms);
      g_print ("limit crossings: %" G_GUINT64_FORMAT " (%.2f %% of the samples)\n", crossings,
               crossings * 100.0 / n_samples);
      g_print ("ratio on/off: %.2f; plugin cost %.2f us/sample; at 100k samples/s the plugins "
               "take %.1f %% of one core\n", on[1] / off[1],
               (on[1] - off[1]) * 1e6 / n_samples, (on[1] - off[1]) * 1e5 / n_samples * 100);
    }
  else
    g_print ("%s: %.3f s CPU\n", mode, g_str_equal (mode, "on") ? on[0] : off[0]);

  g_unlink (config);
  {
    g_autofree char *lock = g_strconcat (config, ".lock", NULL);
    g_autofree char *wal = g_strconcat (config, "-wal", NULL);
    g_autofree char *shm = g_strconcat (config, "-shm", NULL);

    g_unlink (lock);
    g_unlink (wal);
    g_unlink (shm);
  }
  g_rmdir (dir);
  return 0;
}
