/* dc-expr-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-expr.h"

G_BEGIN_DECLS

typedef enum
{
  DC_VALUE_NONE,
  DC_VALUE_BOOL,
  DC_VALUE_INT,
  DC_VALUE_FLOAT,
  DC_VALUE_STR,
  DC_VALUE_LIST,
  DC_VALUE_SERIES,
  DC_VALUE_OBJECT,
  DC_VALUE_BUILTIN,
  DC_VALUE_METHOD,
} DcValueKind;

typedef enum
{
  DC_BUILTIN_MAX,
  DC_BUILTIN_MIN,
  DC_BUILTIN_ABS,
  DC_BUILTIN_ROUND,
  DC_BUILTIN_SUM,
  DC_BUILTIN_LEN,
  DC_BUILTIN_INT,
  DC_BUILTIN_FLOAT,
  DC_BUILTIN_STR,
  DC_BUILTIN_BOOL,
  DC_N_BUILTINS
} DcBuiltin;

typedef enum
{
  DC_METHOD_MAX,
  DC_METHOD_MIN,
  DC_METHOD_SUM,
  DC_METHOD_MEAN,
  DC_METHOD_COUNT,
  DC_METHOD_LAST,
  DC_METHOD_WINDOW,
  DC_N_METHODS
} DcMethod;

/* A view on a borrowed series: samples [start, start + n) of the bound arrays. */
typedef struct
{
  const char   *name;
  const gint64 *times;
  const double *values;
  guint         n;
} DcSeriesView;

typedef struct _DcValue DcValue;

struct _DcValue
{
  DcValueKind kind;
  union
  {
    gboolean b;
    gint64   i;
    double   f;
    struct
    {
      const char *s; /* NUL-terminated, owned by the expression or the evaluation */
      gsize       len;
    } str;
    struct
    {
      DcValue *items;
      guint    n;
    } list;
    DcSeriesView series;
    struct
    {
      JsonObject *object;
      const char *name;
    } obj;
    DcBuiltin builtin;
    struct
    {
      DcMethod     method;
      DcSeriesView series;
    } method;
  };
};

typedef enum
{
  DC_NODE_CONST,
  DC_NODE_NAME,
  DC_NODE_ATTR,
  DC_NODE_CALL,
  DC_NODE_INDEX,
  DC_NODE_SLICE,
  DC_NODE_UNARY,
  DC_NODE_BINARY,
  DC_NODE_COMPARE,
  DC_NODE_AND,
  DC_NODE_OR,
  DC_NODE_NOT,
  DC_NODE_IF,
  DC_NODE_LIST,
} DcNodeKind;

typedef enum
{
  DC_OP_ADD,
  DC_OP_SUB,
  DC_OP_MUL,
  DC_OP_DIV,
  DC_OP_FLOORDIV,
  DC_OP_MOD,
  DC_OP_POW,
  DC_OP_NEG,
  DC_OP_POS,
  DC_OP_LT,
  DC_OP_LE,
  DC_OP_GT,
  DC_OP_GE,
  DC_OP_EQ,
  DC_OP_NE,
  DC_OP_IN,
  DC_OP_NOT_IN,
  DC_OP_IS,
  DC_OP_IS_NOT,
} DcOp;

typedef struct _DcNode DcNode;

/* Syntax tree. CONST: constant. NAME/ATTR: name (ATTR: children[0].name). CALL:
 * children[0](children[1..]). INDEX: children[0][children[1]]. SLICE: children[0][children[1]:
 * children[2]] (NULL for an omitted bound). UNARY/BINARY: op. COMPARE: children[0] ops[0]
 * children[1] ops[1] …. AND/OR/LIST: children. NOT: children[0]. IF: children[0] if
 * children[1] else children[2]. */
struct _DcNode
{
  DcNodeKind  kind;
  DcOp        op;
  guint       column;
  guint       height;
  guint       n_children;
  DcNode    **children;
  DcOp       *ops;
  char       *name;
  DcValue     constant;
};

struct _DcExpr
{
  gatomicrefcount  ref_count;
  char            *text;
  DcNode          *root;
  GPtrArray       *nodes;         /* every node, for freeing */
  GPtrArray       *strings;       /* constant strings */
  GPtrArray       *names_ordered; /* free names, first use first (borrowed from nodes) */
  char           **names_sorted;
};

/* The parts of the language, lowest first (each uses only the ones above it):
 *
 *   dc-expr-value.c     values, the error domain, the names of builtins and methods, the
 *                       helpers of one evaluation (arena, steps), truth and repr
 *   dc-expr-lexer.c     text → tokens
 *   dc-expr-parser.c    tokens → syntax tree (DcNode, owned by the DcExpr)
 *   dc-expr.c           the public DcExpr: parse, names, checks
 *   dc-expr-ops.c       operators: arithmetic, comparisons, subscripts, attributes
 *   dc-expr-builtins.c  builtin functions and series methods
 *   dc-expr-eval.c      scopes and the tree walk (the public evaluation API) */

/* Values (dc-expr-value.c) */

const char *dc_builtin_name   (DcBuiltin    builtin);
gboolean    dc_builtin_lookup (const char  *name,
                               DcBuiltin   *builtin);
gboolean    dc_method_lookup  (const char  *name,
                               DcMethod    *method);
gboolean    dc_expr_is_pandas_only (const char *name);
void        dc_float_repr     (GString     *out,
                               double       value);

/* Tokens (dc-expr-lexer.c) */

typedef enum
{
  DC_TOKEN_END,
  DC_TOKEN_INT,
  DC_TOKEN_FLOAT,
  DC_TOKEN_STRING,
  DC_TOKEN_NAME,
  DC_TOKEN_OP,
} DcTokenKind;

typedef struct
{
  DcTokenKind  kind;
  guint        column;
  const char  *start;   /* in the text */
  gsize        len;
  gint64       i;       /* DC_TOKEN_INT */
  double       f;       /* DC_TOKEN_FLOAT, or a DC_TOKEN_INT too large for 64 bits */
  gboolean     big;     /* DC_TOKEN_INT that became a float */
  char        *str;     /* DC_TOKEN_STRING: decoded, owned by the parser until moved */
  gsize        str_len;
} DcToken;

/* Sets DC_EXPR_ERROR_SYNTAX "syntax error at column @column: …" and returns FALSE. */
gboolean    dc_expr_syntax_error (GError     **error,
                                  guint        column,
                                  const char  *format,
                                  ...) G_GNUC_PRINTF (3, 4);
/* The tokens of @text (valid UTF-8) as a GArray of DcToken ending with DC_TOKEN_END, or NULL
 * with a syntax error. */
GArray     *dc_expr_tokenize     (const char  *text,
                                  GError     **error);

/* Syntax tree (dc-expr-parser.c) */

/* Parses all of @tokens (of @expr's text) into nodes owned by @expr; returns the root. */
DcNode     *dc_expr_parse_tokens (DcExpr      *expr,
                                  GArray      *tokens,
                                  GError     **error);

/* Evaluation */

struct _DcExprScope
{
  GHashTable *bindings;   /* name → Binding (dc-expr-eval.c) */
  guint       max_steps;
  guint       max_series;
  gint64      now;
  gboolean    has_now;
};

/* One evaluation: its scope, the steps taken and the arena of its allocations. */
typedef struct
{
  DcExprScope *scope;
  guint        steps;
  GPtrArray   *arena;
} DcExprEval;

/* dc-expr-value.c */
gpointer    dc_expr_arena_alloc  (DcExprEval    *ev,
                                  gsize          size);
/* Sets @code with the message and returns FALSE. */
gboolean    dc_expr_fail         (GError       **error,
                                  DcExprError    code,
                                  const char    *format,
                                  ...) G_GNUC_PRINTF (3, 4);
/* Counts @n steps; fails past the scope's limit. */
gboolean    dc_expr_step         (DcExprEval    *ev,
                                  guint          n,
                                  GError       **error);
const char *dc_value_type_name   (const DcValue *v);
/* A string value of @s, which moves to the evaluation's arena (or is freed on error). */
gboolean    dc_value_take_string (DcExprEval    *ev,
                                  GString       *s,
                                  DcValue       *out,
                                  GError       **error);
/* A series used as a number becomes its newest value. */
gboolean    dc_value_scalar      (DcValue       *v,
                                  GError       **error);
/* repr() of @v, stopping once @out holds more than @max_len bytes (FALSE then). */
gboolean    dc_value_repr        (GString       *out,
                                  const DcValue *v,
                                  gsize          max_len);
/* repr() as a string value: at most DC_EXPR_MAX_STRING bytes, a step per 64 bytes. */
gboolean    dc_value_repr_limited (DcExprEval    *ev,
                                   const DcValue *v,
                                   GString      **out,
                                   GError       **error);
char       *dc_value_short_repr  (const DcValue *v);
gboolean    dc_value_truth       (const DcValue *v,
                                  gboolean      *result,
                                  GError       **error);
const char *dc_op_text           (DcOp           op);

static inline DcValue
dc_value_from_int (gint64 i)
{
  DcValue v = { .kind = DC_VALUE_INT };

  v.i = i;
  return v;
}

static inline DcValue
dc_value_from_float (double f)
{
  DcValue v = { .kind = DC_VALUE_FLOAT };

  v.f = f;
  return v;
}

static inline DcValue
dc_value_from_bool (gboolean b)
{
  DcValue v = { .kind = DC_VALUE_BOOL };

  v.b = !!b;
  return v;
}

static inline gboolean
dc_value_is_intlike (const DcValue *v)
{
  return v->kind == DC_VALUE_INT || v->kind == DC_VALUE_BOOL;
}

static inline gboolean
dc_value_is_number (const DcValue *v)
{
  return dc_value_is_intlike (v) || v->kind == DC_VALUE_FLOAT;
}

static inline gint64
dc_value_get_int (const DcValue *v)
{
  return v->kind == DC_VALUE_BOOL ? (gint64) v->b : v->i;
}

static inline double
dc_value_get_float (const DcValue *v)
{
  switch (v->kind)
    {
    case DC_VALUE_BOOL: return v->b ? 1.0 : 0.0;
    case DC_VALUE_INT: return (double) v->i;
    case DC_VALUE_FLOAT: return v->f;
    default: g_assert_not_reached ();
    }
}

/* dc-expr-ops.c */
gboolean    dc_expr_float_arith  (DcOp            op,
                                  double          a,
                                  double          b,
                                  DcValue        *out,
                                  GError        **error);
/* Integers are 64-bit; a result beyond that is computed in floating point instead. */
gboolean    dc_expr_int_arith    (DcOp            op,
                                  gint64          a,
                                  gint64          b,
                                  DcValue        *out,
                                  GError        **error);
gboolean    dc_expr_binary       (DcExprEval     *ev,
                                  DcOp            op,
                                  DcValue         a,
                                  DcValue         b,
                                  DcValue        *out,
                                  GError        **error);
/* Orders two values for <, <=, >, >=, max() and min(). */
gboolean    dc_expr_values_order (DcOp            op,
                                  const DcValue  *a,
                                  const DcValue  *b,
                                  int            *cmp,
                                  gboolean       *unordered,
                                  GError        **error);
gboolean    dc_expr_compare      (DcExprEval     *ev,
                                  DcOp            op,
                                  DcValue         a,
                                  DcValue         b,
                                  gboolean       *result,
                                  GError        **error);
/* Items of an iterable as a temporary array of values (series values become floats). */
gboolean    dc_expr_iterate      (DcExprEval     *ev,
                                  const char     *func,
                                  const DcValue  *v,
                                  const DcValue **items,
                                  guint          *n,
                                  GError        **error);
gboolean    dc_expr_subscript    (DcExprEval     *ev,
                                  const DcValue  *target,
                                  DcValue         index,
                                  DcValue        *out,
                                  GError        **error);
gboolean    dc_expr_slice        (DcExprEval     *ev,
                                  const DcValue  *target,
                                  DcValue        *lower,
                                  DcValue        *upper,
                                  DcValue        *out,
                                  GError        **error);
gboolean    dc_expr_attribute    (DcExprEval     *ev,
                                  const DcValue  *target,
                                  const char     *name,
                                  DcValue        *out,
                                  GError        **error);

/* dc-expr-builtins.c */
gboolean    dc_expr_call_builtin (DcExprEval     *ev,
                                  DcBuiltin       builtin,
                                  DcValue        *args,
                                  guint           n_args,
                                  DcValue        *out,
                                  GError        **error);
gboolean    dc_expr_call_method  (DcExprEval     *ev,
                                  DcMethod        method,
                                  DcSeriesView   *series,
                                  DcValue        *args,
                                  guint           n_args,
                                  DcValue        *out,
                                  GError        **error);

G_END_DECLS
