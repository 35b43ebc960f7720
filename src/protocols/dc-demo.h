/* dc-demo.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>

#include "dc-engine.h"
#include "dc-store.h"

G_BEGIN_DECLS

/* The demo plant of docs/demo.md (`datacoll --demo`): in-process simulators on free loopback
 * ports (an IEC 104 substation RTU, a Modbus TCP server with the meter as unit 1 and the pump
 * station PLC as unit 2) running on their own thread, and the devices, terms, items, points
 * and formulas that read them, written into a separate demo database. */
typedef struct _DcDemo DcDemo;

/* g_get_user_data_dir()/datacoll/demo/datacoll.db (never the user's own database). */
char       *dc_demo_get_db_path        (void);

/* Starts the simulators. */
DcDemo     *dc_demo_start              (GError    **error);
void        dc_demo_stop               (DcDemo     *self);
guint16     dc_demo_get_modbus_port    (DcDemo     *self);
guint16     dc_demo_get_iec104_port    (DcDemo     *self);

/* Creates what is missing of the demo plant in @store and points the devices at this run's
 * simulator ports. Idempotent: a second run keeps the history and any user changes. */
gboolean    dc_demo_populate           (DcDemo     *self,
                                        DcStore    *store,
                                        GError    **error);
/* Gives the manual-entry points their first values when they have none. */
void        dc_demo_seed               (DcDemo     *self,
                                        DcEngine   *engine);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DcDemo, dc_demo_stop)

G_END_DECLS
