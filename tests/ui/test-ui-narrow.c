/* test-ui-narrow.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Every page of the window fits a 360 px window (docs/ui.md "Narrow windows", issue 18): the
 * real window over a real engine and alarm plugin (alarms-fixture.c) with active alarms, audit
 * rows and a trend. At 360 px each page is shown in turn: the window stays at most 360 px wide,
 * the page is allocated within it, and its key widget (the value column, the alarm list, the
 * audit table, the frame list, the plot) is mapped and inside the window. Wide again, the
 * columns hidden for the narrow window come back.
 */

#include "config.h"

#include <string.h>

#include "alarms-fixture.h"
#include "dc-audit-item.h"
#include "dc-audit-page.h"
#include "dc-point-table.h"
#include "dc-traffic-view.h"
#include "dc-trend-view.h"
#include "dc-test-ui.h"
#include "dc-test-store.h"
#include "dc-test-wait.h"

#define NARROW 360

static AdwViewStack *
view_stack (Fx *fx)
{
  return ADW_VIEW_STACK (ui_find_type (GTK_WIDGET (fx->window), ADW_TYPE_VIEW_STACK));
}

/* @widget's bounds in the window's coordinates lie inside the window's width, and it has a
 * size of its own. */
static void
assert_inside (Fx         *fx,
               GtkWidget  *widget,
               const char *what)
{
  graphene_rect_t bounds;
  int window_width = gtk_widget_get_width (GTK_WIDGET (fx->window));

  g_assert_true (gtk_widget_get_mapped (widget));
  g_assert_true (gtk_widget_compute_bounds (widget, GTK_WIDGET (fx->window), &bounds));
  g_test_message ("%s: x %.0f, width %.0f in a window %d px wide", what, bounds.origin.x,
                  bounds.size.width, window_width);
  g_assert_cmpfloat (bounds.size.width, >, 20);
  g_assert_cmpfloat (bounds.origin.x, >=, 0);
  g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, window_width + 0.5);
}

static gboolean
is_inside (Fx        *fx,
           GtkWidget *widget)
{
  graphene_rect_t bounds;

  return widget != NULL && gtk_widget_get_mapped (widget) &&
         gtk_widget_compute_bounds (widget, GTK_WIDGET (fx->window), &bounds) &&
         bounds.origin.x >= 0 &&
         bounds.origin.x + bounds.size.width <= gtk_widget_get_width (GTK_WIDGET (fx->window)) + 0.5;
}

typedef struct
{
  Fx         *fx;
  const char *page;
} PageWait;

static gboolean
page_fits (gpointer data)
{
  PageWait *w = data;
  GtkWidget *page = adw_view_stack_get_child_by_name (view_stack (w->fx), w->page);

  return adw_leaflet_get_folded (ADW_LEAFLET (ui_find_type (GTK_WIDGET (w->fx->window), ADW_TYPE_LEAFLET))) &&
         gtk_widget_get_mapped (page) &&
         gtk_widget_get_width (GTK_WIDGET (w->fx->window)) <= NARROW &&
         gtk_widget_get_width (page) > 0 && gtk_widget_get_width (page) <= NARROW;
}

static GtkWidget *
show_page (Fx         *fx,
           const char *name)
{
  PageWait w = { fx, name };
  GtkWidget *page;
  int min = 0;

  dc_window_set_view (fx->window, name);
  page = adw_view_stack_get_child_by_name (view_stack (fx), name);
  gtk_widget_measure (page, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
  g_test_message ("page %s: minimum width %d px, folded %d", name, min,
                  adw_leaflet_get_folded (ADW_LEAFLET (ui_find_type (GTK_WIDGET (fx->window), ADW_TYPE_LEAFLET))));
  g_assert_true (ui_wait_until (page_fits, &w, 10000));
  ui_wait_for_frame (GTK_WIDGET (fx->window));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (fx->window)), <=, NARROW);
  g_assert_cmpint (gtk_widget_get_width (page), <=, NARROW);
  return page;
}

static GtkColumnViewColumn *
column_titled (GtkColumnView *view,
               const char    *title)
{
  GListModel *columns = gtk_column_view_get_columns (view);

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      if (g_strcmp0 (gtk_column_view_column_get_title (column), title) == 0)
        return column;  /* the view keeps it */
    }
  g_error ("no column \"%s\"", title);
}

/* The inscription of the first row in @column of @view, or NULL. */
static GtkWidget *
first_cell (GtkWidget  *widget,
            const char *text)
{
  return ui_find_inscription (widget, text);
}

static gboolean
audit_loaded (gpointer data)
{
  return !dc_audit_page_is_loading (data) &&
         g_list_model_get_n_items (dc_audit_page_get_model (data)) > 0;
}

static void
test_narrow_pages (void)
{
  Fx *fx = fx_new ();
  RowWait rw = { fx, "temp", "high", 0 };
  GtkWidget *page;
  GtkWidget *widget;
  GtkColumnView *audit_view;
  g_autofree char *value_text = NULL;
  DcPointRow *temp;

  /* Something on each page: alarms, audit rows, values in the table and the trend. */
  push (fx, "temp", 95);
  push (fx, "level", 5);
  push (fx, "amb", 20);
  push (fx, "cb", 1);
  g_assert_true (ui_wait_until (row_shown, &rw, 10000));
  dc_audit_flush (dc_store_get_audit (fx->store));
  dc_window_select (fx->window, plant_node (fx));
  temp = point_row (fx, "temp");
  DC_TEST_WAIT_UNTIL ((dc_plant_model_flush (dc_application_get_plant (fx->app)),
                       dc_point_row_has_value (temp)), 10);
  value_text = g_strdup (dc_point_row_get_value_text (temp));

  gtk_window_set_default_size (GTK_WINDOW (fx->window), NARROW, 700);

  /* Points: Item and Value in view. */
  page = show_page (fx, "points");
  /* The table hides its ID and Address columns after the fold (an idle). */
  DC_TEST_WAIT_UNTIL (is_inside (fx, first_cell (page, value_text)), 10);
  assert_inside (fx, first_cell (page, value_text), "points: value cell");
  assert_inside (fx, first_cell (page, "Transformer temperature"), "points: item cell");
  ui_render_png_settled (GTK_WIDGET (fx->window), "screenshot-narrow-points.png");

  /* Trend: the plot. */
  page = show_page (fx, "trend");
  widget = GTK_WIDGET (dc_window_get_trend_view (fx->window));
  assert_inside (fx, widget, "trend: plot");
  ui_render_png_settled (GTK_WIDGET (fx->window), "screenshot-narrow-trend.png");

  /* Alarms: the active list's row of the temperature with its buttons. */
  page = show_page (fx, "alarms");
  widget = dc_alarms_page_get_row (fx->page, rw.id);
  assert_inside (fx, widget, "alarms: row");
  {
    GtkWidget *title = ui_find_type (widget, GTK_TYPE_LABEL);

    assert_inside (fx, title, "alarms: row's first label");
  }
  ui_render_png_settled (GTK_WIDGET (fx->window), "screenshot-narrow-alarms.png");

  /* Audit: the table with its Detail column. */
  page = show_page (fx, "audit");
  g_assert_true (ui_wait_until (audit_loaded, dc_window_get_audit_page (fx->window), 10000));
  ui_wait_for_frame (GTK_WIDGET (fx->window));
  audit_view = GTK_COLUMN_VIEW (gtk_widget_get_template_child (GTK_WIDGET (dc_window_get_audit_page (fx->window)),
                                                               DC_TYPE_AUDIT_PAGE, "column_view"));
  assert_inside (fx, GTK_WIDGET (audit_view), "audit: table");
  g_assert_true (gtk_column_view_column_get_visible (column_titled (audit_view, "Detail")));
  g_assert_false (gtk_column_view_column_get_visible (column_titled (audit_view, "Source")));
  {
    g_autoptr(DcAuditItem) item = g_list_model_get_item (dc_audit_page_get_model (dc_window_get_audit_page (fx->window)), 0);

    widget = first_cell (page, dc_audit_item_get_words (item));
    g_assert_nonnull (widget);
    assert_inside (fx, widget, "audit: detail cell");
  }
  ui_render_png_settled (GTK_WIDGET (fx->window), "screenshot-narrow-audit.png");

  /* Traffic: the frame list. */
  page = show_page (fx, "traffic");
  widget = (GtkWidget *) gtk_widget_get_template_child (GTK_WIDGET (dc_window_get_traffic_view (fx->window)),
                                          DC_TYPE_TRAFFIC_VIEW, "column_view");
  assert_inside (fx, widget, "traffic: frame list");
  ui_render_png_settled (GTK_WIDGET (fx->window), "screenshot-narrow-traffic.png");

  /* Device: its rows. */
  page = show_page (fx, "device");
  assert_inside (fx, GTK_WIDGET (dc_window_get_link_counters (fx->window)), "device: counters");

  /* Wide again: the audit table's columns are back. */
  gtk_window_set_default_size (GTK_WINDOW (fx->window), 1200, 760);
  dc_window_set_view (fx->window, "audit");
  DC_TEST_WAIT_UNTIL (gtk_widget_get_width (GTK_WIDGET (fx->window)) > 1000 &&
                      gtk_column_view_column_get_visible (column_titled (audit_view, "Source")), 10);

  fx_free (fx);
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  ui_test_add ("/dc/ui/layout/narrow-pages", test_narrow_pages);

  return g_test_run ();
}
