/* rest-fixture.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "test-rest"

#include "config.h"

#include "rest-fixture.h"

#include <glib/gstdio.h>

#include "dc-api.h"
#include "dc-json.h"

void
fixture_open (Fixture    *f,
              const char *bind,
              const char *token)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("dc-rest-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "datacoll.db", NULL);
  f->store = dc_store_open (path, &error);
  g_assert_no_error (error);
  f->server = dc_server_new (f->store);
  dc_server_set_token (f->server, token);
  dc_api_add_config_routes (f->server);
  dc_server_listen (f->server, bind, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dc_server_get_port (f->server), >, 0);
  /* Whatever the bind, the client connects over loopback. */
  f->base = g_strdup_printf ("http://127.0.0.1:%u", dc_server_get_port (f->server));
}

void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  fixture_open (f, "127.0.0.1", NULL);
}

void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "datacoll.db", NULL);
  g_autofree char *lock = g_strconcat (path, ".lock", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  dc_server_disconnect (f->server);
  g_assert_finalize_object (f->server);
  g_assert_finalize_object (f->store);
  g_unlink (path);
  g_unlink (lock);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->base);
}

void
ok (Fixture    *f,
    const char *method,
    const char *path,
    const char *body)
{
  g_autoptr(DcReply) r = dc_http (f->base, method, path, body);

  if (r->status != 200)
    g_error ("%s %s %s: got %u '%s'", method, path, body ? body : "", r->status, r->body);
  if (!g_str_equal (method, "GET"))
    g_assert_cmpuint (r->length, ==, 0);
}

JsonNode *
get_json (Fixture    *f,
          const char *path)
{
  g_autoptr(DcReply) r = dc_http (f->base, "GET", path, NULL);
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  if (r->status != 200)
    g_error ("GET %s: got %u '%s'", path, r->status, r->body);
  g_assert_cmpstr (r->content_type, ==, "application/json; charset=utf-8");
  node = dc_json_parse (r->body, r->length, &error);
  g_assert_no_error (error);
  return node;
}

char *
get_text (Fixture    *f,
          const char *path)
{
  g_autoptr(JsonNode) node = get_json (f, path);

  return dc_json_to_string (node, NULL);
}

const char *
member_string (JsonNode   *node,
               const char *name)
{
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  if (!json_object_has_member (json_node_get_object (node), name))
    return NULL;
  return json_object_get_string_member (json_node_get_object (node), name);
}

void
plant (Fixture *f)
{
  ok (f, "POST", "/api/v1/devices",
      "{\"id\":\"d1\",\"protocol\":\"modbus_tcp\",\"ip\":\"127.0.0.1\",\"port\":502,"
        "\"name\":\"PLC\"}");
  ok (f, "POST", "/api/v1/devices", "{\"id\":2,\"protocol\":\"formula\"}");
  ok (f, "POST", "/api/v1/devices", "{\"id\":\"v1\",\"protocol\":\"virtual\"}");
  ok (f, "POST", "/api/v1/terms", "{\"id\":\"t1\",\"device_id\":\"d1\",\"address\":1}");
  ok (f, "POST", "/api/v1/terms", "{\"id\":\"t2\",\"device_id\":2}");
  ok (f, "POST", "/api/v1/items", "{\"id\":\"i1\",\"name\":\"电压\",\"unit\":\"V\"}");
  ok (f, "POST", "/api/v1/items", "{\"id\":\"i2\"}");
  ok (f, "POST", "/api/v1/items", "{\"id\":\"i3\"}");
  ok (f, "POST", "/api/v1/terms/t1/items",
      "{\"item_id\":\"i1\",\"protocol_code\":0,\"code_type\":\"hr:f32\",\"coefficient\":0.1}");
  ok (f, "POST", "/api/v1/terms/t2/items", "{\"term_id\":\"t2\",\"item_id\":\"i2\"}");
  ok (f, "POST", "/api/v1/formulas",
      "{\"id\":\"f1\",\"formula\":\"p1[-1]*2\",\"device_id\":\"2\",\"term_id\":\"t2\","
      "\"item_id\":\"i2\",\"p1\":\"d1:t1:i1\"}");
}

char *
dump (DcStore *store)
{
  GString *out = g_string_new (NULL);
  g_autoptr(GPtrArray) points = NULL;

  for (DcKind kind = DC_KIND_DEVICE; kind < DC_N_KINDS; kind++)
    {
      g_autoptr(GPtrArray) ids = NULL;

      if (kind == DC_KIND_POINT)
        continue;
      ids = dc_store_list_ids (store, kind);
      for (guint i = 0; i < ids->len; i++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(JsonObject) object = dc_store_get (store, kind, ids->pdata[i], &error);
          g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

          g_assert_no_error (error);
          json_node_set_object (node, object);
          g_string_append_printf (out, "%s ", dc_kind_to_string (kind));
          dc_json_append (out, node);
          g_string_append_c (out, '\n');
        }
    }

  points = dc_store_list_points (store, NULL, NULL);
  for (guint i = 0; i < points->len; i++)
    {
      JsonObject *object = g_ptr_array_index (points, i);
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

      json_node_set_object (node, object);
      g_string_append (out, "point ");
      dc_json_append (out, node);
      g_string_append_printf (out, " key=%" G_GINT64_FORMAT "\n",
                              dc_store_get_point_key (store,
                                                      json_object_get_string_member (object,
                                                        "term_id"),
                                                      json_object_get_string_member (object,
                                                        "item_id")));
    }

  return g_string_free (out, FALSE);
}
