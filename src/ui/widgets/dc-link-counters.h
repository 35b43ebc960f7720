/* dc-link-counters.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

#include "dc-plant-source.h"

G_BEGIN_DECLS

/* The link counters of one device on the Device page: frames and bytes in/out, reconnects,
 * and the protocol's own counters (IEC 104: t1 timeouts, k/w use, …; Modbus: requests,
 * exceptions, timeouts, response-time histogram). Refreshed every second while mapped, through
 * the plant connection (this process's drivers, or GET /api/v1/devices/{id}/status): the one
 * source of the device's counters in the workstation. ::updated is emitted after each reading. */
#define DC_TYPE_LINK_COUNTERS (dc_link_counters_get_type ())

G_DECLARE_FINAL_TYPE (DcLinkCounters, dc_link_counters, DC, LINK_COUNTERS, AdwPreferencesGroup)

GtkWidget  *dc_link_counters_new         (void);
void        dc_link_counters_set_source  (DcLinkCounters *self,
                                          DcPlantSource  *source,
                                          const char     *device_id);
void        dc_link_counters_refresh     (DcLinkCounters *self);
/* The text shown for a counter ("frames_in", "t1_timeouts", …), or NULL (tests). */
const char *dc_link_counters_get_text    (DcLinkCounters *self,
                                          const char     *key);

G_END_DECLS
