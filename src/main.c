/* main.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "datacoll"

#include "config.h"

#include <glib.h>

int
main (int   argc,
      char *argv[])
{
  g_print ("datacoll %s\n", PACKAGE_VERSION);
  return 0;
}
