/* dc-deferred.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Work run once at high idle priority on the main context, however often it was scheduled
 * before it ran: the plugins rebuild their rule tables this way when the store changes, so a
 * 10,000-point batch costs one rebuild. Embedded by value; main thread only. */
typedef struct
{
  guint      id;
  GFunc      func;
  gpointer   data;
} DcDeferred;

void     dc_deferred_init     (DcDeferred *self,
                               GFunc       func,
                               gpointer    data);
void     dc_deferred_schedule (DcDeferred *self);
/* Runs the work now if it is pending; returns whether it ran. */
gboolean dc_deferred_flush    (DcDeferred *self);
void     dc_deferred_cancel   (DcDeferred *self);

G_END_DECLS
