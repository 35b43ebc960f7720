/* dc-traffic-item-objects.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-traffic-item"

#include "config.h"

#include "dc-traffic-item-objects.h"

#include <glib/gi18n.h>

#include "dc-number.h"
#include "dc-protocol.h"
#include "dc-quality.h"
#include "dc-states.h"
#include "dc-time.h"
#include "dc-traffic-item-private.h"

struct _DcTrafficObject
{
  GObject  parent_instance;

  char    *text[DC_TRAFFIC_N_COLUMNS];
};

G_DEFINE_FINAL_TYPE (DcTrafficObject, dc_traffic_object, G_TYPE_OBJECT)

static void
dc_traffic_object_finalize (GObject *object)
{
  DcTrafficObject *self = DC_TRAFFIC_OBJECT (object);

  for (guint i = 0; i < DC_TRAFFIC_N_COLUMNS; i++)
    g_free (self->text[i]);

  G_OBJECT_CLASS (dc_traffic_object_parent_class)->finalize (object);
}

static void
dc_traffic_object_class_init (DcTrafficObjectClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = dc_traffic_object_finalize;
}

static void
dc_traffic_object_init (DcTrafficObject *self)
{
}

const char *
dc_traffic_object_get_text (DcTrafficObject *self,
                            DcTrafficColumn  column)
{
  g_return_val_if_fail (DC_IS_TRAFFIC_OBJECT (self), NULL);
  g_return_val_if_fail (column < DC_TRAFFIC_N_COLUMNS, NULL);

  return self->text[column] ? self->text[column] : "";
}

const char *
dc_traffic_column_title (DcTrafficColumn column)
{
  switch (column)
    {
    case DC_TRAFFIC_COLUMN_ADDRESS:
      /* Translators: the object table of a traffic frame: IEC 104 IOA or Modbus address */
      return C_("traffic", "Address");
    case DC_TRAFFIC_COLUMN_TYPE:
      return C_("traffic", "Type");
    case DC_TRAFFIC_COLUMN_VALUE:
      return C_("traffic", "Value");
    case DC_TRAFFIC_COLUMN_QUALITY:
      return C_("traffic", "Quality");
    case DC_TRAFFIC_COLUMN_TIME:
      /* Translators: the time tag an IEC 104 object carries */
      return C_("traffic", "Time Tag");
    case DC_TRAFFIC_COLUMN_POINT:
      return C_("traffic", "Point");
    case DC_TRAFFIC_N_COLUMNS:
    default:
      break;
    }
  g_return_val_if_reached (NULL);
}

static DcTrafficObject *
object_new (void)
{
  return g_object_new (DC_TYPE_TRAFFIC_OBJECT, NULL);
}

/* IEC 104 ------------------------------------------------------------------------------------ */

static char *
local_time_text (const char *utc,
                 gboolean    invalid)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *text = NULL;
  gint64 us;

  if (utc == NULL || !dc_time_parse (utc, &us) || (dt = dc_traffic_local_time_new (us)) == NULL)
    return g_strdup (invalid ? _("invalid") : "");
  text = g_date_time_format (dt, "%Y-%m-%d %H:%M:%S");
  if (invalid)
    /* Translators: a time tag with its IV bit set */
    return g_strdup_printf (_("%s.%03d (invalid)"), text,
                            g_date_time_get_microsecond (dt) / 1000);
  return g_strdup_printf ("%s.%03d", text, g_date_time_get_microsecond (dt) / 1000);
}

static char *
iec104_value_text (JsonObject          *object,
                   DcProtocolValueKind  kind,
                   JsonObject          *states)
{
  JsonNode *node = json_object_get_member (object, "value");
  char buf[DC_NUMBER_BUF_SIZE];
  g_autofree char *state = NULL;
  double value;

  if (node == NULL)
    return g_strdup ("");
  if (JSON_NODE_HOLDS_NULL (node))
    /* Translators: a value that is not a number (NaN, infinity) */
    return g_strdup (_("not a number"));
  value = json_node_get_double (node);
  dc_number_format_buf (buf, sizeof buf, value, -1);
  /* The point's words for its states, else the defaults of single and double points. */
  if (kind != DC_PROTOCOL_VALUE_ANALOG || states != NULL)
    state = dc_states_text (states, kind, value);
  if (state != NULL)
    /* Translators: a state text and its raw value, "closed (2)" */
    return g_strdup_printf (_("%s (%s)"), state, buf);
  return g_strdup (buf);
}

static char *
quality_text (JsonObject *object)
{
  gint64 quality;

  if (!json_object_has_member (object, "quality"))
    return g_strdup ("");
  quality = json_object_get_int_member_with_default (object, "quality", 0);
  if (quality == 0)
    /* Translators: quality of a value without any flag */
    return g_strdup (_("good"));
  return dc_quality_to_text ((guint32) quality);
}

static void
build_iec104 (DcTrafficItem      *item,
              GListStore         *store,
              DcTrafficPointFunc  lookup,
              gpointer            user_data)
{
  JsonObject *decoded = item->decoded;
  JsonArray *objects = json_object_get_array_member (decoded, "objects");
  const DcProtocol *protocol = dc_protocol_lookup (item->protocol);
  gint64 type = json_object_get_int_member_with_default (decoded, "type", 0);
  gint64 ca = json_object_get_int_member_with_default (decoded, "ca", 0);
  const char *type_name = json_object_get_string_member_with_default (decoded, "type_name", NULL);
  g_autofree char *type_text = type_name ? g_strdup (type_name)
                                         : g_strdup_printf ("TYP %" G_GINT64_FORMAT, type);
  DcProtocolValueKind kind = DC_PROTOCOL_VALUE_ANALOG;

  if (protocol != NULL && protocol->value_kind != NULL)
    {
      g_autoptr(JsonObject) point = json_object_new ();

      json_object_set_int_member (point, "code_type", type);
      kind = protocol->value_kind (point);
    }

  for (guint i = 0; i < json_array_get_length (objects); i++)
    {
      JsonObject *o = json_array_get_object_element (objects, i);
      g_autoptr(DcTrafficObject) row = NULL;
      gint64 ioa;
      const char *name = NULL;
      JsonObject *states = NULL;

      if (o == NULL)
        continue;
      ioa = json_object_get_int_member_with_default (o, "ioa", 0);
      if (lookup == NULL || !lookup (ca, ioa, &name, &states, user_data))
        name = NULL, states = NULL;
      row = object_new ();
      row->text[DC_TRAFFIC_COLUMN_ADDRESS] = g_strdup_printf ("%" G_GINT64_FORMAT, ioa);
      row->text[DC_TRAFFIC_COLUMN_TYPE] = g_strdup (type_text);
      row->text[DC_TRAFFIC_COLUMN_VALUE] = iec104_value_text (o, kind, states);
      if (json_object_has_member (o, "se"))
        {
          const char *se = json_object_get_string_member_with_default (o, "se", "");
          char *with = g_strdup_printf ("%s, %s", row->text[DC_TRAFFIC_COLUMN_VALUE],
                                        g_str_equal (se, "select") ? _("select") : _("execute"));

          g_free (row->text[DC_TRAFFIC_COLUMN_VALUE]);
          row->text[DC_TRAFFIC_COLUMN_VALUE] = with;
        }
      row->text[DC_TRAFFIC_COLUMN_QUALITY] = quality_text (o);
      if (json_object_has_member (o, "time"))
        row->text[DC_TRAFFIC_COLUMN_TIME] =
          local_time_text (json_object_get_string_member_with_default (o, "time", NULL),
                           json_object_get_boolean_member_with_default (o, "time_invalid", FALSE));
      row->text[DC_TRAFFIC_COLUMN_POINT] = g_strdup (name ? name : "");
      g_list_store_append (store, row);
    }
}

/* Modbus ------------------------------------------------------------------------------------- */

static void
modbus_table (gint64       function,
              const char **space,
              const char **what)
{
  switch (function)
    {
    case 1: case 5: case 15:
      *space = "co";
      /* Translators: a Modbus table */
      *what = _("coil");
      break;
    case 2:
      *space = "di";
      *what = _("discrete input");
      break;
    case 4:
      *space = "ir";
      *what = _("input register");
      break;
    case 3: case 6: case 16: case 22:
    default:
      *space = "hr";
      *what = _("holding register");
      break;
    }
}

static void
build_modbus (DcTrafficItem *item,
              GListStore    *store)
{
  JsonObject *decoded = item->decoded;
  JsonArray *values = json_object_get_array_member (decoded, "values");
  gint64 function = json_object_get_int_member_with_default (decoded, "function", 0);
  gint64 address = json_object_get_int_member_with_default (decoded, "address",
                                                            item->request_address);
  gboolean bits = function == 1 || function == 2 || function == 5 || function == 15;
  guint n = json_array_get_length (values);
  const char *space;
  const char *what;

  modbus_table (function, &space, &what);
  /* Points are not named here: a Modbus address alone does not tell which of the point's
   * tables (and which of its registers for a 32-bit value) it is. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(DcTrafficObject) row = object_new ();
      gint64 v = json_array_get_int_element (values, i);

      if (address >= 0)
        row->text[DC_TRAFFIC_COLUMN_ADDRESS] = g_strdup_printf ("%s %" G_GINT64_FORMAT, space,
                                                                address + i);
      else
        /* Translators: the n-th value of a Modbus answer whose request is not known */
        row->text[DC_TRAFFIC_COLUMN_ADDRESS] = g_strdup_printf (_("%s #%u"), space, i);
      row->text[DC_TRAFFIC_COLUMN_TYPE] = g_strdup (what);
      if (bits)
        row->text[DC_TRAFFIC_COLUMN_VALUE] = g_strdup_printf ("%" G_GINT64_FORMAT, v);
      else
        row->text[DC_TRAFFIC_COLUMN_VALUE] = g_strdup_printf ("%" G_GINT64_FORMAT " (0x%04x)", v,
                                                              (guint) (v & 0xffff));
      g_list_store_append (store, row);
    }
}

GListModel *
dc_traffic_item_build_objects (DcTrafficItem      *item,
                               DcTrafficPointFunc  lookup,
                               gpointer            user_data)
{
  GListStore *store = g_list_store_new (DC_TYPE_TRAFFIC_OBJECT);
  JsonObject *decoded;
  JsonNode *node;

  g_return_val_if_fail (DC_IS_TRAFFIC_ITEM (item), NULL);

  decoded = item->decoded;
  if (decoded == NULL)
    return G_LIST_MODEL (store);
  if ((node = json_object_get_member (decoded, "objects")) != NULL && JSON_NODE_HOLDS_ARRAY (node))
    build_iec104 (item, store, lookup, user_data);
  else if (json_object_has_member (decoded, "function") &&
           (node = json_object_get_member (decoded, "values")) != NULL &&
           JSON_NODE_HOLDS_ARRAY (node))
    build_modbus (item, store);
  return G_LIST_MODEL (store);
}
