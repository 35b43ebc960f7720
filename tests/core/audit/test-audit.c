/* test-audit.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The audit log on a real sqlite file: rows and their fields, queries and their filters, CSV,
 * the append-only table, retention, the companion identity check, actor scopes, and a flood
 * while the file is locked (dc_audit_record never waits; the loss is counted and recorded).
 */

#define G_LOG_DOMAIN "test-audit"

#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "dc-audit.h"
#include "dc-companion.h"
#include "dc-error.h"
#include "dc-store.h"
#include "dc-time.h"

#define DAY ((gint64) 24 * 3600 * G_USEC_PER_SEC)

typedef struct
{
  char    *config;
  char    *path;
  DcAudit *audit;
} Fixture;

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DcStore) store = NULL;

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  fx->config = g_build_filename (g_get_user_data_dir (), "plant.db", NULL);
  store = dc_store_open (fx->config, &error);
  g_assert_no_error (error);
  fx->path = dc_companion_open (fx->config, "audit", NULL, &error);
  g_assert_no_error (error);
  fx->audit = dc_audit_new (fx->path, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  gpointer weak = fx->audit;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  /* A query's GTask may drop its reference in the worker thread just after the answer. */
  g_object_add_weak_pointer (weak, &weak);
  g_object_unref (fx->audit);
  while (weak != NULL && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_thread_yield ();
    }
  g_assert_null (weak);
  g_free (fx->path);
  g_free (fx->config);
}

static GPtrArray *
query (DcAudit     *audit,
       const char  *params_text)
{
  g_autoptr(GHashTable) params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(DcAuditQuery) q = dc_audit_query_new ();
  g_auto(GStrv) pairs = g_strsplit (params_text, "&", -1);
  g_autoptr(GError) error = NULL;
  GPtrArray *rows;

  for (guint i = 0; pairs[i] != NULL; i++)
    {
      char *eq = strchr (pairs[i], '=');

      if (eq != NULL)
        g_hash_table_insert (params, g_strndup (pairs[i], eq - pairs[i]), g_strdup (eq + 1));
    }
  g_assert_true (dc_audit_query_parse (q, params, &error));
  g_assert_no_error (error);
  rows = dc_audit_query_sync (audit, q, &error);
  g_assert_no_error (error);
  return rows;
}

#define ROW(rows, i) ((DcAuditRow *) g_ptr_array_index ((rows), (i)))

static void
record_sample_rows (DcAudit *audit,
                    gint64   t0)
{
  g_autoptr(DcAuditActor) ann = dc_audit_actor_new ("ann", "operator", "10.0.0.7:50211");
  g_autoptr(DcAuditActor) bob = dc_audit_actor_new ("bob", "engineer", "gui");

  dc_audit_record_json (audit, t0, ann, "control.request", "d1:t1:i1", "{\"value\":1.0}", NULL);
  dc_audit_record_json (audit, t0 + 1, ann, "control.result", "d1:t1:i1",
                        "{\"value\":1.0,\"confirmed\":1.0}", "ok");
  dc_audit_record_json (audit, t0 + 2, bob, "device.update", "d1",
                        "{\"entity\":\"device\",\"id\":\"d1\",\"old\":{\"name\":\"A\"},"
                        "\"new\":{\"name\":\"B, \\\"north\\\"\"}}", NULL);
  dc_audit_record_json (audit, t0 + 3, bob, "device.delete", "d10", NULL,
                        "device_id not found!");
  dc_audit_record_json (audit, t0 + 4, ann, "alarm.ack", "d1:t1:i1", "{\"comment\":\"seen\"}",
                        NULL);
}

static void
test_record_and_query (Fixture       *fx,
                       gconstpointer  data)
{
  gint64 t0 = 1764000000000000;  /* 2025-11-24T16:00:00Z */
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;

  record_sample_rows (fx->audit, t0);

  /* Newest first, every field as recorded. */
  all = query (fx->audit, "");
  g_assert_cmpuint (all->len, ==, 5);
  g_assert_cmpstr (ROW (all, 0)->action, ==, "alarm.ack");
  g_assert_cmpstr (ROW (all, 4)->action, ==, "control.request");
  g_assert_cmpstr (ROW (all, 4)->user, ==, "ann");
  g_assert_cmpstr (ROW (all, 4)->role, ==, "operator");
  g_assert_cmpstr (ROW (all, 4)->source, ==, "10.0.0.7:50211");
  g_assert_cmpstr (ROW (all, 4)->target, ==, "d1:t1:i1");
  g_assert_cmpstr (ROW (all, 4)->result, ==, "ok");
  g_assert_cmpint (ROW (all, 4)->time, ==, t0);
  g_assert_cmpstr (ROW (all, 1)->result, ==, "device_id not found!");
  g_assert_cmpstr (ROW (all, 1)->detail, ==, "{}");

  /* JSON: RFC 3339 UTC with six digits, the detail as an object. */
  json = dc_audit_row_to_json (ROW (all, 2));
  node = json_node_init_object (json_node_alloc (), json);
  text = json_to_string (node, FALSE);
  g_assert_cmpstr (text, ==,
                   "{\"time\":\"2025-11-24T16:00:00.000002Z\",\"user\":\"bob\","
                   "\"role\":\"engineer\",\"source\":\"gui\",\"action\":\"device.update\","
                   "\"target\":\"d1\",\"detail\":{\"entity\":\"device\",\"id\":\"d1\","
                   "\"old\":{\"name\":\"A\"},\"new\":{\"name\":\"B, \\\"north\\\"\"}},"
                   "\"result\":\"ok\"}");

  /* Filters: user, an action and those under it, a target and those under it, a range,
   * a limit, free text. */
  rows = query (fx->audit, "user=bob");
  g_assert_cmpuint (rows->len, ==, 2);
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = query (fx->audit, "action=control");
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_cmpstr (ROW (rows, 0)->action, ==, "control.result");
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = query (fx->audit, "action=control.result");
  g_assert_cmpuint (rows->len, ==, 1);
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = query (fx->audit, "action=contr");
  g_assert_cmpuint (rows->len, ==, 0);
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = query (fx->audit, "target=d1");
  g_assert_cmpuint (rows->len, ==, 4);
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = query (fx->audit, "target=d1:t1:i1&user=ann&action=alarm");
  g_assert_cmpuint (rows->len, ==, 1);
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = query (fx->audit, "from=2025-11-24T16:00:00.000001Z&to=2025-11-24T16:00:00.000003Z");
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_cmpstr (ROW (rows, 0)->action, ==, "device.update");
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = query (fx->audit, "limit=2");
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_cmpstr (ROW (rows, 1)->action, ==, "device.delete");
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = query (fx->audit, "text=NORTH");
  g_assert_cmpuint (rows->len, ==, 1);
  g_clear_pointer (&rows, g_ptr_array_unref);
  /* A LIKE pattern is plain text here. */
  rows = query (fx->audit, "text=%");
  g_assert_cmpuint (rows->len, ==, 0);
}

static void
test_query_parse_errors (void)
{
  static const struct { const char *key, *value, *message; } cases[] = {
    { "from", "yesterday", "parameter from must be an RFC 3339 time or seconds since the epoch" },
    { "to", "2025-13-01", "parameter to must be an RFC 3339 time or seconds since the epoch" },
    { "limit", "0", "parameter limit must be an integer between 1 and 100000" },
    { "limit", "100001", "parameter limit must be an integer between 1 and 100000" },
    { "limit", "ten", "parameter limit must be an integer between 1 and 100000" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GHashTable) params = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr(DcAuditQuery) q = dc_audit_query_new ();
      g_autoptr(GError) error = NULL;

      g_hash_table_insert (params, (char *) cases[i].key, (char *) cases[i].value);
      g_assert_false (dc_audit_query_parse (q, params, &error));
      g_assert_error (error, DC_ERROR, DC_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
  {
    g_autoptr(GHashTable) params = g_hash_table_new (g_str_hash, g_str_equal);
    g_autoptr(DcAuditQuery) q = dc_audit_query_new ();
    g_autoptr(GError) error = NULL;

    g_hash_table_insert (params, "from", "2025-11-24T16:00:00Z");
    g_hash_table_insert (params, "to", "2025-11-24T16:00:00Z");
    g_assert_false (dc_audit_query_parse (q, params, &error));
    g_assert_cmpstr (error->message, ==, "parameter to must be later than from");
  }
}

static void
test_csv (Fixture       *fx,
          gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *csv = NULL;
  g_auto(GStrv) lines = NULL;

  record_sample_rows (fx->audit, 1764000000000000);
  rows = query (fx->audit, "action=device");
  csv = dc_audit_rows_to_csv (rows);
  lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_cmpstr (lines[0], ==, "time,user,role,source,action,target,result,detail");
  g_assert_cmpstr (lines[1], ==, "2025-11-24T16:00:00.000003Z,bob,engineer,gui,device.delete,"
                   "d10,device_id not found!,{}");
  /* RFC 4180: a cell with commas or quotes is quoted, its quotes doubled. */
  g_assert_cmpstr (lines[2], ==, "2025-11-24T16:00:00.000002Z,bob,engineer,gui,device.update,"
                   "d1,ok,\"{\"\"entity\"\":\"\"device\"\",\"\"id\"\":\"\"d1\"\",\"\"old\"\":"
                   "{\"\"name\"\":\"\"A\"\"},\"\"new\"\":{\"\"name\"\":\"\"B, \\\"\"north\\\"\""
                   "\"\"}}\"");
  g_assert_cmpstr (lines[3], ==, "");
}

static void
test_append_only (Fixture       *fx,
                  gconstpointer  data)
{
  sqlite3 *db = NULL;
  char *message = NULL;
  g_autoptr(GPtrArray) rows = NULL;

  record_sample_rows (fx->audit, 1764000000000000);
  dc_audit_flush (fx->audit);
  g_assert_cmpint (sqlite3_open (fx->path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE audit SET user = 'mallory'", NULL, NULL, &message),
                   ==, SQLITE_CONSTRAINT);
  g_assert_cmpstr (message, ==, "the audit log is append-only");
  sqlite3_free (message);
  sqlite3_close (db);
  rows = query (fx->audit, "user=mallory");
  g_assert_cmpuint (rows->len, ==, 0);
}

static void
test_retention (Fixture       *fx,
                gconstpointer  data)
{
  gint64 now = g_get_real_time ();
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(DcAuditActor) actor = dc_audit_actor_new ("ann", "admin", "cli");

  /* The default keeps ten years. */
  dc_audit_record_json (fx->audit, now - 3651 * DAY, actor, "settings.change", "", NULL, NULL);
  dc_audit_record_json (fx->audit, now - 3649 * DAY, actor, "settings.change", "", NULL, NULL);
  dc_audit_record_json (fx->audit, now - 400 * DAY, actor, "settings.change", "", NULL, NULL);
  dc_audit_record_json (fx->audit, now, actor, "settings.change", "", NULL, NULL);
  dc_audit_flush (fx->audit);
  g_assert_cmpuint (dc_audit_purge_now (fx->audit, now), ==, 1);
  rows = query (fx->audit, "");
  g_assert_cmpuint (rows->len, ==, 3);
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* [audit] retention_days = 365 (the writer applies a new retention at once). */
  dc_audit_set_retention_days (fx->audit, 365);
  dc_audit_purge_now (fx->audit, now);
  rows = query (fx->audit, "");
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpint (ROW (rows, 0)->time, ==, now);
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* 0 keeps everything. */
  dc_audit_set_retention_days (fx->audit, 0);
  g_assert_cmpuint (dc_audit_purge_now (fx->audit, now + 100000 * DAY), ==, 0);
  rows = query (fx->audit, "");
  g_assert_cmpuint (rows->len, ==, 1);
}

static void
test_companion (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DcStore) other = NULL;
  g_autofree char *other_path = g_build_filename (g_get_user_data_dir (), "other.db", NULL);
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "plant-audit.db", NULL);
  g_autofree char *again = NULL;
  g_autofree char *refused = NULL;

  /* Named after its configuration, and claimed by it. */
  g_assert_cmpstr (fx->path, ==, expected);
  again = dc_companion_open (fx->config, "audit", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again, ==, expected);

  /* Another configuration cannot take it. */
  other = dc_store_open (other_path, &error);
  g_assert_no_error (error);
  refused = dc_companion_open (other_path, "audit", fx->path, &error);
  g_assert_null (refused);
  g_assert_error (error, DC_ERROR, DC_ERROR_FORBIDDEN);
  g_assert_true (g_str_has_prefix (error->message, "audit database "));
  g_assert_nonnull (strstr (error->message, "belongs to configuration"));
}

static gpointer
current_user_thread (gpointer data)
{
  return g_strdup (dc_audit_actor_get_current ()->user);
}

static void
test_actor_scopes (void)
{
  g_autoptr(DcAuditActor) ann = dc_audit_actor_new ("ann", "operator", "127.0.0.1:4000");
  g_autoptr(DcAuditActor) mqtt = dc_audit_actor_new ("mqtt", "", "mqtt");
  g_autoptr(DcAuditActor) gui = dc_audit_actor_new ("local", "", "gui");
  g_autofree char *other = NULL;

  g_assert_cmpstr (dc_audit_actor_get_current ()->user, ==, "local");
  g_assert_cmpstr (dc_audit_actor_get_current ()->source, ==, "system");
  dc_audit_actor_push (ann);
  g_assert_cmpstr (dc_audit_actor_get_current ()->user, ==, "ann");
  dc_audit_actor_push (mqtt);
  g_assert_cmpstr (dc_audit_actor_get_current ()->source, ==, "mqtt");
  /* A scope belongs to its thread. */
  other = g_thread_join (g_thread_new ("other", current_user_thread, NULL));
  g_assert_cmpstr (other, ==, "local");
  dc_audit_actor_pop ();
  g_assert_cmpstr (dc_audit_actor_get_current ()->user, ==, "ann");
  dc_audit_actor_pop ();
  dc_audit_actor_set_default (gui);
  g_assert_cmpstr (dc_audit_actor_get_current ()->source, ==, "gui");
  dc_audit_actor_set_default (NULL);
  g_assert_cmpstr (dc_audit_actor_get_current ()->source, ==, "system");
}

/* The file locked by another connection: the writer cannot write, the queue fills, and
 * dc_audit_record() still returns at once; the rows over the limit are counted, and once the
 * file is free the loss is a row of its own. */
static void
test_flood (Fixture       *fx,
            gconstpointer  data)
{
  const guint n = 50000;
  sqlite3 *db = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) dropped_rows = NULL;
  g_autoptr(DcAuditActor) actor = dc_audit_actor_new ("mqtt", "", "mqtt");
  gint64 start, worst = 0, total;
  guint64 dropped;
  guint64 counted = 0;

  dc_audit_set_retention_days (fx->audit, 0);
  dc_audit_set_queue_limit (fx->audit, 1000);
  g_assert_cmpint (sqlite3_open (fx->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "BEGIN EXCLUSIVE", NULL, NULL, NULL), ==, SQLITE_OK);

  g_test_expect_message ("dc-audit", G_LOG_LEVEL_WARNING, "audit log: the queue is full*");
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      gint64 t = g_get_monotonic_time ();
      g_autofree char *target = g_strdup_printf ("d1:t1:i%u", i);

      dc_audit_record (fx->audit, actor, "control.request", target, NULL, NULL);
      worst = MAX (worst, g_get_monotonic_time () - t);
    }
  total = g_get_monotonic_time () - start;
  g_test_assert_expected_messages ();
  dropped = dc_audit_get_dropped (fx->audit);
  g_test_message ("%u records in %.1f ms (worst %.3f ms) with the file locked; %"
                  G_GUINT64_FORMAT " dropped", n, total / 1000.0, worst / 1000.0, dropped);
  /* The writer waits a second for the lock and then a second between tries: had a record
   * waited for it even once, this would take seconds per row. */
  g_assert_cmpint (total, <, 10 * G_USEC_PER_SEC);
  g_assert_cmpuint (dropped, >=, n - 1000 - 512);
  g_assert_cmpuint (dropped, <, n);

  sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  sqlite3_close (db);
  dc_audit_flush (fx->audit);

  rows = query (fx->audit, "action=control.request&limit=100000");
  g_assert_cmpuint (rows->len + dropped, ==, n);
  /* One row per batch that followed drops; together they count every dropped row. */
  dropped_rows = query (fx->audit, "action=audit.dropped");
  g_assert_cmpuint (dropped_rows->len, >=, 1);
  for (guint i = 0; i < dropped_rows->len; i++)
    {
      g_autoptr(JsonNode) detail = json_from_string (ROW (dropped_rows, i)->detail, NULL);
      g_autofree char *result = NULL;
      gint64 count;

      g_assert_nonnull (detail);
      count = json_object_get_int_member (json_node_get_object (detail), "count");
      result = g_strdup_printf ("queue full: %" G_GINT64_FORMAT " rows dropped", count);
      g_assert_cmpstr (ROW (dropped_rows, i)->source, ==, "system");
      g_assert_cmpstr (ROW (dropped_rows, i)->result, ==, result);
      counted += count;
    }
  g_assert_cmpuint (counted, ==, dropped);
}

static void
query_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GPtrArray **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = dc_audit_query_finish (DC_AUDIT (object), result, &error);
  g_assert_no_error (error);
}

/* A query started right after a record sees it (the query waits for the writer). */
static void
test_query_async (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(DcAuditQuery) q = dc_audit_query_new ();
  g_autoptr(DcAuditActor) actor = dc_audit_actor_new ("ann", "admin", "cli");
  GPtrArray *rows = NULL;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  dc_audit_record (fx->audit, actor, "server.start", NULL, NULL, NULL);
  dc_audit_query_async (fx->audit, q, NULL, query_done_cb, &rows);
  while (rows == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (rows);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpstr (ROW (rows, 0)->action, ==, "server.start");
  g_ptr_array_unref (rows);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/dc/audit/record-and-query", Fixture, NULL, fixture_setup, test_record_and_query,
              fixture_teardown);
  g_test_add_func ("/dc/audit/query-parse-errors", test_query_parse_errors);
  g_test_add ("/dc/audit/csv", Fixture, NULL, fixture_setup, test_csv, fixture_teardown);
  g_test_add ("/dc/audit/append-only", Fixture, NULL, fixture_setup, test_append_only,
              fixture_teardown);
  g_test_add ("/dc/audit/retention", Fixture, NULL, fixture_setup, test_retention,
              fixture_teardown);
  g_test_add ("/dc/audit/companion", Fixture, NULL, fixture_setup, test_companion,
              fixture_teardown);
  g_test_add_func ("/dc/audit/actor-scopes", test_actor_scopes);
  g_test_add ("/dc/audit/flood", Fixture, NULL, fixture_setup, test_flood, fixture_teardown);
  g_test_add ("/dc/audit/query-async", Fixture, NULL, fixture_setup, test_query_async,
              fixture_teardown);

  return g_test_run ();
}
