/* dc-io-pool.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-io-pool"

#include "config.h"

#include "dc-io-pool.h"

#include "dc-io-loop.h"

typedef struct
{
  GThread  *thread;
  DcIoLoop *loop;
} IoThread;

struct _DcIoPool
{
  IoThread *threads;
  guint     n_threads;
  guint     next;      /* atomic */
};

static gpointer
io_thread_main (gpointer data)
{
  IoThread *io = data;

  dc_io_loop_run (io->loop);

  return NULL;
}

DcIoPool *
dc_io_pool_new (guint n_threads)
{
  DcIoPool *self;

  if (n_threads == 0)
    n_threads = CLAMP (g_get_num_processors (), 1, 4);

  self = g_new0 (DcIoPool, 1);
  self->n_threads = n_threads;
  self->threads = g_new0 (IoThread, n_threads);

  for (guint i = 0; i < n_threads; i++)
    {
      IoThread *io = &self->threads[i];
      g_autofree char *name = g_strdup_printf ("dc-io-%u", i);

      io->loop = dc_io_loop_new ();
      io->thread = g_thread_new (name, io_thread_main, io);
    }

  return self;
}

void
dc_io_pool_free (DcIoPool *self)
{
  if (self == NULL)
    return;

  /* The quit is a flag the loop reads: one before dc_io_loop_run() started is not lost. */
  for (guint i = 0; i < self->n_threads; i++)
    dc_io_loop_quit (self->threads[i].loop);

  for (guint i = 0; i < self->n_threads; i++)
    {
      IoThread *io = &self->threads[i];

      g_thread_join (io->thread);
      dc_io_loop_unref (io->loop);
    }

  g_free (self->threads);
  g_free (self);
}

guint
dc_io_pool_get_n_threads (DcIoPool *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_threads;
}

GMainContext *
dc_io_pool_get_context (DcIoPool *self,
                        guint     index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_threads, NULL);

  return dc_io_loop_get_context (self->threads[index].loop);
}

GMainContext *
dc_io_pool_next_context (DcIoPool *self)
{
  guint index;

  g_return_val_if_fail (self != NULL, NULL);

  index = (guint) g_atomic_int_add ((gint *) &self->next, 1);

  return dc_io_loop_get_context (self->threads[index % self->n_threads].loop);
}

void
dc_io_invoke_sync (GMainContext *context,
                   GSourceFunc   func,
                   gpointer      data)
{
  dc_io_context_invoke_sync (context, func, data);
}
