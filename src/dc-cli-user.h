/* dc-cli-user.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `datacoll user add|list|passwd|role|disable|enable|token …` (docs/security.md): accounts in
 * the configuration database, whether a server is running on it or not. @argv[1] is "user".
 * Returns the exit status: 0, or 1 with one line on standard error. */
int dc_cli_user_main (int   argc,
                      char *argv[]);

G_END_DECLS
