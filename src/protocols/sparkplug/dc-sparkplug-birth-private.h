/* dc-sparkplug-birth-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-model.h"
#include "dc-sparkplug-message.h"
#include "dc-store.h"

G_BEGIN_DECLS

/* What a central DataColl learns from an edge node's births (docs/sparkplug.md,
 * "Southbound"): each metric of an NBIRTH or DBIRTH becomes a point of the sparkplug device,
 * created (with its term and item) or updated in the store. Main thread. */

/* A metric's address, the point's protocol_code: "<device>/<metric>", or "/<metric>" for a
 * metric of the node itself (@sp_device NULL). */
char    *dc_sparkplug_address           (const char               *sp_device,
                                         const char               *metric);
/* The term and item of a metric on @device_id: the term is "<device_id>.<sp_device>" followed
 * by ".<folder>" for each folder of the metric name (the parts before its last '/'), the item
 * is the name's last part: metric "1/voltage" of Sparkplug device "plc" on device "edgeA" is
 * point edgeA.plc.1 : voltage. Characters an id may not have become '_'. FALSE when an id
 * would be longer than 64 characters or empty. */
gboolean dc_sparkplug_point_ids         (const char               *device_id,
                                         const char               *sp_device,
                                         const char               *metric,
                                         char                    **term_id,
                                         char                    **item_id);
/* TRUE for the metrics DataColl makes points of: a name, not bdSeq, not a Node Control or
 * Device Control metric, a number or Boolean datatype (or none with a number value). */
gboolean dc_sparkplug_metric_is_point   (const DcSparkplugValue   *value);

/* One metric of a birth after dc_sparkplug_birth_apply(). @key 0: no point (refused, see the
 * log). */
typedef struct
{
  char    *address;
  guint64  alias;
  guint32  datatype;
  gint64   key;
} DcSparkplugBorn;

/* Creates the items, terms and points that @message names and @known (address →
 * DcPointInfo of the device's current points) lacks, and updates a point's code_type (the
 * datatype) when it changed; an item created here gets the metric's unit. Returns
 * DcSparkplugBorn per metric that is a point, in the message's order; *@n_created counts the
 * points created. */
GArray  *dc_sparkplug_birth_apply       (DcStore                  *store,
                                         const char               *device_id,
                                         const char               *sp_device,
                                         const DcSparkplugMessage *message,
                                         GHashTable               *known,
                                         guint                    *n_created);

G_END_DECLS
