/* dc-modbus-op.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The request and control set-up shared by the Modbus TCP and RTU drivers (device_call and
 * device_ctrl, docs/modbus.md): the GTask, the point copied for the I/O side, the deadline,
 * the inverse scaling of a control's value, its progress steps and the results.
 */

#define G_LOG_DOMAIN "dc-modbus"

#include "config.h"

#include "dc-modbus-private.h"

/* Both clocks are accepted: a wall-clock deadline is far larger than any monotonic one. */
static gint64
deadline_to_monotonic (gint64 deadline_us)
{
  gint64 now_real;

  if (deadline_us <= 0)
    return 0;
  now_real = g_get_real_time ();
  if (deadline_us > now_real / 2)
    return g_get_monotonic_time () + (deadline_us - now_real);
  return deadline_us;
}

gpointer
dc_modbus_op_new (DcDriver            *driver,
                  gsize                size,
                  GDestroyNotify       free_func,
                  gboolean             rtu,
                  gpointer             source_tag,
                  const DcPointInfo   *point,
                  gint64               deadline_us,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autoptr(GError) error = NULL;
  DcModbusOp *op;

  g_assert (size >= sizeof (DcModbusOp));

  op = g_malloc0 (size);
  op->free_func = free_func;
  op->task = g_task_new (driver, cancellable, callback, user_data);
  g_task_set_source_tag (op->task, source_tag);
  op->deadline = deadline_to_monotonic (deadline_us);
  if (!dc_modbus_point_from_info (point, dc_driver_get_terms (driver), rtu, &op->point, &error))
    {
      g_task_return_error (op->task, g_steal_pointer (&error));
      dc_modbus_op_free (op);
      return NULL;
    }
  return op;
}

gboolean
dc_modbus_op_set_ctrl (DcModbusOp         *op,
                       double              value,
                       DcCtrlProgressFunc  progress,
                       gpointer            progress_data)
{
  g_autoptr(GError) error = NULL;

  if (!dc_modbus_inverse_scale (&op->point.ct, value, op->point.coefficient, op->point.base_val,
                                &op->raw, &error))
    {
      g_task_return_error (op->task, g_steal_pointer (&error));
      dc_modbus_op_free (op);
      return FALSE;
    }
  op->ctrl = TRUE;
  op->progress = progress;
  op->progress_data = progress_data;
  return TRUE;
}

void
dc_modbus_op_clear (DcModbusOp *op)
{
  g_clear_object (&op->task);
  dc_modbus_point_clear (&op->point);
}

void
dc_modbus_op_free (gpointer data)
{
  DcModbusOp *op = data;

  if (op->free_func != NULL)
    {
      op->free_func (op);
      return;
    }
  dc_modbus_op_clear (op);
  g_free (op);
}

typedef struct
{
  DcCtrlProgressFunc func;
  gpointer           data;
  DcCtrlStep         step;
  char              *detail;
} Progress;

static gboolean
progress_cb (gpointer user_data)
{
  Progress *p = user_data;

  p->func (p->step, p->detail, p->data);
  g_free (p->detail);
  g_free (p);
  return G_SOURCE_REMOVE;
}

void
dc_modbus_op_progress (DcModbusOp *op,
                       DcCtrlStep  step,
                       const char *detail)
{
  Progress *p;

  if (op->progress == NULL)
    return;
  p = g_new0 (Progress, 1);
  p->func = op->progress;
  p->data = op->progress_data;
  p->step = step;
  p->detail = g_strdup (detail);
  g_main_context_invoke (g_task_get_context (op->task), progress_cb, p);
}

void
dc_modbus_op_return_error (DcModbusOp *op,
                           GError     *error)
{
  if (op->ctrl)
    dc_modbus_op_progress (op, DC_CTRL_STEP_FAILED, error->message);
  g_task_return_error (op->task, error);
  dc_modbus_op_free (op);
}

void
dc_modbus_op_return_value (DcModbusOp *op,
                           double      value,
                           guint32     quality)
{
  if (op->ctrl)
    {
      double *v = g_new (double, 1);

      *v = value;
      g_task_return_pointer (op->task, v, g_free);
    }
  else
    {
      DcSample *s = g_new0 (DcSample, 1);

      s->key = op->point.key;
      s->time = g_get_real_time ();
      s->value = value;
      s->quality = quality;
      g_task_return_pointer (op->task, s, g_free);
    }
  dc_modbus_op_free (op);
}
