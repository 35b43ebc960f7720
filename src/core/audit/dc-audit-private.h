/* dc-audit-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The storage of the audit log behind a table of functions (docs/security.md, "Audit log"),
 * so that another database can hold it: dc-audit.c (queue, writer thread, queries) calls only
 * these; dc-audit-db.c implements them with sqlite. A connection is used by one thread at a
 * time: the writer owns one, each query opens its own.
 */

#pragma once

#include "dc-audit.h"

G_BEGIN_DECLS

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

extern const DcAuditBackend dc_audit_sqlite_backend;

DcAuditRow *dc_audit_row_new (gint64              time,
                              const DcAuditActor *actor,
                              const char         *action,
                              const char         *target,
                              const char         *detail_json,
                              const char         *result);

G_END_DECLS
