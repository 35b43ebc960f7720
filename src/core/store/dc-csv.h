/* dc-csv.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <json-glib/json-glib.h>

#include "dc-model.h"

G_BEGIN_DECLS

/* CSV form of configuration rows (bulk import/export, one file per kind). The first columns are
 * the kind's identity fields, then every other field seen, in first-seen order. Strings are
 * written as they are; other JSON values in their JSON form (numbers, true/false; arrays and
 * objects as JSON text). Reading back, a cell that is a JSON number, true or false becomes that
 * value, an empty cell means "field absent", identity fields are always strings, everything else
 * is a string (numeric fields accept numeric strings, so this loses nothing the store needs). */
char       *dc_csv_write_rows (DcKind       kind,
                               JsonArray   *rows);
JsonArray  *dc_csv_read_rows  (DcKind       kind,
                               const char  *text,
                               gssize       length,
                               GError     **error);

/* "devices.csv", "terms.csv", … */
const char *dc_csv_file_name  (DcKind       kind);

G_END_DECLS
