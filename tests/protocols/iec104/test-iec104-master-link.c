/* test-iec104-master-link.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The master driver's link: the backup address, end of initialisation, running on the main
 * context, and a whole session's frames decoded by tshark's IEC 104 dissector.
 */

#define G_LOG_DOMAIN "test-iec104-master"

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "dc-error.h"

#include "iec104-master-fixture.h"

static void
test_backup (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                       G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  DcIec104DriverStats st;
  guint16 dead_port;

  /* A port nobody listens on: bound, never listening. */
  g_assert_true (g_socket_bind (s, addr, FALSE, NULL));
  bound = g_socket_get_local_address (s, NULL);
  dead_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  sim_start (f);
  json_object_set_string_member (f->device, "backup_ip", "127.0.0.1");
  json_object_set_int_member (f->device, "backup_port", f->port);
  f->port = dead_port;
  driver_start (f);
  g_assert_true (wait_for (f, is_up, NULL, 10));
  dc_iec104_driver_get_stats (DC_IEC104_DRIVER (f->driver), &st);
  g_assert_cmpuint (st.using_backup, ==, 1);
  g_assert_cmpuint (f->downs, >=, 1);
}

static void
test_end_of_init (Fixture       *f,
                  gconstpointer  data)
{
  DcIec104DriverStats st;

  start_both (f);
  g_assert_true (wait_for (f, sim_gi_at_least, GUINT_TO_POINTER (1), 5));
  dc_iec104_sim_send_end_of_init (f->sim);
  g_assert_true (wait_for (f, sim_gi_at_least, GUINT_TO_POINTER (2), 5));
  dc_iec104_driver_get_stats (DC_IEC104_DRIVER (f->driver), &st);
  g_assert_cmpuint (st.end_of_init, ==, 1);
  g_assert_cmpuint (st.gi_sent, ==, 2);
}

/* Without an I/O context the driver runs on the caller's (main) context. */
static void
test_main_context (Fixture       *f,
                   gconstpointer  data)
{
  f->on_main_context = TRUE;
  start_both (f);
  g_assert_true (wait_for (f, has_sample, GINT_TO_POINTER (41), 10));
  run_ctrl (f, 41, 1, 1);
  g_assert_error (f->error, DC_ERROR, DC_ERROR_INVALID);
  dc_driver_stop (f->driver);
  g_assert_cmpuint (f->downs, ==, 0);
}

/* Independent check: the frames of a session, written to a pcap as one TCP segment each, decoded
 * by tshark's IEC 104 dissector: no malformed packets, and the same TYP/COT/IOA per I-frame as
 * our own decoder. */

static void
put_be16 (GByteArray *a,
          guint16     v)
{
  guint8 b[2] = { v >> 8, v & 0xff };

  g_byte_array_append (a, b, 2);
}

static void
put_be32 (GByteArray *a,
          guint32     v)
{
  guint8 b[4] = { v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff };

  g_byte_array_append (a, b, 4);
}

static void
put_le32 (GByteArray *a,
          guint32     v)
{
  guint8 b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };

  g_byte_array_append (a, b, 4);
}

static void
write_pcap (GPtrArray  *frames,
            guint16     port,
            const char *path)
{
  g_autoptr(GByteArray) pcap = g_byte_array_new ();
  guint32 seq[2] = { 1000, 5000000 };
  const guint16 master_port = 40404;

  put_le32 (pcap, 0xa1b2c3d4);
  put_le32 (pcap, 2 | (4 << 16));
  put_le32 (pcap, 0);
  put_le32 (pcap, 0);
  put_le32 (pcap, 65535);
  put_le32 (pcap, 101);  /* LINKTYPE_RAW: IPv4 */

  for (guint i = 0; i < frames->len; i++)
    {
      const DcTrafficFrame *fr = g_ptr_array_index (frames, i);
      g_autoptr(GByteArray) ip = g_byte_array_new ();
      int dir = fr->incoming ? 1 : 0;
      guint32 sum = 0;

      /* IPv4 */
      put_be16 (ip, 0x4500);
      put_be16 (ip, 40 + fr->len);
      put_be16 (ip, i & 0xffff);
      put_be16 (ip, 0x4000);
      put_be16 (ip, 0x4006);
      put_be16 (ip, 0);
      put_be32 (ip, 0x7f000001);
      put_be32 (ip, 0x7f000001);
      for (guint j = 0; j < 20; j += 2)
        sum += (ip->data[j] << 8) | ip->data[j + 1];
      while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
      ip->data[10] = (~sum >> 8) & 0xff;
      ip->data[11] = ~sum & 0xff;
      /* TCP, PSH|ACK */
      put_be16 (ip, dir ? port : master_port);
      put_be16 (ip, dir ? master_port : port);
      put_be32 (ip, seq[dir]);
      put_be32 (ip, seq[!dir]);
      put_be16 (ip, 0x5018);
      put_be16 (ip, 65535);
      put_be32 (ip, 0);
      g_byte_array_append (ip, fr->bytes, fr->len);
      seq[dir] += fr->len;

      put_le32 (pcap, fr->time / G_USEC_PER_SEC);
      put_le32 (pcap, fr->time % G_USEC_PER_SEC);
      put_le32 (pcap, ip->len);
      put_le32 (pcap, ip->len);
      g_byte_array_append (pcap, ip->data, ip->len);
    }
  g_assert_true (g_file_set_contents (path, (const char *) pcap->data, pcap->len, NULL));
}

static void
test_tshark (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *tshark = g_find_program_in_path ("tshark");
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *decode_as = NULL;
  g_autofree char *out = NULL;
  g_autofree char *verbose = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) frames = NULL;
  g_autoptr(GString) ours = g_string_new (NULL);
  g_autoptr(GString) theirs = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) env = NULL;
  int status = 0;
  guint n_i = 0;

  if (tshark == NULL)
    {
      g_test_skip ("tshark is not installed (Debian package tshark)");
      return;
    }

  json_object_set_int_member (f->device, "ci_s", 3600);
  json_object_set_boolean_member (f->device, "clock_sync", TRUE);
  add_point (f, 100, DC_IEC104_SIM_IOA_DOUBLES + 1, 46, 1, FALSE);
  start_both (f);
  g_assert_true (wait_for (f, has_sample, GINT_TO_POINTER (53), 10));
  run_ctrl (f, 100, 1, 5);
  g_assert_no_error (f->error);
  f->done = FALSE;
  dc_driver_call_async (f->driver, point (f, 42), g_get_monotonic_time () + 5 * G_USEC_PER_SEC,
                        NULL, call_done_cb, f);
  g_assert_true (wait_for (f, is_done, NULL, 10));
  g_assert_no_error (f->error);
  dc_iec104_sim_set_value (f->sim, DC_IEC104_SIM_IOA_FLOATS, 55.5);
  dc_iec104_sim_set_value (f->sim, DC_IEC104_SIM_IOA_SINGLES, 1);
  g_usleep (300 * 1000);
  dc_driver_stop (f->driver);

  frames = dc_traffic_get_frames (dc_driver_get_traffic (f->driver), 0, 100000);
  g_assert_cmpuint (frames->len, >, 10);
  dir = g_dir_make_tmp ("iec104-tshark-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "session.pcap", NULL);
  write_pcap (frames, f->port, path);

  /* Our decoder: "TYP COT IOA,IOA,…" per I-frame. */
  for (guint i = 0; i < frames->len; i++)
    {
      const DcTrafficFrame *fr = g_ptr_array_index (frames, i);
      g_autoptr(JsonObject) decoded = NULL;
      g_autofree char *err = NULL;
      g_autofree char *summary = dc_driver_decode_frame (f->driver, fr, &decoded, &err);
      JsonArray *objects;

      g_assert_null (err);
      if (g_strcmp0 (json_object_get_string_member (decoded, "kind"), "I") != 0)
        continue;
      n_i++;
      g_string_append_printf (ours, "%" G_GINT64_FORMAT " %" G_GINT64_FORMAT " ",
                              json_object_get_int_member (decoded, "type"),
                              json_object_get_int_member (decoded, "cause"));
      objects = json_object_get_array_member (decoded, "objects");
      for (guint j = 0; j < json_array_get_length (objects); j++)
        {
          JsonObject *o = json_array_get_object_element (objects, j);

          g_string_append_printf (ours, "%s%" G_GINT64_FORMAT, j ? "," : "",
                                  json_object_get_int_member (o, "ioa"));
        }
      g_string_append_c (ours, '\n');
    }
  g_assert_cmpuint (n_i, >, 5);

  decode_as = g_strdup_printf ("tcp.port==%u,iec60870_104", f->port);
  /* tshark wants a writable configuration directory. */
  env = g_get_environ ();
  env = g_environ_setenv (env, "HOME", dir, TRUE);
  env = g_environ_setenv (env, "XDG_CONFIG_HOME", dir, TRUE);
  {
    const char *argv[] = { tshark, "-n", "-r", path, "-d", decode_as, "-Y", "iec60870_asdu",
                           "-T", "fields", "-e", "iec60870_asdu.typeid", "-e",
                           "iec60870_asdu.causetx", "-e", "iec60870_asdu.ioa",
                           "-E", "separator= ", "-E", "occurrence=a", "-E", "aggregator=,", NULL };

    g_autofree char *err = NULL;

    g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL,
                                 &out, &err, &status, &error));
    g_assert_no_error (error);
    if (!g_spawn_check_wait_status (status, NULL))
      g_error ("tshark failed: %s", err);
  }
  {
    const char *argv[] = { tshark, "-n", "-r", path, "-d", decode_as, "-V", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                                 &verbose, NULL, &status, &error));
    g_assert_no_error (error);
  }
  g_assert_null (strstr (verbose, "Malformed"));
  g_assert_nonnull (strstr (verbose, "IEC 60870-5-104"));

  /* tshark prints one line per I-frame (one ASDU each). */
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      g_string_append_printf (theirs, "%s\n", lines[i]);
  g_assert_cmpstr (theirs->str, ==, ours->str);

  g_remove (path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  ADD ("backup", test_backup);
  ADD ("end-of-init", test_end_of_init);
  ADD ("tshark", test_tshark);
  ADD ("main-context", test_main_context);

  return g_test_run ();
}
