/* dc-device-node.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>

#include "dc-point-row.h"

G_BEGIN_DECLS

typedef enum
{
  DC_NODE_DEVICE,
  DC_NODE_TERM,
} DcNodeKind;

typedef enum
{
  DC_NODE_LINK_UNKNOWN,
  DC_NODE_LINK_CONNECTING,
  DC_NODE_LINK_UP,
  DC_NODE_LINK_DOWN,
  DC_NODE_LINK_DISABLED,
} DcNodeLink;

/* A device or a term in the device tree. A device's children are its terms (DcDeviceNode),
 * a term's children are its points (DcPointRow). Both keep their children sorted in the
 * store's natural order and update them in place. */
#define DC_TYPE_DEVICE_NODE (dc_device_node_get_type ())

G_DECLARE_FINAL_TYPE (DcDeviceNode, dc_device_node, DC, DEVICE_NODE, GObject)

DcDeviceNode *dc_device_node_new              (DcNodeKind    kind,
                                               const char   *id);
DcNodeKind    dc_device_node_get_kind         (DcDeviceNode *self);
const char   *dc_device_node_get_id           (DcDeviceNode *self);
void          dc_device_node_set_id           (DcDeviceNode *self,
                                               const char   *id);
const char   *dc_device_node_get_name         (DcDeviceNode *self);
void          dc_device_node_set_name         (DcDeviceNode *self,
                                               const char   *name);
const char   *dc_device_node_get_protocol     (DcDeviceNode *self);
void          dc_device_node_set_protocol     (DcDeviceNode *self,
                                               const char   *protocol);
/* The device a term belongs to (NULL for devices). */
const char   *dc_device_node_get_device_id    (DcDeviceNode *self);
void          dc_device_node_set_device_id    (DcDeviceNode *self,
                                               const char   *device_id);
DcNodeLink   dc_device_node_get_state        (DcDeviceNode *self);
void          dc_device_node_set_state        (DcDeviceNode *self,
                                               DcNodeLink   state);
const char   *dc_device_node_get_last_error   (DcDeviceNode *self);
void          dc_device_node_set_last_error   (DcDeviceNode *self,
                                               const char   *last_error);
/* Icon name and words for the link state. */
const char   *dc_device_node_get_state_icon   (DcDeviceNode *self);
const char   *dc_device_node_get_state_text   (DcDeviceNode *self);
/* Terms of a device or points of a term. */
GListStore   *dc_device_node_get_children     (DcDeviceNode *self);
/* Every point under this node (a term's points, or all terms' points flattened). */
GListModel   *dc_device_node_get_points       (DcDeviceNode *self);
guint         dc_device_node_get_n_points     (DcDeviceNode *self);
/* Call after changing a term's point list so that counts follow. */
void          dc_device_node_points_changed   (DcDeviceNode *self);

/* Inserts @item into @store keeping natural order of @id_func's ids. */
void          dc_list_store_insert_natural    (GListStore   *store,
                                               gpointer      item,
                                               const char *(*id_func) (gpointer));
gboolean      dc_list_store_find_id           (GListStore   *store,
                                               const char   *id,
                                               const char *(*id_func) (gpointer),
                                               guint        *position);
/* Active alarms of the device and its points and the highest priority among them. */
void          dc_device_node_set_alarms          (DcDeviceNode *self,
                                                  guint         n,
                                                  const char   *priority);
guint         dc_device_node_get_n_alarms        (DcDeviceNode *self);
const char   *dc_device_node_get_alarm_priority  (DcDeviceNode *self);

G_END_DECLS
