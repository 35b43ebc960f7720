/* test-ui-device.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* The Device page (docs/ui.md "Device page"): where the device is (address, port, common
 * address or unit id) and one set of link counters from one source, locally and on a desk of a
 * separate datacoll server; and the narrow window (docs/ui.md "Narrow windows"): the AdwLeaflet
 * folds and the values stay in view. */

#define G_LOG_DOMAIN "test-ui-device"

#include "config.h"

#include <string.h>

#include "dc-point-table.h"
#include "dc-remote-source.h"
#include "dc-test-http.h"
#include "dc-test-server.h"
#include "dc-test-sim.h"
#include "dc-test-ui.h"
#include "dc-test-wait.h"

/* Every AdwActionRow titled @title under @widget, in the page's order. */
static void
collect_rows (GtkWidget  *widget,
              const char *title,
              GPtrArray  *rows)
{
  if (ADW_IS_ACTION_ROW (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    g_ptr_array_add (rows, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_rows (child, title, rows);
}

static GtkWidget *
device_page (DcWindow *window)
{
  AdwViewStack *stack = ADW_VIEW_STACK (ui_find_type (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK));

  return adw_view_stack_get_child_by_name (stack, "device");
}

/* The one visible row titled @title on the Device page (there must be exactly one). */
static AdwActionRow *
page_row (DcWindow   *window,
          const char *title)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  AdwActionRow *visible = NULL;

  collect_rows (device_page (window), title, rows);
  for (guint i = 0; i < rows->len; i++)
    if (gtk_widget_is_visible (g_ptr_array_index (rows, i)))
      {
        g_assert_null (visible);
        visible = g_ptr_array_index (rows, i);
      }
  return visible;
}

static const char *
row_subtitle (DcWindow   *window,
              const char *title)
{
  AdwActionRow *row = page_row (window, title);

  if (row == NULL)
    g_error ("the Device page has no visible row \"%s\"", title);
  return adw_action_row_get_subtitle (row);
}

/* The counter's label in a row of the link counters (style class "numeric"). */
static GtkWidget *
numeric_label (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "numeric"))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = numeric_label (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The rows titled "Reconnects" on the Device page: exactly one, with the counter's text (a
 * label suffix of the link counters). */
static const char *
reconnects_shown (DcWindow *window)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  GtkWidget *label;

  collect_rows (device_page (window), "Reconnects", rows);
  for (guint i = rows->len; i > 0; i--)
    if (!gtk_widget_is_visible (g_ptr_array_index (rows, i - 1)))
      g_ptr_array_remove_index (rows, i - 1);
  g_assert_cmpuint (rows->len, ==, 1);
  label = numeric_label (g_ptr_array_index (rows, 0));
  g_assert_nonnull (label);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (label)), ==,
                   dc_link_counters_get_text (dc_window_get_link_counters (window), "reconnects"));
  return dc_link_counters_get_text (dc_window_get_link_counters (window), "reconnects");
}

static gboolean
select_device (DcWindow   *window,
               const char *id)
{
  DcDeviceNode *node = dc_plant_model_lookup_device (dc_window_get_plant (window), id);

  return node != NULL && dc_window_select (window, node);
}

/* A Modbus TCP device "plc" on the in-process simulator, with a timeout that a loaded machine
 * (the simulator answers on the main loop, between frames) does not reach. */
static void
add_plc (UiPlant *f)
{
  g_autofree char *json = g_strdup_printf ("{\"id\":\"plc\",\"name\":\"Pump PLC\","
                                           "\"protocol\":\"modbus_tcp\",\"ip\":\"127.0.0.1\","
                                           "\"port\":%u,\"poll_ms\":200,\"timeout_ms\":5000}",
                                           f->modbus_port);

  dc_test_store_create (f->store, DC_KIND_DEVICE, json);
}

static guint64
driver_reconnects (UiPlant    *f,
                   const char *id)
{
  DcDriver *driver = dc_engine_drivers_get_driver (dc_engine_get_drivers (f->engine), id);
  DcDriverCounters counters = { 0, };

  g_assert_nonnull (driver);
  dc_driver_get_counters (driver, &counters);
  return counters.reconnects;
}

static gboolean
stopdt_cb (gpointer user_data)
{
  dc_iec104_sim_send_stopdt (user_data);
  return G_SOURCE_REMOVE;
}

/* Local plant: a Modbus TCP device, an IEC 104 device and a disabled one without a port. Each
 * shows its address, port and unit id / common address; after the station drops the link
 * (STOPDT), the page has one Reconnects row and it says what the driver counted. */
static void
test_page (void)
{
  DcIec104SimConfig config;
  UiPlant f;
  g_autofree char *iec_port = NULL;
  g_autofree char *modbus_port = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(JsonNode) status = NULL;

  dc_iec104_sim_config_init (&config);
  config.floats = 2;
  config.ca = 7;
  ui_plant_setup (&f, TRUE, &config);
  add_plc (&f);
  dc_test_store_create (f.store, DC_KIND_TERM, "{\"id\":\"u1\",\"device_id\":\"plc\",\"address\":1}");
  dc_test_store_create (f.store, DC_KIND_ITEM, "{\"id\":\"level\",\"name\":\"Tank level\"}");
  dc_test_store_create (f.store, DC_KIND_POINT, "{\"term_id\":\"u1\",\"item_id\":\"level\",\"protocol_code\":3,"
                                              "\"code_type\":\"hr:u16\"}");
  ui_plant_add_iec104 (&f, "rtu");
  dc_test_store_create (f.store, DC_KIND_TERM, "{\"id\":\"ca7\",\"device_id\":\"rtu\",\"address\":7}");
  dc_test_store_create (f.store, DC_KIND_ITEM, "{\"id\":\"busbar\",\"name\":\"Busbar voltage\"}");
  dc_test_store_create (f.store, DC_KIND_POINT, "{\"term_id\":\"ca7\",\"item_id\":\"busbar\",\"protocol_code\":4001,"
                                               "\"code_type\":13}");
  dc_test_store_create (f.store, DC_KIND_DEVICE,
                        "{\"id\":\"spare\",\"name\":\"Spare meter\",\"protocol\":\"modbus_tcp\","
                        "\"ip\":\"192.0.2.10\",\"enabled\":false}");
  dc_test_store_create (f.store, DC_KIND_TERM,
                        "{\"id\":\"s1\",\"device_id\":\"spare\",\"address\":255}");
  dc_test_store_create (f.store, DC_KIND_TERM,
                        "{\"id\":\"s2\",\"name\":\"Second unit\",\"device_id\":\"spare\",\"address\":3}");
  ui_plant_open_window (&f);
  dc_window_set_view (f.window, "device");
  iec_port = g_strdup_printf ("%u", f.iec_port);
  modbus_port = g_strdup_printf ("%u", f.modbus_port);

  /* IEC 104: address, port, common address; the protocol in words. */
  g_assert_true (select_device (f.window, "rtu"));
  ui_wait_for_frame (GTK_WIDGET (f.window));
  g_assert_cmpstr (row_subtitle (f.window, "Protocol"), ==, "IEC 60870-5-104");
  g_assert_cmpstr (row_subtitle (f.window, "Address"), ==, "127.0.0.1");
  g_assert_cmpstr (row_subtitle (f.window, "Port"), ==, iec_port);
  g_assert_cmpstr (row_subtitle (f.window, "Common address"), ==, "7");
  g_assert_null (page_row (f.window, "Unit id"));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (page_row (f.window, "Common address"))));

  /* One set of counters: the link drops, the driver counts a reconnect, the page's only
   * Reconnects row says the same as the driver and its status (GET …/status). */
  DC_TEST_WAIT_UNTIL (dc_engine_drivers_get_state (dc_engine_get_drivers (f.engine), "rtu") ==
                      DC_LINK_UP, 20);
  DC_TEST_WAIT_UNTIL (dc_link_counters_get_text (dc_window_get_link_counters (f.window),
                                                 "frames_in") != NULL, 10);
  ui_render_png_settled (GTK_WIDGET (f.window), "screenshot-device-page.png");
  g_main_context_invoke (f.iec_context, stopdt_cb, f.iec);
  DC_TEST_WAIT_UNTIL (driver_reconnects (&f, "rtu") >= 1 &&
                      dc_engine_drivers_get_state (dc_engine_get_drivers (f.engine), "rtu") ==
                      DC_LINK_UP, 30);
  expected = g_strdup_printf ("%" G_GUINT64_FORMAT, driver_reconnects (&f, "rtu"));
  DC_TEST_WAIT_UNTIL (g_strcmp0 (dc_link_counters_get_text (dc_window_get_link_counters (f.window),
                                                            "reconnects"), expected) == 0, 10);
  g_assert_cmpstr (reconnects_shown (f.window), ==, expected);
  /* One source: the plant model's device keeps no copy of the counter that a second row
   * could show (the driver's status is the only one). */
  g_assert_null (g_object_class_find_property (G_OBJECT_GET_CLASS (dc_plant_model_lookup_device (dc_window_get_plant (f.window), "rtu")),
                                               "reconnects"));
  status = dc_engine_drivers_build_status (dc_engine_get_drivers (f.engine), "rtu", NULL);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (status), "reconnects"), ==,
                   (gint64) driver_reconnects (&f, "rtu"));
  /* The first row: the device's name, its state in words. */
  g_assert_cmpstr (row_subtitle (f.window, "Substation RTU"), ==,
                   dc_device_node_get_state_text (dc_plant_model_lookup_device (dc_window_get_plant (f.window), "rtu")));

  /* Modbus TCP: the unit id. */
  g_assert_true (select_device (f.window, "plc"));
  g_assert_cmpstr (row_subtitle (f.window, "Protocol"), ==, "Modbus TCP");
  g_assert_cmpstr (row_subtitle (f.window, "Port"), ==, modbus_port);
  g_assert_cmpstr (row_subtitle (f.window, "Unit id"), ==, "1");
  g_assert_null (page_row (f.window, "Common address"));

  /* A device without a port: the protocol's default, said so; several units by name. */
  g_assert_true (select_device (f.window, "spare"));
  g_assert_cmpstr (row_subtitle (f.window, "Address"), ==, "192.0.2.10");
  g_assert_cmpstr (row_subtitle (f.window, "Port"), ==, "502 (default)");
  g_assert_cmpstr (row_subtitle (f.window, "Unit id"), ==, "255 (s1), 3 (Second unit)");
  DC_TEST_WAIT_UNTIL (dc_link_counters_get_text (dc_window_get_link_counters (f.window),
                                                 "reconnects") == NULL, 10);

  /* An edit of the address reaches the page (the counters' next reading). */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonObject) patch = json_object_new ();

    json_object_set_string_member (patch, "ip", "192.0.2.11");
    g_assert_true (dc_store_update (f.store, DC_KIND_DEVICE, "spare", patch, &error));
    g_assert_no_error (error);
  }
  DC_TEST_WAIT_UNTIL (g_strcmp0 (row_subtitle (f.window, "Address"), "192.0.2.11") == 0, 10);

  ui_plant_teardown (&f);
}

/* A desk on a datacoll server polling datacoll-sim: the same rows, from the server's
 * configuration, and the counters are the server's status route's. */
static void
test_remote (void)
{
  g_autofree char *dir = dc_test_make_dir ();
  g_autofree char *db = g_build_filename (dir, "server.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DcRemoteSource) source = NULL;
  g_autofree char *device = NULL;
  g_autofree char *port = NULL;
  g_autofree char *sim_port = NULL;
  DcTestSim *sim = dc_test_sim_spawn ("--port", "0", "--static", NULL);
  DcTestServer *server;
  DcApplication *app;
  DcWindow *window;
  gint64 server_reconnects = -1;

  server = dc_test_server_start ((const char *[]) { "--server", "--port", "0", "--db", db, NULL });
  device = g_strdup_printf ("{\"id\":\"m\",\"name\":\"Pump station\",\"protocol\":\"modbus_tcp\","
                            "\"ip\":\"127.0.0.1\",\"port\":%u,\"poll_ms\":100,"
                            "\"timeout_ms\":300}", sim->ports[0]);
  {
    const char *bodies[][2] = {
      { "/api/v1/devices", device },
      { "/api/v1/terms", "{\"id\":\"t1\",\"device_id\":\"m\",\"address\":17}" },
      { "/api/v1/items", "{\"id\":\"r0\",\"name\":\"Register 0\"}" },
      { "/api/v1/terms/t1/items", "{\"item_id\":\"r0\",\"protocol_code\":0,\"code_type\":\"hr:u16\"}" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
      {
        g_autoptr(DcReply) reply = dc_http (server->base, "POST", bodies[i][0], bodies[i][1]);

        g_assert_cmpuint (reply->status, ==, 200);
      }
  }

  source = dc_remote_source_new (server->base, NULL, &error);
  g_assert_no_error (error);
  app = dc_application_new (G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  dc_application_set_source (app, DC_PLANT_SOURCE (source));
  g_application_activate (G_APPLICATION (app));
  window = DC_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 700);
  ui_wait_for_frame (GTK_WIDGET (window));
  DC_TEST_WAIT_UNTIL (dc_plant_source_get_state (DC_PLANT_SOURCE (source)) == DC_SOURCE_CONNECTED &&
                      dc_plant_model_lookup_device (dc_window_get_plant (window), "m") != NULL, 30);
  dc_window_set_view (window, "device");
  g_assert_true (select_device (window, "m"));

  sim_port = g_strdup_printf ("%u", sim->ports[0]);
  DC_TEST_WAIT_UNTIL (page_row (window, "Unit id") != NULL, 10);
  g_assert_cmpstr (row_subtitle (window, "Address"), ==, "127.0.0.1");
  g_assert_cmpstr (row_subtitle (window, "Port"), ==, sim_port);
  g_assert_cmpstr (row_subtitle (window, "Unit id"), ==, "17");

  /* The simulator goes and comes back on its port: the server's driver reconnects; the desk's
   * one Reconnects row ends up with the server's count. */
  DC_TEST_WAIT_UNTIL (dc_link_counters_get_text (dc_window_get_link_counters (window),
                                                 "responses") != NULL, 20);
  dc_test_sim_kill (sim);
  sim = NULL;
  for (guint attempt = 0; sim == NULL && attempt < 50; attempt++)
    {
      sim = dc_test_sim_try_spawn ("--port", sim_port, "--static", NULL);
      if (sim == NULL)
        ui_run_for (100);
    }
  g_assert_nonnull (sim);
  for (gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
       g_get_monotonic_time () < deadline;)
    {
      g_autoptr(DcReply) reply = dc_http (server->base, "GET", "/api/v1/devices/m/status", NULL);
      g_autoptr(JsonNode) root = json_from_string (reply->body, NULL);
      JsonObject *object = json_node_get_object (root);
      g_autofree char *text = NULL;

      server_reconnects = json_object_get_int_member (object, "reconnects");
      text = g_strdup_printf ("%" G_GINT64_FORMAT, server_reconnects);
      if (server_reconnects >= 1 &&
          g_strcmp0 (json_object_get_string_member (object, "state"), "up") == 0 &&
          g_strcmp0 (dc_link_counters_get_text (dc_window_get_link_counters (window),
                                                "reconnects"), text) == 0)
        break;
      ui_run_for (100);
    }
  g_assert_cmpint (server_reconnects, >=, 1);
  {
    g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, server_reconnects);

    g_assert_cmpstr (reconnects_shown (window), ==, text);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  dc_application_set_source (app, NULL);
  g_object_unref (app);
  dc_test_server_stop (server);
  dc_test_sim_kill (sim);
}

static gboolean
table_has_value (gpointer user_data)
{
  DcWindow *window = user_data;
  GListModel *model = dc_point_table_get_model (dc_window_get_point_table (window));

  if (model == NULL || g_list_model_get_n_items (model) == 0)
    return FALSE;
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(DcPointRow) row = g_list_model_get_item (model, i);

      if (!dc_point_row_has_value (row))
        return FALSE;
    }
  return TRUE;
}

/* Whether the widget showing @text lies inside the window's width yet: after a resize the
 * table's columns are laid out again over a few frames (a loaded machine takes longer). */
static gboolean
is_in_view (DcWindow   *window,
            const char *text)
{
  GtkWidget *cell = ui_find_inscription (GTK_WIDGET (window), text);
  graphene_rect_t bounds;

  return cell != NULL && gtk_widget_compute_bounds (cell, GTK_WIDGET (window), &bounds) &&
         bounds.origin.x >= 0 &&
         bounds.origin.x + bounds.size.width <= gtk_widget_get_width (GTK_WIDGET (window));
}

/* The mapped widget showing @text lies inside the window's width (within 10 s). */
static void
assert_in_view (DcWindow   *window,
                const char *text)
{
  GtkWidget *cell;
  graphene_rect_t bounds;

  DC_TEST_WAIT_UNTIL (is_in_view (window, text), 10);
  cell = ui_find_inscription (GTK_WIDGET (window), text);
  g_assert_nonnull (cell);
  g_assert_true (gtk_widget_compute_bounds (cell, GTK_WIDGET (window), &bounds));
  g_test_message ("%s at x %.0f…%.0f of %d", text, bounds.origin.x,
                  bounds.origin.x + bounds.size.width, gtk_widget_get_width (GTK_WIDGET (window)));
  g_assert_cmpfloat (bounds.origin.x, >=, 0);
  g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=,
                     gtk_widget_get_width (GTK_WIDGET (window)));
}

/* The header's back button (go-previous-symbolic). */
static GtkWidget *
find_back_button (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget) &&
      g_strcmp0 (gtk_button_get_icon_name (GTK_BUTTON (widget)), "go-previous-symbolic") == 0 &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), "win.show-devices") == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_back_button (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* 360 px: the leaflet folds, the pages are shown with the values table and its rows, the back
 * button shows the tree, choosing a device shows its values again; wide, both are shown. */
static void
test_narrow (void)
{
  UiPlant f;
  AdwLeaflet *leaflet;
  GtkWidget *table;
  GtkWidget *tree;
  GtkWidget *back;
  g_autofree char *value_text = NULL;

  ui_plant_setup (&f, TRUE, NULL);
  add_plc (&f);
  dc_test_store_create (f.store, DC_KIND_TERM, "{\"id\":\"u1\",\"device_id\":\"plc\",\"address\":1}");
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *item = g_strdup_printf ("{\"id\":\"r%u\",\"name\":\"Register %u\","
                                               "\"unit\":\"kWh\"}", i, i);
      g_autofree char *point = g_strdup_printf ("{\"item_id\":\"r%u\",\"protocol_code\":%u,"
                                                "\"code_type\":\"hr:u16\"}", i, 10 + i);

      dc_test_store_create (f.store, DC_KIND_ITEM, item);
      {
        g_autofree char *with_term = g_strdup_printf ("{\"term_id\":\"u1\",%s", point + 1);

        dc_test_store_create (f.store, DC_KIND_POINT, with_term);
      }
    }
  dc_modbus_sim_set_animate (f.modbus, FALSE);
  ui_plant_open_window (&f);
  leaflet = ADW_LEAFLET (ui_find_type (GTK_WIDGET (f.window), ADW_TYPE_LEAFLET));
  table = GTK_WIDGET (dc_window_get_point_table (f.window));
  tree = GTK_WIDGET (dc_window_get_device_tree (f.window));
  g_assert_true (ui_wait_until (table_has_value, f.window, 20000));

  /* Wide: tree and table side by side. */
  g_assert_false (adw_leaflet_get_folded (leaflet));
  g_assert_true (gtk_widget_get_mapped (tree));
  g_assert_true (gtk_widget_get_mapped (table));

  /* 360 px wide. */
  gtk_window_set_default_size (GTK_WINDOW (f.window), 360, 700);
  DC_TEST_WAIT_UNTIL (adw_leaflet_get_folded (leaflet) &&
                      gtk_widget_get_width (GTK_WIDGET (f.window)) <= 360, 10);
  ui_wait_for_frame (GTK_WIDGET (f.window));
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "content");
  g_assert_true (gtk_widget_get_mapped (table));
  g_assert_false (gtk_widget_get_mapped (tree));
  g_assert_cmpint (gtk_widget_get_width (table), >, 0);
  g_assert_cmpint (gtk_widget_get_width (table), <=, 360);
  g_assert_cmpuint (g_list_model_get_n_items (dc_point_table_get_model (DC_POINT_TABLE (table))),
                    ==, 3);
  {
    g_autoptr(DcPointRow) row = g_list_model_get_item (dc_point_table_get_model (DC_POINT_TABLE (table)), 0);

    value_text = dc_point_row_format_value (row, dc_point_row_get_value (row));
  }
  DC_TEST_WAIT_UNTIL (ui_find_inscription (GTK_WIDGET (f.window), value_text) != NULL, 10);
  assert_in_view (f.window, value_text);
  assert_in_view (f.window, "Register 0");
  back = find_back_button (GTK_WIDGET (f.window));
  g_assert_nonnull (back);
  g_assert_true (gtk_widget_get_mapped (back));
  ui_render_png_settled (GTK_WIDGET (f.window), "screenshot-narrow.png");

  /* Back: the tree fills the window; choosing the device shows the values again. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.show-devices", NULL));
  DC_TEST_WAIT_UNTIL (gtk_widget_get_mapped (tree) && !gtk_widget_get_mapped (table), 5);
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "sidebar");
  /* The row of the selected device activated (Enter): its values. */
  g_signal_emit_by_name (ui_find_type (tree, GTK_TYPE_LIST_VIEW), "activate", 0);
  DC_TEST_WAIT_UNTIL (gtk_widget_get_mapped (table), 5);
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "content");

  /* Wide again: unfolded, both shown, no back action. */
  gtk_window_set_default_size (GTK_WINDOW (f.window), 1100, 700);
  DC_TEST_WAIT_UNTIL (!adw_leaflet_get_folded (leaflet) && gtk_widget_get_mapped (tree) &&
                      gtk_widget_get_mapped (table), 10);

  ui_plant_teardown (&f);
}

int
main (int    argc,
      char **argv)
{
  ui_test_init (&argc, &argv);
  ui_test_add ("/dc/ui/device/page", test_page);
  ui_test_add ("/dc/ui/device/remote", test_remote);
  ui_test_add ("/dc/ui/layout/narrow", test_narrow);
  return g_test_run ();
}
