/* test-ui-trend.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The Trend and History pages (issue 18, docs/ui.md "Trend" and "History"): the pens' legend
 * with its remove buttons, one value axis per unit, state pens, "Follow Selection" with
 * pinned pens, several points selected in the table, a custom range from the date pickers,
 * the raw-sample CSV in wide form, and the History page's rows and paging, also on a desk
 * over a separate `datacoll --server` process.
 */

#include "config.h"

#include <math.h>

#include "dc-error.h"
#include "dc-plant-source-samples.h"
#include "dc-point-table.h"
#include "dc-remote-source.h"
#include "dc-test-http.h"
#include "dc-test-server.h"
#include "dc-test-ui.h"
#include "dc-test-wait.h"
#include "dc-time.h"
#include "dc-trend-view.h"
#include "dc-window-trend.h"

/* A virtual plant: a percentage, two voltages, a current, a breaker with state texts. */
static void
setup (UiPlant *f)
{
  ui_plant_setup (f, FALSE, NULL);
  dc_test_store_create (f->store, DC_KIND_DEVICE, "{\"id\":\"plant\",\"name\":\"Virtual plant\","
                        "\"protocol\":\"virtual\"}");
  dc_test_store_create (f->store, DC_KIND_TERM, "{\"id\":\"t\",\"device_id\":\"plant\"}");
  dc_test_store_create (f->store, DC_KIND_ITEM, "{\"id\":\"level\",\"name\":\"Tank level\",\"unit\":\"%\"}");
  dc_test_store_create (f->store, DC_KIND_ITEM, "{\"id\":\"u1\",\"name\":\"Busbar voltage\",\"unit\":\"kV\"}");
  dc_test_store_create (f->store, DC_KIND_ITEM, "{\"id\":\"u2\",\"name\":\"Line voltage\",\"unit\":\"kV\"}");
  dc_test_store_create (f->store, DC_KIND_ITEM, "{\"id\":\"i1\",\"name\":\"Feeder current\",\"unit\":\"A\"}");
  dc_test_store_create (f->store, DC_KIND_ITEM, "{\"id\":\"cb\",\"name\":\"Feeder breaker\"}");
  dc_test_store_create (f->store, DC_KIND_POINT, "{\"term_id\":\"t\",\"item_id\":\"level\"}");
  dc_test_store_create (f->store, DC_KIND_POINT, "{\"term_id\":\"t\",\"item_id\":\"u1\"}");
  dc_test_store_create (f->store, DC_KIND_POINT, "{\"term_id\":\"t\",\"item_id\":\"u2\"}");
  dc_test_store_create (f->store, DC_KIND_POINT, "{\"term_id\":\"t\",\"item_id\":\"i1\"}");
  dc_test_store_create (f->store, DC_KIND_POINT, "{\"term_id\":\"t\",\"item_id\":\"cb\","
                        "\"states\":{\"1\":\"open\",\"2\":\"closed\"}}");
}

static DcPointRow *
row_of (UiPlant    *f,
        const char *item_id)
{
  DcPointRow *row = dc_plant_model_lookup_point_id (dc_window_get_plant (f->window), "t", item_id);

  g_assert_nonnull (row);
  return row;
}

static void
select_point (UiPlant    *f,
              const char *item_id)
{
  g_assert_true (dc_window_select (f->window, row_of (f, item_id)));
}

/* Stores samples of @item_id: @n of them, @step_s apart, ending @age_s ago. */
static void
store_samples (UiPlant    *f,
               const char *item_id,
               const DcSample *samples,
               guint       n)
{
  g_autoptr(GError) error = NULL;
  g_autofree DcSample *copy = g_memdup2 (samples, n * sizeof *samples);

  for (guint i = 0; i < n; i++)
    copy[i].key = dc_point_row_get_key (row_of (f, item_id));
  g_assert_true (dc_history_push (f->history, copy, n, &error));
  g_assert_no_error (error);
}

/* An hour of history, a sample every 20 s: a level in %, two voltages near 20 kV, a current
 * near 150 A, the breaker opening for ten minutes. */
static void
store_hour (UiPlant *f)
{
  const char *items[] = { "level", "u1", "u2", "i1", "cb" };
  gint64 now = g_get_real_time ();

  for (guint p = 0; p < G_N_ELEMENTS (items); p++)
    {
      g_autofree DcSample *samples = g_new0 (DcSample, 180);

      for (guint i = 0; i < 180; i++)
        {
          double x = i / 180.0;

          samples[i].time = now - (gint64) (180 - i) * 20 * G_USEC_PER_SEC;
          switch (p)
            {
            case 0: samples[i].value = 40 + 30 * sin (x * 6.28); break;
            case 1: samples[i].value = 20.4 + 0.3 * sin (x * 12); break;
            case 2: samples[i].value = 20.1 + 0.2 * cos (x * 9); break;
            case 3: samples[i].value = 150 + 40 * x; break;
            default: samples[i].value = i >= 80 && i < 110 ? 1 : 2; break;
            }
        }
      store_samples (f, items[p], samples, 180);
    }
}

static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;
  if (GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_popover (GTK_MENU_BUTTON (widget)) != NULL)
    {
      GtkWidget *found = find_named (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (widget))), name);

      if (found != NULL)
        return found;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The texts of the legend's rows: "name|axis detail" each. */
static char *
legend_text (UiPlant *f)
{
  GtkListBox *list = dc_trend_legend_get_list (dc_window_get_trend_legend (f->window));
  GString *text = g_string_new (NULL);

  for (int i = 0; gtk_list_box_get_row_at_index (list, i) != NULL; i++)
    {
      GtkWidget *row = GTK_WIDGET (gtk_list_box_get_row_at_index (list, i));

      if (i > 0)
        g_string_append (text, "; ");
      g_string_append_printf (text, "%s|%s",
                              gtk_label_get_label (GTK_LABEL (find_named (row, "pen-label"))),
                              gtk_label_get_label (GTK_LABEL (find_named (row, "pen-axis"))));
    }
  return g_string_free (text, FALSE);
}

static void
save_shot (GtkWidget  *widget,
           const char *name)
{
  g_assert_cmpuint (ui_render_png_settled (widget, name), >, 10);
}

/* The legend, the axes per unit, state pens, Ctrl+T pins with the page still following the
 * selection, and "Follow Selection" off. */
static void
test_legend_axes_follow (void)
{
  UiPlant f;
  DcTrendView *trend;
  GtkToggleButton *follow;
  GtkListBox *list;
  g_autofree char *text = NULL;
  GtkWidget *remove;

  setup (&f);
  ui_plant_open_window (&f);
  store_hour (&f);
  trend = dc_window_get_trend_view (f.window);
  follow = dc_window_get_follow_selection (f.window);
  list = dc_trend_legend_get_list (dc_window_get_trend_legend (f.window));
  dc_window_select (f.window, dc_plant_model_lookup_device (dc_window_get_plant (f.window), "plant"));
  dc_window_set_view (f.window, "trend");
  g_assert_true (gtk_toggle_button_get_active (follow));

  /* Following: the selected point is the pen. */
  select_point (&f, "level");
  g_assert_cmpuint (dc_trend_view_get_n_series (trend), ==, 1);
  text = legend_text (&f);
  g_assert_cmpstr (text, ==, "Tank level|% · left axis");
  g_clear_pointer (&text, g_free);

  /* Ctrl+T pins it; the page keeps following: the next point joins on the right axis. */
  gtk_widget_activate_action (GTK_WIDGET (f.window), "win.trend", NULL);
  select_point (&f, "u1");
  g_assert_cmpuint (dc_trend_view_get_n_series (trend), ==, 2);
  g_assert_cmpuint (dc_trend_view_get_n_axes (trend), ==, 2);
  g_assert_cmpint (dc_trend_view_get_series_axis (trend, 0), ==, 0);
  g_assert_cmpint (dc_trend_view_get_series_axis (trend, 1), ==, 1);
  g_assert_cmpstr (dc_trend_view_get_axis_unit (trend, 0), ==, "%");
  g_assert_cmpstr (dc_trend_view_get_axis_unit (trend, 1), ==, "kV");
  text = legend_text (&f);
  g_assert_cmpstr (text, ==, "Tank level|% · left axis; Busbar voltage|kV · right axis");
  g_clear_pointer (&text, g_free);

  /* Another point follows in its place; pinned, a second kV pen shares the kV axis. */
  gtk_widget_activate_action (GTK_WIDGET (f.window), "win.trend", NULL);
  select_point (&f, "u2");
  g_assert_cmpuint (dc_trend_view_get_n_series (trend), ==, 3);
  g_assert_cmpuint (dc_trend_view_get_n_axes (trend), ==, 2);
  g_assert_cmpint (dc_trend_view_get_series_axis (trend, 2), ==, 1);

  /* A third unit on the outer left axis, the breaker's states on the outer right. */
  gtk_widget_activate_action (GTK_WIDGET (f.window), "win.trend", NULL);
  select_point (&f, "i1");
  gtk_widget_activate_action (GTK_WIDGET (f.window), "win.trend", NULL);
  select_point (&f, "cb");
  g_assert_cmpuint (dc_trend_view_get_n_series (trend), ==, 5);
  g_assert_cmpuint (dc_trend_view_get_n_axes (trend), ==, 4);
  g_assert_cmpint (dc_trend_view_get_series_axis (trend, 3), ==, 2);
  g_assert_cmpint (dc_trend_view_get_series_axis (trend, 4), ==, 3);
  g_assert_cmpstr (dc_trend_view_get_axis_unit (trend, 3), ==, "open/closed");
  g_assert_cmpuint (gtk_list_box_get_row_at_index (list, 4) != NULL, ==, TRUE);
  g_assert_null (gtk_list_box_get_row_at_index (list, 5));
  text = legend_text (&f);
  g_assert_nonnull (strstr (text, "Feeder current|A · outer left axis"));
  g_assert_nonnull (strstr (text, "Feeder breaker|outer right axis"));
  g_clear_pointer (&text, g_free);

  /* The history drawn: every pen has buckets (for the picture). */
  for (guint i = 0; i < dc_trend_view_get_n_series (trend); i++)
    {
      gint64 key = dc_trend_view_get_series_key (trend, i);

      DC_TEST_WAIT_UNTIL (dc_trend_view_get_n_buckets (trend, key) > 10, 10);
      g_assert_cmpuint (dc_trend_view_get_n_buckets (trend, key), >, 10);
    }
  save_shot (GTK_WIDGET (f.window), "trend-axes-legend.png");

  /* The legend's remove button: the busbar voltage is gone (and no longer pinned). */
  remove = find_named (GTK_WIDGET (gtk_list_box_get_row_at_index (list, 1)), "pen-remove");
  g_assert_nonnull (remove);
  g_signal_emit_by_name (remove, "clicked");
  g_assert_cmpuint (dc_trend_view_get_n_series (trend), ==, 4);
  g_assert_false (dc_trend_view_has_series (trend, dc_point_row_get_key (row_of (&f, "u1"))));
  g_assert_null (gtk_list_box_get_row_at_index (list, 4));
  text = legend_text (&f);
  g_assert_cmpstr (text, ==, "Tank level|% · left axis; Line voltage|kV · right axis; "
                   "Feeder current|A · outer left axis; Feeder breaker|outer right axis");
  g_clear_pointer (&text, g_free);

  /* The breaker follows the selection, not pinned: another selection replaces it. */
  select_point (&f, "u1");
  g_assert_false (dc_trend_view_has_series (trend, dc_point_row_get_key (row_of (&f, "cb"))));
  g_assert_true (dc_trend_view_has_series (trend, dc_point_row_get_key (row_of (&f, "u1"))));

  /* Not following: a new selection changes nothing; following again adds it. */
  gtk_toggle_button_set_active (follow, FALSE);
  select_point (&f, "cb");
  g_assert_cmpuint (dc_trend_view_get_n_series (trend), ==, 4);
  g_assert_false (dc_trend_view_has_series (trend, dc_point_row_get_key (row_of (&f, "cb"))));
  gtk_toggle_button_set_active (follow, TRUE);
  g_assert_true (dc_trend_view_has_series (trend, dc_point_row_get_key (row_of (&f, "cb"))));
  /* u1, shown when following stopped, stayed as a pinned pen. */
  g_assert_true (dc_trend_view_has_series (trend, dc_point_row_get_key (row_of (&f, "u1"))));
  g_assert_cmpuint (dc_trend_view_get_n_series (trend), ==, 5);

  ui_plant_teardown (&f);
}

/* Several points selected in the table: all of them are pens while following. */
static void
test_multi_select (void)
{
  UiPlant f;
  DcTrendView *trend;
  GtkSelectionModel *selection;
  GListModel *shown;
  guint n;

  setup (&f);
  ui_plant_open_window (&f);
  trend = dc_window_get_trend_view (f.window);
  select_point (&f, "level");
  g_assert_cmpuint (dc_trend_view_get_n_series (trend), ==, 1);

  selection = gtk_column_view_get_model (dc_point_table_get_column_view (dc_window_get_point_table (f.window)));
  g_assert_true (GTK_IS_MULTI_SELECTION (selection));
  shown = dc_point_table_get_sorted_model (dc_window_get_point_table (f.window));
  n = g_list_model_get_n_items (shown);
  g_assert_cmpuint (n, ==, 5);
  /* Ctrl+click on two more rows, as a person would extend the selection. */
  for (guint i = 0, added = 0; i < n && added < 2; i++)
    if (!gtk_selection_model_is_selected (selection, i))
      {
        gtk_selection_model_select_item (selection, i, FALSE);
        added++;
      }
  g_assert_cmpuint (dc_trend_view_get_n_series (trend), ==, 3);
  {
    g_autoptr(GPtrArray) rows = dc_point_table_get_selected_rows (dc_window_get_point_table (f.window), 10);

    g_assert_cmpuint (rows->len, ==, 3);
    for (guint i = 0; i < rows->len; i++)
      g_assert_true (dc_trend_view_has_series (trend, dc_point_row_get_key (g_ptr_array_index (rows, i))));
  }
  /* All of them. */
  gtk_selection_model_select_all (selection);
  g_assert_cmpuint (dc_trend_view_get_n_series (trend), ==, 5);
  /* Back to one. */
  gtk_selection_model_select_item (selection, 3, TRUE);
  g_assert_cmpuint (dc_trend_view_get_n_series (trend), ==, 1);

  ui_plant_teardown (&f);
}

/* The custom range: two date pickers with times; a bad entry is refused in words. */
static void
test_custom_range (void)
{
  UiPlant f;
  DcTrendView *trend;
  GtkWidget *button;
  g_autoptr(GDateTime) day = NULL;
  g_autoptr(GDateTime) expect_from = NULL;
  g_autoptr(GDateTime) expect_to = NULL;
  gint64 from, to;

  setup (&f);
  ui_plant_open_window (&f);
  trend = dc_window_get_trend_view (f.window);
  dc_window_set_view (f.window, "trend");
  select_point (&f, "level");

  button = find_named (GTK_WIDGET (f.window), "trend-custom-range");
  g_assert_nonnull (button);
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  ui_wait_for_frame (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button))));
  /* The pickers start at the range shown (the last hour, ending now). */
  day = g_date_time_new_now_local ();
  g_assert_cmpint (g_date_time_get_day_of_month (gtk_calendar_get_date (GTK_CALENDAR (find_named (button, "trend-to-calendar")))),
                   ==, g_date_time_get_day_of_month (day));

  /* Three days ago, 06:30 to 18:00. */
  g_clear_pointer (&day, g_date_time_unref);
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_local ();

    day = g_date_time_add_days (now, -3);
  }
  gtk_calendar_select_day (GTK_CALENDAR (find_named (button, "trend-from-calendar")), day);
  gtk_calendar_select_day (GTK_CALENDAR (find_named (button, "trend-to-calendar")), day);
  gtk_editable_set_text (GTK_EDITABLE (find_named (button, "trend-from-time")), "6:30");
  gtk_editable_set_text (GTK_EDITABLE (find_named (button, "trend-to-time")), "noon");
  g_signal_emit_by_name (find_named (button, "trend-apply-range"), "clicked");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (find_named (button, "trend-range-error"))), ==,
                   "Enter times as hours:minutes or hours:minutes:seconds");
  save_shot (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button))), "trend-custom-range.png");
  g_assert_true (dc_trend_view_get_follow (trend));

  gtk_editable_set_text (GTK_EDITABLE (find_named (button, "trend-to-time")), "18:00:00");
  g_signal_emit_by_name (find_named (button, "trend-apply-range"), "clicked");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (find_named (button, "trend-range-error"))), ==, "");
  expect_from = g_date_time_new_local (g_date_time_get_year (day), g_date_time_get_month (day),
                                       g_date_time_get_day_of_month (day), 6, 30, 0);
  expect_to = g_date_time_new_local (g_date_time_get_year (day), g_date_time_get_month (day),
                                     g_date_time_get_day_of_month (day), 18, 0, 0);
  dc_trend_view_get_range (trend, &from, &to);
  g_assert_false (dc_trend_view_get_follow (trend));
  g_assert_cmpint (from, ==, g_date_time_to_unix (expect_from) * G_USEC_PER_SEC);
  g_assert_cmpint (to, ==, g_date_time_to_unix (expect_to) * G_USEC_PER_SEC);
  ui_plant_teardown (&f);
}

static gboolean
task_done (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* The trend's CSV: raw samples, one row per distinct time, one column per pen. */
static void
test_csv (void)
{
  UiPlant f;
  DcTrendView *trend;
  gint64 t0 = (g_get_real_time () / G_USEC_PER_SEC - 600) * G_USEC_PER_SEC;
  const DcSample level[] = { { 0, t0, 62.8, 0 }, { 0, t0 + 2 * G_USEC_PER_SEC, 0.1, 0 },
                             { 0, t0 + 3 * G_USEC_PER_SEC, 1e-7, 0 } };
  const DcSample volts[] = { { 0, t0, 20.5, 0 }, { 0, t0 + G_USEC_PER_SEC, 230.1, 0 },
                             { 0, t0 + 3 * G_USEC_PER_SEC, NAN, DC_QUALITY_INVALID } };
  g_autofree char *path = NULL;
  g_autofree char *csv = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  g_auto(GStrv) lines = NULL;
  gint64 t;

  setup (&f);
  ui_plant_open_window (&f);
  store_samples (&f, "level", level, G_N_ELEMENTS (level));
  store_samples (&f, "u1", volts, G_N_ELEMENTS (volts));
  trend = dc_window_get_trend_view (f.window);
  select_point (&f, "level");
  gtk_widget_activate_action (GTK_WIDGET (f.window), "win.trend", NULL);
  select_point (&f, "u1");
  g_assert_cmpuint (dc_trend_view_get_n_series (trend), ==, 2);
  dc_trend_view_set_range (trend, t0 - 60 * G_USEC_PER_SEC, t0 + 60 * G_USEC_PER_SEC);

  path = g_build_filename (f.dir, "trend.csv", NULL);
  file = g_file_new_for_path (path);
  dc_window_export_trend_async (f.window, file, NULL, result_cb, &result);
  g_assert_true (ui_wait_until (task_done, &result, 10000));
  g_assert_true (dc_window_export_trend_finish (f.window, result, &error));
  g_assert_no_error (error);
  g_object_unref (result);

  g_assert_true (g_file_get_contents (path, &csv, NULL, &error));
  lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 6);  /* header, 4 times, the empty end */
  g_assert_cmpstr (lines[0], ==, "time,Tank level [%],Busbar voltage [kV]");
  for (guint i = 1; i <= 4; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], ",", -1);

      g_assert_cmpuint (g_strv_length (fields), ==, 3);
      g_assert_true (dc_time_parse (fields[0], &t));
      g_assert_cmpint (t, ==, t0 + (gint64) (i - 1) * G_USEC_PER_SEC);
    }
  g_assert_true (g_str_has_suffix (lines[1], ",62.8,20.5"));
  g_assert_true (g_str_has_suffix (lines[2], ",,230.1"));
  g_assert_true (g_str_has_suffix (lines[3], ",0.1,"));
  g_assert_true (g_str_has_suffix (lines[4], ",1e-07,"));
  g_assert_cmpstr (lines[5], ==, "");

  ui_plant_teardown (&f);
}

static gboolean
history_loaded (gpointer data)
{
  DcHistoryPage *page = data;

  return !dc_history_page_is_loading (page) && dc_history_page_get_n_rows (page) > 0;
}

/* The History page: newest first, time in local time, value, state text, quality in words,
 * pages of 100 through the plant connection, CSV. */
static void
test_history_page (void)
{
  UiPlant f;
  DcHistoryPage *page;
  gint64 t0 = (g_get_real_time () / G_USEC_PER_SEC - 1000) * G_USEC_PER_SEC;
  g_autofree DcSample *samples = g_new0 (DcSample, 250);
  g_autoptr(GDateTime) newest = NULL;
  g_autofree char *time_text = NULL;
  g_autofree char *csv = NULL;
  g_auto(GStrv) lines = NULL;

  setup (&f);
  for (guint i = 0; i < 250; i++)
    {
      samples[i].time = t0 + (gint64) i * G_USEC_PER_SEC;
      samples[i].value = i % 2 ? 2 : 1;
      samples[i].quality = i == 249 ? DC_QUALITY_SUBSTITUTED : DC_QUALITY_GOOD;
    }
  ui_plant_open_window (&f);
  store_samples (&f, "cb", samples, 250);
  page = dc_window_get_history_page (f.window);
  dc_history_page_set_page_size (page, 100);
  select_point (&f, "cb");
  dc_window_set_view (f.window, "history");
  g_assert_true (dc_history_page_get_point (page) == row_of (&f, "cb"));
  g_assert_true (ui_wait_until (history_loaded, page, 10000));

  /* Page 1: the newest 100, newest first. */
  g_assert_cmpuint (dc_history_page_get_n_rows (page), ==, 100);
  g_assert_cmpuint (dc_history_page_get_page (page), ==, 0);
  g_assert_true (dc_history_page_has_older (page));
  newest = g_date_time_new_from_unix_local ((t0 + 249 * G_USEC_PER_SEC) / G_USEC_PER_SEC);
  time_text = g_date_time_format (newest, "%Y-%m-%d %H:%M:%S.000");
  g_assert_cmpstr (dc_history_page_get_text (page, 0, DC_HISTORY_COLUMN_TIME), ==, time_text);
  g_assert_cmpstr (dc_history_page_get_text (page, 0, DC_HISTORY_COLUMN_VALUE), ==, "2");
  g_assert_cmpstr (dc_history_page_get_text (page, 0, DC_HISTORY_COLUMN_STATE), ==, "closed");
  g_assert_cmpstr (dc_history_page_get_text (page, 0, DC_HISTORY_COLUMN_QUALITY), ==, "substituted");
  g_assert_cmpstr (dc_history_page_get_text (page, 1, DC_HISTORY_COLUMN_STATE), ==, "open");
  g_assert_cmpstr (dc_history_page_get_text (page, 1, DC_HISTORY_COLUMN_QUALITY), ==, "good");
  save_shot (GTK_WIDGET (f.window), "history-page.png");

  csv = dc_history_page_to_csv (page);
  lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "time,value,state,quality");
  {
    g_autofree char *expect = dc_time_format (t0 + 249 * G_USEC_PER_SEC);
    g_autofree char *line = g_strdup_printf ("%s,2,closed,substituted", expect);

    g_assert_cmpstr (lines[1], ==, line);
  }
  g_assert_cmpuint (g_strv_length (lines), ==, 102);

  /* Older: samples 149 … 50, then the last 50; Newer goes back. */
  dc_history_page_older (page);
  g_assert_true (ui_wait_until (history_loaded, page, 10000));
  g_assert_cmpuint (dc_history_page_get_page (page), ==, 1);
  g_assert_cmpuint (dc_history_page_get_n_rows (page), ==, 100);
  {
    g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local ((t0 + 149 * G_USEC_PER_SEC) / G_USEC_PER_SEC);
    g_autofree char *expect = g_date_time_format (dt, "%Y-%m-%d %H:%M:%S.000");

    g_assert_cmpstr (dc_history_page_get_text (page, 0, DC_HISTORY_COLUMN_TIME), ==, expect);
  }
  dc_history_page_older (page);
  g_assert_true (ui_wait_until (history_loaded, page, 10000));
  g_assert_cmpuint (dc_history_page_get_n_rows (page), ==, 50);
  g_assert_false (dc_history_page_has_older (page));
  dc_history_page_newer (page);
  g_assert_true (ui_wait_until (history_loaded, page, 10000));
  g_assert_cmpuint (dc_history_page_get_page (page), ==, 1);
  g_assert_cmpuint (dc_history_page_get_n_rows (page), ==, 100);

  /* Back on the newest page, a live value shows at its top. */
  dc_history_page_newer (page);
  g_assert_true (ui_wait_until (history_loaded, page, 10000));
  g_assert_cmpuint (dc_history_page_get_page (page), ==, 0);
  {
    DcSample live = { dc_point_row_get_key (row_of (&f, "cb")), t0 + 300 * G_USEC_PER_SEC, 1, 0 };
    g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local ((t0 + 300 * G_USEC_PER_SEC) / G_USEC_PER_SEC);
    g_autofree char *expect = g_date_time_format (dt, "%Y-%m-%d %H:%M:%S.000");

    store_samples (&f, "cb", &live, 1);
    dc_plant_model_push_samples (dc_window_get_plant (f.window), &live, 1);
    dc_plant_model_flush (dc_window_get_plant (f.window));
    DC_TEST_WAIT_UNTIL (!dc_history_page_is_loading (page) &&
                        g_strcmp0 (dc_history_page_get_text (page, 0, DC_HISTORY_COLUMN_TIME), expect) == 0, 10);
    g_assert_cmpstr (dc_history_page_get_text (page, 0, DC_HISTORY_COLUMN_TIME), ==, expect);
    g_assert_cmpstr (dc_history_page_get_text (page, 0, DC_HISTORY_COLUMN_STATE), ==, "open");
  }

  /* A server's `datas?format=csv` answer reads the same. */
  {
    const char *answer = "time,value,quality\n2026-12-06T08:00:00.000000Z,2,0\n"
                         "2026-12-06T08:00:01.000000Z,,128\n";
    g_autoptr(GError) error = NULL;
    g_autoptr(GArray) parsed = dc_plant_source_parse_samples_csv (answer, strlen (answer), 7, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (parsed->len, ==, 2);
    g_assert_cmpfloat (g_array_index (parsed, DcSample, 0).value, ==, 2);
    g_assert_true (isnan (g_array_index (parsed, DcSample, 1).value));
    g_assert_cmpuint (g_array_index (parsed, DcSample, 1).quality, ==, DC_QUALITY_INVALID);
    g_assert_null (dc_plant_source_parse_samples_csv ("time,value,quality\nx,1,0\n", 24, 7, &error));
    g_assert_error (error, DC_ERROR, DC_ERROR_INTERNAL);
  }

  ui_plant_teardown (&f);
}

/* A desk on a server (a separate `datacoll --server` process): the History page and the trend
 * CSV read the server's samples through `datas?format=csv`. */
static void
post_ok (const char *base,
         const char *path,
         const char *body)
{
  g_autoptr(DcReply) reply = dc_http (base, "POST", path, body);

  if (reply->status != 200)
    g_error ("POST %s %s: %u %s", path, body, reply->status, reply->body);
}

static gboolean
history_rows_are (gpointer data)
{
  gpointer *args = data;
  DcHistoryPage *page = args[0];

  return !dc_history_page_is_loading (page) &&
         dc_history_page_get_n_rows (page) == GPOINTER_TO_UINT (args[1]);
}

static void
test_history_remote (void)
{
  g_autofree char *dir = dc_test_make_dir ();
  g_autofree char *db = g_build_filename (dir, "server.db", NULL);
  g_autofree char *path = g_build_filename (dir, "remote-trend.csv", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *csv = NULL;
  g_auto(GStrv) lines = NULL;
  DcTestServer *server;
  DcRemoteSource *source;
  DcApplication *app;
  DcWindow *window;
  DcPlantModel *plant;
  DcPointRow *row;
  DcHistoryPage *page;
  GAsyncResult *result = NULL;
  gpointer args[2];
  const double values[] = { 1, 2, 1, 2, 1 };

  server = dc_test_server_start ((const char *[]) { "--server", "--port", "0", "--db", db, NULL });
  post_ok (server->base, "/api/v1/devices", "{\"id\":\"plant\",\"name\":\"Virtual plant\",\"protocol\":\"virtual\"}");
  post_ok (server->base, "/api/v1/terms", "{\"id\":\"t\",\"device_id\":\"plant\"}");
  post_ok (server->base, "/api/v1/items", "{\"id\":\"cb\",\"name\":\"Feeder breaker\"}");
  post_ok (server->base, "/api/v1/terms/t/items",
           "{\"item_id\":\"cb\",\"states\":{\"1\":\"open\",\"2\":\"closed\"},\"history\":\"all\"}");
  /* Five controls of the virtual point: five samples in the server's history. */
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"device_id\":\"plant\",\"term_id\":\"t\","
                                               "\"item_id\":\"cb\",\"value\":%g}", values[i]);

      post_ok (server->base, "/api/v1/device_ctrl", body);
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
  plant = dc_application_get_plant (app);
  DC_TEST_WAIT_UNTIL (dc_plant_model_lookup_point_id (plant, "t", "cb") != NULL, 30);
  row = dc_plant_model_lookup_point_id (plant, "t", "cb");
  g_assert_nonnull (row);

  /* Pages of two: 2, 2, 1, newest first, the states in words. */
  page = dc_window_get_history_page (window);
  dc_history_page_set_page_size (page, 2);
  g_assert_true (dc_window_select (window, row));
  dc_window_set_view (window, "history");
  args[0] = page;
  args[1] = GUINT_TO_POINTER (2);
  g_assert_true (ui_wait_until (history_rows_are, args, 20000));
  g_assert_true (dc_history_page_has_older (page));
  g_assert_cmpstr (dc_history_page_get_text (page, 0, DC_HISTORY_COLUMN_STATE), ==, "open");
  g_assert_cmpstr (dc_history_page_get_text (page, 1, DC_HISTORY_COLUMN_STATE), ==, "closed");
  g_assert_cmpstr (dc_history_page_get_text (page, 0, DC_HISTORY_COLUMN_QUALITY), ==, "good");
  dc_history_page_older (page);
  g_assert_true (ui_wait_until (history_rows_are, args, 20000));
  g_assert_cmpuint (dc_history_page_get_page (page), ==, 1);
  dc_history_page_older (page);
  args[1] = GUINT_TO_POINTER (1);
  g_assert_true (ui_wait_until (history_rows_are, args, 20000));
  g_assert_false (dc_history_page_has_older (page));
  g_assert_cmpstr (dc_history_page_get_text (page, 0, DC_HISTORY_COLUMN_STATE), ==, "open");

  /* The trend CSV of the desk: the five samples from the server. */
  dc_trend_view_set_range (dc_window_get_trend_view (window),
                           g_get_real_time () - 600 * G_USEC_PER_SEC, g_get_real_time () + 60 * G_USEC_PER_SEC);
  g_assert_cmpuint (dc_trend_view_get_n_series (dc_window_get_trend_view (window)), ==, 1);
  dc_window_export_trend_async (window, file, NULL, result_cb, &result);
  g_assert_true (ui_wait_until (task_done, &result, 20000));
  g_assert_true (dc_window_export_trend_finish (window, result, &error));
  g_assert_no_error (error);
  g_object_unref (result);
  g_assert_true (g_file_get_contents (path, &csv, NULL, &error));
  lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "time,Feeder breaker");
  g_assert_cmpuint (g_strv_length (lines), ==, 7);
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *suffix = g_strdup_printf (",%g", values[i]);

      g_assert_true (g_str_has_suffix (lines[i + 1], suffix));
    }

  gtk_window_destroy (GTK_WINDOW (window));
  dc_application_set_source (app, NULL);
  g_object_unref (app);
  g_object_unref (source);
  dc_test_server_stop (server);
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);
  ui_test_add ("/dc/ui/trend/legend-axes-follow", test_legend_axes_follow);
  ui_test_add ("/dc/ui/trend/multi-select", test_multi_select);
  ui_test_add ("/dc/ui/trend/custom-range", test_custom_range);
  ui_test_add ("/dc/ui/trend/csv", test_csv);
  ui_test_add ("/dc/ui/history/page", test_history_page);
  ui_test_add ("/dc/ui/history/remote", test_history_remote);
  return g_test_run ();
}
