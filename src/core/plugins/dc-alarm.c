/* dc-alarm.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-alarm"

#include "config.h"

#include <math.h>
#include <string.h>

#include "dc-alarm-private.h"

#include "dc-audit.h"
#include "dc-error.h"
#include "dc-json-util.h"
#include "dc-time.h"

G_DEFINE_FINAL_TYPE (DcAlarm, dc_alarm, G_TYPE_OBJECT)

/* Configuration */

static void
rebuild (DcAlarm *self)
{
  g_autoptr(GPtrArray) infos = dc_store_list_point_infos (self->store);

  self->reload = FALSE;
  g_clear_pointer (&self->refresh, g_hash_table_unref);
  self->n_points = infos->len;
  g_hash_table_remove_all (self->rules);
  for (guint i = 0; i < infos->len; i++)
    {
      DcAlarmRule *rule = dc_alarm_rule_new (g_ptr_array_index (infos, i));

      if (dc_alarm_rule_is_empty (rule))
        dc_alarm_rule_free (rule);
      else
        g_hash_table_insert (self->rules, &rule->key, rule);
    }
}

/* The deferred rebuild: only the rules of the points created or edited since, unless
 * something else changed (docs/performance.md: a change costs its size). */
static void
apply_changes (DcAlarm *self)
{
  g_autoptr(GHashTable) refresh = NULL;
  GHashTableIter iter;
  gpointer id;

  /* Reading a quarter of the plant point by point costs more than one scan. */
  if (self->reload || self->refresh == NULL ||
      g_hash_table_size (self->refresh) > self->n_points / 4)
    {
      rebuild (self);
      return;
    }
  refresh = g_steal_pointer (&self->refresh);
  g_hash_table_iter_init (&iter, refresh);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    {
      g_autoptr(DcPointInfo) info = dc_store_get_point_info_by_id (self->store, id);
      DcAlarmRule *rule;

      if (info == NULL)
        continue;  /* deleted since: its delete took its rule out */
      rule = dc_alarm_rule_new (info);
      if (dc_alarm_rule_is_empty (rule))
        {
          g_hash_table_remove (self->rules, &info->key);
          dc_alarm_rule_free (rule);
        }
      else
        g_hash_table_replace (self->rules, &rule->key, rule);
    }
}

static void
store_changed_cb (DcStore    *store,
                  int         kind,
                  int         op,
                  const char *id,
                  const char *old_id,
                  DcAlarm    *self)
{
  if (kind == DC_KIND_DEVICE && op == DC_CHANGE_DELETE)
    dc_alarm_device_gone (self, id, NULL);
  else if (kind == DC_KIND_DEVICE && old_id != NULL && g_strcmp0 (old_id, id) != 0)
    dc_alarm_device_gone (self, old_id, id);
  /* Only points have rules, and each is re-read alone: a device, term or item edit announces
   * each of its points, a delete each removed point (::point-removed). */
  if (kind != DC_KIND_POINT || op == DC_CHANGE_DELETE)
    return;
  if (self->refresh == NULL)
    self->refresh = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_add (self->refresh, g_strdup (id));
  dc_deferred_schedule (&self->rebuild);
}

static void
store_point_removed_cb (DcStore *store,
                        gint64   key,
                        DcAlarm *self)
{
  g_hash_table_remove (self->rules, &key);
  if (self->n_points > 0)
    self->n_points--;
}

/* The audit log (docs/security.md): acknowledgements, shelving and its end, with the current
 * actor (the REST request's, the workstation's) or @actor. The target is the alarm's point
 * "device:term:item", or its device for a comm alarm. Attempts that fail are recorded too. */
static void
audit (DcAlarm            *self,
       const DcAuditActor *actor,
       const char         *action,
       gint64              id,
       DcAlarmItem        *a,
       const char         *comment,
       gint64              until,
       const GError       *error)
{
  DcAudit *log = dc_store_get_audit (self->store);
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *target = NULL;
  JsonObject *detail;

  if (log == NULL)
    return;
  detail = json_object_new ();
  json_object_set_int_member (detail, "alarm_id", id);
  if (a != NULL)
    {
      json_object_set_string_member (detail, "condition", dc_alarm_cond_to_string (a->cond));
      if (a->cond == DC_ALARM_COND_COMM)
        target = g_strdup (a->device_id);
      else
        target = g_strjoin (":", a->device_id, a->term_id, a->item_id, NULL);
    }
  if (comment != NULL)
    json_object_set_string_member (detail, "comment", comment);
  if (until != 0)
    {
      g_autofree char *text = dc_time_format (until);

      json_object_set_string_member (detail, "until", text);
    }
  node = json_node_init_object (json_node_alloc (), detail);
  json_object_unref (detail);
  dc_audit_record (log, actor, action, target, node, error != NULL ? error->message : "ok");
}

/* Shelving */

static gboolean
unshelve_cb (gpointer user_data)
{
  DcAlarmItem *a = user_data;
  DcAlarm *self = a->self;

  a->shelve_id = 0;
  if (a->state != DC_ALARM_SHELVED)
    return G_SOURCE_REMOVE;
  {
    g_autoptr(DcAuditActor) system = dc_audit_actor_new (NULL, NULL, "system");

    audit (self, system, "alarm.unshelve", a->id, a, "shelving ended", 0, NULL);
  }
  a->shelved_until = 0;
  /* Back to the state its condition gives. */
  dc_alarm_set_state (self, a, a->active ? DC_ALARM_ACTIVE_UNACKED : DC_ALARM_NORMAL,
             g_get_real_time (), NULL, "shelving ended");
  return G_SOURCE_REMOVE;
}

static void
arm_shelve (DcAlarmItem *a)
{
  gint64 delay = a->shelved_until - g_get_real_time ();

  g_clear_handle_id (&a->shelve_id, g_source_remove);
  a->shelve_id = g_timeout_add ((guint) CLAMP (delay / 1000, 0, G_MAXINT), unshelve_cb, a);
}

/* Loading */

static void
load (DcAlarm *self)
{
  g_autoptr(GPtrArray) alarms = dc_alarm_journal_load (self->db, self->store);

  for (guint i = 0; i < alarms->len; i++)
    {
      DcAlarmItem *a = g_ptr_array_index (alarms, i);

      a->self = self;
      if (a->state == DC_ALARM_SHELVED)
        arm_shelve (a);
      g_hash_table_insert (self->alarms, &a->id, a);
      g_hash_table_insert (self->by_ident, dc_alarm_ident_of (a->cond, a->key, a->device_id), a);
    }
}

/* GObject */

static void
engine_samples_cb (DcEngine *engine,
                   GArray   *samples,
                   DcAlarm  *self)
{
  dc_alarm_process (self, (const DcSample *) samples->data, samples->len);
}

static void
dc_alarm_dispose (GObject *object)
{
  DcAlarm *self = DC_ALARM (object);

  g_clear_signal_handler (&self->changed_id, self->store);
  g_clear_signal_handler (&self->removed_id, self->store);
  if (self->engine != NULL)
    {
      g_clear_signal_handler (&self->samples_id, self->engine);
      g_clear_signal_handler (&self->device_id_handler, dc_engine_get_drivers (self->engine));
      g_object_remove_weak_pointer (G_OBJECT (self->engine), (gpointer *) &self->engine);
      self->engine = NULL;
    }
  dc_deferred_cancel (&self->rebuild);
  if (self->alarms != NULL)
    g_hash_table_remove_all (self->by_ident);
  if (self->alarms != NULL)
    g_hash_table_remove_all (self->alarms);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (dc_alarm_parent_class)->dispose (object);
}

static void
dc_alarm_finalize (GObject *object)
{
  DcAlarm *self = DC_ALARM (object);

  g_clear_pointer (&self->by_ident, g_hash_table_unref);
  g_clear_pointer (&self->alarms, g_hash_table_unref);
  g_clear_pointer (&self->rules, g_hash_table_unref);
  g_clear_pointer (&self->refresh, g_hash_table_unref);
  g_clear_pointer (&self->scope, dc_expr_scope_free);
  dc_alarm_journal_clear_cache (self->journal_stmts);
  if (self->db != NULL)
    sqlite3_close (self->db);

  G_OBJECT_CLASS (dc_alarm_parent_class)->finalize (object);
}

static void
dc_alarm_class_init (DcAlarmClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dc_alarm_dispose;
  object_class->finalize = dc_alarm_finalize;

  dc_alarm_changed_signal =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, JSON_TYPE_OBJECT | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
dc_alarm_init (DcAlarm *self)
{
  dc_deferred_init (&self->rebuild, (GFunc) apply_changes, self);
  self->rules = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, dc_alarm_rule_free);
  self->alarms = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, dc_alarm_item_free);
  self->by_ident = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->scope = dc_expr_scope_new ();
}

/* Public API */

DcAlarm *
dc_alarm_new (DcStore     *store,
              const char  *journal_path,
              GError     **error)
{
  g_autoptr(DcAlarm) self = NULL;

  g_return_val_if_fail (DC_IS_STORE (store), NULL);
  g_return_val_if_fail (journal_path != NULL, NULL);

  self = g_object_new (DC_TYPE_ALARM, NULL);
  self->store = g_object_ref (store);
  self->db = dc_alarm_journal_open (journal_path, error);
  if (self->db == NULL)
    return NULL;
  load (self);
  return g_steal_pointer (&self);
}

DcAlarm *
dc_alarm_new_for_engine (DcEngine    *engine,
                         const char  *journal_path,
                         GError     **error)
{
  DcAlarm *self;

  g_return_val_if_fail (DC_IS_ENGINE (engine), NULL);

  self = dc_alarm_new (dc_engine_get_store (engine), journal_path, error);
  if (self == NULL)
    return NULL;
  self->engine = engine;
  g_object_add_weak_pointer (G_OBJECT (engine), (gpointer *) &self->engine);
  self->samples_id = g_signal_connect_after (engine, "samples", G_CALLBACK (engine_samples_cb),
                                             self);
  self->device_id_handler = g_signal_connect (dc_engine_get_drivers (engine), "device-changed",
                                              G_CALLBACK (dc_alarm_device_changed_cb), self);
  return self;
}

void
dc_alarm_start (DcAlarm *self)
{
  g_return_if_fail (DC_IS_ALARM (self));

  if (self->changed_id == 0)
    self->changed_id = g_signal_connect (self->store, "changed", G_CALLBACK (store_changed_cb),
                                         self);
  if (self->removed_id == 0)
    self->removed_id = g_signal_connect (self->store, "point-removed",
                                         G_CALLBACK (store_point_removed_cb), self);
  rebuild (self);
  dc_alarm_clear_gone_devices (self);
}

void
dc_alarm_flush (DcAlarm *self)
{
  g_return_if_fail (DC_IS_ALARM (self));

  dc_deferred_flush (&self->rebuild);
}

void
dc_alarm_process (DcAlarm        *self,
                  const DcSample *samples,
                  guint           n_samples)
{
  g_return_if_fail (DC_IS_ALARM (self));

  self->batching++;
  for (guint i = 0; i < n_samples; i++)
    {
      DcAlarmRule *rule = g_hash_table_lookup (self->rules, &samples[i].key);

      if (rule != NULL)
        dc_alarm_process_sample (self, rule, &samples[i]);
    }
  self->batching--;
  dc_alarm_journal_end (self);
}

void
dc_alarm_set_link (DcAlarm    *self,
                   const char *device_id,
                   gboolean    up,
                   gint64      time_us)
{
  g_return_if_fail (DC_IS_ALARM (self));
  g_return_if_fail (device_id != NULL);

  dc_alarm_comm_set_link (self, device_id, up, time_us);
}

static int
compare_alarms (gconstpointer pa,
                gconstpointer pb)
{
  const DcAlarmItem *a = *(const DcAlarmItem * const *) pa;
  const DcAlarmItem *b = *(const DcAlarmItem * const *) pb;

  if (a->priority != b->priority)
    return b->priority - a->priority;
  if (a->since != b->since)
    return a->since > b->since ? -1 : 1;
  return a->id > b->id ? -1 : a->id < b->id;
}

JsonArray *
dc_alarm_list (DcAlarm  *self,
               gboolean  all)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new ();
  JsonArray *array = json_array_new ();
  GHashTableIter iter;
  DcAlarmItem *a;

  g_return_val_if_fail (DC_IS_ALARM (self), array);

  g_hash_table_iter_init (&iter, self->alarms);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &a))
    if (all || (a->state != DC_ALARM_NORMAL && a->state != DC_ALARM_SHELVED))
      g_ptr_array_add (list, a);
  g_ptr_array_sort (list, compare_alarms);
  for (guint i = 0; i < list->len; i++)
    json_array_add_object_element (array, dc_alarm_item_to_json (g_ptr_array_index (list, i)));
  return array;
}

static DcAlarmItem *
get_alarm (DcAlarm  *self,
           gint64    id,
           GError  **error)
{
  DcAlarmItem *a = g_hash_table_lookup (self->alarms, &id);

  if (a == NULL)
    g_set_error_literal (error, DC_ERROR, DC_ERROR_NOT_FOUND, "alarm_id not found!");
  return a;
}

JsonObject *
dc_alarm_get (DcAlarm  *self,
              gint64    id,
              GError  **error)
{
  DcAlarmItem *a;

  g_return_val_if_fail (DC_IS_ALARM (self), NULL);

  a = get_alarm (self, id, error);
  return a != NULL ? dc_alarm_item_to_json (a) : NULL;
}

DcAlarmState
dc_alarm_get_state (DcAlarm *self,
                    gint64   id)
{
  DcAlarmItem *a;

  g_return_val_if_fail (DC_IS_ALARM (self), DC_ALARM_NORMAL);

  a = g_hash_table_lookup (self->alarms, &id);
  return a != NULL ? a->state : DC_ALARM_NORMAL;
}

gint64
dc_alarm_find (DcAlarm    *self,
               gint64      key,
               const char *condition)
{
  g_return_val_if_fail (DC_IS_ALARM (self), 0);
  g_return_val_if_fail (condition != NULL, 0);

  for (guint c = 0; c < DC_ALARM_COND_COMM; c++)
    if (g_str_equal (condition, dc_alarm_cond_to_string (c)))
      {
        DcAlarmItem *a = dc_alarm_item_lookup (self, c, key, NULL);

        return a != NULL ? a->id : 0;
      }
  return 0;
}

gint64
dc_alarm_find_comm (DcAlarm    *self,
                    const char *device_id)
{
  DcAlarmItem *a;

  g_return_val_if_fail (DC_IS_ALARM (self), 0);
  g_return_val_if_fail (device_id != NULL, 0);

  a = dc_alarm_item_lookup (self, DC_ALARM_COND_COMM, 0, device_id);
  return a != NULL ? a->id : 0;
}

gboolean
dc_alarm_ack (DcAlarm     *self,
              gint64       id,
              const char  *user,
              const char  *comment,
              GError     **error)
{
  DcAlarmItem *a;
  gint64 now = g_get_real_time ();
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (DC_IS_ALARM (self), FALSE);

  a = get_alarm (self, id, &local_error);
  if (a != NULL && a->state != DC_ALARM_ACTIVE_UNACKED && a->state != DC_ALARM_CLEARED_UNACKED)
    g_set_error (&local_error, DC_ERROR, DC_ERROR_INVALID,
                 "alarm %" G_GINT64_FORMAT " has nothing to acknowledge", id);
  audit (self, NULL, "alarm.ack", id, a, comment, 0, local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_free (a->ack_user);
  a->ack_user = g_strdup (user);
  g_free (a->ack_comment);
  a->ack_comment = g_strdup (comment);
  a->ack_time = now;
  dc_alarm_set_state (self, a, a->state == DC_ALARM_ACTIVE_UNACKED ? DC_ALARM_ACTIVE_ACKED :
                                                            DC_ALARM_NORMAL,
             now, user, comment);
  return TRUE;
}

gboolean
dc_alarm_shelve (DcAlarm     *self,
                 gint64       id,
                 gint64       until_us,
                 const char  *user,
                 const char  *comment,
                 GError     **error)
{
  DcAlarmItem *a;
  gint64 now = g_get_real_time ();
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (DC_IS_ALARM (self), FALSE);

  a = get_alarm (self, id, &local_error);
  if (a != NULL && until_us <= now)
    g_set_error_literal (&local_error, DC_ERROR, DC_ERROR_INVALID,
                         "field until must be a time in the future");
  audit (self, NULL, "alarm.shelve", id, a, comment, until_us, local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  a->shelved_until = until_us;
  g_free (a->shelve_user);
  a->shelve_user = g_strdup (user);
  g_free (a->shelve_comment);
  a->shelve_comment = g_strdup (comment);
  arm_shelve (a);
  dc_alarm_set_state (self, a, DC_ALARM_SHELVED, now, user, comment);
  return TRUE;
}

JsonArray *
dc_alarm_journal (DcAlarm  *self,
                  gint64    from,
                  gint64    to,
                  guint     limit,
                  GError  **error)
{
  g_return_val_if_fail (DC_IS_ALARM (self), json_array_new ());

  return dc_alarm_journal_read (self->db, from, to, limit);
}

char *
dc_alarm_journal_csv (DcAlarm  *self,
                      gint64    from,
                      gint64    to,
                      guint     limit,
                      GError  **error)
{
  g_return_val_if_fail (DC_IS_ALARM (self), NULL);

  return dc_alarm_journal_read_csv (self->db, from, to, limit);
}
