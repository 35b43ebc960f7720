/* dc-expr-builtins.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-expr"

#include "config.h"

#include <math.h>
#include <string.h>

#include "dc-expr-private.h"

/* The builtin functions (max, min, abs, round, sum, len, int, float, str, bool) and the
 * series methods (max, min, sum, mean, count, last, window), Python's semantics. */

static gboolean
arity (const char *func,
       guint       n_args,
       guint       min,
       guint       max,
       GError    **error)
{
  if (n_args >= min && n_args <= max)
    return TRUE;
  if (min == max && min == 0)
    return dc_expr_fail (error, DC_EXPR_ERROR_TYPE, "%s() takes no arguments (%u given)", func,
                         n_args);
  if (min == max && min == 1)
    return dc_expr_fail (error, DC_EXPR_ERROR_TYPE, "%s() takes exactly one argument (%u given)",
                         func, n_args);
  if (n_args < min)
    return dc_expr_fail (error, DC_EXPR_ERROR_TYPE, "%s() takes at least %u argument%s (%u given)",
                         func, min, min == 1 ? "" : "s", n_args);
  return dc_expr_fail (error, DC_EXPR_ERROR_TYPE, "%s() takes at most %u argument%s (%u given)",
                       func, max, max == 1 ? "" : "s", n_args);
}

static gboolean
to_int_checked (double   f,
                DcValue *out,
                GError **error)
{
  if (isnan (f))
    return dc_expr_fail (error, DC_EXPR_ERROR_VALUE, "cannot convert float NaN to integer");
  if (isinf (f))
    return dc_expr_fail (error, DC_EXPR_ERROR_OVERFLOW,
                         "cannot convert float infinity to integer");
  /* Beyond 64 bits the value stays a float (docs/plugins.md). */
  if (f >= 9223372036854775808.0 || f < -9223372036854775808.0)
    *out = dc_value_from_float (f);
  else
    *out = dc_value_from_int ((gint64) f);
  return TRUE;
}

static gboolean
builtin_round (DcExprEval *ev,
               DcValue    *args,
               guint       n_args,
               DcValue    *out,
               GError    **error)
{
  DcValue x = args[0];
  gint64 ndigits;

  if (!dc_value_is_number (&x))
    return dc_expr_fail (error, DC_EXPR_ERROR_TYPE, "type %s doesn't define __round__ method",
                         dc_value_type_name (&x));

  if (n_args == 1 || args[1].kind == DC_VALUE_NONE)
    {
      if (dc_value_is_intlike (&x))
        *out = dc_value_from_int (dc_value_get_int (&x));
      else
        return to_int_checked (nearbyint (x.f), out, error);
      return TRUE;
    }

  if (!dc_value_is_intlike (&args[1]))
    return dc_expr_fail (error, DC_EXPR_ERROR_TYPE,
                         "'%s' object cannot be interpreted as an integer",
                         dc_value_type_name (&args[1]));
  ndigits = dc_value_get_int (&args[1]);

  if (dc_value_is_intlike (&x))
    {
      gint64 v = dc_value_get_int (&x);
      gint64 pow10 = 1;
      gint64 q, r;

      if (ndigits >= 0)
        {
          *out = dc_value_from_int (v);
          return TRUE;
        }
      if (ndigits <= -19)
        {
          /* 10^19 is beyond 64 bits: only |v| > 5e18 rounds away from 0. */
          if (ndigits == -19 && (v > G_GINT64_CONSTANT (5000000000000000000) ||
                                 v < -G_GINT64_CONSTANT (5000000000000000000)))
            *out = dc_value_from_float (v > 0 ? 1e19 : -1e19);
          else
            *out = dc_value_from_int (0);
          return TRUE;
        }
      for (gint64 k = 0; k < -ndigits; k++)
        if (__builtin_mul_overflow (pow10, 10, &pow10))
          {
            *out = dc_value_from_int (0);
            return TRUE;
          }
      /* Round half to even to a multiple of pow10. */
      q = v / pow10;
      r = v % pow10;
      if (r < 0)
        {
          r += pow10;
          q--;
        }
      if (r * 2 > pow10 || (r * 2 == pow10 && (q & 1) != 0))
        q++;
      if (__builtin_mul_overflow (q, pow10, &v))
        return dc_expr_float_arith (DC_OP_MUL, (double) q, (double) pow10, out, error);
      *out = dc_value_from_int (v);
      return TRUE;
    }

  if (!isfinite (x.f) || ndigits > 323)
    {
      *out = x;
      return TRUE;
    }
  if (ndigits >= 0)
    {
      char buf[400];

      /* printf rounds the exact binary value, half to even: Python's result. */
      g_snprintf (buf, sizeof buf, "%.*f", (int) ndigits, x.f);
      *out = dc_value_from_float (g_ascii_strtod (buf, NULL));
      return TRUE;
    }
  if (ndigits < -308)
    {
      *out = dc_value_from_float (copysign (0.0, x.f));
      return TRUE;
    }
  {
    double p = pow (10.0, (double) -ndigits);
    double y = nearbyint (x.f / p) * p;

    *out = dc_value_from_float (isfinite (y) ? y : x.f);
  }
  return TRUE;
}

static gboolean
builtin_minmax (DcExprEval *ev,
                gboolean    is_max,
                DcValue    *args,
                guint       n_args,
                DcValue    *out,
                GError    **error)
{
  const char *func = is_max ? "max" : "min";
  const DcValue *items;
  guint n;
  guint best = 0;

  if (n_args == 0)
    return dc_expr_fail (error, DC_EXPR_ERROR_TYPE, "%s expected at least 1 argument, got 0",
                         func);
  if (n_args == 1)
    {
      if (!dc_expr_iterate (ev, func, &args[0], &items, &n, error))
        return FALSE;
    }
  else
    {
      for (guint i = 0; i < n_args; i++)
        if (!dc_value_scalar (&args[i], error))
          return FALSE;
      items = args;
      n = n_args;
    }
  if (n == 0)
    return dc_expr_fail (error, DC_EXPR_ERROR_VALUE, "%s() arg is an empty sequence", func);

  for (guint i = 1; i < n; i++)
    {
      int cmp = 0;
      gboolean unordered = FALSE;

      if (!dc_expr_values_order (is_max ? DC_OP_GT : DC_OP_LT, &items[i], &items[best], &cmp,
                                 &unordered, error))
        return FALSE;
      if (!unordered && (is_max ? cmp > 0 : cmp < 0))
        best = i;
    }
  *out = items[best];
  return TRUE;
}

static gboolean
builtin_sum (DcExprEval *ev,
             DcValue    *args,
             guint       n_args,
             DcValue    *out,
             GError    **error)
{
  const DcValue *items;
  guint n;
  DcValue acc = dc_value_from_int (0);

  if (!dc_expr_iterate (ev, "sum", &args[0], &items, &n, error))
    return FALSE;
  if (n_args == 2)
    {
      acc = args[1];
      if (!dc_value_scalar (&acc, error))
        return FALSE;
      if (acc.kind == DC_VALUE_STR)
        return dc_expr_fail (error, DC_EXPR_ERROR_TYPE,
                             "sum() can't sum strings [use ''.join(seq) instead]");
    }
  for (guint i = 0; i < n; i++)
    if (!dc_expr_binary (ev, DC_OP_ADD, acc, items[i], &acc, error))
      return FALSE;
  *out = acc;
  return TRUE;
}

static gboolean
builtin_int (DcExprEval *ev,
             DcValue    *args,
             guint       n_args,
             DcValue    *out,
             GError    **error)
{
  DcValue x;

  if (n_args == 0)
    {
      *out = dc_value_from_int (0);
      return TRUE;
    }
  x = args[0];
  switch (x.kind)
    {
    case DC_VALUE_BOOL:
    case DC_VALUE_INT:
      *out = dc_value_from_int (dc_value_get_int (&x));
      return TRUE;
    case DC_VALUE_FLOAT:
      return to_int_checked (trunc (x.f), out, error);
    case DC_VALUE_STR:
      {
        g_autofree char *copy = g_strstrip (g_strndup (x.str.s, x.str.len));
        g_autoptr(GString) digits = g_string_new (NULL);
        const char *p = copy;
        gboolean last_digit = FALSE;
        gint64 i;

        if (*p == '+' || *p == '-')
          g_string_append_c (digits, *p++);
        for (; *p; p++)
          {
            if (g_ascii_isdigit (*p))
              {
                g_string_append_c (digits, *p);
                last_digit = TRUE;
              }
            else if (*p == '_' && last_digit && g_ascii_isdigit (p[1]))
              last_digit = FALSE;
            else
              break;
          }
        if (*p == '\0' && last_digit &&
            g_ascii_string_to_signed (digits->str, 10, G_MININT64, G_MAXINT64, &i, NULL))
          {
            *out = dc_value_from_int (i);
            return TRUE;
          }
        if (*p == '\0' && last_digit)
          {
            *out = dc_value_from_float (g_ascii_strtod (digits->str, NULL));
            return TRUE;
          }
        {
          g_autofree char *shown = dc_value_short_repr (&x);

          return dc_expr_fail (error, DC_EXPR_ERROR_VALUE,
                               "invalid literal for int() with base 10: %s", shown);
        }
      }
    case DC_VALUE_NONE:
    case DC_VALUE_LIST:
    case DC_VALUE_SERIES:
    case DC_VALUE_OBJECT:
    case DC_VALUE_BUILTIN:
    case DC_VALUE_METHOD:
    default:
      return dc_expr_fail (error, DC_EXPR_ERROR_TYPE,
                           "int() argument must be a string or a number, not '%s'",
                           dc_value_type_name (&x));
    }
}

static gboolean
builtin_float (DcExprEval *ev,
               DcValue    *args,
               guint       n_args,
               DcValue    *out,
               GError    **error)
{
  DcValue x;

  if (n_args == 0)
    {
      *out = dc_value_from_float (0.0);
      return TRUE;
    }
  x = args[0];
  if (dc_value_is_number (&x))
    {
      *out = dc_value_from_float (dc_value_get_float (&x));
      return TRUE;
    }
  if (x.kind == DC_VALUE_STR)
    {
      g_autofree char *copy = g_strstrip (g_strndup (x.str.s, x.str.len));
      g_autofree char *lower = g_ascii_strdown (copy, -1);
      const char *p = lower;
      double sign = 1.0;
      char *end = NULL;
      double f;

      if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1.0 : 1.0;
      if (strcmp (p, "inf") == 0 || strcmp (p, "infinity") == 0)
        {
          *out = dc_value_from_float (sign * INFINITY);
          return TRUE;
        }
      if (strcmp (p, "nan") == 0)
        {
          *out = dc_value_from_float (NAN);
          return TRUE;
        }
      if (*p != '\0' && strpbrk (p, "xpn_") == NULL)
        {
          f = g_ascii_strtod (lower, &end);
          if (end != lower && *end == '\0')
            {
              *out = dc_value_from_float (f);
              return TRUE;
            }
        }
      {
        g_autofree char *shown = dc_value_short_repr (&x);

        return dc_expr_fail (error, DC_EXPR_ERROR_VALUE, "could not convert string to float: %s",
                             shown);
      }
    }
  return dc_expr_fail (error, DC_EXPR_ERROR_TYPE,
                       "float() argument must be a string or a real number, not '%s'",
                       dc_value_type_name (&x));
}

gboolean
dc_expr_call_builtin (DcExprEval *ev,
                      DcBuiltin   builtin,
                      DcValue    *args,
                      guint       n_args,
                      DcValue    *out,
                      GError    **error)
{
  const char *func = dc_builtin_name (builtin);

  switch (builtin)
    {
    case DC_BUILTIN_MAX:
    case DC_BUILTIN_MIN:
      return builtin_minmax (ev, builtin == DC_BUILTIN_MAX, args, n_args, out, error);
    case DC_BUILTIN_ABS:
      if (!arity (func, n_args, 1, 1, error) || !dc_value_scalar (&args[0], error))
        return FALSE;
      if (dc_value_is_intlike (&args[0]))
        {
          gint64 i = dc_value_get_int (&args[0]);

          if (i == G_MININT64)
            *out = dc_value_from_float (-(double) i);
          else
            *out = dc_value_from_int (i < 0 ? -i : i);
          return TRUE;
        }
      if (args[0].kind == DC_VALUE_FLOAT)
        {
          *out = dc_value_from_float (fabs (args[0].f));
          return TRUE;
        }
      return dc_expr_fail (error, DC_EXPR_ERROR_TYPE, "bad operand type for abs(): '%s'",
                           dc_value_type_name (&args[0]));
    case DC_BUILTIN_ROUND:
      if (!arity (func, n_args, 1, 2, error) || !dc_value_scalar (&args[0], error) ||
          (n_args == 2 && !dc_value_scalar (&args[1], error)))
        return FALSE;
      return builtin_round (ev, args, n_args, out, error);
    case DC_BUILTIN_SUM:
      if (!arity (func, n_args, 1, 2, error))
        return FALSE;
      return builtin_sum (ev, args, n_args, out, error);
    case DC_BUILTIN_LEN:
      if (!arity (func, n_args, 1, 1, error))
        return FALSE;
      switch (args[0].kind)
        {
        case DC_VALUE_STR:
          *out = dc_value_from_int (g_utf8_strlen (args[0].str.s, args[0].str.len));
          return TRUE;
        case DC_VALUE_LIST:
          *out = dc_value_from_int (args[0].list.n);
          return TRUE;
        case DC_VALUE_SERIES:
          *out = dc_value_from_int (args[0].series.n);
          return TRUE;
        case DC_VALUE_NONE:
        case DC_VALUE_BOOL:
        case DC_VALUE_INT:
        case DC_VALUE_FLOAT:
        case DC_VALUE_OBJECT:
        case DC_VALUE_BUILTIN:
        case DC_VALUE_METHOD:
        default:
          return dc_expr_fail (error, DC_EXPR_ERROR_TYPE, "object of type '%s' has no len()",
                               dc_value_type_name (&args[0]));
        }
    case DC_BUILTIN_INT:
      if (!arity (func, n_args, 0, 1, error) || (n_args == 1 && !dc_value_scalar (&args[0],
                                                                                  error)))
        return FALSE;
      return builtin_int (ev, args, n_args, out, error);
    case DC_BUILTIN_FLOAT:
      if (!arity (func, n_args, 0, 1, error) || (n_args == 1 && !dc_value_scalar (&args[0],
                                                                                  error)))
        return FALSE;
      return builtin_float (ev, args, n_args, out, error);
    case DC_BUILTIN_STR:
      if (!arity (func, n_args, 0, 1, error) || (n_args == 1 && !dc_value_scalar (&args[0],
                                                                                  error)))
        return FALSE;
      if (n_args == 0)
        return dc_value_take_string (ev, g_string_new (""), out, error);
      if (args[0].kind == DC_VALUE_STR)
        {
          *out = args[0];
          return TRUE;
        }
      {
        GString *s = NULL;

        if (args[0].kind == DC_VALUE_LIST && !dc_expr_step (ev, args[0].list.n, error))
          return FALSE;
        if (!dc_value_repr_limited (ev, &args[0], &s, error))
          return FALSE;
        return dc_value_take_string (ev, s, out, error);
      }
    case DC_BUILTIN_BOOL:
      {
        gboolean b = FALSE;

        if (!arity (func, n_args, 0, 1, error))
          return FALSE;
        if (n_args == 1 && !dc_value_truth (&args[0], &b, error))
          return FALSE;
        *out = dc_value_from_bool (b);
        return TRUE;
      }
    case DC_N_BUILTINS:
    default:
      g_assert_not_reached ();
    }
}

gboolean
dc_expr_call_method (DcExprEval   *ev,
                     DcMethod      method,
                     DcSeriesView *series,
                     DcValue      *args,
                     guint         n_args,
                     DcValue      *out,
                     GError      **error)
{
  static const char * const names[DC_N_METHODS] = {
    "max", "min", "sum", "mean", "count", "last", "window",
  };
  g_autofree char *func = g_strdup_printf ("%s.%s", series->name, names[method]);
  double acc = 0.0;

  if (!arity (func, n_args, method == DC_METHOD_WINDOW ? 1 : 0,
              method == DC_METHOD_WINDOW ? 1 : 0, error))
    return FALSE;

  if (method != DC_METHOD_COUNT && method != DC_METHOD_WINDOW &&
      !dc_expr_step (ev, series->n, error))
    return FALSE;

  switch (method)
    {
    case DC_METHOD_MAX:
    case DC_METHOD_MIN:
      if (series->n == 0)
        return dc_expr_fail (error, DC_EXPR_ERROR_VALUE, "series %s is empty", series->name);
      acc = series->values[0];
      for (guint i = 1; i < series->n; i++)
        {
          double v = series->values[i];

          if (isnan (acc) || (method == DC_METHOD_MAX ? v > acc : v < acc))
            acc = v;
        }
      *out = dc_value_from_float (acc);
      return TRUE;
    case DC_METHOD_SUM:
    case DC_METHOD_MEAN:
      if (method == DC_METHOD_MEAN && series->n == 0)
        return dc_expr_fail (error, DC_EXPR_ERROR_VALUE, "series %s is empty", series->name);
      for (guint i = 0; i < series->n; i++)
        acc += series->values[i];
      *out = dc_value_from_float (method == DC_METHOD_MEAN ? acc / series->n : acc);
      return TRUE;
    case DC_METHOD_COUNT:
      *out = dc_value_from_int (series->n);
      return TRUE;
    case DC_METHOD_LAST:
      if (series->n == 0)
        return dc_expr_fail (error, DC_EXPR_ERROR_VALUE, "series %s is empty", series->name);
      *out = dc_value_from_float (series->values[series->n - 1]);
      return TRUE;
    case DC_METHOD_WINDOW:
      {
        DcValue seconds = args[0];
        gint64 reference;
        gint64 from;
        guint lo, hi;

        if (!dc_value_scalar (&seconds, error))
          return FALSE;
        if (!dc_value_is_number (&seconds))
          return dc_expr_fail (error, DC_EXPR_ERROR_TYPE,
                               "%s() takes a number of seconds, not '%s'",
                               func, dc_value_type_name (&seconds));
        if (!(dc_value_get_float (&seconds) >= 0.0) || dc_value_get_float (&seconds) > 1e10)
          return dc_expr_fail (error, DC_EXPR_ERROR_VALUE,
                               "%s() takes a number of seconds between 0 and 1e10", func);
        *out = dc_value_from_float (0);
        out->kind = DC_VALUE_SERIES;
        out->series = *series;
        if (series->n == 0)
          return TRUE;
        if (series->times == NULL)
          return dc_expr_fail (error, DC_EXPR_ERROR_VALUE, "series %s has no times", series->name);
        reference = ev->scope->has_now ? ev->scope->now : series->times[series->n - 1];
        from = reference - (gint64) (dc_value_get_float (&seconds) * G_USEC_PER_SEC);
        /* The first sample at or after @from (times ascend). */
        lo = 0;
        hi = series->n;
        while (lo < hi)
          {
            guint mid = lo + (hi - lo) / 2;

            if (series->times[mid] >= from)
              hi = mid;
            else
              lo = mid + 1;
          }
        out->series.values += lo;
        out->series.times += lo;
        out->series.n -= lo;
        return dc_expr_step (ev, 32, error);
      }
    case DC_N_METHODS:
    default:
      g_assert_not_reached ();
    }
}
