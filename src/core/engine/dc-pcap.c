/* dc-pcap.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-pcap"

#include "config.h"

#include <string.h>

#include "dc-error.h"
#include "dc-pcap.h"

#define LINKTYPE_RAW 101
#define IP_HEADER    20
#define TCP_HEADER   20

static void
put16 (guint8  *p,
       guint16  v)
{
  p[0] = v >> 8;
  p[1] = v & 0xff;
}

static void
put32 (guint8  *p,
       guint32  v)
{
  p[0] = v >> 24;
  p[1] = (v >> 16) & 0xff;
  p[2] = (v >> 8) & 0xff;
  p[3] = v & 0xff;
}

static guint32
sum16 (const guint8 *p,
       gsize         len,
       guint32       sum)
{
  for (gsize i = 0; i + 1 < len; i += 2)
    sum += (p[i] << 8) | p[i + 1];
  if (len & 1)
    sum += p[len - 1] << 8;
  return sum;
}

static guint16
fold (guint32 sum)
{
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

/* Host-order fields of the pcap headers are written little-endian (magic a1b2c3d4 read back as
 * d4c3b2a1 tells readers the order). */
static void
le32 (guint8  *p,
      guint32  v)
{
  p[0] = v & 0xff;
  p[1] = (v >> 8) & 0xff;
  p[2] = (v >> 16) & 0xff;
  p[3] = v >> 24;
}

static void
le16 (guint8  *p,
      guint16  v)
{
  p[0] = v & 0xff;
  p[1] = v >> 8;
}

gboolean
dc_pcap_write_frames (GOutputStream  *stream,
                      GPtrArray      *frames,
                      const char     *peer_address,
                      guint16         peer_port,
                      guint16         local_port,
                      GCancellable   *cancellable,
                      GError        **error)
{
  g_autoptr(GInetAddress) peer = NULL;
  guint8 header[24];
  guint8 local_ip[4] = { 127, 0, 0, 1 };
  guint8 peer_ip[4] = { 127, 0, 0, 1 };
  guint32 seq_tx = 1000, seq_rx = 5000;

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);
  g_return_val_if_fail (frames != NULL, FALSE);

  peer = peer_address ? g_inet_address_new_from_string (peer_address) : NULL;
  if (peer != NULL && g_inet_address_get_family (peer) == G_SOCKET_FAMILY_IPV4)
    memcpy (peer_ip, g_inet_address_to_bytes (peer), 4);

  le32 (header, 0xa1b2c3d4);
  le16 (header + 4, 2);
  le16 (header + 6, 4);
  le32 (header + 8, 0);
  le32 (header + 12, 0);
  le32 (header + 16, 65535);
  le32 (header + 20, LINKTYPE_RAW);
  if (!g_output_stream_write_all (stream, header, sizeof header, NULL, cancellable, error))
    return FALSE;

  for (guint i = 0; i < frames->len; i++)
    {
      const DcTrafficFrame *frame = g_ptr_array_index (frames, i);
      guint len = MIN (frame->len, 65535 - IP_HEADER - TCP_HEADER);
      guint total = IP_HEADER + TCP_HEADER + len;
      g_autofree guint8 *packet = g_malloc0 (16 + total);
      guint8 *rec = packet;
      guint8 *ip = packet + 16;
      guint8 *tcp = ip + IP_HEADER;
      const guint8 *src = frame->incoming ? peer_ip : local_ip;
      const guint8 *dst = frame->incoming ? local_ip : peer_ip;
      guint32 *seq = frame->incoming ? &seq_rx : &seq_tx;
      guint32 ack = frame->incoming ? seq_tx : seq_rx;
      guint32 sum;
      guint8 pseudo[12];

      le32 (rec, (guint32) (frame->time / G_USEC_PER_SEC));
      le32 (rec + 4, (guint32) (frame->time % G_USEC_PER_SEC));
      le32 (rec + 8, total);
      le32 (rec + 12, total);

      ip[0] = 0x45;
      put16 (ip + 2, total);
      put16 (ip + 4, i & 0xffff);
      ip[6] = 0x40;  /* don't fragment */
      ip[8] = 64;
      ip[9] = 6;     /* TCP */
      memcpy (ip + 12, src, 4);
      memcpy (ip + 16, dst, 4);
      put16 (ip + 10, fold (sum16 (ip, IP_HEADER, 0)));

      put16 (tcp, frame->incoming ? peer_port : local_port);
      put16 (tcp + 2, frame->incoming ? local_port : peer_port);
      put32 (tcp + 4, *seq);
      put32 (tcp + 8, ack);
      tcp[12] = (TCP_HEADER / 4) << 4;
      tcp[13] = 0x18;  /* PSH, ACK */
      put16 (tcp + 14, 65535);
      memcpy (tcp + TCP_HEADER, frame->bytes, len);

      memcpy (pseudo, src, 4);
      memcpy (pseudo + 4, dst, 4);
      pseudo[8] = 0;
      pseudo[9] = 6;
      put16 (pseudo + 10, TCP_HEADER + len);
      sum = sum16 (pseudo, sizeof pseudo, 0);
      sum = sum16 (tcp, TCP_HEADER + len, sum);
      put16 (tcp + 16, fold (sum));

      *seq += len;

      if (!g_output_stream_write_all (stream, packet, 16 + total, NULL, cancellable, error))
        return FALSE;
    }

  return TRUE;
}

gboolean
dc_pcap_save (const char  *path,
              GPtrArray   *frames,
              const char  *peer_address,
              guint16      peer_port,
              guint16      local_port,
              GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileOutputStream) out = NULL;

  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL, error);
  if (out == NULL)
    return FALSE;

  if (!dc_pcap_write_frames (G_OUTPUT_STREAM (out), frames, peer_address, peer_port, local_port,
                             NULL, error))
    return FALSE;

  return g_output_stream_close (G_OUTPUT_STREAM (out), NULL, error);
}
