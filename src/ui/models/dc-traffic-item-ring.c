/* dc-traffic-item-ring.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-traffic-item"

#include "config.h"

#include "dc-traffic-item-ring.h"

/* The rows model: one plain GObject per row, in a circular buffer of its own (the ring's
 * capacity), positions mapped as the frames' but with its own head. */
#define DC_TYPE_TRAFFIC_ROWS (dc_traffic_rows_get_type ())
G_DECLARE_FINAL_TYPE (DcTrafficRows, dc_traffic_rows, DC, TRAFFIC_ROWS, GObject)

struct _DcTrafficRows
{
  GObject   parent_instance;

  GObject **buf;
  guint     capacity;
  guint     head;
  guint     n;
};

static void dc_traffic_rows_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DcTrafficRows, dc_traffic_rows, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, dc_traffic_rows_model_init))

static GType
rows_get_item_type (GListModel *model)
{
  return G_TYPE_OBJECT;
}

static guint
rows_get_n_items (GListModel *model)
{
  return DC_TRAFFIC_ROWS (model)->n;
}

static guint
rows_slot (DcTrafficRows *self,
           guint          position)
{
  return (self->head + self->capacity - position) % self->capacity;
}

static gpointer
rows_get_item (GListModel *model,
               guint       position)
{
  DcTrafficRows *self = DC_TRAFFIC_ROWS (model);

  if (position >= self->n)
    return NULL;
  return g_object_ref (self->buf[rows_slot (self, position)]);
}

static void
dc_traffic_rows_model_init (GListModelInterface *iface)
{
  iface->get_item_type = rows_get_item_type;
  iface->get_n_items = rows_get_n_items;
  iface->get_item = rows_get_item;
}

static void
rows_drop_oldest (DcTrafficRows *self,
                  guint          count)
{
  for (guint i = 0; i < count && self->n > 0; i++)
    {
      guint s = rows_slot (self, self->n - 1);

      g_clear_object (&self->buf[s]);
      self->n--;
    }
}

static void
dc_traffic_rows_finalize (GObject *object)
{
  DcTrafficRows *self = DC_TRAFFIC_ROWS (object);

  rows_drop_oldest (self, self->n);
  g_free (self->buf);

  G_OBJECT_CLASS (dc_traffic_rows_parent_class)->finalize (object);
}

static void
dc_traffic_rows_class_init (DcTrafficRowsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = dc_traffic_rows_finalize;
}

static void
dc_traffic_rows_init (DcTrafficRows *self)
{
}

static void
rows_resize (DcTrafficRows *self,
             guint          capacity)
{
  GObject **buf = g_new0 (GObject *, capacity);
  guint n = MIN (self->n, capacity);

  rows_drop_oldest (self, self->n - n);
  for (guint i = 0; i < n; i++)
    buf[n - 1 - i] = self->buf[rows_slot (self, i)];
  g_free (self->buf);
  self->buf = buf;
  self->capacity = capacity;
  self->head = n > 0 ? n - 1 : capacity - 1;
}

/* New rows at the top (moved) or at the end (rotated), one new object each. */
static void
rows_add_top (DcTrafficRows *self,
              guint          count)
{
  for (guint i = 0; i < count; i++)
    {
      self->head = (self->head + 1) % self->capacity;
      g_assert (self->buf[self->head] == NULL);
      self->buf[self->head] = g_object_new (G_TYPE_OBJECT, NULL);
      self->n++;
    }
}

static void
rows_add_end (DcTrafficRows *self,
              guint          count)
{
  for (guint i = 0; i < count; i++)
    {
      guint s = rows_slot (self, self->n);

      g_assert (self->buf[s] == NULL);
      self->buf[s] = g_object_new (G_TYPE_OBJECT, NULL);
      self->n++;
    }
}

struct _DcTrafficRing
{
  GObject         parent_instance;

  DcTrafficItem **buf;       /* capacity slots; owned references */
  guint           capacity;
  guint           head;      /* the slot of the newest frame */
  guint           n;
  DcTrafficRows  *rows;
};

enum {
  SIGNAL_ROTATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void dc_traffic_ring_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DcTrafficRing, dc_traffic_ring, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, dc_traffic_ring_model_init))

static GType
ring_get_item_type (GListModel *model)
{
  return DC_TYPE_TRAFFIC_ITEM;
}

static guint
ring_get_n_items (GListModel *model)
{
  return DC_TRAFFIC_RING (model)->n;
}

static gpointer
ring_get_item (GListModel *model,
               guint       position)
{
  DcTrafficItem *item = dc_traffic_ring_peek (DC_TRAFFIC_RING (model), position);

  return item ? g_object_ref (item) : NULL;
}

static void
dc_traffic_ring_model_init (GListModelInterface *iface)
{
  iface->get_item_type = ring_get_item_type;
  iface->get_n_items = ring_get_n_items;
  iface->get_item = ring_get_item;
}

/* The slot of the frame at @position (0 = newest). */
static guint
slot (DcTrafficRing *self,
      guint          position)
{
  return (self->head + self->capacity - position) % self->capacity;
}

/* Takes the oldest frame out; the caller owns it. */
static DcTrafficItem *
pop_oldest (DcTrafficRing *self)
{
  guint s = slot (self, self->n - 1);
  DcTrafficItem *item = self->buf[s];

  self->buf[s] = NULL;
  self->n--;
  return item;
}

static void
drop_oldest (DcTrafficRing *self,
             guint          count,
             GPtrArray     *dropped)
{
  /* The oldest first into @dropped: collect from the oldest end. */
  for (guint i = 0; i < count && self->n > 0; i++)
    {
      DcTrafficItem *item = pop_oldest (self);

      if (dropped != NULL)
        g_ptr_array_add (dropped, item);
      else
        g_object_unref (item);
    }
}

static void
dc_traffic_ring_finalize (GObject *object)
{
  DcTrafficRing *self = DC_TRAFFIC_RING (object);

  drop_oldest (self, self->n, NULL);
  g_free (self->buf);
  g_clear_object (&self->rows);

  G_OBJECT_CLASS (dc_traffic_ring_parent_class)->finalize (object);
}

static void
dc_traffic_ring_class_init (DcTrafficRingClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = dc_traffic_ring_finalize;

  signals[SIGNAL_ROTATED] = g_signal_new ("rotated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
dc_traffic_ring_init (DcTrafficRing *self)
{
}

DcTrafficRing *
dc_traffic_ring_new (guint capacity)
{
  DcTrafficRing *self = g_object_new (DC_TYPE_TRAFFIC_RING, NULL);

  self->capacity = MAX (capacity, 1);
  self->buf = g_new0 (DcTrafficItem *, self->capacity);
  self->rows = g_object_new (DC_TYPE_TRAFFIC_ROWS, NULL);
  self->rows->capacity = self->capacity;
  self->rows->buf = g_new0 (GObject *, self->capacity);
  return self;
}

GListModel *
dc_traffic_ring_get_rows (DcTrafficRing *self)
{
  g_return_val_if_fail (DC_IS_TRAFFIC_RING (self), NULL);
  return G_LIST_MODEL (self->rows);
}

/* Both models announce the same change. */
static void
changed (DcTrafficRing *self,
         guint          position,
         guint          removed,
         guint          added)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
  g_list_model_items_changed (G_LIST_MODEL (self->rows), position, removed, added);
}

guint
dc_traffic_ring_get_capacity (DcTrafficRing *self)
{
  g_return_val_if_fail (DC_IS_TRAFFIC_RING (self), 0);
  return self->capacity;
}

void
dc_traffic_ring_set_capacity (DcTrafficRing *self,
                              guint          capacity)
{
  DcTrafficItem **buf;
  guint old_n;
  guint n;

  g_return_if_fail (DC_IS_TRAFFIC_RING (self));

  capacity = MAX (capacity, 1);
  if (capacity == self->capacity)
    return;
  old_n = self->n;
  drop_oldest (self, self->n > capacity ? self->n - capacity : 0, NULL);
  n = self->n;
  buf = g_new0 (DcTrafficItem *, capacity);
  /* Newest at slot n - 1, oldest at 0. */
  for (guint i = 0; i < n; i++)
    buf[n - 1 - i] = self->buf[slot (self, i)];
  g_free (self->buf);
  self->buf = buf;
  self->capacity = capacity;
  self->head = n > 0 ? n - 1 : capacity - 1;
  rows_resize (self->rows, capacity);
  if (n < old_n)
    changed (self, n, old_n - n, 0);
}

DcTrafficItem *
dc_traffic_ring_peek (DcTrafficRing *self,
                      guint          position)
{
  g_return_val_if_fail (DC_IS_TRAFFIC_RING (self), NULL);

  if (position >= self->n)
    return NULL;
  return self->buf[slot (self, position)];
}

void
dc_traffic_ring_push (DcTrafficRing  *self,
                      DcTrafficItem **items,
                      guint           n_items,
                      guint           n_drop,
                      gboolean        rotate,
                      GPtrArray      *dropped)
{
  guint old_n;
  guint skip;
  guint left;

  g_return_if_fail (DC_IS_TRAFFIC_RING (self));
  g_return_if_fail (items != NULL || n_items == 0);

  old_n = self->n;
  /* More frames than the ring holds: only the newest go in. */
  skip = n_items > self->capacity ? n_items - self->capacity : 0;
  n_drop = MIN (n_drop, self->n);
  if (self->n - n_drop + (n_items - skip) > self->capacity)
    n_drop = self->n + (n_items - skip) - self->capacity;
  drop_oldest (self, n_drop, dropped);
  left = self->n;
  for (guint i = skip; i < n_items; i++)
    {
      self->head = (self->head + 1) % self->capacity;
      g_assert (self->buf[self->head] == NULL);
      self->buf[self->head] = g_object_ref (items[i]);
      self->n++;
    }
  for (guint i = 0; i < skip; i++)
    if (dropped != NULL)
      g_ptr_array_add (dropped, g_object_ref (items[i]));

  if (rotate)
    {
      /* The row objects stay where they are; rows come or go at the end. */
      if (self->n > old_n)
        rows_add_end (self->rows, self->n - old_n);
      else
        rows_drop_oldest (self->rows, old_n - self->n);
      if (self->n > old_n)
        changed (self, old_n, 0, self->n - old_n);
      else if (self->n < old_n)
        changed (self, self->n, old_n - self->n, 0);
      if (n_items > skip)
        g_signal_emit (self, signals[SIGNAL_ROTATED], 0, n_items - skip);
    }
  else
    {
      /* The oldest left the end (positions as before the new ones went in), then the new ones
       * came at the top; the row objects move with their frames. */
      rows_drop_oldest (self->rows, old_n - left);
      if (old_n > left)
        changed (self, left, old_n - left, 0);
      rows_add_top (self->rows, self->n - left);
      if (self->n > left)
        changed (self, 0, 0, self->n - left);
    }
}

void
dc_traffic_ring_replace (DcTrafficRing  *self,
                         DcTrafficItem **items,
                         guint           n_items)
{
  guint old_n;
  guint skip;

  g_return_if_fail (DC_IS_TRAFFIC_RING (self));

  old_n = self->n;
  drop_oldest (self, self->n, NULL);
  self->head = self->capacity - 1;
  skip = n_items > self->capacity ? n_items - self->capacity : 0;
  for (guint i = skip; i < n_items; i++)
    {
      self->head = (self->head + 1) % self->capacity;
      self->buf[self->head] = g_object_ref (items[i]);
      self->n++;
    }
  rows_drop_oldest (self->rows, self->rows->n);
  self->rows->head = self->rows->capacity - 1;
  rows_add_top (self->rows, self->n);
  if (old_n > 0 || self->n > 0)
    changed (self, 0, old_n, self->n);
}
