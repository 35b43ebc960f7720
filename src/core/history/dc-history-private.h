/* dc-history-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <sqlite3.h>

#include "dc-history.h"

G_BEGIN_DECLS

/* Rollup levels: one row per (key, level, period) with min/max/first/last/sum/count of the
 * samples in the period. Periods in µs. */
#define DC_HISTORY_N_LEVELS 4
extern const gint64 dc_history_level_period[DC_HISTORY_N_LEVELS];

/* A watermark per level: periods that start before it are complete in the rollup table
 * (committed); everything at or after it must be read from the samples table. */
typedef struct
{
  gint64 wm[DC_HISTORY_N_LEVELS];
} DcHistoryWatermarks;

/* Running aggregate of samples: the open rollup period of one key and level
 * (dc-history-rollup.c) and one bucket of a buckets query (dc-history-query.c). */
typedef struct
{
  double min;
  double max;
  double first;
  double last;
  double sum;
  gint64 first_time;
  gint64 last_time;
  gint64 n;        /* valid values */
  gint64 count;    /* samples */
} DcHistoryAcc;

typedef struct _DcHistoryBatch DcHistoryBatch;
struct _DcHistoryBatch
{
  guint64  seq;
  GArray  *samples;   /* DcSample */
};

struct _DcHistory
{
  GObject        parent_instance;

  char          *path;
  GMainContext  *context;   /* where ::ready is emitted */
  GThread       *writer;

  /* Everything below is protected by mutex. */
  GMutex         mutex;
  GCond          cond;
  GQueue         queue;            /* DcHistoryBatch, head is being written */
  GQueue         jobs;             /* DcHistoryJob (dc-history-writer-private.h) */
  GHashTable    *published;        /* key → DcHistoryWatermarks, after commit */
  GHashTable    *retention;        /* key → days (GINT_TO_POINTER) */
  GPtrArray     *readers;          /* idle reader connections */
  GArray        *purges_to_record; /* keys, written to purge_keys by the writer */
  guint64        next_seq;
  guint64        written_seq;
  guint          capacity;
  int            default_retention_days;
  guint          throttle_us;
  guint          purge_chunk;
  gboolean       stopping;
  gboolean       refused_since_ready;
  gboolean       ready_scheduled;
  gboolean       retention_requested;
  gint64         retention_now;
  DcHistoryStats stats;
};

/* The database (dc-history-db.c). Opens a connection with the schema and the
 * dc_first()/dc_last() aggregates. */
sqlite3 *dc_history_open_db       (const char          *path,
                                   gboolean             create,
                                   GError             **error);
gint64   dc_history_floor         (gint64               t,
                                   gint64               period);
void     dc_history_acc_reset     (DcHistoryAcc        *acc);
void     dc_history_acc_add       (DcHistoryAcc        *acc,
                                   const DcSample      *s);
void     dc_history_set_sql_error (GError             **error,
                                   sqlite3             *db,
                                   const char          *what);

/* Bucket layout of [@from, @to) in @n_buckets: the rollup level used (-1 = samples only),
 * the first bucket start and the bucket width (dc-history-query.c). */
int      dc_history_bucket_layout (gint64               from,
                                   gint64               to,
                                   guint                n_buckets,
                                   gint64              *base,
                                   gint64              *width);

G_END_DECLS
