/* test-point-id.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <string.h>

#include "dc-point-id.h"

/* Splits @id and checks the parts, or that it is refused (@term NULL). */
static void
check (const char *id,
       const char *term,
       const char *item)
{
  g_autofree char *term_id = NULL;
  const char *item_id = NULL;
  gboolean ok = dc_point_id_split (id, &term_id, &item_id);

  g_assert_cmpint (ok, ==, term != NULL);
  g_assert_cmpstr (term_id, ==, term);
  g_assert_cmpstr (item_id, ==, item);
  if (ok)
    g_assert_true (item_id > id && item_id < id + strlen (id) + 1);  /* points into @id */
}

static void
test_point_id_plain (void)
{
  check ("t1:i1", "t1", "i1");
  check ("1:2", "1", "2");
  check ("Kessel-3:Öltemperatur", "Kessel-3", "Öltemperatur");
  check ("t:x", "t", "x");
}

/* The split is at the first colon: the item part keeps the rest, colons and all. */
static void
test_point_id_colon_in_item (void)
{
  check ("t:a:b", "t", "a:b");
  check ("dev:term:item", "dev", "term:item");
  check ("t::", "t", ":");
  check ("t::x", "t", ":x");
}

static void
test_point_id_empty_parts (void)
{
  check (":item", NULL, NULL);
  check ("term:", NULL, NULL);
  check (":", NULL, NULL);
  check ("::x", NULL, NULL);
  check ("", NULL, NULL);
}

static void
test_point_id_no_colon (void)
{
  check ("termitem", NULL, NULL);
  check (NULL, NULL, NULL);
}

/* Either output may be NULL; a refused id leaves the outputs as they were. */
static void
test_point_id_optional_outputs (void)
{
  g_autofree char *term_id = NULL;
  const char *item_id = "unchanged";

  g_assert_true (dc_point_id_split ("t:i", NULL, NULL));
  g_assert_false (dc_point_id_split ("ti", NULL, NULL));
  g_assert_true (dc_point_id_split ("t:i", &term_id, NULL));
  g_assert_cmpstr (term_id, ==, "t");
  g_assert_true (dc_point_id_split ("t:i", NULL, &item_id));
  g_assert_cmpstr (item_id, ==, "i");

  item_id = "unchanged";
  g_clear_pointer (&term_id, g_free);
  g_assert_false (dc_point_id_split ("t:", &term_id, &item_id));
  g_assert_null (term_id);
  g_assert_cmpstr (item_id, ==, "unchanged");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/point-id/plain", test_point_id_plain);
  g_test_add_func ("/point-id/colon-in-item", test_point_id_colon_in_item);
  g_test_add_func ("/point-id/empty-parts", test_point_id_empty_parts);
  g_test_add_func ("/point-id/no-colon", test_point_id_no_colon);
  g_test_add_func ("/point-id/optional-outputs", test_point_id_optional_outputs);
  return g_test_run ();
}
