/* dc-settings.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The server settings of docs/model.md. Precedence: command line > configuration file >
 * defaults. The file is a GKeyFile: --config FILE, else
 * $XDG_CONFIG_HOME/datacoll/datacoll.conf, else /etc/datacoll/datacoll.conf (a missing
 * default file is not an error; a missing --config file is).
 *
 * Usage (main.c):
 *   settings = dc_settings_new ();
 *   g_option_context_add_main_entries / add_group (dc_settings_get_option_group (settings));
 *   g_option_context_parse (…);
 *   dc_settings_load (settings, &error);      file, then the command line on top, then paths
 *
 * Fields are plain data, read by everyone after dc_settings_load(). Relative paths in the
 * file are relative to the file's folder; on the command line, to the working directory. */
typedef struct
{
  /* [server] */
  guint     port;            /* 8080; 0 = a free port */
  char     *bind;            /* "127.0.0.1" */
  char     *db;              /* user data dir/datacoll/datacoll.db */
  char     *history_db;      /* next to db: <name>-history.db */
  char     *audit_db;        /* NULL = next to db: <name>-audit.db */
  char     *user_db;         /* NULL = none */
  char     *token_file;      /* NULL = none */
  char     *tls_cert;        /* NULL = plain HTTP; with tls_key: HTTPS/WSS only */
  char     *tls_key;
  guint     call_timeout_s;  /* 10 */
  gint64    max_samples;     /* 100000 */
  guint     max_future_s;    /* 600: how far ahead a time tag may be; 0 = any */
  /* [history] */
  guint     retention_days;  /* 365 */
  guint     backlog_mb;      /* 16: samples in memory on their way to the history file */
  char     *history_backend; /* "sqlite" (history_db) or "postgresql" (history_url) */
  char     *history_url;     /* libpq connection string or postgresql:// URL; NULL = none */
  char     *history_password_file; /* NULL = PGPASSFILE or ~/.pgpass (libpq) */
  /* [audit] */
  guint     audit_retention_days; /* 3650; 0 keeps every row */
  /* [plugins] */
  gboolean  formulas;        /* TRUE */
  gboolean  alarms;          /* TRUE */
  gboolean  templates;       /* TRUE */
  /* [log] */
  gboolean  verbose;         /* FALSE */

  /* The configuration file that was read, or NULL when none was found. */
  char     *config_file;
} DcSettings;

DcSettings   *dc_settings_new                  (void);
void          dc_settings_free                 (DcSettings    *self);

/* GOption entries --port --bind --db --history-db --user-db --config --token-file --tls-cert --tls-key
 * --call-timeout --max-samples --verbose; they write into @self and are applied by
 * dc_settings_load(). The group belongs to the caller (add it to a GOptionContext). */
GOptionGroup *dc_settings_get_option_group     (DcSettings    *self);

/* Reads the configuration file (see above), applies the command line on top, fills the
 * default paths and validates. Errors (DC_ERROR_INVALID) name the file, group and key:
 * "/etc/datacoll/datacoll.conf: [server] port must be an integer between 0 and 65535". */
gboolean      dc_settings_load                 (DcSettings    *self,
                                                GError       **error);
/* Reads @key_file into @self (no command line, no path defaults); @origin names it in
 * errors and resolves relative paths (its folder), may be NULL. */
gboolean      dc_settings_load_key_file        (DcSettings    *self,
                                                GKeyFile      *key_file,
                                                const char    *origin,
                                                GError       **error);
/* Writes every setting into @path (a GKeyFile; comments and unknown keys already in the file
 * are kept). Used by the GUI, which edits the server settings in the configuration file. */
gboolean      dc_settings_save                 (DcSettings    *self,
                                                const char    *path,
                                                GError       **error);

/* $XDG_CONFIG_HOME/datacoll/datacoll.conf */
char         *dc_settings_get_user_config_path (void);
/* g_get_user_data_dir()/datacoll/datacoll.db */
char         *dc_settings_get_default_db_path  (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DcSettings, dc_settings_free)

G_END_DECLS
