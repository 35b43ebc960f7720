/* test-hostile-websocket.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hostile.h"

/* Issue 21, item 4: a WebSocket message sent as frames without FIN. Each frame is under the
 * per-frame limit, but libsoup 3.2 appends continuation frames to the message without a
 * limit (+191 MB in the probe). The whole incoming message is capped: the server closes the
 * connection, and its memory stays flat. */

#define FRAME_PAYLOAD (60 * 1024)
#define TOTAL_SENT    (64 * 1024 * 1024)

/* A masked client frame (mask key 0: the payload goes as it is). */
static GBytes *
frame (guint8  opcode,
       gboolean fin,
       gsize   payload_length)
{
  GByteArray *out = g_byte_array_new ();
  guint8 header[14];
  gsize n = 0;
  char *payload;

  header[n++] = (fin ? 0x80 : 0) | opcode;
  if (payload_length <= 125)
    header[n++] = 0x80 | (guint8) payload_length;
  else
    {
      g_assert_cmpuint (payload_length, <=, 65535);
      header[n++] = 0x80 | 126;
      header[n++] = (guint8) (payload_length >> 8);
      header[n++] = (guint8) payload_length;
    }
  memset (header + n, 0, 4);
  n += 4;
  g_byte_array_append (out, header, (guint) n);
  payload = g_malloc (payload_length);
  memset (payload, 'a', payload_length);
  g_byte_array_append (out, (const guint8 *) payload, (guint) payload_length);
  g_free (payload);
  return g_byte_array_free_to_bytes (out);
}

static void
test_unfinished_message (void)
{
  static const char upgrade[] =
    "GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n\r\n";
  g_autoptr(HostileServer) server = hostile_server_start (NULL, NULL);
  g_autoptr(GBytes) first = frame (0x1, FALSE, FRAME_PAYLOAD);
  g_autoptr(GBytes) more = frame (0x0, FALSE, FRAME_PAYLOAD);
  g_autofree char *answer = NULL;
  gsize rss_before;
  gsize rss_peak;
  gsize sent = 0;
  gboolean refused = FALSE;
  int fd = hostile_connect (server);

  hostile_send (fd, upgrade, sizeof upgrade - 1);
  answer = hostile_read (fd, "\r\n\r\n", 20000, NULL);
  g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 101"));
  rss_before = rss_peak = hostile_server_get_rss_kib (server);

  if (!hostile_send_deadline (fd, g_bytes_get_data (first, NULL), g_bytes_get_size (first), 10000))
    refused = TRUE;
  while (!refused && sent < TOTAL_SENT)
    {
      if (!hostile_send_deadline (fd, g_bytes_get_data (more, NULL), g_bytes_get_size (more), 10000))
        refused = TRUE;
      sent += FRAME_PAYLOAD;
      if (sent % (4 * 1024 * 1024) == 0)
        rss_peak = MAX (rss_peak, hostile_server_get_rss_kib (server));
    }
  rss_peak = MAX (rss_peak, hostile_server_get_rss_kib (server));
  g_test_message ("sent %zu KiB of one message; RSS %zu → %zu KiB", sent / 1024, rss_before,
                  rss_peak);
  /* The server closed the connection long before 64 MiB. */
  g_assert_true (refused || hostile_wait_closed (fd, 5000));
  close (fd);
  g_assert_cmpuint (rss_peak, <, rss_before + HOSTILE_RSS_BOUND (16 * 1024));
  hostile_assert_responsive (server);
}

/* Small messages, fragmented or not, still work: a subscription in three frames is
 * answered. */
static void
test_fragmented_subscription (void)
{
  static const char upgrade[] =
    "GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n\r\n";
  static const char *parts[] = { "{\"subscribe\":", "[\"nope", "\"]}" };
  g_autoptr(HostileServer) server = hostile_server_start (NULL, NULL);
  g_autofree char *answer = NULL;
  g_autofree char *reply = NULL;
  int fd = hostile_connect (server);

  hostile_send (fd, upgrade, sizeof upgrade - 1);
  answer = hostile_read (fd, "\r\n\r\n", 20000, NULL);
  g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 101"));
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      guint8 header[6] = { (i == 2 ? 0x80 : 0) | (i == 0 ? 0x1 : 0x0),
                           0x80 | (guint8) strlen (parts[i]), 0, 0, 0, 0 };

      hostile_send (fd, header, sizeof header);
      hostile_send (fd, parts[i], strlen (parts[i]));
    }
  /* The server answers the (invalid) subscription with an error message. */
  reply = hostile_read (fd, "invalid subscription", 10000, NULL);
  g_assert_nonnull (strstr (reply, "invalid subscription"));
  close (fd);
  hostile_assert_responsive (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/dc/hostile/websocket/unfinished-message", test_unfinished_message);
  g_test_add_func ("/dc/hostile/websocket/fragmented-subscription",
                   test_fragmented_subscription);

  return g_test_run ();
}
