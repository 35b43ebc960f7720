/* dc-io-pool.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The small pool of protocol I/O threads (docs/ARCHITECTURE.md "Threads and data flow"): each
 * thread runs a DcIoLoop (epoll, timers) hosting its own GMainContext; drivers get a context
 * round-robin (dc_io_loop_ref_for_context() gives its loop) and do their non-blocking I/O on
 * it, many drivers per thread. */
typedef struct _DcIoPool DcIoPool;

/* @n_threads 0 picks the default: the number of processors, between 1 and 4. */
DcIoPool     *dc_io_pool_new          (guint      n_threads);
/* Quits every loop, joins the threads and drops the contexts. Sources still attached to a
 * context are destroyed with it; drivers must be stopped first. */
void          dc_io_pool_free         (DcIoPool  *self);
guint         dc_io_pool_get_n_threads (DcIoPool *self);
/* The context of thread @index (0 ≤ index < n_threads), owned by the pool. */
GMainContext *dc_io_pool_get_context  (DcIoPool  *self,
                                       guint      index);
/* The next context, round-robin. Owned by the pool (ref it to keep it). */
GMainContext *dc_io_pool_next_context (DcIoPool  *self);
/* Runs @func (@data) on @context and waits until it returned (dc_io_context_invoke_sync(),
 * GLib's queue of @context). Runs it directly when the caller already owns @context (is that
 * thread). */
void          dc_io_invoke_sync       (GMainContext *context,
                                       GSourceFunc   func,
                                       gpointer      data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DcIoPool, dc_io_pool_free)

G_END_DECLS
