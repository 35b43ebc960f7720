/* dc-modbus.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-modbus"

#include "config.h"

#include "dc-modbus.h"

#include <sys/resource.h>

#include "dc-driver.h"
#include "dc-modbus-rtu-driver.h"
#include "dc-modbus-tcp-driver.h"

void
dc_modbus_register_drivers (void)
{
  dc_driver_register_protocol ("modbus_tcp", dc_modbus_tcp_driver_new);
  dc_driver_register_protocol ("modbus_rtu", dc_modbus_rtu_driver_new);
}

void
dc_modbus_raise_nofile_limit (void)
{
  struct rlimit rl;

  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max)
    {
      rl.rlim_cur = rl.rlim_max;
      if (setrlimit (RLIMIT_NOFILE, &rl) != 0)
        g_debug ("cannot raise RLIMIT_NOFILE");
    }
}
