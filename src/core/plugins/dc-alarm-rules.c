/* dc-alarm-rules.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-alarm"

#include "config.h"

#include <math.h>

#include "dc-alarm-private.h"

#include "dc-json-util.h"
#include "dc-number.h"

/* The alarm rules of a point, read from its JSON when the configuration changes (limits,
 * deadband, delay, priority, do_verify, warn_msg), and the tests of each condition. */

/* Rules */

void
dc_alarm_rule_free (gpointer data)
{
  DcAlarmRule *rule = data;

  g_free (rule->device_id);
  g_free (rule->term_id);
  g_free (rule->item_id);
  g_clear_pointer (&rule->verify, dc_expr_unref);
  g_free (rule->verify_error);
  g_free (rule->warn_msg);
  for (guint i = 0; i < G_N_ELEMENTS (rule->texts); i++)
    g_free (rule->texts[i]);
  g_clear_pointer (&rule->json, json_object_unref);
  g_free (rule);
}

static gboolean
has_number (JsonObject *json,
            const char *field,
            double     *value)
{
  JsonNode *node = json_object_get_member (json, field);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return FALSE;
  *value = dc_json_get_double (json, field, NAN);
  return isfinite (*value);
}

DcAlarmRule *
dc_alarm_rule_new (DcPointInfo *info)
{
  DcAlarmRule *rule = g_new0 (DcAlarmRule, 1);
  JsonObject *json = info->json;
  const char *verify;

  rule->key = info->key;
  rule->device_id = g_strdup (info->device_id);
  rule->term_id = g_strdup (info->term_id);
  rule->item_id = g_strdup (info->item_id);
  rule->json = json != NULL ? json_object_ref (json) : json_object_new ();
  /* alarm_enabled false keeps the settings but raises nothing (docs/model.md "Alarms"). */
  if (!dc_json_get_bool (rule->json, "alarm_enabled", TRUE))
    return rule;
  rule->has_up = has_number (rule->json, "up_limit", &rule->up);
  rule->has_down = has_number (rule->json, "down_limit", &rule->down);
  rule->has_on = has_number (rule->json, "alarm_on", &rule->on);
  rule->deadband = fabs (dc_json_get_double (rule->json, "alarm_deadband", 0));
  if (!isfinite (rule->deadband))
    rule->deadband = 0;
  rule->delay_us = MAX (dc_json_get_int (rule->json, "alarm_delay_ms", 0), 0) * 1000;
  rule->priority = dc_alarm_priority_from_string (dc_json_get_string (rule->json, "alarm_priority",
                                                                      NULL),
                                                  1);
  rule->warn_msg = g_strdup (dc_json_get_string (rule->json, "warn_msg", NULL));
  verify = dc_json_get_string (rule->json, "do_verify", NULL);
  if (verify != NULL && *verify != '\0')
    {
      g_autoptr(GError) error = NULL;

      rule->verify = dc_expr_parse (verify, &error);
      if (rule->verify == NULL)
        rule->verify_error = g_strdup (error->message);
    }
  return rule;
}

gboolean
dc_alarm_rule_is_empty (DcAlarmRule *rule)
{
  return !rule->has_up && !rule->has_down && !rule->has_on && rule->verify == NULL &&
         rule->verify_error == NULL;
}

/* The texts write numbers as docs/model.md "Numbers in texts" (C locale, no six-digit
 * rounding): the workstation reads the limit back out of them. A limit's text depends on the
 * rule only: it is made the first time the condition holds and kept with the rule. */
const char *
dc_alarm_rule_text (DcAlarmRule *rule,
                    DcAlarmCond  cond)
{
  static const char * const verbs[] = { "above", "below", "is" };
  char number[DC_NUMBER_BUF_SIZE];
  double limit;

  g_assert (cond <= DC_ALARM_COND_STATE);
  if (rule->texts[cond] != NULL)
    return rule->texts[cond];
  limit = cond == DC_ALARM_COND_HIGH ? rule->up : cond == DC_ALARM_COND_LOW ? rule->down : rule->on;
  rule->texts[cond] = g_strdup_printf ("%s:%s:%s %s %s", rule->device_id, rule->term_id,
                                       rule->item_id, verbs[cond],
                                       dc_number_format_buf (number, sizeof number, limit, -1));
  return rule->texts[cond];
}

char *
dc_alarm_verify_text (DcAlarmRule  *rule,
                      double        value,
                      const GError *error)
{
  char number[DC_NUMBER_BUF_SIZE];

  /* The warn_msg is the alarm text; without one, the reason. */
  if (rule->warn_msg != NULL)
    return g_strdup (rule->warn_msg);
  if (error != NULL || rule->verify_error != NULL)
    return g_strdup_printf ("do_verify failed: %s",
                            error != NULL ? error->message : rule->verify_error);
  return g_strdup_printf ("do_verify is false for %s",
                          dc_number_format_buf (number, sizeof number, value, -1));
}

/* Limits with hysteresis: an alarm clears only when the value is back by the deadband. */
gboolean
dc_alarm_test_high (DcAlarmRule *rule,
                    DcAlarmItem *a,
                    double       value,
                    gboolean     failed)
{
  if (a != NULL && a->raw)
    return value > rule->up - rule->deadband;
  return value > rule->up;
}

gboolean
dc_alarm_test_low (DcAlarmRule *rule,
                   DcAlarmItem *a,
                   double       value,
                   gboolean     failed)
{
  if (a != NULL && a->raw)
    return value < rule->down + rule->deadband;
  return value < rule->down;
}

gboolean
dc_alarm_test_state (DcAlarmRule *rule,
                     DcAlarmItem *a,
                     double       value,
                     gboolean     failed)
{
  return value == rule->on;
}

gboolean
dc_alarm_test_verify (DcAlarmRule *rule,
                      DcAlarmItem *a,
                      double       value,
                      gboolean     failed)
{
  return failed;
}
