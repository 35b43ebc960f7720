/* dc-traffic-view-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-traffic-feed.h"
#include "dc-traffic-item-objects.h"
#include "dc-traffic-item-private.h"
#include "dc-traffic-item-ring.h"
#include "dc-traffic-view.h"

G_BEGIN_DECLS

/* DcTrafficView is split by concern (docs/ui-traffic.md), sharing this struct:
 *   dc-traffic-view.c         the widget, its feed and the list (two rings of
 *                             dc-traffic-item-ring.h: all frames and the filtered ones), filters,
 *                             the public API
 *   dc-traffic-view-cells.c   the frame list's columns
 *   dc-traffic-view-detail.c  the selected frame: header, object table, annotated bytes, and
 *                             the link counters line
 *   dc-traffic-view-export.c  export as text and pcap
 *   dc-traffic-view-points.c  the points a Modbus frame covers, in its row
 * The other files never call back into dc-traffic-view.c but through the functions below. */
struct _DcTrafficView
{
  GtkWidget           parent_instance;

  /* Template children */
  GtkWidget          *box;
  GtkToggleButton    *pause_button;
  GtkSearchEntry     *filter_entry;
  GtkDropDown        *type_dropdown;
  GtkDropDown        *direction_dropdown;
  GtkToggleButton    *problems_button;
  GtkLabel           *count_label;
  GtkLabel           *link_label;
  GtkScrolledWindow  *scroller;
  GtkColumnView      *column_view;
  GtkLabel           *detail_header;
  GtkWidget          *objects_scroller;
  GtkPaned           *detail_paned;
  GtkWidget          *detail_scroller;
  GtkColumnView      *objects_view;
  GtkTextView        *detail_view;

  /* Owned */
  DcPlantSource      *source;
  DcPlantModel       *plant;
  char               *device_id;
  DcTrafficFeed      *feed;
  gboolean            feed_given;     /* dc_traffic_view_set_feed(): no plant connection */
  gboolean            joined;         /* the feed's first frames were taken */
  gboolean            stay_at_top;    /* a batch went in above the top row while following */
  GdkFrameClock      *clock;          /* while mapped */
  gulong              layout_id;
  guint64             missed;
  guint               max_frames;
  guint               tick_id;
  guint               link_id;
  DcTrafficRing      *all;            /* every frame kept, newest first */
  DcTrafficRing      *shown;          /* those the filters let through */
  GtkSingleSelection *selection;
  GHashTable         *bound;          /* GtkListItem of the frame list → its column */
  DcTrafficItem      *detail_item;    /* the frame the detail shows */
  GtkStringList      *types;
  GHashTable         *seen_types;
  GHashTable         *pending;        /* Modbus transaction id → request without answer */
  GListStore         *objects;        /* DcTrafficObject of the selected frame */
  GHashTable         *points;         /* (CA << 24 | IOA) → PointName, built when needed */
  gint64              points_built;
  /* dc-traffic-view-points.c */
  GHashTable         *modbus_ranges;  /* "unit/table" → point ranges, built when needed */
  GHashTable         *modbus_plans;   /* "unit/table/first/count" → text (NULL: no point) */
  gint64              modbus_built;
  guint               modbus_generation;

  char               *filter_text;
  int                 direction;
  gboolean            problems_only;
  char               *type_filter;
};

/* dc-traffic-view-cells.c */
void     _dc_traffic_view_add_columns   (DcTrafficView *self);
/* Shows the frames at the rows' positions now (after a rotation, a status change). */
void     _dc_traffic_view_refresh_rows  (DcTrafficView *self);
void     _dc_traffic_view_add_object_columns (DcTrafficView *self);

/* dc-traffic-view-detail.c */
void     _dc_traffic_view_init_detail   (DcTrafficView *self);
void     _dc_traffic_view_update_detail (DcTrafficView *self);
/* Forgets the point names (another device, a configuration change). */
void     _dc_traffic_view_clear_points  (DcTrafficView *self);
/* Reads the feed's link counters into the line above the list. */
void     _dc_traffic_view_update_link   (DcTrafficView *self);

/* dc-traffic-view-points.c */
/* What the row of @item says: its summary, for Modbus with the points it covers. Borrowed. */
const char *_dc_traffic_view_row_text   (DcTrafficView *self,
                                         DcTrafficItem *item);
/* Forgets the point ranges (another device, a configuration change). */
void     _dc_traffic_view_clear_modbus_points (DcTrafficView *self);

/* dc-traffic-view-export.c */
void     _dc_traffic_view_class_init_export (GtkWidgetClass *widget_class);
gboolean _dc_traffic_view_write_text    (DcTrafficView *self,
                                         GFile         *file,
                                         GError       **error);
gboolean _dc_traffic_view_write_pcap    (DcTrafficView *self,
                                         GFile         *file,
                                         GError       **error);

G_END_DECLS
