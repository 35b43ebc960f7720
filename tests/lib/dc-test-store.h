/* dc-test-store.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

/* Configuration helpers for the tests that need a real store (and history) on disk. */

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "dc-history.h"
#include "dc-store.h"

/* A new reference to the object parsed from @json, which must be a JSON object. */
static inline JsonObject *
dc_test_json_object (const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

/* Creates one entity of @kind from JSON text; the store must accept it. */
static inline void
dc_test_store_create (DcStore    *store,
                      DcKind      kind,
                      const char *json)
{
  g_autoptr(JsonObject) object = dc_test_json_object (json);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = dc_store_create (store, kind, object, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
}

/* Opens the store and its history at the default paths under the (isolated) user data dir,
 * as the application does. */
static inline void
dc_test_open_store_and_history (DcStore   **store,
                                DcHistory **history)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "datacoll", NULL);
  g_autofree char *db = g_build_filename (dir, "datacoll.db", NULL);
  g_autofree char *hdb = dc_history_path_for_config (db);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  *store = dc_store_open (db, &error);
  g_assert_no_error (error);
  *history = dc_history_new (hdb, &error);
  g_assert_no_error (error);
}

/* Drops the last reference to @history and waits (up to 10 s) until it is finalized: a query's
 * GTask may drop its reference in the worker thread just after the answer. */
static inline void
dc_test_release_history (DcHistory *history)
{
  gpointer weak = history;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_object_add_weak_pointer (weak, &weak);
  g_object_unref (history);
  while (weak != NULL && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_thread_yield ();
    }
  g_assert_null (weak);
}
