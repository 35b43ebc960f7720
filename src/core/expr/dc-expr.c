/* dc-expr.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-expr"

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dc-expr-private.h"

/* Tokenizer and recursive-descent parser for the Python expression subset. The grammar
 * follows Python's (lowest precedence first):
 *
 *   expr       := or_test ['if' or_test 'else' expr]
 *   or_test    := and_test ('or' and_test)*
 *   and_test   := not_test ('and' not_test)*
 *   not_test   := 'not' not_test | comparison
 *   comparison := arith (comp_op arith)*
 *   arith      := term (('+' | '-') term)*
 *   term       := factor (('*' | '/' | '//' | '%') factor)*
 *   factor     := ('+' | '-') factor | power
 *   power      := primary ['**' factor]
 *   primary    := atom (call | index | '.' NAME)*
 *   atom       := NAME | NUMBER | STRING+ | '(' expr ')' | '(' expr ',' … ')' | '[' … ']'
 *
 * Columns in messages count characters from 1. */

G_DEFINE_QUARK (dc-expr-error-quark, dc_expr_error)

typedef enum
{
  TOK_END,
  TOK_INT,
  TOK_FLOAT,
  TOK_STRING,
  TOK_NAME,
  TOK_OP,
} TokKind;

typedef struct
{
  TokKind     kind;
  guint       column;
  const char *start;   /* in the text */
  gsize       len;
  gint64      i;       /* TOK_INT */
  double      f;       /* TOK_FLOAT, or a TOK_INT too large for 64 bits */
  gboolean    big;     /* TOK_INT that became a float */
  char       *str;     /* TOK_STRING: decoded, owned by the parser until moved */
  gsize       str_len;
} Token;

typedef struct
{
  const char *text;
  GArray     *tokens;
  guint       pos;
  DcExpr     *expr;
  guint       depth;
} Parser;

static const char * const pandas_only[] = {
  "resample", "rolling", "ewm", "expanding", "groupby", "shift", "diff", "pct_change",
  "apply", "agg", "aggregate", "iloc", "loc", "at", "iat", "fillna", "dropna",
  "interpolate", "cumsum", "cumprod", "cummax", "cummin", "std", "var", "median",
  "quantile", "values", "index", "tail", "head", "tolist", "to_list", "astype", "asfreq",
  "between_time", "idxmax", "idxmin", "describe", "nunique", "unique", "clip", "abs",
  "round", "first", "reindex", "dt", "str",
};

static const char * const builtin_names[DC_N_BUILTINS] = {
  "max", "min", "abs", "round", "sum", "len", "int", "float", "str", "bool",
};

static const char * const method_names[DC_N_METHODS] = {
  "max", "min", "sum", "mean", "count", "last", "window",
};

const char *
dc_builtin_name (DcBuiltin builtin)
{
  g_assert (builtin < DC_N_BUILTINS);
  return builtin_names[builtin];
}

gboolean
dc_builtin_lookup (const char *name,
                   DcBuiltin  *builtin)
{
  for (guint i = 0; i < DC_N_BUILTINS; i++)
    if (strcmp (builtin_names[i], name) == 0)
      {
        *builtin = i;
        return TRUE;
      }
  return FALSE;
}

gboolean
dc_method_lookup (const char *name,
                  DcMethod   *method)
{
  for (guint i = 0; i < DC_N_METHODS; i++)
    if (strcmp (method_names[i], name) == 0)
      {
        *method = i;
        return TRUE;
      }
  return FALSE;
}

gboolean
dc_expr_is_pandas_only (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (pandas_only); i++)
    if (strcmp (pandas_only[i], name) == 0)
      return TRUE;
  return FALSE;
}

gboolean
dc_expr_is_builtin_name (const char *name)
{
  DcBuiltin b;

  g_return_val_if_fail (name != NULL, FALSE);

  return dc_builtin_lookup (name, &b) ||
         strcmp (name, "True") == 0 || strcmp (name, "False") == 0 ||
         strcmp (name, "None") == 0;
}

static guint
column_of (const char *text,
           const char *p)
{
  return (guint) g_utf8_strlen (text, p - text) + 1;
}

static gboolean
syntax_error (GError    **error,
              guint       column,
              const char *format,
              ...) G_GNUC_PRINTF (3, 4);

static gboolean
syntax_error (GError    **error,
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

/* Tokenizer */

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
  Token *tok = data;

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
             Token       *tok,
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
        return syntax_error (error, column_of (text, p), "invalid number literal");
      errno = 0;
      v = g_ascii_strtoull (digits->str, &e, base);
      tok->kind = TOK_INT;
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
    return syntax_error (error, column_of (text, p), "complex numbers are not supported");
  if (is_name_char (q))
    return syntax_error (error, column_of (text, p), "invalid number literal");

  if (is_float)
    {
      tok->kind = TOK_FLOAT;
      tok->f = g_ascii_strtod (digits->str, NULL);
    }
  else
    {
      guint64 v;

      if (digits->len > 1 && digits->str[0] == '0' &&
          strspn (digits->str, "0") != digits->len)
        return syntax_error (error, column_of (text, p),
                             "leading zeros in decimal integer literals are not permitted");
      errno = 0;
      v = g_ascii_strtoull (digits->str, NULL, 10);
      tok->kind = TOK_INT;
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
             Token       *tok,
             const char **end,
             GError     **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  char quote = *p;
  const char *q = p + 1;

  for (;;)
    {
      if (*q == '\0' || *q == '\n')
        return syntax_error (error, column_of (text, p), "unterminated string");
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
              return syntax_error (error, column_of (text, p), "unterminated string");
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
                    return syntax_error (error, column_of (text, esc),
                                         "truncated \\%c escape", esc[1]);
                  u = u * 16 + (gunichar) d;
                }
              if (u == 0 || !g_unichar_validate (u))
                {
                  if (u == 0)
                    g_string_append_c (out, '\0');
                  else
                    return syntax_error (error, column_of (text, esc), "invalid \\%c escape",
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
    return syntax_error (error, column_of (text, p), "string literal too long");

  tok->kind = TOK_STRING;
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

static GArray *
tokenize (const char  *text,
          GError     **error)
{
  g_autoptr(GArray) tokens = g_array_new (FALSE, TRUE, sizeof (Token));
  const char *p = text;

  g_array_set_clear_func (tokens, token_clear);

  for (;;)
    {
      Token tok = { 0 };
      const char *end = NULL;

      while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' ||
             (*p == '\\' && p[1] == '\n'))
        p += (*p == '\\') ? 2 : 1;

      tok.start = p;
      tok.column = column_of (text, p);

      if (*p == '\0')
        {
          tok.kind = TOK_END;
          g_array_append_val (tokens, tok);
          break;
        }

      if (*p == '#')
        {
          syntax_error (error, tok.column, "comments are not supported");
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
                  syntax_error (error, tok.column, "f-strings are not supported");
                  return NULL;
                }
              if (strchr (prefix, 'b') != NULL)
                {
                  syntax_error (error, tok.column, "bytes literals are not supported");
                  return NULL;
                }
            }
          tok.kind = TOK_NAME;
          end = q;
        }
      else
        {
          tok.kind = TOK_OP;
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
                syntax_error (error, tok.column, "invalid character U+%04X", c);
              else
                {
                  char buf[8] = { 0 };

                  g_unichar_to_utf8 (c, buf);
                  syntax_error (error, tok.column, "invalid character '%s'", buf);
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

/* Parser */

static Token *
peek (Parser *parser)
{
  return &g_array_index (parser->tokens, Token, parser->pos);
}

static Token *
next (Parser *parser)
{
  Token *tok = peek (parser);

  if (tok->kind != TOK_END)
    parser->pos++;
  return tok;
}

static gboolean
tok_is (Token      *tok,
        TokKind     kind,
        const char *text)
{
  return tok->kind == kind && strlen (text) == tok->len && strncmp (tok->start, text, tok->len) == 0;
}

static gboolean
peek_op (Parser     *parser,
         const char *op)
{
  return tok_is (peek (parser), TOK_OP, op);
}

static gboolean
peek_keyword (Parser     *parser,
              const char *kw)
{
  return tok_is (peek (parser), TOK_NAME, kw);
}

static gboolean
unexpected (Parser  *parser,
            Token   *tok,
            GError **error)
{
  g_autofree char *shown = NULL;

  if (tok->kind == TOK_END)
    {
      if (tok == &g_array_index (parser->tokens, Token, 0))
        return syntax_error (error, tok->column, "empty expression");
      return syntax_error (error, tok->column, "unexpected end of expression");
    }
  if (tok_is (tok, TOK_NAME, "lambda"))
    return syntax_error (error, tok->column, "lambda is not supported");
  if (tok_is (tok, TOK_NAME, "for"))
    return syntax_error (error, tok->column, "comprehensions are not supported");
  if (tok_is (tok, TOK_OP, "{"))
    return syntax_error (error, tok->column, "dict and set displays are not supported");
  if (tok_is (tok, TOK_OP, "=") || tok_is (tok, TOK_OP, ":=") ||
      (tok->kind == TOK_OP && tok->len >= 2 && tok->start[tok->len - 1] == '=' &&
       !tok_is (tok, TOK_OP, "==") && !tok_is (tok, TOK_OP, "!=") &&
       !tok_is (tok, TOK_OP, "<=") && !tok_is (tok, TOK_OP, ">=")))
    return syntax_error (error, tok->column, "assignment is not supported");
  if (tok->kind == TOK_OP && strchr ("|&^~@", tok->start[0]) != NULL && tok->len == 1)
    return syntax_error (error, tok->column, "operator '%c' is not supported", tok->start[0]);
  if (tok_is (tok, TOK_OP, "<<") || tok_is (tok, TOK_OP, ">>"))
    return syntax_error (error, tok->column, "operator '%.2s' is not supported", tok->start);

  if (tok->len > 20)
    shown = g_strdup_printf ("%.*s…", (int) (g_utf8_offset_to_pointer (tok->start, 20) -
                                             tok->start), tok->start);
  else
    shown = g_strndup (tok->start, tok->len);
  return syntax_error (error, tok->column, "unexpected '%s'", shown);
}

static gboolean
expect_op (Parser     *parser,
           const char *op,
           GError    **error)
{
  if (!peek_op (parser, op))
    return unexpected (parser, peek (parser), error);
  next (parser);
  return TRUE;
}

static DcNode *
node_new (Parser     *parser,
          DcNodeKind  kind,
          guint       column,
          guint       n_children,
          GError    **error,
          ...)
{
  DcNode *node = g_new0 (DcNode, 1);
  va_list args;

  node->kind = kind;
  node->column = column;
  node->n_children = n_children;
  node->height = 1;
  g_ptr_array_add (parser->expr->nodes, node);
  if (n_children > 0)
    {
      node->children = g_new0 (DcNode *, n_children);
      va_start (args, error);
      for (guint i = 0; i < n_children; i++)
        {
          node->children[i] = va_arg (args, DcNode *);
          if (node->children[i] != NULL)
            node->height = MAX (node->height, node->children[i]->height + 1);
        }
      va_end (args);
    }
  if (node->height > DC_EXPR_MAX_DEPTH)
    {
      g_set_error (error, DC_EXPR_ERROR, DC_EXPR_ERROR_LIMIT,
                   "expression nested too deeply (limit %d levels)", DC_EXPR_MAX_DEPTH);
      return NULL;
    }
  return node;
}

/* Appends @child to a node with a variable number of children. */
static gboolean
node_append (DcNode  *node,
             DcNode  *child,
             GError **error)
{
  node->children = g_renew (DcNode *, node->children, node->n_children + 1);
  node->children[node->n_children++] = child;
  node->height = MAX (node->height, child->height + 1);
  if (node->height > DC_EXPR_MAX_DEPTH)
    {
      g_set_error (error, DC_EXPR_ERROR, DC_EXPR_ERROR_LIMIT,
                   "expression nested too deeply (limit %d levels)", DC_EXPR_MAX_DEPTH);
      return FALSE;
    }
  return TRUE;
}

static DcNode *parse_expr (Parser *parser, GError **error);

static gboolean
enter (Parser  *parser,
       GError **error)
{
  /* The recursion of the parser itself (parentheses, unary chains) is bounded too. */
  if (++parser->depth > DC_EXPR_MAX_DEPTH)
    {
      g_set_error (error, DC_EXPR_ERROR, DC_EXPR_ERROR_LIMIT,
                   "expression nested too deeply (limit %d levels)", DC_EXPR_MAX_DEPTH);
      return FALSE;
    }
  return TRUE;
}

static DcNode *
leave (Parser *parser,
       DcNode *node)
{
  parser->depth--;
  return node;
}

/* '(' already consumed: arguments until ')'. */
static DcNode *
parse_call (Parser  *parser,
            DcNode  *callee,
            guint    column,
            GError **error)
{
  DcNode *call = node_new (parser, DC_NODE_CALL, column, 1, error, callee);

  if (call == NULL)
    return NULL;

  while (!peek_op (parser, ")"))
    {
      DcNode *arg;

      if (peek (parser)->kind == TOK_NAME && tok_is (&g_array_index (parser->tokens, Token,
                                                                      parser->pos + 1),
                                                     TOK_OP, "="))
        {
          syntax_error (error, peek (parser)->column, "keyword arguments are not supported");
          return NULL;
        }
      if (peek_op (parser, "*") || peek_op (parser, "**"))
        {
          syntax_error (error, peek (parser)->column, "argument unpacking is not supported");
          return NULL;
        }
      arg = parse_expr (parser, error);
      if (arg == NULL || !node_append (call, arg, error))
        return NULL;
      if (peek_keyword (parser, "for"))
        {
          unexpected (parser, peek (parser), error);
          return NULL;
        }
      if (peek_op (parser, ","))
        next (parser);
      else if (!peek_op (parser, ")"))
        {
          unexpected (parser, peek (parser), error);
          return NULL;
        }
    }
  next (parser);
  return call;
}

/* '[' already consumed: an index or a slice until ']'. */
static DcNode *
parse_subscript (Parser  *parser,
                 DcNode  *target,
                 guint    column,
                 GError **error)
{
  DcNode *lower = NULL;
  DcNode *upper = NULL;

  if (!peek_op (parser, ":"))
    {
      lower = parse_expr (parser, error);
      if (lower == NULL)
        return NULL;
    }
  if (peek_op (parser, ":"))
    {
      next (parser);
      if (!peek_op (parser, "]") && !peek_op (parser, ":"))
        {
          upper = parse_expr (parser, error);
          if (upper == NULL)
            return NULL;
        }
      if (peek_op (parser, ":"))
        {
          syntax_error (error, peek (parser)->column, "slice steps are not supported");
          return NULL;
        }
      if (!expect_op (parser, "]", error))
        return NULL;
      return node_new (parser, DC_NODE_SLICE, column, 3, error, target, lower, upper);
    }
  if (peek_op (parser, ","))
    {
      syntax_error (error, peek (parser)->column, "tuple indexes are not supported");
      return NULL;
    }
  if (!expect_op (parser, "]", error))
    return NULL;
  return node_new (parser, DC_NODE_INDEX, column, 2, error, target, lower);
}

static DcNode *
const_node (Parser  *parser,
            Token   *tok,
            GError **error)
{
  DcNode *node = node_new (parser, DC_NODE_CONST, tok->column, 0, error);

  if (node == NULL)
    return NULL;

  switch (tok->kind)
    {
    case TOK_INT:
      if (tok->big)
        {
          node->constant.kind = DC_VALUE_FLOAT;
          node->constant.f = tok->f;
        }
      else
        {
          node->constant.kind = DC_VALUE_INT;
          node->constant.i = tok->i;
        }
      break;
    case TOK_FLOAT:
      node->constant.kind = DC_VALUE_FLOAT;
      node->constant.f = tok->f;
      break;
    case TOK_STRING:
      {
        g_autoptr(GString) s = g_string_new_len (tok->str, tok->str_len);

        /* Adjacent string literals concatenate. */
        while (peek (parser)->kind == TOK_STRING)
          {
            Token *more = next (parser);

            g_string_append_len (s, more->str, more->str_len);
            if (s->len > DC_EXPR_MAX_STRING)
              {
                syntax_error (error, more->column, "string literal too long");
                return NULL;
              }
          }
        node->constant.kind = DC_VALUE_STR;
        node->constant.str.len = s->len;
        node->constant.str.s = s->str;
        g_ptr_array_add (parser->expr->strings, g_string_free (g_steal_pointer (&s), FALSE));
      }
      break;
    case TOK_END:
    case TOK_NAME:
    case TOK_OP:
    default:
      g_assert_not_reached ();
    }
  return node;
}

static DcNode *
parse_atom (Parser  *parser,
            GError **error)
{
  Token *tok = peek (parser);

  if (tok->kind == TOK_INT || tok->kind == TOK_FLOAT || tok->kind == TOK_STRING)
    {
      next (parser);
      return const_node (parser, tok, error);
    }

  if (tok->kind == TOK_NAME)
    {
      static const char * const keywords[] = {
        "and", "or", "not", "if", "else", "in", "is", "lambda", "for", "import", "from",
        "def", "class", "return", "yield", "await", "async", "while", "with", "as", "del",
        "global", "nonlocal", "pass", "raise", "try", "except", "finally", "assert",
        "break", "continue", "elif",
      };
      DcNode *node;

      for (guint i = 0; i < G_N_ELEMENTS (keywords); i++)
        if (tok_is (tok, TOK_NAME, keywords[i]))
          {
            unexpected (parser, tok, error);
            return NULL;
          }
      next (parser);
      node = node_new (parser, DC_NODE_CONST, tok->column, 0, error);
      if (node == NULL)
        return NULL;
      if (tok_is (tok, TOK_NAME, "True") || tok_is (tok, TOK_NAME, "False"))
        {
          node->constant.kind = DC_VALUE_BOOL;
          node->constant.b = tok->start[0] == 'T';
        }
      else if (tok_is (tok, TOK_NAME, "None"))
        node->constant.kind = DC_VALUE_NONE;
      else
        {
          node->kind = DC_NODE_NAME;
          node->name = g_strndup (tok->start, tok->len);
        }
      return node;
    }

  if (tok_is (tok, TOK_OP, "(") || tok_is (tok, TOK_OP, "["))
    {
      gboolean paren = tok->start[0] == '(';
      const char *close = paren ? ")" : "]";
      DcNode *list;
      DcNode *first;

      next (parser);
      if (!enter (parser, error))
        return NULL;
      if (paren && peek_op (parser, ")"))
        {
          next (parser);
          return leave (parser, node_new (parser, DC_NODE_LIST, tok->column, 0, error));
        }
      list = node_new (parser, DC_NODE_LIST, tok->column, 0, error);
      if (list == NULL)
        return NULL;
      if (!paren && peek_op (parser, "]"))
        {
          next (parser);
          return leave (parser, list);
        }
      first = parse_expr (parser, error);
      if (first == NULL)
        return NULL;
      if (peek_keyword (parser, "for"))
        {
          unexpected (parser, peek (parser), error);
          return NULL;
        }
      if (paren && peek_op (parser, ")"))
        {
          next (parser);
          return leave (parser, first);
        }
      if (!node_append (list, first, error))
        return NULL;
      while (peek_op (parser, ","))
        {
          DcNode *item;

          next (parser);
          if (peek_op (parser, close))
            break;
          item = parse_expr (parser, error);
          if (item == NULL || !node_append (list, item, error))
            return NULL;
        }
      if (!expect_op (parser, close, error))
        return NULL;
      return leave (parser, list);
    }

  unexpected (parser, tok, error);
  return NULL;
}

static DcNode *
parse_primary (Parser  *parser,
               GError **error)
{
  DcNode *node = parse_atom (parser, error);

  while (node != NULL)
    {
      Token *tok = peek (parser);

      if (tok_is (tok, TOK_OP, "("))
        {
          next (parser);
          node = parse_call (parser, node, tok->column, error);
        }
      else if (tok_is (tok, TOK_OP, "["))
        {
          next (parser);
          node = parse_subscript (parser, node, tok->column, error);
        }
      else if (tok_is (tok, TOK_OP, "."))
        {
          Token *name;
          DcNode *attr;

          next (parser);
          name = peek (parser);
          if (name->kind != TOK_NAME)
            {
              unexpected (parser, name, error);
              return NULL;
            }
          next (parser);
          attr = node_new (parser, DC_NODE_ATTR, name->column, 1, error, node);
          if (attr == NULL)
            return NULL;
          attr->name = g_strndup (name->start, name->len);
          if (dc_expr_is_pandas_only (attr->name))
            {
              g_set_error (error, DC_EXPR_ERROR, DC_EXPR_ERROR_UNSUPPORTED,
                           "%s is not supported (pandas only)", attr->name);
              return NULL;
            }
          node = attr;
        }
      else
        break;
    }
  return node;
}

static DcNode *parse_factor (Parser *parser, GError **error);

static DcNode *
parse_power (Parser  *parser,
             GError **error)
{
  DcNode *base = parse_primary (parser, error);
  Token *tok;
  DcNode *exponent;
  DcNode *node;

  if (base == NULL || !peek_op (parser, "**"))
    return base;
  tok = next (parser);
  exponent = parse_factor (parser, error);
  if (exponent == NULL)
    return NULL;
  node = node_new (parser, DC_NODE_BINARY, tok->column, 2, error, base, exponent);
  if (node != NULL)
    node->op = DC_OP_POW;
  return node;
}

static DcNode *
parse_factor (Parser  *parser,
              GError **error)
{
  Token *tok = peek (parser);
  DcNode *operand;
  DcNode *node;

  if (!tok_is (tok, TOK_OP, "-") && !tok_is (tok, TOK_OP, "+"))
    return parse_power (parser, error);

  next (parser);
  if (!enter (parser, error))
    return NULL;
  operand = parse_factor (parser, error);
  if (operand == NULL)
    return NULL;
  node = node_new (parser, DC_NODE_UNARY, tok->column, 1, error, operand);
  if (node != NULL)
    node->op = tok->start[0] == '-' ? DC_OP_NEG : DC_OP_POS;
  return leave (parser, node);
}

static DcNode *
parse_term (Parser  *parser,
            GError **error)
{
  DcNode *left = parse_factor (parser, error);

  while (left != NULL)
    {
      Token *tok = peek (parser);
      DcOp op;
      DcNode *right;

      if (tok_is (tok, TOK_OP, "*"))
        op = DC_OP_MUL;
      else if (tok_is (tok, TOK_OP, "/"))
        op = DC_OP_DIV;
      else if (tok_is (tok, TOK_OP, "//"))
        op = DC_OP_FLOORDIV;
      else if (tok_is (tok, TOK_OP, "%"))
        op = DC_OP_MOD;
      else
        break;
      next (parser);
      right = parse_factor (parser, error);
      if (right == NULL)
        return NULL;
      left = node_new (parser, DC_NODE_BINARY, tok->column, 2, error, left, right);
      if (left != NULL)
        left->op = op;
    }
  return left;
}

static DcNode *
parse_arith (Parser  *parser,
             GError **error)
{
  DcNode *left = parse_term (parser, error);

  while (left != NULL)
    {
      Token *tok = peek (parser);
      DcNode *right;

      if (!tok_is (tok, TOK_OP, "+") && !tok_is (tok, TOK_OP, "-"))
        break;
      next (parser);
      right = parse_term (parser, error);
      if (right == NULL)
        return NULL;
      left = node_new (parser, DC_NODE_BINARY, tok->column, 2, error, left, right);
      if (left != NULL)
        left->op = tok->start[0] == '+' ? DC_OP_ADD : DC_OP_SUB;
    }
  return left;
}

static gboolean
peek_compare (Parser *parser,
              DcOp   *op)
{
  Token *tok = peek (parser);
  static const struct { const char *text; DcOp op; } ops[] = {
    { "<", DC_OP_LT }, { "<=", DC_OP_LE }, { ">", DC_OP_GT }, { ">=", DC_OP_GE },
    { "==", DC_OP_EQ }, { "!=", DC_OP_NE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    if (tok_is (tok, TOK_OP, ops[i].text))
      {
        *op = ops[i].op;
        next (parser);
        return TRUE;
      }
  if (tok_is (tok, TOK_NAME, "in"))
    {
      *op = DC_OP_IN;
      next (parser);
      return TRUE;
    }
  if (tok_is (tok, TOK_NAME, "not") &&
      tok_is (&g_array_index (parser->tokens, Token, parser->pos + 1), TOK_NAME, "in"))
    {
      *op = DC_OP_NOT_IN;
      next (parser);
      next (parser);
      return TRUE;
    }
  if (tok_is (tok, TOK_NAME, "is"))
    {
      next (parser);
      *op = DC_OP_IS;
      if (peek_keyword (parser, "not"))
        {
          next (parser);
          *op = DC_OP_IS_NOT;
        }
      return TRUE;
    }
  return FALSE;
}

static DcNode *
parse_comparison (Parser  *parser,
                  GError **error)
{
  DcNode *first = parse_arith (parser, error);
  DcNode *node = NULL;
  guint column;
  DcOp op;

  if (first == NULL)
    return NULL;

  column = peek (parser)->column;
  while (peek_compare (parser, &op))
    {
      DcNode *right;

      if (node == NULL)
        {
          node = node_new (parser, DC_NODE_COMPARE, column, 1, error, first);
          if (node == NULL)
            return NULL;
        }
      right = parse_arith (parser, error);
      if (right == NULL || !node_append (node, right, error))
        return NULL;
      node->ops = g_renew (DcOp, node->ops, node->n_children - 1);
      node->ops[node->n_children - 2] = op;
    }
  return node != NULL ? node : first;
}

static DcNode *
parse_not (Parser  *parser,
           GError **error)
{
  Token *tok = peek (parser);
  DcNode *operand;

  if (!tok_is (tok, TOK_NAME, "not"))
    return parse_comparison (parser, error);
  next (parser);
  if (!enter (parser, error))
    return NULL;
  operand = parse_not (parser, error);
  if (operand == NULL)
    return NULL;
  return leave (parser, node_new (parser, DC_NODE_NOT, tok->column, 1, error, operand));
}

static DcNode *
parse_bool_op (Parser     *parser,
               const char *keyword,
               GError    **error)
{
  gboolean is_or = keyword[0] == 'o';
  DcNode *first = is_or ? parse_bool_op (parser, "and", error) : parse_not (parser, error);
  DcNode *node = NULL;

  if (first == NULL)
    return NULL;
  while (peek_keyword (parser, keyword))
    {
      Token *tok = next (parser);
      DcNode *right = is_or ? parse_bool_op (parser, "and", error) : parse_not (parser, error);

      if (right == NULL)
        return NULL;
      if (node == NULL)
        {
          node = node_new (parser, is_or ? DC_NODE_OR : DC_NODE_AND, tok->column, 1, error,
                           first);
          if (node == NULL)
            return NULL;
        }
      if (!node_append (node, right, error))
        return NULL;
    }
  return node != NULL ? node : first;
}

static DcNode *
parse_expr (Parser  *parser,
            GError **error)
{
  DcNode *body;
  DcNode *cond;
  DcNode *orelse;
  Token *tok;

  if (!enter (parser, error))
    return NULL;
  if (peek_keyword (parser, "lambda"))
    {
      unexpected (parser, peek (parser), error);
      return NULL;
    }
  body = parse_bool_op (parser, "or", error);
  if (body == NULL || !peek_keyword (parser, "if"))
    return leave (parser, body);
  tok = next (parser);
  cond = parse_bool_op (parser, "or", error);
  if (cond == NULL)
    return NULL;
  if (!peek_keyword (parser, "else"))
    {
      unexpected (parser, peek (parser), error);
      return NULL;
    }
  next (parser);
  orelse = parse_expr (parser, error);
  if (orelse == NULL)
    return NULL;
  return leave (parser, node_new (parser, DC_NODE_IF, tok->column, 3, error, body, cond,
                                  orelse));
}

static void
node_free (gpointer data)
{
  DcNode *node = data;

  g_free (node->children);
  g_free (node->ops);
  g_free (node->name);
  g_free (node);
}

static void
collect_names (DcExpr *self,
               DcNode *node)
{
  if (node == NULL)
    return;
  if (node->kind == DC_NODE_NAME)
    {
      gboolean seen = FALSE;

      for (guint i = 0; i < self->names_ordered->len && !seen; i++)
        seen = strcmp (g_ptr_array_index (self->names_ordered, i), node->name) == 0;
      if (!seen)
        g_ptr_array_add (self->names_ordered, node->name);
    }
  for (guint i = 0; i < node->n_children; i++)
    collect_names (self, node->children[i]);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

DcExpr *
dc_expr_parse (const char  *text,
               GError     **error)
{
  g_autoptr(DcExpr) self = NULL;
  g_autoptr(GArray) tokens = NULL;
  Parser parser = { 0 };
  const char *bad = NULL;
  DcNode *root;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (strlen (text) > DC_EXPR_MAX_TEXT)
    {
      g_set_error (error, DC_EXPR_ERROR, DC_EXPR_ERROR_LIMIT,
                   "expression too long (limit %d bytes)", DC_EXPR_MAX_TEXT);
      return NULL;
    }
  if (!g_utf8_validate (text, -1, &bad))
    {
      syntax_error (error, (guint) g_utf8_strlen (text, bad - text) + 1, "invalid UTF-8");
      return NULL;
    }

  tokens = tokenize (text, error);
  if (tokens == NULL)
    return NULL;

  self = g_new0 (DcExpr, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->text = g_strdup (text);
  self->nodes = g_ptr_array_new_with_free_func (node_free);
  self->strings = g_ptr_array_new_with_free_func (g_free);
  self->names_ordered = g_ptr_array_new ();

  parser.text = text;
  parser.tokens = tokens;
  parser.expr = self;

  root = parse_expr (&parser, error);
  if (root == NULL)
    return NULL;
  if (peek (&parser)->kind != TOK_END)
    {
      unexpected (&parser, peek (&parser), error);
      return NULL;
    }
  self->root = root;

  collect_names (self, root);
  self->names_sorted = g_new0 (char *, self->names_ordered->len + 1);
  for (guint i = 0; i < self->names_ordered->len; i++)
    self->names_sorted[i] = g_ptr_array_index (self->names_ordered, i);
  qsort (self->names_sorted, self->names_ordered->len, sizeof (char *), compare_strings);

  return g_steal_pointer (&self);
}

DcExpr *
dc_expr_ref (DcExpr *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
dc_expr_unref (DcExpr *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_free (self->names_sorted);
  g_ptr_array_unref (self->names_ordered);
  g_ptr_array_unref (self->nodes);
  g_ptr_array_unref (self->strings);
  g_free (self->text);
  g_free (self);
}

const char *
dc_expr_get_text (DcExpr *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->text;
}

const char * const *
dc_expr_get_names (DcExpr *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return (const char * const *) self->names_sorted;
}

gboolean
dc_expr_uses_name (DcExpr     *self,
                   const char *name)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  for (guint i = 0; i < self->names_ordered->len; i++)
    if (strcmp (g_ptr_array_index (self->names_ordered, i), name) == 0)
      return TRUE;
  return FALSE;
}

gint64
dc_expr_get_window (DcExpr     *self,
                    const char *name)
{
  gint64 longest = 0;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (name != NULL, 0);

  /* CALL(ATTR(NAME name, "window"), CONST n) */
  for (guint i = 0; i < self->nodes->len; i++)
    {
      DcNode *node = g_ptr_array_index (self->nodes, i);
      DcNode *attr;
      DcNode *arg;
      double seconds;

      if (node->kind != DC_NODE_CALL || node->n_children != 2)
        continue;
      attr = node->children[0];
      arg = node->children[1];
      if (attr->kind != DC_NODE_ATTR || strcmp (attr->name, "window") != 0 ||
          attr->children[0]->kind != DC_NODE_NAME ||
          strcmp (attr->children[0]->name, name) != 0 || arg->kind != DC_NODE_CONST)
        continue;
      if (arg->constant.kind == DC_VALUE_INT)
        seconds = (double) arg->constant.i;
      else if (arg->constant.kind == DC_VALUE_FLOAT)
        seconds = arg->constant.f;
      else
        continue;
      if (seconds > 0 && seconds < 1e10)
        longest = MAX (longest, (gint64) (seconds * G_USEC_PER_SEC));
    }
  return longest;
}

gboolean
dc_expr_check_names (DcExpr              *self,
                     const char * const  *series,
                     const char * const  *others,
                     GError             **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  for (guint i = 0; i < self->names_ordered->len; i++)
    {
      const char *name = g_ptr_array_index (self->names_ordered, i);

      if (dc_expr_is_builtin_name (name) ||
          (series != NULL && g_strv_contains (series, name)) ||
          (others != NULL && g_strv_contains (others, name)))
        continue;
      g_set_error (error, DC_EXPR_ERROR, DC_EXPR_ERROR_NAME, "name %s is not defined", name);
      return FALSE;
    }

  /* Methods applied directly to a series name must exist. */
  for (guint i = 0; series != NULL && i < self->nodes->len; i++)
    {
      DcNode *node = g_ptr_array_index (self->nodes, i);
      DcMethod method;

      if (node->kind == DC_NODE_ATTR && node->children[0]->kind == DC_NODE_NAME &&
          g_strv_contains (series, node->children[0]->name) &&
          !dc_method_lookup (node->name, &method))
        {
          g_set_error (error, DC_EXPR_ERROR, DC_EXPR_ERROR_NAME,
                       "series %s has no method %s (use max, min, sum, mean, count, last "
                       "or window)", node->children[0]->name, node->name);
          return FALSE;
        }
    }
  return TRUE;
}
