/* dc-audit-item.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib-object.h>

#include "dc-audit.h"
#include "dc-plant-model.h"

G_BEGIN_DECLS

/* One row of the audit log as the Audit page shows it (docs/ui-audit.md): the fields as
 * properties for the column view's expressions, the time in local time and the detail in
 * words. Immutable. */
#define DC_TYPE_AUDIT_ITEM (dc_audit_item_get_type ())

G_DECLARE_FINAL_TYPE (DcAuditItem, dc_audit_item, DC, AUDIT_ITEM, GObject)

/* Takes @row. Names and state texts of controls come from @plant (nullable: ids and numbers). */
DcAuditItem      *dc_audit_item_new         (DcAuditRow   *row,
                                             DcPlantModel *plant);
const DcAuditRow *dc_audit_item_get_row     (DcAuditItem *self);
/* "14:02:11" today, else "2026-11-25 14:02:11", local time. */
const char       *dc_audit_item_get_time_text (DcAuditItem *self);
/* "Set Pump speed (Pump station) to 120 rpm; the device reports 120 rpm", "name: Pump → Pump
 * 2", … (dc-audit-words.c). */
const char       *dc_audit_item_get_words   (DcAuditItem *self);

/* The detail of @row in words, for people (docs/ui-audit.md); a control names its point and
 * device and shows its values as the point does (state texts, decimals, unit) when @plant
 * (nullable) knows them. */
char             *dc_audit_describe         (const DcAuditRow *row,
                                             DcPlantModel     *plant);
/* @time (µs) in local time: "14:02:11" when @now_local is the same day, else with the date. */
char             *dc_audit_format_local_time (gint64           time,
                                              GDateTime       *now_local);

G_END_DECLS
