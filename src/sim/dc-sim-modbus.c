/* dc-sim-modbus.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "datacoll-sim"

#include "config.h"

#include <glib.h>

#include "dc-sim.h"

int
dc_sim_modbus_main (int argc, char **argv)
{
  g_printerr ("datacoll-sim modbus: not built yet\n");
  return 2;
}
