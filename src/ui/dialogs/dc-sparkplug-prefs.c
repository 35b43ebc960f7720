/* dc-sparkplug-prefs.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-sparkplug-prefs"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n.h>

#include "dc-sparkplug-prefs.h"

#define GROUP "sparkplug"

struct _DcSparkplugPrefs
{
  AdwPreferencesPage  parent_instance;

  char               *config_path;
  GHashTable         *widgets;   /* key → GtkWidget (borrowed, children of the page) */
  gboolean            loading;
};

G_DEFINE_FINAL_TYPE (DcSparkplugPrefs, dc_sparkplug_prefs, ADW_TYPE_PREFERENCES_PAGE)

typedef enum
{
  FIELD_TEXT,      /* any text; empty = none */
  FIELD_ID,        /* a Sparkplug id: non-empty, no '/', '+' or '#' */
  FIELD_OPTIONAL_ID,
  FIELD_HOST,      /* non-empty */
} FieldKind;

typedef struct
{
  const char *key;
  const char *title;
  FieldKind   kind;
  const char *fallback;
} Field;

static const Field text_fields[] = {
  { "host", N_("Broker _host"), FIELD_HOST, "127.0.0.1" },
  { "group_id", N_("_Group id"), FIELD_ID, "DataColl" },
  { "edge_node_id", N_("_Edge node id"), FIELD_ID, "datacoll" },
  { "username", N_("_Username (empty: anonymous)"), FIELD_TEXT, "" },
  { "password_file", N_("_Password file (its first line)"), FIELD_TEXT, "" },
  { "tls_ca", N_("TLS _CA file (empty: plain TCP)"), FIELD_TEXT, "" },
  { "primary_host_id", N_("P_rimary host id (empty: none)"), FIELD_OPTIONAL_ID, "" },
};

static void
toast (DcSparkplugPrefs *self,
       const char       *text)
{
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_PREFERENCES_WINDOW);

  if (window != NULL)
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (window), adw_toast_new (text));
  else
    g_message ("%s", text);
}

static gboolean
write_value (DcSparkplugPrefs  *self,
             const char        *key,
             const char        *value,
             GError           **error)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *dir = NULL;

  if (!g_key_file_load_from_file (keyfile, self->config_path,
                                  G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS,
                                  &local_error) &&
      !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  dir = g_path_get_dirname (self->config_path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s", dir,
                   g_strerror (errno));
      return FALSE;
    }
  g_key_file_set_string (keyfile, GROUP, key, value);
  return g_key_file_save_to_file (keyfile, self->config_path, error);
}

static void
save (DcSparkplugPrefs *self,
      const char       *key,
      const char       *value)
{
  g_autoptr(GError) error = NULL;

  if (self->loading)
    return;
  if (!write_value (self, key, value, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Could not save the settings: %s"),
                                               error->message);

      toast (self, text);
    }
}

static gboolean
id_is_valid (const char *id)
{
  return *id != '\0' && g_utf8_validate (id, -1, NULL) && strpbrk (id, "/+#") == NULL;
}

static void
entry_apply_cb (AdwEntryRow *row,
                gpointer     user_data)
{
  DcSparkplugPrefs *self = user_data;
  const Field *field = g_object_get_data (G_OBJECT (row), "dc-field");
  g_autofree char *value = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  if ((field->kind == FIELD_ID && !id_is_valid (value)) ||
      (field->kind == FIELD_OPTIONAL_ID && *value != '\0' && !id_is_valid (value)))
    {
      toast (self, _("A Sparkplug id must not be empty nor contain '/', '+' or '#'"));
      return;
    }
  if (field->kind == FIELD_HOST && *value == '\0')
    {
      toast (self, _("The broker's host must not be empty"));
      return;
    }
  save (self, field->key, value);
}

static void
enabled_cb (DcSparkplugPrefs *self)
{
  GtkSwitch *sw = GTK_SWITCH (g_hash_table_lookup (self->widgets, "enabled"));

  save (self, "enabled", gtk_switch_get_active (sw) ? "true" : "false");
}

static void
spin_cb (GtkSpinButton *spin,
         gpointer       user_data)
{
  DcSparkplugPrefs *self = user_data;
  g_autofree char *text = g_strdup_printf ("%d", gtk_spin_button_get_value_as_int (spin));

  save (self, g_object_get_data (G_OBJECT (spin), "dc-key"), text);
}

static GtkWidget *
add_spin_row (DcSparkplugPrefs    *self,
              AdwPreferencesGroup *group,
              const char          *key,
              const char          *title,
              const char          *subtitle,
              double               lower,
              double               upper,
              double               value)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin = gtk_spin_button_new_with_range (lower, upper, 1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), value);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  title, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);
  g_object_set_data (G_OBJECT (spin), "dc-key", (gpointer) key);
  g_signal_connect (spin, "value-changed", G_CALLBACK (spin_cb), self);
  adw_preferences_group_add (group, row);
  g_hash_table_insert (self->widgets, (gpointer) key, spin);
  return spin;
}

static void
build (DcSparkplugPrefs *self,
       GKeyFile         *keyfile)
{
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  AdwPreferencesGroup *queue = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *sw = gtk_switch_new ();
  GtkWidget *note;
  g_autofree char *note_text = NULL;
  g_autoptr(GError) error = NULL;
  int port, queue_mb;

  adw_preferences_group_set_title (group, _("MQTT Sparkplug B"));
  adw_preferences_group_set_description (group,
    _("Publish the devices and points to an MQTT broker as a Sparkplug B edge node"));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self), group);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("_Publish to a broker"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
  gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
  gtk_switch_set_active (GTK_SWITCH (sw), g_key_file_get_boolean (keyfile, GROUP, "enabled",
                                                              NULL));
  gtk_accessible_update_property (GTK_ACCESSIBLE (sw), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Publish to a broker"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), sw);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), sw);
  g_signal_connect_swapped (sw, "notify::active", G_CALLBACK (enabled_cb), self);
  adw_preferences_group_add (group, row);
  g_hash_table_insert (self->widgets, (gpointer) "enabled", sw);

  for (guint i = 0; i < G_N_ELEMENTS (text_fields); i++)
    {
      const Field *field = &text_fields[i];
      g_autofree char *value = g_key_file_get_string (keyfile, GROUP, field->key, NULL);
      GtkWidget *entry = adw_entry_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (entry), _(field->title));
      adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (entry), TRUE);
      adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (entry), TRUE);
      gtk_editable_set_text (GTK_EDITABLE (entry),
                             value != NULL ? g_strstrip (value) : field->fallback);
      g_object_set_data (G_OBJECT (entry), "dc-field", (gpointer) field);
      g_signal_connect (entry, "apply", G_CALLBACK (entry_apply_cb), self);
      adw_preferences_group_add (group, entry);
      g_hash_table_insert (self->widgets, (gpointer) field->key, entry);
      if (i == 0)
        {
          port = g_key_file_get_integer (keyfile, GROUP, "port", &error);
          if (error != NULL || port < 1 || port > 65535)
            port = 1883;
          g_clear_error (&error);
          add_spin_row (self, group, "port", _("Broker p_ort"), NULL, 1, 65535, port);
        }
    }

  adw_preferences_group_set_title (queue, _("Store and Forward"));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self), queue);
  queue_mb = g_key_file_get_integer (keyfile, GROUP, "queue_mb", &error);
  if (error != NULL || queue_mb < 1)
    queue_mb = 1024;
  g_clear_error (&error);
  add_spin_row (self, queue, "queue_mb", _("_Queue bound (MiB)"),
                _("Values kept while the broker is away, sent as historical afterwards; past "
                  "the bound the oldest are dropped"),
                1, 1024 * 1024, queue_mb);

  /* Translators: %s is a file path. */
  note_text = g_strdup_printf (_("Saved in %s. The server uses these settings from its next "
                                 "start."), self->config_path);
  note = gtk_label_new (note_text);
  gtk_label_set_wrap (GTK_LABEL (note), TRUE);
  gtk_label_set_xalign (GTK_LABEL (note), 0);
  gtk_label_set_selectable (GTK_LABEL (note), TRUE);
  gtk_widget_add_css_class (note, "dim-label");
  gtk_widget_add_css_class (note, "caption");
  {
    AdwPreferencesGroup *last = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());

    adw_preferences_group_add (last, note);
    adw_preferences_page_add (ADW_PREFERENCES_PAGE (self), last);
  }
}

static void
dc_sparkplug_prefs_finalize (GObject *object)
{
  DcSparkplugPrefs *self = DC_SPARKPLUG_PREFS (object);

  g_free (self->config_path);
  g_hash_table_unref (self->widgets);

  G_OBJECT_CLASS (dc_sparkplug_prefs_parent_class)->finalize (object);
}

static void
dc_sparkplug_prefs_class_init (DcSparkplugPrefsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = dc_sparkplug_prefs_finalize;
}

static void
dc_sparkplug_prefs_init (DcSparkplugPrefs *self)
{
  self->widgets = g_hash_table_new (g_str_hash, g_str_equal);
}

GtkWidget *
dc_sparkplug_prefs_new (const char *config_path)
{
  DcSparkplugPrefs *self;
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();

  g_return_val_if_fail (config_path != NULL, NULL);

  self = g_object_new (DC_TYPE_SPARKPLUG_PREFS,
                       "title", _("Sparkplug"),
                       "icon-name", "network-transmit-receive-symbolic",
                       NULL);
  self->config_path = g_strdup (config_path);
  g_key_file_load_from_file (keyfile, config_path, G_KEY_FILE_NONE, NULL);
  self->loading = TRUE;
  build (self, keyfile);
  self->loading = FALSE;

  return GTK_WIDGET (self);
}

GtkWidget *
dc_sparkplug_prefs_get_widget (DcSparkplugPrefs *self,
                               const char       *key)
{
  g_return_val_if_fail (DC_IS_SPARKPLUG_PREFS (self), NULL);

  return g_hash_table_lookup (self->widgets, key);
}
