/* test-ui-sparkplug.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The Sparkplug B edge node on the workstation (docs/sparkplug.md): its page of the
 * Preferences writes the [sparkplug] group that the server's settings parser reads back, and
 * refuses what the server would refuse; the Device page shows the running edge node's state and
 * counters (the real DcSparkplugNode, no broker on its port) and hides them when it stops.
 */

#include "config.h"

#include "dc-preferences-window.h"
#include "dc-sparkplug-node.h"
#include "dc-sparkplug-prefs.h"
#include "dc-sparkplug-settings.h"
#include "dc-sparkplug-status.h"

#include "dc-test-ui.h"

static void
apply_text (DcSparkplugPrefs *page,
            const char       *key,
            const char       *text)
{
  GtkWidget *row = dc_sparkplug_prefs_get_widget (page, key);

  g_assert_nonnull (row);
  gtk_editable_set_text (GTK_EDITABLE (row), text);
  g_signal_emit_by_name (row, "apply");
}

static void
test_preferences (void)
{
  g_autofree char *dir = g_dir_make_tmp ("dc-ui-sparkplug-XXXXXX", NULL);
  g_autofree char *conf = g_build_filename (dir, "datacoll.conf", NULL);
  g_autoptr(DcSparkplugSettings) settings = dc_sparkplug_settings_new ();
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  DcPreferencesWindow *prefs;
  DcSparkplugPrefs *page;

  g_assert_true (g_file_set_contents (conf, "# kept\n[server]\nport=9000\n\n[sparkplug]\n"
                                      "group_id=Plant\n", -1, NULL));
  prefs = dc_preferences_window_new (NULL, NULL, conf);
  gtk_window_present (GTK_WINDOW (prefs));
  ui_wait_for_frame (GTK_WIDGET (prefs));
  page = DC_SPARKPLUG_PREFS (ui_find_type (GTK_WIDGET (prefs), DC_TYPE_SPARKPLUG_PREFS));
  g_assert_nonnull (page);
  adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (prefs),
                                           ADW_PREFERENCES_PAGE (page));
  g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (prefs),
                                           "screenshot-preferences-sparkplug.png"), >, 8);

  /* What the file says is shown; the defaults otherwise. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (dc_sparkplug_prefs_get_widget (page,
                   "group_id"))), ==, "Plant");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (dc_sparkplug_prefs_get_widget (page,
                   "edge_node_id"))), ==, "datacoll");

  gtk_switch_set_active (GTK_SWITCH (dc_sparkplug_prefs_get_widget (page, "enabled")), TRUE);
  apply_text (page, "host", "broker.plant");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (dc_sparkplug_prefs_get_widget (page, "port")),
                             8883);
  apply_text (page, "edge_node_id", "line-3");
  apply_text (page, "primary_host_id", "scada");
  apply_text (page, "username", "edge");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (dc_sparkplug_prefs_get_widget (page,
                                                                             "queue_mb")), 64);
  /* Refused, as the server would refuse them: nothing written. */
  apply_text (page, "group_id", "a/b");
  apply_text (page, "primary_host_id", "x#");
  apply_text (page, "host", "  ");

  g_assert_true (g_key_file_load_from_file (keyfile, conf, G_KEY_FILE_KEEP_COMMENTS, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_key_file_get_integer (keyfile, "server", "port", NULL), ==, 9000);
  text = g_key_file_get_comment (keyfile, "server", NULL, NULL);
  g_assert_nonnull (strstr (text, "kept"));

  /* The server's own parser reads what the page wrote. */
  g_assert_true (dc_sparkplug_settings_load (settings, conf, &error));
  g_assert_no_error (error);
  g_assert_true (settings->enabled);
  g_assert_cmpstr (settings->host, ==, "broker.plant");
  g_assert_cmpuint (settings->port, ==, 8883);
  g_assert_cmpstr (settings->group_id, ==, "Plant");
  g_assert_cmpstr (settings->edge_node_id, ==, "line-3");
  g_assert_cmpstr (settings->primary_host_id, ==, "scada");
  g_assert_cmpstr (settings->username, ==, "edge");
  g_assert_cmpuint (settings->queue_mb, ==, 64);

  gtk_window_destroy (GTK_WINDOW (prefs));
  dc_test_remove_dir (dir);
}

static gboolean
status_says_connecting (gpointer data)
{
  dc_sparkplug_status_refresh (data);
  return g_strcmp0 (dc_sparkplug_status_get_text (data, "state"), "Connecting") == 0;
}

static void
test_status (void)
{
  UiPlant f = { 0 };
  g_autoptr(DcSparkplugSettings) settings = dc_sparkplug_settings_new ();
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *broker = NULL;
  DcSparkplugNode *node;
  DcSparkplugStatus *status;

  ui_plant_setup (&f, FALSE, NULL);
  ui_plant_open_window (&f);
  status = DC_SPARKPLUG_STATUS (ui_find_type (GTK_WIDGET (f.window), DC_TYPE_SPARKPLUG_STATUS));
  g_assert_nonnull (status);
  /* No edge node: hidden. */
  dc_sparkplug_status_refresh (status);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (status)));

  /* A port with nobody behind it (bound, not listening): the node keeps connecting. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         NULL);
  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  settings->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  settings->queue_path = g_build_filename (f.dir, "plant-sparkplug.db", NULL);
  node = dc_sparkplug_node_new (f.engine, settings);
  g_assert_true (dc_sparkplug_node_start (node, &error));
  g_assert_no_error (error);

  g_assert_true (ui_wait_until (status_says_connecting, status, 5000));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (status)));
  broker = g_strdup_printf ("127.0.0.1:%u", settings->port);
  g_assert_cmpstr (dc_sparkplug_status_get_text (status, "broker"), ==, broker);
  g_assert_cmpstr (dc_sparkplug_status_get_text (status, "primary_host_online"), ==, "None");
  g_assert_cmpstr (dc_sparkplug_status_get_text (status, "births"), ==, "0");
  g_assert_cmpstr (dc_sparkplug_status_get_text (status, "queued"), ==, "0");
  g_assert_cmpstr (dc_sparkplug_status_get_text (status, "dropped"), ==, "0");

  g_object_unref (node);
  dc_sparkplug_status_refresh (status);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (status)));
  ui_plant_teardown (&f);
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  ui_test_add ("/dc/ui/sparkplug/preferences", test_preferences);
  ui_test_add ("/dc/ui/sparkplug/status", test_status);

  return g_test_run ();
}
