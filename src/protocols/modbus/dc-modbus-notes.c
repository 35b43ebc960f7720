/* dc-modbus-notes.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The traffic view's byte-by-byte notes on Modbus TCP and RTU frames (describe_frame of the
 * protocol descriptors in dc-modbus.c; framing as in dc-modbus-frame.c, docs/modbus.md).
 */

#define G_LOG_DOMAIN "dc-modbus"

#include "config.h"

#include <glib/gi18n.h>

#include "dc-modbus-private.h"

#include "dc-frame-notes.h"
#include "dc-modbus-codec.h"

static void
note_pdu (GString      *out,
          const guint8 *b,
          gsize        *off,
          gsize         end)
{
  g_autofree char *fc = NULL;
  guint8 f;

  if (*off >= end)
    return;
  f = b[*off];
  if (f & 0x80)
    fc = g_strdup_printf (_("exception response to function %u"), f & 0x7f);
  else
    fc = g_strdup_printf (_("function %u"), f);
  dc_frame_note (out, b, end, off, 1, fc);
  if (f & 0x80)
    {
      dc_frame_note (out, b, end, off, 1, _("exception code"));
      return;
    }
  if (f >= 1 && f <= 6 && end - *off == 4)
    {
      dc_frame_note (out, b, end, off, 2, _("address"));
      dc_frame_note (out, b, end, off, 2, f <= 4 ? _("count") : _("value"));
      return;
    }
  if (f >= 1 && f <= 4 && *off < end && b[*off] == end - *off - 1)
    {
      dc_frame_note (out, b, end, off, 1, _("byte count"));
      dc_frame_note_rest (out, b, end, off, _("data"));
      return;
    }
  if ((f == 15 || f == 16) && end - *off >= 5)
    {
      dc_frame_note (out, b, end, off, 2, _("address"));
      dc_frame_note (out, b, end, off, 2, _("count"));
      if (end - *off > 0)
        {
          dc_frame_note (out, b, end, off, 1, _("byte count"));
          dc_frame_note_rest (out, b, end, off, _("data"));
        }
      return;
    }
  dc_frame_note_rest (out, b, end, off, _("data"));
}

void
dc_modbus_tcp_describe_frame (const guint8 *bytes,
                              gsize         len,
                              const char   *kind,
                              gsize        *offset,
                              GString      *out)
{
  /* The MBAP header and at least the function code. */
  if (len < DC_MODBUS_MBAP_HEADER + 1)
    return;
  dc_frame_note (out, bytes, len, offset, 2, _("transaction id"));
  dc_frame_note (out, bytes, len, offset, 2, _("protocol id"));
  dc_frame_note (out, bytes, len, offset, 2, _("length"));
  dc_frame_note (out, bytes, len, offset, 1, _("unit id"));
  note_pdu (out, bytes, offset, len);
}

void
dc_modbus_rtu_describe_frame (const guint8 *bytes,
                              gsize         len,
                              const char   *kind,
                              gsize        *offset,
                              GString      *out)
{
  /* Unit id, function code and CRC. */
  if (len < 4)
    return;
  dc_frame_note (out, bytes, len, offset, 1, _("unit id"));
  note_pdu (out, bytes, offset, len - 2);
  dc_frame_note (out, bytes, len, offset, 2, _("CRC"));
}
