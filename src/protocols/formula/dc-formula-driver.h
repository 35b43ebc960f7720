/* dc-formula-driver.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-driver.h"

G_BEGIN_DECLS

/* The driver of `formula` devices (the points the formula engine computes, dc-formula.h): no
 * link, up while enabled. device_call answers the point's live sample (404 "no sample yet!");
 * device_ctrl refuses with 400 "formula points are computed, not written". Main context only
 * (no_link). */
#define DC_TYPE_FORMULA_DRIVER (dc_formula_driver_get_type ())

G_DECLARE_FINAL_TYPE (DcFormulaDriver, dc_formula_driver, DC, FORMULA_DRIVER, DcDriver)

DcDriver *dc_formula_driver_new      (void);
/* Registers the protocol `formula` (dc-protocol.h; idempotent). */
void      dc_formula_driver_register (void);

G_END_DECLS
