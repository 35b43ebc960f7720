/* dc-audit-page.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

#include "dc-plant-model.h"

G_BEGIN_DECLS

/* The Audit page (docs/ui-audit.md): the audit log newest first — time in local time, user,
 * role, source, action, target, result and the detail in words — with filters (text, user,
 * kind of action, time range) and CSV export. It reads through the plant model's audit source
 * (dc_plant_model_get_audit_source), at each refresh: the local file, or a remote server. */
#define DC_TYPE_AUDIT_PAGE (dc_audit_page_get_type ())

G_DECLARE_FINAL_TYPE (DcAuditPage, dc_audit_page, DC, AUDIT_PAGE, GtkWidget)

/* Index of the "kind of action" filter and the time range, as in the drop-downs. */
typedef enum
{
  DC_AUDIT_RANGE_HOUR,
  DC_AUDIT_RANGE_DAY,
  DC_AUDIT_RANGE_WEEK,
  DC_AUDIT_RANGE_MONTH,
  DC_AUDIT_RANGE_ALL,
} DcAuditRange;

void        dc_audit_page_set_plant    (DcAuditPage  *self,
                                        DcPlantModel *plant);
/* Queries again with the current filters (also when the page is shown and a filter
 * changes). The property "loading" is TRUE until the answer is shown. */
void        dc_audit_page_refresh      (DcAuditPage  *self);
gboolean    dc_audit_page_is_loading   (DcAuditPage  *self);
/* The rows shown: DcAuditItem, newest first. */
GListModel *dc_audit_page_get_model    (DcAuditPage  *self);
/* Sets the filters as a person would (each refreshes): @action is a prefix ("control",
 * "alarm", …, NULL = all) and must be one of the drop-down's. */
void        dc_audit_page_set_filters  (DcAuditPage  *self,
                                        const char   *text,
                                        const char   *user,
                                        const char   *action,
                                        DcAuditRange  range);
/* The rows shown, as the CSV of GET /api/v1/audit?format=csv, into @file. */
gboolean    dc_audit_page_export_csv   (DcAuditPage  *self,
                                        GFile        *file,
                                        GError      **error);
/* A narrow window (docs/ui.md "Narrow windows"): only Time (short), User and Detail are shown;
 * the other columns come back when it is wide again. */
void        dc_audit_page_set_narrow   (DcAuditPage  *self,
                                        gboolean      narrow);
/* "12 actions", "newest 1000 actions", "No audit log". */
const char *dc_audit_page_get_count_text (DcAuditPage *self);

G_END_DECLS
