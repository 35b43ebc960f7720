/* dc-modbus-server.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>

#include "dc-modbus-codec.h"

G_BEGIN_DECLS

/* The Modbus simulator (docs/modbus.md "Simulator"): TCP servers on one port or a range of ports,
 * each an independent device with its own data, and optionally an RTU server on a serial line
 * (a pty). Every unit serves the four tables with @n_registers entries each; reads of input and
 * holding registers change the values read (when animated), writes are accepted (FC 5, 6, 15,
 * 16, 22) and stop the animation of the written holding registers; unknown units get
 * exception 0x0B on TCP and no answer on RTU.
 *
 * Non-blocking GSockets on @context (poll(), no select()), so one process holds thousands of
 * connections. All functions must be called on the thread that runs @context. */

typedef struct _DcModbusSim DcModbusSim;

typedef struct
{
  guint16       port;         /* first TCP port; 0 = any free port (one only) */
  guint         n_ports;      /* 0 = no TCP server */
  const guint8 *units;        /* NULL = unit 1 only */
  guint         n_units;
  guint         n_registers;  /* per table; 0 = 10000 */
  const char   *rtu_path;     /* serial device or pty, or NULL */
  gboolean      animate;      /* values change on every read */
  const char   *bind_address; /* NULL = 127.0.0.1 */
  guint         change_percent; /* with @animate: registers with address % 100 < N change;
                                 * 0 = all */
} DcModbusSimOptions;

DcModbusSim *dc_modbus_sim_start            (const DcModbusSimOptions *options,
                                             GMainContext             *context,
                                             GError                  **error);
void         dc_modbus_sim_stop             (DcModbusSim              *self);

guint        dc_modbus_sim_get_n_ports      (DcModbusSim              *self);
/* The actual TCP port of server @index (after binding port 0). */
guint16      dc_modbus_sim_get_port         (DcModbusSim              *self,
                                             guint                     index);

/* Register access for tests and the demo, on server @index (the RTU server is index n_ports).
 * For co/di, values are 0/1. Returns FALSE when the unit or address does not exist. */
gboolean     dc_modbus_sim_set_value        (DcModbusSim              *self,
                                             guint                     index,
                                             guint8                    unit,
                                             DcModbusTable             table,
                                             guint16                   address,
                                             guint16                   value);
gboolean     dc_modbus_sim_get_value        (DcModbusSim              *self,
                                             guint                     index,
                                             guint8                    unit,
                                             DcModbusTable             table,
                                             guint16                   address,
                                             guint16                  *value);
/* Encodes @raw as @code_type at @address (all words). */
gboolean     dc_modbus_sim_set_typed        (DcModbusSim              *self,
                                             guint                     index,
                                             guint8                    unit,
                                             const DcModbusCodeType   *code_type,
                                             guint16                   address,
                                             double                    raw);

void         dc_modbus_sim_set_animate      (DcModbusSim              *self,
                                             gboolean                  animate);
/* When FALSE, mask write (FC 22) answers illegal function (tests the fallback). */
void         dc_modbus_sim_set_mask_write   (DcModbusSim              *self,
                                             gboolean                  supported);
/* When TRUE, TCP requests are read but never answered (tests timeouts). */
void         dc_modbus_sim_set_mute         (DcModbusSim              *self,
                                             gboolean                  mute);

/* Requests served (all servers), per function code, and current TCP connections. */
guint64      dc_modbus_sim_get_requests     (DcModbusSim              *self,
                                             guint8                    function);
guint64      dc_modbus_sim_get_total_requests (DcModbusSim            *self);
guint        dc_modbus_sim_get_n_connections (DcModbusSim             *self);

G_END_DECLS
