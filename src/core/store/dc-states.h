/* dc-states.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <json-glib/json-glib.h>

#include "dc-protocol.h"

G_BEGIN_DECLS

/* State texts of points (docs/model.md "State texts"): a point's optional `states` member maps
 * state values to words ({"1": "open", "2": "closed"}); values it does not name take the
 * defaults of the point's kind (the protocol's value_kind): single point 0 off, 1 on; double
 * point 0 intermediate, 1 off, 2 on, 3 indeterminate. Analog points have no defaults.
 *
 * Texts are translated (the defaults) or as configured (`states`). Thread-safe. */

/* The text of state @value, NULL when there is none (an analog value, a fraction, a state
 * nobody named). @states is the point's `states` object (nullable). */
char       *dc_states_text     (JsonObject          *states,
                                DcProtocolValueKind  kind,
                                double               value);
/* The same; @translate FALSE gives the defaults in English (REST: the same text whatever the
 * server's locale). */
char       *dc_states_text_full (JsonObject          *states,
                                 DcProtocolValueKind  kind,
                                 double               value,
                                 gboolean             translate);
/* The default text of @value for @kind, untranslated (N_()), or NULL. */
const char *dc_states_default  (DcProtocolValueKind  kind,
                                int                  value);
/* Checks a `states` member: an object whose keys are integers ("-1", "0", "1", …) and whose
 * values are non-empty strings. DC_ERROR_INVALID with the text of docs/rest.md. */
gboolean    dc_states_check    (JsonNode            *node,
                                const char          *field,
                                GError             **error);

G_END_DECLS
