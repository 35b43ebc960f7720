/* dc-audit-item.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib-object.h>

#include "dc-audit.h"

G_BEGIN_DECLS

/* One row of the audit log as the Audit page shows it (docs/ui-audit.md): the fields as
 * properties for the column view's expressions, the time in local time and the detail in
 * words. Immutable. */
#define DC_TYPE_AUDIT_ITEM (dc_audit_item_get_type ())

G_DECLARE_FINAL_TYPE (DcAuditItem, dc_audit_item, DC, AUDIT_ITEM, GObject)

/* Takes @row. */
DcAuditItem      *dc_audit_item_new         (DcAuditRow  *row);
const DcAuditRow *dc_audit_item_get_row     (DcAuditItem *self);
/* "14:02:11" today, else "2026-11-25 14:02:11", local time. */
const char       *dc_audit_item_get_time_text (DcAuditItem *self);
/* "Set to 120, confirmed 120", "name: Pump → Pump 2", … (dc-audit-words.c). */
const char       *dc_audit_item_get_words   (DcAuditItem *self);

/* The detail of @row in words, for people (docs/ui-audit.md). */
char             *dc_audit_describe         (const DcAuditRow *row);
/* @time (µs) in local time: "14:02:11" when @now_local is the same day, else with the date. */
char             *dc_audit_format_local_time (gint64           time,
                                              GDateTime       *now_local);

G_END_DECLS
