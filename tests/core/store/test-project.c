/* test-project.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include "dc-csv.h"
#include "dc-error.h"
#include "dc-project.h"
#include "dc-protocols.h"
#include "dc-store.h"

static DcStore *
open_store (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), name, NULL);
  DcStore *store = dc_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

static JsonObject *
obj (const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);

  g_assert_nonnull (node);
  return json_object_ref (json_node_get_object (node));
}

static const char *project_json =
  "{\"devices\":[{\"id\":\"m1\",\"protocol\":\"modbus_tcp\",\"ip\":\"10.0.0.5\",\"port\":502,\"name\":\"Main, \\\"north\\\" meter\"}],"
  " \"terms\":[{\"id\":\"u1\",\"device_id\":\"m1\",\"address\":1}],"
  " \"items\":[{\"id\":\"ua\",\"name\":\"电压 A\",\"unit\":\"V\"},{\"id\":\"ub\"}],"
  " \"points\":[{\"term_id\":\"u1\",\"item_id\":\"ua\",\"protocol_code\":0,\"code_type\":\"ir:f32\",\"coefficient\":0.1},"
  "             {\"term_id\":\"u1\",\"item_id\":\"ub\",\"protocol_code\":2,\"code_type\":\"ir:f32:cdab\"}]}";

static guint
count_action (GPtrArray      *rows,
              DcImportAction  action)
{
  guint n = 0;

  for (guint i = 0; i < rows->len; i++)
    n += ((DcImportRow *) g_ptr_array_index (rows, i))->action == action;
  return n;
}

static void
test_import_preview_apply (void)
{
  g_autoptr(DcStore) store = open_store ("a.db");
  g_autoptr(JsonObject) project = obj (project_json);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  gboolean applied = TRUE;

  /* Preview: everything would be created, nothing is stored. */
  rows = dc_store_import (store, project, FALSE, &applied, &error);
  g_assert_no_error (error);
  g_assert_false (applied);
  g_assert_cmpuint (rows->len, ==, 6);
  g_assert_cmpuint (count_action (rows, DC_IMPORT_CREATE), ==, 6);
  ids = dc_store_list_ids (store, DC_KIND_DEVICE);
  g_assert_cmpuint (ids->len, ==, 0);

  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = dc_store_import (store, project, TRUE, &applied, &error);
  g_assert_no_error (error);
  g_assert_true (applied);
  g_clear_pointer (&ids, g_ptr_array_unref);
  ids = dc_store_list_ids (store, DC_KIND_POINT);
  g_assert_cmpuint (ids->len, ==, 2);

  /* The same again: unchanged. */
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = dc_store_import (store, project, FALSE, NULL, &error);
  g_assert_cmpuint (count_action (rows, DC_IMPORT_UNCHANGED), ==, 6);
}

static void
test_import_row_errors (void)
{
  g_autoptr(DcStore) store = open_store ("b.db");
  g_autoptr(JsonObject) project = obj (project_json);
  g_autoptr(JsonObject) bad = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  gboolean applied = TRUE;
  DcImportRow *row;

  dc_store_import (store, project, TRUE, NULL, &error);
  g_assert_no_error (error);

  bad = obj ("{\"devices\":[{\"id\":\"m1\",\"port\":503},{\"id\":\"m2\",\"protocol\":\"virtual\"}],"
             " \"points\":[{\"term_id\":\"u1\",\"item_id\":\"ub\",\"protocol_code\":1,\"code_type\":\"ir:u16\"}]}");
  rows = dc_store_import (store, bad, TRUE, &applied, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    {
      DcImportRow *r = rows->pdata[i];
      g_test_message ("row %u %s %s %s", i, r->id, dc_import_action_to_string (r->action), r->error);
    }
  g_assert_false (applied);
  g_assert_cmpuint (rows->len, ==, 3);
  g_assert_cmpint (((DcImportRow *) rows->pdata[0])->action, ==, DC_IMPORT_UPDATE);
  g_assert_cmpint (((DcImportRow *) rows->pdata[1])->action, ==, DC_IMPORT_CREATE);
  row = rows->pdata[2];
  g_assert_cmpint (row->action, ==, DC_IMPORT_ERROR);
  g_assert_cmpstr (row->id, ==, "u1:ub");
  g_assert_cmpstr (row->error, ==, "protocol_code already used by u1:ua!");

  /* Nothing of the failed import was stored. */
  ids = dc_store_list_ids (store, DC_KIND_DEVICE);
  g_assert_cmpuint (ids->len, ==, 1);
  {
    g_autoptr(JsonObject) dev = dc_store_get (store, DC_KIND_DEVICE, "m1", &error);
    g_assert_cmpint (json_object_get_int_member (dev, "port"), ==, 502);
  }
}

static void
test_csv_round_trip (void)
{
  g_autoptr(DcStore) store = open_store ("c.db");
  g_autoptr(DcStore) copy = open_store ("d.db");
  g_autoptr(JsonObject) project = obj (project_json);
  g_autoptr(JsonObject) exported = NULL;
  g_autoptr(JsonObject) rebuilt = json_object_new ();
  g_autoptr(JsonObject) again = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  gboolean applied = FALSE;

  dc_store_import (store, project, TRUE, NULL, &error);
  g_assert_no_error (error);
  exported = dc_store_export (store);

  for (DcKind k = 0; k < DC_N_KINDS; k++)
    {
      JsonArray *section = json_object_get_array_member (exported, dc_project_section_name (k));
      g_autofree char *csv = dc_csv_write_rows (k, section);
      JsonArray *back = dc_csv_read_rows (k, csv, -1, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (json_array_get_length (back), ==, json_array_get_length (section));
      if (k == DC_KIND_DEVICE)
        g_assert_nonnull (strstr (csv, "\"Main, \"\"north\"\" meter\""));
      json_object_set_array_member (rebuilt, dc_project_section_name (k), back);
    }

  rows = dc_store_import (copy, rebuilt, TRUE, &applied, &error);
  g_assert_no_error (error);
  g_assert_true (applied);
  again = dc_store_export (copy);
  {
    g_autoptr(JsonNode) a = json_node_init_object (json_node_alloc (), exported);
    g_autoptr(JsonNode) b = json_node_init_object (json_node_alloc (), again);

    g_assert_true (json_node_equal (a, b));
  }
}

static void
test_csv_errors (void)
{
  g_autoptr(GError) error = NULL;
  JsonArray *rows;

  rows = dc_csv_read_rows (DC_KIND_DEVICE, "id,protocol\n\"a,virtual\n", -1, &error);
  g_assert_null (rows);
  g_assert_cmpstr (error->message, ==, "line 2: unterminated quoted cell");
  g_clear_error (&error);

  rows = dc_csv_read_rows (DC_KIND_DEVICE, "id,protocol\na,virtual,x\n", -1, &error);
  g_assert_null (rows);
  g_assert_cmpstr (error->message, ==, "line 2: 3 cells but only 2 columns");
  g_clear_error (&error);

  rows = dc_csv_read_rows (DC_KIND_DEVICE, "\xef\xbb\xbfid,port\n7,502\n\n", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (rows), ==, 1);
  /* Ids stay strings, numbers become numbers. */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 0), "id"), ==, "7");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (rows, 0), "port"), ==, 502);
  json_array_unref (rows);

  /* A row of empty cells, as spreadsheets write after the data, is a blank line, not an
   * entity without fields (found by fuzz-csv: it did not survive a round trip, and the import
   * failed on a row nobody can see). */
  rows = dc_csv_read_rows (DC_KIND_DEVICE, "id,protocol,port\r\na,virtual,\r\n,,\r\n, ,\r\n", -1,
                           &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (rows), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 1), "protocol"),
                   ==, " ");
  json_array_unref (rows);

  /* A number beyond double is text, not infinity (found by fuzz-csv). */
  rows = dc_csv_read_rows (DC_KIND_DEVICE, "id,port,x\nd,1e999,-1e400\n", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 0), "port"),
                   ==, "1e999");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 0), "x"),
                   ==, "-1e400");
  json_array_unref (rows);

  /* Large doubles write as numbers that read back (json-glib wrote 1e308 as "1e+308.0"). */
  {
    g_autoptr(JsonNode) node = json_from_string ("[{\"id\":\"i\",\"states\":1e308,\"x\":[1e20]}]",
                                                 &error);
    g_autofree char *csv = dc_csv_write_rows (DC_KIND_ITEM, json_node_get_array (node));

    g_assert_no_error (error);
    g_assert_nonnull (strstr (csv, ",1e+308,"));
    rows = dc_csv_read_rows (DC_KIND_ITEM, csv, -1, &error);
    g_assert_no_error (error);
    g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (rows, 0), "states"),
                       ==, 1e308);
    g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_array_get_object_element (rows, 0),
                                                                  "x")));
    json_array_unref (rows);
  }

  /* A cell of 100,000 '[' is text: parsed as JSON it overflowed the stack. */
  {
    g_autoptr(GString) csv = g_string_new ("id,states\nd,");
    g_autofree char *deep = g_strnfill (100000, '[');

    g_string_append (csv, deep);
    g_string_append (csv, "\ne,[[1]]\n");
    rows = dc_csv_read_rows (DC_KIND_ITEM, csv->str, csv->len, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 0), "states"),
                     ==, deep);
    g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_array_get_object_element (rows, 1),
                                                                  "states")));
    json_array_unref (rows);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_protocols_register_all ();

  g_test_add_func ("/dc/project/import-preview-apply", test_import_preview_apply);
  g_test_add_func ("/dc/project/import-row-errors", test_import_row_errors);
  g_test_add_func ("/dc/project/csv-round-trip", test_csv_round_trip);
  g_test_add_func ("/dc/project/csv-errors", test_csv_errors);

  return g_test_run ();
}
