/* dc-expr-value.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-expr"

#include "config.h"

#include <math.h>
#include <string.h>

#include "dc-expr-private.h"

/* Values of the expression language and what every part shares: the error domain, the
 * names of the builtins and methods, and the helpers of one evaluation (its arena and step
 * count, Python's type names, truth and repr). */

G_DEFINE_QUARK (dc-expr-error-quark, dc_expr_error)

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

/* Helpers */

gpointer
dc_expr_arena_alloc (DcExprEval *ev,
                     gsize       size)
{
  gpointer mem = g_malloc0 (MAX (size, 1));

  /* Created on first use: most formulas allocate nothing. */
  if (ev->arena == NULL)
    ev->arena = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (ev->arena, mem);
  return mem;
}

gboolean
dc_expr_fail (GError    **error,
              DcExprError code,
              const char *format,
              ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (DC_EXPR_ERROR, code, format, args));
  va_end (args);
  return FALSE;
}

gboolean
dc_expr_step (DcExprEval *ev,
              guint       n,
              GError    **error)
{
  if (n > ev->scope->max_steps || ev->steps > ev->scope->max_steps - n)
    return dc_expr_fail (error, DC_EXPR_ERROR_LIMIT, "evaluation exceeded %u steps",
                         ev->scope->max_steps);
  ev->steps += n;
  return TRUE;
}

const char *
dc_value_type_name (const DcValue *v)
{
  switch (v->kind)
    {
    case DC_VALUE_NONE: return "NoneType";
    case DC_VALUE_BOOL: return "bool";
    case DC_VALUE_INT: return "int";
    case DC_VALUE_FLOAT: return "float";
    case DC_VALUE_STR: return "str";
    case DC_VALUE_LIST: return "list";
    case DC_VALUE_SERIES: return "series";
    case DC_VALUE_OBJECT: return "object";
    case DC_VALUE_BUILTIN: return "builtin_function_or_method";
    case DC_VALUE_METHOD: return "method";
    default: g_assert_not_reached ();
    }
}

gboolean
dc_value_take_string (DcExprEval *ev,
                      GString    *s,
                      DcValue    *out,
                      GError    **error)
{
  if (s->len > DC_EXPR_MAX_STRING)
    {
      g_string_free (s, TRUE);
      return dc_expr_fail (error, DC_EXPR_ERROR_LIMIT, "string too long (limit %d bytes)",
                           DC_EXPR_MAX_STRING);
    }
  out->kind = DC_VALUE_STR;
  out->str.len = s->len;
  out->str.s = s->str;
  if (ev->arena == NULL)
    ev->arena = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (ev->arena, g_string_free (s, FALSE));
  return TRUE;
}

/* A series used as a number is its newest value (docs/model.md: series ⊕ series aligns on the
 * newest values). */
gboolean
dc_value_scalar (DcValue  *v,
                 GError  **error)
{
  if (v->kind != DC_VALUE_SERIES)
    return TRUE;
  if (v->series.n == 0)
    return dc_expr_fail (error, DC_EXPR_ERROR_VALUE, "series %s is empty", v->series.name);
  *v = dc_value_from_float (v->series.values[v->series.n - 1]);
  return TRUE;
}

void
dc_float_repr (GString *out,
               double   value)
{
  char buf[40];
  char digits[24];
  int n_digits = 0;
  int exp10;
  gboolean negative;
  const char *e;

  if (isnan (value))
    {
      g_string_append (out, "nan");
      return;
    }
  if (isinf (value))
    {
      g_string_append (out, value < 0 ? "-inf" : "inf");
      return;
    }

  /* The shortest digits that read back as the same double, as Python's repr. */
  for (int prec = 1; prec <= 17; prec++)
    {
      g_snprintf (buf, sizeof buf, "%.*e", prec - 1, value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }

  negative = buf[0] == '-';
  for (const char *p = buf + negative; *p != 'e'; p++)
    if (g_ascii_isdigit (*p))
      digits[n_digits++] = *p;
  while (n_digits > 1 && digits[n_digits - 1] == '0')
    n_digits--;
  digits[n_digits] = '\0';
  e = strchr (buf, 'e');
  exp10 = atoi (e + 1);

  if (negative)
    g_string_append_c (out, '-');

  if (exp10 >= -5 + 1 && exp10 < 16)
    {
      if (exp10 < 0)
        {
          g_string_append (out, "0.");
          for (int i = -1; i > exp10; i--)
            g_string_append_c (out, '0');
          g_string_append (out, digits);
        }
      else
        {
          for (int i = 0; i <= exp10; i++)
            g_string_append_c (out, i < n_digits ? digits[i] : '0');
          g_string_append_c (out, '.');
          if (n_digits > exp10 + 1)
            g_string_append (out, digits + exp10 + 1);
          else
            g_string_append_c (out, '0');
        }
    }
  else
    {
      g_string_append_c (out, digits[0]);
      if (n_digits > 1)
        {
          g_string_append_c (out, '.');
          g_string_append (out, digits + 1);
        }
      g_string_append_printf (out, "e%c%02d", exp10 < 0 ? '-' : '+', ABS (exp10));
    }
}

static void
string_repr (GString    *out,
             const char *s,
             gsize       len)
{
  char quote = (memchr (s, '\'', len) != NULL && memchr (s, '"', len) == NULL) ? '"' : '\'';

  g_string_append_c (out, quote);
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) s[i];

      if (c == '\\' || c == (guchar) quote)
        g_string_append_printf (out, "\\%c", c);
      else if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\r')
        g_string_append (out, "\\r");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\x%02x", c);
      else
        g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, quote);
}

/* repr() of @v into @out, stopping as soon as @out holds more than @max_len bytes: the cost
 * is bounded by @max_len whatever the value. Lists share their items, so a value built in
 * few steps ([[1]*100000]*100000) can have 10^10 elements (docs/security.md, "Limits").
 * FALSE when it stopped early. */
gboolean
dc_value_repr (GString       *out,
               const DcValue *v,
               gsize          max_len)
{
  switch (v->kind)
    {
    case DC_VALUE_NONE:
      g_string_append (out, "None");
      break;
    case DC_VALUE_BOOL:
      g_string_append (out, v->b ? "True" : "False");
      break;
    case DC_VALUE_INT:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, v->i);
      break;
    case DC_VALUE_FLOAT:
      dc_float_repr (out, v->f);
      break;
    case DC_VALUE_STR:
      string_repr (out, v->str.s, v->str.len);
      break;
    case DC_VALUE_LIST:
      g_string_append_c (out, '[');
      for (guint i = 0; i < v->list.n; i++)
        {
          if (i > 0)
            g_string_append (out, ", ");
          if (out->len > max_len || !dc_value_repr (out, &v->list.items[i], max_len))
            return FALSE;
        }
      g_string_append_c (out, ']');
      break;
    case DC_VALUE_SERIES:
      g_string_append_printf (out, "<series %s of %u samples>", v->series.name, v->series.n);
      break;
    case DC_VALUE_OBJECT:
      g_string_append_printf (out, "<object %s>", v->obj.name);
      break;
    case DC_VALUE_BUILTIN:
      g_string_append_printf (out, "<built-in function %s>", dc_builtin_name (v->builtin));
      break;
    case DC_VALUE_METHOD:
      g_string_append_printf (out, "<method of series %s>", v->method.series.name);
      break;
    default:
      g_assert_not_reached ();
    }
  return out->len <= max_len;
}

#define SHORT_REPR_LEN 40

/* repr() limited to a readable length, for messages. */
char *
dc_value_short_repr (const DcValue *v)
{
  g_autoptr(GString) s = g_string_new (NULL);

  dc_value_repr (s, v, SHORT_REPR_LEN);
  if (s->len > SHORT_REPR_LEN)
    {
      const char *cut = s->str + SHORT_REPR_LEN;

      while (cut > s->str && ((guchar) *cut & 0xc0) == 0x80)
        cut--;
      g_string_truncate (s, cut - s->str);
      g_string_append (s, "…");
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* repr() as a string value (str(), dc_expr_eval_repr()): at most DC_EXPR_MAX_STRING bytes,
 * a step per 64 bytes written. */
gboolean
dc_value_repr_limited (DcExprEval    *ev,
                       const DcValue *v,
                       GString      **out,
                       GError       **error)
{
  g_autoptr(GString) s = g_string_new (NULL);

  if (!dc_value_repr (s, v, DC_EXPR_MAX_STRING))
    return dc_expr_fail (error, DC_EXPR_ERROR_LIMIT, "string too long (limit %d bytes)",
                         DC_EXPR_MAX_STRING);
  if (!dc_expr_step (ev, (guint) (s->len / 64 + 1), error))
    return FALSE;
  *out = g_steal_pointer (&s);
  return TRUE;
}

gboolean
dc_value_truth (const DcValue *v,
                gboolean      *result,
                GError       **error)
{
  switch (v->kind)
    {
    case DC_VALUE_NONE: *result = FALSE; break;
    case DC_VALUE_BOOL: *result = v->b; break;
    case DC_VALUE_INT: *result = v->i != 0; break;
    case DC_VALUE_FLOAT: *result = v->f != 0.0; break;
    case DC_VALUE_STR: *result = v->str.len != 0; break;
    case DC_VALUE_LIST: *result = v->list.n != 0; break;
    case DC_VALUE_SERIES:
      {
        DcValue s = *v;

        if (!dc_value_scalar (&s, error))
          return FALSE;
        *result = s.f != 0.0;
      }
      break;
    case DC_VALUE_OBJECT:
    case DC_VALUE_BUILTIN:
    case DC_VALUE_METHOD:
    default:
      *result = TRUE;
      break;
    }
  return TRUE;
}

const char *
dc_op_text (DcOp op)
{
  switch (op)
    {
    case DC_OP_ADD: return "+";
    case DC_OP_SUB: return "-";
    case DC_OP_MUL: return "*";
    case DC_OP_DIV: return "/";
    case DC_OP_FLOORDIV: return "//";
    case DC_OP_MOD: return "%";
    case DC_OP_POW: return "**";
    case DC_OP_NEG: return "unary -";
    case DC_OP_POS: return "unary +";
    case DC_OP_LT: return "<";
    case DC_OP_LE: return "<=";
    case DC_OP_GT: return ">";
    case DC_OP_GE: return ">=";
    case DC_OP_EQ: return "==";
    case DC_OP_NE: return "!=";
    case DC_OP_IN: return "in";
    case DC_OP_NOT_IN: return "not in";
    case DC_OP_IS: return "is";
    case DC_OP_IS_NOT: return "is not";
    default: g_assert_not_reached ();
    }
}
