/* test-ui-remote.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* A desk on a server (docs/ui.md "The plant connection"): a separate `datacoll` server process
 * polling a real Modbus simulator (datacoll-sim), and in this process the workstation's window
 * over the remote plant connection, as `datacoll --connect URL` builds it. */

#define G_LOG_DOMAIN "test-ui-remote"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "dc-connect-dialog.h"
#include "dc-control-dialog.h"
#include "dc-edit-dialog.h"
#include "dc-login-dialog.h"
#include "dc-remote-source.h"
#include "dc-test-http.h"
#include "dc-test-server.h"
#include "dc-test-sim.h"
#include "dc-test-ui.h"
#include "dc-test-wait.h"

#define N_POINTS 5

typedef struct
{
  char           *dir;
  char           *db;
  DcTestSim      *sim;
  DcTestServer   *server;
  guint           port;
  DcApplication  *app;
  DcWindow       *window;
  DcRemoteSource *source;
} Desk;

static DcTestServer *
start_server (const char *db,
              guint       port)
{
  g_autofree char *port_text = g_strdup_printf ("%u", port);

  return dc_test_server_start ((const char *[]) { "--server", "--port", port_text, "--db", db,
                                                  NULL });
}

static void
post (const char *base,
      const char *path,
      const char *body)
{
  g_autoptr(DcReply) reply = dc_http (base, "POST", path, body);

  if (reply->status != 200)
    g_error ("POST %s %s: %u %s", path, body, reply->status, reply->body);
}

/* Device "m" (Modbus TCP on the simulator, 100 ms polls), term "t1", items r0…r4, points on
 * holding registers 0…4 with their history. */
static void
configure_plant (Desk *d)
{
  g_autofree char *device = g_strdup_printf ("{\"id\":\"m\",\"name\":\"Pump station\","
                                             "\"protocol\":\"modbus_tcp\",\"ip\":\"127.0.0.1\","
                                             "\"port\":%u,\"poll_ms\":100}", d->sim->ports[0]);

  post (d->server->base, "/api/v1/devices", device);
  post (d->server->base, "/api/v1/terms", "{\"id\":\"t1\",\"device_id\":\"m\",\"address\":1}");
  for (guint i = 0; i < N_POINTS; i++)
    {
      g_autofree char *item = g_strdup_printf ("{\"id\":\"r%u\",\"name\":\"Register %u\"}", i, i);
      g_autofree char *point = g_strdup_printf ("{\"item_id\":\"r%u\",\"protocol_code\":%u,"
                                                "\"code_type\":\"hr:u16\",\"history\":\"all\"}",
                                                i, i);

      post (d->server->base, "/api/v1/items", item);
      post (d->server->base, "/api/v1/terms/t1/items", point);
    }
}

static DcWindow *
open_desk (DcApplication  **app,
           DcRemoteSource  *source)
{
  DcWindow *window;

  *app = dc_application_new (G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (*app), NULL, NULL));
  dc_application_set_source (*app, DC_PLANT_SOURCE (source));
  g_application_activate (G_APPLICATION (*app));
  window = DC_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (*app)));
  g_assert_nonnull (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 700);
  ui_wait_for_frame (GTK_WIDGET (window));
  return window;
}

static void
desk_setup (Desk *d)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  const char *colon;

  d->dir = dc_test_make_dir ();
  d->db = g_build_filename (d->dir, "server.db", NULL);
  d->sim = dc_test_sim_spawn ("--port", "0", "--static", NULL);
  d->server = start_server (d->db, 0);
  colon = strrchr (d->server->base, ':');
  d->port = (guint) g_ascii_strtoull (colon + 1, NULL, 10);
  configure_plant (d);

  d->source = dc_remote_source_new (d->server->base, NULL, &error);
  g_assert_no_error (error);
  d->window = open_desk (&d->app, d->source);
}

static void
desk_teardown (Desk *d)
{
  gtk_window_destroy (GTK_WINDOW (d->window));
  dc_application_set_source (d->app, NULL);
  g_object_unref (d->app);
  g_object_unref (d->source);
  if (d->server != NULL)
    dc_test_server_stop (d->server);
  dc_test_sim_kill (d->sim);
  g_free (d->db);
  g_free (d->dir);
}

static DcPlantModel *
plant_of (DcApplication *app)
{
  return dc_application_get_plant (app);
}

/* The value the server has for point r@i (GET /api/v1/values), -1 when none yet. */
static double
server_value (Desk  *d,
              guint  i)
{
  g_autoptr(DcReply) reply = dc_http (d->server->base, "GET", "/api/v1/values?device_id=m", NULL);
  g_autoptr(JsonNode) root = json_from_string (reply->body, NULL);
  g_autofree char *item = g_strdup_printf ("r%u", i);
  JsonArray *array;

  g_assert_cmpuint (reply->status, ==, 200);
  array = json_node_get_array (root);
  for (guint k = 0; k < json_array_get_length (array); k++)
    {
      JsonObject *o = json_array_get_object_element (array, k);

      if (g_strcmp0 (json_object_get_string_member (o, "item_id"), item) == 0)
        return json_object_get_double_member (o, "value");
    }
  return -1;
}

static gboolean
row_has_value (DcPlantModel *plant,
               const char   *item,
               double        value)
{
  DcPointRow *row = dc_plant_model_lookup_point_id (plant, "t1", item);

  return row != NULL && dc_point_row_has_value (row) && dc_point_row_get_value (row) == value;
}

static void
wait_connected (DcRemoteSource *source,
                guint           n_connects)
{
  DC_TEST_WAIT_UNTIL (dc_plant_source_get_state (DC_PLANT_SOURCE (source)) == DC_SOURCE_CONNECTED &&
                      dc_remote_source_get_n_connects (source) >= n_connects, 30);
}

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

  post (d.server->base, "/api/v1/items", "{\"id\":\"r9\",\"name\":\"Register 9\"}");
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

  gtk_window_destroy (GTK_WINDOW (window2));
  dc_application_set_source (app2, NULL);
  g_object_unref (app2);
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

static gboolean
find_dialog (gpointer data)
{
  AdwMessageDialog **out = data;
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_widget_get_visible (GTK_WIDGET (w)))
        {
          *out = ADW_MESSAGE_DIALOG (w);
          return TRUE;
        }
    }
  return FALSE;
}

static const char *
alarm_state (DcRemoteSource *source,
             gint64          id)
{
  g_autoptr(JsonObject) alarm = dc_plant_source_get_alarm (DC_PLANT_SOURCE (source), id);
  static char state[64];

  g_strlcpy (state, alarm ? json_object_get_string_member_with_default (alarm, "state", "") : "",
             sizeof state);
  return state;
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

  gtk_window_destroy (GTK_WINDOW (window2));
  dc_application_set_source (app2, NULL);
  g_object_unref (app2);
  desk_teardown (&d);
}

static gboolean
alarm_acked (gpointer data)
{
  gpointer *args = data;

  return g_strcmp0 (alarm_state (args[0], *(gint64 *) args[1]), "active_acknowledged") == 0;
}

static void
record_error (const GError *error,
              gpointer      user_data)
{
  *(char **) user_data = g_strdup (error ? error->message : "ok");
}

static guint
n_alarms (DcRemoteSource *source)
{
  g_autoptr(JsonArray) list = dc_plant_source_list_alarms (DC_PLANT_SOURCE (source), FALSE);

  return json_array_get_length (list);
}

static GtkWidget *
find_label (GtkWidget  *widget,
            const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_label (c, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* `datacoll user add NAME --role ROLE --db DB` with the password on standard input. */
static void
add_user (const char *db,
          const char *name,
          const char *role,
          const char *password)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *input = g_strdup_printf ("%s\n", password);
  g_autofree char *err = NULL;

  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", g_get_home_dir (), TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("DATACOLL"), "user", "add",
                                         name, "--role", role, "--db", db, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (process))
    g_error ("datacoll user add: %s", err);
}

/* A server with users: the desk's first request gets 401, the login dialog opens by itself; a
 * wrong password shows the server's refusal, the right one connects, the header names the
 * user and role, and the desk's actions are the user's (an acknowledgement in the server's
 * journal names her). */
static void
test_login (void)
{
  Desk d = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) list = NULL;
  AdwMessageDialog *dialog = NULL;
  GtkWidget *user_label;
  gint64 id;

  d.dir = dc_test_make_dir ();
  d.db = g_build_filename (d.dir, "server.db", NULL);
  d.sim = dc_test_sim_spawn ("--port", "0", "--static", NULL);
  add_user (d.db, "alice", "operator", "correct horse battery");
  add_user (d.db, "root", "admin", "admin password 1");
  d.server = start_server (d.db, 0);
  d.port = (guint) g_ascii_strtoull (strrchr (d.server->base, ':') + 1, NULL, 10);
  {
    /* The plant is set up by an engineer's session (an admin here). */
    g_autoptr(DcReply) login = dc_http (d.server->base, "POST", "/api/v1/login",
                                        "{\"user\":\"root\",\"password\":\"admin password 1\"}");
    g_autoptr(JsonNode) node = json_from_string (login->body, NULL);
    const char *token = json_object_get_string_member (json_node_get_object (node), "token");
    g_autofree char *device = g_strdup_printf ("{\"id\":\"m\",\"protocol\":\"modbus_tcp\","
                                               "\"ip\":\"127.0.0.1\",\"port\":%u,"
                                               "\"poll_ms\":100}", d.sim->ports[0]);
    const char *bodies[][2] = {
      { "/api/v1/devices", device },
      { "/api/v1/terms", "{\"id\":\"t1\",\"device_id\":\"m\",\"address\":1}" },
      { "/api/v1/items", "{\"id\":\"r2\",\"name\":\"Register 2\"}" },
      { "/api/v1/terms/t1/items", "{\"item_id\":\"r2\",\"protocol_code\":2,"
                                  "\"code_type\":\"hr:u16\",\"up_limit\":1}" },
    };

    g_assert_cmpuint (login->status, ==, 200);
    for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
      {
        g_autoptr(DcReply) r = dc_http_full (d.server->base, "POST", bodies[i][0], bodies[i][1],
                                             -1, token);

        g_assert_cmpuint (r->status, ==, 200);
      }
  }

  d.source = dc_remote_source_new (d.server->base, NULL, &error);
  g_assert_no_error (error);
  d.window = open_desk (&d.app, d.source);
  DC_TEST_WAIT_UNTIL (dc_plant_source_get_state (DC_PLANT_SOURCE (d.source)) == DC_SOURCE_LOGIN, 20);
  g_assert_true (ui_wait_until (find_dialog, &dialog, 5000));
  g_assert_nonnull (strstr (gtk_window_get_title (GTK_WINDOW (dialog)), "Log In to 127.0.0.1:"));
  ui_wait_for_frame (GTK_WIDGET (d.window));
  g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (dialog), "screenshot-remote-login.png"), >, 8);

  /* A wrong password: the server's refusal, in the dialog shown again. */
  dc_login_dialog_set_credentials (GTK_WIDGET (dialog), "alice", "wrong password");
  adw_message_dialog_response (dialog, "login");
  gtk_window_destroy (GTK_WINDOW (dialog));
  dialog = NULL;
  DC_TEST_WAIT_UNTIL (find_dialog (&dialog) &&
                      strstr (dc_login_dialog_get_text (GTK_WIDGET (dialog)) ?: "",
                              "invalid user or password!") != NULL, 20);
  dc_login_dialog_set_credentials (GTK_WIDGET (dialog), "alice", "correct horse battery");
  adw_message_dialog_response (dialog, "login");
  gtk_window_destroy (GTK_WINDOW (dialog));
  wait_connected (d.source, 1);
  g_assert_cmpstr (dc_plant_source_get_user (DC_PLANT_SOURCE (d.source)), ==, "alice");
  g_assert_cmpstr (dc_plant_source_get_role (DC_PLANT_SOURCE (d.source)), ==, "operator");
  /* The header names her. */
  ui_wait_for_frame (GTK_WIDGET (d.window));
  user_label = find_label (GTK_WIDGET (d.window), "alice (operator)");
  g_assert_nonnull (user_label);
  g_assert_true (gtk_widget_get_visible (user_label));
  DC_TEST_WAIT_UNTIL (dc_plant_model_get_n_points (plant_of (d.app)) == 1, 20);
  ui_wait_for_frame (GTK_WIDGET (d.window));
  g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (d.window), "screenshot-remote-user.png"), >, 20);
  /* An operator may control, not configure: the edit actions are off and say why. */
  g_assert_null (ui_activate_for_dialog (GTK_WINDOW (d.window), "win.edit", DC_TYPE_EDIT_DIALOG));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (ui_find_type (GTK_WIDGET (d.window),
                                                              GTK_TYPE_MENU_BUTTON)), ==,
                   "Changing the configuration needs the engineer role");

  /* Alice acknowledges the alarm of r2 (2 > 1): the server's journal names her. */
  DC_TEST_WAIT_UNTIL (n_alarms (d.source) == 1, 30);
  list = dc_plant_source_list_alarms (DC_PLANT_SOURCE (d.source), FALSE);
  id = json_object_get_int_member (json_array_get_object_element (list, 0), "id");
  dialog = NULL;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dc_window_get_alarms_page (d.window)),
                                             "alarms.ack", "x", id));
  g_assert_true (ui_wait_until (find_dialog, &dialog, 5000));
  adw_message_dialog_response (dialog, "ack");
  gtk_window_destroy (GTK_WINDOW (dialog));
  if (!ui_wait_until (alarm_acked, &(gpointer[]) { d.source, &id }, 5000))
    {
      char *text = NULL;

      dc_plant_source_alarm_action (DC_PLANT_SOURCE (d.source), id, FALSE, 0, NULL, record_error,
                                    &text);
      DC_TEST_WAIT_UNTIL (text != NULL, 10);
      g_error ("state %s; a direct acknowledgement: %s", alarm_state (d.source, id), text);
    }
  {
    g_autoptr(DcReply) login = dc_http (d.server->base, "POST", "/api/v1/login",
                                        "{\"user\":\"root\",\"password\":\"admin password 1\"}");
    g_autoptr(JsonNode) node = json_from_string (login->body, NULL);
    const char *token = json_object_get_string_member (json_node_get_object (node), "token");
    g_autoptr(DcReply) journal = dc_http_full (d.server->base, "GET", "/api/v1/alarms/journal",
                                               NULL, -1, token);

    g_test_message ("journal: %s", journal->body);
    g_assert_nonnull (strstr (journal->body, "\"user\":\"alice\""));
  }
  desk_teardown (&d);
}

/* Runs @argv to completion; its standard output, which must be a success. */
static char *
run_tool (const char * const *argv)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                     G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));
  return out;
}

/* A server with a self-signed certificate (openssl req -x509): the desk refuses it and shows
 * its SHA-256 fingerprint (the one `openssl x509 -fingerprint -sha256` prints); trusted, it is
 * remembered for that server and the desk connects; a desk that trusts another fingerprint
 * is refused again. */
static void
test_tls (void)
{
  g_autofree char *dir = dc_test_make_dir ();
  g_autofree char *db = g_build_filename (dir, "server.db", NULL);
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  g_autofree char *printed = NULL;
  g_autofree char *location = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DcRemoteSource) source = NULL;
  g_autoptr(DcRemoteSource) other = NULL;
  g_autoptr(GVariant) trusted = NULL;
  DcApplication *app = NULL;
  DcWindow *window;
  DcTestServer *server;
  AdwMessageDialog *dialog = NULL;
  g_autofree char *fingerprint = NULL;
  const char *remembered = NULL;
  const char *req[] = { "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "2", "-subj", "/CN=localhost", "-addext",
                        "subjectAltName=IP:127.0.0.1,DNS:localhost", NULL };
  const char *x509[] = { "openssl", "x509", "-in", cert, "-noout", "-fingerprint", "-sha256",
                         NULL };

  g_free (run_tool (req));
  printed = run_tool (x509);
  g_strstrip (printed);
  server = dc_test_server_start ((const char *[]) { "--server", "--port", "0", "--db", db,
                                                    "--tls-cert", cert, "--tls-key", key, NULL });
  g_assert_true (g_str_has_prefix (server->base, "https://127.0.0.1:"));
  location = g_strdup (server->base + strlen ("https://"));

  source = dc_remote_source_new (server->base, NULL, &error);
  g_assert_no_error (error);
  window = open_desk (&app, source);
  DC_TEST_WAIT_UNTIL (dc_plant_source_get_state (DC_PLANT_SOURCE (source)) == DC_SOURCE_TRUST, 20);
  fingerprint = g_strdup (dc_remote_source_get_pending_fingerprint (source));
  g_test_message ("openssl: %s; desk: %s", printed, fingerprint);
  g_assert_nonnull (fingerprint);
  g_assert_true (g_str_has_suffix (printed, fingerprint));
  g_assert_cmpuint (strlen (fingerprint), ==, 32 * 3 - 1);

  /* The dialog came by itself; trusted, the desk connects and remembers it. */
  g_assert_true (ui_wait_until (find_dialog, &dialog, 5000));
  g_assert_nonnull (strstr (gtk_window_get_title (GTK_WINDOW (dialog)), location));
  g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (dialog), "screenshot-remote-trust.png"), >, 8);
  adw_message_dialog_response (dialog, "trust");
  gtk_window_destroy (GTK_WINDOW (dialog));
  wait_connected (source, 1);
  trusted = g_settings_get_value (dc_application_get_settings (app), "trusted-certificates");
  g_assert_true (g_variant_lookup (trusted, location, "&s", &remembered));
  g_assert_cmpstr (remembered, ==, fingerprint);

  /* Another fingerprint trusted for this server: refused. */
  other = dc_remote_source_new (server->base, NULL, &error);
  dc_remote_source_set_trusted_fingerprint (other, "00:11:22");
  dc_plant_source_attach (DC_PLANT_SOURCE (other), dc_plant_model_new ());
  DC_TEST_WAIT_UNTIL (dc_plant_source_get_state (DC_PLANT_SOURCE (other)) == DC_SOURCE_TRUST, 20);
  dc_plant_source_detach (DC_PLANT_SOURCE (other));

  gtk_window_destroy (GTK_WINDOW (window));
  dc_application_set_source (app, NULL);
  g_object_unref (app);
  dc_test_server_stop (server);
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
  ui_test_add ("/dc/ui/remote/control", test_control);
  ui_test_add ("/dc/ui/remote/two-desks", test_two_desks);
  ui_test_add ("/dc/ui/remote/reconnect", test_reconnect);
  ui_test_add ("/dc/ui/remote/connect-dialog", test_connect_dialog);
  ui_test_add ("/dc/ui/remote/alarms", test_alarms);
  ui_test_add ("/dc/ui/remote/login", test_login);
  ui_test_add ("/dc/ui/remote/tls", test_tls);

  return g_test_run ();
}
