/* test-ui-remote.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* A desk on a server: live values, the trend of the server's history, the connection lost
 * and found again, "Connect to Server…" (docs/ui.md "The plant connection"). The desk itself
 * is tests/ui/ui-remote.c. */

#define G_LOG_DOMAIN "test-ui-remote"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "dc-connect-dialog.h"
#include "dc-control-dialog.h"
#include "dc-edit-dialog.h"
#include "ui-remote.h"

/* The desk shows the server's plant and its live values: the rows' values are the server's,
 * the device is up, the header names the server. */
static void
test_live_values (void)
{
  Desk d = { 0 };
  DcPlantModel *plant;
  DcDeviceNode *device;
  guint colours;

  desk_setup (&d);
  plant = plant_of (d.app);
  wait_connected (d.source, 1);
  DC_TEST_WAIT_UNTIL (dc_plant_model_get_n_points (plant) == N_POINTS, 20);
  device = dc_plant_model_lookup_device (plant, "m");
  g_assert_nonnull (device);
  g_assert_cmpstr (dc_device_node_get_name (device), ==, "Pump station");
  DC_TEST_WAIT_UNTIL (dc_device_node_get_state (device) == DC_NODE_LINK_UP, 20);
  for (guint i = 0; i < N_POINTS; i++)
    {
      g_autofree char *item = g_strdup_printf ("r%u", i);

      DC_TEST_WAIT_UNTIL (server_value (&d, i) >= 0, 20);
      DC_TEST_WAIT_UNTIL (row_has_value (plant, item, server_value (&d, i)), 20);
    }

  /* What the operator sees: the point table's cells and the header. */
  dc_window_select (d.window, device);
  ui_wait_for_frame (GTK_WIDGET (d.window));
  {
    DcPointRow *row = dc_plant_model_lookup_point_id (plant, "t1", "r2");

    DC_TEST_WAIT_UNTIL (ui_find_inscription (GTK_WIDGET (d.window),
                                             dc_point_row_get_value_text (row)) != NULL, 10);
  }
  g_assert_true (ui_find_inscription (GTK_WIDGET (d.window), "Register 2") != NULL);
  {
    g_autofree char *location = g_strdup_printf ("127.0.0.1:%u", d.port);

    g_assert_cmpstr (dc_plant_source_get_location (DC_PLANT_SOURCE (d.source)), ==, location);
  }
  colours = ui_render_png_settled (GTK_WIDGET (d.window), "screenshot-remote-connected.png");
  g_assert_cmpuint (colours, >, 20);

  /* The Device page's link counters are the server's (GET …/status through the source). */
  dc_window_set_view (d.window, "device");
  ui_wait_for_frame (GTK_WIDGET (d.window));
  DC_TEST_WAIT_UNTIL (dc_link_counters_get_text (dc_window_get_link_counters (d.window),
                                                 "frames_in") != NULL, 10);
  g_test_message ("frames in: %s", dc_link_counters_get_text (dc_window_get_link_counters (d.window),
                                                               "frames_in"));
  desk_teardown (&d);
}

/* The Trend page of a desk draws the server's history (…/datas?buckets=N). */
static void
test_trend_history (void)
{
  Desk d = { 0 };
  DcPlantModel *plant;
  DcPointRow *row;
  DcTrendView *mini;

  desk_setup (&d);
  plant = plant_of (d.app);
  wait_connected (d.source, 1);
  DC_TEST_WAIT_UNTIL (dc_plant_model_get_n_points (plant) == N_POINTS, 20);
  /* History on the server first: a few polls stored. */
  DC_TEST_WAIT_UNTIL (({ g_autoptr(DcReply) r = dc_http (d.server->base, "GET",
                                                         "/api/v1/devices/m/terms/t1/items/r1/datas?limit=3",
                                                         NULL);
                         r->status == 200 && strlen (r->body) > 40; }), 30);
  row = dc_plant_model_lookup_point_id (plant, "t1", "r1");
  dc_window_select (d.window, dc_plant_model_lookup_device (plant, "m"));
  dc_window_select (d.window, row);
  mini = dc_window_get_mini_trend (d.window);
  ui_wait_for_frame (GTK_WIDGET (d.window));
  /* The mini trend of the selected point asks the server for its buckets. */
  DC_TEST_WAIT_UNTIL (dc_trend_view_get_n_buckets (mini, dc_point_row_get_key (row)) > 0, 30);
  /* Ctrl+T: the Trend page shows it too. */
  gtk_widget_activate_action (GTK_WIDGET (d.window), "win.trend", NULL);
  dc_window_set_view (d.window, "trend");
  ui_wait_for_frame (GTK_WIDGET (d.window));
  DC_TEST_WAIT_UNTIL (dc_trend_view_get_n_buckets (dc_window_get_trend_view (d.window),
                                                   dc_point_row_get_key (row)) > 0, 30);
  desk_teardown (&d);
}

/* Whether @widget is shown greyed as stale (an ancestor has the "stale" style class). */
static gboolean
is_stale (GtkWidget *widget)
{
  for (GtkWidget *w = widget; w != NULL; w = gtk_widget_get_parent (w))
    if (gtk_widget_has_css_class (w, "stale"))
      return TRUE;
  return FALSE;
}

/* The server killed: the banner, stale values, controls off; the server back on the same
 * port: the desk reconnects by itself, the banner goes, values flow again. */
static void
test_reconnect (void)
{
  Desk d = { 0 };
  DcPlantModel *plant;
  GtkRevealer *banner;
  DcPointRow *row;
  gint64 before;

  desk_setup (&d);
  plant = plant_of (d.app);
  wait_connected (d.source, 1);
  DC_TEST_WAIT_UNTIL (dc_plant_model_get_n_points (plant) == N_POINTS, 20);
  row = dc_plant_model_lookup_point_id (plant, "t1", "r0");
  DC_TEST_WAIT_UNTIL (dc_point_row_has_value (row), 20);
  dc_window_select (d.window, dc_plant_model_lookup_device (plant, "m"));
  dc_window_select (d.window, row);
  banner = GTK_REVEALER (ui_find_type (GTK_WIDGET (d.window), GTK_TYPE_REVEALER));
  g_assert_nonnull (banner);
  g_assert_false (gtk_revealer_get_reveal_child (banner));

  g_subprocess_send_signal (d.server->process, SIGKILL);
  g_subprocess_wait (d.server->process, NULL, NULL);
  DC_TEST_WAIT_UNTIL (dc_plant_source_get_state (DC_PLANT_SOURCE (d.source)) == DC_SOURCE_LOST, 20);
  DC_TEST_WAIT_UNTIL (gtk_revealer_get_reveal_child (banner), 5);
  /* Controls and edits are off while the values are stale. */
  g_assert_null (ui_activate_for_dialog (GTK_WINDOW (d.window), "win.control",
                                         DC_TYPE_CONTROL_DIALOG));
  g_assert_null (ui_activate_for_dialog (GTK_WINDOW (d.window), "win.edit", DC_TYPE_EDIT_DIALOG));
  g_assert_true (is_stale (GTK_WIDGET (dc_window_get_point_table (d.window))));
  /* The last values stay, greyed. */
  g_assert_true (dc_point_row_has_value (row));
  ui_wait_for_frame (GTK_WIDGET (d.window));
  g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (d.window), "screenshot-remote-lost.png"), >, 20);

  /* The server restarts on its port, with its database. */
  g_clear_object (&d.server->process);
  {
    DcTestServer *old = d.server;

    d.server = start_server (d.db, d.port);
    g_object_unref (old->err);
    g_free (old->base);
    g_free (old->log);
    g_clear_object (&old->rest);
    g_free (old);
  }
  before = dc_point_row_get_time (row);
  wait_connected (d.source, 2);
  DC_TEST_WAIT_UNTIL (!gtk_revealer_get_reveal_child (banner), 5);
  g_assert_false (is_stale (GTK_WIDGET (dc_window_get_point_table (d.window))));
  DC_TEST_WAIT_UNTIL (dc_point_row_get_time (row) > before, 20);
  g_assert_cmpuint (dc_plant_model_get_n_points (plant), ==, N_POINTS);
  desk_teardown (&d);
}

/* The child of this process whose command line has @arg, 0 if none. */
static GPid
child_with_arg (const char *arg)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/task/%d/children", getpid (), getpid ());
  g_autofree char *list = NULL;
  g_auto(GStrv) pids = NULL;

  if (!g_file_get_contents (path, &list, NULL, NULL))
    return 0;
  pids = g_strsplit (g_strstrip (list), " ", -1);
  for (guint i = 0; pids[i] != NULL; i++)
    {
      g_autofree char *cmdline_path = g_strdup_printf ("/proc/%s/cmdline", pids[i]);
      g_autofree char *cmdline = NULL;
      gsize len = 0;

      if (pids[i][0] == '\0' || !g_file_get_contents (cmdline_path, &cmdline, &len, NULL))
        continue;
      for (gsize at = 0; at < len; at += strlen (cmdline + at) + 1)
        if (g_str_equal (cmdline + at, arg))
          return (GPid) g_ascii_strtoll (pids[i], NULL, 10);
    }
  return 0;
}

/* A server reached is remembered (GSettings recent-servers) and offered by "Connect to
 * Server…", which opens a new desk process on it (`datacoll --connect URL`). */
static void
test_connect_dialog (void)
{
  Desk d = { 0 };
  GSettings *settings;
  g_auto(GStrv) recent = NULL;
  GtkWindow *dialog;
  GPid child = 0;

  desk_setup (&d);
  wait_connected (d.source, 1);
  settings = dc_application_get_settings (d.app);
  g_assert_nonnull (settings);
  recent = g_settings_get_strv (settings, "recent-servers");
  g_assert_cmpstr (recent[0], ==, d.server->base);

  dialog = ui_activate_for_dialog (GTK_WINDOW (d.window), "app.connect-server",
                                   ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_cmpuint (dc_connect_dialog_get_n_recent (GTK_WIDGET (dialog)), ==, 1);
  g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (dialog), "screenshot-remote-connect.png"), >, 8);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "connect");
  DC_TEST_WAIT_UNTIL ((child = child_with_arg ("--connect")) != 0, 20);
  g_assert_cmpint (child_with_arg (d.server->base), ==, child);
  kill (child, SIGTERM);
  desk_teardown (&d);
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  ui_test_add ("/dc/ui/remote/live-values", test_live_values);
  ui_test_add ("/dc/ui/remote/trend-history", test_trend_history);
  ui_test_add ("/dc/ui/remote/reconnect", test_reconnect);
  ui_test_add ("/dc/ui/remote/connect-dialog", test_connect_dialog);

  return g_test_run ();
}
