/* dc-time.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-time"

#include "config.h"

#include <stdlib.h>

#include "dc-time.h"

#include "dc-error.h"

char *
dc_time_format (gint64 time_us)
{
  g_autoptr(GDateTime) dt = NULL;
  gint64 secs = time_us / G_USEC_PER_SEC;
  gint64 usec = time_us % G_USEC_PER_SEC;

  if (usec < 0)
    {
      usec += G_USEC_PER_SEC;
      secs -= 1;
    }

  dt = g_date_time_new_from_unix_utc (secs);
  if (dt == NULL)
    return g_strdup ("1970-01-01T00:00:00.000000Z");

  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
                          g_date_time_get_year (dt),
                          g_date_time_get_month (dt),
                          g_date_time_get_day_of_month (dt),
                          g_date_time_get_hour (dt),
                          g_date_time_get_minute (dt),
                          g_date_time_get_second (dt),
                          (int) usec);
}

gboolean
dc_time_parse (const char *text,
               gint64     *time_us)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GTimeZone) local = NULL;
  char *end = NULL;
  double secs;

  g_return_val_if_fail (time_us != NULL, FALSE);

  if (text == NULL || *text == '\0')
    return FALSE;

  /* Seconds since the epoch, as some clients send. */
  secs = g_ascii_strtod (text, &end);
  if (end != text && *end == '\0')
    {
      if (!(secs > -1e11 && secs < 1e11))
        return FALSE;
      *time_us = (gint64) (secs * G_USEC_PER_SEC);
      return TRUE;
    }

  local = g_time_zone_new_local ();
  dt = g_date_time_new_from_iso8601 (text, local);
  if (dt == NULL)
    return FALSE;

  *time_us = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
  return TRUE;
}

gboolean
dc_time_parse_param (GHashTable  *params,
                     const char  *name,
                     gboolean     empty_is_absent,
                     gint64      *time_us,
                     GError     **error)
{
  const char *text = params != NULL ? g_hash_table_lookup (params, name) : NULL;

  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (time_us != NULL, FALSE);

  if (text == NULL || (empty_is_absent && text[0] == '\0'))
    return TRUE;
  if (!dc_time_parse (text, time_us))
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                   "parameter %s must be an RFC 3339 time or seconds since the epoch", name);
      return FALSE;
    }
  return TRUE;
}
