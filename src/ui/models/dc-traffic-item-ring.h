/* dc-traffic-item-ring.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>

#include "dc-traffic-item.h"

G_BEGIN_DECLS

/* The Traffic page's frames (docs/ui-traffic.md "The list"): a bounded ring of DcTrafficItem
 * shown newest first as a GListModel. New frames go in at position 0 and the oldest leave at
 * the end, announced one of two ways:
 *
 * - moved (@rotate FALSE): items-changed at 0 for the new frames and at the end for the ones
 *   that left, as any list model — a list view keeps its rows on their frames (the user reads
 *   older frames while new ones come);
 * - rotated (@rotate TRUE): only the change of length is announced (at the end), and
 *   ::rotated (guint shift) says that every position now holds the frame that was @shift
 *   positions higher. A list view following the newest frames then keeps all its row widgets
 *   (GTK 4.8 creates a row widget per item inserted near the visible rows and never reuses one
 *   for another item); its owner refreshes what the rows show by position
 *   (dc_traffic_ring_peek()). Main thread. */
#define DC_TYPE_TRAFFIC_RING (dc_traffic_ring_get_type ())

G_DECLARE_FINAL_TYPE (DcTrafficRing, dc_traffic_ring, DC, TRAFFIC_RING, GObject)

DcTrafficRing *dc_traffic_ring_new          (guint           capacity);
guint          dc_traffic_ring_get_capacity (DcTrafficRing  *self);
/* Drops the oldest frames beyond @capacity (announced as moved). */
void           dc_traffic_ring_set_capacity (DcTrafficRing  *self,
                                             guint           capacity);
/* The rows of the ring for a list view: a GListModel as long as the ring, announced with it,
 * whose items are one opaque object per row (a list view must not see the same item at two
 * positions, as a rotation would show it frames). While the ring rotates, the row objects
 * keep their positions; moved, they move with their frames. Show a row's frame with
 * dc_traffic_ring_peek() at the row's position. */
GListModel    *dc_traffic_ring_get_rows     (DcTrafficRing  *self);
/* The frame at @position (0 = newest), borrowed; NULL past the end. */
DcTrafficItem *dc_traffic_ring_peek         (DcTrafficRing  *self,
                                             guint           position);
/* Adds @n_items frames (oldest first; references taken) as the newest, after dropping the
 * @n_drop oldest; the oldest beyond the capacity leave too. The frames that left are appended
 * to @dropped (nullable), oldest first. */
void           dc_traffic_ring_push         (DcTrafficRing  *self,
                                             DcTrafficItem **items,
                                             guint           n_items,
                                             guint           n_drop,
                                             gboolean        rotate,
                                             GPtrArray      *dropped);
/* Replaces everything with @n_items frames, oldest first (references taken). */
void           dc_traffic_ring_replace      (DcTrafficRing  *self,
                                             DcTrafficItem **items,
                                             guint           n_items);

G_END_DECLS
