/* dc-history.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>

#include "dc-sample.h"

G_BEGIN_DECLS

/* The history store: samples of every point in their own sqlite file (WAL), keyed by
 * (point key, time). One writer thread takes batches from a bounded queue and writes each
 * batch in one transaction; queries run on reader connections through GTask and also see
 * samples that are queued but not yet written (read-your-writes). Retention and the purge
 * of deleted points run in small steps between batches. See docs/history.md.
 *
 * The object is created and used on one thread (the main thread); dc_history_push() may be
 * called from any thread. ::ready is emitted on the creating thread's main context when
 * the queue has room again after dc_history_push() refused a batch. */
#define DC_TYPE_HISTORY (dc_history_get_type ())

G_DECLARE_FINAL_TYPE (DcHistory, dc_history, DC, HISTORY, GObject)

/* One bucket of dc_history_query_buckets_async(): @time is the bucket start. @min, @max,
 * @first, @last and @avg are NaN when every sample of the bucket is invalid (null). */
typedef struct
{
  gint64 time;
  double min;
  double max;
  double first;
  double last;
  double avg;
  gint64 count;
} DcBucket;

/* Counters, all since the object was created. */
typedef struct
{
  guint64 accepted;     /* samples taken by dc_history_push() */
  guint64 refused;      /* samples refused by dc_history_push() (the caller kept them) */
  guint64 written;      /* samples committed */
  guint64 replaced;     /* of those, samples that replaced a row of the same point and time
                         * (written - replaced rows were added) */
  guint64 batches;      /* transactions committed */
  guint64 purged;       /* samples deleted by retention and point purges */
  guint64 queued;       /* samples accepted and not yet committed: the batch in flight, the
                         * transaction being written and what was accepted since it began
                         * (docs/history.md "Batch in flight") */
  guint64 transaction;  /* of those, the samples of the transaction being written (0: none) */
  guint64 max_queued;   /* the largest `queued` seen */
  guint64 capacity;     /* dc_history_set_queue_capacity() */
  guint   jobs;         /* retention and purge jobs not yet finished */
  guint64 dropped;      /* samples taken and dropped because the file could not be written
                         * (a full disk) and the queue was full */
} DcHistoryStats;

/* The most samples a query returns (limit 0 = this). */
#define DC_HISTORY_MAX_BUCKETS 10000

/* "<name>-history.db" next to @config_db_path "<name>.db" (dc_companion_path()). */
char       *dc_history_path_for_config     (const char     *config_db_path);

/* Opens or creates the history database at @path and starts the writer thread. */
DcHistory  *dc_history_new                 (const char     *path,
                                            GError        **error);
/* Opens the history in a PostgreSQL database (docs/historian-postgresql.md), creating its
 * tables, and starts the writer thread. @url is a libpq connection string or a
 * postgresql:// URL; the password comes from @password_file (its first line) when given,
 * else from PGPASSFILE or ~/.pgpass. @config_db_path and @config_id name the configuration
 * that owns the database (NULL: not checked); another configuration's database is refused
 * with DC_ERROR_FORBIDDEN. A build without libpq answers DC_ERROR_INVALID. */
DcHistory  *dc_history_new_postgresql      (const char     *url,
                                            const char     *password_file,
                                            const char     *config_db_path,
                                            const char     *config_id,
                                            GError        **error);
/* The sqlite file, or the PostgreSQL URL (without a password). */
const char *dc_history_get_path            (DcHistory      *self);
/* "sqlite" or "PostgreSQL". */
const char *dc_history_get_backend_name    (DcHistory      *self);

/* The queue holds at most @max_samples samples (default 1,000,000). */
void        dc_history_set_queue_capacity  (DcHistory      *self,
                                            guint           max_samples);
/* Batches waiting behind the transaction being written take more only while the first of
 * them has waited less than @ms (default 500 ms): a writer slower than the ingest then refuses
 * (back-pressure) before its batch in flight holds more than about 2 × @ms of ingest. */
void        dc_history_set_max_wait        (DcHistory      *self,
                                            guint           ms);
/* Retention for points without their own (default 365 days). */
void        dc_history_set_default_retention_days
                                           (DcHistory      *self,
                                            int             days);
/* Per point retention; @days 0 goes back to the default. */
void        dc_history_set_retention_days  (DcHistory      *self,
                                            gint64          key,
                                            int             days);

/* Queues @samples (any thread; copied). Refuses the whole batch with DC_ERROR_BUSY when the
 * queue is full or its batches waiting behind the transaction have waited the max wait: nothing
 * is taken, the caller keeps the samples and retries after ::ready.
 * An empty batch is accepted. */
gboolean    dc_history_push                (DcHistory      *self,
                                            const DcSample *samples,
                                            guint           n_samples,
                                            GError        **error);
/* Queues @samples even when the queue is full. For the few samples written through the API
 * (and the backlog queued before them), which must be readable as soon as the call answers;
 * the memory is the caller's backlog either way. */
void        dc_history_push_always         (DcHistory      *self,
                                            const DcSample *samples,
                                            guint           n_samples);
gboolean    dc_history_is_congested        (DcHistory      *self);

/* Deletes the history of @key in the background (after the samples already queued). */
void        dc_history_purge_key           (DcHistory      *self,
                                            gint64          key);
/* Starts a retention pass now; @now_us 0 means the current time. The writer also runs one
 * at start and every hour. */
void        dc_history_run_retention       (DcHistory      *self,
                                            gint64          now_us);

void        dc_history_get_stats           (DcHistory      *self,
                                            DcHistoryStats *stats);
/* Why the writer cannot write the file now ("cannot write <path>: database or disk is full"),
 * or NULL while it can (docs/history.md "Full disk"). */
char       *dc_history_dup_error           (DcHistory      *self);
/* Blocks until the queue is empty and every job is done, or the file cannot be written. For
 * shutdown and tests; never call it from a request handler. */
void        dc_history_sync                (DcHistory      *self);

#if DC_TEST_BUILD
/* Test hook: the writer sleeps @delay_us before each batch. */
void        dc_history_set_throttle        (DcHistory      *self,
                                            guint           delay_us);
/* Test hook: each sqlite COMMIT takes @delay_us longer (a slow disk). */
void        dc_history_set_commit_delay    (DcHistory      *self,
                                            guint           delay_us);
/* Test hook: rows per purge step (default 5000). */
void        dc_history_set_purge_chunk     (DcHistory      *self,
                                            guint           rows);
#endif

/* Queries. Times are µs since the epoch; the window is [@from, @to) (G_MININT64 and
 * G_MAXINT64 for open ends). All run on reader connections in a thread. */

/* The newest @limit samples of the window (0 = no limit), oldest first. *@truncated is set
 * when the window holds more than @limit samples. Returns a GArray of DcSample. */
void        dc_history_query_samples_async (DcHistory          *self,
                                            gint64              key,
                                            gint64              from,
                                            gint64              to,
                                            guint               limit,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
GArray     *dc_history_query_samples_finish
                                           (DcHistory      *self,
                                            GAsyncResult   *result,
                                            gboolean       *truncated,
                                            GError        **error);

void        dc_history_count_async         (DcHistory          *self,
                                            gint64              key,
                                            gint64              from,
                                            gint64              to,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
gint64      dc_history_count_finish        (DcHistory      *self,
                                            GAsyncResult   *result,
                                            GError        **error);

/* One sample by position: 0 is the oldest, -1 the newest. DC_ERROR_NOT_FOUND
 * "index out of range!" beyond the samples. */
void        dc_history_query_index_async   (DcHistory          *self,
                                            gint64              key,
                                            gint64              index,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
gboolean    dc_history_query_index_finish  (DcHistory      *self,
                                            GAsyncResult   *result,
                                            DcSample       *sample,
                                            GError        **error);

/* At most @n_buckets (1–10,000) buckets over [@from, @to), non-empty ones only, oldest
 * first. Buckets are aligned to the rollup period used (docs/history.md), so there may
 * be fewer than @n_buckets. Returns a GArray of DcBucket. */
void        dc_history_query_buckets_async (DcHistory          *self,
                                            gint64              key,
                                            gint64              from,
                                            gint64              to,
                                            guint               n_buckets,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
GArray     *dc_history_query_buckets_finish
                                           (DcHistory      *self,
                                            GAsyncResult   *result,
                                            GError        **error);

/* The selection of dc_history_query_samples_async() as CSV: header "time,value,quality",
 * RFC 3339 times, empty value for invalid samples. */
void        dc_history_query_csv_async     (DcHistory          *self,
                                            gint64              key,
                                            gint64              from,
                                            gint64              to,
                                            guint               limit,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
GBytes     *dc_history_query_csv_finish    (DcHistory      *self,
                                            GAsyncResult   *result,
                                            gboolean       *truncated,
                                            GError        **error);

G_END_DECLS
