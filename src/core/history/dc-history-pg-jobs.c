/* dc-history-pg-jobs.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-history"

#include "config.h"

#include "dc-history-pg-writer-private.h"

/* The PostgreSQL backend's part of the writer's jobs (dc-history-retention.c): purges of deleted
 * points and retention, which first drops whole day partitions. */

gint64
dc_history_pg_chunk_bound (Writer *w,
                           gint64  key,
                           gint64  cutoff,
                           guint   chunk)
{
  gint64 params[] = { key, cutoff, chunk };
  PGresult *res = dc_history_pg_exec_w (PW (w), "SELECT time FROM samples WHERE key=$1 AND time<$2"
                                        " ORDER BY time LIMIT 1 OFFSET $3", 3, params);
  gint64 bound = cutoff;

  if (res != NULL)
    dc_history_pg_get_int64 (res, 0, 0, &bound);
  PQclear (res);
  return bound;
}

gint64
dc_history_pg_delete_samples (Writer *w,
                              gint64  key,
                              gint64  bound)
{
  gint64 params[] = { key, bound }, deleted = 0;

  dc_history_pg_exec_w_done (PW (w), "DELETE FROM samples WHERE key=$1 AND time<$2", 2, params,
                             &deleted);
  return deleted;
}

void
dc_history_pg_delete_rollups (Writer *w,
                              gint64  key,
                              int     level,
                              gint64  before)
{
  gint64 params[] = { key, level, before };

  dc_history_pg_exec_w_done (PW (w), "DELETE FROM rollup WHERE key=$1 AND level=$2 AND time<$3",
                             3, params, NULL);
}

gint64
dc_history_pg_finish_purge (Writer *w,
                            gint64  key)
{
  gint64 deleted = 0;

  dc_history_pg_exec_w_done (PW (w), "DELETE FROM samples WHERE key=$1", 1, &key, &deleted);
  dc_history_pg_exec_w_done (PW (w), "DELETE FROM rollup WHERE key=$1", 1, &key, NULL);
  dc_history_pg_exec_w_done (PW (w), "DELETE FROM purge_keys WHERE key=$1", 1, &key, NULL);
  return deleted;
}

gboolean
dc_history_pg_next_key (Writer *w,
                        gint64  from,
                        gint64 *key)
{
  /* Keys with rollup rows count too: a point whose partitions were dropped keeps rollup
   * rows until its retention step removes them. */
  PGresult *res = dc_history_pg_exec_w (PW (w),
                                        "SELECT least((SELECT min(key) FROM samples WHERE key>=$1),"
                                        " (SELECT min(key) FROM rollup WHERE key>=$1))", 1, &from);
  gboolean found;

  if (res == NULL)
    return FALSE;
  found = dc_history_pg_get_int64 (res, 0, 0, key);
  PQclear (res);
  return found;
}

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* Drops the day partitions that end at or before @cutoff; their rows are counted first (for
 * DcHistoryStats.purged), which reads each partition once. */
gint64
dc_history_pg_drop_expired (Writer *w,
                            gint64  cutoff)
{
  PgWriter *pw = PW (w);
  g_autoptr(GArray) days = g_array_new (FALSE, FALSE, sizeof (gint64));
  GHashTableIter iter;
  gint64 *day, dropped = 0;

  g_hash_table_iter_init (&iter, pw->days);
  while (g_hash_table_iter_next (&iter, (gpointer *) &day, NULL))
    if ((*day + 1) * DC_HISTORY_PG_DAY_US <= cutoff)
      g_array_append_val (days, *day);
  g_array_sort (days, compare_int64);

  for (guint i = 0; !pw->failed && i < days->len; i++)
    {
      gint64 d = g_array_index (days, gint64, i);
      g_autofree char *name = dc_history_pg_partition_name (d);
      g_autofree char *count_sql = g_strdup_printf ("SELECT count(*) FROM %s", name);
      g_autofree char *drop_sql = g_strdup_printf ("DROP TABLE %s", name);
      PGresult *res = dc_history_pg_exec_w (pw, count_sql, 0, NULL);
      gint64 n = 0;

      if (res == NULL)
        break;
      dc_history_pg_get_int64 (res, 0, 0, &n);
      PQclear (res);
      if (dc_history_pg_exec_w_done (pw, drop_sql, 0, NULL, NULL))
        {
          dropped += n;
          g_hash_table_remove (pw->days, &d);
        }
    }
  return dropped;
}
