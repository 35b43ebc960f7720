/* dc-io-loop-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Shared by dc-io-loop.c (epoll: watches, timers, invocations, one turn) and dc-io-loop-glib.c
 * (the loop hosting a GMainContext or running as a GSource, the registry of loops).
 */

#pragma once

#include <sys/epoll.h>

#include "dc-io-loop.h"

G_BEGIN_DECLS

#define MAX_EVENTS 128

struct _DcIoWatch
{
  DcIoLoop      *loop;
  int            fd;
  guint32        events;
  gboolean       removed;
  DcIoWatchFunc  func;
  gpointer       data;
  DcIoWatch     *next_dead;
};

typedef struct
{
  GSourceFunc    func;
  gpointer       data;
  GDestroyNotify destroy;
} Invoke;

typedef struct
{
  int     fd;
  guint32 events;
} GlibFd;

struct _DcIoLoop
{
  int           ref;           /* under registry_lock */
  GMainContext *context;
  gboolean      hosted;        /* TRUE: our own context polls through us; FALSE: a GSource */
  GSource      *source;        /* !hosted */
  int           epfd;
  int           wakefd;
  gint          quit;          /* atomic */

  /* Timers: a binary min-heap ordered by (due, seq). */
  DcIoTimer   **heap;
  guint         n_timers;
  guint         heap_alloc;
  guint64       seq;

  /* Watches by descriptor (GLib descriptors that collide with one are stale). */
  GPtrArray    *by_fd;
  DcIoWatch    *dead;

  /* Invocations from any thread. */
  GMutex        invoke_lock;
  GArray       *invokes;
  gboolean      woken;         /* under invoke_lock: the eventfd was written */
  GArray       *running;       /* loop thread: the batch being run */

  /* The hosted context's descriptors, while its poll function runs. */
  GArray       *glib_fds;      /* GlibFd registered in epoll */
  GPollFD      *glib_poll;
  guint         glib_n_poll;
  gint          glib_ready;
  gboolean      in_poll;

  guint64       turns;
  guint64       glib_polls;
};

DcIoLoop  *_dc_io_loop_alloc          (GMainContext *context,
                                       gboolean      hosted);
void       _dc_io_loop_free           (DcIoLoop     *self);
/* The loop whose dc_io_loop_run() runs on this thread, or NULL. */
DcIoLoop  *_dc_io_loop_thread_current (void);
void       _dc_io_loop_fire_timers    (DcIoLoop     *self,
                                       gint64        now);
/* Waits up to @wait_us (any negative value: no limit) and handles what came. */
void       _dc_io_loop_turn           (DcIoLoop     *self,
                                       gint64        wait_us);
DcIoWatch *_dc_io_loop_watch_for_fd   (DcIoLoop     *self,
                                       int           fd);
void       _dc_io_loop_free_dead      (DcIoLoop     *self);

static inline gint64
_dc_io_loop_next_due (DcIoLoop *self)
{
  return self->n_timers > 0 ? self->heap[0]->due : G_MAXINT64;
}

G_END_DECLS
