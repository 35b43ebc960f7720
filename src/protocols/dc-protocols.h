/* dc-protocols.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Registers the driver factory of every built-in protocol (dc_driver_register_protocol):
 * modbus_tcp, modbus_rtu, iec104. Idempotent; call before the engine starts. */
void dc_protocols_register_all (void);

G_END_DECLS
