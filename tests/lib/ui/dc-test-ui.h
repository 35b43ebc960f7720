/* test-ui-util.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

#include "dc-store.h"

G_BEGIN_DECLS

/* Runs every GTK case in its own subprocess that calls gtk_init() + adw_init(). */
void        ui_test_add             (const char    *path,
                                     GTestFunc      func);
/* Iterates the default main context until @cond returns TRUE or @timeout_ms passes. */
gboolean    ui_wait_until           (gboolean     (*cond) (gpointer),
                                     gpointer       data,
                                     guint          timeout_ms);
/* Iterates until @widget has been drawn at least once (mapped and a frame painted). */
void        ui_wait_for_frame       (GtkWidget     *widget);
/* Renders @widget to @name (a PNG in the build dir), returns the number of distinct colours. */
guint       ui_render_png           (GtkWidget     *widget,
                                     const char    *name);
/* Creates the demo plant of docs/demo.md in @store (configuration only). */
void        ui_create_demo_plant    (DcStore       *store);
JsonObject *ui_json                 (const char    *json);
void        ui_create               (DcStore       *store,
                                     DcKind         kind,
                                     const char    *json);

G_END_DECLS
