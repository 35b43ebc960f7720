/* dc-protocols.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Registers every built-in protocol in the protocol registry (dc-protocol.h): iec104,
 * modbus_tcp, modbus_rtu, virtual, formula and, with -Dsparkplug, sparkplug. Idempotent; call
 * at start, before the store validates anything and before the engine starts (main.c, the
 * simulator, the tests). */
void dc_protocols_register_all (void);

G_END_DECLS
