/* dc-traffic-item.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* One decoded traffic frame in the monitor (immutable except its status, which a later frame
 * may turn into "no answer"). */
typedef enum
{
  DC_TRAFFIC_OK,
  DC_TRAFFIC_ERROR,      /* decode error, Modbus exception, IEC 104 cause 44–47 */
  DC_TRAFFIC_NEGATIVE,   /* IEC 104 negative confirmation (P/N = 1) */
  DC_TRAFFIC_TIMEOUT,    /* a request that got no answer before the next one */
} DcTrafficStatus;

#define DC_TYPE_TRAFFIC_ITEM (dc_traffic_item_get_type ())

G_DECLARE_FINAL_TYPE (DcTrafficItem, dc_traffic_item, DC, TRAFFIC_ITEM, GObject)

guint64          dc_traffic_item_get_seq      (DcTrafficItem *self);
gint64           dc_traffic_item_get_time     (DcTrafficItem *self);
gboolean         dc_traffic_item_get_incoming (DcTrafficItem *self);
const char      *dc_traffic_item_get_summary  (DcTrafficItem *self);
/* The filter type: Modbus function name, IEC 104 type name or "S"/"U" frame. */
const char      *dc_traffic_item_get_kind     (DcTrafficItem *self);
DcTrafficStatus  dc_traffic_item_get_status   (DcTrafficItem *self);
const guint8    *dc_traffic_item_get_bytes    (DcTrafficItem *self,
                                               gsize         *len);
/* The frame's time, direction and summary, then its bytes, one annotated line per field (the
 * objects are in dc-traffic-item-objects.h). */
char            *dc_traffic_item_dup_detail   (DcTrafficItem *self);

G_END_DECLS
