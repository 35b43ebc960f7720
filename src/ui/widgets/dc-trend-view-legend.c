/* dc-trend-view-legend.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-trend-view"

#include "config.h"

#include <glib/gi18n.h>

#include "dc-trend-view-legend.h"

struct _DcTrendLegend
{
  GtkWidget    parent_instance;

  GtkListBox  *list;
  DcTrendView *view;    /* weak */
};

G_DEFINE_FINAL_TYPE (DcTrendLegend, dc_trend_legend, GTK_TYPE_WIDGET)

const char *
dc_trend_legend_axis_name (int axis)
{
  switch (axis)
    {
    case 0:
      return _("left axis");
    case 1:
      return _("right axis");
    case 2:
      return _("outer left axis");
    case 3:
      return _("outer right axis");
    default:
      return _("no axis, scaled to fit");
    }
}

static void
draw_swatch (GtkDrawingArea *area,
             cairo_t        *cr,
             int             width,
             int             height,
             gpointer        data)
{
  const GdkRGBA *c = data;

  cairo_set_source_rgba (cr, c->red, c->green, c->blue, c->alpha);
  cairo_rectangle (cr, 0, height / 2.0 - 2, width, 4);
  cairo_fill (cr);
}

static void
remove_clicked_cb (GtkButton     *button,
                   DcTrendLegend *self)
{
  gint64 *key = g_object_get_data (G_OBJECT (button), "dc-pen-key");

  if (self->view != NULL && key != NULL)
    dc_trend_view_remove_series (self->view, *key);
}

static GtkWidget *
pen_row (DcTrendLegend *self,
         guint          index)
{
  DcTrendView *view = self->view;
  const char *label = dc_trend_view_get_series_label (view, index);
  const char *unit = dc_trend_view_get_series_unit (view, index);
  int axis = dc_trend_view_get_series_axis (view, index);
  GtkWidget *box, *swatch, *texts, *name, *detail, *remove;
  GdkRGBA *color = g_new (GdkRGBA, 1);
  gint64 *key = g_new (gint64, 1);
  g_autofree char *detail_text = NULL;
  g_autofree char *remove_label = NULL;

  dc_trend_view_get_series_color (view, index, color);
  *key = dc_trend_view_get_series_key (view, index);

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  gtk_widget_set_margin_start (box, 8);
  gtk_widget_set_margin_end (box, 4);
  gtk_widget_set_margin_top (box, 4);
  gtk_widget_set_margin_bottom (box, 4);

  swatch = gtk_drawing_area_new ();
  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (swatch), 16);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (swatch), 16);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (swatch), draw_swatch, color, g_free);
  gtk_widget_set_valign (swatch, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), swatch);

  texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_hexpand (texts, TRUE);
  name = gtk_label_new (label);
  gtk_widget_set_name (name, "pen-label");
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (texts), name);
  /* "kV · left axis" */
  detail_text = unit != NULL && unit[0] != '\0'
                ? g_strdup_printf ("%s · %s", unit, dc_trend_legend_axis_name (axis))
                : g_strdup (dc_trend_legend_axis_name (axis));
  detail = gtk_label_new (detail_text);
  gtk_widget_set_name (detail, "pen-axis");
  gtk_label_set_xalign (GTK_LABEL (detail), 0);
  gtk_widget_add_css_class (detail, "dim-label");
  gtk_widget_add_css_class (detail, "caption");
  gtk_box_append (GTK_BOX (texts), detail);
  gtk_box_append (GTK_BOX (box), texts);

  remove = gtk_button_new_from_icon_name ("window-close-symbolic");
  gtk_widget_set_name (remove, "pen-remove");
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, _("Remove from the trend"));
  remove_label = g_strdup_printf (_("Remove %s from the trend"), label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  remove_label, -1);
  g_object_set_data_full (G_OBJECT (remove), "dc-pen-key", key, g_free);
  g_signal_connect (remove, "clicked", G_CALLBACK (remove_clicked_cb), self);
  gtk_box_append (GTK_BOX (box), remove);
  return box;
}

static void
rebuild (DcTrendLegend *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  if (self->view == NULL)
    return;
  for (guint i = 0; i < dc_trend_view_get_n_series (self->view); i++)
    gtk_list_box_append (self->list, pen_row (self, i));
}

static void
dc_trend_legend_dispose (GObject *object)
{
  DcTrendLegend *self = DC_TREND_LEGEND (object);

  dc_trend_legend_set_view (self, NULL);
  gtk_widget_unparent (GTK_WIDGET (self->list));
  self->list = NULL;

  G_OBJECT_CLASS (dc_trend_legend_parent_class)->dispose (object);
}

static void
dc_trend_legend_class_init (DcTrendLegendClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = dc_trend_legend_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "trendlegend");
}

static void
dc_trend_legend_init (DcTrendLegend *self)
{
  GtkWidget *placeholder = gtk_label_new (_("No pens. Select points in the table or press Ctrl+T to add them."));

  gtk_label_set_wrap (GTK_LABEL (placeholder), TRUE);
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_start (placeholder, 12);
  gtk_widget_set_margin_end (placeholder, 12);
  gtk_widget_set_margin_top (placeholder, 12);
  gtk_widget_set_margin_bottom (placeholder, 12);

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_list_box_set_placeholder (self->list, placeholder);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Pens of the trend"), -1);
  gtk_widget_set_parent (GTK_WIDGET (self->list), GTK_WIDGET (self));
}

GtkWidget *
dc_trend_legend_new (void)
{
  return g_object_new (DC_TYPE_TREND_LEGEND, NULL);
}

void
dc_trend_legend_set_view (DcTrendLegend *self,
                          DcTrendView   *view)
{
  g_return_if_fail (DC_IS_TREND_LEGEND (self));

  if (self->view == view)
    return;
  if (self->view != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->view, rebuild, self);
      g_object_remove_weak_pointer (G_OBJECT (self->view), (gpointer *) &self->view);
    }
  self->view = view;
  if (view != NULL)
    {
      g_object_add_weak_pointer (G_OBJECT (view), (gpointer *) &self->view);
      g_signal_connect_swapped (view, "series-changed", G_CALLBACK (rebuild), self);
    }
  if (self->list != NULL)
    rebuild (self);
}

GtkListBox *
dc_trend_legend_get_list (DcTrendLegend *self)
{
  g_return_val_if_fail (DC_IS_TREND_LEGEND (self), NULL);
  return self->list;
}
