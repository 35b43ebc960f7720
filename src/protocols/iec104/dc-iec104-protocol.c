/* dc-iec104-protocol.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * What the rest of DataColl knows about IEC 60870-5-104 (dc-protocol.h): the iec104 descriptor,
 * its point validation (IOA and type id, docs/iec104.md), edit-form fields, type names and
 * point texts.
 */

#define G_LOG_DOMAIN "dc-iec104-protocol"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "dc-error.h"
#include "dc-frame-notes.h"
#include "dc-iec104-codec.h"
#include "dc-iec104-driver.h"
#include "dc-json-util.h"
#include "dc-protocol.h"
#include "dc-protocol-json.h"

/* The type ids a point may have (docs/iec104.md): monitoring types and commands. */
static gboolean
type_is_supported (gint64 type)
{
  return (type >= 1 && type <= 16) || type == 20 || type == 21 || (type >= 30 && type <= 38) ||
         (type >= 45 && type <= 51) || (type >= 58 && type <= 64);
}

/* "M_DP_NA_1" (any case) → 3; -1 when @name is no type name. */
static gint64
type_code_from_name (const char *name)
{
  g_autofree char *upper = NULL;

  if (strlen (name) != 9)
    return -1;
  upper = g_ascii_strup (name, -1);
  for (int code = 1; code <= 255; code++)
    if (g_strcmp0 (dc_iec104_type_name (code), upper) == 0)
      return code;
  return -1;
}

static gboolean
iec104_validate_point (JsonObject  *point,
                       GError     **error)
{
  JsonNode *code = json_object_get_member (point, "protocol_code");
  JsonNode *type = json_object_get_member (point, "code_type");
  gint64 type_id;

  if (code == NULL || JSON_NODE_HOLDS_NULL (code))
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID, "missing field: protocol_code");
      return FALSE;
    }
  if (!dc_protocol_json_get_integer (point, "protocol_code", 1, 16777215, NULL))
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID,
                           "field protocol_code must be an integer between 1 and 16777215 (IOA)");
      return FALSE;
    }
  if (type == NULL || JSON_NODE_HOLDS_NULL (type))
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID, "missing field: code_type");
      return FALSE;
    }
  /* A type name ("M_DP_NA_1", any case) is stored as its number (docs/iec104.md). */
  if (JSON_NODE_HOLDS_VALUE (type) && json_node_get_value_type (type) == G_TYPE_STRING &&
      (type_id = type_code_from_name (json_node_get_string (type))) > 0)
    json_object_set_int_member (point, "code_type", type_id);
  if (!dc_protocol_json_get_integer (point, "code_type", 1, 255, &type_id) ||
      !type_is_supported (type_id))
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID,
                           "field code_type must be a supported IEC 104 type id "
                           "(1-16, 20, 21, 30-38, 45-51, 58-64) or its name (M_ME_NC_1)");
      return FALSE;
    }
  return TRUE;
}

/* docs/rest.md "Address uniqueness": one point per (CA, IOA). */
static gboolean
iec104_point_address (JsonObject  *point,
                      gint64       term_address,
                      char       **space,
                      gint64      *first,
                      gint64      *last,
                      int         *bit)
{
  gint64 ioa;

  if (!dc_protocol_json_get_integer (point, "protocol_code", G_MININT32, G_MAXINT32, &ioa))
    return FALSE;

  *space = g_strdup_printf ("%" G_GINT64_FORMAT, term_address);
  *first = *last = ioa;
  *bit = -1;
  return TRUE;
}

/* Presentation */

static char *
iec104_format_address (JsonObject *point,
                       const char *code)
{
  return g_strdup_printf ("IOA %s", code);
}

static DcProtocolValueKind
iec104_value_kind (JsonObject *point)
{
  switch (dc_json_get_int (point, "code_type", 0))
    {
    case 1: case 2: case 30: case 45: case 58:
      return DC_PROTOCOL_VALUE_SINGLE;
    case 3: case 4: case 31: case 46: case 59:
      return DC_PROTOCOL_VALUE_DOUBLE;
    default:
      return DC_PROTOCOL_VALUE_ANALOG;
    }
}

static gboolean
iec104_control_info (JsonObject        *point,
                     DcProtocolControl *control)
{
  JsonNode *node = json_object_get_member (point, "code_type");
  int type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node) == G_TYPE_STRING
         ? atoi (json_node_get_string (node)) : (int) json_node_get_int (node);
  if (!((type >= 45 && type <= 51) || (type >= 58 && type <= 64)))
    return FALSE;

  control->type_text = g_strdup_printf ("%s (%d)", dc_iec104_type_name (type), type);
  control->kind = DC_PROTOCOL_CONTROL_VALUE;
  control->raw_min = -INFINITY;
  control->raw_max = INFINITY;
  control->integer = FALSE;
  switch (type)
    {
    case 45: case 58:
      control->kind = DC_PROTOCOL_CONTROL_SINGLE;
      break;
    case 46: case 59:
      control->kind = DC_PROTOCOL_CONTROL_DOUBLE;
      break;
    case 47: case 60:
      control->kind = DC_PROTOCOL_CONTROL_STEP;
      break;
    case 48: case 61:
      control->raw_min = -1.0;
      control->raw_max = 1.0 - 1.0 / 32768.0;
      break;
    case 49: case 62:
      control->raw_min = -32768;
      control->raw_max = 32767;
      control->integer = TRUE;
      break;
    case 51: case 64:
      control->raw_min = 0;
      control->raw_max = 4294967295.0;
      control->integer = TRUE;
      break;
    default:
      break;
    }
  return TRUE;
}

/* Edit forms: code_type is picked as one ASDU type. */

static void
iec104_code_type_to_fields (JsonNode          *code_type,
                            DcProtocolSetFunc  set,
                            gpointer           user_data)
{
  char buf[32];

  if (!JSON_NODE_HOLDS_VALUE (code_type))
    return;
  if (json_node_get_value_type (code_type) == G_TYPE_STRING)
    set ("iec_type", json_node_get_string (code_type), user_data);
  else if (json_node_get_value_type (code_type) == G_TYPE_INT64)
    {
      g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, json_node_get_int (code_type));
      set ("iec_type", buf, user_data);
    }
}

static JsonNode *
iec104_code_type_from_fields (DcProtocolGetFunc get,
                              gpointer          user_data)
{
  const char *type = get ("iec_type", user_data);

  if (type == NULL)
    return NULL;
  return json_node_init_int (json_node_alloc (), atoi (type));
}

static const char *
iec104_type_name (int code)
{
  return code >= 0 && code <= 255 ? dc_iec104_type_name (code) : NULL;
}

static int
iec104_type_code (const char *name)
{
  for (int code = 1; code <= 255; code++)
    if (g_strcmp0 (dc_iec104_type_name (code), name) == 0)
      return code;
  return -1;
}

static const DcProtocolOption type_options[] = {
  { "1", "1 — M_SP_NA_1 single point" }, { "30", "30 — M_SP_TB_1 single point, time tag" },
  { "3", "3 — M_DP_NA_1 double point" }, { "31", "31 — M_DP_TB_1 double point, time tag" },
  { "5", "5 — M_ST_NA_1 step position" }, { "32", "32 — M_ST_TB_1 step position, time tag" },
  { "7", "7 — M_BO_NA_1 bitstring" }, { "33", "33 — M_BO_TB_1 bitstring, time tag" },
  { "9", "9 — M_ME_NA_1 normalised" }, { "34", "34 — M_ME_TD_1 normalised, time tag" },
  { "11", "11 — M_ME_NB_1 scaled" }, { "35", "35 — M_ME_TE_1 scaled, time tag" },
  { "13", "13 — M_ME_NC_1 short float" }, { "36", "36 — M_ME_TF_1 short float, time tag" },
  { "15", "15 — M_IT_NA_1 integrated total" }, { "37", "37 — M_IT_TB_1 integrated total, time tag" },
  { "45", "45 — C_SC_NA_1 single command" }, { "58", "58 — C_SC_TA_1 single command, time tag" },
  { "46", "46 — C_DC_NA_1 double command" }, { "59", "59 — C_DC_TA_1 double command, time tag" },
  { "47", "47 — C_RC_NA_1 regulating step" }, { "60", "60 — C_RC_TA_1 regulating step, time tag" },
  { "48", "48 — C_SE_NA_1 set point, normalised" }, { "61", "61 — C_SE_TA_1 set point, normalised, time tag" },
  { "49", "49 — C_SE_NB_1 set point, scaled" }, { "62", "62 — C_SE_TB_1 set point, scaled, time tag" },
  { "50", "50 — C_SE_NC_1 set point, float" }, { "63", "63 — C_SE_TC_1 set point, float, time tag" },
  { "51", "51 — C_BO_NA_1 bitstring command" }, { "64", "64 — C_BO_TA_1 bitstring command, time tag" },
  { NULL, NULL },
};

/* The link settings of docs/iec104.md, preset in a new device with the defaults the driver
 * uses when they are absent (QTester104 shows them the same way). */
static const DcProtocolField fields[] = {
  { .kind = DC_KIND_DEVICE, .key = "ip", .label = N_("IP address or host"),
    .type = DC_PROTOCOL_FIELD_TEXT },
  { .kind = DC_KIND_DEVICE, .key = "port", .label = N_("Port"), .type = DC_PROTOCOL_FIELD_INT,
    .hint = "2404", .default_value = "2404" },
  { .kind = DC_KIND_DEVICE, .key = "backup_ip", .label = N_("Backup IP address"),
    .type = DC_PROTOCOL_FIELD_TEXT },
  { .kind = DC_KIND_DEVICE, .key = "backup_port", .label = N_("Backup port"),
    .type = DC_PROTOCOL_FIELD_INT, .hint = "2404" },
  { .kind = DC_KIND_DEVICE, .key = "k", .label = N_("k (unacknowledged frames sent)"),
    .type = DC_PROTOCOL_FIELD_INT, .hint = "12", .default_value = "12" },
  { .kind = DC_KIND_DEVICE, .key = "w", .label = N_("w (frames before acknowledging)"),
    .type = DC_PROTOCOL_FIELD_INT, .hint = "8", .default_value = "8" },
  { .kind = DC_KIND_DEVICE, .key = "t0", .label = N_("t0 (s, connection set-up)"),
    .type = DC_PROTOCOL_FIELD_INT, .hint = "30", .default_value = "30" },
  { .kind = DC_KIND_DEVICE, .key = "t1", .label = N_("t1 (s, answer to a frame sent)"),
    .type = DC_PROTOCOL_FIELD_INT, .hint = "15", .default_value = "15" },
  { .kind = DC_KIND_DEVICE, .key = "t2", .label = N_("t2 (s, acknowledge without data)"),
    .type = DC_PROTOCOL_FIELD_INT, .hint = "10", .default_value = "10" },
  { .kind = DC_KIND_DEVICE, .key = "t3", .label = N_("t3 (s, test frame when idle)"),
    .type = DC_PROTOCOL_FIELD_INT, .hint = "20", .default_value = "20" },
  { .kind = DC_KIND_DEVICE, .key = "gi_s", .label = N_("General interrogation period (s)"),
    .type = DC_PROTOCOL_FIELD_INT, .hint = "900" },
  { .kind = DC_KIND_DEVICE, .key = "ci_s", .label = N_("Counter interrogation period (s)"),
    .type = DC_PROTOCOL_FIELD_INT, .hint = "0" },
  { .kind = DC_KIND_DEVICE, .key = "clock_sync", .label = N_("Synchronise the station's clock"),
    .type = DC_PROTOCOL_FIELD_BOOL },
  { .kind = DC_KIND_DEVICE, .key = "time_zone", .label = N_("Time zone of time tags"),
    .type = DC_PROTOCOL_FIELD_TEXT, .hint = "UTC" },
  { .kind = DC_KIND_POINT, .key = "iec_type", .label = N_("ASDU type"),
    .type = DC_PROTOCOL_FIELD_CHOICE, .options = type_options, .code_type_part = TRUE },
  { .kind = DC_KIND_POINT, .key = "direct", .label = N_("Direct execute (no select)"),
    .type = DC_PROTOCOL_FIELD_BOOL, .place = DC_PROTOCOL_PLACE_END },
  { .key = NULL },
};

/* The traffic view's notes on a frame: APCI, then the ASDU header of an I frame (docs/iec104.md). */
static void
iec104_describe_frame (const guint8 *b,
                       gsize         len,
                       const char   *kind,
                       gsize        *off,
                       GString      *out)
{
  g_autofree char *type = NULL;

  if (len < DC_IEC104_APCI_LEN || b[0] != DC_IEC104_START)
    return;
  dc_frame_note (out, b, len, off, 1, _("start 0x68"));
  dc_frame_note (out, b, len, off, 1, _("APDU length"));
  dc_frame_note (out, b, len, off, 4, _("control fields (N(S), N(R) / S / U)"));
  if (len <= DC_IEC104_APCI_LEN)
    return;
  type = g_strdup_printf (_("type identification (%s)"), kind);
  dc_frame_note (out, b, len, off, 1, type);
  dc_frame_note (out, b, len, off, 1, _("variable structure qualifier (SQ, number)"));
  dc_frame_note (out, b, len, off, 1, _("cause of transmission (T, P/N, cause)"));
  dc_frame_note (out, b, len, off, 1, _("originator address"));
  dc_frame_note (out, b, len, off, 2, _("common address (CA)"));
  dc_frame_note (out, b, len, off, 3, _("information object address (IOA)"));
  dc_frame_note_rest (out, b, len, off, _("information elements"));
}

static const DcProtocolTermInfo term_info = {
  .key = "iec104",
  .name = "IEC 60870-5-104 station",
  .address = "ASDU common address 1-65534 (1)",
  .protocol_code = "information object address 1-16777215",
  .code_type = "ASDU type id, e.g. 13 (M_ME_NC_1) or 45 (C_SC_NA_1)",
};

static const DcProtocol protocol = {
  .name = "iec104",
  .title = N_("IEC 60870-5-104"),
  .ui_order = 2,
  .description = "IEC 60870-5-104 controlling station over TCP (ip, port 2404)",
  .term_info = &term_info,
  .describe_frame = iec104_describe_frame,
  .default_port = 2404,
  .driver_new = dc_iec104_driver_new,
  .term_address_min = 1,
  .term_address_max = 65534,
  .term_address_what = " (common address)",
  .validate_point = iec104_validate_point,
  .point_address = iec104_point_address,
  .format_address = iec104_format_address,
  .value_kind = iec104_value_kind,
  .control_info = iec104_control_info,
  .fields = fields,
  .code_type_field = "iec_type",
  .code_type_to_fields = iec104_code_type_to_fields,
  .code_type_from_fields = iec104_code_type_from_fields,
  .type_name = iec104_type_name,
  .type_code = iec104_type_code,
};

void
dc_iec104_driver_register (void)
{
  dc_protocol_register (&protocol);
}
