/* dc-modbus-tcp-driver.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * modbus_tcp: a non-blocking MBAP client on the driver's I/O context (docs/modbus.md
 * "Implementation"). One connection per device, one request in flight. Each poll cycle sends
 * the plan's requests one after the other and hands the engine one batch at the end. Reads
 * (call) and writes (ctrl) queue ahead of the remaining poll requests.
 */

#define G_LOG_DOMAIN "dc-modbus-tcp"

#include "config.h"

#include "dc-modbus-tcp-driver.h"

#include "dc-error.h"
#include "dc-json-util.h"
#include "dc-modbus-tcp-driver-private.h"

G_DEFINE_FINAL_TYPE (DcModbusTcpDriver, dc_modbus_tcp_driver, DC_TYPE_DRIVER)


/* DcDriver */

static void
dc_modbus_tcp_driver_stop (DcDriver *driver)
{
  DcModbusTcpDriver *self = DC_MODBUS_TCP_DRIVER (driver);
  Conn *conn = g_steal_pointer (&self->conn);

  if (conn == NULL)
    return;
  dc_io_loop_invoke_sync (conn->loop, _dc_modbus_tcp_conn_stop_cb, conn);
  _dc_modbus_tcp_conn_unref (conn);
  dc_driver_set_link_state (driver, DC_LINK_DISABLED, NULL);
}

static void
dc_modbus_tcp_driver_start (DcDriver *driver)
{
  DcModbusTcpDriver *self = DC_MODBUS_TCP_DRIVER (driver);
  JsonObject *device = dc_driver_get_device (driver);
  Conn *conn;

  if (self->conn != NULL)
    dc_modbus_tcp_driver_stop (driver);

  g_clear_pointer (&self->config, dc_modbus_config_unref);
  self->config = dc_modbus_config_new (dc_driver_get_terms (driver), dc_driver_get_points (driver),
                                       FALSE);

  conn = g_new0 (Conn, 1);
  g_atomic_ref_count_init (&conn->ref);
  conn->driver = self;
  conn->loop = dc_io_loop_ref_for_context (dc_driver_get_io_context (driver));
  conn->device_id = g_strdup (dc_driver_get_device_id (driver));
  conn->host = g_strdup (dc_json_get_string (device, "ip", "127.0.0.1"));
  conn->port = CLAMP (dc_json_get_int (device, "port", 502), 1, 65535);
  conn->poll_us = MAX (dc_json_get_int (device, "poll_ms", 1000), 1) * 1000;
  conn->timeout_us = MAX (dc_json_get_int (device, "timeout_ms", 1000), 1) * 1000;
  conn->config = dc_modbus_config_ref (self->config);
  conn->cancellable = g_cancellable_new ();
  conn->backoff_us = BACKOFF_MIN_US;
  _dc_modbus_tcp_conn_init (conn);
  g_queue_init (&conn->ops);
  self->conn = conn;

  dc_io_loop_invoke (conn->loop, _dc_modbus_tcp_conn_start_cb, _dc_modbus_tcp_conn_ref (conn),
                     (GDestroyNotify) _dc_modbus_tcp_conn_unref);
}

static void
dc_modbus_tcp_driver_points_changed (DcDriver *driver)
{
  DcModbusTcpDriver *self = DC_MODBUS_TCP_DRIVER (driver);
  SwapConfig swap;

  g_clear_pointer (&self->config, dc_modbus_config_unref);
  self->config = dc_modbus_config_new (dc_driver_get_terms (driver), dc_driver_get_points (driver),
                                       FALSE);
  if (self->conn == NULL)
    return;
  swap.conn = self->conn;
  swap.config = dc_modbus_config_ref (self->config);
  dc_io_loop_invoke_sync (self->conn->loop, _dc_modbus_tcp_conn_swap_config_cb, &swap);
}

static void
op_submit (DcModbusTcpDriver *self,
           Op                *op)
{
  if (self->conn == NULL)
    {
      _dc_modbus_tcp_op_return_error (op, dc_driver_error_offline (dc_driver_get_device_id (DC_DRIVER (self))));
      return;
    }
  op->conn = _dc_modbus_tcp_conn_ref (self->conn);
  dc_io_loop_invoke (op->conn->loop, _dc_modbus_tcp_conn_submit_cb, op, NULL);
}

static void
dc_modbus_tcp_driver_call_async (DcDriver            *driver,
                                 const DcPointInfo   *point,
                                 gint64               deadline_us,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  DcModbusTcpDriver *self = DC_MODBUS_TCP_DRIVER (driver);
  Op *op = dc_modbus_op_new (driver, sizeof (Op), _dc_modbus_tcp_op_free, FALSE, dc_modbus_tcp_driver_call_async,
                                            point, deadline_us, cancellable, callback, user_data);

  if (op == NULL)
    return;
  op->step = STEP_READ;
  op_submit (self, op);
}

static void
dc_modbus_tcp_driver_ctrl_async (DcDriver            *driver,
                                 const DcPointInfo   *point,
                                 double               value,
                                 gint64               deadline_us,
                                 DcCtrlProgressFunc   progress,
                                 gpointer             progress_data,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  DcModbusTcpDriver *self = DC_MODBUS_TCP_DRIVER (driver);
  Op *op = dc_modbus_op_new (driver, sizeof (Op), _dc_modbus_tcp_op_free, FALSE, dc_modbus_tcp_driver_ctrl_async,
                                            point, deadline_us, cancellable, callback, user_data);

  if (op == NULL || !dc_modbus_op_set_ctrl (&op->base, value, progress, progress_data))
    return;
  op->step = STEP_WRITE;
  op_submit (self, op);
}

static void
dc_modbus_tcp_driver_add_status (DcDriver    *driver,
                                 JsonBuilder *builder)
{
  DcModbusTcpDriver *self = DC_MODBUS_TCP_DRIVER (driver);
  DcModbusStats stats;

  g_mutex_lock (&self->stats_lock);
  stats = self->stats;
  g_mutex_unlock (&self->stats_lock);
  dc_modbus_stats_to_json (&stats, self->config, builder);
}

static char *
dc_modbus_tcp_driver_decode_frame (DcDriver             *driver,
                                   const DcTrafficFrame *frame,
                                   JsonObject          **decoded,
                                   char                **error)
{
  return dc_modbus_decode_frame (frame->bytes, frame->len, FALSE, frame->incoming, decoded, error);
}

static void
dc_modbus_tcp_driver_dispose (GObject *object)
{
  DcModbusTcpDriver *self = DC_MODBUS_TCP_DRIVER (object);

  if (self->conn != NULL)
    dc_modbus_tcp_driver_stop (DC_DRIVER (self));

  G_OBJECT_CLASS (dc_modbus_tcp_driver_parent_class)->dispose (object);
}

static void
dc_modbus_tcp_driver_finalize (GObject *object)
{
  DcModbusTcpDriver *self = DC_MODBUS_TCP_DRIVER (object);

  g_clear_pointer (&self->config, dc_modbus_config_unref);
  g_mutex_clear (&self->stats_lock);

  G_OBJECT_CLASS (dc_modbus_tcp_driver_parent_class)->finalize (object);
}

static void
dc_modbus_tcp_driver_class_init (DcModbusTcpDriverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  DcDriverClass *driver_class = DC_DRIVER_CLASS (klass);

  object_class->dispose = dc_modbus_tcp_driver_dispose;
  object_class->finalize = dc_modbus_tcp_driver_finalize;

  driver_class->start = dc_modbus_tcp_driver_start;
  driver_class->stop = dc_modbus_tcp_driver_stop;
  driver_class->points_changed = dc_modbus_tcp_driver_points_changed;
  driver_class->call_async = dc_modbus_tcp_driver_call_async;
  driver_class->ctrl_async = dc_modbus_tcp_driver_ctrl_async;
  driver_class->add_status = dc_modbus_tcp_driver_add_status;
  driver_class->decode_frame = dc_modbus_tcp_driver_decode_frame;
}

static void
dc_modbus_tcp_driver_init (DcModbusTcpDriver *self)
{
  g_mutex_init (&self->stats_lock);
}

DcDriver *
dc_modbus_tcp_driver_new (void)
{
  return g_object_new (DC_TYPE_MODBUS_TCP_DRIVER, NULL);
}
