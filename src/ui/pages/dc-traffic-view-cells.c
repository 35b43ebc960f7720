/* dc-traffic-view-cells.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The Traffic page's columns: the frame list (time, direction, summary with its status) and
 * the object table of the selected frame (docs/ui-traffic.md).
 */

#define G_LOG_DOMAIN "dc-traffic-view"

#include "config.h"

#include <glib/gi18n.h>

#include "dc-traffic-view-private.h"

static void
setup_label_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                gpointer                  user_data)
{
  GtkWidget *label = gtk_inscription_new (NULL);

  gtk_inscription_set_xalign (GTK_INSCRIPTION (label), 0);
  gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (list_item, label);
}

/* The columns of the frame list. */
enum {
  COLUMN_TIME,
  COLUMN_DIR,
  COLUMN_SUMMARY,
};

static void
show_time (GtkWidget     *label,
           DcTrafficItem *item)
{
  g_autoptr(GDateTime) dt = dc_traffic_local_time_new (item->time);
  char text[32];

  if (dt != NULL)
    g_snprintf (text, sizeof text, "%02d:%02d:%02d.%03d", g_date_time_get_hour (dt),
                g_date_time_get_minute (dt), g_date_time_get_second (dt),
                g_date_time_get_microsecond (dt) / 1000);
  else
    g_strlcpy (text, "?", sizeof text);
  gtk_inscription_set_text (GTK_INSCRIPTION (label), text);
}

static void
show_dir (GtkWidget     *label,
          DcTrafficItem *item)
{
  /* Text arrows rather than icons: no icon lookup per row. */
  gtk_inscription_set_text (GTK_INSCRIPTION (label),
                            /* Translators: traffic direction, short (received / sent) */
                            item->incoming ? C_("traffic", "← rx") : C_("traffic", "→ tx"));
}

static void
setup_summary_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *list_item,
                  gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_inscription_new (NULL);
  GtkWidget *image = gtk_image_new ();

  gtk_inscription_set_xalign (GTK_INSCRIPTION (label), 0);
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (label), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_set_visible (image, FALSE);
  gtk_box_append (GTK_BOX (box), image);
  gtk_box_append (GTK_BOX (box), label);
  gtk_list_item_set_child (list_item, box);
}

static void
show_status (DcTrafficView *self,
             GtkWidget     *box,
             DcTrafficItem *item)
{
  GtkWidget *image = gtk_widget_get_first_child (box);
  GtkWidget *label = gtk_widget_get_next_sibling (image);
  g_autofree char *text = NULL;
  const char *icon = NULL;
  const char *css = NULL;
  const char *what = NULL;

  switch (item->status)
    {
    case DC_TRAFFIC_ERROR:
      icon = "dialog-error-symbolic";
      css = "traffic-error";
      what = _("error");
      break;
    case DC_TRAFFIC_NEGATIVE:
      icon = "action-unavailable-symbolic";
      css = "traffic-negative";
      what = _("negative confirmation");
      break;
    case DC_TRAFFIC_TIMEOUT:
      icon = "alarm-symbolic";
      css = "traffic-timeout";
      what = _("no answer");
      break;
    case DC_TRAFFIC_OK:
    default:
      break;
    }
  /* Most frames are fine: their rows touch neither the icon nor the style classes. */
  if (icon != NULL)
    gtk_image_set_from_icon_name (GTK_IMAGE (image), icon);
  gtk_widget_set_visible (image, icon != NULL);
  if (css != NULL || gtk_widget_has_css_class (box, "traffic-error") ||
      gtk_widget_has_css_class (box, "traffic-negative") ||
      gtk_widget_has_css_class (box, "traffic-timeout"))
    {
      const char *classes[] = { css, NULL };

      gtk_widget_set_css_classes (box, classes);
    }
  if (item->status == DC_TRAFFIC_TIMEOUT)
    text = g_strdup_printf ("%s — %s", _dc_traffic_view_row_text (self, item), what);
  gtk_inscription_set_text (GTK_INSCRIPTION (label),
                            text ? text : _dc_traffic_view_row_text (self, item));
  /* Setting a tooltip, even none again, asks the display where the pointer is (a round trip
   * to the X server per row and refresh): only a change is set. */
  if (g_strcmp0 (gtk_widget_get_tooltip_text (box), what) != 0)
    gtk_widget_set_tooltip_text (box, what);
}

/* A row shows the frame at its position now: while the list follows the newest frames, the
 * frames move through the rows (dc-traffic-item-ring.h), and the rows are refreshed. */
static void
show_cell (DcTrafficView *self,
           GtkListItem   *list_item,
           int            column)
{
  DcTrafficItem *item = dc_traffic_ring_peek (self->shown, gtk_list_item_get_position (list_item));
  GtkWidget *child = gtk_list_item_get_child (list_item);

  if (item == NULL || child == NULL)
    return;
  switch (column)
    {
    case COLUMN_TIME:
      show_time (child, item);
      break;
    case COLUMN_DIR:
      show_dir (child, item);
      break;
    case COLUMN_SUMMARY:
    default:
      show_status (self, child, item);
      break;
    }
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *list_item,
         DcTrafficView            *self)
{
  int column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "dc-column"));

  g_hash_table_insert (self->bound, list_item, GINT_TO_POINTER (column));
  show_cell (self, list_item, column);
}

static void
unbind_cb (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           DcTrafficView            *self)
{
  /* Rows torn down while the view goes away may come after its table. */
  if (self->bound != NULL)
    g_hash_table_remove (self->bound, list_item);
}

void
_dc_traffic_view_refresh_rows (DcTrafficView *self)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->bound);
  while (g_hash_table_iter_next (&iter, &key, &value))
    show_cell (self, key, GPOINTER_TO_INT (value));
}

static void
add_column (GtkColumnView *view,
            const char    *title,
            GCallback      setup,
            GCallback      bind,
            GCallback      unbind,
            gpointer       data,
            int            fixed_width)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *column;

  g_signal_connect (factory, "setup", setup, data);
  g_signal_connect (factory, "bind", bind, data);
  if (unbind != NULL)
    g_signal_connect (factory, "unbind", unbind, data);
  column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (column, fixed_width < 0);
  if (fixed_width > 0)
    gtk_column_view_column_set_fixed_width (column, fixed_width);
  gtk_column_view_column_set_resizable (column, TRUE);
  gtk_column_view_append_column (view, column);
  g_object_unref (column);
}

static void
add_frame_column (DcTrafficView *self,
                  const char    *title,
                  GCallback      setup,
                  int            column,
                  int            fixed_width)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *col;

  g_object_set_data (G_OBJECT (factory), "dc-column", GINT_TO_POINTER (column));
  g_signal_connect (factory, "setup", setup, self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cb), self);
  g_signal_connect (factory, "teardown", G_CALLBACK (unbind_cb), self);
  col = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (col, fixed_width < 0);
  if (fixed_width > 0)
    gtk_column_view_column_set_fixed_width (col, fixed_width);
  gtk_column_view_column_set_resizable (col, TRUE);
  gtk_column_view_append_column (self->column_view, col);
  g_object_unref (col);
}

void
_dc_traffic_view_add_columns (DcTrafficView *self)
{
  self->bound = g_hash_table_new (NULL, NULL);
  add_frame_column (self, _("Time"), G_CALLBACK (setup_label_cb), COLUMN_TIME, 120);
  add_frame_column (self, _("Dir."), G_CALLBACK (setup_label_cb), COLUMN_DIR, 70);
  add_frame_column (self, _("Frame"), G_CALLBACK (setup_summary_cb), COLUMN_SUMMARY, -1);
}

/* The object table ----------------------------------------------------------------------------- */

static void
setup_object_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 gpointer                  user_data)
{
  GtkWidget *label = gtk_inscription_new (NULL);

  gtk_inscription_set_xalign (GTK_INSCRIPTION (label), 0);
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (label), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  if (GPOINTER_TO_INT (user_data) != DC_TRAFFIC_COLUMN_TYPE &&
      GPOINTER_TO_INT (user_data) != DC_TRAFFIC_COLUMN_POINT)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (list_item, label);
}

static void
bind_object_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                gpointer                  user_data)
{
  DcTrafficObject *object = gtk_list_item_get_item (list_item);
  const char *text = dc_traffic_object_get_text (object, GPOINTER_TO_INT (user_data));

  gtk_inscription_set_text (GTK_INSCRIPTION (gtk_list_item_get_child (list_item)), text);
  gtk_widget_set_tooltip_text (gtk_list_item_get_child (list_item), text[0] ? text : NULL);
}

void
_dc_traffic_view_add_object_columns (DcTrafficView *self)
{
  static const int widths[DC_TRAFFIC_N_COLUMNS] = { 70, 100, 130, 100, 180, -1 };

  for (int c = 0; c < DC_TRAFFIC_N_COLUMNS; c++)
    add_column (self->objects_view, dc_traffic_column_title (c), G_CALLBACK (setup_object_cb),
                G_CALLBACK (bind_object_cb), NULL, GINT_TO_POINTER (c), widths[c]);
}
