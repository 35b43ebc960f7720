/* dc-trend-view.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* One decimated history bucket: [start, end) in µs since the epoch. */
typedef struct
{
  gint64 start;
  gint64 end;
  double min;
  double max;
  double avg;
  guint  count;
} DcTrendBucket;

/* A trend chart of one or several points: per bucket a min/max band and the average line,
 * time and value axes with round ticks, zoom (scroll, +/-), pan (drag, arrows) and live
 * follow (End). Data is pushed in: the owner answers ::range-changed with buckets queried off
 * the main thread and appends live samples as they arrive. */
#define DC_TYPE_TREND_VIEW (dc_trend_view_get_type ())

G_DECLARE_FINAL_TYPE (DcTrendView, dc_trend_view, DC, TREND_VIEW, GtkWidget)

GtkWidget *dc_trend_view_new           (void);
/* Adds a series (no-op when @key is shown already). */
void       dc_trend_view_add_series    (DcTrendView         *self,
                                        gint64               key,
                                        const char          *label,
                                        const char          *unit);
void       dc_trend_view_clear_series  (DcTrendView         *self);
guint      dc_trend_view_get_n_series  (DcTrendView         *self);
gint64     dc_trend_view_get_series_key (DcTrendView        *self,
                                        guint                index);
/* Replaces the buckets of a series. */
void       dc_trend_view_set_buckets   (DcTrendView         *self,
                                        gint64               key,
                                        const DcTrendBucket *buckets,
                                        guint                n_buckets);
guint      dc_trend_view_get_n_buckets (DcTrendView         *self,
                                        gint64               key);
/* A live sample: extends the newest bucket or starts a new one. */
void       dc_trend_view_add_sample    (DcTrendView         *self,
                                        gint64               key,
                                        gint64               time,
                                        double               value);
/* The shown range: [end - span, end) in µs. */
void       dc_trend_view_get_range     (DcTrendView         *self,
                                        gint64              *from,
                                        gint64              *to);
gint64     dc_trend_view_get_span      (DcTrendView         *self);
void       dc_trend_view_set_span      (DcTrendView         *self,
                                        gint64               span_us);
void       dc_trend_view_set_end       (DcTrendView         *self,
                                        gint64               end_us);
gboolean   dc_trend_view_get_follow    (DcTrendView         *self);
void       dc_trend_view_set_follow    (DcTrendView         *self,
                                        gboolean             follow);
void       dc_trend_view_zoom          (DcTrendView         *self,
                                        double               factor);
void       dc_trend_view_pan           (DcTrendView         *self,
                                        double               fraction);
/* How many buckets a query for the current width should ask for. */
guint      dc_trend_view_get_wanted_buckets (DcTrendView    *self);
/* "time,point,min,max,avg,count" rows of the shown range. */
char      *dc_trend_view_to_csv        (DcTrendView         *self);

/* Round tick steps (exposed for tests). */
double     dc_trend_nice_step          (double               range,
                                        guint                max_ticks);
gint64     dc_trend_time_step          (gint64               span_us,
                                        guint                max_ticks);

G_END_DECLS
