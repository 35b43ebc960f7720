/* dc-protocol-json.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Field readers shared by the protocols' point validation (dc-protocol.h descriptors). */

/* An integer field in [@min, @max], sent as a number or a numeric string; FALSE when absent,
 * not an integer or out of range. */
gboolean dc_protocol_json_get_integer (JsonObject *object,
                                       const char *field,
                                       gint64      min,
                                       gint64      max,
                                       gint64     *value);

G_END_DECLS
