/* dc-test-sim.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

/* The real Modbus simulator process ($DATACOLL_SIM modbus …) and the ports it listens on; the
 * Python that runs the pymodbus peers. */

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  GSubprocess *process;
  guint16      ports[16];
  guint        n_ports;
} DcTestSim;

/* Spawns "$DATACOLL_SIM modbus ARGS…" and waits for its "ready" line; returns NULL when the
 * simulator exits before (a port in use). */
DcTestSim *dc_test_sim_try_spawn   (const char  *first_arg,
                                    ...) G_GNUC_NULL_TERMINATED;

/* As dc_test_sim_try_spawn(); the simulator must start. */
DcTestSim *dc_test_sim_spawn       (const char  *first_arg,
                                    ...) G_GNUC_NULL_TERMINATED;

/* A port range outside the kernel's ephemeral range (where client sockets of other tests live):
 * spawns a static simulator with @registers on @n ports from a random base, retrying on
 * conflicts; the first port is stored in @base. */
DcTestSim *dc_test_sim_spawn_range (guint        n,
                                    guint16     *base,
                                    const char  *registers);

/* SIGKILL, then waits for the process. NULL is ignored. */
void       dc_test_sim_kill        (DcTestSim   *sim);

/* The Python of the pymodbus peers: $PYTHON3, else /usr/bin/python3. */
const char *dc_test_python3         (void);

/* Returns when dc_test_python3() imports pymodbus; otherwise prints a TAP plan of no tests
 * with the reason ("1..0 # SKIP …") and exits with status 0: the test (protocol 'tap') is
 * skipped. For main(), before any case runs. */
void       dc_test_require_pymodbus (void);

G_END_DECLS
