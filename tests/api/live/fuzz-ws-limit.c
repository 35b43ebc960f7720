/* fuzz-ws-limit.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* libFuzzer target for the WebSocket message limit (src/api/live/dc-ws-limit.c): any byte
 * stream read through the limiting stream, in reads of any size, fails exactly when one of its
 * messages (a data frame and its continuations) goes over the limit, and never crashes. The
 * first byte chooses the read size; a reference parser reads the rest at once. */

#include "config.h"

#include <string.h>

#include "dc-ws-limit-private.h"

#define LIMIT 1000

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* The offset of the first frame header that takes a message over LIMIT, or -1. */
static gssize
reference (const guint8 *data,
           gsize         size)
{
  gsize pos = 0;
  guint64 message = 0;

  while (pos < size)
    {
      gsize start = pos;
      guint8 opcode;
      guint64 length;
      gsize header;

      if (size - pos < 2)
        return -1;
      opcode = data[pos] & 0x0f;
      length = data[pos + 1] & 0x7f;
      header = 2 + (length == 126 ? 2 : length == 127 ? 8 : 0) + ((data[pos + 1] & 0x80) ? 4 : 0);
      if (size - pos < header)
        return -1;
      if (length == 126)
        length = ((guint64) data[pos + 2] << 8) | data[pos + 3];
      else if (length == 127)
        {
          length = 0;
          for (guint i = 0; i < 8; i++)
            length = (length << 8) | data[pos + 2 + i];
        }
      pos += header;
      if (!(opcode & 0x08))
        {
          if (opcode != 0)
            message = 0;
          if (length > LIMIT || message > LIMIT - length)
            return (gssize) start;
          message += length;
        }
      if (length > size - pos)
        return -1;
      pos += (gsize) length;
    }
  return -1;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(GIOStream) base = NULL;
  g_autoptr(GIOStream) limited = NULL;
  g_autoptr(GError) error = NULL;
  gsize chunk;
  gsize total = 0;
  gssize expected;
  char buffer[4096];

  if (size < 1 || size > 1 << 20)
    return 0;
  chunk = 1 + data[0] % sizeof buffer;
  data++;
  size--;
  expected = reference (data, size);

  in = g_memory_input_stream_new_from_data (g_memdup2 (data, size), (gssize) size, g_free);
  out = g_memory_output_stream_new_resizable ();
  base = g_simple_io_stream_new (in, out);
  limited = dc_ws_limit_stream_new (base, LIMIT);
  for (;;)
    {
      gssize n = g_input_stream_read (g_io_stream_get_input_stream (limited), buffer, chunk,
                                      NULL, &error);

      if (n <= 0)
        break;
      total += (gsize) n;
    }
  if (expected < 0)
    {
      g_assert_no_error (error);
      g_assert_cmpuint (total, ==, size);
    }
  else
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
      /* Failed on the frame's header, before its payload was handed on. */
      g_assert_cmpuint (total, <=, (gsize) expected + 14 + chunk);
    }
  return 0;
}
