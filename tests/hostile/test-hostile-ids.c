/* test-hostile-ids.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include "hostile.h"

/* Issue 21, item 10: ids that are accepted but unreachable (`.` and `..` become other paths
 * in a URL), ids that display as something else (bidirectional controls such as U+202E), and
 * addresses that look like dotted quads but are not, which the resolver then takes for host
 * names. Each is refused with 400 and its one-line text. */

typedef struct
{
  const char *path;
  const char *body;
  const char *text;
} RefusedCase;

static const RefusedCase cases[] = {
  { "/api/v1/devices", "{\"id\":\".\",\"protocol\":\"virtual\"}",
    "field id must not be \".\" or \"..\"" },
  { "/api/v1/devices", "{\"id\":\"..\",\"protocol\":\"virtual\"}",
    "field id must not be \".\" or \"..\"" },
  { "/api/v1/items", "{\"id\":\"..\"}", "field id must not be \".\" or \"..\"" },
  { "/api/v1/terms", "{\"id\":\".\",\"device_id\":\"v\"}",
    "field id must not be \".\" or \"..\"" },
  { "/api/v1/devices", "{\"id\":\"abc\\u202Etxt.exe\",\"protocol\":\"virtual\"}",
    "field id must not contain bidirectional control characters" },
  { "/api/v1/items", "{\"id\":\"a\\u2066b\"}",
    "field id must not contain bidirectional control characters" },
  { "/api/v1/devices", "{\"id\":\"d1\",\"protocol\":\"modbus_tcp\",\"ip\":\"256.256.256.256\"}",
    "field ip must be a valid IPv4 address: 256.256.256.256" },
  { "/api/v1/devices", "{\"id\":\"d2\",\"protocol\":\"modbus_tcp\",\"ip\":\"10.0.0\"}",
    "field ip must be a valid IPv4 address: 10.0.0" },
  { "/api/v1/devices", "{\"id\":\"d3\",\"protocol\":\"iec104\",\"ip\":\"1.2.3.4.5\"}",
    "field ip must be a valid IPv4 address: 1.2.3.4.5" },
};

static void
test_refused (gconstpointer data)
{
  const RefusedCase *c = data;
  g_autoptr(HostileServer) server = hostile_server_start (NULL, NULL);
  g_autofree char *body = NULL;

  hostile_http_ok (server, "POST", "/api/v1/devices", "{\"id\":\"v\",\"protocol\":\"virtual\"}");
  g_assert_cmpuint (hostile_http (server, "POST", c->path, c->body, &body), ==, 400);
  g_assert_cmpstr (body, ==, c->text);
  hostile_assert_responsive (server);
}

/* What stays accepted: dots inside ids, valid addresses, host names. */
static void
test_accepted (void)
{
  g_autoptr(HostileServer) server = hostile_server_start (NULL, NULL);

  hostile_http_ok (server, "POST", "/api/v1/devices", "{\"id\":\"a.b\",\"protocol\":\"virtual\"}");
  hostile_http_ok (server, "POST", "/api/v1/devices", "{\"id\":\"...\",\"protocol\":\"virtual\"}");
  hostile_http_ok (server, "POST", "/api/v1/devices",
                   "{\"id\":\"m1\",\"protocol\":\"modbus_tcp\",\"ip\":\"255.255.255.254\"}");
  hostile_http_ok (server, "POST", "/api/v1/devices",
                   "{\"id\":\"m2\",\"protocol\":\"modbus_tcp\",\"ip\":\"plc-7.local\"}");
  hostile_http_ok (server, "POST", "/api/v1/devices",
                   "{\"id\":\"m3\",\"protocol\":\"modbus_tcp\",\"ip\":\"::1\"}");
  hostile_http_ok (server, "POST", "/api/v1/items", "{\"id\":\"مرحبا\"}");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/dc/hostile/ids/refused/%u", i);

      g_test_add_data_func (path, &cases[i], test_refused);
    }
  g_test_add_func ("/dc/hostile/ids/accepted", test_accepted);

  return g_test_run ();
}
