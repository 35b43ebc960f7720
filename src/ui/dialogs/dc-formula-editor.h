/* dc-formula-editor.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

#include "dc-plant-model.h"
#include "dc-plant-source.h"

G_BEGIN_DECLS

/* Add or edit a formula (docs/ui-editing.md "Formulas"): its id, the result point (a point on
 * a formula device), the expression with the plant's own formula_check answer under it as it
 * is typed (debounced, through the plant connection, so a remote desk asks its server), and
 * the parameters p1…pN picked from the plant's points. Saving goes through the plant
 * connection (the server validates, stores and records it in the audit log); a refused save
 * shows the server's message and stores nothing.
 *
 * Signals:
 *   ::saved (const char *id)   the formula was stored */
#define DC_TYPE_FORMULA_EDITOR (dc_formula_editor_get_type ())

G_DECLARE_FINAL_TYPE (DcFormulaEditor, dc_formula_editor, DC, FORMULA_EDITOR, AdwWindow)

/* @formula_id NULL: a new formula, its result preset to @result_point ("d:t:i", nullable).
 * Returns NULL when @formula_id is not found. */
DcFormulaEditor *dc_formula_editor_new              (GtkWindow       *parent,
                                                     DcPlantSource   *source,
                                                     DcPlantModel    *plant,
                                                     const char      *formula_id,
                                                     const char      *result_point);
/* The formula computing the point @device_id:@term_id:@item_id, or NULL (a new string). */
char            *dc_formula_editor_find_formula     (DcPlantSource   *source,
                                                     const char      *device_id,
                                                     const char      *term_id,
                                                     const char      *item_id);

/* Tests and scripts: what a user types and picks. */
void             dc_formula_editor_set_id           (DcFormulaEditor *self,
                                                     const char      *id);
void             dc_formula_editor_set_expression   (DcFormulaEditor *self,
                                                     const char      *expression);
const char      *dc_formula_editor_get_expression   (DcFormulaEditor *self);
/* Selects the result point "d:t:i"; FALSE when it is not a point of the plant. */
gboolean         dc_formula_editor_set_result       (DcFormulaEditor *self,
                                                     const char      *point);
/* Picks "d:t:i" in the parameter list and adds it: the parameter's name ("p2"), or NULL when
 * the point is not in the plant. */
const char      *dc_formula_editor_add_parameter    (DcFormulaEditor *self,
                                                     const char      *point);
/* The number of parameters and the point of parameter @name ("p1"), NULL when none. */
guint            dc_formula_editor_get_n_parameters (DcFormulaEditor *self);
const char      *dc_formula_editor_get_parameter    (DcFormulaEditor *self,
                                                     const char      *name);
/* The last formula_check answer shown ("OK" or why not); NULL while a check is pending. */
const char      *dc_formula_editor_get_check_text   (DcFormulaEditor *self);
/* Saves through the plant connection: FALSE when refused at once (the message is shown). */
gboolean         dc_formula_editor_save             (DcFormulaEditor *self);
/* The message of a refused save, or NULL. */
const char      *dc_formula_editor_get_error        (DcFormulaEditor *self);

G_END_DECLS
