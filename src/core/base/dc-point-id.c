/* dc-point-id.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-point-id"

#include "config.h"

#include <string.h>

#include "dc-point-id.h"

gboolean
dc_point_id_split (const char  *id,
                   char       **term_id,
                   const char **item_id)
{
  const char *colon = id != NULL ? strchr (id, ':') : NULL;

  if (colon == NULL || colon == id || colon[1] == '\0')
    return FALSE;
  if (term_id != NULL)
    *term_id = g_strndup (id, colon - id);
  if (item_id != NULL)
    *item_id = colon + 1;
  return TRUE;
}
