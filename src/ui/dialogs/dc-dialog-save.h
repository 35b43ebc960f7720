/* dc-dialog-save.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gtk/gtk.h>

#include "dc-plant-source.h"

G_BEGIN_DECLS

/* Saving from an editing window (the edit dialog, the formula editor) through the plant
 * connection (docs/ui-editing.md): the window waits insensitive until the source answers (a
 * local source answers before the save returns, a remote one later), then on success emits
 * its ::saved signal (one string argument) and closes, or on an error is sensitive again and
 * shows the message through @failed. Main thread. */

typedef void (*DcDialogSaveFailedFunc) (GtkWindow    *window,
                                        const GError *error);

/* TRUE while a save of @window waits for the source's answer. */
gboolean dc_dialog_is_saving (GtkWindow              *window);

/* Creates (@id NULL) or updates @kind @id with @object through @source on behalf of @window;
 * ::saved gets @saved_id. A successful local save closes (and may destroy) @window before
 * this returns. FALSE when a save of @window is waiting already (nothing is done) or the
 * source refused it before returning; TRUE when stored or still waiting. */
gboolean dc_dialog_save      (GtkWindow              *window,
                              DcPlantSource          *source,
                              DcKind                  kind,
                              const char             *id,
                              JsonObject             *object,
                              const char             *saved_id,
                              DcDialogSaveFailedFunc  failed);

G_END_DECLS
