/* dc-plant-model.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <json-glib/json-glib.h>

#include "dc-device-node.h"
#include "dc-audit-source.h"
#include "dc-engine.h"
#include "dc-model.h"
#include "dc-point-row.h"
#include "dc-sample.h"
#include "dc-store.h"

G_BEGIN_DECLS

/* Signals:
 *   ::flushed (guint n_rows)          pending samples were applied to n_rows rows
 *   ::device-failed (DcDeviceNode *device, const char *message)
 *                                     a device's link went down (for a toast) */

/* The workstation's view of the plant: devices → terms → points as list models for the
 * device tree and the point table, plus the live value of every point. Configuration comes
 * in through dc_plant_model_load() (everything, sorted) and dc_plant_model_apply_change()
 * (one entity at a time, following the store's ::changed signal). Samples come in batches
 * through dc_plant_model_push_samples() from the engine's listener; they are coalesced and
 * applied to the rows at most refresh-rate times per second by one timer, so a flood of
 * samples costs one row update per point per frame, never a list-model change. */
#define DC_TYPE_PLANT_MODEL (dc_plant_model_get_type ())

G_DECLARE_FINAL_TYPE (DcPlantModel, dc_plant_model, DC, PLANT_MODEL, GObject)

/* A point for dc_plant_model_load(): the key and the stored JSON object (with device_id,
 * term_id, item_id). */
typedef struct
{
  gint64      key;
  JsonObject *json;
} DcPlantPoint;

DcPlantModel *dc_plant_model_new              (void);
/* Devices (DcDeviceNode), natural order. */
GListModel   *dc_plant_model_get_devices      (DcPlantModel       *self);
guint         dc_plant_model_get_n_points     (DcPlantModel       *self);
DcDeviceNode *dc_plant_model_lookup_device    (DcPlantModel       *self,
                                               const char         *device_id);
DcDeviceNode *dc_plant_model_lookup_term      (DcPlantModel       *self,
                                               const char         *term_id);
DcPointRow   *dc_plant_model_lookup_point     (DcPlantModel       *self,
                                               gint64              key);
DcPointRow   *dc_plant_model_lookup_point_id  (DcPlantModel       *self,
                                               const char         *term_id,
                                               const char         *item_id);
/* Replaces everything. Arrays of JsonObject (devices, terms, items) and DcPlantPoint, each in
 * the store's natural order; the objects are read, not kept. */
void          dc_plant_model_load             (DcPlantModel       *self,
                                               GPtrArray          *devices,
                                               GPtrArray          *terms,
                                               GPtrArray          *items,
                                               const DcPlantPoint *points,
                                               guint               n_points);
/* One configuration change: @object is the entity after the change (NULL for deletes), @key
 * the point key for point creates. @id is "term:item" for points. */
void          dc_plant_model_apply_change     (DcPlantModel       *self,
                                               DcKind              kind,
                                               DcChangeOp          op,
                                               const char         *id,
                                               const char         *old_id,
                                               JsonObject         *object,
                                               gint64              key);
/* Loads everything from @store and follows its ::changed signal (incrementally) until the
 * store or the model goes away. NULL stops following. */
void          dc_plant_model_follow_store     (DcPlantModel       *self,
                                               DcStore            *store);
DcStore      *dc_plant_model_get_store        (DcPlantModel       *self);
/* Where the audit log is read (the Audit page, Recent Controls): the one set, else the
 * audit log of the followed store (dc_store_get_audit), else NULL. A client of a remote
 * server sets its own (dc-audit-source.h). */
void           dc_plant_model_set_audit_source (DcPlantModel      *self,
                                                DcAuditSource     *source);
DcAuditSource *dc_plant_model_get_audit_source (DcPlantModel      *self);
/* Takes live values (every accepted batch of ::samples, coalesced) and link states
 * (::device-changed of the engine's drivers) from @engine; the current live values and
 * states are applied at once. NULL stops following. The history of trends is the engine's. */
void          dc_plant_model_follow_engine    (DcPlantModel       *self,
                                               DcEngine           *engine);
DcEngine     *dc_plant_model_get_engine       (DcPlantModel       *self);
/* Main thread. Remembers the newest sample per key; rows change at the next refresh. */
void          dc_plant_model_push_samples     (DcPlantModel       *self,
                                               const DcSample     *samples,
                                               guint               n_samples);
/* Applies pending samples now (tests, and before a screenshot). Returns rows updated. */
guint         dc_plant_model_flush            (DcPlantModel       *self);
double        dc_plant_model_get_refresh_rate (DcPlantModel       *self);
void          dc_plant_model_set_refresh_rate (DcPlantModel       *self,
                                               double              hz);
/* A device's link from its state text in the API and the engine's signals ("up", "down",
 * "connecting", "disabled"); anything else is unknown. */
DcNodeLink    dc_node_link_from_string        (const char         *state);
void          dc_plant_model_set_device_state (DcPlantModel       *self,
                                               const char         *device_id,
                                               DcNodeLink         state,
                                               const char         *last_error);

G_END_DECLS
