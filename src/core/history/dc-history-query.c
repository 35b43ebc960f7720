/* dc-history-query.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-history"

#include "config.h"

#include <math.h>

#include "dc-error.h"
#include "dc-history-private.h"
#include "dc-number.h"
#include "dc-time.h"

/* Queries on reader connections, in GTask threads. Each query opens a read transaction
 * and copies the queued samples of its key under the history mutex, so the snapshot and
 * the queued samples never overlap or miss a batch (the writer commits under the same
 * mutex). */

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

typedef struct
{
  DcHistory           *self;
  sqlite3             *db;
  GArray              *pending;   /* DcSample of the key in the window, sorted, unique */
  DcHistoryWatermarks  wm;
  gboolean             has_wm;
} Snapshot;

static void
snapshot_end (Snapshot *snap)
{
  DcHistory *self = snap->self;

  g_clear_pointer (&snap->pending, g_array_unref);
  if (snap->db == NULL)
    return;

  sqlite3_exec (snap->db, "COMMIT", NULL, NULL, NULL);
  g_mutex_lock (&self->mutex);
  g_ptr_array_add (self->readers, snap->db);
  g_mutex_unlock (&self->mutex);
  snap->db = NULL;
}

static int
compare_sample_time (gconstpointer a,
                     gconstpointer b)
{
  const DcSample *sa = a, *sb = b;

  return (sa->time > sb->time) - (sa->time < sb->time);
}

static gboolean
snapshot_begin (DcHistory  *self,
                Snapshot   *snap,
                gint64      key,
                gint64      from,
                gint64      to,
                GError    **error)
{
  sqlite3 *db = NULL;
  DcHistoryWatermarks *wm;
  guint j = 0;

  memset (snap, 0, sizeof *snap);
  snap->self = self;

  g_mutex_lock (&self->mutex);
  if (self->readers->len > 0)
    db = g_ptr_array_steal_index_fast (self->readers, self->readers->len - 1);
  g_mutex_unlock (&self->mutex);

  if (db == NULL && (db = dc_history_open_db (self->path, FALSE, error)) == NULL)
    return FALSE;
  snap->db = db;

  snap->pending = g_array_new (FALSE, FALSE, sizeof (DcSample));

  g_mutex_lock (&self->mutex);
  if (sqlite3_exec (db, "BEGIN; SELECT 1 FROM samples LIMIT 1", NULL, NULL, NULL) != SQLITE_OK)
    {
      g_mutex_unlock (&self->mutex);
      dc_history_set_sql_error (error, db, "read");
      snapshot_end (snap);
      return FALSE;
    }
  for (GList *l = self->queue.head; l != NULL; l = l->next)
    {
      DcHistoryBatch *batch = l->data;

      for (guint i = 0; i < batch->samples->len; i++)
        {
          const DcSample *s = &g_array_index (batch->samples, DcSample, i);

          if (s->key == key && s->time >= from && s->time < to)
            g_array_append_val (snap->pending, *s);
        }
    }
  wm = g_hash_table_lookup (self->published, &key);
  if (wm != NULL)
    {
      snap->wm = *wm;
      snap->has_wm = TRUE;
    }
  g_mutex_unlock (&self->mutex);

  /* Stable sort, then keep the last of equal times (the newest write wins). */
  g_array_sort (snap->pending, compare_sample_time);
  for (guint i = 0; i < snap->pending->len; i++)
    {
      DcSample *s = &g_array_index (snap->pending, DcSample, i);

      if (i + 1 < snap->pending->len &&
          g_array_index (snap->pending, DcSample, i + 1).time == s->time)
        continue;
      g_array_index (snap->pending, DcSample, j++) = *s;
    }
  g_array_set_size (snap->pending, j);

  return TRUE;
}

static double
column_double_or_nan (sqlite3_stmt *st,
                      int           col)
{
  if (sqlite3_column_type (st, col) == SQLITE_NULL)
    return NAN;
  return sqlite3_column_double (st, col);
}

/* Rows of the window, ordered by time (@desc: newest first), at most @limit (-1 = all),
 * appended oldest first to @out. */
static gboolean
select_rows (Snapshot  *snap,
             gint64     key,
             gint64     from,
             gint64     to,
             gboolean   desc,
             gint64     limit,
             GArray    *out,
             GError   **error)
{
  sqlite3_stmt *st = NULL;
  const char *sql = desc
    ? "SELECT time, value, quality FROM samples WHERE key=?1 AND time>=?2 AND time<?3 "
      "ORDER BY time DESC LIMIT ?4"
    : "SELECT time, value, quality FROM samples WHERE key=?1 AND time>=?2 AND time<?3 "
      "ORDER BY time LIMIT ?4";
  guint start = out->len;
  int rc;

  if (sqlite3_prepare_v2 (snap->db, sql, -1, &st, NULL) != SQLITE_OK)
    {
      dc_history_set_sql_error (error, snap->db, "select");
      return FALSE;
    }
  sqlite3_bind_int64 (st, 1, key);
  sqlite3_bind_int64 (st, 2, from);
  sqlite3_bind_int64 (st, 3, to);
  sqlite3_bind_int64 (st, 4, limit);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      DcSample s;

      s.key = key;
      s.time = sqlite3_column_int64 (st, 0);
      s.value = column_double_or_nan (st, 1);
      s.quality = (guint32) sqlite3_column_int64 (st, 2);
      g_array_append_val (out, s);
    }
  sqlite3_finalize (st);
  if (rc != SQLITE_DONE)
    {
      dc_history_set_sql_error (error, snap->db, "select");
      return FALSE;
    }

  if (desc)
    {
      for (guint i = start, k = out->len; i + 1 < k; i++, k--)
        {
          DcSample tmp = g_array_index (out, DcSample, i);

          g_array_index (out, DcSample, i) = g_array_index (out, DcSample, k - 1);
          g_array_index (out, DcSample, k - 1) = tmp;
        }
    }
  return TRUE;
}

/* Merges two time-ordered arrays; on equal times @pending wins. */
static GArray *
merge_pending (GArray *rows,
               GArray *pending)
{
  GArray *out = g_array_sized_new (FALSE, FALSE, sizeof (DcSample), rows->len + pending->len);
  guint i = 0, j = 0;

  while (i < rows->len || j < pending->len)
    {
      const DcSample *a = i < rows->len ? &g_array_index (rows, DcSample, i) : NULL;
      const DcSample *b = j < pending->len ? &g_array_index (pending, DcSample, j) : NULL;

      if (b == NULL || (a != NULL && a->time < b->time))
        {
          g_array_append_val (out, *a);
          i++;
        }
      else
        {
          if (a != NULL && a->time == b->time)
            i++;
          g_array_append_val (out, *b);
          j++;
        }
    }
  return out;
}

static gboolean
row_exists (Snapshot *snap,
            gint64    key,
            gint64    time)
{
  sqlite3_stmt *st = NULL;
  gboolean exists;

  sqlite3_prepare_v2 (snap->db, "SELECT 1 FROM samples WHERE key=?1 AND time=?2", -1, &st,
                      NULL);
  sqlite3_bind_int64 (st, 1, key);
  sqlite3_bind_int64 (st, 2, time);
  exists = sqlite3_step (st) == SQLITE_ROW;
  sqlite3_finalize (st);
  return exists;
}

static GArray *
run_samples (DcHistory  *self,
             Query      *q,
             GError    **error)
{
  Snapshot snap;
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (DcSample));
  g_autoptr(GArray) merged = NULL;
  gint64 limit;

  if (!snapshot_begin (self, &snap, q->key, q->from, q->to, error))
    return NULL;

  limit = q->limit > 0 ? (gint64) q->limit + snap.pending->len + 1 : -1;
  if (!select_rows (&snap, q->key, q->from, q->to, TRUE, limit, rows, error))
    {
      snapshot_end (&snap);
      return NULL;
    }
  merged = merge_pending (rows, snap.pending);
  snapshot_end (&snap);

  q->truncated = FALSE;
  if (q->limit > 0 && merged->len > q->limit)
    {
      q->truncated = TRUE;
      g_array_remove_range (merged, 0, merged->len - q->limit);
    }
  return g_steal_pointer (&merged);
}

static gboolean
run_count (DcHistory  *self,
           Query      *q,
           gint64     *count,
           GError    **error)
{
  Snapshot snap;
  sqlite3_stmt *st = NULL;
  gint64 n = 0;

  if (!snapshot_begin (self, &snap, q->key, q->from, q->to, error))
    return FALSE;

  sqlite3_prepare_v2 (snap.db, "SELECT count(*) FROM samples WHERE key=?1 AND time>=?2 AND time<?3",
                      -1, &st, NULL);
  sqlite3_bind_int64 (st, 1, q->key);
  sqlite3_bind_int64 (st, 2, q->from);
  sqlite3_bind_int64 (st, 3, q->to);
  if (sqlite3_step (st) == SQLITE_ROW)
    n = sqlite3_column_int64 (st, 0);
  sqlite3_finalize (st);

  for (guint i = 0; i < snap.pending->len; i++)
    if (!row_exists (&snap, q->key, g_array_index (snap.pending, DcSample, i).time))
      n++;
  snapshot_end (&snap);

  *count = n;
  return TRUE;
}

static gboolean
run_index (DcHistory  *self,
           Query      *q,
           DcSample   *sample,
           GError    **error)
{
  Snapshot snap;
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (DcSample));
  g_autoptr(GArray) merged = NULL;
  gboolean from_newest = q->index < 0;
  gint64 k = from_newest ? -(q->index + 1) : q->index;   /* 0-based position */

  if (k >= G_MAXINT64 / 2)
    goto out_of_range;

  if (!snapshot_begin (self, &snap, q->key, G_MININT64, G_MAXINT64, error))
    return FALSE;
  if (!select_rows (&snap, q->key, G_MININT64, G_MAXINT64, from_newest,
                    k + 1 + snap.pending->len, rows, error))
    {
      snapshot_end (&snap);
      return FALSE;
    }
  merged = merge_pending (rows, snap.pending);
  snapshot_end (&snap);

  if ((gint64) merged->len > k)
    {
      *sample = g_array_index (merged, DcSample, from_newest ? merged->len - 1 - k : (guint) k);
      return TRUE;
    }

out_of_range:
  g_set_error_literal (error, DC_ERROR, DC_ERROR_NOT_FOUND, "index out of range!");
  return FALSE;
}

/* A bucket while it is built. */
typedef struct
{
  gint64       index;
  DcHistoryAcc acc;
} Build;

static int
compare_build (gconstpointer a,
               gconstpointer b)
{
  const Build *ba = a, *bb = b;

  return (ba->index > bb->index) - (ba->index < bb->index);
}

int
dc_history_bucket_layout (gint64  from,
                          gint64  to,
                          guint   n_buckets,
                          gint64 *base,
                          gint64 *width)
{
  gint64 w0 = ((to - from) + n_buckets - 1) / n_buckets;

  for (int level = DC_HISTORY_N_LEVELS - 1; level >= 0; level--)
    {
      gint64 period = dc_history_level_period[level];

      if (period * 10 <= w0)
        {
          *base = dc_history_floor (from, period);
          *width = ((to - *base) + n_buckets - 1) / n_buckets;
          *width = ((*width + period - 1) / period) * period;
          return level;
        }
    }
  *base = from;
  *width = w0;
  return -1;
}

static GArray *
run_buckets (DcHistory  *self,
             Query      *q,
             GError    **error)
{
  static const char sql[] =
    "SELECT (t-?1)/?2 AS b, min(mn), max(mx), dc_first(fv, ft), min(ft), dc_last(lv, lt),"
    " max(lt), total(sm), sum(n), sum(cnt) FROM ("
    "  SELECT time AS t, vmin AS mn, vmax AS mx, first_time AS ft, vfirst AS fv,"
    "   last_time AS lt, vlast AS lv, vsum AS sm, n, count AS cnt"
    "   FROM rollup WHERE key=?3 AND level=?4 AND time>=?5 AND time<?6"
    "  UNION ALL"
    "  SELECT time, value, value, time, value, time, value, value, value IS NOT NULL, 1"
    "   FROM samples WHERE key=?3 AND time>=?7 AND time<?8"
    "  UNION ALL"
    "  SELECT time, value, value, time, value, time, value, value, value IS NOT NULL, 1"
    "   FROM samples WHERE key=?3 AND time>=?9 AND time<?10"
    ") GROUP BY b ORDER BY b";
  Snapshot snap;
  g_autoptr(GArray) builds = g_array_new (FALSE, FALSE, sizeof (Build));
  GArray *out;
  sqlite3_stmt *st = NULL;
  gint64 base, width, r0, r1;
  int level;
  int rc;

  if (q->n_buckets < 1 || q->n_buckets > DC_HISTORY_MAX_BUCKETS)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                   "buckets must be an integer between 1 and %d", DC_HISTORY_MAX_BUCKETS);
      return NULL;
    }
  if (q->from >= q->to || q->from == G_MININT64 || q->to == G_MAXINT64)
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID, "from must be before to");
      return NULL;
    }

  level = dc_history_bucket_layout (q->from, q->to, q->n_buckets, &base, &width);

  if (!snapshot_begin (self, &snap, q->key, q->from, q->to, error))
    return NULL;

  if (level >= 0)
    {
      gint64 period = dc_history_level_period[level];
      gint64 wm;

      r0 = base == q->from ? base : base + period;
      r1 = dc_history_floor (q->to, period);

      if (snap.has_wm)
        wm = snap.wm.wm[level];
      else
        {
          sqlite3_stmt *mx = NULL;

          /* Nothing written in this run: the last rollup row may be partial. */
          wm = G_MININT64;
          sqlite3_prepare_v2 (snap.db, "SELECT max(time) FROM rollup WHERE key=?1 AND level=?2",
                              -1, &mx, NULL);
          sqlite3_bind_int64 (mx, 1, q->key);
          sqlite3_bind_int (mx, 2, level);
          if (sqlite3_step (mx) == SQLITE_ROW && sqlite3_column_type (mx, 0) != SQLITE_NULL)
            wm = sqlite3_column_int64 (mx, 0);
          sqlite3_finalize (mx);
        }
      if (wm < r1)
        r1 = wm;
      if (r1 < r0)
        r1 = r0;
    }
  else
    r0 = r1 = q->from;

  sqlite3_prepare_v2 (snap.db, sql, -1, &st, NULL);
  sqlite3_bind_int64 (st, 1, base);
  sqlite3_bind_int64 (st, 2, width);
  sqlite3_bind_int64 (st, 3, q->key);
  sqlite3_bind_int (st, 4, level);
  sqlite3_bind_int64 (st, 5, r0);
  sqlite3_bind_int64 (st, 6, r1);
  sqlite3_bind_int64 (st, 7, q->from);
  sqlite3_bind_int64 (st, 8, r0);
  sqlite3_bind_int64 (st, 9, r1);
  sqlite3_bind_int64 (st, 10, q->to);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      Build b;

      b.index = sqlite3_column_int64 (st, 0);
      b.acc.min = column_double_or_nan (st, 1);
      b.acc.max = column_double_or_nan (st, 2);
      b.acc.first = column_double_or_nan (st, 3);
      b.acc.first_time = sqlite3_column_int64 (st, 4);
      b.acc.last = column_double_or_nan (st, 5);
      b.acc.last_time = sqlite3_column_int64 (st, 6);
      b.acc.sum = sqlite3_column_double (st, 7);
      b.acc.n = sqlite3_column_int64 (st, 8);
      b.acc.count = sqlite3_column_int64 (st, 9);
      g_array_append_val (builds, b);
    }
  sqlite3_finalize (st);
  if (rc != SQLITE_DONE)
    {
      dc_history_set_sql_error (error, snap.db, "buckets");
      snapshot_end (&snap);
      return NULL;
    }

  /* Queued samples that the snapshot does not hold yet. */
  for (guint i = 0; i < snap.pending->len; i++)
    {
      const DcSample *s = &g_array_index (snap.pending, DcSample, i);
      Build key = { .index = (s->time - base) / width };
      guint pos;

      if (row_exists (&snap, q->key, s->time))
        continue;
      if (!g_array_binary_search (builds, &key, compare_build, &pos))
        {
          Build b = { .index = key.index };

          dc_history_acc_reset (&b.acc);
          g_array_append_val (builds, b);
          g_array_sort (builds, compare_build);
          g_array_binary_search (builds, &key, compare_build, &pos);
        }
      dc_history_acc_add (&g_array_index (builds, Build, pos).acc, s);
    }
  snapshot_end (&snap);

  out = g_array_sized_new (FALSE, FALSE, sizeof (DcBucket), builds->len);
  for (guint i = 0; i < builds->len; i++)
    {
      const Build *b = &g_array_index (builds, Build, i);
      DcBucket bucket;

      bucket.time = MAX (base + b->index * width, q->from);
      bucket.min = b->acc.n > 0 ? b->acc.min : NAN;
      bucket.max = b->acc.n > 0 ? b->acc.max : NAN;
      bucket.first = b->acc.first;
      bucket.last = b->acc.last;
      bucket.avg = b->acc.n > 0 ? b->acc.sum / b->acc.n : NAN;
      bucket.count = b->acc.count;
      g_array_append_val (out, bucket);
    }
  return out;
}

static GBytes *
run_csv (DcHistory  *self,
         Query      *q,
         GError    **error)
{
  g_autoptr(GArray) samples = run_samples (self, q, error);
  GString *csv;

  if (samples == NULL)
    return NULL;

  csv = g_string_sized_new (32 + samples->len * 48);
  g_string_append (csv, "time,value,quality\n");
  for (guint i = 0; i < samples->len; i++)
    {
      const DcSample *s = &g_array_index (samples, DcSample, i);
      g_autofree char *time = dc_time_format (s->time);

      g_string_append (csv, time);
      g_string_append_c (csv, ',');
      if (isfinite (s->value))
        dc_number_append (csv, s->value);  /* docs/model.md "Numbers in texts" */
      g_string_append_printf (csv, ",%u\n", s->quality);
    }
  return g_string_free_to_bytes (csv);
}

static void
query_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  DcHistory *self = source_object;
  Query *q = task_data;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  switch (q->kind)
    {
    case QUERY_SAMPLES:
      {
        GArray *samples = run_samples (self, q, &error);

        if (samples != NULL)
          g_task_return_pointer (task, samples, (GDestroyNotify) g_array_unref);
        else
          g_task_return_error (task, error);
      }
      break;

    case QUERY_COUNT:
      {
        gint64 count = 0;

        if (run_count (self, q, &count, &error))
          g_task_return_pointer (task, g_memdup2 (&count, sizeof count), g_free);
        else
          g_task_return_error (task, error);
      }
      break;

    case QUERY_INDEX:
      {
        DcSample sample;

        if (run_index (self, q, &sample, &error))
          g_task_return_pointer (task, g_memdup2 (&sample, sizeof sample), g_free);
        else
          g_task_return_error (task, error);
      }
      break;

    case QUERY_BUCKETS:
      {
        GArray *buckets = run_buckets (self, q, &error);

        if (buckets != NULL)
          g_task_return_pointer (task, buckets, (GDestroyNotify) g_array_unref);
        else
          g_task_return_error (task, error);
      }
      break;

    case QUERY_CSV:
      {
        GBytes *bytes = run_csv (self, q, &error);

        if (bytes != NULL)
          g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
        else
          g_task_return_error (task, error);
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
start_query (DcHistory          *self,
             Query              *q,
             gpointer            source_tag,
             GCancellable       *cancellable,
             GAsyncReadyCallback callback,
             gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, q, g_free);
  g_task_run_in_thread (task, query_thread);
}

static Query *
query_new (QueryKind kind,
           gint64    key,
           gint64    from,
           gint64    to)
{
  Query *q = g_new0 (Query, 1);

  q->kind = kind;
  q->key = key;
  q->from = from;
  q->to = to;
  return q;
}

/* A samples or CSV query: at most @limit rows, the finisher says whether it cut. */
static Query *
query_new_limited (QueryKind kind,
                   gint64    key,
                   gint64    from,
                   gint64    to,
                   guint     limit)
{
  Query *q = query_new (kind, key, from, to);

  q->limit = limit;
  return q;
}

static gpointer
propagate_limited (GAsyncResult  *result,
                   gboolean      *truncated,
                   GError       **error)
{
  Query *q = g_task_get_task_data (G_TASK (result));

  if (truncated != NULL)
    *truncated = q->truncated;
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
dc_history_query_samples_async (DcHistory          *self,
                                gint64              key,
                                gint64              from,
                                gint64              to,
                                guint               limit,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  g_return_if_fail (DC_IS_HISTORY (self));

  start_query (self, query_new_limited (QUERY_SAMPLES, key, from, to, limit),
               dc_history_query_samples_async, cancellable, callback, user_data);
}

GArray *
dc_history_query_samples_finish (DcHistory     *self,
                                 GAsyncResult  *result,
                                 gboolean      *truncated,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return propagate_limited (result, truncated, error);
}

void
dc_history_count_async (DcHistory          *self,
                        gint64              key,
                        gint64              from,
                        gint64              to,
                        GCancellable       *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer            user_data)
{
  g_return_if_fail (DC_IS_HISTORY (self));

  start_query (self, query_new (QUERY_COUNT, key, from, to), dc_history_count_async,
               cancellable, callback, user_data);
}

gint64
dc_history_count_finish (DcHistory     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_autofree gint64 *count = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), -1);

  count = g_task_propagate_pointer (G_TASK (result), error);
  return count != NULL ? *count : -1;
}

void
dc_history_query_index_async (DcHistory          *self,
                              gint64              key,
                              gint64              index,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  Query *q;

  g_return_if_fail (DC_IS_HISTORY (self));

  q = query_new (QUERY_INDEX, key, G_MININT64, G_MAXINT64);
  q->index = index;
  start_query (self, q, dc_history_query_index_async, cancellable, callback, user_data);
}

gboolean
dc_history_query_index_finish (DcHistory     *self,
                               GAsyncResult  *result,
                               DcSample      *sample,
                               GError       **error)
{
  g_autofree DcSample *found = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  found = g_task_propagate_pointer (G_TASK (result), error);
  if (found == NULL)
    return FALSE;
  if (sample != NULL)
    *sample = *found;
  return TRUE;
}

void
dc_history_query_buckets_async (DcHistory          *self,
                                gint64              key,
                                gint64              from,
                                gint64              to,
                                guint               n_buckets,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  Query *q;

  g_return_if_fail (DC_IS_HISTORY (self));

  q = query_new (QUERY_BUCKETS, key, from, to);
  q->n_buckets = n_buckets;
  start_query (self, q, dc_history_query_buckets_async, cancellable, callback, user_data);
}

GArray *
dc_history_query_buckets_finish (DcHistory     *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
dc_history_query_csv_async (DcHistory          *self,
                            gint64              key,
                            gint64              from,
                            gint64              to,
                            guint               limit,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  g_return_if_fail (DC_IS_HISTORY (self));

  start_query (self, query_new_limited (QUERY_CSV, key, from, to, limit),
               dc_history_query_csv_async, cancellable, callback, user_data);
}

GBytes *
dc_history_query_csv_finish (DcHistory     *self,
                             GAsyncResult  *result,
                             gboolean      *truncated,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return propagate_limited (result, truncated, error);
}
