/* test-ui.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The workstation against a real configuration store (sqlite file in a temporary dir): the
 * window's pages, the device tree following the store, live values and quality badges in the
 * table, the trend widget, preferences, screenshots and a 100,000-point scale check.
 */

#include "config.h"

#include <math.h>

#include <glib/gstdio.h>

#include "dc-application.h"
#include "dc-demo.h"
#include "dc-engine.h"
#include "dc-formula.h"
#include "dc-history.h"
#include "dc-modbus.h"
#include "dc-modbus-server.h"
#include "dc-protocols.h"
#include "dc-device-tree.h"
#include "dc-plant-model.h"
#include "dc-point-table.h"
#include "dc-preferences-window.h"
#include "dc-trend-view.h"
#include "dc-window.h"
#include "dc-test-ui.h"

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

typedef struct
{
  DcPointRow *row;
  const char *text;
} RowText;

static gboolean
row_value_is (gpointer data)
{
  RowText *rt = data;

  return g_strcmp0 (dc_point_row_get_value_text (rt->row), rt->text) == 0;
}

static gboolean
row_quality_contains (gpointer data)
{
  RowText *rt = data;
  g_autofree char *q = NULL;

  g_object_get (rt->row, "quality-text", &q, NULL);
  return q != NULL && strstr (q, rt->text) != NULL;
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

  /* Ctrl+T pins the selection: two points share the chart. */
  dc_window_select (ui->window, dc_plant_model_lookup_point (ui->plant, key_of (ui, "ca1", "f1_i")));
  gtk_widget_activate_action (GTK_WIDGET (ui->window), "win.trend", NULL);
  dc_window_select (ui->window, row);
  gtk_widget_activate_action (GTK_WIDGET (ui->window), "win.trend", NULL);
  g_assert_cmpuint (dc_trend_view_get_n_series (trend), ==, 2);
  dc_window_select (ui->window, dc_plant_model_lookup_point (ui->plant, key_of (ui, "ca1", "f2_i")));
  g_assert_cmpuint (dc_trend_view_get_n_series (trend), ==, 2);

  /* The 7 d range button. */
  gtk_widget_activate_action (GTK_WIDGET (ui->window), "trend.range", "s", "7d");
  g_assert_cmpint (dc_trend_view_get_span (trend), ==, (gint64) 7 * 86400 * G_USEC_PER_SEC);
  g_assert_true (dc_trend_view_get_follow (trend));

  ui_free (ui);
}

typedef struct
{
  DcPlantModel *plant;
  guint         n;
} ValuesWait;

static gboolean
rows_have_values (gpointer data)
{
  ValuesWait *w = data;
  GListModel *devices = dc_plant_model_get_devices (w->plant);
  guint n = 0;

  for (guint d = 0; d < g_list_model_get_n_items (devices); d++)
    {
      g_autoptr(DcDeviceNode) device = g_list_model_get_item (devices, d);
      GListModel *points = dc_device_node_get_points (device);

      for (guint p = 0; p < g_list_model_get_n_items (points); p++)
        {
          g_autoptr(DcPointRow) row = g_list_model_get_item (points, p);

          n += dc_point_row_has_value (row);
        }
    }
  return n >= w->n;
}

static gboolean
trend_has_many_buckets (gpointer data)
{
  gint64 *args = data;

  return dc_trend_view_get_n_buckets ((DcTrendView *) (gpointer) args[0], args[1]) >= 30;
}

/* Screenshots of the real demo plant (the in-process simulators of `datacoll --demo`, the
 * engine, formulas and history): the main window with the point detail and its trend (an
 * hour of busbar voltage history written before the window opens), and the Trend page. */
static void
test_screenshots (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dc-ui-demo-XXXXXX", &error);
  g_autofree char *db = g_build_filename (dir, "datacoll.db", NULL);
  g_autofree char *hdb = g_build_filename (dir, "datacoll-history.db", NULL);
  g_autoptr(GArray) past = g_array_new (FALSE, FALSE, sizeof (DcSample));
  DcDemo *demo;
  DcStore *store;
  DcHistory *history;
  DcEngine *engine;
  DcFormula *formula;
  DcApplication *app;
  DcPlantModel *plant;
  DcWindow *window;
  DcPointRow *bus;
  ValuesWait vw;
  gint64 args[2];
  gint64 key, now = g_get_real_time ();
  guint colours;

  demo = dc_demo_start (&error);
  g_assert_no_error (error);
  store = dc_store_open (db, &error);
  g_assert_no_error (error);
  g_assert_true (dc_demo_populate (demo, store, &error));
  g_assert_no_error (error);
  history = dc_history_new (hdb, &error);
  g_assert_no_error (error);

  /* An hour of plausible busbar voltage before now: slow drift plus a little noise. */
  key = dc_store_get_point_key (store, "sub1_ca1", "busbar_voltage");
  g_assert_cmpint (key, >, 0);
  for (guint i = 0; i < 720; i++)
    {
      gint64 t = now - (gint64) (720 - i) * 5 * G_USEC_PER_SEC;
      double v = 10.2 + 0.22 * sin (i / 60.0) + 0.06 * sin (i / 7.0) + 0.02 * sin (i * 1.7);
      DcSample s = { key, t, v, 0 };

      g_array_append_val (past, s);
    }
  g_assert_true (dc_history_push (history, (DcSample *) past->data, past->len, &error));
  g_assert_no_error (error);
  dc_history_sync (history);

  dc_protocols_register_all ();
  engine = dc_engine_new (store, history);
  formula = dc_formula_new_for_engine (engine);
  dc_formula_start (formula);
  dc_engine_start (engine);
  dc_demo_seed (demo, engine);

  app = dc_application_new (G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  plant = dc_application_get_plant (app);
  dc_plant_model_follow_store (plant, store);
  dc_plant_model_follow_engine (plant, engine);
  dc_application_set_rest_address (app, "127.0.0.1:8080");
  g_application_activate (G_APPLICATION (app));
  window = DC_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 760);
  ui_wait_for_frame (GTK_WIDGET (window));

  /* Values move within a second or two of starting (docs/demo.md). */
  vw = (ValuesWait) { plant, 20 };
  g_assert_true (ui_wait_until (rows_have_values, &vw, 20000));

  /* Double points read as states in words. */
  {
    DcPointRow *breaker = dc_plant_model_lookup_point_id (plant, "sub1_ca1", "f1_breaker");
    static const char *states[] = { "open", "closed", "intermediate", "faulty", NULL };

    g_assert_nonnull (breaker);
    if (dc_point_row_has_value (breaker))
      g_assert_true (g_strv_contains (states, dc_point_row_get_value_text (breaker)));
  }

  bus = dc_plant_model_lookup_point (plant, key);
  g_assert_nonnull (bus);
  g_assert_true (dc_window_select (window, bus));
  args[0] = (gint64) (gintptr) dc_window_get_mini_trend (window);
  args[1] = key;
  g_assert_true (ui_wait_until (trend_has_many_buckets, args, 10000));
  /* Let a refresh or two pass so that ages and trends are current. */
  dc_plant_model_flush (plant);
  ui_wait_for_frame (GTK_WIDGET (window));

  colours = ui_render_png (GTK_WIDGET (window), "screenshot-main.png");
  g_test_message ("main window: %u colours", colours);
  g_assert_cmpuint (colours, >, 50);

  dc_window_set_view (window, "trend");
  args[0] = (gint64) (gintptr) dc_window_get_trend_view (window);
  g_assert_true (ui_wait_until (trend_has_many_buckets, args, 10000));
  /* Two frames: the header's switcher follows the page one frame later. */
  ui_wait_for_frame (GTK_WIDGET (window));
  ui_wait_for_frame (GTK_WIDGET (window));
  colours = ui_render_png (GTK_WIDGET (window), "screenshot-trend-page.png");
  g_assert_cmpuint (colours, >, 20);

  gtk_window_destroy (GTK_WINDOW (window));
  dc_plant_model_follow_engine (plant, NULL);
  dc_plant_model_follow_store (plant, NULL);
  g_object_unref (app);
  dc_engine_shutdown (engine);
  g_object_unref (formula);
  g_object_unref (engine);
  g_object_unref (history);
  g_object_unref (store);
  dc_demo_stop (demo);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Preferences: server settings land in the configuration file, desktop ones in GSettings. */
static void
test_preferences (void)
{
  Ui *ui = ui_new (FALSE);
  g_autofree char *conf = g_build_filename (ui->dir, "datacoll.conf", NULL);
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  GSettings *settings = dc_application_get_settings (ui->app);
  DcPreferencesWindow *prefs;

  g_assert_true (g_file_set_contents (conf, "# kept\n[server]\nport=9000\n", -1, NULL));
  prefs = dc_preferences_window_new (GTK_WINDOW (ui->window), settings, conf);
  gtk_window_present (GTK_WINDOW (prefs));
  ui_wait_for_frame (GTK_WIDGET (prefs));
  g_assert_cmpuint (ui_render_png (GTK_WIDGET (prefs), "screenshot-preferences.png"), >, 8);

  g_assert_true (dc_preferences_window_write_setting (prefs, "history", "retention_days", "30", &error));
  g_assert_no_error (error);
  g_assert_true (g_key_file_load_from_file (keyfile, conf, G_KEY_FILE_KEEP_COMMENTS, &error));
  g_assert_cmpint (g_key_file_get_integer (keyfile, "server", "port", NULL), ==, 9000);
  g_assert_cmpint (g_key_file_get_integer (keyfile, "history", "retention_days", NULL), ==, 30);

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

/* 100,000 points: load into the models and show them in the table; prints the time to the
 * first frame (the < 1 s target is in bench/ui, not asserted here). */
static void
test_scale_100k (void)
{
  const guint n_points = 100000;
  const guint per_term = 1000;
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GPtrArray) terms = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autofree DcPlantPoint *points = g_new0 (DcPlantPoint, n_points);
  g_autoptr(DcPlantModel) plant = dc_plant_model_new ();
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (DcSample));
  DcWindow *window;
  DcDeviceNode *device;
  gint64 t0, t_load, t_frame, t_update;

  g_ptr_array_add (devices, dc_test_json_object ("{\"id\":\"big\",\"name\":\"Big plant\",\"protocol\":\"iec104\"}"));
  for (guint t = 0; t < n_points / per_term; t++)
    {
      g_autofree char *json = g_strdup_printf ("{\"id\":\"t%u\",\"name\":\"Station %u\",\"device_id\":\"big\"}", t, t);

      g_ptr_array_add (terms, dc_test_json_object (json));
    }
  for (guint i = 0; i < per_term; i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"id\":\"i%u\",\"name\":\"Measurement %u\",\"unit\":\"kW\"}", i, i);

      g_ptr_array_add (items, dc_test_json_object (json));
    }
  for (guint p = 0; p < n_points; p++)
    {
      g_autofree char *json = g_strdup_printf ("{\"device_id\":\"big\",\"term_id\":\"t%u\",\"item_id\":\"i%u\","
                                               "\"protocol_code\":%u,\"code_type\":13}",
                                               p / per_term, p % per_term, p + 1);

      points[p].key = p + 1;
      points[p].json = dc_test_json_object (json);
    }

  t0 = g_get_monotonic_time ();
  dc_plant_model_load (plant, devices, terms, items, points, n_points);
  t_load = g_get_monotonic_time ();
  g_assert_cmpuint (dc_plant_model_get_n_points (plant), ==, n_points);

  window = dc_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 760);
  dc_window_set_plant (window, plant);
  device = dc_plant_model_lookup_device (plant, "big");
  g_assert_true (dc_window_select (window, device));
  g_assert_cmpuint (g_list_model_get_n_items (dc_point_table_get_model (dc_window_get_point_table (window))),
                    ==, n_points);
  gtk_window_present (GTK_WINDOW (window));
  ui_wait_for_frame (GTK_WIDGET (window));
  t_frame = g_get_monotonic_time ();

  /* A value for every point: one coalesced flush, no model change. */
  for (guint p = 0; p < n_points; p++)
    {
      DcSample s = { p + 1, g_get_real_time (), p * 0.5, 0 };

      g_array_append_val (samples, s);
    }
  {
    gint64 u0 = g_get_monotonic_time ();
    dc_plant_model_push_samples (plant, (DcSample *) samples->data, samples->len);
    g_assert_cmpuint (dc_plant_model_flush (plant), ==, n_points);
    t_update = g_get_monotonic_time () - u0;
  }
  ui_wait_for_frame (GTK_WIDGET (window));

  g_print ("# scale: %u points: models loaded in %.0f ms, first frame after %.0f ms "
           "(%.0f ms after load), %u-row update applied in %.0f ms\n",
           n_points, (t_load - t0) / 1000.0, (t_frame - t0) / 1000.0, (t_frame - t_load) / 1000.0,
           n_points, t_update / 1000.0);

  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  for (guint p = 0; p < n_points; p++)
    json_object_unref (points[p].json);
}

typedef struct
{
  DcPlantModel *plant;
  const char   *device_id;
  DcNodeLink    state;
} StateWait;

static gboolean
device_state_is (gpointer data)
{
  StateWait *w = data;
  DcDeviceNode *node = dc_plant_model_lookup_device (w->plant, w->device_id);

  return node != NULL && dc_device_node_get_state (node) == w->state;
}

static gboolean
trend_has_buckets (gpointer data)
{
  gint64 *args = data;

  return dc_trend_view_get_n_buckets ((DcTrendView *) (gpointer) args[0], args[1]) > 0;
}

static void
device_failed_cb (DcPlantModel *plant,
                  DcDeviceNode *device,
                  const char   *message,
                  char        **out)
{
  g_free (*out);
  *out = g_strdup (message);
}

/* The real window against a real engine polling a real Modbus TCP simulator (in-process, free
 * port): a point's live value appears within a deadline, the device shows up; the simulator
 * stops → comm lost badge, device down, a toast message; it comes back → good again. The trend
 * receives history buckets for its range. */
static void
test_engine_modbus (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dc-ui-engine-XXXXXX", &error);
  g_autofree char *db = g_build_filename (dir, "datacoll.db", NULL);
  g_autofree char *hdb = g_build_filename (dir, "datacoll-history.db", NULL);
  g_autofree char *json = NULL;
  g_autofree char *failure = NULL;
  DcModbusSimOptions options = { 0, 1, NULL, 0, 100, NULL, FALSE, NULL };
  DcModbusSim *sim;
  DcStore *store;
  DcHistory *history;
  DcEngine *engine;
  DcApplication *app;
  DcPlantModel *plant;
  DcWindow *window;
  DcPointRow *row;
  RowText rt;
  StateWait sw;
  gint64 args[2];
  gint64 start;
  guint16 port;

  dc_modbus_register_drivers ();
  sim = dc_modbus_sim_start (&options, NULL, &error);
  g_assert_no_error (error);
  port = dc_modbus_sim_get_port (sim, 0);
  g_assert_true (dc_modbus_sim_set_value (sim, 0, 1, DC_MODBUS_TABLE_HR, 0, 1234));

  store = dc_store_open (db, &error);
  g_assert_no_error (error);
  history = dc_history_new (hdb, &error);
  g_assert_no_error (error);
  engine = dc_engine_new (store, history);
  dc_engine_start (engine);

  dc_test_store_create (store, DC_KIND_ITEM, "{\"id\":\"cur\",\"name\":\"Pump current\",\"unit\":\"A\"}");
  json = g_strdup_printf ("{\"id\":\"plc\",\"name\":\"Pump PLC\",\"protocol\":\"modbus_tcp\","
                          "\"ip\":\"127.0.0.1\",\"port\":%u,\"poll_ms\":100,\"timeout_ms\":300}", port);
  dc_test_store_create (store, DC_KIND_DEVICE, json);
  dc_test_store_create (store, DC_KIND_TERM, "{\"id\":\"u1\",\"device_id\":\"plc\",\"address\":1}");
  dc_test_store_create (store, DC_KIND_POINT, "{\"term_id\":\"u1\",\"item_id\":\"cur\",\"protocol_code\":0,"
                        "\"code_type\":\"hr:u16\",\"coefficient\":0.1}");

  app = dc_application_new (G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  plant = dc_application_get_plant (app);
  dc_plant_model_follow_store (plant, store);
  dc_plant_model_follow_engine (plant, engine);
  g_signal_connect (plant, "device-failed", G_CALLBACK (device_failed_cb), &failure);
  g_application_activate (G_APPLICATION (app));
  window = DC_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  ui_wait_for_frame (GTK_WIDGET (window));

  row = dc_plant_model_lookup_point_id (plant, "u1", "cur");
  g_assert_nonnull (row);
  g_assert_true (dc_window_select (window, row));

  start = g_get_monotonic_time ();
  rt = (RowText) { row, "123.4 A" };
  g_assert_true (ui_wait_until (row_value_is, &rt, 10000));
  g_test_message ("live Modbus value in the table after %.0f ms",
                  (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpstr (dc_window_get_detail_value (window), ==, "123.4 A");
  sw = (StateWait) { plant, "plc", DC_NODE_LINK_UP };
  g_assert_true (ui_wait_until (device_state_is, &sw, 10000));

  /* The mini trend of the selection gets history buckets for its range. */
  args[0] = (gint64) (gintptr) dc_window_get_mini_trend (window);
  args[1] = dc_point_row_get_key (row);
  dc_trend_view_set_span (dc_window_get_mini_trend (window), 600 * G_USEC_PER_SEC);
  g_assert_true (ui_wait_until (trend_has_buckets, args, 10000));

  /* The device goes down: comm lost in words, device down, a failure message. */
  dc_modbus_sim_stop (sim);
  rt.text = "comm lost";
  g_assert_true (ui_wait_until (row_quality_contains, &rt, 15000));
  sw.state = DC_NODE_LINK_DOWN;
  g_assert_true (ui_wait_until (device_state_is, &sw, 15000));
  g_assert_nonnull (failure);
  g_test_message ("failure toast: %s", failure);

  /* It comes back on the same port with a new value. */
  options.port = port;
  sim = dc_modbus_sim_start (&options, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (dc_modbus_sim_set_value (sim, 0, 1, DC_MODBUS_TABLE_HR, 0, 1300));
  rt.text = "130 A";
  g_assert_true (ui_wait_until (row_value_is, &rt, 30000));
  rt.text = "good";
  g_assert_true (ui_wait_until (row_quality_contains, &rt, 5000));
  sw.state = DC_NODE_LINK_UP;
  g_assert_true (ui_wait_until (device_state_is, &sw, 10000));

  gtk_window_destroy (GTK_WINDOW (window));
  dc_plant_model_follow_engine (plant, NULL);
  dc_plant_model_follow_store (plant, NULL);
  g_object_unref (app);
  dc_engine_shutdown (engine);
  g_object_unref (engine);
  g_object_unref (history);
  g_object_unref (store);
  dc_modbus_sim_stop (sim);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

int
main (int   argc,
      char *argv[])
{
  /* No session bus under xvfb-run: without this, GApplication's registration waits for D-Bus
   * autolaunch (seconds per case). The workstation does not need the bus in tests. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "disabled:", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_protocols_register_all ();

  ui_test_add ("/dc/ui/window/empty", test_window_empty);
  ui_test_add ("/dc/ui/tree/follows-store", test_tree_follows_store);
  ui_test_add ("/dc/ui/table/live-values-and-quality", test_live_values_and_quality);
  ui_test_add ("/dc/ui/trend/view", test_trend_view);
  ui_test_add ("/dc/ui/screenshots", test_screenshots);
  ui_test_add ("/dc/ui/preferences", test_preferences);
  ui_test_add ("/dc/ui/scale/100k", test_scale_100k);
  ui_test_add ("/dc/ui/engine/modbus", test_engine_modbus);

  return g_test_run ();
}
