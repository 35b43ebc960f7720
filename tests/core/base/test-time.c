/* test-time.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include "dc-error.h"
#include "dc-time.h"

/* The routes' `from` and `to`: absent leaves the time as it was, a bad one is a precise
 * error naming the parameter, an empty one is absent only when asked. */
static void
test_time_parse_param (void)
{
  g_autoptr(GHashTable) params = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  gint64 t = 42;

  g_hash_table_insert (params, "from", "2015-12-01T08:50:15.000003Z");
  g_hash_table_insert (params, "secs", "1449000000.5");
  g_hash_table_insert (params, "to", "yesterday");
  g_hash_table_insert (params, "empty", "");

  g_assert_true (dc_time_parse_param (NULL, "from", FALSE, &t, &error));
  g_assert_true (dc_time_parse_param (params, "missing", FALSE, &t, &error));
  g_assert_no_error (error);
  g_assert_cmpint (t, ==, 42);

  g_assert_true (dc_time_parse_param (params, "from", FALSE, &t, &error));
  g_assert_no_error (error);
  g_assert_cmpint (t, ==, G_GINT64_CONSTANT (1448959815000003));
  g_assert_true (dc_time_parse_param (params, "secs", FALSE, &t, &error));
  g_assert_cmpint (t, ==, G_GINT64_CONSTANT (1449000000500000));

  t = 42;
  g_assert_true (dc_time_parse_param (params, "empty", TRUE, &t, &error));
  g_assert_no_error (error);
  g_assert_cmpint (t, ==, 42);
  g_assert_false (dc_time_parse_param (params, "empty", FALSE, &t, &error));
  g_assert_error (error, DC_ERROR, DC_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_false (dc_time_parse_param (params, "to", TRUE, &t, &error));
  g_assert_error (error, DC_ERROR, DC_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==,
                   "parameter to must be an RFC 3339 time or seconds since the epoch");
  g_assert_cmpint (t, ==, 42);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/time/parse-param", test_time_parse_param);
  return g_test_run ();
}
