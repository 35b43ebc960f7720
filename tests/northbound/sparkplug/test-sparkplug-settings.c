/* test-sparkplug-settings.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The [sparkplug] settings (docs/sparkplug.md): defaults, the keys, the errors that name the
 * file and key, the password file (relative to the settings file, first line, needs a username)
 * and empty values meaning none.
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "dc-error.h"
#include "dc-sparkplug-settings.h"

static char *
write_file (const char *dir,
            const char *name,
            const char *text)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static void
test_defaults (void)
{
  g_autoptr(DcSparkplugSettings) s = dc_sparkplug_settings_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (dc_sparkplug_settings_load (s, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (s->enabled);
  g_assert_cmpstr (s->host, ==, "127.0.0.1");
  g_assert_cmpuint (s->port, ==, 1883);
  g_assert_cmpstr (s->group_id, ==, "DataColl");
  g_assert_cmpstr (s->edge_node_id, ==, "datacoll");
  g_assert_null (s->client_id);
  g_assert_null (s->username);
  g_assert_null (s->password);
  g_assert_null (s->tls_ca);
  g_assert_null (s->primary_host_id);
  g_assert_cmpuint (s->queue_mb, ==, 1024);
}

static void
test_keys (void)
{
  g_autofree char *dir = g_dir_make_tmp ("dc-sparkplug-XXXXXX", NULL);
  g_autofree char *pw = write_file (dir, "pw", "s3cret\nignored\n");
  g_autofree char *ca = write_file (dir, "ca.pem", "not read here\n");
  g_autofree char *conf = write_file (dir, "datacoll.conf",
                                      "[sparkplug]\nenabled=true\nhost=broker.local\nport=8883\n"
                                      "group_id=Plant A\nedge_node_id=edge-1\nclient_id=c1\n"
                                      "keepalive_s=15\nusername=edge\npassword_file=pw\n"
                                      "tls_ca=ca.pem\nprimary_host_id=scada\nqueue_mb=2\n");
  g_autoptr(DcSparkplugSettings) s = dc_sparkplug_settings_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (dc_sparkplug_settings_load (s, conf, &error));
  g_assert_no_error (error);
  g_assert_true (s->enabled);
  g_assert_cmpstr (s->host, ==, "broker.local");
  g_assert_cmpuint (s->port, ==, 8883);
  g_assert_cmpstr (s->group_id, ==, "Plant A");
  g_assert_cmpstr (s->edge_node_id, ==, "edge-1");
  g_assert_cmpstr (s->client_id, ==, "c1");
  g_assert_cmpuint (s->keepalive_s, ==, 15);
  g_assert_cmpstr (s->username, ==, "edge");
  g_assert_cmpstr (s->password_file, ==, pw);
  g_assert_cmpstr (s->password, ==, "s3cret");
  g_assert_cmpstr (s->tls_ca, ==, ca);    /* relative to the settings file */
  g_assert_cmpstr (s->primary_host_id, ==, "scada");
  g_assert_cmpuint (s->queue_mb, ==, 2);

  g_unlink (ca);
  g_unlink (pw);
  g_unlink (conf);
  g_rmdir (dir);
}

static void
expect_error (const char *text,
              const char *message_part)
{
  g_autofree char *dir = g_dir_make_tmp ("dc-sparkplug-XXXXXX", NULL);
  g_autofree char *conf = write_file (dir, "datacoll.conf", text);
  g_autoptr(DcSparkplugSettings) s = dc_sparkplug_settings_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (dc_sparkplug_settings_load (s, conf, &error));
  g_assert_error (error, DC_ERROR, DC_ERROR_INVALID);
  if (strstr (error->message, message_part) == NULL)
    g_error ("\"%s\" does not say \"%s\"", error->message, message_part);

  g_unlink (conf);
  g_rmdir (dir);
}

static void
test_errors (void)
{
  expect_error ("[sparkplug]\ngroup_id=a/b\n", "[sparkplug] group_id must be");
  expect_error ("[sparkplug]\nedge_node_id=#\n", "[sparkplug] edge_node_id must be");
  expect_error ("[sparkplug]\nedge_node_id=\n", "[sparkplug] edge_node_id must be");
  expect_error ("[sparkplug]\nport=0\n", "[sparkplug] port must be an integer between 1");
  expect_error ("[sparkplug]\nkeepalive_s=x\n", "[sparkplug] keepalive_s must be");
  expect_error ("[sparkplug]\nenabled=maybe\n", "[sparkplug] enabled must be true or false");
  expect_error ("[sparkplug]\nhost=\n", "[sparkplug] host must not be empty");
  expect_error ("[sparkplug]\nusername=u\npassword_file=missing\n", "password_file");
  expect_error ("[sparkplug]\npassword_file=datacoll.conf\n", "needs a username");
  expect_error ("[sparkplug]\ntls_ca=missing.pem\n", "[sparkplug] tls_ca: ");
  expect_error ("[sparkplug]\nprimary_host_id=a+b\n", "[sparkplug] primary_host_id must be");
  expect_error ("[sparkplug]\nqueue_mb=0\n", "[sparkplug] queue_mb must be an integer");
}

static void
test_empty_means_none (void)
{
  g_autofree char *dir = g_dir_make_tmp ("dc-sparkplug-XXXXXX", NULL);
  g_autofree char *conf = write_file (dir, "datacoll.conf",
                                      "[sparkplug]\nusername=\npassword_file=\n"
                                      "tls_ca=\nprimary_host_id=\n");
  g_autoptr(DcSparkplugSettings) s = dc_sparkplug_settings_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (dc_sparkplug_settings_load (s, conf, &error));
  g_assert_no_error (error);
  g_assert_null (s->username);
  g_assert_null (s->password_file);
  g_assert_null (s->password);
  g_assert_null (s->tls_ca);
  g_assert_null (s->primary_host_id);

  g_unlink (conf);
  g_rmdir (dir);
}

static void
test_command_line (void)
{
  g_autofree char *dir = g_dir_make_tmp ("dc-sparkplug-XXXXXX", NULL);
  g_autofree char *conf = write_file (dir, "datacoll.conf",
                                      "[sparkplug]\nport=1884\ngroup_id=G\n");
  g_autoptr(DcSparkplugSettings) s = dc_sparkplug_settings_new ();
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) args = g_strdupv ((char *[]) { (char *) "datacoll", (char *) "--sparkplug",
                                               (char *) "--sparkplug-port=1999",
                                               (char *) "--sparkplug-node=N", NULL });

  g_option_context_add_group (context, dc_sparkplug_settings_get_option_group (s));
  g_assert_true (g_option_context_parse_strv (context, &args, &error));
  g_assert_true (dc_sparkplug_settings_load (s, conf, &error));
  g_assert_no_error (error);
  g_assert_true (s->enabled);
  g_assert_cmpuint (s->port, ==, 1999);      /* the command line wins */
  g_assert_cmpstr (s->group_id, ==, "G");    /* the file */
  g_assert_cmpstr (s->edge_node_id, ==, "N");

  g_unlink (conf);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sparkplug/settings/defaults", test_defaults);
  g_test_add_func ("/sparkplug/settings/keys", test_keys);
  g_test_add_func ("/sparkplug/settings/errors", test_errors);
  g_test_add_func ("/sparkplug/settings/empty-means-none", test_empty_means_none);
  g_test_add_func ("/sparkplug/settings/command-line", test_command_line);

  return g_test_run ();
}
