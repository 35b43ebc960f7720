/* test-change-cost.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* A change costs its size, not the plant's (docs/performance.md): with thousands of points,
 * one point created or edited is re-read alone by the engine, the alarms, the database
 * templates and the formulas, counted as the point rows the store listed (a whole-plant scan
 * adds every point), and what they do with it is the same as after a full load. */

#include "config.h"

#include <sqlite3.h>

#include "dc-alarm.h"
#include "dc-engine.h"
#include "dc-formula.h"
#include "dc-protocols.h"
#include "dc-store.h"
#include "dc-templates.h"

#include "dc-test-store.h"

#define N_POINTS 5000

typedef struct
{
  char        *dir;
  DcStore     *store;
  DcHistory   *history;
  DcEngine    *engine;
  DcFormula   *formula;
  DcAlarm     *alarm;
  DcTemplates *templates;
} Fixture;

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
create_points (DcStore    *store,
               const char *first,
               ...)
{
  g_autoptr(JsonArray) items = json_array_new ();
  g_autoptr(JsonArray) points = json_array_new ();
  g_autoptr(GError) error = NULL;
  va_list ap;

  va_start (ap, first);
  for (const char *id = first; id != NULL; id = va_arg (ap, const char *))
    {
      JsonObject *item = json_object_new ();
      JsonObject *point = json_object_new ();

      json_object_set_string_member (item, "id", id);
      json_array_add_object_element (items, item);
      json_object_set_string_member (point, "device_id", "vd");
      json_object_set_string_member (point, "term_id", "t");
      json_object_set_string_member (point, "item_id", id);
      json_object_set_int_member (point, "up_limit", 50);
      json_array_add_object_element (points, point);
    }
  va_end (ap);
  g_assert_true (dc_store_create_batch (store, DC_KIND_ITEM, items, &error));
  g_assert_no_error (error);
  g_assert_true (dc_store_create_batch (store, DC_KIND_POINT, points, &error));
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) items = json_array_new ();
  g_autoptr(JsonArray) points = json_array_new ();
  g_autofree char *db = NULL;
  g_autofree char *hdb = NULL;
  g_autofree char *journal = NULL;
  g_autofree char *user_db = NULL;
  sqlite3 *user = NULL;

  fx->dir = g_dir_make_tmp ("dc-change-cost-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (fx->dir, "dc.db", NULL);
  hdb = g_build_filename (fx->dir, "history.db", NULL);
  journal = g_build_filename (fx->dir, "alarms.db", NULL);
  user_db = g_build_filename (fx->dir, "user.db", NULL);
  g_assert_cmpint (sqlite3_open (user_db, &user), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (user, "CREATE TABLE log (v REAL)", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  sqlite3_close (user);

  fx->store = dc_store_open (db, &error);
  g_assert_no_error (error);
  dc_test_store_create (fx->store, DC_KIND_DEVICE, "{\"id\": \"vd\", \"protocol\": \"virtual\"}");
  dc_test_store_create (fx->store, DC_KIND_TERM, "{\"id\": \"t\", \"device_id\": \"vd\"}");
  for (guint i = 0; i < N_POINTS; i++)
    {
      JsonObject *item = json_object_new ();
      JsonObject *point = json_object_new ();
      g_autofree char *id = g_strdup_printf ("p%u", i);

      json_object_set_string_member (item, "id", id);
      json_array_add_object_element (items, item);
      json_object_set_string_member (point, "device_id", "vd");
      json_object_set_string_member (point, "term_id", "t");
      json_object_set_string_member (point, "item_id", id);
      json_object_set_int_member (point, "up_limit", 90);
      json_array_add_object_element (points, point);
    }
  g_assert_true (dc_store_create_batch (fx->store, DC_KIND_ITEM, items, &error));
  g_assert_no_error (error);
  g_assert_true (dc_store_create_batch (fx->store, DC_KIND_POINT, points, &error));
  g_assert_no_error (error);

  fx->history = dc_history_new (hdb, &error);
  g_assert_no_error (error);
  fx->engine = dc_engine_new (fx->store, fx->history);
  fx->formula = dc_formula_new_for_engine (fx->engine);
  dc_formula_start (fx->formula);
  fx->alarm = dc_alarm_new_for_engine (fx->engine, journal, &error);
  g_assert_no_error (error);
  dc_alarm_start (fx->alarm);
  fx->templates = dc_templates_new_for_engine (fx->engine, fx->alarm, user_db, &error);
  g_assert_no_error (error);
  dc_templates_start (fx->templates);
  drain ();
  g_array_unref (dc_engine_list_keys (fx->engine));
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_clear_object (&fx->templates);
  g_clear_object (&fx->formula);
  g_clear_object (&fx->alarm);
  dc_engine_shutdown (fx->engine);
  g_clear_object (&fx->engine);
  dc_test_release_history (g_steal_pointer (&fx->history));
  g_clear_object (&fx->store);
  dc_test_remove_dir (fx->dir);
  g_free (fx->dir);
}

static guint
n_active_alarms (Fixture *fx)
{
  g_autoptr(JsonArray) list = dc_alarm_list (fx->alarm, FALSE);

  return json_array_get_length (list);
}

static void
ingest (Fixture *fx,
        gint64   key,
        double   value)
{
  static gint64 t = G_GINT64_CONSTANT (1700000000000000);
  DcSample s = { 0 };

  s.key = key;
  s.time = (t += G_USEC_PER_SEC);
  s.value = value;
  dc_engine_ingest (fx->engine, &s, 1, DC_INGEST_NONE);
  drain ();
}

/* An edit in place: nothing reads the plant again, and the new limit holds everywhere. */
static void
test_update (Fixture       *fx,
             gconstpointer  data)
{
  gint64 key = dc_store_get_point_key (fx->store, "t", "p7");
  guint64 listed = dc_store_get_points_listed (fx->store);
  g_autoptr(JsonObject) patch = dc_test_json_object ("{\"up_limit\": 95}");
  g_autoptr(GError) error = NULL;
  const DcPointInfo *info;

  g_assert_cmpuint (listed, >=, N_POINTS);
  g_assert_true (dc_store_update_point (fx->store, "t", "p7", patch, &error));
  g_assert_no_error (error);
  drain ();

  info = dc_engine_get_point (fx->engine, key);
  g_assert_nonnull (info);
  g_assert_cmpint (json_object_get_int_member (info->json, "up_limit"), ==, 95);
  ingest (fx, key, 93);
  g_assert_cmpuint (n_active_alarms (fx), ==, 0);
  ingest (fx, key, 97);
  g_assert_cmpuint (n_active_alarms (fx), ==, 1);
  g_assert_cmpuint (dc_store_get_points_listed (fx->store), ==, listed);

  /* A delete still reloads (the baseline of the counter is real). */
  g_assert_true (dc_store_delete_point (fx->store, "t", "p8", &error));
  g_assert_no_error (error);
  drain ();
  g_array_unref (dc_engine_list_keys (fx->engine));
  g_assert_cmpuint (dc_store_get_points_listed (fx->store), >=, listed + N_POINTS);
}

/* New points: read alone, merged into the natural order, alarmed on. */
static void
test_create (Fixture       *fx,
             gconstpointer  data)
{
  guint64 listed = dc_store_get_points_listed (fx->store);
  g_autoptr(GArray) keys = NULL;
  gint64 key, before, after;
  guint at = G_MAXUINT;

  create_points (fx->store, "p2500a", "p9999", "a0", NULL);
  drain ();
  key = dc_store_get_point_key (fx->store, "t", "p2500a");
  before = dc_store_get_point_key (fx->store, "t", "p2500");
  after = dc_store_get_point_key (fx->store, "t", "p2501");
  g_assert_cmpint (key, !=, 0);

  keys = dc_engine_list_keys (fx->engine);
  g_assert_cmpuint (keys->len, ==, N_POINTS + 3);
  for (guint i = 0; i < keys->len; i++)
    if (g_array_index (keys, gint64, i) == key)
      at = i;
  g_assert_cmpuint (at, >, 0);
  g_assert_cmpuint (at + 1, <, keys->len);
  g_assert_cmpint (g_array_index (keys, gint64, at - 1), ==, before);
  g_assert_cmpint (g_array_index (keys, gint64, at + 1), ==, after);
  g_assert_cmpint (g_array_index (keys, gint64, 0), ==,
                   dc_store_get_point_key (fx->store, "t", "a0"));
  g_assert_cmpint (g_array_index (keys, gint64, keys->len - 1), ==,
                   dc_store_get_point_key (fx->store, "t", "p9999"));
  g_assert_nonnull (dc_engine_get_point (fx->engine, key));

  ingest (fx, key, 60);
  g_assert_cmpuint (n_active_alarms (fx), ==, 1);
  g_assert_cmpuint (dc_store_get_points_listed (fx->store), ==, listed);
}

/* A formula that names a point that does not exist yet is rebuilt when it appears. */
static void
test_awaited (Fixture       *fx,
              gconstpointer  data)
{
  guint64 listed;

  dc_test_store_create (fx->store, DC_KIND_DEVICE, "{\"id\": \"calc\", \"protocol\": \"formula\"}");
  dc_test_store_create (fx->store, DC_KIND_TERM, "{\"id\": \"ct\", \"device_id\": \"calc\"}");
  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\": \"fout\"}");
  dc_test_store_create (fx->store, DC_KIND_POINT,
                        "{\"device_id\": \"calc\", \"term_id\": \"ct\", \"item_id\": \"fout\"}");
  dc_test_store_create (fx->store, DC_KIND_FORMULA,
                        "{\"id\": \"f\", \"formula\": \"p1 * 2\", \"device_id\": \"calc\","
                        " \"term_id\": \"ct\", \"item_id\": \"fout\", \"p1\": \"vd:t:later\"}");
  drain ();
  listed = dc_store_get_points_listed (fx->store);
  create_points (fx->store, "unrelated", NULL);
  drain ();
  g_assert_cmpuint (dc_store_get_points_listed (fx->store), ==, listed);
  create_points (fx->store, "later", NULL);
  drain ();
  g_assert_cmpuint (dc_store_get_points_listed (fx->store), >=, listed + N_POINTS);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  dc_protocols_register_all ();

  g_test_add ("/change-cost/update", Fixture, NULL, fixture_set_up, test_update,
              fixture_tear_down);
  g_test_add ("/change-cost/create", Fixture, NULL, fixture_set_up, test_create,
              fixture_tear_down);
  g_test_add ("/change-cost/awaited", Fixture, NULL, fixture_set_up, test_awaited,
              fixture_tear_down);
  return g_test_run ();
}
