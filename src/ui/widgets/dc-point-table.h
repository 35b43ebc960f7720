/* dc-point-table.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gtk/gtk.h>

#include "dc-point-row.h"

G_BEGIN_DECLS

/* A sortable, virtualised table of points (DcPointRow). Rows update through property
 * notifications; the age column is refreshed by one timer for the visible cells only. */
#define DC_TYPE_POINT_TABLE (dc_point_table_get_type ())

G_DECLARE_FINAL_TYPE (DcPointTable, dc_point_table, DC, POINT_TABLE, GtkWidget)

GtkWidget  *dc_point_table_new              (void);
GListModel *dc_point_table_get_model        (DcPointTable *self);
void        dc_point_table_set_model        (DcPointTable *self,
                                             GListModel   *model);
/* The selected row (the first as shown when several are) or NULL. */
DcPointRow *dc_point_table_get_selected     (DcPointTable *self);
/* The selected rows as shown, at most @max_rows (a new array of references). */
GPtrArray  *dc_point_table_get_selected_rows (DcPointTable *self,
                                             guint         max_rows);
void        dc_point_table_select_key       (DcPointTable *self,
                                             gint64        key);
/* Sorted rows as shown. */
GListModel *dc_point_table_get_sorted_model (DcPointTable *self);
GtkColumnView *dc_point_table_get_column_view (DcPointTable *self);
/* Updates the age cells now (tests). */
void        dc_point_table_tick             (DcPointTable *self);

G_END_DECLS
