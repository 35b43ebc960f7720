/* dc-error.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One error domain for everything a client can be told. The code maps 1:1 onto an HTTP
 * status (dc_error_http_status()); the message is the exact one-line text of the REST
 * contract (docs/rest.md), so the API layer never rewrites messages. */
#define DC_ERROR (dc_error_quark ())

typedef enum
{
  DC_ERROR_INVALID,      /* 400 */
  DC_ERROR_UNAUTHORIZED, /* 401 */
  DC_ERROR_FORBIDDEN,    /* 403 */
  DC_ERROR_NOT_FOUND,    /* 404 */
  DC_ERROR_EXISTS,       /* 409 */
  DC_ERROR_TOO_LARGE,    /* 413 */
  DC_ERROR_REJECTED,     /* 502 */
  DC_ERROR_OFFLINE,      /* 503 */
  DC_ERROR_TIMEOUT,      /* 504 */
  DC_ERROR_INTERNAL,     /* 500 */
  DC_ERROR_BUSY,         /* 503, writer backpressure or database locked */
} DcError;

GQuark dc_error_quark       (void);
guint  dc_error_http_status (const GError *error);

G_END_DECLS
