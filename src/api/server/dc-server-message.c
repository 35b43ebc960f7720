/* dc-server-message.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-server"

#include "config.h"

#include "dc-server.h"

#include <string.h>

#include "dc-error.h"
#include "dc-json.h"

/* What route handlers do with a message: who sent it and the replies (JSON, text, errors).
 * The server object is in dc-server.c, the route table in dc-router.c. */

char *
dc_server_message_get_user (SoupServerMessage *msg,
                            JsonNode          *body)
{
  const char *host;

  g_return_val_if_fail (SOUP_IS_SERVER_MESSAGE (msg), NULL);

  /* An authenticated user cannot act in another's name. */
  if (g_object_get_data (G_OBJECT (msg), "dc-auth-user") != NULL)
    return g_strdup (g_object_get_data (G_OBJECT (msg), "dc-auth-user"));

  if (body != NULL && JSON_NODE_HOLDS_OBJECT (body))
    {
      JsonNode *user = json_object_get_member (json_node_get_object (body), "user");

      if (user != NULL && JSON_NODE_HOLDS_VALUE (user) &&
          json_node_get_value_type (user) == G_TYPE_STRING &&
          json_node_get_string (user)[0] != '\0')
        return g_strdup (json_node_get_string (user));
    }

  host = soup_server_message_get_remote_host (msg);
  return g_strdup_printf ("rest@%s", host != NULL ? host : "unknown");
}

DcAuditActor *
dc_server_message_get_actor (SoupServerMessage *msg)
{
  const char *user;
  const char *role;
  GSocketAddress *address;
  g_autofree char *source = NULL;

  g_return_val_if_fail (SOUP_IS_SERVER_MESSAGE (msg), NULL);

  user = g_object_get_data (G_OBJECT (msg), "dc-auth-user");
  role = g_object_get_data (G_OBJECT (msg), "dc-auth-role");
  address = soup_server_message_get_remote_address (msg);
  if (G_IS_INET_SOCKET_ADDRESS (address))
    {
      GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (address);
      g_autofree char *host = g_inet_address_to_string (g_inet_socket_address_get_address (inet));
      guint16 port = g_inet_socket_address_get_port (inet);

      if (g_inet_socket_address_get_address (inet) != NULL &&
          g_inet_address_get_family (g_inet_socket_address_get_address (inet)) ==
          G_SOCKET_FAMILY_IPV6)
        source = g_strdup_printf ("[%s]:%u", host, port);
      else
        source = g_strdup_printf ("%s:%u", host, port);
    }
  else
    source = g_strdup ("unknown");
  return dc_audit_actor_new (user != NULL ? user : "local", role != NULL ? role : "", source);
}

void
dc_server_reply_json_take (SoupServerMessage *msg,
                           guint              status,
                           char              *json,
                           gsize              length)
{
  g_return_if_fail (SOUP_IS_SERVER_MESSAGE (msg));

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json; charset=utf-8", SOUP_MEMORY_TAKE,
                                    json, length);
}

void
dc_server_reply_json_bytes (SoupServerMessage *msg,
                            guint              status,
                            GBytes            *json,
                            const char        *suffix)
{
  SoupMessageBody *body;

  g_return_if_fail (SOUP_IS_SERVER_MESSAGE (msg));
  g_return_if_fail (json != NULL);

  soup_server_message_set_status (msg, status, NULL);
  body = soup_server_message_get_response_body (msg);
  soup_message_body_truncate (body);
  /* The type through set_response() (libsoup's known-header path; with a type it appends,
   * here nothing): soup_message_headers_replace() looks the name up per call. */
  soup_server_message_set_response (msg, "application/json; charset=utf-8", SOUP_MEMORY_STATIC,
                                    NULL, 0);
  if (suffix == NULL)
    {
      soup_message_body_append_bytes (body, json);
    }
  else
    {
      /* One buffer, so the response goes out in one write. */
      gsize length = g_bytes_get_size (json);
      gsize suffix_length = strlen (suffix);
      char *data = g_malloc (length + suffix_length);

      memcpy (data, g_bytes_get_data (json, NULL), length);
      memcpy (data + length, suffix, suffix_length);
      soup_message_body_append_take (body, (guchar *) data, length + suffix_length);
    }
}

void
dc_server_reply_json (SoupServerMessage *msg,
                      guint              status,
                      JsonNode          *node)
{
  gsize length;
  char *json = dc_json_to_string (node, &length);

  dc_server_reply_json_take (msg, status, json, length);
}

void
dc_server_reply_text (SoupServerMessage *msg,
                      guint              status,
                      const char        *text)
{
  g_return_if_fail (SOUP_IS_SERVER_MESSAGE (msg));

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_COPY,
                                    text, strlen (text));
}

void
dc_server_reply_empty (SoupServerMessage *msg)
{
  g_return_if_fail (SOUP_IS_SERVER_MESSAGE (msg));

  soup_server_message_set_status (msg, 200, NULL);
}

void
dc_server_reply_done (SoupServerMessage *msg,
                      gboolean           ok,
                      const GError      *error)
{
  if (ok)
    dc_server_reply_empty (msg);
  else
    dc_server_reply_error (msg, error);
}

void
dc_server_add_warning (SoupServerMessage *msg,
                       const char        *text)
{
  GString *value = g_string_new ("299 - \"");

  g_return_if_fail (SOUP_IS_SERVER_MESSAGE (msg));
  g_return_if_fail (text != NULL);

  /* A quoted-string of printable ASCII: '"' and '\' escaped, other bytes and '%' as %XX. */
  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (value, "\\%c", *p);
      else if (*p < 0x20 || *p >= 0x7f || *p == '%')
        g_string_append_printf (value, "%%%02X", *p);
      else
        g_string_append_c (value, (char) *p);
    }
  g_string_append_c (value, '"');
  soup_message_headers_append (soup_server_message_get_response_headers (msg), "Warning",
                               value->str);
  g_string_free (value, TRUE);
}

void
dc_server_reply_error (SoupServerMessage *msg,
                       const GError      *error)
{
  g_autofree char *line = NULL;
  guint status;

  g_return_if_fail (error != NULL);

  status = dc_error_http_status (error);
  if (status >= 500 && error->domain == DC_ERROR && error->code == DC_ERROR_INTERNAL)
    g_warning ("internal error: %s", error->message);
  else if (error->domain != DC_ERROR)
    g_warning ("unexpected error: %s", error->message);

  /* One line, always. */
  line = g_strdup (error->message);
  g_strdelimit (line, "\r\n", ' ');
  dc_server_reply_text (msg, status, line);
}

void
dc_server_reply_string_array (SoupServerMessage *msg,
                              GPtrArray         *strings)
{
  GString *out = g_string_sized_new (16 + (strings != NULL ? strings->len * 8 : 0));

  g_string_append_c (out, '[');
  for (guint i = 0; strings != NULL && i < strings->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      dc_json_append_string (out, g_ptr_array_index (strings, i));
    }
  g_string_append_c (out, ']');

  dc_server_reply_json_take (msg, 200, out->str, out->len);
  g_string_free (out, FALSE);
}
