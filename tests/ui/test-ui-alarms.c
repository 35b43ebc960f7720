/* test-ui-alarms.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The Alarms page in the real window against a real engine and alarm plugin (sqlite files in a
 * temporary dir, a virtual device whose points have limits): values over a limit make alarm rows
 * appear, acknowledge and shelve go through the rows' buttons and dialogs, the journal shows user
 * and comment, its CSV export is written and parsed, and a screenshot shows every priority. The
 * fixture is alarms-fixture.c.
 */

#include "config.h"

#include <glib/gstdio.h>

#include "alarms-fixture.h"
#include "dc-alarm-badge.h"
#include "dc-time.h"
#include "dc-test-ui.h"
#include "dc-test-store.h"

static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_named (c, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
journal_shows (gpointer data)
{
  gpointer *args = data;

  return ui_find_inscription (GTK_WIDGET (args[0]), args[1]) != NULL;
}

static gboolean
table_shows (gpointer data)
{
  gpointer *args = data;

  return ui_find_inscription (GTK_WIDGET (dc_window_get_point_table (args[0])), args[1]) != NULL;
}

static gboolean
has_mapped_class (GtkWidget  *widget,
                  const char *css_class)
{
  if (gtk_widget_get_mapped (widget) && gtk_widget_has_css_class (widget, css_class))
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    if (has_mapped_class (c, css_class))
      return TRUE;
  return FALSE;
}

static gboolean
tree_shows_badge (gpointer data)
{
  return has_mapped_class (GTK_WIDGET (dc_window_get_device_tree (data)), "alarm-badge");
}

/* Clicks the row's @button, types @comment in the dialog that opens and answers @response. */
static void
answer_dialog (Fx         *fx,
               gint64      id,
               const char *button,
               const char *comment,
               const char *response)
{
  GtkWidget *row = dc_alarms_page_get_row (fx->page, id);
  GtkWidget *widget;
  AdwMessageDialog *dialog = NULL;

  g_assert_nonnull (row);
  widget = find_named (row, button);
  g_assert_nonnull (widget);
  g_assert_true (gtk_widget_is_sensitive (widget));
  g_assert_true (gtk_widget_activate (widget));
  g_assert_true (ui_wait_until (dialog_open, &dialog, 5000));
  widget = ui_find_type (adw_message_dialog_get_extra_child (dialog), GTK_TYPE_ENTRY);
  g_assert_nonnull (widget);
  gtk_editable_set_text (GTK_EDITABLE (widget), comment);
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static char *
read_file (GFile *file)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_assert_true (g_file_load_contents (file, NULL, &contents, NULL, NULL, &error));
  g_assert_no_error (error);
  return contents;
}

/* Splits one CSV line in fields (quoted fields with doubled quotes; no newlines in fields). */
static GPtrArray *
parse_csv_line (const char *line)
{
  GPtrArray *fields = g_ptr_array_new_with_free_func (g_free);
  GString *field = g_string_new (NULL);
  gboolean quoted = FALSE;

  for (const char *p = line; ; p++)
    {
      if (quoted)
        {
          if (*p == '"' && p[1] == '"')
            g_string_append_c (field, *p++);
          else if (*p == '"')
            quoted = FALSE;
          else if (*p == '\0')
            break;
          else
            g_string_append_c (field, *p);
          continue;
        }
      if (*p == '"')
        quoted = TRUE;
      else if (*p == ',' || *p == '\0')
        {
          g_ptr_array_add (fields, g_string_free (field, FALSE));
          field = g_string_new (NULL);
          if (*p == '\0')
            break;
        }
      else
        g_string_append_c (field, *p);
    }
  g_string_free (field, TRUE);
  return fields;
}

/* A value over the limit → an active unacknowledged row within a deadline; acknowledge with a
 * comment through the row's button and dialog → acknowledged, the journal shows user and
 * comment; shelve → the row leaves the active list; CSV export of the journal written, equal to
 * the REST CSV, and parsed; the text filter narrows both table and export. */
static void
test_alarms_engine (void)
{
  Fx *fx = fx_new ();
  RowWait rw = { fx, "temp", "high", 0 };
  StateWait sw;
  gpointer unacked[2];
  JsonObject *entry;
  gboolean active_window;
  guint n_before;
  gint64 start;
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *rest_csv = NULL;
  g_auto(GStrv) lines = NULL;
  const char *user = g_get_user_name ();
  guint n_lines, n_entries;
  gint64 level_id;
  GtkWidget *stack;

  /* Nothing active yet: the status page, no badge. */
  g_assert_cmpuint (dc_alarms_page_get_n_rows (fx->page), ==, 0);
  g_assert_cmpuint (dc_alarms_page_get_n_unacknowledged (fx->page), ==, 0);

  /* Over the limit: the row appears, active and unacknowledged. */
  active_window = gtk_window_is_active (GTK_WINDOW (fx->window));
  n_before = dc_alarms_page_get_n_notifications (fx->page);
  start = g_get_monotonic_time ();
  push (fx, "temp", 95.5);
  g_assert_true (ui_wait_until (row_shown, &rw, 5000));
  g_test_message ("alarm row after %.1f ms", (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, rw.id), ==, DC_ALARM_ACTIVE_UNACKED);
  unacked[0] = fx->page;
  unacked[1] = GUINT_TO_POINTER (1);
  g_assert_true (ui_wait_until (page_unacked_is, unacked, 5000));
  /* In words: the point, the condition with the limit in the point's unit; the device. */
  g_assert_cmpstr (row_title (fx, rw.id), ==, "Transformer temperature above high limit 90 °C");
  g_assert_true (g_str_has_prefix (row_subtitle (fx, rw.id), "Virtual plant · "));
  g_assert_nonnull (strstr (row_subtitle (fx, rw.id),
                            "Active, unacknowledged"));
  g_assert_nonnull (strstr (row_subtitle (fx, rw.id),
                            "95.5 °C"));
  /* A high alarm notifies only while the window does not have the focus. */
  g_test_message ("window active: %d", active_window);
  g_assert_cmpuint (dc_alarms_page_get_n_notifications (fx->page), ==,
                    n_before + (active_window ? 0 : 1));

  /* The notification's action shows the Alarms page. */
  dc_window_set_view (fx->window, "points");
  g_action_group_activate_action (G_ACTION_GROUP (fx->app), "show-alarms", NULL);
  stack = gtk_widget_get_ancestor (GTK_WIDGET (fx->page), ADW_TYPE_VIEW_STACK);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (ADW_VIEW_STACK (stack)), ==, "alarms");

  /* Badges: the point carries its alarm's priority, the device counts its alarms. */
  g_assert_cmpstr (dc_point_row_get_alarm_priority (point_row (fx, "temp")), ==, "high");
  g_assert_null (dc_point_row_get_alarm_priority (point_row (fx, "level")));
  g_assert_cmpuint (dc_device_node_get_n_alarms (plant_node (fx)), ==, 1);
  g_assert_cmpstr (dc_device_node_get_alarm_priority (plant_node (fx)), ==, "high");
  g_assert_true (ui_wait_until (tree_shows_badge, fx->window, 5000));

  /* A medium alarm never notifies; priority order puts the high one first. */
  n_before = dc_alarms_page_get_n_notifications (fx->page);
  push (fx, "level", 4);
  rw = (RowWait) { fx, "level", "low", 0 };
  g_assert_true (ui_wait_until (row_shown, &rw, 5000));
  g_assert_cmpuint (dc_alarms_page_get_n_notifications (fx->page), ==, n_before);
  g_assert_cmpuint (dc_alarms_page_get_n_rows (fx->page), ==, 2);
  g_assert_true (dc_alarms_page_get_nth_row (fx->page, 0) ==
                 dc_alarms_page_get_row (fx->page, dc_alarm_find (fx->alarm, key_of (fx, "temp"),
                                                                  "high")));

  /* The keyboard stays on its alarm when the list is rebuilt. */
  level_id = rw.id;
  g_assert_true (gtk_widget_grab_focus (dc_alarms_page_get_row (fx->page, level_id)));

  /* Acknowledge through the UI with a comment. */
  rw = (RowWait) { fx, "temp", "high", 0 };
  g_assert_true (row_shown (&rw));
  answer_dialog (fx, rw.id, "ack", "checked on site, fan running", "ack");
  sw = (StateWait) { fx, rw.id, DC_ALARM_ACTIVE_ACKED };
  g_assert_true (ui_wait_until (state_is, &sw, 5000));
  g_assert_true (ui_wait_until (row_shown, &rw, 5000));
  g_assert_false (gtk_widget_is_sensitive (find_named (dc_alarms_page_get_row (fx->page, rw.id),
                                                       "ack")));
  g_assert_nonnull (strstr (row_subtitle (fx, rw.id),
                            "checked on site, fan running"));
  /* … and in the audit log, from the workstation. */
  {
    g_autoptr(GPtrArray) acks = dc_test_audit_rows (fx->store, "alarm.ack", NULL);
    DcAuditRow *ack;

    g_assert_cmpuint (acks->len, ==, 1);
    ack = g_ptr_array_index (acks, 0);
    g_assert_cmpstr (ack->source, ==, "gui");
    g_assert_cmpstr (ack->user, ==, "local");
    g_assert_cmpstr (ack->target, ==, "plant:t:temp");
    g_assert_cmpstr (ack->result, ==, "ok");
    g_assert_nonnull (strstr (ack->detail, "\"comment\":\"checked on site, fan running\""));
  }
  unacked[1] = GUINT_TO_POINTER (1);   /* the level alarm */
  g_assert_true (ui_wait_until (page_unacked_is, unacked, 5000));
  g_assert_true (gtk_root_get_focus (GTK_ROOT (fx->window)) ==
                 dc_alarms_page_get_row (fx->page, level_id));

  /* The journal (newest first) shows the acknowledgement with user and comment. */
  entry = dc_alarms_page_get_journal_entry (fx->page, 0);
  g_assert_nonnull (entry);
  g_assert_cmpint (json_object_get_int_member (entry, "alarm_id"), ==, rw.id);
  g_assert_cmpstr (json_object_get_string_member (entry, "state"), ==, "active_acknowledged");
  g_assert_cmpstr (json_object_get_string_member (entry, "user"), ==, user);
  g_assert_cmpstr (json_object_get_string_member (entry, "comment"), ==,
                   "checked on site, fan running");

  /* Cancel changes nothing; shelve with a comment removes the row from the active list. */
  rw = (RowWait) { fx, "level", "low", 0 };
  g_assert_true (row_shown (&rw));
  answer_dialog (fx, rw.id, "shelve", "ignored", "cancel");
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, rw.id), ==, DC_ALARM_ACTIVE_UNACKED);
  answer_dialog (fx, rw.id, "shelve", "sensor \"B\" replaced, level, tomorrow", "shelve");
  sw = (StateWait) { fx, rw.id, DC_ALARM_SHELVED };
  g_assert_true (ui_wait_until (state_is, &sw, 5000));
  g_assert_null (dc_alarms_page_get_row (fx->page, rw.id));
  g_assert_cmpuint (dc_alarms_page_get_n_rows (fx->page), ==, 1);
  g_assert_null (dc_point_row_get_alarm_priority (point_row (fx, "level")));
  g_assert_cmpuint (dc_device_node_get_n_alarms (plant_node (fx)), ==, 1);
  unacked[1] = GUINT_TO_POINTER (0);
  g_assert_true (ui_wait_until (page_unacked_is, unacked, 5000));
  entry = dc_alarms_page_get_journal_entry (fx->page, 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "state"), ==, "shelved");
  g_assert_cmpstr (json_object_get_string_member (entry, "comment"), ==,
                   "sensor \"B\" replaced, level, tomorrow");

  /* CSV export of everything: the same bytes as the REST CSV, parsed back. */
  dc_alarms_page_set_range (fx->page, DC_ALARMS_RANGE_ALL);
  dc_alarms_page_refresh (fx->page);
  n_entries = g_list_model_get_n_items (dc_alarms_page_get_journal (fx->page));
  g_assert_cmpuint (n_entries, ==, 4);   /* two activations, one ack, one shelve */
  path = g_test_build_filename (G_TEST_BUILT, "alarm-journal.csv", NULL);
  file = g_file_new_for_path (path);
  g_assert_true (dc_alarms_page_export_csv (fx->page, file, NULL));
  csv = read_file (file);
  rest_csv = dc_alarm_journal_csv (fx->alarm, 0, G_MAXINT64, 0, NULL);
  g_assert_cmpstr (csv, ==, rest_csv);
  lines = g_strsplit (csv, "\n", -1);
  n_lines = g_strv_length (lines);
  g_assert_cmpuint (n_lines, ==, n_entries + 2);   /* header, entries, empty after the last \n */
  g_assert_cmpstr (lines[n_lines - 1], ==, "");
  for (guint i = 0; i + 1 < n_lines; i++)
    {
      g_autoptr(GPtrArray) fields = parse_csv_line (lines[i]);

      g_assert_cmpuint (fields->len, ==, 11);
      if (i == 0)
        {
          g_assert_cmpstr (g_ptr_array_index (fields, 0), ==, "time");
          g_assert_cmpstr (g_ptr_array_index (fields, 9), ==, "comment");
        }
    }
  {
    g_autoptr(GPtrArray) ack = parse_csv_line (lines[3]);
    g_autoptr(GPtrArray) shelve = parse_csv_line (lines[4]);
    gint64 t;

    g_assert_true (dc_time_parse (g_ptr_array_index (ack, 0), &t));
    g_assert_cmpstr (g_ptr_array_index (ack, 2), ==, "high");
    g_assert_cmpstr (g_ptr_array_index (ack, 6), ==, "active_acknowledged");
    g_assert_cmpstr (g_ptr_array_index (ack, 8), ==, user);
    g_assert_cmpstr (g_ptr_array_index (ack, 9), ==, "checked on site, fan running");
    g_assert_cmpstr (g_ptr_array_index (shelve, 2), ==, "low");
    g_assert_cmpstr (g_ptr_array_index (shelve, 6), ==, "shelved");
    g_assert_cmpstr (g_ptr_array_index (shelve, 9), ==, "sensor \"B\" replaced, level, tomorrow");
  }

  /* The filter narrows the table and the export. */
  dc_alarms_page_set_filter (fx->page, "FAN RUNNING");
  g_assert_cmpuint (g_list_model_get_n_items (dc_alarms_page_get_journal (fx->page)), ==, 1);
  g_assert_true (dc_alarms_page_export_csv (fx->page, file, NULL));
  g_clear_pointer (&csv, g_free);
  g_clear_pointer (&lines, g_strfreev);
  csv = read_file (file);
  lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_nonnull (strstr (lines[1], "checked on site"));
  dc_alarms_page_set_filter (fx->page, "tank level");   /* the point's name */
  g_assert_cmpuint (g_list_model_get_n_items (dc_alarms_page_get_journal (fx->page)), ==, 2);
  dc_alarms_page_set_filter (fx->page, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (dc_alarms_page_get_journal (fx->page)), ==, 4);

  fx_free (fx);
}

/* Four priorities (critical breaker, high temperature acknowledged, medium level, low ambient)
 * on the Alarms page, rendered to screenshot-alarms.png. */
static void
test_alarms_screenshot (void)
{
  Fx *fx = fx_new ();
  RowWait rw = { fx, "amb", "high", 0 };
  StateWait sw;
  guint colours;

  push (fx, "temp", 96.2);
  push (fx, "level", 7.5);
  push (fx, "cb", 2);
  push (fx, "amb", 38.4);
  g_assert_true (ui_wait_until (row_shown, &rw, 5000));
  rw = (RowWait) { fx, "temp", "high", 0 };
  g_assert_true (ui_wait_until (row_shown, &rw, 5000));
  g_assert_true (dc_alarm_ack (fx->alarm, rw.id, "operator", "fan checked", NULL));
  sw = (StateWait) { fx, rw.id, DC_ALARM_ACTIVE_ACKED };
  g_assert_true (ui_wait_until (state_is, &sw, 5000));
  dc_alarms_page_refresh (fx->page);
  g_assert_cmpuint (dc_alarms_page_get_n_rows (fx->page), ==, 4);

  /* Highest priority first. */
  rw = (RowWait) { fx, "cb", "state", 0 };
  g_assert_true (row_shown (&rw));
  g_assert_true (dc_alarms_page_get_nth_row (fx->page, 0) ==
                 dc_alarms_page_get_row (fx->page, rw.id));
  rw = (RowWait) { fx, "amb", "high", 0 };
  g_assert_true (row_shown (&rw));
  g_assert_true (dc_alarms_page_get_nth_row (fx->page, 3) ==
                 dc_alarms_page_get_row (fx->page, rw.id));
  g_assert_cmpuint (dc_alarms_page_get_n_unacknowledged (fx->page), ==, 3);

  /* In words: the point, its device and the state text, not "plant:t:cb is 2". */
  rw = (RowWait) { fx, "cb", "state", 0 };
  g_assert_true (row_shown (&rw));
  g_test_message ("breaker alarm: %s — %s", row_title (fx, rw.id), row_subtitle (fx, rw.id));
  g_assert_cmpstr (row_title (fx, rw.id), ==, "Feeder 1 breaker is closed");
  g_assert_nonnull (strstr (row_subtitle (fx, rw.id), "value closed"));
  g_assert_true (g_str_has_prefix (row_subtitle (fx, rw.id), "Virtual plant · "));
  g_assert_null (strstr (row_subtitle (fx, rw.id), "plant:t:cb"));
  rw = (RowWait) { fx, "temp", "high", 0 };
  g_assert_true (row_shown (&rw));
  g_assert_cmpstr (row_title (fx, rw.id), ==, "Transformer temperature above high limit 90 °C");
  rw = (RowWait) { fx, "level", "low", 0 };
  g_assert_true (row_shown (&rw));
  g_assert_cmpstr (row_title (fx, rw.id), ==, "Tank level below low limit 10 %");
  g_assert_nonnull (strstr (row_subtitle (fx, rw.id), "value 7.5 %"));

  /* The journal in words too: point, device, condition, the value's state text. */
  dc_alarms_page_refresh (fx->page);
  ui_wait_for_frame (GTK_WIDGET (fx->window));
  g_assert_true (ui_wait_until (journal_shows, (gpointer[]) { fx->page, (gpointer) "is closed" }, 5000));
  g_assert_true (ui_wait_until (journal_shows, (gpointer[]) { fx->page, (gpointer) "above high limit 90 °C" }, 5000));
  g_assert_true (ui_wait_until (journal_shows, (gpointer[]) { fx->page, (gpointer) "Virtual plant" }, 5000));
  g_assert_true (ui_wait_until (journal_shows, (gpointer[]) { fx->page, (gpointer) "Feeder 1 breaker" }, 5000));
  g_assert_true (ui_wait_until (journal_shows, (gpointer[]) { fx->page, (gpointer) "closed" }, 5000));

  ui_wait_for_frame (GTK_WIDGET (fx->window));
  colours = ui_render_png (GTK_WIDGET (fx->window), "screenshot-alarms.png");
  g_test_message ("screenshot-alarms.png: %u colours", colours);
  g_assert_cmpuint (colours, >, 200);

  /* The Points page with the alarm badges in the tree and the table. */
  g_assert_cmpuint (dc_device_node_get_n_alarms (plant_node (fx)), ==, 4);
  dc_window_set_view (fx->window, "points");
  g_assert_true (ui_wait_until (tree_shows_badge, fx->window, 5000));
  ui_wait_for_frame (GTK_WIDGET (fx->window));
  /* The breaker's state in words in the table; the Alarm column shows "Medium" whole. */
  g_assert_true (ui_wait_until (table_shows, (gpointer[]) { fx->window, (gpointer) "closed" }, 5000));
  {
    GtkWidget *medium = ui_find_inscription (GTK_WIDGET (dc_window_get_point_table (fx->window)),
                                             "Medium");
    g_autoptr(PangoLayout) layout = NULL;
    int text_width;

    g_assert_nonnull (medium);
    layout = gtk_widget_create_pango_layout (medium, "Medium");
    pango_layout_get_pixel_size (layout, &text_width, NULL);
    g_test_message ("Medium: %d px of text in a %d px cell", text_width, gtk_widget_get_width (medium));
    g_assert_cmpint (gtk_widget_get_width (medium), >=, text_width);
    /* … and inside the visible part of the table. */
    {
      graphene_point_t p;

      GtkWidget *table = GTK_WIDGET (dc_window_get_point_table (fx->window));

      g_assert_true (gtk_widget_compute_point (medium, table,
                                               &GRAPHENE_POINT_INIT (gtk_widget_get_width (medium), 0), &p));
      g_test_message ("Medium ends at %.0f of a %d px table", p.x, gtk_widget_get_width (table));
      g_assert_cmpfloat (p.x, <=, gtk_widget_get_width (table));
    }
  }
  colours = ui_render_png (GTK_WIDGET (fx->window), "screenshot-alarms-points.png");
  g_test_message ("screenshot-alarms-points.png: %u colours", colours);

  fx_free (fx);
}

static void
test_alarm_words (void)
{
  g_assert_cmpint (dc_alarm_priority_rank ("critical"), >, dc_alarm_priority_rank ("high"));
  g_assert_cmpint (dc_alarm_priority_rank ("bogus"), ==, -1);
  g_assert_cmpstr (dc_alarm_priority_css_class ("critical"), ==, "error");
  g_assert_cmpstr (dc_alarm_priority_css_class ("medium"), ==, "warning");
  g_assert_cmpstr (dc_alarm_state_text ("cleared_unacknowledged"), ==, "Cleared, unacknowledged");
  g_assert_cmpstr (dc_alarm_condition_text ("comm"), ==, "Communication lost");
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  g_test_add_func ("/dc/ui/alarms/words", test_alarm_words);
  ui_test_add ("/dc/ui/alarms/engine", test_alarms_engine);
  ui_test_add ("/dc/ui/alarms/screenshot", test_alarms_screenshot);

  return g_test_run ();
}
