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
#include "dc-alarm-badge.h"
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

char *
_dc_alarms_device_name (DcAlarmsPage *self,
                        JsonObject   *object)
{
  const char *device_id = _dc_alarms_json_string (object, "device_id");
  DcDeviceNode *node;

  if (device_id == NULL)
    return NULL;
  node = self->plant ? dc_plant_model_lookup_device (self->plant, device_id) : NULL;
  if (node != NULL && dc_device_node_get_name (node) != NULL)
    return g_strdup (dc_device_node_get_name (node));
  return g_strdup (device_id);
}

typedef enum
{
  WORDS_ABOVE,
  WORDS_BELOW,
  WORDS_IS,
  WORDS_OTHER,
} Words;

/* The alarm plugin writes "device:term:item above 95", "… below 9.5" and "… is 1" (ids and
 * numbers, kept so in the journal and REST). Finds which, and the number in words of the point:
 * "95 A", "open". WORDS_OTHER for other texts (a point's warn_msg, a verify error) or a point
 * the plant does not know. */
static Words
parse_text (DcAlarmsPage  *self,
            JsonObject    *object,
            char         **value_text)
{
  static const char * const words[] = { " above ", " below ", " is " };
  const char *text = _dc_alarms_json_string (object, "text");
  const char *device_id = _dc_alarms_json_string (object, "device_id");
  const char *term_id = _dc_alarms_json_string (object, "term_id");
  const char *item_id = _dc_alarms_json_string (object, "item_id");
  g_autofree char *prefix = NULL;
  DcPointRow *row;

  *value_text = NULL;
  if (text == NULL || device_id == NULL || term_id == NULL || item_id == NULL ||
      self->plant == NULL)
    return WORDS_OTHER;
  prefix = g_strdup_printf ("%s:%s:%s", device_id, term_id, item_id);
  row = dc_plant_model_lookup_point_id (self->plant, term_id, item_id);
  if (!g_str_has_prefix (text, prefix) || row == NULL)
    return WORDS_OTHER;

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      const char *rest = text + strlen (prefix);
      char *end = NULL;
      double v;

      if (!g_str_has_prefix (rest, words[i]))
        continue;
      rest += strlen (words[i]);
      v = g_ascii_strtod (rest, &end);
      if (end == rest || *end != '\0')
        break;
      *value_text = dc_point_row_format_value (row, v);
      return (Words) i;
    }
  return WORDS_OTHER;
}

char *
_dc_alarms_condition_words (DcAlarmsPage *self,
                            JsonObject   *object)
{
  const char *condition = _dc_alarms_json_string (object, "condition");
  const char *text = _dc_alarms_json_string (object, "text");
  g_autofree char *value = NULL;

  switch (parse_text (self, object, &value))
    {
    case WORDS_ABOVE:
      /* Translators: an alarm's condition: "above high limit 90 °C" */
      return g_strdup_printf (_("above high limit %s"), value);
    case WORDS_BELOW:
      /* Translators: an alarm's condition: "below low limit 10 %" */
      return g_strdup_printf (_("below low limit %s"), value);
    case WORDS_IS:
      /* Translators: a binary point's alarm: "is open" */
      return g_strdup_printf (_("is %s"), value);
    case WORDS_OTHER:
    default:
      break;
    }
  if (g_strcmp0 (condition, "comm") == 0)
    return g_strdup (_("communication lost"));
  if (text != NULL && text[0] != '\0')
    /* Translators: "<condition>: <the alarm's own text>", e.g. "Check failed: sensor stuck" */
    return g_strdup_printf (_("%s: %s"), dc_alarm_condition_text (condition), text);
  return g_strdup (dc_alarm_condition_text (condition));
}

/* The alarm in words, a sentence: "F1 current above high limit 95 A", "F3 breaker is open",
 * "Substation 1 RTU: communication lost"; other texts (a point's warn_msg, verify errors)
 * "Tank level — Check failed: sensor stuck". */
char *
_dc_alarms_describe (DcAlarmsPage *self,
                     JsonObject   *object)
{
  g_autofree char *source = _dc_alarms_source_name (self, object);
  g_autofree char *value = NULL;
  g_autofree char *words = NULL;

  switch (parse_text (self, object, &value))
    {
    case WORDS_ABOVE:
      /* Translators: an alarm: "<point> above high limit <limit with unit>" */
      return g_strdup_printf (_("%s above high limit %s"), source, value);
    case WORDS_BELOW:
      /* Translators: an alarm: "<point> below low limit <limit with unit>" */
      return g_strdup_printf (_("%s below low limit %s"), source, value);
    case WORDS_IS:
      /* Translators: an alarm: "<point> is <state>": "F3 breaker is open" */
      return g_strdup_printf (_("%s is %s"), source, value);
    case WORDS_OTHER:
    default:
      break;
    }
  if (g_strcmp0 (_dc_alarms_json_string (object, "condition"), "comm") == 0)
    /* Translators: an alarm: "<device>: communication lost" */
    return g_strdup_printf (_("%s: communication lost"), source);
  words = _dc_alarms_condition_words (self, object);
  /* Translators: an alarm: "<point> — <condition>", e.g. "Tank level — Check failed: …" */
  return g_strdup_printf (_("%s — %s"), source, words);
}

/* A toast in the window (its win.toast action), a warning without one. */
void
_dc_alarms_report (DcAlarmsPage *self,
                   const char   *message)
{
  if (!gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", message))
    g_warning ("%s", message);
}
