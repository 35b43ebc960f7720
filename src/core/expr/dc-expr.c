/* dc-expr.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-expr"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dc-expr-private.h"

/* The compiled form of an expression: dc_expr_parse() runs the tokenizer
 * (dc-expr-lexer.c) and the parser (dc-expr-parser.c) and indexes the free names the tree
 * reads; the evaluator (dc-expr-eval.c) walks the tree. */

static void
node_free (gpointer data)
{
  DcNode *node = data;

  g_free (node->children);
  g_free (node->ops);
  g_free (node->name);
  g_free (node);
}

/* @seen: the names collected so far (a set: thousands of distinct names stay linear). */
static void
collect_names (DcExpr     *self,
               DcNode     *node,
               GHashTable *seen)
{
  if (node == NULL)
    return;
  if (node->kind == DC_NODE_NAME && g_hash_table_add (seen, node->name))
    g_ptr_array_add (self->names_ordered, node->name);
  for (guint i = 0; i < node->n_children; i++)
    collect_names (self, node->children[i], seen);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

DcExpr *
dc_expr_parse (const char  *text,
               GError     **error)
{
  g_autoptr(DcExpr) self = NULL;
  g_autoptr(GArray) tokens = NULL;
  const char *bad = NULL;
  DcNode *root;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (strlen (text) > DC_EXPR_MAX_TEXT)
    {
      g_set_error (error, DC_EXPR_ERROR, DC_EXPR_ERROR_LIMIT,
                   "expression too long (limit %d bytes)", DC_EXPR_MAX_TEXT);
      return NULL;
    }
  if (!g_utf8_validate (text, -1, &bad))
    {
      dc_expr_syntax_error (error, (guint) g_utf8_strlen (text, bad - text) + 1, "invalid UTF-8");
      return NULL;
    }

  tokens = dc_expr_tokenize (text, error);
  if (tokens == NULL)
    return NULL;

  self = g_new0 (DcExpr, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->text = g_strdup (text);
  self->nodes = g_ptr_array_new_with_free_func (node_free);
  self->strings = g_ptr_array_new_with_free_func (g_free);
  self->names_ordered = g_ptr_array_new ();

  root = dc_expr_parse_tokens (self, tokens, error);
  if (root == NULL)
    return NULL;
  self->root = root;

  {
    g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

    collect_names (self, root, seen);
  }
  self->names_sorted = g_new0 (char *, self->names_ordered->len + 1);
  for (guint i = 0; i < self->names_ordered->len; i++)
    self->names_sorted[i] = g_ptr_array_index (self->names_ordered, i);
  qsort (self->names_sorted, self->names_ordered->len, sizeof (char *), compare_strings);

  return g_steal_pointer (&self);
}

DcExpr *
dc_expr_ref (DcExpr *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
dc_expr_unref (DcExpr *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_free (self->names_sorted);
  g_ptr_array_unref (self->names_ordered);
  g_ptr_array_unref (self->nodes);
  g_ptr_array_unref (self->strings);
  g_free (self->text);
  g_free (self);
}

const char *
dc_expr_get_text (DcExpr *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->text;
}

const char * const *
dc_expr_get_names (DcExpr *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return (const char * const *) self->names_sorted;
}

gboolean
dc_expr_uses_name (DcExpr     *self,
                   const char *name)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  for (guint i = 0; i < self->names_ordered->len; i++)
    if (strcmp (g_ptr_array_index (self->names_ordered, i), name) == 0)
      return TRUE;
  return FALSE;
}

gint64
dc_expr_get_window (DcExpr     *self,
                    const char *name)
{
  gint64 longest = 0;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (name != NULL, 0);

  /* CALL(ATTR(NAME name, "window"), CONST n) */
  for (guint i = 0; i < self->nodes->len; i++)
    {
      DcNode *node = g_ptr_array_index (self->nodes, i);
      DcNode *attr;
      DcNode *arg;
      double seconds;

      if (node->kind != DC_NODE_CALL || node->n_children != 2)
        continue;
      attr = node->children[0];
      arg = node->children[1];
      if (attr->kind != DC_NODE_ATTR || strcmp (attr->name, "window") != 0 ||
          attr->children[0]->kind != DC_NODE_NAME ||
          strcmp (attr->children[0]->name, name) != 0 || arg->kind != DC_NODE_CONST)
        continue;
      if (arg->constant.kind == DC_VALUE_INT)
        seconds = (double) arg->constant.i;
      else if (arg->constant.kind == DC_VALUE_FLOAT)
        seconds = arg->constant.f;
      else
        continue;
      if (seconds > 0 && seconds < 1e10)
        longest = MAX (longest, (gint64) (seconds * G_USEC_PER_SEC));
    }
  return longest;
}

gboolean
dc_expr_check_names (DcExpr              *self,
                     const char * const  *series,
                     const char * const  *others,
                     GError             **error)
{
  g_autoptr(GHashTable) known = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) series_set = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_val_if_fail (self != NULL, FALSE);

  for (guint i = 0; series != NULL && series[i] != NULL; i++)
    {
      g_hash_table_add (known, (gpointer) series[i]);
      g_hash_table_add (series_set, (gpointer) series[i]);
    }
  for (guint i = 0; others != NULL && others[i] != NULL; i++)
    g_hash_table_add (known, (gpointer) others[i]);
  for (guint i = 0; i < self->names_ordered->len; i++)
    {
      const char *name = g_ptr_array_index (self->names_ordered, i);

      if (dc_expr_is_builtin_name (name) || g_hash_table_contains (known, name))
        continue;
      g_set_error (error, DC_EXPR_ERROR, DC_EXPR_ERROR_NAME, "name %s is not defined", name);
      return FALSE;
    }

  /* Methods applied directly to a series name must exist. */
  for (guint i = 0; series != NULL && i < self->nodes->len; i++)
    {
      DcNode *node = g_ptr_array_index (self->nodes, i);
      DcMethod method;

      if (node->kind == DC_NODE_ATTR && node->children[0]->kind == DC_NODE_NAME &&
          g_hash_table_contains (series_set, node->children[0]->name) &&
          !dc_method_lookup (node->name, &method))
        {
          g_set_error (error, DC_EXPR_ERROR, DC_EXPR_ERROR_NAME,
                       "series %s has no method %s (use max, min, sum, mean, count, last "
                       "or window)", node->children[0]->name, node->name);
          return FALSE;
        }
    }
  return TRUE;
}
