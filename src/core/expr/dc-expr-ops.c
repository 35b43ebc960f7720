/* dc-expr-ops.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-expr"

#include "config.h"

#include <math.h>
#include <string.h>

#include "dc-expr-private.h"

/* The operators of the expression language with Python semantics: arithmetic, comparisons
 * and membership, subscripts and slices, and attribute access (series methods, object
 * fields). */

/* Arithmetic */

gboolean
dc_expr_float_arith (DcOp     op,
                     double   a,
                     double   b,
                     DcValue *out,
                     GError **error)
{
  double r;

  switch (op)
    {
    case DC_OP_ADD: r = a + b; break;
    case DC_OP_SUB: r = a - b; break;
    case DC_OP_MUL: r = a * b; break;
    case DC_OP_DIV:
      if (b == 0.0)
        return dc_expr_fail (error, DC_EXPR_ERROR_ZERO_DIVISION, "division by zero");
      r = a / b;
      break;
    case DC_OP_MOD:
    case DC_OP_FLOORDIV:
      {
        double mod;
        double div;
        double floordiv;

        if (b == 0.0)
          return dc_expr_fail (error, DC_EXPR_ERROR_ZERO_DIVISION, "division by zero");
        /* CPython's float_divmod. */
        mod = fmod (a, b);
        div = (a - mod) / b;
        if (mod != 0.0)
          {
            if ((b < 0) != (mod < 0))
              {
                mod += b;
                div -= 1.0;
              }
          }
        else
          mod = copysign (0.0, b);
        if (div != 0.0)
          {
            floordiv = floor (div);
            if (div - floordiv > 0.5)
              floordiv += 1.0;
          }
        else
          floordiv = copysign (0.0, a / b);
        r = op == DC_OP_MOD ? mod : floordiv;
      }
      break;
    case DC_OP_POW:
      if (a == 0.0 && b < 0.0)
        return dc_expr_fail (error, DC_EXPR_ERROR_ZERO_DIVISION,
                             "0.0 cannot be raised to a negative power");
      if (a < 0.0 && isfinite (b) && floor (b) != b)
        return dc_expr_fail (error, DC_EXPR_ERROR_VALUE,
                             "a negative number raised to a fractional power is complex "
                             "(not supported)");
      r = pow (a, b);
      if (isinf (r) && isfinite (a) && isfinite (b))
        return dc_expr_fail (error, DC_EXPR_ERROR_OVERFLOW, "numeric result out of range");
      break;
    case DC_OP_NEG:
    case DC_OP_POS:
    case DC_OP_LT:
    case DC_OP_LE:
    case DC_OP_GT:
    case DC_OP_GE:
    case DC_OP_EQ:
    case DC_OP_NE:
    case DC_OP_IN:
    case DC_OP_NOT_IN:
    case DC_OP_IS:
    case DC_OP_IS_NOT:
    default:
      g_assert_not_reached ();
    }
  *out = dc_value_from_float (r);
  return TRUE;
}

/* Integers are 64-bit; a result beyond that is computed in floating point instead
 * (docs/plugins.md). */
gboolean
dc_expr_int_arith (DcOp     op,
                   gint64   a,
                   gint64   b,
                   DcValue *out,
                   GError **error)
{
  gint64 r;

  switch (op)
    {
    case DC_OP_ADD:
      if (__builtin_add_overflow (a, b, &r))
        return dc_expr_float_arith (op, (double) a, (double) b, out, error);
      break;
    case DC_OP_SUB:
      if (__builtin_sub_overflow (a, b, &r))
        return dc_expr_float_arith (op, (double) a, (double) b, out, error);
      break;
    case DC_OP_MUL:
      if (__builtin_mul_overflow (a, b, &r))
        return dc_expr_float_arith (op, (double) a, (double) b, out, error);
      break;
    case DC_OP_DIV:
      if (b == 0)
        return dc_expr_fail (error, DC_EXPR_ERROR_ZERO_DIVISION, "division by zero");
      return dc_expr_float_arith (op, (double) a, (double) b, out, error);
    case DC_OP_FLOORDIV:
    case DC_OP_MOD:
      if (b == 0)
        return dc_expr_fail (error, DC_EXPR_ERROR_ZERO_DIVISION, op == DC_OP_MOD ?
                             "integer modulo by zero" : "integer division or modulo by zero");
      if (b == -1)
        {
          if (op == DC_OP_MOD)
            r = 0;
          else if (a == G_MININT64)
            return dc_expr_float_arith (DC_OP_MUL, (double) a, -1.0, out, error);
          else
            r = -a;
          break;
        }
      if (op == DC_OP_FLOORDIV)
        {
          r = a / b;
          if (a % b != 0 && ((a < 0) != (b < 0)))
            r--;
        }
      else
        {
          r = a % b;
          if (r != 0 && ((r < 0) != (b < 0)))
            r += b;
        }
      break;
    case DC_OP_POW:
      if (b < 0)
        {
          if (a == 0)
            return dc_expr_fail (error, DC_EXPR_ERROR_ZERO_DIVISION,
                                 "0.0 cannot be raised to a negative power");
          return dc_expr_float_arith (op, (double) a, (double) b, out, error);
        }
      else
        {
          gint64 base = a;
          gint64 e = b;

          r = 1;
          while (e > 0)
            {
              if (e & 1)
                {
                  if (__builtin_mul_overflow (r, base, &r))
                    return dc_expr_float_arith (op, (double) a, (double) b, out, error);
                }
              e >>= 1;
              if (e > 0 && __builtin_mul_overflow (base, base, &base))
                return dc_expr_float_arith (op, (double) a, (double) b, out, error);
            }
        }
      break;
    case DC_OP_NEG:
    case DC_OP_POS:
    case DC_OP_LT:
    case DC_OP_LE:
    case DC_OP_GT:
    case DC_OP_GE:
    case DC_OP_EQ:
    case DC_OP_NE:
    case DC_OP_IN:
    case DC_OP_NOT_IN:
    case DC_OP_IS:
    case DC_OP_IS_NOT:
    default:
      g_assert_not_reached ();
    }
  *out = dc_value_from_int (r);
  return TRUE;
}

static gboolean
repeat (DcExprEval    *ev,
        const DcValue *seq,
        gint64         count,
        DcValue       *out,
        GError       **error)
{
  if (count < 0 || (seq->kind == DC_VALUE_STR && seq->str.len == 0) ||
      (seq->kind == DC_VALUE_LIST && seq->list.n == 0))
    count = 0;

  if (seq->kind == DC_VALUE_STR)
    {
      GString *s;

      if (seq->str.len > 0 && (guint64) count > DC_EXPR_MAX_STRING / seq->str.len)
        return dc_expr_fail (error, DC_EXPR_ERROR_LIMIT, "string too long (limit %d bytes)",
                             DC_EXPR_MAX_STRING);
      if (!dc_expr_step (ev, (guint) (seq->str.len * count / 64 + 1), error))
        return FALSE;
      s = g_string_sized_new (seq->str.len * count + 1);
      for (gint64 i = 0; i < count; i++)
        g_string_append_len (s, seq->str.s, seq->str.len);
      return dc_value_take_string (ev, s, out, error);
    }

  /* A list. */
  if (seq->list.n > 0 && (guint64) count > ev->scope->max_series / seq->list.n)
    return dc_expr_fail (error, DC_EXPR_ERROR_LIMIT, "list too long (limit %u items)",
                         ev->scope->max_series);
  if (!dc_expr_step (ev, (guint) (seq->list.n * count + 1), error))
    return FALSE;
  out->kind = DC_VALUE_LIST;
  out->list.n = (guint) (seq->list.n * count);
  out->list.items = dc_expr_arena_alloc (ev, sizeof (DcValue) * out->list.n);
  for (guint i = 0; i < out->list.n; i++)
    out->list.items[i] = seq->list.items[i % seq->list.n];
  return TRUE;
}

gboolean
dc_expr_binary (DcExprEval *ev,
                DcOp        op,
                DcValue     a,
                DcValue     b,
                DcValue    *out,
                GError    **error)
{
  if (!dc_value_scalar (&a, error) || !dc_value_scalar (&b, error))
    return FALSE;

  if (dc_value_is_intlike (&a) && dc_value_is_intlike (&b))
    return dc_expr_int_arith (op, dc_value_get_int (&a), dc_value_get_int (&b), out, error);
  if (dc_value_is_number (&a) && dc_value_is_number (&b))
    return dc_expr_float_arith (op, dc_value_get_float (&a), dc_value_get_float (&b), out, error);

  if (op == DC_OP_ADD && a.kind == DC_VALUE_STR && b.kind == DC_VALUE_STR)
    {
      GString *s;

      if (a.str.len + b.str.len > DC_EXPR_MAX_STRING)
        return dc_expr_fail (error, DC_EXPR_ERROR_LIMIT, "string too long (limit %d bytes)",
                             DC_EXPR_MAX_STRING);
      if (!dc_expr_step (ev, (guint) ((a.str.len + b.str.len) / 64 + 1), error))
        return FALSE;
      s = g_string_sized_new (a.str.len + b.str.len + 1);
      g_string_append_len (s, a.str.s, a.str.len);
      g_string_append_len (s, b.str.s, b.str.len);
      return dc_value_take_string (ev, s, out, error);
    }
  if (op == DC_OP_ADD && a.kind == DC_VALUE_LIST && b.kind == DC_VALUE_LIST)
    {
      if (!dc_expr_step (ev, a.list.n + b.list.n, error))
        return FALSE;
      out->kind = DC_VALUE_LIST;
      out->list.n = a.list.n + b.list.n;
      out->list.items = dc_expr_arena_alloc (ev, sizeof (DcValue) * out->list.n);
      memcpy (out->list.items, a.list.items, sizeof (DcValue) * a.list.n);
      memcpy (out->list.items + a.list.n, b.list.items, sizeof (DcValue) * b.list.n);
      return TRUE;
    }
  if (op == DC_OP_MUL && (a.kind == DC_VALUE_STR || a.kind == DC_VALUE_LIST) &&
      dc_value_is_intlike (&b))
    return repeat (ev, &a, dc_value_get_int (&b), out, error);
  if (op == DC_OP_MUL && (b.kind == DC_VALUE_STR || b.kind == DC_VALUE_LIST) &&
      dc_value_is_intlike (&a))
    return repeat (ev, &b, dc_value_get_int (&a), out, error);
  if (op == DC_OP_MOD && a.kind == DC_VALUE_STR)
    return dc_expr_fail (error, DC_EXPR_ERROR_UNSUPPORTED, "string formatting is not supported");

  return dc_expr_fail (error, DC_EXPR_ERROR_TYPE,
                       "unsupported operand type(s) for %s: '%s' and '%s'",
                       dc_op_text (op), dc_value_type_name (&a), dc_value_type_name (&b));
}

/* Comparisons */

/* Python's ==, a step per list element compared (docs/security.md, "Limits"). */
static gboolean
values_equal (DcExprEval    *ev,
              const DcValue *a,
              const DcValue *b,
              gboolean      *equal,
              GError       **error)
{
  *equal = FALSE;
  if (dc_value_is_number (a) && dc_value_is_number (b))
    {
      if (dc_value_is_intlike (a) && dc_value_is_intlike (b))
        *equal = dc_value_get_int (a) == dc_value_get_int (b);
      else
        *equal = dc_value_get_float (a) == dc_value_get_float (b);
      return TRUE;
    }
  if (a->kind != b->kind)
    return TRUE;
  switch (a->kind)
    {
    case DC_VALUE_NONE:
      *equal = TRUE;
      return TRUE;
    case DC_VALUE_STR:
      *equal = a->str.len == b->str.len && memcmp (a->str.s, b->str.s, a->str.len) == 0;
      return TRUE;
    case DC_VALUE_LIST:
      if (a->list.n != b->list.n)
        return TRUE;
      if (!dc_expr_step (ev, a->list.n, error))
        return FALSE;
      *equal = TRUE;
      for (guint i = 0; i < a->list.n && *equal; i++)
        if (!values_equal (ev, &a->list.items[i], &b->list.items[i], equal, error))
          return FALSE;
      return TRUE;
    case DC_VALUE_OBJECT:
      *equal = a->obj.object == b->obj.object;
      return TRUE;
    case DC_VALUE_BUILTIN:
      *equal = a->builtin == b->builtin;
      return TRUE;
    case DC_VALUE_BOOL:
    case DC_VALUE_INT:
    case DC_VALUE_FLOAT:
    case DC_VALUE_SERIES:
    case DC_VALUE_METHOD:
    default:
      return TRUE;
    }
}

/* Orders two values for <, <=, >, >=, max() and min(): sets *@cmp to -1, 0 or 1, or fails
 * with Python's TypeError. NaN compares as unordered: *@unordered is set. */
gboolean
dc_expr_values_order (DcOp           op,
                      const DcValue *a,
                      const DcValue *b,
                      int           *cmp,
                      gboolean      *unordered,
                      GError       **error)
{
  *unordered = FALSE;
  if (dc_value_is_intlike (a) && dc_value_is_intlike (b))
    {
      gint64 x = dc_value_get_int (a), y = dc_value_get_int (b);

      *cmp = (x > y) - (x < y);
      return TRUE;
    }
  if (dc_value_is_number (a) && dc_value_is_number (b))
    {
      double x = dc_value_get_float (a), y = dc_value_get_float (b);

      if (isnan (x) || isnan (y))
        {
          *unordered = TRUE;
          *cmp = 0;
          return TRUE;
        }
      *cmp = (x > y) - (x < y);
      return TRUE;
    }
  if (a->kind == DC_VALUE_STR && b->kind == DC_VALUE_STR)
    {
      int c = memcmp (a->str.s, b->str.s, MIN (a->str.len, b->str.len));

      if (c == 0)
        c = (a->str.len > b->str.len) - (a->str.len < b->str.len);
      *cmp = (c > 0) - (c < 0);
      return TRUE;
    }
  return dc_expr_fail (error, DC_EXPR_ERROR_TYPE,
                       "'%s' not supported between instances of '%s' and '%s'",
                       dc_op_text (op), dc_value_type_name (a), dc_value_type_name (b));
}

static gboolean
contains (DcExprEval    *ev,
          const DcValue *needle,
          const DcValue *haystack,
          gboolean      *result,
          GError       **error)
{
  *result = FALSE;
  switch (haystack->kind)
    {
    case DC_VALUE_STR:
      if (needle->kind != DC_VALUE_STR)
        return dc_expr_fail (error, DC_EXPR_ERROR_TYPE,
                             "'in <string>' requires string as left operand, not %s",
                             dc_value_type_name (needle));
      if (!dc_expr_step (ev, (guint) (haystack->str.len / 64 + 1), error))
        return FALSE;
      *result = g_strstr_len (haystack->str.s, haystack->str.len, needle->str.s) != NULL ||
                needle->str.len == 0;
      return TRUE;
    case DC_VALUE_LIST:
      if (!dc_expr_step (ev, haystack->list.n, error))
        return FALSE;
      for (guint i = 0; i < haystack->list.n && !*result; i++)
        if (!values_equal (ev, needle, &haystack->list.items[i], result, error))
          return FALSE;
      return TRUE;
    case DC_VALUE_SERIES:
      if (!dc_expr_step (ev, haystack->series.n, error))
        return FALSE;
      for (guint i = 0; i < haystack->series.n && !*result; i++)
        {
          DcValue item = dc_value_from_float (haystack->series.values[i]);

          if (!values_equal (ev, needle, &item, result, error))
            return FALSE;
        }
      return TRUE;
    case DC_VALUE_NONE:
    case DC_VALUE_BOOL:
    case DC_VALUE_INT:
    case DC_VALUE_FLOAT:
    case DC_VALUE_OBJECT:
    case DC_VALUE_BUILTIN:
    case DC_VALUE_METHOD:
    default:
      return dc_expr_fail (error, DC_EXPR_ERROR_TYPE, "argument of type '%s' is not iterable",
                           dc_value_type_name (haystack));
    }
}

gboolean
dc_expr_compare (DcExprEval *ev,
                 DcOp        op,
                 DcValue     a,
                 DcValue     b,
                 gboolean   *result,
                 GError    **error)
{
  int cmp = 0;
  gboolean unordered = FALSE;

  if (op == DC_OP_IN || op == DC_OP_NOT_IN)
    {
      if (!dc_value_scalar (&a, error) || !contains (ev, &a, &b, result, error))
        return FALSE;
      if (op == DC_OP_NOT_IN)
        *result = !*result;
      return TRUE;
    }
  if (!dc_value_scalar (&a, error) || !dc_value_scalar (&b, error))
    return FALSE;

  switch (op)
    {
    case DC_OP_EQ:
      return values_equal (ev, &a, &b, result, error);
    case DC_OP_NE:
      if (!values_equal (ev, &a, &b, result, error))
        return FALSE;
      *result = !*result;
      return TRUE;
    case DC_OP_IS:
    case DC_OP_IS_NOT:
      *result = FALSE;
      if (a.kind == b.kind && !values_equal (ev, &a, &b, result, error))
        return FALSE;
      if (op == DC_OP_IS_NOT)
        *result = !*result;
      return TRUE;
    case DC_OP_LT:
    case DC_OP_LE:
    case DC_OP_GT:
    case DC_OP_GE:
      if (!dc_expr_values_order (op, &a, &b, &cmp, &unordered, error))
        return FALSE;
      if (unordered)
        *result = FALSE;
      else if (op == DC_OP_LT)
        *result = cmp < 0;
      else if (op == DC_OP_LE)
        *result = cmp <= 0;
      else if (op == DC_OP_GT)
        *result = cmp > 0;
      else
        *result = cmp >= 0;
      return TRUE;
    case DC_OP_ADD:
    case DC_OP_SUB:
    case DC_OP_MUL:
    case DC_OP_DIV:
    case DC_OP_FLOORDIV:
    case DC_OP_MOD:
    case DC_OP_POW:
    case DC_OP_NEG:
    case DC_OP_POS:
    case DC_OP_IN:
    case DC_OP_NOT_IN:
    default:
      g_assert_not_reached ();
    }
}

/* Sequences */

/* Items of an iterable as a temporary array of values (series values become floats). */
gboolean
dc_expr_iterate (DcExprEval     *ev,
                 const char     *func,
                 const DcValue  *v,
                 const DcValue **items,
                 guint          *n,
                 GError        **error)
{
  if (v->kind == DC_VALUE_LIST)
    {
      if (!dc_expr_step (ev, v->list.n, error))
        return FALSE;
      *items = v->list.items;
      *n = v->list.n;
      return TRUE;
    }
  if (v->kind == DC_VALUE_SERIES)
    {
      DcValue *array;

      if (!dc_expr_step (ev, v->series.n, error))
        return FALSE;
      array = dc_expr_arena_alloc (ev, sizeof (DcValue) * v->series.n);
      for (guint i = 0; i < v->series.n; i++)
        array[i] = dc_value_from_float (v->series.values[i]);
      *items = array;
      *n = v->series.n;
      return TRUE;
    }
  return dc_expr_fail (error, DC_EXPR_ERROR_TYPE, "%s() argument is not iterable: '%s' object",
                       func, dc_value_type_name (v));
}

static gboolean
index_of (const DcValue *index,
          const char    *what,
          gint64        *i,
          GError       **error)
{
  if (!dc_value_is_intlike (index))
    return dc_expr_fail (error, DC_EXPR_ERROR_TYPE, "%s indices must be integers, not %s", what,
                         dc_value_type_name (index));
  *i = dc_value_get_int (index);
  return TRUE;
}

gboolean
dc_expr_subscript (DcExprEval    *ev,
                   const DcValue *target,
                   DcValue        index,
                   DcValue       *out,
                   GError       **error)
{
  gint64 i = 0;
  gint64 n;

  if (!dc_value_scalar (&index, error))
    return FALSE;

  switch (target->kind)
    {
    case DC_VALUE_SERIES:
      if (!index_of (&index, "series", &i, error))
        return FALSE;
      n = target->series.n;
      if (i < 0)
        i += n;
      if (i < 0 || i >= n)
        {
          if (n == 0)
            return dc_expr_fail (error, DC_EXPR_ERROR_INDEX, "series %s is empty",
                                 target->series.name);
          return dc_expr_fail (error, DC_EXPR_ERROR_INDEX, "series index out of range");
        }
      *out = dc_value_from_float (target->series.values[i]);
      return TRUE;
    case DC_VALUE_LIST:
      if (!index_of (&index, "list", &i, error))
        return FALSE;
      n = target->list.n;
      if (i < 0)
        i += n;
      if (i < 0 || i >= n)
        return dc_expr_fail (error, DC_EXPR_ERROR_INDEX, "list index out of range");
      *out = target->list.items[i];
      return TRUE;
    case DC_VALUE_STR:
      {
        const char *p;
        GString *s;

        if (!index_of (&index, "string", &i, error))
          return FALSE;
        n = g_utf8_strlen (target->str.s, target->str.len);
        if (!dc_expr_step (ev, (guint) (target->str.len / 64 + 1), error))
          return FALSE;
        if (i < 0)
          i += n;
        if (i < 0 || i >= n)
          return dc_expr_fail (error, DC_EXPR_ERROR_INDEX, "string index out of range");
        p = g_utf8_offset_to_pointer (target->str.s, i);
        s = g_string_new_len (p, g_utf8_next_char (p) - p);
        return dc_value_take_string (ev, s, out, error);
      }
    case DC_VALUE_NONE:
    case DC_VALUE_BOOL:
    case DC_VALUE_INT:
    case DC_VALUE_FLOAT:
    case DC_VALUE_OBJECT:
    case DC_VALUE_BUILTIN:
    case DC_VALUE_METHOD:
    default:
      return dc_expr_fail (error, DC_EXPR_ERROR_TYPE, "'%s' object is not subscriptable",
                           dc_value_type_name (target));
    }
}

static gboolean
slice_bound (const DcValue *bound,
             gint64         n,
             gint64         fallback,
             gint64        *out,
             GError       **error)
{
  gint64 i = 0;

  if (bound == NULL || bound->kind == DC_VALUE_NONE)
    {
      *out = fallback;
      return TRUE;
    }
  if (!dc_value_is_intlike (bound))
    return dc_expr_fail (error, DC_EXPR_ERROR_TYPE,
                         "slice indices must be integers or None, not %s",
                         dc_value_type_name (bound));
  i = dc_value_get_int (bound);
  if (i < 0)
    i = MAX (i + n, 0);
  *out = MIN (i, n);
  return TRUE;
}

gboolean
dc_expr_slice (DcExprEval    *ev,
               const DcValue *target,
               DcValue       *lower,
               DcValue       *upper,
               DcValue       *out,
               GError       **error)
{
  gint64 n;
  gint64 start = 0;
  gint64 stop = 0;

  if ((lower != NULL && !dc_value_scalar (lower, error)) || (upper != NULL &&
                                                             !dc_value_scalar (upper, error)))
    return FALSE;

  switch (target->kind)
    {
    case DC_VALUE_SERIES: n = target->series.n; break;
    case DC_VALUE_LIST: n = target->list.n; break;
    case DC_VALUE_STR: n = g_utf8_strlen (target->str.s, target->str.len); break;
    case DC_VALUE_NONE:
    case DC_VALUE_BOOL:
    case DC_VALUE_INT:
    case DC_VALUE_FLOAT:
    case DC_VALUE_OBJECT:
    case DC_VALUE_BUILTIN:
    case DC_VALUE_METHOD:
    default:
      return dc_expr_fail (error, DC_EXPR_ERROR_TYPE, "'%s' object is not subscriptable",
                           dc_value_type_name (target));
    }
  if (!slice_bound (lower, n, 0, &start, error) || !slice_bound (upper, n, n, &stop, error))
    return FALSE;
  if (stop < start)
    stop = start;

  *out = *target;
  switch (target->kind)
    {
    /* An empty series or list may have no array at all: no offset then (not even 0). */
    case DC_VALUE_SERIES:
      if (start > 0)
        {
          out->series.values += start;
          if (out->series.times != NULL)
            out->series.times += start;
        }
      out->series.n = (guint) (stop - start);
      return TRUE;
    case DC_VALUE_LIST:
      if (start > 0)
        out->list.items += start;
      out->list.n = (guint) (stop - start);
      return TRUE;
    case DC_VALUE_STR:
      {
        const char *a = g_utf8_offset_to_pointer (target->str.s, start);
        const char *b = g_utf8_offset_to_pointer (target->str.s, stop);

        if (!dc_expr_step (ev, (guint) (target->str.len / 64 + 1), error))
          return FALSE;
        return dc_value_take_string (ev, g_string_new_len (a, b - a), out, error);
      }
    case DC_VALUE_NONE:
    case DC_VALUE_BOOL:
    case DC_VALUE_INT:
    case DC_VALUE_FLOAT:
    case DC_VALUE_OBJECT:
    case DC_VALUE_BUILTIN:
    case DC_VALUE_METHOD:
    default:
      g_assert_not_reached ();
    }
}

/* Attributes */

static gboolean
number_from_string (const char *s,
                    DcValue    *out)
{
  g_autofree char *copy = g_strstrip (g_strdup (s));
  char *end = NULL;
  gint64 i = 0;
  double f;

  if (*copy == '\0' || strpbrk (copy, "xXpP_") != NULL)
    return FALSE;
  if (g_ascii_string_to_signed (copy, 10, G_MININT64, G_MAXINT64, &i, NULL))
    {
      *out = dc_value_from_int (i);
      return TRUE;
    }
  f = g_ascii_strtod (copy, &end);
  if (end == copy || *end != '\0')
    return FALSE;
  *out = dc_value_from_float (f);
  return TRUE;
}

gboolean
dc_expr_attribute (DcExprEval    *ev,
                   const DcValue *target,
                   const char    *name,
                   DcValue       *out,
                   GError       **error)
{
  if (target->kind == DC_VALUE_SERIES)
    {
      DcMethod method;

      if (!dc_method_lookup (name, &method))
        return dc_expr_fail (error, DC_EXPR_ERROR_NAME,
                             "series %s has no method %s (use max, min, sum, mean, count, last or "
                             "window)", target->series.name, name);
      out->kind = DC_VALUE_METHOD;
      out->method.method = method;
      out->method.series = target->series;
      return TRUE;
    }

  if (target->kind == DC_VALUE_OBJECT)
    {
      JsonNode *node = json_object_get_member (target->obj.object, name);

      if (node == NULL)
        return dc_expr_fail (error, DC_EXPR_ERROR_NAME, "%s has no field %s", target->obj.name,
                             name);
      if (JSON_NODE_HOLDS_NULL (node))
        {
          out->kind = DC_VALUE_NONE;
          return TRUE;
        }
      if (!JSON_NODE_HOLDS_VALUE (node))
        return dc_expr_fail (error, DC_EXPR_ERROR_TYPE, "%s.%s is not a number or a string",
                             target->obj.name, name);
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_BOOLEAN:
          *out = dc_value_from_bool (json_node_get_boolean (node));
          return TRUE;
        case G_TYPE_INT64:
          *out = dc_value_from_int (json_node_get_int (node));
          return TRUE;
        case G_TYPE_DOUBLE:
          *out = dc_value_from_float (json_node_get_double (node));
          return TRUE;
        case G_TYPE_STRING:
          {
            const char *s = json_node_get_string (node);

            /* Numeric fields may be stored as numeric strings (docs/rest.md). */
            if (number_from_string (s, out))
              return TRUE;
            return dc_value_take_string (ev, g_string_new (s), out, error);
          }
        default:
          return dc_expr_fail (error, DC_EXPR_ERROR_TYPE, "%s.%s is not a number or a string",
                               target->obj.name, name);
        }
    }

  return dc_expr_fail (error, DC_EXPR_ERROR_TYPE, "'%s' object has no attribute '%s'",
                       dc_value_type_name (target), name);
}
