/* dc-workbench.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-window.h"
#include "dc-link-counters.h"
#include "dc-traffic-view.h"

G_BEGIN_DECLS

/* Part 2 of the workstation, hooked into the main window: the Traffic page, the link counters
 * on the Device page, and the engineering actions (edit, delete, duplicate, import/export,
 * control). Called once from the window's init. */
void            dc_workbench_attach            (DcWindow   *window);

/* The device the Traffic page and the link counters follow (the tree's selection). */
const char     *dc_workbench_get_device_id     (DcWindow   *window);
void            dc_workbench_set_device_id     (DcWindow   *window,
                                                const char *device_id);
DcTrafficView  *dc_workbench_get_traffic_view  (DcWindow   *window);
DcLinkCounters *dc_workbench_get_link_counters (DcWindow   *window);
/* The Device page's "Recent Controls" of the device (rows: AdwActionRow). */
GtkListBox     *dc_workbench_get_recent_controls (DcWindow *window);

G_END_DECLS
