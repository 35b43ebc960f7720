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
  double last;    /* the newest sample of the bucket (state pens are drawn as steps of it) */
} DcTrendBucket;

/* A trend chart of one or several points (pens): per bucket a min/max band and the average
 * line, state pens as steps, time and value axes with round ticks, zoom (scroll, +/-), pan
 * (drag, arrows) and live follow (End). Pens are grouped by unit, one value axis per unit:
 * the first unit on the left, the second on the right, a third and a fourth outside them;
 * more units are scaled to fit without an axis (a note says so). State pens have their own
 * axis with the state texts. Data is pushed in: the owner answers ::range-changed with
 * buckets queried off the main thread and appends live samples as they arrive; the pens
 * changing is told by ::series-changed. */
#define DC_TYPE_TREND_VIEW (dc_trend_view_get_type ())

G_DECLARE_FINAL_TYPE (DcTrendView, dc_trend_view, DC, TREND_VIEW, GtkWidget)

GtkWidget *dc_trend_view_new           (void);
/* Adds a series (no-op when @key is shown already). */
void       dc_trend_view_add_series    (DcTrendView         *self,
                                        gint64               key,
                                        const char          *label,
                                        const char          *unit);
void       dc_trend_view_clear_series  (DcTrendView         *self);
/* Removes one pen (no-op when @key is not shown). */
void       dc_trend_view_remove_series (DcTrendView         *self,
                                        gint64               key);
gboolean   dc_trend_view_has_series    (DcTrendView         *self,
                                        gint64               key);
/* Makes the pen a state pen: drawn as steps, its axis labelled with @texts at @values. */
void       dc_trend_view_set_series_states (DcTrendView     *self,
                                        gint64               key,
                                        const double        *values,
                                        const char * const  *texts,
                                        guint                n_states);
const char *dc_trend_view_get_series_label (DcTrendView     *self,
                                        guint                index);
const char *dc_trend_view_get_series_unit (DcTrendView      *self,
                                        guint                index);
void       dc_trend_view_get_series_color (DcTrendView      *self,
                                        guint                index,
                                        GdkRGBA             *color);
/* The value axes: how many are drawn (0–4), the axis of a pen (0 left, 1 right, 2 outer
 * left, 3 outer right, -1 none: a fifth unit and more), the unit of an axis ("" for pens
 * without unit, the state texts joined by "/" for state pens). */
guint      dc_trend_view_get_n_axes    (DcTrendView         *self);
int        dc_trend_view_get_series_axis (DcTrendView       *self,
                                        guint                index);
const char *dc_trend_view_get_axis_unit (DcTrendView        *self,
                                        guint                axis);
/* Whether the chart draws its own legend (the Trend page lists the pens beside it). */
void       dc_trend_view_set_draw_legend (DcTrendView       *self,
                                        gboolean             draw);
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
/* Shows [@from, @to) and stops following live values (a custom range). */
void       dc_trend_view_set_range     (DcTrendView         *self,
                                        gint64               from,
                                        gint64               to);
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

/* The raw samples of several pens in wide form (docs/ui.md "Trend"): the header
 * "time,<label> [unit],…", one row per distinct time (RFC 3339, UTC, oldest first), values
 * as shortest round-trip numbers, empty where a pen has no sample at that time or the
 * sample is invalid. @samples[i] is a GArray of DcSample sorted by time. */
char      *dc_trend_csv_wide           (guint                n_pens,
                                        const char * const  *labels,
                                        const char * const  *units,
                                        GArray * const      *samples);

/* Round tick steps (exposed for tests). */
double     dc_trend_nice_step          (double               range,
                                        guint                max_ticks);
gint64     dc_trend_time_step          (gint64               span_us,
                                        guint                max_ticks);

G_END_DECLS
