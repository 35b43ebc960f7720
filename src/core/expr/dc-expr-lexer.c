/* dc-expr-lexer.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-expr"

#include "config.h"

#include <errno.h>
#include <string.h>

#include "dc-expr-private.h"

/* The tokenizer of the expression language: numbers, strings, names and operators, with
 * the column (in characters, from 1) of each. The parser (dc-expr-parser.c) reads the tokens;
 * every message is a syntax error "syntax error at column N: …". */

gboolean
dc_expr_syntax_error (GError    **error,
                      guint       column,
                      const char *format,
                      ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, DC_EXPR_ERROR, DC_EXPR_ERROR_SYNTAX,
               "syntax error at column %u: %s", column, msg);
  return FALSE;
}

static guint
column_of (const char *text,
           const char *p)
{
  return (guint) g_utf8_strlen (text, p - text) + 1;
}

static gboolean
is_name_start (const char *p)
{
  guchar c = (guchar) *p;

  if (c < 0x80)
    return g_ascii_isalpha (c) || c == '_';
  return g_unichar_isalpha (g_utf8_get_char (p));
}

static gboolean
is_name_char (const char *p)
{
  guchar c = (guchar) *p;

  if (c < 0x80)
    return g_ascii_isalnum (c) || c == '_';
  return g_unichar_isalnum (g_utf8_get_char (p)) ||
         g_unichar_type (g_utf8_get_char (p)) == G_UNICODE_NON_SPACING_MARK;
}

static void
token_clear (gpointer data)
{
  DcToken *tok = data;

  g_clear_pointer (&tok->str, g_free);
}

/* Digits with single underscores between them, in @base. Returns the end. */
static const char *
scan_digits (const char *p,
             int         base,
             GString    *out)
{
  gboolean last_digit = FALSE;

  for (;;)
    {
      int d = g_ascii_xdigit_value (*p);

      if (d >= 0 && d < base)
        {
          g_string_append_c (out, *p);
          last_digit = TRUE;
          p++;
        }
      else if (*p == '_' && last_digit && g_ascii_xdigit_value (p[1]) >= 0 &&
               g_ascii_xdigit_value (p[1]) < base)
        {
          last_digit = FALSE;
          p++;
        }
      else
        return p;
    }
}

static gboolean
scan_number (const char  *text,
             const char  *p,
             DcToken     *tok,
             const char **end,
             GError     **error)
{
  g_autoptr(GString) digits = g_string_new (NULL);
  const char *q = p;
  gboolean is_float = FALSE;

  if (*q == '0' && strchr ("xXoObB", q[1]) != NULL && q[1] != '\0')
    {
      int base = (q[1] == 'x' || q[1] == 'X') ? 16 : (q[1] == 'o' || q[1] == 'O') ? 8 : 2;
      guint64 v;
      char *e;

      q += 2;
      if (*q == '_')
        q++;
      q = scan_digits (q, base, digits);
      if (digits->len == 0 || is_name_char (q))
        return dc_expr_syntax_error (error, column_of (text, p), "invalid number literal");
      errno = 0;
      v = g_ascii_strtoull (digits->str, &e, base);
      tok->kind = DC_TOKEN_INT;
      if (errno == ERANGE || v > G_MAXINT64)
        {
          /* Integers beyond 64 bits become floats (docs/plugins.md). */
          tok->big = TRUE;
          tok->f = 0;
          for (const char *d = digits->str; *d; d++)
            tok->f = tok->f * base + g_ascii_xdigit_value (*d);
        }
      else
        tok->i = (gint64) v;
      *end = q;
      return TRUE;
    }

  q = scan_digits (q, 10, digits);
  if (*q == '.' && (digits->len > 0 || g_ascii_isdigit (q[1])))
    {
      is_float = TRUE;
      g_string_append_c (digits, '.');
      q = scan_digits (q + 1, 10, digits);
    }
  if ((*q == 'e' || *q == 'E') &&
      (g_ascii_isdigit (q[1]) || ((q[1] == '+' || q[1] == '-') && g_ascii_isdigit (q[2]))))
    {
      is_float = TRUE;
      g_string_append_c (digits, 'e');
      q++;
      if (*q == '+' || *q == '-')
        g_string_append_c (digits, *q++);
      q = scan_digits (q, 10, digits);
    }
  if (*q == 'j' || *q == 'J')
    return dc_expr_syntax_error (error, column_of (text, p), "complex numbers are not supported");
  if (is_name_char (q))
    return dc_expr_syntax_error (error, column_of (text, p), "invalid number literal");

  if (is_float)
    {
      tok->kind = DC_TOKEN_FLOAT;
      tok->f = g_ascii_strtod (digits->str, NULL);
    }
  else
    {
      guint64 v;

      if (digits->len > 1 && digits->str[0] == '0' &&
          strspn (digits->str, "0") != digits->len)
        return dc_expr_syntax_error (error, column_of (text, p), "leading zeros in decimal "
                                     "integer literals are not permitted");
      errno = 0;
      v = g_ascii_strtoull (digits->str, NULL, 10);
      tok->kind = DC_TOKEN_INT;
      if (errno == ERANGE || v > G_MAXINT64)
        {
          tok->big = TRUE;
          tok->f = g_ascii_strtod (digits->str, NULL);
        }
      else
        tok->i = (gint64) v;
    }
  *end = q;
  return TRUE;
}

static gboolean
scan_string (const char  *text,
             const char  *p,
             gboolean     raw,
             DcToken     *tok,
             const char **end,
             GError     **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  char quote = *p;
  const char *q = p + 1;

  for (;;)
    {
      if (*q == '\0' || *q == '\n')
        return dc_expr_syntax_error (error, column_of (text, p), "unterminated string");
      if (*q == quote)
        break;
      if (*q == '\\' && raw)
        {
          g_string_append_c (out, *q++);
          if (*q == '\0')
            continue;
          g_string_append_c (out, *q++);
          continue;
        }
      if (*q == '\\')
        {
          const char *esc = q;
          gunichar u;
          int n = 0;

          q++;
          switch (*q)
            {
            case '\\': g_string_append_c (out, '\\'); q++; break;
            case '\'': g_string_append_c (out, '\''); q++; break;
            case '"': g_string_append_c (out, '"'); q++; break;
            case 'n': g_string_append_c (out, '\n'); q++; break;
            case 't': g_string_append_c (out, '\t'); q++; break;
            case 'r': g_string_append_c (out, '\r'); q++; break;
            case '0': g_string_append_c (out, '\0'); q++; break;
            case '\n': q++; break;
            case 'x': n = 2; break;
            case 'u': n = 4; break;
            case 'U': n = 8; break;
            case '\0':
              return dc_expr_syntax_error (error, column_of (text, p), "unterminated string");
            default:
              /* Python keeps unknown escapes as they are. */
              g_string_append_c (out, '\\');
              break;
            }
          if (n > 0)
            {
              u = 0;
              q++;
              for (int k = 0; k < n; k++, q++)
                {
                  int d = g_ascii_xdigit_value (*q);

                  if (d < 0)
                    return dc_expr_syntax_error (error, column_of (text, esc),
                                                 "truncated \\%c escape", esc[1]);
                  u = u * 16 + (gunichar) d;
                }
              if (u == 0 || !g_unichar_validate (u))
                {
                  if (u == 0)
                    g_string_append_c (out, '\0');
                  else
                    return dc_expr_syntax_error (error, column_of (text, esc),
                                                 "invalid \\%c escape",
                                                 esc[1]);
                }
              else
                g_string_append_unichar (out, u);
            }
          continue;
        }
      g_string_append_c (out, *q++);
    }

  if (out->len > DC_EXPR_MAX_STRING)
    return dc_expr_syntax_error (error, column_of (text, p), "string literal too long");

  tok->kind = DC_TOKEN_STRING;
  tok->str_len = out->len;
  tok->str = g_string_free (g_steal_pointer (&out), FALSE);
  *end = q + 1;
  return TRUE;
}

static const char * const ops3[] = { "**=", "//=", ">>=", "<<=", NULL };
static const char * const ops2[] = {
  "**", "//", "<=", ">=", "==", "!=", "<<", ">>", ":=", "->", "+=", "-=", "*=", "/=", "%=",
  "&=", "|=", "^=", "@=", NULL
};
static const char ops1[] = "+-*/%<>()[],.:=|&^~@{};";

GArray *
dc_expr_tokenize (const char  *text,
                  GError     **error)
{
  g_autoptr(GArray) tokens = g_array_new (FALSE, TRUE, sizeof (DcToken));
  const char *p = text;
  /* Columns counted on from the previous token: from the start each time cost O(n²), seconds
   * of main loop for a 64 KiB text (docs/security.md). */
  const char *counted = text;
  guint column = 1;

  g_array_set_clear_func (tokens, token_clear);

  for (;;)
    {
      DcToken tok = { 0 };
      const char *end = NULL;

      while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' ||
             (*p == '\\' && p[1] == '\n'))
        p += (*p == '\\') ? 2 : 1;

      tok.start = p;
      column += (guint) g_utf8_strlen (counted, p - counted);
      counted = p;
      tok.column = column;

      if (*p == '\0')
        {
          tok.kind = DC_TOKEN_END;
          g_array_append_val (tokens, tok);
          break;
        }

      if (*p == '#')
        {
          dc_expr_syntax_error (error, tok.column, "comments are not supported");
          return NULL;
        }

      if (g_ascii_isdigit (*p) || (*p == '.' && g_ascii_isdigit (p[1])))
        {
          if (!scan_number (text, p, &tok, &end, error))
            return NULL;
        }
      else if (*p == '\'' || *p == '"')
        {
          if (!scan_string (text, p, FALSE, &tok, &end, error))
            return NULL;
        }
      else if (is_name_start (p))
        {
          const char *q = p;
          gsize len;

          while (*q && is_name_char (q))
            q = g_utf8_next_char (q);
          len = q - p;

          /* String prefixes. */
          if ((*q == '\'' || *q == '"') && len <= 2)
            {
              g_autofree char *prefix = g_ascii_strdown (p, len);

              if (strcmp (prefix, "r") == 0 || strcmp (prefix, "u") == 0)
                {
                  if (!scan_string (text, q, prefix[0] == 'r', &tok, &end, error))
                    return NULL;
                  goto append;
                }
              if (strchr (prefix, 'f') != NULL)
                {
                  dc_expr_syntax_error (error, tok.column, "f-strings are not supported");
                  return NULL;
                }
              if (strchr (prefix, 'b') != NULL)
                {
                  dc_expr_syntax_error (error, tok.column, "bytes literals are not supported");
                  return NULL;
                }
            }
          tok.kind = DC_TOKEN_NAME;
          end = q;
        }
      else
        {
          tok.kind = DC_TOKEN_OP;
          for (guint i = 0; ops3[i] != NULL && end == NULL; i++)
            if (strncmp (p, ops3[i], 3) == 0)
              end = p + 3;
          for (guint i = 0; ops2[i] != NULL && end == NULL; i++)
            if (strncmp (p, ops2[i], 2) == 0)
              end = p + 2;
          if (end == NULL && strchr (ops1, *p) != NULL)
            end = p + 1;
          if (end == NULL)
            {
              gunichar c = g_utf8_get_char (p);

              if (c < 0x20 || c == 0x7f)
                dc_expr_syntax_error (error, tok.column, "invalid character U+%04X", c);
              else
                {
                  char buf[8] = { 0 };

                  g_unichar_to_utf8 (c, buf);
                  dc_expr_syntax_error (error, tok.column, "invalid character '%s'", buf);
                }
              return NULL;
            }
        }

    append:
      g_assert (end != NULL);
      tok.len = end - p;
      g_array_append_val (tokens, tok);
      p = end;
    }

  return g_steal_pointer (&tokens);
}
