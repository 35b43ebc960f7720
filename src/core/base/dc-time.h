/* dc-time.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Times are µs since the Unix epoch, UTC (DcSample.time); on the wire they are RFC 3339
 * (docs/rest.md). */

/* RFC 3339 UTC with exactly six fraction digits: 2015-12-01T08:50:15.000003Z. */
char     *dc_time_format (gint64 time_us);
/* Parses RFC 3339 with any offset; without an offset the time is local. Also accepts a
 * plain integer or float of seconds since the epoch. */
gboolean  dc_time_parse  (const char *text,
                          gint64     *time_us);
/* The query parameter @name of @params as dc_time_parse() reads it, for the routes' `from`
 * and `to`. TRUE with @time_us untouched when @params is NULL or has no @name (nor an empty
 * value, when @empty_is_absent); FALSE with DC_ERROR_INVALID "parameter NAME must be an RFC
 * 3339 time or seconds since the epoch" for anything dc_time_parse() refuses. */
gboolean  dc_time_parse_param (GHashTable  *params,
                               const char  *name,
                               gboolean     empty_is_absent,
                               gint64      *time_us,
                               GError     **error);

G_END_DECLS
