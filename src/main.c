/* main.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "datacoll"

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <gio/gio.h>

#include "dc-api.h"
#include "dc-audit.h"
#include "dc-cli-user.h"
#include "dc-companion.h"
#include "dc-demo.h"
#include "dc-engine.h"
#include "dc-error.h"
#include "dc-alarm.h"
#include "dc-formula.h"
#include "dc-templates.h"
#include "dc-protocols.h"
#include "dc-history.h"
#include "dc-history-cli.h"
#include "dc-server.h"
#include "dc-settings.h"
#if HAVE_SPARKPLUG
#include "dc-sparkplug-node.h"
#endif
#include "dc-sparkplug-settings.h"
#include "dc-store.h"
#include "dc-users.h"
#if HAVE_GUI
#include "dc-application.h"
#include "dc-remote-source.h"
#endif

static gboolean log_verbose;

/* Structured logging: to the journal when stderr is connected to it, else one line per
 * message on stderr: "2026-11-26T14:15:22.123456Z INFO dc-server: listening on …".
 * Debug and info messages only with --verbose (or [log] verbose). */
static GLogWriterOutput
log_writer_cb (GLogLevelFlags   log_level,
               const GLogField *fields,
               gsize            n_fields,
               gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;
  const char *level;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *stamp = NULL;

  if ((log_level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)) != 0 && !log_verbose)
    return G_LOG_WRITER_HANDLED;

  if (g_log_writer_is_journald (fileno (stderr)) &&
      g_log_writer_journald (log_level, fields, n_fields, user_data) == G_LOG_WRITER_HANDLED)
    return G_LOG_WRITER_HANDLED;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }

  if (log_level & G_LOG_LEVEL_ERROR)
    level = "ERROR";
  else if (log_level & G_LOG_LEVEL_CRITICAL)
    level = "CRITICAL";
  else if (log_level & G_LOG_LEVEL_WARNING)
    level = "WARNING";
  else if (log_level & G_LOG_LEVEL_MESSAGE)
    level = "NOTICE";
  else if (log_level & G_LOG_LEVEL_INFO)
    level = "INFO";
  else
    level = "DEBUG";

  now = g_date_time_new_now_utc ();
  stamp = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
  fprintf (stderr, "%s %s %s: %s\n", stamp, level, domain ? domain : "datacoll",
           message ? message : "");
  fflush (stderr);

  return G_LOG_WRITER_HANDLED;
}

/* Many devices mean many sockets: use everything the hard limit allows (docs/modbus.md). */
static void
raise_file_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
        g_debug ("cannot raise RLIMIT_NOFILE: %s", g_strerror (errno));
    }
}

static gboolean
quit_cb (gpointer user_data)
{
  GMainLoop *loop = user_data;
  GApplication *application = g_application_get_default ();

  g_message ("stopping");
  /* The workstation runs its own loop (GApplication); the server runs @loop. */
  if (application != NULL)
    g_application_quit (application);
  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

/* A start error: one line on stderr and, in the workstation, a dialog (started from the
 * desktop, nobody reads stderr; docs/ui.md "Starting"). Returns the exit status, 1. */
static int
start_failed (gboolean    gui,
              const char *message)
{
  g_printerr ("%s\n", message);
#if HAVE_GUI
  if (gui)
    return dc_application_run_start_error (message);
#endif
  return 1;
}

/* The headless server: store, REST server, main loop until SIGINT or SIGTERM. */
static int
run_server (DcSettings          *settings,
            DcSparkplugSettings *sparkplug_settings,
            gboolean             gui,
            char               **args,
            gboolean             demo_flag)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DcStore) store = NULL;
  g_autoptr(DcUsers) users = NULL;
  g_autoptr(DcAudit) audit = NULL;
  g_autoptr(DcHistory) history = NULL;
  g_autoptr(DcEngine) engine = NULL;
  g_autoptr(DcServer) server = NULL;
  g_autoptr(DcApiLive) live = NULL;
  g_autoptr(DcDemo) demo = NULL;
  g_autoptr(DcFormula) formula = NULL;
  g_autoptr(DcAlarm) alarm = NULL;
  g_autoptr(DcTemplates) templates = NULL;
#if HAVE_SPARKPLUG
  g_autoptr(DcSparkplugNode) sparkplug = NULL;
#endif
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *token = NULL;
  g_autofree char *db_dir = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *alarm_db = NULL;
  g_autofree char *audit_db = NULL;
  g_autoptr(DcAuditActor) system_actor = dc_audit_actor_new ("local", "", "system");
  guint sigint_id, sigterm_id;
  int status;

  if (settings->token_file != NULL)
    {
      token = dc_server_read_token_file (settings->token_file, &error);
      if (token == NULL)
        {
          return start_failed (gui, error->message);
        }
    }

  db_dir = g_path_get_dirname (settings->db);
  if (g_mkdir_with_parents (db_dir, 0700) != 0)
    {
      g_autofree char *text = g_strdup_printf ("cannot create %s: %s", db_dir, g_strerror (errno));

      return start_failed (gui, text);
    }

  /* The store validates with the protocols' knowledge (dc-protocol.h). */
  dc_protocols_register_all ();
  store = dc_store_open (settings->db, &error);
  /* Users and tokens live in the same file (docs/security.md). */
  if (store != NULL)
    users = dc_users_open (settings->db, &error);
  if (users == NULL)
    {
      return start_failed (gui, error->message);
    }

  /* --demo: in-process simulators and the demo plant in the demo database. */
  if (demo_flag)
    {
      demo = dc_demo_start (&error);
      if (demo == NULL || !dc_demo_populate (demo, store, &error))
        {
          return start_failed (gui, error->message);
        }
    }

  /* The audit log of this configuration (docs/security.md): every change from here on. */
  audit_db = dc_companion_open (settings->db, "audit", settings->audit_db, &error);
  if (audit_db != NULL)
    audit = dc_audit_new (audit_db, &error);
  if (audit == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  dc_audit_set_retention_days (audit, settings->audit_retention_days);
  dc_store_set_audit (store, audit);

  /* The history of this configuration, and no other's (docs/history.md, file or PostgreSQL). */
  history = dc_history_cli_open (settings, &error);
  if (history == NULL)
    {
      return start_failed (gui, error->message);
    }
  dc_history_set_default_retention_days (history, settings->retention_days);
  engine = dc_engine_new (store, history);
  dc_engine_set_max_future (engine, (gint64) settings->max_future_s * G_USEC_PER_SEC);
  dc_engine_set_backlog_limit (engine, (guint64) settings->backlog_mb * 1024 * 1024);
  dc_engine_drivers_set_call_timeout (dc_engine_get_drivers (engine),
                                      (gint64) settings->call_timeout_s * G_USEC_PER_SEC);
  if (settings->formulas)
    {
      formula = dc_formula_new_for_engine (engine);
      dc_formula_start (formula);
    }
  if (settings->alarms)
    {
      alarm_db = dc_companion_open (settings->db, "alarms", NULL, &error);
      if (alarm_db != NULL)
        alarm = dc_alarm_new_for_engine (engine, alarm_db, &error);
      if (alarm == NULL)
        {
          return start_failed (gui, error->message);
        }
      dc_alarm_start (alarm);
    }
  if (settings->templates && settings->user_db != NULL)
    {
      /* A user database that cannot be opened (not created yet by its owner) leaves the
       * templates off; sql_check says why. One of DataColl's own files is a mistake. */
      templates = dc_templates_new_for_engine (engine, alarm, settings->user_db, &error);
      if (templates == NULL && g_error_matches (error, DC_ERROR, DC_ERROR_FORBIDDEN))
        {
          return start_failed (gui, error->message);
        }
      if (templates == NULL)
        {
          g_message ("database templates are off: %s", error->message);
          g_clear_error (&error);
        }
      else
        dc_templates_start (templates);
    }
  dc_engine_start (engine);
  if (demo != NULL)
    dc_demo_seed (demo, engine);
  /* The Sparkplug B edge node (docs/sparkplug.md) follows the engine from here on. */
  if (sparkplug_settings->enabled)
    {
#if HAVE_SPARKPLUG
      /* Its store-and-forward queue is a companion of the configuration. */
      g_autofree char *config_id = dc_companion_config_id (settings->db, &error);

      if (config_id != NULL)
        {
          sparkplug_settings->queue_path = dc_companion_path (settings->db, "sparkplug");
          if (!dc_companion_claim (sparkplug_settings->queue_path, "Sparkplug queue",
                                   settings->db, config_id, &error))
            g_clear_pointer (&config_id, g_free);
        }
      if (config_id != NULL)
        {
          sparkplug = dc_sparkplug_node_new (engine, sparkplug_settings);
          if (!dc_sparkplug_node_start (sparkplug, &error))
            g_clear_object (&sparkplug);
        }
      if (sparkplug == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
#else
      g_warning ("Sparkplug B is enabled in the settings, but this build has no Sparkplug B "
                 "support (built with -Dsparkplug=disabled)");
#endif
    }

  /* Signals are handled from here on: a SIGTERM right after "listening" stops cleanly. */
  loop = g_main_loop_new (NULL, FALSE);
  sigint_id = g_unix_signal_add (SIGINT, quit_cb, loop);
  sigterm_id = g_unix_signal_add (SIGTERM, quit_cb, loop);

  server = dc_server_new (store);
  dc_server_set_token (server, token);
  dc_server_set_users (server, users);
  if (settings->tls_cert != NULL &&
      !dc_server_set_tls_files (server, settings->tls_cert, settings->tls_key, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  dc_server_set_log_requests (server, settings->verbose);
  live = dc_api_install (server, &(DcApiOptions) {
                           .engine = engine,
                           .alarm = alarm,
                           .user_db_path = settings->user_db,
                           .max_samples = settings->max_samples,
                         });

  /* The demo must start even next to a running DataColl: a busy port becomes a free one. */
  if (!dc_server_listen (server, settings->bind, settings->port, &error) &&
      demo_flag && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
    {
      g_message ("%s: the demo uses a free port", error->message);
      g_clear_error (&error);
      dc_server_listen (server, settings->bind, 0, &error);
    }
  if (error != NULL)
    {
      g_source_remove (sigint_id);
      g_source_remove (sigterm_id);
      return start_failed (gui, error->message);
    }

  uri = dc_server_get_base_uri (server);
  {
    g_autoptr(JsonNode) detail = json_from_string ("{}", NULL);

    json_object_set_string_member (json_node_get_object (detail), "version", PACKAGE_VERSION);
    json_object_set_string_member (json_node_get_object (detail), "uri", uri);
    json_object_set_string_member (json_node_get_object (detail), "db", settings->db);
    dc_audit_record (audit, system_actor, "server.start", NULL, detail, NULL);
  }
  g_message ("DataColl %s listening on %s (database %s%s)", PACKAGE_VERSION, uri, settings->db,
             dc_server_get_auth_required (server) ? ", authentication required" : "");

  status = 0;
#if HAVE_GUI
  /* The workstation runs on the same main context as the engine and the server. */
  if (gui)
    status = dc_application_run_workstation (store, engine, alarm, uri, settings->config_file, args);
  else
#endif
    g_main_loop_run (loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  dc_audit_record (audit, system_actor, "server.stop", NULL, NULL, NULL);
  dc_server_disconnect (server);
#if HAVE_SPARKPLUG
  g_clear_object (&sparkplug);
#endif
  g_clear_object (&live);
  g_clear_object (&formula);
  g_clear_object (&templates);
  g_clear_object (&alarm);
  g_clear_object (&server);
  dc_engine_shutdown (engine);
  g_clear_object (&engine);
  g_clear_object (&history);
  g_clear_object (&store);
  /* The writer writes what is queued before it ends. */
  g_clear_object (&audit);
  g_clear_pointer (&demo, dc_demo_stop);
  g_message ("stopped");

  return status;
}

#if HAVE_GUI
/* Where a server of these settings answers, for the probe of `datacoll` without arguments
 * (NULL with port 0). */
static char *
local_server_url (DcSettings *settings)
{
  const char *host = settings->bind;

  if (settings->port == 0)
    return NULL;
  if (g_strcmp0 (host, "0.0.0.0") == 0)
    host = "127.0.0.1";
  else if (g_strcmp0 (host, "::") == 0)
    host = "::1";
  return strchr (host, ':') != NULL ? g_strdup_printf ("http://[%s]:%u", host, settings->port)
                                    : g_strdup_printf ("http://%s:%u", host, settings->port);
}

/* The workstation on a server: --connect URL, or a DataColl already answering where this one
 * would listen (the systemd service). Returns -1 when the local engine should start. */
static int
run_remote_desk (DcSettings *settings,
                 const char *connect_url,
                 char      **args)
{
  g_autofree char *local = NULL;
  g_autofree char *token = NULL;
  g_autoptr(GError) error = NULL;

  if (connect_url == NULL)
    {
      local = local_server_url (settings);
      if (local == NULL || !dc_remote_source_probe (local, 1000))
        return -1;
      g_message ("DataColl already answers on %s: the workstation attaches to it", local);
      connect_url = local;
    }
  /* Until the server has users, --token-file gives the bearer token of docs/rest.md. */
  if (settings->token_file != NULL)
    {
      token = dc_server_read_token_file (settings->token_file, &error);
      if (token == NULL)
        return start_failed (TRUE, error->message);
    }
  return dc_application_run_remote (connect_url, token, args);
}
#endif

/* Decides between the workstation and the headless server, before anything touches GTK:
 * --server, a build without the GUI or no display all mean the server. */
static gboolean
want_gui (gboolean server_flag)
{
#if HAVE_GUI
  if (server_flag)
    return FALSE;
  return g_getenv ("DISPLAY") != NULL || g_getenv ("WAYLAND_DISPLAY") != NULL;
#else
  return FALSE;
#endif
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(DcSettings) settings = NULL;
  g_autoptr(DcSparkplugSettings) sparkplug_settings = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) args = NULL;
  gboolean server_flag = FALSE;
  gboolean demo_flag = FALSE;
  gboolean version_flag = FALSE;
  g_autofree char *connect_url = NULL;
  gboolean gui;
  const GOptionEntry main_entries[] = {
    { "server", 0, 0, G_OPTION_ARG_NONE, &server_flag,
      N_("Run the headless server (no GUI, no display needed)"), NULL },
    { "demo", 0, 0, G_OPTION_ARG_NONE, &demo_flag,
      N_("Run the demo plant (simulators, a separate demo database)"), NULL },
    { "connect", 0, 0, G_OPTION_ARG_STRING, &connect_url,
      N_("Open the workstation on the DataColl server at URL (http://host:port)"), N_("URL") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version_flag,
      N_("Print the version and exit"), NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_log_set_writer_func (log_writer_cb, NULL, NULL);
  raise_file_limit ();
  /* `datacoll user …` works on the configuration database and exits (dc-cli-user.c). */
  if (argc > 1 && g_str_equal (argv[1], "user"))
    return dc_cli_user_main (argc, argv);

  /* `datacoll history copy …` (docs/historian-postgresql.md). */
  if (argc > 1 && g_str_equal (argv[1], "history"))
    return dc_history_cli_main (argc - 1, argv + 1);

  settings = dc_settings_new ();
  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("DataColl: SCADA data collection (Modbus, IEC 104) "
                                           "with a REST interface."));
  g_option_context_set_main_group (context, dc_settings_get_option_group (settings));
  sparkplug_settings = dc_sparkplug_settings_new ();
  g_option_context_add_group (context,
                              dc_sparkplug_settings_get_option_group (sparkplug_settings));
  g_option_context_add_main_entries (context, main_entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  /* Unknown options stay in the arguments: the workstation passes them to GApplication
   * (--gapplication-service); the server refuses them below. */
  g_option_context_set_ignore_unknown_options (context, TRUE);

  args = g_strdupv (argv);
  if (!g_option_context_parse_strv (context, &args, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  if (version_flag)
    {
      g_print ("datacoll %s\n", PACKAGE_VERSION);
      return 0;
    }

  gui = want_gui (server_flag);
  /* Arguments GOption did not know go to GApplication in the workstation (e.g.
   * --gapplication-service); the server has no use for them. */
  if (!gui && g_strv_length (args) > 1)
    {
      g_printerr ("unexpected argument %s (see --help)\n", args[1]);
      return 1;
    }

#if HAVE_GUI
  /* One workstation per desktop: a second `datacoll` brings the first one's window to the
   * front instead of failing on its database (docs/ui.md "Starting"). */
  if (gui && dc_application_activate_running (!demo_flag && connect_url == NULL))
    return 0;
#endif
  if (connect_url != NULL && (!gui || demo_flag))
    {
      g_printerr ("--connect opens the workstation: it needs a display and goes without "
                  "--server and --demo\n");
      return 1;
    }

  if (!dc_settings_load (settings, &error))
    return start_failed (gui, error->message);
  log_verbose = settings->verbose;
  if (!dc_sparkplug_settings_load (sparkplug_settings, settings->config_file, &error))
    return start_failed (gui, error->message);

  if (demo_flag)
    {
      g_autofree char *demo_dir = NULL;

      g_free (settings->db);
      settings->db = dc_demo_get_db_path ();
      g_free (settings->history_db);
      settings->history_db = dc_history_path_for_config (settings->db);
      g_free (settings->history_backend);
      settings->history_backend = g_strdup ("sqlite");
      g_clear_pointer (&settings->audit_db, g_free);
      demo_dir = g_path_get_dirname (settings->db);
      g_mkdir_with_parents (demo_dir, 0700);
    }

#if HAVE_GUI
  if (gui && !demo_flag)
    {
      int status = run_remote_desk (settings, connect_url, args);

      if (status >= 0)
        return status;
    }
#endif

  return run_server (settings, sparkplug_settings, gui, args, demo_flag);
}
