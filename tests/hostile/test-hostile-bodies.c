/* test-hostile-bodies.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hostile.h"

/* Issue 21, item 3: bodies over the 8 MiB limit. The answer (413) came before the body, but
 * the body was read anyway (a 400 MB upload took the RSS to 840 MB), and a chunked body was
 * buffered whole. The server must answer 413 and close the connection, its RSS growing less
 * than 20 MiB for a 300 MB upload. */

#define UPLOAD (300 * 1024 * 1024)
#define PIECE  (256 * 1024)

typedef struct
{
  const char *name;
  gboolean    chunked;
} BodyCase;

static const BodyCase cases[] = {
  { "content-length", FALSE },
  { "chunked", TRUE },
};

static void
test_upload (gconstpointer data)
{
  const BodyCase *c = data;
  g_autoptr(HostileServer) server = hostile_server_start (NULL, NULL);
  g_autofree char *head = NULL;
  g_autofree char *piece = g_malloc (PIECE + 64);
  g_autofree char *answer = NULL;
  gsize piece_length = PIECE;
  gsize rss_before;
  gsize rss_peak;
  gsize sent = 0;
  gboolean closed = FALSE;
  int fd;

  if (c->chunked)
    {
      int n = g_snprintf (piece, 64, "%x\r\n", PIECE);

      memset (piece + n, ' ', PIECE);
      memcpy (piece + n + PIECE, "\r\n", 2);
      piece_length = (gsize) n + PIECE + 2;
      head = g_strdup ("POST /api/v1/devices HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
    }
  else
    {
      memset (piece, ' ', PIECE);
      head = g_strdup_printf ("POST /api/v1/devices HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n",
                              UPLOAD);
    }

  rss_before = rss_peak = hostile_server_get_rss_kib (server);
  fd = hostile_connect (server);
  g_assert_true (hostile_send_deadline (fd, head, strlen (head), 10000));
  while (sent < UPLOAD && hostile_send_deadline (fd, piece, piece_length, 5000))
    {
      sent += PIECE;
      if (sent % (8 * 1024 * 1024) == 0)
        rss_peak = MAX (rss_peak, hostile_server_get_rss_kib (server));
    }
  rss_peak = MAX (rss_peak, hostile_server_get_rss_kib (server));

  /* The answer, then the end of the connection. */
  answer = hostile_read (fd, NULL, 10000, &closed);
  close (fd);
  g_test_message ("sent %zu MiB; RSS %zu → %zu KiB; answer %.40s", sent >> 20, rss_before,
                  rss_peak, answer);
  g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 413"));
  g_assert_nonnull (strstr (answer, "request body too large!"));
  g_assert_true (closed);
  g_assert_cmpuint (sent, <, UPLOAD);
  g_assert_cmpuint (rss_peak, <, rss_before + HOSTILE_RSS_BOUND (20 * 1024));
  hostile_assert_responsive (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/dc/hostile/bodies/%s", cases[i].name);

      g_test_add_data_func (path, &cases[i], test_upload);
    }

  return g_test_run ();
}
