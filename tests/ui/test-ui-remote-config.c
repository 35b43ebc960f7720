/* test-ui-remote-config.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* A desk changes the server's configuration: edits seen live by a second desk, import and
 * export through the plant connection (docs/ui-editing.md). */

#define G_LOG_DOMAIN "test-ui-remote"

#include "config.h"

#include <string.h>

#include "dc-edit-dialog.h"
#include "dc-import-dialog.h"
#include "ui-remote.h"

/* An edit on one desk (the edit dialog, through its plant connection) appears on a second
 * desk, live. */
static void
test_two_desks (void)
{
  Desk d = { 0 };
  g_autoptr(DcRemoteSource) second = NULL;
  g_autoptr(GError) error = NULL;
  DcApplication *app2 = NULL;
  DcWindow *window2;
  DcPlantModel *plant, *plant2;
  DcPointRow *row;
  GtkWindow *dialog;

  desk_setup (&d);
  plant = plant_of (d.app);
  second = dc_remote_source_new (d.server->base, NULL, &error);
  g_assert_no_error (error);
  window2 = open_desk (&app2, second);
  plant2 = plant_of (app2);
  wait_connected (d.source, 1);
  wait_connected (second, 1);
  DC_TEST_WAIT_UNTIL (dc_plant_model_get_n_points (plant) == N_POINTS &&
                      dc_plant_model_get_n_points (plant2) == N_POINTS, 20);

  /* Desk one renames the device and adds an item with its point. */
  dc_window_select (d.window, dc_plant_model_lookup_device (plant, "m"));
  dialog = ui_activate_for_dialog (GTK_WINDOW (d.window), "win.edit", DC_TYPE_EDIT_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_true (dc_edit_dialog_set_field (DC_EDIT_DIALOG (dialog), "name", "Pump station North"));
  g_assert_true (dc_edit_dialog_save (DC_EDIT_DIALOG (dialog)));
  DC_TEST_WAIT_UNTIL (g_strcmp0 (dc_device_node_get_name (dc_plant_model_lookup_device (plant2, "m")),
                                 "Pump station North") == 0, 20);
  /* The editing desk sees its own change the same way. */
  DC_TEST_WAIT_UNTIL (g_strcmp0 (dc_device_node_get_name (dc_plant_model_lookup_device (plant, "m")),
                                 "Pump station North") == 0, 20);

  post (d.server->base, "/api/v1/items", "{\"id\":\"r9\",\"name\":\"Register 9\"}", NULL);
  dialog = ui_activate_for_dialog (GTK_WINDOW (d.window), "win.add-point", DC_TYPE_EDIT_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_true (dc_edit_dialog_set_field (DC_EDIT_DIALOG (dialog), "term_id", "t1"));
  g_assert_true (dc_edit_dialog_set_field (DC_EDIT_DIALOG (dialog), "item_id", "r9"));
  g_assert_true (dc_edit_dialog_set_field (DC_EDIT_DIALOG (dialog), "protocol_code", "9"));
  g_assert_true (dc_edit_dialog_set_field (DC_EDIT_DIALOG (dialog), "mb_table", "hr"));
  g_assert_true (dc_edit_dialog_set_field (DC_EDIT_DIALOG (dialog), "mb_type", "u16"));
  g_assert_true (dc_edit_dialog_save (DC_EDIT_DIALOG (dialog)));
  DC_TEST_WAIT_UNTIL ((row = dc_plant_model_lookup_point_id (plant2, "t1", "r9")) != NULL, 20);
  g_assert_cmpstr (dc_point_row_get_name (row), ==, "Register 9");
  /* It is polled like the others: its value arrives on the second desk. */
  DC_TEST_WAIT_UNTIL (dc_point_row_has_value (row), 20);

  /* Desk two deletes the device (counted in its plant model), desk one sees it go. */
  dc_window_select (window2, dc_plant_model_lookup_device (plant2, "m"));
  {
    GtkWindow *confirm = ui_activate_for_dialog (GTK_WINDOW (window2), "win.delete",
                                                 ADW_TYPE_MESSAGE_DIALOG);

    g_assert_nonnull (confirm);
    g_assert_cmpstr (dc_delete_dialog_get_text (GTK_WIDGET (confirm)), ==,
                     "This also deletes: 1 term, 6 points, their history. It cannot be undone.");
    adw_message_dialog_response (ADW_MESSAGE_DIALOG (confirm), "delete");
  }
  DC_TEST_WAIT_UNTIL (dc_plant_model_lookup_device (plant, "m") == NULL &&
                      dc_plant_model_get_n_points (plant) == 0, 20);
  g_assert_cmpstr (dc_window_get_page (d.window), ==, "empty");

  close_desk (app2, window2);
  desk_teardown (&d);
}

static void
export_ready_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  *(JsonObject **) user_data = dc_plant_source_export_finish (DC_PLANT_SOURCE (object), result,
                                                              &error);
  g_assert_no_error (error);
}

static void
applied_cb (DcImportDialog *dialog,
            gboolean       *applied)
{
  *applied = TRUE;
}

static void
write_project (JsonObject *project,
               GFile      *file)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (dc_project_export_json (project, file, &error));
  g_assert_no_error (error);
}

static DcImportDialog *
open_import (Desk  *d,
             GFile *file)
{
  g_autoptr(GError) error = NULL;
  DcImportDialog *dialog;

  dialog = DC_IMPORT_DIALOG (ui_activate_for_dialog (GTK_WINDOW (d->window), "win.import",
                                                     DC_TYPE_IMPORT_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_true (dc_import_dialog_load_files (dialog, &file, 1, &error));
  g_assert_no_error (error);
  /* The preview is the server's answer (POST /api/v1/project). */
  g_assert_true (dc_import_dialog_is_busy (dialog));
  DC_TEST_WAIT_UNTIL (!dc_import_dialog_is_busy (dialog), 20);
  g_test_message ("preview: %s", dc_import_dialog_get_summary (dialog));
  return dialog;
}

/* Export and import on a desk go through the plant connection: the exported project is the
 * server's; a project with one more point previews as the server sees it (2 to create, the
 * rest unchanged), applied it is on the server and comes back to the desk through the stream;
 * a row the server refuses (a port out of range) shows its error and nothing is applied. */
static void
test_import_export (void)
{
  Desk d = { 0 };
  g_autoptr(JsonObject) project = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(JsonObject) item = json_object_new ();
  g_autoptr(JsonObject) point = json_object_new ();
  g_autofree char *path = NULL;
  DcImportDialog *dialog;
  DcPlantModel *plant;
  gboolean applied = FALSE;
  JsonObject *device;

  desk_setup (&d);
  plant = plant_of (d.app);
  wait_connected (d.source, 1);
  DC_TEST_WAIT_UNTIL (dc_plant_model_get_n_points (plant) == N_POINTS, 20);

  /* Export: the server's configuration (GET /api/v1/project). */
  dc_plant_source_export_async (DC_PLANT_SOURCE (d.source), NULL, export_ready_cb, &project);
  DC_TEST_WAIT_UNTIL (project != NULL, 20);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (project, "points")), ==,
                    N_POINTS);
  device = json_array_get_object_element (json_object_get_array_member (project, "devices"), 0);
  g_assert_cmpstr (json_object_get_string_member (device, "id"), ==, "m");

  /* One more item and its point. */
  json_object_set_string_member (item, "id", "r7");
  json_object_set_string_member (item, "name", "Register 7");
  json_array_add_object_element (json_object_get_array_member (project, "items"),
                                 g_steal_pointer (&item));
  json_object_set_string_member (point, "term_id", "t1");
  json_object_set_string_member (point, "item_id", "r7");
  json_object_set_int_member (point, "protocol_code", 7);
  json_object_set_string_member (point, "code_type", "hr:u16");
  json_array_add_object_element (json_object_get_array_member (project, "points"),
                                 g_steal_pointer (&point));
  path = g_build_filename (d.dir, "project.json", NULL);
  file = g_file_new_for_path (path);
  write_project (project, file);

  dialog = open_import (&d, file);
  g_assert_cmpstr (dc_import_dialog_get_summary (dialog), ==,
                   "2 to create, 0 to change, 12 unchanged, 0 with errors");
  g_assert_true (dc_import_dialog_can_apply (dialog));
  ui_wait_for_frame (GTK_WIDGET (dialog));
  g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (dialog), "screenshot-remote-import.png"),
                    >, 16);
  g_signal_connect (dialog, "applied", G_CALLBACK (applied_cb), &applied);
  g_assert_true (dc_import_dialog_apply (dialog, NULL));
  DC_TEST_WAIT_UNTIL (applied, 20);
  /* On the server, and back on the desk through the stream. */
  {
    g_autoptr(DcReply) reply = dc_http (d.server->base, "GET", "/api/v1/terms/t1/items/r7", NULL);

    g_assert_cmpuint (reply->status, ==, 200);
  }
  DC_TEST_WAIT_UNTIL (dc_plant_model_lookup_point_id (plant, "t1", "r7") != NULL, 20);

  /* A port out of range: the server's row error, nothing to apply. */
  json_object_set_int_member (device, "port", 70000);
  write_project (project, file);
  dialog = open_import (&d, file);
  g_assert_nonnull (strstr (dc_import_dialog_get_summary (dialog), "1 with errors"));
  g_assert_false (dc_import_dialog_can_apply (dialog));
  g_assert_false (dc_import_dialog_apply (dialog, NULL));
  {
    GPtrArray *rows = dc_import_dialog_get_rows (dialog);
    gboolean found = FALSE;

    for (guint i = 0; i < rows->len; i++)
      {
        DcImportRow *row = g_ptr_array_index (rows, i);

        if (row->action == DC_IMPORT_ERROR)
          {
            g_test_message ("error row: %s %s: %s", dc_kind_to_string (row->kind), row->id,
                            row->error);
            g_assert_cmpint (row->kind, ==, DC_KIND_DEVICE);
            g_assert_cmpstr (row->id, ==, "m");
            g_assert_nonnull (strstr (row->error, "port"));
            found = TRUE;
          }
      }
    g_assert_true (found);
  }
  gtk_window_destroy (GTK_WINDOW (dialog));
  {
    g_autoptr(DcReply) reply = dc_http (d.server->base, "GET", "/api/v1/devices/m", NULL);

    g_assert_nonnull (strstr (reply->body, "\"port\":70000") == NULL ? reply->body : NULL);
  }
  desk_teardown (&d);
}
int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  ui_test_add ("/dc/ui/remote/two-desks", test_two_desks);
  ui_test_add ("/dc/ui/remote/import-export", test_import_export);

  return g_test_run ();
}
