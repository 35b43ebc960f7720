/* dc-test-http.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-test"

#include "config.h"

#include "dc-test-http.h"

#include <string.h>

void
dc_reply_free (DcReply *reply)
{
  if (reply == NULL)
    return;
  g_free (reply->body);
  g_free (reply->content_type);
  g_free (reply->allow);
  g_free (reply);
}

typedef struct
{
  GBytes   *bytes;
  GError   *error;
  gboolean  done;
} DcSendState;

static void
dc_test_sent_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  DcSendState *state = user_data;

  state->bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &state->error);
  state->done = TRUE;
}

static gboolean
dc_test_deadline_cb (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

SoupSession *
dc_test_session (void)
{
  static SoupSession *session;

  if (session == NULL)
    {
      /* A direct connection: no desktop proxy settings (GSettings) in tests. */
      g_autoptr(GProxyResolver) direct = g_simple_proxy_resolver_new (NULL, NULL);

      session = soup_session_new_with_options ("timeout", 20, "max-conns-per-host", 8,
                                               "proxy-resolver", direct, NULL);
    }
  return session;
}

GBytes *
dc_test_send (SoupMessage *msg)
{
  DcSendState state = { 0 };
  gboolean expired = FALSE;
  guint deadline;

  deadline = g_timeout_add_seconds (20, dc_test_deadline_cb, &expired);
  soup_session_send_and_read_async (dc_test_session (), msg, G_PRIORITY_DEFAULT, NULL,
                                    dc_test_sent_cb, &state);
  while (!state.done && !expired)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (expired);
  g_source_remove (deadline);
  g_assert_no_error (state.error);
  return state.bytes;
}

DcReply *
dc_http_full (const char *base,
              const char *method,
              const char *path,
              const char *body,
              gssize      body_length,
              const char *token)
{
  g_autofree char *uri = g_strconcat (base, path, NULL);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) bytes = NULL;
  DcReply *reply;
  const char *header;

  msg = soup_message_new (method, uri);
  g_assert_nonnull (msg);
  if (body != NULL)
    {
      gsize length = body_length < 0 ? strlen (body) : (gsize) body_length;
      g_autoptr(GBytes) request_body = g_bytes_new (body, length);

      soup_message_set_request_body_from_bytes (msg, "application/json", request_body);
    }
  if (token != NULL)
    {
      g_autofree char *auth = g_strdup_printf ("Bearer %s", token);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }

  bytes = dc_test_send (msg);

  reply = g_new0 (DcReply, 1);
  reply->status = soup_message_get_status (msg);
  reply->length = g_bytes_get_size (bytes);
  reply->body = g_strndup (reply->length > 0 ? g_bytes_get_data (bytes, NULL) : "",
                           reply->length);
  header = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Content-Type");
  reply->content_type = g_strdup (header);
  header = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Allow");
  reply->allow = g_strdup (header);

  return reply;
}

DcReply *
dc_http (const char *base,
         const char *method,
         const char *path,
         const char *body)
{
  return dc_http_full (base, method, path, body, -1, NULL);
}
