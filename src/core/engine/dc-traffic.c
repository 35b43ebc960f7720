/* dc-traffic.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-traffic"

#include "config.h"

#include <string.h>

#include "dc-traffic.h"

/* Every frame of every ring sits in two queues: its ring's (per-ring byte cap) and one global
 * queue in append order (the global cap drops the oldest frame of all rings first). Both caps
 * are enforced under one global lock; the critical sections are a few pointer moves, and a
 * frame is one allocation (header and bytes together).
 *
 * A frame is charged its length plus DC_TRAFFIC_FRAME_OVERHEAD bytes of bookkeeping, so that
 * floods of tiny frames stay bounded in real memory too. */

#define DC_TRAFFIC_FRAME_OVERHEAD 32
#define DC_TRAFFIC_DEFAULT_GLOBAL_LIMIT (64 * 1024 * 1024)

typedef struct _Frame Frame;

struct _Frame
{
  GList      ring_link;
  GList      global_link;
  DcTraffic *ring;
  guint64    seq;
  gint64     time;
  gboolean   incoming;
  guint      len;
  guint8     bytes[];
};

struct _DcTraffic
{
  GQueue  frames;
  gsize   bytes;
  gsize   max_bytes;
  guint64 next_seq;
};

static GMutex traffic_lock;
static GQueue global_frames = G_QUEUE_INIT;
static gsize  global_bytes;
static gsize  global_limit = DC_TRAFFIC_DEFAULT_GLOBAL_LIMIT;

static inline gsize
frame_cost (const Frame *frame)
{
  return frame->len + DC_TRAFFIC_FRAME_OVERHEAD;
}

/* Called with traffic_lock held. */
static void
frame_drop_locked (Frame *frame)
{
  DcTraffic *ring = frame->ring;
  gsize cost = frame_cost (frame);

  g_queue_unlink (&ring->frames, &frame->ring_link);
  g_queue_unlink (&global_frames, &frame->global_link);
  ring->bytes -= cost;
  global_bytes -= cost;
  g_free (frame);
}

static void
enforce_global_limit_locked (void)
{
  while (global_bytes > global_limit && global_frames.head != NULL)
    frame_drop_locked (global_frames.head->data);
}

DcTraffic *
dc_traffic_new (gsize max_bytes)
{
  DcTraffic *self = g_new0 (DcTraffic, 1);

  g_queue_init (&self->frames);
  self->max_bytes = max_bytes;
  self->next_seq = 1;

  return self;
}

void
dc_traffic_free (DcTraffic *self)
{
  if (self == NULL)
    return;

  g_mutex_lock (&traffic_lock);
  while (self->frames.head != NULL)
    frame_drop_locked (self->frames.head->data);
  g_mutex_unlock (&traffic_lock);

  g_free (self);
}

void
dc_traffic_append (DcTraffic    *self,
                   gboolean      incoming,
                   const guint8 *bytes,
                   gsize         len)
{
  Frame *frame;
  gint64 now;

  g_return_if_fail (self != NULL);
  g_return_if_fail (bytes != NULL || len == 0);

  /* A frame larger than the ring could never be kept; keep its head so the ring still
   * shows that something was exchanged. */
  if (len + DC_TRAFFIC_FRAME_OVERHEAD > self->max_bytes)
    len = self->max_bytes > DC_TRAFFIC_FRAME_OVERHEAD ? self->max_bytes - DC_TRAFFIC_FRAME_OVERHEAD : 0;
  if (len > G_MAXUINT)
    len = G_MAXUINT;

  now = g_get_real_time ();
  frame = g_malloc (sizeof (Frame) + len);
  frame->ring_link.data = frame;
  frame->ring_link.next = frame->ring_link.prev = NULL;
  frame->global_link.data = frame;
  frame->global_link.next = frame->global_link.prev = NULL;
  frame->ring = self;
  frame->time = now;
  frame->incoming = !!incoming;
  frame->len = (guint) len;
  if (len > 0)
    memcpy (frame->bytes, bytes, len);

  g_mutex_lock (&traffic_lock);

  if (frame_cost (frame) > self->max_bytes)
    {
      /* max_bytes smaller than the bookkeeping: the ring keeps nothing, but the sequence
       * still advances. */
      self->next_seq++;
      g_mutex_unlock (&traffic_lock);
      g_free (frame);
      return;
    }

  frame->seq = self->next_seq++;
  g_queue_push_tail_link (&self->frames, &frame->ring_link);
  g_queue_push_tail_link (&global_frames, &frame->global_link);
  self->bytes += frame_cost (frame);
  global_bytes += frame_cost (frame);

  while (self->bytes > self->max_bytes)
    frame_drop_locked (self->frames.head->data);
  enforce_global_limit_locked ();

  g_mutex_unlock (&traffic_lock);
}

static DcTrafficFrame *
frame_copy (const Frame *frame)
{
  DcTrafficFrame *copy = g_new0 (DcTrafficFrame, 1);

  copy->seq = frame->seq;
  copy->time = frame->time;
  copy->incoming = frame->incoming;
  copy->len = frame->len;
  copy->bytes = g_memdup2 (frame->bytes, frame->len);

  return copy;
}

GPtrArray *
dc_traffic_get_frames (DcTraffic *self,
                       guint64    since_seq,
                       guint      limit)
{
  GPtrArray *result;
  GList *first = NULL;
  guint n = 0;

  g_return_val_if_fail (self != NULL, NULL);

  result = g_ptr_array_new_with_free_func ((GDestroyNotify) dc_traffic_frame_free);
  if (limit == 0)
    return result;

  g_mutex_lock (&traffic_lock);

  /* Walk back from the newest until @limit frames or the first frame not after @since_seq. */
  for (GList *l = self->frames.tail; l != NULL && n < limit; l = l->prev)
    {
      const Frame *frame = l->data;

      if (frame->seq <= since_seq)
        break;
      first = l;
      n++;
    }

  for (GList *l = first; l != NULL && n > 0; l = l->next, n--)
    g_ptr_array_add (result, frame_copy (l->data));

  g_mutex_unlock (&traffic_lock);

  return result;
}

void
dc_traffic_frame_free (DcTrafficFrame *frame)
{
  if (frame == NULL)
    return;

  g_free (frame->bytes);
  g_free (frame);
}

char *
dc_traffic_format_hex (const guint8 *bytes,
                       gsize         len)
{
  static const char digits[] = "0123456789abcdef";
  char *text;
  char *p;

  if (len == 0)
    return g_strdup ("");

  text = g_malloc (len * 3);
  p = text;
  for (gsize i = 0; i < len; i++)
    {
      if (i > 0)
        *p++ = ' ';
      *p++ = digits[bytes[i] >> 4];
      *p++ = digits[bytes[i] & 0xf];
    }
  *p = '\0';

  return text;
}

gsize
dc_traffic_get_bytes (DcTraffic *self)
{
  gsize bytes;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&traffic_lock);
  bytes = self->bytes;
  g_mutex_unlock (&traffic_lock);

  return bytes;
}

gsize
dc_traffic_get_global_bytes (void)
{
  gsize bytes;

  g_mutex_lock (&traffic_lock);
  bytes = global_bytes;
  g_mutex_unlock (&traffic_lock);

  return bytes;
}

gsize
dc_traffic_set_global_limit (gsize limit)
{
  gsize old;

  g_mutex_lock (&traffic_lock);
  old = global_limit;
  global_limit = limit;
  enforce_global_limit_locked ();
  g_mutex_unlock (&traffic_lock);

  return old;
}
