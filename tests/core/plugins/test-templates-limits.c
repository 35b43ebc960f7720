/* test-templates-limits.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <sqlite3.h>

#include "dc-store.h"
#include "dc-protocols.h"
#include "dc-templates.h"

#include "dc-test-store.h"

/* Issue 21, item 5: a runaway db_save_sql (a recursive CTE) spun the templates thread forever
 * while its queue grew without a bound, and stopping then hung. Each run now has a budget,
 * the queue holds 10,000 jobs (more are dropped and counted) and stopping drains for 5 s at
 * most (docs/security.md). */

#define RUNAWAY "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) " \
                "INSERT INTO log SELECT x FROM c"

static void
test_queue_bound (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dc-templates-limits-XXXXXX", &error);
  g_autofree char *db = g_build_filename (dir, "dc.db", NULL);
  g_autofree char *user_db = g_build_filename (dir, "user.db", NULL);
  g_autofree char *point = NULL;
  DcStore *store;
  DcTemplates *templates;
  sqlite3 *udb = NULL;
  gint64 key;
  gint64 start;
  guint64 dropped = 0;
  guint fed = 0;

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_open (user_db, &udb), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (udb, "CREATE TABLE log (x INTEGER)", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  sqlite3_close (udb);

  store = dc_store_open (db, &error);
  g_assert_no_error (error);
  dc_test_store_create (store, DC_KIND_DEVICE, "{\"id\": \"vd\", \"protocol\": \"virtual\"}");
  dc_test_store_create (store, DC_KIND_TERM, "{\"id\": \"t1\", \"device_id\": \"vd\"}");
  dc_test_store_create (store, DC_KIND_ITEM, "{\"id\": \"a\"}");
  point = g_strdup_printf ("{\"term_id\": \"t1\", \"item_id\": \"a\", \"db_save_sql\": \"%s\"}",
                           RUNAWAY);
  dc_test_store_create (store, DC_KIND_POINT, point);
  key = dc_store_get_point_key (store, "t1", "a");
  templates = dc_templates_new (store, user_db, &error);
  g_assert_no_error (error);
  dc_templates_start (templates);

  /* Each run takes its whole budget (1 s): samples come faster, the queue fills. */
  while (dropped == 0 && fed < 40000)
    {
      DcSample s = { key, g_get_real_time (), (double) fed++, 0 };

      dc_templates_process (templates, &s, 1);
      dropped = dc_templates_get_dropped (templates);
    }
  g_test_message ("first drop after %u samples", fed);
  /* The worker takes what is queued when it wakes (10,000 at most), the queue holds 10,000. */
  g_assert_cmpuint (dropped, >, 0);
  g_assert_cmpuint (fed, <=, 2 * 10000 + 100);

  /* Stopping drains for 5 s at most (100 ms a run), then drops the rest. */
  start = g_get_monotonic_time ();
  g_assert_finalize_object (templates);
  g_test_message ("stopped in %.2f s", (g_get_monotonic_time () - start) / 1e6);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  g_assert_finalize_object (store);

  dc_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_protocols_register_all ();

  g_test_add_func ("/dc/templates/limits/queue", test_queue_bound);

  return g_test_run ();
}
