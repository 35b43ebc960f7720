/* dc-import-dialog.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

#include "dc-store.h"

G_BEGIN_DECLS

/* Bulk import: a JSON project file or CSV files (one per kind: devices.csv, terms.csv,
 * items.csv, points.csv, formulas.csv), a preview of what will be created, changed or left
 * alone and the per-row errors (dc_store_import without apply), then an all-or-nothing apply.
 *
 * Signals:
 *   ::applied ()   the project was imported */
#define DC_TYPE_IMPORT_DIALOG (dc_import_dialog_get_type ())

G_DECLARE_FINAL_TYPE (DcImportDialog, dc_import_dialog, DC, IMPORT_DIALOG, AdwWindow)

DcImportDialog *dc_import_dialog_new         (GtkWindow      *parent,
                                              DcStore        *store);
/* Loads and previews @files (a .json project, or .csv files named after their kind). */
gboolean        dc_import_dialog_load_files  (DcImportDialog *self,
                                              GFile         **files,
                                              guint           n_files,
                                              GError        **error);
/* "2 to create, 1 to change, 0 unchanged, 1 with errors" */
const char     *dc_import_dialog_get_summary (DcImportDialog *self);
/* Preview rows (DcImportRow), NULL before a load. */
GPtrArray      *dc_import_dialog_get_rows    (DcImportDialog *self);
gboolean        dc_import_dialog_can_apply   (DcImportDialog *self);
gboolean        dc_import_dialog_apply       (DcImportDialog *self,
                                              GError        **error);

/* Export: the whole configuration as one JSON project file, or as CSV files in @folder. */
gboolean        dc_project_export_json       (DcStore        *store,
                                              GFile          *file,
                                              GError        **error);
gboolean        dc_project_export_csv        (DcStore        *store,
                                              GFile          *folder,
                                              GError        **error);

G_END_DECLS
