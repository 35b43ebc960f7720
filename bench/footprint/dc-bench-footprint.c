/* dc-bench-footprint.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * bench/footprint: the memory DataColl keeps per point, by component, and the floor of the
 * same points as a plain C array of structs beside their sqlite rows (docs/performance.md).
 *
 *   dc-bench-footprint create DIR --devices N --registers R [--port BASE] [--batch B]
 *       writes DIR/datacoll.db through dc_store_create_batch() (the store's half of the v2
 *       batch routes) in batches of B points; prints "create_points N create_s S".
 *   dc-bench-footprint measure DIR [--seconds S] [--no-history]
 *       a fresh process opens DIR/datacoll.db and starts what `datacoll --server` starts, in
 *       its order (store, history, engine, formulas, alarms, engine start with its drivers),
 *       and prints the heap in use (mallinfo2) and RSS after each step (the store's point
 *       cache apart from the engine), then after S seconds of polling.
 *   dc-bench-footprint floor DIR
 *       reads the same points' rows into an array of structs (ids interned in one string
 *       table) and prints the heap, sqlite's memory and RSS.
 *
 * Output: "name value" pairs on one line (the run script prints the table). */

#include "config.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "dc-alarm.h"
#include "dc-engine.h"
#include "dc-engine-drivers.h"
#include "dc-formula.h"
#include "dc-history.h"
#include "dc-protocols.h"
#include "dc-store.h"

static gint64
heap_bytes (void)
{
  struct mallinfo2 mi = mallinfo2 ();

  return (gint64) mi.uordblks + (gint64) mi.hblkhd;
}

static gint64
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, "VmRSS:");
  return line != NULL ? g_ascii_strtoll (line + 6, NULL, 10) : 0;
}

/* This process's CPU time (user and system): a figure the machine's other load does not
 * inflate as much as the wall clock. */
static gint64
cpu_usec (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return (gint64) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * G_USEC_PER_SEC +
         ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

static void
print_step (const char *name)
{
  printf ("%s_heap %" G_GINT64_FORMAT " %s_rss_kib %" G_GINT64_FORMAT " %s_sqlite %lld ",
          name, heap_bytes (), name, rss_kib (), name, (long long) sqlite3_memory_used ());
  fflush (stdout);
}

static void
create_batch (DcStore   *store,
              DcKind     kind,
              JsonArray *objects)
{
  g_autoptr(GError) error = NULL;

  if (!dc_store_create_batch (store, kind, objects, &error))
    g_error ("create %s: %s", dc_kind_to_string (kind), error->message);
}

static int
run_create (const char *dir,
            int         devices,
            int         registers,
            int         port,
            int         batch)
{
  g_autofree char *db = g_build_filename (dir, "datacoll.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DcStore) store = dc_store_open (db, &error);
  g_autoptr(JsonArray) items = json_array_new ();
  g_autoptr(JsonArray) devs = json_array_new ();
  g_autoptr(JsonArray) terms = json_array_new ();
  g_autoptr(JsonArray) points = json_array_new ();
  gint64 start, start_cpu;
  int created = 0;

  g_assert_no_error (error);
  for (int i = 0; i < registers; i++)
    {
      JsonObject *item = json_object_new ();
      g_autofree char *id = g_strdup_printf ("r%d", i);

      json_object_set_string_member (item, "id", id);
      json_array_add_object_element (items, item);
    }
  create_batch (store, DC_KIND_ITEM, items);
  for (int d = 0; d < devices; d++)
    {
      JsonObject *device = json_object_new ();
      JsonObject *term = json_object_new ();
      g_autofree char *id = g_strdup_printf ("d%d", d);
      g_autofree char *tid = g_strdup_printf ("t%d", d);

      json_object_set_string_member (device, "id", id);
      json_object_set_string_member (device, "protocol", "modbus_tcp");
      json_object_set_string_member (device, "ip", "127.0.0.1");
      json_object_set_int_member (device, "port", port + d);
      json_object_set_int_member (device, "poll_ms", 1000);
      json_object_set_int_member (device, "timeout_ms", 2000);
      json_array_add_object_element (devs, device);
      json_object_set_string_member (term, "id", tid);
      json_object_set_string_member (term, "device_id", id);
      json_object_set_int_member (term, "address", 1);
      json_array_add_object_element (terms, term);
    }
  create_batch (store, DC_KIND_DEVICE, devs);
  create_batch (store, DC_KIND_TERM, terms);

  /* The points, in batches as a client of POST /api/v2/points sends them. */
  start = g_get_monotonic_time ();
  start_cpu = cpu_usec ();
  for (int d = 0; d < devices; d++)
    for (int i = 0; i < registers; i++)
      {
        JsonObject *p = json_object_new ();
        g_autofree char *id = g_strdup_printf ("d%d", d);
        g_autofree char *tid = g_strdup_printf ("t%d", d);
        g_autofree char *item = g_strdup_printf ("r%d", i);

        json_object_set_string_member (p, "device_id", id);
        json_object_set_string_member (p, "term_id", tid);
        json_object_set_string_member (p, "item_id", item);
        json_object_set_int_member (p, "protocol_code", i);
        json_object_set_string_member (p, "code_type", "hr:u16");
        json_object_set_string_member (p, "history", "change");
        json_array_add_object_element (points, p);
        if ((int) json_array_get_length (points) == batch)
          {
            create_batch (store, DC_KIND_POINT, points);
            created += json_array_get_length (points);
            json_array_unref (points);
            points = json_array_new ();
          }
      }
  if (json_array_get_length (points) > 0)
    {
      create_batch (store, DC_KIND_POINT, points);
      created += json_array_get_length (points);
    }
  printf ("create_points %d create_s %.3f create_cpu_s %.3f\n", created,
          (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC,
          (cpu_usec () - start_cpu) / (double) G_USEC_PER_SEC);
  return 0;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static int
run_measure (const char *dir,
             double      seconds,
             gboolean    with_history)
{
  g_autofree char *db = g_build_filename (dir, "datacoll.db", NULL);
  g_autofree char *hdb = dc_history_path_for_config (db);
  g_autofree char *adb = g_build_filename (dir, "alarms.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DcStore) store = NULL;
  g_autoptr(DcHistory) history = NULL;
  g_autoptr(DcEngine) engine = NULL;
  g_autoptr(DcFormula) formula = NULL;
  g_autoptr(DcAlarm) alarm = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GArray) keys = NULL;
  DcEngineStats stats;

  print_step ("base");
  store = dc_store_open (db, &error);
  g_assert_no_error (error);
  print_step ("store");
  if (with_history)
    {
      history = dc_history_new (hdb, &error);
      g_assert_no_error (error);
    }
  print_step ("history");
  /* The store's point cache alone (the engine below lists the same shared views). */
  g_ptr_array_unref (dc_store_list_point_infos (store));
  print_step ("cache");
  engine = dc_engine_new (store, history);
  /* The engine's points (as the first REST request loads them). */
  keys = dc_engine_list_keys (engine);
  printf ("points %u ", keys->len);
  print_step ("engine");
  formula = dc_formula_new_for_engine (engine);
  dc_formula_start (formula);
  alarm = dc_alarm_new_for_engine (engine, adb, &error);
  g_assert_no_error (error);
  dc_alarm_start (alarm);
  print_step ("plugins");
  dc_engine_start (engine);
  dc_engine_drivers_flush (dc_engine_get_drivers (engine));
  print_step ("drivers");
  g_timeout_add ((guint) (seconds * 1000), quit_cb, loop);
  g_main_loop_run (loop);
  dc_engine_get_stats (engine, &stats);
  printf ("polled_samples %" G_GUINT64_FORMAT " ", stats.received);
  print_step ("polling");
  printf ("\n");
  dc_engine_shutdown (engine);
  return 0;
}

/* The floor: what the points need at the least, one struct each and their rows in sqlite. */
typedef struct
{
  gint64  key;
  guint32 device;         /* offsets into the string table */
  guint32 term;
  guint32 item;
  guint16 address;
  guint8  type;
  guint8  history;
  double  value;          /* the live sample */
  gint64  time;
  guint32 quality;
} FloorPoint;

static guint32
intern (GHashTable *table,
        GString    *strings,
        const char *text)
{
  gpointer found;

  if (g_hash_table_lookup_extended (table, text, NULL, &found))
    return GPOINTER_TO_UINT (found);
  g_hash_table_insert (table, g_strdup (text), GUINT_TO_POINTER ((guint32) strings->len));
  g_string_append_len (strings, text, strlen (text) + 1);
  return (guint32) strings->len - strlen (text) - 1;
}

static int
run_floor (const char *dir)
{
  g_autofree char *db = g_build_filename (dir, "datacoll.db", NULL);
  g_autoptr(GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GString) strings = g_string_new (NULL);
  GArray *points = g_array_new (FALSE, TRUE, sizeof (FloorPoint));
  sqlite3 *sql = NULL;
  sqlite3_stmt *stmt = NULL;

  print_step ("base");
  if (sqlite3_open_v2 (db, &sql, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (sql, "SELECT p.key, t.device_id, p.term_id, p.item_id, "
                          "json_extract (p.body, '$.protocol_code') "
                          "FROM points p JOIN terms t ON t.id = p.term_id", -1, &stmt,
                          NULL) != SQLITE_OK)
    g_error ("sqlite: %s", sqlite3_errmsg (sql));
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      FloorPoint p = { 0 };

      p.key = sqlite3_column_int64 (stmt, 0);
      p.device = intern (table, strings, (const char *) sqlite3_column_text (stmt, 1));
      p.term = intern (table, strings, (const char *) sqlite3_column_text (stmt, 2));
      p.item = intern (table, strings, (const char *) sqlite3_column_text (stmt, 3));
      p.address = (guint16) sqlite3_column_int (stmt, 4);
      g_array_append_val (points, p);
    }
  sqlite3_finalize (stmt);
  /* A struct per point, exactly sized, as a compact engine would hold it. */
  {
    GArray *exact = g_array_sized_new (FALSE, TRUE, sizeof (FloorPoint), points->len);

    g_array_append_vals (exact, points->data, points->len);
    g_array_unref (points);
    points = exact;
  }
  printf ("points %u ", points->len);
  print_step ("floor");
  printf ("\n");
  sqlite3_close (sql);
  g_array_unref (points);
  return 0;
}

int
main (int    argc,
      char **argv)
{
  int devices = 1000, registers = 100, port = 1, batch = 1000;
  double seconds = 5;
  gboolean no_history = FALSE;
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = {
    { "devices", 0, 0, G_OPTION_ARG_INT, &devices, "devices", "N" },
    { "registers", 0, 0, G_OPTION_ARG_INT, &registers, "points per device", "N" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "first device port", "PORT" },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, "points per create batch", "N" },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, "polling time", "S" },
    { "no-history", 0, 0, G_OPTION_ARG_NONE, &no_history, "without a history file", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("create|measure|floor DIR");

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 3)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "usage: create|measure|floor DIR");
      return 2;
    }
  {
    struct rlimit rl;

    if (getrlimit (RLIMIT_NOFILE, &rl) == 0)
      {
        rl.rlim_cur = rl.rlim_max;
        setrlimit (RLIMIT_NOFILE, &rl);
      }
  }
  dc_protocols_register_all ();
  if (g_str_equal (argv[1], "create"))
    return run_create (argv[2], devices, registers, port, batch);
  if (g_str_equal (argv[1], "measure"))
    return run_measure (argv[2], seconds, !no_history);
  if (g_str_equal (argv[1], "floor"))
    return run_floor (argv[2]);
  g_printerr ("unknown command %s\n", argv[1]);
  return 2;
}
