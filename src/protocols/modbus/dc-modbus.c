/* dc-modbus.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * What the rest of DataColl knows about Modbus (dc-protocol.h): the modbus_tcp and modbus_rtu
 * descriptors, their point validation (through the codec's code_type parser, docs/modbus.md),
 * address ranges, edit-form fields and point texts.
 */

#define G_LOG_DOMAIN "dc-modbus"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "dc-modbus.h"

#include "dc-error.h"
#include "dc-json-util.h"
#include "dc-modbus-codec.h"
#include "dc-modbus-private.h"
#include "dc-modbus-rtu-driver.h"
#include "dc-modbus-tcp-driver.h"
#include "dc-protocol.h"
#include "dc-protocol-json.h"

/* Point validation (docs/rest.md, docs/store.md) */

/* code_type as the store accepts it: the codec's "<table>:<type>[:<order>]", where an explicit
 * order applies to the 32- and 64-bit types only. */
static gboolean
point_code_type (JsonObject       *point,
                 DcModbusCodeType *code_type)
{
  JsonNode *node = json_object_get_member (point, "code_type");
  const char *text;
  const char *order;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;
  text = json_node_get_string (node);
  if (!dc_modbus_code_type_parse (text, code_type, NULL))
    return FALSE;
  order = strchr (strchr (text, ':') + 1, ':');
  return order == NULL || dc_modbus_code_type_width (code_type) >= 2;
}

static gboolean
modbus_validate_point (JsonObject  *point,
                       GError     **error)
{
  JsonNode *code = json_object_get_member (point, "protocol_code");
  JsonNode *type = json_object_get_member (point, "code_type");
  DcModbusCodeType code_type;
  gint64 address;
  guint width;

  if (code == NULL || JSON_NODE_HOLDS_NULL (code))
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID, "missing field: protocol_code");
      return FALSE;
    }
  if (!dc_protocol_json_get_integer (point, "protocol_code", 0, 65535, &address))
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID,
                           "field protocol_code must be an integer between 0 and 65535 "
                           "(0-based protocol address)");
      return FALSE;
    }
  if (type == NULL || JSON_NODE_HOLDS_NULL (type))
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID, "missing field: code_type");
      return FALSE;
    }
  if (!point_code_type (point, &code_type))
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID,
                           "field code_type must be <table>:<type>[:<order>] with table "
                           "co, di, ir or hr, type bool, u16, i16, u32, i32, f32, u64, i64, "
                           "f64 or bit0-bit15, order abcd, cdab, badc or dcba");
      return FALSE;
    }
  width = dc_modbus_code_type_width (&code_type);
  if (width > 1 && address + width - 1 > 65535)
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID,
                           "field protocol_code leaves no room for the type's registers");
      return FALSE;
    }
  return TRUE;
}

/* docs/rest.md "Address uniqueness": register (or bit) ranges per unit and table. */
static gboolean
modbus_point_address (JsonObject  *point,
                      gint64       term_address,
                      char       **space,
                      gint64      *first,
                      gint64      *last,
                      int         *bit)
{
  DcModbusCodeType code_type;
  gint64 address;

  if (!dc_protocol_json_get_integer (point, "protocol_code", G_MININT32, G_MAXINT32, &address) ||
      !point_code_type (point, &code_type))
    return FALSE;

  *space = g_strdup_printf ("%" G_GINT64_FORMAT "/%s", term_address,
                            dc_modbus_table_to_string (code_type.table));
  *first = address;
  *last = address + dc_modbus_code_type_width (&code_type) - 1;
  *bit = code_type.type == DC_MODBUS_TYPE_BIT ? code_type.bit : -1;
  return TRUE;
}

/* Presentation */

static char *
modbus_format_address (JsonObject *point,
                       const char *code)
{
  const char *type = dc_json_get_string (point, "code_type", NULL);
  const char *colon;

  if (type == NULL)
    return g_strdup (code);
  colon = strchr (type, ':');
  return g_strdup_printf ("%.*s %s", colon ? (int) (colon - type) : (int) strlen (type), type,
                          code);
}

static DcProtocolValueKind
modbus_value_kind (JsonObject *point)
{
  const char *type = dc_json_get_string (point, "code_type", NULL);

  if (type != NULL && (g_str_has_prefix (type, "co:") || g_str_has_prefix (type, "di:")))
    return DC_PROTOCOL_VALUE_SINGLE;
  return DC_PROTOCOL_VALUE_ANALOG;
}

static gboolean
modbus_control_info (JsonObject        *point,
                     DcProtocolControl *control)
{
  JsonNode *node = json_object_get_member (point, "code_type");
  g_auto(GStrv) parts = NULL;
  const char *table, *type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;

  parts = g_strsplit (json_node_get_string (node), ":", 3);
  table = parts[0] ? parts[0] : "";
  type = parts[0] && parts[1] ? parts[1] : "";
  if (!g_str_equal (table, "co") && !g_str_equal (table, "hr"))
    return FALSE;

  control->type_text = g_strdup (json_node_get_string (node));
  control->raw_min = -INFINITY;
  control->raw_max = INFINITY;
  control->kind = DC_PROTOCOL_CONTROL_VALUE;
  if (g_str_equal (table, "co") || g_str_equal (type, "bool") || g_str_has_prefix (type, "bit"))
    control->kind = DC_PROTOCOL_CONTROL_SINGLE;
  else if (g_str_equal (type, "u16"))
    control->raw_min = 0, control->raw_max = 65535;
  else if (g_str_equal (type, "i16"))
    control->raw_min = -32768, control->raw_max = 32767;
  else if (g_str_equal (type, "u32"))
    control->raw_min = 0, control->raw_max = 4294967295.0;
  else if (g_str_equal (type, "i32"))
    control->raw_min = -2147483648.0, control->raw_max = 2147483647.0;
  control->integer = control->kind == DC_PROTOCOL_CONTROL_VALUE && type[0] != 'f';
  return TRUE;
}

/* Edit forms: code_type is picked as table, type and order. */

static void
modbus_code_type_to_fields (JsonNode          *code_type,
                            DcProtocolSetFunc  set,
                            gpointer           user_data)
{
  g_auto(GStrv) parts = NULL;

  if (!JSON_NODE_HOLDS_VALUE (code_type) || json_node_get_value_type (code_type) != G_TYPE_STRING ||
      strchr (json_node_get_string (code_type), ':') == NULL)
    return;

  parts = g_strsplit (json_node_get_string (code_type), ":", 3);
  set ("mb_table", parts[0], user_data);
  if (parts[1] != NULL)
    set ("mb_type", parts[1], user_data);
  set ("mb_order", parts[1] && parts[2] ? parts[2] : "", user_data);
}

static JsonNode *
modbus_code_type_from_fields (DcProtocolGetFunc get,
                              gpointer          user_data)
{
  const char *table = get ("mb_table", user_data);
  const char *type = get ("mb_type", user_data);
  const char *order = get ("mb_order", user_data);
  g_autofree char *text = g_strdup_printf ("%s:%s%s%s", table ? table : "", type ? type : "",
                                           order ? ":" : "", order ? order : "");

  return json_node_init_string (json_node_alloc (), text);
}

static const DcProtocolOption parity_options[] = {
  { "", N_("Default (E)") }, { "N", N_("None") }, { "E", N_("Even") }, { "O", N_("Odd") },
  { NULL, NULL },
};

static const DcProtocolOption table_options[] = {
  { "hr", N_("hr — holding registers (FC 3 / 6, 16)") },
  { "ir", N_("ir — input registers (FC 4, read-only)") },
  { "co", N_("co — coils (FC 1 / 5, 15)") },
  { "di", N_("di — discrete inputs (FC 2, read-only)") },
  { NULL, NULL },
};

static const DcProtocolOption type_options[] = {
  { "u16", N_("u16 — unsigned 16 bit") }, { "i16", N_("i16 — signed 16 bit") },
  { "u32", N_("u32 — unsigned 32 bit") }, { "i32", N_("i32 — signed 32 bit") },
  { "f32", N_("f32 — float") }, { "u64", N_("u64 — unsigned 64 bit") },
  { "i64", N_("i64 — signed 64 bit") }, { "f64", N_("f64 — double") },
  { "bool", N_("bool — coil or input") },
  { "bit0", NULL }, { "bit1", NULL }, { "bit2", NULL }, { "bit3", NULL }, { "bit4", NULL },
  { "bit5", NULL }, { "bit6", NULL }, { "bit7", NULL }, { "bit8", NULL }, { "bit9", NULL },
  { "bit10", NULL }, { "bit11", NULL }, { "bit12", NULL }, { "bit13", NULL }, { "bit14", NULL },
  { "bit15", NULL },
  { NULL, NULL },
};

static const DcProtocolOption order_options[] = {
  { "", N_("Default (abcd)") },
  { "abcd", N_("abcd — big-endian, high word first") },
  { "cdab", N_("cdab — low word first") },
  { "badc", N_("badc — bytes swapped in each word") },
  { "dcba", N_("dcba — little-endian") },
  { NULL, NULL },
};

#define POLL_FIELDS \
  { .kind = DC_KIND_DEVICE, .key = "poll_ms", .label = N_("Poll period (ms)"), \
    .type = DC_PROTOCOL_FIELD_INT, .hint = "1000" }, \
  { .kind = DC_KIND_DEVICE, .key = "timeout_ms", .label = N_("Answer timeout (ms)"), \
    .type = DC_PROTOCOL_FIELD_INT, .hint = "1000" }

#define POINT_FIELDS \
  { .kind = DC_KIND_POINT, .key = "mb_table", .label = N_("Modbus table"), \
    .type = DC_PROTOCOL_FIELD_CHOICE, .options = table_options, .code_type_part = TRUE }, \
  { .kind = DC_KIND_POINT, .key = "mb_type", .label = N_("Data type"), \
    .type = DC_PROTOCOL_FIELD_CHOICE, .options = type_options, .default_value = "u16", \
    .code_type_part = TRUE }, \
  { .kind = DC_KIND_POINT, .key = "mb_order", .label = N_("Word and byte order"), \
    .type = DC_PROTOCOL_FIELD_CHOICE, .options = order_options, .code_type_part = TRUE }

static const DcProtocolField tcp_fields[] = {
  { .kind = DC_KIND_DEVICE, .key = "ip", .label = N_("IP address or host"),
    .type = DC_PROTOCOL_FIELD_TEXT },
  { .kind = DC_KIND_DEVICE, .key = "port", .label = N_("Port"), .type = DC_PROTOCOL_FIELD_INT,
    .hint = "502", .default_value = "502" },
  POLL_FIELDS,
  POINT_FIELDS,
  { .key = NULL },
};

static const DcProtocolField rtu_fields[] = {
  { .kind = DC_KIND_DEVICE, .key = "serial", .label = N_("Serial line"),
    .type = DC_PROTOCOL_FIELD_TEXT, .hint = "/dev/ttyUSB0" },
  { .kind = DC_KIND_DEVICE, .key = "baud", .label = N_("Baud rate"),
    .type = DC_PROTOCOL_FIELD_INT, .hint = "9600" },
  { .kind = DC_KIND_DEVICE, .key = "parity", .label = N_("Parity"),
    .type = DC_PROTOCOL_FIELD_CHOICE, .options = parity_options },
  { .kind = DC_KIND_DEVICE, .key = "data_bits", .label = N_("Data bits"),
    .type = DC_PROTOCOL_FIELD_INT, .hint = "8" },
  { .kind = DC_KIND_DEVICE, .key = "stop_bits", .label = N_("Stop bits"),
    .type = DC_PROTOCOL_FIELD_INT, .hint = "1" },
  POLL_FIELDS,
  POINT_FIELDS,
  { .key = NULL },
};

#define MODBUS_PROTOCOL \
  .validate_point = modbus_validate_point, \
  .point_address = modbus_point_address, \
  .format_address = modbus_format_address, \
  .value_kind = modbus_value_kind, \
  .control_info = modbus_control_info, \
  .code_type_field = "mb_table", \
  .code_type_to_fields = modbus_code_type_to_fields, \
  .code_type_from_fields = modbus_code_type_from_fields, \
  .term_info = &term_info, \
  .traffic_transactions = TRUE, \
  .term_address_what = " (Modbus unit id)"

static const DcProtocolTermInfo term_info = {
  .key = "modbus",
  .name = "Modbus unit",
  .address = "unit id: 0-255 on modbus_tcp, 1-247 on modbus_rtu (1)",
  .protocol_code = "0-based protocol address",
  .code_type = "<table>:<type>[:<order>], e.g. hr:u16, hr:f32:cdab, co:bool, hr:bit3",
};

static const DcProtocol tcp_protocol = {
  .name = "modbus_tcp",
  .title = N_("Modbus TCP"),
  .ui_order = 0,
  .description = "Modbus TCP client (ip, port 502)",
  .describe_frame = dc_modbus_tcp_describe_frame,
  .default_port = 502,
  .driver_new = dc_modbus_tcp_driver_new,
  .term_address_min = 0,
  .term_address_max = 255,
  .fields = tcp_fields,
  MODBUS_PROTOCOL,
};

static const DcProtocol rtu_protocol = {
  .name = "modbus_rtu",
  .title = N_("Modbus RTU (serial line)"),
  .ui_order = 1,
  .description = "Modbus RTU master on a serial line (serial, baud, parity, data_bits,"
                 " stop_bits)",
  .describe_frame = dc_modbus_rtu_describe_frame,
  .serial_line = TRUE,
  .driver_new = dc_modbus_rtu_driver_new,
  .term_address_min = 1,
  .term_address_max = 247,
  .fields = rtu_fields,
  MODBUS_PROTOCOL,
};

void
dc_modbus_register_drivers (void)
{
  dc_protocol_register (&tcp_protocol);
  dc_protocol_register (&rtu_protocol);
}
