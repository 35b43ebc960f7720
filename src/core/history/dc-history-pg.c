/* dc-history-pg.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-history"

#include "config.h"

#include <math.h>

#include "dc-error.h"
#include "dc-history-pg-private.h"
#include "dc-history-writer-private.h"

/* The writer side of the PostgreSQL backend (docs/historian-postgresql.md): its own
 * connection on the writer thread, samples through COPY (binary) in one transaction per
 * group of batches, day partitions created ahead and on demand, rollups gathered in memory
 * during the transaction and written at its end, retention dropping whole partitions. */

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

static guint
roll_key_hash (gconstpointer p)
{
  const RollKey *k = p;

  return g_int64_hash (&k->key) ^ g_int64_hash (&k->period) ^ (guint) k->level;
}

static gboolean
roll_key_equal (gconstpointer a,
                gconstpointer b)
{
  const RollKey *x = a, *y = b;

  return x->key == y->key && x->period == y->period && x->level == y->level;
}

static gint64
floor_div (gint64 t,
           gint64 d)
{
  return dc_history_floor (t, d) / d;
}

/* "samples_pYYYYMMDD" for @day (days since the epoch, UTC); NULL outside years 1–9999. */
static char *
partition_name (gint64 day)
{
  g_autoptr(GDateTime) dt = NULL;

  if (day < -719162 || day > 2932896)
    return NULL;
  dt = g_date_time_new_from_unix_utc (day * 86400);
  if (dt == NULL)
    return NULL;
  return g_date_time_format (dt, "samples_p%Y%m%d");
}

static gboolean
partition_day (const char *name,
               gint64     *day)
{
  g_autoptr(GDateTime) dt = NULL;
  int y, m, d;

  if (strlen (name) != 17 || sscanf (name, "samples_p%4d%2d%2d", &y, &m, &d) != 3)
    return FALSE;
  dt = g_date_time_new_utc (y, m, d, 0, 0, 0);
  if (dt == NULL)
    return FALSE;
  *day = floor_div (g_date_time_to_unix (dt), 86400);
  return TRUE;
}

/* Marks the transaction failed after a statement did not run. */
static void
fail (PgWriter   *pw,
      const char *what,
      const char *message)
{
  g_autofree char *text = g_strdup (message != NULL ? message : PQerrorMessage (pw->conn));

  g_strchomp (text);
  pw->failed = TRUE;
  if (PQstatus (pw->conn) != CONNECTION_OK)
    {
      /* An outage, not a bug: the writer reconnects (dc-history.c wait_reconnect()). */
      if (!pw->lost)
        g_message ("history writer: %s: %s", what, text);
      pw->lost = TRUE;
    }
  else
    g_critical ("history writer: %s: %s", what, text);
}

static void
put16 (GByteArray *b,
       guint16     v)
{
  guint16 be = GUINT16_TO_BE (v);

  g_byte_array_append (b, (const guint8 *) &be, 2);
}

static void
put32 (GByteArray *b,
       guint32     v)
{
  guint32 be = GUINT32_TO_BE (v);

  g_byte_array_append (b, (const guint8 *) &be, 4);
}

static void
put64 (GByteArray *b,
       guint64     v)
{
  guint64 be = GUINT64_TO_BE (v);

  g_byte_array_append (b, (const guint8 *) &be, 8);
}

static void
put_int8_field (GByteArray *b,
                gint64      v)
{
  put32 (b, 8);
  put64 (b, (guint64) v);
}

static void
put_float8_field (GByteArray *b,
                  double      v)
{
  guint64 bits;

  if (!isfinite (v))
    {
      put32 (b, (guint32) -1);   /* NULL */
      return;
    }
  memcpy (&bits, &v, sizeof bits);
  put32 (b, 8);
  put64 (b, bits);
}

static void
put_int4_field (GByteArray *b,
                gint32      v)
{
  put32 (b, 4);
  put32 (b, (guint32) v);
}

static void
put_copy_header (GByteArray *b)
{
  static const guint8 signature[11] = { 'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r', '\n', 0 };

  g_byte_array_append (b, signature, sizeof signature);
  put32 (b, 0);   /* flags */
  put32 (b, 0);   /* header extension */
}

static gboolean
copy_start (PgWriter   *pw,
            const char *sql)
{
  PGresult *res;

  if (pw->failed)
    return FALSE;
  res = PQexec (pw->conn, sql);
  if (PQresultStatus (res) != PGRES_COPY_IN)
    {
      fail (pw, "COPY", PQresultErrorMessage (res)[0] != '\0' ? PQresultErrorMessage (res) : NULL);
      PQclear (res);
      return FALSE;
    }
  PQclear (res);
  pw->in_copy = TRUE;
  g_byte_array_set_size (pw->copy, 0);
  put_copy_header (pw->copy);
  return TRUE;
}

static void
copy_send (PgWriter *pw)
{
  if (pw->copy->len == 0)
    return;
  if (!pw->failed && PQputCopyData (pw->conn, (const char *) pw->copy->data,
                                    (int) pw->copy->len) != 1)
    fail (pw, "COPY data", NULL);
  g_byte_array_set_size (pw->copy, 0);
}

/* Ends the COPY in progress, if any. */
static void
copy_end (PgWriter *pw)
{
  PGresult *res;

  if (!pw->in_copy)
    return;
  pw->in_copy = FALSE;
  put16 (pw->copy, 0xffff);   /* trailer */
  copy_send (pw);
  if (pw->lost)
    return;
  if (PQputCopyEnd (pw->conn, pw->failed ? "cancelled" : NULL) != 1)
    {
      fail (pw, "COPY end", NULL);
      return;
    }
  while ((res = PQgetResult (pw->conn)) != NULL)
    {
      if (PQresultStatus (res) != PGRES_COMMAND_OK && !pw->failed)
        fail (pw, "COPY", PQresultErrorMessage (res));
      PQclear (res);
    }
}

/* A statement of the writer; NULL when it (or an earlier one of the transaction) failed. */
static PGresult *
exec_w (PgWriter     *pw,
        const char   *sql,
        int           n,
        const gint64 *params)
{
  g_autoptr(GError) error = NULL;
  PGresult *res;

  copy_end (pw);
  if (pw->failed)
    return NULL;
  res = dc_history_pg_exec_int64 (pw->conn, sql, n, params, &error);
  if (res == NULL)
    fail (pw, sql, error->message);
  return res;
}

static gboolean
exec_w_done (PgWriter     *pw,
             const char   *sql,
             int           n,
             const gint64 *params,
             gint64       *changes)
{
  PGresult *res = exec_w (pw, sql, n, params);

  if (res == NULL)
    return FALSE;
  if (changes != NULL)
    *changes = g_ascii_strtoll (PQcmdTuples (res), NULL, 10);
  PQclear (res);
  return TRUE;
}

static gboolean
load_days (PgWriter  *pw,
           GError   **error)
{
  PGresult *res = dc_history_pg_exec (pw->conn,
    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
    " WHERE i.inhparent = 'samples'::regclass", 0, NULL, error);

  if (res == NULL)
    return FALSE;
  g_hash_table_remove_all (pw->days);
  for (int i = 0; i < PQntuples (res); i++)
    {
      gint64 day;

      if (partition_day (PQgetvalue (res, i, 0), &day))
        g_hash_table_add (pw->days, g_memdup2 (&day, sizeof day));
    }
  PQclear (res);
  return TRUE;
}

/* Creates the partition of @day unless it exists. The name and bounds come from the day
 * number, never from input text. */
static gboolean
ensure_day (PgWriter *pw,
            gint64    day)
{
  g_autofree char *name = NULL;
  g_autofree char *sql = NULL;

  if (g_hash_table_contains (pw->days, &day))
    return TRUE;
  name = partition_name (day);
  if (name == NULL)
    {
      fail (pw, "partition", "sample time outside the years 1 to 9999");
      return FALSE;
    }
  copy_end (pw);
  sql = g_strdup_printf ("CREATE TABLE IF NOT EXISTS %s PARTITION OF samples"
                         " FOR VALUES FROM (%" G_GINT64_FORMAT ") TO (%" G_GINT64_FORMAT ")",
                         name, day * DC_HISTORY_PG_DAY_US, (day + 1) * DC_HISTORY_PG_DAY_US);
  if (!exec_w_done (pw, sql, 0, NULL, NULL))
    return FALSE;
  g_hash_table_add (pw->days, g_memdup2 (&day, sizeof day));
  return TRUE;
}

static gboolean
session_setup (PgWriter  *pw,
               GError   **error)
{
  pw->lost = pw->failed = pw->in_copy = FALSE;
  return dc_history_pg_exec_simple (pw->conn,
                                    "CREATE TEMP TABLE IF NOT EXISTS rollup_stage (LIKE rollup)"
                                    " ON COMMIT DELETE ROWS", error) &&
         load_days (pw, error);
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
  pw->merges = g_hash_table_new_full (roll_key_hash, roll_key_equal, g_free,
                                      (GDestroyNotify) g_array_unref);
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
  PGresult *res = exec_w (PW (w), "SELECT key FROM purge_keys", 0, NULL);

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
  gint64 today = floor_div (g_get_real_time (), DC_HISTORY_PG_DAY_US);

  if (pw->lost)
    return FALSE;
  pw->failed = FALSE;
  if (!exec_w_done (pw, "BEGIN", 0, NULL, NULL))
    return FALSE;
  /* Partitions ahead: today and the next two days exist before their samples come. */
  for (gint64 day = today; day <= today + 2; day++)
    if (!ensure_day (pw, day))
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
    exec_w_done (pw, "INSERT INTO purge_keys (key) VALUES ($1) ON CONFLICT DO NOTHING", 1,
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

      exec_w_done (pw, "DELETE FROM rollup WHERE key=$1 AND level=$2 AND time>=$3 AND time<$4",
                   4, params, NULL);
      exec_w_done (pw,
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
              !exec_w_done (pw, "DELETE FROM rollup_stage", 0, NULL, NULL))
            break;
          if (n_merges == 0 &&
              !copy_start (pw, "COPY rollup_stage (key, level, time, vmin, vmax, first_time,"
                               " vfirst, last_time, vlast, vsum, n, count)"
                               " FROM STDIN (FORMAT binary)"))
            break;
          n_merges++;
          put16 (pw->copy, 12);
          put_int8_field (pw->copy, k->key);
          put_int4_field (pw->copy, k->level);
          put_int8_field (pw->copy, k->period);
          put_float8_field (pw->copy, acc->n > 0 ? acc->min : NAN);
          put_float8_field (pw->copy, acc->n > 0 ? acc->max : NAN);
          put_int8_field (pw->copy, acc->first_time);
          put_float8_field (pw->copy, acc->first);
          put_int8_field (pw->copy, acc->last_time);
          put_float8_field (pw->copy, acc->last);
          put32 (pw->copy, 8);
          {
            guint64 bits;

            memcpy (&bits, &acc->sum, sizeof bits);
            put64 (pw->copy, bits);
          }
          put_int8_field (pw->copy, acc->n);
          put_int8_field (pw->copy, acc->count);
          if (pw->copy->len >= COPY_CHUNK)
            copy_send (pw);
        }
      if (n_merges == 0)
        break;
      pw->rollup_growth.written += n_merges;
      exec_w_done (pw,
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
  gint64 day = floor_div (time, DC_HISTORY_PG_DAY_US);
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
        g_autofree char *name = partition_name (*day);
        g_autofree char *sql = g_strdup_printf ("ANALYZE %s", name);

        /* Once per doubling, whether it worked or not (a failure was logged). */
        exec_w_done (pw, sql, 0, NULL, NULL);
        g->analyzed = g->written;
      }
  if (!pw->failed && grown (&pw->rollup_growth))
    {
      exec_w_done (pw, "ANALYZE rollup", 0, NULL, NULL);
      pw->rollup_growth.analyzed = pw->rollup_growth.written;
    }
  pw->failed = FALSE;
}

static DcHistoryCommit
pg_commit (Writer *w)
{
  PgWriter *pw = PW (w);
  g_autoptr(GError) error = NULL;

  copy_end (pw);
  flush_rollups (pw);
  if (!pw->failed && !dc_history_pg_exec_simple (pw->conn, "COMMIT", &error))
    fail (pw, "COMMIT", error->message);
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
  if (!load_days (pw, NULL))
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
  if (pw->failed || !ensure_day (pw, floor_div (s->time, DC_HISTORY_PG_DAY_US)))
    return FALSE;

  /* After every row of its point: a new row, through COPY. */
  if (s->time > ks->max_time)
    {
      if (!pw->in_copy &&
          !copy_start (pw, "COPY samples (key, time, value, quality) FROM STDIN (FORMAT binary)"))
        return FALSE;
      put16 (pw->copy, 4);
      put_int8_field (pw->copy, s->key);
      put_int8_field (pw->copy, s->time);
      put_float8_field (pw->copy, s->value);
      put_int4_field (pw->copy, (gint32) s->quality);
      if (pw->copy->len >= COPY_CHUNK)
        copy_send (pw);
      grow_day (pw, s->time);
      return !pw->failed;
    }

  /* A late sample may replace a row: insert, else update (as the sqlite backend does). */
  copy_end (pw);
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
      fail (pw, "INSERT", error->message);
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
      fail (pw, "UPDATE", error->message);
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
  PGresult *res = exec_w (PW (w), "SELECT min(time), max(time) FROM samples WHERE key=$1", 1,
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
  PGresult *res = exec_w (PW (w), "SELECT max(time) FROM rollup WHERE key=$1 AND level=$2", 2,
                          params);
  gboolean found;

  if (res == NULL)
    return FALSE;
  found = dc_history_pg_get_int64 (res, 0, 0, time);
  PQclear (res);
  return found;
}

static gint64
pg_chunk_bound (Writer *w,
                gint64  key,
                gint64  cutoff,
                guint   chunk)
{
  gint64 params[] = { key, cutoff, chunk };
  PGresult *res = exec_w (PW (w), "SELECT time FROM samples WHERE key=$1 AND time<$2"
                                  " ORDER BY time LIMIT 1 OFFSET $3", 3, params);
  gint64 bound = cutoff;

  if (res != NULL)
    dc_history_pg_get_int64 (res, 0, 0, &bound);
  PQclear (res);
  return bound;
}

static gint64
pg_delete_samples (Writer *w,
                   gint64  key,
                   gint64  bound)
{
  gint64 params[] = { key, bound }, deleted = 0;

  exec_w_done (PW (w), "DELETE FROM samples WHERE key=$1 AND time<$2", 2, params, &deleted);
  return deleted;
}

static void
pg_delete_rollups (Writer *w,
                   gint64  key,
                   int     level,
                   gint64  before)
{
  gint64 params[] = { key, level, before };

  exec_w_done (PW (w), "DELETE FROM rollup WHERE key=$1 AND level=$2 AND time<$3", 3, params,
               NULL);
}

static gint64
pg_finish_purge (Writer *w,
                 gint64  key)
{
  gint64 deleted = 0;

  exec_w_done (PW (w), "DELETE FROM samples WHERE key=$1", 1, &key, &deleted);
  exec_w_done (PW (w), "DELETE FROM rollup WHERE key=$1", 1, &key, NULL);
  exec_w_done (PW (w), "DELETE FROM purge_keys WHERE key=$1", 1, &key, NULL);
  return deleted;
}

static gboolean
pg_next_key (Writer *w,
             gint64  from,
             gint64 *key)
{
  /* Keys with rollup rows count too: a point whose partitions were dropped keeps rollup
   * rows until its retention step removes them. */
  PGresult *res = exec_w (PW (w), "SELECT least((SELECT min(key) FROM samples WHERE key>=$1),"
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
static gint64
pg_drop_expired (Writer *w,
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
      g_autofree char *name = partition_name (d);
      g_autofree char *count_sql = g_strdup_printf ("SELECT count(*) FROM %s", name);
      g_autofree char *drop_sql = g_strdup_printf ("DROP TABLE %s", name);
      PGresult *res = exec_w (pw, count_sql, 0, NULL);
      gint64 n = 0;

      if (res == NULL)
        break;
      dc_history_pg_get_int64 (res, 0, 0, &n);
      PQclear (res);
      if (exec_w_done (pw, drop_sql, 0, NULL, NULL))
        {
          dropped += n;
          g_hash_table_remove (pw->days, &d);
        }
    }
  return dropped;
}

const DcHistoryBackend dc_history_pg_backend = {
  .name = "PostgreSQL",
  .commit_under_lock = FALSE,
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
  .chunk_bound = pg_chunk_bound,
  .delete_samples = pg_delete_samples,
  .delete_rollups = pg_delete_rollups,
  .finish_purge = pg_finish_purge,
  .next_key = pg_next_key,
  .drop_expired = pg_drop_expired,
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
