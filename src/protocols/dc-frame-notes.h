/* dc-frame-notes.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Line writers shared by the protocols' describe_frame (dc-protocol.h): the traffic view's
 * byte-by-byte notes on a frame, one line "OFFS  hex bytes  what" per field. */

/* Notes the @n bytes at *@offset (fewer at the end of @bytes) as @what and advances *@offset;
 * nothing when *@offset is at the end or @n is 0. */
void dc_frame_note      (GString      *out,
                         const guint8 *bytes,
                         gsize         len,
                         gsize        *offset,
                         gsize         n,
                         const char   *what);
/* Notes the bytes from *@offset to @len as @what, 8 bytes a line. */
void dc_frame_note_rest (GString      *out,
                         const guint8 *bytes,
                         gsize         len,
                         gsize        *offset,
                         const char   *what);

G_END_DECLS
