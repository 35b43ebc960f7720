/* dc-io-loop.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The I/O threads' event loop (docs/engine.md "I/O loop"): epoll, a timer min-heap and an
 * eventfd, hosting a GMainContext through its poll function.
 */

#define G_LOG_DOMAIN "dc-io-loop"

#include "config.h"

#include "dc-io-loop-private.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <glib-unix.h>

/* A tag in epoll_event.data: a watch pointer (even), the wake-up (this address) or a GLib
 * descriptor (fd << 1 | 1). */
static char wake_tag;

static __thread DcIoLoop *thread_loop;
static gboolean    no_pwait2;

/* Timers */

static inline gboolean
timer_before (const DcIoTimer *a,
              const DcIoTimer *b)
{
  return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static inline void
heap_put (DcIoLoop  *self,
          guint      i,
          DcIoTimer *t)
{
  self->heap[i] = t;
  t->slot = i + 1;
}

static void
heap_up (DcIoLoop *self,
         guint     i)
{
  DcIoTimer *t = self->heap[i];

  while (i > 0)
    {
      guint parent = (i - 1) / 2;

      if (!timer_before (t, self->heap[parent]))
        break;
      heap_put (self, i, self->heap[parent]);
      i = parent;
    }
  heap_put (self, i, t);
}

static void
heap_down (DcIoLoop *self,
           guint     i)
{
  DcIoTimer *t = self->heap[i];

  for (;;)
    {
      guint child = 2 * i + 1;

      if (child >= self->n_timers)
        break;
      if (child + 1 < self->n_timers && timer_before (self->heap[child + 1], self->heap[child]))
        child++;
      if (!timer_before (self->heap[child], t))
        break;
      heap_put (self, i, self->heap[child]);
      i = child;
    }
  heap_put (self, i, t);
}

static void
heap_remove (DcIoLoop  *self,
             DcIoTimer *t)
{
  guint i = t->slot - 1;
  DcIoTimer *last;

  g_assert (i < self->n_timers && self->heap[i] == t);
  t->slot = 0;
  last = self->heap[--self->n_timers];
  if (last == t)
    return;
  heap_put (self, i, last);
  if (i > 0 && timer_before (last, self->heap[(i - 1) / 2]))
    heap_up (self, i);
  else
    heap_down (self, i);
}

void
dc_io_timer_init (DcIoTimer     *timer,
                  DcIoTimerFunc  func,
                  gpointer       data)
{
  memset (timer, 0, sizeof *timer);
  timer->func = func;
  timer->data = data;
}

void
dc_io_timer_set (DcIoLoop  *self,
                 DcIoTimer *timer,
                 gint64     due)
{
  g_return_if_fail (timer->func != NULL);

  timer->seq = self->seq++;
  if (timer->slot != 0)
    {
      gint64 old = timer->due;

      timer->due = due;
      if (due < old)
        heap_up (self, timer->slot - 1);
      else
        heap_down (self, timer->slot - 1);
      return;
    }
  timer->due = due;
  if (self->n_timers == self->heap_alloc)
    {
      self->heap_alloc = MAX (16, self->heap_alloc * 2);
      self->heap = g_renew (DcIoTimer *, self->heap, self->heap_alloc);
    }
  heap_put (self, self->n_timers++, timer);
  heap_up (self, self->n_timers - 1);
}

void
dc_io_timer_cancel (DcIoLoop  *self,
                    DcIoTimer *timer)
{
  if (timer->slot != 0)
    heap_remove (self, timer);
}

/* Fires the timers due at @now. Timers armed while this runs wait for the next turn (a timer
 * re-arming itself in the past cannot hold the loop). */
void
_dc_io_loop_fire_timers (DcIoLoop *self,
                         gint64    now)
{
  guint64 limit = self->seq;

  while (self->n_timers > 0)
    {
      DcIoTimer *t = self->heap[0];

      if (t->due > now || t->seq >= limit)
        break;
      heap_remove (self, t);
      t->func (t->data);
    }
}

/* Watches */

DcIoWatch *
_dc_io_loop_watch_for_fd (DcIoLoop *self,
                          int       fd)
{
  if (fd < 0 || (guint) fd >= self->by_fd->len)
    return NULL;
  return g_ptr_array_index (self->by_fd, fd);
}

DcIoWatch *
dc_io_watch_add (DcIoLoop      *self,
                 int            fd,
                 guint32        events,
                 DcIoWatchFunc  func,
                 gpointer       data)
{
  DcIoWatch *watch;
  struct epoll_event ev = { 0 };

  g_return_val_if_fail (fd >= 0 && func != NULL, NULL);

  watch = g_new0 (DcIoWatch, 1);
  watch->loop = self;
  watch->fd = fd;
  watch->events = events;
  watch->func = func;
  watch->data = data;
  ev.events = events;
  ev.data.ptr = watch;
  if (epoll_ctl (self->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
    {
      /* A descriptor GLib had (stale: closed and reused) or one added twice. */
      if (errno != EEXIST || epoll_ctl (self->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
        g_critical ("epoll_ctl (%d): %s", fd, g_strerror (errno));
    }
  if ((guint) fd >= self->by_fd->len)
    g_ptr_array_set_size (self->by_fd, MAX ((guint) fd + 1, self->by_fd->len * 2));
  g_ptr_array_index (self->by_fd, fd) = watch;
  return watch;
}

void
dc_io_watch_set_events (DcIoWatch *watch,
                        guint32    events)
{
  struct epoll_event ev = { 0 };

  if (watch == NULL || watch->removed || watch->events == events)
    return;
  watch->events = events;
  ev.events = events;
  ev.data.ptr = watch;
  if (epoll_ctl (watch->loop->epfd, EPOLL_CTL_MOD, watch->fd, &ev) < 0)
    g_critical ("epoll_ctl (%d): %s", watch->fd, g_strerror (errno));
}

void
dc_io_watch_remove (DcIoWatch *watch)
{
  DcIoLoop *self;

  if (watch == NULL || watch->removed)
    return;
  self = watch->loop;
  watch->removed = TRUE;
  epoll_ctl (self->epfd, EPOLL_CTL_DEL, watch->fd, NULL);
  if (_dc_io_loop_watch_for_fd (self, watch->fd) == watch)
    g_ptr_array_index (self->by_fd, watch->fd) = NULL;
  /* Freed after the turn: an event for it may still be in the batch at hand. */
  watch->next_dead = self->dead;
  self->dead = watch;
}

void
_dc_io_loop_free_dead (DcIoLoop *self)
{
  while (self->dead != NULL)
    {
      DcIoWatch *w = self->dead;

      self->dead = w->next_dead;
      g_free (w);
    }
}

/* Invocations */

static void
wake (DcIoLoop *self)
{
  guint64 one = 1;

  if (write (self->wakefd, &one, sizeof one) < 0 && errno != EAGAIN)
    g_critical ("eventfd write: %s", g_strerror (errno));
}

void
dc_io_loop_invoke (DcIoLoop       *self,
                   GSourceFunc     func,
                   gpointer        data,
                   GDestroyNotify  destroy)
{
  Invoke inv = { func, data, destroy };
  gboolean need_wake;

  g_return_if_fail (self != NULL && func != NULL);

  g_mutex_lock (&self->invoke_lock);
  g_array_append_val (self->invokes, inv);
  need_wake = !self->woken;
  self->woken = TRUE;
  g_mutex_unlock (&self->invoke_lock);
  if (need_wake)
    wake (self);
}

static void
run_invokes (DcIoLoop *self)
{
  GArray *batch;

  g_mutex_lock (&self->invoke_lock);
  batch = self->invokes;
  self->invokes = self->running;
  self->woken = FALSE;
  g_mutex_unlock (&self->invoke_lock);
  self->running = batch;

  for (guint i = 0; i < batch->len; i++)
    {
      Invoke *inv = &g_array_index (batch, Invoke, i);

      inv->func (inv->data);
      if (inv->destroy != NULL)
        inv->destroy (inv->data);
    }
  g_array_set_size (batch, 0);
}

typedef struct
{
  GSourceFunc func;
  gpointer    data;
  GMutex      mutex;
  GCond       cond;
  gboolean    done;
} InvokeSync;

static gboolean
invoke_sync_cb (gpointer user_data)
{
  InvokeSync *state = user_data;

  state->func (state->data);
  g_mutex_lock (&state->mutex);
  state->done = TRUE;
  g_cond_signal (&state->cond);
  g_mutex_unlock (&state->mutex);
  return G_SOURCE_REMOVE;
}

/* Queues @func on @loop, or as a high-priority idle of @context without one, and waits. */
static void
invoke_and_wait (DcIoLoop     *loop,
                 GMainContext *context,
                 GSourceFunc   func,
                 gpointer      data)
{
  InvokeSync state = { func, data };

  g_mutex_init (&state.mutex);
  g_cond_init (&state.cond);
  if (loop != NULL)
    dc_io_loop_invoke (loop, invoke_sync_cb, &state, NULL);
  else
    {
      g_autoptr(GSource) source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_HIGH);
      g_source_set_callback (source, invoke_sync_cb, &state, NULL);
      g_source_set_static_name (source, "[dc-io-invoke-sync]");
      g_source_attach (source, context);
    }
  g_mutex_lock (&state.mutex);
  while (!state.done)
    g_cond_wait (&state.cond, &state.mutex);
  g_mutex_unlock (&state.mutex);
  g_mutex_clear (&state.mutex);
  g_cond_clear (&state.cond);
}

void
dc_io_loop_invoke_sync (DcIoLoop    *self,
                        GSourceFunc  func,
                        gpointer     data)
{
  g_return_if_fail (self != NULL && func != NULL);

  if (dc_io_loop_is_current (self))
    {
      func (data);
      return;
    }
  if (!self->hosted && g_main_context_acquire (self->context))
    {
      /* Nobody runs the context: this thread is the one that would. */
      func (data);
      g_main_context_release (self->context);
      return;
    }
  invoke_and_wait (self, NULL, func, data);
}

void
dc_io_context_invoke_sync (GMainContext *context,
                           GSourceFunc   func,
                           gpointer      data)
{
  g_return_if_fail (func != NULL);

  if (context == NULL)
    context = g_main_context_default ();
  if (g_main_context_is_owner (context))
    {
      func (data);
      return;
    }
  invoke_and_wait (NULL, context, func, data);
}

/* One turn */

static int
wait_events (DcIoLoop           *self,
             struct epoll_event *events,
             gint64              wait_us)
{
  int n;

  if (!no_pwait2)
    {
      struct timespec ts;

      if (wait_us >= 0)
        {
          ts.tv_sec = wait_us / G_USEC_PER_SEC;
          ts.tv_nsec = (wait_us % G_USEC_PER_SEC) * 1000;
        }
      n = epoll_pwait2 (self->epfd, events, MAX_EVENTS, wait_us >= 0 ? &ts : NULL, NULL);
      if (n >= 0 || errno != ENOSYS)
        return n;
      no_pwait2 = TRUE;
    }
  return epoll_wait (self->epfd, events, MAX_EVENTS,
                     wait_us < 0 ? -1 : (int) MIN ((wait_us + 999) / 1000, G_MAXINT));
}

static void
glib_ready (DcIoLoop *self,
            int       fd,
            guint32   events)
{
  for (guint i = 0; i < self->glib_n_poll; i++)
    {
      GPollFD *p = &self->glib_poll[i];

      if (p->fd == fd)
        {
          gushort revents = events & (p->events | G_IO_ERR | G_IO_HUP);

          if (revents != 0 && p->revents == 0)
            self->glib_ready++;
          p->revents |= revents;
        }
    }
}

/* Waits up to @wait_us (any negative value: no limit) and handles what came. */
void
_dc_io_loop_turn (DcIoLoop *self,
                  gint64    wait_us)
{
  struct epoll_event events[MAX_EVENTS];
  gboolean woken = FALSE;
  int n;

  n = wait_events (self, events, wait_us);
  self->turns++;
  if (n < 0)
    {
      if (errno != EINTR)
        g_critical ("epoll_wait: %s", g_strerror (errno));
      return;
    }
  for (int i = 0; i < n; i++)
    {
      gpointer tag = events[i].data.ptr;

      if (tag == &wake_tag)
        {
          guint64 count;

          if (read (self->wakefd, &count, sizeof count) < 0 && errno != EAGAIN)
            g_critical ("eventfd read: %s", g_strerror (errno));
          woken = TRUE;
        }
      else if (events[i].data.u64 & 1)
        glib_ready (self, (int) (events[i].data.u64 >> 1), events[i].events);
      else
        {
          DcIoWatch *w = tag;

          if (!w->removed)
            w->func (w->fd, events[i].events, w->data);
        }
    }
  if (woken)
    run_invokes (self);
  _dc_io_loop_free_dead (self);
}

/* Life (the registry and the hosting are in dc-io-loop-glib.c) */

DcIoLoop *
_dc_io_loop_alloc (GMainContext *context,
                   gboolean      hosted)
{
  DcIoLoop *self = g_new0 (DcIoLoop, 1);
  struct epoll_event ev = { 0 };

  self->ref = 1;
  self->context = context;
  self->hosted = hosted;
  self->epfd = epoll_create1 (EPOLL_CLOEXEC);
  self->wakefd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (self->epfd < 0 || self->wakefd < 0)
    g_error ("epoll/eventfd: %s", g_strerror (errno));
  ev.events = EPOLLIN;
  ev.data.ptr = &wake_tag;
  epoll_ctl (self->epfd, EPOLL_CTL_ADD, self->wakefd, &ev);
  self->by_fd = g_ptr_array_new ();
  g_mutex_init (&self->invoke_lock);
  self->invokes = g_array_new (FALSE, FALSE, sizeof (Invoke));
  self->running = g_array_new (FALSE, FALSE, sizeof (Invoke));
  self->glib_fds = g_array_new (FALSE, FALSE, sizeof (GlibFd));
  return self;
}

/* Frees what _dc_io_loop_alloc() made and the invocations still queued. */
void
_dc_io_loop_free (DcIoLoop *self)
{
  for (guint i = 0; i < self->invokes->len; i++)
    {
      Invoke *inv = &g_array_index (self->invokes, Invoke, i);

      if (inv->destroy != NULL)
        inv->destroy (inv->data);
    }
  _dc_io_loop_free_dead (self);
  g_array_unref (self->invokes);
  g_array_unref (self->running);
  g_array_unref (self->glib_fds);
  g_ptr_array_unref (self->by_fd);
  g_mutex_clear (&self->invoke_lock);
  g_free (self->heap);
  close (self->wakefd);
  close (self->epfd);
  g_main_context_unref (self->context);
  g_free (self);
}

GMainContext *
dc_io_loop_get_context (DcIoLoop *self)
{
  return self->context;
}

DcIoLoop *
_dc_io_loop_thread_current (void)
{
  return thread_loop;
}

void
dc_io_loop_run (DcIoLoop *self)
{
  g_return_if_fail (self->hosted);

  thread_loop = self;
  g_main_context_push_thread_default (self->context);
  while (!g_atomic_int_get (&self->quit))
    g_main_context_iteration (self->context, TRUE);
  g_main_context_pop_thread_default (self->context);
  thread_loop = NULL;
}

void
dc_io_loop_quit (DcIoLoop *self)
{
  g_atomic_int_set (&self->quit, TRUE);
  wake (self);
  g_main_context_wakeup (self->context);
}

gboolean
dc_io_loop_is_current (DcIoLoop *self)
{
  if (self->hosted)
    return thread_loop == self;
  return g_main_context_is_owner (self->context);
}

guint64
dc_io_loop_get_turns (DcIoLoop *self)
{
  return self->turns;
}

guint64
dc_io_loop_get_glib_polls (DcIoLoop *self)
{
  return self->glib_polls;
}
