/* dc-alarm-states.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-alarm"

#include "config.h"

#include <math.h>

#include "dc-alarm-private.h"

/* The states of the alarms (docs/plugins.md "Alarms"): the conditions a sample gives, the
 * delays, the transitions and their journal entries. The path of a sample that raises
 * nothing allocates nothing: the rule's alarms are looked up once, limit texts are made once
 * per rule and only when a condition holds (docs/performance.md). */

guint dc_alarm_changed_signal;

/* Journal writes go in a transaction: one per batch of samples inside dc_alarm_process(),
 * else one per write. */
static void
journal_begin (DcAlarm *self)
{
  if (self->in_tx)
    return;
  dc_alarm_journal_exec (self->db, "BEGIN");
  self->in_tx = TRUE;
}

void
dc_alarm_journal_end (DcAlarm *self)
{
  if (!self->in_tx || self->batching > 0)
    return;
  self->in_tx = FALSE;
  dc_alarm_journal_exec (self->db, "COMMIT");
}

/* Saves @a and journals the transition (@event: the new state, or "acknowledged", …). */
static void
record (DcAlarm     *self,
        DcAlarmItem *a,
        gint64       time,
        const char  *user,
        const char  *comment)
{
  g_autoptr(JsonObject) object = dc_alarm_item_to_json (a);

  journal_begin (self);
  dc_alarm_journal_record (self->db, self->journal_stmts, a, object, time, user, comment);
  dc_alarm_journal_end (self);
  g_signal_emit (self, dc_alarm_changed_signal, 0, object);
}

void
dc_alarm_set_state (DcAlarm      *self,
                    DcAlarmItem  *a,
                    DcAlarmState  state,
                    gint64        time,
                    const char   *user,
                    const char   *comment)
{
  a->state = state;
  a->since = time;
  record (self, a, time, user, comment);
}

DcAlarmItem *
dc_alarm_item_lookup (DcAlarm    *self,
                      DcAlarmCond cond,
                      gint64      key,
                      const char *device_id)
{
  g_autofree char *ident = dc_alarm_ident_of (cond, key, device_id);

  return g_hash_table_lookup (self->by_ident, ident);
}

DcAlarmItem *
dc_alarm_item_create (DcAlarm    *self,
                      DcAlarmCond cond,
                      gint64      key,
                      const char *device_id,
                      const char *term_id,
                      const char *item_id)
{
  DcAlarmItem *a = g_new0 (DcAlarmItem, 1);
  g_autofree char *ident = dc_alarm_ident_of (cond, key, device_id);

  a->self = self;
  a->cond = cond;
  a->key = key;
  a->device_id = g_strdup (device_id);
  a->term_id = g_strdup (term_id);
  a->item_id = g_strdup (item_id);
  a->value = NAN;

  /* Ids come from the journal database (never reused). */
  journal_begin (self);
  a->id = dc_alarm_journal_new_id (self->db, self->journal_stmts, ident);
  dc_alarm_journal_end (self);
  if (a->id == 0)
    a->id = g_hash_table_size (self->alarms) + 1000000;

  g_hash_table_insert (self->alarms, &a->id, a);
  g_hash_table_insert (self->by_ident, g_steal_pointer (&ident), a);
  return a;
}

static void
activate (DcAlarm     *self,
          DcAlarmItem *a,
          gint64       time)
{
  a->active = TRUE;
  a->active_since = time;
  if (a->state == DC_ALARM_NORMAL || a->state == DC_ALARM_CLEARED_UNACKED)
    dc_alarm_set_state (self, a, DC_ALARM_ACTIVE_UNACKED, time, NULL, NULL);
}

static void
deactivate (DcAlarm     *self,
            DcAlarmItem *a,
            gint64       time)
{
  gboolean was_active = a->active;

  a->active = FALSE;
  if (!was_active)
    return;
  if (a->state == DC_ALARM_ACTIVE_UNACKED)
    dc_alarm_set_state (self, a, DC_ALARM_CLEARED_UNACKED, time, NULL, NULL);
  else if (a->state == DC_ALARM_ACTIVE_ACKED)
    dc_alarm_set_state (self, a, DC_ALARM_NORMAL, time, NULL, NULL);
}

static gboolean
delay_cb (gpointer user_data)
{
  DcAlarmItem *a = user_data;

  a->delay_id = 0;
  if (a->raw && !a->active)
    activate (a->self, a, MAX (a->raw_since, g_get_real_time ()));
  return G_SOURCE_REMOVE;
}

/* The condition of @a is @raw at @time (a sample's time); applies the delay. */
void
dc_alarm_item_update (DcAlarm     *self,
                      DcAlarmItem *a,
                      gboolean     raw,
                      gint64       delay_us,
                      gint64       time)
{
  if (raw && !a->raw)
    {
      a->raw = TRUE;
      a->raw_since = time;
      if (delay_us <= 0)
        activate (self, a, time);
      else
        {
          /* Measured on the wall clock from now, so that a stalled device still alarms;
           * a later sample that proves the delay has passed activates at once. */
          g_clear_handle_id (&a->delay_id, g_source_remove);
          a->delay_id = g_timeout_add ((guint) MIN (delay_us / 1000, G_MAXUINT), delay_cb, a);
        }
    }
  else if (raw && !a->active && delay_us > 0 && time - a->raw_since >= delay_us)
    {
      g_clear_handle_id (&a->delay_id, g_source_remove);
      activate (self, a, time);
    }
  else if (!raw && a->raw)
    {
      a->raw = FALSE;
      g_clear_handle_id (&a->delay_id, g_source_remove);
      deactivate (self, a, time);
    }
}

/* The alarm of @rule's point for @cond, looked up once per rule (alarms live as long as the
 * plugin; a rebuilt rule looks them up again). */
static DcAlarmItem *
rule_alarm (DcAlarm     *self,
            DcAlarmRule *rule,
            DcAlarmCond  cond)
{
  if (!rule->looked_up[cond])
    {
      rule->alarms[cond] = dc_alarm_item_lookup (self, cond, rule->key, NULL);
      rule->looked_up[cond] = TRUE;
    }
  return rule->alarms[cond];
}

/* The condition @cond of @rule's point is @raw for @s (@a: its alarm so far, may be NULL);
 * @text is the alarm's text while it holds. Nothing is allocated unless an alarm is created
 * or its text changes. */
static void
check (DcAlarm        *self,
       DcAlarmRule    *rule,
       DcAlarmCond     cond,
       DcAlarmItem    *a,
       gboolean        raw,
       const DcSample *s,
       const char     *text)
{
  if (a == NULL)
    {
      a = dc_alarm_item_create (self, cond, rule->key, rule->device_id, rule->term_id, rule->item_id);
      rule->alarms[cond] = a;
    }
  a->priority = rule->priority;
  a->value = s->value;
  if (raw && g_strcmp0 (a->text, text) != 0)
    {
      g_free (a->text);
      a->text = g_strdup (text);
    }
  dc_alarm_item_update (self, a, raw, rule->delay_us, s->time);
}

/* A limit condition (high, low, state): its text is the rule's, made once. */
static void
check_limit (DcAlarm        *self,
             DcAlarmRule    *rule,
             DcAlarmCond     cond,
             const DcSample *s)
{
  DcAlarmItem *a = rule_alarm (self, rule, cond);
  gboolean raw;

  switch (cond)
    {
    case DC_ALARM_COND_HIGH:
      raw = dc_alarm_test_high (rule, a, s->value, FALSE);
      break;
    case DC_ALARM_COND_LOW:
      raw = dc_alarm_test_low (rule, a, s->value, FALSE);
      break;
    default:
      raw = dc_alarm_test_state (rule, a, s->value, FALSE);
      break;
    }
  /* The common case: no alarm and none to raise. */
  if (!raw && a == NULL)
    return;
  check (self, rule, cond, a, raw, s, raw ? dc_alarm_rule_text (rule, cond) : NULL);
}

void
dc_alarm_process_sample (DcAlarm        *self,
                         DcAlarmRule    *rule,
                         const DcSample *s)
{
  /* An invalid or stale value proves nothing either way: conditions keep their state. */
  if (!isfinite (s->value) || (s->quality & (DC_QUALITY_INVALID | DC_QUALITY_COMM_LOST)) != 0)
    return;

  if (rule->has_up)
    check_limit (self, rule, DC_ALARM_COND_HIGH, s);
  if (rule->has_down)
    check_limit (self, rule, DC_ALARM_COND_LOW, s);
  if (rule->has_on)
    check_limit (self, rule, DC_ALARM_COND_STATE, s);
  if (rule->verify != NULL || rule->verify_error != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *message = NULL;
      DcAlarmItem *a = rule_alarm (self, rule, DC_ALARM_COND_VERIFY);
      gboolean ok = FALSE;

      if (rule->verify != NULL)
        {
          dc_expr_scope_set_number (self->scope, "value", s->value);
          dc_expr_scope_set_object (self->scope, "param", rule->json);
          if (!dc_expr_eval_bool (rule->verify, self->scope, &ok, &error))
            ok = FALSE;
        }
      if (ok && a == NULL)
        return;
      if (!ok)
        message = dc_alarm_verify_text (rule, s->value, error);
      check (self, rule, DC_ALARM_COND_VERIFY, a, !ok, s, message);
    }
}
