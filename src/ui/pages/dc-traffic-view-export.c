/* dc-traffic-view-export.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The Traffic page's exports (docs/ui-traffic.md): the frames shown, as text or as a pcap file
 * Wireshark reads. Called by dc-traffic-view.c only (no type checks here: no call back).
 */

#define G_LOG_DOMAIN "dc-traffic-view"

#include "config.h"

#include <glib/gi18n.h>

#include "dc-pcap.h"
#include "dc-protocol.h"
#include "dc-traffic-view-private.h"

gboolean
_dc_traffic_view_write_text (DcTrafficView *self,
                             GFile         *file,
                             GError       **error)
{
  GListModel *model;
  g_autoptr(GString) out = g_string_new (NULL);
  guint n;

  model = G_LIST_MODEL (self->shown);
  n = g_list_model_get_n_items (model);
  /* The list is newest first; files are oldest first. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(DcTrafficItem) item = g_list_model_get_item (model, n - 1 - i);

      dc_traffic_item_append_text (item, out);
    }
  return g_file_replace_contents (file, out->str, out->len, NULL, FALSE,
                                  G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, error);
}

gboolean
_dc_traffic_view_write_pcap (DcTrafficView *self,
                             GFile         *file,
                             GError       **error)
{
  GListModel *model;
  g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonObject) device = NULL;
  g_autofree char *path = g_file_get_path (file);
  const DcProtocol *protocol = NULL;
  const char *ip = "127.0.0.2";
  guint16 port = 502;

  model = G_LIST_MODEL (self->shown);
  if (self->feed != NULL)
    protocol = dc_protocol_lookup (dc_traffic_feed_get_protocol (self->feed));
  if (self->source != NULL && self->device_id != NULL)
    device = dc_plant_source_get (self->source, DC_KIND_DEVICE, self->device_id);
  if (protocol != NULL && protocol->default_port != 0)
    port = protocol->default_port;
  if (device != NULL)
    {
      ip = json_object_get_string_member_with_default (device, "ip", ip);
      port = (guint16) json_object_get_int_member_with_default (device, "port", port);
    }
  for (guint i = g_list_model_get_n_items (model); i > 0; i--)
    {
      g_autoptr(DcTrafficItem) item = g_list_model_get_item (model, i - 1);
      DcTrafficFrame *frame = g_new0 (DcTrafficFrame, 1);

      /* Borrowed bytes: the items stay alive in the model during the write. */
      dc_traffic_item_get_frame (item, frame);
      g_ptr_array_add (frames, frame);
    }
  return dc_pcap_save (path, frames, ip, port, 50000, error);
}

static void
export_response_cb (GtkNativeDialog *native,
                    int              response,
                    gpointer         user_data)
{
  DcTrafficView *self = user_data;
  gboolean pcap = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (native), "dc-pcap"));
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  gboolean ok;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      ok = pcap ? _dc_traffic_view_write_pcap (self, file, &error)
                : _dc_traffic_view_write_text (self, file, &error);
      if (!ok && ADW_IS_APPLICATION_WINDOW (root))
        {
          GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (root), _("Export Failed"),
                                                      error->message);

          adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
          gtk_window_present (GTK_WINDOW (dialog));
        }
    }
  g_object_unref (native);
  g_object_unref (self);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  DcTrafficView *self = (DcTrafficView *) widget;
  gboolean pcap = g_str_equal (action_name, "traffic.export-pcap");
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *native;
  g_autofree char *name = NULL;

  native = gtk_file_chooser_native_new (pcap ? _("Export Traffic as Pcap") : _("Export Traffic as Text"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  name = g_strdup_printf ("%s-traffic.%s", self->device_id ? self->device_id : "device",
                          pcap ? "pcap" : "txt");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);
  g_object_set_data (G_OBJECT (native), "dc-pcap", GINT_TO_POINTER (pcap));
  g_signal_connect (native, "response", G_CALLBACK (export_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

void
_dc_traffic_view_class_init_export (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "traffic.export-text", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "traffic.export-pcap", NULL, export_action);
}
