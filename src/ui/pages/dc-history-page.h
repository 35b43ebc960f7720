/* dc-history-page.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

#include "dc-plant-source.h"
#include "dc-point-row.h"

G_BEGIN_DECLS

/* The History page (docs/ui.md "History"): the raw samples of one point, newest first, with
 * the time in local time, the value with its unit, the state text and the quality in words;
 * paged (Older / Newer) through the plant connection's samples (`datas` of a server) and
 * exported as CSV. */
#define DC_TYPE_HISTORY_PAGE (dc_history_page_get_type ())

G_DECLARE_FINAL_TYPE (DcHistoryPage, dc_history_page, DC, HISTORY_PAGE, GtkWidget)

typedef enum
{
  DC_HISTORY_COLUMN_TIME,
  DC_HISTORY_COLUMN_VALUE,
  DC_HISTORY_COLUMN_STATE,
  DC_HISTORY_COLUMN_QUALITY,
  DC_HISTORY_N_COLUMNS,
} DcHistoryColumn;

GtkWidget  *dc_history_page_new           (void);
void        dc_history_page_set_source    (DcHistoryPage *self,
                                           DcPlantSource *source);
/* Shows the newest page of @row's samples (NULL: none). */
void        dc_history_page_set_point     (DcHistoryPage *self,
                                           DcPointRow    *row);
DcPointRow *dc_history_page_get_point     (DcHistoryPage *self);
/* Samples per page (100 by default). */
void        dc_history_page_set_page_size (DcHistoryPage *self,
                                           guint          page_size);
/* Paging: the newest page again, the next older one, back to the newer one. */
void        dc_history_page_reload        (DcHistoryPage *self);
void        dc_history_page_older         (DcHistoryPage *self);
void        dc_history_page_newer         (DcHistoryPage *self);
/* The point has a new live value: the newest page reads again (at most once a second). */
void        dc_history_page_point_updated (DcHistoryPage *self);
/* 0 for the newest page. */
guint       dc_history_page_get_page      (DcHistoryPage *self);
gboolean    dc_history_page_has_older     (DcHistoryPage *self);
/* TRUE while a page is being read. */
gboolean    dc_history_page_is_loading    (DcHistoryPage *self);
/* The rows shown and their texts (tests, export). */
guint       dc_history_page_get_n_rows    (DcHistoryPage *self);
const char *dc_history_page_get_text      (DcHistoryPage *self,
                                           guint          row,
                                           DcHistoryColumn column);
/* The rows shown as CSV: "time,value,state,quality" (RFC 3339 UTC, shortest round-trip
 * numbers, texts in words). */
char       *dc_history_page_to_csv        (DcHistoryPage *self);

G_END_DECLS
