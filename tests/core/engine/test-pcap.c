/* test-pcap.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Writes IEC 104 and Modbus traffic as pcap and lets tshark (a decoder we did not write) read it
 * back: the frame count and the decoded fields must match.
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "dc-pcap.h"

static gboolean
have_tshark (void)
{
  g_autofree char *path = g_find_program_in_path ("tshark");

  return path != NULL;
}

static GPtrArray *
frames_from_hex (const char * const *hex,
                 const gboolean     *incoming,
                 guint               n)
{
  GPtrArray *frames = g_ptr_array_new_with_free_func ((GDestroyNotify) dc_traffic_frame_free);

  for (guint i = 0; i < n; i++)
    {
      DcTrafficFrame *f = g_new0 (DcTrafficFrame, 1);
      g_auto(GStrv) bytes = g_strsplit (hex[i], " ", -1);

      f->seq = i + 1;
      f->time = 1448959815000003 + i * 1000;
      f->incoming = incoming[i];
      f->len = g_strv_length (bytes);
      f->bytes = g_malloc (f->len);
      for (guint j = 0; j < f->len; j++)
        f->bytes[j] = (guint8) g_ascii_strtoull (bytes[j], NULL, 16);
      g_ptr_array_add (frames, f);
    }
  return frames;
}

static char *
run_tshark (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) env = g_get_environ ();
  g_autofree char *home = g_build_filename (g_get_tmp_dir (), "tshark-home", NULL);
  int status;

  /* tshark reads its profile from $HOME/.config/wireshark: give it an empty, existing home. */
  g_mkdir_with_parents (home, 0700);
  env = g_environ_setenv (env, "HOME", home, TRUE);
  env = g_environ_setenv (env, "XDG_CONFIG_HOME", home, TRUE);
  g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("tshark failed: %s", err);
  return g_steal_pointer (&out);
}

/* Saves the frames as @name in the temporary directory; the path, or NULL (the test is then
 * skipped) when tshark is missing. */
static char *
save_frames (const char         *name,
             const char * const *hex,
             const gboolean     *incoming,
             guint               n,
             guint16             peer_port,
             guint16             local_port)
{
  g_autoptr(GPtrArray) frames = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  if (!have_tshark ())
    {
      g_test_skip ("tshark is not installed (build-aux/install-deps installs it)");
      return NULL;
    }

  frames = frames_from_hex (hex, incoming, n);
  path = g_build_filename (g_get_tmp_dir (), name, NULL);
  dc_pcap_save (path, frames, "127.0.0.1", peer_port, local_port, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

/* tshark's output for @argv, one line per frame: there must be @n_frames. */
static GStrv
tshark_lines (const char * const *argv,
              guint               n_frames,
              char              **out_text)
{
  g_autofree char *out = run_tshark (argv);
  GStrv lines;

  g_test_message ("tshark: %s", out);
  lines = g_strsplit (g_strstrip (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, n_frames);
  if (out_text != NULL)
    *out_text = g_steal_pointer (&out);
  return lines;
}

static void
test_iec104 (void)
{
  static const char * const hex[] = {
    "68 04 07 00 00 00",                                     /* STARTDT act */
    "68 04 0b 00 00 00",                                     /* STARTDT con */
    "68 0e 00 00 00 00 64 01 06 00 01 00 00 00 00 14",       /* C_IC_NA_1 act, CA 1 */
    "68 12 00 00 02 00 0d 01 14 00 01 00 e9 03 00 00 00 28 41 00", /* M_ME_NC_1 IOA 1001 = 10.5 */
    "68 04 01 00 94 00",                                     /* S-frame N(R)=74 */
  };
  static const gboolean incoming[] = { FALSE, TRUE, FALSE, TRUE, FALSE };
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;

  path = save_frames ("iec104.pcap", hex, incoming, G_N_ELEMENTS (hex), 2404, 40000);
  if (path == NULL)
    return;

  {
    const char *argv[] = { "tshark", "-n", "-r", path, "-d", "tcp.port==2404,iec60870_104",
                           "-T", "fields", "-E", "separator=;", "-e", "frame.number",
                           "-e", "_ws.expert", "-e", "iec60870_104.type", "-e", "iec60870_asdu.typeid",
                           "-e", "iec60870_asdu.causetx", "-e", "iec60870_asdu.ioa",
                           "-e", "iec60870_asdu.float", NULL };

    lines = tshark_lines (argv, G_N_ELEMENTS (hex), &out);
  }
  g_assert_null (strstr (out, "alformed"));
  /* The measurement: type 13, cause 20 (interrogated by station), IOA 1001, 10.5. */
  g_assert_nonnull (strstr (lines[3], ";13;20;1001;10.5"));
  /* The interrogation command is type 100 with cause 6 (activation). */
  g_assert_nonnull (strstr (lines[2], ";100;6;"));
}

static void
test_modbus (void)
{
  static const char * const hex[] = {
    "01 02 00 00 00 06 11 03 00 6b 00 02",        /* read 2 holding registers at 107 */
    "01 02 00 00 00 07 11 03 04 12 34 ab cd",     /* 0x1234 0xabcd */
    "01 03 00 00 00 06 11 03 00 6b 00 02",
    "01 03 00 00 00 03 11 83 02",                 /* exception: illegal data address */
  };
  static const gboolean incoming[] = { FALSE, TRUE, FALSE, TRUE };
  g_autofree char *path = NULL;
  g_auto(GStrv) lines = NULL;

  path = save_frames ("modbus.pcap", hex, incoming, G_N_ELEMENTS (hex), 1502, 40001);
  if (path == NULL)
    return;

  {
    const char *argv[] = { "tshark", "-n", "-r", path, "-o", "mbtcp.tcp.port:1502",
                           "-T", "fields", "-E", "separator=;", "-e", "frame.number",
                           "-e", "mbtcp.trans_id", "-e", "modbus.func_code",
                           "-e", "modbus.reference_num", "-e", "modbus.exception_code", NULL };

    lines = tshark_lines (argv, G_N_ELEMENTS (hex), NULL);
  }
  g_assert_nonnull (strstr (lines[0], ";258;3;107"));
  /* tshark reports the function without the exception bit, and the exception code. */
  g_assert_nonnull (strstr (lines[3], ";259;3;"));
  g_assert_true (g_str_has_suffix (lines[3], ";2"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/dc/pcap/iec104-tshark", test_iec104);
  g_test_add_func ("/dc/pcap/modbus-tshark", test_modbus);

  return g_test_run ();
}
