/* dc-bench-rest-hello.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-bench-rest-hello"

#include "config.h"

#include <stdlib.h>

#include <libsoup/soup.h>

/* The floor of bench/rest: a hello-world libsoup server that answers GET <path> with a fixed
 * body read from a file (the run script gives it DataColl's own answers, so both servers send
 * the same bytes). No routing table, no store, no JSON work.
 *
 * Usage: dc-bench-rest-hello PORT PATH FILE [PATH FILE…] */

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  GHashTable *bodies = user_data;
  GBytes *body = g_hash_table_lookup (bodies, path);

  if (body == NULL)
    {
      soup_server_message_set_status (msg, 404, NULL);
      return;
    }

  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json; charset=utf-8", SOUP_MEMORY_COPY,
                                    g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GHashTable) bodies = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  guint port;

  if (argc < 4 || argc % 2 != 0)
    {
      g_printerr ("usage: %s PORT PATH FILE [PATH FILE…]\n", argv[0]);
      return 2;
    }

  port = (guint) atoi (argv[1]);
  bodies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
  for (int i = 2; i + 1 < argc; i += 2)
    {
      char *contents = NULL;
      gsize length = 0;

      if (!g_file_get_contents (argv[i + 1], &contents, &length, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      g_hash_table_insert (bodies, g_strdup (argv[i]), g_bytes_new_take (contents, length));
    }

  server = soup_server_new ("server-header", "hello/1.0", NULL);
  soup_server_add_handler (server, NULL, handler_cb, bodies, NULL);
  if (!soup_server_listen_local (server, port, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  loop = g_main_loop_new (NULL, FALSE);
  g_main_loop_run (loop);
  return 0;
}
