/* test-model-fields.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "test-model-fields"

#include "config.h"

#include <sqlite3.h>

#include "dc-error.h"
#include "dc-model-fields.h"
#include "dc-protocols.h"
#include "dc-store.h"

#include "dc-test-store.h"

/* docs/model.md "Fields": low_limit/high_limit stored as down_limit/up_limit, IEC 104
 * code_type by name, and the known field names behind the REST warnings (docs/rest.md
 * "Unknown fields"). A real store on a temporary file. */

typedef struct
{
  char    *dir;
  DcStore *store;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("dc-fields-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "datacoll.db", NULL);
  f->store = dc_store_open (path, &error);
  g_assert_no_error (error);
  dc_test_store_create (f->store, DC_KIND_DEVICE,
                        "{\"id\":\"rtu\",\"protocol\":\"iec104\",\"ip\":\"127.0.0.1\"}");
  dc_test_store_create (f->store, DC_KIND_TERM,
                        "{\"id\":\"ca1\",\"device_id\":\"rtu\",\"address\":1}");
  for (int i = 1; i <= 4; i++)
    {
      g_autofree char *item = g_strdup_printf ("{\"id\":\"i%d\"}", i);

      dc_test_store_create (f->store, DC_KIND_ITEM, item);
    }
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->store);
  dc_test_remove_dir (f->dir);
  g_free (f->dir);
}

static JsonObject *
point (Fixture    *f,
       const char *item)
{
  g_autoptr(GError) error = NULL;
  JsonObject *object = dc_store_get_point (f->store, "ca1", item, &error);

  g_assert_no_error (error);
  return object;
}

static gboolean
create_point (Fixture    *f,
              const char *json,
              GError    **error)
{
  g_autoptr(JsonObject) object = dc_test_json_object (json);

  return dc_store_create (f->store, DC_KIND_POINT, object, error);
}

static gboolean
update_point (Fixture    *f,
              const char *item,
              const char *json,
              GError    **error)
{
  g_autoptr(JsonObject) patch = dc_test_json_object (json);

  return dc_store_update_point (f->store, "ca1", item, patch, error);
}

/* IEC 104 type names are stored as their numbers; any case; numbers as before. */
static void
test_code_type_names (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) p1 = NULL;
  g_autoptr(JsonObject) p2 = NULL;
  g_autoptr(JsonObject) p3 = NULL;

  g_assert_true (create_point (f, "{\"term_id\":\"ca1\",\"item_id\":\"i1\",\"protocol_code\":100,"
                                  "\"code_type\":\"M_DP_NA_1\"}", &error));
  g_assert_no_error (error);
  g_assert_true (create_point (f, "{\"term_id\":\"ca1\",\"item_id\":\"i2\",\"protocol_code\":101,"
                                  "\"code_type\":\"c_sc_na_1\"}", &error));
  g_assert_no_error (error);
  g_assert_true (create_point (f, "{\"term_id\":\"ca1\",\"item_id\":\"i3\",\"protocol_code\":102,"
                                  "\"code_type\":13}", &error));
  g_assert_no_error (error);
  p1 = point (f, "i1");
  p2 = point (f, "i2");
  p3 = point (f, "i3");
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (p1, "code_type")), ==,
                   G_TYPE_INT64);
  g_assert_cmpint (json_object_get_int_member (p1, "code_type"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (p2, "code_type"), ==, 45);
  g_assert_cmpint (json_object_get_int_member (p3, "code_type"), ==, 13);

  /* An update by name, too. */
  g_assert_true (update_point (f, "i3", "{\"code_type\":\"M_ME_NB_1\"}", &error));
  g_assert_no_error (error);
  g_clear_pointer (&p3, json_object_unref);
  p3 = point (f, "i3");
  g_assert_cmpint (json_object_get_int_member (p3, "code_type"), ==, 11);

  /* A name of a type points cannot have (end of initialisation), and no name at all. */
  g_assert_false (create_point (f, "{\"term_id\":\"ca1\",\"item_id\":\"i4\",\"protocol_code\":103,"
                                   "\"code_type\":\"M_EI_NA_1\"}", &error));
  g_assert_error (error, DC_ERROR, DC_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==,
                   "field code_type must be a supported IEC 104 type id (1-16, 20, 21, 30-38, "
                   "45-51, 58-64) or its name (M_ME_NC_1)");
  g_clear_error (&error);
  g_assert_false (create_point (f, "{\"term_id\":\"ca1\",\"item_id\":\"i4\",\"protocol_code\":103,"
                                   "\"code_type\":\"M_XX_NA_1\"}", &error));
  g_assert_error (error, DC_ERROR, DC_ERROR_INVALID);
}

/* low_limit/high_limit: stored under the names the alarms read, in creates and patches. */
static void
test_limit_aliases (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) p = NULL;

  g_assert_true (create_point (f, "{\"term_id\":\"ca1\",\"item_id\":\"i1\",\"protocol_code\":1,"
                                  "\"code_type\":13,\"low_limit\":5,\"high_limit\":\"95.5\"}",
                               &error));
  g_assert_no_error (error);
  p = point (f, "i1");
  g_assert_false (json_object_has_member (p, "low_limit"));
  g_assert_false (json_object_has_member (p, "high_limit"));
  g_assert_cmpfloat (json_object_get_double_member (p, "down_limit"), ==, 5);
  g_assert_cmpstr (json_object_get_string_member (p, "up_limit"), ==, "95.5");

  /* A patch by the alias replaces the stored limit (not refused as a difference). */
  g_assert_true (update_point (f, "i1", "{\"low_limit\":7}", &error));
  g_assert_no_error (error);
  g_clear_pointer (&p, json_object_unref);
  p = point (f, "i1");
  g_assert_cmpint (json_object_get_int_member (p, "down_limit"), ==, 7);
  g_assert_false (json_object_has_member (p, "low_limit"));

  /* Both names with the same value are one; with different values a 400. */
  g_assert_true (update_point (f, "i1", "{\"low_limit\":8,\"down_limit\":8.0}", &error));
  g_assert_no_error (error);
  g_assert_false (update_point (f, "i1", "{\"low_limit\":1,\"down_limit\":2}", &error));
  g_assert_error (error, DC_ERROR, DC_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==,
                   "field low_limit is another name for down_limit and differs from it");
  g_clear_error (&error);
  g_assert_false (create_point (f, "{\"term_id\":\"ca1\",\"item_id\":\"i2\",\"protocol_code\":2,"
                                   "\"code_type\":13,\"high_limit\":1,\"up_limit\":2}", &error));
  g_assert_error (error, DC_ERROR, DC_ERROR_INVALID);
  g_clear_error (&error);

  /* A null alias removes the limit. */
  g_assert_true (update_point (f, "i1", "{\"low_limit\":null}", &error));
  g_assert_no_error (error);
  g_clear_pointer (&p, json_object_unref);
  p = point (f, "i1");
  g_assert_false (json_object_has_member (p, "down_limit"));
  g_assert_true (json_object_has_member (p, "up_limit"));

  /* A bad value is reported under the field's own name. */
  g_assert_false (update_point (f, "i1", "{\"high_limit\":\"a lot\"}", &error));
  g_assert_error (error, DC_ERROR, DC_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "field up_limit must be a number");
}

static void
exec_sql (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

/* A database written before the rule (schema version 1) with points that hold the aliases:
 * opening it moves them to down_limit/up_limit once (docs/store.md "Schema"). */
static void
test_limit_aliases_migrate (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "datacoll.db", NULL);
  g_autoptr(JsonObject) p = NULL;
  sqlite3 *db = NULL;

  for (int i = 1; i <= 4; i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"term_id\":\"ca1\",\"item_id\":\"i%d\","
                                               "\"protocol_code\":%d,\"code_type\":13}", i, i);

      g_assert_true (create_point (f, json, &error));
      g_assert_no_error (error);
    }
  g_clear_object (&f->store);

  /* The rows as the old DataColl stored them: the body as the client sent it. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  exec_sql (db, "UPDATE points SET body = '{\"protocol_code\":1,\"code_type\":13,"
                "\"low_limit\":5,\"high_limit\":\"95.5\",\"tag\":\"x\"}' WHERE item_id = 'i1';"
                "UPDATE points SET body = '{\"protocol_code\":2,\"code_type\":13,"
                "\"low_limit\":1,\"down_limit\":2,\"high_limit\":null}' WHERE item_id = 'i2';"
                "UPDATE points SET body = '{\"protocol_code\":3,\"code_type\":13,"
                "\"down_limit\":null,\"low_limit\":-4.5}' WHERE item_id = 'i3';"
                "UPDATE points SET body = '{\"protocol_code\":4,\"code_type\":13,"
                "\"up_limit\":3}' WHERE item_id = 'i4';"
                "PRAGMA user_version = 1;");
  sqlite3_close (db);

  f->store = dc_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dc_store_get_schema_version (f->store), ==, 2);

  /* Both aliases moved, other fields kept; a string limit stays as the client wrote it. */
  p = point (f, "i1");
  g_assert_false (json_object_has_member (p, "low_limit"));
  g_assert_false (json_object_has_member (p, "high_limit"));
  g_assert_cmpfloat (json_object_get_double_member (p, "down_limit"), ==, 5);
  g_assert_cmpstr (json_object_get_string_member (p, "up_limit"), ==, "95.5");
  g_assert_cmpstr (json_object_get_string_member (p, "tag"), ==, "x");
  g_assert_cmpint (json_object_get_int_member (p, "protocol_code"), ==, 1);
  g_clear_pointer (&p, json_object_unref);

  /* The limit the alarms used stays; the alias and a null alias go. */
  p = point (f, "i2");
  g_assert_cmpfloat (json_object_get_double_member (p, "down_limit"), ==, 2);
  g_assert_false (json_object_has_member (p, "low_limit"));
  g_assert_false (json_object_has_member (p, "high_limit"));
  g_assert_false (json_object_has_member (p, "up_limit"));
  g_clear_pointer (&p, json_object_unref);

  /* A null limit of its own does not hide the alias. */
  p = point (f, "i3");
  g_assert_cmpfloat (json_object_get_double_member (p, "down_limit"), ==, -4.5);
  g_assert_false (json_object_has_member (p, "low_limit"));
  g_clear_pointer (&p, json_object_unref);

  p = point (f, "i4");
  g_assert_cmpint (json_object_get_int_member (p, "up_limit"), ==, 3);
  g_assert_false (json_object_has_member (p, "down_limit"));
  g_clear_pointer (&p, json_object_unref);

  /* Once: the next open finds nothing to do and the same bodies. */
  g_clear_object (&f->store);
  f->store = dc_store_open (path, &error);
  g_assert_no_error (error);
  p = point (f, "i1");
  g_assert_cmpfloat (json_object_get_double_member (p, "down_limit"), ==, 5);
}

/* The import (a project file) goes through the same rule. */
static void
test_limit_aliases_import (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) p = NULL;
  g_autoptr(JsonObject) project = dc_test_json_object (
    "{\"points\":[{\"device_id\":\"rtu\",\"term_id\":\"ca1\",\"item_id\":\"i1\","
    "\"protocol_code\":1,\"code_type\":\"M_ME_NC_1\",\"high_limit\":90}]}");
  g_autoptr(GPtrArray) rows = NULL;
  gboolean applied = FALSE;

  rows = dc_store_import (f->store, project, TRUE, &applied, &error);
  g_assert_no_error (error);
  g_assert_nonnull (rows);
  g_assert_true (applied);
  p = point (f, "i1");
  g_assert_cmpint (json_object_get_int_member (p, "up_limit"), ==, 90);
  g_assert_cmpint (json_object_get_int_member (p, "code_type"), ==, 13);
  g_assert_false (json_object_has_member (p, "high_limit"));
}

static char *
warnings_of (DcKind      kind,
             const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  dc_model_field_warnings (kind, json_parser_get_root (parser), warnings, 10);
  g_ptr_array_add (warnings, NULL);
  return g_strjoinv ("|", (char **) warnings->pdata);
}

static void
test_field_warnings (void)
{
  g_autofree char *point_w = NULL;
  g_autofree char *device_w = NULL;
  g_autofree char *batch_w = NULL;
  g_autofree char *formula_w = NULL;
  g_autofree char *many_w = NULL;
  g_auto(GStrv) split = NULL;
  GString *many = g_string_new ("{");

  g_assert_true (dc_model_field_is_known (DC_KIND_POINT, "up_limit"));
  g_assert_true (dc_model_field_is_known (DC_KIND_POINT, "direct"));       /* IEC 104's */
  g_assert_false (dc_model_field_is_known (DC_KIND_POINT, "mb_table"));    /* a picker */
  g_assert_true (dc_model_field_is_known (DC_KIND_DEVICE, "edge_node_id")); /* Sparkplug's */
  g_assert_true (dc_model_field_is_known (DC_KIND_DEVICE, "t2"));
  g_assert_true (dc_model_field_is_known (DC_KIND_FORMULA, "p12"));
  g_assert_false (dc_model_field_is_known (DC_KIND_FORMULA, "p"));
  g_assert_cmpstr (dc_model_field_closest (DC_KIND_POINT, "hi_limit"), ==, "up_limit");
  g_assert_cmpstr (dc_model_field_closest (DC_KIND_POINT, "Coefficiennt"), ==, "coefficient");
  g_assert_cmpstr (dc_model_field_closest (DC_KIND_DEVICE, "prot"), ==, "port");
  g_assert_cmpstr (dc_model_field_closest (DC_KIND_DEVICE, "xyz"), ==, NULL);
  g_assert_cmpstr (dc_model_field_closest (DC_KIND_DEVICE, "colour"), ==, NULL);

  point_w = warnings_of (DC_KIND_POINT,
                         "{\"term_id\":\"t\",\"item_id\":\"i\",\"hi_limit\":3,\"low_limit\":1,"
                         "\"x-tag\":\"site 3\",\"up_limit\":4}");
  g_assert_cmpstr (point_w, ==,
                   "unknown field 'hi_limit', did you mean 'up_limit'?|"
                   "field 'low_limit' is stored as 'down_limit'|"
                   "unknown field 'x-tag' (kept, not used)");
  device_w = warnings_of (DC_KIND_DEVICE, "{\"id\":\"d\",\"protocol\":\"iec104\",\"prot\":2404,"
                                          "\"t4\":1,\"low_limit\":1}");
  g_assert_cmpstr (device_w, ==,
                   "unknown field 'prot', did you mean 'port'?|"
                   "unknown field 't4', did you mean 't0'?|"
                   "unknown field 'low_limit' (kept, not used)");
  batch_w = warnings_of (DC_KIND_ITEM, "[{\"id\":\"a\"},{\"id\":\"b\",\"uint\":\"V\"}]");
  g_assert_cmpstr (batch_w, ==, "unknown field 'uint', did you mean 'unit'? (element 1)");
  formula_w = warnings_of (DC_KIND_FORMULA, "{\"id\":\"f\",\"formula\":\"1\",\"p1\":\"a:b:c\","
                                            "\"q1\":\"a:b:c\"}");
  g_assert_cmpstr (formula_w, ==, "unknown field 'q1' (kept, not used)");

  /* At most @max texts. */
  for (int i = 0; i < 50; i++)
    g_string_append_printf (many, "%s\"zz%d\":%d", i ? "," : "", i, i);
  g_string_append_c (many, '}');
  many_w = warnings_of (DC_KIND_ITEM, many->str);
  split = g_strsplit (many_w, "|", -1);
  g_assert_cmpuint (g_strv_length (split), ==, 10);
  g_string_free (many, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_protocols_register_all ();

  g_test_add ("/dc/model/code-type-names", Fixture, NULL, fixture_setup, test_code_type_names,
              fixture_teardown);
  g_test_add ("/dc/model/limit-aliases", Fixture, NULL, fixture_setup, test_limit_aliases,
              fixture_teardown);
  g_test_add ("/dc/model/limit-aliases-migrate", Fixture, NULL, fixture_setup,
              test_limit_aliases_migrate, fixture_teardown);
  g_test_add ("/dc/model/limit-aliases-import", Fixture, NULL, fixture_setup,
              test_limit_aliases_import, fixture_teardown);
  g_test_add_func ("/dc/model/field-warnings", test_field_warnings);

  return g_test_run ();
}
