/* dc-expr-parser.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-expr"

#include "config.h"

#include <string.h>

#include "dc-expr-private.h"

/* The recursive-descent parser for the Python expression subset. The grammar
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

typedef struct
{
  const char *text;
  GArray     *tokens;
  guint       pos;
  DcExpr     *expr;
  guint       depth;
} Parser;

static DcToken *
peek (Parser *parser)
{
  return &g_array_index (parser->tokens, DcToken, parser->pos);
}

static DcToken *
next (Parser *parser)
{
  DcToken *tok = peek (parser);

  if (tok->kind != DC_TOKEN_END)
    parser->pos++;
  return tok;
}

static gboolean
tok_is (DcToken    *tok,
        DcTokenKind kind,
        const char *text)
{
  return tok->kind == kind && strlen (text) == tok->len && strncmp (tok->start, text,
                                                                    tok->len) == 0;
}

static gboolean
peek_op (Parser     *parser,
         const char *op)
{
  return tok_is (peek (parser), DC_TOKEN_OP, op);
}

static gboolean
peek_keyword (Parser     *parser,
              const char *kw)
{
  return tok_is (peek (parser), DC_TOKEN_NAME, kw);
}

static gboolean
unexpected (Parser  *parser,
            DcToken *tok,
            GError **error)
{
  g_autofree char *shown = NULL;

  if (tok->kind == DC_TOKEN_END)
    {
      if (tok == &g_array_index (parser->tokens, DcToken, 0))
        return dc_expr_syntax_error (error, tok->column, "empty expression");
      return dc_expr_syntax_error (error, tok->column, "unexpected end of expression");
    }
  if (tok_is (tok, DC_TOKEN_NAME, "lambda"))
    return dc_expr_syntax_error (error, tok->column, "lambda is not supported");
  if (tok_is (tok, DC_TOKEN_NAME, "for"))
    return dc_expr_syntax_error (error, tok->column, "comprehensions are not supported");
  if (tok_is (tok, DC_TOKEN_OP, "{"))
    return dc_expr_syntax_error (error, tok->column, "dict and set displays are not supported");
  if (tok_is (tok, DC_TOKEN_OP, "=") || tok_is (tok, DC_TOKEN_OP, ":=") ||
      (tok->kind == DC_TOKEN_OP && tok->len >= 2 && tok->start[tok->len - 1] == '=' &&
       !tok_is (tok, DC_TOKEN_OP, "==") && !tok_is (tok, DC_TOKEN_OP, "!=") &&
       !tok_is (tok, DC_TOKEN_OP, "<=") && !tok_is (tok, DC_TOKEN_OP, ">=")))
    return dc_expr_syntax_error (error, tok->column, "assignment is not supported");
  if (tok->kind == DC_TOKEN_OP && strchr ("|&^~@", tok->start[0]) != NULL && tok->len == 1)
    return dc_expr_syntax_error (error, tok->column, "operator '%c' is not supported",
                                 tok->start[0]);
  if (tok_is (tok, DC_TOKEN_OP, "<<") || tok_is (tok, DC_TOKEN_OP, ">>"))
    return dc_expr_syntax_error (error, tok->column, "operator '%.2s' is not supported",
                                 tok->start);

  if (tok->len > 20)
    shown = g_strdup_printf ("%.*s…", (int) (g_utf8_offset_to_pointer (tok->start, 20) -
                                             tok->start), tok->start);
  else
    shown = g_strndup (tok->start, tok->len);
  return dc_expr_syntax_error (error, tok->column, "unexpected '%s'", shown);
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

      if (peek (parser)->kind == DC_TOKEN_NAME && tok_is (&g_array_index (parser->tokens, DcToken,
                                                                      parser->pos + 1),
                                                          DC_TOKEN_OP, "="))
        {
          dc_expr_syntax_error (error, peek (parser)->column,
                                "keyword arguments are not supported");
          return NULL;
        }
      if (peek_op (parser, "*") || peek_op (parser, "**"))
        {
          dc_expr_syntax_error (error, peek (parser)->column,
                                "argument unpacking is not supported");
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
          dc_expr_syntax_error (error, peek (parser)->column, "slice steps are not supported");
          return NULL;
        }
      if (!expect_op (parser, "]", error))
        return NULL;
      return node_new (parser, DC_NODE_SLICE, column, 3, error, target, lower, upper);
    }
  if (peek_op (parser, ","))
    {
      dc_expr_syntax_error (error, peek (parser)->column, "tuple indexes are not supported");
      return NULL;
    }
  if (!expect_op (parser, "]", error))
    return NULL;
  return node_new (parser, DC_NODE_INDEX, column, 2, error, target, lower);
}

static DcNode *
const_node (Parser  *parser,
            DcToken *tok,
            GError **error)
{
  DcNode *node = node_new (parser, DC_NODE_CONST, tok->column, 0, error);

  if (node == NULL)
    return NULL;

  switch (tok->kind)
    {
    case DC_TOKEN_INT:
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
    case DC_TOKEN_FLOAT:
      node->constant.kind = DC_VALUE_FLOAT;
      node->constant.f = tok->f;
      break;
    case DC_TOKEN_STRING:
      {
        g_autoptr(GString) s = g_string_new_len (tok->str, tok->str_len);

        /* Adjacent string literals concatenate. */
        while (peek (parser)->kind == DC_TOKEN_STRING)
          {
            DcToken *more = next (parser);

            g_string_append_len (s, more->str, more->str_len);
            if (s->len > DC_EXPR_MAX_STRING)
              {
                dc_expr_syntax_error (error, more->column, "string literal too long");
                return NULL;
              }
          }
        node->constant.kind = DC_VALUE_STR;
        node->constant.str.len = s->len;
        node->constant.str.s = s->str;
        g_ptr_array_add (parser->expr->strings, g_string_free (g_steal_pointer (&s), FALSE));
      }
      break;
    case DC_TOKEN_END:
    case DC_TOKEN_NAME:
    case DC_TOKEN_OP:
    default:
      g_assert_not_reached ();
    }
  return node;
}

static DcNode *
parse_atom (Parser  *parser,
            GError **error)
{
  DcToken *tok = peek (parser);

  if (tok->kind == DC_TOKEN_INT || tok->kind == DC_TOKEN_FLOAT || tok->kind == DC_TOKEN_STRING)
    {
      next (parser);
      return const_node (parser, tok, error);
    }

  if (tok->kind == DC_TOKEN_NAME)
    {
      static const char * const keywords[] = {
        "and", "or", "not", "if", "else", "in", "is", "lambda", "for", "import", "from",
        "def", "class", "return", "yield", "await", "async", "while", "with", "as", "del",
        "global", "nonlocal", "pass", "raise", "try", "except", "finally", "assert",
        "break", "continue", "elif",
      };
      DcNode *node;

      for (guint i = 0; i < G_N_ELEMENTS (keywords); i++)
        if (tok_is (tok, DC_TOKEN_NAME, keywords[i]))
          {
            unexpected (parser, tok, error);
            return NULL;
          }
      next (parser);
      node = node_new (parser, DC_NODE_CONST, tok->column, 0, error);
      if (node == NULL)
        return NULL;
      if (tok_is (tok, DC_TOKEN_NAME, "True") || tok_is (tok, DC_TOKEN_NAME, "False"))
        {
          node->constant.kind = DC_VALUE_BOOL;
          node->constant.b = tok->start[0] == 'T';
        }
      else if (tok_is (tok, DC_TOKEN_NAME, "None"))
        node->constant.kind = DC_VALUE_NONE;
      else
        {
          node->kind = DC_NODE_NAME;
          node->name = g_strndup (tok->start, tok->len);
        }
      return node;
    }

  if (tok_is (tok, DC_TOKEN_OP, "(") || tok_is (tok, DC_TOKEN_OP, "["))
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
      DcToken *tok = peek (parser);

      if (tok_is (tok, DC_TOKEN_OP, "("))
        {
          next (parser);
          node = parse_call (parser, node, tok->column, error);
        }
      else if (tok_is (tok, DC_TOKEN_OP, "["))
        {
          next (parser);
          node = parse_subscript (parser, node, tok->column, error);
        }
      else if (tok_is (tok, DC_TOKEN_OP, "."))
        {
          DcToken *name;
          DcNode *attr;

          next (parser);
          name = peek (parser);
          if (name->kind != DC_TOKEN_NAME)
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
  DcToken *tok;
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
  DcToken *tok = peek (parser);
  DcNode *operand;
  DcNode *node;

  if (!tok_is (tok, DC_TOKEN_OP, "-") && !tok_is (tok, DC_TOKEN_OP, "+"))
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
      DcToken *tok = peek (parser);
      DcOp op;
      DcNode *right;

      if (tok_is (tok, DC_TOKEN_OP, "*"))
        op = DC_OP_MUL;
      else if (tok_is (tok, DC_TOKEN_OP, "/"))
        op = DC_OP_DIV;
      else if (tok_is (tok, DC_TOKEN_OP, "//"))
        op = DC_OP_FLOORDIV;
      else if (tok_is (tok, DC_TOKEN_OP, "%"))
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
      DcToken *tok = peek (parser);
      DcNode *right;

      if (!tok_is (tok, DC_TOKEN_OP, "+") && !tok_is (tok, DC_TOKEN_OP, "-"))
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
  DcToken *tok = peek (parser);
  static const struct { const char *text; DcOp op; } ops[] = {
    { "<", DC_OP_LT }, { "<=", DC_OP_LE }, { ">", DC_OP_GT }, { ">=", DC_OP_GE },
    { "==", DC_OP_EQ }, { "!=", DC_OP_NE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    if (tok_is (tok, DC_TOKEN_OP, ops[i].text))
      {
        *op = ops[i].op;
        next (parser);
        return TRUE;
      }
  if (tok_is (tok, DC_TOKEN_NAME, "in"))
    {
      *op = DC_OP_IN;
      next (parser);
      return TRUE;
    }
  if (tok_is (tok, DC_TOKEN_NAME, "not") &&
      tok_is (&g_array_index (parser->tokens, DcToken, parser->pos + 1), DC_TOKEN_NAME, "in"))
    {
      *op = DC_OP_NOT_IN;
      next (parser);
      next (parser);
      return TRUE;
    }
  if (tok_is (tok, DC_TOKEN_NAME, "is"))
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
  DcToken *tok = peek (parser);
  DcNode *operand;

  if (!tok_is (tok, DC_TOKEN_NAME, "not"))
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
      DcToken *tok = next (parser);
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
  DcToken *tok;

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

DcNode *
dc_expr_parse_tokens (DcExpr      *expr,
                      GArray      *tokens,
                      GError     **error)
{
  Parser parser = { 0 };
  DcNode *root;

  parser.text = expr->text;
  parser.tokens = tokens;
  parser.expr = expr;

  root = parse_expr (&parser, error);
  if (root == NULL)
    return NULL;
  if (peek (&parser)->kind != DC_TOKEN_END)
    {
      unexpected (&parser, peek (&parser), error);
      return NULL;
    }
  return root;
}
