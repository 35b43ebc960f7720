/* dc-traffic.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A device's traffic ring (docs/rest.md Live data): time, direction and raw bytes only, bounded
 * by bytes (256 KiB per device; 64 MiB for all devices together, oldest dropped first), decoded
 * on request by the driver. Thread-safe: I/O threads append, the main thread reads. */

typedef struct
{
  guint64  seq;       /* increasing per ring, lets readers ask "since" */
  gint64   time;      /* µs since the epoch, UTC */
  gboolean incoming;  /* rx = TRUE, tx = FALSE */
  guint    len;
  guint8  *bytes;     /* owned by the frame copy */
} DcTrafficFrame;

typedef struct _DcTraffic DcTraffic;

/* The per-device ring size of docs/rest.md. */
#define DC_TRAFFIC_DEVICE_BYTES (256 * 1024)

DcTraffic      *dc_traffic_new          (gsize             max_bytes);
void            dc_traffic_free         (DcTraffic        *self);
/* [any thread] */
void            dc_traffic_append       (DcTraffic        *self,
                                         gboolean          incoming,
                                         const guint8     *bytes,
                                         gsize             len);
/* [any thread] Copies of the newest @limit frames with seq > @since_seq, oldest first. Free
 * with g_ptr_array_unref (elements are freed with dc_traffic_frame_free). */
GPtrArray      *dc_traffic_get_frames   (DcTraffic        *self,
                                         guint64           since_seq,
                                         guint             limit);
void            dc_traffic_frame_free   (DcTrafficFrame   *frame);
/* "68 04 07 00 00 00" (lower-case hex digits, one space between bytes) */
char           *dc_traffic_format_hex   (const guint8     *bytes,
                                         gsize             len);
/* [any thread] Bytes charged to this ring / to all rings: each frame costs its length plus 32
 * bytes of bookkeeping. A frame longer than the ring is cut to fit. */
gsize           dc_traffic_get_bytes        (DcTraffic *self);
gsize           dc_traffic_get_global_bytes (void);
/* The cap for all rings together (default 64 MiB); returns the previous cap. For tests and
 * small boxes. */
gsize           dc_traffic_set_global_limit (gsize      limit);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DcTraffic, dc_traffic_free)

G_END_DECLS
