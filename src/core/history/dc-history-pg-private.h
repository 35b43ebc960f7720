/* dc-history-pg-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The PostgreSQL backend of DcHistory (docs/historian-postgresql.md): connections and
 * statements shared by the writer (dc-history-pg.c) and the readers (dc-history-pg-read.c).
 * Every statement takes its values as parameters; the only SQL text built at run time are
 * partition names and bounds made from days that the writer computes.
 */

#pragma once

#include <libpq-fe.h>

#include "dc-history-private.h"

G_BEGIN_DECLS

#define DC_HISTORY_PG_DAY_US ((gint64) 86400 * G_USEC_PER_SEC)

/* Connects with @conninfo (a postgresql:// URL or key=value string) and @password (may be
 * NULL: then PGPASSFILE or ~/.pgpass as libpq does). */
PGconn   *dc_history_pg_connect      (const char    *conninfo,
                                      const char    *password,
                                      GError       **error);
/* @conninfo for messages: as given, or without its password when it has one. */
char     *dc_history_pg_display_url  (const char    *conninfo,
                                      GError       **error);
/* Runs @sql with @n_params parameters (text, NULL = SQL null). Returns the result when it
 * is PGRES_COMMAND_OK or PGRES_TUPLES_OK, else NULL with @error set. */
PGresult *dc_history_pg_exec         (PGconn        *conn,
                                      const char    *sql,
                                      int            n_params,
                                      const char    *const *params,
                                      GError       **error);
/* A statement without parameters (may be several); FALSE with @error set on failure. */
gboolean  dc_history_pg_exec_simple  (PGconn        *conn,
                                      const char    *sql,
                                      GError       **error);
/* Like dc_history_pg_exec() with gint64 parameters. */
PGresult *dc_history_pg_exec_int64   (PGconn        *conn,
                                      const char    *sql,
                                      int            n_params,
                                      const gint64  *params,
                                      GError       **error);
gboolean  dc_history_pg_get_int64    (PGresult      *res,
                                      int            row,
                                      int            col,
                                      gint64        *out);
double    dc_history_pg_get_double   (PGresult      *res,
                                      int            row,
                                      int            col);
/* Creates the tables (docs/historian-postgresql.md) when they do not exist. */
gboolean  dc_history_pg_create_schema (PGconn       *conn,
                                      GError       **error);
/* Records @config_id / @config_db_path as the owner of the database; DC_ERROR_FORBIDDEN when
 * another configuration owns it (as dc_companion_claim() for sqlite files). */
gboolean  dc_history_pg_claim        (PGconn        *conn,
                                      const char    *where,
                                      const char    *config_db_path,
                                      const char    *config_id,
                                      GError       **error);

/* The reader functions of the backend (dc-history-pg-read.c). */
gpointer  dc_history_pg_reader_open  (DcHistory     *self,
                                      GError       **error);
void      dc_history_pg_reader_close (gpointer       conn);
gboolean  dc_history_pg_read_begin   (gpointer       conn,
                                      GError       **error);
void      dc_history_pg_read_end     (gpointer       conn);
gboolean  dc_history_pg_select       (gpointer       conn,
                                      gint64         key,
                                      gint64         from,
                                      gint64         to,
                                      gboolean       desc,
                                      gint64         limit,
                                      GArray        *out,
                                      GError       **error);
gboolean  dc_history_pg_count        (gpointer       conn,
                                      gint64         key,
                                      gint64         from,
                                      gint64         to,
                                      gint64        *count,
                                      GError       **error);
gboolean  dc_history_pg_row_exists   (gpointer       conn,
                                      gint64         key,
                                      gint64         time);
gboolean  dc_history_pg_reader_max_rollup
                                     (gpointer       conn,
                                      gint64         key,
                                      int            level,
                                      gint64        *time);
gboolean  dc_history_pg_bucket_rows  (gpointer       conn,
                                      gint64         key,
                                      int            level,
                                      gint64         base,
                                      gint64         width,
                                      gint64         r0,
                                      gint64         r1,
                                      gint64         from,
                                      gint64         to,
                                      GArray        *out,
                                      GError       **error);

G_END_DECLS
