/* dc-engine-drivers-call.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * device_call and device_ctrl through the device manager (docs/rest.md): the 404 checks, the
 * driver's async operation under the call timeout and the caller's cancellable, the control's
 * progress and its rows in the audit log (docs/security.md).
 */

#define G_LOG_DOMAIN "dc-engine-drivers"

#include "config.h"

#include <math.h>
#include <string.h>

#include "dc-engine-drivers-private.h"
#include "dc-audit.h"
#include "dc-error.h"
#include "dc-json-util.h"
#include "dc-time.h"

/* Calls and controls */

typedef struct
{
  DcEngineDrivers *self;
  DcDriver        *driver;
  DcPointInfo     *point;
  GCancellable    *driver_cancellable;
  GSource         *timeout;
  gulong           cancelled_id;
  GCancellable    *caller_cancellable;
  gboolean         is_ctrl;
  char            *device_id;
  char            *term_id;
  char            *item_id;
  char            *user;
  DcAuditActor    *actor;
  double           value;
  DcCtrlProgressFunc progress;
  gpointer         progress_data;
  gboolean         done;
} CallData;

static void
call_data_free (gpointer data)
{
  CallData *call = data;

  if (call->timeout != NULL)
    {
      g_source_destroy (call->timeout);
      g_source_unref (call->timeout);
    }
  if (call->caller_cancellable != NULL)
    g_cancellable_disconnect (call->caller_cancellable, call->cancelled_id);
  g_clear_object (&call->caller_cancellable);
  g_clear_object (&call->driver_cancellable);
  g_clear_object (&call->driver);
  g_clear_object (&call->self);
  g_clear_pointer (&call->point, dc_point_info_free);
  g_free (call->device_id);
  g_free (call->term_id);
  g_free (call->item_id);
  g_free (call->user);
  g_clear_pointer (&call->actor, dc_audit_actor_free);
  g_free (call);
}

/* A control in the audit log: "control.request" when it is asked for (its result is the
 * error when it cannot start), "control.result" with its outcome. The target is the point
 * "device:term:item"; the detail has the value, the confirmed value and the name the caller
 * gave ("user" of the REST body) when it is not the actor's. */
static void
record_control (CallData       *call,
                const char     *action,
                const DcSample *sample,
                const GError   *error)
{
  DcAudit *audit = dc_store_get_audit (call->self->store);
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) detail = NULL;
  g_autofree char *target = NULL;

  if (audit == NULL)
    return;
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "value");
  if (isfinite (call->value))
    json_builder_add_double_value (builder, call->value);
  else
    json_builder_add_null_value (builder);
  if (sample != NULL)
    {
      json_builder_set_member_name (builder, "confirmed");
      json_builder_add_double_value (builder, sample->value);
    }
  if (call->user != NULL && call->user[0] != '\0' &&
      g_strcmp0 (call->user, call->actor->user) != 0)
    {
      json_builder_set_member_name (builder, "by");
      json_builder_add_string_value (builder, call->user);
    }
  json_builder_end_object (builder);
  detail = json_builder_get_root (builder);
  target = g_strjoin (":", call->device_id, call->term_id, call->item_id, NULL);
  dc_audit_record (audit, call->actor, action, target, detail,
                   error != NULL ? error->message : "ok");
}

/* Completes @task once: with @sample, or with @error (taken). */
static void
call_complete (GTask          *task,
               const DcSample *sample,
               GError         *error)
{
  CallData *call = g_task_get_task_data (task);

  if (call->done)
    {
      g_clear_error (&error);
      return;
    }
  call->done = TRUE;

  if (call->timeout != NULL)
    {
      g_source_destroy (call->timeout);
      g_clear_pointer (&call->timeout, g_source_unref);
    }

  if (call->is_ctrl)
    record_control (call, "control.result", sample, error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_memdup2 (sample, sizeof *sample), g_free);
}

static gboolean
call_timeout_cb (gpointer data)
{
  GTask *task = data;
  CallData *call = g_task_get_task_data (task);

  g_cancellable_cancel (call->driver_cancellable);
  call_complete (task, NULL, dc_driver_error_timeout (call->device_id, call->self->call_timeout));

  return G_SOURCE_REMOVE;
}

static void
caller_cancelled_cb (GCancellable *cancellable,
                     GCancellable *driver_cancellable)
{
  g_cancellable_cancel (driver_cancellable);
}

static void
driver_call_done_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CallData *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  DcSample sample = { 0, };

  if (!dc_driver_call_finish (DC_DRIVER (object), result, &sample, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
          !g_cancellable_is_cancelled (call->caller_cancellable))
        call_complete (task, NULL, dc_driver_error_timeout (call->device_id, call->self->call_timeout));
      else
        call_complete (task, NULL, g_steal_pointer (&error));
      return;
    }

  sample.key = call->point->key;
  /* The answer is a sample: stored even when it repeats. A driver without a link answered
   * the live sample, which is stored already. */
  if (!call->done && _dc_engine_drivers_driver_has_link (DC_DRIVER (object)))
    _dc_engine_drivers_drivers_sink_push_api (&call->self->drivers_sink.parent, &sample);
  call_complete (task, &sample, NULL);
}

static void
driver_ctrl_progress_cb (DcCtrlStep  step,
                         const char *detail,
                         gpointer    user_data)
{
  CallData *call = user_data;

  /* Steps after the deadline answered have nobody left to tell. */
  if (call->progress != NULL && !call->done)
    call->progress (step, detail, call->progress_data);
}

static void
driver_ctrl_done_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CallData *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  double confirmed = 0;
  DcSample sample;

  if (!dc_driver_ctrl_finish (DC_DRIVER (object), result, &confirmed, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
          !g_cancellable_is_cancelled (call->caller_cancellable))
        call_complete (task, NULL, dc_driver_error_timeout (call->device_id, call->self->call_timeout));
      else
        call_complete (task, NULL, g_steal_pointer (&error));
      return;
    }

  /* A driver without a link pushed the new sample: the answer is that sample. */
  if (_dc_engine_drivers_driver_has_link (DC_DRIVER (object)) ||
                         call->self->hooks.get_live == NULL ||
                         !call->self->hooks.get_live (call->self->hooks_data, call->point->key, &sample) ||
                         sample.value != confirmed)
    {
      sample.time = g_get_real_time ();
      sample.value = confirmed;
      sample.quality = 0;
    }
  sample.key = call->point->key;
  call_complete (task, &sample, NULL);
}

/* The checks common to call and ctrl: 404s in the order device, term, item, point; the term
 * must belong to the device. Returns the point (a new DcPointInfo) or NULL with @error. */
static DcPointInfo *
resolve_point (DcEngineDrivers  *self,
               const char       *device_id,
               const char       *term_id,
               const char       *item_id,
               Device          **out_device,
               GError          **error)
{
  g_autoptr(JsonObject) device_object = NULL;
  g_autoptr(JsonObject) term = NULL;
  g_autoptr(JsonObject) item = NULL;
  g_autoptr(JsonObject) point = NULL;
  DcPointInfo *info;
  Device *device;
  gint64 key;

  device_object = dc_store_get (self->store, DC_KIND_DEVICE, device_id, error);
  if (device_object == NULL)
    return NULL;
  term = dc_store_get (self->store, DC_KIND_TERM, term_id, error);
  if (term == NULL)
    return NULL;
  if (g_strcmp0 (dc_json_get_string (term, "device_id", NULL), device_id) != 0)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID, "term %s does not belong to device %s",
                   term_id, device_id);
      return NULL;
    }
  item = dc_store_get (self->store, DC_KIND_ITEM, item_id, error);
  if (item == NULL)
    return NULL;
  point = dc_store_get_point (self->store, term_id, item_id, error);
  if (point == NULL)
    return NULL;

  device = _dc_engine_drivers_lookup_device (self, device_id);
  key = dc_store_get_point_key (self->store, term_id, item_id);
  info = device != NULL && device->points_by_key != NULL
         ? g_hash_table_lookup (device->points_by_key, &key) : NULL;

  *out_device = device;
  if (info != NULL)
    return dc_point_info_ref (info);

  return dc_point_info_new_from_json (key, point);
}

static GTask *
call_task_new (DcEngineDrivers     *self,
               gpointer             source_tag,
               const char          *device_id,
               const char          *term_id,
               const char          *item_id,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  CallData *call = g_new0 (CallData, 1);

  g_task_set_source_tag (task, source_tag);
  call->self = g_object_ref (self);
  call->device_id = g_strdup (device_id);
  call->term_id = g_strdup (term_id);
  call->item_id = g_strdup (item_id);
  call->driver_cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      call->caller_cancellable = g_object_ref (cancellable);
      call->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (caller_cancelled_cb),
                                                  call->driver_cancellable, NULL);
    }
  g_task_set_task_data (task, call, call_data_free);

  return task;
}

static void
call_arm_timeout (GTask *task)
{
  CallData *call = g_task_get_task_data (task);

  call->timeout = g_timeout_source_new ((guint) MAX (1, call->self->call_timeout / 1000));
  g_source_set_callback (call->timeout, call_timeout_cb, g_object_ref (task), g_object_unref);
  g_source_set_static_name (call->timeout, "[dc-engine-call-timeout]");
  g_source_attach (call->timeout, g_main_context_get_thread_default ());
}

static gboolean
device_is_online (Device *device)
{
  if (device == NULL || !device->enabled)
    return FALSE;
  if (device->driver != NULL)
    return dc_driver_get_link_state (device->driver) == DC_LINK_UP;

  return device->state == DC_LINK_UP;
}

void
dc_engine_drivers_call_async (DcEngineDrivers     *self,
                              const char          *device_id,
                              const char          *term_id,
                              const char          *item_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  CallData *call;
  Device *device = NULL;

  g_return_if_fail (DC_IS_ENGINE_DRIVERS (self));
  g_return_if_fail (device_id != NULL && term_id != NULL && item_id != NULL);

  task = call_task_new (self, dc_engine_drivers_call_async, device_id, term_id, item_id,
                        cancellable, callback, user_data);
  call = g_task_get_task_data (task);

  call->point = resolve_point (self, device_id, term_id, item_id, &device, &error);
  if (call->point == NULL)
    {
      call_complete (task, NULL, g_steal_pointer (&error));
      return;
    }

  if (!device_is_online (device))
    {
      call_complete (task, NULL, dc_driver_error_offline (device_id));
      return;
    }

  call->driver = g_object_ref (device->driver);
  call_arm_timeout (task);
  dc_driver_call_async (call->driver, call->point, g_get_monotonic_time () + self->call_timeout,
                        call->driver_cancellable, driver_call_done_cb, g_object_ref (task));
}

gboolean
dc_engine_drivers_call_finish (DcEngineDrivers  *self,
                               GAsyncResult     *result,
                               DcSample         *sample,
                               GError          **error)
{
  g_autofree DcSample *value = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  value = g_task_propagate_pointer (G_TASK (result), error);
  if (value == NULL)
    return FALSE;
  if (sample != NULL)
    *sample = *value;

  return TRUE;
}

void
dc_engine_drivers_ctrl_async (DcEngineDrivers     *self,
                              const char          *device_id,
                              const char          *term_id,
                              const char          *item_id,
                              double               value,
                              const char          *user,
                              DcCtrlProgressFunc   progress,
                              gpointer             progress_data,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  CallData *call;
  Device *device = NULL;

  g_return_if_fail (DC_IS_ENGINE_DRIVERS (self));
  g_return_if_fail (device_id != NULL && term_id != NULL && item_id != NULL);

  task = call_task_new (self, dc_engine_drivers_ctrl_async, device_id, term_id, item_id,
                        cancellable, callback, user_data);
  call = g_task_get_task_data (task);
  call->value = value;
  call->user = g_strdup (user);
  call->actor = dc_audit_actor_copy (dc_audit_actor_get_current ());
  call->progress = progress;
  call->progress_data = progress_data;

  call->point = resolve_point (self, device_id, term_id, item_id, &device, &error);
  record_control (call, "control.request", NULL, error);
  if (call->point == NULL)
    {
      /* Nothing reached a point: no result to record. */
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  call->is_ctrl = TRUE;

  if (!device_is_online (device))
    {
      call_complete (task, NULL, dc_driver_error_offline (device_id));
      return;
    }

  if (!isfinite (value))
    {
      call_complete (task, NULL, g_error_new (DC_ERROR, DC_ERROR_INVALID,
                                              "field value must be a finite number"));
      return;
    }

  call->driver = g_object_ref (device->driver);
  call_arm_timeout (task);
  dc_driver_ctrl_async (call->driver, call->point, value,
                        g_get_monotonic_time () + self->call_timeout,
                        driver_ctrl_progress_cb, call, call->driver_cancellable,
                        driver_ctrl_done_cb, g_object_ref (task));
}

gboolean
dc_engine_drivers_ctrl_finish (DcEngineDrivers  *self,
                               GAsyncResult     *result,
                               DcSample         *sample,
                               GError          **error)
{
  return dc_engine_drivers_call_finish (self, result, sample, error);
}
