/* dc-model-rules-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The field rule tables (dc-model-rules.c), for dc_model_validate() in dc-model.c.
 */

#pragma once

#include "dc-model.h"

G_BEGIN_DECLS

/* Checks every known field of @object that is present and not null against its rule (type,
 * range, choices); the message names the field and the rule. */
gboolean _dc_model_check_rules (DcKind      kind,
                                JsonObject *object,
                                GError    **error);

G_END_DECLS
