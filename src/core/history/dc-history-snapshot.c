/* dc-history-snapshot.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-history"

#include "config.h"

#include <math.h>

#include "dc-error.h"
#include "dc-history-query-private.h"

/* Read snapshots for the queries: see dc-history-query-private.h. */

void
dc_history_snapshot_end (Snapshot *snap)
{
  DcHistory *self = snap->self;

  g_clear_pointer (&snap->pending, g_array_unref);
  if (snap->conn == NULL)
    return;

  self->backend->read_end (snap->conn);
  g_mutex_lock (&self->mutex);
  g_ptr_array_add (self->readers, snap->conn);
  g_mutex_unlock (&self->mutex);
  snap->conn = NULL;
}

static int
compare_sample_time (gconstpointer a,
                     gconstpointer b)
{
  const DcSample *sa = a, *sb = b;

  return (sa->time > sb->time) - (sa->time < sb->time);
}

gboolean
dc_history_snapshot_begin (DcHistory  *self,
                           Snapshot   *snap,
                           gint64      key,
                           gint64      from,
                           gint64      to,
                           GError    **error)
{
  const DcHistoryBackend *backend = self->backend;
  gpointer conn = NULL;
  DcHistoryWatermarks *wm;
  guint j = 0;

  memset (snap, 0, sizeof *snap);
  snap->self = self;

  g_mutex_lock (&self->mutex);
  if (self->readers->len > 0)
    conn = g_ptr_array_steal_index_fast (self->readers, self->readers->len - 1);
  g_mutex_unlock (&self->mutex);

  if (conn == NULL && (conn = backend->reader_open (self, error)) == NULL)
    return FALSE;

  snap->pending = g_array_new (FALSE, FALSE, sizeof (DcSample));

  /* The writer commits outside the mutex (a push never waits for a disk), so the snapshot is
   * taken right after the copy of the queue: a batch committed in between is in both, which
   * the queries tolerate (queued samples win on equal times and are counted once;
   * docs/history.md "Writer"). */
  g_mutex_lock (&self->mutex);
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

  if (!backend->read_begin (conn, error))
    {
      backend->reader_close (conn);
      g_clear_pointer (&snap->pending, g_array_unref);
      return FALSE;
    }
  snap->conn = conn;

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

/* Rows of the window, ordered by time (@desc: newest first), at most @limit (-1 = all),
 * appended oldest first to @out. */
gboolean
dc_history_snapshot_select (Snapshot  *snap,
                            gint64     key,
                            gint64     from,
                            gint64     to,
                            gboolean   desc,
                            gint64     limit,
                            GArray    *out,
                            GError   **error)
{
  return snap->self->backend->select (snap->conn, key, from, to, desc, limit, out, error);
}

/* Merges two time-ordered arrays; on equal times @pending wins. */
GArray *
dc_history_merge_pending (GArray *rows,
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

gboolean
dc_history_snapshot_row_exists (Snapshot *snap,
                                gint64    key,
                                gint64    time)
{
  return snap->self->backend->row_exists (snap->conn, key, time);
}
