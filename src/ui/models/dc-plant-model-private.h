/* dc-plant-model-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-plant-model.h"

G_BEGIN_DECLS

/* DcPlantModel is split by concern: dc-plant-model.c (type, lookups, live values, link states,
 * the engine) and dc-plant-model-config.c (configuration: load and changes from the store), which
 * only uses this struct and never calls back into dc-plant-model.c. */
struct _DcPlantModel
{
  GObject      parent_instance;

  GListStore  *devices;
  GHashTable  *devices_by_id;   /* id → DcDeviceNode (borrowed from the stores) */
  GHashTable  *terms_by_id;     /* id → DcDeviceNode */
  GHashTable  *rows_by_key;     /* the row's key (dc_point_row_peek_key()) → DcPointRow (owned) */
  GHashTable  *rows_by_id;      /* the row's "term:item" → DcPointRow (borrowed); NULL until
                                 * first used (_dc_plant_model_rows_by_id()) */
  GHashTable  *items;           /* item id → JsonObject (owned) */
  GHashTable  *pending;         /* gint64* (in the value) → DcSample* (owned) */

  DcStore     *store;
  DcEngine    *engine;
  DcAuditSource *audit_source;  /* set, or made for the store's audit log when asked */

  double       refresh_rate;
  guint        flush_id;
};

/* dc-plant-model-config.c: the body of dc_plant_model_load(); dc-plant-model-changes.c: those of
 * _apply_change() and _follow_store(). */
void _dc_plant_model_load          (DcPlantModel       *self,
                                    GPtrArray          *devices,
                                    GPtrArray          *terms,
                                    GPtrArray          *items,
                                    const DcPlantPoint *points,
                                    guint               n_points);
void _dc_plant_model_apply_change  (DcPlantModel       *self,
                                    DcKind              kind,
                                    DcChangeOp          op,
                                    const char         *id,
                                    const char         *old_id,
                                    JsonObject         *object,
                                    gint64              key);
void _dc_plant_model_follow_store  (DcPlantModel       *self,
                                    DcStore            *store);
/* The id index, built from the rows on first use: a load does not pay for it (nor for the
 * rows' "term:item" strings) before a change by id comes (docs/performance.md). */
GHashTable *_dc_plant_model_rows_by_id (DcPlantModel     *self);

/* dc-plant-model-config.c: rows and nodes, shared with the changes (dc-plant-model-changes.c). */
gboolean    _dc_plant_model_store_remove    (GListStore   *store,
                                             gpointer      item);
void        _dc_plant_model_notify_n_points (DcPlantModel *self);
void        _dc_plant_model_update_row      (DcPlantModel *self,
                                             DcPointRow   *row,
                                             JsonObject   *point);
void        _dc_plant_model_update_device   (DcDeviceNode *node,
                                             JsonObject   *device);
void        _dc_plant_model_forget_term     (DcPlantModel *self,
                                             DcDeviceNode *term);
void        _dc_plant_model_forget_row      (DcPlantModel *self,
                                             DcPointRow   *row);
DcPointRow *_dc_plant_model_create_row      (DcPlantModel *self,
                                             gint64        key,
                                             JsonObject   *point);

G_END_DECLS
