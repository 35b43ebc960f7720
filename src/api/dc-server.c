/* dc-server.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

int dc_server_dummy (void);
int dc_server_dummy (void) { return 0; }
