/* hostile.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "hostile"

#include "config.h"

#include "hostile.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib/gstdio.h>

struct _HostileServer
{
  GSubprocess *process;
  GPid         pid;
  char        *db;
  guint16      port;

  GThread     *reader;
  GMutex       lock;
  GCond        cond;
  GString     *log;
  gboolean     eof;
};

/* A failing test must not leave a server behind: the child dies with the test. */
static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static gpointer
reader_thread (gpointer data)
{
  HostileServer *self = data;
  GInputStream *err = g_subprocess_get_stderr_pipe (self->process);
  char buffer[4096];

  for (;;)
    {
      gssize n = g_input_stream_read (err, buffer, sizeof buffer, NULL, NULL);

      g_mutex_lock (&self->lock);
      if (n <= 0)
        {
          self->eof = TRUE;
          g_cond_broadcast (&self->cond);
          g_mutex_unlock (&self->lock);
          break;
        }
      /* Keep the log readable but bounded: a flood of messages is a case of its own. */
      if (self->log->len < 4 * 1024 * 1024)
        g_string_append_len (self->log, buffer, n);
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->lock);
    }
  return NULL;
}

/* Waits until the log holds @needle or the stream ends, for @timeout_ms. Called locked. */
static const char *
wait_log_locked (HostileServer *self,
                 const char    *needle,
                 guint          timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  const char *at;

  while ((at = strstr (self->log->str, needle)) == NULL && !self->eof)
    if (!g_cond_wait_until (&self->cond, &self->lock, deadline))
      break;
  return strstr (self->log->str, needle);
}

static void
server_free (HostileServer *self)
{
  if (self->reader != NULL)
    g_thread_join (self->reader);
  g_clear_object (&self->process);
  g_string_free (self->log, TRUE);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self->db);
  g_free (self);
}

HostileServer *
hostile_server_try_start (const char          *db,
                          const char * const  *extra_args,
                          guint                timeout_ms,
                          char               **log)
{
  HostileServer *self = g_new0 (HostileServer, 1);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *path = g_getenv ("DATACOLL");
  const char *at;

  g_assert_nonnull (path);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->log = g_string_new (NULL);
  /* G_TEST_OPTION_ISOLATE_DIRS: the data directory is the test's own, removed after it. */
  if (db == NULL)
    {
      static guint counter;
      g_autofree char *name = g_strdup_printf ("dc-%u.db", ++counter);

      g_mkdir_with_parents (g_get_user_data_dir (), 0700);
      self->db = g_build_filename (g_get_user_data_dir (), name, NULL);
    }
  else
    self->db = g_strdup (db);

  g_ptr_array_add (argv, (char *) path);
  g_ptr_array_add (argv, (char *) "--server");
  g_ptr_array_add (argv, (char *) "--port");
  g_ptr_array_add (argv, (char *) "0");
  g_ptr_array_add (argv, (char *) "--db");
  g_ptr_array_add (argv, self->db);
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) extra_args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
#if defined(__SANITIZE_ADDRESS__)
  /* A small quarantine, so freed memory comes back and RSS tells about the server. */
  g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", "detect_leaks=0:quarantine_size_mb=16",
                                TRUE);
#endif
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  self->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                                &error);
  g_assert_no_error (error);
  self->pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (self->process), NULL, 10);
  self->reader = g_thread_new ("hostile-stderr", reader_thread, self);

  g_mutex_lock (&self->lock);
  at = wait_log_locked (self, "listening on http://", timeout_ms);
  if (at != NULL)
    {
      const char *line_end;

      /* Wait for the whole line: the port follows. */
      while ((line_end = strchr (at, '\n')) == NULL && !self->eof)
        g_cond_wait (&self->cond, &self->lock);
      at = strstr (self->log->str, "listening on http://");
      at = strchr (at + strlen ("listening on http://"), ':');
      self->port = (guint16) g_ascii_strtoull (at + 1, NULL, 10);
    }
  if (log != NULL)
    *log = g_strdup (self->log->str);
  g_mutex_unlock (&self->lock);

  if (self->port == 0)
    {
      hostile_server_kill (self);
      return NULL;
    }
  return self;
}

HostileServer *
hostile_server_start (const char          *db,
                      const char * const  *extra_args)
{
  g_autofree char *log = NULL;
  HostileServer *self = hostile_server_try_start (db, extra_args, 30000, &log);

  if (self == NULL)
    g_error ("datacoll did not listen: %s", log);
  return self;
}

/* TRUE once the process has exited (its stderr closes), within @timeout_ms. */
static gboolean
wait_exit (HostileServer *self,
           guint          timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gboolean eof;

  g_mutex_lock (&self->lock);
  while (!self->eof)
    if (!g_cond_wait_until (&self->cond, &self->lock, deadline))
      break;
  eof = self->eof;
  g_mutex_unlock (&self->lock);
  if (eof)
    g_subprocess_wait (self->process, NULL, NULL);
  return eof;
}

void
hostile_server_kill (HostileServer *self)
{
  if (self == NULL)
    return;
  g_subprocess_force_exit (self->process);
  g_subprocess_wait (self->process, NULL, NULL);
  server_free (self);
}

void
hostile_server_stop (HostileServer *self)
{
  gboolean exited;
  gboolean clean;

  if (self == NULL)
    return;
  if (!hostile_server_is_alive (self))
    {
      g_autofree char *log = hostile_server_get_log (self);

      g_subprocess_wait (self->process, NULL, NULL);
      server_free (self);
      g_error ("datacoll died before the end of the case; its log: %.2000s", log);
    }
  g_subprocess_send_signal (self->process, SIGTERM);
  exited = wait_exit (self, 10000);
  if (!exited)
    {
      g_subprocess_force_exit (self->process);
      g_subprocess_wait (self->process, NULL, NULL);
    }
  clean = exited && g_subprocess_get_if_exited (self->process) &&
          g_subprocess_get_exit_status (self->process) == 0;
  if (!clean)
    {
      g_autofree char *log = hostile_server_get_log (self);
      gboolean by_signal = exited && g_subprocess_get_if_signaled (self->process);

      /* What the server said, so that an unclean stop can be understood from the test log. */
      g_test_message ("datacoll did not stop cleanly (%s %d); its log: %.4000s",
                      by_signal ? "signal" : "exit status",
                      !exited ? -1 : by_signal ? g_subprocess_get_term_sig (self->process)
                                               : g_subprocess_get_exit_status (self->process),
                      log);
    }
  server_free (self);
  /* A server that does not stop on SIGTERM within 10 s, or stops with an error, fails. */
  g_assert_true (exited);
  g_assert_true (clean);
}

const char *
hostile_server_get_db (HostileServer *self)
{
  return self->db;
}

guint16
hostile_server_get_port (HostileServer *self)
{
  return self->port;
}

GPid
hostile_server_get_pid (HostileServer *self)
{
  return self->pid;
}

gboolean
hostile_server_is_alive (HostileServer *self)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) self->pid);
  g_autofree char *contents = NULL;
  const char *paren;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;
  /* A zombie is dead. */
  paren = strrchr (contents, ')');
  return paren != NULL && paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X';
}

char *
hostile_server_get_log (HostileServer *self)
{
  char *log;

  g_mutex_lock (&self->lock);
  log = g_strdup (self->log->str);
  g_mutex_unlock (&self->lock);
  return log;
}

gsize
hostile_server_get_rss_kib (HostileServer *self)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) self->pid);
  g_autofree char *contents = NULL;
  const char *at;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  at = strstr (contents, "\nVmRSS:");
  if (at == NULL)
    return 0;
  return (gsize) g_ascii_strtoull (at + strlen ("\nVmRSS:"), NULL, 10);
}

guint
hostile_server_count_fds (HostileServer *self)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/fd", (int) self->pid);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* Sockets */

static guint parse_answer (const char  *answer,
                           char       **body);

static gint64
deadline_after (guint timeout_ms)
{
  return g_get_monotonic_time () + (gint64) timeout_ms * 1000;
}

static int
remaining_ms (gint64 deadline)
{
  gint64 left = deadline - g_get_monotonic_time ();

  return left <= 0 ? 0 : (int) ((left + 999) / 1000);
}

int
hostile_connect_timeout (HostileServer *self,
                         guint          timeout_ms)
{
  struct sockaddr_in address = { 0 };
  gint64 deadline = deadline_after (timeout_ms);
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int flags;

  g_assert_cmpint (fd, >=, 0);
  address.sin_family = AF_INET;
  address.sin_port = htons (self->port);
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (connect (fd, (struct sockaddr *) &address, sizeof address) != 0)
    {
      struct pollfd p = { fd, POLLOUT, 0 };
      int error = 0;
      socklen_t len = sizeof error;

      if (errno != EINPROGRESS)
        {
          close (fd);
          return -1;
        }
      while (poll (&p, 1, remaining_ms (deadline)) < 0 && errno == EINTR)
        ;
      if (!(p.revents & (POLLOUT | POLLERR | POLLHUP)) ||
          getsockopt (fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0)
        {
          close (fd);
          return -1;
        }
    }
  /* Blocking from here on; reads and writes poll with their own deadlines. */
  flags = fcntl (fd, F_GETFL);
  fcntl (fd, F_SETFL, flags & ~O_NONBLOCK);
  return fd;
}

int
hostile_connect (HostileServer *self)
{
  int fd = hostile_connect_timeout (self, 20000);

  g_assert_cmpint (fd, >=, 0);
  return fd;
}

gboolean
hostile_send (int         fd,
              const void *data,
              gsize       length)
{
  const char *p = data;

  while (length > 0)
    {
      gssize n = send (fd, p, length, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
        return FALSE;
      g_assert_cmpint (n, >, 0);
      p += n;
      length -= (gsize) n;
    }
  return TRUE;
}

gboolean
hostile_send_deadline (int         fd,
                       const char *data,
                       gsize       length,
                       guint       timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (length > 0)
    {
      struct pollfd p = { fd, POLLOUT, 0 };
      gint64 left = deadline - g_get_monotonic_time ();
      gssize n;

      if (left <= 0 || poll (&p, 1, (int) (left / 1000) + 1) <= 0)
        return FALSE;
      if (p.revents & (POLLERR | POLLHUP))
        return FALSE;
      n = send (fd, data, length, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      length -= (gsize) n;
    }
  return TRUE;
}

char *
hostile_read (int         fd,
              const char *until,
              guint       timeout_ms,
              gboolean   *closed)
{
  g_autoptr(GString) in = g_string_new (NULL);
  gint64 deadline = deadline_after (timeout_ms);

  if (closed != NULL)
    *closed = FALSE;
  while (until == NULL || strstr (in->str, until) == NULL)
    {
      struct pollfd p = { fd, POLLIN, 0 };
      char buffer[16384];
      gssize n;
      int r = poll (&p, 1, remaining_ms (deadline));

      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        break;
      n = recv (fd, buffer, sizeof buffer, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          if (closed != NULL)
            *closed = TRUE;
          break;
        }
      g_string_append_len (in, buffer, n);
    }
  return g_string_free (g_steal_pointer (&in), FALSE);
}

char *
hostile_read_answer (int    fd,
                     guint  timeout_ms,
                     guint *status)
{
  g_autoptr(GString) in = g_string_new (NULL);
  gint64 deadline = deadline_after (timeout_ms);
  const char *end;

  *status = 0;
  for (;;)
    {
      struct pollfd p = { fd, POLLIN, 0 };
      char buffer[16384];
      gssize n;
      int r;

      end = strstr (in->str, "\r\n\r\n");
      if (end != NULL)
        {
          const char *length = strstr (in->str, "Content-Length: ");
          gsize want = length != NULL && length < end ?
            g_ascii_strtoull (length + strlen ("Content-Length: "), NULL, 10) : 0;

          if (in->len >= (gsize) (end + 4 - in->str) + want)
            break;
        }
      r = poll (&p, 1, remaining_ms (deadline));
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        return NULL;
      n = recv (fd, buffer, sizeof buffer, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return NULL;
      g_string_append_len (in, buffer, n);
    }
  *status = parse_answer (in->str, NULL);
  return g_strdup (end + 4);
}

gboolean
hostile_wait_closed (int   fd,
                     guint timeout_ms)
{
  gint64 deadline = deadline_after (timeout_ms);

  for (;;)
    {
      struct pollfd p = { fd, POLLIN, 0 };
      char buffer[16384];
      gssize n;
      int r = poll (&p, 1, remaining_ms (deadline));

      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        return FALSE;
      n = recv (fd, buffer, sizeof buffer, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return TRUE;
    }
}

/* Parses "HTTP/1.1 200 OK\r\n…\r\n\r\nbody": the status, and the body in *@body. */
static guint
parse_answer (const char  *answer,
              char       **body)
{
  const char *end = strstr (answer, "\r\n\r\n");

  if (body != NULL)
    *body = end != NULL ? g_strdup (end + 4) : NULL;
  if (!g_str_has_prefix (answer, "HTTP/1.1 ") && !g_str_has_prefix (answer, "HTTP/1.0 "))
    return 0;
  return (guint) g_ascii_strtoull (answer + 9, NULL, 10);
}

guint
hostile_probe_budget_ms (void)
{
  const char *env = g_getenv ("DC_HOSTILE_PROBE_MS");

  return env != NULL ? (guint) g_ascii_strtoull (env, NULL, 10) : 100 * HOSTILE_SLOWDOWN;
}

gboolean
hostile_probe (HostileServer *self,
               guint          budget_ms,
               gint64        *elapsed_us)
{
  static const char request[] = "GET /api/v1/devices HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                "Connection: close\r\n\r\n";
  gint64 start = g_get_monotonic_time ();
  g_autofree char *answer = NULL;
  int fd = hostile_connect_timeout (self, budget_ms);
  gboolean closed = FALSE;
  guint status = 0;

  if (fd >= 0)
    {
      hostile_send (fd, request, sizeof request - 1);
      answer = hostile_read (fd, NULL, remaining_ms (start + (gint64) budget_ms * 1000),
                             &closed);
      close (fd);
      status = closed ? parse_answer (answer, NULL) : 0;
    }
  *elapsed_us = g_get_monotonic_time () - start;
  return status == 200 && *elapsed_us <= (gint64) budget_ms * 1000;
}

void
hostile_assert_responsive (HostileServer *self)
{
  guint budget = hostile_probe_budget_ms ();
  gint64 elapsed[3] = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (elapsed); i++)
    {
      if (!hostile_server_is_alive (self))
        {
          g_autofree char *log = hostile_server_get_log (self);

          g_error ("datacoll died; its log: %.2000s", log);
        }
      if (hostile_probe (self, budget, &elapsed[i]))
        return;
    }
  g_error ("no answer within %u ms to three probes in a row (%.1f, %.1f, %.1f ms)", budget,
           elapsed[0] / 1000.0, elapsed[1] / 1000.0, elapsed[2] / 1000.0);
}

void
hostile_assert_responsive_for (HostileServer *self,
                               guint          duration_ms)
{
  gint64 deadline = deadline_after (duration_ms);

  do
    hostile_assert_responsive (self);
  while (g_get_monotonic_time () < deadline);
}

/* HTTP */

guint
hostile_http (HostileServer  *self,
              const char     *method,
              const char     *path,
              const char     *json_body,
              char          **body)
{
  g_autoptr(GString) request = g_string_new (NULL);
  g_autofree char *answer = NULL;
  gboolean closed = FALSE;
  int fd = hostile_connect (self);

  g_string_append_printf (request, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          "Connection: close\r\n", method, path);
  if (json_body != NULL)
    g_string_append_printf (request, "Content-Type: application/json\r\n"
                            "Content-Length: %zu\r\n", strlen (json_body));
  g_string_append (request, "\r\n");
  if (json_body != NULL)
    g_string_append (request, json_body);
  hostile_send (fd, request->str, request->len);
  answer = hostile_read (fd, NULL, 20000, &closed);
  close (fd);
  if (!closed)
    g_error ("%s %s: no complete answer within 20 s (got %zu bytes)", method, path,
             strlen (answer));
  return parse_answer (answer, body);
}

void
hostile_http_ok (HostileServer *self,
                 const char    *method,
                 const char    *path,
                 const char    *json_body)
{
  g_autofree char *body = NULL;
  guint status = hostile_http (self, method, path, json_body, &body);

  if (status < 200 || status > 299)
    g_error ("%s %s %s → %u %s", method, path, json_body ? json_body : "", status, body);
}

JsonNode *
hostile_get_json (HostileServer *self,
                  const char    *path)
{
  g_autofree char *body = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  g_assert_cmpuint (hostile_http (self, "GET", path, NULL, &body), ==, 200);
  node = json_from_string (body, &error);
  g_assert_no_error (error);
  return node;
}
