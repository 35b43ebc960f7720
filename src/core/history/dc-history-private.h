/* dc-history-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

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

/* One bucket while a buckets query builds it: its index from the first bucket and the
 * aggregate of its rows. */
typedef struct
{
  gint64       index;
  DcHistoryAcc acc;
} DcHistoryBucketRow;

typedef struct _DcHistoryWriter DcHistoryWriter;    /* dc-history-writer-private.h */
typedef struct _DcHistoryKeyState DcHistoryKeyState;

/* What a backend's commit did (DcHistoryBackend.commit). */
typedef enum
{
  DC_HISTORY_COMMIT_OK,
  DC_HISTORY_COMMIT_FAILED,   /* the transaction is lost: logged, the batches are dropped */
  DC_HISTORY_COMMIT_RETRY,    /* the connection is lost: the batches stay queued and the
                               * writer reconnects (backend.reconnect) and writes them again */
  DC_HISTORY_COMMIT_STALLED,  /* the database takes no writes now (a full disk; the reason in
                               * DcHistoryWriter.error): rolled back, the batches stay queued,
                               * the writer tries again every second and acquisition goes on
                               * (docs/history.md "Full disk") */
} DcHistoryCommit;

/* A history backend: the SQL of one database engine behind DcHistory, as a table of
 * functions (docs/history.md "Backends"). DcHistory keeps the queue, the backpressure, the
 * jobs, the rollup accumulators and read-your-writes; a backend stores rows and answers
 * queries. dc-history-sqlite.c and dc-history-pg*.c implement it.
 *
 * Writer functions run on the writer thread only, with the connection in
 * DcHistoryWriter.conn. Reader functions run in query threads on a connection of their own
 * (from reader_open, pooled by DcHistory). Errors are logged by the writer functions that
 * return a gboolean; reader functions set @error. */
typedef struct
{
  const char *name;

  /* Writer thread. */
  gboolean        (*writer_open)       (DcHistoryWriter     *w,
                                        GError             **error);
  void            (*writer_close)      (DcHistoryWriter     *w);
  /* After DC_HISTORY_COMMIT_RETRY or a lost connection (lost() TRUE). NULL: never lost. */
  gboolean        (*reconnect)         (DcHistoryWriter     *w);
  gboolean        (*lost)              (DcHistoryWriter     *w);
  void            (*list_purges)       (DcHistoryWriter     *w,
                                        GArray              *keys);
  void            (*record_purges)     (DcHistoryWriter     *w,
                                        GArray              *keys);
  gboolean        (*begin)             (DcHistoryWriter     *w);
  DcHistoryCommit (*commit)            (DcHistoryWriter     *w);
  /* Writes @s (replacing a row of the same key and time; *@replaced says so). */
  gboolean        (*write_sample)      (DcHistoryWriter     *w,
                                        DcHistoryKeyState   *ks,
                                        const DcSample      *s,
                                        gboolean            *replaced);
  /* Adds @acc into the rollup row of (@key, @level, @period). */
  gboolean        (*merge_acc)         (DcHistoryWriter     *w,
                                        gint64               key,
                                        int                  level,
                                        gint64               period,
                                        const DcHistoryAcc  *acc);
  /* Rebuilds the rollup rows of @level for the aligned [@from, @to) from the samples. */
  gboolean        (*recompute_range)   (DcHistoryWriter     *w,
                                        gint64               key,
                                        int                  level,
                                        gint64               from,
                                        gint64               to);
  /* Oldest and newest sample time of @key; FALSE when it has none. */
  gboolean        (*key_bounds)        (DcHistoryWriter     *w,
                                        gint64               key,
                                        gint64              *min_time,
                                        gint64              *max_time);
  gboolean        (*max_rollup)        (DcHistoryWriter     *w,
                                        gint64               key,
                                        int                  level,
                                        gint64              *time);
  /* Jobs (dc-history-retention.c). The time after the first @chunk samples of @key before
   * @cutoff (@cutoff when there are fewer). */
  gint64          (*chunk_bound)       (DcHistoryWriter     *w,
                                        gint64               key,
                                        gint64               cutoff,
                                        guint                chunk);
  /* Deletes the samples of @key before @bound; returns how many. */
  gint64          (*delete_samples)    (DcHistoryWriter     *w,
                                        gint64               key,
                                        gint64               bound);
  /* Deletes the rollup rows of @key and @level that start before @before. */
  void            (*delete_rollups)    (DcHistoryWriter     *w,
                                        gint64               key,
                                        int                  level,
                                        gint64               before);
  /* Deletes whatever is left of @key and its purge record; returns the samples deleted. */
  gint64          (*finish_purge)      (DcHistoryWriter     *w,
                                        gint64               key);
  /* The smallest key >= @from with samples or rollup rows; FALSE when none. */
  gboolean        (*next_key)          (DcHistoryWriter     *w,
                                        gint64               from,
                                        gint64              *key);
  /* Before a retention pass: drops whatever is older than @cutoff for every key at once
   * (PostgreSQL: whole partitions) and returns the samples dropped. NULL: nothing to do. */
  gint64          (*drop_expired)      (DcHistoryWriter     *w,
                                        gint64               cutoff);

  /* Query threads. */
  gpointer        (*reader_open)       (DcHistory           *self,
                                        GError             **error);
  void            (*reader_close)      (gpointer             conn);
  /* A read transaction (a consistent snapshot) until read_end. */
  gboolean        (*read_begin)        (gpointer             conn,
                                        GError             **error);
  void            (*read_end)          (gpointer             conn);
  /* Rows of the window ordered by time (@desc: newest first), at most @limit (-1 = all),
   * appended oldest first to @out. */
  gboolean        (*select)            (gpointer             conn,
                                        gint64               key,
                                        gint64               from,
                                        gint64               to,
                                        gboolean             desc,
                                        gint64               limit,
                                        GArray              *out,
                                        GError             **error);
  gboolean        (*count)             (gpointer             conn,
                                        gint64               key,
                                        gint64               from,
                                        gint64               to,
                                        gint64              *count,
                                        GError             **error);
  gboolean        (*row_exists)        (gpointer             conn,
                                        gint64               key,
                                        gint64               time);
  gboolean        (*reader_max_rollup) (gpointer             conn,
                                        gint64               key,
                                        int                  level,
                                        gint64              *time);
  /* The bucket rows of docs/history.md "Buckets": rollup rows of @level in [@r0, @r1) and
   * samples in [@from, @r0) and [@r1, @to), grouped by (time - @base) / @width, ordered by
   * index, appended to @out (DcHistoryBucketRow). */
  gboolean        (*bucket_rows)       (gpointer             conn,
                                        gint64               key,
                                        int                  level,
                                        gint64               base,
                                        gint64               width,
                                        gint64               r0,
                                        gint64               r1,
                                        gint64               from,
                                        gint64               to,
                                        GArray              *out,
                                        GError             **error);
} DcHistoryBackend;

extern const DcHistoryBackend dc_history_sqlite_backend;   /* dc-history-sqlite.c */
#if HAVE_LIBPQ
extern const DcHistoryBackend dc_history_pg_backend;       /* dc-history-pg.c */
#endif

typedef struct _DcHistoryBatch DcHistoryBatch;
struct _DcHistoryBatch
{
  guint64  seq;
  gint64   queued_at;  /* monotonic time it was pushed */
  GArray  *samples;   /* DcSample */
};

struct _DcHistory
{
  GObject        parent_instance;

  const DcHistoryBackend *backend;
  char          *path;      /* sqlite file, or the PostgreSQL URL without its password */
  char          *conninfo;  /* PostgreSQL: the libpq connection string */
  char          *password;  /* PostgreSQL: from the password file, or NULL */
  char          *config_id;    /* PostgreSQL: the configuration that owns the database */
  char          *config_path;
  GMainContext  *context;   /* where ::ready is emitted */
  GThread       *writer;

  /* Everything below is protected by mutex. */
  GMutex         mutex;
  GCond          cond;
  GQueue         queue;            /* DcHistoryBatch: the first stats.transaction samples are
                                    * being written, the rest wait for the next transaction */
  gint64         waiting_since;    /* monotonic: queued_at of the first batch waiting behind
                                    * the transaction, 0 when none waits */
  gint64         max_wait_us;      /* the waiting batches refuse more after this long */
  GQueue         jobs;             /* DcHistoryJob (dc-history-writer-private.h) */
  GHashTable    *published;        /* key → DcHistoryWatermarks, after commit */
  GHashTable    *retention;        /* key → days (GINT_TO_POINTER) */
  GPtrArray     *readers;          /* idle reader connections (backend->reader_open) */
  GArray        *purges_to_record; /* keys, written to purge_keys by the writer */
  guint64        next_seq;
  guint64        written_seq;
  guint          capacity;
  int            default_retention_days;
  guint          throttle_us;
  guint          commit_delay_us;  /* test hook: a slow disk (atomic) */
  guint          purge_chunk;
  gboolean       stopping;
  gboolean       refused_since_ready;
  gboolean       ready_scheduled;
  gboolean       retention_requested;
  gint64         retention_now;
  DcHistoryStats stats;
  char          *failure;          /* why the file cannot be written, NULL while it can */
  gint64         failing_since;    /* monotonic */
  guint64        dropped_before;   /* stats.dropped when the failure began */
  gint64         retry_at;         /* monotonic: the writer's next attempt while failing */
};

gint64   dc_history_floor         (gint64               t,
                                   gint64               period);
void     dc_history_acc_reset     (DcHistoryAcc        *acc);
void     dc_history_acc_add       (DcHistoryAcc        *acc,
                                   const DcSample      *s);
void     dc_history_acc_merge     (DcHistoryAcc        *acc,
                                   const DcHistoryAcc  *other);
/* Reverses the samples of @samples from @start on (rows read newest first). */
void     dc_history_reverse_samples (GArray            *samples,
                                   guint               start);

/* Bucket layout of [@from, @to) in @n_buckets: the rollup level used (-1 = samples only),
 * the first bucket start and the bucket width (dc-history-query.c). */
int      dc_history_bucket_layout (gint64               from,
                                   gint64               to,
                                   guint                n_buckets,
                                   gint64              *base,
                                   gint64              *width);

G_END_DECLS
