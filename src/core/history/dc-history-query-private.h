/* dc-history-query-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-history-private.h"

G_BEGIN_DECLS

/* A query as it travels to its GTask thread (dc-history-query.c). */
typedef enum
{
  QUERY_SAMPLES,
  QUERY_COUNT,
  QUERY_INDEX,
  QUERY_BUCKETS,
  QUERY_CSV,
} QueryKind;

typedef struct
{
  QueryKind kind;
  gint64    key;
  gint64    from;
  gint64    to;
  guint     limit;
  gint64    index;
  guint     n_buckets;
  gboolean  truncated;
} Query;

/* A read snapshot of one key (dc-history-snapshot.c): a read transaction on a pooled reader
 * connection of the backend plus the queued samples of the key, copied under the history
 * mutex. */
typedef struct
{
  DcHistory           *self;
  gpointer             conn;
  GArray              *pending;   /* DcSample of the key in the window, sorted, unique */
  DcHistoryWatermarks  wm;
  gboolean             has_wm;
} Snapshot;

gboolean dc_history_snapshot_begin      (DcHistory  *self,
                                         Snapshot   *snap,
                                         gint64      key,
                                         gint64      from,
                                         gint64      to,
                                         GError    **error);
void     dc_history_snapshot_end        (Snapshot   *snap);
gboolean dc_history_snapshot_select     (Snapshot   *snap,
                                         gint64      key,
                                         gint64      from,
                                         gint64      to,
                                         gboolean    desc,
                                         gint64      limit,
                                         GArray     *out,
                                         GError    **error);
gboolean dc_history_snapshot_row_exists (Snapshot   *snap,
                                         gint64      key,
                                         gint64      time);
GArray  *dc_history_merge_pending       (GArray     *rows,
                                         GArray     *pending);

/* Buckets of a window (dc-history-buckets.c): rollup rows for whole periods, samples for the
 * edges, queued samples merged in. */
GArray  *dc_history_run_buckets         (DcHistory  *self,
                                         Query      *q,
                                         GError    **error);

G_END_DECLS
