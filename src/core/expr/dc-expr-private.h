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

const char *dc_builtin_name   (DcBuiltin    builtin);
gboolean    dc_builtin_lookup (const char  *name,
                               DcBuiltin   *builtin);
gboolean    dc_method_lookup  (const char  *name,
                               DcMethod    *method);
gboolean    dc_expr_is_pandas_only (const char *name);
void        dc_float_repr     (GString     *out,
                               double       value);

G_END_DECLS
