/* dc-traffic-item.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-traffic-item"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "dc-traffic-item-private.h"

#include "dc-frame-notes.h"
#include "dc-protocol.h"

GDateTime *
dc_traffic_local_time_new (gint64 usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);

  if (dt == NULL)
    return NULL;
  return g_date_time_add (dt, usec % G_USEC_PER_SEC);
}

enum {
  ITEM_PROP_0,
  ITEM_PROP_STATUS,
  ITEM_N_PROPS
};

static GParamSpec *item_properties[ITEM_N_PROPS];

G_DEFINE_FINAL_TYPE (DcTrafficItem, dc_traffic_item, G_TYPE_OBJECT)

static void
dc_traffic_item_finalize (GObject *object)
{
  DcTrafficItem *self = DC_TRAFFIC_ITEM (object);

  g_clear_pointer (&self->bytes, g_bytes_unref);
  g_clear_pointer (&self->decoded, json_object_unref);
  g_free (self->summary);
  g_free (self->kind);
  g_free (self->protocol);
  g_free (self->decode_error);
  g_free (self->shown_text);

  G_OBJECT_CLASS (dc_traffic_item_parent_class)->finalize (object);
}

static void
dc_traffic_item_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  DcTrafficItem *self = DC_TRAFFIC_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_STATUS:
      g_value_set_int (value, self->status);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dc_traffic_item_class_init (DcTrafficItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = dc_traffic_item_finalize;
  object_class->get_property = dc_traffic_item_get_property;

  item_properties[ITEM_PROP_STATUS] =
    g_param_spec_int ("status", NULL, NULL, DC_TRAFFIC_OK, DC_TRAFFIC_TIMEOUT, DC_TRAFFIC_OK,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, ITEM_N_PROPS, item_properties);
}

static void
dc_traffic_item_init (DcTrafficItem *self)
{
}

void
dc_traffic_item_set_status (DcTrafficItem   *self,
                            DcTrafficStatus  status)
{
  if (self->status == status)
    return;
  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_STATUS]);
}

/* The values of a Modbus frame in its summary (docs/ui-traffic.md): "…: 12, 0, 65535" with at
 * most MAX_SUMMARY_VALUES, then how many more. */
#define MAX_SUMMARY_VALUES 16

static void
rebuild_summary (DcTrafficItem *self)
{
  JsonArray *values;
  GString *out;
  guint n;
  char *colon;

  if (self->decoded == NULL || !json_object_has_member (self->decoded, "function") ||
      json_object_get_member (self->decoded, "values") == NULL ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (self->decoded, "values")))
    return;
  values = json_object_get_array_member (self->decoded, "values");
  n = json_array_get_length (values);
  /* A write of one value says it already ("address 4 value 7"). */
  if (n == 0 || strstr (self->summary, " value ") != NULL)
    return;
  colon = strstr (self->summary, ": ");
  out = g_string_new_len (self->summary, colon ? colon - self->summary : -1);
  if (self->request_address >= 0)
    {
      if (n == 1)
        /* Translators: the address of a Modbus register or coil in a traffic summary */
        g_string_append_printf (out, _(" at %" G_GINT64_FORMAT), self->request_address);
      else
        /* Translators: the addresses of Modbus registers or coils in a traffic summary */
        g_string_append_printf (out, _(" at %" G_GINT64_FORMAT "–%" G_GINT64_FORMAT),
                                self->request_address, self->request_address + n - 1);
    }
  g_string_append (out, ": ");
  for (guint i = 0; i < n && i < MAX_SUMMARY_VALUES; i++)
    g_string_append_printf (out, i > 0 ? ", %" G_GINT64_FORMAT : "%" G_GINT64_FORMAT,
                            json_array_get_int_element (values, i));
  if (n > MAX_SUMMARY_VALUES)
    /* Translators: values left out of a traffic summary */
    g_string_append_printf (out, _(" … (%u more)"), n - MAX_SUMMARY_VALUES);
  g_free (self->summary);
  self->summary = g_string_free (out, FALSE);
}

static void
classify (DcTrafficItem *self)
{
  if (self->decode_error != NULL)
    self->status = DC_TRAFFIC_ERROR;
  if (self->decoded != NULL)
    {
      JsonObject *o = self->decoded;

      if (json_object_has_member (o, "exception"))
        self->status = DC_TRAFFIC_ERROR;
      if (json_object_get_boolean_member_with_default (o, "negative", FALSE))
        self->status = DC_TRAFFIC_NEGATIVE;
      if (json_object_has_member (o, "cause"))
        {
          gint64 cause = json_object_get_int_member_with_default (o, "cause", 0);

          /* unknown type, cause, common address or IOA */
          if (cause >= 44 && cause <= 47)
            self->status = DC_TRAFFIC_ERROR;
        }
      if (json_object_has_member (o, "function_name"))
        self->kind = g_strdup (json_object_get_string_member_with_default (o, "function_name", ""));
      else if (json_object_has_member (o, "type_name"))
        self->kind = g_strdup (json_object_get_string_member_with_default (o, "type_name", ""));
      else if (json_object_has_member (o, "type"))
        self->kind = g_strdup_printf ("TYP %" G_GINT64_FORMAT,
                                      json_object_get_int_member_with_default (o, "type", 0));
      else if (json_object_has_member (o, "kind"))
        /* Translators: an IEC 104 S or U frame */
        self->kind = g_strdup_printf (_("%s frame"),
                                      json_object_get_string_member_with_default (o, "kind", "?"));
    }
  if (self->kind == NULL)
    self->kind = g_strdup (_("Undecoded"));
  rebuild_summary (self);
}

static DcTrafficItem *
item_new (const DcTrafficFrame *frame,
          const char           *protocol)
{
  DcTrafficItem *self = g_object_new (DC_TYPE_TRAFFIC_ITEM, NULL);

  self->seq = frame->seq;
  self->time = frame->time;
  self->incoming = frame->incoming;
  self->bytes = g_bytes_new (frame->bytes, frame->len);
  self->protocol = g_strdup (protocol);
  self->request_address = -1;
  return self;
}

DcTrafficItem *
dc_traffic_item_new (DcDriver             *driver,
                     const char           *protocol,
                     const DcTrafficFrame *frame)
{
  DcTrafficItem *self = item_new (frame, protocol);
  g_autoptr(JsonObject) decoded = NULL;
  g_autofree char *error = NULL;
  char *summary;

  summary = dc_driver_decode_frame (driver, frame, &decoded, &error);
  self->summary = summary != NULL ? summary : g_strdup ("");
  self->decoded = g_steal_pointer (&decoded);
  self->decode_error = g_steal_pointer (&error);
  classify (self);
  return self;
}

DcTrafficItem *
dc_traffic_item_new_decoded (const DcTrafficFrame *frame,
                             const char           *protocol,
                             const char           *summary,
                             JsonObject           *decoded,
                             const char           *error)
{
  DcTrafficItem *self = item_new (frame, protocol);

  self->summary = g_strdup (summary ? summary : "");
  self->decoded = decoded ? json_object_ref (decoded) : NULL;
  self->decode_error = g_strdup (error);
  classify (self);
  return self;
}

void
dc_traffic_item_set_request_address (DcTrafficItem *self,
                                     gint64         address)
{
  g_return_if_fail (DC_IS_TRAFFIC_ITEM (self));

  if (self->request_address == address)
    return;
  self->request_address = address;
  rebuild_summary (self);
}

guint64
dc_traffic_item_get_seq (DcTrafficItem *self)
{
  g_return_val_if_fail (DC_IS_TRAFFIC_ITEM (self), 0);
  return self->seq;
}

gint64
dc_traffic_item_get_time (DcTrafficItem *self)
{
  g_return_val_if_fail (DC_IS_TRAFFIC_ITEM (self), 0);
  return self->time;
}

gboolean
dc_traffic_item_get_incoming (DcTrafficItem *self)
{
  g_return_val_if_fail (DC_IS_TRAFFIC_ITEM (self), FALSE);
  return self->incoming;
}

const char *
dc_traffic_item_get_summary (DcTrafficItem *self)
{
  g_return_val_if_fail (DC_IS_TRAFFIC_ITEM (self), NULL);
  return self->summary;
}

const char *
dc_traffic_item_get_kind (DcTrafficItem *self)
{
  g_return_val_if_fail (DC_IS_TRAFFIC_ITEM (self), NULL);
  return self->kind;
}

DcTrafficStatus
dc_traffic_item_get_status (DcTrafficItem *self)
{
  g_return_val_if_fail (DC_IS_TRAFFIC_ITEM (self), DC_TRAFFIC_OK);
  return self->status;
}

const guint8 *
dc_traffic_item_get_bytes (DcTrafficItem *self,
                           gsize         *len)
{
  g_return_val_if_fail (DC_IS_TRAFFIC_ITEM (self), NULL);
  return g_bytes_get_data (self->bytes, len);
}

/* The protocol's notes on the frame's fields (describe_frame of dc-protocol.h), then the
 * bytes it did not describe. */
static void
annotate_frame (DcTrafficItem *self,
                GString       *out)
{
  const DcProtocol *protocol = dc_protocol_lookup (self->protocol);
  gsize len;
  const guint8 *b = g_bytes_get_data (self->bytes, &len);
  gsize off = 0;

  if (protocol != NULL && protocol->describe_frame != NULL)
    protocol->describe_frame (b, len, self->kind, &off, out);
  dc_frame_note_rest (out, b, len, &off, "");
}

char *
dc_traffic_item_dup_notes (DcTrafficItem *self)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (DC_IS_TRAFFIC_ITEM (self), NULL);

  annotate_frame (self, out);
  return g_string_free (out, FALSE);
}

char *
dc_traffic_item_dup_detail (DcTrafficItem *self)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *time = NULL;
  GString *out;

  g_return_val_if_fail (DC_IS_TRAFFIC_ITEM (self), NULL);

  out = g_string_new (NULL);
  dt = dc_traffic_local_time_new (self->time);
  time = dt ? g_date_time_format (dt, "%Y-%m-%d %H:%M:%S.%f") : g_strdup ("?");
  g_string_append_printf (out, "%s  %s  %s\n", time,
                          self->incoming ? _("received") : _("sent"), self->summary);
  if (self->status == DC_TRAFFIC_TIMEOUT)
    g_string_append_printf (out, "%s\n", _("No answer before the next request (timeout)."));
  if (self->decode_error != NULL)
    g_string_append_printf (out, _("Decode error: %s\n"), self->decode_error);
  g_string_append_c (out, '\n');
  annotate_frame (self, out);
  return g_string_free (out, FALSE);
}

void
dc_traffic_item_append_text (DcTrafficItem *self,
                             GString       *out)
{
  g_autoptr(GDateTime) dt = dc_traffic_local_time_new (self->time);
  g_autofree char *time = dt ? g_date_time_format (dt, "%Y-%m-%d %H:%M:%S.%f") : g_strdup ("?");
  gsize len;
  const guint8 *bytes = g_bytes_get_data (self->bytes, &len);
  g_autofree char *hex = dc_traffic_format_hex (bytes, len);

  g_string_append_printf (out, "%s %s %s%s\n    %s\n", time, self->incoming ? "rx" : "tx",
                          self->summary,
                          self->status == DC_TRAFFIC_TIMEOUT ? " (no answer)" : "", hex);
}

void
dc_traffic_item_get_frame (DcTrafficItem  *self,
                           DcTrafficFrame *frame)
{
  gsize len;

  frame->seq = self->seq;
  frame->time = self->time;
  frame->incoming = self->incoming;
  frame->bytes = (guint8 *) g_bytes_get_data (self->bytes, &len);
  frame->len = len;
}
