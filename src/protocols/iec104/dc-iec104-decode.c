/* dc-iec104-decode.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The traffic view's decoding of IEC 104 frames (dc-iec104-codec.h; docs/iec104.md). Framing
 * and ASDUs are in dc-iec104-codec.c.
 */

#define G_LOG_DOMAIN "dc-iec104-codec"

#include "config.h"

#include <math.h>

#include "dc-iec104-codec-private.h"
#include "dc-sample.h"
#include "dc-time.h"

static void
format_value (GString              *s,
              guint8                type,
              const DcIec104Object *o)
{
  if (type == 13 || type == 14 || type == 36 || type == 50 || type == 63 ||
      dc_iec104_type_family (type) == DC_IEC104_FAMILY_NORMALIZED || type == 48 || type == 61)
    g_string_append_printf (s, "%.7g", o->value);
  else
    g_string_append_printf (s, "%.0f", o->value);
}

static JsonObject *
object_to_json (guint8                type,
                const DcIec104Object *o,
                GTimeZone            *tz,
                gint64                receive_us)
{
  JsonObject *obj = json_object_new ();
  DcIec104Family family = dc_iec104_type_family (type);

  json_object_set_int_member (obj, "ioa", o->ioa);
  if (type != DC_IEC104_C_RD_NA_1 && type != DC_IEC104_C_CS_NA_1)
    {
      if (isfinite (o->value))
        json_object_set_double_member (obj, "value", o->value);
      else
        json_object_set_null_member (obj, "value");
    }
  if (family != DC_IEC104_FAMILY_COMMAND && family != DC_IEC104_FAMILY_SYSTEM)
    json_object_set_int_member (obj, "quality", o->quality);
  if (family == DC_IEC104_FAMILY_COMMAND && type != 51 && type != 64)
    json_object_set_string_member (obj, "se", o->qualifier & 0x80 ? "select" : "execute");
  if (family == DC_IEC104_FAMILY_TOTALS)
    json_object_set_int_member (obj, "sequence", o->extra);
  if (family == DC_IEC104_FAMILY_PACKED)
    json_object_set_int_member (obj, "change_detection", o->extra);
  if (family == DC_IEC104_FAMILY_PROTECTION)
    json_object_set_int_member (obj, "elapsed_ms", o->extra);
  if (o->time_kind != DC_IEC104_TIME_NONE)
    {
      gint64 t;
      gboolean ok = TRUE;

      if (o->time_kind == DC_IEC104_TIME_CP56)
        ok = dc_iec104_time_to_us (&o->time, tz, &t);
      else
        t = dc_iec104_cp24_to_us (&o->time, receive_us, tz);
      if (ok)
        {
          g_autofree char *text = dc_time_format (t);

          json_object_set_string_member (obj, "time", text);
        }
      else
        json_object_set_null_member (obj, "time");
      if (o->time.iv)
        json_object_set_boolean_member (obj, "time_invalid", TRUE);
    }
  return obj;
}

char *
dc_iec104_decode_frame (const guint8  *bytes,
                        gsize          len,
                        GTimeZone     *tz,
                        gint64         receive_us,
                        JsonObject   **decoded,
                        char         **error)
{
  g_autoptr(JsonObject) obj = json_object_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GArray) objects = NULL;
  GString *summary = g_string_new (NULL);
  DcIec104Apci apci;
  DcIec104Asdu h;

  if (error)
    *error = NULL;

  if (!dc_iec104_parse_apci (bytes, len, &apci, &local_error))
    {
      g_string_append_printf (summary, "malformed frame: %s", local_error->message);
      goto out;
    }

  switch (apci.kind)
    {
    case DC_IEC104_FRAME_U:
      json_object_set_string_member (obj, "kind", "U");
      json_object_set_string_member (obj, "function", dc_iec104_u_name (apci.u));
      g_string_append_printf (summary, "U %s", dc_iec104_u_name (apci.u));
      goto out;

    case DC_IEC104_FRAME_S:
      json_object_set_string_member (obj, "kind", "S");
      json_object_set_int_member (obj, "nr", apci.nr);
      g_string_append_printf (summary, "S N(R)=%u", apci.nr);
      goto out;

    case DC_IEC104_FRAME_I:
    default:
      break;
    }

  json_object_set_string_member (obj, "kind", "I");
  json_object_set_int_member (obj, "ns", apci.ns);
  json_object_set_int_member (obj, "nr", apci.nr);
  g_string_append_printf (summary, "I N(S)=%u N(R)=%u", apci.ns, apci.nr);

  objects = g_array_new (FALSE, TRUE, sizeof (DcIec104Object));
  memset (&h, 0, sizeof h);
  if (apci.asdu_len >= DC_IEC104_ASDU_HEADER)
    {
      const char *tname = dc_iec104_type_name (apci.asdu[0]);
      const char *cname = dc_iec104_cause_name (apci.asdu[2] & 0x3f);

      /* The header is decoded even when the objects are not. */
      json_object_set_int_member (obj, "type", apci.asdu[0]);
      if (tname)
        json_object_set_string_member (obj, "type_name", tname);
      json_object_set_int_member (obj, "cause", apci.asdu[2] & 0x3f);
      if (cname)
        json_object_set_string_member (obj, "cause_name", cname);
      json_object_set_boolean_member (obj, "negative", (apci.asdu[2] & 0x40) != 0);
      json_object_set_boolean_member (obj, "test", (apci.asdu[2] & 0x80) != 0);
      json_object_set_int_member (obj, "oa", apci.asdu[3]);
      json_object_set_int_member (obj, "ca", rd_u16 (apci.asdu + 4));
      json_object_set_boolean_member (obj, "sq", (apci.asdu[1] & 0x80) != 0);

      if (tname)
        g_string_append_printf (summary, " %s", tname);
      else
        g_string_append_printf (summary, " TYP=%u", apci.asdu[0]);
      if (cname)
        g_string_append_printf (summary, " %s", cname);
      else
        g_string_append_printf (summary, " COT=%u", apci.asdu[2] & 0x3f);
      if (apci.asdu[2] & 0x40)
        g_string_append (summary, " neg");
      if (apci.asdu[2] & 0x80)
        g_string_append (summary, " test");
      g_string_append_printf (summary, " CA=%u", rd_u16 (apci.asdu + 4));
    }

  if (!dc_iec104_parse_asdu (apci.asdu, apci.asdu_len, &h, objects, &local_error))
    {
      g_string_append_printf (summary, " (malformed: %s)", local_error->message);
      goto out;
    }

  {
    JsonArray *arr = json_array_new ();

    for (guint i = 0; i < objects->len; i++)
      {
        const DcIec104Object *o = &g_array_index (objects, DcIec104Object, i);

        json_array_add_object_element (arr, object_to_json (h.type, o, tz, receive_us));
      }
    json_object_set_array_member (obj, "objects", arr);
  }

  if (objects->len == 1)
    {
      const DcIec104Object *o = &g_array_index (objects, DcIec104Object, 0);

      g_string_append_printf (summary, " IOA=%u", o->ioa);
      if (h.type != DC_IEC104_C_RD_NA_1 && h.type != DC_IEC104_C_CS_NA_1)
        {
          g_string_append (summary, " value=");
          format_value (summary, h.type, o);
        }
      if (dc_iec104_type_is_command (h.type) && h.type != 51 && h.type != 64)
        g_string_append (summary, o->qualifier & 0x80 ? " select" : " execute");
      if (o->quality & 0xffff)
        g_string_append_printf (summary, " q=0x%x", o->quality);
    }
  else
    {
      const DcIec104Object *first = &g_array_index (objects, DcIec104Object, 0);
      const DcIec104Object *last = &g_array_index (objects, DcIec104Object, objects->len - 1);

      g_string_append_printf (summary, " %u objects IOA=%u…%u",
                              objects->len, first->ioa, last->ioa);
    }

out:
  if (local_error != NULL && error != NULL)
    *error = g_strdup (local_error->message);
  if (decoded)
    *decoded = json_object_ref (obj);
  return g_string_free (summary, FALSE);
}
