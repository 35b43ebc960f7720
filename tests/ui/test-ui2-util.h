/* test-ui2-util.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-application.h"
#include "dc-engine.h"
#include "dc-history.h"
#include "dc-iec104-sim.h"
#include "dc-modbus-server.h"
#include "dc-store.h"
#include "dc-window.h"
#include "dc-workbench.h"

G_BEGIN_DECLS

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
} Ui2;

void     ui2_setup         (Ui2                     *f,
                            gboolean                 modbus,
                            const DcIec104SimConfig *iec);
/* Adds a Modbus TCP device @id (unit 1) and an IEC 104 device @id (CA 1) on the simulators. */
void     ui2_add_modbus    (Ui2                     *f,
                            const char              *id);
void     ui2_add_iec104    (Ui2                     *f,
                            const char              *id);
void     ui2_open_window   (Ui2                     *f);
void     ui2_teardown      (Ui2                     *f);
/* ui_render_png() after the next painted frame, retried while the picture is blank. */
guint    ui2_render_png    (GtkWidget               *widget,
                            const char              *name);
/* Iterates the main context for @ms (lets timers and I/O run; not a synchronisation). */
void     ui2_run_for       (guint                    ms);

G_END_DECLS
