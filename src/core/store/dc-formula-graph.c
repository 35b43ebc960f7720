/* dc-formula-graph.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-store"

#include "config.h"

#include <string.h>

#include "dc-formula-graph.h"

#include "dc-error.h"
#include "dc-json-util.h"

/* Definitions */

static int
compare_params (gconstpointer a,
                gconstpointer b)
{
  const DcFormulaParam *pa = a;
  const DcFormulaParam *pb = b;

  return (pa->number > pb->number) - (pa->number < pb->number);
}

GArray *
dc_formula_graph_get_params (JsonObject *formula)
{
  g_autoptr(GList) members = json_object_get_members (formula);
  GArray *params = g_array_new (FALSE, TRUE, sizeof (DcFormulaParam));

  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *node;
      DcFormulaParam p = { 0 };
      guint64 number;

      if (name[0] != 'p' || name[1] == '\0' ||
          strspn (name + 1, "0123456789") != strlen (name + 1) || strlen (name) > 10 ||
          name[1] == '0')
        continue;
      number = g_ascii_strtoull (name + 1, NULL, 10);
      node = json_object_get_member (formula, name);
      p.number = (guint) number;
      p.name = name;
      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        p.point = json_node_get_string (node);
      g_array_append_val (params, p);
    }
  g_array_sort (params, compare_params);
  return params;
}

char *
dc_formula_graph_result_name (JsonObject *formula)
{
  return g_strdup_printf ("%s:%s:%s", dc_json_get_string (formula, "device_id", ""),
                          dc_json_get_string (formula, "term_id", ""),
                          dc_json_get_string (formula, "item_id", ""));
}

/* Order */

guint *
dc_formula_graph_sort (const DcFormulaGraphNode *nodes,
                       guint                     n_nodes,
                       gboolean                 *in_cycle)
{
  g_autoptr(GHashTable) producer = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autofree guint *indegree = g_new0 (guint, n_nodes + 1);
  g_autoptr(GArray) ready = g_array_new (FALSE, FALSE, sizeof (guint));
  guint *order = g_new0 (guint, n_nodes + 1);
  guint n_sorted = 0;

  g_return_val_if_fail (nodes != NULL || n_nodes == 0, order);

  for (guint i = 0; i < n_nodes; i++)
    if (nodes[i].result_key != 0)
      g_hash_table_add (producer, (gpointer) &nodes[i].result_key);
  /* Edges producer → reader; indegree = number of parameters computed by formulas. */
  for (guint i = 0; i < n_nodes; i++)
    {
      for (guint p = 0; p < nodes[i].n_params; p++)
        if (nodes[i].param_keys[p] != 0 &&
            g_hash_table_contains (producer, &nodes[i].param_keys[p]))
          indegree[i]++;
      if (indegree[i] == 0)
        g_array_append_val (ready, i);
    }
  while (ready->len > 0)
    {
      guint f = g_array_index (ready, guint, ready->len - 1);

      g_array_set_size (ready, ready->len - 1);
      order[n_sorted++] = f;
      for (guint g = 0; g < n_nodes; g++)
        for (guint p = 0; p < nodes[g].n_params; p++)
          if (nodes[g].param_keys[p] != 0 && nodes[g].param_keys[p] == nodes[f].result_key &&
              --indegree[g] == 0)
            g_array_append_val (ready, g);
    }
  /* What is left is in a cycle or behind one (the store refuses cycles; an imported database
   * may still hold one). */
  for (guint i = 0; i < n_nodes; i++)
    {
      if (in_cycle != NULL)
        in_cycle[i] = indegree[i] != 0;
      if (indegree[i] != 0)
        order[n_sorted++] = i;
    }
  g_assert (n_sorted == n_nodes);
  return order;
}

/* Validation */

typedef struct
{
  char      *id;
  char      *result;
  GPtrArray *params;  /* point names */
} Node;

static void
node_free (gpointer data)
{
  Node *node = data;

  g_free (node->id);
  g_free (node->result);
  g_ptr_array_unref (node->params);
  g_free (node);
}

static Node *
node_new (const char *id,
          JsonObject *formula)
{
  Node *node = g_new0 (Node, 1);
  g_autoptr(GArray) params = dc_formula_graph_get_params (formula);

  node->id = g_strdup (id);
  node->result = dc_formula_graph_result_name (formula);
  node->params = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < params->len; i++)
    if (g_array_index (params, DcFormulaParam, i).point != NULL)
      g_ptr_array_add (node->params, g_strdup (g_array_index (params, DcFormulaParam, i).point));
  return node;
}

/* Depth-first search from @node for a path back to @target. */
static gboolean
find_path (GHashTable *by_result,
           Node       *node,
           Node       *target,
           GHashTable *visited,
           GPtrArray  *path)
{
  g_ptr_array_add (path, node->id);
  for (guint i = 0; i < node->params->len; i++)
    {
      Node *producer = g_hash_table_lookup (by_result, g_ptr_array_index (node->params, i));

      if (producer == NULL)
        continue;
      if (producer == target)
        {
          g_ptr_array_add (path, target->id);
          return TRUE;
        }
      if (g_hash_table_contains (visited, producer))
        continue;
      g_hash_table_add (visited, producer);
      if (find_path (by_result, producer, target, visited, path))
        return TRUE;
    }
  g_ptr_array_set_size (path, path->len - 1);
  return FALSE;
}

gboolean
dc_formula_graph_check_cycle (DcStore     *store,
                              const char  *formula_id,
                              JsonObject  *formula,
                              GError     **error)
{
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func (node_free);
  g_autoptr(GHashTable) by_result = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) visited = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) path = g_ptr_array_new ();
  Node *target;

  g_return_val_if_fail (DC_IS_STORE (store), FALSE);
  g_return_val_if_fail (formula_id != NULL, FALSE);
  g_return_val_if_fail (formula != NULL, FALSE);

  target = node_new (formula_id, formula);
  g_ptr_array_add (nodes, target);
  g_hash_table_insert (by_result, target->result, target);

  /* Results live on formula devices only: without a parameter there, no cycle can pass
   * through this formula, and the other formulas need not be read. */
  {
    gboolean reads_results = FALSE;

    for (guint i = 0; i < target->params->len && !reads_results; i++)
      {
        g_auto(GStrv) parts = g_strsplit (g_ptr_array_index (target->params, i), ":", 2);
        g_autoptr(JsonObject) device = parts[0] != NULL ?
          dc_store_get (store, DC_KIND_DEVICE, parts[0], NULL) : NULL;

        reads_results = device != NULL &&
                        g_strcmp0 (dc_json_get_string (device, "protocol", NULL), "formula") == 0;
      }
    if (!reads_results)
      return TRUE;
  }

  ids = dc_store_list_ids (store, DC_KIND_FORMULA);
  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = g_ptr_array_index (ids, i);
      g_autoptr(JsonObject) other = NULL;
      Node *node;

      if (g_str_equal (id, formula_id))
        continue;
      other = dc_store_get (store, DC_KIND_FORMULA, id, NULL);
      if (other == NULL)
        continue;
      node = node_new (id, other);
      g_ptr_array_add (nodes, node);
      if (!g_hash_table_contains (by_result, node->result))
        g_hash_table_insert (by_result, node->result, node);
    }

  if (!find_path (by_result, target, target, visited, path))
    return TRUE;

  {
    g_autoptr(GString) text = g_string_new ("formula cycle: ");

    for (guint i = 0; i < path->len; i++)
      {
        if (i > 0)
          g_string_append (text, " -> ");
        g_string_append (text, g_ptr_array_index (path, i));
      }
    g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID, text->str);
  }
  return FALSE;
}
