/* dc-error.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-error"

#include "config.h"

#include "dc-error.h"

G_DEFINE_QUARK (dc-error-quark, dc_error)

guint
dc_error_http_status (const GError *error)
{
  g_return_val_if_fail (error != NULL, 500);

  if (error->domain != DC_ERROR)
    return 500;

  switch ((DcError) error->code)
    {
    case DC_ERROR_INVALID:      return 400;
    case DC_ERROR_UNAUTHORIZED: return 401;
    case DC_ERROR_FORBIDDEN:    return 403;
    case DC_ERROR_NOT_FOUND:    return 404;
    case DC_ERROR_EXISTS:       return 409;
    case DC_ERROR_TOO_LARGE:    return 413;
    case DC_ERROR_REJECTED:     return 502;
    case DC_ERROR_OFFLINE:      return 503;
    case DC_ERROR_BUSY:         return 503;
    case DC_ERROR_TIMEOUT:      return 504;
    case DC_ERROR_INTERNAL:
    default:                    return 500;
    }
}
