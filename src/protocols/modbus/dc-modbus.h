/* dc-modbus.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Registers the protocols modbus_tcp and modbus_rtu (dc-protocol.h: driver factories, point
 * validation, edit-form fields). Idempotent; call once at start (the static library drops
 * unreferenced drivers otherwise). */
void dc_modbus_register_drivers (void);

G_END_DECLS
