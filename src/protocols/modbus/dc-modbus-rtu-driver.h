/* dc-modbus-rtu-driver.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-driver.h"

G_BEGIN_DECLS

#define DC_TYPE_MODBUS_RTU_DRIVER (dc_modbus_rtu_driver_get_type ())

G_DECLARE_FINAL_TYPE (DcModbusRtuDriver, dc_modbus_rtu_driver, DC, MODBUS_RTU_DRIVER, DcDriver)

/* The modbus_rtu driver: libmodbus on a worker thread per serial line; units polled in turn;
 * a unit that does not answer goes down alone (dc_driver_set_term_link_state). */
DcDriver *dc_modbus_rtu_driver_new (void);

G_END_DECLS
