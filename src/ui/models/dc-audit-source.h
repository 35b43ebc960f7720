/* dc-audit-source.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>

#include "dc-audit.h"

G_BEGIN_DECLS

/* Where the workstation reads the audit log (the Audit page, Recent Controls): one query
 * call, so that a client of a remote server can answer it from GET /api/v1/audit instead of
 * the local file (docs/ui-audit.md). The answer is a GPtrArray of DcAuditRow, newest first. */
#define DC_TYPE_AUDIT_SOURCE (dc_audit_source_get_type ())

G_DECLARE_INTERFACE (DcAuditSource, dc_audit_source, DC, AUDIT_SOURCE, GObject)

struct _DcAuditSourceInterface
{
  GTypeInterface parent_iface;

  void        (*query_async)  (DcAuditSource       *self,
                               const DcAuditQuery  *query,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data);
  GPtrArray  *(*query_finish) (DcAuditSource       *self,
                               GAsyncResult        *result,
                               GError             **error);
};

void           dc_audit_source_query_async  (DcAuditSource       *self,
                                             const DcAuditQuery  *query,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
GPtrArray     *dc_audit_source_query_finish (DcAuditSource       *self,
                                             GAsyncResult        *result,
                                             GError             **error);

/* The audit log of this process (dc_audit_query_async on @audit). */
DcAuditSource *dc_audit_source_new_local    (DcAudit             *audit);

G_END_DECLS
