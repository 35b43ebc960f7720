/* dc-routes-catalogues.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-api"

#include "config.h"

#include "dc-routes.h"

#include "dc-api-private.h"

/* Descriptive metadata only (docs/rest.md, Catalogues). The texts are fixed English: they are
 * part of the API, not of the user interface. */
static const struct
{
  const char *protocol;
  const char *description;
} device_protocols[] = {
  { "iec104", "IEC 60870-5-104 controlling station over TCP (ip, port 2404)" },
  { "modbus_tcp", "Modbus TCP client (ip, port 502)" },
  { "modbus_rtu", "Modbus RTU master on a serial line (serial, baud, parity, data_bits,"
    " stop_bits)" },
  { "virtual", "points written through the API (device_ctrl stores the value)" },
  { "formula", "points computed from other points by formulas" },
};

static const struct
{
  const char *protocol;
  const char *name;
  const char *address;
  const char *protocol_code;
  const char *code_type;
} term_protocols[] = {
  { "iec104", "IEC 60870-5-104 station", "ASDU common address 1-65534 (1)",
    "information object address 1-16777215",
    "ASDU type id, e.g. 13 (M_ME_NC_1) or 45 (C_SC_NA_1)" },
  { "modbus", "Modbus unit", "unit id: 0-255 on modbus_tcp, 1-247 on modbus_rtu (1)",
    "0-based protocol address",
    "<table>:<type>[:<order>], e.g. hr:u16, hr:f32:cdab, co:bool, hr:bit3" },
  { "virtual", "virtual terminal", "none", "none", "none" },
  { "formula", "formula terminal", "none", "none", "none" },
};

static void
device_protocols_cb (DcServer          *server,
                     SoupServerMessage *msg,
                     GHashTable        *params,
                     JsonNode          *body,
                     gpointer           user_data)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  for (guint i = 0; i < G_N_ELEMENTS (device_protocols); i++)
    json_object_set_string_member (object, device_protocols[i].protocol,
                                   device_protocols[i].description);
  json_node_set_object (node, object);
  dc_server_reply_json (msg, 200, node);
}

static void
term_protocols_cb (DcServer          *server,
                   SoupServerMessage *msg,
                   GHashTable        *params,
                   JsonNode          *body,
                   gpointer           user_data)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  for (guint i = 0; i < G_N_ELEMENTS (term_protocols); i++)
    {
      JsonObject *entry = json_object_new ();

      json_object_set_string_member (entry, "name", term_protocols[i].name);
      json_object_set_string_member (entry, "address", term_protocols[i].address);
      json_object_set_string_member (entry, "protocol_code", term_protocols[i].protocol_code);
      json_object_set_string_member (entry, "code_type", term_protocols[i].code_type);
      json_object_set_object_member (object, term_protocols[i].protocol, entry);
    }
  json_node_set_object (node, object);
  dc_server_reply_json (msg, 200, node);
}

void
dc_api_add_catalogue_routes (DcServer *server)
{
  dc_server_add_route (server, "GET", "/api/v1/device_protocols", device_protocols_cb, NULL);
  dc_server_add_route (server, "GET", "/api/v1/term_protocols", term_protocols_cb, NULL);
}
