/* dc-control-recent.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

#include "dc-plant-model.h"
#include "dc-store.h"

G_BEGIN_DECLS

/* The control record in a list (the control dialog's "Recent Controls" and the Device page's):
 * newest first, each row "<point name> ← <value in words>" over "<local time> · <device> ·
 * <user> · <result>" (docs/ui-editing.md). */

/* Fills @list with the newest @limit controls of the record (of @device_id, or all); names and
 * state texts come from @plant (nullable: ids and numbers). Returns how many. */
guint dc_control_fill_recent (GtkListBox   *list,
                              DcStore      *store,
                              DcPlantModel *plant,
                              const char   *device_id,
                              guint         limit);

G_END_DECLS
