/* bench-audit.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <glib/gstdio.h>

#include "dc-audit.h"
#include "dc-companion.h"
#include "dc-engine.h"
#include "dc-history.h"
#include "dc-protocols.h"
#include "dc-store.h"

/* Does the audit log slow the ingest path? One process, one plant (1,000 virtual points,
 * history "all", the real engine and history writer, the audit log on its own file and
 * thread), the same ingest workload run three ways, interleaved and repeated:
 *
 *   plain     ingest alone;
 *   rows      ingest while 2,000 audit rows/s are recorded (what 1,000 controls/s record:
 *             a request and a result each), the audit writer's load alone;
 *   controls  ingest while 1,000 real controls/s run (device_ctrl on a virtual point through
 *             the engine's drivers: both audit rows, the control's own sample);
 *   controls-no-audit  the same controls with the store's audit log unset: what the
 *             controls cost without their rows.
 *
 * Besides the wall-clock rates it prints the main thread's CPU time per 1,000 samples of each
 * load (CLOCK_THREAD_CPUTIME_ID), which the other processes of a busy machine disturb less.
 *
 * It prints each rate and the ratios rows/plain and controls/plain (1.00 = no slow-down), the
 * audit rows written and dropped. Run through bench/audit/run (pinned to one CPU: the audit
 * writer competes with the ingest path for it, the worst case). */

#define SEC          ((gint64) G_USEC_PER_SEC)
#define BATCH        1000
#define N_KEYS       1000
#define CONTROLS_HZ  1000

typedef enum
{
  LOAD_PLAIN,
  LOAD_ROWS,
  LOAD_CONTROLS,
  LOAD_CONTROLS_UNAUDITED,
  N_LOADS
} Load;

static const char * const load_names[] = { "plain", "rows", "controls", "controls-no-audit" };

typedef struct
{
  DcStore   *store;
  DcHistory *history;
  DcEngine  *engine;
  DcAudit   *audit;
  gint64     keys[N_KEYS];
  gint64     t_next;       /* time tag of the next ingested sample */
  guint      in_flight;    /* controls not answered yet */
  guint64    controls_done;
  guint64    controls_failed;
} Bench;

static JsonArray *
array_from (GString *json)
{
  g_autoptr(JsonNode) node = json_from_string (json->str, NULL);

  g_assert_nonnull (node);
  return json_array_ref (json_node_get_array (node));
}

static void
setup (Bench      *b,
       const char *dir)
{
  g_autofree char *db = g_build_filename (dir, "bench.db", NULL);
  g_autofree char *hdb = g_build_filename (dir, "bench-history.db", NULL);
  g_autofree char *adb = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) items = g_string_new ("[");
  g_autoptr(GString) points = g_string_new ("[");
  g_autoptr(JsonArray) item_array = NULL;
  g_autoptr(JsonArray) point_array = NULL;

  dc_protocols_register_all ();
  b->store = dc_store_open (db, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < N_KEYS; i++)
    {
      g_string_append_printf (items, "%s{\"id\":\"i%u\"}", i ? "," : "", i);
      g_string_append_printf (points, "%s{\"device_id\":\"v\",\"term_id\":\"t\","
                              "\"item_id\":\"i%u\",\"history\":\"all\"}", i ? "," : "", i);
    }
  g_string_append_c (items, ']');
  g_string_append_c (points, ']');
  item_array = array_from (items);
  point_array = array_from (points);
  {
    g_autoptr(JsonObject) device = json_object_new ();
    g_autoptr(JsonObject) term = json_object_new ();
    g_autoptr(JsonObject) control_item = json_object_new ();
    g_autoptr(JsonObject) control_point = json_object_new ();

    json_object_set_string_member (device, "id", "v");
    json_object_set_string_member (device, "protocol", "virtual");
    dc_store_create (b->store, DC_KIND_DEVICE, device, &error);
    g_assert_no_error (error);
    json_object_set_string_member (term, "id", "t");
    json_object_set_string_member (term, "device_id", "v");
    dc_store_create (b->store, DC_KIND_TERM, term, &error);
    g_assert_no_error (error);
    dc_store_create_batch (b->store, DC_KIND_ITEM, item_array, &error);
    g_assert_no_error (error);
    dc_store_create_batch (b->store, DC_KIND_POINT, point_array, &error);
    g_assert_no_error (error);
    /* The control target: a set point that keeps no history of its own. */
    json_object_set_string_member (control_item, "id", "sp");
    dc_store_create (b->store, DC_KIND_ITEM, control_item, &error);
    g_assert_no_error (error);
    json_object_set_string_member (control_point, "term_id", "t");
    json_object_set_string_member (control_point, "item_id", "sp");
    json_object_set_string_member (control_point, "history", "none");
    dc_store_create (b->store, DC_KIND_POINT, control_point, &error);
    g_assert_no_error (error);
  }
  for (guint i = 0; i < N_KEYS; i++)
    {
      g_autofree char *item = g_strdup_printf ("i%u", i);

      b->keys[i] = dc_store_get_point_key (b->store, "t", item);
    }

  adb = dc_companion_open (db, "audit", NULL, &error);
  g_assert_no_error (error);
  b->audit = dc_audit_new (adb, &error);
  g_assert_no_error (error);
  dc_store_set_audit (b->store, b->audit);

  b->history = dc_history_new (hdb, &error);
  g_assert_no_error (error);
  dc_history_sync (b->history);
  b->engine = dc_engine_new (b->store, b->history);
  dc_engine_start (b->engine);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  b->t_next = (g_get_real_time () / SEC - 100 * 86400) * SEC;
}

static void
ctrl_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Bench *b = user_data;
  g_autoptr(GError) error = NULL;

  if (dc_engine_drivers_ctrl_finish (DC_ENGINE_DRIVERS (object), result, NULL, &error))
    b->controls_done++;
  else
    b->controls_failed++;
  b->in_flight--;
}

/* What 1,000 controls/s put into the audit log, without the controls. */
static void
record_rows (Bench  *b,
             guint64 n)
{
  g_autoptr(DcAuditActor) actor = dc_audit_actor_new ("ann", "operator", "127.0.0.1:40312");

  for (guint64 i = 0; i < n; i++)
    {
      dc_audit_record_json (b->audit, 0, actor, "control.request", "v:t:sp",
                            "{\"value\":1.0}", NULL);
      dc_audit_record_json (b->audit, 0, actor, "control.result", "v:t:sp",
                            "{\"value\":1.0,\"confirmed\":1.0}", NULL);
    }
}

static void
run_controls (Bench  *b,
              guint64 n)
{
  g_autoptr(DcAuditActor) actor = dc_audit_actor_new ("ann", "operator", "127.0.0.1:40312");
  DcEngineDrivers *drivers = dc_engine_get_drivers (b->engine);

  dc_audit_actor_push (actor);
  for (guint64 i = 0; i < n; i++)
    {
      b->in_flight++;
      dc_engine_drivers_ctrl_async (drivers, "v", "t", "sp", (double) (i % 100), NULL, NULL,
                                    NULL, NULL, ctrl_done_cb, b);
    }
  dc_audit_actor_pop ();
}

/* Starts the load that is due by the clock (1,000 controls/s since @start). */
static void
pace (Bench   *b,
      Load     load,
      gint64   start,
      guint64 *due_done)
{
  guint64 due = (guint64) ((g_get_monotonic_time () - start) * CONTROLS_HZ / SEC);

  if (due <= *due_done)
    return;
  if (load == LOAD_ROWS)
    record_rows (b, due - *due_done);
  else if (load == LOAD_CONTROLS || load == LOAD_CONTROLS_UNAUDITED)
    run_controls (b, due - *due_done);
  *due_done = due;
}

/* Ingests @n_rows samples (1,000 points, history "all") as fast as the history writes them,
 * with @load beside it paced by the clock until the last sample is written; returns rows/s. */
static double
thread_cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
ingest (Bench   *b,
        Load     load,
        guint64  n_rows,
        double  *cpu_per_1000)
{
  DcSample batch[BATCH];
  gint64 start = g_get_monotonic_time ();
  double cpu_start = thread_cpu_seconds ();
  guint64 due_done = 0;
  double seconds;

  dc_store_set_audit (b->store, load == LOAD_CONTROLS_UNAUDITED ? NULL : b->audit);

  for (guint64 row = 0; row < n_rows; row += BATCH)
    {
      pace (b, load, start, &due_done);
      for (guint i = 0; i < BATCH; i++)
        {
          guint64 r = row + i;

          batch[i].key = b->keys[r % N_KEYS];
          batch[i].time = b->t_next + (gint64) (r / N_KEYS) * SEC;
          batch[i].value = sin ((double) r * 0.001) * 100.0;
          batch[i].quality = 0;
        }
      dc_engine_ingest (b->engine, batch, BATCH, DC_INGEST_NONE);
      /* Every run lets the main loop turn once per batch (control answers, timers); then
       * backpressure: the writer's ::ready drains the engine's backlog. */
      g_main_context_iteration (NULL, FALSE);
      while (dc_engine_is_congested (b->engine))
        {
          pace (b, load, start, &due_done);
          g_main_context_iteration (NULL, TRUE);
        }
    }
  /* Until the history has written everything, the load goes on. */
  for (;;)
    {
      DcEngineStats es;
      DcHistoryStats hs;

      pace (b, load, start, &due_done);
      dc_engine_get_stats (b->engine, &es);
      dc_history_get_stats (b->history, &hs);
      if (es.backlog == 0 && hs.queued == 0)
        break;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (200);
    }
  dc_history_sync (b->history);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  if (cpu_per_1000 != NULL)
    *cpu_per_1000 = (thread_cpu_seconds () - cpu_start) * 1e6 / (n_rows / 1000.0);
  b->t_next += (gint64) (n_rows / N_KEYS + 1) * SEC;
  while (b->in_flight > 0)
    g_main_context_iteration (NULL, TRUE);
  dc_audit_flush (b->audit);
  dc_store_set_audit (b->store, b->audit);
  if (load == LOAD_CONTROLS || load == LOAD_CONTROLS_UNAUDITED)
    printf ("  (%.0f controls/s)\n", due_done / seconds);
  return n_rows / seconds;
}

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
load_average (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    return NAN;
  return g_ascii_strtod (text, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = g_dir_make_tmp ("bench-audit-XXXXXX", NULL);
  guint64 n_rows = argc > 1 ? g_ascii_strtoull (argv[1], NULL, 10) : 2000000;
  guint rounds = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 3;
  double rates[N_LOADS][16];
  double cpu[N_LOADS][16];
  double median[N_LOADS];
  double median_cpu[N_LOADS];
  guint64 dropped;
  Bench b = { 0, };

  rounds = CLAMP (rounds, 1, 16);
  printf ("load average %.2f at the start (figures are noisy above 1.5)\n", load_average ());
  setup (&b, dir);

  /* A warm-up run, then the three loads interleaved, @rounds times. */
  ingest (&b, LOAD_PLAIN, n_rows / 4, NULL);
  for (guint r = 0; r < rounds; r++)
    for (guint l = 0; l < N_LOADS; l++)
      {
        rates[l][r] = ingest (&b, l, n_rows, &cpu[l][r]);
        printf ("round %u %-18s %9.0f rows/s  main thread %6.0f µs CPU per 1000 samples\n",
                r + 1, load_names[l], rates[l][r], cpu[l][r]);
      }
  for (guint l = 0; l < N_LOADS; l++)
    {
      qsort (rates[l], rounds, sizeof (double), compare_double);
      qsort (cpu[l], rounds, sizeof (double), compare_double);
      median[l] = rates[l][rounds / 2];
      median_cpu[l] = cpu[l][rounds / 2];
    }

  printf ("ingest (1000 points, history all, %" G_GUINT64_FORMAT " samples a run, median of %u):\n",
          n_rows, rounds);
  for (guint l = 0; l < N_LOADS; l++)
    printf ("  %-18s %9.0f rows/s  ratio to plain %.2f   main thread %6.0f µs CPU/1000 samples\n",
            load_names[l], median[l], median[l] / median[LOAD_PLAIN], median_cpu[l]);
  printf ("audit rows alone (2000/s) vs plain: ratio %.2f; controls with vs without their audit "
          "rows: ratio %.2f\n", median[LOAD_ROWS] / median[LOAD_PLAIN],
          median[LOAD_CONTROLS] / median[LOAD_CONTROLS_UNAUDITED]);
  dropped = dc_audit_get_dropped (b.audit);
  printf ("controls answered %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT " failed), audit rows "
          "dropped %" G_GUINT64_FORMAT "\n", b.controls_done, b.controls_failed, dropped);
  printf ("load average %.2f at the end\n", load_average ());

  dc_engine_shutdown (b.engine);
  g_clear_object (&b.engine);
  g_clear_object (&b.history);
  g_clear_object (&b.store);
  g_clear_object (&b.audit);
  {
    static const char * const names[] = {
      "bench.db", "bench.db.lock", "bench.db-wal", "bench.db-shm", "bench-history.db",
      "bench-history.db-wal", "bench-history.db-shm", "bench-audit.db", "bench-audit.db-wal",
      "bench-audit.db-shm",
    };

    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_autofree char *path = g_build_filename (dir, names[i], NULL);

        g_remove (path);
      }
    g_rmdir (dir);
  }
  return b.controls_failed > 0 || dropped > 0;
}
