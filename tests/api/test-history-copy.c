/* test-history-copy.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "dc-api.h"
#include "dc-engine.h"
#include "dc-protocols.h"
#include "dc-routes.h"
#include "dc-test-http.h"
#include "dc-test-pg.h"
#include "dc-test-server.h"
#include "dc-test-store.h"
#include "dc-time.h"

/* `datacoll history copy --from sqlite:FILE --to postgresql://…` (docs/historian-postgresql.md
 * "Migration"): a million samples move, and the REST answers (datas, limits, windows, CSV,
 * buckets) are the same text before, from the sqlite file, and after, from PostgreSQL. And
 * `datacoll --server` with [history] backend=postgresql, end to end. */

#define SEC ((gint64) G_USEC_PER_SEC)
#define N_POINTS 4
#define PER_POINT 250000

static const char *const items[N_POINTS] = { "i0", "i1", "i2", "i3" };

/* The answers of the sample routes for every point: path, answer, path, answer… */
static GPtrArray *
answers (DcStore   *store,
         DcHistory *history,
         gint64     t0)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DcEngine) engine = dc_engine_new (store, history);
  g_autoptr(DcServer) server = NULL;
  g_autofree char *base = NULL;
  GPtrArray *all = g_ptr_array_new_with_free_func (g_free);
  gint64 span = PER_POINT * SEC / 10;
  const gint64 windows[][2] = {
    { t0, t0 + span },
    { t0 + 12345 * SEC + 17, t0 + span - 777 * SEC },
    { t0 + 100 * SEC, t0 + 160 * SEC },
    { t0 + 3 * 3600 * SEC, t0 + 5 * 3600 * SEC },
  };
  static const guint buckets[] = { 1, 7, 100, 1000, 10000 };

  dc_engine_start (engine);
  server = dc_server_new (store);
  dc_api_add_sample_routes (server, engine, 100000);
  dc_server_listen (server, "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  base = g_strdup_printf ("http://127.0.0.1:%u", dc_server_get_port (server));

  for (guint p = 0; p < N_POINTS; p++)
    for (guint w = 0; w < G_N_ELEMENTS (windows); w++)
      {
        g_autofree char *from = dc_time_format (windows[w][0]);
        g_autofree char *to = dc_time_format (windows[w][1]);
        g_autofree char *prefix = g_strdup_printf ("/api/v1/devices/v/terms/t/items/%s/datas",
                                                   items[p]);
        g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

        g_ptr_array_add (paths, g_strdup_printf ("%s?from=%s&to=%s&limit=1000", prefix, from, to));
        g_ptr_array_add (paths, g_strdup_printf ("%s?from=%s&to=%s&limit=50&format=csv", prefix,
                                                 from, to));
        g_ptr_array_add (paths, g_strdup_printf ("%s/0", prefix));
        g_ptr_array_add (paths, g_strdup_printf ("%s/-1", prefix));
        for (guint b = 0; b < G_N_ELEMENTS (buckets); b++)
          g_ptr_array_add (paths, g_strdup_printf ("%s?from=%s&to=%s&buckets=%u", prefix, from, to,
                                                   buckets[b]));
        for (guint i = 0; i < paths->len; i++)
          {
            g_autoptr(DcReply) r = dc_http (base, "GET", g_ptr_array_index (paths, i), NULL);

            g_assert_cmpuint (r->status, ==, 200);
            g_ptr_array_add (all, g_strdup (g_ptr_array_index (paths, i)));
            g_ptr_array_add (all, g_strdup (r->body));
          }
      }

  dc_server_disconnect (server);
  dc_engine_shutdown (engine);
  return all;
}

static void
test_copy (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *bindir = dc_test_pg_bindir (&reason);
  g_autoptr(DcStore) store = NULL;
  DcHistory *history = NULL;
  g_autoptr(DcTestPg) pg = NULL;
  g_autofree char *url = NULL;
  g_autofree char *from = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  gsize compared = 0;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *rows = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (17);
  gint64 t0 = (g_get_real_time () / (1000 * SEC)) * (1000 * SEC) - 20 * 86400 * SEC;
  int status;

  if (bindir == NULL)
    {
      g_test_skip (reason);
      return;
    }

  dc_test_open_store_and_history (&store, &history);
  dc_test_store_create (store, DC_KIND_DEVICE, "{\"id\":\"v\",\"protocol\":\"virtual\"}");
  dc_test_store_create (store, DC_KIND_TERM, "{\"id\":\"t\",\"device_id\":\"v\"}");
  for (guint p = 0; p < N_POINTS; p++)
    {
      g_autofree char *item = g_strdup_printf ("{\"id\":\"%s\"}", items[p]);
      g_autofree char *point = g_strdup_printf ("{\"term_id\":\"t\",\"item_id\":\"%s\","
                                                "\"history\":\"all\"}", items[p]);
      gint64 key;

      dc_test_store_create (store, DC_KIND_ITEM, item);
      dc_test_store_create (store, DC_KIND_POINT, point);
      key = dc_store_get_point_key (store, "t", items[p]);
      /* A million samples at 10 Hz with invalid ones among them. */
      for (int b = 0; b < PER_POINT / 10000; b++)
        {
          DcSample batch[10000];

          for (int i = 0; i < 10000; i++)
            {
              gint64 n = (gint64) b * 10000 + i;
              gboolean invalid = g_rand_int_range (rand, 0, 100) == 0;

              batch[i].key = key;
              batch[i].time = t0 + n * SEC / 10;
              batch[i].value = invalid ? NAN : g_rand_double_range (rand, -1000, 1000);
              batch[i].quality = invalid ? DC_QUALITY_INVALID : 0;
            }
          dc_history_push_always (history, batch, 10000);
        }
    }
  dc_history_sync (history);
  from = g_strconcat ("sqlite:", dc_history_get_path (history), NULL);
  before = answers (store, history, t0);
  dc_test_release_history (history);

  pg = dc_test_pg_start (&error);
  g_assert_no_error (error);
  url = dc_test_pg_new_database (pg);
  g_spawn_sync (NULL, (char *[]) { (char *) g_getenv ("DATACOLL"), "history", "copy",
                                   "--from", from, "--to", url, NULL },
                NULL, 0, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("datacoll history copy failed:\n%s%s", out, err);
  /* The progress lines end with the whole. */
  g_assert_nonnull (strstr (err, "copied 1000000 of 1000000 samples (100 %)"));
  g_assert_nonnull (strstr (out, "copied 1000000 samples"));
  rows = dc_test_pg_query (url, "SELECT count(*) FROM samples");
  g_assert_cmpstr (rows, ==, "1000000");

  history = dc_history_new_postgresql (url, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  after = answers (store, history, t0);
  dc_test_release_history (history);

  g_assert_cmpuint (after->len, ==, before->len);
  for (guint i = 1; i < before->len; i += 2)
    {
      const char *b = g_ptr_array_index (before, i), *a = g_ptr_array_index (after, i);
      gsize k = 0;

      while (a[k] != '\0' && a[k] == b[k])
        k++;
      if (a[k] != b[k])
        g_error ("%s differs at %" G_GSIZE_FORMAT ":\nsqlite:     %.160s\npostgresql: %.160s",
                 (char *) g_ptr_array_index (before, i - 1), k, b + (k > 40 ? k - 40 : 0),
                 a + (k > 40 ? k - 40 : 0));
      compared += strlen (b);
    }
  g_assert_cmpuint (compared, >, 1000000);
}

static void
post_ok (const char *base,
         const char *path,
         const char *body)
{
  g_autoptr(DcReply) r = dc_http (base, "POST", path, body);

  if (r->status != 200)
    g_error ("POST %s %s: %u %s", path, body, r->status, r->body);
}

static gint64
written (const char *base)
{
  g_autoptr(DcReply) r = dc_http (base, "GET", "/api/v1/status", NULL);
  g_autoptr(JsonNode) node = json_from_string (r->body, NULL);

  g_assert_nonnull (node);
  return json_object_get_int_member (json_object_get_object_member (json_node_get_object (node),
                                                                    "history"), "written");
}

/* The server with [history] backend=postgresql: samples written through the API are rows in
 * the database and answers of datas; the database belongs to that configuration, and another
 * configuration is refused at start. */
static void
test_server (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *bindir = dc_test_pg_bindir (&reason);
  g_autoptr(DcTestPg) pg = NULL;
  g_autofree char *url = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *other = NULL;
  g_autofree char *password = NULL;
  g_autofree char *text = NULL;
  g_autofree char *rows = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *err = NULL;
  gint64 deadline;
  DcTestServer *instance;

  if (bindir == NULL)
    {
      g_test_skip (reason);
      return;
    }
  pg = dc_test_pg_start (&error);
  g_assert_no_error (error);
  url = dc_test_pg_new_database (pg);
  dir = dc_test_make_dir ();
  conf = g_build_filename (dir, "datacoll.conf", NULL);
  password = g_build_filename (dir, "pg-password", NULL);
  /* The test server trusts local connections; the file is read all the same. */
  g_assert_true (g_file_set_contents (password, "secret\n", -1, NULL));
  text = g_strdup_printf ("[server]\nport=0\ndb=dc.db\n[history]\nbackend=postgresql\n"
                          "url=%s\npassword_file=pg-password\n", url);
  g_assert_true (g_file_set_contents (conf, text, -1, NULL));

  instance = dc_test_server_start ((const char *[]) { "--server", "--config", conf, NULL });
  post_ok (instance->base, "/api/v1/devices", "{\"id\":\"v\",\"protocol\":\"virtual\"}");
  post_ok (instance->base, "/api/v1/terms", "{\"id\":\"t1\",\"device_id\":\"v\"}");
  post_ok (instance->base, "/api/v1/items", "{\"id\":\"sp\"}");
  post_ok (instance->base, "/api/v1/terms/t1/items", "{\"item_id\":\"sp\",\"history\":\"all\"}");
  for (guint i = 0; i < 3; i++)
    post_ok (instance->base, "/api/v1/device_ctrl",
             "{\"device_id\":\"v\",\"term_id\":\"t1\",\"item_id\":\"sp\",\"value\":1}");
  {
    /* Read-your-writes through the API, then the rows themselves. */
    g_autoptr(DcReply) r = dc_http (instance->base, "GET",
                                    "/api/v1/devices/v/terms/t1/items/sp/datas", NULL);
    g_autoptr(JsonNode) node = json_from_string (r->body, NULL);

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpuint (json_object_get_size (json_node_get_object (node)), ==, 3);
  }
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (written (instance->base) < 3)
    g_assert_cmpint (g_get_monotonic_time (), <, deadline);
  dc_test_server_stop (instance);

  rows = dc_test_pg_query (url, "SELECT count(*) FROM samples");
  g_assert_cmpstr (rows, ==, "3");
  owner = dc_test_pg_query (url, "SELECT path FROM configuration");
  g_assert_true (g_str_has_suffix (owner, "/dc.db"));

  /* Another configuration with the same database: refused, nothing written. */
  other = g_strdup_printf ("[server]\nport=0\ndb=other.db\n[history]\nbackend=postgresql\n"
                           "url=%s\n", url);
  g_assert_true (g_file_set_contents (conf, other, -1, NULL));
  g_assert_cmpint (dc_test_datacoll_run ((const char *[]) { "--server", "--config", conf, NULL },
                                         NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "belongs to configuration"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_protocols_register_all ();

  g_test_add_func ("/dc/history/copy/sqlite-to-postgresql", test_copy);
  g_test_add_func ("/dc/history/server/postgresql", test_server);

  return g_test_run ();
}
