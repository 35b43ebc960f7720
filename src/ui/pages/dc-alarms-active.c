/* dc-alarms-active.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-alarms-page"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "dc-alarms-page-private.h"
#include "dc-alarm-badge.h"
#include "dc-ui.h"

/* The rows of the Alarms page's active list, and the alarm badges its list puts on the plant's
 * points and devices (docs/ui-alarms.md). dc-alarms-page.c rebuilds the list with them. */

GtkWidget *
_dc_alarms_active_row_new (DcAlarmsPage *self,
                           JsonObject   *object)
{
  const char *state = _dc_alarms_json_string (object, "state");
  const char *priority = _dc_alarms_json_string (object, "priority");
  g_autofree char *title = _dc_alarms_describe (self, object);
  const char *ack_user = _dc_alarms_json_string (object, "ack_user");
  const char *ack_comment = _dc_alarms_json_string (object, "ack_comment");
  const char *active_since;
  gint64 id = json_object_get_int_member_with_default (object, "id", 0);
  g_autofree char *device = _dc_alarms_json_string (object, "term_id") != NULL
                            ? _dc_alarms_device_name (self, object) : NULL;
  g_autofree char *since = NULL;
  g_autofree char *value = _dc_alarms_format_value (self, object);
  g_autoptr(GString) subtitle = g_string_new (NULL);
  GtkWidget *row;
  GtkWidget *icon;
  GtkWidget *label;
  GtkWidget *ack;
  GtkWidget *shelve;
  gboolean unacked = g_strcmp0 (state, "active_unacknowledged") == 0 ||
                     g_strcmp0 (state, "cleared_unacknowledged") == 0;

  /* The title says what happened in words ("F1 current above high limit 95 A"); the subtitle
   * where (the device of a point), the alarm's state since when, and the value now. */
  active_since = _dc_alarms_json_string (object, "active_since");
  since = _dc_alarms_format_time (active_since ? active_since
                                               : _dc_alarms_json_string (object, "since"),
                                  FALSE);
  if (device != NULL)
    g_string_append_printf (subtitle, "%s · ", device);
  /* Translators: alarm row subtitle: state, time and value. */
  g_string_append_printf (subtitle, _("%s since %s, value %s"),
                          dc_alarm_state_text (state), since, value);
  if (ack_user != NULL)
    {
      g_string_append (subtitle, " · ");
      if (ack_comment != NULL && ack_comment[0] != '\0')
        /* Translators: who acknowledged the alarm and their comment. */
        g_string_append_printf (subtitle, _("acknowledged by %s: %s"), ack_user, ack_comment);
      else
        g_string_append_printf (subtitle, _("acknowledged by %s"), ack_user);
    }

  row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
  if (unacked)
    gtk_widget_add_css_class (row, "alarm-unacknowledged");

  /* Priority: icon, colour and the word, never colour alone. */
  icon = dc_alarm_badge_new_icon (priority);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  label = gtk_label_new (dc_alarm_priority_text (priority));
  gtk_widget_set_size_request (label, 64, -1);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, dc_alarm_priority_css_class (priority));
  gtk_widget_add_css_class (label, "caption-heading");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), label);

  /* A narrow window (docs/ui.md "Narrow windows"): icons, the words in the tooltips. */
  if (self->narrow)
    {
      ack = gtk_button_new_from_icon_name ("object-select-symbolic");
      gtk_widget_set_tooltip_text (ack, _("Acknowledge…"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (ack), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Acknowledge…"), -1);
    }
  else
    ack = gtk_button_new_with_mnemonic (_("_Acknowledge…"));
  gtk_widget_set_name (ack, "ack");
  gtk_widget_set_valign (ack, GTK_ALIGN_CENTER);
  /* The action would make the button sensitive: only alarms waiting for an ack get it. */
  if (unacked)
    {
      gtk_actionable_set_action_name (GTK_ACTIONABLE (ack), "alarms.ack");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (ack), "x", id);
      gtk_widget_add_css_class (ack, "suggested-action");
    }
  else
    gtk_widget_set_sensitive (ack, FALSE);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), ack);

  if (self->narrow)
    {
      shelve = gtk_button_new_from_icon_name ("alarm-symbolic");
      gtk_widget_set_tooltip_text (shelve, _("Shelve…"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (shelve), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Shelve…"), -1);
    }
  else
    shelve = gtk_button_new_with_mnemonic (_("_Shelve…"));
  gtk_widget_set_name (shelve, "shelve");
  gtk_widget_set_valign (shelve, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (shelve), "alarms.shelve");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (shelve), "x", id);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), shelve);

  return row;
}

static const char * const priority_names[] = { "low", "medium", "high", "critical" };

/* Badges on points and devices (tree and table): the highest priority of a point's listed
 * alarms; per device the number of its listed alarms (comm and points) and their highest
 * priority. Objects that lose their last alarm are cleared. */
void
_dc_alarms_update_badges (DcAlarmsPage *self,
                          JsonArray    *list)
{
  g_autoptr(GHashTable) points = g_hash_table_new (NULL, NULL);   /* row → rank + 1 */
  g_autoptr(GHashTable) counts = g_hash_table_new (NULL, NULL);   /* node → n */
  g_autoptr(GHashTable) ranks = g_hash_table_new (NULL, NULL);    /* node → rank + 1 */
  g_autoptr(GPtrArray) badged = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; self->plant != NULL && list != NULL && i < json_array_get_length (list); i++)
    {
      JsonObject *object = json_array_get_object_element (list, i);
      const char *term_id = _dc_alarms_json_string (object, "term_id");
      const char *item_id = _dc_alarms_json_string (object, "item_id");
      const char *device_id = _dc_alarms_json_string (object, "device_id");
      int rank = dc_alarm_priority_rank (_dc_alarms_json_string (object, "priority")) + 1;
      DcDeviceNode *node = device_id ? dc_plant_model_lookup_device (self->plant, device_id) : NULL;

      if (term_id != NULL && item_id != NULL)
        {
          DcPointRow *row = dc_plant_model_lookup_point_id (self->plant, term_id, item_id);

          if (row != NULL && rank > GPOINTER_TO_INT (g_hash_table_lookup (points, row)))
            g_hash_table_insert (points, row, GINT_TO_POINTER (rank));
        }
      if (node != NULL)
        {
          guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, node));

          g_hash_table_insert (counts, node, GUINT_TO_POINTER (n + 1));
          if (rank > GPOINTER_TO_INT (g_hash_table_lookup (ranks, node)))
            g_hash_table_insert (ranks, node, GINT_TO_POINTER (rank));
        }
    }

  g_hash_table_iter_init (&iter, points);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      int rank = GPOINTER_TO_INT (value);

      dc_point_row_set_alarm_priority (key, rank > 0 ? priority_names[rank - 1] : "medium");
      g_ptr_array_add (badged, g_object_ref (key));
    }
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      int rank = GPOINTER_TO_INT (g_hash_table_lookup (ranks, key));

      dc_device_node_set_alarms (key, GPOINTER_TO_UINT (value),
                                 rank > 0 ? priority_names[rank - 1] : "medium");
      g_ptr_array_add (badged, g_object_ref (key));
    }
  for (guint i = 0; self->badged != NULL && i < self->badged->len; i++)
    {
      gpointer object = g_ptr_array_index (self->badged, i);

      if (DC_IS_POINT_ROW (object) && !g_hash_table_contains (points, object))
        dc_point_row_set_alarm_priority (object, NULL);
      else if (DC_IS_DEVICE_NODE (object) && !g_hash_table_contains (counts, object))
        dc_device_node_set_alarms (object, 0, NULL);
    }
  g_clear_pointer (&self->badged, g_ptr_array_unref);
  self->badged = g_steal_pointer (&badged);
}
