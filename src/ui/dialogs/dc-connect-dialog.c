/* dc-connect-dialog.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-connect-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "dc-connect-dialog.h"

#define MAX_RECENT 10

typedef struct
{
  AdwEntryRow   *url_row;
  guint          n_recent;
  DcConnectFunc  connect;
  gpointer       user_data;
} ConnectData;

static void
response_cb (AdwMessageDialog *dialog,
             const char       *response,
             ConnectData      *d)
{
  g_autofree char *url = NULL;

  if (!g_str_equal (response, "connect"))
    return;
  url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (d->url_row))));
  if (url[0] != '\0')
    d->connect (url, d->user_data);
}

static void
recent_activated_cb (AdwActionRow *row,
                     ConnectData  *d)
{
  gtk_editable_set_text (GTK_EDITABLE (d->url_row),
                         adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
  gtk_widget_grab_focus (GTK_WIDGET (d->url_row));
}

GtkWidget *
dc_connect_dialog_present (GtkWindow     *parent,
                           GSettings     *settings,
                           DcConnectFunc  connect,
                           gpointer       user_data)
{
  ConnectData *d = g_new0 (ConnectData, 1);
  g_auto(GStrv) recent = settings ? g_settings_get_strv (settings, "recent-servers") : NULL;
  GtkWidget *dialog;
  GtkWidget *box;
  GtkWidget *group;

  g_return_val_if_fail (connect != NULL, NULL);

  d->connect = connect;
  d->user_data = user_data;
  dialog = adw_message_dialog_new (parent, _("Connect to Server"),
                                   _("The address of a DataColl server, for example "
                                     "https://scada1:8080. A new window opens on it."));
  gtk_window_set_title (GTK_WINDOW (dialog), _("Connect to Server"));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  group = adw_preferences_group_new ();
  d->url_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (d->url_row), _("Server Address"));
  adw_entry_row_set_activates_default (d->url_row, TRUE);
  if (recent != NULL && recent[0] != NULL)
    gtk_editable_set_text (GTK_EDITABLE (d->url_row), recent[0]);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (d->url_row));
  gtk_box_append (GTK_BOX (box), group);
  if (recent != NULL && recent[0] != NULL)
    {
      group = adw_preferences_group_new ();
      adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Recent Servers"));
      for (guint i = 0; recent[i] != NULL && i < MAX_RECENT; i++)
        {
          GtkWidget *row = adw_action_row_new ();

          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), recent[i]);
          gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
          g_signal_connect (row, "activated", G_CALLBACK (recent_activated_cb), d);
          adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
          d->n_recent++;
        }
      gtk_box_append (GTK_BOX (box), group);
    }
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "connect", _("C_onnect"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "connect",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "connect");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "dc-connect", d, g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (response_cb), d);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (GTK_WIDGET (d->url_row));
  return dialog;
}

void
dc_connect_dialog_set_url (GtkWidget  *dialog,
                           const char *url)
{
  ConnectData *d = g_object_get_data (G_OBJECT (dialog), "dc-connect");

  g_return_if_fail (d != NULL);
  gtk_editable_set_text (GTK_EDITABLE (d->url_row), url);
}

guint
dc_connect_dialog_get_n_recent (GtkWidget *dialog)
{
  ConnectData *d = g_object_get_data (G_OBJECT (dialog), "dc-connect");

  return d ? d->n_recent : 0;
}

void
dc_connect_remember_server (GSettings  *settings,
                            const char *url)
{
  g_auto(GStrv) old = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) recent = NULL;
  guint n = 1;

  g_return_if_fail (url != NULL);
  if (settings == NULL)
    return;
  old = g_settings_get_strv (settings, "recent-servers");
  g_strv_builder_add (builder, url);
  for (guint i = 0; old[i] != NULL && n < MAX_RECENT; i++)
    if (!g_str_equal (old[i], url))
      {
        g_strv_builder_add (builder, old[i]);
        n++;
      }
  recent = g_strv_builder_end (builder);
  g_settings_set_strv (settings, "recent-servers", (const char * const *) recent);
}
