/* dc-csv-field.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-csv-field"

#include "config.h"

#include <string.h>

#include "dc-csv-field.h"

void
dc_csv_append_field (GString    *out,
                     const char *text,
                     gboolean    quote_edge_spaces)
{
  g_return_if_fail (out != NULL);

  if (text == NULL)
    return;
  if (strpbrk (text, ",\"\r\n") == NULL &&
      (!quote_edge_spaces || (text[0] != ' ' && !g_str_has_suffix (text, " "))))
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}
