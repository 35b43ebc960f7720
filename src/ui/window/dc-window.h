/* dc-window.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

#include "dc-alarms-page.h"
#include "dc-device-tree.h"
#include "dc-plant-model.h"
#include "dc-point-table.h"
#include "dc-trend-view.h"

G_BEGIN_DECLS

#define DC_TYPE_WINDOW (dc_window_get_type ())

G_DECLARE_FINAL_TYPE (DcWindow, dc_window, DC, WINDOW, AdwApplicationWindow)

DcWindow     *dc_window_new              (GtkApplication *application);
DcPlantModel *dc_window_get_plant        (DcWindow       *self);
void          dc_window_set_plant        (DcWindow       *self,
                                          DcPlantModel   *plant);
/* "127.0.0.1:8080" shown in the header bar (click to copy); NULL hides it. */
void          dc_window_set_rest_address (DcWindow       *self,
                                          const char     *address);
const char   *dc_window_get_rest_address (DcWindow       *self);
void          dc_window_add_toast        (DcWindow       *self,
                                          const char     *text);
/* Selects a device, term or point (DcDeviceNode or DcPointRow). */
gboolean      dc_window_select           (DcWindow       *self,
                                          gpointer        item);
/* "empty" or "plant". */
const char   *dc_window_get_page         (DcWindow       *self);
void          dc_window_set_view         (DcWindow       *self,
                                          const char     *name);
DcDeviceTree *dc_window_get_device_tree  (DcWindow       *self);
DcPointTable *dc_window_get_point_table  (DcWindow       *self);
DcTrendView  *dc_window_get_trend_view   (DcWindow       *self);
DcTrendView  *dc_window_get_mini_trend   (DcWindow       *self);
/* The Alarms page: dc_alarms_page_set_alarm() gives it the alarm plugin. */
DcAlarmsPage *dc_window_get_alarms_page  (DcWindow       *self);
/* The text of the detail pane's value label (tests). */
const char   *dc_window_get_detail_value (DcWindow       *self);

G_END_DECLS
