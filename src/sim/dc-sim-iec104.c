/* dc-sim-iec104.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "datacoll-sim"

#include "config.h"

#include <glib.h>

#include "dc-sim.h"

int
dc_sim_iec104_main (int argc, char **argv)
{
  g_printerr ("datacoll-sim iec104: not built yet\n");
  return 2;
}
