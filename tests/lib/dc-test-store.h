/* dc-test-store.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

/* Set-up for the tests that need a real store (and history) on disk. */

#include <json-glib/json-glib.h>

#include "dc-history.h"
#include "dc-store.h"

G_BEGIN_DECLS

/* A new reference to the object parsed from @json, which must be a JSON object. */
JsonObject *dc_test_json_object            (const char  *json);

/* Creates one entity of @kind from JSON text; the store must accept it. */
void        dc_test_store_create           (DcStore     *store,
                                            DcKind       kind,
                                            const char  *json);

/* Opens the store and its history at the default paths under the (isolated) user data dir,
 * as the application does. */
void        dc_test_open_store_and_history (DcStore    **store,
                                            DcHistory  **history);

/* Drops the last reference to @history and waits (up to 10 s) until it is finalized: a query's
 * GTask may drop its reference in the worker thread just after the answer. */
void        dc_test_release_history        (DcHistory   *history);

/* Every stored sample of @key in @history, oldest first: the query run to its end on the
 * default main context. */
GArray     *dc_test_history_samples        (DcHistory   *history,
                                            gint64       key);

/* Removes @dir, a temporary folder of plain files (a store, its history and journals), with
 * what it holds. */
void        dc_test_remove_dir             (const char  *dir);

G_END_DECLS
