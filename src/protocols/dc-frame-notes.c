/* dc-frame-notes.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-frame-notes"

#include "config.h"

#include "dc-frame-notes.h"

#include "dc-traffic.h"

void
dc_frame_note (GString      *out,
               const guint8 *bytes,
               gsize         len,
               gsize        *offset,
               gsize         n,
               const char   *what)
{
  g_autofree char *hex = NULL;

  if (*offset >= len || n == 0)
    return;
  n = MIN (n, len - *offset);
  hex = dc_traffic_format_hex (bytes + *offset, n);
  g_string_append_printf (out, "%04zx  %-24s  %s\n", *offset, hex, what);
  *offset += n;
}

void
dc_frame_note_rest (GString      *out,
                    const guint8 *bytes,
                    gsize         len,
                    gsize        *offset,
                    const char   *what)
{
  /* 8 bytes per line so that long payloads stay readable. */
  while (*offset < len)
    dc_frame_note (out, bytes, len, offset, 8, what);
}
