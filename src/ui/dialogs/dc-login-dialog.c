/* dc-login-dialog.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-login-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "dc-login-dialog.h"

typedef struct
{
  DcRemoteSource *source;
  GtkWindow      *parent;
  AdwEntryRow    *user_row;
  AdwEntryRow    *password_row;
  char           *text;
} LoginData;

static void
login_data_free (gpointer data)
{
  LoginData *d = data;

  g_clear_object (&d->source);
  g_clear_object (&d->parent);
  g_free (d->text);
  g_free (d);
}

static GtkWidget *present_with_text (GtkWindow      *parent,
                                     DcRemoteSource *source,
                                     const char     *user,
                                     const char     *text);

typedef struct
{
  DcRemoteSource *source;
  GtkWindow      *parent;
  char           *user;
} Pending;

static void
logged_in_cb (const GError *error,
              gpointer      user_data)
{
  Pending *p = user_data;

  if (error != NULL)
    {
      /* Translators: %s is the server's refusal, e.g. "invalid user or password!" */
      g_autofree char *text = g_strdup_printf (_("The server refused the login: %s"),
                                               error->message);

      present_with_text (p->parent, p->source, p->user, text);
    }
  g_object_unref (p->source);
  g_clear_object (&p->parent);
  g_free (p->user);
  g_free (p);
}

static void
response_cb (AdwMessageDialog *dialog,
             const char       *response,
             LoginData        *d)
{
  Pending *p;

  if (!g_str_equal (response, "login"))
    return;
  p = g_new0 (Pending, 1);
  p->source = g_object_ref (d->source);
  p->parent = d->parent ? g_object_ref (d->parent) : NULL;
  p->user = g_strdup (gtk_editable_get_text (GTK_EDITABLE (d->user_row)));
  dc_remote_source_login (d->source, p->user,
                          gtk_editable_get_text (GTK_EDITABLE (d->password_row)),
                          logged_in_cb, p);
}

static GtkWidget *
present_with_text (GtkWindow      *parent,
                   DcRemoteSource *source,
                   const char     *user,
                   const char     *text)
{
  LoginData *d = g_new0 (LoginData, 1);
  GtkWidget *dialog;
  GtkWidget *group;
  g_autofree char *heading = NULL;

  /* Translators: %s is the server's address */
  heading = g_strdup_printf (_("Log In to %s"),
                             dc_plant_source_get_location (DC_PLANT_SOURCE (source)));
  d->source = g_object_ref (source);
  d->parent = parent ? g_object_ref (parent) : NULL;
  d->text = g_strdup (text);
  dialog = adw_message_dialog_new (parent, heading, text);
  gtk_window_set_title (GTK_WINDOW (dialog), heading);
  group = adw_preferences_group_new ();
  d->user_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (d->user_row), _("User Name"));
  if (user != NULL)
    gtk_editable_set_text (GTK_EDITABLE (d->user_row), user);
  d->password_row = ADW_ENTRY_ROW (adw_password_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (d->password_row), _("Password"));
  adw_entry_row_set_activates_default (d->password_row, TRUE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (d->user_row));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (d->password_row));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), group);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "login", _("_Log In"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "login",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "login");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "dc-login", d, login_data_free);
  g_signal_connect (dialog, "response", G_CALLBACK (response_cb), d);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (GTK_WIDGET (user != NULL ? d->password_row : d->user_row));
  return dialog;
}

GtkWidget *
dc_login_dialog_present (GtkWindow      *parent,
                         DcRemoteSource *source)
{
  g_return_val_if_fail (DC_IS_REMOTE_SOURCE (source), NULL);

  return present_with_text (parent, source, NULL,
                            _("This DataColl server asks for a user name and password."));
}

void
dc_login_dialog_set_credentials (GtkWidget  *dialog,
                                 const char *user,
                                 const char *password)
{
  LoginData *d = g_object_get_data (G_OBJECT (dialog), "dc-login");

  g_return_if_fail (d != NULL);
  gtk_editable_set_text (GTK_EDITABLE (d->user_row), user);
  gtk_editable_set_text (GTK_EDITABLE (d->password_row), password);
}

const char *
dc_login_dialog_get_text (GtkWidget *dialog)
{
  LoginData *d = g_object_get_data (G_OBJECT (dialog), "dc-login");

  return d ? d->text : NULL;
}

typedef struct
{
  char        *fingerprint;
  DcTrustFunc  trusted;
  gpointer     user_data;
} TrustData;

static void
trust_data_free (gpointer data)
{
  TrustData *t = data;

  g_free (t->fingerprint);
  g_free (t);
}

static void
trust_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   TrustData        *t)
{
  if (g_str_equal (response, "trust"))
    t->trusted (t->fingerprint, t->user_data);
}

GtkWidget *
dc_trust_dialog_present (GtkWindow   *parent,
                         const char  *location,
                         const char  *fingerprint,
                         DcTrustFunc  trusted,
                         gpointer     user_data)
{
  TrustData *t = g_new0 (TrustData, 1);
  GtkWidget *dialog;
  GtkWidget *label;
  g_autofree char *heading = NULL;

  g_return_val_if_fail (fingerprint != NULL, NULL);
  g_return_val_if_fail (trusted != NULL, NULL);

  /* Translators: %s is the server's address */
  heading = g_strdup_printf (_("Trust %s?"), location);
  t->fingerprint = g_strdup (fingerprint);
  t->trusted = trusted;
  t->user_data = user_data;
  dialog = adw_message_dialog_new (parent, heading,
                                   _("This system does not know the certificate of this server "
                                     "(it may be self-signed). Compare its SHA-256 fingerprint "
                                     "with the one the server's administrator gives you; trust "
                                     "it only if they are the same. It is remembered for this "
                                     "server."));
  gtk_window_set_title (GTK_WINDOW (dialog), heading);
  label = gtk_label_new (fingerprint);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_CHAR);
  gtk_widget_add_css_class (label, "monospace");
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), label);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "trust", _("_Trust This Server"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "trust",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "dc-trust", t, trust_data_free);
  g_signal_connect (dialog, "response", G_CALLBACK (trust_response_cb), t);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}
