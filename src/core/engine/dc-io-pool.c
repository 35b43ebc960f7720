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

void
dc_io_invoke_sync (GMainContext *context,
                   GSourceFunc   func,
                   gpointer      data)
{
  InvokeSync state = { func, data };
  g_autoptr(GSource) source = NULL;

  g_return_if_fail (func != NULL);

  if (context == NULL)
    context = g_main_context_default ();

  if (g_main_context_is_owner (context))
    {
      func (data);
      return;
    }

  g_mutex_init (&state.mutex);
  g_cond_init (&state.cond);

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_callback (source, invoke_sync_cb, &state, NULL);
  g_source_set_static_name (source, "[dc-io-invoke-sync]");
  g_source_attach (source, context);

  g_mutex_lock (&state.mutex);
  while (!state.done)
    g_cond_wait (&state.cond, &state.mutex);
  g_mutex_unlock (&state.mutex);

  g_mutex_clear (&state.mutex);
  g_cond_clear (&state.cond);
}
