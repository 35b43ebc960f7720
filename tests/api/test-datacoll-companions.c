/* test-datacoll-companions.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "dc-alarm.h"
#include "dc-history.h"
#include "dc-protocols.h"
#include "dc-store.h"

#include "dc-test-http.h"
#include "dc-test-server.h"
#include "dc-test-store.h"

/* The history and alarm files that go with a configuration (its companions), with the real
 * binary: each configuration has its own (a.db → a-history.db, a-alarms.db), a companion
 * records whose it is and refuses another configuration, and the shared files of earlier
 * versions (datacoll-history.db, datacoll-alarms.db) are taken over by one configuration. */

static void
post_ok (const char *base,
         const char *path,
         const char *body)
{
  g_autoptr(DcReply) reply = dc_http (base, "POST", path, body);

  if (reply->status != 200)
    g_error ("POST %s %s: %u %s", path, body, reply->status, reply->body);
}

static char *
path_in (const char *dir,
         const char *name)
{
  return g_build_filename (dir, name, NULL);
}

/* The device v<x>, term t<x>, item i<x> and their point, on a virtual device. */
static void
create_point (const char *base,
              const char *x)
{
  g_autofree char *device = g_strdup_printf ("{\"id\":\"v%s\",\"protocol\":\"virtual\"}", x);
  g_autofree char *term = g_strdup_printf ("{\"id\":\"t%s\",\"device_id\":\"v%s\"}", x, x);
  g_autofree char *item = g_strdup_printf ("{\"id\":\"i%s\"}", x);
  g_autofree char *point_path = g_strdup_printf ("/api/v1/terms/t%s/items", x);
  g_autofree char *point = g_strdup_printf ("{\"item_id\":\"i%s\"}", x);

  post_ok (base, "/api/v1/devices", device);
  post_ok (base, "/api/v1/terms", term);
  post_ok (base, "/api/v1/items", item);
  post_ok (base, point_path, point);
}

/* The history of v<x>/t<x>/i<x> as "value,value,…" (oldest first). */
static char *
history_of (const char *base,
            const char *x)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/devices/v%s/terms/t%s/items/i%s/datas",
                                           x, x, x);
  g_autoptr(DcReply) reply = dc_http (base, "GET", path, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GList) members = NULL;
  JsonObject *object;

  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_true (json_parser_load_from_data (parser, reply->body, -1, NULL));
  object = json_node_get_object (json_parser_get_root (parser));
  members = json_object_get_members (object);
  members = g_list_sort (members, (GCompareFunc) g_strcmp0);
  for (GList *l = members; l != NULL; l = l->next)
    g_string_append_printf (out, "%s%g", out->len > 0 ? "," : "",
                            json_object_get_double_member (object, l->data));
  return g_strdup (out->str);
}

static void
assert_exists (const char *dir,
               const char *name,
               gboolean    exists)
{
  g_autofree char *path = path_in (dir, name);

  if (g_file_test (path, G_FILE_TEST_EXISTS) != exists)
    g_error ("%s should %sexist", path, exists ? "" : "not ");
}

/* Two configurations in one folder: a sample of a.db's first point never shows up as the
 * history of b.db's first point (both have key 1). */
static void
test_separate (void)
{
  g_autofree char *dir = dc_test_make_dir ();
  g_autofree char *a = path_in (dir, "a.db");
  g_autofree char *b = path_in (dir, "b.db");
  const char *a_args[] = { "--server", "--port", "0", "--db", a, NULL };
  const char *b_args[] = { "--server", "--port", "0", "--db", b, NULL };
  DcTestServer *instance;
  g_autofree char *a_history = NULL;
  g_autofree char *b_history = NULL;

  instance = dc_test_server_start (a_args);
  create_point (instance->base, "a");
  post_ok (instance->base, "/api/v1/device_ctrl",
                   "{\"device_id\":\"va\",\"term_id\":\"ta\",\"item_id\":\"ia\",\"value\":42}");
  dc_test_server_stop (instance);

  /* The server's audit log, a companion too: what it did, from which peer. */
  {
    g_autofree char *audit_path = path_in (dir, "a-audit.db");
    g_autoptr(GString) actions = g_string_new (NULL);
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_open_v2 (audit_path, &db, SQLITE_OPEN_READONLY, NULL), ==,
                     SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT action, user, source, result FROM audit"
                                         " ORDER BY id", -1, &stmt, NULL), ==, SQLITE_OK);
    while (sqlite3_step (stmt) == SQLITE_ROW)
      {
        const char *action = (const char *) sqlite3_column_text (stmt, 0);
        const char *source = (const char *) sqlite3_column_text (stmt, 2);

        g_string_append_printf (actions, "%s%s", actions->len > 0 ? " " : "", action);
        g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==, "local");
        g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 3), ==, "ok");
        if (g_str_has_prefix (action, "server."))
          g_assert_cmpstr (source, ==, "system");
        else
          g_assert_true (g_str_has_prefix (source, "127.0.0.1:"));
      }
    sqlite3_finalize (stmt);
    sqlite3_close (db);
    g_assert_cmpstr (actions->str, ==, "server.start device.create term.create item.create "
                     "point.create control.request control.result server.stop");
  }

  instance = dc_test_server_start (b_args);
  create_point (instance->base, "b");
  b_history = history_of (instance->base, "b");
  dc_test_server_stop (instance);
  g_assert_cmpstr (b_history, ==, "");

  instance = dc_test_server_start (a_args);
  a_history = history_of (instance->base, "a");
  dc_test_server_stop (instance);
  g_assert_cmpstr (a_history, ==, "42");

  assert_exists (dir, "a-history.db", TRUE);
  assert_exists (dir, "a-alarms.db", TRUE);
  assert_exists (dir, "b-history.db", TRUE);
  assert_exists (dir, "b-alarms.db", TRUE);
  assert_exists (dir, "b-audit.db", TRUE);
  assert_exists (dir, "datacoll-history.db", FALSE);
  assert_exists (dir, "datacoll-alarms.db", FALSE);
}

static void
copy_file (const char *dir,
           const char *from,
           const char *to)
{
  g_autofree char *from_path = path_in (dir, from);
  g_autofree char *to_path = path_in (dir, to);
  g_autoptr(GFile) source = g_file_new_for_path (from_path);
  g_autoptr(GFile) target = g_file_new_for_path (to_path);
  g_autoptr(GError) error = NULL;

  g_file_copy (source, target, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

/* A companion of another configuration is refused with a clear error, for the history (an
 * explicit --history-db) and the alarms (a copied file); a copy of a configuration together
 * with its companions (a backup put back under another name) is the same configuration. */
static void
test_identity (void)
{
  g_autofree char *dir = dc_test_make_dir ();
  g_autofree char *a = path_in (dir, "a.db");
  g_autofree char *b = path_in (dir, "b.db");
  g_autofree char *c = path_in (dir, "c.db");
  g_autofree char *a_history = path_in (dir, "a-history.db");
  g_autofree char *b_alarms = path_in (dir, "b-alarms.db");
  const char *a_args[] = { "--server", "--port", "0", "--db", a, NULL };
  const char *b_args[] = { "--server", "--port", "0", "--db", b, NULL };
  const char *b_on_a[] = { "--server", "--port", "0", "--db", b, "--history-db", a_history,
                           NULL };
  const char *c_args[] = { "--server", "--port", "0", "--db", c, NULL };
  DcTestServer *instance;
  g_autofree char *err = NULL;
  g_autofree char *err2 = NULL;
  g_autofree char *want = NULL;
  g_autofree char *want2 = NULL;
  g_autofree char *c_history = NULL;

  instance = dc_test_server_start (a_args);
  create_point (instance->base, "a");
  post_ok (instance->base, "/api/v1/device_ctrl",
                   "{\"device_id\":\"va\",\"term_id\":\"ta\",\"item_id\":\"ia\",\"value\":42}");
  dc_test_server_stop (instance);

  g_assert_cmpint (dc_test_datacoll_run (b_on_a, NULL, &err), ==, 1);
  want = g_strdup_printf ("history database %s belongs to configuration %s, not to %s; "
                          "give each configuration its own file\n", a_history, a, b);
  g_assert_cmpstr (err, ==, want);

  copy_file (dir, "a-alarms.db", "b-alarms.db");
  g_assert_cmpint (dc_test_datacoll_run (b_args, NULL, &err2), ==, 1);
  want2 = g_strdup_printf ("alarm database %s belongs to configuration %s, not to %s; "
                           "give each configuration its own file\n", b_alarms, a, b);
  g_assert_cmpstr (err2, ==, want2);

  /* An audit log belongs to its configuration as well. */
  {
    g_autofree char *a_audit = path_in (dir, "a-audit.db");
    const char *b_on_a_audit[] = { "--server", "--port", "0", "--db", b, "--audit-db", a_audit,
                                   NULL };
    g_autofree char *err3 = NULL;
    g_autofree char *want3 = NULL;

    g_assert_cmpint (dc_test_datacoll_run (b_on_a_audit, NULL, &err3), ==, 1);
    want3 = g_strdup_printf ("audit database %s belongs to configuration %s, not to %s; "
                             "give each configuration its own file\n", a_audit, a, b);
    g_assert_cmpstr (err3, ==, want3);
  }

  copy_file (dir, "a.db", "c.db");
  copy_file (dir, "a-history.db", "c-history.db");
  copy_file (dir, "a-alarms.db", "c-alarms.db");
  instance = dc_test_server_start (c_args);
  c_history = history_of (instance->base, "a");
  dc_test_server_stop (instance);
  g_assert_cmpstr (c_history, ==, "42");
}

/* An installation of an earlier version: a.db and b.db next to the shared
 * datacoll-history.db and datacoll-alarms.db. The first configuration started takes them
 * over (renamed to its own names, its samples and alarms kept); the other one starts with
 * its own empty files. */
static void
test_migration (void)
{
  g_autofree char *dir = dc_test_make_dir ();
  g_autofree char *a = path_in (dir, "a.db");
  g_autofree char *b = path_in (dir, "b.db");
  const char *a_args[] = { "--server", "--port", "0", "--db", a, NULL };
  const char *b_args[] = { "--server", "--port", "0", "--db", b, NULL };
  DcTestServer *instance;
  g_autofree char *a_history = NULL;
  g_autofree char *b_history = NULL;
  g_autofree char *alarms = NULL;

  /* The earlier version's files, written with the library as it wrote them. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(DcStore) store_a = dc_store_open (a, &error);
    g_autoptr(DcStore) store_b = NULL;
    g_autofree char *legacy_history = path_in (dir, "datacoll-history.db");
    g_autofree char *legacy_alarms = path_in (dir, "datacoll-alarms.db");
    DcHistory *history;
    DcAlarm *alarm;
    DcSample sample = { 0 };

    g_assert_no_error (error);
    dc_test_store_create (store_a, DC_KIND_DEVICE,
                          "{\"id\":\"va\",\"protocol\":\"virtual\",\"comm_alarm_delay_ms\":0}");
    dc_test_store_create (store_a, DC_KIND_TERM, "{\"id\":\"ta\",\"device_id\":\"va\"}");
    dc_test_store_create (store_a, DC_KIND_ITEM, "{\"id\":\"ia\"}");
    dc_test_store_create (store_a, DC_KIND_POINT, "{\"term_id\":\"ta\",\"item_id\":\"ia\"}");
    sample.key = dc_store_get_point_key (store_a, "ta", "ia");
    sample.time = g_get_real_time () - 60 * G_USEC_PER_SEC;
    sample.value = 7;

    history = dc_history_new (legacy_history, &error);
    g_assert_no_error (error);
    g_assert_true (dc_history_push (history, &sample, 1, &error));
    g_assert_no_error (error);
    dc_history_sync (history);
    dc_test_release_history (history);

    alarm = dc_alarm_new (store_a, legacy_alarms, &error);
    g_assert_no_error (error);
    dc_alarm_set_link (alarm, "va", FALSE, g_get_real_time ());
    g_assert_cmpint (dc_alarm_find_comm (alarm, "va"), !=, 0);
    g_assert_finalize_object (alarm);

    store_b = dc_store_open (b, &error);
    g_assert_no_error (error);
    dc_test_store_create (store_b, DC_KIND_DEVICE, "{\"id\":\"vb\",\"protocol\":\"virtual\"}");
    dc_test_store_create (store_b, DC_KIND_TERM, "{\"id\":\"tb\",\"device_id\":\"vb\"}");
    dc_test_store_create (store_b, DC_KIND_ITEM, "{\"id\":\"ib\"}");
    dc_test_store_create (store_b, DC_KIND_POINT, "{\"term_id\":\"tb\",\"item_id\":\"ib\"}");
  }

  instance = dc_test_server_start (a_args);
  a_history = history_of (instance->base, "a");
  {
    g_autoptr(DcReply) reply = dc_http (instance->base, "GET", "/api/v1/alarms?all=true", NULL);

    alarms = g_strdup (reply->body);
  }
  dc_test_server_stop (instance);
  g_assert_cmpstr (a_history, ==, "7");
  g_assert_nonnull (strstr (alarms, "\"text\":\"device va is offline\""));
  assert_exists (dir, "a-history.db", TRUE);
  assert_exists (dir, "a-alarms.db", TRUE);
  assert_exists (dir, "datacoll-history.db", FALSE);
  assert_exists (dir, "datacoll-alarms.db", FALSE);

  instance = dc_test_server_start (b_args);
  b_history = history_of (instance->base, "b");
  dc_test_server_stop (instance);
  g_assert_cmpstr (b_history, ==, "");
  assert_exists (dir, "b-history.db", TRUE);
  assert_exists (dir, "b-alarms.db", TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_protocols_register_all ();

  g_test_add_func ("/dc/datacoll/companions/separate", test_separate);
  g_test_add_func ("/dc/datacoll/companions/identity", test_identity);
  g_test_add_func ("/dc/datacoll/companions/migration", test_migration);

  return g_test_run ();
}
