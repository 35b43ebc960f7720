/* dc-json.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-json"

#include "config.h"

#include "dc-json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dc-error.h"

typedef struct
{
  const char *start;
  const char *p;
  const char *end;
  GError     *error;
} DcJsonParser;

static void
parser_fail_at (DcJsonParser *parser,
                const char   *at,
                const char   *format,
                ...) G_GNUC_PRINTF (3, 4);

static void
parser_fail_at (DcJsonParser *parser,
                const char   *at,
                const char   *format,
                ...)
{
  g_autofree char *reason = NULL;
  const char *line_start = parser->start;
  guint line = 1;
  guint column = 1;
  va_list args;

  if (parser->error != NULL)
    return;

  for (const char *q = parser->start; q < at; q++)
    if (*q == '\n')
      {
        line++;
        line_start = q + 1;
      }
  /* Columns count characters, not bytes; the prefix is valid UTF-8 (checked first). */
  for (const char *q = line_start; q < at; q++)
    if (((guchar) *q & 0xC0) != 0x80)
      column++;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (&parser->error, DC_ERROR, DC_ERROR_INVALID,
               "invalid JSON at line %u column %u: %s", line, column, reason);
}

static void
parser_unexpected (DcJsonParser *parser,
                   const char   *expected)
{
  const char *suffix_sep = expected ? ", expected " : "";
  const char *suffix = expected ? expected : "";

  if (parser->p >= parser->end)
    {
      parser_fail_at (parser, parser->p, "unexpected end of input%s%s", suffix_sep, suffix);
    }
  else if ((guchar) *parser->p >= 0x21 && (guchar) *parser->p < 0x7F)
    {
      parser_fail_at (parser, parser->p, "unexpected character '%c'%s%s",
                      *parser->p, suffix_sep, suffix);
    }
  else
    {
      gunichar c = g_utf8_get_char (parser->p);

      parser_fail_at (parser, parser->p, "unexpected character U+%04X%s%s",
                      c, suffix_sep, suffix);
    }
}

static inline void
skip_whitespace (DcJsonParser *parser)
{
  while (parser->p < parser->end &&
         (*parser->p == ' ' || *parser->p == '\t' || *parser->p == '\n' || *parser->p == '\r'))
    parser->p++;
}

static gboolean
parse_hex4 (const char *p,
            const char *end,
            gunichar   *out)
{
  gunichar value = 0;

  if (end - p < 4)
    return FALSE;

  for (guint i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (p[i]);

      if (digit < 0)
        return FALSE;
      value = (value << 4) | (gunichar) digit;
    }

  *out = value;
  return TRUE;
}

/* Parses a string starting at the opening quote; returns a newly allocated UTF-8 string. */
static char *
parse_string (DcJsonParser *parser)
{
  GString *str = NULL;
  const char *run;

  g_assert (*parser->p == '"');
  parser->p++;
  run = parser->p;

  while (parser->p < parser->end)
    {
      guchar c = (guchar) *parser->p;

      if (c == '"')
        {
          char *result;

          if (str == NULL)
            {
              result = g_strndup (run, parser->p - run);
            }
          else
            {
              g_string_append_len (str, run, parser->p - run);
              result = g_string_free (str, FALSE);
            }
          parser->p++;
          return result;
        }
      else if (c == '\\')
        {
          const char *escape = parser->p;
          char simple = 0;

          if (str == NULL)
            str = g_string_new (NULL);
          g_string_append_len (str, run, parser->p - run);
          parser->p++;
          if (parser->p >= parser->end)
            break;

          switch (*parser->p)
            {
            case '"': simple = '"'; break;
            case '\\': simple = '\\'; break;
            case '/': simple = '/'; break;
            case 'b': simple = '\b'; break;
            case 'f': simple = '\f'; break;
            case 'n': simple = '\n'; break;
            case 'r': simple = '\r'; break;
            case 't': simple = '\t'; break;
            case 'u':
              {
                gunichar cp;

                if (!parse_hex4 (parser->p + 1, parser->end, &cp))
                  {
                    parser_fail_at (parser, escape, "invalid \\u escape");
                    goto fail;
                  }
                parser->p += 5;
                if (cp >= 0xD800 && cp <= 0xDBFF)
                  {
                    gunichar low;

                    if (parser->end - parser->p < 6 ||
                        parser->p[0] != '\\' || parser->p[1] != 'u' ||
                        !parse_hex4 (parser->p + 2, parser->end, &low) ||
                        low < 0xDC00 || low > 0xDFFF)
                      {
                        parser_fail_at (parser, escape, "unpaired surrogate in \\u escape");
                        goto fail;
                      }
                    parser->p += 6;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                  }
                else if (cp >= 0xDC00 && cp <= 0xDFFF)
                  {
                    parser_fail_at (parser, escape, "unpaired surrogate in \\u escape");
                    goto fail;
                  }
                else if (cp == 0)
                  {
                    parser_fail_at (parser, escape, "\\u0000 is not allowed in strings");
                    goto fail;
                  }
                g_string_append_unichar (str, cp);
                run = parser->p;
                continue;
              }
            default:
              parser_fail_at (parser, escape, "invalid escape sequence");
              goto fail;
            }

          g_string_append_c (str, simple);
          parser->p++;
          run = parser->p;
        }
      else if (c < 0x20)
        {
          parser_fail_at (parser, parser->p, "control character in string");
          goto fail;
        }
      else
        {
          parser->p++;
        }
    }

  parser_fail_at (parser, parser->p, "unterminated string");

fail:
  if (str != NULL)
    g_string_free (str, TRUE);
  return NULL;
}

static JsonNode *
parse_number (DcJsonParser *parser)
{
  const char *start = parser->p;
  const char *p = parser->p;
  gboolean is_integer = TRUE;
  char buf[64];
  g_autofree char *heap = NULL;
  char *text;
  gsize len;
  JsonNode *node;

  if (p < parser->end && *p == '-')
    p++;
  if (p >= parser->end || !g_ascii_isdigit (*p))
    {
      parser_fail_at (parser, start, "invalid number");
      return NULL;
    }
  if (*p == '0')
    {
      p++;
      if (p < parser->end && g_ascii_isdigit (*p))
        {
          parser_fail_at (parser, start, "invalid number (leading zero)");
          return NULL;
        }
    }
  else
    {
      while (p < parser->end && g_ascii_isdigit (*p))
        p++;
    }
  if (p < parser->end && *p == '.')
    {
      is_integer = FALSE;
      p++;
      if (p >= parser->end || !g_ascii_isdigit (*p))
        {
          parser_fail_at (parser, start, "invalid number");
          return NULL;
        }
      while (p < parser->end && g_ascii_isdigit (*p))
        p++;
    }
  if (p < parser->end && (*p == 'e' || *p == 'E'))
    {
      is_integer = FALSE;
      p++;
      if (p < parser->end && (*p == '+' || *p == '-'))
        p++;
      if (p >= parser->end || !g_ascii_isdigit (*p))
        {
          parser_fail_at (parser, start, "invalid number");
          return NULL;
        }
      while (p < parser->end && g_ascii_isdigit (*p))
        p++;
    }

  len = p - start;
  if (len < sizeof buf)
    {
      memcpy (buf, start, len);
      buf[len] = '\0';
      text = buf;
    }
  else
    {
      text = heap = g_strndup (start, len);
    }

  node = json_node_alloc ();
  if (is_integer)
    {
      gint64 value;

      errno = 0;
      value = g_ascii_strtoll (text, NULL, 10);
      if (errno == 0)
        {
          json_node_init_int (node, value);
          parser->p = p;
          return node;
        }
      /* Beyond 64 bits: keep it as a double, like any other JSON parser would. */
    }

  {
    double value = g_ascii_strtod (text, NULL);

    if (!isfinite (value))
      {
        json_node_unref (node);
        parser_fail_at (parser, start, "number out of range");
        return NULL;
      }
    json_node_init_double (node, value);
  }

  parser->p = p;
  return node;
}

static gboolean
match_literal (DcJsonParser *parser,
               const char   *literal)
{
  gsize len = strlen (literal);

  if ((gsize) (parser->end - parser->p) >= len && memcmp (parser->p, literal, len) == 0)
    {
      parser->p += len;
      return TRUE;
    }
  return FALSE;
}

/* Consumes @c if it is the next byte. */
static gboolean
accept_char (DcJsonParser *parser,
             char          c)
{
  if (parser->p < parser->end && *parser->p == c)
    {
      parser->p++;
      return TRUE;
    }
  return FALSE;
}

typedef enum
{
  NEXT_ITEM,
  NEXT_CLOSED,
  NEXT_ERROR,
} NextStep;

/* After an object member or array element: a ',' (another follows) or @close (the container
 * ends); anything else is an error naming @expected. */
static NextStep
parse_separator (DcJsonParser *parser,
                 char          close,
                 const char   *expected)
{
  skip_whitespace (parser);
  if (accept_char (parser, ','))
    return NEXT_ITEM;
  if (accept_char (parser, close))
    return NEXT_CLOSED;
  parser_unexpected (parser, expected);
  return NEXT_ERROR;
}

static JsonNode *parse_value (DcJsonParser *parser,
                              guint         depth);

static JsonNode *
parse_object (DcJsonParser *parser,
              guint         depth)
{
  g_autoptr(JsonObject) object = json_object_new ();
  NextStep step;
  JsonNode *node;

  parser->p++; /* '{' */
  skip_whitespace (parser);
  if (accept_char (parser, '}'))
    goto done;

  for (;;)
    {
      g_autofree char *key = NULL;
      const char *key_start;
      JsonNode *member;

      skip_whitespace (parser);
      if (parser->p >= parser->end || *parser->p != '"')
        {
          parser_unexpected (parser, "a string key");
          return NULL;
        }
      key_start = parser->p;
      key = parse_string (parser);
      if (key == NULL)
        return NULL;
      if (json_object_has_member (object, key))
        {
          parser_fail_at (parser, key_start, "duplicate key \"%s\"", key);
          return NULL;
        }

      skip_whitespace (parser);
      if (!accept_char (parser, ':'))
        {
          parser_unexpected (parser, "':'");
          return NULL;
        }

      member = parse_value (parser, depth + 1);
      if (member == NULL)
        return NULL;
      json_object_set_member (object, key, member);

      step = parse_separator (parser, '}', "',' or '}'");
      if (step == NEXT_ERROR)
        return NULL;
      if (step == NEXT_CLOSED)
        break;
    }

done:
  node = json_node_alloc ();
  json_node_init_object (node, object);
  return node;
}

static JsonNode *
parse_array (DcJsonParser *parser,
             guint         depth)
{
  g_autoptr(JsonArray) array = json_array_new ();
  NextStep step;
  JsonNode *node;

  parser->p++; /* '[' */
  skip_whitespace (parser);
  if (accept_char (parser, ']'))
    goto done;

  for (;;)
    {
      JsonNode *element = parse_value (parser, depth + 1);

      if (element == NULL)
        return NULL;
      json_array_add_element (array, element);

      step = parse_separator (parser, ']', "',' or ']'");
      if (step == NEXT_ERROR)
        return NULL;
      if (step == NEXT_CLOSED)
        break;
    }

done:
  node = json_node_alloc ();
  json_node_init_array (node, array);
  return node;
}

static JsonNode *
parse_value (DcJsonParser *parser,
             guint         depth)
{
  skip_whitespace (parser);

  if (depth >= DC_JSON_MAX_DEPTH)
    {
      parser_fail_at (parser, parser->p, "nesting deeper than %d levels", DC_JSON_MAX_DEPTH);
      return NULL;
    }

  if (parser->p >= parser->end)
    {
      parser_unexpected (parser, "a value");
      return NULL;
    }

  switch (*parser->p)
    {
    case '{':
      return parse_object (parser, depth);

    case '[':
      return parse_array (parser, depth);

    case '"':
      {
        char *str = parse_string (parser);
        JsonNode *node;

        if (str == NULL)
          return NULL;
        node = json_node_init_string (json_node_alloc (), str);
        g_free (str);
        return node;
      }

    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      return parse_number (parser);

    default:
      if (match_literal (parser, "true"))
        return json_node_init_boolean (json_node_alloc (), TRUE);
      if (match_literal (parser, "false"))
        return json_node_init_boolean (json_node_alloc (), FALSE);
      if (match_literal (parser, "null"))
        return json_node_init_null (json_node_alloc ());
      parser_unexpected (parser, "a value");
      return NULL;
    }
}

JsonNode *
dc_json_parse (const char  *data,
               gsize        length,
               GError     **error)
{
  DcJsonParser parser = { 0 };
  const char *invalid = NULL;
  JsonNode *root;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  parser.start = data;
  parser.p = data;
  parser.end = data + length;

  if (!g_utf8_validate_len (data, length, &invalid))
    {
      if (*invalid == '\0')
        parser_fail_at (&parser, invalid, "NUL byte in input");
      else
        parser_fail_at (&parser, invalid, "invalid UTF-8");
      g_propagate_error (error, parser.error);
      return NULL;
    }

  /* A UTF-8 byte order mark is tolerated (RFC 8259 section 8.1). */
  if (length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    parser.p += 3;

  root = parse_value (&parser, 0);
  if (root != NULL)
    {
      skip_whitespace (&parser);
      if (parser.p < parser.end)
        {
          parser_unexpected (&parser, "end of input");
          g_clear_pointer (&root, json_node_unref);
        }
    }

  if (root == NULL)
    {
      g_propagate_error (error, parser.error);
      return NULL;
    }

  return root;
}

char *
dc_json_to_string (JsonNode *node,
                   gsize    *length)
{
  GString *out = g_string_sized_new (256);

  dc_json_append (out, node);
  if (length != NULL)
    *length = out->len;
  return g_string_free (out, FALSE);
}
