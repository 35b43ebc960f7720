/* dc-driver.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-driver"

#include "config.h"

#include "dc-driver-private.h"
#include "dc-error.h"
#include "dc-io-pool.h"
#include "dc-protocol.h"
#include "dc-task-util.h"


enum {
  SIGNAL_LINK_CHANGED,
  SIGNAL_TERM_LINK_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (DcDriver, dc_driver, G_TYPE_OBJECT)

const char *
dc_link_state_to_string (DcLinkState state)
{
  switch (state)
    {
    case DC_LINK_DISABLED:   return "disabled";
    case DC_LINK_CONNECTING: return "connecting";
    case DC_LINK_UP:         return "up";
    case DC_LINK_DOWN:       return "down";
    default:                 return "down";
    }
}

const char *
dc_ctrl_step_to_string (DcCtrlStep step)
{
  switch (step)
    {
    case DC_CTRL_STEP_SELECT_SENT:  return "select sent";
    case DC_CTRL_STEP_SELECTED:     return "selected";
    case DC_CTRL_STEP_EXECUTE_SENT: return "execute sent";
    case DC_CTRL_STEP_CONFIRMED:    return "confirmed";
    case DC_CTRL_STEP_TERMINATED:   return "terminated";
    case DC_CTRL_STEP_FAILED:       return "failed";
    default:                        return "failed";
    }
}

/* Errors */

GError *
dc_driver_error_offline (const char *device_id)
{
  return g_error_new (DC_ERROR, DC_ERROR_OFFLINE, "device %s is offline", device_id);
}

GError *
dc_driver_error_timeout (const char *device_id,
                         gint64      timeout_us)
{
  char seconds[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (seconds, sizeof seconds, "%g", (double) timeout_us / G_USEC_PER_SEC);

  return g_error_new (DC_ERROR, DC_ERROR_TIMEOUT, "device %s did not answer within %s s",
                      device_id, seconds);
}

GError *
dc_driver_error_rejected (const char *device_id,
                          const char *reason)
{
  return g_error_new (DC_ERROR, DC_ERROR_REJECTED, "device %s rejected the command: %s",
                      device_id, reason);
}

/* Default vfuncs */

static void
dc_driver_real_points_changed (DcDriver *self)
{
  DC_DRIVER_GET_CLASS (self)->stop (self);
  DC_DRIVER_GET_CLASS (self)->start (self);
}

static void
dc_driver_real_start (DcDriver *self)
{
}

static void
dc_driver_real_stop (DcDriver *self)
{
}

static void
dc_driver_real_call_async (DcDriver            *self,
                           const DcPointInfo   *point,
                           gint64               deadline_us,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_task_report_error (self, callback, user_data, dc_driver_real_call_async,
                       dc_driver_error_rejected (dc_driver_get_device_id (self),
                                                 "reading is not supported"));
}

static gboolean
dc_driver_real_call_finish (DcDriver      *self,
                            GAsyncResult  *result,
                            DcSample      *sample,
                            GError       **error)
{
  g_autofree DcSample *value = g_task_propagate_pointer (G_TASK (result), error);

  if (value == NULL)
    return FALSE;
  if (sample != NULL)
    *sample = *value;

  return TRUE;
}

static void
dc_driver_real_ctrl_async (DcDriver            *self,
                           const DcPointInfo   *point,
                           double               value,
                           gint64               deadline_us,
                           DcCtrlProgressFunc   progress,
                           gpointer             progress_data,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_task_report_new_error (self, callback, user_data, dc_driver_real_ctrl_async,
                           DC_ERROR, DC_ERROR_INVALID, "point is read-only");
}

static gboolean
dc_driver_real_ctrl_finish (DcDriver      *self,
                            GAsyncResult  *result,
                            double        *confirmed,
                            GError       **error)
{
  return dc_task_propagate_double (G_TASK (result), confirmed, error);
}

static char *
dc_driver_real_decode_frame (DcDriver             *self,
                             const DcTrafficFrame *frame,
                             JsonObject          **decoded,
                             char                **error)
{
  if (decoded != NULL)
    *decoded = NULL;
  if (error != NULL)
    *error = NULL;

  return g_strdup_printf ("%s %u bytes", frame->incoming ? "rx" : "tx", frame->len);
}

/* Object */

static void
dc_driver_finalize (GObject *object)
{
  DcDriver *self = DC_DRIVER (object);
  DcDriverPrivate *priv = dc_driver_get_instance_private (self);

  g_clear_pointer (&priv->device, json_object_unref);
  g_clear_pointer (&priv->terms, g_ptr_array_unref);
  g_clear_pointer (&priv->points, g_ptr_array_unref);
  g_clear_pointer (&priv->device_id, g_free);
  g_clear_pointer (&priv->io_context, g_main_context_unref);
  g_clear_pointer (&priv->main_context, g_main_context_unref);
  g_clear_pointer (&priv->traffic, dc_traffic_free);
  g_clear_pointer (&priv->last_error, g_free);
  g_clear_pointer (&priv->down_terms, g_hash_table_unref);
  g_mutex_clear (&priv->state_lock);

  G_OBJECT_CLASS (dc_driver_parent_class)->finalize (object);
}

static void
dc_driver_class_init (DcDriverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = dc_driver_finalize;

  klass->start = dc_driver_real_start;
  klass->stop = dc_driver_real_stop;
  klass->points_changed = dc_driver_real_points_changed;
  klass->call_async = dc_driver_real_call_async;
  klass->call_finish = dc_driver_real_call_finish;
  klass->ctrl_async = dc_driver_real_ctrl_async;
  klass->ctrl_finish = dc_driver_real_ctrl_finish;
  klass->decode_frame = dc_driver_real_decode_frame;

  /**
   * DcDriver::link-changed:
   * @state: the new #DcLinkState (as int)
   * @last_error: (nullable): the last error text
   */
  signals[SIGNAL_LINK_CHANGED] =
    g_signal_new ("link-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);

  /**
   * DcDriver::term-link-changed:
   * @term_id: the term (unit)
   * @up: whether it answers
   * @last_error: (nullable): the last error text
   */
  signals[SIGNAL_TERM_LINK_CHANGED] =
    g_signal_new ("term-link-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_BOOLEAN, G_TYPE_STRING);
}

static void
dc_driver_init (DcDriver *self)
{
  DcDriverPrivate *priv = dc_driver_get_instance_private (self);

  g_mutex_init (&priv->state_lock);
  priv->state = DC_LINK_DISABLED;
  priv->since = g_get_real_time ();
  priv->down_terms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  priv->main_context = g_main_context_ref_thread_default ();
  priv->traffic = dc_traffic_new (DC_TRAFFIC_DEVICE_BYTES);
  priv->device_id = g_strdup ("");
}

/* Protocol registry (dc-protocol.h): the driver factory is one part of a protocol's
 * descriptor. */

void
dc_driver_register_protocol (const char      *protocol,
                             DcDriverFactory  factory)
{
  const DcProtocol *known;
  DcProtocol descriptor = { 0 };

  g_return_if_fail (protocol != NULL);
  g_return_if_fail (factory != NULL);

  known = dc_protocol_lookup (protocol);
  if (known != NULL)
    descriptor = *known;
  else
    descriptor.name = protocol;
  descriptor.driver_new = factory;
  dc_protocol_register (&descriptor);
}

static DcDriverFactory
lookup_factory (const char *protocol)
{
  const DcProtocol *descriptor = dc_protocol_lookup (protocol);

  return descriptor != NULL ? descriptor->driver_new : NULL;
}

DcDriver *
dc_driver_new_for_protocol (const char *protocol)
{
  DcDriverFactory factory = lookup_factory (protocol);

  if (factory == NULL)
    return NULL;

  return factory ();
}

gboolean
dc_driver_protocol_is_known (const char *protocol)
{
  return lookup_factory (protocol) != NULL;
}

/* Configuration and wiring */

void
dc_driver_set_config (DcDriver   *self,
                      JsonObject *device,
                      GPtrArray  *terms,
                      GPtrArray  *points)
{
  DcDriverPrivate *priv = dc_driver_get_instance_private (self);

  g_return_if_fail (DC_IS_DRIVER (self));

  if (device != NULL)
    json_object_ref (device);
  g_clear_pointer (&priv->device, json_object_unref);
  priv->device = device;

  if (terms != NULL)
    g_ptr_array_ref (terms);
  g_clear_pointer (&priv->terms, g_ptr_array_unref);
  priv->terms = terms;

  if (points != NULL)
    g_ptr_array_ref (points);
  g_clear_pointer (&priv->points, g_ptr_array_unref);
  priv->points = points;

  g_free (priv->device_id);
  priv->device_id = NULL;
  if (device != NULL && json_object_has_member (device, "id"))
    {
      JsonNode *node = json_object_get_member (device, "id");

      if (json_node_get_value_type (node) == G_TYPE_STRING)
        priv->device_id = json_node_dup_string (node);
      else if (json_node_get_value_type (node) == G_TYPE_INT64)
        priv->device_id = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    }
  if (priv->device_id == NULL)
    priv->device_id = g_strdup ("");
}

JsonObject *
dc_driver_get_device (DcDriver *self)
{
  DcDriverPrivate *priv = dc_driver_get_instance_private (self);

  g_return_val_if_fail (DC_IS_DRIVER (self), NULL);

  return priv->device;
}

GPtrArray *
dc_driver_get_terms (DcDriver *self)
{
  DcDriverPrivate *priv = dc_driver_get_instance_private (self);

  g_return_val_if_fail (DC_IS_DRIVER (self), NULL);

  return priv->terms;
}

GPtrArray *
dc_driver_get_points (DcDriver *self)
{
  DcDriverPrivate *priv = dc_driver_get_instance_private (self);

  g_return_val_if_fail (DC_IS_DRIVER (self), NULL);

  return priv->points;
}

const char *
dc_driver_get_device_id (DcDriver *self)
{
  DcDriverPrivate *priv = dc_driver_get_instance_private (self);

  g_return_val_if_fail (DC_IS_DRIVER (self), NULL);

  return priv->device_id;
}

void
dc_driver_set_sink (DcDriver     *self,
                    DcSampleSink *sink)
{
  DcDriverPrivate *priv = dc_driver_get_instance_private (self);

  g_return_if_fail (DC_IS_DRIVER (self));

  priv->sink = sink;
}

void
dc_driver_set_io_context (DcDriver     *self,
                          GMainContext *context)
{
  DcDriverPrivate *priv = dc_driver_get_instance_private (self);

  g_return_if_fail (DC_IS_DRIVER (self));

  if (context != NULL)
    g_main_context_ref (context);
  g_clear_pointer (&priv->io_context, g_main_context_unref);
  priv->io_context = context;
}

void
dc_driver_set_store (DcDriver *self,
                     DcStore  *store)
{
  DcDriverPrivate *priv = dc_driver_get_instance_private (self);

  g_return_if_fail (DC_IS_DRIVER (self));

  priv->store = store;
}

DcStore *
dc_driver_get_store (DcDriver *self)
{
  DcDriverPrivate *priv = dc_driver_get_instance_private (self);

  g_return_val_if_fail (DC_IS_DRIVER (self), NULL);

  return priv->store;
}

void
dc_driver_set_live_func (DcDriver         *self,
                         DcDriverLiveFunc  func,
                         gpointer          user_data)
{
  DcDriverPrivate *priv = dc_driver_get_instance_private (self);

  g_return_if_fail (DC_IS_DRIVER (self));

  priv->live_func = func;
  priv->live_data = user_data;
}

gboolean
dc_driver_get_live (DcDriver *self,
                    gint64    key,
                    DcSample *sample)
{
  DcDriverPrivate *priv = dc_driver_get_instance_private (self);

  g_return_val_if_fail (DC_IS_DRIVER (self), FALSE);
  g_return_val_if_fail (sample != NULL, FALSE);

  return priv->live_func != NULL && priv->live_func (priv->live_data, key, sample);
}

DcSampleSink *
dc_driver_get_sink (DcDriver *self)
{
  DcDriverPrivate *priv = dc_driver_get_instance_private (self);

  g_return_val_if_fail (DC_IS_DRIVER (self), NULL);

  return priv->sink;
}

GMainContext *
dc_driver_get_io_context (DcDriver *self)
{
  DcDriverPrivate *priv = dc_driver_get_instance_private (self);

  g_return_val_if_fail (DC_IS_DRIVER (self), NULL);

  return priv->io_context;
}

DcTraffic *
dc_driver_get_traffic (DcDriver *self)
{
  DcDriverPrivate *priv = dc_driver_get_instance_private (self);

  g_return_val_if_fail (DC_IS_DRIVER (self), NULL);

  return priv->traffic;
}

void
dc_driver_io_invoke_sync (DcDriver    *self,
                          GSourceFunc  func,
                          gpointer     data)
{
  DcDriverPrivate *priv = dc_driver_get_instance_private (self);

  g_return_if_fail (DC_IS_DRIVER (self));

  dc_io_invoke_sync (priv->io_context, func, data);
}

/* Operations */

void
dc_driver_start (DcDriver *self)
{
  g_return_if_fail (DC_IS_DRIVER (self));

  DC_DRIVER_GET_CLASS (self)->start (self);
}

void
dc_driver_stop (DcDriver *self)
{
  g_return_if_fail (DC_IS_DRIVER (self));

  DC_DRIVER_GET_CLASS (self)->stop (self);
}

void
dc_driver_points_changed (DcDriver *self)
{
  g_return_if_fail (DC_IS_DRIVER (self));

  DC_DRIVER_GET_CLASS (self)->points_changed (self);
}

void
dc_driver_call_async (DcDriver            *self,
                      const DcPointInfo   *point,
                      gint64               deadline_us,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_return_if_fail (DC_IS_DRIVER (self));
  g_return_if_fail (point != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  DC_DRIVER_GET_CLASS (self)->call_async (self, point, deadline_us, cancellable,
                                          callback, user_data);
}

gboolean
dc_driver_call_finish (DcDriver      *self,
                       GAsyncResult  *result,
                       DcSample      *sample,
                       GError       **error)
{
  g_return_val_if_fail (DC_IS_DRIVER (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);

  return DC_DRIVER_GET_CLASS (self)->call_finish (self, result, sample, error);
}

void
dc_driver_ctrl_async (DcDriver            *self,
                      const DcPointInfo   *point,
                      double               value,
                      gint64               deadline_us,
                      DcCtrlProgressFunc   progress,
                      gpointer             progress_data,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_return_if_fail (DC_IS_DRIVER (self));
  g_return_if_fail (point != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  DC_DRIVER_GET_CLASS (self)->ctrl_async (self, point, value, deadline_us, progress,
                                          progress_data, cancellable, callback, user_data);
}

gboolean
dc_driver_ctrl_finish (DcDriver      *self,
                       GAsyncResult  *result,
                       double        *confirmed,
                       GError       **error)
{
  g_return_val_if_fail (DC_IS_DRIVER (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);

  return DC_DRIVER_GET_CLASS (self)->ctrl_finish (self, result, confirmed, error);
}

char *
dc_driver_decode_frame (DcDriver              *self,
                        const DcTrafficFrame  *frame,
                        JsonObject           **decoded,
                        char                 **error)
{
  g_return_val_if_fail (DC_IS_DRIVER (self), NULL);
  g_return_val_if_fail (frame != NULL, NULL);

  if (decoded != NULL)
    *decoded = NULL;
  if (error != NULL)
    *error = NULL;

  return DC_DRIVER_GET_CLASS (self)->decode_frame (self, frame, decoded, error);
}

DcDriverPrivate *
_dc_driver_get_private (DcDriver *self)
{
  return dc_driver_get_instance_private (self);
}

void
_dc_driver_emit_link_changed (DcDriver    *self,
                              DcLinkState  state,
                              const char  *last_error)
{
  g_signal_emit (self, signals[SIGNAL_LINK_CHANGED], 0, (int) state, last_error);
}

void
_dc_driver_emit_term_link_changed (DcDriver   *self,
                                   const char *term_id,
                                   gboolean    up,
                                   const char *last_error)
{
  g_signal_emit (self, signals[SIGNAL_TERM_LINK_CHANGED], 0, term_id, up, last_error);
}
