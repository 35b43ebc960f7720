/* dc-alarm-badge.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-alarm-badge"

#include "config.h"

#include <glib/gi18n.h>

#include "dc-alarm-badge.h"
#include "dc-device-node.h"
#include "dc-point-row.h"

static const char * const priorities[] = { "low", "medium", "high", "critical" };

int
dc_alarm_priority_rank (const char *priority)
{
  for (guint i = 0; priority != NULL && i < G_N_ELEMENTS (priorities); i++)
    if (g_str_equal (priority, priorities[i]))
      return (int) i;
  return -1;
}

const char *
dc_alarm_priority_text (const char *priority)
{
  switch (dc_alarm_priority_rank (priority))
    {
    case 0:
      return C_("alarm priority", "Low");
    case 1:
      return C_("alarm priority", "Medium");
    case 2:
      return C_("alarm priority", "High");
    case 3:
      return C_("alarm priority", "Critical");
    default:
      return priority ? priority : "";
    }
}

const char *
dc_alarm_priority_icon (const char *priority)
{
  switch (dc_alarm_priority_rank (priority))
    {
    case 0:
      return "dialog-information-symbolic";
    case 3:
      return "dialog-error-symbolic";
    default:
      return "dialog-warning-symbolic";
    }
}

const char *
dc_alarm_priority_css_class (const char *priority)
{
  switch (dc_alarm_priority_rank (priority))
    {
    case 0:
      return "dim-label";
    case 1:
      return "warning";
    default:
      return "error";
    }
}

const char *
dc_alarm_condition_text (const char *condition)
{
  if (g_strcmp0 (condition, "high") == 0)
    return _("High limit");
  if (g_strcmp0 (condition, "low") == 0)
    return _("Low limit");
  if (g_strcmp0 (condition, "state") == 0)
    return _("Alarm state");
  if (g_strcmp0 (condition, "verify") == 0)
    return _("Check failed");
  if (g_strcmp0 (condition, "comm") == 0)
    return _("Communication lost");
  return condition ? condition : "";
}

const char *
dc_alarm_state_text (const char *state)
{
  if (g_strcmp0 (state, "normal") == 0)
    return _("Normal");
  if (g_strcmp0 (state, "active_unacknowledged") == 0)
    return _("Active, unacknowledged");
  if (g_strcmp0 (state, "active_acknowledged") == 0)
    return _("Active, acknowledged");
  if (g_strcmp0 (state, "cleared_unacknowledged") == 0)
    return _("Cleared, unacknowledged");
  if (g_strcmp0 (state, "shelved") == 0)
    return _("Shelved");
  return state ? state : "";
}

GtkWidget *
dc_alarm_badge_new_icon (const char *priority)
{
  GtkWidget *image = gtk_image_new_from_icon_name (dc_alarm_priority_icon (priority));
  g_autofree char *tooltip = g_strdup_printf (_("%s priority alarm"),
                                              dc_alarm_priority_text (priority));

  gtk_widget_add_css_class (image, dc_alarm_priority_css_class (priority));
  gtk_widget_set_tooltip_text (image, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (image), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                  -1);
  return image;
}

static gboolean
priority_to_visible (GBinding     *binding,
                     const GValue *from,
                     GValue       *to,
                     gpointer      user_data)
{
  g_value_set_boolean (to, g_value_get_string (from) != NULL);
  return TRUE;
}

static gboolean
priority_to_icon (GBinding     *binding,
                  const GValue *from,
                  GValue       *to,
                  gpointer      user_data)
{
  g_value_set_string (to, dc_alarm_priority_icon (g_value_get_string (from)));
  return TRUE;
}

static gboolean
priority_to_classes (GBinding     *binding,
                     const GValue *from,
                     GValue       *to,
                     gpointer      user_data)
{
  const char *priority = g_value_get_string (from);
  const char *classes[] = { "alarm-badge", dc_alarm_priority_css_class (priority), NULL };

  g_value_set_boxed (to, priority != NULL ? classes : NULL);
  return TRUE;
}

static gboolean
priority_to_tooltip (GBinding     *binding,
                     const GValue *from,
                     GValue       *to,
                     gpointer      user_data)
{
  const char *priority = g_value_get_string (from);

  g_value_take_string (to, priority ? g_strdup_printf (_("%s priority alarm"),
                                                       dc_alarm_priority_text (priority))
                                    : NULL);
  return TRUE;
}

static gboolean
count_to_label (GBinding     *binding,
                const GValue *from,
                GValue       *to,
                gpointer      user_data)
{
  g_value_take_string (to, g_strdup_printf ("%u", g_value_get_uint (from)));
  return TRUE;
}

static gboolean
count_to_tooltip (GBinding     *binding,
                  const GValue *from,
                  GValue       *to,
                  gpointer      user_data)
{
  g_autoptr(GObject) node = g_binding_dup_source (binding);
  guint n = g_value_get_uint (from);
  const char *priority = node ? dc_device_node_get_alarm_priority (DC_DEVICE_NODE (node)) : NULL;

  if (n == 0 || priority == NULL)
    g_value_set_string (to, NULL);
  else
    /* Translators: device tree badge tooltip: number of alarms, highest priority. */
    g_value_take_string (to, g_strdup_printf (ngettext ("%u alarm, highest priority %s",
                                                        "%u alarms, highest priority %s", n),
                                              n, dc_alarm_priority_text (priority)));
  return TRUE;
}

GtkWidget *
dc_alarm_badge_new (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 2);

  gtk_box_append (GTK_BOX (box), gtk_image_new ());
  gtk_box_append (GTK_BOX (box), gtk_label_new (NULL));
  gtk_widget_set_visible (box, FALSE);
  return box;
}

static void
add (GPtrArray *bindings,
     GBinding  *binding)
{
  g_ptr_array_add (bindings, g_object_ref (binding));
}

void
dc_alarm_badge_bind (GtkWidget *badge,
                     GObject   *item,
                     GPtrArray *bindings)
{
  GtkWidget *image = gtk_widget_get_first_child (badge);
  GtkWidget *label = gtk_widget_get_next_sibling (image);
  GBindingFlags flags = G_BINDING_SYNC_CREATE;

  g_return_if_fail (GTK_IS_BOX (badge));

  add (bindings, g_object_bind_property_full (item, "alarm-priority", badge, "visible", flags,
                                              priority_to_visible, NULL, NULL, NULL));
  add (bindings, g_object_bind_property_full (item, "alarm-priority", image, "icon-name", flags,
                                              priority_to_icon, NULL, NULL, NULL));
  add (bindings, g_object_bind_property_full (item, "alarm-priority", badge, "css-classes", flags,
                                              priority_to_classes, NULL, NULL, NULL));
  if (DC_IS_DEVICE_NODE (item))
    {
      add (bindings, g_object_bind_property_full (item, "n-alarms", label, "label", flags,
                                                  count_to_label, NULL, NULL, NULL));
      add (bindings, g_object_bind_property_full (item, "n-alarms", badge, "tooltip-text", flags,
                                                  count_to_tooltip, NULL, NULL, NULL));
      gtk_widget_set_visible (label, TRUE);
    }
  else
    {
      add (bindings, g_object_bind_property_full (item, "alarm-priority", badge, "tooltip-text",
                                                  flags, priority_to_tooltip, NULL, NULL, NULL));
      gtk_widget_set_visible (label, FALSE);
    }
}

static void
column_update (GtkListItem *list_item)
{
  DcPointRow *row = gtk_list_item_get_item (list_item);
  GtkWidget *box = gtk_list_item_get_child (list_item);
  GtkWidget *image = gtk_widget_get_first_child (box);
  GtkWidget *label = gtk_widget_get_next_sibling (image);
  const char *priority = row ? dc_point_row_get_alarm_priority (row) : NULL;
  const char *classes[] = { dc_alarm_priority_css_class (priority), NULL };

  gtk_widget_set_visible (image, priority != NULL);
  gtk_inscription_set_text (GTK_INSCRIPTION (label),
                            priority ? dc_alarm_priority_text (priority) : NULL);
  if (priority != NULL)
    {
      gtk_image_set_from_icon_name (GTK_IMAGE (image), dc_alarm_priority_icon (priority));
      gtk_widget_set_css_classes (image, classes);
    }
}

static void
column_notify_cb (DcPointRow  *row,
                  GParamSpec  *pspec,
                  GtkListItem *list_item)
{
  column_update (list_item);
}

static void
column_setup_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 gpointer                  user_data)
{
  static const char * const priorities[] = { "low", "medium", "high", "critical" };
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_inscription_new (NULL);
  int widest = 0;

  /* As wide as the widest priority word in this language, measured (min-chars counts average
   * characters: "Medium" did not fit in 6 of them, docs/ui-alarms.md). */
  for (guint i = 0; i < G_N_ELEMENTS (priorities); i++)
    {
      g_autoptr(PangoLayout) layout =
        gtk_widget_create_pango_layout (label, dc_alarm_priority_text (priorities[i]));
      int width;

      pango_layout_get_pixel_size (layout, &width, NULL);
      widest = MAX (widest, width);
    }
  gtk_widget_set_size_request (label, widest + 2, -1);
  gtk_box_append (GTK_BOX (box), gtk_image_new ());
  gtk_box_append (GTK_BOX (box), label);
  gtk_list_item_set_child (list_item, box);
}

static void
column_bind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                gpointer                  user_data)
{
  DcPointRow *row = gtk_list_item_get_item (list_item);

  g_signal_connect (row, "notify::alarm-priority", G_CALLBACK (column_notify_cb), list_item);
  column_update (list_item);
}

static void
column_unbind_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *list_item,
                  gpointer                  user_data)
{
  DcPointRow *row = gtk_list_item_get_item (list_item);

  if (row != NULL)
    g_signal_handlers_disconnect_by_func (row, column_notify_cb, list_item);
}

GtkColumnViewColumn *
dc_alarm_badge_new_column (void)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *column;

  g_signal_connect (factory, "setup", G_CALLBACK (column_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (column_bind_cb), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (column_unbind_cb), NULL);
  column = gtk_column_view_column_new (_("Alarm"), factory);
  gtk_column_view_column_set_resizable (column, TRUE);
  return column;
}
