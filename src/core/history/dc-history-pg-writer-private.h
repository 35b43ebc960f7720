/* dc-history-pg-writer-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The writer side of the PostgreSQL backend, shared by dc-history-pg.c (the backend's writer
 * functions and table), dc-history-pg-copy.c (statements, binary COPY, partitions) and
 * dc-history-pg-jobs.c (purge and retention). Writer thread only.
 */

#pragma once

#include "dc-history-pg-private.h"
#include "dc-history-writer-private.h"

G_BEGIN_DECLS

/* Rows buffered before they are handed to libpq. */
#define COPY_CHUNK (256 * 1024)

typedef struct
{
  gint64 key;
  gint64 period;
  int    level;
} RollKey;

typedef struct
{
  gint64 key;
  gint64 from;
  gint64 to;
  int    level;
} Recompute;

/* Rows written into a table since this connection opened, and at its last ANALYZE. */
typedef struct
{
  gint64 written;
  gint64 analyzed;
} Growth;

typedef struct
{
  PGconn     *conn;
  gboolean    lost;        /* the connection is broken: reconnect */
  gboolean    failed;      /* a statement of the transaction failed: roll it back */
  gboolean    in_copy;
  GByteArray *copy;        /* binary COPY rows not handed to libpq yet */
  GHashTable *days;        /* day number → itself: the sample partitions that exist */
  GHashTable *merges;      /* RollKey → GArray of DcHistoryAcc, rollup merges of this
                            * transaction in order (applied one after the other, as the
                            * sqlite backend does, so that sums round the same way) */
  GArray     *recomputes;  /* Recompute, rollup rebuilds of this transaction */
  GHashTable *growth;      /* day → Growth of its partition */
  Growth      rollup_growth;
} PgWriter;

#define PW(w) ((PgWriter *) (w)->conn)

static inline gint64
dc_history_pg_floor_div (gint64 t,
                         gint64 d)
{
  return dc_history_floor (t, d) / d;
}

/* dc-history-pg-copy.c */
guint      dc_history_pg_roll_key_hash  (gconstpointer  p);
gboolean   dc_history_pg_roll_key_equal (gconstpointer  a,
                                         gconstpointer  b);
/* "samples_pYYYYMMDD" for @day (days since the epoch, UTC); NULL outside years 1–9999. */
char      *dc_history_pg_partition_name (gint64         day);
/* Marks the transaction failed (and the connection lost when it is). */
void       dc_history_pg_fail           (PgWriter      *pw,
                                         const char    *what,
                                         const char    *message);
void       dc_history_pg_put16          (GByteArray    *b,
                                         guint16        v);
void       dc_history_pg_put32          (GByteArray    *b,
                                         guint32        v);
void       dc_history_pg_put64          (GByteArray    *b,
                                         guint64        v);
/* Binary COPY fields: length, then the value (big-endian); a non-finite double is NULL. */
void       dc_history_pg_put_int8       (GByteArray    *b,
                                         gint64         v);
void       dc_history_pg_put_float8     (GByteArray    *b,
                                         double         v);
void       dc_history_pg_put_int4       (GByteArray    *b,
                                         gint32         v);
gboolean   dc_history_pg_copy_start     (PgWriter      *pw,
                                         const char    *sql);
void       dc_history_pg_copy_send      (PgWriter      *pw);
/* Ends the COPY in progress, if any. */
void       dc_history_pg_copy_end       (PgWriter      *pw);
/* A statement of the writer (ends a COPY first); NULL when it, or an earlier statement of the
 * transaction, failed. */
PGresult  *dc_history_pg_exec_w         (PgWriter      *pw,
                                         const char    *sql,
                                         int            n,
                                         const gint64  *params);
gboolean   dc_history_pg_exec_w_done    (PgWriter      *pw,
                                         const char    *sql,
                                         int            n,
                                         const gint64  *params,
                                         gint64        *changes);
gboolean   dc_history_pg_load_days      (PgWriter      *pw,
                                         GError       **error);
/* Creates the partition of @day unless it exists. */
gboolean   dc_history_pg_ensure_day     (PgWriter      *pw,
                                         gint64         day);

/* dc-history-pg-jobs.c: DcHistoryBackend's job functions. */
gint64     dc_history_pg_chunk_bound    (Writer        *w,
                                         gint64         key,
                                         gint64         cutoff,
                                         guint          chunk);
gint64     dc_history_pg_delete_samples (Writer        *w,
                                         gint64         key,
                                         gint64         bound);
void       dc_history_pg_delete_rollups (Writer        *w,
                                         gint64         key,
                                         int            level,
                                         gint64         before);
gint64     dc_history_pg_finish_purge   (Writer        *w,
                                         gint64         key);
gboolean   dc_history_pg_next_key       (Writer        *w,
                                         gint64         from,
                                         gint64        *key);
gint64     dc_history_pg_drop_expired   (Writer        *w,
                                         gint64         cutoff);

G_END_DECLS
