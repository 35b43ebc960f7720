/* fuzz-auth-parse.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* libFuzzer target for what a client sends to authenticate (src/api/server/dc-auth-parse.c):
 * the Authorization header and the login body (through the strict JSON parser). The first
 * byte chooses which; the rest is the input. Whatever comes in, a token taken from a header is
 * 1 to DC_AUTH_MAX_TOKEN token68 characters that were in the header, a login gives two
 * UTF-8 strings, and a refusal has one line of text. */

#include "config.h"

#include <string.h>

#include "dc-auth-parse-private.h"
#include "dc-json.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
check_header (const char *header)
{
  g_autofree char *token = dc_auth_parse_bearer (header);
  gsize length;

  if (token == NULL)
    return;
  length = strlen (token);
  g_assert (length >= 1 && length <= DC_AUTH_MAX_TOKEN);
  g_assert (g_ascii_strncasecmp (header, "Bearer ", 7) == 0);
  g_assert (strstr (header, token) != NULL);
  for (gsize i = 0; i < length; i++)
    g_assert (g_ascii_isalnum (token[i]) || strchr ("-._~+/=", token[i]) != NULL);
}

static void
check_login (const char *text,
             gsize       length)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) body = dc_json_parse (text, length, &error);
  g_autofree char *user = NULL;
  g_autofree char *password = NULL;

  if (body == NULL)
    {
      g_assert (error != NULL && strchr (error->message, '\n') == NULL);
      body = NULL;
      g_clear_error (&error);
    }
  if (dc_auth_parse_login (body, &user, &password, &error))
    {
      g_assert (error == NULL);
      g_assert (g_utf8_validate (user, -1, NULL) && g_utf8_validate (password, -1, NULL));
    }
  else
    {
      g_assert (error != NULL && error->message[0] != '\0');
      g_assert (user == NULL && password == NULL);
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = NULL;

  if (size < 1)
    return 0;
  /* A C string, as libsoup hands over a header; the body keeps its length. */
  text = g_strndup ((const char *) data + 1, size - 1);
  if (data[0] & 1)
    check_login ((const char *) data + 1, size - 1);
  else
    check_header (text);
  return 0;
}
