/* dc-test-ui.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

#include "dc-application.h"
#include "dc-engine.h"
#include "dc-history.h"
#include "dc-iec104-sim.h"
#include "dc-modbus-server.h"
#include "dc-store.h"
#include "dc-test-store.h"
#include "dc-window.h"

G_BEGIN_DECLS

/* Helpers of the workstation tests (tests/ui, tests/data/test-l10n.c), built once as a static
 * library (tests/lib/ui/meson.build). */

/* The start of a workstation test's main(): no D-Bus session bus (GApplication's registration
 * would wait seconds for its autolaunch under xvfb-run; the tests do not need the bus),
 * g_test_init() with isolated dirs, and every protocol registered. */
void        ui_test_init            (int           *argc,
                                     char        ***argv);
/* Runs every GTK case in its own subprocess that calls gtk_init() + adw_init(). */
void        ui_test_add             (const char    *path,
                                     GTestFunc      func);
/* Iterates the default main context until @cond returns TRUE or @timeout_ms passes. */
gboolean    ui_wait_until           (gboolean     (*cond) (gpointer),
                                     gpointer       data,
                                     guint          timeout_ms);
/* Iterates until @widget has been drawn at least once (mapped and a frame painted). */
void        ui_wait_for_frame       (GtkWidget     *widget);
/* Iterates the main context for @ms (lets timers and I/O run; not a synchronisation). */
void        ui_run_for              (guint          ms);
/* Renders @widget to @name (a PNG in the build dir), returns the number of distinct colours. */
guint       ui_render_png           (GtkWidget     *widget,
                                     const char    *name);
/* ui_render_png() after the next painted frame, retried while the picture is blank. */
guint       ui_render_png_settled   (GtkWidget     *widget,
                                     const char    *name);
/* Activates @action (without parameter) on @window; returns the dialog of @type it opened (a
 * new toplevel transient for @window), or NULL when the action is disabled or opened none. */
GtkWindow  *ui_activate_for_dialog  (GtkWindow     *window,
                                     const char    *action,
                                     GType          type);
/* The first widget of @type under @widget (itself included), depth first; NULL if none. */
GtkWidget  *ui_find_type            (GtkWidget     *widget,
                                     GType          type);
/* The mapped GtkInscription showing @text under @widget; NULL if none. */
GtkWidget  *ui_find_inscription     (GtkWidget     *widget,
                                     const char    *text);
/* Creates the demo plant of docs/demo.md in @store (configuration only). */
void        ui_create_demo_plant    (DcStore       *store);

/* A store, history and engine in a temporary directory, optional simulators (the IEC 104 one
 * on its own thread, so that a flood does not run on the UI's main loop), and the real
 * workstation window over them. */
typedef struct
{
  char          *dir;
  DcStore       *store;
  DcHistory     *history;
  DcEngine      *engine;
  DcApplication *app;
  DcWindow      *window;

  DcModbusSim   *modbus;
  guint16        modbus_port;

  DcIec104Sim   *iec;
  guint16        iec_port;
  GMainContext  *iec_context;
  GMainLoop     *iec_loop;
  GThread       *iec_thread;
} UiPlant;

void        ui_plant_setup          (UiPlant                 *f,
                                     gboolean                 modbus,
                                     const DcIec104SimConfig *iec);
/* Adds a Modbus TCP device @id (unit 1) and an IEC 104 device @id (CA 1) on the simulators. */
void        ui_plant_add_modbus     (UiPlant                 *f,
                                     const char              *id);
void        ui_plant_add_iec104     (UiPlant                 *f,
                                     const char              *id);
void        ui_plant_open_window    (UiPlant                 *f);
void        ui_plant_teardown       (UiPlant                 *f);

G_END_DECLS
