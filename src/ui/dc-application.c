/* dc-application.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-application"

#include "config.h"

#include <signal.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "dc-application.h"
#include "dc-connect-dialog.h"
#include "dc-local-source.h"
#include "dc-login-dialog.h"
#include "dc-remote-source.h"
#include "dc-ui.h"
#include "dc-preferences-window.h"
#include "dc-window.h"

struct _DcApplication
{
  AdwApplication  parent_instance;

  DcPlantModel   *plant;
  DcPlantSource  *source;        /* the plant connection, attached to @plant */
  int             shown_state;   /* the source state a dialog was opened for (-1: none) */
  DcAlarm        *alarm;
  GSettings      *settings;
  char           *rest_address;
  char           *config_path;
  char           *start_error;   /* shown in a dialog instead of the window */
};

enum {
  OPEN_DEMO,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (DcApplication, dc_application, ADW_TYPE_APPLICATION)

static guint signals[N_SIGNALS];
/* The workstation registered by dc_application_activate_running(), for the run functions. */
static DcApplication *prepared;

static DcWindow *
get_window (DcApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    {
      GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

      for (GList *l = windows; l != NULL; l = l->next)
        if (DC_IS_WINDOW (l->data))
          return l->data;
      return NULL;
    }
  return DC_IS_WINDOW (window) ? DC_WINDOW (window) : NULL;
}

static void
apply_color_scheme (DcApplication *self)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  g_autofree char *scheme = NULL;

  if (self->settings == NULL)
    return;
  scheme = g_settings_get_string (self->settings, "color-scheme");
  if (g_strcmp0 (scheme, "light") == 0)
    adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  else if (g_strcmp0 (scheme, "dark") == 0)
    adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  else
    adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
}

static void
apply_refresh_rate (DcApplication *self)
{
  if (self->settings == NULL)
    return;
  dc_plant_model_set_refresh_rate (self->plant,
                                   g_settings_get_uint (self->settings, "refresh-rate-hz"));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  DcApplication *self = user_data;
  DcPreferencesWindow *prefs;

  prefs = dc_preferences_window_new (GTK_WINDOW (get_window (self)), self->settings,
                                     self->config_path);
  if (dc_plant_model_get_store (self->plant) != NULL)
    dc_preferences_window_set_audit (prefs, dc_store_get_audit (dc_plant_model_get_store (self->plant)));
  gtk_window_present (GTK_WINDOW (prefs));
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  DcApplication *self = user_data;
  static const char *developers[] = { "DataColl contributors", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", get_window (self),
                        "modal", TRUE,
                        "application-name", _("DataColl"),
                        "application-icon", APP_ID,
                        "developer-name", _("DataColl contributors"),
                        "version", PACKAGE_VERSION,
                        "website", "https://github.com/datacoll/datacoll",
                        "issue-url", "https://github.com/datacoll/datacoll/issues",
                        "license-type", GTK_LICENSE_APACHE_2_0,
                        "comments", _("SCADA data collection for Modbus and IEC 60870-5-104 "
                                      "devices, with history, trends and a REST interface."),
                        "developers", developers,
                        /* Translators: put your names here, one per line. */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
help_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  DcApplication *self = user_data;

  g_autofree char *uri = dc_ui_help_uri ();

  /* Uninstalled, yelp would say "Document Not Found": say where the help is instead. */
  if (uri == NULL)
    {
      GtkWindow *window = GTK_WINDOW (get_window (self));

      if (window == NULL || !gtk_widget_activate_action (GTK_WIDGET (window), "win.toast", "s",
                                                         _("The help is not installed: run "
                                                           "build-aux/run, or read help/C/ in "
                                                           "the source tree")))
        g_warning ("help:datacoll is not installed");
      return;
    }
  gtk_show_uri (GTK_WINDOW (get_window (self)), uri, GDK_CURRENT_TIME);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  DcApplication *self = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Close the windows (they save their size); the application ends with the last one. */
  while (windows != NULL)
    {
      GList *next = windows->next;

      gtk_window_close (windows->data);
      windows = next;
    }
}

static void
demo_exited_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(DcApplication) self = user_data;
  GSubprocess *child = G_SUBPROCESS (object);
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_communicate_finish (child, result, NULL, &err, &error) ||
      !g_subprocess_get_successful (child))
    {
      g_autofree char *first = NULL;
      g_autofree char *text = NULL;

      if (err != NULL && g_bytes_get_size (err) > 0)
        {
          first = g_strndup (g_bytes_get_data (err, NULL), g_bytes_get_size (err));
          g_strdelimit (first, "\n", '\0');
        }
      text = g_strdup_printf (_("Could not open the demo plant: %s"),
                              first ? first : error ? error->message : _("it stopped"));
      dc_application_report (self, text);
    }
}

static void
open_demo_action (GSimpleAction *action,
                  GVariant      *param,
                  gpointer       user_data)
{
  DcApplication *self = user_data;
  gboolean handled = FALSE;
  g_autofree char *exe = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) child = NULL;

  g_signal_emit (self, signals[OPEN_DEMO], 0, &handled);
  if (handled)
    return;

  /* The demo plant is its own process (its own database, simulators and a free REST port),
   * so this one keeps running; a failure to start is reported here. */
  exe = g_file_read_link ("/proc/self/exe", &error);
  if (exe != NULL)
    child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_PIPE, &error, exe, "--demo", "--port", "0",
                              NULL);
  if (child == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not open the demo plant: %s"),
                                               error->message);

      dc_application_report (self, text);
      return;
    }
  g_subprocess_communicate_async (child, NULL, NULL, demo_exited_cb, g_object_ref (self));
}

/* app.login: the login dialog of a server that asks for a user (docs/ui.md). */
static void
login_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  DcApplication *self = user_data;
  DcWindow *window = get_window (self);

  if (self->source == NULL || !DC_IS_REMOTE_SOURCE (self->source) || window == NULL)
    return;
  dc_login_dialog_present (GTK_WINDOW (window), DC_REMOTE_SOURCE (self->source));
}

/* A server's certificate the system does not trust: ask (trust on first use), remember the
 * fingerprint for that server, connect again. */
static void
trusted_cb (const char *fingerprint,
            gpointer    user_data)
{
  DcApplication *self = user_data;
  DcRemoteSource *source;
  const char *location;

  if (self->source == NULL || !DC_IS_REMOTE_SOURCE (self->source))
    return;
  source = DC_REMOTE_SOURCE (self->source);
  location = dc_plant_source_get_location (self->source);
  if (self->settings != NULL)
    {
      g_autoptr(GVariant) old = g_settings_get_value (self->settings, "trusted-certificates");
      g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{ss}"));
      GVariantIter iter;
      const char *key, *value;

      g_variant_iter_init (&iter, old);
      while (g_variant_iter_next (&iter, "{&s&s}", &key, &value))
        if (!g_str_equal (key, location))
          g_variant_builder_add (&builder, "{ss}", key, value);
      g_variant_builder_add (&builder, "{ss}", location, fingerprint);
      g_settings_set_value (self->settings, "trusted-certificates",
                            g_variant_builder_end (&builder));
    }
  dc_remote_source_set_trusted_fingerprint (source, fingerprint);
  dc_remote_source_reconnect (source);
}

static void
trust_server_action (GSimpleAction *action,
                     GVariant      *param,
                     gpointer       user_data)
{
  DcApplication *self = user_data;
  const char *fingerprint;

  if (self->source == NULL || !DC_IS_REMOTE_SOURCE (self->source))
    return;
  fingerprint = dc_remote_source_get_pending_fingerprint (DC_REMOTE_SOURCE (self->source));
  if (fingerprint == NULL)
    return;
  dc_trust_dialog_present (GTK_WINDOW (get_window (self)),
                           dc_plant_source_get_location (self->source), fingerprint,
                           trusted_cb, self);
}

static void
connect_exited_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(DcApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_wait_check_finish (G_SUBPROCESS (object), result, &error))
    g_debug ("the desk on another server ended: %s", error->message);
}

/* A new workstation window on @url: its own process (`datacoll --connect URL`), so that this
 * one keeps its plant. */
static void
connect_cb (const char *url,
            gpointer    user_data)
{
  DcApplication *self = user_data;
  g_autofree char *exe = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) child = NULL;

  dc_connect_remember_server (self->settings, url);
  exe = g_file_read_link ("/proc/self/exe", &error);
  if (exe != NULL)
    child = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, exe, "--connect", url, NULL);
  if (child == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not connect to %s: %s"), url,
                                               error->message);

      dc_application_report (self, text);
      return;
    }
  g_subprocess_wait_check_async (child, NULL, connect_exited_cb, g_object_ref (self));
}

static void
connect_server_action (GSimpleAction *action,
                       GVariant      *param,
                       gpointer       user_data)
{
  DcApplication *self = user_data;

  dc_connect_dialog_present (GTK_WINDOW (get_window (self)), self->settings, connect_cb, self);
}

/* The default action of alarm notifications: the window on the Alarms page. */
static void
show_alarms_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  DcApplication *self = user_data;
  DcWindow *window;

  g_application_activate (G_APPLICATION (self));
  if ((window = get_window (self)) != NULL)
    dc_window_set_view (window, "alarms");
}

static const GActionEntry app_actions[] = {
  { "preferences", preferences_action },
  { "about", about_action },
  { "help", help_action },
  { "quit", quit_action },
  { "open-demo", open_demo_action },
  { "show-alarms", show_alarms_action },
  { "login", login_action },
  { "trust-server", trust_server_action },
  { "connect-server", connect_server_action },
};

static void
dc_application_startup (GApplication *application)
{
  DcApplication *self = DC_APPLICATION (application);
  static const char *prefs_accels[] = { "<Control>comma", NULL };
  static const char *help_accels[] = { "F1", NULL };
  static const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (dc_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", prefs_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.help", help_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);

  gtk_window_set_default_icon_name (APP_ID);
  apply_color_scheme (self);

  /* What the workstation changes is recorded as source "gui" (docs/security.md, "Who acts");
   * REST requests carry their own actor. */
  {
    g_autoptr(DcAuditActor) gui = dc_audit_actor_new ("local", "", "gui");

    dc_audit_actor_set_default (gui);
  }
}

static void
start_error_response_cb (AdwMessageDialog *dialog,
                         const char       *response,
                         gpointer          user_data)
{
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* A start error of the workstation: started from the desktop, nobody reads stderr. */
static void
show_start_error (DcApplication *self)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));
  GtkWidget *dialog;

  if (windows != NULL)
    {
      gtk_window_present (windows->data);
      return;
    }
  dialog = adw_message_dialog_new (NULL, _("DataColl Could Not Start"), self->start_error);
  /* The window's title names it for the window manager (and the tests). */
  gtk_window_set_title (GTK_WINDOW (dialog), _("DataColl Could Not Start"));
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  g_signal_connect (dialog, "response", G_CALLBACK (start_error_response_cb), NULL);
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void source_changed_cb (DcApplication *self,
                               DcPlantSource *source);

static void
dc_application_activate (GApplication *application)
{
  DcApplication *self = DC_APPLICATION (application);
  DcWindow *window;

  if (self->start_error != NULL)
    {
      show_start_error (self);
      return;
    }
  window = get_window (self);
  if (window == NULL)
    {
      window = dc_window_new (GTK_APPLICATION (self));
      dc_window_set_plant (window, self->plant);
      dc_window_set_source (window, self->source);
      dc_window_set_rest_address (window, self->rest_address);
      dc_alarms_page_set_alarm (dc_window_get_alarms_page (window), self->alarm);
    }
  gtk_window_present (GTK_WINDOW (window));
  /* A server that asked for a login (or a certificate check) before the window existed. */
  if (self->source != NULL)
    source_changed_cb (self, self->source);
}

static void
dc_application_dispose (GObject *object)
{
  DcApplication *self = DC_APPLICATION (object);

  g_clear_object (&self->settings);
  if (self->source != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->source, self);
      dc_plant_source_detach (self->source);
    }
  g_clear_object (&self->source);
  g_clear_object (&self->plant);
  g_clear_object (&self->alarm);

  G_OBJECT_CLASS (dc_application_parent_class)->dispose (object);
}

static void
dc_application_finalize (GObject *object)
{
  DcApplication *self = DC_APPLICATION (object);

  g_free (self->rest_address);
  g_free (self->config_path);
  g_free (self->start_error);

  G_OBJECT_CLASS (dc_application_parent_class)->finalize (object);
}

static void
dc_application_class_init (DcApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  dc_ui_ensure_resources ();

  object_class->dispose = dc_application_dispose;
  object_class->finalize = dc_application_finalize;
  app_class->startup = dc_application_startup;
  app_class->activate = dc_application_activate;

  /* gboolean handler (DcApplication *self): TRUE when the demo plant was opened. */
  signals[OPEN_DEMO] =
    g_signal_new ("open-demo", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, NULL, G_TYPE_BOOLEAN, 0);
}

static void
dc_application_init (DcApplication *self)
{
  self->plant = dc_plant_model_new ();
  self->shown_state = -1;

  self->settings = dc_ui_settings_new (NULL);
  if (self->settings != NULL)
    {
      g_signal_connect_object (self->settings, "changed::color-scheme",
                               G_CALLBACK (apply_color_scheme), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->settings, "changed::refresh-rate-hz",
                               G_CALLBACK (apply_refresh_rate), self, G_CONNECT_SWAPPED);
      apply_refresh_rate (self);
    }
  else
    g_debug ("GSettings schema %s not installed: desktop preferences are not saved", APP_ID);
}

DcApplication *
dc_application_new (GApplicationFlags flags)
{
  return g_object_new (DC_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", flags,
                       "resource-base-path", "/io/github/datacoll/DataColl",
                       NULL);
}

static void
source_changed_cb (DcApplication *self,
                   DcPlantSource *source)
{
  DcSourceState state = dc_plant_source_get_state (source);

  /* Once per entry into a state: ::changed also tells identity changes. */
  if ((int) state == self->shown_state)
    return;
  if (get_window (self) != NULL || state == DC_SOURCE_CONNECTED)
    self->shown_state = (int) state;

  /* A server that asks for a user, or whose certificate is unknown: the dialog comes by
   * itself. A server reached is remembered for "Connect to Server…". */
  if (state == DC_SOURCE_LOGIN && get_window (self) != NULL)
    g_action_group_activate_action (G_ACTION_GROUP (self), "login", NULL);
  else if (state == DC_SOURCE_TRUST && get_window (self) != NULL)
    g_action_group_activate_action (G_ACTION_GROUP (self), "trust-server", NULL);
  else if (state == DC_SOURCE_CONNECTED && DC_IS_REMOTE_SOURCE (source) &&
           dc_remote_source_get_n_connects (DC_REMOTE_SOURCE (source)) == 1)
    dc_connect_remember_server (self->settings,
                                dc_remote_source_get_url (DC_REMOTE_SOURCE (source)));
}

void
dc_application_set_source (DcApplication *self,
                           DcPlantSource *source)
{
  DcWindow *window;

  g_return_if_fail (DC_IS_APPLICATION (self));
  g_return_if_fail (source == NULL || DC_IS_PLANT_SOURCE (source));

  if (self->source == source)
    return;
  if (self->source != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->source, self);
      dc_plant_source_detach (self->source);
    }
  g_set_object (&self->source, source);
  if (source != NULL)
    {
      g_signal_connect_object (source, "changed", G_CALLBACK (source_changed_cb), self,
                               G_CONNECT_SWAPPED);
      dc_plant_source_attach (source, self->plant);
    }
  if ((window = get_window (self)) != NULL)
    dc_window_set_source (window, source);
}

DcPlantSource *
dc_application_get_source (DcApplication *self)
{
  g_return_val_if_fail (DC_IS_APPLICATION (self), NULL);
  return self->source;
}

DcPlantModel *
dc_application_get_plant (DcApplication *self)
{
  g_return_val_if_fail (DC_IS_APPLICATION (self), NULL);
  return self->plant;
}

void
dc_application_set_rest_address (DcApplication *self,
                                 const char    *address)
{
  DcWindow *window;

  g_return_if_fail (DC_IS_APPLICATION (self));

  g_free (self->rest_address);
  self->rest_address = g_strdup (address);
  if ((window = get_window (self)) != NULL)
    dc_window_set_rest_address (window, address);
}

void
dc_application_set_alarm (DcApplication *self,
                          DcAlarm       *alarm)
{
  DcWindow *window;

  g_return_if_fail (DC_IS_APPLICATION (self));
  g_return_if_fail (alarm == NULL || DC_IS_ALARM (alarm));

  /* With a local plant connection the alarms go through it (docs/ui.md); a window fed
   * without one (tests) gets the plugin directly. */
  if (self->source != NULL && DC_IS_LOCAL_SOURCE (self->source))
    {
      dc_local_source_set_alarm (DC_LOCAL_SOURCE (self->source), alarm);
      return;
    }
  g_set_object (&self->alarm, alarm);
  if ((window = get_window (self)) != NULL)
    dc_alarms_page_set_alarm (dc_window_get_alarms_page (window), alarm);
}

void
dc_application_set_config_path (DcApplication *self,
                                const char    *path)
{
  g_return_if_fail (DC_IS_APPLICATION (self));

  g_free (self->config_path);
  self->config_path = g_strdup (path);
}

GSettings *
dc_application_get_settings (DcApplication *self)
{
  g_return_val_if_fail (DC_IS_APPLICATION (self), NULL);
  return self->settings;
}

void
dc_application_report (DcApplication *self,
                       const char    *message)
{
  DcWindow *window;

  g_return_if_fail (DC_IS_APPLICATION (self));

  window = get_window (self);
  if (window != NULL)
    dc_window_add_toast (window, message);
  else
    g_warning ("%s", message);
}

static gboolean
quit_signal_cb (gpointer data)
{
  g_application_quit (G_APPLICATION (data));
  return G_SOURCE_CONTINUE;
}

/* The application dc_application_activate_running() registered, else a new one. */
static DcApplication *
take_prepared (gboolean unique)
{
  if (prepared != NULL)
    return g_steal_pointer (&prepared);
  return dc_application_new (unique ? G_APPLICATION_DEFAULT_FLAGS : G_APPLICATION_NON_UNIQUE);
}

gboolean
dc_application_activate_running (gboolean unique)
{
  g_autoptr(DcApplication) app = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (prepared == NULL, FALSE);

  app = dc_application_new (unique ? G_APPLICATION_DEFAULT_FLAGS : G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    {
      /* No session bus: this process is the only workstation it can know of. */
      g_debug ("cannot register the workstation: %s", error->message);
      g_clear_object (&app);
      app = dc_application_new (G_APPLICATION_NON_UNIQUE);
    }
  else if (g_application_get_is_remote (G_APPLICATION (app)))
    {
      g_message ("DataColl is already running: showing its window");
      /* Sends "activate" to the running one and unregisters. */
      g_application_run (G_APPLICATION (app), 0, NULL);
      return TRUE;
    }
  prepared = g_steal_pointer (&app);
  return FALSE;
}

int
dc_application_run_start_error (const char *message)
{
  g_autoptr(DcApplication) app = NULL;
  guint sigint_id, sigterm_id;

  g_return_val_if_fail (message != NULL, 1);

  app = take_prepared (FALSE);
  g_free (app->start_error);
  app->start_error = g_strdup (message);
  sigint_id = g_unix_signal_add (SIGINT, quit_signal_cb, app);
  sigterm_id = g_unix_signal_add (SIGTERM, quit_signal_cb, app);
  g_application_run (G_APPLICATION (app), 0, NULL);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  return 1;
}

int
dc_application_run_workstation (DcStore     *store,
                                DcEngine    *engine,
                                DcAlarm     *alarm,
                                const char  *rest_uri,
                                const char  *config_file,
                                char       **args)
{
  g_autoptr(DcApplication) app = NULL;
  g_autoptr(DcPlantSource) source = NULL;
  g_autoptr(GUri) uri = NULL;
  guint sigint_id, sigterm_id;
  int status;

  g_return_val_if_fail (DC_IS_STORE (store), 1);
  g_return_val_if_fail (engine == NULL || DC_IS_ENGINE (engine), 1);

  app = take_prepared (TRUE);
  source = DC_PLANT_SOURCE (dc_local_source_new (store, engine));
  dc_application_set_source (app, source);
  dc_application_set_alarm (app, alarm);

  if (rest_uri != NULL && (uri = g_uri_parse (rest_uri, G_URI_FLAGS_NONE, NULL)) != NULL)
    {
      g_autofree char *address = g_uri_get_port (uri) > 0
                                 ? g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri))
                                 : g_strdup (g_uri_get_host (uri));

      dc_application_set_rest_address (app, address);
    }
  if (config_file != NULL)
    dc_application_set_config_path (app, config_file);

  sigint_id = g_unix_signal_add (SIGINT, quit_signal_cb, app);
  sigterm_id = g_unix_signal_add (SIGTERM, quit_signal_cb, app);
  status = g_application_run (G_APPLICATION (app), args ? (int) g_strv_length (args) : 0, args);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  dc_application_set_source (app, NULL);
  dc_application_set_alarm (app, NULL);

  return status;
}

int
dc_application_run_remote (const char  *url,
                           const char  *token,
                           char       **args)
{
  g_autoptr(DcApplication) app = NULL;
  g_autoptr(DcRemoteSource) source = NULL;
  g_autoptr(GError) error = NULL;
  guint sigint_id, sigterm_id;
  int status;

  g_return_val_if_fail (url != NULL, 1);

  source = dc_remote_source_new (url, token, &error);
  if (source == NULL)
    {
      g_printerr ("%s\n", error->message);
      return dc_application_run_start_error (error->message);
    }
  g_message ("DataColl workstation on %s", dc_remote_source_get_url (source));
  app = take_prepared (FALSE);
  if (app->settings != NULL)
    {
      g_autoptr(GVariant) trusted = g_settings_get_value (app->settings, "trusted-certificates");
      const char *fingerprint = NULL;

      if (g_variant_lookup (trusted, dc_plant_source_get_location (DC_PLANT_SOURCE (source)),
                            "&s", &fingerprint))
        dc_remote_source_set_trusted_fingerprint (source, fingerprint);
    }
  dc_application_set_source (app, DC_PLANT_SOURCE (source));

  sigint_id = g_unix_signal_add (SIGINT, quit_signal_cb, app);
  sigterm_id = g_unix_signal_add (SIGTERM, quit_signal_cb, app);
  status = g_application_run (G_APPLICATION (app), args ? (int) g_strv_length (args) : 0, args);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  dc_application_set_source (app, NULL);
  return status;
}
