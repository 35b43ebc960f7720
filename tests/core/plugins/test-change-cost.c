/* test-change-cost.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* A change costs its size, not the plant's (docs/performance.md): with thousands of points,
 * one point created or edited, deleted, renamed (its item or term), a device edited or a
 * formula added is handled by the engine, the alarms, the database templates and the formulas
 * without reading the plant again, counted as the points the store listed (a whole-plant scan
 * adds every point) and the point rows it read (its cache reads only what a commit changed),
 * and what they do with it is the same as after a full load. */

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

/* A point with members no plugin reads (its address, coefficient, unit). */
static void
create_plain (DcStore    *store,
              const char *item_id,
              int         code)
{
  g_autofree char *item = g_strdup_printf ("{\"id\": \"%s\"}", item_id);
  g_autofree char *point = g_strdup_printf ("{\"device_id\": \"vd\", \"term_id\": \"t\","
                                            " \"item_id\": \"%s\", \"protocol_code\": %d,"
                                            " \"coefficient\": 0.5, \"unit\": \"kW\"}",
                                            item_id, code);

  dc_test_store_create (store, DC_KIND_ITEM, item);
  dc_test_store_create (store, DC_KIND_POINT, point);
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

  /* A delete: the point leaves the engine, its order and the rules; nothing is read. */
  {
    gint64 gone = dc_store_get_point_key (fx->store, "t", "p8");
    guint64 read = dc_store_get_points_read (fx->store);
    g_autoptr(GArray) keys = NULL;
    DcEngineStats before, after;

    g_assert_true (dc_store_delete_point (fx->store, "t", "p8", &error));
    g_assert_no_error (error);
    drain ();
    keys = dc_engine_list_keys (fx->engine);
    g_assert_cmpuint (keys->len, ==, N_POINTS - 1);
    for (guint i = 0; i < keys->len; i++)
      g_assert_cmpint (g_array_index (keys, gint64, i), !=, gone);
    /* The natural order closed over the gap. */
    for (guint i = 0; i + 1 < keys->len; i++)
      g_assert_cmpint (dc_natural_compare (
                         dc_engine_get_point (fx->engine, g_array_index (keys, gint64, i))->item_id,
                         dc_engine_get_point (fx->engine, g_array_index (keys, gint64, i + 1))->item_id),
                       <, 0);
    g_assert_null (dc_engine_get_point (fx->engine, gone));
    dc_engine_get_stats (fx->engine, &before);
    ingest (fx, gone, 99);
    dc_engine_get_stats (fx->engine, &after);
    g_assert_cmpuint (after.unknown, ==, before.unknown + 1);
    g_assert_cmpuint (n_active_alarms (fx), ==, 1);
    g_assert_cmpuint (dc_store_get_points_listed (fx->store), ==, listed);
    g_assert_cmpuint (dc_store_get_points_read (fx->store), ==, read);
  }
}

/* The store keeps one view per point and every reader shares it. */
static void
test_one_copy (Fixture       *fx,
               gconstpointer  data)
{
  gint64 key = dc_store_get_point_key (fx->store, "t", "p42");
  g_autoptr(DcPointInfo) info = dc_store_get_point_info (fx->store, "t", "p42");
  g_autoptr(DcPointInfo) other = dc_store_get_point_info (fx->store, "t", "p43");

  g_assert_nonnull (info);
  g_assert_true (dc_engine_get_point (fx->engine, key) == info);
  /* Interned: the same text is the same memory. */
  g_assert_true (info->device_id == other->device_id);
  g_assert_true (info->term_id == other->term_id);
  g_assert_cmpstr (info->item_id, ==, "p42");
  /* A limit is read from the object: the view keeps it. */
  g_assert_nonnull (info->json);
  g_assert_null (info->body);

  /* A point nothing reads members of is compact: typed fields and its text, whole on demand. */
  {
    g_autoptr(DcPointInfo) plain = NULL;
    g_autoptr(JsonObject) json = NULL;
    g_autoptr(DcPointInfo) twin = NULL;

    create_plain (fx->store, "plain", 7);
    create_plain (fx->store, "twin", 7);
    plain = dc_store_get_point_info (fx->store, "t", "plain");
    twin = dc_store_get_point_info (fx->store, "t", "twin");
    g_assert_nonnull (plain);
    g_assert_null (plain->json);
    g_assert_cmpstr (plain->protocol_code, ==, "7");
    g_assert_cmpfloat (plain->coefficient, ==, 0.5);
    /* The same members, the same text. */
    g_assert_true (plain->body == twin->body);
    json = dc_point_info_dup_json (plain);
    g_assert_cmpstr (json_object_get_string_member (json, "item_id"), ==, "plain");
    g_assert_cmpstr (json_object_get_string_member (json, "device_id"), ==, "vd");
    g_assert_cmpint (json_object_get_int_member (json, "protocol_code"), ==, 7);
    g_assert_cmpstr (json_object_get_string_member (json, "unit"), ==, "kW");
  }
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
  guint64 listed = dc_store_get_points_listed (fx->store);
  guint64 read = dc_store_get_points_read (fx->store);

  dc_test_store_create (fx->store, DC_KIND_DEVICE, "{\"id\": \"calc\", \"protocol\": \"formula\"}");
  dc_test_store_create (fx->store, DC_KIND_TERM, "{\"id\": \"ct\", \"device_id\": \"calc\"}");
  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\": \"fout\"}");
  dc_test_store_create (fx->store, DC_KIND_POINT,
                        "{\"device_id\": \"calc\", \"term_id\": \"ct\", \"item_id\": \"fout\"}");
  dc_test_store_create (fx->store, DC_KIND_FORMULA,
                        "{\"id\": \"f\", \"formula\": \"p1 * 2\", \"device_id\": \"calc\","
                        " \"term_id\": \"ct\", \"item_id\": \"fout\", \"p1\": \"vd:t:later\"}");
  drain ();
  g_assert_cmpuint (dc_store_get_points_listed (fx->store), ==, listed);
  g_assert_cmpuint (dc_store_get_points_read (fx->store), <=, read + 3);
  create_points (fx->store, "unrelated", NULL);
  drain ();
  g_assert_cmpuint (dc_store_get_points_listed (fx->store), ==, listed);
  g_assert_cmpstr (dc_formula_get_error (fx->formula, "f"), ==,
                   "parameter not found: p1=vd:t:later");
  /* The awaited point: the formula is rebuilt (from the formulas and the points they name,
   * not the plant) and finds it. */
  create_points (fx->store, "later", NULL);
  drain ();
  g_assert_cmpuint (dc_store_get_points_listed (fx->store), ==, listed);
  g_assert_null (dc_formula_get_error (fx->formula, "f"));
}

/* A renamed item: its points are read again alone and move in the order. */
static void
test_rename_item (Fixture       *fx,
                  gconstpointer  data)
{
  gint64 key = dc_store_get_point_key (fx->store, "t", "p100");
  guint64 listed = dc_store_get_points_listed (fx->store);
  guint64 read = dc_store_get_points_read (fx->store);
  g_autoptr(JsonObject) patch = dc_test_json_object ("{\"id\": \"zz100\"}");
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) keys = NULL;
  const DcPointInfo *info;

  g_assert_true (dc_store_update (fx->store, DC_KIND_ITEM, "p100", patch, &error));
  g_assert_no_error (error);
  drain ();
  g_assert_cmpint (dc_store_get_point_key (fx->store, "t", "zz100"), ==, key);
  info = dc_engine_get_point (fx->engine, key);
  g_assert_nonnull (info);
  g_assert_cmpstr (info->item_id, ==, "zz100");
  keys = dc_engine_list_keys (fx->engine);
  g_assert_cmpuint (keys->len, ==, N_POINTS);
  g_assert_cmpint (g_array_index (keys, gint64, keys->len - 1), ==, key);
  ingest (fx, key, 95);
  g_assert_cmpuint (n_active_alarms (fx), ==, 1);
  g_assert_cmpuint (dc_store_get_points_listed (fx->store), ==, listed);
  g_assert_cmpuint (dc_store_get_points_read (fx->store), ==, read + 1);
}

/* A device edited or its term renamed: the store reads the device's points again (its size),
 * nothing reads the plant, and the engine follows the new names. */
static void
test_device_edit (Fixture       *fx,
                  gconstpointer  data)
{
  guint64 listed, read;
  g_autoptr(JsonObject) edit = dc_test_json_object ("{\"enabled\": false}");
  g_autoptr(JsonObject) rename = dc_test_json_object ("{\"id\": \"st2\"}");
  g_autoptr(GError) error = NULL;
  gint64 key;

  dc_test_store_create (fx->store, DC_KIND_DEVICE, "{\"id\": \"small\", \"protocol\": \"virtual\"}");
  dc_test_store_create (fx->store, DC_KIND_TERM, "{\"id\": \"st\", \"device_id\": \"small\"}");
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"device_id\": \"small\", \"term_id\": \"st\","
                                               " \"item_id\": \"p%u\"}", i);

      dc_test_store_create (fx->store, DC_KIND_POINT, json);
    }
  drain ();
  key = dc_store_get_point_key (fx->store, "st", "p1");
  g_assert_nonnull (dc_engine_get_point (fx->engine, key));
  listed = dc_store_get_points_listed (fx->store);
  read = dc_store_get_points_read (fx->store);

  g_assert_true (dc_store_update (fx->store, DC_KIND_DEVICE, "small", edit, &error));
  g_assert_no_error (error);
  drain ();
  g_assert_cmpuint (dc_store_get_points_read (fx->store), ==, read + 3);

  g_assert_true (dc_store_update (fx->store, DC_KIND_TERM, "st", rename, &error));
  g_assert_no_error (error);
  drain ();
  g_assert_cmpuint (dc_store_get_points_read (fx->store), ==, read + 6);
  g_assert_cmpstr (dc_engine_get_point (fx->engine, key)->term_id, ==, "st2");
  g_assert_cmpuint (dc_store_get_points_listed (fx->store), ==, listed);

  /* A device deleted: its points leave the engine, nothing is read. */
  g_assert_true (dc_store_delete (fx->store, DC_KIND_DEVICE, "small", &error));
  g_assert_no_error (error);
  drain ();
  g_assert_null (dc_engine_get_point (fx->engine, key));
  g_assert_cmpuint (dc_store_get_points_read (fx->store), ==, read + 6);
  g_assert_cmpuint (dc_store_get_points_listed (fx->store), ==, listed);
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
  g_test_add ("/change-cost/one-copy", Fixture, NULL, fixture_set_up, test_one_copy,
              fixture_tear_down);
  g_test_add ("/change-cost/rename-item", Fixture, NULL, fixture_set_up, test_rename_item,
              fixture_tear_down);
  g_test_add ("/change-cost/device-edit", Fixture, NULL, fixture_set_up, test_device_edit,
              fixture_tear_down);
  return g_test_run ();
}
