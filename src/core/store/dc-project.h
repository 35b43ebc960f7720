/* dc-project.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

#include "dc-model.h"

G_BEGIN_DECLS

/* A project is the whole configuration as one JSON object (dc_store_export(),
 * dc_store_import()): one array per kind, in the order devices, terms, items, points, formulas.
 * Its CSV form is one file per kind (dc-csv.h). */

/* How deep a project file may nest arrays and objects (dc_json_nesting_within()): its rows
 * nest a few levels; json-glib, which reads it, has no limit of its own. */
#define DC_PROJECT_MAX_NESTING 1000

/* The section of a project object: "devices", "terms", … */
const char *dc_project_section_name (DcKind kind);

G_END_DECLS
