/* dc-protocols.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-protocols"

#include "config.h"

#include "dc-protocols.h"

#include "dc-formula-driver.h"
#include "dc-iec104-driver.h"
#include "dc-modbus.h"
#include "dc-virtual-driver.h"
#if HAVE_SPARKPLUG
#include "dc-sparkplug-driver.h"
#endif

void
dc_protocols_register_all (void)
{
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      /* This order is the order of the store's "field protocol must be one of …" and of the
       * REST catalogues; the edit forms' protocol list follows each descriptor's ui_order. */
      dc_iec104_driver_register ();
      dc_modbus_register_drivers ();
      dc_virtual_driver_register ();
      dc_formula_driver_register ();
#if HAVE_SPARKPLUG
      dc_sparkplug_driver_register ();
#endif
      g_once_init_leave (&initialized, 1);
    }
}
