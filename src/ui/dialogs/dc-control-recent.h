/* dc-control-recent.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

#include "dc-plant-model.h"

G_BEGIN_DECLS

/* The control record in a list (the control dialog's "Recent Controls" and the Device page's):
 * newest first, each row "<point name> ← <value in words>" over "<local time> · <device> ·
 * <user> · <result>" (docs/ui-editing.md). */

/* Fills @list with the newest @limit controls of the audit log ("control.result" rows, of
 * @device_id or all) from @source (NULL: nothing to show), once the query answers; a newer
 * fill of the same list replaces one still running. Names and state texts come from @plant
 * (nullable: ids and numbers). */
void  dc_control_fill_recent      (GtkListBox    *list,
                                   DcAuditSource *source,
                                   DcPlantModel  *plant,
                                   const char    *device_id,
                                   guint          limit);
/* How many controls the last answered fill showed, or G_MAXUINT while it runs. */
guint dc_control_recent_get_count (GtkListBox    *list);

G_END_DECLS
