/* dc-project.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-project"

#include "config.h"

#include "dc-project.h"

static const char * const sections[DC_N_KINDS] = {
  "devices", "terms", "items", "points", "formulas",
};

const char *
dc_project_section_name (DcKind kind)
{
  g_return_val_if_fail (kind < DC_N_KINDS, NULL);
  return sections[kind];
}
