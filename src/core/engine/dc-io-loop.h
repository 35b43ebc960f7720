/* dc-io-loop.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The I/O threads' own event loop (docs/engine.md "I/O loop"): one epoll instance, a min-heap
 * of timers (monotonic µs, µs precision) and an eventfd for wake-ups from other threads, so a
 * ready descriptor or a due timer costs the same whatever the number of connections on the
 * thread. Linux only.
 *
 * A loop hosts a GMainContext: on an I/O thread (dc_io_loop_new() + dc_io_loop_run()) the
 * context polls through the loop (its poll function is the loop's epoll wait), so GLib sources
 * attached there (resolvers, GSocketClient, tests' timers) keep working and GLib iterates only
 * when one of them is ready. On any other context (dc_io_loop_ref_for_context() of the default
 * context, for drivers without an I/O thread) the loop is one GSource of that context.
 *
 * Threads: timers and watches belong to the thread running the loop and are set, cancelled,
 * added and removed only there (callbacks included). dc_io_loop_invoke(), _invoke_sync() and
 * _quit() are for any thread. */
typedef struct _DcIoLoop DcIoLoop;

typedef void (*DcIoTimerFunc) (gpointer data);
/* @events: EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP as they came. */
typedef void (*DcIoWatchFunc) (int      fd,
                               guint32  events,
                               gpointer data);

/* A timer lives in its owner's struct (no allocation); zero it or dc_io_timer_init() it. */
typedef struct
{
  gint64        due;    /* monotonic µs when armed */
  guint64       seq;    /* arming order: equal due times fire in that order */
  guint         slot;   /* heap index + 1; 0: not armed */
  DcIoTimerFunc func;
  gpointer      data;
} DcIoTimer;

typedef struct _DcIoWatch DcIoWatch;

/* An I/O-thread loop with its own GMainContext (not yet running). */
DcIoLoop     *dc_io_loop_new              (void);
/* The loop of @context: its own when @context is a loop's (dc_io_loop_get_context()), else a
 * loop living as one GSource of @context (created on first use, shared). NULL: the default
 * context. Returns a new reference. */
DcIoLoop     *dc_io_loop_ref_for_context  (GMainContext *context);
DcIoLoop     *dc_io_loop_ref              (DcIoLoop     *self);
/* The last reference of an I/O-thread loop must be dropped after dc_io_loop_run() returned.
 * Watches and timers must be gone. */
void          dc_io_loop_unref            (DcIoLoop     *self);
GMainContext *dc_io_loop_get_context      (DcIoLoop     *self);
/* Runs the loop (and its context, pushed as the thread default) on the calling thread until
 * dc_io_loop_quit(). I/O-thread loops only. */
void          dc_io_loop_run              (DcIoLoop     *self);
void          dc_io_loop_quit             (DcIoLoop     *self);
/* TRUE on the thread running @self. */
gboolean      dc_io_loop_is_current       (DcIoLoop     *self);

/* Queues @func (@data) to run on the loop's thread, in queue order; @destroy (@data) after it
 * ran (or when the loop is freed without running it). Any thread; from the loop's own thread
 * it runs at the next turn, after the events at hand. */
void          dc_io_loop_invoke           (DcIoLoop       *self,
                                           GSourceFunc     func,
                                           gpointer        data,
                                           GDestroyNotify  destroy);
/* Runs @func (@data) on the loop's thread and waits; directly when called there. Ordered with
 * dc_io_loop_invoke(). */
void          dc_io_loop_invoke_sync      (DcIoLoop       *self,
                                           GSourceFunc     func,
                                           gpointer        data);

/* Runs @func (@data) on the thread running @context and waits: GLib's queue (a high-priority
 * idle), so it comes after what g_main_context_invoke() queued there before. Directly when the
 * caller owns @context. NULL: the default context. */
void          dc_io_context_invoke_sync   (GMainContext   *context,
                                           GSourceFunc     func,
                                           gpointer        data);

void          dc_io_timer_init            (DcIoTimer     *timer,
                                           DcIoTimerFunc  func,
                                           gpointer       data);
/* Arms (or re-arms) @timer for @due (monotonic µs, g_get_monotonic_time()); a due time in the
 * past fires at the next turn. O(log n). */
void          dc_io_timer_set             (DcIoLoop      *self,
                                           DcIoTimer     *timer,
                                           gint64         due);
void          dc_io_timer_cancel          (DcIoLoop      *self,
                                           DcIoTimer     *timer);
static inline gboolean
dc_io_timer_is_armed (const DcIoTimer *timer)
{
  return timer->slot != 0;
}

/* Watches @fd for @events (EPOLLIN, EPOLLOUT; errors and hang-ups always), level-triggered.
 * One watch per descriptor. */
DcIoWatch    *dc_io_watch_add             (DcIoLoop      *self,
                                           int            fd,
                                           guint32        events,
                                           DcIoWatchFunc  func,
                                           gpointer       data);
/* Changes the events watched (a NULL @watch: nothing). */
void          dc_io_watch_set_events      (DcIoWatch     *watch,
                                           guint32        events);
/* Stops watching (the descriptor stays open); safe inside any callback, also the watch's own:
 * no callback of it runs afterwards. */
void          dc_io_watch_remove          (DcIoWatch     *watch);

/* Counters for tests and benchmarks (loop thread): turns of the loop (epoll waits) and
 * iterations of the hosted GMainContext. */
guint64       dc_io_loop_get_turns        (DcIoLoop      *self);
guint64       dc_io_loop_get_glib_polls   (DcIoLoop      *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DcIoLoop, dc_io_loop_unref)

G_END_DECLS
