/* dc-formula-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-deferred.h"
#include "dc-expr.h"
#include "dc-formula.h"

G_BEGIN_DECLS

/* The formula plugin in three files, each using only the ones after it:
 *
 *   dc-formula.c          the object, its wiring to the store and the engine, the public API
 *   dc-formula-rebuild.c  formulas rebuilt from the configuration, history windows loaded
 *   dc-formula-eval.c     inputs, the evaluation queue, evaluation and output */

/* An input is the buffer of one parameter point, shared by every formula that reads it:
 * samples oldest first in [start, len) of two parallel arrays (compacted now and then). */
typedef struct
{
  gint64     key;
  GArray    *times;       /* gint64 */
  GArray    *values;      /* double */
  guint      start;
  guint32    quality;     /* of the newest sample */
  gint64     keep_us;     /* the longest window a formula asks of it */
  gboolean   loading;
  gboolean   is_result;   /* also a formula's result: its samples come back from the engine */
  GPtrArray *dependents;  /* DcFormulaItem, borrowed */
} DcFormulaInput;

/* One formula of the configuration, compiled, with its last result. */
typedef struct
{
  char            *id;
  char            *text;
  DcExpr          *expr;
  char            *parse_error;   /* permanent: syntax, names, cycle, over the limits */
  gint64           result_key;
  char            *result_name;
  guint            n_params;
  char           **param_names;   /* "p1" */
  char           **param_points;  /* "d:t:i" */
  gint64          *param_keys;    /* 0: the point does not exist */
  DcFormulaInput **param_inputs;
  DcExprScope     *scope;
  guint            order;
  gboolean         queued;
  gint64           queued_time;
  gboolean         has_result;
  double           last_value;
  guint32          last_quality;
  char            *error;         /* last evaluation error */
  gboolean         over_limits;   /* disabled: parse_error says why */
} DcFormulaItem;

struct _DcFormula
{
  GObject              parent_instance;

  DcStore             *store;
  DcHistory           *history;
  GCancellable        *cancellable;

  GPtrArray           *formulas;    /* DcFormulaItem, topological order */
  GHashTable          *by_id;       /* id → DcFormulaItem */
  GHashTable          *results;     /* gint64 result key → DcFormulaItem */
  GHashTable          *inputs;      /* gint64 key → DcFormulaInput */
  GHashTable          *missing;     /* "device:term:item" a formula names but no point is */
  GArray              *heap;        /* guint orders of queued formulas (min-heap) */
  GArray              *out;         /* DcSample */
  guint                n_loading;

  DcFormulaOutputFunc  output;
  gpointer             output_data;
  GDestroyNotify       output_destroy;

  gulong               changed_id;
  DcEngine            *engine;       /* weak */
  gulong               samples_id;
  DcDeferred           rebuild;
  gboolean             started;
  guint64              n_evaluations;
};

/* dc-formula-eval.c */
DcFormulaInput *dc_formula_input_new        (gint64          key);
void            dc_formula_input_free       (gpointer        data);
guint           dc_formula_input_len        (DcFormulaInput *input);
/* Drops what no formula needs any more: samples older than the longest window, keeping at
 * least DC_FORMULA_KEEP_SAMPLES and at most the series limit. */
void            dc_formula_input_trim       (DcFormulaInput *input);
/* Appends a sample; FALSE for a late sample, which triggers nothing. */
gboolean        dc_formula_input_add        (DcFormulaInput *input,
                                             const DcSample *sample);
/* Queues the formulas that read @input, to be computed at @time. */
void            dc_formula_queue_dependents (DcFormula      *self,
                                             DcFormulaInput *input,
                                             gint64          time);
/* Evaluates the queued formulas in dependency order. */
void            dc_formula_run_queue        (DcFormula      *self);
/* Hands the results collected so far to the output function. */
void            dc_formula_flush_output     (DcFormula      *self);
/* Computes the formulas that have no result yet and have something to compute on. */
void            dc_formula_compute_initial  (DcFormula      *self);

/* dc-formula-rebuild.c */
void            dc_formula_item_free        (gpointer        data);
/* Rebuilds the formulas from the store (DcDeferred function of self->rebuild). */
void            dc_formula_rebuild          (DcFormula      *self);

G_END_DECLS
