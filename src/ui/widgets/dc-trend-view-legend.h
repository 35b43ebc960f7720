/* dc-trend-view-legend.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gtk/gtk.h>

#include "dc-trend-view.h"

G_BEGIN_DECLS

/* The pens of a DcTrendView as a list (docs/ui.md "Trend"): per pen its colour, its name,
 * its unit and value axis, and a button that removes it. Follows the view's
 * ::series-changed. */
#define DC_TYPE_TREND_LEGEND (dc_trend_legend_get_type ())

G_DECLARE_FINAL_TYPE (DcTrendLegend, dc_trend_legend, DC, TREND_LEGEND, GtkWidget)

GtkWidget  *dc_trend_legend_new      (void);
void        dc_trend_legend_set_view (DcTrendLegend *self,
                                      DcTrendView   *view);
/* The rows (one per pen, in the view's order; tests). */
GtkListBox *dc_trend_legend_get_list (DcTrendLegend *self);
/* The words of a pen's axis ("left axis", …) for @axis of dc_trend_view_get_series_axis(). */
const char *dc_trend_legend_axis_name (int           axis);

G_END_DECLS
