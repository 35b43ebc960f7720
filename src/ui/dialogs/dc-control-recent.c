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

#define COUNT_KEY       "dc-recent-count"
#define CANCELLABLE_KEY "dc-recent-cancellable"

/* "14:02:11" today, else "2026-11-25 14:02:11", in local time like the rest of the window. */
static char *
format_local_time (gint64 us)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  dt = g_date_time_new_from_unix_local (us / G_USEC_PER_SEC);
  if (dt == NULL)
    return g_strdup ("—");
  if (g_date_time_get_year (dt) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (dt) == g_date_time_get_day_of_year (now))
    return g_date_time_format (dt, "%H:%M:%S");
  return g_date_time_format (dt, "%Y-%m-%d %H:%M:%S");
}

/* A row "control.result" of the audit log: target "device:term:item", detail {"value":…}. */
static GtkWidget *
create_row (const DcAuditRow *control,
            DcPlantModel     *plant)
{
  g_auto(GStrv) parts = g_strsplit (control->target, ":", 3);
  const char *device_id = parts[0] != NULL ? parts[0] : "";
  const char *term_id = parts[0] != NULL && parts[1] != NULL ? parts[1] : "?";
  const char *item_id = parts[0] != NULL && parts[1] != NULL && parts[2] != NULL ? parts[2] : "?";
  g_autoptr(JsonNode) detail = json_from_string (control->detail, NULL);
  JsonObject *object = detail != NULL && JSON_NODE_HOLDS_OBJECT (detail)
                       ? json_node_get_object (detail) : NULL;
  double value = object != NULL
                 ? json_object_get_double_member_with_default (object, "value", NAN) : NAN;
  gboolean ok = g_str_equal (control->result, "ok");
  DcPointRow *point = plant ? dc_plant_model_lookup_point_id (plant, term_id, item_id) : NULL;
  DcDeviceNode *device = plant ? dc_plant_model_lookup_device (plant, device_id) : NULL;
  g_autofree char *name = NULL;
  g_autofree char *value_text = NULL;
  g_autofree char *time = format_local_time (control->time);
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
                              control->user, ok ? _("confirmed") : control->result);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_add_css_class (icon, ok ? "success" : "error");
  gtk_widget_set_tooltip_text (icon, ok ? _("Confirmed") : _("Not confirmed"));
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  return row;
}

typedef struct
{
  GWeakRef      list;
  DcPlantModel *plant;
} Fill;

static void
fill_free (Fill *fill)
{
  g_weak_ref_clear (&fill->list);
  g_clear_object (&fill->plant);
  g_free (fill);
}

static void
fill_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Fill *fill = user_data;
  g_autoptr(GtkListBox) list = g_weak_ref_get (&fill->list);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = dc_audit_source_query_finish (DC_AUDIT_SOURCE (object), result,
                                                           &error);
  GtkWidget *child;

  if (list == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      fill_free (fill);
      return;
    }
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
  for (guint i = 0; rows != NULL && i < rows->len; i++)
    gtk_list_box_append (list, create_row (g_ptr_array_index (rows, i), fill->plant));
  if (rows == NULL || rows->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     rows == NULL ? error->message : _("No controls yet"));
      gtk_list_box_append (list, row);
    }
  /* Stored plus one: no data means no answer yet. */
  g_object_set_data (G_OBJECT (list), COUNT_KEY,
                     GUINT_TO_POINTER ((rows != NULL ? rows->len : 0) + 1));
  fill_free (fill);
}

void
dc_control_fill_recent (GtkListBox    *list,
                        DcAuditSource *source,
                        DcPlantModel  *plant,
                        const char    *device_id,
                        guint          limit)
{
  g_autoptr(DcAuditQuery) query = dc_audit_query_new ();
  GCancellable *cancellable;
  Fill *fill;

  g_return_if_fail (GTK_IS_LIST_BOX (list));
  g_return_if_fail (source == NULL || DC_IS_AUDIT_SOURCE (source));

  /* A newer fill replaces one still running. */
  cancellable = g_object_get_data (G_OBJECT (list), CANCELLABLE_KEY);
  if (cancellable != NULL)
    g_cancellable_cancel (cancellable);
  g_object_set_data (G_OBJECT (list), COUNT_KEY, NULL);
  if (source == NULL)
    return;
  cancellable = g_cancellable_new ();
  g_object_set_data_full (G_OBJECT (list), CANCELLABLE_KEY, cancellable, g_object_unref);

  fill = g_new0 (Fill, 1);
  g_weak_ref_init (&fill->list, list);
  fill->plant = plant != NULL ? g_object_ref (plant) : NULL;
  query->action = g_strdup ("control.result");
  query->target = g_strdup (device_id);
  query->limit = limit;
  dc_audit_source_query_async (source, query, cancellable, fill_done_cb, fill);
}

guint
dc_control_recent_get_count (GtkListBox *list)
{
  gpointer count;

  g_return_val_if_fail (GTK_IS_LIST_BOX (list), G_MAXUINT);

  count = g_object_get_data (G_OBJECT (list), COUNT_KEY);
  return count != NULL ? GPOINTER_TO_UINT (count) - 1 : G_MAXUINT;
}
