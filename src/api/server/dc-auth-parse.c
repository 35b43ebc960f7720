/* dc-auth-parse.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-server"

#include "config.h"

#include "dc-auth-parse-private.h"

#include <string.h>

#include "dc-error.h"

static gboolean
is_token68 (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' ||
         c == '/';
}

char *
dc_auth_parse_bearer (const char *header)
{
  const char *start;
  const char *p;

  if (header == NULL || g_ascii_strncasecmp (header, "Bearer", 6) != 0)
    return NULL;
  p = header + 6;
  if (*p != ' ')
    return NULL;
  while (*p == ' ')
    p++;
  start = p;
  while (is_token68 (*p))
    p++;
  if (p == start)
    return NULL;
  while (*p == '=')
    p++;
  if (p - start > DC_AUTH_MAX_TOKEN)
    return NULL;
  for (const char *q = p; *q != '\0'; q++)
    if (*q != ' ' && *q != '\t')
      return NULL;
  return g_strndup (start, p - start);
}

static const char *
string_member (JsonObject  *object,
               const char  *name,
               GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID, "missing field: %s", name);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID, "field %s must be a string", name);
      return NULL;
    }
  return json_node_get_string (node);
}

gboolean
dc_auth_parse_login (JsonNode    *body,
                     char       **user,
                     char       **password,
                     GError     **error)
{
  JsonObject *object;
  const char *u;
  const char *p;

  if (body == NULL)
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID,
                           "request body must be a JSON object (the body is empty)");
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (body))
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID, "request body must be a JSON object");
      return FALSE;
    }
  object = json_node_get_object (body);
  u = string_member (object, "user", error);
  if (u == NULL)
    return FALSE;
  p = string_member (object, "password", error);
  if (p == NULL)
    return FALSE;
  *user = g_strdup (u);
  *password = g_strdup (p);
  return TRUE;
}
