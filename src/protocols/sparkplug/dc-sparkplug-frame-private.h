/* dc-sparkplug-frame-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The southbound sparkplug driver's traffic frames (docs/sparkplug.md, "Traffic"): each message
 * is kept as the MQTT 3.1.1 PUBLISH packet that carries it (fixed header, remaining length,
 * topic, packet id for QoS 1 and 2, payload), rebuilt from what libmosquitto hands over, and
 * decoded from there for GET …/frames and the traffic view. Any thread. */

/* The PUBLISH packet of @topic and @payload; @mid is used for QoS 1 and 2. */
guint8 *dc_sparkplug_frame_build    (const char    *topic,
                                     const guint8  *payload,
                                     gsize          payload_len,
                                     int            qos,
                                     gboolean       retain,
                                     int            mid,
                                     gsize         *len);
/* The summary ("DDATA Plant/edge1/plc seq 7: 3 metrics"), and the payload decoded as JSON:
 * type_name, topic, group_id, edge_node_id, device_id, timestamp, seq and the metrics (name,
 * alias, datatype, value or null, historical) — the first 64; metrics_total counts all. */
char   *dc_sparkplug_frame_decode   (const guint8  *bytes,
                                     gsize          len,
                                     JsonObject   **decoded,
                                     char         **error);
/* The traffic view's notes (dc-protocol.h describe_frame): the MQTT header fields, the topic,
 * then the payload's top-level protobuf fields. */
void    dc_sparkplug_frame_describe (const guint8  *bytes,
                                     gsize          len,
                                     const char    *kind,
                                     gsize         *offset,
                                     GString       *out);

G_END_DECLS
