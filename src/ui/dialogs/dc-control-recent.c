/* dc-control-recent.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-control-recent"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "dc-control-recent.h"
#include "dc-number.h"
#include "dc-time.h"

/* "14:02:11" today, else "2026-11-25 14:02:11", in local time like the rest of the window. */
static char *
format_local_time (JsonNode *node)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  gint64 us;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return g_strdup ("—");
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      if (!dc_time_parse (json_node_get_string (node), &us))
        return g_strdup (json_node_get_string (node));
    }
  else
    us = json_node_get_int (node);
  dt = g_date_time_new_from_unix_local (us / G_USEC_PER_SEC);
  if (dt == NULL)
    return g_strdup ("—");
  if (g_date_time_get_year (dt) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (dt) == g_date_time_get_day_of_year (now))
    return g_date_time_format (dt, "%H:%M:%S");
  return g_date_time_format (dt, "%Y-%m-%d %H:%M:%S");
}

static GtkWidget *
create_row (JsonObject   *control,
            DcPlantModel *plant)
{
  const char *term_id = json_object_get_string_member_with_default (control, "term_id", "?");
  const char *item_id = json_object_get_string_member_with_default (control, "item_id", "?");
  const char *device_id = json_object_get_string_member_with_default (control, "device_id", "");
  const char *result = json_object_get_string_member_with_default (control, "result", "");
  const char *user = json_object_get_string_member_with_default (control, "user", "");
  double value = json_object_get_double_member_with_default (control, "value", NAN);
  gboolean ok = g_str_equal (result, "confirmed");
  DcPointRow *point = plant ? dc_plant_model_lookup_point_id (plant, term_id, item_id) : NULL;
  DcDeviceNode *device = plant ? dc_plant_model_lookup_device (plant, device_id) : NULL;
  g_autofree char *name = NULL;
  g_autofree char *value_text = NULL;
  g_autofree char *time = format_local_time (json_object_get_member (control, "time"));
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (ok ? "emblem-ok-symbolic" : "dialog-error-symbolic");

  if (point != NULL && dc_point_row_get_name (point) != NULL)
    name = g_strdup (dc_point_row_get_name (point));
  else
    name = g_strdup_printf ("%s:%s", term_id, item_id);
  value_text = point != NULL ? dc_point_row_format_value (point, value)
                             : dc_number_format (value, -1);

  /* Translators: a control in the recent list: "<point name> ← <value>" */
  title = g_strdup_printf (_("%s ← %s"), name, value_text);
  /* Translators: when (local time), on which device, who, and the result of a control */
  subtitle = g_strdup_printf (_("%s · %s · %s · %s"), time,
                              device != NULL && dc_device_node_get_name (device) != NULL
                              ? dc_device_node_get_name (device) : device_id,
                              user, ok ? _("confirmed") : result);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_add_css_class (icon, ok ? "success" : "error");
  gtk_widget_set_tooltip_text (icon, ok ? _("Confirmed") : _("Not confirmed"));
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  return row;
}

guint
dc_control_fill_recent (GtkListBox   *list,
                        DcStore      *store,
                        DcPlantModel *plant,
                        const char   *device_id,
                        guint         limit)
{
  /* The record is newest first; a device's controls are picked from a longer stretch. */
  g_autoptr(JsonArray) controls = NULL;
  GtkWidget *child;
  guint n = 0;

  g_return_val_if_fail (GTK_IS_LIST_BOX (list), 0);
  g_return_val_if_fail (DC_IS_STORE (store), 0);

  controls = dc_store_list_controls (store, device_id ? limit * 20 : limit);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
  for (guint i = 0; controls != NULL && i < json_array_get_length (controls) && n < limit; i++)
    {
      JsonObject *c = json_array_get_object_element (controls, i);

      if (device_id != NULL &&
          g_strcmp0 (json_object_get_string_member_with_default (c, "device_id", ""), device_id) != 0)
        continue;
      n++;
      gtk_list_box_append (list, create_row (c, plant));
    }
  if (n == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No controls yet"));
      gtk_list_box_append (list, row);
    }
  return n;
}
