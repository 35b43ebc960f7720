/* dc-history-pg-read.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-history"

#include "config.h"

#include "dc-history-pg-private.h"

/* The query side of the PostgreSQL backend: each query thread takes a pooled connection of
 * its own (never the main thread's, never the writer's), reads in one REPEATABLE READ
 * transaction, and reconnects once when the server went away in between. */

typedef struct
{
  PGconn    *conn;
  DcHistory *self;   /* borrowed: readers are closed before the history */
} PgReader;

gpointer
dc_history_pg_reader_open (DcHistory  *self,
                           GError    **error)
{
  PgReader *r;
  PGconn *conn = dc_history_pg_connect (self->conninfo, self->password, error);

  if (conn == NULL)
    return NULL;
  r = g_new0 (PgReader, 1);
  r->conn = conn;
  r->self = self;
  return r;
}

void
dc_history_pg_reader_close (gpointer conn)
{
  PgReader *r = conn;

  PQfinish (r->conn);
  g_free (r);
}

gboolean
dc_history_pg_read_begin (gpointer   conn,
                          GError   **error)
{
  static const char sql[] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
  PgReader *r = conn;
  g_autoptr(GError) local = NULL;
  PGconn *fresh;

  if (PQstatus (r->conn) == CONNECTION_OK && dc_history_pg_exec_simple (r->conn, sql, &local))
    return TRUE;
  if (PQstatus (r->conn) == CONNECTION_OK)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  /* The server restarted since this connection was last used. */
  fresh = dc_history_pg_connect (r->self->conninfo, r->self->password, error);
  if (fresh == NULL)
    return FALSE;
  PQfinish (r->conn);
  r->conn = fresh;
  return dc_history_pg_exec_simple (r->conn, sql, error);
}

void
dc_history_pg_read_end (gpointer conn)
{
  PgReader *r = conn;

  if (PQstatus (r->conn) == CONNECTION_OK)
    PQclear (PQexec (r->conn, "COMMIT"));
}

gboolean
dc_history_pg_select (gpointer   conn,
                      gint64     key,
                      gint64     from,
                      gint64     to,
                      gboolean   desc,
                      gint64     limit,
                      GArray    *out,
                      GError   **error)
{
  PgReader *r = conn;
  char k[24], f[24], t[24], l[24];
  const char *params[] = { k, f, t, limit >= 0 ? l : NULL };
  const char *sql = desc
    ? "SELECT time, value, quality FROM samples WHERE key=$1 AND time>=$2 AND time<$3"
      " ORDER BY time DESC LIMIT $4"
    : "SELECT time, value, quality FROM samples WHERE key=$1 AND time>=$2 AND time<$3"
      " ORDER BY time LIMIT $4";
  guint start = out->len;
  PGresult *res;
  int n;

  g_snprintf (k, sizeof k, "%" G_GINT64_FORMAT, key);
  g_snprintf (f, sizeof f, "%" G_GINT64_FORMAT, from);
  g_snprintf (t, sizeof t, "%" G_GINT64_FORMAT, to);
  g_snprintf (l, sizeof l, "%" G_GINT64_FORMAT, limit);
  res = dc_history_pg_exec (r->conn, sql, 4, params, error);
  if (res == NULL)
    return FALSE;
  n = PQntuples (res);
  g_array_set_size (out, start + n);
  for (int i = 0; i < n; i++)
    {
      DcSample *s = &g_array_index (out, DcSample, start + i);
      gint64 quality = 0;

      s->key = key;
      dc_history_pg_get_int64 (res, i, 0, &s->time);
      s->value = dc_history_pg_get_double (res, i, 1);
      dc_history_pg_get_int64 (res, i, 2, &quality);
      s->quality = (guint32) quality;
    }
  PQclear (res);
  if (desc)
    dc_history_reverse_samples (out, start);
  return TRUE;
}

static gboolean
select_one_int64 (PgReader      *r,
                  const char    *sql,
                  int            n,
                  const gint64  *params,
                  gint64        *out,
                  gboolean      *found,
                  GError       **error)
{
  PGresult *res = dc_history_pg_exec_int64 (r->conn, sql, n, params, error);

  if (res == NULL)
    return FALSE;
  *found = dc_history_pg_get_int64 (res, 0, 0, out);
  PQclear (res);
  return TRUE;
}

gboolean
dc_history_pg_count (gpointer   conn,
                     gint64     key,
                     gint64     from,
                     gint64     to,
                     gint64    *count,
                     GError   **error)
{
  gint64 params[] = { key, from, to };
  gboolean found;

  *count = 0;
  return select_one_int64 (conn, "SELECT count(*) FROM samples WHERE key=$1 AND time>=$2"
                                 " AND time<$3", 3, params, count, &found, error);
}

gboolean
dc_history_pg_row_exists (gpointer conn,
                          gint64   key,
                          gint64   time)
{
  gint64 params[] = { key, time }, one;
  gboolean found = FALSE;

  select_one_int64 (conn, "SELECT 1 FROM samples WHERE key=$1 AND time=$2", 2, params, &one,
                    &found, NULL);
  return found;
}

gboolean
dc_history_pg_reader_max_rollup (gpointer conn,
                                 gint64   key,
                                 int      level,
                                 gint64  *time)
{
  gint64 params[] = { key, level };
  gboolean found = FALSE;

  select_one_int64 (conn, "SELECT max(time) FROM rollup WHERE key=$1 AND level=$2", 2, params,
                    time, &found, NULL);
  return found;
}

gboolean
dc_history_pg_bucket_rows (gpointer   conn,
                           gint64     key,
                           int        level,
                           gint64     base,
                           gint64     width,
                           gint64     r0,
                           gint64     r1,
                           gint64     from,
                           gint64     to,
                           GArray    *out,
                           GError   **error)
{
  /* The sqlite backend's statement; first/last by time through ordered array_agg. The sum
   * adds in the order sqlite adds (rollup rows, then the left edge, then the right edge, each
   * by time), so that both backends give the same averages to the last bit. */
  static const char sql[] =
    "SELECT (t-$1)/$2 AS b, min(mn), max(mx), (array_agg(fv ORDER BY ft))[1], min(ft),"
    " (array_agg(lv ORDER BY lt DESC))[1], max(lt), coalesce(sum(sm ORDER BY part, t), 0),"
    " sum(n), sum(cnt)"
    " FROM ("
    "  SELECT 0 AS part, time AS t, vmin AS mn, vmax AS mx, first_time AS ft, vfirst AS fv,"
    "   last_time AS lt, vlast AS lv, vsum AS sm, n, count AS cnt"
    "   FROM rollup WHERE key=$3 AND level=$4 AND time>=$5 AND time<$6"
    "  UNION ALL"
    "  SELECT 1, time, value, value, time, value, time, value, value,"
    "   (value IS NOT NULL)::int::bigint, 1::bigint"
    "   FROM samples WHERE key=$3 AND time>=$7 AND time<$8"
    "  UNION ALL"
    "  SELECT 2, time, value, value, time, value, time, value, value,"
    "   (value IS NOT NULL)::int::bigint, 1::bigint"
    "   FROM samples WHERE key=$3 AND time>=$9 AND time<$10"
    ") x GROUP BY b ORDER BY b";
  PgReader *r = conn;
  gint64 params[] = { base, width, key, level, r0, r1, from, r0, r1, to };
  PGresult *res = dc_history_pg_exec_int64 (r->conn, sql, 10, params, error);

  if (res == NULL)
    return FALSE;
  for (int i = 0; i < PQntuples (res); i++)
    {
      DcHistoryBucketRow b;

      dc_history_pg_get_int64 (res, i, 0, &b.index);
      b.acc.min = dc_history_pg_get_double (res, i, 1);
      b.acc.max = dc_history_pg_get_double (res, i, 2);
      b.acc.first = dc_history_pg_get_double (res, i, 3);
      dc_history_pg_get_int64 (res, i, 4, &b.acc.first_time);
      b.acc.last = dc_history_pg_get_double (res, i, 5);
      dc_history_pg_get_int64 (res, i, 6, &b.acc.last_time);
      b.acc.sum = dc_history_pg_get_double (res, i, 7);
      dc_history_pg_get_int64 (res, i, 8, &b.acc.n);
      dc_history_pg_get_int64 (res, i, 9, &b.acc.count);
      g_array_append_val (out, b);
    }
  PQclear (res);
  return TRUE;
}
