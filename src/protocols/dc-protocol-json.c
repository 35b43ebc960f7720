/* dc-protocol-json.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-protocol-json"

#include "config.h"

#include <math.h>

#include "dc-protocol-json.h"

#include "dc-json-util.h"

gboolean
dc_protocol_json_get_integer (JsonObject *object,
                              const char *field,
                              gint64      min,
                              gint64      max,
                              gint64     *value)
{
  double v = dc_json_get_double (object, field, NAN);

  if (isnan (v) || v != floor (v) || v < (double) min || v > (double) max)
    return FALSE;
  if (value != NULL)
    *value = (gint64) v;
  return TRUE;
}
