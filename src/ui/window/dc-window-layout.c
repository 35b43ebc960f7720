/* dc-window-layout.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The narrow window of DcWindow (docs/ui.md "Narrow windows"): the device tree and the pages sit
 * in an AdwLeaflet (libadwaita 1.2) that folds when both do not fit side by side. Folded, one of
 * them fills the window: the pages first (the values stay in view), the tree behind the header's
 * back button (win.show-devices, also Alt+Left); choosing a device in the tree (or activating
 * its row) goes back to the pages, and Ctrl+F shows the tree with its search.
 */

#define G_LOG_DOMAIN "dc-window"

#include "config.h"

#include <glib/gi18n.h>

#include "dc-window-private.h"

static gboolean
showing_sidebar (DcWindow *self)
{
  return g_strcmp0 (adw_leaflet_get_visible_child_name (self->leaflet), "sidebar") == 0;
}

/* Folded on the pages, the back button takes the place of the search button (the search is
 * the tree's: Ctrl+F shows the tree with it), which keeps the header within 360 px. */
void
_dc_window_layout_update (DcWindow *self)
{
  gboolean folded = adw_leaflet_get_folded (self->leaflet);
  gboolean plant = g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "plant") == 0;
  gboolean back = folded && plant && !showing_sidebar (self);

  gtk_widget_set_visible (GTK_WIDGET (self->back_button), back);
  gtk_widget_set_visible (GTK_WIDGET (self->search_button), plant && !back);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-devices", folded && plant);
}

void
_dc_window_show_pages (DcWindow *self)
{
  adw_leaflet_set_visible_child_name (self->leaflet, "content");
}

void
_dc_window_show_devices (DcWindow *self)
{
  adw_leaflet_set_visible_child_name (self->leaflet, "sidebar");
}

static void
show_devices_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  _dc_window_show_devices ((DcWindow *) widget);
}

/* Folded, a device or point chosen in the tree shows its values. A selection made while the
 * tree is not shown (the first device at start, dc_window_select()) changes nothing here. */
static void
tree_activated_cb (DcWindow *self)
{
  if (adw_leaflet_get_folded (self->leaflet))
    _dc_window_show_pages (self);
}

static void
tree_selected_cb (DcWindow *self)
{
  if (adw_leaflet_get_folded (self->leaflet) && showing_sidebar (self) &&
      gtk_widget_get_mapped (GTK_WIDGET (self->device_tree)) &&
      dc_device_tree_get_selected (self->device_tree) != NULL)
    _dc_window_show_pages (self);
}

/* Folded, the table keeps Item and Value in view: the ID and Address columns (their titles in
 * ui/dc-point-table.ui) are hidden until the window is wide again. */
static void
fold_columns (DcWindow *self,
              gboolean  folded)
{
  const char *hidden[] = { _("ID"), _("Address") };
  GListModel *columns = gtk_column_view_get_columns (dc_point_table_get_column_view (self->point_table));

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      for (guint h = 0; h < G_N_ELEMENTS (hidden); h++)
        if (g_strcmp0 (gtk_column_view_column_get_title (column), hidden[h]) == 0)
          gtk_column_view_column_set_visible (column, !folded);
    }
}

static gboolean
folded_idle_cb (gpointer user_data)
{
  DcWindow *self = user_data;
  gboolean folded = adw_leaflet_get_folded (self->leaflet);

  fold_columns (self, folded);
  /* The pages with a narrow form of their own (the toolbars wrap and the trend's pens fold by
   * themselves). */
  dc_audit_page_set_narrow (self->audit_page, folded);
  dc_alarms_page_set_narrow (self->alarms_page, folded);
  dc_traffic_view_set_narrow (self->traffic_view, folded);

  /* Folding starts on the pages, whichever side was last shown. */
  if (adw_leaflet_get_folded (self->leaflet))
    _dc_window_show_pages (self);
  _dc_window_layout_update (self);
  return G_SOURCE_REMOVE;
}

static void
folded_cb (DcWindow *self)
{
  /* The leaflet folds while it allocates its children: the header (allocated before it in
   * this frame) changes in an idle after the frame, not in the middle of its layout. */
  g_idle_add_full (G_PRIORITY_HIGH_IDLE, folded_idle_cb, g_object_ref (self), g_object_unref);
}

void
_dc_window_class_init_layout (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, DcWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, back_button);
  gtk_widget_class_install_action (widget_class, "win.show-devices", NULL, show_devices_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK,
                                       "win.show-devices", NULL);
}

void
_dc_window_init_layout (DcWindow *self)
{
  _dc_window_show_pages (self);
  g_signal_connect_object (self->leaflet, "notify::folded", G_CALLBACK (folded_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->leaflet, "notify::visible-child-name", G_CALLBACK (_dc_window_layout_update),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->main_stack, "notify::visible-child-name",
                           G_CALLBACK (_dc_window_layout_update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->device_tree, "notify::selected", G_CALLBACK (tree_selected_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->device_tree, "row-activated", G_CALLBACK (tree_activated_cb),
                           self, G_CONNECT_SWAPPED);
  _dc_window_layout_update (self);
}
