/* dc-modbus.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-modbus"

#include "config.h"

#include "dc-modbus.h"

#include "dc-driver.h"
#include "dc-modbus-rtu-driver.h"
#include "dc-modbus-tcp-driver.h"

void
dc_modbus_register_drivers (void)
{
  dc_driver_register_protocol ("modbus_tcp", dc_modbus_tcp_driver_new);
  dc_driver_register_protocol ("modbus_rtu", dc_modbus_rtu_driver_new);
}
