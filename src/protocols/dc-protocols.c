/* dc-protocols.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-protocols"

#include "config.h"

#include "dc-protocols.h"

#include "dc-iec104-driver.h"
#include "dc-modbus.h"

void
dc_protocols_register_all (void)
{
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      dc_modbus_register_drivers ();
      dc_iec104_driver_register ();
      g_once_init_leave (&initialized, 1);
    }
}
