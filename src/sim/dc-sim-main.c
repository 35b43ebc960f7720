/* dc-sim-main.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * datacoll-sim: field simulators. Each protocol lives in its own file.
 */

#define G_LOG_DOMAIN "datacoll-sim"

#include "config.h"

#include <string.h>
#include <glib.h>

#include "dc-sim.h"

int
main (int   argc,
      char *argv[])
{
  if (argc >= 2 && strcmp (argv[1], "modbus") == 0)
    return dc_sim_modbus_main (argc - 1, argv + 1);
  if (argc >= 2 && strcmp (argv[1], "iec104") == 0)
    return dc_sim_iec104_main (argc - 1, argv + 1);
  if (argc >= 2 && strcmp (argv[1], "--version") == 0)
    {
      g_print ("datacoll-sim %s\n", PACKAGE_VERSION);
      return 0;
    }

  g_printerr ("Usage: datacoll-sim modbus|iec104 [OPTION…]\n"
              "Run 'datacoll-sim modbus --help' or 'datacoll-sim iec104 --help' for the options.\n");
  return argc >= 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0) ? 0 : 2;
}
