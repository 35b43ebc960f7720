/* fuzz-import.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* libFuzzer target for the project import (src/core/store/dc-store-import.c) as the import
 * dialog feeds it: an input starting with '{' is a project file (JSON), any other is one CSV
 * file whose kind is the first byte (dc-csv.c). The import runs with apply on a store holding a
 * small plant (in dc_test_fuzz_dir()):
 * - when a row fails, nothing changes (the export before and after are the same);
 * - when it applies, importing the new export changes nothing, and the store is put back to the
 *   plant for the next input. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "dc-csv.h"
#include "dc-error.h"
#include "dc-json-util.h"
#include "dc-project.h"
#include "dc-protocols.h"
#include "dc-store.h"
#include "dc-test-fuzz.h"
#include "dc-test-store.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static DcStore *store;
static char *path;
static GBytes *plant;  /* the store file holding the plant */

static char *
sibling (const char *suffix)
{
  return g_strconcat (path, suffix, NULL);
}

static void
store_close (void)
{
  g_autofree char *wal = sibling ("-wal");
  g_autofree char *shm = sibling ("-shm");

  g_clear_object (&store);
  g_unlink (wal);
  g_unlink (shm);
}

static void
store_open (void)
{
  g_autoptr(GError) error = NULL;

  store = dc_store_open (path, &error);
  g_assert_no_error (error);
}

/* The plant of the REST tests (dc_test_store_file_plant()), kept as a file to come back to. */
static void
store_setup (void)
{
  dc_protocols_register_all ();
  path = g_build_filename (dc_test_fuzz_dir (), "import.db", NULL);
  plant = dc_test_store_file_plant (path);
  store_open ();
}

static void
store_reset (void)
{
  store_close ();
  dc_test_store_file_restore (path, plant);
  store_open ();
}

static char *
export_text (void)
{
  g_autoptr(JsonObject) project = dc_store_export (store);
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), project);

  return json_to_string (node, FALSE);
}

static JsonObject *
read_input (const guint8  *data,
            size_t         size,
            GError       **error)
{
  g_autoptr(JsonObject) project = NULL;
  g_autoptr(JsonArray) rows = NULL;
  DcKind kind;

  if (size > 0 && data[0] == '{')
    {
      /* The dialog's reading of a project file (src/ui/dialogs/dc-import-dialog.c). */
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonNode *root;

      if (!dc_json_nesting_within ((const char *) data, size, DC_PROJECT_MAX_NESTING) ||
          !json_parser_load_from_data (parser, (const char *) data, size, error))
        return NULL;
      root = json_parser_get_root (parser);
      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        return NULL;
      return json_object_ref (json_node_get_object (root));
    }
  if (size == 0)
    return NULL;
  kind = data[0] % DC_N_KINDS;
  rows = dc_csv_read_rows (kind, (const char *) data + 1, size - 1, error);
  if (rows == NULL)
    return NULL;
  project = json_object_new ();
  json_object_set_array_member (project, dc_project_section_name (kind), g_steal_pointer (&rows));
  return g_steal_pointer (&project);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(JsonObject) project = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gboolean applied = FALSE;

  if (store == NULL)
    store_setup ();

  project = read_input (data, size, &error);
  if (project == NULL)
    return 0;
  g_clear_error (&error);

  before = export_text ();
  rows = dc_store_import (store, project, TRUE, &applied, &error);
  after = export_text ();
  if (rows == NULL)
    {
      g_assert_error (error, DC_ERROR, DC_ERROR_INVALID);
      g_assert_cmpstr (before, ==, after);
      return 0;
    }
  g_assert_no_error (error);

  for (guint i = 0; i < rows->len; i++)
    {
      DcImportRow *row = g_ptr_array_index (rows, i);

      g_assert_cmpuint (row->kind, <, DC_N_KINDS);
      g_assert_true ((row->action == DC_IMPORT_ERROR) == (row->error != NULL));
      g_assert_true (row->error == NULL || g_utf8_validate (row->error, -1, NULL));
      g_assert_true (!applied || row->action != DC_IMPORT_ERROR);
    }

  if (!applied)
    {
      g_assert_cmpstr (before, ==, after);
      return 0;
    }

  /* What was imported exports as a project that imports again without a change. */
  {
    g_autoptr(JsonObject) exported = dc_store_export (store);
    g_autoptr(GPtrArray) again = dc_store_import (store, exported, FALSE, NULL, &error);

    g_assert_no_error (error);
    for (guint i = 0; i < again->len; i++)
      {
        DcImportRow *row = g_ptr_array_index (again, i);

        if (row->action != DC_IMPORT_UNCHANGED)
          g_error ("%s %s of the export: %s %s", dc_kind_to_string (row->kind), row->id,
                   dc_import_action_to_string (row->action), row->error ? row->error : "");
      }
  }
  store_reset ();
  return 0;
}
