/* dc-templates.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <json-glib/json-glib.h>

#include "dc-alarm.h"
#include "dc-engine.h"
#include "dc-sample.h"
#include "dc-store.h"

G_BEGIN_DECLS

/* Database templates (docs/rest.md): a point's `db_save_sql` runs for every changed value of the
 * point, its `db_warn_sql` when its verify alarm becomes active, both against the user database
 * (--user-db) with bound parameters :device_id, :term_id, :item_id, :time (RFC 3339), :value
 * and :warn_msg, under an authorizer that allows only INSERT, UPDATE and SELECT on that
 * database's own tables. The statements run on a worker thread, batched in transactions; the
 * main thread only queues. */
#define DC_TYPE_TEMPLATES (dc_templates_get_type ())

G_DECLARE_FINAL_TYPE (DcTemplates, dc_templates, DC, TEMPLATES, GObject)

/* Opens the user database at @user_db_path and starts the worker. Errors: DC_ERROR_INVALID
 * "cannot open user database …" (it must exist: its owner creates it), DC_ERROR_FORBIDDEN
 * when it is one of DataColl's own databases. */
DcTemplates *dc_templates_new            (DcStore       *store,
                                          const char    *user_db_path,
                                          GError       **error);
/* Wired to @engine's ::samples and, when @alarm is set, to its verify alarms. */
DcTemplates *dc_templates_new_for_engine (DcEngine      *engine,
                                          DcAlarm       *alarm,
                                          const char    *user_db_path,
                                          GError       **error);
void         dc_templates_start          (DcTemplates   *self);
void         dc_templates_flush          (DcTemplates   *self);
void         dc_templates_process        (DcTemplates   *self,
                                          const DcSample *samples,
                                          guint          n_samples);
/* Runs the db_warn_sql of @key (if any) with @warn_msg. */
void         dc_templates_warn           (DcTemplates   *self,
                                          gint64         key,
                                          gint64         time_us,
                                          double         value,
                                          const char    *warn_msg);
/* Blocks until every queued statement has run (tests, shutdown). */
void         dc_templates_sync           (DcTemplates   *self);
/* Jobs dropped because the queue was full (10,000 waiting: a slow template) or the server
 * stopped before they could run (docs/security.md). */
guint64      dc_templates_get_dropped    (DcTemplates   *self);
/* Statements run and statements that failed, since creation. */
void         dc_templates_get_counts     (DcTemplates   *self,
                                          guint64       *n_run,
                                          guint64       *n_failed);

/* POST /api/v1/sql_check: runs the templates of @point (a point-like object) against the user
 * database in a transaction that is rolled back. "OK", "not found sql to check", or sqlite's
 * error message. Blocking: call it from a thread. */
char        *dc_templates_check          (const char    *user_db_path,
                                          JsonObject    *point);

G_END_DECLS
