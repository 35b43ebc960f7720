/* dc-server-auth.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-server"

#include "config.h"

#include "dc-server-auth-private.h"

#include <sodium.h>
#include <string.h>

#include "dc-auth-parse-private.h"
#include "dc-server.h"

/* Authentication and authorisation of every request (docs/security.md). The token comes from
 * "Authorization: Bearer …", or for the WebSocket stream from its ?token= parameter; it is the
 * --token-file token (compared as SHA-256 digests with sodium_memcmp) or a session or API
 * token of a user (DcUsers). */

struct _DcServerAuth
{
  DcUsers  *users;
  guint8    token_digest[32];
  gboolean  has_token;
  gboolean  exposed;
};

DcServerAuth *
dc_server_auth_new (void)
{
  return g_new0 (DcServerAuth, 1);
}

void
dc_server_auth_free (DcServerAuth *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->users);
  sodium_memzero (self->token_digest, sizeof self->token_digest);
  g_free (self);
}

void
dc_server_auth_set_token (DcServerAuth *self,
                          const char   *token)
{
  self->has_token = token != NULL && token[0] != '\0';
  if (self->has_token)
    dc_token_digest (token, self->token_digest);
  else
    sodium_memzero (self->token_digest, sizeof self->token_digest);
}

gboolean
dc_server_auth_has_token (DcServerAuth *self)
{
  return self->has_token;
}

void
dc_server_auth_set_users (DcServerAuth *self,
                          DcUsers      *users)
{
  g_set_object (&self->users, users);
}

DcUsers *
dc_server_auth_get_users (DcServerAuth *self)
{
  return self->users;
}

void
dc_server_auth_set_exposed (DcServerAuth *self,
                            gboolean      exposed)
{
  self->exposed = exposed;
}

gboolean
dc_server_auth_required (DcServerAuth *self)
{
  return self->has_token || self->exposed || (self->users != NULL && dc_users_any (self->users));
}

static GQuark user_quark;
static GQuark role_quark;

static gboolean
refuse_401 (SoupServerMessage *msg)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "WWW-Authenticate", "Bearer");
  dc_server_reply_text (msg, 401, "authentication required!");
  return FALSE;
}

/* The ?token= of the request, or NULL. */
static char *
query_token (SoupServerMessage *msg)
{
  const char *query = g_uri_get_query (soup_server_message_get_uri (msg));
  g_autoptr(GHashTable) params = NULL;
  const char *token;

  if (query == NULL)
    return NULL;
  params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
  if (params == NULL)
    return NULL;
  token = g_hash_table_lookup (params, "token");
  if (token == NULL || token[0] == '\0' || strlen (token) > DC_AUTH_MAX_TOKEN)
    return NULL;
  return g_strdup (token);
}

gboolean
dc_server_auth_check (DcServerAuth        *self,
                      SoupServerMessage   *msg,
                      const DcRouteAccess *access)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *header;
  g_autofree char *token = NULL;
  g_autofree char *user = NULL;
  DcRole role = DC_ROLE_NONE;
  guint8 digest[32];

  if (access->role == DC_ROLE_NONE || !dc_server_auth_required (self))
    return TRUE;

  header = soup_message_headers_get_one (headers, "Authorization");
  if (header != NULL)
    token = dc_auth_parse_bearer (header);
  else if (access->query_token)
    token = query_token (msg);
  if (token == NULL)
    return refuse_401 (msg);

  dc_token_digest (token, digest);
  if (self->has_token && sodium_memcmp (digest, self->token_digest, sizeof digest) == 0)
    {
      user = g_strdup ("token");
      role = DC_ROLE_ADMIN;
    }
  else if (self->users == NULL ||
           !dc_users_authenticate_digest (self->users, digest, &user, &role))
    {
      sodium_memzero (digest, sizeof digest);
      return refuse_401 (msg);
    }
  sodium_memzero (digest, sizeof digest);

  if (role < access->role)
    {
      g_autofree char *text = g_strdup_printf ("permission denied: %s cannot %s",
                                               dc_role_to_string (role), access->action);

      dc_server_reply_text (msg, 403, text);
      return FALSE;
    }

  /* The actor of the request, for the handlers and the audit log (object data by quark: the
   * same as g_object_set_data() by name, without looking the name up per request; the role's
   * name is a static string). */
  if (G_UNLIKELY (user_quark == 0))
    {
      user_quark = g_quark_from_static_string ("dc-auth-user");
      role_quark = g_quark_from_static_string ("dc-auth-role");
    }
  g_object_set_qdata_full (G_OBJECT (msg), user_quark, g_steal_pointer (&user), g_free);
  g_object_set_qdata (G_OBJECT (msg), role_quark, (gpointer) dc_role_to_string (role));
  return TRUE;
}
