/* dc-audit-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Shared by the files of the audit log: the sqlite backend (dc-audit-db.c) and the row
 * constructor (dc-audit-row.c).
 */

#pragma once

#include "dc-audit-backend.h"

G_BEGIN_DECLS

extern const DcAuditBackend dc_audit_sqlite_backend;

DcAuditRow *dc_audit_row_new (gint64              time,
                              const DcAuditActor *actor,
                              const char         *action,
                              const char         *target,
                              const char         *detail_json,
                              const char         *result);

G_END_DECLS
