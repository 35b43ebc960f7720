/* dc-formula-graph.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <json-glib/json-glib.h>

#include "dc-store.h"

G_BEGIN_DECLS

/* The dependency graph of the formulas of the configuration (docs/model.md, docs/plugins.md):
 * a formula reads the points of its pN members and writes its result point, so a formula
 * whose parameter is another formula's result depends on it. The store refuses a formula
 * that would close a cycle (dc_formula_graph_check_cycle()); the formula plugin evaluates in
 * the order dc_formula_graph_sort() gives. Pure functions over the stored definitions; main
 * thread only where a store is involved. */

/* One pN member of a formula definition. */
typedef struct
{
  guint       number;  /* N */
  const char *name;    /* "pN", borrowed from the formula */
  const char *point;   /* "device_id:term_id:item_id", or NULL when the value is no string */
} DcFormulaParam;

/* The pN members of @formula in numeric order: a GArray of DcFormulaParam whose strings are
 * borrowed from @formula. */
GArray     *dc_formula_graph_get_params  (JsonObject               *formula);
/* "device_id:term_id:item_id" of the result point of @formula. */
char       *dc_formula_graph_result_name (JsonObject               *formula);

/* A formula as the sort sees it: the key of its result point and of each parameter (0 for
 * a point that does not exist). */
typedef struct
{
  gint64        result_key;
  const gint64 *param_keys;
  guint         n_params;
} DcFormulaGraphNode;

/* Orders @n_nodes formulas so that each comes after the formulas whose results it reads.
 * Returns the order as indices into @nodes (g_free() it); the formulas in a cycle or behind
 * one come last, in their given order, with @in_cycle (of @n_nodes, may be NULL) set. */
guint      *dc_formula_graph_sort        (const DcFormulaGraphNode *nodes,
                                          guint                     n_nodes,
                                          gboolean                 *in_cycle);

/* Store validation: refuses (DC_ERROR_INVALID) a formula @formula_id whose parameters would
 * close a cycle through other formulas' results: "formula cycle: f1 -> f2 -> f1". @formula
 * is the formula as it will be saved (device_id, term_id, item_id, p1…). */
gboolean    dc_formula_graph_check_cycle (DcStore                  *store,
                                          const char               *formula_id,
                                          JsonObject               *formula,
                                          GError                  **error);

G_END_DECLS
