/* dc-deferred.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-deferred"

#include "config.h"

#include "dc-deferred.h"

void
dc_deferred_init (DcDeferred *self,
                  GFunc       func,
                  gpointer    data)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (func != NULL);

  self->id = 0;
  self->func = func;
  self->data = data;
}

static gboolean
deferred_cb (gpointer user_data)
{
  DcDeferred *self = user_data;

  self->id = 0;
  self->func (self->data, NULL);
  return G_SOURCE_REMOVE;
}

void
dc_deferred_schedule (DcDeferred *self)
{
  g_return_if_fail (self != NULL);

  if (self->id == 0)
    self->id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, deferred_cb, self, NULL);
}

gboolean
dc_deferred_flush (DcDeferred *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->id == 0)
    return FALSE;
  g_clear_handle_id (&self->id, g_source_remove);
  self->func (self->data, NULL);
  return TRUE;
}

void
dc_deferred_cancel (DcDeferred *self)
{
  g_return_if_fail (self != NULL);

  g_clear_handle_id (&self->id, g_source_remove);
}
