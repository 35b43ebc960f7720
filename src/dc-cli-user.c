/* dc-cli-user.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "datacoll"

#include "config.h"

#include "dc-cli-user.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "dc-audit.h"
#include "dc-companion.h"
#include "dc-error.h"
#include "dc-settings.h"
#include "dc-time.h"
#include "dc-users.h"

/* The accounts command line (docs/security.md, "Users"). It opens the configuration database
 * itself (DcUsers, not DcStore): a running server keeps the store's lock, and sees the change
 * within a second. Every change, refused ones too, is a row of the configuration's audit log
 * (user.create, user.update, token.create) from source "cli" in the name of the system user
 * who ran the command. */

/* The audit row of a command that changes something. */
typedef struct
{
  const char *action;   /* NULL: the command changes nothing (list, usage) */
  const char *target;
  JsonNode   *detail;
  char       *result;   /* NULL: ok */
} Change;

static JsonObject *
change_begin (Change     *change,
              const char *action,
              const char *target)
{
  change->action = action;
  change->target = target;
  change->detail = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (change->detail, json_object_new ());
  return json_node_get_object (change->detail);
}

#define MAX_PASSWORD 1024

static const char usage[] =
  "usage: datacoll user add NAME --role ROLE | list | passwd NAME | role NAME ROLE | "
  "disable NAME | enable NAME | token NAME [--expires DAYS] [--label TEXT]";

static int
fail (const char *message)
{
  g_printerr ("%s\n", message);
  return 1;
}

static int
fail_error (GError *error)
{
  return fail (error->message);
}

/* A refused change: said on standard error and kept for its audit row. */
static int
refuse (Change     *change,
        const char *message)
{
  change->result = g_strdup (message);
  return fail (message);
}

/* One line of standard input without its line end; no echo when it is a terminal. */
static char *
read_line (const char *prompt)
{
  char buffer[MAX_PASSWORD + 2];
  struct termios saved, quiet;
  gboolean tty = isatty (STDIN_FILENO);
  char *line = NULL;
  gsize length;

  if (tty)
    {
      g_printerr ("%s", prompt);
      if (tcgetattr (STDIN_FILENO, &saved) == 0)
        {
          quiet = saved;
          quiet.c_lflag &= ~(ECHO | ECHONL);
          quiet.c_lflag |= ICANON;
          tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
        }
      else
        tty = FALSE;
    }
  if (fgets (buffer, sizeof buffer, stdin) != NULL)
    {
      length = strcspn (buffer, "\r\n");
      if (length <= MAX_PASSWORD)
        line = g_strndup (buffer, length);
    }
  if (tty)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      g_printerr ("\n");
    }
  sodium_memzero (buffer, sizeof buffer);
  return line;
}

static void
wipe (char *secret)
{
  if (secret != NULL)
    {
      sodium_memzero (secret, strlen (secret));
      g_free (secret);
    }
}

/* A new password: from standard input (twice on a terminal), validated and hashed. */
static char *
read_password_hash (GError **error)
{
  char *password = read_line ("Password: ");
  char *hash;

  if (password == NULL)
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID,
                           "no password on standard input");
      return NULL;
    }
  if (isatty (STDIN_FILENO))
    {
      char *again = read_line ("Again: ");
      gboolean same = again != NULL && g_str_equal (again, password);

      wipe (again);
      if (!same)
        {
          wipe (password);
          g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID,
                               "the passwords differ");
          return NULL;
        }
    }
  if (!dc_password_validate (password, error))
    {
      wipe (password);
      return NULL;
    }
  hash = dc_password_hash (password, error);
  wipe (password);
  return hash;
}

static int
list_users (DcUsers *users)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = dc_users_list (users, &error);

  if (list == NULL)
    return fail_error (error);
  for (guint i = 0; i < list->len; i++)
    {
      DcUserInfo *info = g_ptr_array_index (list, i);
      g_autofree char *created = dc_time_format (info->created);
      g_autofree char *last = info->last_login != 0 ? dc_time_format (info->last_login) :
                              g_strdup ("never");

      g_print ("%-20s %-9s %-8s created %s, last login %s\n", info->name,
               dc_role_to_string (info->role), info->disabled ? "disabled" : "enabled",
               created, last);
    }
  return 0;
}

static int
run (DcUsers     *users,
     char       **args,
     const char  *role_text,
     int          expires_days,
     const char  *label,
     Change      *change)
{
  g_autoptr(GError) error = NULL;
  guint n = g_strv_length (args);
  const char *command = n > 2 ? args[2] : NULL;
  const char *name = n > 3 ? args[3] : NULL;
  DcRole role = DC_ROLE_NONE;

  if (g_strcmp0 (command, "list") == 0 && n == 3)
    return list_users (users);

  if (g_strcmp0 (command, "add") == 0 && n == 4)
    {
      JsonObject *detail = change_begin (change, "user.create", name);
      g_autofree char *hash = NULL;

      if (role_text == NULL)
        return refuse (change, "datacoll user add NAME needs --role ROLE");
      json_object_set_string_member (detail, "role", role_text);
      if (!dc_user_name_validate (name, &error) || !dc_role_parse (role_text, &role, &error))
        return refuse (change, error->message);
      hash = read_password_hash (&error);
      if (hash == NULL || !dc_users_add (users, name, role, hash, &error))
        return refuse (change, error->message);
      return 0;
    }

  if (g_strcmp0 (command, "passwd") == 0 && n == 4)
    {
      JsonObject *detail = change_begin (change, "user.update", name);
      g_autofree char *hash = NULL;
      g_autoptr(DcUserInfo) info = NULL;

      json_object_set_boolean_member (detail, "password", TRUE);
      info = dc_users_get (users, name, &error);
      if (info == NULL)
        return refuse (change, error->message);
      hash = read_password_hash (&error);
      if (hash == NULL || !dc_users_update (users, name, DC_ROLE_NONE, hash, -1, &error))
        return refuse (change, error->message);
      return 0;
    }

  if (g_strcmp0 (command, "role") == 0 && n == 5)
    {
      JsonObject *detail = change_begin (change, "user.update", name);

      json_object_set_string_member (detail, "role", args[4]);
      if (!dc_role_parse (args[4], &role, &error) ||
          !dc_users_update (users, name, role, NULL, -1, &error))
        return refuse (change, error->message);
      return 0;
    }

  if ((g_strcmp0 (command, "disable") == 0 || g_strcmp0 (command, "enable") == 0) && n == 4)
    {
      JsonObject *detail = change_begin (change, "user.update", name);
      gboolean disable = g_str_equal (command, "disable");

      json_object_set_boolean_member (detail, "disabled", disable);
      if (!dc_users_update (users, name, DC_ROLE_NONE, NULL, disable, &error))
        return refuse (change, error->message);
      return 0;
    }

  if (g_strcmp0 (command, "token") == 0 && n == 4)
    {
      JsonObject *detail = change_begin (change, "token.create", name);
      g_autofree char *token = NULL;
      gint64 expires = 0;

      json_object_set_string_member (detail, "label", label != NULL ? label : "");
      if (expires_days < 0)
        return refuse (change, "--expires must be a number of days (1 or more)");
      token = dc_users_new_token (users, name, label, (guint) expires_days, &expires, &error);
      if (token == NULL)
        return refuse (change, error->message);
      if (expires != 0)
        {
          g_autofree char *text = dc_time_format (expires);

          json_object_set_string_member (detail, "expires", text);
        }
      else
        json_object_set_null_member (detail, "expires");
      g_print ("%s\n", token);
      sodium_memzero (token, strlen (token));
      return 0;
    }

  return fail (usage);
}

int
dc_cli_user_main (int   argc,
                  char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DcUsers) users = NULL;
  g_autoptr(DcAudit) audit = NULL;
  g_autofree char *audit_path = NULL;
  Change change = { NULL };
  g_auto(GStrv) args = NULL;
  g_autofree char *db_dir = NULL;
  g_autofree char *role = NULL;
  g_autofree char *label = NULL;
  DcSettings *settings = dc_settings_new ();
  int expires = 0;
  int status;
  const GOptionEntry entries[] = {
    { "role", 0, 0, G_OPTION_ARG_STRING, &role,
      N_("Role of a new user: viewer, operator, engineer or admin"), N_("ROLE") },
    { "expires", 0, 0, G_OPTION_ARG_INT, &expires,
      N_("Days until a new API token expires (default: never)"), N_("DAYS") },
    { "label", 0, 0, G_OPTION_ARG_STRING, &label,
      N_("What a new API token is for"), N_("TEXT") },
    { NULL }
  };

  context = g_option_context_new ("add|list|passwd|role|disable|enable|token …");
  g_option_context_set_summary (context, _("Users and API tokens of a DataColl configuration "
                                           "database (docs/security.md)."));
  g_option_context_set_main_group (context, dc_settings_get_option_group (settings));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);

  args = g_strdupv (argv);
  if (!g_option_context_parse_strv (context, &args, &error) ||
      !dc_settings_load (settings, &error))
    {
      dc_settings_free (settings);
      return fail_error (error);
    }
  if (expires < 0)
    expires = -1;

  db_dir = g_path_get_dirname (settings->db);
  if (g_mkdir_with_parents (db_dir, 0700) != 0)
    {
      g_autofree char *text = g_strdup_printf ("cannot create %s: %s", db_dir,
                                               g_strerror (errno));

      dc_settings_free (settings);
      return fail (text);
    }
  users = dc_users_open (settings->db, &error);
  /* The audit log of this configuration: no change without its row. */
  if (users != NULL)
    audit_path = dc_companion_open (settings->db, "audit", settings->audit_db, &error);
  if (audit_path != NULL)
    audit = dc_audit_new (audit_path, &error);
  dc_settings_free (settings);
  if (audit == NULL)
    return fail_error (error);

  status = run (users, args, role, expires, label, &change);
  if (change.action != NULL)
    {
      g_autoptr(DcAuditActor) actor = dc_audit_actor_new (g_get_user_name (), "", "cli");

      dc_audit_record (audit, actor, change.action, change.target, change.detail,
                       change.result);
      dc_audit_flush (audit);
    }
  g_clear_pointer (&change.detail, json_node_unref);
  g_free (change.result);
  return status;
}
