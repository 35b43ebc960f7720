/* bench-ui.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * bench-ui floor|datacoll N: time to the first frame of a table of N rows, then the frame
 * times while scrolling it a page per frame. "floor" is a bare GtkColumnView over N plain
 * GObjects (GtkStringObject) with as many GtkInscription columns as DataColl's point table
 * (N_COLUMNS, checked by the other modes); "datacoll" is the
 * workstation's window with an N-point plant selected. One line of key=value results.
 * Under callgrind (docs/performance.md) the counts are dumped per phase: "first-frame" (from
 * the clock's start to the first paint) and "scroll" (BENCH_FRAMES frames, default 120).
 */

#include "config.h"

#include <stdlib.h>

#include <adwaita.h>

#ifdef HAVE_CALLGRIND_H
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(name)
#endif

#include "dc-plant-model.h"
#include "dc-point-table.h"
#include "dc-window.h"

/* The point table's columns (Item, ID, Address, Value, Quality, Source Time, Age, Alarm): the
 * floor shows as many; "datacoll" and "table" fail when the table has another number. */
#define N_COLUMNS 8
#define SCROLL_FRAMES 120

static gint64 last_frame;
static GArray *frame_times;
static gboolean painted;

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       data)
{
  gint64 now = g_get_monotonic_time ();

  if (last_frame != 0 && frame_times != NULL)
    {
      double ms = (now - last_frame) / 1000.0;

      g_array_append_val (frame_times, ms);
    }
  last_frame = now;
  painted = TRUE;
}

static void
wait_painted (void)
{
  painted = FALSE;
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
}

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *item)
{
  gtk_list_item_set_child (item, gtk_inscription_new (NULL));
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *item)
{
  GtkStringObject *obj = gtk_list_item_get_item (item);

  gtk_inscription_set_text (GTK_INSCRIPTION (gtk_list_item_get_child (item)),
                            gtk_string_object_get_string (obj));
}

static GtkWidget *
floor_window (guint   n,
              gint64 *t0)
{
  const char **strings = g_new0 (const char *, n + 1);
  g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func (g_free);
  GtkStringList *list;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *view;

  for (guint i = 0; i < n; i++)
    {
      char *s = g_strdup_printf ("Measurement %u", i);

      g_ptr_array_add (owned, s);
      strings[i] = s;
    }
  /* Both clocks start where the rows' data is ready: here the strings, for DataColl the point
   * objects (make_plant); what follows is the model and the view, measured on both sides. */
  *t0 = g_get_monotonic_time ();
  CALLGRIND_ZERO_STATS;
  list = gtk_string_list_new (strings);
  g_free (strings);
  view = gtk_column_view_new (GTK_SELECTION_MODEL (gtk_single_selection_new (G_LIST_MODEL (list))));
  for (guint c = 0; c < N_COLUMNS; c++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      GtkColumnViewColumn *column;

      g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), NULL);
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), NULL);
      column = gtk_column_view_column_new ("Column", factory);
      gtk_column_view_column_set_expand (column, c == 0);
      gtk_column_view_append_column (GTK_COLUMN_VIEW (view), column);
      g_object_unref (column);
    }
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  gtk_window_set_child (GTK_WINDOW (window), scroller);
  return window;
}

static DcPlantModel *
make_plant (guint   n,
            gint64 *t0)
{
  const guint per_term = 1000;
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GPtrArray) terms = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autofree DcPlantPoint *points = g_new0 (DcPlantPoint, n);
  DcPlantModel *plant = dc_plant_model_new ();
  JsonObject *o;

  o = json_object_new ();
  json_object_set_string_member (o, "id", "big");
  json_object_set_string_member (o, "protocol", "iec104");
  g_ptr_array_add (devices, o);
  for (guint t = 0; t < (n + per_term - 1) / per_term; t++)
    {
      g_autofree char *id = g_strdup_printf ("t%u", t);

      o = json_object_new ();
      json_object_set_string_member (o, "id", id);
      json_object_set_string_member (o, "device_id", "big");
      g_ptr_array_add (terms, o);
    }
  for (guint i = 0; i < per_term; i++)
    {
      g_autofree char *id = g_strdup_printf ("i%u", i);
      g_autofree char *name = g_strdup_printf ("Measurement %u", i);

      o = json_object_new ();
      json_object_set_string_member (o, "id", id);
      json_object_set_string_member (o, "name", name);
      json_object_set_string_member (o, "unit", "kW");
      g_ptr_array_add (items, o);
    }
  for (guint p = 0; p < n; p++)
    {
      g_autofree char *term = g_strdup_printf ("t%u", p / per_term);
      g_autofree char *item = g_strdup_printf ("i%u", p % per_term);

      o = json_object_new ();
      json_object_set_string_member (o, "device_id", "big");
      json_object_set_string_member (o, "term_id", term);
      json_object_set_string_member (o, "item_id", item);
      json_object_set_int_member (o, "protocol_code", p + 1);
      json_object_set_int_member (o, "code_type", 13);
      points[p].key = p + 1;
      points[p].json = o;
    }
  /* Reading the configuration is the store's part: start the clock at the load. */
  *t0 = g_get_monotonic_time ();
  CALLGRIND_ZERO_STATS;
  dc_plant_model_load (plant, devices, terms, items, points, n);
  for (guint p = 0; p < n; p++)
    json_object_unref (points[p].json);
  return plant;
}

static GtkScrolledWindow *
find_scroller (GtkWidget *widget)
{
  if (GTK_IS_SCROLLED_WINDOW (widget) &&
      GTK_IS_COLUMN_VIEW (gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (widget))))
    return GTK_SCROLLED_WINDOW (widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkScrolledWindow *s = find_scroller (c);

      if (s != NULL)
        return s;
    }
  return NULL;
}

static void
check_columns (GtkColumnView *view)
{
  guint n = g_list_model_get_n_items (gtk_column_view_get_columns (view));

  if (n != N_COLUMNS)
    g_error ("the point table has %u columns, the floor %u: update N_COLUMNS", n, N_COLUMNS);
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

int
main (int   argc,
      char *argv[])
{
  gboolean floor_mode;
  gboolean table_mode;
  guint n;
  gint64 t0, t_frame;
  double update_ms = 0, sum = 0, max = 0;
  GtkWidget *window;
  g_autoptr(DcPlantModel) plant = NULL;
  GtkAdjustment *adj;
  GdkFrameClock *clock;
  GtkColumnView *table_view = NULL;
  guint n_frames = g_getenv ("BENCH_FRAMES") ? (guint) atoi (g_getenv ("BENCH_FRAMES")) : SCROLL_FRAMES;

  if (argc < 3)
    {
      g_printerr ("usage: bench-ui floor|datacoll N\n");
      return 2;
    }
  floor_mode = g_str_equal (argv[1], "floor");
  table_mode = g_str_equal (argv[1], "table");
  n = (guint) g_ascii_strtoull (argv[2], NULL, 10);

  gtk_init ();
  adw_init ();

  t0 = g_get_monotonic_time ();
  if (floor_mode)
    window = floor_window (n, &t0);
  else if (table_mode)
    {
      GtkWidget *table = dc_point_table_new ();

      plant = make_plant (n, &t0);
      window = gtk_window_new ();
      if (g_getenv ("BENCH_FLAT") != NULL)
        {
          GListModel *pts = dc_device_node_get_points (dc_plant_model_lookup_device (plant, "big"));
          g_autoptr(GListStore) flat = g_list_store_new (DC_TYPE_POINT_ROW);

          for (guint i = 0; i < g_list_model_get_n_items (pts); i++)
            {
              g_autoptr(GObject) o = g_list_model_get_item (pts, i);
              g_list_store_append (flat, o);
            }
          dc_point_table_set_model (DC_POINT_TABLE (table), G_LIST_MODEL (flat));
        }
      else
        dc_point_table_set_model (DC_POINT_TABLE (table),
                                  dc_device_node_get_points (dc_plant_model_lookup_device (plant, "big")));
      gtk_window_set_child (GTK_WINDOW (window), table);
      table_view = dc_point_table_get_column_view (DC_POINT_TABLE (table));
    }
  else
    {
      DcDeviceNode *device;

      plant = make_plant (n, &t0);
      window = GTK_WIDGET (dc_window_new (NULL));
      dc_window_set_plant (DC_WINDOW (window), plant);
      device = dc_plant_model_lookup_device (plant, "big");
      dc_window_select (DC_WINDOW (window), device);
      table_view = dc_point_table_get_column_view (dc_window_get_point_table (DC_WINDOW (window)));
    }
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 760);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (window))
    g_main_context_iteration (NULL, TRUE);
  clock = gtk_widget_get_frame_clock (window);
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), NULL);
  wait_painted ();
  t_frame = g_get_monotonic_time ();
  CALLGRIND_DUMP_STATS_AT ("first-frame");
  if (table_view != NULL)
    check_columns (table_view);

  /* Scroll a page per frame through the table. */
  adj = gtk_scrolled_window_get_vadjustment (find_scroller (window));
  frame_times = g_array_new (FALSE, FALSE, sizeof (double));
  last_frame = 0;
  CALLGRIND_ZERO_STATS;
  for (guint f = 0; f < n_frames; f++)
    {
      double page = gtk_adjustment_get_page_size (adj);
      double next = gtk_adjustment_get_value (adj) + page * 7;

      /* Only the table redraws (as when the user scrolls); wrap at the end. */
      if (next > gtk_adjustment_get_upper (adj) - page)
        next = 0;
      gtk_adjustment_set_value (adj, next);
      wait_painted ();
    }
  CALLGRIND_DUMP_STATS_AT ("scroll");
  for (guint i = 0; i < frame_times->len; i++)
    {
      double v = g_array_index (frame_times, double, i);

      sum += v;
      max = MAX (max, v);
    }
  g_array_sort (frame_times, compare_double);

  if (plant != NULL)
    {
      g_autoptr(GArray) samples = g_array_sized_new (FALSE, FALSE, sizeof (DcSample), n);
      gint64 u0;

      for (guint p = 0; p < n; p++)
        {
          DcSample s = { p + 1, g_get_real_time (), p * 0.5, 0 };

          g_array_append_val (samples, s);
        }
      u0 = g_get_monotonic_time ();
      dc_plant_model_push_samples (plant, (DcSample *) samples->data, samples->len);
      dc_plant_model_flush (plant);
      wait_painted ();
      update_ms = (g_get_monotonic_time () - u0) / 1000.0;
    }

  g_print ("%s first_frame_ms=%.1f scroll_mean_ms=%.2f scroll_max_ms=%.2f update_ms=%.1f\n",
           argv[1], (t_frame - t0) / 1000.0,
           sum / MAX (frame_times->len, 1), max, update_ms);

  g_array_unref (frame_times);
  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}
