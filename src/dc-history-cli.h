/* dc-history-cli.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-history.h"
#include "dc-settings.h"

G_BEGIN_DECLS

/* The history of the configuration in @settings: the sqlite companion file, or the
 * PostgreSQL database of [history] backend=postgresql (docs/historian-postgresql.md). */
DcHistory *dc_history_cli_open (DcSettings  *settings,
                                GError     **error);

/* `datacoll history copy --from sqlite:FILE --to URL [--password-file FILE]`; @argv[0] is
 * "history". Returns the exit status. */
int        dc_history_cli_main (int          argc,
                                char       **argv);

G_END_DECLS
