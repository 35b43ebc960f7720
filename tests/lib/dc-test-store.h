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

/* The small plant of the REST tests (tests/api/rest-fixture.c plant(), there made over REST),
 * created in a new store file at @path, which is closed again: a Modbus TCP device d1 with a
 * term t1 and a point i1 (hr:f32, coefficient 0.1), a formula device 2 with a term t2, point i2
 * and formula f1 = p1[-1]*2 of d1:t1:i1, a virtual device v1, an item i3. Returns the file's
 * bytes, for dc_test_store_file_restore(). */
GBytes     *dc_test_store_file_plant       (const char  *path);
/* Writes @plant back to @path (the store on it closed). */
void        dc_test_store_file_restore     (const char  *path,
                                            GBytes      *plant);

/* Opens the store and its history at the default paths under the (isolated) user data dir,
 * as the application does, with the store's audit log (dc_test_store_attach_audit). */
void        dc_test_open_store_and_history (DcStore    **store,
                                            DcHistory  **history);

/* As dc_test_open_store_and_history() (the audit log included), with the history on @backend:
 * "sqlite" (the file next to the store) or "postgresql" (a new database on the shared test
 * server, dc-test-pg.h). */
void        dc_test_open_store_and_history_on
                                           (const char  *backend,
                                            DcStore    **store,
                                            DcHistory  **history);

/* Adds the fixture test @test as "@prefix/BACKEND/@name" for each history backend, "sqlite"
 * and "postgresql", with the backend's name as test data (the same assertions on both,
 * docs/history.md "Backends"). Where PostgreSQL is missing (a build with -Dlibpq=disabled,
 * no server binaries) its case is a skip that says why. */
void        dc_test_add_for_backends       (const char  *prefix,
                                            const char  *name,
                                            gsize        fixture_size,
                                            GTestFixtureFunc setup,
                                            GTestFixtureFunc test,
                                            GTestFixtureFunc teardown);
/* Opens the audit log beside @store's file (its companion "-audit.db") and gives it to the
 * store (dc_store_set_audit); returns it (owned by the store). */
DcAudit    *dc_test_store_attach_audit     (DcStore     *store);
/* The rows of @store's audit log (all written first) with @action and @target (or under
 * them, NULL = any), newest first: a GPtrArray of DcAuditRow. */
GPtrArray  *dc_test_audit_rows             (DcStore     *store,
                                            const char  *action,
                                            const char  *target);

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
