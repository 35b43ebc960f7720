/* dc-traffic-item-objects.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <json-glib/json-glib.h>

#include "dc-traffic-item.h"

G_BEGIN_DECLS

/* The objects of one traffic frame as the Traffic page's object table shows them
 * (docs/ui-traffic.md "Frame detail"), all texts: an IEC 104 ASDU's information objects (IOA,
 * type name, value with the point's state text, quality in words, time tag in local time) or
 * the registers and coils of a Modbus frame (address, table, value). */
typedef enum
{
  DC_TRAFFIC_COLUMN_ADDRESS,   /* "4001" (IOA), "hr 100" */
  DC_TRAFFIC_COLUMN_TYPE,      /* "M_ME_NC_1", "holding register" */
  DC_TRAFFIC_COLUMN_VALUE,     /* "230.5", "closed (2)", "1234 (0x04d2)" */
  DC_TRAFFIC_COLUMN_QUALITY,   /* "good", "invalid, not topical" */
  DC_TRAFFIC_COLUMN_TIME,      /* local time of the time tag, "" without one */
  DC_TRAFFIC_COLUMN_POINT,     /* the point's name at this address, "" when none */
  DC_TRAFFIC_N_COLUMNS
} DcTrafficColumn;

#define DC_TYPE_TRAFFIC_OBJECT (dc_traffic_object_get_type ())

G_DECLARE_FINAL_TYPE (DcTrafficObject, dc_traffic_object, DC, TRAFFIC_OBJECT, GObject)

const char *dc_traffic_object_get_text (DcTrafficObject *self,
                                        DcTrafficColumn  column);

/* The point configured at information object address @address of the IEC 104 station
 * (common address) @station: its name (borrowed) and states (nullable, borrowed); FALSE when there is none. */
typedef gboolean (*DcTrafficPointFunc) (gint64        station,
                                        gint64        address,
                                        const char  **name,
                                        JsonObject  **states,
                                        gpointer      user_data);

/* The objects of @item (DcTrafficObject), empty for frames without any (S and U frames,
 * requests). @lookup (nullable) names the IEC 104 points. */
GListModel *dc_traffic_item_build_objects (DcTrafficItem      *item,
                                           DcTrafficPointFunc  lookup,
                                           gpointer            user_data);
/* The title of @column, translated. */
const char *dc_traffic_column_title       (DcTrafficColumn     column);

G_END_DECLS
