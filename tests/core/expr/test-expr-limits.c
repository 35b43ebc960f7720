/* test-expr-limits.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include "dc-expr.h"

/* The evaluation limits (docs/security.md, "Limits") bound everything an expression can make
 * the evaluator do, including printing and comparing its values: a list may share its items,
 * so [[1]*100000]*100000 costs 200,001 steps to build but has 10^10 elements. Each case runs
 * in a subprocess with a deadline: a hang or an abort is a failure. */

typedef struct
{
  const char *text;
  const char *expect;  /* repr() of the result, or NULL */
  const char *error;   /* the message, or NULL */
} LimitCase;

static const LimitCase cases[] = {
  /* repr() of a result that is not a number, in the message. */
  { "[[1]*100000]*100000", NULL,
    "result is not a number: [[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,…" },
  { "int([[1]*100000]*100000)", NULL,
    "int() argument must be a string or a number, not 'list'" },
  /* str() and repr() are bounded by the string limit. */
  { "len(str([[1]*100000]*100000))", NULL, "string too long (limit 65536 bytes)" },
  { "len(str([['x'*60000]*2]))", NULL, "string too long (limit 65536 bytes)" },
  { "len(str([[1]*1000]*10))", "30020", NULL },
  /* Equality and membership count a step per element compared. */
  { "[[1]*100000]*100000 == [[1]*100000]*100000", NULL, "evaluation exceeded 1000000 steps" },
  { "[[1]*100000]*100000 != [[1]*100000]*100000", NULL, "evaluation exceeded 1000000 steps" },
  { "[1]*99999 + [2] in [[1]*100000]*100000", NULL, "evaluation exceeded 1000000 steps" },
  { "[2] in [[1]*100000]*100000", "False", NULL },
  { "[[1]*1000]*10 == [[1]*1000]*10", "True", NULL },
  /* String concatenation counts its bytes. */
  { "len(('a'*65536)[:1] + 'b')", "2", NULL },
};

static void
run_case (gconstpointer data)
{
  const LimitCase *c = data;
  g_autoptr(DcExpr) expr = NULL;
  g_autoptr(DcExprScope) scope = dc_expr_scope_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *repr = NULL;
  gint64 start = g_get_monotonic_time ();

  expr = dc_expr_parse (c->text, &error);
  g_assert_no_error (error);
  if (g_str_has_prefix (c->error != NULL ? c->error : "", "result is not a number"))
    {
      double value = 0;

      g_assert_false (dc_expr_eval_number (expr, scope, &value, &error));
    }
  else
    repr = dc_expr_eval_repr (expr, scope, &error);
  /* The cost of hitting a limit, for docs/security.md. */
  g_printerr ("%s: %.1f ms\n", c->text, (g_get_monotonic_time () - start) / 1000.0);
  if (c->error != NULL)
    {
      g_assert_nonnull (error);
      g_assert_cmpstr (error->message, ==, c->error);
    }
  else
    {
      g_assert_no_error (error);
      g_assert_cmpstr (repr, ==, c->expect);
    }
}

static void
test_case (gconstpointer data)
{
  const LimitCase *c = data;

  if (g_test_subprocess ())
    {
      run_case (data);
      return;
    }
  /* 10 s: a fixed evaluator answers in milliseconds (also under ASan); an unbounded one
   * prints or compares 10^10 elements. */
  g_test_trap_subprocess (NULL, 10 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  if (!g_test_trap_has_passed ())
    g_test_message ("case %s", c->text);
  g_test_trap_assert_passed ();
}

/* repr() of a big result is refused rather than built. */
static void
test_repr_bounded (void)
{
  g_autoptr(DcExpr) expr = dc_expr_parse ("[1]*100000", NULL);
  g_autoptr(DcExprScope) scope = dc_expr_scope_new ();
  g_autoptr(GError) error = NULL;

  g_assert_null (dc_expr_eval_repr (expr, scope, &error));
  g_assert_error (error, DC_EXPR_ERROR, DC_EXPR_ERROR_LIMIT);
  g_assert_cmpstr (error->message, ==, "string too long (limit 65536 bytes)");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/dc/expr-limits/case/%u", i);

      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_func ("/dc/expr-limits/repr-bounded", test_repr_bounded);

  return g_test_run ();
}
