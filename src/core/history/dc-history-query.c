/* dc-history-query.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-history"

#include "config.h"

#include <math.h>

#include "dc-error.h"
#include "dc-history-query-private.h"
#include "dc-number.h"
#include "dc-time.h"

/* Queries on reader connections, in GTask threads. Each query opens a read transaction
 * and copies the queued samples of its key under the history mutex, so the snapshot and
 * the queued samples never overlap or miss a batch (the writer commits under the same
 * mutex). Bucket queries live in dc-history-buckets.c, the snapshot in dc-history-snapshot.c. */

static GArray *
run_samples (DcHistory  *self,
             Query      *q,
             GError    **error)
{
  Snapshot snap;
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (DcSample));
  g_autoptr(GArray) merged = NULL;
  gint64 limit;

  if (!dc_history_snapshot_begin (self, &snap, q->key, q->from, q->to, error))
    return NULL;

  limit = q->limit > 0 ? (gint64) q->limit + snap.pending->len + 1 : -1;
  if (!dc_history_snapshot_select (&snap, q->key, q->from, q->to, TRUE, limit, rows, error))
    {
      dc_history_snapshot_end (&snap);
      return NULL;
    }
  merged = dc_history_merge_pending (rows, snap.pending);
  dc_history_snapshot_end (&snap);

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
  gint64 n = 0;

  if (!dc_history_snapshot_begin (self, &snap, q->key, q->from, q->to, error))
    return FALSE;

  if (!self->backend->count (snap.conn, q->key, q->from, q->to, &n, error))
    {
      dc_history_snapshot_end (&snap);
      return FALSE;
    }

  for (guint i = 0; i < snap.pending->len; i++)
    if (!dc_history_snapshot_row_exists (&snap, q->key, g_array_index (snap.pending, DcSample, i).time))
      n++;
  dc_history_snapshot_end (&snap);

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

  if (!dc_history_snapshot_begin (self, &snap, q->key, G_MININT64, G_MAXINT64, error))
    return FALSE;
  if (!dc_history_snapshot_select (&snap, q->key, G_MININT64, G_MAXINT64, from_newest,
                    k + 1 + snap.pending->len, rows, error))
    {
      dc_history_snapshot_end (&snap);
      return FALSE;
    }
  merged = dc_history_merge_pending (rows, snap.pending);
  dc_history_snapshot_end (&snap);

  if ((gint64) merged->len > k)
    {
      *sample = g_array_index (merged, DcSample, from_newest ? merged->len - 1 - k : (guint) k);
      return TRUE;
    }

out_of_range:
  g_set_error_literal (error, DC_ERROR, DC_ERROR_NOT_FOUND, "index out of range!");
  return FALSE;
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
        GArray *buckets = dc_history_run_buckets (self, q, &error);

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
