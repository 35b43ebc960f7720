/* dc-window-connection.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-window"

#include "config.h"

#include <glib/gi18n.h>

#include "dc-control-dialog.h"
#include "dc-remote-source.h"
#include "dc-window-private.h"

/* The window's plant connection (docs/ui.md "The plant connection"): where the header says
 * it is connected (location, user and role), the banner while the connection is lost or a
 * login is needed (values greyed as stale, edits and controls disabled), win.reconnect.
 *
 *   win.reconnect   the banner's button: try now (or ask for a login) */

/* The actions that change the plant: enabled only while the connection is live. */
static const char *write_actions[] = {
  "win.add-device", "win.add-term", "win.add-item", "win.add-point", "win.edit",
  "win.duplicate", "win.delete", "win.import", "win.add-formula", "win.edit-formula",
};

DcPlantSource *
_dc_window_get_source (DcWindow *self)
{
  DcStore *store;
  DcEngine *engine;

  if (self->source != NULL)
    return self->source;
  store = self->plant ? dc_plant_model_get_store (self->plant) : NULL;
  engine = self->plant ? dc_plant_model_get_engine (self->plant) : NULL;
  if (store == NULL)
    {
      g_clear_object (&self->fallback);
      return NULL;
    }
  /* Not attached: the plant model already follows this store and engine. */
  if (self->fallback == NULL ||
      dc_plant_source_get_local_store (self->fallback) != store ||
      dc_plant_source_get_local_engine (self->fallback) != engine)
    {
      g_clear_object (&self->fallback);
      self->fallback = DC_PLANT_SOURCE (dc_local_source_new (store, engine));
    }
  return self->fallback;
}

/* Roles of docs/security.md, each including the one before it; NULL (local, a token, an open
 * server) may do everything the server lets it. */
static int
role_rank (const char *role)
{
  static const char *roles[] = { "viewer", "operator", "engineer", "admin" };

  if (role == NULL)
    return G_N_ELEMENTS (roles);
  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (g_str_equal (roles[i], role))
      return (int) i;
  return 0;
}

static gboolean
may (DcWindow   *self,
     const char *needed)
{
  DcPlantSource *source = _dc_window_get_source (self);

  return role_rank (source ? dc_plant_source_get_role (source) : NULL) >= role_rank (needed);
}

gboolean
_dc_window_is_connected (DcWindow *self)
{
  DcPlantSource *source = _dc_window_get_source (self);

  return source != NULL && dc_plant_source_get_state (source) == DC_SOURCE_CONNECTED;
}

void
_dc_window_update_control (DcWindow *self)
{
  DcPointRow *row = dc_point_table_get_selected (self->point_table);

  gboolean allowed = may (self, "operator");

  /* A role without the right sees the action off and which role it needs; the server
   * refuses it anyway (403). */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.control",
                                 allowed && _dc_window_is_connected (self) &&
                                 dc_control_is_possible (_dc_window_get_source (self), row));
  gtk_widget_set_tooltip_text (self->control_button,
                               allowed ? _("Send a command to this point")
                                       : _("Controls need the operator role"));
}

static void
update_connection (DcWindow *self)
{
  DcPlantSource *source = self->source;
  DcSourceState state = source ? dc_plant_source_get_state (source) : DC_SOURCE_CONNECTED;
  const char *user = source ? dc_plant_source_get_user (source) : NULL;
  const char *role = source ? dc_plant_source_get_role (source) : NULL;
  gboolean remote = source != NULL && !dc_plant_source_is_local (source);
  gboolean live = state == DC_SOURCE_CONNECTED;
  const char *banner = NULL;
  const char *button = NULL;

  /* The header: the server's address (as the local REST address is shown), user and role. */
  if (remote)
    {
      g_autofree char *who = NULL;

      if (user != NULL && role != NULL)
        /* Translators: "<user> (<role>)" in the header */
        who = g_strdup_printf (_("%s (%s)"), user, role);
      else
        who = g_strdup (user);
      gtk_label_set_label (self->rest_label, dc_plant_source_get_location (source));
      gtk_widget_set_visible (GTK_WIDGET (self->rest_button), TRUE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.copy-rest-address", TRUE);
      gtk_label_set_label (self->user_label, who ? who : "");
      gtk_widget_set_visible (GTK_WIDGET (self->user_label), who != NULL);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->rest_button),
                                   _("Connected to this DataColl server — click to copy"));
    }

  switch (state)
    {
    case DC_SOURCE_CONNECTING:
      banner = _("Connecting to the server…");
      break;
    case DC_SOURCE_LOST:
      banner = _("Connection to the server lost — values are stale, controls are off. Reconnecting…");
      button = _("_Reconnect Now");
      break;
    case DC_SOURCE_LOGIN:
      banner = _("The server asks for a user name and password.");
      button = _("_Log In…");
      break;
    case DC_SOURCE_TRUST:
      banner = _("This system does not trust the server’s certificate.");
      button = _("_Check Certificate…");
      break;
    case DC_SOURCE_CONNECTED:
    default:
      break;
    }
  gtk_label_set_label (self->connection_label, banner ? banner : "");
  gtk_button_set_use_underline (self->connection_button, TRUE);
  gtk_button_set_label (self->connection_button, button ? button : "");
  gtk_widget_set_visible (GTK_WIDGET (self->connection_button), button != NULL);
  gtk_revealer_set_reveal_child (self->connection_revealer, banner != NULL);

  /* Stale values are greyed; nothing that changes the plant can be started. */
  if (live)
    gtk_widget_remove_css_class (GTK_WIDGET (self->main_stack), "stale");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->main_stack), "stale");
  for (guint i = 0; i < G_N_ELEMENTS (write_actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), write_actions[i],
                                   live && may (self, "engineer"));
  gtk_widget_set_tooltip_text (self->edit_button,
                               may (self, "engineer") ? _("Add, edit or delete")
                                                      : _("Changing the configuration needs the engineer role"));
  _dc_window_update_control (self);
}

void
_dc_window_set_source (DcWindow      *self,
                       DcPlantSource *source)
{
  if (self->source == source)
    return;
  if (self->source != NULL)
    g_signal_handlers_disconnect_by_data (self->source, self);
  g_set_object (&self->source, source);
  if (source != NULL)
    g_signal_connect_object (source, "changed", G_CALLBACK (update_connection), self,
                             G_CONNECT_SWAPPED);
  update_connection (self);
}

static void
reconnect_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  DcWindow *self = (DcWindow *) widget;

  if (self->source == NULL || !DC_IS_REMOTE_SOURCE (self->source))
    return;
  if (dc_plant_source_get_state (self->source) == DC_SOURCE_LOGIN)
    gtk_widget_activate_action (widget, "app.login", NULL);
  else if (dc_plant_source_get_state (self->source) == DC_SOURCE_TRUST)
    gtk_widget_activate_action (widget, "app.trust-server", NULL);
  else
    dc_remote_source_reconnect (DC_REMOTE_SOURCE (self->source));
}

void
_dc_window_dispose_connection (DcWindow *self)
{
  if (self->source != NULL)
    g_signal_handlers_disconnect_by_data (self->source, self);
  g_clear_object (&self->source);
  g_clear_object (&self->fallback);
}

void
_dc_window_class_init_connection (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, DcWindow, user_label);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, connection_revealer);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, connection_label);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, connection_button);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, control_button);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, edit_button);
  gtk_widget_class_install_action (widget_class, "win.reconnect", NULL, reconnect_action);
}
