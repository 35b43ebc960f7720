/* dc-plant-source.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-plant-source"

#include "config.h"

#include "dc-plant-source.h"

#include "dc-task-util.h"

/* The interface's dispatchers and the state every source shares (kept as qdata, so that the
 * implementations need no common parent class). */

typedef struct
{
  DcSourceState state;
  char         *location;
  char         *user;
  char         *role;
} SourceInfo;

enum {
  CHANGED,
  ALARM_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_INTERFACE (DcPlantSource, dc_plant_source, G_TYPE_OBJECT)

/* The usual ends of the asynchronous calls: a GTask of the implementation returning a pointer
 * (a double for a control). An implementation sets its own only to do more. */
static GArray *
task_buckets_finish (DcPlantSource  *self,
                     GAsyncResult   *result,
                     GError        **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
task_control_finish (DcPlantSource  *self,
                     GAsyncResult   *result,
                     double         *confirmed,
                     GError        **error)
{
  return dc_task_propagate_double (G_TASK (result), confirmed, error);
}

static JsonNode *
task_status_finish (DcPlantSource  *self,
                    GAsyncResult   *result,
                    GError        **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static JsonArray *
task_journal_finish (DcPlantSource  *self,
                     GAsyncResult   *result,
                     GError        **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
dc_plant_source_default_init (DcPlantSourceInterface *iface)
{
  iface->buckets_finish = task_buckets_finish;
  iface->control_finish = task_control_finish;
  iface->status_finish = task_status_finish;
  iface->journal_finish = task_journal_finish;
  /* The state, the location, the user or the role changed. */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
  /* An alarm changed state, or was acknowledged or shelved: the alarm's JSON object. */
  signals[ALARM_CHANGED] =
    g_signal_new ("alarm-changed", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, JSON_TYPE_OBJECT);
}

static void
source_info_free (gpointer data)
{
  SourceInfo *info = data;

  g_free (info->location);
  g_free (info->user);
  g_free (info->role);
  g_free (info);
}

static SourceInfo *
get_info (DcPlantSource *self)
{
  static GQuark quark;
  SourceInfo *info;

  if (quark == 0)
    quark = g_quark_from_static_string ("dc-plant-source-info");
  info = g_object_get_qdata (G_OBJECT (self), quark);
  if (info == NULL)
    {
      info = g_new0 (SourceInfo, 1);
      info->state = DC_SOURCE_CONNECTING;
      g_object_set_qdata_full (G_OBJECT (self), quark, info, source_info_free);
    }
  return info;
}

void
dc_plant_source_attach (DcPlantSource *self,
                        DcPlantModel  *plant)
{
  g_return_if_fail (DC_IS_PLANT_SOURCE (self));
  g_return_if_fail (DC_IS_PLANT_MODEL (plant));

  DC_PLANT_SOURCE_GET_IFACE (self)->attach (self, plant);
}

void
dc_plant_source_detach (DcPlantSource *self)
{
  g_return_if_fail (DC_IS_PLANT_SOURCE (self));

  DC_PLANT_SOURCE_GET_IFACE (self)->detach (self);
}

JsonObject *
dc_plant_source_get (DcPlantSource *self,
                     DcKind         kind,
                     const char    *id)
{
  g_return_val_if_fail (DC_IS_PLANT_SOURCE (self), NULL);

  if (id == NULL)
    return NULL;
  return DC_PLANT_SOURCE_GET_IFACE (self)->get (self, kind, id);
}

void
dc_plant_source_save (DcPlantSource    *self,
                      DcKind            kind,
                      const char       *id,
                      JsonObject       *object,
                      DcSourceDoneFunc  done,
                      gpointer          user_data)
{
  g_return_if_fail (DC_IS_PLANT_SOURCE (self));
  g_return_if_fail (object != NULL);
  g_return_if_fail (done != NULL);

  DC_PLANT_SOURCE_GET_IFACE (self)->save (self, kind, id, object, done, user_data);
}

void
dc_plant_source_remove (DcPlantSource    *self,
                        DcKind            kind,
                        const char       *id,
                        DcSourceDoneFunc  done,
                        gpointer          user_data)
{
  g_return_if_fail (DC_IS_PLANT_SOURCE (self));
  g_return_if_fail (id != NULL);
  g_return_if_fail (done != NULL);

  DC_PLANT_SOURCE_GET_IFACE (self)->remove (self, kind, id, done, user_data);
}

void
dc_plant_source_buckets_async (DcPlantSource       *self,
                               gint64               key,
                               gint64               from,
                               gint64               to,
                               guint                n_buckets,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (DC_IS_PLANT_SOURCE (self));

  DC_PLANT_SOURCE_GET_IFACE (self)->buckets_async (self, key, from, to, n_buckets, cancellable,
                                                   callback, user_data);
}

GArray *
dc_plant_source_buckets_finish (DcPlantSource  *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (DC_IS_PLANT_SOURCE (self), NULL);

  return DC_PLANT_SOURCE_GET_IFACE (self)->buckets_finish (self, result, error);
}

void
dc_plant_source_control_async (DcPlantSource       *self,
                               const char          *device_id,
                               const char          *term_id,
                               const char          *item_id,
                               double               value,
                               DcCtrlProgressFunc   progress,
                               gpointer             progress_data,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (DC_IS_PLANT_SOURCE (self));

  DC_PLANT_SOURCE_GET_IFACE (self)->control_async (self, device_id, term_id, item_id, value,
                                                   progress, progress_data, cancellable,
                                                   callback, user_data);
}

gboolean
dc_plant_source_control_finish (DcPlantSource  *self,
                                GAsyncResult   *result,
                                double         *confirmed,
                                GError        **error)
{
  g_return_val_if_fail (DC_IS_PLANT_SOURCE (self), FALSE);

  return DC_PLANT_SOURCE_GET_IFACE (self)->control_finish (self, result, confirmed, error);
}

void
dc_plant_source_status_async (DcPlantSource       *self,
                              const char          *device_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (DC_IS_PLANT_SOURCE (self));
  g_return_if_fail (device_id != NULL);

  DC_PLANT_SOURCE_GET_IFACE (self)->status_async (self, device_id, cancellable, callback,
                                                  user_data);
}

JsonNode *
dc_plant_source_status_finish (DcPlantSource  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (DC_IS_PLANT_SOURCE (self), NULL);
  return DC_PLANT_SOURCE_GET_IFACE (self)->status_finish (self, result, error);
}

void
dc_plant_source_export_async (DcPlantSource       *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (DC_IS_PLANT_SOURCE (self));

  DC_PLANT_SOURCE_GET_IFACE (self)->export_async (self, cancellable, callback, user_data);
}

JsonObject *
dc_plant_source_export_finish (DcPlantSource  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (DC_IS_PLANT_SOURCE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  GPtrArray *rows;
  gboolean   applied;
} ImportAnswer;

static void
import_answer_free (gpointer data)
{
  ImportAnswer *answer = data;

  g_clear_pointer (&answer->rows, g_ptr_array_unref);
  g_free (answer);
}

void
dc_plant_source_import_async (DcPlantSource       *self,
                              JsonObject          *project,
                              gboolean             apply,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (DC_IS_PLANT_SOURCE (self));
  g_return_if_fail (project != NULL);

  DC_PLANT_SOURCE_GET_IFACE (self)->import_async (self, project, apply, cancellable, callback,
                                                  user_data);
}

void
dc_plant_source_return_import (GTask     *task,
                               GPtrArray *rows,
                               gboolean   applied)
{
  ImportAnswer *answer = g_new0 (ImportAnswer, 1);

  answer->rows = g_ptr_array_ref (rows);
  answer->applied = applied;
  g_task_return_pointer (task, answer, import_answer_free);
}

GPtrArray *
dc_plant_source_import_finish (DcPlantSource  *self,
                               GAsyncResult   *result,
                               gboolean       *applied,
                               GError        **error)
{
  ImportAnswer *answer;
  GPtrArray *rows;

  g_return_val_if_fail (DC_IS_PLANT_SOURCE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  answer = g_task_propagate_pointer (G_TASK (result), error);
  if (answer == NULL)
    return NULL;
  rows = g_steal_pointer (&answer->rows);
  if (applied != NULL)
    *applied = answer->applied;
  import_answer_free (answer);
  return rows;
}

gboolean
dc_plant_source_has_alarms (DcPlantSource *self)
{
  g_return_val_if_fail (DC_IS_PLANT_SOURCE (self), FALSE);
  return DC_PLANT_SOURCE_GET_IFACE (self)->has_alarms (self);
}

JsonArray *
dc_plant_source_list_alarms (DcPlantSource *self,
                             gboolean       all)
{
  g_return_val_if_fail (DC_IS_PLANT_SOURCE (self), NULL);
  return DC_PLANT_SOURCE_GET_IFACE (self)->list_alarms (self, all);
}

JsonObject *
dc_plant_source_get_alarm (DcPlantSource *self,
                           gint64         id)
{
  g_autoptr(JsonArray) all = NULL;

  g_return_val_if_fail (DC_IS_PLANT_SOURCE (self), NULL);

  all = dc_plant_source_list_alarms (self, TRUE);
  for (guint i = 0; all != NULL && i < json_array_get_length (all); i++)
    {
      JsonObject *o = json_array_get_object_element (all, i);

      if (o != NULL && json_object_get_int_member_with_default (o, "id", 0) == id)
        return json_object_ref (o);
    }
  return NULL;
}

void
dc_plant_source_alarm_action (DcPlantSource    *self,
                              gint64            id,
                              gboolean          shelve,
                              gint64            until_us,
                              const char       *comment,
                              DcSourceDoneFunc  done,
                              gpointer          user_data)
{
  g_return_if_fail (DC_IS_PLANT_SOURCE (self));
  g_return_if_fail (done != NULL);

  DC_PLANT_SOURCE_GET_IFACE (self)->alarm_action (self, id, shelve, until_us, comment, done,
                                                  user_data);
}

void
dc_plant_source_ack_all (DcPlantSource    *self,
                         const gint64     *ids,
                         guint             n_ids,
                         const char       *comment,
                         DcSourceDoneFunc  done,
                         gpointer          user_data)
{
  g_return_if_fail (DC_IS_PLANT_SOURCE (self));
  g_return_if_fail (done != NULL);

  DC_PLANT_SOURCE_GET_IFACE (self)->ack_all (self, ids, n_ids, comment, done, user_data);
}

void
dc_plant_source_journal_async (DcPlantSource       *self,
                               gint64               from,
                               gint64               to,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (DC_IS_PLANT_SOURCE (self));

  DC_PLANT_SOURCE_GET_IFACE (self)->journal_async (self, from, to, cancellable, callback,
                                                   user_data);
}

JsonArray *
dc_plant_source_journal_finish (DcPlantSource  *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (DC_IS_PLANT_SOURCE (self), NULL);
  return DC_PLANT_SOURCE_GET_IFACE (self)->journal_finish (self, result, error);
}

GPtrArray *
dc_plant_source_list_ids (DcPlantSource *self,
                          DcKind         kind)
{
  DcPlantSourceInterface *iface;

  g_return_val_if_fail (DC_IS_PLANT_SOURCE (self), NULL);
  g_return_val_if_fail (kind != DC_KIND_POINT, NULL);

  iface = DC_PLANT_SOURCE_GET_IFACE (self);
  if (iface->list_ids == NULL)
    return g_ptr_array_new_with_free_func (g_free);
  return iface->list_ids (self, kind);
}

void
dc_plant_source_formula_check_async (DcPlantSource       *self,
                                     JsonObject          *formula,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  DcPlantSourceInterface *iface;

  g_return_if_fail (DC_IS_PLANT_SOURCE (self));
  g_return_if_fail (formula != NULL);

  iface = DC_PLANT_SOURCE_GET_IFACE (self);
  if (iface->formula_check_async == NULL)
    {
      g_task_report_new_error (self, callback, user_data, dc_plant_source_formula_check_async,
                               G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               "this plant connection cannot check formulas");
      return;
    }
  iface->formula_check_async (self, formula, cancellable, callback, user_data);
}

char *
dc_plant_source_formula_check_finish (DcPlantSource  *self,
                                      GAsyncResult   *result,
                                      GError        **error)
{
  g_return_val_if_fail (DC_IS_PLANT_SOURCE (self), NULL);

  if (g_async_result_is_tagged (result, dc_plant_source_formula_check_async))
    return g_task_propagate_pointer (G_TASK (result), error);
  return DC_PLANT_SOURCE_GET_IFACE (self)->formula_check_finish (self, result, error);
}

DcTrafficFeed *
dc_plant_source_open_traffic (DcPlantSource *self,
                              const char    *device_id)
{
  g_return_val_if_fail (DC_IS_PLANT_SOURCE (self), NULL);
  g_return_val_if_fail (device_id != NULL, NULL);

  return DC_PLANT_SOURCE_GET_IFACE (self)->open_traffic (self, device_id);
}

void
dc_plant_source_emit_alarm (DcPlantSource *self,
                            JsonObject    *alarm)
{
  g_return_if_fail (DC_IS_PLANT_SOURCE (self));
  g_signal_emit (self, signals[ALARM_CHANGED], 0, alarm);
}

DcSourceState
dc_plant_source_get_state (DcPlantSource *self)
{
  g_return_val_if_fail (DC_IS_PLANT_SOURCE (self), DC_SOURCE_LOST);
  return get_info (self)->state;
}

const char *
dc_plant_source_get_location (DcPlantSource *self)
{
  g_return_val_if_fail (DC_IS_PLANT_SOURCE (self), NULL);
  return get_info (self)->location;
}

const char *
dc_plant_source_get_user (DcPlantSource *self)
{
  g_return_val_if_fail (DC_IS_PLANT_SOURCE (self), NULL);
  return get_info (self)->user;
}

const char *
dc_plant_source_get_role (DcPlantSource *self)
{
  g_return_val_if_fail (DC_IS_PLANT_SOURCE (self), NULL);
  return get_info (self)->role;
}

gboolean
dc_plant_source_is_local (DcPlantSource *self)
{
  g_return_val_if_fail (DC_IS_PLANT_SOURCE (self), FALSE);
  return g_strcmp0 (get_info (self)->location, "local") == 0;
}

void
dc_plant_source_set_state (DcPlantSource *self,
                           DcSourceState  state)
{
  SourceInfo *info;

  g_return_if_fail (DC_IS_PLANT_SOURCE (self));

  info = get_info (self);
  if (info->state == state)
    return;
  info->state = state;
  g_signal_emit (self, signals[CHANGED], 0);
}

static gboolean
replace (char       **field,
         const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

void
dc_plant_source_set_identity (DcPlantSource *self,
                              const char    *location,
                              const char    *user,
                              const char    *role)
{
  SourceInfo *info;
  gboolean changed;

  g_return_if_fail (DC_IS_PLANT_SOURCE (self));

  info = get_info (self);
  changed = replace (&info->location, location);
  changed |= replace (&info->user, user);
  changed |= replace (&info->role, role);
  if (changed)
    g_signal_emit (self, signals[CHANGED], 0);
}
