/* dc-window.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

#include "dc-alarms-page.h"
#include "dc-audit-page.h"
#include "dc-device-tree.h"
#include "dc-link-counters.h"
#include "dc-plant-model.h"
#include "dc-plant-source.h"
#include "dc-point-table.h"
#include "dc-traffic-view.h"
#include "dc-trend-view.h"

G_BEGIN_DECLS

#define DC_TYPE_WINDOW (dc_window_get_type ())

/* The workstation's main window (docs/ui.md): the device tree beside the Points, Trend, Alarms,
 * Device and Traffic pages. Pages and widgets inside it never call the window: they activate
 * its actions (win.toast (s) shows a toast; win.add-device, win.edit, win.delete, win.control,
 * win.import, win.traffic, … are listed in dc-window-actions.c). */
G_DECLARE_FINAL_TYPE (DcWindow, dc_window, DC, WINDOW, AdwApplicationWindow)

DcWindow       *dc_window_new                 (GtkApplication *application);
DcPlantModel   *dc_window_get_plant           (DcWindow       *self);
/* The plant connection the dialogs, the trends and the controls go through (the application
 * sets it and attaches it to the plant model; docs/ui.md). Without one, a local connection
 * over the plant model's store and engine is used. The header and the connection banner
 * follow its state. */
void            dc_window_set_source          (DcWindow       *self,
                                               DcPlantSource  *source);
DcPlantSource  *dc_window_get_source          (DcWindow       *self);
void            dc_window_set_plant           (DcWindow       *self,
                                               DcPlantModel   *plant);
/* "127.0.0.1:8080" shown in the header bar (click to copy); NULL hides it. */
void            dc_window_set_rest_address    (DcWindow       *self,
                                               const char     *address);
const char     *dc_window_get_rest_address    (DcWindow       *self);
void            dc_window_add_toast           (DcWindow       *self,
                                               const char     *text);
/* Selects a device, term or point (DcDeviceNode or DcPointRow). */
gboolean        dc_window_select              (DcWindow       *self,
                                               gpointer        item);
/* "empty" or "plant". */
const char     *dc_window_get_page            (DcWindow       *self);
/* Shows the page "points", "trend", "alarms", "device" or "traffic". */
void            dc_window_set_view            (DcWindow       *self,
                                               const char     *name);
DcDeviceTree   *dc_window_get_device_tree     (DcWindow       *self);
DcPointTable   *dc_window_get_point_table     (DcWindow       *self);
DcTrendView    *dc_window_get_trend_view      (DcWindow       *self);
DcTrendView    *dc_window_get_mini_trend      (DcWindow       *self);
/* The Audit page (docs/ui-audit.md). */
DcAuditPage    *dc_window_get_audit_page      (DcWindow       *self);
/* The Alarms page: dc_alarms_page_set_alarm() gives it the alarm plugin. */
DcAlarmsPage   *dc_window_get_alarms_page     (DcWindow       *self);
/* The text of the detail pane's value label (tests). */
const char     *dc_window_get_detail_value    (DcWindow       *self);
/* The device the Traffic page and the link counters follow (the tree's selection). */
const char     *dc_window_get_device_id       (DcWindow       *self);
DcTrafficView  *dc_window_get_traffic_view    (DcWindow       *self);
DcLinkCounters *dc_window_get_link_counters   (DcWindow       *self);
/* The Device page's "Recent Controls" of the device (rows: AdwActionRow). */
GtkListBox     *dc_window_get_recent_controls (DcWindow       *self);

G_END_DECLS
