/* dc-sparkplug-protocol.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * What the rest of DataColl knows about the southbound `sparkplug` protocol (dc-protocol.h,
 * docs/sparkplug.md "Southbound"): the device's broker and edge node, the points' addresses
 * (Sparkplug device and metric name) and datatypes, edit-form fields and the traffic notes.
 */

#define G_LOG_DOMAIN "dc-sparkplug-host"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "dc-error.h"
#include "dc-json-util.h"
#include "dc-protocol.h"
#include "dc-sparkplug-driver.h"
#include "dc-sparkplug-frame-private.h"
#include "dc-sparkplug-message.h"
#include "dc-sparkplug-payload.h"

/* A Sparkplug id (group, edge node): non-empty, no '/', '+' or '#'. */
static gboolean
check_id (JsonObject  *device,
          const char  *field,
          GError     **error)
{
  JsonNode *node = json_object_get_member (device, field);
  const char *id;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID, "missing field: %s", field);
      return FALSE;
    }
  id = json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : NULL;
  if (id == NULL || id[0] == '\0' || strpbrk (id, "/+#") != NULL ||
      !g_utf8_validate (id, -1, NULL))
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                   "field %s must be a non-empty string without '/', '+' or '#'", field);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_text (JsonObject  *device,
            const char  *field,
            GError     **error)
{
  JsonNode *node = json_object_get_member (device, field);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID, "field %s must be a string", field);
      return FALSE;
    }
  return TRUE;
}

static gboolean
sparkplug_validate_device (JsonObject  *device,
                           GError     **error)
{
  const char *password_file;
  JsonNode *host_id = json_object_get_member (device, "host_id");

  if (host_id != NULL && !JSON_NODE_HOLDS_NULL (host_id) && !check_id (device, "host_id", error))
    return FALSE;
  if (!check_id (device, "group_id", error) || !check_id (device, "edge_node_id", error) ||
      !check_text (device, "username", error) || !check_text (device, "password_file", error))
    return FALSE;
  password_file = dc_json_get_string (device, "password_file", NULL);
  if (password_file != NULL && password_file[0] != '\0')
    {
      const char *username = dc_json_get_string (device, "username", NULL);

      if (username == NULL || username[0] == '\0')
        {
          g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID,
                               "field password_file needs field username");
          return FALSE;
        }
      if (!g_path_is_absolute (password_file))
        {
          g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID,
                               "field password_file must be an absolute path");
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
sparkplug_validate_point (JsonObject  *point,
                          GError     **error)
{
  JsonNode *code = json_object_get_member (point, "protocol_code");
  JsonNode *type = json_object_get_member (point, "code_type");
  const char *text;

  if (code == NULL || JSON_NODE_HOLDS_NULL (code))
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID, "missing field: protocol_code");
      return FALSE;
    }
  text = json_node_get_value_type (code) == G_TYPE_STRING ? json_node_get_string (code) : NULL;
  if (text == NULL || strchr (text, '/') == NULL || strchr (text, '/')[1] == '\0' ||
      strpbrk (text, "+#") != NULL)
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID,
                           "field protocol_code must be \"<device>/<metric>\" or \"/<metric>\" "
                           "(Sparkplug address)");
      return FALSE;
    }
  if (type != NULL && !JSON_NODE_HOLDS_NULL (type))
    {
      const char *name = json_node_get_value_type (type) == G_TYPE_STRING ?
        json_node_get_string (type) : NULL;
      guint32 datatype = dc_sparkplug_datatype_from_name (name);

      if (datatype == 0 || datatype == DC_SPARKPLUG_STRING || datatype == DC_SPARKPLUG_TEXT)
        {
          g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID,
                               "field code_type must be a Sparkplug datatype: Int8, Int16, "
                               "Int32, Int64, UInt8, UInt16, UInt32, UInt64, Float, Double, "
                               "Boolean or DateTime");
          return FALSE;
        }
    }
  return TRUE;
}

static guint32
point_datatype (JsonObject *point)
{
  guint32 datatype = dc_sparkplug_datatype_from_name (dc_json_get_string (point, "code_type",
                                                                          NULL));

  return datatype != 0 ? datatype : DC_SPARKPLUG_DOUBLE;
}

static char *
sparkplug_format_address (JsonObject *point,
                          const char *code)
{
  if (code[0] == '/')
    return g_strdup_printf (_("node %s"), code + 1);
  return g_strdup (code);
}

static DcProtocolValueKind
sparkplug_value_kind (JsonObject *point)
{
  return point_datatype (point) == DC_SPARKPLUG_BOOLEAN ?
    DC_PROTOCOL_VALUE_SINGLE : DC_PROTOCOL_VALUE_ANALOG;
}

static gboolean
sparkplug_control_info (JsonObject        *point,
                        DcProtocolControl *control)
{
  guint32 datatype = point_datatype (point);

  control->type_text = g_strdup (dc_sparkplug_datatype_name (datatype));
  control->kind = DC_PROTOCOL_CONTROL_VALUE;
  control->raw_min = -INFINITY;
  control->raw_max = INFINITY;
  control->integer = TRUE;
  switch (datatype)
    {
    case DC_SPARKPLUG_BOOLEAN:
      control->kind = DC_PROTOCOL_CONTROL_SINGLE;
      break;
    case DC_SPARKPLUG_INT8: control->raw_min = G_MININT8; control->raw_max = G_MAXINT8; break;
    case DC_SPARKPLUG_INT16: control->raw_min = G_MININT16; control->raw_max = G_MAXINT16; break;
    case DC_SPARKPLUG_INT32: control->raw_min = G_MININT32; control->raw_max = G_MAXINT32; break;
    case DC_SPARKPLUG_UINT8: control->raw_min = 0; control->raw_max = G_MAXUINT8; break;
    case DC_SPARKPLUG_UINT16: control->raw_min = 0; control->raw_max = G_MAXUINT16; break;
    case DC_SPARKPLUG_UINT32: control->raw_min = 0; control->raw_max = G_MAXUINT32; break;
    case DC_SPARKPLUG_INT64: case DC_SPARKPLUG_UINT64: case DC_SPARKPLUG_DATETIME:
      control->raw_min = datatype == DC_SPARKPLUG_INT64 ? -9007199254740992.0 : 0;
      control->raw_max = 9007199254740992.0;
      break;
    default:
      control->integer = FALSE;
      break;
    }
  return TRUE;
}

static const char *
sparkplug_type_name (int code)
{
  return code > 0 ? dc_sparkplug_datatype_name ((guint32) code) : NULL;
}

static int
sparkplug_type_code (const char *name)
{
  guint32 datatype = dc_sparkplug_datatype_from_name (name);

  return datatype != 0 ? (int) datatype : -1;
}

static const DcProtocolField fields[] = {
  { .kind = DC_KIND_DEVICE, .key = "ip", .label = N_("MQTT broker (IP address or host)"),
    .type = DC_PROTOCOL_FIELD_TEXT, .hint = "127.0.0.1" },
  { .kind = DC_KIND_DEVICE, .key = "port", .label = N_("Port"), .type = DC_PROTOCOL_FIELD_INT,
    .hint = "1883", .default_value = "1883" },
  { .kind = DC_KIND_DEVICE, .key = "group_id", .label = N_("Sparkplug group id"),
    .type = DC_PROTOCOL_FIELD_TEXT },
  { .kind = DC_KIND_DEVICE, .key = "edge_node_id", .label = N_("Edge node id"),
    .type = DC_PROTOCOL_FIELD_TEXT },
  { .kind = DC_KIND_DEVICE, .key = "host_id", .label = N_("Primary host id (STATE)"),
    .type = DC_PROTOCOL_FIELD_TEXT, .place = DC_PROTOCOL_PLACE_END },
  { .kind = DC_KIND_DEVICE, .key = "username", .label = N_("MQTT username"),
    .type = DC_PROTOCOL_FIELD_TEXT, .place = DC_PROTOCOL_PLACE_END },
  { .kind = DC_KIND_DEVICE, .key = "password_file", .label = N_("MQTT password file"),
    .type = DC_PROTOCOL_FIELD_TEXT, .place = DC_PROTOCOL_PLACE_END },
  { .key = NULL },
};

static const DcProtocolTermInfo term_info = {
  .key = "sparkplug",
  .name = "Sparkplug B device or metric folder (made from births)",
  .address = "none",
  .protocol_code = "<device>/<metric name>, /<metric name> for the node's own metrics",
  .code_type = "Sparkplug datatype name, e.g. Double or Boolean",
};

static void
sparkplug_describe_frame (const guint8 *bytes,
                          gsize         len,
                          const char   *kind,
                          gsize        *offset,
                          GString      *out)
{
  dc_sparkplug_frame_describe (bytes, len, kind, offset, out);
}

static const DcProtocol protocol = {
  .name = "sparkplug",
  .title = N_("MQTT Sparkplug B edge node"),
  .ui_order = 5,
  .description = "an MQTT Sparkplug B edge node (ip and port of the broker, 1883; group_id, "
                 "edge_node_id): points learnt from its births",
  .term_info = &term_info,
  .driver_new = dc_sparkplug_driver_new,
  .validate_device = sparkplug_validate_device,
  .validate_point = sparkplug_validate_point,
  .format_address = sparkplug_format_address,
  .value_kind = sparkplug_value_kind,
  .control_info = sparkplug_control_info,
  .fields = fields,
  .type_name = sparkplug_type_name,
  .type_code = sparkplug_type_code,
  .describe_frame = sparkplug_describe_frame,
  .default_port = 1883,
};

void
dc_sparkplug_driver_register (void)
{
  dc_protocol_register (&protocol);
}
