/* dc-status-section.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Named sections of the server's status that a part above core provides and the REST
 * `/status` and the workstation show without depending on that part (docs/ARCHITECTURE.md:
 * a lower part offers a hook, the upper part connects to it). The Sparkplug B edge node
 * provides "sparkplug" (docs/sparkplug.md). Main thread only. */

/* Returns a new JSON node (an object) with the section's current values. */
typedef JsonNode *(*DcStatusSectionFunc) (gpointer user_data);

/* Provides @name (replacing an earlier provider). */
void      dc_status_section_add    (const char          *name,
                                    DcStatusSectionFunc  func,
                                    gpointer             user_data);
/* Withdraws @name if @user_data still provides it. */
void      dc_status_section_remove (const char          *name,
                                    gpointer             user_data);
/* The section now (transfer full), or NULL when nobody provides it. */
JsonNode *dc_status_section_get    (const char          *name);

G_END_DECLS
