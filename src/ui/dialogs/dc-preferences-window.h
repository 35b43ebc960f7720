/* dc-preferences-window.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

#include "dc-audit.h"

G_BEGIN_DECLS

/* Desktop preferences (GSettings: refresh rate, colour scheme) and server settings written to
 * the configuration file (GKeyFile groups [server] and [history] of docs/model.md, and
 * [sparkplug] on a page of its own, dc-sparkplug-prefs.c; comments in the file are kept).
 * Server settings take effect at the next start. */
#define DC_TYPE_PREFERENCES_WINDOW (dc_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (DcPreferencesWindow, dc_preferences_window, DC, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

DcPreferencesWindow *dc_preferences_window_new             (GtkWindow           *parent,
                                                            GSettings           *settings,
                                                            const char          *config_path);
const char          *dc_preferences_window_get_config_path (DcPreferencesWindow *self);
/* Where a changed server setting is recorded ("settings.change", docs/security.md); NULL:
 * nowhere. */
void                 dc_preferences_window_set_audit       (DcPreferencesWindow *self,
                                                            DcAudit             *audit);
/* Writes one value into the configuration file (tests and the widgets use it). */
gboolean             dc_preferences_window_write_setting   (DcPreferencesWindow *self,
                                                            const char          *group,
                                                            const char          *key,
                                                            const char          *value,
                                                            GError             **error);

G_END_DECLS
