/* dc-sim.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

int dc_sim_modbus_main (int argc, char **argv);
int dc_sim_iec104_main (int argc, char **argv);
