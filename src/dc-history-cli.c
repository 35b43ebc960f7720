/* dc-history-cli.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "datacoll"

#include "config.h"

#include "dc-history-cli.h"

#include <glib/gi18n.h>
#include <unistd.h>

#include "dc-companion.h"
#include "dc-error.h"
#include "dc-history-copy.h"

/* Opening the configured history and `datacoll history copy` (docs/historian-postgresql.md). */

DcHistory *
dc_history_cli_open (DcSettings  *settings,
                     GError     **error)
{
  g_autofree char *history_db = NULL;
  g_autofree char *config_id = NULL;

  if (g_strcmp0 (settings->history_backend, "postgresql") == 0)
    {
      config_id = dc_companion_config_id (settings->db, error);
      if (config_id == NULL)
        return NULL;
      return dc_history_new_postgresql (settings->history_url, settings->history_password_file,
                                        settings->db, config_id, error);
    }

  /* The history file of this configuration, and no other's (docs/history.md). */
  history_db = dc_companion_open (settings->db, "history", settings->history_db, error);
  if (history_db == NULL)
    return NULL;
  return dc_history_new (history_db, error);
}

typedef struct
{
  gboolean tty;
  gint64   last;
  guint    last_percent;
} Progress;

static void
progress_cb (guint64  done,
             guint64  total,
             gpointer user_data)
{
  Progress *p = user_data;
  gint64 now = g_get_monotonic_time ();
  guint percent = total > 0 ? (guint) (done * 100 / total) : 100;

  /* A line rewritten twice a second on a terminal; one line per 10 % otherwise. */
  if (p->tty)
    {
      if (done < total && now - p->last < G_USEC_PER_SEC / 2)
        return;
      g_printerr ("\r%s", "");
      g_printerr (_("copied %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " samples (%u %%)"),
                  done, total, percent);
      if (done == total)
        g_printerr ("\n");
    }
  else
    {
      if (percent / 10 == p->last_percent / 10 && done != 0 && done < total)
        return;
      g_printerr (_("copied %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " samples (%u %%)"),
                  done, total, percent);
      g_printerr ("\n");
    }
  p->last = now;
  p->last_percent = percent;
}

static int
copy_main (const char *from,
           const char *to,
           const char *password_file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DcHistory) dest = NULL;
  g_autofree char *config_id = NULL;
  g_autofree char *config_path = NULL;
  Progress progress = { isatty (STDERR_FILENO), 0, 0 };
  DcHistoryStats stats;
  const char *file;
  gint64 copied;

  if (from == NULL || !g_str_has_prefix (from, "sqlite:") || from[7] == '\0')
    {
      g_printerr ("%s\n", _("--from must be sqlite:FILE"));
      return 2;
    }
  if (to == NULL ||
      !(g_str_has_prefix (to, "postgresql://") || g_str_has_prefix (to, "postgres://")))
    {
      g_printerr ("%s\n", _("--to must be a postgresql:// URL"));
      return 2;
    }
  file = from + 7;
  if (!g_file_test (file, G_FILE_TEST_IS_REGULAR))
    {
      g_printerr (_("no history file %s\n"), file);
      return 1;
    }

  /* The database belongs to the configuration the file belongs to. */
  if (!dc_history_sqlite_owner (file, &config_id, &config_path, &error) && error != NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  dest = dc_history_new_postgresql (to, password_file, config_path, config_id, &error);
  if (dest == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  /* Retention belongs to the server: the copy keeps every sample. */
  dc_history_set_default_retention_days (dest, 1000000);

  copied = dc_history_copy_from_sqlite (file, dest, progress_cb, &progress, &error);
  if (copied < 0)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  dc_history_get_stats (dest, &stats);
  if (stats.written != (guint64) copied)
    {
      g_printerr (_("only %" G_GUINT64_FORMAT " of %" G_GINT64_FORMAT " samples were written\n"),
                  stats.written, copied);
      return 1;
    }
  g_print (_("copied %" G_GINT64_FORMAT " samples from %s to %s\n"), copied, file,
           dc_history_get_path (dest));
  return 0;
}

int
dc_history_cli_main (int    argc,
                     char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("copy --from sqlite:FILE --to URL"));
  g_autoptr(GError) error = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *password_file = NULL;
  const GOptionEntry entries[] = {
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, N_("The history to copy: sqlite:FILE"),
      N_("SOURCE") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to,
      N_("The PostgreSQL database (postgresql:// URL, no password)"), N_("URL") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file,
      N_("A file whose first line is the password (default: PGPASSFILE or ~/.pgpass)"),
      N_("FILE") },
    { NULL }
  };

  g_option_context_set_summary (context, _("Copies history samples into a PostgreSQL database "
                                           "(docs/historian-postgresql.md)."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (argc != 2 || !g_str_equal (argv[1], "copy"))
    {
      g_printerr ("%s\n", _("usage: datacoll history copy --from sqlite:FILE --to URL"));
      return 2;
    }
  return copy_main (from, to, password_file);
}
