/* test-ui-remote-ops.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* What an operator does on a desk: a control reaching the simulator, alarms acknowledged,
 * and the audit log that names the desk's user (docs/ui-audit.md). */

#define G_LOG_DOMAIN "test-ui-remote"

#include "config.h"

#include <string.h>

#include "dc-audit-item.h"
#include "dc-audit-page.h"
#include "dc-control-dialog.h"
#include "ui-remote.h"

static void
control_finished_cb (DcControlDialog *dialog,
                     gboolean         confirmed,
                     const char      *text,
                     gpointer         user_data)
{
  *(int *) user_data = confirmed ? 1 : 2;
}

/* A control from the desk goes through the server to the simulator: the register reads back
 * the value (device_call on the server), and the desk's row shows it. */
static void
test_control (void)
{
  Desk d = { 0 };
  DcPlantModel *plant;
  DcPointRow *row;
  GtkWindow *dialog;
  int finished = 0;
  GPtrArray *steps;

  desk_setup (&d);
  plant = plant_of (d.app);
  wait_connected (d.source, 1);
  DC_TEST_WAIT_UNTIL (dc_plant_model_get_n_points (plant) == N_POINTS, 20);
  DC_TEST_WAIT_UNTIL (dc_device_node_get_state (dc_plant_model_lookup_device (plant, "m")) ==
                      DC_NODE_LINK_UP, 20);
  row = dc_plant_model_lookup_point_id (plant, "t1", "r3");
  dc_window_select (d.window, dc_plant_model_lookup_device (plant, "m"));
  dc_window_select (d.window, row);
  dialog = ui_activate_for_dialog (GTK_WINDOW (d.window), "win.control", DC_TYPE_CONTROL_DIALOG);
  g_assert_nonnull (dialog);
  g_signal_connect (dialog, "finished", G_CALLBACK (control_finished_cb), &finished);
  dc_control_dialog_set_value (DC_CONTROL_DIALOG (dialog), 4321);
  dc_control_dialog_set_confirmed (DC_CONTROL_DIALOG (dialog), TRUE);
  g_assert_true (dc_control_dialog_send (DC_CONTROL_DIALOG (dialog)));
  DC_TEST_WAIT_UNTIL (finished != 0, 30);
  g_test_message ("control: %s", dc_control_dialog_get_result (DC_CONTROL_DIALOG (dialog)));
  g_assert_cmpint (finished, ==, 1);
  /* The steps the server's driver reported reached the desk through the stream. */
  steps = dc_control_dialog_get_steps (DC_CONTROL_DIALOG (dialog));
  g_assert_cmpuint (steps->len, >=, 1);

  /* The simulator has it: a read from the device now. */
  {
    g_autoptr(DcReply) reply = dc_http (d.server->base, "POST", "/api/v1/device_call",
                                        "{\"device_id\":\"m\",\"term_id\":\"t1\",\"item_id\":\"r3\"}");

    g_assert_cmpuint (reply->status, ==, 200);
    g_assert_nonnull (strstr (reply->body, "\"value\":4321"));
  }
  DC_TEST_WAIT_UNTIL (row_has_value (plant, "r3", 4321), 20);
  gtk_window_destroy (dialog);
  desk_teardown (&d);
}

/* The server's alarms on two desks: an alarm raised on the server shows on both Alarms
 * pages; acknowledged on one desk (its page's dialog, through the plant connection), the
 * other sees it acknowledged, live. */
static void
test_alarms (void)
{
  Desk d = { 0 };
  g_autoptr(DcRemoteSource) second = NULL;
  g_autoptr(GError) error = NULL;
  DcApplication *app2 = NULL;
  DcWindow *window2;
  DcAlarmsPage *page, *page2;
  g_autoptr(JsonArray) list = NULL;
  AdwMessageDialog *dialog = NULL;
  gint64 id;

  desk_setup (&d);
  second = dc_remote_source_new (d.server->base, NULL, &error);
  g_assert_no_error (error);
  window2 = open_desk (&app2, second);
  wait_connected (d.source, 1);
  wait_connected (second, 1);
  page = dc_window_get_alarms_page (d.window);
  page2 = dc_window_get_alarms_page (window2);
  g_assert_true (dc_plant_source_has_alarms (DC_PLANT_SOURCE (d.source)));

  /* r2 reads 2 (static simulator): above a limit of 1, a high alarm. */
  {
    g_autoptr(DcReply) reply = dc_http (d.server->base, "PUT", "/api/v1/terms/t1/items/r2",
                                        "{\"up_limit\":1,\"alarm_priority\":\"high\"}");

    g_assert_cmpuint (reply->status, ==, 200);
  }
  DC_TEST_WAIT_UNTIL (dc_alarms_page_get_n_rows (page) == 1 &&
                      dc_alarms_page_get_n_rows (page2) == 1, 30);
  g_assert_cmpuint (dc_alarms_page_get_n_unacknowledged (page2), ==, 1);
  list = dc_plant_source_list_alarms (DC_PLANT_SOURCE (d.source), FALSE);
  id = json_object_get_int_member (json_array_get_object_element (list, 0), "id");
  g_assert_cmpstr (alarm_state (second, id), ==, "active_unacknowledged");
  dc_window_set_view (d.window, "alarms");
  ui_wait_for_frame (GTK_WIDGET (d.window));
  g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (d.window), "screenshot-remote-alarms.png"), >, 20);

  /* Desk one acknowledges, through its page's dialog. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "alarms.ack", "x", id));
  g_assert_true (ui_wait_until (find_dialog, &dialog, 5000));
  adw_message_dialog_response (dialog, "ack");
  gtk_window_destroy (GTK_WINDOW (dialog));
  DC_TEST_WAIT_UNTIL (g_strcmp0 (alarm_state (second, id), "active_acknowledged") == 0, 20);
  DC_TEST_WAIT_UNTIL (dc_alarms_page_get_n_unacknowledged (page2) == 0, 10);
  /* The server's journal has the acknowledgement. */
  {
    g_autoptr(DcReply) journal = dc_http (d.server->base, "GET", "/api/v1/alarms/journal", NULL);

    g_assert_nonnull (strstr (journal->body, "\"active_acknowledged\""));
  }
  /* The journal of the page comes from the server too. */
  dc_alarms_page_refresh (page2);
  DC_TEST_WAIT_UNTIL (g_list_model_get_n_items (dc_alarms_page_get_journal (page2)) >= 2, 10);

  close_desk (app2, window2);
  desk_teardown (&d);
}

static void
record_done (const GError *error,
             gpointer      user_data)
{
  *(char **) user_data = g_strdup (error ? error->message : "ok");
}

static gboolean
page_idle (gpointer data)
{
  return !dc_audit_page_is_loading (data);
}

/* The row of the Audit page that records @action by @user on @target, NULL if none. */
static const DcAuditRow *
page_row (DcAuditPage *page,
          const char  *user,
          const char  *action,
          const char  *target)
{
  GListModel *model = dc_audit_page_get_model (page);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(DcAuditItem) item = g_list_model_get_item (model, i);
      const DcAuditRow *row = dc_audit_item_get_row (item);

      if (g_strcmp0 (row->user, user) == 0 && g_strcmp0 (row->action, action) == 0 &&
          g_strcmp0 (row->target, target) == 0)
        return row;  /* the model keeps the item */
    }
  return NULL;
}

/* A desk logged in as carol (an admin, who may also read the audit log) sends a control; it
 * reaches the simulator, and the server's audit log names her: in GET /api/v1/audit (read as
 * another admin) and on the desk's own Audit page, which reads the server's log through the
 * plant connection. */
static void
test_audit (void)
{
  static const char *users[] = { "root:admin:admin password 1",
                                 "carol:admin:carol password 2", NULL };
  Desk d = { 0 };
  g_autofree char *login = NULL;
  g_autofree char *url = NULL;
  DcPlantModel *plant;
  DcAuditPage *page;
  const DcAuditRow *row;
  GtkWindow *dialog;
  int finished = 0;

  desk_start (&d, users, FALSE);
  dc_remote_source_login (d.source, "carol", "carol password 2", record_done, &login);
  DC_TEST_WAIT_UNTIL (login != NULL, 20);
  g_assert_cmpstr (login, ==, "ok");
  d.window = open_desk (&d.app, d.source);
  plant = plant_of (d.app);
  wait_connected (d.source, 1);
  g_assert_cmpstr (dc_plant_source_get_user (DC_PLANT_SOURCE (d.source)), ==, "carol");
  DC_TEST_WAIT_UNTIL (dc_plant_model_get_n_points (plant) == N_POINTS, 20);
  DC_TEST_WAIT_UNTIL (dc_device_node_get_state (dc_plant_model_lookup_device (plant, "m")) ==
                      DC_NODE_LINK_UP, 20);

  /* The control, through the desk's dialog. */
  dc_window_select (d.window, dc_plant_model_lookup_device (plant, "m"));
  dc_window_select (d.window, dc_plant_model_lookup_point_id (plant, "t1", "r3"));
  dialog = ui_activate_for_dialog (GTK_WINDOW (d.window), "win.control", DC_TYPE_CONTROL_DIALOG);
  g_assert_nonnull (dialog);
  g_signal_connect (dialog, "finished", G_CALLBACK (control_finished_cb), &finished);
  dc_control_dialog_set_value (DC_CONTROL_DIALOG (dialog), 2468);
  dc_control_dialog_set_confirmed (DC_CONTROL_DIALOG (dialog), TRUE);
  g_assert_true (dc_control_dialog_send (DC_CONTROL_DIALOG (dialog)));
  DC_TEST_WAIT_UNTIL (finished != 0, 30);
  g_assert_cmpint (finished, ==, 1);
  gtk_window_destroy (dialog);
  {
    /* The simulator has it: a read from the device now. */
    g_autoptr(DcReply) reply = dc_http_full (d.server->base, "POST", "/api/v1/device_call",
                                             "{\"device_id\":\"m\",\"term_id\":\"t1\",\"item_id\":\"r3\"}",
                                             -1, d.token);

    g_assert_cmpuint (reply->status, ==, 200);
    g_assert_nonnull (strstr (reply->body, "\"value\":2468"));
  }

  /* The server's audit log, read by root: the request and its result name carol. */
  {
    g_autoptr(DcReply) reply = dc_http_full (d.server->base, "GET",
                                             "/api/v1/audit?action=control&target=m",
                                             NULL, -1, d.token);
    g_autoptr(JsonNode) node = json_from_string (reply->body, NULL);
    JsonArray *rows;
    guint n_carol = 0;

    g_assert_cmpuint (reply->status, ==, 200);
    rows = json_node_get_array (node);
    g_assert_cmpuint (json_array_get_length (rows), >=, 2);
    for (guint i = 0; i < json_array_get_length (rows); i++)
      {
        JsonObject *o = json_array_get_object_element (rows, i);

        g_test_message ("audit: %s %s %s %s", json_object_get_string_member (o, "user"),
                        json_object_get_string_member (o, "action"),
                        json_object_get_string_member (o, "target"),
                        json_object_get_string_member (o, "result"));
        g_assert_cmpstr (json_object_get_string_member (o, "user"), ==, "carol");
        g_assert_cmpstr (json_object_get_string_member (o, "target"), ==, "m:t1:r3");
        n_carol++;
      }
    g_assert_cmpuint (n_carol, >=, 2);
  }

  /* The desk's Audit page: the same rows, from the server. */
  page = dc_window_get_audit_page (d.window);
  dc_window_set_view (d.window, "audit");
  ui_wait_for_frame (GTK_WIDGET (d.window));
  dc_audit_page_refresh (page);
  g_assert_true (ui_wait_until (page_idle, page, 10000));
  row = page_row (page, "carol", "control.result", "m:t1:r3");
  g_assert_nonnull (row);
  g_assert_cmpstr (row->role, ==, "admin");
  g_assert_cmpstr (row->result, ==, "ok");
  g_assert_nonnull (strstr (row->detail, "2468"));
  g_assert_nonnull (page_row (page, "carol", "control.request", "m:t1:r3"));
  /* carol's login is there too, and nothing on the page is local. */
  g_assert_null (page_row (page, "local", "control.result", "m:t1:r3"));
  ui_wait_for_frame (GTK_WIDGET (d.window));
  g_assert_nonnull (ui_find_inscription (GTK_WIDGET (page), "carol"));
  g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (d.window), "screenshot-remote-audit.png"),
                    >, 20);
  desk_teardown (&d);
}
int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  ui_test_add ("/dc/ui/remote/control", test_control);
  ui_test_add ("/dc/ui/remote/alarms", test_alarms);
  ui_test_add ("/dc/ui/remote/audit", test_audit);

  return g_test_run ();
}
