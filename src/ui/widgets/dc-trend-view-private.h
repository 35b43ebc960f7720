/* dc-trend-view-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-trend-view.h"

G_BEGIN_DECLS

/* DcTrendView is split by concern: dc-trend-view.c (data, range, input, public API) and
 * dc-trend-view-draw.c (the snapshot), which only reads the struct below. */

#define MIN_SPAN ((gint64) 10 * G_USEC_PER_SEC)
#define MAX_SPAN ((gint64) 31 * 24 * (gint64) 3600 * G_USEC_PER_SEC)
#define LEFT_MARGIN 64
#define BOTTOM_MARGIN 24
#define TOP_MARGIN 8
#define RIGHT_MARGIN 12
#define AXIS_WIDTH 64      /* each value axis after the first */
#define MAX_AXES 4

typedef struct
{
  gint64     key;
  char      *label;
  char      *unit;
  GArray    *buckets;      /* DcTrendBucket, sorted by start */
  GArray    *state_values; /* double; NULL: an analog pen */
  GPtrArray *state_texts;  /* char *, the text of each state value */
  int        group;        /* index in groups: the pens of one unit share an axis */
} Series;

struct _DcTrendView
{
  GtkWidget  parent_instance;

  GPtrArray *series;
  GPtrArray *groups;       /* char *: the unit of each value axis, in order of first use */

  gint64     end;
  gint64     span;
  gint64     drag_end;
  guint      follow : 1;
  guint      draw_legend : 1;

  guint      tick_id;
  guint      range_changed_id;
};

/* The shown range [from, to) in µs; a following view moves its end to now first. */
static inline void
_dc_trend_view_range (DcTrendView *self,
                      gint64      *from,
                      gint64      *to)
{
  if (self->follow)
    self->end = MAX (self->end, g_get_real_time ());
  *to = self->end;
  *from = self->end - self->span;
}

/* The unit of axis @group as shown ("" without unit, the state texts of a state axis). */
static inline const char *
_dc_trend_view_axis_unit (DcTrendView *self,
                          guint        group)
{
  const char *key = g_ptr_array_index (self->groups, group);

  return key[0] == '\1' ? key + 1 : key;
}

/* The plot area's horizontal margins: one value axis per unit (the second on the right). */
static inline void
_dc_trend_view_margins (DcTrendView *self,
                        double      *left,
                        double      *right)
{
  guint n = MIN (self->groups->len, MAX_AXES);

  *left = LEFT_MARGIN + (n > 2 ? AXIS_WIDTH : 0);
  *right = n > 1 ? AXIS_WIDTH + (n > 3 ? AXIS_WIDTH : 0) : RIGHT_MARGIN;
}

/* dc-trend-view-draw.c */
void _dc_trend_view_snapshot (GtkWidget   *widget,
                              GtkSnapshot *snapshot);
/* The colour of the pen at @index. */
const GdkRGBA *_dc_trend_view_color (guint index);

G_END_DECLS
