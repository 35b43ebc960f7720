/* dc-sparkplug-prefs.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* The "Sparkplug" page of the Preferences: the [sparkplug] group of the settings file
 * (docs/sparkplug.md, "Settings"), written to the file as each field is applied (comments in
 * the file are kept). The server uses them from its next start. Ids are checked as the server
 * checks them (non-empty, no '/', '+' or '#'); a refused value is not written and a toast says
 * why. */
#define DC_TYPE_SPARKPLUG_PREFS (dc_sparkplug_prefs_get_type ())

G_DECLARE_FINAL_TYPE (DcSparkplugPrefs, dc_sparkplug_prefs, DC, SPARKPLUG_PREFS,
                      AdwPreferencesPage)

/* @config_path: the settings file (read now, written on each change). */
GtkWidget *dc_sparkplug_prefs_new   (const char       *config_path);
/* The widget of a key of the group ("enabled", "host", …), or NULL (tests). */
GtkWidget *dc_sparkplug_prefs_get_widget (DcSparkplugPrefs *self,
                                          const char       *key);

G_END_DECLS
