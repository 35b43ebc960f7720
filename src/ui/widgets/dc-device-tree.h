/* dc-device-tree.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gtk/gtk.h>

#include "dc-plant-model.h"

G_BEGIN_DECLS

/* The sidebar: devices → terms → points with link state icons, point counts and a search
 * entry that filters as you type (matches and their parents stay, expanded). */
#define DC_TYPE_DEVICE_TREE (dc_device_tree_get_type ())

G_DECLARE_FINAL_TYPE (DcDeviceTree, dc_device_tree, DC, DEVICE_TREE, GtkWidget)

GtkWidget    *dc_device_tree_new            (void);
DcPlantModel *dc_device_tree_get_plant      (DcDeviceTree *self);
void          dc_device_tree_set_plant      (DcDeviceTree *self,
                                             DcPlantModel *plant);
/* ::row-activated: a row was activated (Enter, a double click).
 * The selected DcDeviceNode or DcPointRow, or NULL. */
GObject      *dc_device_tree_get_selected   (DcDeviceTree *self);
/* Selects the visible row showing @item (a DcDeviceNode or DcPointRow). */
gboolean      dc_device_tree_select         (DcDeviceTree *self,
                                             gpointer      item);
void          dc_device_tree_set_search     (DcDeviceTree *self,
                                             const char   *text);
void          dc_device_tree_focus_search   (DcDeviceTree *self);
/* Rows currently shown (GtkTreeListRow items). */
GListModel   *dc_device_tree_get_rows       (DcDeviceTree *self);

G_END_DECLS
