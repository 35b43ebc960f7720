/* dc-sim-iec104.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * `datacoll-sim iec104`: the IEC 104 outstation of src/protocols/iec104/dc-iec104-sim.c on the
 * default main context.
 */

#define G_LOG_DOMAIN "datacoll-sim"

#include "config.h"

#include <stdio.h>
#include <glib.h>
#include <glib-unix.h>

#include "dc-iec104-sim.h"
#include "dc-sim.h"

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

int
dc_sim_iec104_main (int argc, char **argv)
{
  DcIec104SimConfig config;
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DcIec104Sim) sim = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *layout = NULL;
  g_autofree char *bind = NULL;
  g_autofree char *tz = NULL;
  int port = 2404, ca = 1, floats = -1, singles = -1, doubles = -1, counters = -1, scaled = -1;
  int normalized = -1, flood = 0, k = 12, w = 8;
  gint64 flood_count = 0;
  double changes = -1;
  gboolean negative = FALSE, demo = FALSE;
  GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "TCP port (2404; 0 = any free port)", "N" },
    { "bind", 0, 0, G_OPTION_ARG_STRING, &bind, "Listen address (0.0.0.0)", "ADDRESS" },
    { "ca", 0, 0, G_OPTION_ARG_INT, &ca, "Common address (1)", "CA" },
    { "floats", 0, 0, G_OPTION_ARG_INT, &floats, "Short floats, IOA 4001- (8)", "N" },
    { "singles", 0, 0, G_OPTION_ARG_INT, &singles, "Single points, IOA 1- (4)", "N" },
    { "doubles", 0, 0, G_OPTION_ARG_INT, &doubles, "Double points, IOA 1001- (4)", "N" },
    { "counters", 0, 0, G_OPTION_ARG_INT, &counters, "Integrated totals, IOA 5001- (4)", "N" },
    { "scaled", 0, 0, G_OPTION_ARG_INT, &scaled, "Scaled values, IOA 2001- (4)", "N" },
    { "normalized", 0, 0, G_OPTION_ARG_INT, &normalized, "Normalized values, IOA 3001- (4)", "N" },
    { "changes-per-s", 0, 0, G_OPTION_ARG_DOUBLE, &changes,
      "Spontaneous changes per second (5)", "N" },
    { "flood", 0, 0, G_OPTION_ARG_INT, &flood,
      "Send N changing floats per ASDU as fast as the window allows (at most 30)", "N" },
    { "flood-count", 0, 0, G_OPTION_ARG_INT64, &flood_count,
      "Stop the flood after N objects in all (0 = never); object i goes to IOA "
      "4001 + i % max (floats, flood) with the value (i % 100000) / 2", "N" },
    { "negative", 0, 0, G_OPTION_ARG_NONE, &negative, "Refuse every command (P/N = 1)", NULL },
    { "k", 'k', 0, G_OPTION_ARG_INT, &k,
      "Unacknowledged I-frames before the outstation stops (12)", "K" },
    { "w", 'w', 0, G_OPTION_ARG_INT, &w, "Received I-frames before an acknowledgement (8)", "W" },
    { "time-zone", 0, 0, G_OPTION_ARG_STRING, &tz, "Time zone of the time tags (UTC)", "ZONE" },
    { "demo", 0, 0, G_OPTION_ARG_NONE, &demo, "The substation RTU of the demo plant", NULL },
    { NULL }
  };

  dc_iec104_sim_config_init (&config);
  layout = dc_iec104_sim_describe (&config);

  ctx = g_option_context_new ("- IEC 60870-5-104 outstation");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (ctx,
    "Point layout (IOA ranges grow with the counts):\n"
    "  singles     1-      M_SP_NA_1 (GI), M_SP_TB_1 (spontaneous); command C_SC\n"
    "  doubles     1001-   M_DP_NA_1, M_DP_TB_1; command C_DC (1 off, 2 on)\n"
    "  scaled      2001-   M_ME_NB_1, M_ME_TE_1; commands C_SE_NB, C_RC (+/-1)\n"
    "  normalized  3001-   M_ME_NA_1, M_ME_TD_1; command C_SE_NA\n"
    "  floats      4001-   M_ME_NC_1, M_ME_TF_1 (--flood sends M_ME_NC_1); command C_SE_NC\n"
    "  counters    5001-   M_IT_NA_1 (counter interrogation), M_IT_TB_1; command C_BO\n"
    "Commands use the IOA of the point they set or IOA + 10000 (command address), confirm\n"
    "select and execute (act-con, act-term) and echo the new value spontaneously (cause 11).\n"
    "GI answers with SQ=1 blocks.\n"
    "--demo: floats 4001-4003 feeder currents (A), 4004-4006 feeder power (kW), 4007 busbar\n"
    "voltage (kV); doubles 1001-1003 breakers (C_DC at 11001-11003); counters 5001-5003\n"
    "energy (kWh).");
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("datacoll-sim iec104: %s\n", error->message);
      return 2;
    }
  if (port < 0 || port > 65535 || ca < 1 || ca > 65535 || flood < 0 || flood > 30 || flood_count < 0 ||
      k < 1 || k > 32767 || w < 1 || w > 32767)
    {
      g_printerr ("datacoll-sim iec104: --port 0-65535, --ca 1-65535, --flood 0-30, "
                  "--k/--w 1-32767\n");
      return 2;
    }

  config.address = bind ? bind : "0.0.0.0";
  config.port = port;
  config.ca = ca;
#define SET_COUNT(field, v) if ((v) >= 0) config.field = (guint) MIN ((v), 999)
  SET_COUNT (floats, floats);
  SET_COUNT (singles, singles);
  SET_COUNT (doubles, doubles);
  SET_COUNT (counters, counters);
  SET_COUNT (scaled, scaled);
  SET_COUNT (normalized, normalized);
#undef SET_COUNT
  if (changes >= 0)
    config.changes_per_s = changes;
  config.flood = flood;
  config.flood_limit = (guint64) flood_count;
  config.negative = negative;
  config.k = k;
  config.w = w;
  config.demo = demo;
  config.time_zone = tz;

  sim = dc_iec104_sim_new (&config, NULL, &error);
  if (sim == NULL)
    {
      g_printerr ("datacoll-sim iec104: %s\n", error->message);
      return 1;
    }
  g_clear_pointer (&layout, g_free);
  layout = dc_iec104_sim_describe (&config);
  g_print ("datacoll-sim iec104: listening on %s port %u\n%s",
           config.address, dc_iec104_sim_get_port (sim), layout);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_main_loop_run (loop);
  return 0;
}
