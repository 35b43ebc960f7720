/* dc-traffic-view.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

#include "dc-plant-source.h"
#include "dc-traffic-item.h"

G_BEGIN_DECLS

/* The Traffic page (docs/ui-traffic.md): the live decoded frames of one device (bounded,
 * coalesced) through the plant connection, local or remote, with pause/resume, filters, clear,
 * export to text and pcap, the selected frame's objects and bytes, and the link counters. */
#define DC_TYPE_TRAFFIC_VIEW (dc_traffic_view_get_type ())

G_DECLARE_FINAL_TYPE (DcTrafficView, dc_traffic_view, DC, TRAFFIC_VIEW, GtkWidget)

GtkWidget   *dc_traffic_view_new            (void);
/* Follows the traffic of @device_id through @source (NULL: nothing); @plant (nullable) names
 * the points of the object table. */
void         dc_traffic_view_set_source     (DcTrafficView *self,
                                             DcPlantSource *source,
                                             DcPlantModel  *plant,
                                             const char    *device_id);
const char  *dc_traffic_view_get_device_id  (DcTrafficView *self);
/* Follows @feed directly, without a plant connection (benchmarks); NULL: nothing. */
void         dc_traffic_view_set_feed       (DcTrafficView *self,
                                             DcTrafficFeed *feed);
/* Most frames kept (default 5000); older ones leave the list. */
void         dc_traffic_view_set_max_frames (DcTrafficView *self,
                                             guint          max_frames);
void         dc_traffic_view_set_paused     (DcTrafficView *self,
                                             gboolean       paused);
gboolean     dc_traffic_view_get_paused     (DcTrafficView *self);
void         dc_traffic_view_set_filter     (DcTrafficView *self,
                                             const char    *text,
                                             int            direction, /* 0 all, 1 tx, 2 rx */
                                             gboolean       problems_only);
/* Shows only frames of @kind (a type seen so far, as in the drop-down; NULL: all types).
 * FALSE when no such type was seen. */
gboolean     dc_traffic_view_set_type_filter (DcTrafficView *self,
                                              const char    *kind);
void         dc_traffic_view_clear          (DcTrafficView *self);
/* Reads the feed now instead of at the next tick. */
void         dc_traffic_view_update         (DcTrafficView *self);
/* All frames kept / the frames shown (filtered), DcTrafficItem. */
GListModel  *dc_traffic_view_get_frames     (DcTrafficView *self);
GListModel  *dc_traffic_view_get_shown      (DcTrafficView *self);
/* A narrow window (docs/ui.md "Narrow windows"): the frame's objects above its bytes. */
void         dc_traffic_view_set_narrow     (DcTrafficView *self,
                                             gboolean       narrow);
/* Frames passed over before the view could show them (the ring dropped them, a flood). */
guint64      dc_traffic_view_get_missed     (DcTrafficView *self);
/* The object table of the selected frame (DcTrafficObject of dc-traffic-item-objects.h), and
 * the link counters line ("" before the feed told them). */
GListModel  *dc_traffic_view_get_objects    (DcTrafficView *self);
const char  *dc_traffic_view_get_link_text  (DcTrafficView *self);
/* Selects the frame at @position of the shown frames (GTK_INVALID_LIST_POSITION: none). */
void         dc_traffic_view_select         (DcTrafficView *self,
                                             guint          position);
gboolean     dc_traffic_view_export_text    (DcTrafficView *self,
                                             GFile         *file,
                                             GError       **error);
gboolean     dc_traffic_view_export_pcap    (DcTrafficView *self,
                                             GFile         *file,
                                             GError       **error);

G_END_DECLS
