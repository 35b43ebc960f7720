/* dc-expr-eval.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-expr"

#include "config.h"

#include <math.h>
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

/* The tree walk */

static gboolean eval_node (DcExprEval *ev, DcNode *node, DcValue *out, GError **error);

static gboolean
eval_name (DcExprEval *ev,
           DcNode     *node,
           DcValue    *out,
           GError    **error)
{
  Binding *binding = g_hash_table_lookup (ev->scope->bindings, node->name);
  DcBuiltin builtin;

  if (binding != NULL)
    {
      if (binding->value.kind == DC_VALUE_SERIES &&
          binding->series_n > ev->scope->max_series)
        return dc_expr_fail (error, DC_EXPR_ERROR_LIMIT, "series %s has %u samples (limit %u)",
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
  return dc_expr_fail (error, DC_EXPR_ERROR_NAME, "name %s is not defined", node->name);
}

static gboolean
eval_call (DcExprEval *ev,
           DcNode     *node,
           DcValue    *out,
           GError    **error)
{
  DcValue callee = { 0 };
  DcValue *args;
  guint n_args = node->n_children - 1;

  if (!eval_node (ev, node->children[0], &callee, error))
    return FALSE;
  args = dc_expr_arena_alloc (ev, sizeof (DcValue) * (n_args + 1));
  for (guint i = 0; i < n_args; i++)
    if (!eval_node (ev, node->children[i + 1], &args[i], error))
      return FALSE;

  if (callee.kind == DC_VALUE_BUILTIN)
    return dc_expr_call_builtin (ev, callee.builtin, args, n_args, out, error);
  if (callee.kind == DC_VALUE_METHOD)
    return dc_expr_call_method (ev, callee.method.method, &callee.method.series, args, n_args, out,
                                error);
  return dc_expr_fail (error, DC_EXPR_ERROR_TYPE, "'%s' object is not callable",
                       dc_value_type_name (&callee));
}

static gboolean
eval_node (DcExprEval *ev,
           DcNode     *node,
           DcValue    *out,
           GError    **error)
{
  DcValue a = { 0 }, b = { 0 };

  if (!dc_expr_step (ev, 1, error))
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
      return dc_expr_attribute (ev, &a, node->name, out, error);

    case DC_NODE_CALL:
      return eval_call (ev, node, out, error);

    case DC_NODE_INDEX:
      if (!eval_node (ev, node->children[0], &a, error) ||
          !eval_node (ev, node->children[1], &b, error))
        return FALSE;
      return dc_expr_subscript (ev, &a, b, out, error);

    case DC_NODE_SLICE:
      {
        DcValue lower = { 0 }, upper = { 0 };

        if (!eval_node (ev, node->children[0], &a, error) ||
            (node->children[1] != NULL && !eval_node (ev, node->children[1], &lower, error)) ||
            (node->children[2] != NULL && !eval_node (ev, node->children[2], &upper, error)))
          return FALSE;
        return dc_expr_slice (ev, &a, node->children[1] != NULL ? &lower : NULL,
                              node->children[2] != NULL ? &upper : NULL, out, error);
      }

    case DC_NODE_UNARY:
      if (!eval_node (ev, node->children[0], &a, error) || !dc_value_scalar (&a, error))
        return FALSE;
      if (!dc_value_is_number (&a))
        return dc_expr_fail (error, DC_EXPR_ERROR_TYPE, "bad operand type for %s: '%s'",
                             dc_op_text (node->op), dc_value_type_name (&a));
      if (node->op == DC_OP_POS)
        *out = dc_value_is_intlike (&a) ? dc_value_from_int (dc_value_get_int (&a)) : a;
      else if (dc_value_is_intlike (&a))
        return dc_expr_int_arith (DC_OP_SUB, 0, dc_value_get_int (&a), out, error);
      else
        *out = dc_value_from_float (-a.f);
      return TRUE;

    case DC_NODE_BINARY:
      if (!eval_node (ev, node->children[0], &a, error) ||
          !eval_node (ev, node->children[1], &b, error))
        return FALSE;
      return dc_expr_binary (ev, node->op, a, b, out, error);

    case DC_NODE_COMPARE:
      {
        gboolean result = TRUE;

        /* Python chaining: a < b < c is a < b and b < c, b evaluated once. */
        if (!eval_node (ev, node->children[0], &a, error))
          return FALSE;
        for (guint i = 1; i < node->n_children && result; i++)
          {
            if (!eval_node (ev, node->children[i], &b, error) ||
                !dc_expr_compare (ev, node->ops[i - 1], a, b, &result, error))
              return FALSE;
            a = b;
          }
        *out = dc_value_from_bool (result);
        return TRUE;
      }

    case DC_NODE_AND:
    case DC_NODE_OR:
      /* Returns the deciding operand, as Python does. */
      for (guint i = 0; i < node->n_children; i++)
        {
          gboolean t;

          if (!eval_node (ev, node->children[i], out, error) || !dc_value_truth (out, &t, error))
            return FALSE;
          if (node->kind == DC_NODE_AND ? !t : t)
            return TRUE;
        }
      return TRUE;

    case DC_NODE_NOT:
      {
        gboolean t;

        if (!eval_node (ev, node->children[0], &a, error) || !dc_value_truth (&a, &t, error))
          return FALSE;
        *out = dc_value_from_bool (!t);
        return TRUE;
      }

    case DC_NODE_IF:
      {
        gboolean t;

        if (!eval_node (ev, node->children[1], &a, error) || !dc_value_truth (&a, &t, error))
          return FALSE;
        return eval_node (ev, node->children[t ? 0 : 2], out, error);
      }

    case DC_NODE_LIST:
      out->kind = DC_VALUE_LIST;
      out->list.n = node->n_children;
      out->list.items = dc_expr_arena_alloc (ev, sizeof (DcValue) * node->n_children);
      for (guint i = 0; i < node->n_children; i++)
        if (!eval_node (ev, node->children[i], &out->list.items[i], error))
          return FALSE;
      return TRUE;

    default:
      g_assert_not_reached ();
    }
}

static gboolean
evaluate (DcExpr      *expr,
          DcExprScope *scope,
          DcExprEval  *ev,
          DcValue     *out,
          GError     **error)
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
  DcExprEval ev = { 0 };
  DcValue v = { 0 };
  gboolean ok;

  g_return_val_if_fail (expr != NULL, FALSE);
  g_return_val_if_fail (scope != NULL, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);

  ok = evaluate (expr, scope, &ev, &v, error) && dc_value_scalar (&v, error);
  if (ok && !dc_value_is_number (&v))
    {
      g_autofree char *shown = dc_value_short_repr (&v);

      ok = dc_expr_fail (error, DC_EXPR_ERROR_TYPE, "result is not a number: %s", shown);
    }
  if (ok)
    {
      *result = dc_value_get_float (&v);
      if (!isfinite (*result))
        {
          g_autoptr(GString) s = g_string_new (NULL);

          dc_float_repr (s, *result);
          ok = dc_expr_fail (error, DC_EXPR_ERROR_VALUE, "result is not a finite number: %s",
                             s->str);
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
  DcExprEval ev = { 0 };
  DcValue v = { 0 };
  gboolean ok;

  g_return_val_if_fail (expr != NULL, FALSE);
  g_return_val_if_fail (scope != NULL, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);

  ok = evaluate (expr, scope, &ev, &v, error) && dc_value_truth (&v, result, error);
  g_clear_pointer (&ev.arena, g_ptr_array_unref);
  return ok;
}

char *
dc_expr_eval_repr (DcExpr       *expr,
                   DcExprScope  *scope,
                   GError      **error)
{
  DcExprEval ev = { 0 };
  DcValue v = { 0 };
  char *result = NULL;

  g_return_val_if_fail (expr != NULL, NULL);
  g_return_val_if_fail (scope != NULL, NULL);

  if (evaluate (expr, scope, &ev, &v, error))
    {
      GString *s = g_string_new (NULL);

      if (dc_value_repr (s, &v, DC_EXPR_MAX_STRING))
        result = g_string_free (s, FALSE);
      else
        {
          g_string_free (s, TRUE);
          dc_expr_fail (error, DC_EXPR_ERROR_LIMIT, "string too long (limit %d bytes)",
                        DC_EXPR_MAX_STRING);
        }
    }
  g_clear_pointer (&ev.arena, g_ptr_array_unref);
  return result;
}
