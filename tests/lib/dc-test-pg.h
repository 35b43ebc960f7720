/* dc-test-pg.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

/* A real PostgreSQL server for the tests of the PostgreSQL history: initdb in a temporary
 * folder, the server on a unix socket only (no TCP), as user postgres when the tests run as
 * root (initdb refuses root). Stopped and removed by dc_test_pg_free(). */

#include <glib.h>

G_BEGIN_DECLS

typedef struct _DcTestPg DcTestPg;

/* The server's binaries (Debian: /usr/lib/postgresql/15/bin), or NULL with the reason in
 * @reason when they are absent. */
char       *dc_test_pg_bindir         (char       **reason);

/* initdb and start; NULL with @error set when the server does not start. A watcher process
 * stops the server and removes its folder when this process ends in any way (a crash or a
 * kill -9 too): no server outlives its test. */
DcTestPg   *dc_test_pg_start          (GError     **error);
/* The shared server of a test binary, started on first use and stopped at exit; NULL (and a
 * g_test_skip() with the reason) when the binaries are absent. */
DcTestPg   *dc_test_pg_get_shared     (void);

/* A new empty database; returns its libpq URL ("postgresql:///NAME?host=DIR&port=N"). */
char       *dc_test_pg_new_database   (DcTestPg    *pg);
/* Runs @sql (no parameters) in the database of @url and returns the first column of the first
 * row ("" for none); asserts success. */
char       *dc_test_pg_query          (const char  *url,
                                       const char  *sql);
/* SIGKILL to the server and each of its processes (a crash); restart with dc_test_pg_restart(). */
void        dc_test_pg_kill           (DcTestPg    *pg);
/* A fast shutdown (pg_ctl stop -m fast). */
void        dc_test_pg_stop           (DcTestPg    *pg);
/* Starts the stopped or killed server again (crash recovery included). */
void        dc_test_pg_restart        (DcTestPg    *pg);
void        dc_test_pg_free           (DcTestPg    *pg);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DcTestPg, dc_test_pg_free)

G_END_DECLS
