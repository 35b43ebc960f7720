/* dc-formula.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <json-glib/json-glib.h>

#include "dc-engine.h"
#include "dc-history.h"
#include "dc-sample.h"
#include "dc-store.h"

G_BEGIN_DECLS

/* The formula plugin: the formula points of the store, recalculated on every new sample of a
 * parameter, in dependency order (docs/plugins.md).
 *
 * The engine hands it every accepted batch (dc_formula_process()); results come back through
 * the output function as samples of the result points, which the engine then ingests like any
 * other sample (live value, history, listeners). Samples of result points that come back to
 * dc_formula_process() are recognised and ignored. Main thread only.
 *
 * Rules (docs/model.md): result quality = the OR of the newest qualities of the parameters; an
 * evaluation error gives a NaN result with DC_QUALITY_CALC_FAILED (0x200), logged once per
 * distinct error and readable with dc_formula_get_error(); an unchanged result (same value and
 * quality) is not output again; a result is stamped with the time of the triggering sample.
 * Series windows are loaded from history at start and when a formula appears. */
#define DC_TYPE_FORMULA (dc_formula_get_type ())

G_DECLARE_FINAL_TYPE (DcFormula, dc_formula, DC, FORMULA, GObject)

/* Samples kept per parameter point besides the formulas' windows. */
#define DC_FORMULA_KEEP_SAMPLES 100

typedef void (*DcFormulaOutputFunc) (const DcSample *samples,
                                     guint           n_samples,
                                     gpointer        user_data);

/* @history may be NULL (no windows loaded from history). */
DcFormula  *dc_formula_new          (DcStore             *store,
                                     DcHistory           *history);
void        dc_formula_set_output   (DcFormula           *self,
                                     DcFormulaOutputFunc  func,
                                     gpointer             user_data,
                                     GDestroyNotify       destroy);
/* The plugin wired to @engine: it reads every accepted batch (::samples, after the other
 * handlers) and ingests its results into @engine. Call dc_formula_start() next. The plugin
 * holds a weak reference on @engine; disconnect with g_object_unref() before shutting the
 * engine down. */
DcFormula  *dc_formula_new_for_engine (DcEngine          *engine);
/* Loads the formulas, starts the history loads and follows the store from now on. */
void        dc_formula_start        (DcFormula           *self);
/* Configuration changes are applied in an idle right after the store commits; this applies
 * the pending ones now. */
void        dc_formula_flush        (DcFormula           *self);
/* TRUE while history windows are still being loaded. */
gboolean    dc_formula_is_loading   (DcFormula           *self);

/* Feeds a batch of accepted samples (any points, time order within a point). */
void        dc_formula_process      (DcFormula           *self,
                                     const DcSample      *samples,
                                     guint                n_samples);

/* TRUE if @key is the result point of a formula. */
gboolean    dc_formula_is_result    (DcFormula           *self,
                                     gint64               key);
/* The last evaluation error of @formula_id ("division by zero"), or NULL when it is fine. */
const char *dc_formula_get_error    (DcFormula           *self,
                                     const char          *formula_id);
guint       dc_formula_get_n_formulas (DcFormula         *self);
/* Evaluations since creation (for benchmarks). */
guint64     dc_formula_get_n_evaluations (DcFormula      *self);

/* POST /api/v1/formula_check: "OK", or the reason ("parameter not found: p1=123:45:6",
 * "syntax error at column 7: unexpected '*'", "name p2 is not defined"). */
char       *dc_formula_check_text   (DcStore             *store,
                                     JsonObject          *body);

G_END_DECLS
