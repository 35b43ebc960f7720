/* test-formula-rest.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

/* PyDataColl's formula scenario end to end: a real `datacoll --server` on a free port, inputs
 * on a virtual device written with device_ctrl, the formula created over REST, results read
 * back from history over REST. */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>

#include "../api/dc-test-http.h"

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *err;
  char             *base;
  char             *dir;
} Server;

static Server *
server_start (void)
{
  Server *server = g_new0 (Server, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;
  const char *datacoll = g_getenv ("DATACOLL");

  g_assert_nonnull (datacoll);
  server->dir = g_dir_make_tmp ("dc-formula-rest-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (server->dir, "dc.db", NULL);
  server->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_PIPE |
                                      G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                                      datacoll, "--server", "--port", "0", "--db", db, NULL);
  g_assert_no_error (error);
  server->err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (server->process));

  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (server->err, NULL, NULL,
                                                                  &error);
      const char *at;

      g_assert_no_error (error);
      g_assert_nonnull (line);
      at = strstr (line, "listening on http://");
      if (at != NULL)
        {
          const char *colon = strrchr (at, ':');

          server->base = g_strdup_printf ("http://127.0.0.1:%u",
                                          (guint) g_ascii_strtoull (colon + 1, NULL, 10));
          break;
        }
    }
  return server;
}

static void
server_stop (Server *server)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_wait (server->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (server->process));
  g_assert_cmpint (g_subprocess_get_exit_status (server->process), ==, 0);
  g_object_unref (server->err);
  g_object_unref (server->process);

  dir = g_dir_open (server->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (server->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (server->dir);
  g_free (server->dir);
  g_free (server->base);
  g_free (server);
}

static void
post_ok (Server     *server,
         const char *path,
         const char *body)
{
  g_autoptr(DcReply) reply = dc_http (server->base, "POST", path, body);

  dc_assert_reply (reply, 200, "");
}

static void
ctrl (Server     *server,
      const char *item,
      double      value)
{
  g_autofree char *body = g_strdup_printf ("{\"device_id\": \"vd\", \"term_id\": \"t1\", "
                                           "\"item_id\": \"%s\", \"value\": %g}", item, value);
  g_autoptr(DcReply) reply = dc_http (server->base, "POST", "/api/v1/device_ctrl", body);

  g_assert_cmpuint (reply->status, ==, 200);
}

/* The stored results of calc:ct:sum, oldest first. */
static GArray *
results (Server *server)
{
  g_autoptr(DcReply) reply = dc_http (server->base, "GET",
                                      "/api/v1/devices/calc/terms/ct/items/sum/datas", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GList) members = NULL;
  GArray *values = g_array_new (FALSE, FALSE, sizeof (double));
  JsonObject *object;

  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_true (json_parser_load_from_data (parser, reply->body, -1, NULL));
  object = json_node_get_object (json_parser_get_root (parser));
  members = json_object_get_members (object);
  for (const GList *l = members; l != NULL; l = l->next)
    {
      double v = json_object_get_double_member (object, l->data);

      g_array_append_val (values, v);
    }
  return values;
}

/* Reads the results until there are @n of them (each read is a request: no sleeping), with
 * a deadline, and checks them. */
static void
assert_results (Server       *server,
                const double *want,
                guint         n)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  g_autoptr(GArray) got = NULL;

  for (;;)
    {
      g_clear_pointer (&got, g_array_unref);
      got = results (server);
      if (got->len >= n || g_get_monotonic_time () > deadline)
        break;
      g_main_context_iteration (NULL, FALSE);
    }
  g_assert_cmpuint (got->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat (g_array_index (got, double, i), ==, want[i]);
}

static void
test_scenario (void)
{
  Server *server = server_start ();
  static const double r1[] = { 3 };
  static const double r2[] = { 3, 7 };
  static const double r3[] = { 3, 7, 8 };

  post_ok (server, "/api/v1/devices", "{\"id\": \"vd\", \"protocol\": \"virtual\"}");
  post_ok (server, "/api/v1/devices", "{\"id\": \"calc\", \"protocol\": \"formula\"}");
  post_ok (server, "/api/v1/terms", "{\"id\": \"t1\", \"device_id\": \"vd\"}");
  post_ok (server, "/api/v1/terms", "{\"id\": \"ct\", \"device_id\": \"calc\"}");
  post_ok (server, "/api/v1/items", "{\"id\": \"a\"}");
  post_ok (server, "/api/v1/items", "{\"id\": \"b\"}");
  post_ok (server, "/api/v1/items", "{\"id\": \"sum\"}");
  post_ok (server, "/api/v1/items", "{\"id\": \"dbl\"}");
  post_ok (server, "/api/v1/terms/t1/items", "{\"term_id\": \"t1\", \"item_id\": \"a\"}");
  post_ok (server, "/api/v1/terms/t1/items", "{\"term_id\": \"t1\", \"item_id\": \"b\"}");
  post_ok (server, "/api/v1/terms/ct/items", "{\"term_id\": \"ct\", \"item_id\": \"sum\"}");
  post_ok (server, "/api/v1/terms/ct/items", "{\"term_id\": \"ct\", \"item_id\": \"dbl\"}");

  ctrl (server, "a", 1);
  ctrl (server, "b", 2);

  /* formula_check: the exact texts. */
  {
    struct { const char *body; const char *answer; } checks[] = {
      { "{\"formula\": \"p1+p2\", \"p1\": \"vd:t1:a\", \"p2\": \"vd:t1:b\"}", "OK" },
      { "{\"formula\": \"p1+p2\", \"p1\": \"123:45:6\"}", "parameter not found: p1=123:45:6" },
      { "{\"formula\": \"p1 + (* p1)\", \"p1\": \"vd:t1:a\"}",
        "syntax error at column 7: unexpected '*'" },
      { "{\"formula\": \"p1 + p2\", \"p1\": \"vd:t1:a\"}", "name p2 is not defined" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (checks); i++)
      {
        g_autoptr(DcReply) reply = dc_http (server->base, "POST", "/api/v1/formula_check",
                                            checks[i].body);

        dc_assert_reply (reply, 200, checks[i].answer);
        g_assert_true (g_str_has_prefix (reply->content_type, "text/plain"));
      }
  }

  /* A result at creation. */
  post_ok (server, "/api/v1/formulas",
           "{\"id\": \"f1\", \"formula\": \"p1+p2\", \"device_id\": \"calc\", \"term_id\": \"ct\","
           " \"item_id\": \"sum\", \"p1\": \"vd:t1:a\", \"p2\": \"vd:t1:b\"}");
  assert_results (server, r1, 1);

  /* A new input → a new result. */
  ctrl (server, "a", 5);
  assert_results (server, r2, 2);

  /* The same input again → no new result; then the other input → one new result. Exactly
   * three results stored (a result for the repeated input would come before the 8). */
  ctrl (server, "a", 5);
  ctrl (server, "b", 3);
  assert_results (server, r3, 3);

  /* A cycle is refused at save with 400 naming it. */
  post_ok (server, "/api/v1/formulas",
           "{\"id\": \"f2\", \"formula\": \"p1 * 2\", \"device_id\": \"calc\", \"term_id\": \"ct\","
           " \"item_id\": \"dbl\", \"p1\": \"calc:ct:sum\"}");
  {
    g_autoptr(DcReply) reply =
      dc_http (server->base, "PUT", "/api/v1/formulas/f1",
               "{\"id\": \"f1\", \"formula\": \"p1+p2\", \"device_id\": \"calc\", \"term_id\": \"ct\","
               " \"item_id\": \"sum\", \"p1\": \"vd:t1:a\", \"p2\": \"calc:ct:dbl\"}");

    dc_assert_reply (reply, 400, "formula cycle: f1 -> f2 -> f1");
  }

  /* The dependent formula follows: 8 * 2. */
  {
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    gboolean found = FALSE;

    while (!found && g_get_monotonic_time () < deadline)
      {
        g_autoptr(DcReply) reply = dc_http (server->base, "GET",
                                            "/api/v1/devices/calc/terms/ct/items/dbl/datas/-1",
                                            NULL);

        found = reply->status == 200 && strstr (reply->body, ":16") != NULL;
      }
    g_assert_true (found);
  }

  server_stop (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/dc/formula/rest-scenario", test_scenario);

  return g_test_run ();
}
