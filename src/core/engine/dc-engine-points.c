/* dc-engine-points.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-engine"

#include "config.h"

#include <string.h>

#include "dc-engine-private.h"

/* The engine's points: views shared with the store's point cache (docs/performance.md, "One
 * copy of each point"), their natural order, and how a change reaches them at its own cost. */

static int
compare_points_cb (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data)
{
  GHashTable *points = user_data;
  const DcPointInfo *pa = g_hash_table_lookup (points, a);
  const DcPointInfo *pb = g_hash_table_lookup (points, b);
  int r;

  /* Interned ids: the same text is the same pointer (most comparisons of a sort). */
  if (pa->device_id != pb->device_id &&
      (r = dc_natural_compare (pa->device_id ? pa->device_id : "",
                               pb->device_id ? pb->device_id : "")) != 0)
    return r;
  if (pa->term_id != pb->term_id && (r = dc_natural_compare (pa->term_id, pb->term_id)) != 0)
    return r;
  return pa->item_id == pb->item_id ? 0 : dc_natural_compare (pa->item_id, pb->item_id);
}

void
_dc_engine_reload_points (DcEngine *self)
{
  g_autoptr(GPtrArray) infos = dc_store_list_point_infos (self->store);
  GHashTable *points = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                              (GDestroyNotify) dc_point_info_free);
  g_autoptr(GArray) order = g_array_sized_new (FALSE, FALSE, sizeof (gint64), infos->len);

  self->reload_pending = FALSE;
  g_clear_pointer (&self->refresh, g_hash_table_unref);

  /* Steal the infos from the array: the hash table owns them now. */
  g_ptr_array_set_free_func (infos, NULL);
  for (guint i = 0; i < infos->len; i++)
    {
      DcPointInfo *info = g_ptr_array_index (infos, i);

      g_hash_table_replace (points, &info->key, info);
      g_array_append_val (order, info->key);
      if (self->history != NULL)
        dc_history_set_retention_days (self->history, info->key, info->retention_days);
    }
  g_array_sort_with_data (order, compare_points_cb, points);

  g_clear_pointer (&self->points, g_hash_table_unref);
  self->points = points;
  self->points_gen++;
  g_clear_pointer (&self->order, g_array_unref);
  self->order = g_steal_pointer (&order);
}

/* @order with the sorted @added keys merged in: a binary search per key and copies of the
 * runs between, so a few new points cost their number, not the plant's. */
static GArray *
merge_order (GArray     *order,
             GArray     *added,
             GHashTable *points)
{
  GArray *merged = g_array_sized_new (FALSE, FALSE, sizeof (gint64), order->len + added->len);
  guint from = 0;

  g_array_sort_with_data (added, compare_points_cb, points);
  for (guint i = 0; i < added->len; i++)
    {
      gint64 *key = &g_array_index (added, gint64, i);
      guint lo = from, hi = order->len;

      while (lo < hi)
        {
          guint mid = lo + (hi - lo) / 2;

          if (compare_points_cb (&g_array_index (order, gint64, mid), key, points) < 0)
            lo = mid + 1;
          else
            hi = mid;
        }
      g_array_append_vals (merged, (gint64 *) order->data + from, lo - from);
      g_array_append_vals (merged, key, 1);
      from = lo;
    }
  g_array_append_vals (merged, (gint64 *) order->data + from, order->len - from);
  return merged;
}

/* The position of @key in the natural order, or -1: a binary search (the point's view must
 * still be in self->points) then the run of points that compare equal. */
static gint
order_find (DcEngine *self,
            gint64    key)
{
  GArray *order = self->order;
  guint lo = 0, hi = order->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (compare_points_cb (&g_array_index (order, gint64, mid), &key, self->points) < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  for (; lo < order->len; lo++)
    {
      if (g_array_index (order, gint64, lo) == key)
        return (gint) lo;
      if (compare_points_cb (&g_array_index (order, gint64, lo), &key, self->points) != 0)
        break;
    }
  return -1;
}

/* Takes @key out of the natural order (its view still in self->points). */
static void
order_remove (DcEngine *self,
              gint64    key)
{
  gint at;

  if (self->order == NULL || !g_hash_table_contains (self->points, &key))
    return;
  at = order_find (self, key);
  if (at >= 0)
    g_array_remove_index (self->order, at);
}

/* Re-reads only the points created or edited since the last load (docs/performance.md: a
 * change costs its size); a renamed point moves in the order. A refresh larger than a
 * quarter of the plant reloads everything. */
static void
refresh_points (DcEngine *self)
{
  g_autoptr(GHashTable) refresh = g_steal_pointer (&self->refresh);
  g_autoptr(GArray) added = g_array_new (FALSE, FALSE, sizeof (gint64));
  GHashTableIter iter;
  gpointer id;

  if (g_hash_table_size (refresh) > g_hash_table_size (self->points) / 4)
    {
      _dc_engine_reload_points (self);
      return;
    }

  g_hash_table_iter_init (&iter, refresh);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    {
      DcPointInfo *info = dc_store_get_point_info_by_id (self->store, id);
      DcPointInfo *old;

      if (info == NULL)
        continue;  /* deleted since: ::point-removed took it out */
      old = g_hash_table_lookup (self->points, &info->key);
      if (old != NULL && (g_strcmp0 (old->device_id, info->device_id) != 0 ||
                          g_strcmp0 (old->term_id, info->term_id) != 0 ||
                          g_strcmp0 (old->item_id, info->item_id) != 0))
        {
          /* Renamed or moved: out of the order at its old place, merged in at its new one. */
          order_remove (self, info->key);
          old = NULL;
        }
      if (old == NULL)
        g_array_append_val (added, info->key);
      if (self->history != NULL)
        dc_history_set_retention_days (self->history, info->key, info->retention_days);
      g_hash_table_replace (self->points, &info->key, info);
      self->points_gen++;
    }

  if (added->len > 0)
    {
      GArray *order = merge_order (self->order, added, self->points);

      g_array_unref (self->order);
      self->order = order;
    }
}

void
_dc_engine_ensure_points (DcEngine *self)
{
  if (self->reload_pending || self->points == NULL)
    _dc_engine_reload_points (self);
  else if (self->refresh != NULL)
    refresh_points (self);
}

static gboolean
reload_idle_cb (gpointer data)
{
  DcEngine *self = data;

  self->idle_pending = FALSE;
  if (self->reload_pending || self->refresh != NULL)
    _dc_engine_ensure_points (self);
  return G_SOURCE_REMOVE;
}

void
_dc_engine_store_changed_cb (DcStore    *store,
                             int         kind,
                             int         op,
                             const char *id,
                             const char *old_id,
                             DcEngine   *self)
{
  GSource *source;

  if (kind == DC_KIND_FORMULA || self->reload_pending)
    return;
  /* A point created, edited or renamed is re-read alone. A device, term or item edit
   * announces each of its points, and a delete each removed point (::point-removed), so
   * nothing else needs the plant read again. */
  if (kind != DC_KIND_POINT || op == DC_CHANGE_DELETE)
    return;
  if (self->points != NULL)
    {
      if (self->refresh == NULL)
        self->refresh = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_add (self->refresh, g_strdup (id));
    }
  else
    self->reload_pending = TRUE;

  /* Coalesced: a batch of 10,000 point changes loads once, right after the commit; any
   * ingest before the idle loads first. */
  if (self->idle_pending)
    return;
  self->idle_pending = TRUE;
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_callback (source, reload_idle_cb, g_object_ref (self), g_object_unref);
  g_source_set_static_name (source, "[dc-engine-reload]");
  g_source_attach (source, self->context);
  g_source_unref (source);
}

void
_dc_engine_store_point_removed_cb (DcStore  *store,
                                   gint64    key,
                                   DcEngine *self)
{
  /* Its size: the key leaves the order (a binary search) and the tables. */
  if (self->points != NULL)
    {
      order_remove (self, key);
      g_hash_table_remove (self->points, &key);
    }
  self->points_gen++;
  dc_live_states_remove (self->states, key);
  if (self->history != NULL)
    dc_history_purge_key (self->history, key);
}
