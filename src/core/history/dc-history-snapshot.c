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

gboolean
dc_history_snapshot_begin (DcHistory  *self,
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
      dc_history_snapshot_end (snap);
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

double
dc_history_column_double_or_nan (sqlite3_stmt *st,
                                 int           col)
{
  if (sqlite3_column_type (st, col) == SQLITE_NULL)
    return NAN;
  return sqlite3_column_double (st, col);
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
      s.value = dc_history_column_double_or_nan (st, 1);
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
