/* test-ui-audit.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The Audit page of the real workstation over a real store and audit log: a change made in
 * the workstation is recorded with source "gui"; the page shows the rows newest first in
 * local time with the detail in words, its filters (user, kind of action, text, time range)
 * query again, and the CSV export writes the rows shown. A screenshot is taken.
 */

#include "config.h"

#include <string.h>

#include "dc-test-ui.h"
#include "dc-test-store.h"

#include "dc-audit-item.h"
#include "dc-audit-page.h"

#define DAY ((gint64) 24 * 3600 * G_USEC_PER_SEC)

static gboolean
page_loaded (gpointer data)
{
  return !dc_audit_page_is_loading (data) &&
         g_list_model_get_n_items (dc_audit_page_get_model (data)) > 0;
}

static gboolean
page_idle (gpointer data)
{
  return !dc_audit_page_is_loading (data);
}

static DcAuditItem *
item_at (DcAuditPage *page,
         guint        i)
{
  DcAuditItem *item = g_list_model_get_item (dc_audit_page_get_model (page), i);

  g_assert_nonnull (item);
  g_object_unref (item);  /* the model keeps it */
  return item;
}

static guint
n_rows (DcAuditPage *page)
{
  return g_list_model_get_n_items (dc_audit_page_get_model (page));
}

static void
filter (DcAuditPage  *page,
        const char   *text,
        const char   *user,
        const char   *action,
        DcAuditRange  range)
{
  dc_audit_page_set_filters (page, text, user, action, range);
  g_assert_true (dc_audit_page_is_loading (page));
  g_assert_true (ui_wait_until (page_idle, page, 10000));
}

static void
test_audit_page (void)
{
  g_autoptr(DcAuditActor) ann = dc_audit_actor_new ("ann", "operator", "10.0.0.7:50211");
  g_autoptr(DcAuditActor) root = dc_audit_actor_new ("root", "admin", "cli");
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) csv_file = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *csv_path = NULL;
  g_auto(GStrv) lines = NULL;
  DcAudit *log;
  DcAuditPage *page;
  GtkWidget *stack;
  DcAuditItem *item;
  gint64 now = g_get_real_time ();
  gint64 t;
  UiPlant f;

  ui_plant_setup (&f, FALSE, NULL);
  log = dc_store_get_audit (f.store);
  dc_test_store_create (f.store, DC_KIND_DEVICE,
                        "{\"id\":\"pump\",\"protocol\":\"virtual\",\"name\":\"Pump station\"}");
  /* Points whose values read as words: a breaker with state texts, a speed with decimals
   * and unit. */
  dc_test_store_create (f.store, DC_KIND_TERM, "{\"id\":\"t1\",\"device_id\":\"pump\"}");
  dc_test_store_create (f.store, DC_KIND_ITEM, "{\"id\":\"breaker\",\"name\":\"F3 breaker\"}");
  dc_test_store_create (f.store, DC_KIND_ITEM,
                        "{\"id\":\"speed\",\"name\":\"Pump speed\",\"unit\":\"rpm\"}");
  dc_test_store_create (f.store, DC_KIND_POINT,
                        "{\"term_id\":\"t1\",\"item_id\":\"breaker\","
                        "\"states\":{\"1\":\"open\",\"2\":\"closed\"}}");
  dc_test_store_create (f.store, DC_KIND_POINT,
                        "{\"term_id\":\"t1\",\"item_id\":\"speed\",\"decimals\":1}");
  ui_plant_open_window (&f);

  /* A change made in the workstation (as its edit dialog makes it): source "gui". */
  {
    g_autoptr(JsonObject) patch = dc_test_json_object ("{\"name\":\"Pump station 2\"}");

    g_assert_true (dc_store_update (f.store, DC_KIND_DEVICE, "pump", patch, &error));
    g_assert_no_error (error);
  }
  /* Rows from elsewhere: a REST control, and a setting changed two days ago. */
  dc_audit_record_json (log, now - 2 * DAY, root, "settings.change", "server.port",
                        "{\"file\":\"/etc/datacoll/datacoll.conf\",\"old\":\"8080\","
                        "\"new\":\"8081\"}", NULL);
  /* Controls, after the changes above, one microsecond apart (newest first on the page). */
  t = g_get_real_time ();
  dc_audit_record_json (log, t + 1, root, "control.request",
                        "pump:t1:breaker", "{\"value\":2.0}", "ok");
  dc_audit_record_json (log, t + 2, root, "control.result", "pump:t1:breaker",
                        "{\"value\":2.0,\"confirmed\":2.0,\"by\":\"shift 2\"}", "ok");
  dc_audit_record_json (log, t + 3, root, "control.result", "pump:t1:speed",
                        "{\"value\":1450,\"confirmed\":1449.96}", "ok");
  dc_audit_record_json (log, t + 4, root, "control.result", "other:t9:gone",
                        "{\"value\":3,\"confirmed\":3}", "ok");
  dc_audit_record_json (log, t + 5, ann, "control.result", "pump:t1:breaker",
                        "{\"value\":1.0}", "device pump is offline");
  dc_audit_flush (log);

  page = dc_window_get_audit_page (f.window);
  stack = ui_find_type (GTK_WIDGET (f.window), ADW_TYPE_VIEW_STACK);
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (stack), "audit");
  g_assert_true (ui_wait_until (page_loaded, page, 10000));

  /* The last 7 days by default: newest first; the setting of two days ago is there. Rows: 5
   * controls, the device's update, the creation of device, term, 2 items and 2 points, the
   * setting. */
  g_assert_cmpuint (n_rows (page), ==, 13);
  item = item_at (page, 0);
  g_assert_cmpstr (dc_audit_item_get_row (item)->action, ==, "control.result");
  /* Controls in the point's words: its name and device, state texts, decimals and unit; ids
   * and numbers for a point the plant does not know. */
  g_assert_cmpstr (dc_audit_item_get_words (item), ==,
                   "Set F3 breaker (Pump station 2) to open: not done");
  g_assert_cmpstr (dc_audit_item_get_words (item_at (page, 1)), ==,
                   "Set gone (other) to 3; the device reports 3");
  g_assert_cmpstr (dc_audit_item_get_words (item_at (page, 2)), ==,
                   "Set Pump speed (Pump station 2) to 1450.0 rpm; the device reports 1450.0 rpm");
  g_assert_cmpstr (dc_audit_item_get_words (item_at (page, 3)), ==,
                   "Set F3 breaker (Pump station 2) to closed; the device reports closed (for shift 2)");
  g_assert_cmpstr (dc_audit_item_get_words (item_at (page, 4)), ==,
                   "Asked to set F3 breaker (Pump station 2) to closed");
  item = item_at (page, 5);
  g_assert_cmpstr (dc_audit_item_get_row (item)->action, ==, "device.update");
  g_assert_cmpstr (dc_audit_item_get_row (item)->source, ==, "gui");
  g_assert_cmpstr (dc_audit_item_get_row (item)->user, ==, "local");
  g_assert_cmpstr (dc_audit_item_get_words (item), ==, "name: Pump station → Pump station 2");
  /* The device, term, items and points created before (newest first). */
  item = item_at (page, n_rows (page) - 1);
  g_assert_cmpstr (dc_audit_item_get_words (item), ==, "8080 → 8081");
  g_assert_true (g_regex_match_simple ("^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-2][0-9]:[0-5][0-9]:[0-5][0-9]$",
                                       dc_audit_item_get_time_text (item), 0, 0));
  g_assert_cmpstr (dc_audit_page_get_count_text (page), ==, "13 actions");

  /* What the table shows: local time, the source, the detail in words. */
  ui_wait_for_frame (GTK_WIDGET (page));
  g_assert_nonnull (ui_find_inscription (GTK_WIDGET (page), "name: Pump station → Pump station 2"));
  g_assert_nonnull (ui_find_inscription (GTK_WIDGET (page),
                                         "Set F3 breaker (Pump station 2) to open: not done"));
  g_assert_nonnull (ui_find_inscription (GTK_WIDGET (page), "gui"));
  g_assert_nonnull (ui_find_inscription (GTK_WIDGET (page), "10.0.0.7:50211"));
  g_assert_nonnull (ui_find_inscription (GTK_WIDGET (page), "device pump is offline"));
  g_assert_nonnull (ui_find_inscription (GTK_WIDGET (page),
                                         dc_audit_item_get_time_text (item_at (page, 0))));
  g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (f.window), "screenshot-audit.png"), >, 16);

  /* Filters. */
  filter (page, NULL, "ann", NULL, DC_AUDIT_RANGE_WEEK);
  g_assert_cmpuint (n_rows (page), ==, 1);
  g_assert_cmpstr (dc_audit_item_get_row (item_at (page, 0))->user, ==, "ann");
  filter (page, NULL, NULL, "device", DC_AUDIT_RANGE_WEEK);
  g_assert_cmpuint (n_rows (page), ==, 2);
  filter (page, "STATION 2", NULL, NULL, DC_AUDIT_RANGE_WEEK);
  g_assert_cmpuint (n_rows (page), ==, 1);
  g_assert_cmpstr (dc_audit_item_get_row (item_at (page, 0))->action, ==, "device.update");
  filter (page, NULL, NULL, "control", DC_AUDIT_RANGE_WEEK);
  g_assert_cmpuint (n_rows (page), ==, 5);
  filter (page, NULL, NULL, NULL, DC_AUDIT_RANGE_DAY);
  g_assert_cmpuint (n_rows (page), ==, 12);
  filter (page, NULL, "nobody", NULL, DC_AUDIT_RANGE_ALL);
  g_assert_cmpuint (n_rows (page), ==, 0);
  g_assert_cmpstr (dc_audit_page_get_count_text (page), ==, "0 actions");

  /* CSV of the rows shown. */
  filter (page, NULL, NULL, NULL, DC_AUDIT_RANGE_ALL);
  g_assert_cmpuint (n_rows (page), ==, 13);
  csv_path = g_build_filename (f.dir, "audit.csv", NULL);
  csv_file = g_file_new_for_path (csv_path);
  g_assert_true (dc_audit_page_export_csv (page, csv_file, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, &error));
  lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 15);
  g_assert_cmpstr (lines[0], ==, "time,user,role,source,action,target,result,detail");
  g_assert_true (g_str_has_suffix (lines[1], ",ann,operator,10.0.0.7:50211,control.result,"
                                   "pump:t1:breaker,device pump is offline,\"{\"\"value\"\":1.0}\""));
  g_assert_nonnull (strstr (lines[13], ",root,admin,cli,settings.change,server.port,ok,"));

  ui_plant_teardown (&f);
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  ui_test_add ("/dc/ui/audit/page", test_audit_page);

  return g_test_run ();
}
