/* dc-model-fields.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <json-glib/json-glib.h>

#include "dc-model.h"

G_BEGIN_DECLS

/* The field names DataColl knows (docs/model.md "Fields"), for the warnings about unknown
 * fields in REST bodies (docs/rest.md "Unknown fields"): the fields of dc-model.c, a formula's
 * p1…pN, and the fields of every registered protocol (dc-protocol.h, code_type pickers
 * excepted). Main thread or any thread after the protocols are registered. */

/* Whether @name is a field of @kind. */
gboolean    dc_model_field_is_known     (DcKind      kind,
                                         const char *name);
/* The known field of @kind nearest to @name by edit distance (case ignored), or NULL when
 * none is near enough to be a typing slip (at most 2 edits, 1 for names of 4 characters or
 * fewer). */
const char *dc_model_field_closest      (DcKind      kind,
                                         const char *name);
/* Appends to @warnings (char *, owned by the array) one text per unknown field or alias in
 * @body (an object of @kind, or an array of them: the texts then end in " (element N)"),
 * until @warnings holds @max texts:
 *   unknown field 'hi_limit', did you mean 'up_limit'?
 *   unknown field 'colour' (kept, not used)
 *   field 'low_limit' is stored as 'down_limit'
 * Names longer than 64 characters are cut ("..."). Returns the number of texts appended. */
guint       dc_model_field_warnings     (DcKind      kind,
                                         JsonNode   *body,
                                         GPtrArray  *warnings,
                                         guint       max);

G_END_DECLS
