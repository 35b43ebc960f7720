/* test-expr.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "dc-expr.h"

/* One case: @text evaluated in the standard scope gives repr() @expect, or fails with the
 * message @error. */
typedef struct
{
  const char *text;
  const char *expect;
  const char *error;
} ExprCase;

static const gint64 T0 = G_GINT64_CONSTANT (1700000000000000);

static const gint64 p1_times[] = {
  G_GINT64_CONSTANT (1700000000000000),
  G_GINT64_CONSTANT (1700000001000000),
  G_GINT64_CONSTANT (1700000002000000),
};
static const double p1_values[] = { 1.0, 2.5, 3.0 };
static const gint64 p2_times[] = {
  G_GINT64_CONSTANT (1700000001500000),
  G_GINT64_CONSTANT (1700000002000000),
};
static const double p2_values[] = { 10.0, 20.0 };

static DcExprScope *
standard_scope (JsonObject **param_out)
{
  DcExprScope *scope = dc_expr_scope_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *param;

  g_assert_true (json_parser_load_from_data (parser,
                                             "{\"up_limit\": 100, \"down_limit\": \"-5\","
                                             " \"coefficient\": 0.5, \"name\": \"pump 1\","
                                             " \"enabled\": true, \"nothing\": null,"
                                             " \"nested\": {\"a\": 1}}", -1, NULL));
  param = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
  *param_out = param;

  dc_expr_scope_set_series (scope, "p1", p1_times, p1_values, G_N_ELEMENTS (p1_values));
  dc_expr_scope_set_series (scope, "p2", p2_times, p2_values, G_N_ELEMENTS (p2_values));
  dc_expr_scope_set_series (scope, "empty", NULL, NULL, 0);
  dc_expr_scope_set_number (scope, "value", 42.0);
  dc_expr_scope_set_number (scope, "x", -7.5);
  dc_expr_scope_set_string (scope, "s", "héllo");
  dc_expr_scope_set_object (scope, "param", param);
  return scope;
}

static const ExprCase cases[] = {
  /* PyDataColl formulas and checks. */
  { "max(p1[-1], p2[-1])", "20.0", NULL },
  { "min(p1[-1], p2[-1])", "3.0", NULL },
  { "p1+p2", "23.0", NULL },
  { "p1 - p2", "-17.0", NULL },
  { "p1.max()", "3.0", NULL },
  { "p1.min()", "1.0", NULL },
  { "p1.sum()", "6.5", NULL },
  { "p1.mean()", "2.1666666666666665", NULL },
  { "p1.count()", "3", NULL },
  { "p1.last()", "3.0", NULL },
  { "param.down_limit <= value <= param.up_limit", "True", NULL },
  { "param.down_limit <= x <= param.up_limit", "False", NULL },
  { "int(value) == 42", "True", NULL },
  { "value * param.coefficient", "21.0", NULL },
  { "param.name", "'pump 1'", NULL },
  { "param.enabled and value > 0", "True", NULL },
  { "param.nothing is None", "True", NULL },
  { "p1[0] + p1[1]", "3.5", NULL },
  { "p1[-3]", "1.0", NULL },
  { "(p1 + p2) / 2", "11.5", NULL },
  { "abs(x)", "7.5", NULL },
  { "round(p1.mean(), 2)", "2.17", NULL },
  { "sum(p1) / len(p1)", "2.1666666666666665", NULL },
  { "max(p1)", "3.0", NULL },
  { "min(p2)", "10.0", NULL },
  { "p1[-2:]", NULL, NULL },
  { "sum(p1[-2:])", "5.5", NULL },
  { "len(p1[:1])", "1", NULL },
  { "p1.window(1).count()", "2", NULL },
  { "p1.window(0.5).sum()", "3.0", NULL },
  { "p1.window(10).mean()", "2.1666666666666665", NULL },
  { "p1.window(0).count()", "1", NULL },
  { "p1 > p2", "False", NULL },
  { "p1 == 3", "True", NULL },
  { "3.0 in p1", "True", NULL },
  { "4 not in p1", "True", NULL },
  { "1 if p1 else 0", "1", NULL },
  /* Arithmetic with Python semantics. */
  { "1 + 2 * 3", "7", NULL },
  { "(1 + 2) * 3", "9", NULL },
  { "2 ** 3 ** 2", "512", NULL },
  { "-2 ** 2", "-4", NULL },
  { "2 ** -1", "0.5", NULL },
  { "(-2) ** 2", "4", NULL },
  { "7 / 2", "3.5", NULL },
  { "6 / 3", "2.0", NULL },
  { "7 // 2", "3", NULL },
  { "-7 // 2", "-4", NULL },
  { "7 // -2", "-4", NULL },
  { "-7 % 3", "2", NULL },
  { "7 % -3", "-2", NULL },
  { "-7.5 // 2", "-4.0", NULL },
  { "-7.5 % 2", "0.5", NULL },
  { "7.5 % -2", "-0.5", NULL },
  { "5 % 0.0", NULL, "division by zero" },
  { "1 / 0", NULL, "division by zero" },
  { "1 // 0", NULL, "integer division or modulo by zero" },
  { "1 % 0", NULL, "integer modulo by zero" },
  { "0 ** -1", NULL, "0.0 cannot be raised to a negative power" },
  { "(-8) ** 0.5", NULL, "a negative number raised to a fractional power is complex (not supported)" },
  { "10.0 ** 400", NULL, "numeric result out of range" },
  { "2 ** 62 * 4", "1.8446744073709552e+19", NULL },
  { "9223372036854775807 + 1", "9.223372036854776e+18", NULL },
  { "99999999999999999999", "1e+20", NULL },
  { "0x10 + 0o10 + 0b10 + 1_000", "1026", NULL },
  { "1e3", "1000.0", NULL },
  { ".5 + 1.", "1.5", NULL },
  { "0.1 + 0.2", "0.30000000000000004", NULL },
  { "1e16", "1e+16", NULL },
  { "1.5e-5", "1.5e-05", NULL },
  { "0.0001", "0.0001", NULL },
  { "123456789012345.6", "123456789012345.6", NULL },
  { "-0.0", "-0.0", NULL },
  { "True + True", "2", NULL },
  { "True * 2.5", "2.5", NULL },
  { "+True", "1", NULL },
  { "-x", "7.5", NULL },
  /* Comparisons and chaining. */
  { "1 < 2 < 3", "True", NULL },
  { "1 < 3 < 2", "False", NULL },
  { "3 > 2 == 2", "True", NULL },
  { "1 == 1.0", "True", NULL },
  { "1 != 1.0", "False", NULL },
  { "'a' < 'b'", "True", NULL },
  { "'a' == 1", "False", NULL },
  { "None == None", "True", NULL },
  { "None is None", "True", NULL },
  { "1 is not None", "True", NULL },
  { "1 < 'a'", NULL, "'<' not supported between instances of 'int' and 'str'" },
  { "[1, 2] == [1, 2.0]", "True", NULL },
  { "2 in [1, 2, 3]", "True", NULL },
  { "'ll' in s", "True", NULL },
  { "1 in s", NULL, "'in <string>' requires string as left operand, not int" },
  { "1 in 2", NULL, "argument of type 'int' is not iterable" },
  /* Chaining evaluates the middle once and stops early: the 1/0 is never reached. */
  { "1 > 2 > 1 / 0", "False", NULL },
  /* Boolean operators return operands. */
  { "0 or 'x'", "'x'", NULL },
  { "'' or 0", "0", NULL },
  { "2 and 3", "3", NULL },
  { "0 and 1 / 0", "0", NULL },
  { "1 or 1 / 0", "1", NULL },
  { "not 0", "True", NULL },
  { "not not 'a'", "True", NULL },
  { "None or []", "[]", NULL },
  { "1 if 0 else 2 if 0 else 3", "3", NULL },
  { "'yes' if value > 40 else 'no'", "'yes'", NULL },
  { "1 / 0 if False else 5", "5", NULL },
  /* Builtins. */
  { "max(1, 2.5, 2)", "2.5", NULL },
  { "max([3, 1, 2])", "3", NULL },
  { "min(2, 1)", "1", NULL },
  { "max(1, 1.0)", "1", NULL },
  { "max()", NULL, "max expected at least 1 argument, got 0" },
  { "max([])", NULL, "max() arg is an empty sequence" },
  { "max(1)", NULL, "max() argument is not iterable: 'int' object" },
  { "abs(-3)", "3", NULL },
  { "abs('a')", NULL, "bad operand type for abs(): 'str'" },
  { "abs(1, 2)", NULL, "abs() takes exactly one argument (2 given)" },
  { "round(2.5)", "2", NULL },
  { "round(3.5)", "4", NULL },
  { "round(-2.5)", "-2", NULL },
  { "round(2.675, 2)", "2.67", NULL },
  { "round(0.125, 2)", "0.12", NULL },
  { "round(1234.5, -2)", "1200.0", NULL },
  { "round(1250, -2)", "1200", NULL },
  { "round(1350, -2)", "1400", NULL },
  { "round(-1251, -2)", "-1300", NULL },
  { "round(7, 1)", "7", NULL },
  { "round(1, 2, 3)", NULL, "round() takes at most 2 arguments (3 given)" },
  { "sum([1, 2, 3])", "6", NULL },
  { "sum([1, 2.5], 10)", "13.5", NULL },
  { "sum(empty)", "0", NULL },
  { "len('héllo')", "5", NULL },
  { "len(s)", "5", NULL },
  { "len([1, 2])", "2", NULL },
  { "len(5)", NULL, "object of type 'int' has no len()" },
  { "int(3.9)", "3", NULL },
  { "int(-3.9)", "-3", NULL },
  { "int(' 42 ')", "42", NULL },
  { "int('1_000')", "1000", NULL },
  { "int('4.2')", NULL, "invalid literal for int() with base 10: '4.2'" },
  { "int(True)", "1", NULL },
  { "int(float('nan'))", NULL, "cannot convert float NaN to integer" },
  { "int(float('inf'))", NULL, "cannot convert float infinity to integer" },
  { "int(None)", NULL, "int() argument must be a string or a number, not 'NoneType'" },
  { "int()", "0", NULL },
  { "float('1e3')", "1000.0", NULL },
  { "float(' -2.5 ')", "-2.5", NULL },
  { "float('abc')", NULL, "could not convert string to float: 'abc'" },
  { "float('0x10')", NULL, "could not convert string to float: '0x10'" },
  { "float('-inf')", "-inf", NULL },
  { "float(2)", "2.0", NULL },
  { "str(1.0)", "'1.0'", NULL },
  { "str(42)", "'42'", NULL },
  { "str(None)", "'None'", NULL },
  { "str(p1)", "'3.0'", NULL },
  { "'v=' + str(value)", "'v=42.0'", NULL },
  { "bool(0.0)", "False", NULL },
  { "bool('x')", "True", NULL },
  { "bool()", "False", NULL },
  { "'ab' * 3", "'ababab'", NULL },
  { "[0] * 3", "[0, 0, 0]", NULL },
  { "'' * 10 ** 18 + 'x'", "'x'", NULL },
  { "[] * 10 ** 18", "[]", NULL },
  { "round(5, -9223372036854775807 - 1)", "0", NULL },
  { "round(5.5, -9223372036854775807 - 1)", "0.0", NULL },
  { "round(5.5, 9223372036854775807)", "5.5", NULL },
  { "'a' + 'b' 'c'", "'abc'", NULL },
  { "\"it's\"", "\"it's\"", NULL },
  { "'tab\\there'", "'tab\\there'", NULL },
  { "'\\u00e9' == 'é'", "True", NULL },
  { "r'\\d'", "'\\\\d'", NULL },
  { "s[1]", "'é'", NULL },
  { "s[-1]", "'o'", NULL },
  { "s[1:3]", "'él'", NULL },
  { "(1, 2)[1]", "2", NULL },
  { "()", "[]", NULL },
  { "[1, 2,][-1]", "2", NULL },
  /* Type errors. */
  { "'a' + 1", NULL, "unsupported operand type(s) for +: 'str' and 'int'" },
  { "None + 1", NULL, "unsupported operand type(s) for +: 'NoneType' and 'int'" },
  { "-'a'", NULL, "bad operand type for unary -: 'str'" },
  { "'%d' % 3", NULL, "string formatting is not supported" },
  { "value()", NULL, "'float' object is not callable" },
  { "value[0]", NULL, "'float' object is not subscriptable" },
  { "value.real", NULL, "'float' object has no attribute 'real'" },
  { "p1[1.0]", NULL, "series indices must be integers, not float" },
  { "p1[3]", NULL, "series index out of range" },
  { "p1[-4]", NULL, "series index out of range" },
  { "[1][1]", NULL, "list index out of range" },
  { "p1.max(1)", NULL, "p1.max() takes no arguments (1 given)" },
  { "p1.window()", NULL, "p1.window() takes exactly one argument (0 given)" },
  { "p1.window(-1)", NULL, "p1.window() takes a number of seconds between 0 and 1e10" },
  { "p1.foo()", NULL, "series p1 has no method foo (use max, min, sum, mean, count, last or window)" },
  { "param.missing", NULL, "param has no field missing" },
  { "param.nested", NULL, "param.nested is not a number or a string" },
  /* Empty series. */
  { "empty[-1]", NULL, "series empty is empty" },
  { "empty + 1", NULL, "series empty is empty" },
  { "empty.max()", NULL, "series empty is empty" },
  { "empty.sum()", "0.0", NULL },
  { "empty.count()", "0", NULL },
  { "len(empty)", "0", NULL },
  { "max(empty)", NULL, "max() arg is an empty sequence" },
  /* Names. */
  { "p1 + p3", NULL, "name p3 is not defined" },
  { "foo(1)", NULL, "name foo is not defined" },
  { "温度 + 1", NULL, "name 温度 is not defined" },
  { "max", "<built-in function max>", NULL },
  /* Syntax errors with positions (columns count characters from 1). */
  { "p1 + * 2", NULL, "syntax error at column 6: unexpected '*'" },
  { "max(p1 * * 2)", NULL, "syntax error at column 10: unexpected '*'" },
  { "p1 +", NULL, "syntax error at column 5: unexpected end of expression" },
  { "", NULL, "syntax error at column 1: empty expression" },
  { "   ", NULL, "syntax error at column 4: empty expression" },
  { "(p1 + p2", NULL, "syntax error at column 9: unexpected end of expression" },
  { "p1 + p2)", NULL, "syntax error at column 8: unexpected ')'" },
  { "p1 p2", NULL, "syntax error at column 4: unexpected 'p2'" },
  { "'abc", NULL, "syntax error at column 1: unterminated string" },
  { "é + $", NULL, "syntax error at column 5: invalid character '$'" },
  { "1 +\x01", NULL, "syntax error at column 4: invalid character U+0001" },
  { "012", NULL, "syntax error at column 1: leading zeros in decimal integer literals are not permitted" },
  { "1abc", NULL, "syntax error at column 1: invalid number literal" },
  { "0x", NULL, "syntax error at column 1: invalid number literal" },
  { "1j", NULL, "syntax error at column 1: complex numbers are not supported" },
  { "f'{p1}'", NULL, "syntax error at column 1: f-strings are not supported" },
  { "lambda: 1", NULL, "syntax error at column 1: lambda is not supported" },
  { "sum(x for x in p1)", NULL, "syntax error at column 7: comprehensions are not supported" },
  { "[x for x in p1]", NULL, "syntax error at column 4: comprehensions are not supported" },
  { "{1: 2}", NULL, "syntax error at column 1: dict and set displays are not supported" },
  { "x = 1", NULL, "syntax error at column 3: assignment is not supported" },
  { "round(x, ndigits=2)", NULL, "syntax error at column 10: keyword arguments are not supported" },
  { "max(*p1)", NULL, "syntax error at column 5: argument unpacking is not supported" },
  { "1 | 2", NULL, "syntax error at column 3: operator '|' is not supported" },
  { "1 << 2", NULL, "syntax error at column 3: operator '<<' is not supported" },
  { "p1[::2]", NULL, "syntax error at column 5: slice steps are not supported" },
  { "p1 # comment", NULL, "syntax error at column 4: comments are not supported" },
  { "1 if 2", NULL, "syntax error at column 7: unexpected end of expression" },
  { "p1.", NULL, "syntax error at column 4: unexpected end of expression" },
  { "import os", NULL, "syntax error at column 1: unexpected 'import'" },
  { "__import__('os')", NULL, "name __import__ is not defined" },
  { "p1.__class__", NULL, "series p1 has no method __class__ (use max, min, sum, mean, count, last or window)" },
  { "'\\x4'", NULL, "syntax error at column 2: truncated \\x escape" },
  /* pandas-only constructs. */
  { "p1.resample('1min').mean()", NULL, "resample is not supported (pandas only)" },
  { "p1.rolling(3).mean()[-1]", NULL, "rolling is not supported (pandas only)" },
  { "p1.iloc[-1]", NULL, "iloc is not supported (pandas only)" },
  /* Results that are not numbers are still values here. */
  { "None", "None", NULL },
  { "[1, 'a', None, 2.5]", "[1, 'a', None, 2.5]", NULL },
};

static void
test_case (gconstpointer data)
{
  const ExprCase *c = data;
  g_autoptr(JsonObject) param = NULL;
  g_autoptr(DcExprScope) scope = standard_scope (&param);
  g_autoptr(GError) error = NULL;
  g_autoptr(DcExpr) expr = dc_expr_parse (c->text, &error);
  g_autofree char *repr = NULL;

  if (expr != NULL)
    repr = dc_expr_eval_repr (expr, scope, &error);

  if (c->error != NULL)
    {
      g_assert_nonnull (error);
      g_assert_cmpstr (error->message, ==, c->error);
      g_assert_null (repr);
    }
  else if (c->expect != NULL)
    {
      g_assert_no_error (error);
      g_assert_cmpstr (repr, ==, c->expect);
    }
  else
    g_assert_no_error (error);
}

static void
test_eval_number (void)
{
  g_autoptr(JsonObject) param = NULL;
  g_autoptr(DcExprScope) scope = standard_scope (&param);
  struct { const char *text; double value; const char *error; } numbers[] = {
    { "p1", 3.0, NULL },
    { "True", 1.0, NULL },
    { "7 // 2", 3.0, NULL },
    { "p1 + p2", 23.0, NULL },
    { "'a'", 0, "result is not a number: 'a'" },
    { "None", 0, "result is not a number: None" },
    { "float('inf')", 0, "result is not a finite number: inf" },
    { "float('nan')", 0, "result is not a finite number: nan" },
    { "'" "0123456789012345678901234567890123456789012345" "'", 0,
      "result is not a number: '012345678901234567890123456789012345678…" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DcExpr) expr = dc_expr_parse (numbers[i].text, &error);
      double v = -1;

      g_assert_no_error (error);
      if (numbers[i].error == NULL)
        {
          g_assert_true (dc_expr_eval_number (expr, scope, &v, &error));
          g_assert_no_error (error);
          g_assert_cmpfloat (v, ==, numbers[i].value);
        }
      else
        {
          g_assert_false (dc_expr_eval_number (expr, scope, &v, &error));
          g_assert_cmpstr (error->message, ==, numbers[i].error);
        }
    }
}

static void
test_eval_bool (void)
{
  g_autoptr(JsonObject) param = NULL;
  g_autoptr(DcExprScope) scope = standard_scope (&param);
  g_autoptr(DcExpr) check = dc_expr_parse ("param.down_limit <= value <= param.up_limit", NULL);
  g_autoptr(DcExpr) bad = dc_expr_parse ("value < 'a'", NULL);
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  g_assert_true (dc_expr_eval_bool (check, scope, &ok, NULL));
  g_assert_true (ok);
  dc_expr_scope_set_number (scope, "value", 100.5);
  g_assert_true (dc_expr_eval_bool (check, scope, &ok, NULL));
  g_assert_false (ok);
  dc_expr_scope_set_number (scope, "value", -5);
  g_assert_true (dc_expr_eval_bool (check, scope, &ok, NULL));
  g_assert_true (ok);

  g_assert_false (dc_expr_eval_bool (bad, scope, &ok, &error));
  g_assert_error (error, DC_EXPR_ERROR, DC_EXPR_ERROR_TYPE);
}

static void
test_names (void)
{
  g_autoptr(DcExpr) expr = dc_expr_parse ("max(p2[-1], p1.window(60).max(), p2.window(5.5)) "
                                          "+ p1.window(30).sum() + value", NULL);
  const char * const *names = dc_expr_get_names (expr);
  const char * const series[] = { "p1", NULL };
  const char * const series2[] = { "p1", "p2", NULL };
  const char * const others[] = { "value", NULL };
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (expr);
  g_assert_cmpuint (g_strv_length ((char **) names), ==, 4);
  g_assert_cmpstr (names[0], ==, "max");
  g_assert_cmpstr (names[1], ==, "p1");
  g_assert_cmpstr (names[2], ==, "p2");
  g_assert_cmpstr (names[3], ==, "value");
  g_assert_true (dc_expr_uses_name (expr, "p2"));
  g_assert_false (dc_expr_uses_name (expr, "p3"));
  g_assert_cmpint (dc_expr_get_window (expr, "p1"), ==, 60 * G_USEC_PER_SEC);
  g_assert_cmpint (dc_expr_get_window (expr, "p2"), ==, 5500000);
  g_assert_cmpint (dc_expr_get_window (expr, "value"), ==, 0);

  /* First undefined name in source order. */
  g_assert_false (dc_expr_check_names (expr, series, others, &error));
  g_assert_cmpstr (error->message, ==, "name p2 is not defined");
  g_clear_error (&error);
  g_assert_false (dc_expr_check_names (expr, series2, NULL, &error));
  g_assert_cmpstr (error->message, ==, "name value is not defined");
  g_clear_error (&error);
  g_assert_true (dc_expr_check_names (expr, series2, others, &error));
  g_assert_no_error (error);

  {
    g_autoptr(DcExpr) bad = dc_expr_parse ("p1.median()", NULL);
    g_autoptr(DcExpr) typo = dc_expr_parse ("p1.maxx()", NULL);

    g_assert_null (bad); /* pandas-only, refused at parse */
    g_assert_false (dc_expr_check_names (typo, series, NULL, &error));
    g_assert_cmpstr (error->message, ==,
                     "series p1 has no method maxx (use max, min, sum, mean, count, last or "
                     "window)");
  }

  g_assert_true (dc_expr_is_builtin_name ("round"));
  g_assert_true (dc_expr_is_builtin_name ("None"));
  g_assert_false (dc_expr_is_builtin_name ("eval"));
}

static void
test_window_now (void)
{
  g_autoptr(DcExprScope) scope = dc_expr_scope_new ();
  g_autoptr(DcExpr) expr = dc_expr_parse ("p1.window(1.5).count()", NULL);
  g_autoptr(DcExpr) no_times = dc_expr_parse ("p2.window(1).count()", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *r1 = NULL;
  g_autofree char *r2 = NULL;
  g_autofree char *r3 = NULL;

  dc_expr_scope_set_series (scope, "p1", p1_times, p1_values, 3);
  dc_expr_scope_set_series (scope, "p2", NULL, p2_values, 2);
  /* Relative to the newest sample: t0+2 s → samples after t0+0.5 s. */
  r1 = dc_expr_eval_repr (expr, scope, NULL);
  g_assert_cmpstr (r1, ==, "2");
  /* Relative to an explicit now, 10 s later: nothing in the window. */
  dc_expr_scope_set_now (scope, T0 + 12 * G_USEC_PER_SEC);
  r2 = dc_expr_eval_repr (expr, scope, NULL);
  g_assert_cmpstr (r2, ==, "0");
  dc_expr_scope_set_now (scope, T0 + 1 * G_USEC_PER_SEC);
  r3 = dc_expr_eval_repr (expr, scope, NULL);
  g_assert_cmpstr (r3, ==, "3");

  g_assert_null (dc_expr_eval_repr (no_times, scope, &error));
  g_assert_cmpstr (error->message, ==, "series p2 has no times");
}

/* Limits: each is refused with an error, quickly, and nothing crashes. */
static void
test_limits (void)
{
  g_autoptr(DcExprScope) scope = dc_expr_scope_new ();
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DcExpr) expr = NULL;
  g_autofree double *big = g_new0 (double, 200000);
  g_autofree char *repr = NULL;

  /* Deep nesting: parentheses, unary minus, calls, and long operator chains. */
  for (guint i = 0; i < 1000; i++)
    g_string_append_c (text, '(');
  g_string_append_c (text, '1');
  for (guint i = 0; i < 1000; i++)
    g_string_append_c (text, ')');
  g_assert_null (dc_expr_parse (text->str, &error));
  g_assert_error (error, DC_EXPR_ERROR, DC_EXPR_ERROR_LIMIT);
  g_assert_cmpstr (error->message, ==, "expression nested too deeply (limit 200 levels)");
  g_clear_error (&error);

  g_string_truncate (text, 0);
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (text, '-');
  g_string_append_c (text, '1');
  g_assert_null (dc_expr_parse (text->str, &error));
  g_assert_error (error, DC_EXPR_ERROR, DC_EXPR_ERROR_LIMIT);
  g_clear_error (&error);

  g_string_truncate (text, 0);
  for (guint i = 0; i < 500; i++)
    g_string_append (text, "abs(");
  g_string_append_c (text, '1');
  for (guint i = 0; i < 500; i++)
    g_string_append_c (text, ')');
  g_assert_null (dc_expr_parse (text->str, &error));
  g_assert_error (error, DC_EXPR_ERROR, DC_EXPR_ERROR_LIMIT);
  g_clear_error (&error);

  g_string_truncate (text, 0);
  g_string_append (text, "1");
  for (guint i = 0; i < 300; i++)
    g_string_append (text, "+1");
  g_assert_null (dc_expr_parse (text->str, &error));
  g_assert_error (error, DC_EXPR_ERROR, DC_EXPR_ERROR_LIMIT);
  g_clear_error (&error);

  /* A chain just under the limit parses and evaluates. */
  g_string_truncate (text, 0);
  g_string_append (text, "1");
  for (guint i = 0; i < 150; i++)
    g_string_append (text, "+1");
  expr = dc_expr_parse (text->str, &error);
  g_assert_no_error (error);
  repr = dc_expr_eval_repr (expr, scope, &error);
  g_assert_cmpstr (repr, ==, "151");
  g_clear_pointer (&expr, dc_expr_unref);

  /* Too long a text. */
  g_string_truncate (text, 0);
  for (guint i = 0; i < DC_EXPR_MAX_TEXT; i++)
    g_string_append_c (text, ' ');
  g_string_append (text, "1");
  g_assert_null (dc_expr_parse (text->str, &error));
  g_assert_cmpstr (error->message, ==, "expression too long (limit 65536 bytes)");
  g_clear_error (&error);

  /* A huge series is refused when used. */
  dc_expr_scope_set_series (scope, "p1", NULL, big, 200000);
  expr = dc_expr_parse ("p1[-1]", NULL);
  g_assert_null (dc_expr_eval_repr (expr, scope, &error));
  g_assert_cmpstr (error->message, ==, "series p1 has 200000 samples (limit 100000)");
  g_clear_error (&error);
  g_clear_pointer (&expr, dc_expr_unref);

  /* Long loops of calls over a series run out of steps. */
  dc_expr_scope_set_series (scope, "p1", NULL, big, 100000);
  g_string_truncate (text, 0);
  g_string_append (text, "p1.max()");
  for (guint i = 0; i < 100; i++)
    g_string_append (text, " + p1.max()");
  /* A flat sum of 101 calls stays under the depth limit but costs 10.1 M steps. */
  expr = dc_expr_parse (text->str, &error);
  g_assert_no_error (error);
  g_assert_null (dc_expr_eval_repr (expr, scope, &error));
  g_assert_cmpstr (error->message, ==, "evaluation exceeded 1000000 steps");
  g_clear_error (&error);
  g_clear_pointer (&expr, dc_expr_unref);

  /* The same with a scope limit that allows it. */
  dc_expr_scope_set_limits (scope, 20000000, 100000);
  expr = dc_expr_parse (text->str, &error);
  g_clear_pointer (&repr, g_free);
  repr = dc_expr_eval_repr (expr, scope, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (repr, ==, "0.0");
  g_clear_pointer (&expr, dc_expr_unref);
  dc_expr_scope_set_limits (scope, DC_EXPR_DEFAULT_MAX_STEPS, DC_EXPR_DEFAULT_MAX_SERIES);

  /* Strings and lists cannot blow up memory. */
  expr = dc_expr_parse ("'x' * 10 ** 9", NULL);
  g_assert_null (dc_expr_eval_repr (expr, scope, &error));
  g_assert_cmpstr (error->message, ==, "string too long (limit 65536 bytes)");
  g_clear_error (&error);
  g_clear_pointer (&expr, dc_expr_unref);

  expr = dc_expr_parse ("[1, 2] * 10 ** 9", NULL);
  g_assert_null (dc_expr_eval_repr (expr, scope, &error));
  g_assert_cmpstr (error->message, ==, "list too long (limit 100000 items)");
  g_clear_error (&error);
  g_clear_pointer (&expr, dc_expr_unref);

  expr = dc_expr_parse ("len([0] * 60000 * 1) + len(str([0] * 60000))", NULL);
  g_assert_null (dc_expr_eval_repr (expr, scope, &error));
  g_assert_error (error, DC_EXPR_ERROR, DC_EXPR_ERROR_LIMIT);
  g_clear_error (&error);
  g_clear_pointer (&expr, dc_expr_unref);

  expr = dc_expr_parse ("2 ** 10 ** 10", NULL);
  g_clear_pointer (&repr, g_free);
  repr = dc_expr_eval_repr (expr, scope, &error);
  g_assert_null (repr);
  g_assert_cmpstr (error->message, ==, "numeric result out of range");
}

/* An expression is immutable: one parse, many scopes, many threads. */
static gpointer
thread_eval (gpointer data)
{
  DcExpr *expr = data;
  g_autoptr(DcExprScope) scope = dc_expr_scope_new ();
  double values[3] = { 1, 2, 0 };
  double sum = 0;

  for (guint i = 0; i < 2000; i++)
    {
      double r = 0;

      values[2] = i;
      dc_expr_scope_set_series (scope, "p1", NULL, values, 3);
      g_assert_true (dc_expr_eval_number (expr, scope, &r, NULL));
      sum += r;
    }
  return GUINT_TO_POINTER ((guint) sum);
}

static void
test_threads (void)
{
  g_autoptr(DcExpr) expr = dc_expr_parse ("p1.max() + p1[0]", NULL);
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("eval", thread_eval, dc_expr_ref (expr));
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      /* sum over i of (max(2, i) + 1) for i < 2000 */
      g_assert_cmpuint (GPOINTER_TO_UINT (g_thread_join (threads[i])), ==,
                        2 + 2 + (1999 * 2000 / 2 - 1) + 2000);
      dc_expr_unref (expr);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/dc/expr/case/%03u", i);

      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_func ("/dc/expr/eval-number", test_eval_number);
  g_test_add_func ("/dc/expr/eval-bool", test_eval_bool);
  g_test_add_func ("/dc/expr/names", test_names);
  g_test_add_func ("/dc/expr/window-now", test_window_now);
  g_test_add_func ("/dc/expr/limits", test_limits);
  g_test_add_func ("/dc/expr/threads", test_threads);

  return g_test_run ();
}
