/* dc-formula-driver.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-formula-driver"

#include "config.h"

#include <glib/gi18n.h>

#include "dc-error.h"
#include "dc-formula-driver.h"
#include "dc-protocol.h"
#include "dc-virtual-driver.h"

struct _DcFormulaDriver
{
  DcDriver parent_instance;
};

G_DEFINE_FINAL_TYPE (DcFormulaDriver, dc_formula_driver, DC_TYPE_DRIVER)

static void
dc_formula_driver_start (DcDriver *driver)
{
  /* No link: up while enabled. The values come from the formula engine, not from here. */
  dc_driver_set_link_state (driver, DC_LINK_UP, NULL);
}

static void
dc_formula_driver_stop (DcDriver *driver)
{
}

static void
dc_formula_driver_points_changed (DcDriver *driver)
{
}

static void
dc_formula_driver_call_async (DcDriver            *driver,
                              const DcPointInfo   *point,
                              gint64               deadline_us,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  dc_virtual_driver_call_live (driver, dc_formula_driver_call_async, point, cancellable,
                               callback, user_data);
}

static void
dc_formula_driver_ctrl_async (DcDriver            *driver,
                              const DcPointInfo   *point,
                              double               value,
                              gint64               deadline_us,
                              DcCtrlProgressFunc   progress,
                              gpointer             progress_data,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_task_report_new_error (driver, callback, user_data, dc_formula_driver_ctrl_async,
                           DC_ERROR, DC_ERROR_INVALID, "formula points are computed, not written");
}

static void
dc_formula_driver_class_init (DcFormulaDriverClass *klass)
{
  DcDriverClass *driver_class = DC_DRIVER_CLASS (klass);

  driver_class->start = dc_formula_driver_start;
  driver_class->stop = dc_formula_driver_stop;
  driver_class->points_changed = dc_formula_driver_points_changed;
  driver_class->call_async = dc_formula_driver_call_async;
  driver_class->ctrl_async = dc_formula_driver_ctrl_async;
  driver_class->no_link = TRUE;
}

static void
dc_formula_driver_init (DcFormulaDriver *self)
{
}

DcDriver *
dc_formula_driver_new (void)
{
  return g_object_new (DC_TYPE_FORMULA_DRIVER, NULL);
}

void
dc_formula_driver_register (void)
{
  static const DcProtocolTermInfo term_info = {
    .key = "formula", .name = "formula terminal", .address = "none", .protocol_code = "none",
    .code_type = "none",
  };
  static const DcProtocol protocol = {
    .name = "formula",
    .title = N_("Formula (computed)"),
    .ui_order = 4,
    .icon_name = "accessories-calculator-symbolic",
    .description = "points computed from other points by formulas",
    .term_info = &term_info,
    .driver_new = dc_formula_driver_new,
  };

  dc_protocol_register (&protocol);
}
