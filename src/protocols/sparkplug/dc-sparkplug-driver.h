/* dc-sparkplug-driver.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-driver.h"

G_BEGIN_DECLS

/* The southbound `sparkplug` device protocol (docs/sparkplug.md, "Southbound"): a device is
 * one Sparkplug edge node on one MQTT broker. Its points are learnt from the node's births
 * (created or updated in the store), its values come with DATA by alias, NDEATH marks it
 * offline and DDEATH the terms of that Sparkplug device, a seq gap asks for a rebirth, and a
 * control is a DCMD (NCMD for the node's own metrics) confirmed by the next DATA of the metric.
 * Main thread, as every driver. */
#define DC_TYPE_SPARKPLUG_DRIVER (dc_sparkplug_driver_get_type ())

G_DECLARE_FINAL_TYPE (DcSparkplugDriver, dc_sparkplug_driver, DC, SPARKPLUG_DRIVER, DcDriver)

DcDriver *dc_sparkplug_driver_new      (void);
/* Registers the `sparkplug` protocol (descriptor and driver). */
void      dc_sparkplug_driver_register (void);

G_END_DECLS
