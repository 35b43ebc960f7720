/* dc-expr.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The expression language of formulas and do_verify checks: a subset of Python expressions
 * with Python semantics (docs/model.md, docs/plugins.md). Our own parser and
 * evaluator; an expression reaches nothing but the names its scope binds.
 *
 * Errors are values: parsing and evaluation report DC_EXPR_ERROR with one-line messages that
 * formula_check returns as they are, e.g. "syntax error at column 7: unexpected '*'",
 * "name p2 is not defined", "division by zero". */
#define DC_EXPR_ERROR (dc_expr_error_quark ())

typedef enum
{
  DC_EXPR_ERROR_SYNTAX,
  DC_EXPR_ERROR_NAME,
  DC_EXPR_ERROR_TYPE,
  DC_EXPR_ERROR_VALUE,
  DC_EXPR_ERROR_ZERO_DIVISION,
  DC_EXPR_ERROR_INDEX,
  DC_EXPR_ERROR_OVERFLOW,
  DC_EXPR_ERROR_LIMIT,
  DC_EXPR_ERROR_UNSUPPORTED,
} DcExprError;

/* Parse-time limits. */
#define DC_EXPR_MAX_TEXT   65536 /* bytes of expression text */
#define DC_EXPR_MAX_DEPTH  200   /* nesting of the syntax tree */
/* Default evaluation limits (dc_expr_scope_set_limits() changes them per scope). */
#define DC_EXPR_DEFAULT_MAX_STEPS  1000000 /* nodes visited + series elements touched */
#define DC_EXPR_DEFAULT_MAX_SERIES 100000  /* samples in one series */
#define DC_EXPR_MAX_STRING         65536   /* bytes in one string value */

typedef struct _DcExpr      DcExpr;
typedef struct _DcExprScope DcExprScope;

GQuark       dc_expr_error_quark (void);

/* Parses @text. The result is immutable and may be shared between threads. */
DcExpr      *dc_expr_parse       (const char  *text,
                                  GError     **error);
DcExpr      *dc_expr_ref         (DcExpr      *self);
void         dc_expr_unref       (DcExpr      *self);
const char  *dc_expr_get_text    (DcExpr      *self);
/* The free names the expression reads (p1, value, param, max, …), sorted, without
 * duplicates. NULL-terminated, owned by @self. */
const char * const *dc_expr_get_names (DcExpr *self);
/* TRUE if @name is read anywhere in the expression. */
gboolean     dc_expr_uses_name   (DcExpr      *self,
                                  const char  *name);
/* The longest `pN.window(seconds)` with a literal argument applied to @name, in µs, or 0. */
gint64       dc_expr_get_window  (DcExpr      *self,
                                  const char  *name);

/* A scope binds names for one or many evaluations. Series are borrowed: the arrays must
 * stay valid and unchanged while an evaluation runs. Builtin functions (max, min, abs,
 * round, sum, len, int, float, str, bool) and True/False/None are always bound. */
DcExprScope *dc_expr_scope_new         (void);
void         dc_expr_scope_free        (DcExprScope  *self);
void         dc_expr_scope_set_limits  (DcExprScope  *self,
                                        guint         max_steps,
                                        guint         max_series);
/* The time that `window(seconds)` counts back from (µs since the epoch, UTC). Without
 * one, the newest sample of the series is the reference. */
void         dc_expr_scope_set_now     (DcExprScope  *self,
                                        gint64        now_us);
void         dc_expr_scope_set_number  (DcExprScope  *self,
                                        const char   *name,
                                        double        value);
void         dc_expr_scope_set_string  (DcExprScope  *self,
                                        const char   *name,
                                        const char   *value);
/* A series of @n samples, oldest first (@times ascending, µs). @times may be NULL. */
void         dc_expr_scope_set_series  (DcExprScope  *self,
                                        const char   *name,
                                        const gint64 *times,
                                        const double *values,
                                        guint         n);
/* An object whose fields are read as `name.field` (param.up_limit): JSON numbers and
 * numeric strings read as numbers, other strings as strings, booleans as bools, null as
 * None. @object is borrowed. */
void         dc_expr_scope_set_object  (DcExprScope  *self,
                                        const char   *name,
                                        JsonObject   *object);
void         dc_expr_scope_unset       (DcExprScope  *self,
                                        const char   *name);

/* Evaluates @expr and converts the result to a number: bool → 0/1, int and float as they
 * are, a series → its newest value. Anything else (None, a string) fails with
 * "result is not a number: …"; a result that is not finite fails too. */
gboolean     dc_expr_eval_number       (DcExpr       *expr,
                                        DcExprScope  *scope,
                                        double       *result,
                                        GError      **error);
/* Evaluates @expr and takes Python's truth value of the result. */
gboolean     dc_expr_eval_bool         (DcExpr       *expr,
                                        DcExprScope  *scope,
                                        gboolean     *result,
                                        GError      **error);
/* Evaluates @expr and returns Python's repr() of the result (tests, diagnostics). */
char        *dc_expr_eval_repr         (DcExpr       *expr,
                                        DcExprScope  *scope,
                                        GError      **error);

/* Checks that every free name of @self is a builtin, one of @series (NULL-terminated, may
 * be NULL) or one of @others, in the order of first use ("name p2 is not defined"), and that
 * methods applied to a series name exist. */
gboolean     dc_expr_check_names       (DcExpr              *self,
                                        const char * const  *series,
                                        const char * const  *others,
                                        GError             **error);

/* The names a formula may read that are not parameters: builtins and True/False/None. */
gboolean     dc_expr_is_builtin_name   (const char   *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DcExpr, dc_expr_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DcExprScope, dc_expr_scope_free)

G_END_DECLS
