/* dc-sparkplug-status.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* The Sparkplug B edge node on the Device page (docs/sparkplug.md, "Status"): link state,
 * broker, primary host, and the counters (births, reconnects, values sent, queued, replayed,
 * dropped). Read from the "sparkplug" status section (dc-status-section.h) every second while
 * mapped; hidden when the edge node does not run. */
#define DC_TYPE_SPARKPLUG_STATUS (dc_sparkplug_status_get_type ())

G_DECLARE_FINAL_TYPE (DcSparkplugStatus, dc_sparkplug_status, DC, SPARKPLUG_STATUS,
                      AdwPreferencesGroup)

GtkWidget  *dc_sparkplug_status_new      (void);
void        dc_sparkplug_status_refresh  (DcSparkplugStatus *self);
/* The text shown for a member of the section ("state", "queued", …), or NULL (tests). */
const char *dc_sparkplug_status_get_text (DcSparkplugStatus *self,
                                          const char        *key);

G_END_DECLS
