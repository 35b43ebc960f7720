/* test-ui.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The workstation against a real configuration store (sqlite file in a temporary dir): the
 * window's pages, the device tree following the store, live values and quality badges in the
 * table, the trend widget and preferences.
 */

#include "config.h"

#include "dc-application.h"
#include "dc-protocols.h"
#include "dc-device-tree.h"
#include "dc-plant-model.h"
#include "dc-point-table.h"
#include "dc-preferences-window.h"
#include "dc-trend-view.h"
#include "dc-window.h"
#include "dc-test-ui.h"

#include "ui-rows.h"

typedef struct
{
  char          *dir;
  DcStore       *store;
  DcPlantModel  *plant;
  DcApplication *app;
  DcWindow      *window;
} Ui;

static Ui *
ui_new (gboolean demo)
{
  Ui *ui = g_new0 (Ui, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  ui->dir = g_dir_make_tmp ("dc-ui-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (ui->dir, "datacoll.db", NULL);
  ui->store = dc_store_open (path, &error);
  g_assert_no_error (error);
  if (demo)
    ui_create_demo_plant (ui->store);

  ui->app = dc_application_new (G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (ui->app), NULL, &error));
  g_assert_no_error (error);
  ui->plant = g_object_ref (dc_application_get_plant (ui->app));
  dc_plant_model_follow_store (ui->plant, ui->store);
  dc_application_set_rest_address (ui->app, "127.0.0.1:8080");
  g_application_activate (G_APPLICATION (ui->app));
  ui->window = DC_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (ui->app)));
  g_assert_nonnull (ui->window);
  gtk_window_set_default_size (GTK_WINDOW (ui->window), 1200, 760);
  ui_wait_for_frame (GTK_WIDGET (ui->window));

  return ui;
}

static void
ui_free (Ui *ui)
{
  gtk_window_destroy (GTK_WINDOW (ui->window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  dc_plant_model_follow_store (ui->plant, NULL);
  g_clear_object (&ui->plant);
  g_clear_object (&ui->app);
  g_assert_finalize_object (ui->store);
  g_free (ui->dir);
  g_free (ui);
}

static gint64
key_of (Ui         *ui,
        const char *term_id,
        const char *item_id)
{
  gint64 key = dc_store_get_point_key (ui->store, term_id, item_id);

  g_assert_cmpint (key, >, 0);
  return key;
}

static void
push (Ui      *ui,
      gint64   key,
      double   value,
      guint32  quality)
{
  DcSample s = { key, g_get_real_time (), value, quality };

  dc_plant_model_push_samples (ui->plant, &s, 1);
}

static gboolean
widget_shows_text (GtkWidget  *widget,
                   const char *text)
{
  if (GTK_IS_INSCRIPTION (widget) &&
      g_strcmp0 (gtk_inscription_get_text (GTK_INSCRIPTION (widget)), text) == 0 &&
      gtk_widget_get_mapped (widget))
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    if (widget_shows_text (c, text))
      return TRUE;
  return FALSE;
}

typedef struct
{
  GtkWidget  *widget;
  const char *text;
} CellWait;

static gboolean
cell_shows (gpointer data)
{
  CellWait *w = data;

  return widget_shows_text (w->widget, w->text);
}

static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_button (c, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  char     *text;
  gboolean  done;
} ClipboardRead;

static void
clipboard_read_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      data)
{
  ClipboardRead *cr = data;

  cr->text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, NULL);
  cr->done = TRUE;
}

static gboolean
clipboard_done (gpointer data)
{
  return ((ClipboardRead *) data)->done;
}

/* The empty state: an AdwStatusPage with "Open Demo Plant"; a device created in the store
 * switches to the plant page without a reload. */
static void
test_window_empty (void)
{
  Ui *ui = ui_new (FALSE);
  guint colours;

  g_assert_cmpstr (dc_window_get_page (ui->window), ==, "empty");
  /* "Add Device…" is backed by the editing dialogs' action, so it is sensitive. */
  {
    GtkWidget *add = find_button (GTK_WIDGET (ui->window), "_Add Device…");

    g_assert_nonnull (add);
    g_assert_true (gtk_widget_is_sensitive (add));
  }
  colours = ui_render_png (GTK_WIDGET (ui->window), "screenshot-empty.png");
  g_test_message ("empty state: %u colours", colours);
  g_assert_cmpuint (colours, >, 8);

  dc_test_store_create (ui->store, DC_KIND_DEVICE, "{\"id\":\"d1\",\"protocol\":\"virtual\"}");
  g_assert_cmpstr (dc_window_get_page (ui->window), ==, "plant");

  dc_store_delete (ui->store, DC_KIND_DEVICE, "d1", NULL);
  g_assert_cmpstr (dc_window_get_page (ui->window), ==, "empty");

  /* The REST address button copies the server's URL. */
  g_assert_cmpstr (dc_window_get_rest_address (ui->window), ==, "127.0.0.1:8080");
  gtk_widget_activate_action (GTK_WIDGET (ui->window), "win.copy-rest-address", NULL);
  {
    GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (ui->window));
    ClipboardRead cr = { NULL, FALSE };

    gdk_clipboard_read_text_async (clipboard, NULL, clipboard_read_cb, &cr);
    g_assert_true (ui_wait_until (clipboard_done, &cr, 5000));
    g_assert_cmpstr (cr.text, ==, "http://127.0.0.1:8080/");
    g_free (cr.text);
  }
  ui_free (ui);
}

static guint
count_rows_named (GListModel *rows,
                  const char *name)
{
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (rows, i);
      g_autoptr(GObject) item = gtk_tree_list_row_get_item (row);
      const char *item_name = DC_IS_DEVICE_NODE (item) ? dc_device_node_get_name (DC_DEVICE_NODE (item))
                                                       : dc_point_row_get_name (DC_POINT_ROW (item));

      if (g_strcmp0 (item_name, name) == 0)
        n++;
    }
  return n;
}

/* The tree follows the store: creates, renames and deletes change it in place; counts follow;
 * search keeps matches and their parents. */
static void
test_tree_follows_store (void)
{
  Ui *ui = ui_new (TRUE);
  DcDeviceTree *tree = dc_window_get_device_tree (ui->window);
  GListModel *rows = dc_device_tree_get_rows (tree);
  DcDeviceNode *sub1 = dc_plant_model_lookup_device (ui->plant, "sub1");
  DcDeviceNode *ca1 = dc_plant_model_lookup_term (ui->plant, "ca1");
  g_autoptr(JsonObject) patch = NULL;

  g_assert_cmpstr (dc_window_get_page (ui->window), ==, "plant");
  g_assert_nonnull (sub1);
  g_assert_cmpuint (g_list_model_get_n_items (dc_plant_model_get_devices (ui->plant)), ==, 4);
  g_assert_cmpuint (dc_device_node_get_n_points (sub1), ==, 6);
  g_assert_cmpuint (dc_device_node_get_n_points (ca1), ==, 6);
  g_assert_cmpuint (dc_plant_model_get_n_points (ui->plant), ==, 13);
  /* Natural order: numeric ids first, then names. */
  g_assert_cmpuint (count_rows_named (rows, "Substation 1 RTU"), ==, 1);

  /* A new point appears under its term and the counts follow. */
  dc_test_store_create (ui->store, DC_KIND_ITEM, "{\"id\":\"f2_p\",\"name\":\"Feeder 2 active power\",\"unit\":\"kW\"}");
  dc_test_store_create (ui->store, DC_KIND_POINT, "{\"term_id\":\"ca1\",\"item_id\":\"f2_p\",\"protocol_code\":1012,\"code_type\":13}");
  g_assert_cmpuint (dc_device_node_get_n_points (sub1), ==, 7);
  g_assert_nonnull (dc_plant_model_lookup_point_id (ui->plant, "ca1", "f2_p"));

  /* A device rename changes the node in place. */
  patch = dc_test_json_object ("{\"name\":\"Substation One\"}");
  g_assert_true (dc_store_update (ui->store, DC_KIND_DEVICE, "sub1", patch, NULL));
  g_assert_cmpstr (dc_device_node_get_name (sub1), ==, "Substation One");
  g_assert_cmpuint (count_rows_named (rows, "Substation One"), ==, 1);

  /* An item rename renames its points. */
  g_clear_pointer (&patch, json_object_unref);
  patch = dc_test_json_object ("{\"name\":\"Busbar U\"}");
  g_assert_true (dc_store_update (ui->store, DC_KIND_ITEM, "bus_u", patch, NULL));
  g_assert_cmpstr (dc_point_row_get_name (dc_plant_model_lookup_point_id (ui->plant, "ca1", "bus_u")),
                   ==, "Busbar U");

  /* Search: a point matches; its term and device stay, other devices go. */
  dc_device_tree_set_search (tree, "busbar");
  g_assert_cmpuint (count_rows_named (rows, "Busbar U"), ==, 1);
  g_assert_cmpuint (count_rows_named (rows, "Station CA 1"), ==, 1);
  g_assert_cmpuint (count_rows_named (rows, "Substation One"), ==, 1);
  g_assert_cmpuint (count_rows_named (rows, "Main meter"), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 3);
  dc_device_tree_set_search (tree, "");
  g_assert_cmpuint (count_rows_named (rows, "Main meter"), ==, 1);

  /* Ctrl+F (win.search) puts the focus in the tree's search entry. */
  gtk_widget_activate_action (GTK_WIDGET (ui->window), "win.search", NULL);
  {
    GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (ui->window));

    g_assert_nonnull (focus);
    g_assert_true (gtk_widget_get_ancestor (focus, GTK_TYPE_SEARCH_ENTRY) != NULL);
  }

  /* Deleting a device removes it and its points. */
  g_assert_true (dc_store_delete (ui->store, DC_KIND_DEVICE, "plc1", NULL));
  g_assert_null (dc_plant_model_lookup_device (ui->plant, "plc1"));
  g_assert_null (dc_plant_model_lookup_point_id (ui->plant, "plc1_u2", "level"));
  g_assert_cmpuint (dc_plant_model_get_n_points (ui->plant), ==, 12);
  g_assert_cmpuint (count_rows_named (rows, "Pump station PLC"), ==, 0);

  ui_free (ui);
}

/* Live values reach the table within a deadline, coalesced: many samples for a point between
 * two refreshes make one row update with the newest value. Quality badges follow a device
 * going down (comm lost) and coming back. */
static void
test_live_values_and_quality (void)
{
  Ui *ui = ui_new (TRUE);
  gint64 key = key_of (ui, "ca1", "f1_i");
  DcPointRow *row = dc_plant_model_lookup_point (ui->plant, key);
  DcPointTable *table = dc_window_get_point_table (ui->window);
  RowText rt = { row, NULL };
  guint flushed = 0;
  gint64 start;

  g_assert_nonnull (row);
  g_assert_true (dc_window_select (ui->window, row));
  g_assert_true (dc_point_table_get_selected (table) == row);

  /* 100 samples in one burst: one flush applies only the newest. */
  for (int i = 0; i < 100; i++)
    push (ui, key, 100 + i + 0.25, 0);
  rt.text = "199.25 A";
  start = g_get_monotonic_time ();
  g_assert_true (ui_wait_until (row_value_is, &rt, 2000));
  g_test_message ("live value shown after %.1f ms",
                  (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpstr (dc_window_get_detail_value (ui->window), ==, "199.25 A");
  {
    CellWait cw = { GTK_WIDGET (table), "199.25 A" };

    /* The table cell itself shows it (not only the row object). */
    g_assert_true (ui_wait_until (cell_shows, &cw, 5000));
  }

  /* Another burst for two points: one flush updates exactly two rows. */
  push (ui, key, 1, 0);
  push (ui, key, 2, 0);
  push (ui, key_of (ui, "ca1", "f2_i"), 3, 0);
  flushed = dc_plant_model_flush (ui->plant);
  g_assert_cmpuint (flushed, ==, 2);
  g_assert_cmpstr (dc_point_row_get_value_text (row), ==, "2 A");

  /* Comm lost: the badge says so in words, the value is dimmed. */
  push (ui, key, 199.25, DC_QUALITY_COMM_LOST);
  rt.text = "comm lost";
  g_assert_true (ui_wait_until (row_quality_contains, &rt, 2000));
  {
    CellWait cw = { GTK_WIDGET (table), "comm lost" };

    g_assert_true (ui_wait_until (cell_shows, &cw, 5000));
  }
  {
    gboolean dimmed;
    g_autofree char *icon = NULL;

    g_object_get (row, "dimmed", &dimmed, "quality-icon", &icon, NULL);
    g_assert_true (dimmed);
    g_assert_cmpstr (icon, ==, "network-offline-symbolic");
  }

  /* Several flags at once are all named. */
  push (ui, key, 12, DC_QUALITY_INVALID | DC_QUALITY_SUBSTITUTED | DC_QUALITY_BLOCKED);
  rt.text = "substituted";
  g_assert_true (ui_wait_until (row_quality_contains, &rt, 2000));
  rt.text = "invalid";
  g_assert_true (row_quality_contains (&rt));
  rt.text = "blocked";
  g_assert_true (row_quality_contains (&rt));

  /* Back: good again. */
  push (ui, key, 151.5, 0);
  rt.text = "good";
  g_assert_true (ui_wait_until (row_quality_contains, &rt, 2000));
  g_assert_cmpstr (dc_point_row_get_value_text (row), ==, "151.5 A");

  /* A limit violation is marked in the text, not by colour alone. */
  {
    gint64 bus_key = key_of (ui, "ca1", "bus_u");
    DcPointRow *bus = dc_plant_model_lookup_point (ui->plant, bus_key);

    push (ui, bus_key, 10.62, 0);
    dc_plant_model_flush (ui->plant);
    g_assert_cmpstr (dc_point_row_get_value_text (bus), ==, "10.62 kV ▲");
    g_assert_cmpint (dc_point_row_get_limit_state (bus), ==, 1);
    push (ui, bus_key, 9.2, 0);
    dc_plant_model_flush (ui->plant);
    g_assert_cmpstr (dc_point_row_get_value_text (bus), ==, "9.2 kV ▼");
    push (ui, bus_key, 10, 0);
    dc_plant_model_flush (ui->plant);
    g_assert_cmpstr (dc_point_row_get_value_text (bus), ==, "10 kV");
  }

  /* A late sample does not replace the newer live value. */
  {
    DcSample late = { key, dc_point_row_get_time (row) - 10 * G_USEC_PER_SEC, 1, 0 };

    dc_plant_model_push_samples (ui->plant, &late, 1);
    dc_plant_model_flush (ui->plant);
    g_assert_cmpstr (dc_point_row_get_value_text (row), ==, "151.5 A");
  }

  ui_free (ui);
}

static void
range_changed_cb (DcTrendView *view,
                  gint64       from,
                  gint64       to,
                  gint64      *got)
{
  got[0] = from;
  got[1] = to;
}

static gboolean
range_got (gpointer data)
{
  return ((gint64 *) data)[1] != 0;
}

/* The trend widget: range requests, buckets, live extension, ticks, zoom and pan, CSV. */
static void
test_trend_view (void)
{
  Ui *ui = ui_new (TRUE);
  DcTrendView *trend = dc_window_get_trend_view (ui->window);
  gint64 key = key_of (ui, "ca1", "bus_u");
  DcPointRow *row = dc_plant_model_lookup_point (ui->plant, key);
  g_autofree DcTrendBucket *buckets = g_new0 (DcTrendBucket, 360);
  g_autofree char *csv = NULL;
  gint64 got[2] = { 0, 0 };
  gint64 from, to;
  guint colours;

  g_assert_cmpfloat (dc_trend_nice_step (10, 5), ==, 2);
  g_assert_cmpfloat (dc_trend_nice_step (1, 4), ==, 0.5);
  g_assert_cmpfloat (dc_trend_nice_step (730, 8), ==, 100);
  g_assert_cmpint (dc_trend_time_step ((gint64) 3600 * G_USEC_PER_SEC, 8), ==, (gint64) 600 * G_USEC_PER_SEC);
  g_assert_cmpint (dc_trend_time_step ((gint64) 7 * 86400 * G_USEC_PER_SEC, 8), ==, (gint64) 86400 * G_USEC_PER_SEC);

  g_signal_connect (trend, "range-changed", G_CALLBACK (range_changed_cb), got);
  dc_window_select (ui->window, row);
  dc_window_set_view (ui->window, "trend");
  g_assert_true (ui_wait_until (range_got, got, 2000));
  g_assert_cmpint (got[1] - got[0], ==, (gint64) 3600 * G_USEC_PER_SEC);

  /* An hour of 10-second buckets with a daily-shaped drift. */
  dc_trend_view_get_range (trend, &from, &to);
  for (guint i = 0; i < 360; i++)
    {
      double v = 10.0 + 0.3 * sin (i / 40.0);

      buckets[i].start = from + (gint64) i * 10 * G_USEC_PER_SEC;
      buckets[i].end = buckets[i].start + 10 * G_USEC_PER_SEC;
      buckets[i].min = v - 0.05;
      buckets[i].max = v + 0.05;
      buckets[i].avg = v;
      buckets[i].count = 10;
    }
  dc_trend_view_set_buckets (trend, key, buckets, 360);
  g_assert_cmpuint (dc_trend_view_get_n_buckets (trend, key), ==, 360);

  /* A live value extends the trend. */
  push (ui, key, 10.4, 0);
  dc_plant_model_flush (ui->plant);
  g_assert_cmpuint (dc_trend_view_get_n_buckets (trend, key), >=, 360);

  ui_wait_for_frame (GTK_WIDGET (trend));
  colours = ui_render_png (GTK_WIDGET (trend), "screenshot-trend.png");
  g_assert_cmpuint (colours, >, 20);

  csv = dc_trend_view_to_csv (trend);
  g_assert_true (g_str_has_prefix (csv, "time,point,min,max,avg,count\n"));
  g_assert_nonnull (strstr (csv, "\"Busbar voltage\""));

  /* Zoom in keeps following; a pan stops following and asks for the new range. */
  got[1] = 0;
  dc_trend_view_zoom (trend, 0.5);
  g_assert_true (ui_wait_until (range_got, got, 2000));
  g_assert_cmpint (got[1] - got[0], ==, (gint64) 1800 * G_USEC_PER_SEC);
  g_assert_true (dc_trend_view_get_follow (trend));
  got[1] = 0;
  dc_trend_view_pan (trend, -0.5);
  g_assert_true (ui_wait_until (range_got, got, 2000));
  g_assert_false (dc_trend_view_get_follow (trend));
  g_assert_cmpint (got[1], <, g_get_real_time () - 800 * G_USEC_PER_SEC);

  /* Ctrl+T pins the selection: two points share the chart; the page still follows the
   * selection (a third pen) until "Follow Selection" is turned off (tests/ui/test-ui-trend.c
   * has the rest). */
  dc_window_select (ui->window, dc_plant_model_lookup_point (ui->plant, key_of (ui, "ca1", "f1_i")));
  gtk_widget_activate_action (GTK_WIDGET (ui->window), "win.trend", NULL);
  dc_window_select (ui->window, row);
  gtk_widget_activate_action (GTK_WIDGET (ui->window), "win.trend", NULL);
  g_assert_cmpuint (dc_trend_view_get_n_series (trend), ==, 2);
  dc_window_select (ui->window, dc_plant_model_lookup_point (ui->plant, key_of (ui, "ca1", "f2_i")));
  g_assert_cmpuint (dc_trend_view_get_n_series (trend), ==, 3);

  /* The 7 d range button. */
  gtk_widget_activate_action (GTK_WIDGET (ui->window), "trend.range", "s", "7d");
  g_assert_cmpint (dc_trend_view_get_span (trend), ==, (gint64) 7 * 86400 * G_USEC_PER_SEC);
  g_assert_true (dc_trend_view_get_follow (trend));

  ui_free (ui);
}

/* Preferences: server settings land in the configuration file, desktop ones in GSettings. */
static void
test_preferences (void)
{
  Ui *ui = ui_new (FALSE);
  g_autofree char *conf = g_build_filename (ui->dir, "datacoll.conf", NULL);
  g_autofree char *audit_path = NULL;
  g_autoptr(DcAudit) audit = NULL;
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  GSettings *settings = dc_application_get_settings (ui->app);
  DcPreferencesWindow *prefs;

  g_assert_true (g_file_set_contents (conf, "# kept\n[server]\nport=9000\n[history]\n"
                                     "backend=postgresql\nurl=postgresql://db/plant\n", -1, NULL));
  prefs = dc_preferences_window_new (GTK_WINDOW (ui->window), settings, conf);
  gtk_window_present (GTK_WINDOW (prefs));
  ui_wait_for_frame (GTK_WIDGET (prefs));
  g_assert_cmpuint (ui_render_png (GTK_WIDGET (prefs), "screenshot-preferences.png"), >, 8);

  /* Each changed setting is an audit row from the workstation; the same value again is none. */
  audit_path = g_build_filename (ui->dir, "datacoll-audit.db", NULL);
  audit = dc_audit_new (audit_path, &error);
  g_assert_no_error (error);
  dc_preferences_window_set_audit (prefs, audit);
  g_assert_true (dc_preferences_window_write_setting (prefs, "history", "retention_days", "30", &error));
  g_assert_no_error (error);
  g_assert_true (dc_preferences_window_write_setting (prefs, "history", "retention_days", "30", &error));
  g_assert_true (dc_preferences_window_write_setting (prefs, "server", "port", "9001", &error));
  {
    g_autoptr(DcAuditQuery) query = dc_audit_query_new ();
    g_autoptr(GPtrArray) rows = dc_audit_query_sync (audit, query, &error);
    g_autofree char *detail = g_strdup_printf ("{\"file\":\"%s\",\"old\":\"9000\",\"new\":\"9001\"}",
                                               conf);
    DcAuditRow *row;

    g_assert_no_error (error);
    g_assert_cmpuint (rows->len, ==, 2);
    row = g_ptr_array_index (rows, 0);
    g_assert_cmpstr (row->action, ==, "settings.change");
    g_assert_cmpstr (row->target, ==, "server.port");
    g_assert_cmpstr (row->source, ==, "gui");
    g_assert_cmpstr (row->detail, ==, detail);
    row = g_ptr_array_index (rows, 1);
    g_assert_cmpstr (row->target, ==, "history.retention_days");
    g_assert_nonnull (strstr (row->detail, "\"old\":null,\"new\":\"30\""));
  }
  g_assert_true (g_key_file_load_from_file (keyfile, conf, G_KEY_FILE_KEEP_COMMENTS, &error));
  g_assert_cmpint (g_key_file_get_integer (keyfile, "server", "port", NULL), ==, 9001);
  g_assert_cmpint (g_key_file_get_integer (keyfile, "history", "retention_days", NULL), ==, 30);

  /* The history backend (docs/historian-postgresql.md): read from the file, written back. */
  {
    GtkWidget *sw = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (prefs),
                                                               DC_TYPE_PREFERENCES_WINDOW,
                                                               "postgresql_switch"));
    g_autofree char *backend = NULL;
    g_autofree char *url = NULL;

    g_assert_nonnull (sw);
    g_assert_true (gtk_switch_get_active (GTK_SWITCH (sw)));
    gtk_switch_set_active (GTK_SWITCH (sw), FALSE);
    g_assert_true (g_key_file_load_from_file (keyfile, conf, G_KEY_FILE_NONE, &error));
    backend = g_key_file_get_string (keyfile, "history", "backend", NULL);
    url = g_key_file_get_string (keyfile, "history", "url", NULL);
    g_assert_cmpstr (backend, ==, "sqlite");
    g_assert_cmpstr (url, ==, "postgresql://db/plant");
  }

  if (settings != NULL)
    {
      g_settings_set_uint (settings, "refresh-rate-hz", 4);
      g_assert_cmpfloat (dc_plant_model_get_refresh_rate (ui->plant), ==, 4);
      g_settings_set_string (settings, "color-scheme", "dark");
      g_assert_true (adw_style_manager_get_dark (adw_style_manager_get_default ()));
      g_settings_set_string (settings, "color-scheme", "follow");
    }
  else
    g_test_message ("GSettings schema not found: desktop preferences not checked");

  gtk_window_destroy (GTK_WINDOW (prefs));
  ui_free (ui);
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);


  ui_test_add ("/dc/ui/window/empty", test_window_empty);
  ui_test_add ("/dc/ui/tree/follows-store", test_tree_follows_store);
  ui_test_add ("/dc/ui/table/live-values-and-quality", test_live_values_and_quality);
  ui_test_add ("/dc/ui/trend/view", test_trend_view);
  ui_test_add ("/dc/ui/preferences", test_preferences);

  return g_test_run ();
}
