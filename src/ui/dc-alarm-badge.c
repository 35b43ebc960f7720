/* dc-alarm-badge.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-alarm-badge"

#include "config.h"

#include <glib/gi18n.h>

#include "dc-alarm-badge.h"

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
