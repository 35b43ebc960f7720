/* dc-sparkplug-node.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib-object.h>

#include "dc-engine.h"
#include "dc-sparkplug-settings.h"

G_BEGIN_DECLS

/* The Sparkplug B edge node (docs/sparkplug.md): publishes the engine's devices and points to
 * an MQTT broker. One Sparkplug device per DataColl device, one metric per point (name
 * "<term>/<item>", alias = the point's key). NBIRTH with bdSeq (NDEATH is the MQTT will),
 * DBIRTH of every device whose link is up, DDATA of the changed values of each engine batch,
 * DDEATH/DBIRTH when a link goes down/up or a device's points change, a rebirth on NCMD
 * `Node Control/Rebirth`, DCMD → device_ctrl (user `mqtt`) with the confirmed value published
 * back. It follows the engine through its listener contract only (::samples, the drivers'
 * ::device-changed, the store's ::changed). Main thread only; libmosquitto's thread never
 * touches the engine. */
#define DC_TYPE_SPARKPLUG_NODE (dc_sparkplug_node_get_type ())

G_DECLARE_FINAL_TYPE (DcSparkplugNode, dc_sparkplug_node, DC, SPARKPLUG_NODE, GObject)

/* @settings is copied. */
DcSparkplugNode *dc_sparkplug_node_new   (DcEngine                  *engine,
                                          const DcSparkplugSettings *settings);
/* Opens the store-and-forward queue (settings' queue_path, when set), provides the
 * "sparkplug" status section, connects in the background and publishes from the first session
 * on. FALSE when the queue file or the TLS CA file cannot be used. */
gboolean         dc_sparkplug_node_start (DcSparkplugNode           *self,
                                          GError                   **error);

G_END_DECLS
