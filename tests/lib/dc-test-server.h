/* dc-test-server.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

/* The real datacoll binary ($DATACOLL) as a child process: run to completion, or started as a
 * server and stopped cleanly. */

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  GSubprocess      *process;
  char             *base;   /* http://127.0.0.1:<port> (https:// when it serves TLS) */
  char             *log;    /* what it printed on stderr up to "listening on" */
  /* private */
  GDataInputStream *err;
  GOutputStream    *rest;   /* the rest of its stderr, drained so that it never blocks */
} DcTestServer;

/* Spawns "$DATACOLL @args…" with @flags, without a display, in the test's isolated
 * directories; the child dies with the test (a failing test leaves no server behind). */
GSubprocess  *dc_test_datacoll_spawn (GSubprocessFlags     flags,
                                      const char * const  *args);

/* As dc_test_datacoll_spawn(), with this process's display: the workstation (tests under
 * Xvfb). */
GSubprocess  *dc_test_desk_spawn     (GSubprocessFlags     flags,
                                      const char * const  *args);

/* Runs "$DATACOLL @args…" to completion; returns its exit status, and its stdout and stderr
 * when @out and @err are not NULL. */
int           dc_test_datacoll_run   (const char * const  *args,
                                      char               **out,
                                      char               **err);

/* dc_test_datacoll_run() with @input (may be NULL: none) on its standard input. */
int           dc_test_datacoll_run_input (const char * const  *args,
                                          const char          *input,
                                          char               **out,
                                          char               **err);

/* Starts "$DATACOLL @args…" (which should include "--port", "0") and reads its stderr until
 * it listens; fails the test with what it printed when it exits before. */
DcTestServer *dc_test_server_start   (const char * const  *args);

/* What the server printed on stderr after it started listening, so far (the main context
 * collects it while the test iterates it). */
char         *dc_test_server_dup_log (DcTestServer        *server);

/* SIGKILL at once, as a crash (nothing is flushed, closed or written by the server), then waits
 * for the process and frees @server. */
void          dc_test_server_kill    (DcTestServer        *server);

/* As dc_test_server_start(), with this process's display: a workstation with its engine and
 * REST server (`datacoll --port 0 …`). Stopped with dc_test_server_stop(). */
DcTestServer *dc_test_desk_start     (const char * const  *args);

/* A fresh folder (for configurations and their files) inside the test's isolated cache
 * folder, which GLib removes when the test ends. */
char         *dc_test_make_dir       (void);

/* SIGTERM; the server must exit with status 0 (a clean stop). Logs what it printed after it
 * started listening (g_test_message), then frees @server. */
void          dc_test_server_stop    (DcTestServer        *server);

G_END_DECLS
