/* dc-expr-eval.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-expr"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dc-expr-private.h"

/* The evaluator: a tree walk with Python semantics over DcValue. Every allocation of one
 * evaluation (strings, lists, argument vectors) goes to an arena freed at the end, so values
 * are plain structs copied freely. Every node visited and every series element touched
 * costs a step; past the scope's limit the evaluation stops with an error. */

typedef struct
{
  DcValue  value;
  char    *owned_string;
  guint    series_n;      /* the requested length when the series is over the limit */
} Binding;

struct _DcExprScope
{
  GHashTable *bindings;   /* name → Binding */
  guint       max_steps;
  guint       max_series;
  gint64      now;
  gboolean    has_now;
};

typedef struct
{
  DcExprScope *scope;
  guint        steps;
  GPtrArray   *arena;
} Eval;

/* Scope */

static void
binding_free (gpointer data)
{
  Binding *binding = data;

  g_free (binding->owned_string);
  g_free (binding);
}

DcExprScope *
dc_expr_scope_new (void)
{
  DcExprScope *self = g_new0 (DcExprScope, 1);

  self->bindings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, binding_free);
  self->max_steps = DC_EXPR_DEFAULT_MAX_STEPS;
  self->max_series = DC_EXPR_DEFAULT_MAX_SERIES;
  return self;
}

void
dc_expr_scope_free (DcExprScope *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->bindings);
  g_free (self);
}

void
dc_expr_scope_set_limits (DcExprScope *self,
                          guint        max_steps,
                          guint        max_series)
{
  g_return_if_fail (self != NULL);

  self->max_steps = max_steps;
  self->max_series = max_series;
}

void
dc_expr_scope_set_now (DcExprScope *self,
                       gint64       now_us)
{
  g_return_if_fail (self != NULL);

  self->now = now_us;
  self->has_now = TRUE;
}

static Binding *
scope_bind (DcExprScope *self,
            const char  *name)
{
  Binding *binding = g_hash_table_lookup (self->bindings, name);

  if (binding == NULL)
    {
      char *key = g_strdup (name);

      binding = g_new0 (Binding, 1);
      g_hash_table_insert (self->bindings, key, binding);
    }
  else
    {
      g_clear_pointer (&binding->owned_string, g_free);
      memset (binding, 0, sizeof *binding);
    }
  return binding;
}

/* The key owned by the table, for messages that outlive the caller's string. */
static const char *
scope_key (DcExprScope *self,
           const char  *name)
{
  gpointer key = NULL;

  g_hash_table_lookup_extended (self->bindings, name, &key, NULL);
  return key;
}

void
dc_expr_scope_set_number (DcExprScope *self,
                          const char  *name,
                          double       value)
{
  Binding *binding;

  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL);

  binding = scope_bind (self, name);
  binding->value.kind = DC_VALUE_FLOAT;
  binding->value.f = value;
}

void
dc_expr_scope_set_string (DcExprScope *self,
                          const char  *name,
                          const char  *value)
{
  Binding *binding;

  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL);
  g_return_if_fail (value != NULL);

  binding = scope_bind (self, name);
  binding->owned_string = g_strdup (value);
  binding->value.kind = DC_VALUE_STR;
  binding->value.str.s = binding->owned_string;
  binding->value.str.len = strlen (value);
}

void
dc_expr_scope_set_series (DcExprScope  *self,
                          const char   *name,
                          const gint64 *times,
                          const double *values,
                          guint         n)
{
  Binding *binding;

  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL);
  g_return_if_fail (n == 0 || values != NULL);

  binding = scope_bind (self, name);
  binding->value.kind = DC_VALUE_SERIES;
  binding->value.series.name = scope_key (self, name);
  binding->value.series.times = times;
  binding->value.series.values = values;
  binding->value.series.n = n;
  binding->series_n = n;
}

void
dc_expr_scope_set_object (DcExprScope *self,
                          const char  *name,
                          JsonObject  *object)
{
  Binding *binding;

  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL);
  g_return_if_fail (object != NULL);

  binding = scope_bind (self, name);
  binding->value.kind = DC_VALUE_OBJECT;
  binding->value.obj.object = object;
  binding->value.obj.name = scope_key (self, name);
}

void
dc_expr_scope_unset (DcExprScope *self,
                     const char  *name)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL);

  g_hash_table_remove (self->bindings, name);
}

/* Helpers */

static gpointer
arena_alloc (Eval  *ev,
             gsize  size)
{
  gpointer mem = g_malloc0 (MAX (size, 1));

  /* Created on first use: most formulas allocate nothing. */
  if (ev->arena == NULL)
    ev->arena = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (ev->arena, mem);
  return mem;
}

static gboolean
fail (GError    **error,
      DcExprError code,
      const char *format,
      ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError    **error,
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

static gboolean
step (Eval    *ev,
      guint    n,
      GError **error)
{
  if (n > ev->scope->max_steps || ev->steps > ev->scope->max_steps - n)
    return fail (error, DC_EXPR_ERROR_LIMIT, "evaluation exceeded %u steps",
                 ev->scope->max_steps);
  ev->steps += n;
  return TRUE;
}

static const char *
type_name (const DcValue *v)
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

static DcValue
make_int (gint64 i)
{
  DcValue v = { .kind = DC_VALUE_INT };

  v.i = i;
  return v;
}

static DcValue
make_float (double f)
{
  DcValue v = { .kind = DC_VALUE_FLOAT };

  v.f = f;
  return v;
}

static DcValue
make_bool (gboolean b)
{
  DcValue v = { .kind = DC_VALUE_BOOL };

  v.b = !!b;
  return v;
}

static gboolean
make_string (Eval     *ev,
             GString  *s,
             DcValue  *out,
             GError  **error)
{
  if (s->len > DC_EXPR_MAX_STRING)
    {
      g_string_free (s, TRUE);
      return fail (error, DC_EXPR_ERROR_LIMIT, "string too long (limit %d bytes)",
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

static gboolean
is_intlike (const DcValue *v)
{
  return v->kind == DC_VALUE_INT || v->kind == DC_VALUE_BOOL;
}

static gboolean
is_number (const DcValue *v)
{
  return is_intlike (v) || v->kind == DC_VALUE_FLOAT;
}

static gint64
int_of (const DcValue *v)
{
  return v->kind == DC_VALUE_BOOL ? (gint64) v->b : v->i;
}

static double
float_of (const DcValue *v)
{
  switch (v->kind)
    {
    case DC_VALUE_BOOL: return v->b ? 1.0 : 0.0;
    case DC_VALUE_INT: return (double) v->i;
    case DC_VALUE_FLOAT: return v->f;
    default: g_assert_not_reached ();
    }
}

/* A series used as a number is its newest value (docs/model.md: series ⊕ series aligns on the
 * newest values). */
static gboolean
scalar (DcValue  *v,
        GError  **error)
{
  if (v->kind != DC_VALUE_SERIES)
    return TRUE;
  if (v->series.n == 0)
    return fail (error, DC_EXPR_ERROR_VALUE, "series %s is empty", v->series.name);
  *v = make_float (v->series.values[v->series.n - 1]);
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
static gboolean
value_repr (GString       *out,
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
          if (out->len > max_len || !value_repr (out, &v->list.items[i], max_len))
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
static char *
short_repr (const DcValue *v)
{
  g_autoptr(GString) s = g_string_new (NULL);

  value_repr (s, v, SHORT_REPR_LEN);
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
static gboolean
repr_limited (Eval           *ev,
              const DcValue  *v,
              GString       **out,
              GError        **error)
{
  g_autoptr(GString) s = g_string_new (NULL);

  if (!value_repr (s, v, DC_EXPR_MAX_STRING))
    return fail (error, DC_EXPR_ERROR_LIMIT, "string too long (limit %d bytes)",
                 DC_EXPR_MAX_STRING);
  if (!step (ev, (guint) (s->len / 64 + 1), error))
    return FALSE;
  *out = g_steal_pointer (&s);
  return TRUE;
}

static gboolean
truth (const DcValue *v,
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

        if (!scalar (&s, error))
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

static const char *
op_text (DcOp op)
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

/* Arithmetic */

static gboolean
float_arith (DcOp     op,
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
        return fail (error, DC_EXPR_ERROR_ZERO_DIVISION, "division by zero");
      r = a / b;
      break;
    case DC_OP_MOD:
    case DC_OP_FLOORDIV:
      {
        double mod;
        double div;
        double floordiv;

        if (b == 0.0)
          return fail (error, DC_EXPR_ERROR_ZERO_DIVISION, "division by zero");
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
        return fail (error, DC_EXPR_ERROR_ZERO_DIVISION,
                     "0.0 cannot be raised to a negative power");
      if (a < 0.0 && isfinite (b) && floor (b) != b)
        return fail (error, DC_EXPR_ERROR_VALUE,
                     "a negative number raised to a fractional power is complex "
                     "(not supported)");
      r = pow (a, b);
      if (isinf (r) && isfinite (a) && isfinite (b))
        return fail (error, DC_EXPR_ERROR_OVERFLOW, "numeric result out of range");
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
  *out = make_float (r);
  return TRUE;
}

/* Integers are 64-bit; a result beyond that is computed in floating point instead
 * (docs/plugins.md). */
static gboolean
int_arith (DcOp     op,
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
        return float_arith (op, (double) a, (double) b, out, error);
      break;
    case DC_OP_SUB:
      if (__builtin_sub_overflow (a, b, &r))
        return float_arith (op, (double) a, (double) b, out, error);
      break;
    case DC_OP_MUL:
      if (__builtin_mul_overflow (a, b, &r))
        return float_arith (op, (double) a, (double) b, out, error);
      break;
    case DC_OP_DIV:
      if (b == 0)
        return fail (error, DC_EXPR_ERROR_ZERO_DIVISION, "division by zero");
      return float_arith (op, (double) a, (double) b, out, error);
    case DC_OP_FLOORDIV:
    case DC_OP_MOD:
      if (b == 0)
        return fail (error, DC_EXPR_ERROR_ZERO_DIVISION, op == DC_OP_MOD ?
                     "integer modulo by zero" : "integer division or modulo by zero");
      if (b == -1)
        {
          if (op == DC_OP_MOD)
            r = 0;
          else if (a == G_MININT64)
            return float_arith (DC_OP_MUL, (double) a, -1.0, out, error);
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
            return fail (error, DC_EXPR_ERROR_ZERO_DIVISION,
                         "0.0 cannot be raised to a negative power");
          return float_arith (op, (double) a, (double) b, out, error);
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
                    return float_arith (op, (double) a, (double) b, out, error);
                }
              e >>= 1;
              if (e > 0 && __builtin_mul_overflow (base, base, &base))
                return float_arith (op, (double) a, (double) b, out, error);
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
  *out = make_int (r);
  return TRUE;
}

static gboolean
repeat (Eval          *ev,
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
        return fail (error, DC_EXPR_ERROR_LIMIT, "string too long (limit %d bytes)",
                     DC_EXPR_MAX_STRING);
      if (!step (ev, (guint) (seq->str.len * count / 64 + 1), error))
        return FALSE;
      s = g_string_sized_new (seq->str.len * count + 1);
      for (gint64 i = 0; i < count; i++)
        g_string_append_len (s, seq->str.s, seq->str.len);
      return make_string (ev, s, out, error);
    }

  /* A list. */
  if (seq->list.n > 0 && (guint64) count > ev->scope->max_series / seq->list.n)
    return fail (error, DC_EXPR_ERROR_LIMIT, "list too long (limit %u items)",
                 ev->scope->max_series);
  if (!step (ev, (guint) (seq->list.n * count + 1), error))
    return FALSE;
  out->kind = DC_VALUE_LIST;
  out->list.n = (guint) (seq->list.n * count);
  out->list.items = arena_alloc (ev, sizeof (DcValue) * out->list.n);
  for (guint i = 0; i < out->list.n; i++)
    out->list.items[i] = seq->list.items[i % seq->list.n];
  return TRUE;
}

static gboolean
binary (Eval     *ev,
        DcOp      op,
        DcValue   a,
        DcValue   b,
        DcValue  *out,
        GError  **error)
{
  if (!scalar (&a, error) || !scalar (&b, error))
    return FALSE;

  if (is_intlike (&a) && is_intlike (&b))
    return int_arith (op, int_of (&a), int_of (&b), out, error);
  if (is_number (&a) && is_number (&b))
    return float_arith (op, float_of (&a), float_of (&b), out, error);

  if (op == DC_OP_ADD && a.kind == DC_VALUE_STR && b.kind == DC_VALUE_STR)
    {
      GString *s;

      if (a.str.len + b.str.len > DC_EXPR_MAX_STRING)
        return fail (error, DC_EXPR_ERROR_LIMIT, "string too long (limit %d bytes)",
                     DC_EXPR_MAX_STRING);
      if (!step (ev, (guint) ((a.str.len + b.str.len) / 64 + 1), error))
        return FALSE;
      s = g_string_sized_new (a.str.len + b.str.len + 1);
      g_string_append_len (s, a.str.s, a.str.len);
      g_string_append_len (s, b.str.s, b.str.len);
      return make_string (ev, s, out, error);
    }
  if (op == DC_OP_ADD && a.kind == DC_VALUE_LIST && b.kind == DC_VALUE_LIST)
    {
      if (!step (ev, a.list.n + b.list.n, error))
        return FALSE;
      out->kind = DC_VALUE_LIST;
      out->list.n = a.list.n + b.list.n;
      out->list.items = arena_alloc (ev, sizeof (DcValue) * out->list.n);
      memcpy (out->list.items, a.list.items, sizeof (DcValue) * a.list.n);
      memcpy (out->list.items + a.list.n, b.list.items, sizeof (DcValue) * b.list.n);
      return TRUE;
    }
  if (op == DC_OP_MUL && (a.kind == DC_VALUE_STR || a.kind == DC_VALUE_LIST) && is_intlike (&b))
    return repeat (ev, &a, int_of (&b), out, error);
  if (op == DC_OP_MUL && (b.kind == DC_VALUE_STR || b.kind == DC_VALUE_LIST) && is_intlike (&a))
    return repeat (ev, &b, int_of (&a), out, error);
  if (op == DC_OP_MOD && a.kind == DC_VALUE_STR)
    return fail (error, DC_EXPR_ERROR_UNSUPPORTED, "string formatting is not supported");

  return fail (error, DC_EXPR_ERROR_TYPE, "unsupported operand type(s) for %s: '%s' and '%s'",
               op_text (op), type_name (&a), type_name (&b));
}

/* Comparisons */

/* Python's ==, a step per list element compared (docs/security.md, "Limits"). */
static gboolean
values_equal (Eval           *ev,
              const DcValue  *a,
              const DcValue  *b,
              gboolean       *equal,
              GError        **error)
{
  *equal = FALSE;
  if (is_number (a) && is_number (b))
    {
      if (is_intlike (a) && is_intlike (b))
        *equal = int_of (a) == int_of (b);
      else
        *equal = float_of (a) == float_of (b);
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
      if (!step (ev, a->list.n, error))
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
static gboolean
values_order (DcOp           op,
              const DcValue *a,
              const DcValue *b,
              int           *cmp,
              gboolean      *unordered,
              GError       **error)
{
  *unordered = FALSE;
  if (is_intlike (a) && is_intlike (b))
    {
      gint64 x = int_of (a), y = int_of (b);

      *cmp = (x > y) - (x < y);
      return TRUE;
    }
  if (is_number (a) && is_number (b))
    {
      double x = float_of (a), y = float_of (b);

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
  return fail (error, DC_EXPR_ERROR_TYPE,
               "'%s' not supported between instances of '%s' and '%s'",
               op_text (op), type_name (a), type_name (b));
}

static gboolean
contains (Eval          *ev,
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
        return fail (error, DC_EXPR_ERROR_TYPE,
                     "'in <string>' requires string as left operand, not %s",
                     type_name (needle));
      if (!step (ev, (guint) (haystack->str.len / 64 + 1), error))
        return FALSE;
      *result = g_strstr_len (haystack->str.s, haystack->str.len, needle->str.s) != NULL ||
                needle->str.len == 0;
      return TRUE;
    case DC_VALUE_LIST:
      if (!step (ev, haystack->list.n, error))
        return FALSE;
      for (guint i = 0; i < haystack->list.n && !*result; i++)
        if (!values_equal (ev, needle, &haystack->list.items[i], result, error))
          return FALSE;
      return TRUE;
    case DC_VALUE_SERIES:
      if (!step (ev, haystack->series.n, error))
        return FALSE;
      for (guint i = 0; i < haystack->series.n && !*result; i++)
        {
          DcValue item = make_float (haystack->series.values[i]);

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
      return fail (error, DC_EXPR_ERROR_TYPE, "argument of type '%s' is not iterable",
                   type_name (haystack));
    }
}

static gboolean
compare (Eval     *ev,
         DcOp      op,
         DcValue   a,
         DcValue   b,
         gboolean *result,
         GError  **error)
{
  int cmp = 0;
  gboolean unordered = FALSE;

  if (op == DC_OP_IN || op == DC_OP_NOT_IN)
    {
      if (!scalar (&a, error) || !contains (ev, &a, &b, result, error))
        return FALSE;
      if (op == DC_OP_NOT_IN)
        *result = !*result;
      return TRUE;
    }
  if (!scalar (&a, error) || !scalar (&b, error))
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
      if (!values_order (op, &a, &b, &cmp, &unordered, error))
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
static gboolean
iterate (Eval           *ev,
         const char     *func,
         const DcValue  *v,
         const DcValue **items,
         guint          *n,
         GError        **error)
{
  if (v->kind == DC_VALUE_LIST)
    {
      if (!step (ev, v->list.n, error))
        return FALSE;
      *items = v->list.items;
      *n = v->list.n;
      return TRUE;
    }
  if (v->kind == DC_VALUE_SERIES)
    {
      DcValue *array;

      if (!step (ev, v->series.n, error))
        return FALSE;
      array = arena_alloc (ev, sizeof (DcValue) * v->series.n);
      for (guint i = 0; i < v->series.n; i++)
        array[i] = make_float (v->series.values[i]);
      *items = array;
      *n = v->series.n;
      return TRUE;
    }
  return fail (error, DC_EXPR_ERROR_TYPE, "%s() argument is not iterable: '%s' object",
               func, type_name (v));
}

static gboolean
index_of (const DcValue *index,
          const char    *what,
          gint64        *i,
          GError       **error)
{
  if (!is_intlike (index))
    return fail (error, DC_EXPR_ERROR_TYPE, "%s indices must be integers, not %s", what,
                 type_name (index));
  *i = int_of (index);
  return TRUE;
}

static gboolean
subscript (Eval          *ev,
           const DcValue *target,
           DcValue        index,
           DcValue       *out,
           GError       **error)
{
  gint64 i = 0;
  gint64 n;

  if (!scalar (&index, error))
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
            return fail (error, DC_EXPR_ERROR_INDEX, "series %s is empty", target->series.name);
          return fail (error, DC_EXPR_ERROR_INDEX, "series index out of range");
        }
      *out = make_float (target->series.values[i]);
      return TRUE;
    case DC_VALUE_LIST:
      if (!index_of (&index, "list", &i, error))
        return FALSE;
      n = target->list.n;
      if (i < 0)
        i += n;
      if (i < 0 || i >= n)
        return fail (error, DC_EXPR_ERROR_INDEX, "list index out of range");
      *out = target->list.items[i];
      return TRUE;
    case DC_VALUE_STR:
      {
        const char *p;
        GString *s;

        if (!index_of (&index, "string", &i, error))
          return FALSE;
        n = g_utf8_strlen (target->str.s, target->str.len);
        if (!step (ev, (guint) (target->str.len / 64 + 1), error))
          return FALSE;
        if (i < 0)
          i += n;
        if (i < 0 || i >= n)
          return fail (error, DC_EXPR_ERROR_INDEX, "string index out of range");
        p = g_utf8_offset_to_pointer (target->str.s, i);
        s = g_string_new_len (p, g_utf8_next_char (p) - p);
        return make_string (ev, s, out, error);
      }
    case DC_VALUE_NONE:
    case DC_VALUE_BOOL:
    case DC_VALUE_INT:
    case DC_VALUE_FLOAT:
    case DC_VALUE_OBJECT:
    case DC_VALUE_BUILTIN:
    case DC_VALUE_METHOD:
    default:
      return fail (error, DC_EXPR_ERROR_TYPE, "'%s' object is not subscriptable",
                   type_name (target));
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
  if (!is_intlike (bound))
    return fail (error, DC_EXPR_ERROR_TYPE,
                 "slice indices must be integers or None, not %s", type_name (bound));
  i = int_of (bound);
  if (i < 0)
    i = MAX (i + n, 0);
  *out = MIN (i, n);
  return TRUE;
}

static gboolean
slice (Eval          *ev,
       const DcValue *target,
       DcValue       *lower,
       DcValue       *upper,
       DcValue       *out,
       GError       **error)
{
  gint64 n;
  gint64 start = 0;
  gint64 stop = 0;

  if ((lower != NULL && !scalar (lower, error)) || (upper != NULL && !scalar (upper, error)))
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
      return fail (error, DC_EXPR_ERROR_TYPE, "'%s' object is not subscriptable",
                   type_name (target));
    }
  if (!slice_bound (lower, n, 0, &start, error) || !slice_bound (upper, n, n, &stop, error))
    return FALSE;
  if (stop < start)
    stop = start;

  *out = *target;
  switch (target->kind)
    {
    case DC_VALUE_SERIES:
      out->series.values += start;
      if (out->series.times != NULL)
        out->series.times += start;
      out->series.n = (guint) (stop - start);
      return TRUE;
    case DC_VALUE_LIST:
      out->list.items += start;
      out->list.n = (guint) (stop - start);
      return TRUE;
    case DC_VALUE_STR:
      {
        const char *a = g_utf8_offset_to_pointer (target->str.s, start);
        const char *b = g_utf8_offset_to_pointer (target->str.s, stop);

        if (!step (ev, (guint) (target->str.len / 64 + 1), error))
          return FALSE;
        return make_string (ev, g_string_new_len (a, b - a), out, error);
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
      *out = make_int (i);
      return TRUE;
    }
  f = g_ascii_strtod (copy, &end);
  if (end == copy || *end != '\0')
    return FALSE;
  *out = make_float (f);
  return TRUE;
}

static gboolean
attribute (Eval          *ev,
           const DcValue *target,
           const char    *name,
           DcValue       *out,
           GError       **error)
{
  if (target->kind == DC_VALUE_SERIES)
    {
      DcMethod method;

      if (!dc_method_lookup (name, &method))
        return fail (error, DC_EXPR_ERROR_NAME,
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
        return fail (error, DC_EXPR_ERROR_NAME, "%s has no field %s", target->obj.name, name);
      if (JSON_NODE_HOLDS_NULL (node))
        {
          out->kind = DC_VALUE_NONE;
          return TRUE;
        }
      if (!JSON_NODE_HOLDS_VALUE (node))
        return fail (error, DC_EXPR_ERROR_TYPE, "%s.%s is not a number or a string",
                     target->obj.name, name);
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_BOOLEAN:
          *out = make_bool (json_node_get_boolean (node));
          return TRUE;
        case G_TYPE_INT64:
          *out = make_int (json_node_get_int (node));
          return TRUE;
        case G_TYPE_DOUBLE:
          *out = make_float (json_node_get_double (node));
          return TRUE;
        case G_TYPE_STRING:
          {
            const char *s = json_node_get_string (node);

            /* Numeric fields may be stored as numeric strings (docs/rest.md). */
            if (number_from_string (s, out))
              return TRUE;
            return make_string (ev, g_string_new (s), out, error);
          }
        default:
          return fail (error, DC_EXPR_ERROR_TYPE, "%s.%s is not a number or a string",
                       target->obj.name, name);
        }
    }

  return fail (error, DC_EXPR_ERROR_TYPE, "'%s' object has no attribute '%s'",
               type_name (target), name);
}

/* Builtins and methods */

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
    return fail (error, DC_EXPR_ERROR_TYPE, "%s() takes no arguments (%u given)", func,
                 n_args);
  if (min == max && min == 1)
    return fail (error, DC_EXPR_ERROR_TYPE, "%s() takes exactly one argument (%u given)",
                 func, n_args);
  if (n_args < min)
    return fail (error, DC_EXPR_ERROR_TYPE, "%s() takes at least %u argument%s (%u given)",
                 func, min, min == 1 ? "" : "s", n_args);
  return fail (error, DC_EXPR_ERROR_TYPE, "%s() takes at most %u argument%s (%u given)",
               func, max, max == 1 ? "" : "s", n_args);
}

static gboolean
to_int_checked (double   f,
                DcValue *out,
                GError **error)
{
  if (isnan (f))
    return fail (error, DC_EXPR_ERROR_VALUE, "cannot convert float NaN to integer");
  if (isinf (f))
    return fail (error, DC_EXPR_ERROR_OVERFLOW, "cannot convert float infinity to integer");
  /* Beyond 64 bits the value stays a float (docs/plugins.md). */
  if (f >= 9223372036854775808.0 || f < -9223372036854775808.0)
    *out = make_float (f);
  else
    *out = make_int ((gint64) f);
  return TRUE;
}

static gboolean
builtin_round (Eval     *ev,
               DcValue  *args,
               guint     n_args,
               DcValue  *out,
               GError  **error)
{
  DcValue x = args[0];
  gint64 ndigits;

  if (!is_number (&x))
    return fail (error, DC_EXPR_ERROR_TYPE, "type %s doesn't define __round__ method",
                 type_name (&x));

  if (n_args == 1 || args[1].kind == DC_VALUE_NONE)
    {
      if (is_intlike (&x))
        *out = make_int (int_of (&x));
      else
        return to_int_checked (nearbyint (x.f), out, error);
      return TRUE;
    }

  if (!is_intlike (&args[1]))
    return fail (error, DC_EXPR_ERROR_TYPE, "'%s' object cannot be interpreted as an integer",
                 type_name (&args[1]));
  ndigits = int_of (&args[1]);

  if (is_intlike (&x))
    {
      gint64 v = int_of (&x);
      gint64 pow10 = 1;
      gint64 q, r;

      if (ndigits >= 0)
        {
          *out = make_int (v);
          return TRUE;
        }
      if (ndigits <= -19)
        {
          /* 10^19 is beyond 64 bits: only |v| > 5e18 rounds away from 0. */
          if (ndigits == -19 && (v > G_GINT64_CONSTANT (5000000000000000000) ||
                                 v < -G_GINT64_CONSTANT (5000000000000000000)))
            *out = make_float (v > 0 ? 1e19 : -1e19);
          else
            *out = make_int (0);
          return TRUE;
        }
      for (gint64 k = 0; k < -ndigits; k++)
        if (__builtin_mul_overflow (pow10, 10, &pow10))
          {
            *out = make_int (0);
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
        return float_arith (DC_OP_MUL, (double) q, (double) pow10, out, error);
      *out = make_int (v);
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
      *out = make_float (g_ascii_strtod (buf, NULL));
      return TRUE;
    }
  if (ndigits < -308)
    {
      *out = make_float (copysign (0.0, x.f));
      return TRUE;
    }
  {
    double p = pow (10.0, (double) -ndigits);
    double y = nearbyint (x.f / p) * p;

    *out = make_float (isfinite (y) ? y : x.f);
  }
  return TRUE;
}

static gboolean
builtin_minmax (Eval     *ev,
                gboolean  is_max,
                DcValue  *args,
                guint     n_args,
                DcValue  *out,
                GError  **error)
{
  const char *func = is_max ? "max" : "min";
  const DcValue *items;
  guint n;
  guint best = 0;

  if (n_args == 0)
    return fail (error, DC_EXPR_ERROR_TYPE, "%s expected at least 1 argument, got 0", func);
  if (n_args == 1)
    {
      if (!iterate (ev, func, &args[0], &items, &n, error))
        return FALSE;
    }
  else
    {
      for (guint i = 0; i < n_args; i++)
        if (!scalar (&args[i], error))
          return FALSE;
      items = args;
      n = n_args;
    }
  if (n == 0)
    return fail (error, DC_EXPR_ERROR_VALUE, "%s() arg is an empty sequence", func);

  for (guint i = 1; i < n; i++)
    {
      int cmp = 0;
      gboolean unordered = FALSE;

      if (!values_order (is_max ? DC_OP_GT : DC_OP_LT, &items[i], &items[best], &cmp,
                         &unordered, error))
        return FALSE;
      if (!unordered && (is_max ? cmp > 0 : cmp < 0))
        best = i;
    }
  *out = items[best];
  return TRUE;
}

static gboolean
builtin_sum (Eval     *ev,
             DcValue  *args,
             guint     n_args,
             DcValue  *out,
             GError  **error)
{
  const DcValue *items;
  guint n;
  DcValue acc = make_int (0);

  if (!iterate (ev, "sum", &args[0], &items, &n, error))
    return FALSE;
  if (n_args == 2)
    {
      acc = args[1];
      if (!scalar (&acc, error))
        return FALSE;
      if (acc.kind == DC_VALUE_STR)
        return fail (error, DC_EXPR_ERROR_TYPE,
                     "sum() can't sum strings [use ''.join(seq) instead]");
    }
  for (guint i = 0; i < n; i++)
    if (!binary (ev, DC_OP_ADD, acc, items[i], &acc, error))
      return FALSE;
  *out = acc;
  return TRUE;
}

static gboolean
builtin_int (Eval     *ev,
             DcValue  *args,
             guint     n_args,
             DcValue  *out,
             GError  **error)
{
  DcValue x;

  if (n_args == 0)
    {
      *out = make_int (0);
      return TRUE;
    }
  x = args[0];
  switch (x.kind)
    {
    case DC_VALUE_BOOL:
    case DC_VALUE_INT:
      *out = make_int (int_of (&x));
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
            *out = make_int (i);
            return TRUE;
          }
        if (*p == '\0' && last_digit)
          {
            *out = make_float (g_ascii_strtod (digits->str, NULL));
            return TRUE;
          }
        {
          g_autofree char *shown = short_repr (&x);

          return fail (error, DC_EXPR_ERROR_VALUE,
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
      return fail (error, DC_EXPR_ERROR_TYPE,
                   "int() argument must be a string or a number, not '%s'", type_name (&x));
    }
}

static gboolean
builtin_float (Eval     *ev,
               DcValue  *args,
               guint     n_args,
               DcValue  *out,
               GError  **error)
{
  DcValue x;

  if (n_args == 0)
    {
      *out = make_float (0.0);
      return TRUE;
    }
  x = args[0];
  if (is_number (&x))
    {
      *out = make_float (float_of (&x));
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
          *out = make_float (sign * INFINITY);
          return TRUE;
        }
      if (strcmp (p, "nan") == 0)
        {
          *out = make_float (NAN);
          return TRUE;
        }
      if (*p != '\0' && strpbrk (p, "xpn_") == NULL)
        {
          f = g_ascii_strtod (lower, &end);
          if (end != lower && *end == '\0')
            {
              *out = make_float (f);
              return TRUE;
            }
        }
      {
        g_autofree char *shown = short_repr (&x);

        return fail (error, DC_EXPR_ERROR_VALUE, "could not convert string to float: %s",
                     shown);
      }
    }
  return fail (error, DC_EXPR_ERROR_TYPE,
               "float() argument must be a string or a real number, not '%s'", type_name (&x));
}

static gboolean
call_builtin (Eval      *ev,
              DcBuiltin  builtin,
              DcValue   *args,
              guint      n_args,
              DcValue   *out,
              GError   **error)
{
  const char *func = dc_builtin_name (builtin);

  switch (builtin)
    {
    case DC_BUILTIN_MAX:
    case DC_BUILTIN_MIN:
      return builtin_minmax (ev, builtin == DC_BUILTIN_MAX, args, n_args, out, error);
    case DC_BUILTIN_ABS:
      if (!arity (func, n_args, 1, 1, error) || !scalar (&args[0], error))
        return FALSE;
      if (is_intlike (&args[0]))
        {
          gint64 i = int_of (&args[0]);

          if (i == G_MININT64)
            *out = make_float (-(double) i);
          else
            *out = make_int (i < 0 ? -i : i);
          return TRUE;
        }
      if (args[0].kind == DC_VALUE_FLOAT)
        {
          *out = make_float (fabs (args[0].f));
          return TRUE;
        }
      return fail (error, DC_EXPR_ERROR_TYPE, "bad operand type for abs(): '%s'",
                   type_name (&args[0]));
    case DC_BUILTIN_ROUND:
      if (!arity (func, n_args, 1, 2, error) || !scalar (&args[0], error) ||
          (n_args == 2 && !scalar (&args[1], error)))
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
          *out = make_int (g_utf8_strlen (args[0].str.s, args[0].str.len));
          return TRUE;
        case DC_VALUE_LIST:
          *out = make_int (args[0].list.n);
          return TRUE;
        case DC_VALUE_SERIES:
          *out = make_int (args[0].series.n);
          return TRUE;
        case DC_VALUE_NONE:
        case DC_VALUE_BOOL:
        case DC_VALUE_INT:
        case DC_VALUE_FLOAT:
        case DC_VALUE_OBJECT:
        case DC_VALUE_BUILTIN:
        case DC_VALUE_METHOD:
        default:
          return fail (error, DC_EXPR_ERROR_TYPE, "object of type '%s' has no len()",
                       type_name (&args[0]));
        }
    case DC_BUILTIN_INT:
      if (!arity (func, n_args, 0, 1, error) || (n_args == 1 && !scalar (&args[0], error)))
        return FALSE;
      return builtin_int (ev, args, n_args, out, error);
    case DC_BUILTIN_FLOAT:
      if (!arity (func, n_args, 0, 1, error) || (n_args == 1 && !scalar (&args[0], error)))
        return FALSE;
      return builtin_float (ev, args, n_args, out, error);
    case DC_BUILTIN_STR:
      if (!arity (func, n_args, 0, 1, error) || (n_args == 1 && !scalar (&args[0], error)))
        return FALSE;
      if (n_args == 0)
        return make_string (ev, g_string_new (""), out, error);
      if (args[0].kind == DC_VALUE_STR)
        {
          *out = args[0];
          return TRUE;
        }
      {
        GString *s = NULL;

        if (args[0].kind == DC_VALUE_LIST && !step (ev, args[0].list.n, error))
          return FALSE;
        if (!repr_limited (ev, &args[0], &s, error))
          return FALSE;
        return make_string (ev, s, out, error);
      }
    case DC_BUILTIN_BOOL:
      {
        gboolean b = FALSE;

        if (!arity (func, n_args, 0, 1, error))
          return FALSE;
        if (n_args == 1 && !truth (&args[0], &b, error))
          return FALSE;
        *out = make_bool (b);
        return TRUE;
      }
    case DC_N_BUILTINS:
    default:
      g_assert_not_reached ();
    }
}

static gboolean
call_method (Eval         *ev,
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
      !step (ev, series->n, error))
    return FALSE;

  switch (method)
    {
    case DC_METHOD_MAX:
    case DC_METHOD_MIN:
      if (series->n == 0)
        return fail (error, DC_EXPR_ERROR_VALUE, "series %s is empty", series->name);
      acc = series->values[0];
      for (guint i = 1; i < series->n; i++)
        {
          double v = series->values[i];

          if (isnan (acc) || (method == DC_METHOD_MAX ? v > acc : v < acc))
            acc = v;
        }
      *out = make_float (acc);
      return TRUE;
    case DC_METHOD_SUM:
    case DC_METHOD_MEAN:
      if (method == DC_METHOD_MEAN && series->n == 0)
        return fail (error, DC_EXPR_ERROR_VALUE, "series %s is empty", series->name);
      for (guint i = 0; i < series->n; i++)
        acc += series->values[i];
      *out = make_float (method == DC_METHOD_MEAN ? acc / series->n : acc);
      return TRUE;
    case DC_METHOD_COUNT:
      *out = make_int (series->n);
      return TRUE;
    case DC_METHOD_LAST:
      if (series->n == 0)
        return fail (error, DC_EXPR_ERROR_VALUE, "series %s is empty", series->name);
      *out = make_float (series->values[series->n - 1]);
      return TRUE;
    case DC_METHOD_WINDOW:
      {
        DcValue seconds = args[0];
        gint64 reference;
        gint64 from;
        guint lo, hi;

        if (!scalar (&seconds, error))
          return FALSE;
        if (!is_number (&seconds))
          return fail (error, DC_EXPR_ERROR_TYPE, "%s() takes a number of seconds, not '%s'",
                       func, type_name (&seconds));
        if (!(float_of (&seconds) >= 0.0) || float_of (&seconds) > 1e10)
          return fail (error, DC_EXPR_ERROR_VALUE,
                       "%s() takes a number of seconds between 0 and 1e10", func);
        *out = make_float (0);
        out->kind = DC_VALUE_SERIES;
        out->series = *series;
        if (series->n == 0)
          return TRUE;
        if (series->times == NULL)
          return fail (error, DC_EXPR_ERROR_VALUE, "series %s has no times", series->name);
        reference = ev->scope->has_now ? ev->scope->now : series->times[series->n - 1];
        from = reference - (gint64) (float_of (&seconds) * G_USEC_PER_SEC);
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
        return step (ev, 32, error);
      }
    case DC_N_METHODS:
    default:
      g_assert_not_reached ();
    }
}

/* The tree walk */

static gboolean eval_node (Eval *ev, DcNode *node, DcValue *out, GError **error);

static gboolean
eval_name (Eval     *ev,
           DcNode   *node,
           DcValue  *out,
           GError  **error)
{
  Binding *binding = g_hash_table_lookup (ev->scope->bindings, node->name);
  DcBuiltin builtin;

  if (binding != NULL)
    {
      if (binding->value.kind == DC_VALUE_SERIES &&
          binding->series_n > ev->scope->max_series)
        return fail (error, DC_EXPR_ERROR_LIMIT, "series %s has %u samples (limit %u)",
                     node->name, binding->series_n, ev->scope->max_series);
      *out = binding->value;
      return TRUE;
    }
  if (dc_builtin_lookup (node->name, &builtin))
    {
      out->kind = DC_VALUE_BUILTIN;
      out->builtin = builtin;
      return TRUE;
    }
  return fail (error, DC_EXPR_ERROR_NAME, "name %s is not defined", node->name);
}

static gboolean
eval_call (Eval     *ev,
           DcNode   *node,
           DcValue  *out,
           GError  **error)
{
  DcValue callee = { 0 };
  DcValue *args;
  guint n_args = node->n_children - 1;

  if (!eval_node (ev, node->children[0], &callee, error))
    return FALSE;
  args = arena_alloc (ev, sizeof (DcValue) * (n_args + 1));
  for (guint i = 0; i < n_args; i++)
    if (!eval_node (ev, node->children[i + 1], &args[i], error))
      return FALSE;

  if (callee.kind == DC_VALUE_BUILTIN)
    return call_builtin (ev, callee.builtin, args, n_args, out, error);
  if (callee.kind == DC_VALUE_METHOD)
    return call_method (ev, callee.method.method, &callee.method.series, args, n_args, out,
                        error);
  return fail (error, DC_EXPR_ERROR_TYPE, "'%s' object is not callable", type_name (&callee));
}

static gboolean
eval_node (Eval     *ev,
           DcNode   *node,
           DcValue  *out,
           GError  **error)
{
  DcValue a = { 0 }, b = { 0 };

  if (!step (ev, 1, error))
    return FALSE;

  switch (node->kind)
    {
    case DC_NODE_CONST:
      *out = node->constant;
      return TRUE;

    case DC_NODE_NAME:
      return eval_name (ev, node, out, error);

    case DC_NODE_ATTR:
      if (!eval_node (ev, node->children[0], &a, error))
        return FALSE;
      return attribute (ev, &a, node->name, out, error);

    case DC_NODE_CALL:
      return eval_call (ev, node, out, error);

    case DC_NODE_INDEX:
      if (!eval_node (ev, node->children[0], &a, error) ||
          !eval_node (ev, node->children[1], &b, error))
        return FALSE;
      return subscript (ev, &a, b, out, error);

    case DC_NODE_SLICE:
      {
        DcValue lower = { 0 }, upper = { 0 };

        if (!eval_node (ev, node->children[0], &a, error) ||
            (node->children[1] != NULL && !eval_node (ev, node->children[1], &lower, error)) ||
            (node->children[2] != NULL && !eval_node (ev, node->children[2], &upper, error)))
          return FALSE;
        return slice (ev, &a, node->children[1] != NULL ? &lower : NULL,
                      node->children[2] != NULL ? &upper : NULL, out, error);
      }

    case DC_NODE_UNARY:
      if (!eval_node (ev, node->children[0], &a, error) || !scalar (&a, error))
        return FALSE;
      if (!is_number (&a))
        return fail (error, DC_EXPR_ERROR_TYPE, "bad operand type for %s: '%s'",
                     op_text (node->op), type_name (&a));
      if (node->op == DC_OP_POS)
        *out = is_intlike (&a) ? make_int (int_of (&a)) : a;
      else if (is_intlike (&a))
        return int_arith (DC_OP_SUB, 0, int_of (&a), out, error);
      else
        *out = make_float (-a.f);
      return TRUE;

    case DC_NODE_BINARY:
      if (!eval_node (ev, node->children[0], &a, error) ||
          !eval_node (ev, node->children[1], &b, error))
        return FALSE;
      return binary (ev, node->op, a, b, out, error);

    case DC_NODE_COMPARE:
      {
        gboolean result = TRUE;

        /* Python chaining: a < b < c is a < b and b < c, b evaluated once. */
        if (!eval_node (ev, node->children[0], &a, error))
          return FALSE;
        for (guint i = 1; i < node->n_children && result; i++)
          {
            if (!eval_node (ev, node->children[i], &b, error) ||
                !compare (ev, node->ops[i - 1], a, b, &result, error))
              return FALSE;
            a = b;
          }
        *out = make_bool (result);
        return TRUE;
      }

    case DC_NODE_AND:
    case DC_NODE_OR:
      /* Returns the deciding operand, as Python does. */
      for (guint i = 0; i < node->n_children; i++)
        {
          gboolean t;

          if (!eval_node (ev, node->children[i], out, error) || !truth (out, &t, error))
            return FALSE;
          if (node->kind == DC_NODE_AND ? !t : t)
            return TRUE;
        }
      return TRUE;

    case DC_NODE_NOT:
      {
        gboolean t;

        if (!eval_node (ev, node->children[0], &a, error) || !truth (&a, &t, error))
          return FALSE;
        *out = make_bool (!t);
        return TRUE;
      }

    case DC_NODE_IF:
      {
        gboolean t;

        if (!eval_node (ev, node->children[1], &a, error) || !truth (&a, &t, error))
          return FALSE;
        return eval_node (ev, node->children[t ? 0 : 2], out, error);
      }

    case DC_NODE_LIST:
      out->kind = DC_VALUE_LIST;
      out->list.n = node->n_children;
      out->list.items = arena_alloc (ev, sizeof (DcValue) * node->n_children);
      for (guint i = 0; i < node->n_children; i++)
        if (!eval_node (ev, node->children[i], &out->list.items[i], error))
          return FALSE;
      return TRUE;

    default:
      g_assert_not_reached ();
    }
}

static gboolean
evaluate (DcExpr       *expr,
          DcExprScope  *scope,
          Eval         *ev,
          DcValue      *out,
          GError      **error)
{
  ev->scope = scope;
  ev->steps = 0;
  ev->arena = NULL;
  return eval_node (ev, expr->root, out, error);
}

gboolean
dc_expr_eval_number (DcExpr       *expr,
                     DcExprScope  *scope,
                     double       *result,
                     GError      **error)
{
  Eval ev = { 0 };
  DcValue v = { 0 };
  gboolean ok;

  g_return_val_if_fail (expr != NULL, FALSE);
  g_return_val_if_fail (scope != NULL, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);

  ok = evaluate (expr, scope, &ev, &v, error) && scalar (&v, error);
  if (ok && !is_number (&v))
    {
      g_autofree char *shown = short_repr (&v);

      ok = fail (error, DC_EXPR_ERROR_TYPE, "result is not a number: %s", shown);
    }
  if (ok)
    {
      *result = float_of (&v);
      if (!isfinite (*result))
        {
          g_autoptr(GString) s = g_string_new (NULL);

          dc_float_repr (s, *result);
          ok = fail (error, DC_EXPR_ERROR_VALUE, "result is not a finite number: %s", s->str);
        }
    }
  g_clear_pointer (&ev.arena, g_ptr_array_unref);
  return ok;
}

gboolean
dc_expr_eval_bool (DcExpr       *expr,
                   DcExprScope  *scope,
                   gboolean     *result,
                   GError      **error)
{
  Eval ev = { 0 };
  DcValue v = { 0 };
  gboolean ok;

  g_return_val_if_fail (expr != NULL, FALSE);
  g_return_val_if_fail (scope != NULL, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);

  ok = evaluate (expr, scope, &ev, &v, error) && truth (&v, result, error);
  g_clear_pointer (&ev.arena, g_ptr_array_unref);
  return ok;
}

char *
dc_expr_eval_repr (DcExpr       *expr,
                   DcExprScope  *scope,
                   GError      **error)
{
  Eval ev = { 0 };
  DcValue v = { 0 };
  char *result = NULL;

  g_return_val_if_fail (expr != NULL, NULL);
  g_return_val_if_fail (scope != NULL, NULL);

  if (evaluate (expr, scope, &ev, &v, error))
    {
      GString *s = g_string_new (NULL);

      if (value_repr (s, &v, DC_EXPR_MAX_STRING))
        result = g_string_free (s, FALSE);
      else
        {
          g_string_free (s, TRUE);
          fail (error, DC_EXPR_ERROR_LIMIT, "string too long (limit %d bytes)",
                DC_EXPR_MAX_STRING);
        }
    }
  g_clear_pointer (&ev.arena, g_ptr_array_unref);
  return result;
}
