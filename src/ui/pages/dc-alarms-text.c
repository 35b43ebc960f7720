/* dc-alarms-text.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-alarms-page"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "dc-alarms-page-private.h"
#include "dc-number.h"
#include "dc-time.h"

/* What the active list and the journal of the Alarms page say: JSON fields, times, values with
 * units, point and device names, and reports to the operator. */

const char *
_dc_alarms_json_string (JsonObject *object,
                        const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

gboolean
_dc_alarms_json_double (JsonObject *object,
                        const char *name,
                        double     *value)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  *value = json_node_get_double (node);
  return isfinite (*value);
}

/* "14:02:11" today, else "2026-11-25 14:02:11", in local time. */
char *
_dc_alarms_format_time (const char *rfc3339,
                        gboolean    always_date)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GDateTime) now = NULL;
  gint64 us;

  if (rfc3339 == NULL || !dc_time_parse (rfc3339, &us))
    return g_strdup ("—");
  dt = g_date_time_new_from_unix_local (us / G_USEC_PER_SEC);
  now = g_date_time_new_now_local ();
  if (dt == NULL || now == NULL)
    return g_strdup ("—");
  if (!always_date &&
      g_date_time_get_year (dt) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (dt) == g_date_time_get_day_of_year (now))
    return g_date_time_format (dt, "%H:%M:%S");
  return g_date_time_format (dt, "%Y-%m-%d %H:%M:%S");
}

char *
_dc_alarms_source_name (DcAlarmsPage *self,
                        JsonObject   *object)
{
  const char *device_id = _dc_alarms_json_string (object, "device_id");
  const char *term_id = _dc_alarms_json_string (object, "term_id");
  const char *item_id = _dc_alarms_json_string (object, "item_id");

  if (term_id != NULL && item_id != NULL)
    {
      DcPointRow *row = self->plant ? dc_plant_model_lookup_point_id (self->plant, term_id, item_id)
                                    : NULL;

      if (row != NULL && dc_point_row_get_name (row) != NULL)
        return g_strdup (dc_point_row_get_name (row));
      return g_strdup_printf ("%s / %s", term_id, item_id);
    }
  if (device_id != NULL)
    {
      DcDeviceNode *node = self->plant ? dc_plant_model_lookup_device (self->plant, device_id)
                                       : NULL;

      if (node != NULL && dc_device_node_get_name (node) != NULL)
        return g_strdup (dc_device_node_get_name (node));
      return g_strdup (device_id);
    }
  return g_strdup ("—");
}

char *
_dc_alarms_format_value (DcAlarmsPage *self,
                         JsonObject   *object)
{
  const char *term_id = _dc_alarms_json_string (object, "term_id");
  const char *item_id = _dc_alarms_json_string (object, "item_id");
  DcPointRow *row = NULL;
  double value;

  if (!_dc_alarms_json_double (object, "value", &value))
    return g_strdup ("—");
  if (self->plant != NULL && term_id != NULL && item_id != NULL)
    row = dc_plant_model_lookup_point_id (self->plant, term_id, item_id);
  if (row != NULL)
    return dc_point_row_format_value (row, value);
  return dc_number_format (value, -1);
}

/* The alarm's text in words. The alarm plugin writes "device:term:item above 95", "… below
 * 9.5" and "… is 1" (ids and numbers, kept as they are in the journal and REST); the page says
 * "F1 current (Substation 1 RTU) above 95 A" and "F3 breaker (Substation 1 RTU) is open".
 * Other texts (a point's warn_msg, verify errors) are shown as written. */
char *
_dc_alarms_describe (DcAlarmsPage *self,
                     JsonObject   *object)
{
  static const char * const words[] = { " above ", " below ", " is " };
  const char *text = _dc_alarms_json_string (object, "text");
  const char *device_id = _dc_alarms_json_string (object, "device_id");
  const char *term_id = _dc_alarms_json_string (object, "term_id");
  const char *item_id = _dc_alarms_json_string (object, "item_id");
  g_autofree char *prefix = NULL;
  DcPointRow *row;
  DcDeviceNode *device;

  if (text == NULL || device_id == NULL || term_id == NULL || item_id == NULL ||
      self->plant == NULL)
    return g_strdup (text);
  prefix = g_strdup_printf ("%s:%s:%s", device_id, term_id, item_id);
  row = dc_plant_model_lookup_point_id (self->plant, term_id, item_id);
  device = dc_plant_model_lookup_device (self->plant, device_id);
  if (!g_str_has_prefix (text, prefix) || row == NULL)
    return g_strdup (text);

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      const char *rest = text + strlen (prefix);
      const char *name = dc_point_row_get_name (row) ? dc_point_row_get_name (row) : item_id;
      const char *where = device && dc_device_node_get_name (device)
                          ? dc_device_node_get_name (device) : device_id;
      char *end = NULL;
      double v;
      g_autofree char *value = NULL;

      if (!g_str_has_prefix (rest, words[i]))
        continue;
      rest += strlen (words[i]);
      v = g_ascii_strtod (rest, &end);
      if (end == rest || *end != '\0')
        break;
      value = dc_point_row_format_value (row, v);
      switch (i)
        {
        case 0:
          /* Translators: an alarm: "<point> (<device>) above <limit with unit>" */
          return g_strdup_printf (_("%s (%s) above %s"), name, where, value);
        case 1:
          /* Translators: an alarm: "<point> (<device>) below <limit with unit>" */
          return g_strdup_printf (_("%s (%s) below %s"), name, where, value);
        default:
          /* Translators: an alarm: "<point> (<device>) is <state>": "F3 breaker (RTU) is open" */
          return g_strdup_printf (_("%s (%s) is %s"), name, where, value);
        }
    }
  return g_strdup (text);
}

/* A toast in the window (its win.toast action), a warning without one. */
void
_dc_alarms_report (DcAlarmsPage *self,
                   const char   *message)
{
  if (!gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", message))
    g_warning ("%s", message);
}
