/* dc-local-source.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-local-source"

#include "config.h"

#include "dc-error.h"
#include "dc-formula.h"
#include "dc-local-source.h"
#include "dc-point-id.h"
#include "dc-traffic-feed-private.h"

struct _DcLocalSource
{
  GObject       parent_instance;

  DcStore      *store;
  DcEngine     *engine;
  DcAlarm      *alarm;
  DcPlantModel *plant;
};

static void dc_local_source_iface_init (DcPlantSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DcLocalSource, dc_local_source, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (DC_TYPE_PLANT_SOURCE,
                                                      dc_local_source_iface_init))

static void
local_attach (DcPlantSource *source,
              DcPlantModel  *plant)
{
  DcLocalSource *self = DC_LOCAL_SOURCE (source);

  dc_plant_source_detach (source);
  self->plant = g_object_ref (plant);
  dc_plant_model_follow_store (plant, self->store);
  if (self->engine != NULL)
    dc_plant_model_follow_engine (plant, self->engine);
}

static void
local_detach (DcPlantSource *source)
{
  DcLocalSource *self = DC_LOCAL_SOURCE (source);

  if (self->plant == NULL)
    return;
  dc_plant_model_follow_engine (self->plant, NULL);
  dc_plant_model_follow_store (self->plant, NULL);
  g_clear_object (&self->plant);
}

static JsonObject *
local_get (DcPlantSource *source,
           DcKind         kind,
           const char    *id)
{
  DcLocalSource *self = DC_LOCAL_SOURCE (source);

  if (kind == DC_KIND_POINT)
    {
      g_autofree char *term_id = NULL;
      const char *item_id;

      if (!dc_point_id_split (id, &term_id, &item_id))
        return NULL;
      return dc_store_get_point (self->store, term_id, item_id, NULL);
    }
  return dc_store_get (self->store, kind, id, NULL);
}

static void
local_save (DcPlantSource    *source,
            DcKind            kind,
            const char       *id,
            JsonObject       *object,
            DcSourceDoneFunc  done,
            gpointer          user_data)
{
  DcLocalSource *self = DC_LOCAL_SOURCE (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *term_id = NULL;
  const char *item_id;

  /* A short configuration transaction on the main thread, as the REST routes do. */
  if (id == NULL)
    dc_store_create (self->store, kind, object, &error);
  else if (kind == DC_KIND_POINT)
    {
      if (dc_point_id_split (id, &term_id, &item_id))
        dc_store_update_point (self->store, term_id, item_id, object, &error);
      else
        g_set_error (&error, DC_ERROR, DC_ERROR_NOT_FOUND, "term_item not found!");
    }
  else
    dc_store_update (self->store, kind, id, object, &error);
  done (error, user_data);
}

static void
local_remove (DcPlantSource    *source,
              DcKind            kind,
              const char       *id,
              DcSourceDoneFunc  done,
              gpointer          user_data)
{
  DcLocalSource *self = DC_LOCAL_SOURCE (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *term_id = NULL;
  const char *item_id;

  if (kind != DC_KIND_POINT)
    dc_store_delete (self->store, kind, id, &error);
  else if (dc_point_id_split (id, &term_id, &item_id))
    dc_store_delete_point (self->store, term_id, item_id, &error);
  else
    g_set_error (&error, DC_ERROR, DC_ERROR_NOT_FOUND, "term_item not found!");
  done (error, user_data);
}

static void
buckets_ready_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GArray *buckets = dc_history_query_buckets_finish (DC_HISTORY (object), result, &error);

  if (buckets == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, buckets, (GDestroyNotify) g_array_unref);
}

static void
local_buckets_async (DcPlantSource       *source,
                     gint64               key,
                     gint64               from,
                     gint64               to,
                     guint                n_buckets,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  DcLocalSource *self = DC_LOCAL_SOURCE (source);
  DcHistory *history = self->engine ? dc_engine_get_history (self->engine) : NULL;
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, local_buckets_async);
  if (history == NULL)
    {
      g_task_return_new_error (task, DC_ERROR, DC_ERROR_NOT_FOUND, "no history");
      return;
    }
  dc_history_query_buckets_async (history, key, from, to, n_buckets, cancellable,
                                  buckets_ready_cb, g_steal_pointer (&task));
}


static void
ctrl_ready_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  DcSample sample = { 0 };

  if (!dc_engine_drivers_ctrl_finish (DC_ENGINE_DRIVERS (object), result, &sample, &error))
    g_task_return_error (task, error);
  else
    {
      double *confirmed = g_new (double, 1);

      *confirmed = sample.value;
      g_task_return_pointer (task, confirmed, g_free);
    }
}

static void
local_control_async (DcPlantSource       *source,
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
  DcLocalSource *self = DC_LOCAL_SOURCE (source);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, local_control_async);
  if (self->engine == NULL)
    {
      g_task_return_new_error (task, DC_ERROR, DC_ERROR_OFFLINE, "no engine");
      return;
    }
  /* The control record names the desktop user (docs/ui-editing.md). */
  dc_engine_drivers_ctrl_async (dc_engine_get_drivers (self->engine), device_id, term_id,
                                item_id, value, g_get_user_name (), progress, progress_data,
                                cancellable, ctrl_ready_cb, g_steal_pointer (&task));
}


static void
local_status_async (DcPlantSource       *source,
                    const char          *device_id,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  DcLocalSource *self = DC_LOCAL_SOURCE (source);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  DcEngineDrivers *drivers = self->engine ? dc_engine_get_drivers (self->engine) : NULL;
  GError *error = NULL;
  JsonNode *status;

  g_task_set_source_tag (task, local_status_async);
  /* A device without a driver (disabled, virtual) has no link to count. */
  if (drivers == NULL || dc_engine_drivers_get_driver (drivers, device_id) == NULL)
    {
      g_task_return_new_error (task, DC_ERROR, DC_ERROR_NOT_FOUND, "no link");
      return;
    }
  status = dc_engine_drivers_build_status (drivers, device_id, &error);
  if (status == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, status, (GDestroyNotify) json_node_unref);
}


static gboolean
local_has_alarms (DcPlantSource *source)
{
  return DC_LOCAL_SOURCE (source)->alarm != NULL;
}

static JsonArray *
local_list_alarms (DcPlantSource *source,
                   gboolean       all)
{
  DcLocalSource *self = DC_LOCAL_SOURCE (source);

  return self->alarm ? dc_alarm_list (self->alarm, all) : json_array_new ();
}

static void
local_alarm_action (DcPlantSource    *source,
                    gint64            id,
                    gboolean          shelve,
                    gint64            until_us,
                    const char       *comment,
                    DcSourceDoneFunc  done,
                    gpointer          user_data)
{
  DcLocalSource *self = DC_LOCAL_SOURCE (source);
  g_autoptr(GError) error = NULL;

  /* The journal names the desktop user. */
  if (self->alarm == NULL)
    g_set_error (&error, DC_ERROR, DC_ERROR_NOT_FOUND, "alarm_id not found!");
  else if (shelve)
    dc_alarm_shelve (self->alarm, id, until_us, g_get_user_name (), comment, &error);
  else
    dc_alarm_ack (self->alarm, id, g_get_user_name (), comment, &error);
  done (error, user_data);
}

static void
local_ack_all (DcPlantSource    *source,
               const gint64     *ids,
               guint             n_ids,
               const char       *comment,
               DcSourceDoneFunc  done,
               gpointer          user_data)
{
  DcLocalSource *self = DC_LOCAL_SOURCE (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) acked = NULL;

  /* The journal names the desktop user. */
  if (self->alarm == NULL)
    g_set_error (&error, DC_ERROR, DC_ERROR_NOT_FOUND, "alarm_id not found!");
  else
    acked = dc_alarm_ack_many (self->alarm, ids, n_ids, g_get_user_name (), comment, &error);
  done (error, user_data);
}

static void
local_journal_async (DcPlantSource       *source,
                     gint64               from,
                     gint64               to,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  DcLocalSource *self = DC_LOCAL_SOURCE (source);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;
  JsonArray *array;

  g_task_set_source_tag (task, local_journal_async);
  if (self->alarm == NULL)
    {
      g_task_return_pointer (task, json_array_new (), (GDestroyNotify) json_array_unref);
      return;
    }
  /* The journal file's read, as the page did before (a short query on the main thread). */
  array = dc_alarm_journal (self->alarm, from, to, 0, &error);
  if (array == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, array, (GDestroyNotify) json_array_unref);
}


/* Import and export: the store's, at once (a preview and an apply take one transaction). */
static void
local_export_async (DcPlantSource       *source,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  DcLocalSource *self = DC_LOCAL_SOURCE (source);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, local_export_async);
  g_task_return_pointer (task, dc_store_export (self->store), (GDestroyNotify) json_object_unref);
}

static void
local_import_async (DcPlantSource       *source,
                    JsonObject          *project,
                    gboolean             apply,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  DcLocalSource *self = DC_LOCAL_SOURCE (source);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GPtrArray) rows = NULL;
  GError *error = NULL;
  gboolean applied = FALSE;

  g_task_set_source_tag (task, local_import_async);
  rows = dc_store_import (self->store, project, apply, &applied, &error);
  if (rows == NULL)
    g_task_return_error (task, error);
  else
    dc_plant_source_return_import (task, rows, applied);
}

static void
local_formula_check_async (DcPlantSource       *source,
                           JsonObject          *formula,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  DcLocalSource *self = DC_LOCAL_SOURCE (source);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, local_formula_check_async);
  /* The route's own check (a parse and a lookup per parameter, short, main thread). */
  g_task_return_pointer (task, dc_formula_check_text (self->store, formula), g_free);
}

static char *
local_formula_check_finish (DcPlantSource  *source,
                            GAsyncResult   *result,
                            GError        **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static GPtrArray *
local_list_ids (DcPlantSource *source,
                DcKind         kind)
{
  return dc_store_list_ids (DC_LOCAL_SOURCE (source)->store, kind);
}

static DcTrafficFeed *
local_open_traffic (DcPlantSource *source,
                    const char    *device_id)
{
  g_autoptr(JsonObject) device = local_get (source, DC_KIND_DEVICE, device_id);

  return _dc_local_traffic_feed_new (DC_LOCAL_SOURCE (source)->engine, device_id, device);
}

static void
dc_local_source_iface_init (DcPlantSourceInterface *iface)
{
  iface->list_ids = local_list_ids;
  iface->formula_check_async = local_formula_check_async;
  iface->formula_check_finish = local_formula_check_finish;
  iface->status_async = local_status_async;
  iface->has_alarms = local_has_alarms;
  iface->list_alarms = local_list_alarms;
  iface->alarm_action = local_alarm_action;
  iface->ack_all = local_ack_all;
  iface->journal_async = local_journal_async;
  iface->attach = local_attach;
  iface->detach = local_detach;
  iface->get = local_get;
  iface->save = local_save;
  iface->remove = local_remove;
  iface->buckets_async = local_buckets_async;
  iface->control_async = local_control_async;
  iface->export_async = local_export_async;
  iface->import_async = local_import_async;
  iface->open_traffic = local_open_traffic;
}

static void
dc_local_source_dispose (GObject *object)
{
  DcLocalSource *self = DC_LOCAL_SOURCE (object);

  local_detach (DC_PLANT_SOURCE (self));
  dc_local_source_set_alarm (self, NULL);
  g_clear_object (&self->engine);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (dc_local_source_parent_class)->dispose (object);
}

static void
dc_local_source_class_init (DcLocalSourceClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = dc_local_source_dispose;
}

static void
dc_local_source_init (DcLocalSource *self)
{
}

DcLocalSource *
dc_local_source_new (DcStore  *store,
                     DcEngine *engine)
{
  DcLocalSource *self;

  g_return_val_if_fail (DC_IS_STORE (store), NULL);
  g_return_val_if_fail (engine == NULL || DC_IS_ENGINE (engine), NULL);

  self = g_object_new (DC_TYPE_LOCAL_SOURCE, NULL);
  self->store = g_object_ref (store);
  self->engine = engine ? g_object_ref (engine) : NULL;
  dc_plant_source_set_identity (DC_PLANT_SOURCE (self), "local", g_get_user_name (), NULL);
  dc_plant_source_set_state (DC_PLANT_SOURCE (self), DC_SOURCE_CONNECTED);
  return self;
}

DcStore *
dc_local_source_get_store (DcLocalSource *self)
{
  g_return_val_if_fail (DC_IS_LOCAL_SOURCE (self), NULL);
  return self->store;
}

static void
alarm_changed_cb (DcLocalSource *self,
                  JsonObject    *alarm)
{
  dc_plant_source_emit_alarm (DC_PLANT_SOURCE (self), alarm);
}

void
dc_local_source_set_alarm (DcLocalSource *self,
                           DcAlarm       *alarm)
{
  g_return_if_fail (DC_IS_LOCAL_SOURCE (self));
  g_return_if_fail (alarm == NULL || DC_IS_ALARM (alarm));

  if (self->alarm == alarm)
    return;
  if (self->alarm != NULL)
    g_signal_handlers_disconnect_by_data (self->alarm, self);
  g_set_object (&self->alarm, alarm);
  if (alarm != NULL)
    g_signal_connect_object (alarm, "changed", G_CALLBACK (alarm_changed_cb), self,
                             G_CONNECT_SWAPPED);
  /* Everything may have changed: the pages read the alarms again. */
  dc_plant_source_emit_alarm (DC_PLANT_SOURCE (self), NULL);
}

DcAlarm *
dc_local_source_get_alarm (DcLocalSource *self)
{
  g_return_val_if_fail (DC_IS_LOCAL_SOURCE (self), NULL);
  return self->alarm;
}

DcEngine *
dc_local_source_get_engine (DcLocalSource *self)
{
  g_return_val_if_fail (DC_IS_LOCAL_SOURCE (self), NULL);
  return self->engine;
}

DcEngine *
dc_plant_source_get_local_engine (DcPlantSource *source)
{
  return DC_IS_LOCAL_SOURCE (source) ? DC_LOCAL_SOURCE (source)->engine : NULL;
}

DcStore *
dc_plant_source_get_local_store (DcPlantSource *source)
{
  return DC_IS_LOCAL_SOURCE (source) ? DC_LOCAL_SOURCE (source)->store : NULL;
}
