/* dc-protocols-dummy.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Keeps the protocols library non-empty while its folders fill up.
 */

#include "config.h"

int dc_protocols_dummy (void);

int
dc_protocols_dummy (void)
{
  return 0;
}
