/* dc-templates.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-templates"

#include "config.h"

#include <math.h>

#include "dc-templates-private.h"

#include "dc-companion.h"
#include "dc-error.h"
#include "dc-json-util.h"
#include "dc-time.h"

/* The templates object: the rules of the points, kept by point key and following the store,
 * and what triggers a run (a changed value, a verify alarm). The user database and the
 * worker are dc-templates-worker.c. */

G_DEFINE_FINAL_TYPE (DcTemplates, dc_templates, G_TYPE_OBJECT)

/* Rules */

static void
rule_free (gpointer data)
{
  DcTemplatesRule *rule = data;

  dc_point_info_unref (rule->info);
  g_free (rule);
}

/* The rule of @info (NULL without templates), keeping what @previous saved last when its
 * db_save_sql is the same. */
static DcTemplatesRule *
rule_new (DcPointInfo     *info,
          DcTemplatesRule *previous)
{
  const char *save = dc_templates_text_of (info->json, "db_save_sql");
  const char *warn = dc_templates_text_of (info->json, "db_warn_sql");
  DcTemplatesRule *rule;

  if (save == NULL && warn == NULL)
    return NULL;
  rule = g_new0 (DcTemplatesRule, 1);
  rule->key = info->key;
  rule->info = dc_point_info_ref (info);
  rule->save_sql = save;
  rule->warn_sql = warn;
  rule->warn_msg = dc_json_get_string (info->json, "warn_msg", NULL);
  if (previous != NULL && g_strcmp0 (previous->save_sql, rule->save_sql) == 0)
    {
      rule->has_saved = previous->has_saved;
      rule->saved = previous->saved;
    }
  return rule;
}

static void
rebuild (DcTemplates *self)
{
  g_autoptr(GPtrArray) infos = dc_store_list_point_infos (self->store);
  g_autoptr(GHashTable) old = g_steal_pointer (&self->rules);

  self->reload = FALSE;
  g_clear_pointer (&self->refresh, g_hash_table_unref);
  self->n_points = infos->len;
  self->rules = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, rule_free);
  for (guint i = 0; i < infos->len; i++)
    {
      DcPointInfo *info = g_ptr_array_index (infos, i);
      DcTemplatesRule *rule = rule_new (info, g_hash_table_lookup (old, &info->key));

      if (rule != NULL)
        g_hash_table_insert (self->rules, &rule->key, rule);
    }
}

/* The deferred rebuild: only the rules of the points created or edited since, unless
 * something else changed (docs/performance.md: a change costs its size). Rules are kept by
 * point key, the one name a point keeps through renames: a point renamed and then deleted
 * before this runs leaves nothing behind (::point-removed gives the key). */
static void
apply_changes (DcTemplates *self)
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
      DcTemplatesRule *rule;

      if (info == NULL)
        continue;  /* deleted since: ::point-removed took its rule out */
      rule = rule_new (info, g_hash_table_lookup (self->rules, &info->key));
      if (rule == NULL)
        g_hash_table_remove (self->rules, &info->key);
      else
        g_hash_table_replace (self->rules, &rule->key, rule);
    }
}

static void
store_changed_cb (DcStore     *store,
                  int          kind,
                  int          op,
                  const char  *id,
                  const char  *old_id,
                  DcTemplates *self)
{
  /* Only points have rules, and each is re-read alone (a device, term or item edit announces
   * each of its points; a delete each removed point, by key, with ::point-removed). */
  if (kind != DC_KIND_POINT || op == DC_CHANGE_DELETE)
    return;
  if (self->refresh == NULL)
    self->refresh = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_add (self->refresh, g_strdup (id));
  dc_deferred_schedule (&self->rebuild);
}

static void
store_point_removed_cb (DcStore     *store,
                        gint64       key,
                        DcTemplates *self)
{
  g_hash_table_remove (self->rules, &key);
  if (self->n_points > 0)
    self->n_points--;
}

static void
engine_samples_cb (DcEngine    *engine,
                   GArray      *samples,
                   DcTemplates *self)
{
  dc_templates_process (self, (const DcSample *) samples->data, samples->len);
}

static void
alarm_changed_cb (DcAlarm     *alarm,
                  JsonObject  *object,
                  DcTemplates *self)
{
  g_autofree char *point = NULL;
  g_autoptr(DcPointInfo) info = NULL;
  gint64 time = 0;

  /* A verify alarm that becomes active runs the point's db_warn_sql (rare: the store's point
   * cache gives the key of its "term:item"). */
  if (g_strcmp0 (json_object_get_string_member_with_default (object, "condition", NULL),
                 "verify") != 0 ||
      g_strcmp0 (json_object_get_string_member_with_default (object, "state", NULL),
                 "active_unacknowledged") != 0)
    return;
  point = g_strconcat (json_object_get_string_member_with_default (object, "term_id", ""), ":",
                       json_object_get_string_member_with_default (object, "item_id", ""), NULL);
  info = dc_store_get_point_info_by_id (self->store, point);
  if (info == NULL)
    return;
  if (!dc_time_parse (json_object_get_string_member_with_default (object, "active_since", ""),
                      &time))
    time = g_get_real_time ();
  dc_templates_warn (self, info->key, time,
                     json_object_get_double_member_with_default (object, "value", NAN),
                     json_object_get_string_member_with_default (object, "text", NULL));
}

/* GObject */

static void
dc_templates_dispose (GObject *object)
{
  DcTemplates *self = DC_TEMPLATES (object);

  g_clear_signal_handler (&self->changed_id, self->store);
  g_clear_signal_handler (&self->removed_id, self->store);
  if (self->engine != NULL)
    {
      g_clear_signal_handler (&self->samples_id, self->engine);
      g_object_remove_weak_pointer (G_OBJECT (self->engine), (gpointer *) &self->engine);
      self->engine = NULL;
    }
  if (self->alarm != NULL)
    {
      g_clear_signal_handler (&self->alarm_changed_id, self->alarm);
      g_object_remove_weak_pointer (G_OBJECT (self->alarm), (gpointer *) &self->alarm);
      self->alarm = NULL;
    }
  dc_deferred_cancel (&self->rebuild);
  dc_templates_worker_stop (self);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (dc_templates_parent_class)->dispose (object);
}

static void
dc_templates_finalize (GObject *object)
{
  DcTemplates *self = DC_TEMPLATES (object);

  dc_templates_worker_clear (self);
  g_clear_pointer (&self->rules, g_hash_table_unref);
  g_clear_pointer (&self->refresh, g_hash_table_unref);
  g_free (self->path);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (dc_templates_parent_class)->finalize (object);
}

static void
dc_templates_class_init (DcTemplatesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dc_templates_dispose;
  object_class->finalize = dc_templates_finalize;
}

static void
dc_templates_init (DcTemplates *self)
{
  dc_deferred_init (&self->rebuild, (GFunc) apply_changes, self);
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->jobs = g_array_new (FALSE, FALSE, sizeof (DcTemplatesJob));
  self->rules = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, rule_free);
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) sqlite3_finalize);
  self->failed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* Public API */

static gboolean
same_file (const char *a,
           const char *b)
{
  g_autoptr(GFile) fa = g_file_new_for_path (a);
  g_autoptr(GFile) fb = g_file_new_for_path (b);
  g_autoptr(GFileInfo) ia = g_file_query_info (fa, G_FILE_ATTRIBUTE_ID_FILE,
                                               G_FILE_QUERY_INFO_NONE, NULL, NULL);
  g_autoptr(GFileInfo) ib = g_file_query_info (fb, G_FILE_ATTRIBUTE_ID_FILE,
                                               G_FILE_QUERY_INFO_NONE, NULL, NULL);

  if (ia == NULL || ib == NULL)
    return g_file_equal (fa, fb);
  return g_strcmp0 (g_file_info_get_attribute_string (ia, G_FILE_ATTRIBUTE_ID_FILE),
                    g_file_info_get_attribute_string (ib, G_FILE_ATTRIBUTE_ID_FILE)) == 0;
}

DcTemplates *
dc_templates_new (DcStore     *store,
                  const char  *user_db_path,
                  GError     **error)
{
  g_autoptr(DcTemplates) self = NULL;
  g_autofree char *message = NULL;
  const char *store_path;

  g_return_val_if_fail (DC_IS_STORE (store), NULL);
  g_return_val_if_fail (user_db_path != NULL, NULL);

  store_path = dc_store_get_path (store);
  if (store_path != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (store_path);
      g_autofree char *history = dc_companion_path (store_path, "history");
      g_autofree char *alarms = dc_companion_path (store_path, "alarms");
      /* The files earlier versions shared between the configurations of a folder. */
      g_autofree char *old_history = g_build_filename (dir, "datacoll-history.db", NULL);
      g_autofree char *old_alarms = g_build_filename (dir, "datacoll-alarms.db", NULL);

      if (same_file (user_db_path, store_path) || same_file (user_db_path, history) ||
          same_file (user_db_path, alarms) || same_file (user_db_path, old_history) ||
          same_file (user_db_path, old_alarms))
        {
          g_set_error (error, DC_ERROR, DC_ERROR_FORBIDDEN,
                       "the user database %s must not be one of DataColl's own databases",
                       user_db_path);
          return NULL;
        }
    }

  self = g_object_new (DC_TYPE_TEMPLATES, NULL);
  self->store = g_object_ref (store);
  self->path = g_strdup (user_db_path);
  self->db = dc_templates_open_user_db (user_db_path, &message);
  if (self->db == NULL)
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID, message);
      return NULL;
    }
  dc_templates_worker_start (self);
  return g_steal_pointer (&self);
}

DcTemplates *
dc_templates_new_for_engine (DcEngine    *engine,
                             DcAlarm     *alarm,
                             const char  *user_db_path,
                             GError     **error)
{
  DcTemplates *self;

  g_return_val_if_fail (DC_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (alarm == NULL || DC_IS_ALARM (alarm), NULL);

  self = dc_templates_new (dc_engine_get_store (engine), user_db_path, error);
  if (self == NULL)
    return NULL;
  self->engine = engine;
  g_object_add_weak_pointer (G_OBJECT (engine), (gpointer *) &self->engine);
  self->samples_id = g_signal_connect_after (engine, "samples", G_CALLBACK (engine_samples_cb),
                                             self);
  if (alarm != NULL)
    {
      self->alarm = alarm;
      g_object_add_weak_pointer (G_OBJECT (alarm), (gpointer *) &self->alarm);
      self->alarm_changed_id = g_signal_connect (alarm, "changed", G_CALLBACK (alarm_changed_cb),
                                                 self);
    }
  return self;
}

void
dc_templates_start (DcTemplates *self)
{
  g_return_if_fail (DC_IS_TEMPLATES (self));

  if (self->changed_id == 0)
    self->changed_id = g_signal_connect (self->store, "changed", G_CALLBACK (store_changed_cb),
                                         self);
  if (self->removed_id == 0)
    self->removed_id = g_signal_connect (self->store, "point-removed",
                                         G_CALLBACK (store_point_removed_cb), self);
  rebuild (self);
}

void
dc_templates_flush (DcTemplates *self)
{
  g_return_if_fail (DC_IS_TEMPLATES (self));

  dc_deferred_flush (&self->rebuild);
}

void
dc_templates_process (DcTemplates    *self,
                      const DcSample *samples,
                      guint           n_samples)
{
  g_return_if_fail (DC_IS_TEMPLATES (self));

  for (guint i = 0; i < n_samples; i++)
    {
      const DcSample *s = &samples[i];
      DcTemplatesRule *rule = g_hash_table_lookup (self->rules, &s->key);

      if (rule == NULL || rule->save_sql == NULL)
        continue;
      /* Only changed values are saved (NaN counts as a value of its own). */
      if (rule->has_saved && (rule->saved == s->value || (isnan (rule->saved) && isnan (s->value))))
        continue;
      rule->has_saved = TRUE;
      rule->saved = s->value;
      dc_templates_queue (self, rule, rule->save_sql, s->time, s->value, rule->warn_msg);
    }
}

void
dc_templates_warn (DcTemplates *self,
                   gint64       key,
                   gint64       time_us,
                   double       value,
                   const char  *warn_msg)
{
  DcTemplatesRule *rule;

  g_return_if_fail (DC_IS_TEMPLATES (self));

  rule = g_hash_table_lookup (self->rules, &key);
  if (rule == NULL || rule->warn_sql == NULL)
    return;
  dc_templates_queue (self, rule, rule->warn_sql, time_us, value,
                      warn_msg != NULL ? warn_msg : rule->warn_msg);
}

void
dc_templates_sync (DcTemplates *self)
{
  g_return_if_fail (DC_IS_TEMPLATES (self));

  g_mutex_lock (&self->mutex);
  while (self->jobs->len > 0 || self->busy > 0)
    g_cond_wait (&self->cond, &self->mutex);
  g_mutex_unlock (&self->mutex);
}

guint64
dc_templates_get_dropped (DcTemplates *self)
{
  guint64 n;

  g_return_val_if_fail (DC_IS_TEMPLATES (self), 0);

  g_mutex_lock (&self->mutex);
  n = self->n_dropped;
  g_mutex_unlock (&self->mutex);
  return n;
}

void
dc_templates_get_counts (DcTemplates *self,
                         guint64     *n_run,
                         guint64     *n_failed)
{
  g_return_if_fail (DC_IS_TEMPLATES (self));

  g_mutex_lock (&self->mutex);
  if (n_run != NULL)
    *n_run = self->n_run;
  if (n_failed != NULL)
    *n_failed = self->n_failed;
  g_mutex_unlock (&self->mutex);
}

