/* dc-live-states-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The engine's per-point sample state (live value, last stored value) keyed by point key, on
 * the ingest path (docs/performance.md, "Modbus acquisition path"): the states sit in one
 * dense array in the order they were first seen, with an open-addressing index beside it.
 * A driver delivers the points of a device in the same order every poll, so the state after
 * the one found last is tried first: one compare instead of a hash lookup per sample.
 * Main thread only (the engine's).
 */

#pragma once

#include <glib.h>

#include "dc-model.h"
#include "dc-sample.h"

G_BEGIN_DECLS

typedef struct
{
  gint64             key;
  const DcPointInfo *info;         /* the engine's point, valid while info_gen is current */
  guint              info_gen;
  gboolean           has_live;
  gboolean           has_stored;
  gint64             last_source;  /* the time the last in-order sample came with */
  DcSample           live;
  DcSample           stored;       /* the last sample handed to history (change mode) */
} DcLiveState;

typedef struct
{
  DcLiveState *states;  /* dense, first-seen order */
  guint        n;
  guint        capacity;
  guint32     *index;   /* dense index + 1; 0 = empty */
  guint        bits;    /* the index has 1 << bits slots */
  guint        hint;    /* the dense index after the state found last */
} DcLiveStates;

DcLiveStates *dc_live_states_new    (void);
void          dc_live_states_free   (DcLiveStates *self);
/* The state of @key, NULL when it has none yet. */
DcLiveState  *dc_live_states_find   (DcLiveStates *self,
                                     gint64        key);
/* A new zeroed state for @key (which has none); pointers to other states are invalidated. */
DcLiveState  *dc_live_states_insert (DcLiveStates *self,
                                     gint64        key);
void          dc_live_states_remove (DcLiveStates *self,
                                     gint64        key);
guint         dc_live_states_size   (DcLiveStates *self);

/* dc_live_states_find() trying the state after the last one found first. */
static inline DcLiveState *
dc_live_states_lookup (DcLiveStates *self,
                       gint64        key)
{
  guint h = self->hint;

  if (G_LIKELY (h < self->n && self->states[h].key == key))
    {
      self->hint = h + 1;
      return &self->states[h];
    }
  return dc_live_states_find (self, key);
}

G_END_DECLS
