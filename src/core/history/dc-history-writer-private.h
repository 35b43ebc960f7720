/* dc-history-writer-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The writer thread's state, shared by dc-history-writer.c (the thread, batches),
 * dc-history-rollup.c and dc-history-retention.c (purge and retention jobs). Used on the
 * writer thread only, but for the three calls of dc-history.c below.
 */

#pragma once

#include "dc-history-private.h"

G_BEGIN_DECLS

typedef enum
{
  JOB_PURGE_KEY,
  JOB_RETENTION,
} JobKind;

typedef struct
{
  JobKind kind;
  guint64 after_seq;  /* runs once every batch up to this one is written */
  gint64  key;        /* JOB_PURGE_KEY: the key; JOB_RETENTION: the cursor */
  gint64  now;        /* JOB_RETENTION */
  gboolean started;
} DcHistoryJob;

struct _DcHistoryKeyState
{
  gint64       key;
  gboolean     has_open[DC_HISTORY_N_LEVELS];
  gboolean     dirty[DC_HISTORY_N_LEVELS];   /* recompute the open period from samples */
  gint64       open[DC_HISTORY_N_LEVELS];
  DcHistoryAcc acc[DC_HISTORY_N_LEVELS];
  guint64      touched;
  gint64       max_time;   /* newest time written (G_MININT64: none); later ones are new rows */
};
typedef DcHistoryKeyState KeyState;

struct _DcHistoryWriter
{
  DcHistory              *self;
  const DcHistoryBackend *ops;
  gpointer                conn;      /* the backend's writer connection */
  GHashTable             *keys;      /* key → KeyState */
  GPtrArray              *touched;   /* KeyState touched by the current batch */
  guint64                 batch_no;
  char                   *error;     /* why the last commit stalled (set by the backend) */
  gboolean                stalled;   /* a job's commit stalled (dc-history-retention.c) */
};
typedef DcHistoryWriter Writer;

/* The thread (dc-history-writer.c), started by dc-history.c with its Writer; the next two
 * are called with the mutex held: a job queued after the batches queued so far, and ::ready
 * scheduled on the object's context when a refused caller may push again. */
gpointer  dc_history_writer_thread       (gpointer        data);
void      dc_history_add_job_locked      (DcHistory      *self,
                                          JobKind         kind,
                                          gint64          key,
                                          gint64          now);
void      dc_history_schedule_ready_locked (DcHistory    *self);

/* Rollups (dc-history-rollup.c). */
void      dc_history_writer_forget       (Writer         *w);
gboolean  dc_history_recompute_range     (Writer         *w,
                                          gint64          key,
                                          int             level,
                                          gint64          from,
                                          gint64          to);
KeyState *dc_history_key_state_get       (Writer         *w,
                                          gint64          key);
void      dc_history_rollup_add          (Writer         *w,
                                          KeyState       *ks,
                                          const DcSample *s,
                                          gboolean        replaced);
void      dc_history_close_open          (Writer         *w,
                                          KeyState       *ks,
                                          int             level);
void      dc_history_publish_watermarks  (Writer         *w);

/* Jobs (dc-history-retention.c): one step each; TRUE when the job is done. */
gboolean  dc_history_run_purge_step      (Writer         *w,
                                          DcHistoryJob   *job);
gboolean  dc_history_run_retention_step  (Writer         *w,
                                          DcHistoryJob   *job);

G_END_DECLS
