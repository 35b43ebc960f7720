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

typedef struct
{
  gint64  key;
  char   *label;
  char   *unit;
  GArray *buckets;   /* DcTrendBucket, sorted by start */
} Series;

struct _DcTrendView
{
  GtkWidget  parent_instance;

  GPtrArray *series;

  gint64     end;
  gint64     span;
  gint64     drag_end;
  guint      follow : 1;

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

/* dc-trend-view-draw.c */
void _dc_trend_view_snapshot (GtkWidget   *widget,
                              GtkSnapshot *snapshot);

G_END_DECLS
