/* dc-modbus-rtu-driver.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * modbus_rtu: libmodbus (serial framing, CRC, timing) on one worker thread per serial line
 * (docs/modbus.md "Implementation"; the line itself in dc-modbus-rtu-line.c). Raw requests go
 * out with modbus_send_raw_request() and come back whole from modbus_receive_confirmation(), so
 * the traffic ring sees the real bytes and one decoder (dc-modbus-codec) serves TCP and RTU.
 */

#define G_LOG_DOMAIN "dc-modbus-rtu"

#include "config.h"

#include "dc-modbus-rtu-driver.h"

#include "dc-error.h"
#include "dc-json-util.h"
#include "dc-modbus-rtu-driver-private.h"

G_DEFINE_FINAL_TYPE (DcModbusRtuDriver, dc_modbus_rtu_driver, DC_TYPE_DRIVER)

/* DcDriver */

static void
dc_modbus_rtu_driver_stop (DcDriver *driver)
{
  DcModbusRtuDriver *self = DC_MODBUS_RTU_DRIVER (driver);
  Worker *w = g_steal_pointer (&self->worker);

  if (w == NULL)
    return;
  g_mutex_lock (&w->lock);
  w->stop = TRUE;
  g_cond_broadcast (&w->cond);
  g_mutex_unlock (&w->lock);
  g_thread_join (w->thread);
  _dc_modbus_rtu_worker_unref (w);
  dc_driver_set_link_state (driver, DC_LINK_DISABLED, NULL);
}

static char
parity_of (const char *text)
{
  if (text != NULL && (text[0] == 'N' || text[0] == 'O' || text[0] == 'E'))
    return text[0];
  return 'E';
}

static void
dc_modbus_rtu_driver_start (DcDriver *driver)
{
  DcModbusRtuDriver *self = DC_MODBUS_RTU_DRIVER (driver);
  JsonObject *device = dc_driver_get_device (driver);
  Worker *w;

  if (self->worker != NULL)
    dc_modbus_rtu_driver_stop (driver);

  g_clear_pointer (&self->config, dc_modbus_config_unref);
  self->config = dc_modbus_config_new (dc_driver_get_terms (driver), dc_driver_get_points (driver),
                                       TRUE);

  w = g_new0 (Worker, 1);
  g_atomic_ref_count_init (&w->ref);
  g_mutex_init (&w->lock);
  g_cond_init (&w->cond);
  g_queue_init (&w->ops);
  w->driver = self;
  w->device_id = g_strdup (dc_driver_get_device_id (driver));
  w->serial = g_strdup (dc_json_get_string (device, "serial", "/dev/ttyS0"));
  w->baud = dc_json_get_int (device, "baud", 9600);
  w->parity = parity_of (dc_json_get_string (device, "parity", "E"));
  w->data_bits = dc_json_get_int (device, "data_bits", 8);
  w->stop_bits = dc_json_get_int (device, "stop_bits", 1);
  w->poll_us = MAX (dc_json_get_int (device, "poll_ms", 1000), 1) * 1000;
  w->timeout_us = MAX (dc_json_get_int (device, "timeout_ms", 1000), 1) * 1000;
  w->config = dc_modbus_config_ref (self->config);
  self->worker = w;
  w->thread = g_thread_new ("dc-modbus-rtu", _dc_modbus_rtu_worker_main, w);
}

static void
dc_modbus_rtu_driver_points_changed (DcDriver *driver)
{
  DcModbusRtuDriver *self = DC_MODBUS_RTU_DRIVER (driver);

  g_clear_pointer (&self->config, dc_modbus_config_unref);
  self->config = dc_modbus_config_new (dc_driver_get_terms (driver), dc_driver_get_points (driver),
                                       TRUE);
  if (self->worker == NULL)
    return;
  g_mutex_lock (&self->worker->lock);
  g_clear_pointer (&self->worker->config, dc_modbus_config_unref);
  self->worker->config = dc_modbus_config_ref (self->config);
  g_mutex_unlock (&self->worker->lock);
}

static void
submit (DcModbusRtuDriver *self,
        Op                *op)
{
  if (self->worker == NULL)
    {
      const char *device_id = dc_driver_get_device_id (DC_DRIVER (self));

      dc_modbus_op_return_error (op, dc_driver_error_offline (device_id));
      return;
    }
  g_mutex_lock (&self->worker->lock);
  g_queue_push_tail (&self->worker->ops, op);
  g_cond_broadcast (&self->worker->cond);
  g_mutex_unlock (&self->worker->lock);
}

static void
dc_modbus_rtu_driver_call_async (DcDriver            *driver,
                                 const DcPointInfo   *point,
                                 gint64               deadline_us,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  DcModbusRtuDriver *self = DC_MODBUS_RTU_DRIVER (driver);
  Op *op = dc_modbus_op_new (driver, sizeof (Op), NULL, TRUE, dc_modbus_rtu_driver_call_async,
                             point, deadline_us, cancellable, callback, user_data);

  if (op != NULL)
    submit (self, op);
}

static void
dc_modbus_rtu_driver_ctrl_async (DcDriver            *driver,
                                 const DcPointInfo   *point,
                                 double               value,
                                 gint64               deadline_us,
                                 DcCtrlProgressFunc   progress,
                                 gpointer             progress_data,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  DcModbusRtuDriver *self = DC_MODBUS_RTU_DRIVER (driver);
  Op *op = dc_modbus_op_new (driver, sizeof (Op), NULL, TRUE, dc_modbus_rtu_driver_ctrl_async,
                             point, deadline_us, cancellable, callback, user_data);

  if (op != NULL && dc_modbus_op_set_ctrl (op, value, progress, progress_data))
    submit (self, op);
}

static const char *
unit_state_name (UnitCommState state)
{
  switch (state)
    {
    case UNIT_UP: return "up";
    case UNIT_DOWN: return "down";
    case UNIT_UNKNOWN:
    default: return "unknown";
    }
}

static void
add_uint (JsonBuilder *builder,
          const char  *name,
          guint64      value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, (gint64) value);
}

/* "crc_errors" and "units": the comm state and counters of each unit with points. */
static void
add_units_status (DcModbusRtuDriver *self,
                  JsonBuilder       *builder)
{
  gboolean seen[256] = { FALSE };

  g_mutex_lock (&self->stats_lock);
  add_uint (builder, "crc_errors", self->crc_errors);
  json_builder_set_member_name (builder, "units");
  json_builder_begin_array (builder);
  for (guint i = 0; self->config != NULL && i < self->config->plan->requests->len; i++)
    {
      guint8 unit = g_array_index (self->config->plan->requests, DcModbusRequest, i).unit;
      const UnitStats *u = &self->units[unit];

      if (seen[unit])
        continue;
      seen[unit] = TRUE;
      json_builder_begin_object (builder);
      add_uint (builder, "unit", unit);
      json_builder_set_member_name (builder, "state");
      json_builder_add_string_value (builder, unit_state_name (u->state));
      add_uint (builder, "requests", u->requests);
      add_uint (builder, "responses", u->responses);
      add_uint (builder, "exceptions", u->exceptions);
      add_uint (builder, "timeouts", u->timeouts);
      add_uint (builder, "crc_errors", u->crc_errors);
      add_uint (builder, "bad_answers", u->bad_answers);
      json_builder_set_member_name (builder, "last_error");
      if (u->last_error != NULL)
        json_builder_add_string_value (builder, u->last_error);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  g_mutex_unlock (&self->stats_lock);
}

static void
dc_modbus_rtu_driver_add_status (DcDriver    *driver,
                                 JsonBuilder *builder)
{
  DcModbusRtuDriver *self = DC_MODBUS_RTU_DRIVER (driver);
  DcModbusStats stats;

  g_mutex_lock (&self->stats_lock);
  stats = self->stats;
  g_mutex_unlock (&self->stats_lock);
  dc_modbus_stats_to_json (&stats, self->config, builder);
  add_units_status (self, builder);
}

static char *
dc_modbus_rtu_driver_decode_frame (DcDriver             *driver,
                                   const DcTrafficFrame *frame,
                                   JsonObject          **decoded,
                                   char                **error)
{
  return dc_modbus_decode_frame (frame->bytes, frame->len, TRUE, frame->incoming, decoded, error);
}

static void
dc_modbus_rtu_driver_dispose (GObject *object)
{
  DcModbusRtuDriver *self = DC_MODBUS_RTU_DRIVER (object);

  if (self->worker != NULL)
    dc_modbus_rtu_driver_stop (DC_DRIVER (self));

  G_OBJECT_CLASS (dc_modbus_rtu_driver_parent_class)->dispose (object);
}

static void
dc_modbus_rtu_driver_finalize (GObject *object)
{
  DcModbusRtuDriver *self = DC_MODBUS_RTU_DRIVER (object);

  g_clear_pointer (&self->config, dc_modbus_config_unref);
  for (guint i = 0; i < G_N_ELEMENTS (self->units); i++)
    g_free (self->units[i].last_error);
  g_mutex_clear (&self->stats_lock);

  G_OBJECT_CLASS (dc_modbus_rtu_driver_parent_class)->finalize (object);
}

static void
dc_modbus_rtu_driver_class_init (DcModbusRtuDriverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  DcDriverClass *driver_class = DC_DRIVER_CLASS (klass);

  object_class->dispose = dc_modbus_rtu_driver_dispose;
  object_class->finalize = dc_modbus_rtu_driver_finalize;

  driver_class->start = dc_modbus_rtu_driver_start;
  driver_class->stop = dc_modbus_rtu_driver_stop;
  driver_class->points_changed = dc_modbus_rtu_driver_points_changed;
  driver_class->call_async = dc_modbus_rtu_driver_call_async;
  driver_class->ctrl_async = dc_modbus_rtu_driver_ctrl_async;
  driver_class->add_status = dc_modbus_rtu_driver_add_status;
  driver_class->decode_frame = dc_modbus_rtu_driver_decode_frame;
}

static void
dc_modbus_rtu_driver_init (DcModbusRtuDriver *self)
{
  g_mutex_init (&self->stats_lock);
}

DcDriver *
dc_modbus_rtu_driver_new (void)
{
  return g_object_new (DC_TYPE_MODBUS_RTU_DRIVER, NULL);
}
