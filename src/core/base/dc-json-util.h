/* dc-json-util.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Field readers over json-glib. A number may come as a JSON number or as a numeric string; the
 * stored JSON keeps what the client sent (docs/model.md), so every reader of configuration
 * objects goes through these. */

/* A JSON number or a numeric string (surrounding blanks allowed), finite. @is_integer is set for
 * a JSON integer or a whole number below 9e15 in magnitude. FALSE for anything else. */
gboolean    dc_json_node_get_number (JsonNode   *node,
                                     double     *out,
                                     gboolean   *is_integer);
/* true/false, the integers 0/1, or the strings "true"/"false" (any case) and "1"/"0". */
gboolean    dc_json_node_get_bool   (JsonNode   *node,
                                     gboolean   *out);

/* Compact JSON text of @node (the one writer of the REST answers, the stored configuration
 * and the exports), read back by json-glib to the same values. json-glib 1.6's own writer
 * turns a double such as 1e20 into "1e+20.0", which is no JSON, and writes NaN as `nan`.
 * Here: UTF-8 as is (no \u escapes except control characters), NaN and ±Inf as null,
 * doubles in the shortest of 15, 16 and 17 significant digits that reads back exactly ("0.1",
 * not "0.10000000000000001"; an integral double keeps a ".0" so its type survives),
 * integers as integers; a NULL node is null. */
char       *dc_json_node_to_string  (JsonNode   *node);
void        dc_json_append          (GString    *out,
                                     JsonNode   *node);
void        dc_json_append_string   (GString    *out,
                                     const char *str);
void        dc_json_append_double   (GString    *out,
                                     double      value);

/* json-glib's parser recurses once per level of nesting, without a limit: 100,000 '[' overflow
 * the stack. TRUE when @text (@length bytes, or NUL-terminated when -1) opens at most @max
 * arrays and objects inside each other (counted on the bytes, strings included: an
 * over-estimate). Check text from a file before json-glib parses it. */
gboolean    dc_json_nesting_within  (const char *text,
                                     gssize      length,
                                     guint       max);

/* Field accessors that accept a number, a numeric string or a boolean, with a default.
 * dc_json_get_int() saturates a number beyond the range of gint64 and truncates a fraction. */
gint64      dc_json_get_int         (JsonObject *object,
                                     const char *field,
                                     gint64      default_value);
double      dc_json_get_double      (JsonObject *object,
                                     const char *field,
                                     double      default_value);
gboolean    dc_json_get_bool        (JsonObject *object,
                                     const char *field,
                                     gboolean    default_value);
/* Returns a string field, or @default_value when the field is missing or not a string. */
const char *dc_json_get_string      (JsonObject *object,
                                     const char *field,
                                     const char *default_value);

G_END_DECLS
