/* dc-test-store.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-test"

#include "config.h"

#include "dc-test-store.h"

#if HAVE_LIBPQ
#include "dc-test-pg.h"
#endif

#include <glib/gstdio.h>

#include "dc-companion.h"

JsonObject *
dc_test_json_object (const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

void
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

GBytes *
dc_test_store_file_plant (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DcStore) store = dc_store_open (path, &error);
  char *contents;
  gsize length;

  g_assert_no_error (error);
  dc_test_store_create (store, DC_KIND_DEVICE,
                        "{\"id\":\"d1\",\"protocol\":\"modbus_tcp\",\"ip\":\"127.0.0.1\","
                        "\"port\":502,\"name\":\"PLC\"}");
  dc_test_store_create (store, DC_KIND_DEVICE, "{\"id\":\"2\",\"protocol\":\"formula\"}");
  dc_test_store_create (store, DC_KIND_DEVICE, "{\"id\":\"v1\",\"protocol\":\"virtual\"}");
  dc_test_store_create (store, DC_KIND_TERM, "{\"id\":\"t1\",\"device_id\":\"d1\",\"address\":1}");
  dc_test_store_create (store, DC_KIND_TERM, "{\"id\":\"t2\",\"device_id\":\"2\"}");
  dc_test_store_create (store, DC_KIND_ITEM, "{\"id\":\"i1\",\"name\":\"电压\",\"unit\":\"V\"}");
  dc_test_store_create (store, DC_KIND_ITEM, "{\"id\":\"i2\"}");
  dc_test_store_create (store, DC_KIND_ITEM, "{\"id\":\"i3\"}");
  dc_test_store_create (store, DC_KIND_POINT,
                        "{\"term_id\":\"t1\",\"item_id\":\"i1\",\"protocol_code\":0,"
                        "\"code_type\":\"hr:f32\",\"coefficient\":0.1}");
  dc_test_store_create (store, DC_KIND_POINT, "{\"term_id\":\"t2\",\"item_id\":\"i2\"}");
  dc_test_store_create (store, DC_KIND_FORMULA,
                        "{\"id\":\"f1\",\"formula\":\"p1[-1]*2\",\"device_id\":\"2\","
                        "\"term_id\":\"t2\",\"item_id\":\"i2\",\"p1\":\"d1:t1:i1\"}");
  g_clear_object (&store);
  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  return g_bytes_new_take (contents, length);
}

void
dc_test_store_file_restore (const char *path,
                            GBytes     *plant)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (plant, NULL),
                                      g_bytes_get_size (plant), &error));
  g_assert_no_error (error);
}

void
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
  dc_test_store_attach_audit (*store);
}

DcAudit *
dc_test_store_attach_audit (DcStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DcAudit) audit = NULL;
  g_autofree char *path = NULL;

  path = dc_companion_open (dc_store_get_path (store), "audit", NULL, &error);
  g_assert_no_error (error);
  audit = dc_audit_new (path, &error);
  g_assert_no_error (error);
  dc_store_set_audit (store, audit);
  return audit;
}

GPtrArray *
dc_test_audit_rows (DcStore    *store,
                    const char *action,
                    const char *target)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DcAuditQuery) query = dc_audit_query_new ();
  GPtrArray *rows;

  g_assert_nonnull (dc_store_get_audit (store));
  query->action = g_strdup (action);
  query->target = g_strdup (target);
  query->limit = DC_AUDIT_MAX_LIMIT;
  rows = dc_audit_query_sync (dc_store_get_audit (store), query, &error);
  g_assert_no_error (error);
  return rows;
}

void
dc_test_open_store_and_history_on (const char  *backend,
                                   DcStore    **store,
                                   DcHistory  **history)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "datacoll", NULL);
  g_autofree char *db = g_build_filename (dir, "datacoll.db", NULL);

  if (g_str_equal (backend, "sqlite"))
    {
      dc_test_open_store_and_history (store, history);
      return;
    }
#if HAVE_LIBPQ
  {
    DcTestPg *pg = dc_test_pg_get_shared ();
    g_autofree char *url = NULL;

    g_assert_nonnull (pg);
    url = dc_test_pg_new_database (pg);
    g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
    *store = dc_store_open (db, &error);
    g_assert_no_error (error);
    *history = dc_history_new_postgresql (url, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    dc_test_store_attach_audit (*store);
  }
#else
  g_assert_not_reached ();
#endif
}

static void
skip_cb (gconstpointer data)
{
  g_test_skip (data);
}

void
dc_test_add_for_backends (const char  *prefix,
                          const char  *name,
                          gsize        fixture_size,
                          GTestFixtureFunc setup,
                          GTestFixtureFunc test,
                          GTestFixtureFunc teardown)
{
  static const char *const backends[] = { "sqlite", "postgresql" };

  for (guint i = 0; i < G_N_ELEMENTS (backends); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/%s/%s", prefix, backends[i], name);
      char *reason = NULL;

#if HAVE_LIBPQ
      if (i == 1)
        g_free (dc_test_pg_bindir (&reason));
#else
      if (i == 1)
        reason = g_strdup ("PostgreSQL history not built (-Dlibpq=disabled)");
#endif
      if (reason != NULL)
        g_test_add_data_func_full (path, reason, skip_cb, g_free);
      else
        g_test_add_vtable (path, fixture_size, backends[i], setup, test, teardown);
    }
}

void
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

void
dc_test_remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

static void
query_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

GArray *
dc_test_history_samples (DcHistory *history,
                         gint64     key)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GArray *samples;

  dc_history_query_samples_async (history, key, G_MININT64, G_MAXINT64, 0, NULL,
                                  query_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  samples = dc_history_query_samples_finish (history, result, NULL, &error);
  g_assert_no_error (error);
  return samples;
}
