/* dc-window-device.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The Device page of DcWindow (docs/ui.md "Device page"): where the selected device is (its
 * address and port, or serial line, and the common address or unit id of each of its terms,
 * read from its configuration through the plant connection), its state and last error, and one
 * set of link counters (DcLinkCounters: the driver's status through the same connection, so a
 * desk on a server shows what the server's drivers count).
 */

#define G_LOG_DOMAIN "dc-window"

#include "config.h"

#include <glib/gi18n.h>

#include "dc-window-private.h"
#include "dc-protocol.h"

/* The default of a device field, as the protocol's edit form shows it ("2404"); NULL if none. */
static const char *
field_hint (const DcProtocol *protocol,
            const char       *key)
{
  if (protocol == NULL || protocol->fields == NULL)
    return NULL;
  for (const DcProtocolField *f = protocol->fields; f->key != NULL; f++)
    if (f->kind == DC_KIND_DEVICE && g_str_equal (f->key, key))
      return f->hint;
  return NULL;
}

/* A member as text: strings as they are, numbers in decimal; NULL when absent or empty. */
static char *
member_text (JsonObject *object,
             const char *key)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, key))
    return NULL;
  node = json_object_get_member (object, key);
  if (!JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *s = json_node_get_string (node);

      return s != NULL && s[0] != '\0' ? g_strdup (s) : NULL;
    }
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return g_strdup_printf ("%g", json_node_get_double (node));
  return NULL;
}

static void
show_row (AdwActionRow *row,
          const char   *title,
          const char   *text)
{
  gtk_widget_set_visible (GTK_WIDGET (row), text != NULL);
  if (title != NULL)
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (row, text != NULL ? text : "");
}

/* The term addresses of the device: "1" for one term, "1 (Station 1), 2 (Station 2)" for
 * several; NULL when no term has one (virtual and formula devices). */
static char *
term_addresses (DcPlantSource *source,
                DcDeviceNode  *device)
{
  GListModel *terms = G_LIST_MODEL (dc_device_node_get_children (device));
  guint n = g_list_model_get_n_items (terms);
  g_autoptr(GString) text = g_string_new (NULL);
  guint shown = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(DcDeviceNode) term = g_list_model_get_item (terms, i);
      g_autoptr(JsonObject) object = dc_plant_source_get (source, DC_KIND_TERM,
                                                          dc_device_node_get_id (term));
      g_autofree char *address = member_text (object, "address");

      if (address == NULL)
        continue;
      if (shown++ > 0)
        g_string_append (text, ", ");
      g_string_append (text, address);
      if (n > 1)
        g_string_append_printf (text, " (%s)", dc_device_node_get_name (term));
    }
  return shown > 0 ? g_string_free (g_steal_pointer (&text), FALSE) : NULL;
}

/* Where the device is, from its configuration: address, port (the protocol's default when the
 * device leaves it out), backup address, serial line, common address or unit id. */
static void
update_where (DcWindow     *self,
              DcDeviceNode *device)
{
  DcPlantSource *source = _dc_window_get_source (self);
  const char *protocol_name = dc_device_node_get_protocol (device);
  const DcProtocol *protocol = protocol_name ? dc_protocol_lookup (protocol_name) : NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autofree char *ip = NULL;
  g_autofree char *port = NULL;
  g_autofree char *backup = NULL;
  g_autofree char *serial = NULL;
  g_autofree char *terms = NULL;
  const char *term_title;

  if (source != NULL)
    object = dc_plant_source_get (source, DC_KIND_DEVICE, dc_device_node_get_id (device));

  ip = member_text (object, "ip");
  port = member_text (object, "port");
  if (port == NULL && ip != NULL)
    {
      const char *hint = field_hint (protocol, "port");

      if (hint != NULL)
        /* Translators: the port a device leaves out, e.g. "2404 (default)" */
        port = g_strdup_printf (_("%s (default)"), hint);
      else if (protocol != NULL && protocol->default_port != 0)
        {
          g_autofree char *number = g_strdup_printf ("%u", protocol->default_port);

          port = g_strdup_printf (_("%s (default)"), number);
        }
    }
  {
    g_autofree char *bip = member_text (object, "backup_ip");
    g_autofree char *bport = member_text (object, "backup_port");

    if (bip != NULL)
      backup = bport != NULL ? g_strdup_printf ("%s:%s", bip, bport) : g_strdup (bip);
  }
  {
    g_autofree char *line = member_text (object, "serial");

    if (line != NULL)
      {
        g_autofree char *baud = member_text (object, "baud");
        g_autofree char *parity = member_text (object, "parity");
        g_autofree char *data_bits = member_text (object, "data_bits");
        g_autofree char *stop_bits = member_text (object, "stop_bits");

        /* "/dev/ttyUSB0, 9600 8E1" with the defaults of docs/model.md */
        serial = g_strdup_printf ("%s, %s %s%s%s", line, baud ? baud : "9600",
                                  data_bits ? data_bits : "8", parity ? parity : "E",
                                  stop_bits ? stop_bits : "1");
      }
  }
  if (source != NULL)
    terms = term_addresses (source, device);

  if (g_strcmp0 (protocol_name, "iec104") == 0)
    term_title = _("Common address");
  else if (protocol_name != NULL && g_str_has_prefix (protocol_name, "modbus"))
    term_title = _("Unit id");
  else
    term_title = _("Term address");

  show_row (self->device_address_row, NULL, ip);
  show_row (self->device_port_row, NULL, port);
  show_row (self->device_backup_row, NULL, backup);
  show_row (self->device_serial_row, NULL, serial);
  show_row (self->device_unit_row, term_title, terms);
}

void
_dc_window_device_update (DcWindow *self)
{
  DcDeviceNode *device = self->device;
  g_autofree char *points = NULL;
  const char *protocol_name;
  const DcProtocol *protocol;
  const char *error;

  if (device == NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->device_state_row), _("State"));
      adw_action_row_set_subtitle (self->device_state_row, _("No device selected"));
      gtk_image_set_from_icon_name (self->device_state_icon, NULL);
      show_row (self->device_protocol_row, NULL, NULL);
      show_row (self->device_address_row, NULL, NULL);
      show_row (self->device_port_row, NULL, NULL);
      show_row (self->device_backup_row, NULL, NULL);
      show_row (self->device_serial_row, NULL, NULL);
      show_row (self->device_unit_row, NULL, NULL);
      show_row (self->device_error_row, NULL, NULL);
      show_row (self->device_points_row, NULL, NULL);
      return;
    }

  protocol_name = dc_device_node_get_protocol (device);
  protocol = protocol_name ? dc_protocol_lookup (protocol_name) : NULL;
  error = dc_device_node_get_last_error (device);
  points = g_strdup_printf ("%u", dc_device_node_get_n_points (device));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->device_state_row),
                                 dc_device_node_get_name (device));
  adw_action_row_set_subtitle (self->device_state_row, dc_device_node_get_state_text (device));
  gtk_image_set_from_icon_name (self->device_state_icon, dc_device_node_get_state_icon (device));
  /* The protocol's name in words ("IEC 60870-5-104"), not its code. */
  show_row (self->device_protocol_row, NULL,
            protocol != NULL && protocol->title != NULL ? _(protocol->title)
            : protocol_name != NULL ? protocol_name : "—");
  show_row (self->device_error_row, NULL, error && error[0] ? error : _("None"));
  show_row (self->device_points_row, NULL, points);
  update_where (self, device);
}

/* The counters were read again (every second while the page is shown): the configuration may
 * have changed too (an edit on another desk), so the rows above them follow. */
static void
counters_updated_cb (DcWindow *self)
{
  if (self->device != NULL)
    update_where (self, self->device);
}

void
_dc_window_class_init_device (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, DcWindow, device_state_row);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, device_state_icon);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, device_protocol_row);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, device_address_row);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, device_port_row);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, device_backup_row);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, device_serial_row);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, device_unit_row);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, device_error_row);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, device_points_row);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, link_counters);
}

void
_dc_window_init_device (DcWindow *self)
{
  g_signal_connect_object (self->link_counters, "updated", G_CALLBACK (counters_updated_cb),
                           self, G_CONNECT_SWAPPED);
  _dc_window_device_update (self);
}
