/* fuzz-expr.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* libFuzzer target for the expression language: any input parses or fails with an error,
 * and evaluating whatever parses never crashes, leaks or reads out of bounds. */

#include "config.h"

#include <string.h>

#include "dc-expr.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static const gint64 times[] = { 1000000, 2000000, 2500000, 4000000 };
static const double values[] = { 1.5, -2.0, 0.0, 1e300 };

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(DcExpr) expr = NULL;
  g_autoptr(DcExprScope) scope = NULL;
  g_autoptr(JsonObject) param = NULL;
  const char * const series[] = { "p1", "p2", "e", NULL };
  const char * const others[] = { "value", "param", NULL };
  double number;
  gboolean truth;
  char *repr;

  if (size > DC_EXPR_MAX_TEXT + 16)
    return 0;

  expr = dc_expr_parse (text, NULL);
  if (expr == NULL)
    return 0;

  param = json_object_new ();
  json_object_set_int_member (param, "up_limit", 100);
  json_object_set_string_member (param, "down_limit", "-5");
  json_object_set_string_member (param, "name", "x");
  json_object_set_null_member (param, "none");

  scope = dc_expr_scope_new ();
  dc_expr_scope_set_limits (scope, 20000, 1000);
  dc_expr_scope_set_series (scope, "p1", times, values, G_N_ELEMENTS (values));
  dc_expr_scope_set_series (scope, "p2", NULL, values, 2);
  dc_expr_scope_set_series (scope, "e", NULL, NULL, 0);
  dc_expr_scope_set_number (scope, "value", 42.0);
  dc_expr_scope_set_object (scope, "param", param);

  (void) dc_expr_check_names (expr, series, others, NULL);
  (void) dc_expr_get_window (expr, "p1");
  (void) dc_expr_get_names (expr);
  (void) dc_expr_eval_number (expr, scope, &number, NULL);
  (void) dc_expr_eval_bool (expr, scope, &truth, NULL);
  repr = dc_expr_eval_repr (expr, scope, NULL);
  if (repr != NULL)
    g_assert (g_utf8_validate (repr, -1, NULL) || strchr (text, '\\') != NULL);
  g_free (repr);
  return 0;
}
