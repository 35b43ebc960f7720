/* dc-virtual-driver.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-virtual"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "dc-error.h"
#include "dc-protocol.h"
#include "dc-virtual-driver.h"

struct _DcVirtualDriver
{
  DcDriver parent_instance;
};

G_DEFINE_FINAL_TYPE (DcVirtualDriver, dc_virtual_driver, DC_TYPE_DRIVER)

static void
dc_virtual_driver_start (DcDriver *driver)
{
  /* No link: up while enabled (the engine starts drivers of enabled devices only). */
  dc_driver_set_link_state (driver, DC_LINK_UP, NULL);
}

static void
dc_virtual_driver_stop (DcDriver *driver)
{
  /* Nothing runs: no sample is pushed after this. */
}

static void
dc_virtual_driver_points_changed (DcDriver *driver)
{
  /* Nothing to re-plan: points are read from the live table on demand. */
}

void
dc_virtual_driver_call_live (DcDriver            *driver,
                             gpointer             source_tag,
                             const DcPointInfo   *point,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (driver, cancellable, callback, user_data);
  DcSample sample;

  g_task_set_source_tag (task, source_tag);
  if (!dc_driver_get_live (driver, point->key, &sample))
    {
      g_task_return_new_error (task, DC_ERROR, DC_ERROR_NOT_FOUND, "no sample yet!");
      return;
    }

  g_task_return_pointer (task, g_memdup2 (&sample, sizeof sample), g_free);
}

static void
dc_virtual_driver_call_async (DcDriver            *driver,
                              const DcPointInfo   *point,
                              gint64               deadline_us,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  dc_virtual_driver_call_live (driver, dc_virtual_driver_call_async, point, cancellable,
                               callback, user_data);
}

static void
dc_virtual_driver_ctrl_async (DcDriver            *driver,
                              const DcPointInfo   *point,
                              double               value,
                              gint64               deadline_us,
                              DcCtrlProgressFunc   progress,
                              gpointer             progress_data,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (driver, cancellable, callback, user_data);
  DcSample sample = { point->key, g_get_real_time (), value, 0 };
  DcSampleSink *sink = dc_driver_get_sink (driver);

  g_task_set_source_tag (task, dc_virtual_driver_ctrl_async);
  if (sink == NULL)
    {
      g_task_return_error (task, dc_driver_error_offline (dc_driver_get_device_id (driver)));
      return;
    }

  /* The value is the new sample, stored even when it repeats; it is confirmed at once. */
  dc_sample_sink_push_api (sink, &sample);
  g_task_return_pointer (task, g_memdup2 (&value, sizeof value), g_free);
}

static void
dc_virtual_driver_class_init (DcVirtualDriverClass *klass)
{
  DcDriverClass *driver_class = DC_DRIVER_CLASS (klass);

  driver_class->start = dc_virtual_driver_start;
  driver_class->stop = dc_virtual_driver_stop;
  driver_class->points_changed = dc_virtual_driver_points_changed;
  driver_class->call_async = dc_virtual_driver_call_async;
  driver_class->ctrl_async = dc_virtual_driver_ctrl_async;
  driver_class->no_link = TRUE;
}

static void
dc_virtual_driver_init (DcVirtualDriver *self)
{
}

DcDriver *
dc_virtual_driver_new (void)
{
  return g_object_new (DC_TYPE_VIRTUAL_DRIVER, NULL);
}

/* Protocol descriptor (dc-protocol.h): no address, any value can be written. */

static gboolean
virtual_control_info (JsonObject        *point,
                      DcProtocolControl *control)
{
  control->type_text = g_strdup (_("virtual point (the value is stored)"));
  control->kind = DC_PROTOCOL_CONTROL_VALUE;
  control->raw_min = -INFINITY;
  control->raw_max = INFINITY;
  control->integer = FALSE;
  return TRUE;
}

static const DcProtocolTermInfo term_info = {
  .key = "virtual", .name = "virtual terminal", .address = "none", .protocol_code = "none",
  .code_type = "none",
};

static const DcProtocol dc_virtual_protocol = {
  .name = "virtual",
  .title = N_("Virtual (values written through the API)"),
  .ui_order = 3,
  .description = "points written through the API (device_ctrl stores the value)",
  .term_info = &term_info,
  .driver_new = dc_virtual_driver_new,
  .control_info = virtual_control_info,
};

void
dc_virtual_driver_register (void)
{
  dc_protocol_register (&dc_virtual_protocol);
}
