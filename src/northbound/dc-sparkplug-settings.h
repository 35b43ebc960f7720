/* dc-sparkplug-settings.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The `[sparkplug]` group of the settings file and its command-line options
 * (docs/sparkplug.md). Precedence as for the server settings: command line > file >
 * defaults. Plain data, read by the edge node after dc_sparkplug_settings_load(). */
typedef struct
{
  gboolean  enabled;        /* FALSE: no edge node */
  char     *host;           /* "127.0.0.1" */
  guint     port;           /* 1883 */
  char     *group_id;       /* "DataColl" */
  char     *edge_node_id;   /* "datacoll" */
  char     *client_id;      /* NULL: "datacoll-<group_id>-<edge_node_id>" */
  guint     keepalive_s;    /* 30 */
  char     *username;       /* NULL (or empty in the file): anonymous */
  char     *password_file;  /* NULL (or empty): none; relative to the settings file's folder */
  char     *password;       /* read from password_file by dc_sparkplug_settings_load() */
  char     *tls_ca;         /* NULL: plain TCP; else TLS, the broker's certificate checked
                             * against this CA file (relative to the settings file's folder) */
  char     *primary_host_id; /* NULL: none; else publish only while its STATE is online */
  guint     queue_mb;       /* the store-and-forward queue's bound, MiB (1024) */
  char     *queue_path;     /* set by the caller: the queue file (a companion of the
                             * configuration); NULL: no store and forward */
} DcSparkplugSettings;

DcSparkplugSettings *dc_sparkplug_settings_new              (void);
void                 dc_sparkplug_settings_free             (DcSparkplugSettings  *self);

/* --sparkplug, --sparkplug-host, --sparkplug-port, --sparkplug-group, --sparkplug-node; they
 * write into @self and are applied by dc_sparkplug_settings_load(). The group belongs to the
 * caller (add it to a GOptionContext). */
GOptionGroup        *dc_sparkplug_settings_get_option_group (DcSparkplugSettings  *self);

/* Reads `[sparkplug]` from @config_file (NULL or a missing file: defaults), then applies the
 * command line. Errors (DC_ERROR_INVALID) name the file and key:
 * "datacoll.conf: [sparkplug] group_id must not contain '/', '+' or '#'". */
gboolean             dc_sparkplug_settings_load             (DcSparkplugSettings  *self,
                                                             const char           *config_file,
                                                             GError              **error);
/* Reads `[sparkplug]` from @key_file only (no command line); @origin names it in errors. */
gboolean             dc_sparkplug_settings_load_key_file    (DcSparkplugSettings  *self,
                                                             GKeyFile             *key_file,
                                                             const char           *origin,
                                                             GError              **error);

/* A Sparkplug id (group, edge node, device): non-empty UTF-8 without '/', '+' or '#'. */
gboolean             dc_sparkplug_id_is_valid               (const char           *id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DcSparkplugSettings, dc_sparkplug_settings_free)

G_END_DECLS
