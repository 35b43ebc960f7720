/* dc-window-trend.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-history-page.h"
#include "dc-trend-view-legend.h"
#include "dc-window.h"

G_BEGIN_DECLS

/* The Trend and History pages of the window (docs/ui.md "Trend", "History"). */

/* The pens' list beside the Trend page's chart. */
DcTrendLegend   *dc_window_get_trend_legend       (DcWindow            *self);
/* "Follow Selection": while active, the Trend page shows the selected points (besides the
 * pinned ones, Ctrl+T). */
GtkToggleButton *dc_window_get_follow_selection   (DcWindow            *self);
DcHistoryPage   *dc_window_get_history_page       (DcWindow            *self);
/* Writes the raw samples of the Trend page's pens in its shown range to @file, in the wide
 * CSV of dc_trend_csv_wide() (what "Export CSV…" does). */
void             dc_window_export_trend_async     (DcWindow            *self,
                                                   GFile               *file,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean         dc_window_export_trend_finish    (DcWindow            *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

G_END_DECLS
