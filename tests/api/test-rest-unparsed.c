/* test-rest-unparsed.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "dc-test-server.h"

/* Requests that HTTP itself refuses (a path that is not a URI, a broken request line or
 * header), written byte for byte to the real binary over a socket, since no HTTP client sends
 * them. Every error answer carries its one-line text (docs/rest.md), also those libsoup gives
 * before DataColl sees the request; the answers DataColl writes keep theirs. */

typedef struct
{
  const char *request;   /* without the closing "Connection: close" and empty line */
  guint       status;
  const char *body;
} Case;

#define MALFORMED "malformed request line or header"
#define A16 "/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a"
#define A64 A16 A16 A16 A16

static const Case cases[] = {
  { "GET /api/v1/devices/%ZZ HTTP/1.1", 400, MALFORMED },
  { "GET /api/v1/devices/% HTTP/1.1", 400, MALFORMED },
  { "GET /api/v1/devices/a%2 HTTP/1.1", 400, MALFORMED },
  { "GET /api/v1/devices?x=%ZZ HTTP/1.1", 400, MALFORMED },
  { "GET /api/v1/devices/a b HTTP/1.1", 400, MALFORMED },
  { "GARBAGE", 400, MALFORMED },
  { "GET /api/v1/devices HTTP/1.1\r\nContent-Length: abc", 400, MALFORMED },
  { "GET /api/v1/devices HTTP/1.1\r\nHost: a/b", 400, MALFORMED },
  { "GET /api/v1/devices HTTP/7.1", 505, MALFORMED },
  { "POST /api/v1/devices HTTP/1.1\r\nTransfer-Encoding: gzip", 501, MALFORMED },
  /* DataColl's own answers are unchanged. */
  { "GET /api/v1/devices/%FF HTTP/1.1", 400, "invalid percent-encoding in path (must be UTF-8)" },
  { "GET /api/v1/nothing HTTP/1.1", 404, "unknown path /api/v1/nothing" },
  { "GET /api/v1/devices/d9 HTTP/1.1", 404, "device_id not found!" },
  { "PATCH /api/v1/devices HTTP/1.1",
    405, "method PATCH not allowed for /api/v1/devices (allowed: GET, HEAD, POST)" },
  /* A path or method that is not UTF-8 is not echoed as such (found by fuzz-rest; a path of
   * more than 64 segments is not decoded, it cannot match). */
  { "GET /\xff" A64 " HTTP/1.1", 404, "unknown path /\xef\xbf\xbd" A64 },
  { "PU\x86 /api/v1/devices HTTP/1.1",
    405, "method PU\xef\xbf\xbd not allowed for /api/v1/devices (allowed: GET, HEAD, POST)" },
  /* libsoup refuses these itself, after the headers (found by fuzz-rest: no text). */
  { "GET /api/v1/items/%00 HTTP/1.1", 400, "invalid path (%00 or a \"..\" segment)" },
  { "POST /api/v2/items%00/del HTTP/1.1\r\nContent-Length: 0", 400,
    "invalid path (%00 or a \"..\" segment)" },
  /* The target `*` is the path / for libsoup; it answered 404 with no text (found by
   * bench/fuzz: fuzz-rest). */
  { "GET * HTTP/1.1", 200, NULL },
  { "OPTIONS * HTTP/1.1", 405, "method OPTIONS not allowed for / (allowed: GET, HEAD)" },
  { "GET /api/v1/devices HTTP/1.1", 200, "[]" },
  { "GET /api/v1/stream HTTP/1.1", 400, NULL },
};

static DcTestServer *instance;

/* Sends @request to the server and reads the answer until the server closes. */
static char *
exchange (const char *request)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *raw = NULL;
  g_autoptr(GByteArray) answer = g_byte_array_new ();
  GInputStream *in;
  guint8 buffer[4096];
  gssize n;

  g_socket_client_set_timeout (client, 20);
  connection = g_socket_client_connect_to_uri (client, instance->base, 0, NULL, &error);
  g_assert_no_error (error);
  raw = g_strdup_printf ("%s%s\r\nConnection: close\r\n\r\n", request,
                         strstr (request, "Host:") != NULL ? "" : "\r\nHost: 127.0.0.1");
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), raw,
                             strlen (raw), NULL, NULL, &error);
  g_assert_no_error (error);
  in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  while ((n = g_input_stream_read (in, buffer, sizeof buffer, NULL, &error)) > 0)
    g_byte_array_append (answer, buffer, n);
  g_assert_no_error (error);
  g_byte_array_append (answer, (const guint8 *) "", 1);
  return g_strdup ((const char *) answer->data);
}

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  g_autofree char *answer = exchange (c->request);
  g_autofree char *status_line = g_strdup_printf (" %u ", c->status);
  const char *end = strstr (answer, "\r\n\r\n");
  g_autofree char *headers = NULL;
  /* Escaped: TAP output is UTF-8 text. */
  g_autofree char *request_text = g_strescape (c->request, NULL);
  g_autofree char *answer_text = g_strescape (answer, NULL);
  const char *body;

  g_test_message ("%s -> %s", request_text, answer_text);
  g_assert_nonnull (end);
  headers = g_ascii_strdown (answer, end - answer);
  body = end + 4;
  g_assert_true (g_str_has_prefix (answer, "HTTP/1."));
  g_assert_nonnull (strstr (answer, status_line));
  g_assert_true (strstr (answer, "\r\n") > strstr (answer, status_line));
  if (c->body == NULL)
    {
      /* libsoup's own answer (a WebSocket handshake refused), left as it is. */
      g_assert_null (strstr (body, MALFORMED));
      return;
    }
  g_assert_cmpstr (body, ==, c->body);
  if (c->status >= 400)
    g_assert_nonnull (strstr (headers, "\r\ncontent-type: text/plain; charset=utf-8\r\n"));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/dc/rest/unparsed/%02u", i);

      g_test_add_data_func (path, &cases[i], test_case);
    }

  /* One server for every case, in a folder of its own (the isolated folders are per case). */
  dir = g_dir_make_tmp ("dc-rest-unparsed-XXXXXX", NULL);
  g_assert_nonnull (dir);
  db = g_build_filename (dir, "dc.db", NULL);
  {
    const char *args[] = { "--server", "--port", "0", "--db", db, NULL };

    instance = dc_test_server_start (args);
  }
  status = g_test_run ();
  dc_test_server_stop (instance);
  {
    g_autoptr(GDir) folder = g_dir_open (dir, 0, NULL);
    const char *name;

    while (folder != NULL && (name = g_dir_read_name (folder)) != NULL)
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);

        g_unlink (path);
      }
    g_rmdir (dir);
  }
  return status;
}
