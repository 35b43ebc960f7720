/* dc-modbus-tcp-driver.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-driver.h"

G_BEGIN_DECLS

#define DC_TYPE_MODBUS_TCP_DRIVER (dc_modbus_tcp_driver_get_type ())

G_DECLARE_FINAL_TYPE (DcModbusTcpDriver, dc_modbus_tcp_driver, DC, MODBUS_TCP_DRIVER, DcDriver)

/* The modbus_tcp driver: our own non-blocking MBAP client on the driver's I/O context. */
DcDriver *dc_modbus_tcp_driver_new (void);

G_END_DECLS
