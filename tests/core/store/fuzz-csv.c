/* fuzz-csv.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* libFuzzer target for the CSV form of configuration rows (src/core/store/dc-csv.c), the files
 * a user imports: the first byte picks the kind, the rest is the file. Any text reads or fails
 * with an error; rows that read write back to CSV that reads again to the same rows. */

#include "config.h"

#include "dc-csv.h"
#include "dc-error.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) rows = NULL;
  g_autoptr(JsonArray) again = NULL;
  g_autoptr(JsonNode) rows_node = NULL;
  g_autoptr(JsonNode) again_node = NULL;
  g_autofree char *text = NULL;
  DcKind kind;

  if (size == 0)
    return 0;
  kind = data[0] % DC_N_KINDS;

  rows = dc_csv_read_rows (kind, (const char *) data + 1, size - 1, &error);
  if (rows == NULL)
    {
      g_assert_error (error, DC_ERROR, DC_ERROR_INVALID);
      return 0;
    }
  g_assert_no_error (error);

  text = dc_csv_write_rows (kind, rows);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  again = dc_csv_read_rows (kind, text, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);

  rows_node = json_node_init_array (json_node_alloc (), rows);
  again_node = json_node_init_array (json_node_alloc (), again);
  if (!json_node_equal (rows_node, again_node))
    {
      g_autofree char *a = json_to_string (rows_node, FALSE);
      g_autofree char *b = json_to_string (again_node, FALSE);

      g_error ("CSV round trip changed the rows:\n%s\n%s\nthrough\n%s", a, b, text);
    }
  return 0;
}
