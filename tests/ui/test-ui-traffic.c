/* test-ui-traffic.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The Traffic page and the link counters against the real simulators, under Xvfb.
 */

#include "config.h"

#include <string.h>
#include <time.h>

#include "dc-test-ui.h"
#include "dc-traffic-item-objects.h"
#include "dc-traffic-item-private.h"
#include "dc-traffic-item-ring.h"

typedef struct
{
  GListModel *model;
  const char *needle;
  guint       min;
} FrameWait;

static guint
count_matching (GListModel *model,
                const char *needle)
{
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(DcTrafficItem) item = g_list_model_get_item (model, i);

      if (needle == NULL || strstr (dc_traffic_item_get_summary (item), needle) != NULL)
        n++;
    }
  return n;
}

static gboolean
frames_match (gpointer data)
{
  FrameWait *w = data;

  return count_matching (w->model, w->needle) >= w->min;
}

static void
select_device (UiPlant    *f,
               const char *id)
{
  DcDeviceNode *node = dc_plant_model_lookup_device (dc_window_get_plant (f->window), id);

  g_assert_nonnull (node);
  g_assert_true (dc_window_select (f->window, node));
  g_assert_cmpstr (dc_window_get_device_id (f->window), ==, id);
}

static gboolean
counter_positive (gpointer data)
{
  gpointer *args = data;
  const char *text = dc_link_counters_get_text (args[0], args[1]);

  return text != NULL && g_ascii_strtoull (text, NULL, 10) > 0;
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
  g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("tshark failed: %s", err);
  return g_steal_pointer (&out);
}

static void
test_traffic_both_protocols (void)
{
  DcIec104SimConfig config;
  g_autofree char *pcap = NULL;
  g_autofree char *text = NULL;
  g_autofree char *tshark = g_find_program_in_path ("tshark");
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  DcTrafficView *traffic;
  GListModel *shown;
  FrameWait w;
  UiPlant f;
  gpointer args[2];
  guint n_frames;

  dc_iec104_sim_config_init (&config);
  config.changes_per_s = 20;
  ui_plant_setup (&f, TRUE, &config);
  ui_plant_add_modbus (&f, "plc");
  ui_plant_add_iec104 (&f, "rtu");
  dc_test_store_create (f.store, DC_KIND_ITEM, "{\"id\":\"cur\",\"name\":\"Pump current\",\"unit\":\"A\"}");
  dc_test_store_create (f.store, DC_KIND_ITEM, "{\"id\":\"f1\",\"name\":\"Feeder 1 current\",\"unit\":\"A\"}");
  dc_test_store_create (f.store, DC_KIND_TERM, "{\"id\":\"u1\",\"device_id\":\"plc\",\"address\":1}");
  dc_test_store_create (f.store, DC_KIND_TERM, "{\"id\":\"ca1\",\"device_id\":\"rtu\",\"address\":1}");
  dc_test_store_create (f.store, DC_KIND_POINT, "{\"term_id\":\"u1\",\"item_id\":\"cur\",\"protocol_code\":0,"
                        "\"code_type\":\"hr:u16\"}");
  dc_test_store_create (f.store, DC_KIND_POINT, "{\"term_id\":\"ca1\",\"item_id\":\"f1\",\"protocol_code\":4001,"
                        "\"code_type\":13}");
  ui_plant_open_window (&f);
  traffic = dc_window_get_traffic_view (f.window);
  shown = dc_traffic_view_get_shown (traffic);

  /* Modbus: requests and responses, decoded, in both directions. */
  select_device (&f, "plc");
  dc_window_set_view (f.window, "traffic");
  w = (FrameWait) { shown, "request unit 1 read holding registers", 3 };
  g_assert_true (ui_wait_until (frames_match, &w, 10000));
  w = (FrameWait) { shown, "response unit 1 read holding registers", 3 };
  g_assert_true (ui_wait_until (frames_match, &w, 10000));

  /* Filters: direction and text. */
  dc_traffic_view_set_filter (traffic, "RESPONSE", 0, FALSE);
  g_assert_cmpuint (count_matching (shown, "request"), ==, 0);
  g_assert_cmpuint (count_matching (shown, "response"), >, 0);
  dc_traffic_view_set_filter (traffic, NULL, 1, FALSE);
  g_assert_cmpuint (count_matching (shown, "response"), ==, 0);
  /* Problems only: whatever is left is marked (the first poll may time out while the
   * simulator, on this main loop, waits for the window to open). */
  n_frames = g_list_model_get_n_items (shown);
  dc_traffic_view_set_filter (traffic, NULL, 0, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (shown), <, n_frames);
  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(DcTrafficItem) item = g_list_model_get_item (shown, i);

      g_assert_cmpint (dc_traffic_item_get_status (item), !=, DC_TRAFFIC_OK);
    }
  dc_traffic_view_set_filter (traffic, NULL, 0, FALSE);

  /* The detail annotates the bytes. */
  {
    g_autoptr(DcTrafficItem) item = g_list_model_get_item (shown, 0);
    g_autofree char *detail = dc_traffic_item_dup_detail (item);

    g_test_message ("Modbus detail:\n%s", detail);
    g_assert_nonnull (strstr (detail, "transaction id"));
    g_assert_nonnull (strstr (detail, "function 3"));
  }

  /* Link counters of the Modbus device. */
  dc_window_set_view (f.window, "device");
  args[0] = dc_window_get_link_counters (f.window);
  args[1] = "responses";
  g_assert_true (ui_wait_until (counter_positive, args, 5000));
  args[1] = "frames_in";
  g_assert_true (ui_wait_until (counter_positive, args, 5000));
  g_assert_nonnull (dc_link_counters_get_text (args[0], "histogram_0"));

  /* Pause: nothing new is added; clear empties the list. */
  dc_window_set_view (f.window, "traffic");
  dc_traffic_view_set_paused (traffic, TRUE);
  n_frames = g_list_model_get_n_items (shown);
  ui_run_for (400);
  dc_traffic_view_update (traffic);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, n_frames);
  dc_traffic_view_clear (traffic);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 0);
  dc_traffic_view_set_paused (traffic, FALSE);

  /* IEC 104: U frames, the interrogation and spontaneous floats, decoded with names. */
  select_device (&f, "rtu");
  w = (FrameWait) { shown, "STARTDT", 1 };
  g_assert_true (ui_wait_until (frames_match, &w, 10000));
  w = (FrameWait) { shown, "C_IC_NA_1", 2 };
  g_assert_true (ui_wait_until (frames_match, &w, 10000));
  w = (FrameWait) { shown, "M_ME_", 3 };
  g_assert_true (ui_wait_until (frames_match, &w, 10000));
  {
    g_autoptr(DcTrafficItem) item = NULL;
    g_autofree char *detail = NULL;

    for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
      {
        g_autoptr(DcTrafficItem) it = g_list_model_get_item (shown, i);

        if (strstr (dc_traffic_item_get_summary (it), "C_IC_NA_1") != NULL)
          {
            item = g_steal_pointer (&it);
            break;
          }
      }
    g_assert_nonnull (item);
    detail = dc_traffic_item_dup_detail (item);
    g_test_message ("IEC 104 detail:\n%s", detail);
    g_assert_nonnull (strstr (detail, "common address (CA)"));
    g_assert_nonnull (strstr (detail, "cause of transmission"));
  }
  /* Type filter: only the interrogation commands. */
  g_assert_true (dc_traffic_view_set_type_filter (traffic, "C_IC_NA_1"));
  g_assert_cmpuint (g_list_model_get_n_items (shown), >=, 2);
  g_assert_cmpuint (count_matching (shown, "C_IC_NA_1"), ==, g_list_model_get_n_items (shown));
  g_assert_false (dc_traffic_view_set_type_filter (traffic, "no such type"));
  g_assert_true (dc_traffic_view_set_type_filter (traffic, NULL));
  g_assert_cmpuint (count_matching (shown, "M_ME_"), >, 0);

  dc_window_set_view (f.window, "device");
  args[1] = "k_max_used";
  g_assert_true (ui_wait_until (counter_positive, args, 5000));
  g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (f.window), "screenshot-device-counters.png"), >, 16);
  dc_window_set_view (f.window, "traffic");

  /* Screenshot of the monitor with a frame selected. */
  {
    GtkColumnView *view = GTK_COLUMN_VIEW (gtk_widget_get_template_child (GTK_WIDGET (traffic),
                                                                          DC_TYPE_TRAFFIC_VIEW,
                                                                          "column_view"));
    GtkSelectionModel *selection = gtk_column_view_get_model (view);

    gtk_selection_model_select_item (selection, 2, TRUE);
    ui_run_for (200);
    g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (f.window), "screenshot-traffic.png"), >, 16);
  }

  /* Export what is shown as pcap: tshark reads back as many frames. */
  dc_traffic_view_set_paused (traffic, TRUE);
  n_frames = g_list_model_get_n_items (shown);
  g_assert_cmpuint (n_frames, >, 3);
  pcap = g_build_filename (f.dir, "rtu.pcap", NULL);
  file = g_file_new_for_path (pcap);
  g_assert_true (dc_traffic_view_export_pcap (traffic, file, &error));
  g_assert_no_error (error);
  text = g_build_filename (f.dir, "rtu.txt", NULL);
  {
    g_autoptr(GFile) tf = g_file_new_for_path (text);
    g_autofree char *contents = NULL;

    g_assert_true (dc_traffic_view_export_text (traffic, tf, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (text, &contents, NULL, NULL));
    g_assert_nonnull (strstr (contents, "STARTDT"));
  }
  if (tshark == NULL)
    g_test_message ("tshark not found: pcap read-back skipped");
  else
    {
      g_autofree char *decode_as = g_strdup_printf ("tcp.port==%u,iec60870_104", f.iec_port);
      const char *argv_count[] = { tshark, "-n", "-r", pcap, "-T", "fields", "-e", "frame.number", NULL };
      const char *argv_iec[] = { tshark, "-n", "-r", pcap, "-d", decode_as, "-Y", "iec60870_104",
                                 "-T", "fields", "-e", "frame.number", NULL };
      g_autofree char *out = run_tshark (argv_count);
      g_autofree char *iec = run_tshark (argv_iec);
      guint lines = 0;

      for (const char *p = out; *p; p++)
        lines += *p == '\n';
      g_test_message ("tshark read %u frames of %u exported", lines, n_frames);
      g_assert_cmpuint (lines, ==, n_frames);
      lines = 0;
      for (const char *p = iec; *p; p++)
        lines += *p == '\n';
      g_test_message ("tshark dissected %u IEC 104 frames", lines);
      g_assert_cmpuint (lines, >, 0);
    }

  ui_plant_teardown (&f);
}

/* Selects the newest shown frame whose summary has @needle and returns its position. */
static guint
select_frame (DcTrafficView *traffic,
              const char    *needle)
{
  GListModel *shown = dc_traffic_view_get_shown (traffic);

  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(DcTrafficItem) item = g_list_model_get_item (shown, i);

      if (strstr (dc_traffic_item_get_summary (item), needle) != NULL)
        {
          dc_traffic_view_select (traffic, i);
          return i;
        }
    }
  g_assert_not_reached ();
}

/* The object row at @address (first column), or NULL. */
static DcTrafficObject *
find_object (GListModel *objects,
             const char *address)
{
  for (guint i = 0; i < g_list_model_get_n_items (objects); i++)
    {
      g_autoptr(DcTrafficObject) object = g_list_model_get_item (objects, i);

      if (g_str_equal (dc_traffic_object_get_text (object, DC_TRAFFIC_COLUMN_ADDRESS), address))
        return object;  /* the model keeps it */
    }
  return NULL;
}

static void
log_objects (GListModel *objects)
{
  for (guint i = 0; i < g_list_model_get_n_items (objects); i++)
    {
      g_autoptr(DcTrafficObject) o = g_list_model_get_item (objects, i);

      g_test_message ("  %s | %s | %s | %s | %s | %s",
                      dc_traffic_object_get_text (o, DC_TRAFFIC_COLUMN_ADDRESS),
                      dc_traffic_object_get_text (o, DC_TRAFFIC_COLUMN_TYPE),
                      dc_traffic_object_get_text (o, DC_TRAFFIC_COLUMN_VALUE),
                      dc_traffic_object_get_text (o, DC_TRAFFIC_COLUMN_QUALITY),
                      dc_traffic_object_get_text (o, DC_TRAFFIC_COLUMN_TIME),
                      dc_traffic_object_get_text (o, DC_TRAFFIC_COLUMN_POINT));
    }
}

static gboolean
text_is_number (const char *text)
{
  char *end = NULL;

  g_ascii_strtod (text, &end);
  return end != text;
}

/* The object table of the frame detail (issue 18): IEC 104 objects with IOA, type name, value
 * in the point's state words, quality and time in words; Modbus answers with their values in
 * the summary and one row per register. */
static void
test_traffic_objects (void)
{
  DcIec104SimConfig config;
  DcTrafficView *traffic;
  GListModel *shown;
  GListModel *objects;
  GtkColumnView *objects_view;
  FrameWait w;
  UiPlant f;

  dc_iec104_sim_config_init (&config);
  config.changes_per_s = 40;
  ui_plant_setup (&f, TRUE, &config);
  ui_plant_add_modbus (&f, "plc");
  ui_plant_add_iec104 (&f, "rtu");
  dc_test_store_create (f.store, DC_KIND_ITEM, "{\"id\":\"lvl\",\"name\":\"Tank level\"}");
  dc_test_store_create (f.store, DC_KIND_ITEM, "{\"id\":\"f1\",\"name\":\"Feeder 1 current\",\"unit\":\"A\"}");
  dc_test_store_create (f.store, DC_KIND_ITEM, "{\"id\":\"cb1\",\"name\":\"Breaker 1\"}");
  dc_test_store_create (f.store, DC_KIND_TERM, "{\"id\":\"u1\",\"device_id\":\"plc\",\"address\":1}");
  dc_test_store_create (f.store, DC_KIND_TERM, "{\"id\":\"ca1\",\"device_id\":\"rtu\",\"address\":1}");
  dc_test_store_create (f.store, DC_KIND_POINT, "{\"term_id\":\"u1\",\"item_id\":\"lvl\",\"protocol_code\":2,"
                        "\"code_type\":\"hr:u32\"}");
  dc_test_store_create (f.store, DC_KIND_POINT, "{\"term_id\":\"ca1\",\"item_id\":\"f1\",\"protocol_code\":4001,"
                        "\"code_type\":13}");
  dc_test_store_create (f.store, DC_KIND_POINT, "{\"term_id\":\"ca1\",\"item_id\":\"cb1\",\"protocol_code\":1001,"
                        "\"code_type\":3,\"states\":{\"0\":\"moving\",\"1\":\"tripped\",\"2\":\"in service\","
                        "\"3\":\"faulty\"}}");
  ui_plant_open_window (&f);
  traffic = dc_window_get_traffic_view (f.window);
  shown = dc_traffic_view_get_shown (traffic);
  objects = dc_traffic_view_get_objects (traffic);
  objects_view = GTK_COLUMN_VIEW (gtk_widget_get_template_child (GTK_WIDGET (traffic),
                                                                 DC_TYPE_TRAFFIC_VIEW,
                                                                 "objects_view"));

  /* The object table's columns. */
  {
    GListModel *columns = gtk_column_view_get_columns (objects_view);
    const char *titles[] = { "Address", "Type", "Value", "Quality", "Time Tag", "Point" };

    g_assert_cmpuint (g_list_model_get_n_items (columns), ==, G_N_ELEMENTS (titles));
    for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
      {
        g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

        g_assert_cmpstr (gtk_column_view_column_get_title (column), ==, titles[i]);
      }
  }

  /* Modbus: the answer's summary says where its values come from and what they are; the table
   * has one row per register. */
  select_device (&f, "plc");
  dc_window_set_view (f.window, "traffic");
  w = (FrameWait) { shown, "read holding registers 2 registers at 2–3: ", 2 };
  g_assert_true (ui_wait_until (frames_match, &w, 10000));
  dc_traffic_view_set_paused (traffic, TRUE);
  select_frame (traffic, "registers at 2–3: ");
  log_objects (objects);
  g_assert_cmpuint (g_list_model_get_n_items (objects), ==, 2);
  {
    DcTrafficObject *hr2 = find_object (objects, "hr 2");
    DcTrafficObject *hr3 = find_object (objects, "hr 3");
    g_autoptr(DcTrafficItem) item = g_list_model_get_item (shown, gtk_single_selection_get_selected (
      GTK_SINGLE_SELECTION (gtk_column_view_get_model (GTK_COLUMN_VIEW (
        gtk_widget_get_template_child (GTK_WIDGET (traffic), DC_TYPE_TRAFFIC_VIEW, "column_view"))))));
    g_autofree char *values = NULL;

    g_assert_nonnull (hr2);
    g_assert_nonnull (hr3);
    g_assert_cmpstr (dc_traffic_object_get_text (hr2, DC_TRAFFIC_COLUMN_TYPE), ==, "holding register");
    g_assert_true (text_is_number (dc_traffic_object_get_text (hr2, DC_TRAFFIC_COLUMN_VALUE)));
    g_assert_nonnull (strstr (dc_traffic_object_get_text (hr2, DC_TRAFFIC_COLUMN_VALUE), "(0x"));
    /* The summary's values are the table's. */
    values = g_strdup_printf (": %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT,
                              g_ascii_strtoll (dc_traffic_object_get_text (hr2, DC_TRAFFIC_COLUMN_VALUE), NULL, 10),
                              g_ascii_strtoll (dc_traffic_object_get_text (hr3, DC_TRAFFIC_COLUMN_VALUE), NULL, 10));
    g_test_message ("Modbus answer: %s", dc_traffic_item_get_summary (item));
    g_assert_true (g_str_has_suffix (dc_traffic_item_get_summary (item), values));
  }
  /* A request has no values: no table. */
  select_frame (traffic, "request unit 1 read holding registers");
  g_assert_cmpuint (g_list_model_get_n_items (objects), ==, 0);
  dc_traffic_view_set_paused (traffic, FALSE);

  /* IEC 104: the interrogation's double points in the point's words, floats named after their
   * point, spontaneous changes with their time tag in local time. */
  select_device (&f, "rtu");
  w = (FrameWait) { shown, "M_DP_NA_1", 1 };
  g_assert_true (ui_wait_until (frames_match, &w, 10000));
  w = (FrameWait) { shown, "M_ME_NC_1", 1 };
  g_assert_true (ui_wait_until (frames_match, &w, 10000));
  w = (FrameWait) { shown, "_TF_1", 1 };
  g_assert_true (ui_wait_until (frames_match, &w, 10000));
  dc_traffic_view_set_paused (traffic, TRUE);

  select_frame (traffic, "M_DP_NA_1");
  log_objects (objects);
  g_assert_cmpuint (g_list_model_get_n_items (objects), ==, config.doubles);
  {
    DcTrafficObject *cb = find_object (objects, "1001");
    const char *value;

    g_assert_nonnull (cb);
    value = dc_traffic_object_get_text (cb, DC_TRAFFIC_COLUMN_VALUE);
    g_assert_cmpstr (dc_traffic_object_get_text (cb, DC_TRAFFIC_COLUMN_TYPE), ==, "M_DP_NA_1");
    g_assert_cmpstr (dc_traffic_object_get_text (cb, DC_TRAFFIC_COLUMN_POINT), ==, "Breaker 1");
    g_assert_true (g_str_equal (value, "moving (0)") || g_str_equal (value, "tripped (1)") ||
                   g_str_equal (value, "in service (2)") || g_str_equal (value, "faulty (3)"));
    g_assert_cmpstr (dc_traffic_object_get_text (cb, DC_TRAFFIC_COLUMN_QUALITY), ==, "good");
    /* No point at 1002: the default words of a double point. */
    value = dc_traffic_object_get_text (find_object (objects, "1002"), DC_TRAFFIC_COLUMN_VALUE);
    g_assert_true (g_str_equal (value, "intermediate (0)") || g_str_equal (value, "off (1)") ||
                   g_str_equal (value, "on (2)") || g_str_equal (value, "indeterminate (3)"));
    g_assert_cmpstr (dc_traffic_object_get_text (find_object (objects, "1002"), DC_TRAFFIC_COLUMN_POINT), ==, "");
  }

  select_frame (traffic, "M_ME_NC_1");
  log_objects (objects);
  {
    DcTrafficObject *f1 = find_object (objects, "4001");

    g_assert_nonnull (f1);
    g_assert_cmpstr (dc_traffic_object_get_text (f1, DC_TRAFFIC_COLUMN_TYPE), ==, "M_ME_NC_1");
    g_assert_cmpstr (dc_traffic_object_get_text (f1, DC_TRAFFIC_COLUMN_POINT), ==, "Feeder 1 current");
    g_assert_true (text_is_number (dc_traffic_object_get_text (f1, DC_TRAFFIC_COLUMN_VALUE)));
    g_assert_cmpstr (dc_traffic_object_get_text (f1, DC_TRAFFIC_COLUMN_TIME), ==, "");
  }

  select_frame (traffic, "_TF_1");
  log_objects (objects);
  {
    g_autoptr(DcTrafficObject) o = g_list_model_get_item (objects, 0);
    g_autoptr(GDateTime) now = g_date_time_new_now_local ();
    g_autofree char *today = g_date_time_format (now, "%Y-%m-%d ");
    const char *time = dc_traffic_object_get_text (o, DC_TRAFFIC_COLUMN_TIME);

    g_assert_cmpstr (dc_traffic_object_get_text (o, DC_TRAFFIC_COLUMN_TYPE), ==, "M_ME_TF_1");
    /* Local time, to the millisecond (a test run across midnight is not worth a flake). */
    g_assert_cmpuint (strlen (time), ==, strlen ("2026-12-06 20:31:02.123"));
    if (g_date_time_get_hour (now) != 0 || g_date_time_get_minute (now) > 1)
      g_assert_true (g_str_has_prefix (time, today));
  }
  select_frame (traffic, "M_DP_NA_1");
  g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (f.window), "screenshot-traffic-iec104-detail.png"), >, 16);

  ui_plant_teardown (&f);
}

/* A GtkInscription under @widget whose text starts with @prefix and contains @needle. */
static const char *
find_row_text (GtkWidget  *widget,
               const char *prefix,
               const char *needle)
{
  if (GTK_IS_INSCRIPTION (widget))
    {
      const char *text = gtk_inscription_get_text (GTK_INSCRIPTION (widget));

      if (text != NULL && g_str_has_prefix (text, prefix) && strstr (text, needle) != NULL)
        return text;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *text = find_row_text (child, prefix, needle);

      if (text != NULL)
        return text;
    }
  return NULL;
}

typedef struct
{
  GtkWidget  *widget;
  const char *prefix;
  const char *needle;
} RowWait;

static gboolean
row_shown (gpointer data)
{
  RowWait *w = data;

  return find_row_text (w->widget, w->prefix, w->needle) != NULL;
}

/* Modbus rows name the points they cover (issue 18), as IEC 104 frames name their objects:
 * a request and its answer over registers 10–14 where four points are configured say "4
 * points (Flow, Level, Pressure, …)"; a read of a range without points says nothing more. */
static void
test_traffic_modbus_points (void)
{
  DcTrafficView *traffic;
  GListModel *shown;
  const char *text;
  FrameWait fw;
  RowWait w;
  UiPlant f;

  ui_plant_setup (&f, TRUE, NULL);
  ui_plant_add_modbus (&f, "plc");
  dc_test_store_create (f.store, DC_KIND_TERM, "{\"id\":\"u1\",\"device_id\":\"plc\",\"address\":1}");
  dc_test_store_create (f.store, DC_KIND_ITEM, "{\"id\":\"flow\",\"name\":\"Flow\"}");
  dc_test_store_create (f.store, DC_KIND_ITEM, "{\"id\":\"lvl\",\"name\":\"Level\"}");
  dc_test_store_create (f.store, DC_KIND_ITEM, "{\"id\":\"prs\",\"name\":\"Pressure\"}");
  dc_test_store_create (f.store, DC_KIND_ITEM, "{\"id\":\"tmp\",\"name\":\"Temperature\"}");
  dc_test_store_create (f.store, DC_KIND_ITEM, "{\"id\":\"run\",\"name\":\"Running\"}");
  dc_test_store_create (f.store, DC_KIND_POINT, "{\"term_id\":\"u1\",\"item_id\":\"flow\","
                        "\"protocol_code\":10,\"code_type\":\"hr:u16\"}");
  dc_test_store_create (f.store, DC_KIND_POINT, "{\"term_id\":\"u1\",\"item_id\":\"lvl\","
                        "\"protocol_code\":11,\"code_type\":\"hr:u16\"}");
  dc_test_store_create (f.store, DC_KIND_POINT, "{\"term_id\":\"u1\",\"item_id\":\"prs\","
                        "\"protocol_code\":12,\"code_type\":\"hr:f32\"}");
  dc_test_store_create (f.store, DC_KIND_POINT, "{\"term_id\":\"u1\",\"item_id\":\"tmp\","
                        "\"protocol_code\":14,\"code_type\":\"hr:u16\"}");
  /* A coil at the same address is in another table: not one of the registers' points. */
  dc_test_store_create (f.store, DC_KIND_POINT, "{\"term_id\":\"u1\",\"item_id\":\"run\","
                        "\"protocol_code\":11,\"code_type\":\"co:bool\"}");
  ui_plant_open_window (&f);
  traffic = dc_window_get_traffic_view (f.window);
  shown = dc_traffic_view_get_shown (traffic);
  select_device (&f, "plc");
  dc_window_set_view (f.window, "traffic");

  fw = (FrameWait) { shown, "registers at 10–14: ", 1 };
  g_assert_true (ui_wait_until (frames_match, &fw, 10000));

  /* The request: its range, then the points. */
  w = (RowWait) { GTK_WIDGET (traffic), "request unit 1 read holding registers address 10 count 5",
                  " — 4 points (Flow, Level, Pressure, …)" };
  g_assert_true (ui_wait_until (row_shown, &w, 10000));
  text = find_row_text (w.widget, w.prefix, w.needle);
  g_test_message ("request row: %s", text);
  g_assert_true (g_str_has_suffix (text, " — 4 points (Flow, Level, Pressure, …)"));

  /* The answer: the points before its values. */
  w = (RowWait) { GTK_WIDGET (traffic), "response unit 1 read holding registers",
                  "at 10–14 — 4 points (Flow, Level, Pressure, …): " };
  g_assert_true (ui_wait_until (row_shown, &w, 10000));
  g_test_message ("answer row: %s", find_row_text (w.widget, w.prefix, w.needle));

  /* The coil: one point, its own name. */
  w = (RowWait) { GTK_WIDGET (traffic), "request unit 1 read coils", " — 1 point (Running)" };
  g_assert_true (ui_wait_until (row_shown, &w, 10000));

  /* The frame's own summary (export, filter) stays as decoded. */
  {
    g_autoptr(DcTrafficItem) item = g_list_model_get_item (shown, select_frame (traffic,
                                                                                 "address 10 count 5"));

    g_assert_null (strstr (dc_traffic_item_get_summary (item), "points"));
  }
  ui_render_png_settled (GTK_WIDGET (f.window), "screenshot-traffic-modbus.png");
  ui_plant_teardown (&f);
}

/* The rings of the list (dc-traffic-item-ring.h): newest first, bounded, and the two ways a
 * batch is announced. */
typedef struct
{
  GString *log;
} RingLog;

static void
ring_changed_cb (GListModel *model,
                 guint       position,
                 guint       removed,
                 guint       added,
                 RingLog    *log)
{
  g_string_append_printf (log->log, "changed %u -%u +%u; ", position, removed, added);
}

static void
ring_rotated_cb (DcTrafficRing *ring,
                 guint          shift,
                 RingLog       *log)
{
  g_string_append_printf (log->log, "rotated %u; ", shift);
}

static DcTrafficItem *
ring_item (guint64 seq)
{
  guint8 bytes[] = { 0x68, 0x04, 0x43, 0x00, 0x00, 0x00 };
  DcTrafficFrame frame = { seq, seq * 1000, TRUE, sizeof bytes, bytes };

  return dc_traffic_item_new_decoded (&frame, "iec104", "U TESTFR act", NULL, NULL);
}

static void
push_seqs (DcTrafficRing *ring,
           guint64        first,
           guint          n,
           guint          n_drop,
           gboolean       rotate,
           GPtrArray     *dropped)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (items, ring_item (first + i));
  dc_traffic_ring_push (ring, (DcTrafficItem **) items->pdata, items->len, n_drop, rotate, dropped);
}

static guint64
seq_at (DcTrafficRing *ring,
        guint          position)
{
  return dc_traffic_item_get_seq (dc_traffic_ring_peek (ring, position));
}

static void
test_traffic_ring (void)
{
  g_autoptr(DcTrafficRing) ring = dc_traffic_ring_new (5);
  g_autoptr(GPtrArray) dropped = g_ptr_array_new_with_free_func (g_object_unref);
  RingLog log = { g_string_new (NULL) };

  g_signal_connect (ring, "items-changed", G_CALLBACK (ring_changed_cb), &log);
  g_signal_connect (ring, "rotated", G_CALLBACK (ring_rotated_cb), &log);

  /* Inserted at the top, newest first. */
  push_seqs (ring, 1, 3, 0, FALSE, dropped);
  g_assert_cmpstr (log.log->str, ==, "changed 0 -0 +3; ");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (ring)), ==, 3);
  g_assert_cmpuint (seq_at (ring, 0), ==, 3);
  g_assert_cmpuint (seq_at (ring, 2), ==, 1);

  /* Past the capacity the oldest leave, oldest first, announced at the end. */
  g_string_truncate (log.log, 0);
  push_seqs (ring, 4, 4, 0, FALSE, dropped);
  g_assert_cmpstr (log.log->str, ==, "changed 1 -2 +0; changed 0 -0 +4; ");
  g_assert_cmpuint (dropped->len, ==, 2);
  g_assert_cmpuint (dc_traffic_item_get_seq (g_ptr_array_index (dropped, 0)), ==, 1);
  g_assert_cmpuint (dc_traffic_item_get_seq (g_ptr_array_index (dropped, 1)), ==, 2);
  g_assert_cmpuint (seq_at (ring, 0), ==, 7);
  g_assert_cmpuint (seq_at (ring, 4), ==, 3);
  g_assert_null (dc_traffic_ring_peek (ring, 5));

  /* Rotated: only the length change is announced, then the shift; the content moved. */
  g_string_truncate (log.log, 0);
  push_seqs (ring, 8, 2, 0, TRUE, NULL);
  g_assert_cmpstr (log.log->str, ==, "rotated 2; ");
  g_assert_cmpuint (seq_at (ring, 0), ==, 9);
  g_assert_cmpuint (seq_at (ring, 2), ==, 7);
  g_assert_cmpuint (seq_at (ring, 4), ==, 5);

  /* Dropping more than come in shortens it, at the end. */
  g_string_truncate (log.log, 0);
  push_seqs (ring, 10, 1, 3, TRUE, NULL);
  g_assert_cmpstr (log.log->str, ==, "changed 3 -2 +0; rotated 1; ");
  g_assert_cmpuint (seq_at (ring, 0), ==, 10);
  g_assert_cmpuint (seq_at (ring, 2), ==, 8);

  /* A batch larger than the ring: its newest. */
  g_string_truncate (log.log, 0);
  g_ptr_array_set_size (dropped, 0);
  push_seqs (ring, 11, 7, 0, FALSE, dropped);
  g_assert_cmpuint (seq_at (ring, 0), ==, 17);
  g_assert_cmpuint (seq_at (ring, 4), ==, 13);
  g_assert_cmpuint (dropped->len, ==, 5);

  /* Smaller capacity, then everything replaced. */
  dc_traffic_ring_set_capacity (ring, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (ring)), ==, 2);
  g_assert_cmpuint (seq_at (ring, 1), ==, 16);
  g_string_truncate (log.log, 0);
  dc_traffic_ring_replace (ring, NULL, 0);
  g_assert_cmpstr (log.log->str, ==, "changed 0 -2 +0; ");
  g_string_free (log.log, TRUE);
}

typedef struct
{
  gint64 last;
  gint64 longest;
  gint64 interval;
  gint64 cpu_last;
  gint64 cpu_longest;   /* main-thread CPU time between two probes: the work, whatever the load */
} StallMeter;

static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static gboolean
stall_tick_cb (gpointer data)
{
  StallMeter *m = data;
  gint64 now = g_get_monotonic_time ();
  gint64 cpu = thread_cpu_us ();

  if (m->last != 0)
    {
      m->longest = MAX (m->longest, now - m->last - m->interval);
      m->cpu_longest = MAX (m->cpu_longest, cpu - m->cpu_last);
    }
  m->last = now;
  m->cpu_last = cpu;
  return G_SOURCE_CONTINUE;
}

static void
test_traffic_flood (void)
{
  DcIec104SimConfig config;
  DcTrafficView *traffic;
  StallMeter meter = { 0, 0, 5000, 0, 0 };
  FrameWait w;
  guint id;
  UiPlant f;
  guint64 missed;
  gint64 start;
  gint64 paused_stall;
  g_autofree char *loadavg = NULL;

  dc_iec104_sim_config_init (&config);
  config.floats = 30;
  config.flood = 30;
  ui_plant_setup (&f, FALSE, &config);
  dc_test_store_create (f.store, DC_KIND_ITEM, "{\"id\":\"f1\",\"name\":\"Feeder 1 current\",\"unit\":\"A\"}");
  ui_plant_open_window (&f);
  /* The flooding outstation is added while the workstation shows. */
  ui_plant_add_iec104 (&f, "rtu");
  dc_test_store_create (f.store, DC_KIND_TERM, "{\"id\":\"ca1\",\"device_id\":\"rtu\",\"address\":1}");
  dc_test_store_create (f.store, DC_KIND_POINT, "{\"term_id\":\"ca1\",\"item_id\":\"f1\",\"protocol_code\":4001,"
                        "\"code_type\":13}");
  traffic = dc_window_get_traffic_view (f.window);
  dc_traffic_view_set_max_frames (traffic, 1000);
  select_device (&f, "rtu");
  dc_window_set_view (f.window, "traffic");
  w = (FrameWait) { dc_traffic_view_get_frames (traffic), NULL, 1000 };
  g_assert_true (ui_wait_until (frames_match, &w, 20000));

  /* Baseline: the same flood with the monitor paused (the engine's own ingest). */
  dc_traffic_view_set_paused (traffic, TRUE);
  id = g_timeout_add (meter.interval / 1000, stall_tick_cb, &meter);
  ui_run_for (2000);
  g_source_remove (id);
  g_printerr ("traffic flood: paused monitor, longest main-loop stall %.1f ms (CPU %.1f ms)\n",
              meter.longest / 1000.0, meter.cpu_longest / 1000.0);
  paused_stall = meter.longest;
  meter.last = meter.longest = meter.cpu_longest = 0;
  dc_traffic_view_set_paused (traffic, FALSE);

  /* The flood goes on for 3 s with the monitor visible: measure the longest main-loop stall. */
  id = g_timeout_add (meter.interval / 1000, stall_tick_cb, &meter);
  start = g_get_monotonic_time ();
  ui_run_for (3000);
  g_source_remove (id);
  missed = dc_traffic_view_get_missed (traffic);
  g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL);
  g_test_message ("flood: longest main-loop stall %.1f ms over %.1f s; list bounded at %u; "
                  "%" G_GUINT64_FORMAT " frames skipped by the coalescing",
                  meter.longest / 1000.0, (g_get_monotonic_time () - start) / 1e6,
                  g_list_model_get_n_items (dc_traffic_view_get_frames (traffic)), missed);
  g_printerr ("traffic flood: longest main-loop stall %.1f ms, CPU %.1f ms (paused monitor: %.1f ms); "
              "load average %s", meter.longest / 1000.0, meter.cpu_longest / 1000.0,
              paused_stall / 1000.0, loadavg ? loadavg : "?\n");
  /* The list stays bounded; the flood is faster than the page shows (skipped frames are
   * counted); following, the list stays at its top with the newest frame first. The stall is a
   * benchmark's figure (bench/ui/run-traffic), printed here, not asserted. */
  g_assert_cmpuint (g_list_model_get_n_items (dc_traffic_view_get_frames (traffic)), ==, 1000);
  g_assert_cmpuint (missed, >, 0);
  {
    GtkScrolledWindow *scroller = GTK_SCROLLED_WINDOW (gtk_widget_get_template_child (GTK_WIDGET (traffic),
                                                                                      DC_TYPE_TRAFFIC_VIEW,
                                                                                      "scroller"));
    GListModel *frames = dc_traffic_view_get_frames (traffic);
    g_autoptr(DcTrafficItem) first = g_list_model_get_item (frames, 0);
    g_autoptr(DcTrafficItem) second = g_list_model_get_item (frames, 1);

    g_assert_cmpfloat (gtk_adjustment_get_value (gtk_scrolled_window_get_vadjustment (scroller)), ==, 0);
    g_assert_cmpuint (dc_traffic_item_get_seq (first), >, dc_traffic_item_get_seq (second));
  }

  ui_plant_teardown (&f);
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  ui_test_add ("/dc/ui/traffic/both-protocols", test_traffic_both_protocols);
  ui_test_add ("/dc/ui/traffic/flood", test_traffic_flood);
  ui_test_add ("/dc/ui/traffic/objects", test_traffic_objects);
  ui_test_add ("/dc/ui/traffic/modbus-points", test_traffic_modbus_points);
  ui_test_add ("/dc/ui/traffic/ring", test_traffic_ring);

  return g_test_run ();
}
