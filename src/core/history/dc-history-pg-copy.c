/* dc-history-pg-copy.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-history"

#include "config.h"

#include <math.h>

#include "dc-history-pg-writer-private.h"

/* The PostgreSQL writer's statements: failure bookkeeping, binary COPY, and the day partitions
 * of the samples table (docs/historian-postgresql.md "Writer"). Every statement takes its values
 * as parameters; partition names and bounds are built from day numbers computed here. */

guint
dc_history_pg_roll_key_hash (gconstpointer p)
{
  const RollKey *k = p;

  return g_int64_hash (&k->key) ^ g_int64_hash (&k->period) ^ (guint) k->level;
}

gboolean
dc_history_pg_roll_key_equal (gconstpointer a,
                              gconstpointer b)
{
  const RollKey *x = a, *y = b;

  return x->key == y->key && x->period == y->period && x->level == y->level;
}

/* "samples_pYYYYMMDD" for @day (days since the epoch, UTC); NULL outside years 1–9999. */
char *
dc_history_pg_partition_name (gint64 day)
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
  *day = dc_history_pg_floor_div (g_date_time_to_unix (dt), 86400);
  return TRUE;
}

/* Marks the transaction failed after a statement did not run. */
void
dc_history_pg_fail (PgWriter   *pw,
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

void
dc_history_pg_put16 (GByteArray *b,
                     guint16     v)
{
  guint16 be = GUINT16_TO_BE (v);

  g_byte_array_append (b, (const guint8 *) &be, 2);
}

void
dc_history_pg_put32 (GByteArray *b,
                     guint32     v)
{
  guint32 be = GUINT32_TO_BE (v);

  g_byte_array_append (b, (const guint8 *) &be, 4);
}

void
dc_history_pg_put64 (GByteArray *b,
                     guint64     v)
{
  guint64 be = GUINT64_TO_BE (v);

  g_byte_array_append (b, (const guint8 *) &be, 8);
}

void
dc_history_pg_put_int8 (GByteArray *b,
                        gint64      v)
{
  dc_history_pg_put32 (b, 8);
  dc_history_pg_put64 (b, (guint64) v);
}

void
dc_history_pg_put_float8 (GByteArray *b,
                          double      v)
{
  guint64 bits;

  if (!isfinite (v))
    {
      dc_history_pg_put32 (b, (guint32) -1);   /* NULL */
      return;
    }
  memcpy (&bits, &v, sizeof bits);
  dc_history_pg_put32 (b, 8);
  dc_history_pg_put64 (b, bits);
}

void
dc_history_pg_put_int4 (GByteArray *b,
                        gint32      v)
{
  dc_history_pg_put32 (b, 4);
  dc_history_pg_put32 (b, (guint32) v);
}

static void
put_copy_header (GByteArray *b)
{
  static const guint8 signature[11] = { 'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r', '\n', 0 };

  g_byte_array_append (b, signature, sizeof signature);
  dc_history_pg_put32 (b, 0);   /* flags */
  dc_history_pg_put32 (b, 0);   /* header extension */
}

gboolean
dc_history_pg_copy_start (PgWriter   *pw,
                          const char *sql)
{
  PGresult *res;

  if (pw->failed)
    return FALSE;
  res = PQexec (pw->conn, sql);
  if (PQresultStatus (res) != PGRES_COPY_IN)
    {
      const char *message = PQresultErrorMessage (res);

      dc_history_pg_fail (pw, "COPY", message[0] != '\0' ? message : NULL);
      PQclear (res);
      return FALSE;
    }
  PQclear (res);
  pw->in_copy = TRUE;
  g_byte_array_set_size (pw->copy, 0);
  put_copy_header (pw->copy);
  return TRUE;
}

void
dc_history_pg_copy_send (PgWriter *pw)
{
  if (pw->copy->len == 0)
    return;
  if (!pw->failed && PQputCopyData (pw->conn, (const char *) pw->copy->data,
                                    (int) pw->copy->len) != 1)
    dc_history_pg_fail (pw, "COPY data", NULL);
  g_byte_array_set_size (pw->copy, 0);
}

/* Ends the COPY in progress, if any. */
void
dc_history_pg_copy_end (PgWriter *pw)
{
  PGresult *res;

  if (!pw->in_copy)
    return;
  pw->in_copy = FALSE;
  dc_history_pg_put16 (pw->copy, 0xffff);   /* trailer */
  dc_history_pg_copy_send (pw);
  if (pw->lost)
    return;
  if (PQputCopyEnd (pw->conn, pw->failed ? "cancelled" : NULL) != 1)
    {
      dc_history_pg_fail (pw, "COPY end", NULL);
      return;
    }
  while ((res = PQgetResult (pw->conn)) != NULL)
    {
      if (PQresultStatus (res) != PGRES_COMMAND_OK && !pw->failed)
        dc_history_pg_fail (pw, "COPY", PQresultErrorMessage (res));
      PQclear (res);
    }
}

/* A statement of the writer; NULL when it (or an earlier one of the transaction) failed. */
PGresult *
dc_history_pg_exec_w (PgWriter     *pw,
                      const char   *sql,
                      int           n,
                      const gint64 *params)
{
  g_autoptr(GError) error = NULL;
  PGresult *res;

  dc_history_pg_copy_end (pw);
  if (pw->failed)
    return NULL;
  res = dc_history_pg_exec_int64 (pw->conn, sql, n, params, &error);
  if (res == NULL)
    dc_history_pg_fail (pw, sql, error->message);
  return res;
}

gboolean
dc_history_pg_exec_w_done (PgWriter     *pw,
                           const char   *sql,
                           int           n,
                           const gint64 *params,
                           gint64       *changes)
{
  PGresult *res = dc_history_pg_exec_w (pw, sql, n, params);

  if (res == NULL)
    return FALSE;
  if (changes != NULL)
    *changes = g_ascii_strtoll (PQcmdTuples (res), NULL, 10);
  PQclear (res);
  return TRUE;
}

gboolean
dc_history_pg_load_days (PgWriter  *pw,
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
gboolean
dc_history_pg_ensure_day (PgWriter *pw,
                          gint64    day)
{
  g_autofree char *name = NULL;
  g_autofree char *sql = NULL;

  if (g_hash_table_contains (pw->days, &day))
    return TRUE;
  name = dc_history_pg_partition_name (day);
  if (name == NULL)
    {
      dc_history_pg_fail (pw, "partition", "sample time outside the years 1 to 9999");
      return FALSE;
    }
  dc_history_pg_copy_end (pw);
  sql = g_strdup_printf ("CREATE TABLE IF NOT EXISTS %s PARTITION OF samples"
                         " FOR VALUES FROM (%" G_GINT64_FORMAT ") TO (%" G_GINT64_FORMAT ")",
                         name, day * DC_HISTORY_PG_DAY_US, (day + 1) * DC_HISTORY_PG_DAY_US);
  if (!dc_history_pg_exec_w_done (pw, sql, 0, NULL, NULL))
    return FALSE;
  g_hash_table_add (pw->days, g_memdup2 (&day, sizeof day));
  return TRUE;
}
