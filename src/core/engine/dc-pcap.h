/* dc-pcap.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>

#include "dc-traffic.h"

G_BEGIN_DECLS

/* Writes traffic frames (DcTrafficFrame, oldest first) as a classic pcap file that Wireshark and
 * tshark open: each frame becomes one IPv4/TCP segment (LINKTYPE_RAW) between the master
 * (@local_port on 127.0.0.1) and the device (@peer_address:@peer_port), with consistent sequence
 * and acknowledgement numbers so dissectors reassemble the stream. tx frames go master → device,
 * rx frames device → master. */
gboolean dc_pcap_write_frames (GOutputStream  *stream,
                               GPtrArray      *frames,
                               const char     *peer_address,
                               guint16         peer_port,
                               guint16         local_port,
                               GCancellable   *cancellable,
                               GError        **error);

gboolean dc_pcap_save         (const char     *path,
                               GPtrArray      *frames,
                               const char     *peer_address,
                               guint16         peer_port,
                               guint16         local_port,
                               GError        **error);

G_END_DECLS
