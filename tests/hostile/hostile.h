/* hostile.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

/* The hostile suite's harness (docs/security.md): the real `datacoll --server` ($DATACOLL)
 * on a free loopback port with a fresh database, raw sockets to attack it, and the checks
 * every case makes throughout: a normal request is answered within the probe budget
 * (100 ms), the process lives, its RSS and its file descriptors stay bounded.
 *
 * Blocking sockets with poll() deadlines: the test process runs no main loop, so nothing it
 * does can hide a stalled server. Waiting is always for a condition with a deadline. */

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _HostileServer HostileServer;

/* Starts the server on @db (a new database in the test's data directory when NULL) with
 * @extra_args (NULL-terminated, may be NULL) and waits until it listens (30 s at most). */
HostileServer *hostile_server_start        (const char          *db,
                                            const char * const  *extra_args);
/* Starts the server and returns NULL if it does not listen within @timeout_ms (it is killed
 * then); its log so far in @log. */
HostileServer *hostile_server_try_start    (const char          *db,
                                            const char * const  *extra_args,
                                            guint                timeout_ms,
                                            char               **log);
/* SIGTERM; the server must exit cleanly within 10 s (it is killed otherwise, and the test
 * fails). */
void           hostile_server_stop         (HostileServer       *self);
/* SIGKILL and reap, for a server known to be broken. */
void           hostile_server_kill         (HostileServer       *self);
const char    *hostile_server_get_db       (HostileServer       *self);
guint16        hostile_server_get_port     (HostileServer       *self);
GPid           hostile_server_get_pid      (HostileServer       *self);
gboolean       hostile_server_is_alive     (HostileServer       *self);
/* A copy of what the server printed so far. */
char          *hostile_server_get_log      (HostileServer       *self);
/* Resident set size in KiB and the number of open fds, from /proc. */
gsize          hostile_server_get_rss_kib  (HostileServer       *self);
guint          hostile_server_count_fds    (HostileServer       *self);

/* The server under test is built like the tests: with AddressSanitizer (the CI's second pass)
 * it runs up to ten times slower (the expression parser most) and keeps freed memory in a
 * quarantine (set small for the server by hostile_server_start), so the
 * budgets below are multiplied by HOSTILE_SLOWDOWN and RSS bounds get HOSTILE_RSS_BOUND. The
 * plain build checks the real limits. */
#if defined(__SANITIZE_ADDRESS__)
#define HOSTILE_SLOWDOWN 10
#define HOSTILE_RSS_BOUND(kib) ((kib) * 4 + 256 * 1024)
#else
#define HOSTILE_SLOWDOWN 1
#define HOSTILE_RSS_BOUND(kib) (kib)
#endif

/* The probe budget in ms: 100 (× HOSTILE_SLOWDOWN), or $DC_HOSTILE_PROBE_MS. */
guint          hostile_probe_budget_ms     (void);
/* One normal request (GET /api/v1/devices on a new connection); TRUE if a 200 answer came
 * within @budget_ms; *@elapsed_us is set either way. */
gboolean       hostile_probe               (HostileServer       *self,
                                            guint                budget_ms,
                                            gint64              *elapsed_us);
/* Asserts the server is alive and answers a normal request within the probe budget. A
 * single late probe may be the shared test machine's scheduler, so up to three probes are
 * made in a row: a stalled main loop fails all three. */
void           hostile_assert_responsive   (HostileServer       *self);
/* Probes for @duration_ms, back to back, asserting each time as above. */
void           hostile_assert_responsive_for (HostileServer     *self,
                                              guint              duration_ms);

/* A blocking TCP connection to the server (fails the test if refused). */
int            hostile_connect             (HostileServer       *self);
/* Connects with a deadline; -1 if not connected within @timeout_ms. */
int            hostile_connect_timeout     (HostileServer       *self,
                                            guint                timeout_ms);
/* Sends all of @data (fails the test on an error other than EPIPE/ECONNRESET: FALSE). */
gboolean       hostile_send                (int                  fd,
                                            const void          *data,
                                            gsize                length);
/* Sends what it can within @timeout_ms, without blocking: FALSE once the peer is gone or
 * stops reading. */
gboolean       hostile_send_deadline       (int                  fd,
                                            const char          *data,
                                            gsize                length,
                                            guint                timeout_ms);
/* Reads until @until appears in what was read, the peer closes, or @timeout_ms pass.
 * Returns what was read. *@closed is set when the peer closed (may be NULL). */
char          *hostile_read                (int                  fd,
                                            const char          *until,
                                            guint                timeout_ms,
                                            gboolean            *closed);
/* Reads one answer with a Content-Length body (or none) on a keep-alive connection: its body,
 * and its status in *@status; NULL if it did not come complete within @timeout_ms. */
char          *hostile_read_answer         (int                  fd,
                                            guint                timeout_ms,
                                            guint               *status);
/* Waits until the peer closes the connection (reading and dropping data): TRUE if it did
 * within @timeout_ms. */
gboolean       hostile_wait_closed         (int                  fd,
                                            guint                timeout_ms);

/* One HTTP/1.1 request on a new connection ("Connection: close"); returns the status and the
 * body in *@body (may be NULL). Fails the test if no answer comes within 20 s. */
guint          hostile_http                (HostileServer       *self,
                                            const char          *method,
                                            const char          *path,
                                            const char          *json_body,
                                            char               **body);
/* As hostile_http, asserting a 2xx status. */
void           hostile_http_ok             (HostileServer       *self,
                                            const char          *method,
                                            const char          *path,
                                            const char          *json_body);
/* GET @path parsed as JSON. */
JsonNode      *hostile_get_json            (HostileServer       *self,
                                            const char          *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HostileServer, hostile_server_stop)

G_END_DECLS
