/* bench-traffic.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * bench-traffic datacoll|floor RATE SECONDS: the Traffic page following an IEC 104 flood of
 * RATE frames per second (I-frames of 30 short floats, M_ME_NC_1, as `datacoll-sim iec104
 * --flood 30` sends them) for SECONDS, and the longest main-loop stall meanwhile, measured by
 * two probes: a 5 ms timer (how late it runs) and the frame clock (the longest interval
 * between two painted frames while a tick callback keeps it running at the display's rate),
 * and, as a figure that holds on a loaded machine, the longest stretch of main-thread CPU time
 * between two runs of the timer probe.
 *
 * "datacoll" is DcTrafficView (the real page: its feed is a DcTrafficFeed whose frames are
 * built and decoded by the IEC 104 codec as a driver's ring would give them, the newest first,
 * the joining device's ring full). "floor" is a bare GtkListView of GtkStringObjects with one
 * GtkInscription per row that gets the same rows at the same rate in the same shape: every
 * 100 ms the batch the page would show (at most 50) goes in at the top, the oldest leave past
 * 5,000, the view stays at the top. The floor's texts are decoded once before its clock
 * starts; decoding is part of DataColl's work. One line of key=value results.
 */

#include "config.h"

#include <adwaita.h>
#include <string.h>
#include <time.h>

#include "dc-iec104-codec.h"
#include "dc-traffic-feed.h"
#include "dc-traffic-item-private.h"
#include "dc-traffic-view.h"

#define OBJECTS_PER_FRAME 30
/* The page's own numbers (docs/ui-traffic.md): a tick every 100 ms takes at most 50 frames,
 * joining at most 500; the list keeps 5,000. */
#define TICK_MS 100
#define FETCH_LIMIT 50
#define JOIN_LIMIT 200
#define MAX_ROWS 5000
/* A 256 KiB ring holds about this many 136-byte flood frames (32 bytes of bookkeeping each). */
#define RING_FRAMES 1500
#define PROBE_MS 5

/* The flood ----------------------------------------------------------------------------------- */

static guint64 flood_seq;

/* Frame number @seq of the flood: an I-frame of 30 floats at consecutive IOAs. */
static gsize
build_frame (guint64  seq,
             guint8  *out,
             gsize    size)
{
  DcIec104Asdu header = { .type = 13, .cause = 3, .ca = 1 };
  DcIec104Object objects[OBJECTS_PER_FRAME];
  guint8 asdu[255];
  gsize asdu_len;

  memset (objects, 0, sizeof objects);
  for (guint i = 0; i < OBJECTS_PER_FRAME; i++)
    {
      objects[i].ioa = 4001 + i;
      objects[i].value = (float) ((seq * OBJECTS_PER_FRAME + i) % 100000) * 0.5f;
    }
  asdu_len = dc_iec104_build_asdu (asdu, sizeof asdu, &header, objects, OBJECTS_PER_FRAME, NULL);
  g_assert (asdu_len > 0 && asdu_len + 6 <= size);
  return dc_iec104_build_i (out, (guint16) (seq & 0x7fff), 1, asdu, asdu_len);
}

static DcTrafficItem *
flood_item (guint64 seq,
            gint64  time)
{
  guint8 bytes[262];
  DcTrafficFrame frame = { seq, time, TRUE, 0, bytes };
  g_autoptr(JsonObject) decoded = NULL;
  g_autofree char *error = NULL;
  g_autofree char *summary = NULL;

  frame.len = (guint) build_frame (seq, bytes, sizeof bytes);
  summary = dc_iec104_decode_frame (bytes, frame.len, NULL, time, &decoded, &error);
  return dc_traffic_item_new_decoded (&frame, "iec104", summary, decoded, error);
}

/* How many frames the flood has sent since the start (the ring full at the start). */
static gint64 flood_start;
static double flood_rate;

static guint64
flood_due (void)
{
  return RING_FRAMES + (guint64) ((g_get_monotonic_time () - flood_start) * flood_rate / G_USEC_PER_SEC);
}

/* A feed over the flood: what a driver's ring gives the page, decoded as the driver does. */
#define BENCH_TYPE_FEED (bench_feed_get_type ())
G_DECLARE_FINAL_TYPE (BenchFeed, bench_feed, BENCH, FEED, DcTrafficFeed)

struct _BenchFeed
{
  DcTrafficFeed parent_instance;
};

G_DEFINE_FINAL_TYPE (BenchFeed, bench_feed, DC_TYPE_TRAFFIC_FEED)

static GPtrArray *
bench_feed_take (DcTrafficFeed *feed,
                 guint          limit,
                 guint64       *missed)
{
  guint64 due = flood_due ();
  guint64 first;
  GPtrArray *items;

  if (due <= flood_seq || limit == 0)
    return NULL;
  first = MAX (flood_seq + 1, due > limit ? due - limit + 1 : 1);
  if (flood_seq > 0)
    *missed += first - flood_seq - 1;
  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint64 seq = first; seq <= due; seq++)
    g_ptr_array_add (items, flood_item (seq, g_get_real_time ()));
  flood_seq = due;
  return items;
}

static JsonObject *
bench_feed_dup_link (DcTrafficFeed *feed)
{
  return NULL;
}

static void
bench_feed_class_init (BenchFeedClass *klass)
{
  DC_TRAFFIC_FEED_CLASS (klass)->take = bench_feed_take;
  DC_TRAFFIC_FEED_CLASS (klass)->dup_link = bench_feed_dup_link;
}

static void
bench_feed_init (BenchFeed *self)
{
  dc_traffic_feed_set_device (DC_TRAFFIC_FEED (self), "rtu", "iec104", G_USEC_PER_SEC);
}

/* The floor ----------------------------------------------------------------------------------- */

static GtkStringList *floor_list;
static GtkScrolledWindow *floor_scroller;
static GPtrArray *floor_texts;

static void
floor_setup_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item)
{
  gtk_list_item_set_child (item, gtk_inscription_new (NULL));
}

static void
floor_bind_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item)
{
  gtk_inscription_set_text (GTK_INSCRIPTION (gtk_list_item_get_child (item)),
                            gtk_string_object_get_string (gtk_list_item_get_item (item)));
}

static gboolean floor_joined;

static gboolean
floor_tick_cb (gpointer data)
{
  guint64 due = flood_due ();
  guint64 first;
  guint limit = floor_joined ? FETCH_LIMIT : JOIN_LIMIT;
  guint n, len;
  g_autofree const char **batch = NULL;

  if (due <= flood_seq)
    return G_SOURCE_CONTINUE;
  floor_joined = TRUE;
  first = MAX (flood_seq + 1, due > limit ? due - limit + 1 : 1);
  len = (guint) (due - first + 1);
  batch = g_new0 (const char *, len + 1);
  /* Newest first, as the page. */
  for (guint i = 0; i < len; i++)
    batch[i] = g_ptr_array_index (floor_texts, (due - i) % floor_texts->len);
  flood_seq = due;
  n = g_list_model_get_n_items (G_LIST_MODEL (floor_list));
  if (n + len > MAX_ROWS)
    gtk_string_list_splice (floor_list, n - MIN (n, n + len - MAX_ROWS), MIN (n, n + len - MAX_ROWS), NULL);
  gtk_string_list_splice (floor_list, 0, 0, batch);
  return G_SOURCE_CONTINUE;
}

static void
floor_layout_cb (GdkFrameClock *clock,
                 gpointer       data)
{
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (floor_scroller);

  /* The view stays at the top, as the page's (after the allocation that moved it). */
  if (gtk_adjustment_get_value (adj) != 0)
    gtk_adjustment_set_value (adj, 0);
}

static GtkWidget *
floor_view (void)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkWidget *view;

  floor_texts = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < 1000; i++)
    {
      g_autoptr(DcTrafficItem) item = flood_item (i + 1, g_get_real_time ());

      g_ptr_array_add (floor_texts, g_strdup (dc_traffic_item_get_summary (item)));
    }
  floor_list = gtk_string_list_new (NULL);
  g_signal_connect (factory, "setup", G_CALLBACK (floor_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (floor_bind_cb), NULL);
  view = gtk_list_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (floor_list))),
                            factory);
  floor_scroller = GTK_SCROLLED_WINDOW (gtk_scrolled_window_new ());
  gtk_scrolled_window_set_child (floor_scroller, view);
  return GTK_WIDGET (floor_scroller);
}

/* The probes ---------------------------------------------------------------------------------- */

static gint64 probe_last;
static gint64 probe_longest;
static gint64 probe_cpu_last;
static gint64 probe_cpu_longest;
static gint64 probe_cpu_steady;   /* after the first second (the join) */

/* CPU time of this thread, µs: what the main loop spent between two probes, whatever the
 * machine's load (a descheduled thread spends none). */
static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}
static gint64 paint_last;
static gint64 paint_longest;
static guint n_paints;

static gboolean
probe_cb (gpointer data)
{
  gint64 now = g_get_monotonic_time ();
  gint64 cpu = thread_cpu_us ();

  if (probe_last != 0)
    {
      probe_longest = MAX (probe_longest, now - probe_last - PROBE_MS * 1000);
      probe_cpu_longest = MAX (probe_cpu_longest, cpu - probe_cpu_last);
      if (now - flood_start > G_USEC_PER_SEC)
        probe_cpu_steady = MAX (probe_cpu_steady, cpu - probe_cpu_last);
    }
  probe_last = now;
  probe_cpu_last = cpu;
  return G_SOURCE_CONTINUE;
}

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       data)
{
  gint64 now = g_get_monotonic_time ();

  if (paint_last != 0)
    paint_longest = MAX (paint_longest, now - paint_last);
  paint_last = now;
  n_paints++;
}

static gboolean
keep_ticking_cb (GtkWidget     *widget,
                 GdkFrameClock *clock,
                 gpointer       data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
quit_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *loadavg = NULL;
  gboolean floor_mode;
  gboolean done = FALSE;
  GtkWidget *window;
  GtkWidget *page;
  GdkFrameClock *clock;
  double seconds;
  guint shown = 0;
  guint64 missed = 0;
  gint64 cpu_start;

  if (argc < 4 || (!g_str_equal (argv[1], "floor") && !g_str_equal (argv[1], "datacoll")))
    {
      g_printerr ("usage: bench-traffic floor|datacoll RATE SECONDS\n");
      return 2;
    }
  floor_mode = g_str_equal (argv[1], "floor");
  flood_rate = g_ascii_strtod (argv[2], NULL);
  seconds = g_ascii_strtod (argv[3], NULL);

  gtk_init ();
  adw_init ();
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 760);
  if (floor_mode)
    page = floor_view ();
  else
    {
      g_autoptr(DcTrafficFeed) feed = g_object_new (BENCH_TYPE_FEED, NULL);

      page = dc_traffic_view_new ();
      dc_traffic_view_set_max_frames (DC_TRAFFIC_VIEW (page), MAX_ROWS);
      dc_traffic_view_set_feed (DC_TRAFFIC_VIEW (page), feed);
    }
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (window))
    g_main_context_iteration (NULL, TRUE);
  clock = gtk_widget_get_frame_clock (window);
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), NULL);
  if (floor_mode)
    g_signal_connect_after (clock, "layout", G_CALLBACK (floor_layout_cb), NULL);
  gtk_widget_add_tick_callback (window, keep_ticking_cb, NULL, NULL);

  /* The flood starts with the device's ring full, as when the page joins a flooding device. */
  cpu_start = thread_cpu_us ();
  flood_start = g_get_monotonic_time ();
  flood_seq = 0;
  if (floor_mode)
    g_timeout_add (TICK_MS, floor_tick_cb, NULL);
  g_timeout_add (PROBE_MS, probe_cb, NULL);
  g_timeout_add ((guint) (seconds * 1000), quit_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);

  if (floor_mode)
    shown = g_list_model_get_n_items (G_LIST_MODEL (floor_list));
  else
    {
      shown = g_list_model_get_n_items (dc_traffic_view_get_frames (DC_TRAFFIC_VIEW (page)));
      missed = dc_traffic_view_get_missed (DC_TRAFFIC_VIEW (page));
    }
  g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL);
  g_print ("%s rate=%.0f seconds=%.0f longest_stall_ms=%.1f longest_stall_cpu_ms=%.1f "
           "longest_stall_cpu_after_join_ms=%.1f longest_frame_ms=%.1f cpu_ms=%.0f frames=%u rows=%u "
           "skipped=%" G_GUINT64_FORMAT " load=%.*s\n",
           argv[1], flood_rate, seconds, probe_longest / 1000.0, probe_cpu_longest / 1000.0,
           probe_cpu_steady / 1000.0,
           paint_longest / 1000.0, (thread_cpu_us () - cpu_start) / 1000.0, n_paints,
           shown, missed, loadavg ? (int) strcspn (loadavg, " ") : 1, loadavg ? loadavg : "?");
  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}
