/* dc-edit-dialog.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

#include "dc-history.h"
#include "dc-history.h"
#include "dc-local-source.h"
#include "dc-plant-model.h"

G_BEGIN_DECLS

/* Add / edit / duplicate a device, term, item or point. Fields follow the protocol (IP/port or
 * serial settings, unit id or common address, Modbus table/type/word order pickers, IEC 104
 * type pickers with names). Validation is the store's (the REST API's): a refused save shows
 * the store's message next to the field it names and stores nothing.
 *
 * Signals:
 *   ::saved (const char *id)   the entity was stored (id of a point: "term_id:item_id") */
#define DC_TYPE_EDIT_DIALOG (dc_edit_dialog_get_type ())

G_DECLARE_FINAL_TYPE (DcEditDialog, dc_edit_dialog, DC, EDIT_DIALOG, AdwWindow)

/* A new entity. @parent_id: the device of a new term, the term of a new point (else NULL). */
DcEditDialog *dc_edit_dialog_new_create    (GtkWindow    *parent,
                                            DcPlantSource *source,
                                            DcKind        kind,
                                            const char   *parent_id);
/* Edits an existing entity (@id: "term_id:item_id" for a point). With @duplicate, the form is
 * filled from it but saves a new one (with a new id). */
DcEditDialog *dc_edit_dialog_new_edit      (GtkWindow    *parent,
                                            DcPlantSource *source,
                                            DcKind        kind,
                                            const char   *id,
                                            gboolean      duplicate);
/* Tests: set a field by its store name ("id", "protocol", "port", "code_type", …) as text;
 * saving; the message shown next to a field (NULL when none) and the general message. */
gboolean      dc_edit_dialog_set_field     (DcEditDialog *self,
                                            const char   *key,
                                            const char   *text);
/* Saves through the plant connection. FALSE when refused (a local source answers at once:
 * the message is shown); TRUE when saved or, remotely, on its way (::saved follows). */
gboolean      dc_edit_dialog_save          (DcEditDialog *self);
const char   *dc_edit_dialog_get_field_error (DcEditDialog *self,
                                              const char   *key);
const char   *dc_edit_dialog_get_error     (DcEditDialog *self);
/* Tests: a field's text as the form would store it (a choice's value, "modbus_tcp"); NULL
 * when empty or unknown. */
const char   *dc_edit_dialog_get_field     (DcEditDialog *self,
                                            const char   *key);

/* The delete confirmation: what goes with the entity (terms, points, history samples counted
 * off the main thread; on a server's desk terms and points from @plant), then deletes through
 * the plant connection. @plant and @history may be NULL. */
GtkWidget    *dc_delete_dialog_new         (GtkWindow    *parent,
                                            DcPlantSource *source,
                                            DcPlantModel *plant,
                                            DcHistory    *history,
                                            DcKind        kind,
                                            const char   *id);
/* The body text shown (tests); "counting history samples…" until the counts are in. */
const char   *dc_delete_dialog_get_text    (GtkWidget    *dialog);

G_END_DECLS
