/* dc-ui-dummy.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

int dc_ui_dummy (void);
int dc_ui_dummy (void) { return 0; }
