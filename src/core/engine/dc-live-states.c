/* dc-live-states.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-engine"

#include "config.h"

#include <string.h>

#include "dc-live-states-private.h"

#define MIN_BITS 4

static inline guint32
slot_of (gint64 key,
         guint  bits)
{
  /* Fibonacci hashing: keys are often consecutive row ids. */
  return (guint32) (((guint64) key * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15)) >> (64 - bits));
}

DcLiveStates *
dc_live_states_new (void)
{
  DcLiveStates *self = g_new0 (DcLiveStates, 1);

  self->bits = MIN_BITS;
  self->index = g_new0 (guint32, 1u << self->bits);
  return self;
}

void
dc_live_states_free (DcLiveStates *self)
{
  if (self == NULL)
    return;
  g_free (self->states);
  g_free (self->index);
  g_free (self);
}

guint
dc_live_states_size (DcLiveStates *self)
{
  return self->n;
}

/* The index slot holding @key, or the empty slot where it would go. */
static guint32
probe (DcLiveStates *self,
       gint64        key)
{
  guint32 mask = (1u << self->bits) - 1;
  guint32 i = slot_of (key, self->bits);

  while (self->index[i] != 0 && self->states[self->index[i] - 1].key != key)
    i = (i + 1) & mask;
  return i;
}

DcLiveState *
dc_live_states_find (DcLiveStates *self,
                     gint64        key)
{
  guint32 i = probe (self, key);
  guint32 d = self->index[i];

  if (d == 0)
    return NULL;
  self->hint = d;
  return &self->states[d - 1];
}

static void
rehash (DcLiveStates *self,
        guint         bits)
{
  guint32 mask = (1u << bits) - 1;

  g_free (self->index);
  self->bits = bits;
  self->index = g_new0 (guint32, 1u << bits);
  for (guint d = 0; d < self->n; d++)
    {
      guint32 i = slot_of (self->states[d].key, bits);

      while (self->index[i] != 0)
        i = (i + 1) & mask;
      self->index[i] = d + 1;
    }
}

DcLiveState *
dc_live_states_insert (DcLiveStates *self,
                       gint64        key)
{
  DcLiveState *st;
  guint32 i;

  g_assert (self->n < G_MAXUINT32 / 4);
  if (self->n == self->capacity)
    {
      self->capacity = MAX (16, self->capacity * 2);
      self->states = g_renew (DcLiveState, self->states, self->capacity);
    }
  /* At most half full: short probes. */
  if ((self->n + 1) * 2 > (1u << self->bits))
    rehash (self, self->bits + 1);

  i = probe (self, key);
  g_assert (self->index[i] == 0);
  st = &self->states[self->n];
  memset (st, 0, sizeof *st);
  st->key = key;
  self->index[i] = ++self->n;
  self->hint = self->n;
  return st;
}

void
dc_live_states_remove (DcLiveStates *self,
                       gint64        key)
{
  guint32 mask = (1u << self->bits) - 1;
  guint32 i = probe (self, key);
  guint32 d = self->index[i];
  guint32 j;

  if (d == 0)
    return;

  /* Linear probing deletion: shift back the entries of the run after the hole that may not
   * sit between their home slot and the hole. */
  self->index[i] = 0;
  j = i;
  for (;;)
    {
      guint32 home;

      j = (j + 1) & mask;
      if (self->index[j] == 0)
        break;
      home = slot_of (self->states[self->index[j] - 1].key, self->bits);
      if (((j - home) & mask) >= ((j - i) & mask))
        {
          self->index[i] = self->index[j];
          self->index[j] = 0;
          i = j;
        }
    }

  /* The last state moves into the freed place of the dense array. */
  if (d != self->n)
    {
      guint32 last = probe (self, self->states[self->n - 1].key);

      self->states[d - 1] = self->states[self->n - 1];
      self->index[last] = d;
    }
  self->n--;
  self->hint = 0;
}
