/* fuzz-iec104.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for the IEC 104 parser: splits the input into frames as the master's
 * receive loop does, parses APCI and ASDU and runs the traffic decoder on each frame. Built
 * with -Dfuzzing=true (clang, -fsanitize=fuzzer,address); without it the same entry point is
 * run over the seed corpus by the test "iec104-corpus".
 */

#include "config.h"

#include <string.h>

#include "dc-iec104-codec.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static GArray *objects;
  gsize off = 0;

  if (objects == NULL)
    objects = g_array_new (FALSE, TRUE, sizeof (DcIec104Object));

  /* The first octet of the input is also tried as a lone ASDU. */
  dc_iec104_parse_asdu (data, size, NULL, objects, NULL);

  while (off < size)
    {
      g_autoptr(GError) error = NULL;
      gssize n = dc_iec104_frame_length (data + off, size - off, &error);
      DcIec104Apci apci;
      g_autoptr(JsonObject) decoded = NULL;
      g_autofree char *summary = NULL;
      g_autofree char *decode_error = NULL;
      g_autofree guint8 *frame = NULL;

      if (n <= 0)
        break;
      /* A copy of exactly the frame, so ASan sees any over-read. */
      frame = g_memdup2 (data + off, n);
      if (dc_iec104_parse_apci (frame, n, &apci, NULL) && apci.kind == DC_IEC104_FRAME_I)
        {
          DcIec104Asdu h;

          if (dc_iec104_parse_asdu (apci.asdu, apci.asdu_len, &h, objects, NULL))
            {
              guint8 out[DC_IEC104_MAX_ASDU];

              /* Whatever parses must build again without crashing. */
              dc_iec104_build_asdu (out, sizeof out, &h, (DcIec104Object *) objects->data,
                                    objects->len, NULL);
            }
        }
      summary = dc_iec104_decode_frame (frame, n, NULL, 1710510330250000, &decoded, &decode_error);
      g_assert (summary != NULL);
      off += n;
    }
  return 0;
}
