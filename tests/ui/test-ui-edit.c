/* test-ui-edit.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Editing through the dialogs, under Xvfb: a Modbus device and its point created through the
 * UI against the simulator (the value arrives), invalid input (the store's message next to the
 * field, nothing stored), the delete confirmation's counts, an IEC 104 device's link settings
 * from the protocol registry, a point's alarm settings round-tripping through the store.
 */

#include "config.h"

#include <string.h>

#include "dc-test-ui.h"
#include "dc-test-wait.h"

#include "dc-edit-dialog.h"
#include "dc-import-dialog.h"
#include "dc-model-fields.h"

#include "ui-rows.h"

static DcEditDialog *
run_action (UiPlant    *f,
            const char *action)
{
  DcEditDialog *dialog;

  dialog = DC_EDIT_DIALOG (ui_activate_for_dialog (GTK_WINDOW (f->window), action,
                                                   DC_TYPE_EDIT_DIALOG));
  g_assert_true (DC_IS_EDIT_DIALOG (dialog));
  ui_wait_for_frame (GTK_WIDGET (dialog));
  return dialog;
}

static void
set (DcEditDialog *dialog,
     const char   *key,
     const char   *text)
{
  g_assert_true (dc_edit_dialog_set_field (dialog, key, text));
}

static gboolean
point_exists (gpointer data)
{
  UiPlant *f = data;

  return dc_plant_model_lookup_point_id (dc_window_get_plant (f->window), "u1", "cur") != NULL;
}

static void
test_edit_modbus_device (void)
{
  g_autofree char *port = NULL;
  DcEditDialog *dialog;
  DcPointRow *row;
  RowText rt;
  UiPlant f;

  ui_plant_setup (&f, TRUE, NULL);
  g_assert_true (dc_modbus_sim_set_value (f.modbus, 0, 1, DC_MODBUS_TABLE_HR, 0, 1234));
  ui_plant_open_window (&f);
  g_assert_cmpstr (dc_window_get_page (f.window), ==, "empty");

  /* Device: Ctrl+N's action, fields of Modbus TCP. */
  dialog = run_action (&f, "win.add-device");
  port = g_strdup_printf ("%u", f.modbus_port);
  /* The protocol list follows the protocols' ui_order: Modbus TCP first, and the default. */
  g_assert_cmpstr (dc_edit_dialog_get_field (dialog, "protocol"), ==, "modbus_tcp");
  set (dialog, "id", "plc");
  set (dialog, "name", "Pump PLC");
  set (dialog, "protocol", "modbus_tcp");
  set (dialog, "ip", "127.0.0.1");
  set (dialog, "port", port);
  set (dialog, "poll_ms", "100");
  set (dialog, "timeout_ms", "300");
  ui_run_for (100);
  g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (dialog), "screenshot-edit-device.png"), >, 16);
  g_assert_true (dc_edit_dialog_save (dialog));

  /* Item, then a term on the selected device. */
  dialog = run_action (&f, "win.add-item");
  set (dialog, "id", "cur");
  set (dialog, "name", "Pump current");
  set (dialog, "unit", "A");
  g_assert_true (dc_edit_dialog_save (dialog));

  g_assert_true (dc_window_select (f.window, dc_plant_model_lookup_device (dc_window_get_plant (f.window), "plc")));
  dialog = run_action (&f, "win.add-term");
  set (dialog, "id", "u1");
  set (dialog, "address", "1");
  g_assert_true (dc_edit_dialog_save (dialog));

  /* Point (the device is selected, the term is typed): Modbus table/type pickers. */
  dialog = run_action (&f, "win.add-point");
  set (dialog, "term_id", "u1");
  set (dialog, "item_id", "cur");
  set (dialog, "protocol_code", "0");
  set (dialog, "mb_table", "hr");
  set (dialog, "mb_type", "u16");
  set (dialog, "coefficient", "0.1");
  ui_run_for (100);
  g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (dialog), "screenshot-edit-point.png"), >, 16);
  g_assert_true (dc_edit_dialog_save (dialog));

  /* The engine follows the store at once: the value arrives in the table. */
  g_assert_true (ui_wait_until (point_exists, &f, 5000));
  row = dc_plant_model_lookup_point_id (dc_window_get_plant (f.window), "u1", "cur");
  rt = (RowText) { row, "123.4 A" };
  g_assert_true (ui_wait_until (row_value_is, &rt, 10000));
  {
    g_autoptr(JsonObject) point = dc_store_get_point (f.store, "u1", "cur", NULL);

    g_assert_cmpstr (json_object_get_string_member (point, "code_type"), ==, "hr:u16");
  }

  /* Duplicate the device: a new one filled from it, with a new id. */
  g_assert_true (dc_window_select (f.window, dc_plant_model_lookup_device (dc_window_get_plant (f.window), "plc")));
  dc_window_set_view (f.window, "device");
  dialog = run_action (&f, "win.duplicate");
  set (dialog, "name", "Pump PLC (spare)");
  g_assert_true (dc_edit_dialog_save (dialog));
  {
    g_autoptr(JsonObject) copy = dc_store_get (f.store, DC_KIND_DEVICE, "plc-copy", NULL);

    g_assert_nonnull (copy);
    g_assert_cmpstr (json_object_get_string_member (copy, "protocol"), ==, "modbus_tcp");
    g_assert_cmpint (json_object_get_int_member (copy, "poll_ms"), ==, 100);
    g_assert_cmpstr (json_object_get_string_member (copy, "name"), ==, "Pump PLC (spare)");
  }

  /* Edit the point's coefficient: F2's action on the selected point. */
  g_assert_true (dc_window_select (f.window, row));
  dc_window_set_view (f.window, "points");
  dialog = run_action (&f, "win.edit");
  set (dialog, "coefficient", "1");
  g_assert_true (dc_edit_dialog_save (dialog));
  rt.text = "1234 A";
  g_assert_true (ui_wait_until (row_value_is, &rt, 10000));

  ui_plant_teardown (&f);
}

static void
test_edit_invalid (void)
{
  g_autoptr(GPtrArray) ids = NULL;
  DcEditDialog *dialog;
  UiPlant f;

  ui_plant_setup (&f, FALSE, NULL);
  ui_plant_open_window (&f);

  dialog = run_action (&f, "win.add-device");
  set (dialog, "id", "plc");
  set (dialog, "protocol", "modbus_tcp");
  set (dialog, "ip", "127.0.0.1");
  set (dialog, "port", "70000");
  g_assert_false (dc_edit_dialog_save (dialog));
  g_test_message ("port: %s", dc_edit_dialog_get_field_error (dialog, "port"));
  g_assert_true (g_str_has_prefix (dc_edit_dialog_get_field_error (dialog, "port"), "field port must"));
  g_assert_null (dc_edit_dialog_get_field_error (dialog, "id"));
  ui_run_for (100);
  g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (dialog), "screenshot-edit-invalid.png"), >, 16);
  ids = dc_store_list_ids (f.store, DC_KIND_DEVICE);
  g_assert_cmpuint (ids->len, ==, 0);

  /* An id the store refuses: its message, next to the id, nothing stored. */
  set (dialog, "port", "502");
  set (dialog, "id", "a/b");
  g_assert_false (dc_edit_dialog_save (dialog));
  g_assert_true (g_str_has_prefix (dc_edit_dialog_get_field_error (dialog, "id"), "field id must"));
  g_assert_null (dc_edit_dialog_get_field_error (dialog, "port"));
  g_ptr_array_unref (ids);
  ids = dc_store_list_ids (f.store, DC_KIND_DEVICE);
  g_assert_cmpuint (ids->len, ==, 0);

  /* Fixed, it saves. */
  set (dialog, "id", "plc");
  g_assert_true (dc_edit_dialog_save (dialog));
  g_ptr_array_unref (ids);
  ids = dc_store_list_ids (f.store, DC_KIND_DEVICE);
  g_assert_cmpuint (ids->len, ==, 1);

  /* The same id again: "already exists" next to the id. */
  dialog = run_action (&f, "win.add-device");
  set (dialog, "id", "plc");
  set (dialog, "protocol", "virtual");
  g_assert_false (dc_edit_dialog_save (dialog));
  g_assert_nonnull (dc_edit_dialog_get_field_error (dialog, "id"));
  g_test_message ("id: %s", dc_edit_dialog_get_field_error (dialog, "id"));
  gtk_window_destroy (GTK_WINDOW (dialog));

  ui_plant_teardown (&f);
}

static gboolean
counted (gpointer data)
{
  const char *text = dc_delete_dialog_get_text (data);

  return text != NULL && strstr (text, "counting") == NULL;
}

static void
test_delete_counts (void)
{
  g_autoptr(GPtrArray) ids = NULL;
  const char *points[][2] = { { "u1", "a" }, { "u1", "b" }, { "u2", "a" } };
  GtkWidget *dialog;
  UiPlant f;

  ui_plant_setup (&f, FALSE, NULL);
  dc_test_store_create (f.store, DC_KIND_DEVICE, "{\"id\":\"v\",\"name\":\"Virtual\",\"protocol\":\"virtual\"}");
  dc_test_store_create (f.store, DC_KIND_DEVICE, "{\"id\":\"w\",\"name\":\"Other\",\"protocol\":\"virtual\"}");
  dc_test_store_create (f.store, DC_KIND_TERM, "{\"id\":\"u1\",\"device_id\":\"v\"}");
  dc_test_store_create (f.store, DC_KIND_TERM, "{\"id\":\"u2\",\"device_id\":\"v\"}");
  dc_test_store_create (f.store, DC_KIND_TERM, "{\"id\":\"x1\",\"device_id\":\"w\"}");
  dc_test_store_create (f.store, DC_KIND_ITEM, "{\"id\":\"a\",\"name\":\"A\"}");
  dc_test_store_create (f.store, DC_KIND_ITEM, "{\"id\":\"b\",\"name\":\"B\"}");
  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"term_id\":\"%s\",\"item_id\":\"%s\",\"history\":\"all\"}",
                                               points[i][0], points[i][1]);

      dc_test_store_create (f.store, DC_KIND_POINT, json);
    }
  dc_test_store_create (f.store, DC_KIND_POINT, "{\"term_id\":\"x1\",\"item_id\":\"a\",\"history\":\"all\"}");

  /* 5 samples per point of device v (15), 7 on the other device (not counted). */
  for (guint i = 0; i < G_N_ELEMENTS (points) + 1; i++)
    {
      gint64 key = i < G_N_ELEMENTS (points) ? dc_store_get_point_key (f.store, points[i][0], points[i][1])
                                             : dc_store_get_point_key (f.store, "x1", "a");
      guint n = i < G_N_ELEMENTS (points) ? 5 : 7;

      for (guint j = 0; j < n; j++)
        {
          DcSample s = { key, g_get_real_time () - (n - j) * G_USEC_PER_SEC, j, 0 };

          dc_engine_ingest (f.engine, &s, 1, DC_INGEST_API);
        }
    }
  dc_history_sync (f.history);
  ui_plant_open_window (&f);

  g_assert_true (dc_window_select (f.window, dc_plant_model_lookup_device (dc_window_get_plant (f.window), "v")));
  dc_window_set_view (f.window, "device");
  dialog = GTK_WIDGET (ui_activate_for_dialog (GTK_WINDOW (f.window), "win.delete",
                                               ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_true (ui_wait_until (counted, dialog, 10000));
  g_test_message ("%s", dc_delete_dialog_get_text (dialog));
  g_assert_nonnull (strstr (dc_delete_dialog_get_text (dialog), "2 terms, 3 points, 15 history samples"));
  ui_wait_for_frame (dialog);
  ui_run_for (100);
  g_assert_cmpuint (ui_render_png_settled (dialog, "screenshot-delete.png"), >, 16);

  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "delete");
  ids = dc_store_list_ids (f.store, DC_KIND_DEVICE);
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (ids, 0), ==, "w");

  ui_plant_teardown (&f);
}

static DcImportDialog *
open_import (UiPlant     *f,
             GFile      **files,
             guint        n_files)
{
  g_autoptr(GError) error = NULL;
  DcImportDialog *dialog;

  dialog = DC_IMPORT_DIALOG (ui_activate_for_dialog (GTK_WINDOW (f->window), "win.import",
                                                     DC_TYPE_IMPORT_DIALOG));
  g_assert_true (DC_IS_IMPORT_DIALOG (dialog));
  g_assert_true (dc_import_dialog_load_files (dialog, files, n_files, &error));
  g_assert_no_error (error);
  DC_TEST_WAIT_UNTIL (!dc_import_dialog_is_busy (dialog), 10);
  g_test_message ("preview: %s", dc_import_dialog_get_summary (dialog));
  return dialog;
}

static void
applied_cb (DcImportDialog *dialog,
            gboolean       *applied)
{
  *applied = TRUE;
}

static void
test_import_export (void)
{
  gboolean applied = FALSE;
  g_autoptr(GError) error = NULL;
  g_autofree char *src_db = NULL;
  g_autofree char *csv_dir = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GFile) json = NULL;
  g_autoptr(JsonObject) project = NULL;
  GFile *files[4];
  const char *names[] = { "devices.csv", "terms.csv", "items.csv", "points.csv" };
  DcImportDialog *dialog;
  DcStore *src;
  UiPlant f;

  ui_plant_setup (&f, FALSE, NULL);
  src_db = g_build_filename (f.dir, "source.db", NULL);
  src = dc_store_open (src_db, &error);
  g_assert_no_error (error);
  dc_test_store_create (src, DC_KIND_DEVICE, "{\"id\":\"plc\",\"name\":\"Pump PLC\",\"protocol\":\"modbus_tcp\","
                        "\"ip\":\"127.0.0.1\",\"port\":1502,\"enabled\":false}");
  dc_test_store_create (src, DC_KIND_TERM, "{\"id\":\"u1\",\"device_id\":\"plc\",\"address\":1}");
  dc_test_store_create (src, DC_KIND_ITEM, "{\"id\":\"cur\",\"name\":\"Pump current\",\"unit\":\"A\"}");
  dc_test_store_create (src, DC_KIND_POINT, "{\"term_id\":\"u1\",\"item_id\":\"cur\",\"protocol_code\":0,"
                        "\"code_type\":\"hr:u16\",\"coefficient\":0.1}");

  /* Export both forms. */
  csv_dir = g_build_filename (f.dir, "csv", NULL);
  g_assert_cmpint (g_mkdir_with_parents (csv_dir, 0700), ==, 0);
  folder = g_file_new_for_path (csv_dir);
  project = dc_store_export (src);
  g_assert_true (dc_project_export_csv (project, folder, &error));
  g_assert_no_error (error);
  json = g_file_get_child (folder, "project.json");
  g_assert_true (dc_project_export_json (project, json, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    files[i] = g_file_get_child (folder, names[i]);

  ui_plant_open_window (&f);

  /* CSV into the empty workstation: everything to create, then applied. */
  dialog = open_import (&f, files, G_N_ELEMENTS (files));
  g_assert_cmpstr (dc_import_dialog_get_summary (dialog), ==,
                   "4 to create, 0 to change, 0 unchanged, 0 with errors");
  g_assert_true (dc_import_dialog_can_apply (dialog));
  g_signal_connect (dialog, "applied", G_CALLBACK (applied_cb), &applied);
  g_assert_true (dc_import_dialog_apply (dialog, &error));
  g_assert_no_error (error);
  DC_TEST_WAIT_UNTIL (applied, 10);
  g_assert_nonnull (dc_plant_model_lookup_point_id (dc_window_get_plant (f.window), "u1", "cur"));

  /* The JSON project again: nothing changes, nothing to apply. */
  dialog = open_import (&f, &json, 1);
  g_assert_cmpstr (dc_import_dialog_get_summary (dialog), ==,
                   "0 to create, 0 to change, 4 unchanged, 0 with errors");
  g_assert_false (dc_import_dialog_can_apply (dialog));
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* A changed name and a bad port: the preview shows the change and the row's error; nothing
   * is applied. */
  g_assert_true (g_file_replace_contents (files[0],
                                          "id,name,protocol,ip,port,enabled\n"
                                          "plc,Pump PLC 2,modbus_tcp,127.0.0.1,70000,false\n",
                                          strlen ("id,name,protocol,ip,port,enabled\n"
                                                  "plc,Pump PLC 2,modbus_tcp,127.0.0.1,70000,false\n"),
                                          NULL, FALSE, G_FILE_CREATE_NONE, NULL, NULL, &error));
  g_assert_no_error (error);
  dialog = open_import (&f, files, 1);
  g_assert_cmpstr (dc_import_dialog_get_summary (dialog), ==,
                   "0 to create, 0 to change, 0 unchanged, 1 with errors");
  {
    DcImportRow *row = g_ptr_array_index (dc_import_dialog_get_rows (dialog), 0);

    g_test_message ("error row: %s", row->error);
    g_assert_nonnull (strstr (row->error, "port"));
  }
  g_assert_false (dc_import_dialog_can_apply (dialog));
  g_assert_false (dc_import_dialog_apply (dialog, NULL));
  ui_wait_for_frame (GTK_WIDGET (dialog));
  ui_run_for (100);
  g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (dialog), "screenshot-import-preview.png"), >, 16);
  {
    g_autoptr(JsonObject) device = dc_store_get (f.store, DC_KIND_DEVICE, "plc", NULL);

    g_assert_cmpstr (json_object_get_string_member (device, "name"), ==, "Pump PLC");
  }
  gtk_window_destroy (GTK_WINDOW (dialog));

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    g_object_unref (files[i]);
  g_object_unref (src);
  ui_plant_teardown (&f);
}

/* The AdwActionRow titled @title under @widget, or NULL. */
static GtkWidget *
find_row (GtkWidget  *widget,
          const char *title)
{
  if (ADW_IS_ACTION_ROW (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Scrolls the dialog's form so that the row titled @title is at the top (screenshots). */
static void
scroll_to_row (DcEditDialog *dialog,
               const char   *title)
{
  GtkWidget *row = find_row (GTK_WIDGET (dialog), title);
  GtkWidget *scrolled = ui_find_type (GTK_WIDGET (dialog), GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  graphene_point_t at;

  g_assert_true (gtk_widget_compute_point (row, gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled)),
                                           &GRAPHENE_POINT_INIT (0, 0), &at));
  gtk_adjustment_set_value (adjustment, at.y - 48);
  ui_wait_for_frame (GTK_WIDGET (dialog));
}

static gboolean
row_shown (DcEditDialog *dialog,
           const char   *title)
{
  GtkWidget *row = find_row (GTK_WIDGET (dialog), title);

  return row != NULL && gtk_widget_is_visible (row);
}

/* An IEC 104 device: every link setting of the protocol registry, preset with the defaults
 * (port 2404, k, w, t0–t3); the preset port follows the protocol. */
static void
test_edit_iec104_device (void)
{
  static const char * const titles[] = {
    "IP address or host", "Port", "Backup IP address", "Backup port",
    "k (unacknowledged frames sent)", "w (frames before acknowledging)",
    "t0 (s, connection set-up)", "t1 (s, answer to a frame sent)",
    "t2 (s, acknowledge without data)", "t3 (s, test frame when idle)",
    "General interrogation period (s)", "Counter interrogation period (s)",
    "Synchronise the station's clock", "Time zone of time tags",
  };
  g_autoptr(JsonObject) device = NULL;
  DcEditDialog *dialog;
  UiPlant f;

  ui_plant_setup (&f, FALSE, NULL);
  ui_plant_open_window (&f);

  dialog = run_action (&f, "win.add-device");
  g_assert_cmpstr (dc_edit_dialog_get_field (dialog, "port"), ==, "502");
  g_assert_false (row_shown (dialog, "t0 (s, connection set-up)"));
  set (dialog, "protocol", "iec104");
  ui_wait_for_frame (GTK_WIDGET (dialog));
  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    {
      g_test_message ("row %s", titles[i]);
      g_assert_true (row_shown (dialog, titles[i]));
    }
  g_assert_false (row_shown (dialog, "Poll period (ms)"));
  g_assert_cmpstr (dc_edit_dialog_get_field (dialog, "port"), ==, "2404");
  g_assert_cmpstr (dc_edit_dialog_get_field (dialog, "k"), ==, "12");
  g_assert_cmpstr (dc_edit_dialog_get_field (dialog, "w"), ==, "8");
  g_assert_cmpstr (dc_edit_dialog_get_field (dialog, "t0"), ==, "30");
  g_assert_cmpstr (dc_edit_dialog_get_field (dialog, "t1"), ==, "15");
  g_assert_cmpstr (dc_edit_dialog_get_field (dialog, "t2"), ==, "10");
  g_assert_cmpstr (dc_edit_dialog_get_field (dialog, "t3"), ==, "20");

  /* Back and forth: the preset follows, a typed port stays. */
  set (dialog, "protocol", "modbus_tcp");
  g_assert_cmpstr (dc_edit_dialog_get_field (dialog, "port"), ==, "502");
  set (dialog, "protocol", "iec104");
  g_assert_cmpstr (dc_edit_dialog_get_field (dialog, "port"), ==, "2404");
  set (dialog, "port", "2405");
  set (dialog, "protocol", "modbus_tcp");
  set (dialog, "protocol", "iec104");
  g_assert_cmpstr (dc_edit_dialog_get_field (dialog, "port"), ==, "2405");
  set (dialog, "port", "2404");

  set (dialog, "id", "rtu");
  set (dialog, "name", "Substation RTU");
  set (dialog, "ip", "127.0.0.1");
  set (dialog, "t2", "8");
  set (dialog, "enabled", "false");
  ui_run_for (100);
  g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (dialog), "screenshot-edit-iec104-device.png"), >, 16);
  scroll_to_row (dialog, "t0 (s, connection set-up)");
  ui_run_for (100);
  g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (dialog), "screenshot-edit-iec104-timers.png"), >, 16);
  g_assert_true (dc_edit_dialog_save (dialog));

  device = dc_store_get (f.store, DC_KIND_DEVICE, "rtu", NULL);
  g_assert_nonnull (device);
  g_assert_cmpint (json_object_get_int_member (device, "port"), ==, 2404);
  g_assert_cmpint (json_object_get_int_member (device, "t0"), ==, 30);
  g_assert_cmpint (json_object_get_int_member (device, "t2"), ==, 8);
  g_assert_cmpint (json_object_get_int_member (device, "k"), ==, 12);
  g_assert_false (json_object_has_member (device, "poll_ms"));

  /* An edit shows what is stored, not presets. */
  dc_test_store_create (f.store, DC_KIND_DEVICE,
                        "{\"id\":\"old\",\"protocol\":\"iec104\",\"ip\":\"127.0.0.1\",\"enabled\":false}");
  dialog = dc_edit_dialog_new_edit (GTK_WINDOW (f.window), dc_window_get_source (f.window),
                                    DC_KIND_DEVICE, "old", FALSE);
  g_assert_null (dc_edit_dialog_get_field (dialog, "port"));
  g_assert_null (dc_edit_dialog_get_field (dialog, "t0"));
  gtk_window_destroy (GTK_WINDOW (dialog));

  ui_plant_teardown (&f);
}

/* The point's alarm settings, decimals and state texts: written to the store, read back into
 * the form, cleared again; nothing unknown written. */
static void
test_edit_point_alarms (void)
{
  g_autoptr(JsonObject) point = NULL;
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  static const char * const alarm_titles[] = {
    "Alarms enabled", "Low limit", "High limit", "Deadband (clears when back by this much)",
    "Delay (ms the condition must hold)", "Priority",
    "Alarm state (binary points: the value that alarms)",
    "Decimals (empty: as many as needed)", "State texts", "ASDU type",
  };
  DcEditDialog *dialog;
  UiPlant f;

  ui_plant_setup (&f, FALSE, NULL);
  dc_test_store_create (f.store, DC_KIND_DEVICE,
                        "{\"id\":\"rtu\",\"protocol\":\"iec104\",\"ip\":\"127.0.0.1\",\"enabled\":false}");
  dc_test_store_create (f.store, DC_KIND_TERM, "{\"id\":\"ca1\",\"device_id\":\"rtu\",\"address\":1}");
  dc_test_store_create (f.store, DC_KIND_ITEM, "{\"id\":\"ua\",\"name\":\"Busbar voltage\",\"unit\":\"kV\"}");
  dc_test_store_create (f.store, DC_KIND_POINT,
                        "{\"term_id\":\"ca1\",\"item_id\":\"ua\",\"protocol_code\":4001,"
                        "\"code_type\":\"M_ME_NC_1\",\"x-tag\":\"kept\"}");
  ui_plant_open_window (&f);

  dialog = dc_edit_dialog_new_edit (GTK_WINDOW (f.window), dc_window_get_source (f.window),
                                    DC_KIND_POINT, "ca1:ua", FALSE);
  gtk_window_present (GTK_WINDOW (dialog));
  ui_wait_for_frame (GTK_WIDGET (dialog));
  for (guint i = 0; i < G_N_ELEMENTS (alarm_titles); i++)
    {
      g_test_message ("row %s", alarm_titles[i]);
      g_assert_true (row_shown (dialog, alarm_titles[i]));
    }
  /* The type given by name is stored as its number and shown in the picker. */
  g_assert_cmpstr (dc_edit_dialog_get_field (dialog, "iec_type"), ==, "13");
  g_assert_cmpstr (dc_edit_dialog_get_field (dialog, "alarm_enabled"), ==, "true");
  set (dialog, "down_limit", "9.5");
  set (dialog, "up_limit", "11.5");
  set (dialog, "alarm_deadband", "0.1");
  set (dialog, "alarm_delay_ms", "2000");
  set (dialog, "alarm_priority", "high");
  set (dialog, "decimals", "2");
  set (dialog, "states", "0 = dead; 1 = live");
  ui_run_for (100);
  g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (dialog), "screenshot-edit-point-iec104.png"), >, 16);
  scroll_to_row (dialog, "Alarms enabled");
  ui_run_for (100);
  g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (dialog), "screenshot-edit-point-alarms.png"), >, 16);
  g_assert_true (dc_edit_dialog_save (dialog));

  point = dc_store_get_point (f.store, "ca1", "ua", NULL);
  g_assert_cmpfloat (json_object_get_double_member (point, "down_limit"), ==, 9.5);
  g_assert_cmpfloat (json_object_get_double_member (point, "up_limit"), ==, 11.5);
  g_assert_cmpfloat (json_object_get_double_member (point, "alarm_deadband"), ==, 0.1);
  g_assert_cmpint (json_object_get_int_member (point, "alarm_delay_ms"), ==, 2000);
  g_assert_cmpstr (json_object_get_string_member (point, "alarm_priority"), ==, "high");
  g_assert_cmpint (json_object_get_int_member (point, "decimals"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (point, "states"), "1"),
                   ==, "live");
  g_assert_false (json_object_has_member (point, "alarm_enabled"));
  /* The GUI writes no unknown field; the client's own tag is kept. */
  json_node_set_object (node, point);
  dc_model_field_warnings (DC_KIND_POINT, node, warnings, 10);
  g_assert_cmpuint (warnings->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (warnings, 0), ==, "unknown field 'x-tag' (kept, not used)");

  /* Read back into the form; alarms switched off, the high limit removed. */
  dialog = dc_edit_dialog_new_edit (GTK_WINDOW (f.window), dc_window_get_source (f.window),
                                    DC_KIND_POINT, "ca1:ua", FALSE);
  g_assert_cmpstr (dc_edit_dialog_get_field (dialog, "down_limit"), ==, "9.5");
  g_assert_cmpstr (dc_edit_dialog_get_field (dialog, "alarm_deadband"), ==, "0.1");
  g_assert_cmpstr (dc_edit_dialog_get_field (dialog, "alarm_delay_ms"), ==, "2000");
  g_assert_cmpstr (dc_edit_dialog_get_field (dialog, "alarm_priority"), ==, "high");
  g_assert_cmpstr (dc_edit_dialog_get_field (dialog, "decimals"), ==, "2");
  g_assert_cmpstr (dc_edit_dialog_get_field (dialog, "states"), ==, "0 = dead; 1 = live");
  set (dialog, "alarm_enabled", "false");
  set (dialog, "up_limit", "");
  g_assert_true (dc_edit_dialog_save (dialog));
  g_clear_pointer (&point, json_object_unref);
  point = dc_store_get_point (f.store, "ca1", "ua", NULL);
  g_assert_false (json_object_get_boolean_member (point, "alarm_enabled"));
  g_assert_false (json_object_has_member (point, "up_limit"));
  g_assert_true (json_object_has_member (point, "down_limit"));

  /* A double point's state texts field offers the defaults of its kind. */
  dc_test_store_create (f.store, DC_KIND_ITEM, "{\"id\":\"brk\",\"name\":\"Breaker\"}");
  dc_test_store_create (f.store, DC_KIND_POINT,
                        "{\"term_id\":\"ca1\",\"item_id\":\"brk\",\"protocol_code\":100,"
                        "\"code_type\":31}");
  dialog = dc_edit_dialog_new_edit (GTK_WINDOW (f.window), dc_window_get_source (f.window),
                                    DC_KIND_POINT, "ca1:brk", FALSE);
  {
    GtkWidget *entry = ui_find_type (find_row (GTK_WIDGET (dialog), "State texts"), GTK_TYPE_ENTRY);

    g_assert_cmpstr (gtk_entry_get_placeholder_text (GTK_ENTRY (entry)), ==,
                     "0 = intermediate; 1 = off; 2 = on; 3 = indeterminate");
  }
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* State texts that do not read as values and words: the store's message next to them. */
  dialog = dc_edit_dialog_new_edit (GTK_WINDOW (f.window), dc_window_get_source (f.window),
                                    DC_KIND_POINT, "ca1:ua", FALSE);
  set (dialog, "states", "open, closed");
  g_assert_false (dc_edit_dialog_save (dialog));
  g_test_message ("states: %s", dc_edit_dialog_get_field_error (dialog, "states"));
  g_assert_true (g_str_has_prefix (dc_edit_dialog_get_field_error (dialog, "states"), "field states must"));
  gtk_window_destroy (GTK_WINDOW (dialog));

  ui_plant_teardown (&f);
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  ui_test_add ("/dc/ui/edit/modbus-device", test_edit_modbus_device);
  ui_test_add ("/dc/ui/edit/invalid", test_edit_invalid);
  ui_test_add ("/dc/ui/edit/delete-counts", test_delete_counts);
  ui_test_add ("/dc/ui/edit/import-export", test_import_export);
  ui_test_add ("/dc/ui/edit/iec104-device", test_edit_iec104_device);
  ui_test_add ("/dc/ui/edit/point-alarms", test_edit_point_alarms);

  return g_test_run ();
}
