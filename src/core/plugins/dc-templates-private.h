/* dc-templates-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <sqlite3.h>

#include "dc-deferred.h"
#include "dc-templates.h"

G_BEGIN_DECLS

/* The database templates in two files, the first using the second:
 *
 *   dc-templates.c         the object: the rules of the points (following the store), the
 *                          triggers (changed values, verify alarms), the public API
 *   dc-templates-worker.c  the user database: its connection, the authorizer, the queue and
 *                          the worker thread that runs the statements, sql_check */

/* The templates of one point. The ids and the template texts are borrowed from the point's
 * view (@info, referenced), which is immutable. */
typedef struct
{
  gint64       key;
  DcPointInfo *info;
  const char  *save_sql;
  const char  *warn_sql;
  const char  *warn_msg;
  gboolean     has_saved;
  double       saved;
} DcTemplatesRule;

/* One run of a template. Strings are borrowed from @info (a reference, or NULL when the
 * caller keeps them alive) except @owned, the warning text of an alarm. Jobs sit by value in
 * the queue's array: queueing one allocates nothing once the arrays have grown. */
typedef struct
{
  DcPointInfo *info;
  const char  *sql;
  const char  *device_id;
  const char  *term_id;
  const char  *item_id;
  gint64       time;
  double       value;
  const char  *warn_msg;
  char        *owned;
} DcTemplatesJob;

struct _DcTemplates
{
  GObject      parent_instance;

  DcStore     *store;
  DcEngine    *engine;        /* weak */
  DcAlarm     *alarm;         /* weak */
  gulong       samples_id;
  gulong       alarm_changed_id;
  gulong       changed_id;
  gulong       removed_id;
  DcDeferred   rebuild;
  gboolean     reload;        /* the next rebuild reads every point */
  GHashTable  *refresh;       /* "term:item" of points created or edited since, or NULL */
  guint        n_points;      /* points read by the last rebuild */
  GHashTable  *rules;         /* gint64 key → DcTemplatesRule */

  /* Worker (dc-templates-worker.c) */
  char        *path;
  sqlite3     *db;            /* worker thread only (after open) */
  GThread     *thread;
  GMutex       mutex;
  GCond        cond;
  GArray      *jobs;          /* DcTemplatesJob waiting, under the mutex */
  guint        busy;          /* jobs taken but not finished */
  gboolean     stopping;
  GHashTable  *statements;    /* sql → sqlite3_stmt, worker only */
  GHashTable  *failed;        /* sql that failed to prepare (logged once), worker only */
  guint64      n_run;
  guint64      n_failed;
  guint64      n_dropped;     /* jobs refused on a full queue */
  gint         stop_now;      /* atomic: the worker interrupts what runs */
};

/* dc-templates-worker.c */
/* The template @field of @json (borrowed), NULL when absent or empty. */
const char *dc_templates_text_of    (JsonObject       *json,
                                     const char       *field);
/* Opens the user database with the limits of docs/plugins.md; NULL and @error_message. */
sqlite3  *dc_templates_open_user_db (const char       *path,
                                     char            **error_message);
/* Sets up the queue and starts the worker thread on self->db. */
void      dc_templates_worker_start (DcTemplates      *self);
/* Stops the worker: what is queued runs within the stop budget, the rest is dropped. */
void      dc_templates_worker_stop  (DcTemplates      *self);
/* Frees what the worker and the queue hold (finalize). */
void      dc_templates_worker_clear (DcTemplates      *self);
/* Queues @sql for @rule's point (main thread). @warn_msg is copied unless it is the rule's. */
void      dc_templates_queue        (DcTemplates      *self,
                                     DcTemplatesRule  *rule,
                                     const char       *sql,
                                     gint64            time,
                                     double            value,
                                     const char       *warn_msg);

G_END_DECLS
