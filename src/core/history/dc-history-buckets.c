/* dc-history-buckets.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-history"

#include "config.h"

#include <math.h>

#include "dc-error.h"
#include "dc-history-query-private.h"

/* Bucket queries (REST `datas?buckets=N`, the workstation's trend): see docs/history.md
 * "Buckets". */

/* A bucket while it is built. */
typedef DcHistoryBucketRow Build;

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

GArray *
dc_history_run_buckets (DcHistory  *self,
                        Query      *q,
                        GError    **error)
{
  Snapshot snap;
  g_autoptr(GArray) builds = g_array_new (FALSE, FALSE, sizeof (Build));
  GArray *out;
  gint64 base, width, r0, r1;
  int level;

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

  if (!dc_history_snapshot_begin (self, &snap, q->key, q->from, q->to, error))
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
          /* Nothing written in this run: the last rollup row may be partial. */
          if (!self->backend->reader_max_rollup (snap.conn, q->key, level, &wm))
            wm = G_MININT64;
        }
      if (wm < r1)
        r1 = wm;
      if (r1 < r0)
        r1 = r0;
    }
  else
    r0 = r1 = q->from;

  if (!self->backend->bucket_rows (snap.conn, q->key, level, base, width, r0, r1, q->from,
                                   q->to, builds, error))
    {
      dc_history_snapshot_end (&snap);
      return NULL;
    }

  /* Queued samples that the snapshot does not hold yet. */
  for (guint i = 0; i < snap.pending->len; i++)
    {
      const DcSample *s = &g_array_index (snap.pending, DcSample, i);
      Build key = { .index = (s->time - base) / width };
      guint pos;

      if (dc_history_snapshot_row_exists (&snap, q->key, s->time))
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
  dc_history_snapshot_end (&snap);

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
