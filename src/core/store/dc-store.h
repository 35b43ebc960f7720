/* dc-store.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <json-glib/json-glib.h>

#include "dc-audit.h"
#include "dc-model.h"

G_BEGIN_DECLS

/* The configuration store: devices, terms, items, points, formulas, the control record, in
 * one sqlite file (WAL, foreign keys, schema version with migrations). One process per file
 * (a lock file next to it). Used from the main thread only; every change is one short
 * transaction and is durable when the call returns. After each commit the store emits
 * ::changed once per affected entity, so the engine and the API follow at once.
 *
 * Errors are DC_ERROR with the exact REST texts: DC_ERROR_NOT_FOUND "device_id not found!",
 * DC_ERROR_EXISTS "device already exists!", DC_ERROR_INVALID "missing field: id", …
 * Batch errors append " (element <n>, id <id>)".
 *
 * Point ids in signals and lists are "term_id:item_id"; point objects always carry
 * device_id, term_id and item_id (device_id from the term) and "key" is NOT part of the JSON
 * (use dc_store_get_point_key()).
 *
 * Signals (main thread, after commit):
 *   ::changed (DcKind kind, DcChangeOp op, const char *id, const char *old_id)
 *       old_id is the previous id on a rename, else NULL. Cascaded deletes emit one
 *       ::changed per deleted child.
 *   ::point-removed (gint64 key)
 *       a point is gone for good: its history may be purged in the background. */
#define DC_TYPE_STORE (dc_store_get_type ())

G_DECLARE_FINAL_TYPE (DcStore, dc_store, DC, STORE, GObject)

/* Opens or creates @path; refuses with DC_ERROR_BUSY "database <path> is in use by process
 * <pid>" when another process holds it. */
DcStore    *dc_store_open                  (const char  *path,
                                            GError     **error);
const char *dc_store_get_path              (DcStore     *self);
int         dc_store_get_schema_version    (DcStore     *self);

/* Lists: ids in natural order. */
GPtrArray  *dc_store_list_ids              (DcStore     *self,
                                            DcKind       kind);
GPtrArray  *dc_store_list_device_terms     (DcStore     *self,
                                            const char  *device_id,
                                            GError     **error);
GPtrArray  *dc_store_list_term_items       (DcStore     *self,
                                            const char  *term_id,
                                            GError     **error);
/* Point objects (JsonObject, owned by the array) ordered by device, term, item (natural);
 * @device_id and @term_id filter when non-NULL. */
GPtrArray  *dc_store_list_points           (DcStore     *self,
                                            const char  *device_id,
                                            const char  *term_id);

/* Gets a device, term, item or formula (not points). */
JsonObject *dc_store_get                   (DcStore     *self,
                                            DcKind       kind,
                                            const char  *id,
                                            GError     **error);
/* 404s in the order term, item, point. */
JsonObject *dc_store_get_point             (DcStore     *self,
                                            const char  *term_id,
                                            const char  *item_id,
                                            GError     **error);
/* The never-reused integer key of a point, or 0 if the point does not exist. */
gint64      dc_store_get_point_key         (DcStore     *self,
                                            const char  *term_id,
                                            const char  *item_id);
/* All points as typed views (DcPointInfo references, released by the array), by key. The
 * views are the store's point cache (dc-store-points.c): one per point, shared by every
 * reader, read from sqlite once and then only for the points a commit changed. */
GPtrArray  *dc_store_list_point_infos      (DcStore     *self);
/* The points of one device (DcPointInfo references) in natural order of term and item. */
GPtrArray  *dc_store_list_device_point_infos (DcStore   *self,
                                            const char  *device_id);
/* One point as a typed view (a reference), or NULL when there is none: what a subscriber of
 * ::changed reads for a single point change instead of the whole plant (docs/performance.md). */
DcPointInfo *dc_store_get_point_info       (DcStore     *self,
                                            const char  *term_id,
                                            const char  *item_id);
/* The same for a point's id "term:item" (the id ::changed gives); NULL without a colon. */
DcPointInfo *dc_store_get_point_info_by_id (DcStore    *self,
                                            const char  *point_id);
/* Points handed out by dc_store_list_point_infos() since the store was opened: a measure of
 * whole-plant work by its readers, for tests and diagnostics. */
guint64     dc_store_get_points_listed     (DcStore     *self);
/* Point rows the point cache parsed since the store was opened (the first whole list, then
 * the points each commit changed): a measure of the store's own work per change. */
guint64     dc_store_get_points_read       (DcStore     *self);

/* The audit log that records every change made through the functions below (create,
 * update, delete, batches, applied imports) with the current actor (dc-audit-actor.h);
 * NULL (the default) records nothing. dc-store-audit.c, docs/security.md. */
void        dc_store_set_audit             (DcStore     *self,
                                            DcAudit     *audit);
DcAudit    *dc_store_get_audit             (DcStore     *self);

/* Creates one entity (validated). Points need term_id and item_id in @object. */
gboolean    dc_store_create                (DcStore     *self,
                                            DcKind       kind,
                                            JsonObject  *object,
                                            GError     **error);
/* Merge update of a device, term, item (patch fields replace, null removes, a different
 * "id" renames with children kept and formula references rewritten) or whole replacement
 * of a formula (PUT semantics of docs/rest.md). */
gboolean    dc_store_update                (DcStore     *self,
                                            DcKind       kind,
                                            const char  *id,
                                            JsonObject  *patch,
                                            GError     **error);
gboolean    dc_store_update_point          (DcStore     *self,
                                            const char  *term_id,
                                            const char  *item_id,
                                            JsonObject  *patch,
                                            GError     **error);
gboolean    dc_store_delete                (DcStore     *self,
                                            DcKind       kind,
                                            const char  *id,
                                            GError     **error);
gboolean    dc_store_delete_point          (DcStore     *self,
                                            const char  *term_id,
                                            const char  *item_id,
                                            GError     **error);
/* v2 batches: all or nothing. @kind DC_KIND_POINT takes objects with device_id, term_id,
 * item_id. Deletes take ids (strings or integers); point deletes take objects. */
gboolean    dc_store_create_batch          (DcStore     *self,
                                            DcKind       kind,
                                            JsonArray   *objects,
                                            GError     **error);
gboolean    dc_store_delete_batch          (DcStore     *self,
                                            DcKind       kind,
                                            JsonArray   *ids,
                                            GError     **error);

/* Project import (bulk editing): applies @project — an object with arrays "devices", "terms",
 * "items", "points", "formulas", in that order — row by row inside one transaction, each row in
 * its own savepoint: an existing entity is merged (update) or left alone when nothing changes, a
 * new one is created. Returns one DcImportRow per row (the preview). With @apply, the transaction
 * is committed only when no row failed; otherwise (or without @apply) everything is rolled back.
 * Returns NULL with @error only when the project itself is malformed. */
typedef enum
{
  DC_IMPORT_CREATE,
  DC_IMPORT_UPDATE,
  DC_IMPORT_UNCHANGED,
  DC_IMPORT_ERROR,
} DcImportAction;

typedef struct
{
  DcKind          kind;
  guint           index;   /* row within its kind, from 0 */
  char           *id;      /* "term_id:item_id" for points */
  DcImportAction  action;
  char           *error;   /* for DC_IMPORT_ERROR */
} DcImportRow;

void        dc_import_row_free             (DcImportRow *row);
const char *dc_import_action_to_string     (DcImportAction action);
GPtrArray  *dc_store_import                (DcStore     *self,
                                            JsonObject  *project,
                                            gboolean     apply,
                                            gboolean    *applied,
                                            GError     **error);
/* The whole configuration as a project object (same shape as dc_store_import takes). */
JsonObject *dc_store_export                (DcStore     *self);

G_END_DECLS
