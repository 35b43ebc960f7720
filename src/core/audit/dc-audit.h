/* dc-audit.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "dc-audit-actor.h"

G_BEGIN_DECLS

/* The audit log (docs/security.md, "Audit log"): who did what, from where, with which result.
 * One append-only table in its own sqlite file (the configuration's companion "audit",
 * a.db → a-audit.db), written by its own writer thread.
 *
 * Threads: dc_audit_record() may be called from any thread and never blocks: it copies the
 * row into a bounded queue (DC_AUDIT_QUEUE_LIMIT rows) and returns. When the queue is full
 * the row is dropped and counted (dc_audit_get_dropped()), a warning is logged at most every
 * 10 s, and the writer adds a row "audit.dropped" with the count as soon as it can: the gap
 * is in the log itself. Queries run on their own read connection in a GTask thread and see
 * every row recorded before they were started. The object itself (create, query, close) is
 * used from the main thread.
 *
 * Fields of a row: time (µs, RFC 3339 UTC with six digits on the wire), user, role, source
 * (peer "address:port", or "gui", "cli", "mqtt", "system"), action ("control.request",
 * "device.update", "alarm.ack", …), target (what it acted on: a point
 * "device:term:item", a device id, …), detail (a JSON object, "{}" when there is none),
 * result ("ok" or the error text). */

#define DC_AUDIT_QUEUE_LIMIT           16384
#define DC_AUDIT_DEFAULT_RETENTION_DAYS 3650
#define DC_AUDIT_DEFAULT_LIMIT         1000
#define DC_AUDIT_MAX_LIMIT             100000

typedef struct
{
  gint64  id;
  gint64  time;      /* µs since the epoch, UTC */
  char   *user;
  char   *role;
  char   *source;
  char   *action;
  char   *target;
  char   *detail;    /* JSON text of an object */
  char   *result;    /* "ok" or the error text */
} DcAuditRow;

void        dc_audit_row_free            (DcAuditRow         *row);
/* {"time":"<RFC 3339>","user":…,"role":…,"source":…,"action":…,"target":…,
 *  "detail":{…},"result":…} */
JsonObject *dc_audit_row_to_json         (const DcAuditRow   *row);
/* The rows (DcAuditRow) as CSV: a header line "time,user,role,source,action,target,result,
 * detail" and one line per row (RFC 4180 quoting), time in RFC 3339 UTC. */
char       *dc_audit_rows_to_csv         (GPtrArray          *rows);

/* A query: rows with from <= time < to (0 = open), the exact user, the action or an action
 * under it ("control" finds "control.request" and "control.result"), the target or a target
 * under it ("d1" finds "d1" and "d1:t1:i1"), and @text anywhere in user, role, source,
 * action, target, detail or result. Newest first, at most @limit rows (0 = the default). */
typedef struct
{
  gint64  from;
  gint64  to;
  char   *user;
  char   *action;
  char   *target;
  char   *text;
  guint   limit;
} DcAuditQuery;

DcAuditQuery *dc_audit_query_new         (void);
DcAuditQuery *dc_audit_query_copy        (const DcAuditQuery *query);
void          dc_audit_query_free        (DcAuditQuery       *query);
/* Fills @query from the REST parameters from, to, user, action, target, text, limit (other
 * keys are left to the caller); DC_ERROR_INVALID with the text of docs/rest.md otherwise. */
gboolean      dc_audit_query_parse       (DcAuditQuery       *query,
                                          GHashTable         *params,
                                          GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DcAuditRow, dc_audit_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DcAuditQuery, dc_audit_query_free)

#define DC_TYPE_AUDIT (dc_audit_get_type ())

G_DECLARE_FINAL_TYPE (DcAudit, dc_audit, DC, AUDIT, GObject)

/* Opens or creates the audit file at @path (the caller claims it as a companion of its
 * configuration first: dc_companion_open (db, "audit", …)) and starts the writer thread. */
DcAudit    *dc_audit_new                 (const char         *path,
                                          GError            **error);
const char *dc_audit_get_path            (DcAudit            *self);

/* Rows older than @days are removed by the writer, in small chunks, at start and every
 * hour (default DC_AUDIT_DEFAULT_RETENTION_DAYS); 0 keeps everything. */
void        dc_audit_set_retention_days  (DcAudit            *self,
                                          guint               days);

/* Queues one row stamped now. @actor NULL means the current actor of the calling thread
 * (dc_audit_actor_get_current()). @target and @detail may be NULL (the detail is copied as
 * JSON text; it should be an object); @result NULL means "ok". Any thread; never blocks.
 * @self may be NULL (nothing is recorded: a configuration without an audit log, tests). */
void        dc_audit_record              (DcAudit            *self,
                                          const DcAuditActor *actor,
                                          const char         *action,
                                          const char         *target,
                                          JsonNode           *detail,
                                          const char         *result);
/* The same with the detail as JSON text (NULL = "{}") and an explicit time (µs; 0 = now). */
void        dc_audit_record_json         (DcAudit            *self,
                                          gint64              time,
                                          const DcAuditActor *actor,
                                          const char         *action,
                                          const char         *target,
                                          const char         *detail_json,
                                          const char         *result);

/* Rows dropped because the queue was full, since the start. Any thread. */
guint64     dc_audit_get_dropped         (DcAudit            *self);
/* Changes the queue limit (tests: a small queue fills quickly). */
void        dc_audit_set_queue_limit     (DcAudit            *self,
                                          guint               limit);

/* Blocks until every row recorded before the call is written (or given up after an error);
 * for tests, tools and the end of the process, never on the main loop's hot path. */
void        dc_audit_flush               (DcAudit            *self);
/* Runs the retention now as if the time were @now (µs) and waits for it; returns the number
 * of rows removed. Tests and tools. */
guint64     dc_audit_purge_now           (DcAudit            *self,
                                          gint64              now);

/* Queries off the calling thread; the result is a GPtrArray of DcAuditRow, newest first. */
void        dc_audit_query_async         (DcAudit            *self,
                                          const DcAuditQuery *query,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data);
GPtrArray  *dc_audit_query_finish        (DcAudit            *self,
                                          GAsyncResult       *result,
                                          GError            **error);
/* The same, blocking (worker threads, tests, tools; never the main loop). */
GPtrArray  *dc_audit_query_sync          (DcAudit            *self,
                                          const DcAuditQuery *query,
                                          GError            **error);

G_END_DECLS
