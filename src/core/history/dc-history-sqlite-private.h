/* dc-history-sqlite-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The sqlite history database (dc-history-db.c), used by the sqlite backend
 * (dc-history-sqlite.c) and by `datacoll history copy` (its source).
 */

#pragma once

#include <sqlite3.h>

#include "dc-history-private.h"

G_BEGIN_DECLS

/* Opens a connection with the schema (@create) and the dc_first()/dc_last() aggregates. */
sqlite3 *dc_history_open_db       (const char  *path,
                                   gboolean     create,
                                   GError     **error);
void     dc_history_set_sql_error (GError     **error,
                                   sqlite3     *db,
                                   const char  *what);

G_END_DECLS
