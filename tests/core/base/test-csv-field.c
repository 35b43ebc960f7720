/* test-csv-field.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include "dc-csv-field.h"

static void
check (const char *text,
       gboolean    quote_edge_spaces,
       const char *expected)
{
  g_autoptr(GString) out = g_string_new ("x,");

  dc_csv_append_field (out, text, quote_edge_spaces);
  g_assert_cmpstr (out->str + 2, ==, expected);
}

/* RFC 4180: as it is unless a comma, a quote or a line break needs the quotes. */
static void
test_csv_field_rfc4180 (void)
{
  for (guint q = 0; q < 2; q++)
    {
      check ("plain", q, "plain");
      check ("", q, "");
      check (NULL, q, "");
      check ("电压 kV", q, "电压 kV");
      check ("a,b", q, "\"a,b\"");
      check ("say \"hi\"", q, "\"say \"\"hi\"\"\"");
      check ("\"", q, "\"\"\"\"");
      check ("two\nlines", q, "\"two\nlines\"");
      check ("cr\rhere", q, "\"cr\rhere\"");
    }
}

/* Edge spaces are quoted only when asked (the configuration's CSV form). */
static void
test_csv_field_edge_spaces (void)
{
  check (" lead", FALSE, " lead");
  check ("trail ", FALSE, "trail ");
  check (" lead", TRUE, "\" lead\"");
  check ("trail ", TRUE, "\"trail \"");
  check ("in side", TRUE, "in side");
  check (" ", TRUE, "\" \"");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/csv-field/rfc4180", test_csv_field_rfc4180);
  g_test_add_func ("/csv-field/edge-spaces", test_csv_field_edge_spaces);
  return g_test_run ();
}
