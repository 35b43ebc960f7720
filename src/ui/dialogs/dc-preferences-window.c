/* dc-preferences-window.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-preferences-window"

#include "config.h"

#include <errno.h>

#include <glib/gi18n.h>

#include "dc-preferences-window.h"
#include "dc-sparkplug-prefs.h"
#include "dc-ui.h"

struct _DcPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GtkSpinButton        *refresh_spin;
  GtkSwitch            *alarm_sound_switch;
  AdwEntryRow          *bind_row;
  GtkSpinButton        *port_spin;
  GtkSpinButton        *retention_spin;
  GtkSwitch            *postgresql_switch;
  AdwEntryRow          *url_row;
  AdwEntryRow          *password_file_row;
  GtkLabel             *config_path_label;

  GSettings            *settings;
  DcAudit              *audit;
  char                 *config_path;
  guint                 loading : 1;
};

G_DEFINE_FINAL_TYPE (DcPreferencesWindow, dc_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
report_error (DcPreferencesWindow *self,
              const GError        *error)
{
  g_autofree char *text = g_strdup_printf (_("Could not save the settings: %s"), error->message);

  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (text));
}

static void
save_setting (DcPreferencesWindow *self,
              const char          *group,
              const char          *key,
              const char          *value)
{
  g_autoptr(GError) error = NULL;

  if (self->loading)
    return;
  if (!dc_preferences_window_write_setting (self, group, key, value, &error))
    report_error (self, error);
}

static void
bind_apply_cb (DcPreferencesWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->bind_row));
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (text);

  if (address == NULL)
    {
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                        adw_toast_new (_("The bind address must be an IP address")));
      return;
    }
  save_setting (self, "server", "bind", text);
}

static void
port_changed_cb (DcPreferencesWindow *self)
{
  g_autofree char *text = g_strdup_printf ("%d", gtk_spin_button_get_value_as_int (self->port_spin));

  save_setting (self, "server", "port", text);
}

static void
retention_changed_cb (DcPreferencesWindow *self)
{
  g_autofree char *text = g_strdup_printf ("%d",
                                           gtk_spin_button_get_value_as_int (self->retention_spin));

  save_setting (self, "history", "retention_days", text);
}

/* [history] backend, url and password_file (docs/historian-postgresql.md); the password
 * itself is never stored here. */
static void
postgresql_changed_cb (DcPreferencesWindow *self)
{
  save_setting (self, "history", "backend",
                gtk_switch_get_active (self->postgresql_switch) ? "postgresql" : "sqlite");
}

static void
url_apply_cb (DcPreferencesWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->url_row));

  if (!g_str_has_prefix (text, "postgresql://") && !g_str_has_prefix (text, "postgres://"))
    {
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                        adw_toast_new (_("The URL must start with postgresql://")));
      return;
    }
  save_setting (self, "history", "url", text);
}

static void
password_file_apply_cb (DcPreferencesWindow *self)
{
  save_setting (self, "history", "password_file",
                gtk_editable_get_text (GTK_EDITABLE (self->password_file_row)));
}

static void
load_config (DcPreferencesWindow *self)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autofree char *bind = NULL;
  g_autofree char *label = NULL;
  g_autofree char *backend = NULL;
  g_autofree char *url = NULL;
  g_autofree char *password_file = NULL;
  int port = 8080;
  int retention = 365;

  self->loading = TRUE;
  if (g_key_file_load_from_file (keyfile, self->config_path, G_KEY_FILE_NONE, NULL))
    {
      g_autoptr(GError) error = NULL;
      int v;

      bind = g_key_file_get_string (keyfile, "server", "bind", NULL);
      v = g_key_file_get_integer (keyfile, "server", "port", &error);
      if (error == NULL)
        port = v;
      g_clear_error (&error);
      v = g_key_file_get_integer (keyfile, "history", "retention_days", &error);
      if (error == NULL)
        retention = v;
      backend = g_key_file_get_string (keyfile, "history", "backend", NULL);
      url = g_key_file_get_string (keyfile, "history", "url", NULL);
      password_file = g_key_file_get_string (keyfile, "history", "password_file", NULL);
    }
  gtk_editable_set_text (GTK_EDITABLE (self->bind_row), bind ? bind : "127.0.0.1");
  gtk_spin_button_set_value (self->port_spin, port);
  gtk_spin_button_set_value (self->retention_spin, retention);
  gtk_switch_set_active (self->postgresql_switch, g_strcmp0 (backend, "postgresql") == 0);
  gtk_editable_set_text (GTK_EDITABLE (self->url_row), url != NULL ? url : "");
  gtk_editable_set_text (GTK_EDITABLE (self->password_file_row),
                         password_file != NULL ? password_file : "");
  /* Translators: %s is a file path. */
  label = g_strdup_printf (_("Saved in %s. The server uses these settings from its next start."),
                           self->config_path);
  gtk_label_set_label (self->config_path_label, label);
  self->loading = FALSE;
}

static void
dc_preferences_window_dispose (GObject *object)
{
  DcPreferencesWindow *self = DC_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), DC_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);
  g_clear_object (&self->audit);

  G_OBJECT_CLASS (dc_preferences_window_parent_class)->dispose (object);
}

static void
dc_preferences_window_finalize (GObject *object)
{
  DcPreferencesWindow *self = DC_PREFERENCES_WINDOW (object);

  g_free (self->config_path);

  G_OBJECT_CLASS (dc_preferences_window_parent_class)->finalize (object);
}

static void
dc_preferences_window_class_init (DcPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  dc_ui_ensure_resources ();

  object_class->dispose = dc_preferences_window_dispose;
  object_class->finalize = dc_preferences_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/datacoll/DataColl/ui/dc-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, DcPreferencesWindow, refresh_spin);
  gtk_widget_class_bind_template_child (widget_class, DcPreferencesWindow, alarm_sound_switch);
  gtk_widget_class_bind_template_child (widget_class, DcPreferencesWindow, bind_row);
  gtk_widget_class_bind_template_child (widget_class, DcPreferencesWindow, port_spin);
  gtk_widget_class_bind_template_child (widget_class, DcPreferencesWindow, retention_spin);
  gtk_widget_class_bind_template_child (widget_class, DcPreferencesWindow, config_path_label);
  gtk_widget_class_bind_template_child (widget_class, DcPreferencesWindow, postgresql_switch);
  gtk_widget_class_bind_template_child (widget_class, DcPreferencesWindow, url_row);
  gtk_widget_class_bind_template_child (widget_class, DcPreferencesWindow, password_file_row);
  gtk_widget_class_bind_template_callback (widget_class, postgresql_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, url_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, password_file_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, port_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, retention_changed_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
dc_preferences_window_init (DcPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

DcPreferencesWindow *
dc_preferences_window_new (GtkWindow  *parent,
                           GSettings  *settings,
                           const char *config_path)
{
  DcPreferencesWindow *self;

  self = g_object_new (DC_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "modal", parent != NULL,
                       NULL);

  if (settings != NULL)
    {
      g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
      g_autoptr(GAction) scheme = g_settings_create_action (settings, "color-scheme");

      self->settings = g_object_ref (settings);
      g_settings_bind (settings, "refresh-rate-hz",
                       gtk_spin_button_get_adjustment (self->refresh_spin), "value",
                       G_SETTINGS_BIND_DEFAULT);
      /* docs/ui-alarms.md "Attention": the bell for new alarms, off by default. */
      g_settings_bind (settings, "alarm-sound", self->alarm_sound_switch, "active",
                       G_SETTINGS_BIND_DEFAULT);
      g_action_map_add_action (G_ACTION_MAP (group), scheme);
      gtk_widget_insert_action_group (GTK_WIDGET (self), "settings", G_ACTION_GROUP (group));
    }
  else
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->refresh_spin), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->alarm_sound_switch), FALSE);
    }

  if (config_path != NULL)
    self->config_path = g_strdup (config_path);
  else
    self->config_path = g_build_filename (g_get_user_config_dir (), "datacoll", "datacoll.conf",
                                          NULL);
  load_config (self);
  /* [sparkplug] (docs/sparkplug.md): a page of its own. */
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self),
                              ADW_PREFERENCES_PAGE (dc_sparkplug_prefs_new (self->config_path)));

  return self;
}

const char *
dc_preferences_window_get_config_path (DcPreferencesWindow *self)
{
  g_return_val_if_fail (DC_IS_PREFERENCES_WINDOW (self), NULL);
  return self->config_path;
}

void
dc_preferences_window_set_audit (DcPreferencesWindow *self,
                                 DcAudit             *audit)
{
  g_return_if_fail (DC_IS_PREFERENCES_WINDOW (self));
  g_return_if_fail (audit == NULL || DC_IS_AUDIT (audit));

  g_set_object (&self->audit, audit);
}

/* A changed setting in the audit log (docs/security.md): "settings.change", target
 * "<group>.<key>", the old and new text; a value written again unchanged is not a change. */
static void
audit_setting (DcPreferencesWindow *self,
               const char          *group,
               const char          *key,
               const char          *old,
               const char          *value,
               const GError        *error)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) detail = NULL;
  g_autofree char *target = NULL;

  if (self->audit == NULL || g_strcmp0 (old, value) == 0)
    return;
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "file");
  json_builder_add_string_value (builder, self->config_path);
  json_builder_set_member_name (builder, "old");
  if (old != NULL)
    json_builder_add_string_value (builder, old);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "new");
  json_builder_add_string_value (builder, value);
  json_builder_end_object (builder);
  detail = json_builder_get_root (builder);
  target = g_strconcat (group, ".", key, NULL);
  dc_audit_record (self->audit, NULL, "settings.change", target, detail,
                   error != NULL ? error->message : "ok");
}

gboolean
dc_preferences_window_write_setting (DcPreferencesWindow  *self,
                                     const char           *group,
                                     const char           *key,
                                     const char           *value,
                                     GError              **error)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *old = NULL;
  gboolean ok;

  g_return_val_if_fail (DC_IS_PREFERENCES_WINDOW (self), FALSE);

  if (!g_key_file_load_from_file (keyfile, self->config_path,
                                  G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS,
                                  &local_error) &&
      !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      audit_setting (self, group, key, NULL, value, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_clear_error (&local_error);
  old = g_key_file_get_string (keyfile, group, key, NULL);

  dir = g_path_get_dirname (self->config_path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;

      g_set_error (&local_error, G_FILE_ERROR, g_file_error_from_errno (errsv),
                   "%s: %s", dir, g_strerror (errsv));
      audit_setting (self, group, key, old, value, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_key_file_set_string (keyfile, group, key, value);
  ok = g_key_file_save_to_file (keyfile, self->config_path, &local_error);
  audit_setting (self, group, key, old, value, local_error);
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return ok;
}
