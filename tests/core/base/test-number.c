/* test-number.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <locale.h>
#include <math.h>

#include "dc-number.h"

static void
check (double      value,
       int         decimals,
       const char *expected)
{
  g_autofree char *text = dc_number_format (value, decimals);

  g_assert_cmpstr (text, ==, expected);
}

/* The shortest text that reads back, without the noise of %.17g. */
static void
test_number_shortest (void)
{
  check (0.1, -1, "0.1");
  check (628 * 0.1, -1, "62.8");           /* 62.800000000000004 */
  check (0.1 + 0.2, -1, "0.3");            /* 0.30000000000000004 */
  check (1.0, -1, "1");
  check (-2.5, -1, "-2.5");
  check (230.0, -1, "230");
  check (1e-7, -1, "1e-07");
  check (123456789012.0, -1, "123456789012");
  check (1.0 / 3.0, -1, "0.333333333333333");
  check (-0.0, -1, "0");
  check (NAN, -1, "nan");
  check (INFINITY, -1, "inf");
  check (-INFINITY, -1, "-inf");
}

/* A float (a 32-bit register) reads as the float it is. */
static void
test_number_float (void)
{
  check ((double) 230.1f, -1, "230.1");
  check ((double) 0.1f, -1, "0.1");
  check ((double) 49.98f, -1, "49.98");
  check ((double) 1085.5498f, -1, "1085.5498");   /* exactly 1085.5498046875 */
  check (0.5, -1, "0.5");
  check (16777216.0, -1, "16777216");
  check (1234567.125, -1, "1234567.125");          /* float-exact, but short as it is */
  check ((double) 87.02868f, -1, "87.02868");
}

static void
test_number_decimals (void)
{
  check (230.1, 0, "230");
  check (230.16, 1, "230.2");
  check (0.1, 3, "0.100");
  check (-0.001, 2, "0.00");
  check (62.800000000000004, 2, "62.80");
}

/* The text does not follow the locale: CSV and REST need the dot. */
static void
test_number_locale (void)
{
  if (setlocale (LC_NUMERIC, "de_DE.UTF-8") == NULL)
    {
      /* build-aux/install-deps generates it: its absence is a broken set-up, not a skip. */
      g_test_fail_printf ("no de_DE.UTF-8 locale (run build-aux/install-deps)");
      return;
    }
  check (0.5, -1, "0.5");
  check (0.5, 2, "0.50");
  setlocale (LC_NUMERIC, "C");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/number/shortest", test_number_shortest);
  g_test_add_func ("/number/float", test_number_float);
  g_test_add_func ("/number/decimals", test_number_decimals);
  g_test_add_func ("/number/locale", test_number_locale);
  return g_test_run ();
}
