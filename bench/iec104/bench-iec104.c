/* bench-iec104.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * IEC 104 receive throughput against `datacoll-sim iec104 --flood 30` (see bench/iec104/run):
 *
 *   bench-iec104 floor  PORT SECONDS          minimal receive-decode-acknowledge loop on our codec
 *   bench-iec104 master PORT SECONDS none|all DIR
 *                                             the full master: store, engine (live table),
 *                                             history writer, DcIec104Driver on an I/O thread
 *   bench-iec104 sqlite SECONDS DIR           raw sqlite floor: prepared batched inserts, WAL
 *
 * Each prints "objects/s N" (or "rows/s N") and counters on stdout.
 */

#include "config.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "dc-engine.h"
#include "dc-history.h"
#include "dc-iec104-codec.h"
#include "dc-iec104-driver.h"
#include "dc-store.h"

static int
run_floor (int    port,
           double seconds)
{
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons (port) };
  g_autoptr(GArray) objects = g_array_new (FALSE, TRUE, sizeof (DcIec104Object));
  guint8 buf[65536];
  gsize len = 0;
  guint16 vr = 0;
  guint unacked = 0;
  guint64 n_objects = 0, n_frames = 0;
  gint64 start = 0, end;
  double sum = 0;
  int fd, one = 1;
  guint8 u[6];

  inet_pton (AF_INET, "127.0.0.1", &sa.sin_addr);
  fd = socket (AF_INET, SOCK_STREAM, 0);
  if (connect (fd, (struct sockaddr *) &sa, sizeof sa) != 0)
    {
      perror ("connect");
      return 1;
    }
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  dc_iec104_build_u (u, DC_IEC104_U_STARTDT_ACT);
  if (write (fd, u, 6) != 6)
    return 1;

  end = g_get_monotonic_time () + (gint64) ((seconds + 1) * G_USEC_PER_SEC);
  for (;;)
    {
      ssize_t n = read (fd, buf + len, sizeof buf - len);
      gsize off = 0;
      gint64 now;

      if (n <= 0)
        break;
      len += n;
      while (TRUE)
        {
          gssize flen = dc_iec104_frame_length (buf + off, len - off, NULL);
          DcIec104Apci apci;

          if (flen <= 0)
            break;
          if (dc_iec104_parse_apci (buf + off, flen, &apci, NULL) && apci.kind == DC_IEC104_FRAME_I)
            {
              DcIec104Asdu h;

              vr = (vr + 1) & 0x7fff;
              if (dc_iec104_parse_asdu (apci.asdu, apci.asdu_len, &h, objects, NULL) && start)
                {
                  n_objects += objects->len;
                  n_frames++;
                  for (guint i = 0; i < objects->len; i++)
                    sum += g_array_index (objects, DcIec104Object, i).value;
                }
              if (++unacked >= 8)
                {
                  dc_iec104_build_s (u, vr);
                  if (write (fd, u, 6) != 6)
                    return 1;
                  unacked = 0;
                }
            }
          off += flen;
        }
      memmove (buf, buf + off, len - off);
      len -= off;

      now = g_get_monotonic_time ();
      if (start == 0 && now >= end - (gint64) (seconds * G_USEC_PER_SEC))
        start = now;
      if (now >= end)
        break;
    }
  close (fd);
  if (start == 0)
    return 1;
  printf ("objects %" G_GUINT64_FORMAT "\nframes %" G_GUINT64_FORMAT "\nobjects/s %.0f\n"
          "checksum %g\n", n_objects, n_frames,
          n_objects / ((g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC), sum);
  return 0;
}

static gboolean
quit_cb (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static void
run_loop_for (double seconds)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  g_timeout_add ((guint) (seconds * 1000), quit_cb, loop);
  g_main_loop_run (loop);
}

static int
run_master (int         port,
            double      seconds,
            const char *history_mode,
            const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config_path = g_build_filename (dir, "config.db", NULL);
  g_autofree char *history_path = g_build_filename (dir, "history.db", NULL);
  g_autoptr(DcStore) store = NULL;
  g_autoptr(DcHistory) history = NULL;
  g_autoptr(DcEngine) engine = NULL;
  g_autoptr(JsonObject) device = json_object_new ();
  g_autoptr(JsonObject) term = json_object_new ();
  DcEngineStats s0, s1, s2;
  DcHistoryStats h1, h2, h3;
  gint64 t0, t1;

  dc_iec104_driver_register ();
  store = dc_store_open (config_path, &error);
  if (store == NULL)
    g_error ("%s", error->message);
  history = dc_history_new (history_path, &error);
  if (history == NULL)
    g_error ("%s", error->message);

  json_object_set_string_member (device, "id", "sub1");
  json_object_set_string_member (device, "protocol", "iec104");
  json_object_set_string_member (device, "ip", "127.0.0.1");
  json_object_set_int_member (device, "port", port);
  if (!dc_store_create (store, DC_KIND_DEVICE, device, &error))
    g_error ("%s", error->message);
  json_object_set_string_member (term, "id", "t1");
  json_object_set_string_member (term, "device_id", "sub1");
  json_object_set_string_member (term, "protocol", "iec104");
  json_object_set_int_member (term, "address", 1);
  if (!dc_store_create (store, DC_KIND_TERM, term, &error))
    g_error ("%s", error->message);
  for (guint i = 0; i < 30; i++)
    {
      g_autoptr(JsonObject) item = json_object_new ();
      g_autoptr(JsonObject) point = json_object_new ();
      g_autofree char *id = g_strdup_printf ("f%u", i + 1);

      json_object_set_string_member (item, "id", id);
      json_object_set_string_member (item, "name", id);
      if (!dc_store_create (store, DC_KIND_ITEM, item, &error))
        g_error ("%s", error->message);
      json_object_set_string_member (point, "term_id", "t1");
      json_object_set_string_member (point, "item_id", id);
      json_object_set_int_member (point, "protocol_code", 4001 + i);
      json_object_set_int_member (point, "code_type", 13);
      json_object_set_string_member (point, "history", history_mode);
      if (!dc_store_create (store, DC_KIND_POINT, point, &error))
        g_error ("%s", error->message);
    }

  engine = dc_engine_new (store, history);
  dc_engine_start (engine);
  run_loop_for (1.0);  /* connect, GI, warm up */
  dc_engine_get_stats (engine, &s0);
  dc_history_get_stats (history, &h1);
  t0 = g_get_monotonic_time ();
  run_loop_for (seconds);
  t1 = g_get_monotonic_time ();
  dc_engine_get_stats (engine, &s1);
  dc_history_get_stats (history, &h2);

  /* h2 is the history at the end of the window: rows written later (the backlog drained by the
   * shutdown below) are not counted in rows/s, only in the totals. */
  dc_engine_shutdown (engine);
  dc_history_sync (history);
  dc_engine_get_stats (engine, &s2);
  dc_history_get_stats (history, &h3);

  printf ("objects/s %.0f\n", (s1.accepted - s0.accepted) / ((t1 - t0) / (double) G_USEC_PER_SEC));
  printf ("backlog_start %" G_GUINT64_FORMAT "\nbacklog_end %" G_GUINT64_FORMAT "\n",
          s0.backlog, s1.backlog);
  printf ("rows/s %.0f\n", (h2.written - h1.written) / ((t1 - t0) / (double) G_USEC_PER_SEC));
  printf ("window_accepted %" G_GUINT64_FORMAT "\nwindow_written %" G_GUINT64_FORMAT "\n",
          s1.accepted - s0.accepted, h2.written - h1.written);
  printf ("received %" G_GUINT64_FORMAT "\naccepted %" G_GUINT64_FORMAT "\nstored %"
          G_GUINT64_FORMAT "\nwritten %" G_GUINT64_FORMAT "\nunknown %" G_GUINT64_FORMAT "\n",
          s2.received, s2.accepted, s2.stored, h3.written, s2.unknown);
  return 0;
}

static int
run_sqlite (double      seconds,
            const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "floor.db", NULL);
  sqlite3 *db;
  sqlite3_stmt *st;
  guint64 rows = 0;
  gint64 start, end, t = 1700000000000000;

  if (sqlite3_open (path, &db) != SQLITE_OK)
    return 1;
  sqlite3_exec (db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                "CREATE TABLE s (key INTEGER, time INTEGER, value REAL, quality INTEGER,"
                " PRIMARY KEY (key, time)) WITHOUT ROWID;", NULL, NULL, NULL);
  sqlite3_prepare_v2 (db, "INSERT OR REPLACE INTO s VALUES (?, ?, ?, ?)", -1, &st, NULL);
  start = g_get_monotonic_time ();
  end = start + (gint64) (seconds * G_USEC_PER_SEC);
  while (g_get_monotonic_time () < end)
    {
      sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
      for (guint i = 0; i < 1000; i++, rows++)
        {
          sqlite3_bind_int64 (st, 1, 1 + rows % 30);
          sqlite3_bind_int64 (st, 2, t + (gint64) (rows / 30) * 1000);
          sqlite3_bind_double (st, 3, rows * 0.5);
          sqlite3_bind_int (st, 4, 0);
          sqlite3_step (st);
          sqlite3_reset (st);
        }
      sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
    }
  printf ("rows/s %.0f\n", rows / ((g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC));
  sqlite3_finalize (st);
  sqlite3_close (db);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  if (argc >= 4 && strcmp (argv[1], "floor") == 0)
    return run_floor (atoi (argv[2]), g_ascii_strtod (argv[3], NULL));
  if (argc >= 6 && strcmp (argv[1], "master") == 0)
    return run_master (atoi (argv[2]), g_ascii_strtod (argv[3], NULL), argv[4], argv[5]);
  if (argc >= 4 && strcmp (argv[1], "sqlite") == 0)
    return run_sqlite (g_ascii_strtod (argv[2], NULL), argv[3]);
  fprintf (stderr, "usage: bench-iec104 floor PORT SECONDS | master PORT SECONDS none|all DIR |"
           " sqlite SECONDS DIR\n");
  return 2;
}
