/* dc-virtual-driver.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-driver.h"

G_BEGIN_DECLS

/* The driver of `virtual` devices (docs/model.md): no link, up while enabled. device_call answers
 * the point's live sample (404 "no sample yet!"); device_ctrl writes the value as a new API
 * sample (stored even when it repeats) and confirms it. Main context only (no_link). */
#define DC_TYPE_VIRTUAL_DRIVER (dc_virtual_driver_get_type ())

G_DECLARE_FINAL_TYPE (DcVirtualDriver, dc_virtual_driver, DC, VIRTUAL_DRIVER, DcDriver)

DcDriver *dc_virtual_driver_new      (void);
/* Registers the protocol `virtual` (dc-protocol.h; idempotent). */
void      dc_virtual_driver_register (void);

/* Shared with the formula driver: completes a device_call with the live sample of @point
 * (dc_driver_get_live()) or DC_ERROR_NOT_FOUND "no sample yet!". */
void      dc_virtual_driver_call_live (DcDriver            *driver,
                                       gpointer             source_tag,
                                       const DcPointInfo   *point,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);

G_END_DECLS
