/* dc-io-loop-glib.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The I/O loop and GLib (docs/engine.md "I/O loop"): a loop hosts its own GMainContext through
 * the context's poll function, or runs as a GSource of a foreign context; the registry of
 * loops by context. The epoll side (watches, timers, invocations, one turn) is dc-io-loop.c.
 */

#define G_LOG_DOMAIN "dc-io-loop"

#include "config.h"

#include "dc-io-loop-private.h"

#include <errno.h>
#include <sys/epoll.h>

#include <glib-unix.h>

typedef struct
{
  GSource   source;
  DcIoLoop *loop;
  gpointer  tag;
} LoopSource;

static GMutex      registry_lock;
static GHashTable *registry;   /* GMainContext → DcIoLoop */

static void loop_free (DcIoLoop *self);

/* The hosted context */

static gboolean
glib_fds_find (GArray *fds,
               int     fd,
               guint  *index)
{
  for (guint i = 0; i < fds->len; i++)
    if (g_array_index (fds, GlibFd, i).fd == fd)
      {
        *index = i;
        return TRUE;
      }
  return FALSE;
}

/* Registers the context's descriptors of this iteration. They are modified every time (one
 * syscall each per GLib iteration, which happens only when a GLib source is busy): a
 * descriptor closed and reopened under the same number between two iterations has lost its
 * registration. Descriptors that a watch of ours now holds are stale and left alone. */
static void
glib_sync (DcIoLoop *self,
           GPollFD  *fds,
           guint     nfds)
{
  g_autoptr(GArray) want = g_array_sized_new (FALSE, FALSE, sizeof (GlibFd), nfds);

  for (guint i = 0; i < nfds; i++)
    {
      guint at;

      fds[i].revents = 0;
      if (fds[i].fd < 0 || _dc_io_loop_watch_for_fd (self, fds[i].fd) != NULL)
        continue;
      if (glib_fds_find (want, fds[i].fd, &at))
        g_array_index (want, GlibFd, at).events |= fds[i].events;
      else
        {
          GlibFd g = { fds[i].fd, fds[i].events };

          g_array_append_val (want, g);
        }
    }
  for (guint i = 0; i < self->glib_fds->len; i++)
    {
      GlibFd *g = &g_array_index (self->glib_fds, GlibFd, i);
      guint at;

      if (!glib_fds_find (want, g->fd, &at) && _dc_io_loop_watch_for_fd (self, g->fd) == NULL)
        epoll_ctl (self->epfd, EPOLL_CTL_DEL, g->fd, NULL);
    }
  for (guint i = 0; i < want->len; i++)
    {
      GlibFd *g = &g_array_index (want, GlibFd, i);
      struct epoll_event ev = { 0 };

      ev.events = g->events & (G_IO_IN | G_IO_OUT | G_IO_PRI);
      ev.data.u64 = ((guint64) g->fd << 1) | 1;
      if (epoll_ctl (self->epfd, EPOLL_CTL_MOD, g->fd, &ev) < 0 &&
          epoll_ctl (self->epfd, EPOLL_CTL_ADD, g->fd, &ev) < 0)
        g_debug ("epoll_ctl (GLib descriptor %d): %s", g->fd, g_strerror (errno));
    }
  g_array_set_size (self->glib_fds, 0);
  g_array_append_vals (self->glib_fds, want->data, want->len);
}

/* The hosted context's poll function: runs our events and timers until one of the context's
 * descriptors is ready or its timeout passed. */
static gint
loop_poll_func (GPollFD *fds,
                guint    nfds,
                gint     timeout)
{
  DcIoLoop *self = _dc_io_loop_thread_current ();
  gint64 deadline;
  gboolean last = FALSE;

  if (self == NULL || self->in_poll)
    return g_poll (fds, nfds, timeout);

  self->in_poll = TRUE;
  self->glib_polls++;
  glib_sync (self, fds, nfds);
  self->glib_poll = fds;
  self->glib_n_poll = nfds;
  self->glib_ready = 0;
  deadline = timeout < 0 ? G_MAXINT64 : g_get_monotonic_time () + (gint64) timeout * 1000;

  do
    {
      gint64 now = g_get_monotonic_time ();
      gint64 until;
      gint64 wait;

      _dc_io_loop_fire_timers (self, now);
      if (self->glib_ready > 0 || g_atomic_int_get (&self->quit))
        break;
      if (now >= deadline)
        last = TRUE;
      until = MIN (deadline, _dc_io_loop_next_due (self));
      if (last)
        wait = 0;
      else if (until == G_MAXINT64)
        wait = -1;
      else
        {
          /* Once: MAX() would read the clock twice, and a second reading past @until made a
           * negative wait, which is "no limit" (found under valgrind: the loop slept through
           * its timers until a descriptor woke it). */
          wait = until - g_get_monotonic_time ();
          wait = MAX (wait, 0);
        }
      _dc_io_loop_turn (self, wait);
      if (self->glib_ready > 0 || g_atomic_int_get (&self->quit))
        last = TRUE;
    }
  while (!last);

  self->glib_poll = NULL;
  self->glib_n_poll = 0;
  self->in_poll = FALSE;
  return self->glib_ready;
}

/* A loop as a GSource of a foreign context */

static gboolean
loop_source_prepare (GSource *source,
                     gint    *timeout)
{
  DcIoLoop *self = ((LoopSource *) source)->loop;
  gint64 due = _dc_io_loop_next_due (self);
  gint64 now;

  if (due == G_MAXINT64)
    {
      *timeout = -1;
      return FALSE;
    }
  now = g_source_get_time (source);
  if (due <= now)
    {
      *timeout = 0;
      return TRUE;
    }
  *timeout = (gint) MIN ((due - now + 999) / 1000, G_MAXINT);
  return FALSE;
}

static gboolean
loop_source_check (GSource *source)
{
  LoopSource *ls = (LoopSource *) source;

  return g_source_query_unix_fd (source, ls->tag) != 0 ||
         _dc_io_loop_next_due (ls->loop) <= g_source_get_time (source);
}

static gboolean
loop_source_dispatch (GSource     *source,
                      GSourceFunc  callback,
                      gpointer     user_data)
{
  DcIoLoop *self = ((LoopSource *) source)->loop;

  _dc_io_loop_fire_timers (self, g_get_monotonic_time ());
  _dc_io_loop_turn (self, 0);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs loop_source_funcs = {
  .prepare = loop_source_prepare,
  .check = loop_source_check,
  .dispatch = loop_source_dispatch,
};

/* Life */

static DcIoLoop *
loop_new (GMainContext *context,
          gboolean      hosted)
{
  DcIoLoop *self = _dc_io_loop_alloc (context, hosted);

  if (hosted)
    g_main_context_set_poll_func (context, loop_poll_func);
  else
    {
      LoopSource *ls;

      self->source = g_source_new (&loop_source_funcs, sizeof (LoopSource));
      ls = (LoopSource *) self->source;
      ls->loop = self;
      ls->tag = g_source_add_unix_fd (self->source, self->epfd, G_IO_IN);
      g_source_set_static_name (self->source, "[dc-io-loop]");
      g_source_attach (self->source, context);
    }

  g_mutex_lock (&registry_lock);
  if (registry == NULL)
    registry = g_hash_table_new (NULL, NULL);
  g_hash_table_insert (registry, context, self);
  g_mutex_unlock (&registry_lock);
  return self;
}

DcIoLoop *
dc_io_loop_new (void)
{
  /* Owner-less polling: a source attached from the loop's own thread while its poll function
   * runs (our callbacks run there) signals the context's wake-up, so the poll function returns
   * and GLib takes the new source into account. */
  return loop_new (g_main_context_new_with_flags (G_MAIN_CONTEXT_FLAGS_OWNERLESS_POLLING), TRUE);
}

DcIoLoop *
dc_io_loop_ref_for_context (GMainContext *context)
{
  DcIoLoop *self;

  if (context == NULL)
    context = g_main_context_default ();

  g_mutex_lock (&registry_lock);
  self = registry != NULL ? g_hash_table_lookup (registry, context) : NULL;
  if (self != NULL)
    self->ref++;
  g_mutex_unlock (&registry_lock);
  if (self != NULL)
    return self;
  return loop_new (g_main_context_ref (context), FALSE);
}

DcIoLoop *
dc_io_loop_ref (DcIoLoop *self)
{
  g_mutex_lock (&registry_lock);
  self->ref++;
  g_mutex_unlock (&registry_lock);
  return self;
}

void
dc_io_loop_unref (DcIoLoop *self)
{
  gboolean last;

  if (self == NULL)
    return;
  g_mutex_lock (&registry_lock);
  last = --self->ref == 0;
  if (last)
    g_hash_table_remove (registry, self->context);
  g_mutex_unlock (&registry_lock);
  if (last)
    loop_free (self);
}

static void
loop_free (DcIoLoop *self)
{
  if (self->n_timers > 0)
    g_warning ("I/O loop freed with %u timers armed", self->n_timers);
  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_source_unref (self->source);
    }
  _dc_io_loop_free (self);
}
