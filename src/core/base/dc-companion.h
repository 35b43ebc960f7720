/* dc-companion.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The sqlite files that go with a configuration database (its companions: the history, the
 * alarm journal and the audit log). Each is named after the configuration (a.db →
 * a-history.db, a-alarms.db, a-audit.db)
 * and records which configuration it belongs to (the configuration's id,
 * dc_companion_config_id(), and its path for messages), so that two configurations never
 * share one (docs/history.md). Main thread, at start. */

/* The id of the configuration in @config_db_path (a random UUID recorded in its table
 * "identity" the first time; the store never rewrites the file, so it lasts as long as the
 * configuration). Call it after dc_store_open(). */
char     *dc_companion_config_id  (const char  *config_db_path,
                                   GError     **error);

/* "<dir>/<stem>-<kind>.db" for @config_db_path "<dir>/<stem>.<ext>"; @kind is "history",
 * "alarms" or "audit". */
char     *dc_companion_path       (const char  *config_db_path,
                                   const char  *kind);

/* The path to use for @kind by default. Earlier versions used one "datacoll-<kind>.db" per
 * folder: when the configuration's own file does not exist yet and that shared file is not
 * claimed by another configuration, it is taken over (claimed, and renamed to the
 * configuration's name unless another process has it open). */
char     *dc_companion_resolve    (const char  *config_db_path,
                                   const char  *config_id,
                                   const char  *kind,
                                   GError     **error);

/* Records @config_id (and @config_db_path) in the companion at @path, creating the file if
 * needed; DC_ERROR_FORBIDDEN "<what> <path> belongs to configuration <other>, not to
 * <config_db_path>; give each configuration its own file" when another configuration has
 * claimed it. @what is "history database", "alarm database" or "audit database". */
gboolean  dc_companion_claim      (const char  *path,
                                   const char  *what,
                                   const char  *config_db_path,
                                   const char  *config_id,
                                   GError     **error);

/* The companion of @kind to open with the configuration @config_db_path: @path when it is
 * given and not the default name, else dc_companion_resolve(); claimed with
 * dc_companion_claim(). */
char     *dc_companion_open       (const char  *config_db_path,
                                   const char  *kind,
                                   const char  *path,
                                   GError     **error);

G_END_DECLS
