/* dc-audit-backend.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-audit.h"

G_BEGIN_DECLS

/* Where the audit log's rows are kept, behind a table of functions (docs/security.md, "Audit
 * log"): DcAudit (its queue, writer thread, group commit, retention and queries) calls only
 * these. The default is sqlite (dc-audit-db.c); another database (PostgreSQL) fills the same
 * table and passes it to dc_audit_new_with_backend(). A connection is used by one thread at a
 * time: the writer owns one, each query opens its own. */
typedef struct
{
  /* A connection to @location; @writer: the one that appends and purges (creates the schema). */
  gpointer    (*open)   (const char          *location,
                         gboolean             writer,
                         GError             **error);
  void        (*close)  (gpointer             conn);
  /* Appends @rows (DcAuditRow, their ids ignored) in one transaction, all or nothing. */
  gboolean    (*append) (gpointer             conn,
                         GPtrArray           *rows,
                         GError             **error);
  /* Removes at most @chunk rows older than @before (µs); the number removed, -1 on error. */
  gint64      (*purge)  (gpointer             conn,
                         gint64               before,
                         guint                chunk,
                         GError             **error);
  /* Newest first (time, then id). */
  GPtrArray  *(*query)  (gpointer             conn,
                         const DcAuditQuery  *query,
                         GError             **error);
} DcAuditBackend;

/* An audit log kept by @backend at @location (a path, a connection string…): the writer
 * thread opens its connection now. */
DcAudit *dc_audit_new_with_backend (const DcAuditBackend  *backend,
                                    const char            *location,
                                    GError               **error);

G_END_DECLS
