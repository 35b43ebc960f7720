/* dc-json.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <json-glib/json-glib.h>

#include "dc-json-util.h"

G_BEGIN_DECLS

/* Strict RFC 8259 JSON for the REST layer.
 *
 * json-glib 1.6's parser is lenient (single quotes, comments, raw newlines in strings,
 * `01`, `.5`, integers that overflow silently to -1, `1e400` becoming inf) and its generator
 * writes NaN as `nan`. The REST contract needs exact errors, finite numbers and UTF-8 output,
 * so requests are parsed and responses written here; the nodes are ordinary JsonNodes.
 *
 * Parse errors are DC_ERROR_INVALID with texts such as
 * "invalid JSON at line 1 column 9: unexpected character 'x'". */
#define DC_JSON_MAX_DEPTH 128

JsonNode *dc_json_parse          (const char  *data,
                                  gsize        length,
                                  GError     **error);

/* The writer is core's (dc-json-util.h: dc_json_append() and its parts); this one also says
 * the length. */
char     *dc_json_to_string      (JsonNode    *node,
                                  gsize       *length);

G_END_DECLS
