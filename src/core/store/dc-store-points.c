/* dc-store-points.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-store"

#include "config.h"

#include "dc-store-private.h"

#include "dc-point-id.h"

/* The point cache: one DcPointInfo per point, shared by every reader (the engine, the
 * drivers, the plugins, the API): docs/performance.md, "One copy of each point". It is filled
 * by the first whole list and then follows the store: after each commit, every point the
 * transaction created or changed is read again alone (device, term and item edits announce
 * their points) and every removed key leaves it, so a change costs its size. */

#define INFO_COLUMNS "p.key, " POINT_COLUMNS

static DcPointInfo *
info_from_row (sqlite3_stmt *stmt)
{
  return dc_point_info_new_from_text (sqlite3_column_int64 (stmt, 0),
                                      (const char *) sqlite3_column_text (stmt, 2),
                                      (const char *) sqlite3_column_text (stmt, 3),
                                      (const char *) sqlite3_column_text (stmt, 4),
                                      (const char *) sqlite3_column_text (stmt, 1));
}

/* Reads one point from its row, or NULL when there is none. */
static DcPointInfo *
read_point (DcStore    *self,
            const char *term_id,
            const char *item_id)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = _dc_store_prepare (self, "SELECT " INFO_COLUMNS " " POINT_FROM
                            " WHERE p.term_id = ? AND p.item_id = ?", NULL);
  if (stmt == NULL)
    return NULL;
  _dc_store_bind_text (stmt, 1, term_id);
  _dc_store_bind_text (stmt, 2, item_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return info_from_row (stmt);
}

static void
cache_insert (DcStore     *self,
              DcPointInfo *info)
{
  g_hash_table_replace (self->point_cache, &info->key, info);
}

static void points_committed (DcStore *self,
                              GArray  *changes,
                              GArray  *removed_keys);

static void
ensure_cache (DcStore *self)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (self->point_cache != NULL)
    return;

  self->point_cache = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                             (GDestroyNotify) dc_point_info_unref);
  self->points_committed = points_committed;
  stmt = _dc_store_prepare (self, "SELECT " INFO_COLUMNS " " POINT_FROM, NULL);
  if (stmt == NULL)
    return;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    cache_insert (self, info_from_row (stmt));
  self->points_read += g_hash_table_size (self->point_cache);
  /* The pages of the whole scan stay in sqlite's cache (up to 2 MB) for nothing: the views
   * answer the reads from now on. */
  g_clear_pointer (&stmt, _dc_store_stmt_release);
  sqlite3_db_release_memory (self->db);
}

static void
points_committed (DcStore *self,
                  GArray  *changes,
                  GArray  *removed_keys)
{
  if (self->point_cache == NULL)
    return;

  for (guint i = 0; i < removed_keys->len; i++)
    g_hash_table_remove (self->point_cache, &g_array_index (removed_keys, gint64, i));

  for (guint i = 0; i < changes->len; i++)
    {
      const Change *c = &g_array_index (changes, Change, i);
      g_autofree char *term_id = NULL;
      const char *item_id;
      DcPointInfo *info;

      if (c->kind != DC_KIND_POINT || c->op == DC_CHANGE_DELETE ||
          !dc_point_id_split (c->id, &term_id, &item_id))
        continue;
      info = read_point (self, term_id, item_id);
      self->points_read++;
      if (info != NULL)
        cache_insert (self, info);
    }
}

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  const DcPointInfo *pa = *(DcPointInfo * const *) a;
  const DcPointInfo *pb = *(DcPointInfo * const *) b;

  return pa->key < pb->key ? -1 : pa->key > pb->key;
}

GPtrArray *
dc_store_list_point_infos (DcStore *self)
{
  GPtrArray *infos;
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (DC_IS_STORE (self), NULL);

  ensure_cache (self);
  infos = g_ptr_array_new_full (g_hash_table_size (self->point_cache),
                                (GDestroyNotify) dc_point_info_unref);
  g_hash_table_iter_init (&iter, self->point_cache);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (infos, dc_point_info_ref (value));
  g_ptr_array_sort (infos, compare_keys);
  self->points_listed += infos->len;

  return infos;
}

DcPointInfo *
dc_store_get_point_info_by_id (DcStore    *self,
                               const char *point_id)
{
  g_autofree char *term_id = NULL;
  const char *item_id;

  g_return_val_if_fail (point_id != NULL, NULL);

  if (!dc_point_id_split (point_id, &term_id, &item_id))
    return NULL;
  return dc_store_get_point_info (self, term_id, item_id);
}

DcPointInfo *
dc_store_get_point_info (DcStore    *self,
                         const char *term_id,
                         const char *item_id)
{
  DcPointInfo *info;
  gint64 key;

  g_return_val_if_fail (DC_IS_STORE (self), NULL);
  g_return_val_if_fail (term_id != NULL && item_id != NULL, NULL);

  if (self->point_cache == NULL)
    return read_point (self, term_id, item_id);

  key = dc_store_get_point_key (self, term_id, item_id);
  if (key == 0)
    return NULL;
  info = g_hash_table_lookup (self->point_cache, &key);
  if (info == NULL)
    {
      /* Not announced yet (read inside the transaction that writes it): read it alone. */
      info = read_point (self, term_id, item_id);
      self->points_read++;
      if (info == NULL)
        return NULL;
      cache_insert (self, info);
    }
  return dc_point_info_ref (info);
}

static int
compare_natural (gconstpointer a,
                 gconstpointer b)
{
  const DcPointInfo *pa = *(DcPointInfo * const *) a;
  const DcPointInfo *pb = *(DcPointInfo * const *) b;
  int r = dc_natural_compare (pa->term_id, pb->term_id);

  return r != 0 ? r : dc_natural_compare (pa->item_id, pb->item_id);
}

GPtrArray *
dc_store_list_device_point_infos (DcStore    *self,
                                  const char *device_id)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GPtrArray *infos;

  g_return_val_if_fail (DC_IS_STORE (self), NULL);
  g_return_val_if_fail (device_id != NULL, NULL);

  ensure_cache (self);
  infos = g_ptr_array_new_with_free_func ((GDestroyNotify) dc_point_info_unref);
  stmt = _dc_store_prepare (self, "SELECT p.key FROM " POINT_FROM_TABLES
                            " WHERE t.device_id = ?", NULL);
  if (stmt == NULL)
    return infos;
  _dc_store_bind_text (stmt, 1, device_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 key = sqlite3_column_int64 (stmt, 0);
      DcPointInfo *info = g_hash_table_lookup (self->point_cache, &key);

      if (info != NULL)
        g_ptr_array_add (infos, dc_point_info_ref (info));
    }
  g_ptr_array_sort (infos, compare_natural);
  return infos;
}

guint64
dc_store_get_points_listed (DcStore *self)
{
  g_return_val_if_fail (DC_IS_STORE (self), 0);

  return self->points_listed;
}

guint64
dc_store_get_points_read (DcStore *self)
{
  g_return_val_if_fail (DC_IS_STORE (self), 0);

  return self->points_read;
}
