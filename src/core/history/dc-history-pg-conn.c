/* dc-history-pg-conn.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-history"

#include "config.h"

#include <math.h>

#include "dc-error.h"
#include "dc-history-pg-private.h"

/* Connections, parameterised statements and the schema of the PostgreSQL history
 * (docs/historian-postgresql.md). */

/* Tables: the samples partitioned by day (partitions are created by the writer,
 * dc-history-pg.c), the rollups of docs/history.md "Buckets", the purges not finished yet,
 * the configuration that owns the database, and a view with timestamps for reporting tools. */
static const char schema_sql[] =
  "CREATE TABLE IF NOT EXISTS samples ("
  "  key bigint NOT NULL, time bigint NOT NULL, value double precision,"
  "  quality integer NOT NULL, PRIMARY KEY (key, time)) PARTITION BY RANGE (time);"
  "CREATE TABLE IF NOT EXISTS rollup ("
  "  key bigint NOT NULL, level integer NOT NULL, time bigint NOT NULL,"
  "  vmin double precision, vmax double precision, first_time bigint NOT NULL,"
  "  vfirst double precision, last_time bigint NOT NULL, vlast double precision,"
  "  vsum double precision NOT NULL, n bigint NOT NULL, count bigint NOT NULL,"
  "  PRIMARY KEY (key, level, time));"
  "CREATE TABLE IF NOT EXISTS purge_keys (key bigint PRIMARY KEY);"
  "CREATE TABLE IF NOT EXISTS configuration (id text NOT NULL, path text NOT NULL);"
  "CREATE OR REPLACE VIEW samples_ts AS"
  "  SELECT key, to_timestamp(time / 1000000.0) AS ts, value, quality FROM samples;"
  "CREATE OR REPLACE VIEW rollup_ts AS"
  "  SELECT key, level, to_timestamp(time / 1000000.0) AS ts, vmin, vmax, vfirst, vlast,"
  "  CASE WHEN n > 0 THEN vsum / n END AS vavg, n, count FROM rollup;";

PGconn *
dc_history_pg_connect (const char  *conninfo,
                       const char  *password,
                       GError     **error)
{
  /* Defaults first: the URL (expanded from "dbname") overrides them. A peer that vanishes
   * without closing the connection is noticed within about half a minute (keepalives when
   * idle, tcp_user_timeout when data is unacknowledged), and the writer reconnects. */
  const char *keys[] = { "connect_timeout", "keepalives_idle", "keepalives_interval",
                         "keepalives_count", "tcp_user_timeout", "fallback_application_name",
                         "dbname", password != NULL ? "password" : NULL, NULL };
  const char *values[] = { "10", "10", "5", "3", "30000", "datacoll", conninfo, password,
                           NULL };
  PGconn *conn = PQconnectdbParams (keys, values, 1);

  if (conn == NULL || PQstatus (conn) != CONNECTION_OK)
    {
      g_autofree char *message = g_strdup (conn != NULL ? PQerrorMessage (conn)
                                                        : "out of memory");

      g_strchomp (message);
      g_set_error (error, DC_ERROR, DC_ERROR_OFFLINE,
                   "cannot connect to the PostgreSQL history database: %s", message);
      PQfinish (conn);
      return NULL;
    }
  return conn;
}

char *
dc_history_pg_display_url (const char  *conninfo,
                           GError     **error)
{
  char *message = NULL;
  PQconninfoOption *options = PQconninfoParse (conninfo, &message);
  GString *text;

  if (options == NULL)
    {
      g_autofree char *m = g_strdup (message != NULL ? message : "out of memory");

      g_strchomp (m);
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID, "[history] url: %s", m);
      PQfreemem (message);
      return NULL;
    }
  for (PQconninfoOption *o = options; o->keyword != NULL; o++)
    if (g_str_equal (o->keyword, "password") && o->val != NULL)
      break;
    else if (o[1].keyword == NULL)
      {
        PQconninfoFree (options);
        return g_strdup (conninfo);
      }
  /* A password in the URL stays out of messages. */
  text = g_string_new ("postgresql:");
  for (PQconninfoOption *o = options; o->keyword != NULL; o++)
    if (o->val != NULL && o->val[0] != '\0' &&
        (g_str_equal (o->keyword, "host") || g_str_equal (o->keyword, "port") ||
         g_str_equal (o->keyword, "dbname") || g_str_equal (o->keyword, "user")))
      g_string_append_printf (text, " %s=%s", o->keyword, o->val);
  PQconninfoFree (options);
  return g_string_free (text, FALSE);
}

static void
set_pg_error (GError     **error,
              PGconn      *conn,
              PGresult    *res,
              const char  *sql)
{
  g_autofree char *message = g_strdup (res != NULL && PQresultErrorMessage (res)[0] != '\0'
                                       ? PQresultErrorMessage (res) : PQerrorMessage (conn));
  g_autofree char *what = g_strndup (sql, 60);

  g_strchomp (message);
  g_set_error (error, DC_ERROR,
               PQstatus (conn) == CONNECTION_OK ? DC_ERROR_INTERNAL : DC_ERROR_OFFLINE,
               "history database: %s: %s", what, message);
}

PGresult *
dc_history_pg_exec (PGconn            *conn,
                    const char        *sql,
                    int                n_params,
                    const char *const *params,
                    GError           **error)
{
  PGresult *res = PQexecParams (conn, sql, n_params, NULL, params, NULL, NULL, 0);
  ExecStatusType status = PQresultStatus (res);

  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
    return res;
  set_pg_error (error, conn, res, sql);
  PQclear (res);
  return NULL;
}

PGresult *
dc_history_pg_exec_int64 (PGconn        *conn,
                          const char    *sql,
                          int            n_params,
                          const gint64  *params,
                          GError       **error)
{
  char text[16][24];
  const char *ptrs[16];

  g_assert (n_params <= 16);
  for (int i = 0; i < n_params; i++)
    {
      g_snprintf (text[i], sizeof text[i], "%" G_GINT64_FORMAT, params[i]);
      ptrs[i] = text[i];
    }
  return dc_history_pg_exec (conn, sql, n_params, ptrs, error);
}

gboolean
dc_history_pg_exec_simple (PGconn      *conn,
                           const char  *sql,
                           GError     **error)
{
  PGresult *res = PQexec (conn, sql);
  ExecStatusType status = PQresultStatus (res);

  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
    {
      PQclear (res);
      return TRUE;
    }
  set_pg_error (error, conn, res, sql);
  PQclear (res);
  return FALSE;
}

gboolean
dc_history_pg_get_int64 (PGresult *res,
                         int       row,
                         int       col,
                         gint64   *out)
{
  if (row >= PQntuples (res) || PQgetisnull (res, row, col))
    return FALSE;
  *out = g_ascii_strtoll (PQgetvalue (res, row, col), NULL, 10);
  return TRUE;
}

double
dc_history_pg_get_double (PGresult *res,
                          int       row,
                          int       col)
{
  if (PQgetisnull (res, row, col))
    return NAN;
  return g_ascii_strtod (PQgetvalue (res, row, col), NULL);
}

gboolean
dc_history_pg_create_schema (PGconn  *conn,
                             GError **error)
{
  /* One creator at a time (a server and `datacoll history copy` may start together). */
  if (!dc_history_pg_exec_simple (conn, "BEGIN; SELECT pg_advisory_xact_lock(7143520)", error))
    return FALSE;
  if (!dc_history_pg_exec_simple (conn, schema_sql, error))
    {
      PQclear (PQexec (conn, "ROLLBACK"));
      return FALSE;
    }
  return dc_history_pg_exec_simple (conn, "COMMIT", error);
}

gboolean
dc_history_pg_claim (PGconn      *conn,
                     const char  *where,
                     const char  *config_db_path,
                     const char  *config_id,
                     GError     **error)
{
  const char *params[] = { config_id, config_db_path };
  PGresult *res;
  gboolean ok = FALSE;

  if (!dc_history_pg_exec_simple (conn, "BEGIN; LOCK TABLE configuration", error))
    return FALSE;
  res = dc_history_pg_exec (conn, "SELECT id, path FROM configuration LIMIT 1", 0, NULL, error);
  if (res == NULL)
    goto out;
  if (PQntuples (res) > 0)
    {
      /* Copies: the result is cleared before they are read. */
      g_autofree char *owner_id = g_strdup (PQgetvalue (res, 0, 0));
      g_autofree char *owner_path = g_strdup (PQgetvalue (res, 0, 1));

      PQclear (res);
      if (!g_str_equal (owner_id, config_id))
        {
          g_set_error (error, DC_ERROR, DC_ERROR_FORBIDDEN,
                       "history database %s belongs to configuration %s, not to %s; give "
                       "each configuration its own database or schema", where, owner_path,
                       config_db_path);
          goto out;
        }
      res = dc_history_pg_exec (conn, "UPDATE configuration SET path = $2 WHERE id = $1", 2,
                                params, error);
    }
  else
    {
      PQclear (res);
      res = dc_history_pg_exec (conn, "INSERT INTO configuration (id, path) VALUES ($1, $2)",
                                2, params, error);
    }
  if (res == NULL)
    goto out;
  PQclear (res);
  return dc_history_pg_exec_simple (conn, "COMMIT", error);

out:
  PQclear (PQexec (conn, "ROLLBACK"));
  return ok;
}
