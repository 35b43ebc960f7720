/* dc-history-pg.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-history"

#include "config.h"

#include <math.h>

#include "dc-error.h"
#include "dc-history-pg-writer-private.h"

/* The writer side of the PostgreSQL backend (docs/historian-postgresql.md): its own
 * connection on the writer thread, samples through COPY (binary) in one transaction per
 * group of batches, day partitions created ahead and on demand, rollups gathered in memory
 * during the transaction and written at its end, retention dropping whole partitions. */

static gboolean
session_setup (PgWriter  *pw,
               GError   **error)
{
  pw->lost = pw->failed = pw->in_copy = FALSE;
  return dc_history_pg_exec_simple (pw->conn,
                                    "CREATE TEMP TABLE IF NOT EXISTS rollup_stage (LIKE rollup)"
                                    " ON COMMIT DELETE ROWS", error) &&
         dc_history_pg_load_days (pw, error);
}

static void
pg_writer_close (Writer *w)
{
  PgWriter *pw = PW (w);

  PQfinish (pw->conn);
  g_byte_array_unref (pw->copy);
  g_hash_table_unref (pw->days);
  g_hash_table_unref (pw->merges);
  g_array_unref (pw->recomputes);
  g_hash_table_unref (pw->growth);
  g_free (pw);
  w->conn = NULL;
}

static gboolean
pg_writer_open (Writer  *w,
                GError **error)
{
  DcHistory *self = w->self;
  PgWriter *pw = g_new0 (PgWriter, 1);

  pw->copy = g_byte_array_sized_new (COPY_CHUNK + 1024);
  pw->days = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  pw->merges = g_hash_table_new_full (dc_history_pg_roll_key_hash, dc_history_pg_roll_key_equal,
                                      g_free, (GDestroyNotify) g_array_unref);
  pw->recomputes = g_array_new (FALSE, FALSE, sizeof (Recompute));
  pw->growth = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  w->conn = pw;

  pw->conn = dc_history_pg_connect (self->conninfo, self->password, error);
  if (pw->conn == NULL ||
      !dc_history_pg_create_schema (pw->conn, error) ||
      (self->config_id != NULL &&
       !dc_history_pg_claim (pw->conn, self->path, self->config_path, self->config_id, error)) ||
      !session_setup (pw, error))
    {
      pg_writer_close (w);
      return FALSE;
    }
  return TRUE;
}

static gboolean
pg_reconnect (Writer *w)
{
  DcHistory *self = w->self;
  PgWriter *pw = PW (w);
  g_autoptr(GError) error = NULL;
  PGconn *conn = dc_history_pg_connect (self->conninfo, self->password, &error);

  if (conn == NULL)
    {
      g_debug ("history writer: %s", error->message);
      return FALSE;
    }
  PQfinish (pw->conn);
  pw->conn = conn;
  g_hash_table_remove_all (pw->merges);
  g_array_set_size (pw->recomputes, 0);
  if (!session_setup (pw, &error))
    {
      g_debug ("history writer: %s", error->message);
      pw->lost = TRUE;
      return FALSE;
    }
  return TRUE;
}

static gboolean
pg_lost (Writer *w)
{
  return PW (w)->lost;
}

static void
pg_list_purges (Writer *w,
                GArray *keys)
{
  PGresult *res = dc_history_pg_exec_w (PW (w), "SELECT key FROM purge_keys", 0, NULL);

  for (int i = 0; res != NULL && i < PQntuples (res); i++)
    {
      gint64 key;

      if (dc_history_pg_get_int64 (res, i, 0, &key))
        g_array_append_val (keys, key);
    }
  PQclear (res);
}

static gboolean
pg_begin (Writer *w)
{
  PgWriter *pw = PW (w);
  gint64 today = dc_history_pg_floor_div (g_get_real_time (), DC_HISTORY_PG_DAY_US);

  if (pw->lost)
    return FALSE;
  pw->failed = FALSE;
  if (!dc_history_pg_exec_w_done (pw, "BEGIN", 0, NULL, NULL))
    return FALSE;
  /* Partitions ahead: today and the next two days exist before their samples come. */
  for (gint64 day = today; day <= today + 2; day++)
    if (!dc_history_pg_ensure_day (pw, day))
      return FALSE;
  return TRUE;
}

static void
pg_record_purges (Writer *w,
                  GArray *keys)
{
  PgWriter *pw = PW (w);

  if (!pg_begin (w))
    return;
  for (guint i = 0; i < keys->len; i++)
    dc_history_pg_exec_w_done (pw,
                               "INSERT INTO purge_keys (key) VALUES ($1) ON CONFLICT DO NOTHING", 1,
                               &g_array_index (keys, gint64, i), NULL);
  w->ops->commit (w);
}

static gboolean
covered (PgWriter      *pw,
         const RollKey *k)
{
  for (guint i = 0; i < pw->recomputes->len; i++)
    {
      const Recompute *r = &g_array_index (pw->recomputes, Recompute, i);

      if (r->key == k->key && r->level == k->level && k->period >= r->from && k->period < r->to)
        return TRUE;
    }
  return FALSE;
}

/* The rollup work of the transaction, before COMMIT: rebuilds from the samples (all written
 * by now, so they supersede the merges of the same periods), then the merges through COPY
 * into a temporary table and one upsert. */
static void
flush_rollups (PgWriter *pw)
{
  GHashTableIter iter;
  RollKey *k;
  GArray *list;

  for (guint i = 0; !pw->failed && i < pw->recomputes->len; i++)
    {
      const Recompute *r = &g_array_index (pw->recomputes, Recompute, i);
      gint64 params[] = { r->key, r->level, r->from, r->to, dc_history_level_period[r->level] };

      dc_history_pg_exec_w_done (pw, "DELETE FROM rollup WHERE key=$1 AND level=$2"
                                     " AND time>=$3 AND time<$4", 4, params, NULL);
      dc_history_pg_exec_w_done (pw,
        "INSERT INTO rollup (key, level, time, vmin, vmax, first_time, vfirst, last_time, vlast,"
        " vsum, n, count)"
        " SELECT $1, $2, p, min(value), max(value), min(time),"
        " (array_agg(value ORDER BY time))[1], max(time),"
        " (array_agg(value ORDER BY time DESC))[1], coalesce(sum(value ORDER BY time), 0),"
        " count(value),"
        " count(*) FROM (SELECT time, value, time - (((time % $5) + $5) % $5) AS p"
        "  FROM samples WHERE key=$1 AND time>=$3 AND time<$4) s GROUP BY p",
        5, params, NULL);
    }

  /* Round r upserts the r-th merge of every period: one COPY and one statement per round,
   * nearly always a single round. */
  for (guint round = 0; !pw->failed; round++)
    {
      guint n_merges = 0;

      g_hash_table_iter_init (&iter, pw->merges);
      while (!pw->failed && g_hash_table_iter_next (&iter, (gpointer *) &k, (gpointer *) &list))
        {
          const DcHistoryAcc *acc;

          if (round >= list->len || covered (pw, k))
            continue;
          acc = &g_array_index (list, DcHistoryAcc, round);
          /* The stage is emptied at COMMIT (ON COMMIT DELETE ROWS), between rounds here. */
          if (n_merges == 0 && round > 0 &&
              !dc_history_pg_exec_w_done (pw, "DELETE FROM rollup_stage", 0, NULL, NULL))
            break;
          if (n_merges == 0 &&
              !dc_history_pg_copy_start (pw, "COPY rollup_stage (key, level, time, vmin, vmax,"
                                             " first_time, vfirst, last_time, vlast, vsum, n,"
                                             " count) FROM STDIN (FORMAT binary)"))
            break;
          n_merges++;
          dc_history_pg_put16 (pw->copy, 12);
          dc_history_pg_put_int8 (pw->copy, k->key);
          dc_history_pg_put_int4 (pw->copy, k->level);
          dc_history_pg_put_int8 (pw->copy, k->period);
          dc_history_pg_put_float8 (pw->copy, acc->n > 0 ? acc->min : NAN);
          dc_history_pg_put_float8 (pw->copy, acc->n > 0 ? acc->max : NAN);
          dc_history_pg_put_int8 (pw->copy, acc->first_time);
          dc_history_pg_put_float8 (pw->copy, acc->first);
          dc_history_pg_put_int8 (pw->copy, acc->last_time);
          dc_history_pg_put_float8 (pw->copy, acc->last);
          dc_history_pg_put32 (pw->copy, 8);
          {
            guint64 bits;

            memcpy (&bits, &acc->sum, sizeof bits);
            dc_history_pg_put64 (pw->copy, bits);
          }
          dc_history_pg_put_int8 (pw->copy, acc->n);
          dc_history_pg_put_int8 (pw->copy, acc->count);
          if (pw->copy->len >= COPY_CHUNK)
            dc_history_pg_copy_send (pw);
        }
      if (n_merges == 0)
        break;
      pw->rollup_growth.written += n_merges;
      dc_history_pg_exec_w_done (pw,
        "INSERT INTO rollup AS r SELECT * FROM rollup_stage"
        " ON CONFLICT (key, level, time) DO UPDATE SET"
        " vmin=least(r.vmin, excluded.vmin), vmax=greatest(r.vmax, excluded.vmax),"
        " vfirst=CASE WHEN excluded.first_time<r.first_time THEN excluded.vfirst ELSE r.vfirst END,"
        " first_time=least(r.first_time, excluded.first_time),"
        " vlast=CASE WHEN excluded.last_time>r.last_time THEN excluded.vlast ELSE r.vlast END,"
        " last_time=greatest(r.last_time, excluded.last_time),"
        " vsum=r.vsum+excluded.vsum, n=r.n+excluded.n, count=r.count+excluded.count",
        0, NULL, NULL);
    }

  g_hash_table_remove_all (pw->merges);
  g_array_set_size (pw->recomputes, 0);
}

static void
grow_day (PgWriter *pw,
          gint64    time)
{
  gint64 day = dc_history_pg_floor_div (time, DC_HISTORY_PG_DAY_US);
  Growth *g = g_hash_table_lookup (pw->growth, &day);

  if (g == NULL)
    {
      g = g_new0 (Growth, 1);
      g_hash_table_insert (pw->growth, g_memdup2 (&day, sizeof day), g);
    }
  g->written++;
}

static gboolean
grown (Growth *g)
{
  return g->written >= 1000 && g->written >= 2 * g->analyzed;
}

/* Statistics for the planner as tables fill: a partition (or the rollup table) is analysed
 * when the rows written into it since the connection opened reach 1,000 and then each time
 * they double. Without statistics PostgreSQL plans "newest N samples" as a scan and a sort of
 * the whole partition instead of a backward index scan; autovacuum would catch up only a
 * minute later. After the COMMIT, outside the transaction. */
static void
analyze_grown (PgWriter *pw)
{
  GHashTableIter iter;
  gint64 *day;
  Growth *g;

  g_hash_table_iter_init (&iter, pw->growth);
  while (!pw->failed && g_hash_table_iter_next (&iter, (gpointer *) &day, (gpointer *) &g))
    if (grown (g) && g_hash_table_contains (pw->days, day))
      {
        g_autofree char *name = dc_history_pg_partition_name (*day);
        g_autofree char *sql = g_strdup_printf ("ANALYZE %s", name);

        /* Once per doubling, whether it worked or not (a failure was logged). */
        dc_history_pg_exec_w_done (pw, sql, 0, NULL, NULL);
        g->analyzed = g->written;
      }
  if (!pw->failed && grown (&pw->rollup_growth))
    {
      dc_history_pg_exec_w_done (pw, "ANALYZE rollup", 0, NULL, NULL);
      pw->rollup_growth.analyzed = pw->rollup_growth.written;
    }
  pw->failed = FALSE;
}

static DcHistoryCommit
pg_commit (Writer *w)
{
  PgWriter *pw = PW (w);
  g_autoptr(GError) error = NULL;

  dc_history_pg_copy_end (pw);
  flush_rollups (pw);
  if (!pw->failed && !dc_history_pg_exec_simple (pw->conn, "COMMIT", &error))
    dc_history_pg_fail (pw, "COMMIT", error->message);
  if (!pw->failed)
    {
      /* A lost connection here shows at the next BEGIN: the commit is done. */
      analyze_grown (pw);
      return DC_HISTORY_COMMIT_OK;
    }

  g_hash_table_remove_all (pw->merges);
  g_array_set_size (pw->recomputes, 0);
  if (pw->lost)
    return DC_HISTORY_COMMIT_RETRY;
  /* Partitions created or dropped in the transaction are back as they were. */
  PQclear (PQexec (pw->conn, "ROLLBACK"));
  if (!dc_history_pg_load_days (pw, NULL))
    pw->lost = TRUE;
  pw->failed = FALSE;
  return pw->lost ? DC_HISTORY_COMMIT_RETRY : DC_HISTORY_COMMIT_FAILED;
}

static gboolean
pg_write_sample (Writer         *w,
                 KeyState       *ks,
                 const DcSample *s,
                 gboolean       *replaced)
{
  PgWriter *pw = PW (w);
  char key[24], time[24], value[40], quality[16];
  const char *params[4] = { key, time, value, quality };
  g_autoptr(GError) error = NULL;
  PGresult *res;

  *replaced = FALSE;
  if (pw->failed ||
      !dc_history_pg_ensure_day (pw, dc_history_pg_floor_div (s->time, DC_HISTORY_PG_DAY_US)))
    return FALSE;

  /* After every row of its point: a new row, through COPY. */
  if (s->time > ks->max_time)
    {
      if (!pw->in_copy &&
          !dc_history_pg_copy_start (pw, "COPY samples (key, time, value, quality)"
                                         " FROM STDIN (FORMAT binary)"))
        return FALSE;
      dc_history_pg_put16 (pw->copy, 4);
      dc_history_pg_put_int8 (pw->copy, s->key);
      dc_history_pg_put_int8 (pw->copy, s->time);
      dc_history_pg_put_float8 (pw->copy, s->value);
      dc_history_pg_put_int4 (pw->copy, (gint32) s->quality);
      if (pw->copy->len >= COPY_CHUNK)
        dc_history_pg_copy_send (pw);
      grow_day (pw, s->time);
      return !pw->failed;
    }

  /* A late sample may replace a row: insert, else update (as the sqlite backend does). */
  dc_history_pg_copy_end (pw);
  if (pw->failed)
    return FALSE;
  g_snprintf (key, sizeof key, "%" G_GINT64_FORMAT, s->key);
  g_snprintf (time, sizeof time, "%" G_GINT64_FORMAT, s->time);
  g_ascii_formatd (value, sizeof value, "%.17g", s->value);
  g_snprintf (quality, sizeof quality, "%d", (gint32) s->quality);
  if (!isfinite (s->value))
    params[2] = NULL;
  res = dc_history_pg_exec (pw->conn,
                            "INSERT INTO samples (key, time, value, quality)"
                            " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", 4, params, &error);
  if (res == NULL)
    {
      dc_history_pg_fail (pw, "INSERT", error->message);
      return FALSE;
    }
  *replaced = g_str_equal (PQcmdTuples (res), "0");
  PQclear (res);
  if (!*replaced)
    {
      grow_day (pw, s->time);
      return TRUE;
    }
  res = dc_history_pg_exec (pw->conn,
                            "UPDATE samples SET value=$3, quality=$4 WHERE key=$1 AND time=$2",
                            4, params, &error);
  if (res == NULL)
    {
      dc_history_pg_fail (pw, "UPDATE", error->message);
      return FALSE;
    }
  PQclear (res);
  return TRUE;
}

static gboolean
pg_merge_acc (Writer             *w,
              gint64              key,
              int                 level,
              gint64              period,
              const DcHistoryAcc *acc)
{
  PgWriter *pw = PW (w);
  RollKey k = { key, period, level };
  GArray *list = g_hash_table_lookup (pw->merges, &k);

  if (list == NULL)
    {
      list = g_array_sized_new (FALSE, FALSE, sizeof (DcHistoryAcc), 1);
      g_hash_table_insert (pw->merges, g_memdup2 (&k, sizeof k), list);
    }
  g_array_append_val (list, *acc);
  return TRUE;
}

static gboolean
pg_recompute_range (Writer *w,
                    gint64  key,
                    int     level,
                    gint64  from,
                    gint64  to)
{
  Recompute r = { key, from, to, level };

  g_array_append_val (PW (w)->recomputes, r);
  return TRUE;
}

static gboolean
pg_key_bounds (Writer *w,
               gint64  key,
               gint64 *min_time,
               gint64 *max_time)
{
  PGresult *res = dc_history_pg_exec_w (PW (w),
                                        "SELECT min(time), max(time) FROM samples WHERE key=$1", 1,
                                        &key);
  gboolean found;

  if (res == NULL)
    return FALSE;
  found = dc_history_pg_get_int64 (res, 0, 0, min_time) &&
          dc_history_pg_get_int64 (res, 0, 1, max_time);
  PQclear (res);
  return found;
}

static gboolean
pg_max_rollup (Writer *w,
               gint64  key,
               int     level,
               gint64 *time)
{
  gint64 params[] = { key, level };
  PGresult *res = dc_history_pg_exec_w (PW (w),
                                        "SELECT max(time) FROM rollup WHERE key=$1 AND level=$2", 2,
                                        params);
  gboolean found;

  if (res == NULL)
    return FALSE;
  found = dc_history_pg_get_int64 (res, 0, 0, time);
  PQclear (res);
  return found;
}

const DcHistoryBackend dc_history_pg_backend = {
  .name = "PostgreSQL",
  .writer_open = pg_writer_open,
  .writer_close = pg_writer_close,
  .reconnect = pg_reconnect,
  .lost = pg_lost,
  .list_purges = pg_list_purges,
  .record_purges = pg_record_purges,
  .begin = pg_begin,
  .commit = pg_commit,
  .write_sample = pg_write_sample,
  .merge_acc = pg_merge_acc,
  .recompute_range = pg_recompute_range,
  .key_bounds = pg_key_bounds,
  .max_rollup = pg_max_rollup,
  .chunk_bound = dc_history_pg_chunk_bound,
  .delete_samples = dc_history_pg_delete_samples,
  .delete_rollups = dc_history_pg_delete_rollups,
  .finish_purge = dc_history_pg_finish_purge,
  .next_key = dc_history_pg_next_key,
  .drop_expired = dc_history_pg_drop_expired,
  .reader_open = dc_history_pg_reader_open,
  .reader_close = dc_history_pg_reader_close,
  .read_begin = dc_history_pg_read_begin,
  .read_end = dc_history_pg_read_end,
  .select = dc_history_pg_select,
  .count = dc_history_pg_count,
  .row_exists = dc_history_pg_row_exists,
  .reader_max_rollup = dc_history_pg_reader_max_rollup,
  .bucket_rows = dc_history_pg_bucket_rows,
};
