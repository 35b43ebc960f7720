/* dc-ui.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Makes sure the GResource bundle (templates, style.css, help overlay) is linked in and
 * registered: the static library's resource object is otherwise dropped by the linker. */
void       dc_ui_ensure_resources   (void);

/* The desktop preferences (GSettings APP_ID), NULL when the schema is nowhere. Looked up in the
 * schema sources of GLib (installed, or GSETTINGS_SCHEMA_DIR as build-aux/run and the tests set
 * it), else — an uninstalled binary started by hand, ./_build/src/datacoll — in the schema the
 * build compiled, `<build dir>/data`, found upwards from the binary (@exe: its path, NULL: this
 * process's). */
GSettings *dc_ui_settings_new       (const char *exe);

/* Where the user help is: "help:datacoll" when installed (a data dir has help/<lang>/datacoll),
 * else NULL (docs/ui.md "Running uninstalled"). */
char      *dc_ui_help_uri           (void);

G_END_DECLS
