/* dc-import-dialog.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

#include "dc-plant-source.h"
#include "dc-store.h"

G_BEGIN_DECLS

/* Bulk import: a JSON project file or CSV files (one per kind: devices.csv, terms.csv,
 * items.csv, points.csv, formulas.csv), a preview of what will be created, changed or left
 * alone and the per-row errors (an import without apply), then an all-or-nothing apply. Both
 * go through the plant connection (docs/ui-editing.md "Import and export"): the local store,
 * or a server's POST /api/v1/project; the dialog is busy while one is in flight.
 *
 * Signals:
 *   ::applied ()   the project was imported */
#define DC_TYPE_IMPORT_DIALOG (dc_import_dialog_get_type ())

G_DECLARE_FINAL_TYPE (DcImportDialog, dc_import_dialog, DC, IMPORT_DIALOG, AdwWindow)

DcImportDialog *dc_import_dialog_new         (GtkWindow      *parent,
                                              DcPlantSource  *source);
/* Loads @files (a .json project, or .csv files named after their kind) and asks for their
 * preview; FALSE with @error when a file cannot be read. */
gboolean        dc_import_dialog_load_files  (DcImportDialog *self,
                                              GFile         **files,
                                              guint           n_files,
                                              GError        **error);
/* TRUE while a preview or an apply is in flight. */
gboolean        dc_import_dialog_is_busy     (DcImportDialog *self);
/* "2 to create, 1 to change, 0 unchanged, 1 with errors" */
const char     *dc_import_dialog_get_summary (DcImportDialog *self);
/* Preview rows (DcImportRow), NULL before a load. */
GPtrArray      *dc_import_dialog_get_rows    (DcImportDialog *self);
gboolean        dc_import_dialog_can_apply   (DcImportDialog *self);
/* Starts the apply; FALSE with @error when there is nothing to apply. When it is done the
 * dialog emits ::applied and closes, or shows why nothing was imported. */
gboolean        dc_import_dialog_apply       (DcImportDialog *self,
                                              GError        **error);

/* Export: a project (dc_plant_source_export_finish()) as one JSON file, or as CSV files in
 * @folder. */
gboolean        dc_project_export_json       (JsonObject     *project,
                                              GFile          *file,
                                              GError        **error);
gboolean        dc_project_export_csv        (JsonObject     *project,
                                              GFile          *folder,
                                              GError        **error);

G_END_DECLS
