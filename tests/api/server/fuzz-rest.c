/* fuzz-rest.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* libFuzzer target for the REST request path in one process: the HTTP server (libsoup), the
 * router (src/api/server/dc-router.c), the request rules and the strict JSON parser of
 * dc-server.c and dc-json.c, and the configuration routes with their validation
 * (src/api/routes, dc_api_add_config_routes()) plus formula_check, on a store holding a small
 * plant in dc_test_fuzz_dir().
 *
 * The input is up to MAX_REQUESTS requests separated by a line "~~~": each is a line
 * "METHOD PATH" and the body after it. They are written as HTTP/1.1 requests (with
 * Content-Length) on one keep-alive connection over loopback, the connection is shut for
 * writing, and the answers are read to the end. A failure is a crash, a sanitizer report, a
 * critical or warning, an input slower than libFuzzer's -timeout (a hang), or an answer that
 * breaks docs/rest.md: a 5xx, an error without its one-line text/plain reason, a JSON answer
 * that does not parse, or fewer answers than requests on a connection the server did not end.
 * When a change succeeded, the store goes back to the plant for the next input. */

#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dc-api.h"
#include "dc-json.h"
#include "dc-protocols.h"
#include "dc-routes.h"
#include "dc-server.h"
#include "dc-test-fuzz.h"
#include "dc-test-store.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

#define MAX_REQUESTS 16
#define SEPARATOR "\n~~~\n"
#define MALFORMED "malformed request line or header"

static char *path;
static GBytes *plant;
static DcStore *store;
static DcServer *server;

typedef struct
{
  GString   *out;       /* the requests */
  gsize      written;
  GString   *in;        /* what was read */
  gboolean   eof;       /* end of the connection (or an error) */
  GPtrArray *methods;   /* of the requests sent */
  /* What check_answers() found so far. */
  guint      n_answers;
  gsize      checked;   /* bytes of @in that are complete answers */
  gboolean   closed;    /* an answer said "Connection: close" */
  gboolean   changed;   /* a POST, PUT or DELETE succeeded */
  guint      last_status;
} Client;

/* One keep-alive connection, kept from input to input while the server keeps it. */
static int client_fd = -1;

static char *
sibling (const char *suffix)
{
  return g_strconcat (path, suffix, NULL);
}

static void
server_start (void)
{
  g_autoptr(GError) error = NULL;

  store = dc_store_open (path, &error);
  g_assert_no_error (error);
  server = dc_server_new (store);
  dc_api_add_config_routes (server);
  dc_api_add_formula_check_route (server);
  if (!dc_server_listen (server, "127.0.0.1", 0, &error))
    g_error ("listen: %s", error->message);
}

static void
server_stop (void)
{
  g_autofree char *wal = sibling ("-wal");
  g_autofree char *shm = sibling ("-shm");

  if (client_fd >= 0)
    close (client_fd);
  client_fd = -1;
  dc_server_disconnect (server);
  g_clear_object (&server);
  g_clear_object (&store);
  /* Whatever is still pending on the default context for the old server. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_unlink (wal);
  g_unlink (shm);
}

/* The plant of the REST tests (dc_test_store_file_plant()), kept as a file to come back to. */
static void
setup (void)
{
  /* A critical or warning is a bug the input found. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  dc_protocols_register_all ();
  path = g_build_filename (dc_test_fuzz_dir (), "rest.db", NULL);
  plant = dc_test_store_file_plant (path);
  server_start ();
}

static void
reset (void)
{
  server_stop ();
  dc_test_store_file_restore (path, plant);
  server_start ();
}

static gboolean
client_cb (int           fd,
           GIOCondition  condition,
           gpointer      user_data)
{
  Client *c = user_data;
  char buffer[16384];
  gssize n;

  if (c->written < c->out->len)
    {
      n = send (fd, c->out->str + c->written, c->out->len - c->written, MSG_NOSIGNAL);
      if (n > 0)
        c->written += n;
      else if (n < 0 && errno != EAGAIN && errno != EINTR)
        c->written = c->out->len;  /* the server ended the connection */
    }

  n = recv (fd, buffer, sizeof buffer, MSG_DONTWAIT);
  if (n > 0)
    g_string_append_len (c->in, buffer, n);
  else if (n == 0 || (errno != EAGAIN && errno != EINTR))
    c->eof = TRUE;
  return G_SOURCE_CONTINUE;
}

/* The value of header @name in @headers (one header block, lines ending in CRLF), or NULL. */
static char *
header_value (const char *headers,
              const char *name)
{
  g_auto(GStrv) lines = g_strsplit (headers, "\r\n", -1);
  gsize len = strlen (name);

  for (guint i = 1; lines[i] != NULL; i++)
    if (g_ascii_strncasecmp (lines[i], name, len) == 0 && lines[i][len] == ':')
      return g_strstrip (g_strdup (lines[i] + len + 1));
  return NULL;
}

/* Checks the answers in @c->in that are complete against docs/rest.md. */
static void
check_answers (Client *c)
{
  const char *end = c->in->str + c->in->len;
  const char *p = c->in->str + c->checked;

  while (p < end && !c->closed)
    {
      const char *blank = g_strstr_len (p, end - p, "\r\n\r\n");
      guint n = c->n_answers;
      g_autofree char *headers = NULL;
      g_autofree char *length_text = NULL;
      g_autofree char *type = NULL;
      g_autofree char *connection = NULL;
      const char *method = n < c->methods->len ? g_ptr_array_index (c->methods, n) : "?";
      const char *body;
      guint status;
      gsize length;

      if (blank == NULL)
        return;
      headers = g_strndup (p, blank - p);
      if (!g_str_has_prefix (headers, "HTTP/1.1 ") || strlen (headers) < 12)
        g_error ("answer %u has no status line: %s", n, headers);
      if (n >= c->methods->len)
        g_error ("an answer to no request: %s", headers);
      status = (guint) g_ascii_strtoull (headers + 9, NULL, 10);
      length_text = header_value (headers, "Content-Length");
      type = header_value (headers, "Content-Type");
      connection = header_value (headers, "Connection");
      if (length_text == NULL)
        g_error ("answer %u has no Content-Length: %s", n, headers);
      length = g_ascii_strtoull (length_text, NULL, 10);
      body = blank + 4;
      if (g_str_equal (method, "HEAD"))
        length = 0;
      if (length > (gsize) (end - body))
        return;

      if (status >= 500 || status < 200)
        g_error ("answer %u: %s\n%.*s", n, headers, (int) length, body);
      if (status >= 400 && !g_str_equal (method, "HEAD"))
        {
          if (g_strcmp0 (type, "text/plain; charset=utf-8") != 0 || length == 0 ||
              memchr (body, '\n', length) != NULL || !g_utf8_validate (body, length, NULL))
            g_error ("error answer %u without its one-line text: %s\n%.*s", n, headers,
                     (int) length, body);
        }
      else if (g_strcmp0 (type, "application/json; charset=utf-8") == 0 && length > 0)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(JsonNode) node = dc_json_parse (body, length, &error);

          if (node == NULL)
            g_error ("answer %u is not JSON (%s): %.*s", n, error->message, (int) length, body);
        }
      if (status < 300 && !g_str_equal (method, "GET") && !g_str_equal (method, "HEAD"))
        c->changed = TRUE;

      c->n_answers++;
      c->last_status = status;
      p = body + length;
      c->checked = p - c->in->str;
      /* libsoup ends the connection after a request it could not parse (answered by
       * dc-server.c with this text) without saying so. */
      if ((connection != NULL && g_ascii_strcasecmp (connection, "close") == 0) ||
          (length == strlen (MALFORMED) && memcmp (body, MALFORMED, length) == 0))
        c->closed = TRUE;
    }
}

static int
client_connect (void)
{
  struct sockaddr_in address = { 0 };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  address.sin_family = AF_INET;
  address.sin_port = g_htons (dc_server_get_port (server));
  address.sin_addr.s_addr = g_htonl (INADDR_LOOPBACK);
  /* Non-blocking, then wait for it: libFuzzer's -timeout is a SIGALRM every second, and a
   * blocking connect() it interrupts fails with EINTR while the connection goes on. */
  g_assert_true (g_unix_set_fd_nonblocking (fd, TRUE, NULL));
  if (connect (fd, (struct sockaddr *) &address, sizeof address) != 0)
    {
      struct pollfd pfd = { fd, POLLOUT, 0 };
      int error = 0;
      socklen_t len = sizeof error;

      if (errno != EINPROGRESS && errno != EINTR)
        g_error ("connect: %s", g_strerror (errno));
      while (poll (&pfd, 1, -1) < 0)
        if (errno != EINTR)
          g_error ("poll: %s", g_strerror (errno));
      g_assert_cmpint (getsockopt (fd, SOL_SOCKET, SO_ERROR, &error, &len), ==, 0);
      if (error != 0)
        g_error ("connect: %s", g_strerror (error));
    }
  return fd;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GPtrArray) methods = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *text = g_strndup ((const char *) data, size);
  Client c = { 0 };
  const char *p = text;
  const char *end = text + size;
  gboolean reading = FALSE;
  guint source;

  if (server == NULL)
    setup ();

  c.out = g_string_new (NULL);
  c.in = g_string_new (NULL);
  while (p < end && methods->len < MAX_REQUESTS)
    {
      const char *next = g_strstr_len (p, end - p, SEPARATOR);
      const char *stop = next != NULL ? next : end;
      const char *eol = memchr (p, '\n', stop - p);
      const char *line_end = eol != NULL ? eol : stop;
      const char *space = memchr (p, ' ', line_end - p);
      g_autofree char *method = g_strndup (p, (space != NULL ? space : line_end) - p);
      g_autofree char *target = space != NULL ? g_strndup (space + 1, line_end - space - 1)
                                              : g_strdup ("/");
      const char *body = eol != NULL ? eol + 1 : stop;

      /* Only what a request line can hold: anything else is the malformed-line test of
       * test-rest-unparsed, not worth the fuzzer's time. */
      if (method[0] == '\0' || strpbrk (method, " \t\r\n") != NULL ||
          target[0] == '\0' || strpbrk (target, " \t\r\n") != NULL)
        {
          g_free (method);
          method = g_strdup ("GET");
          g_free (target);
          target = g_strdup ("/");
        }
      g_string_append_printf (c.out, "%s %s HTTP/1.1\r\nHost: fuzz\r\n", method, target);
      if (stop > body || (!g_str_equal (method, "GET") && !g_str_equal (method, "HEAD")))
        g_string_append_printf (c.out, "Content-Type: application/json\r\n"
                                       "Content-Length: %" G_GSIZE_FORMAT "\r\n",
                                (gsize) (stop - body));
      g_string_append (c.out, "\r\n");
      g_string_append_len (c.out, body, stop - body);
      g_ptr_array_add (methods, g_steal_pointer (&method));
      p = next != NULL ? next + strlen (SEPARATOR) : end;
    }
  if (methods->len == 0)
    {
      g_string_append (c.out, "GET / HTTP/1.1\r\nHost: fuzz\r\n\r\n");
      g_ptr_array_add (methods, g_strdup ("GET"));
    }

  c.methods = methods;
  if (client_fd < 0)
    client_fd = client_connect ();
  source = g_unix_fd_add (client_fd, G_IO_IN | G_IO_OUT | G_IO_HUP | G_IO_ERR, client_cb, &c);
  while (c.n_answers < methods->len && !c.closed)
    {
      /* libsoup ends the connection after a request it could not parse: answered
       * (400, 501, 505), without saying so in a HEAD answer, which has no text. */
      if (c.eof && c.checked == c.in->len &&
          (c.last_status == 400 || c.last_status == 501 || c.last_status == 505))
        {
          c.closed = TRUE;
          break;
        }
      if (c.eof)
        g_error ("the connection ended after %u answers to %u requests:\n%s\n-->\n%s",
                 c.n_answers, methods->len, c.out->str, c.in->str);
      g_main_context_iteration (NULL, TRUE);
      check_answers (&c);
      /* Only reading is left: no need to wake up for a writable socket. */
      if (!reading && c.written == c.out->len)
        {
          g_source_remove (source);
          source = g_unix_fd_add (client_fd, G_IO_IN | G_IO_HUP | G_IO_ERR, client_cb, &c);
          reading = TRUE;
        }
    }
  g_source_remove (source);
  /* After a 400, 501 or 505 the server may be ending the connection (as above). */
  if (c.closed || c.checked != c.in->len ||
      c.last_status == 400 || c.last_status == 501 || c.last_status == 505)
    {
      g_assert_cmpuint (c.checked, ==, c.in->len);
      close (client_fd);
      client_fd = -1;
    }

  if (c.changed)
    reset ();

  g_string_free (c.out, TRUE);
  g_string_free (c.in, TRUE);
  return 0;
}
