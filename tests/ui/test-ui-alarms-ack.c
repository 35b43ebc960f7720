/* test-ui-alarms-ack.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The Alarms page draws attention and takes several acknowledgements at once (docs/ui-alarms.md,
 * issue 18): Acknowledge Selected and Acknowledge All with one comment; rows waiting for an
 * acknowledgement flash unless animations are off (reduced motion); the optional bell of the
 * Preferences. The real window, engine and alarm plugin of alarms-fixture.c.
 */

#include "config.h"

#include "alarms-fixture.h"
#include "dc-preferences-window.h"
#include "dc-ui.h"
#include "dc-test-ui.h"
#include "dc-test-store.h"

/* The button bound to @action under @widget (the Alarms page's toolbar), or NULL. */
static GtkWidget *
find_action_button (GtkWidget  *widget,
                    const char *action)
{
  if (GTK_IS_BUTTON (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_action_button (c, action);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
action_enabled (Fx         *fx,
                const char *action)
{
  GtkWidget *button = find_action_button (GTK_WIDGET (fx->page), action);

  g_assert_nonnull (button);
  return gtk_widget_get_sensitive (button);
}

/* The label above the active list. */
static const char *
unacked_label (Fx *fx)
{
  GObject *label = gtk_widget_get_template_child (GTK_WIDGET (fx->page), DC_TYPE_ALARMS_PAGE,
                                                 "unacked_label");

  g_assert_true (GTK_IS_LABEL (label));
  return gtk_label_get_label (GTK_LABEL (label));
}

/* Activates @action of the page, types @comment in its dialog and answers @response. */
static void
answer_page_dialog (Fx         *fx,
                    const char *action,
                    const char *comment,
                    const char *response,
                    const char *want_body)
{
  AdwMessageDialog *dialog = NULL;
  GtkWidget *entry;

  g_assert_true (action_enabled (fx, action));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fx->page), action, NULL));
  g_assert_true (ui_wait_until (dialog_open, &dialog, 5000));
  g_assert_cmpstr (adw_message_dialog_get_body (dialog), ==, want_body);
  entry = ui_find_type (adw_message_dialog_get_extra_child (dialog), GTK_TYPE_ENTRY);
  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), comment);
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Acknowledge Selected and Acknowledge All: three alarms wait; one selected and acknowledged with
 * one comment, the selection kept over the list's rebuilds; then all the others at once; an
 * audit row each, the buttons disabled when nothing waits. */
static void
test_alarms_ack_many (void)
{
  Fx *fx = fx_new ();
  RowWait rw = { fx, "amb", "high", 0 };
  StateWait sw;
  gint64 temp_id, level_id, amb_id;
  gpointer unacked[2] = { fx->page, GUINT_TO_POINTER (3) };

  push (fx, "temp", 95.5);
  push (fx, "level", 4);
  push (fx, "amb", 38.4);
  g_assert_true (ui_wait_until (row_shown, &rw, 5000));
  amb_id = rw.id;
  rw = (RowWait) { fx, "temp", "high", 0 };
  g_assert_true (ui_wait_until (row_shown, &rw, 5000));
  temp_id = rw.id;
  rw = (RowWait) { fx, "level", "low", 0 };
  g_assert_true (ui_wait_until (row_shown, &rw, 5000));
  level_id = rw.id;
  g_assert_true (ui_wait_until (page_unacked_is, unacked, 5000));
  dc_alarms_page_refresh (fx->page);
  g_assert_cmpstr (unacked_label (fx), ==, "3 alarms wait for an acknowledgement");
  g_assert_false (action_enabled (fx, "alarms.ack-selected"));
  g_assert_true (action_enabled (fx, "alarms.ack-all"));

  /* Select the level alarm: the label counts it, the selection survives a rebuild. */
  gtk_list_box_select_row (GTK_LIST_BOX (gtk_widget_get_parent (dc_alarms_page_get_row (fx->page, level_id))),
                           GTK_LIST_BOX_ROW (dc_alarms_page_get_row (fx->page, level_id)));
  g_assert_cmpstr (unacked_label (fx), ==, "3 alarms wait for an acknowledgement, 1 selected");
  dc_alarms_page_refresh (fx->page);
  g_assert_true (gtk_list_box_row_is_selected (GTK_LIST_BOX_ROW (dc_alarms_page_get_row (fx->page, level_id))));
  g_assert_true (action_enabled (fx, "alarms.ack-selected"));

  /* Cancel does nothing; Acknowledge takes the selected one only. */
  answer_page_dialog (fx, "alarms.ack-selected", "nothing", "cancel",
                      "1 alarm will be acknowledged with this comment.");
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, level_id), ==, DC_ALARM_ACTIVE_UNACKED);
  answer_page_dialog (fx, "alarms.ack-selected", "level seen", "ack",
                      "1 alarm will be acknowledged with this comment.");
  sw = (StateWait) { fx, level_id, DC_ALARM_ACTIVE_ACKED };
  g_assert_true (ui_wait_until (state_is, &sw, 5000));
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, temp_id), ==, DC_ALARM_ACTIVE_UNACKED);
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, amb_id), ==, DC_ALARM_ACTIVE_UNACKED);
  unacked[1] = GUINT_TO_POINTER (2);
  g_assert_true (ui_wait_until (page_unacked_is, unacked, 5000));
  dc_alarms_page_refresh (fx->page);
  g_assert_false (action_enabled (fx, "alarms.ack-selected"));
  g_assert_cmpstr (unacked_label (fx), ==, "2 alarms wait for an acknowledgement");

  /* Acknowledge All: the two others. */
  answer_page_dialog (fx, "alarms.ack-all", "shift handover", "ack",
                      "2 alarms will be acknowledged with this comment.");
  unacked[1] = GUINT_TO_POINTER (0);
  g_assert_true (ui_wait_until (page_unacked_is, unacked, 5000));
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, temp_id), ==, DC_ALARM_ACTIVE_ACKED);
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, amb_id), ==, DC_ALARM_ACTIVE_ACKED);
  dc_alarms_page_refresh (fx->page);
  g_assert_false (action_enabled (fx, "alarms.ack-all"));
  g_assert_cmpstr (unacked_label (fx), ==, "No alarm waits for an acknowledgement");
  g_assert_nonnull (strstr (row_subtitle (fx, temp_id), "shift handover"));
  {
    g_autoptr(GPtrArray) acks = dc_test_audit_rows (fx->store, "alarm.ack", NULL);
    guint with_comment = 0;

    g_assert_cmpuint (acks->len, ==, 3);
    for (guint i = 0; i < acks->len; i++)
      {
        DcAuditRow *ack = g_ptr_array_index (acks, i);

        g_assert_cmpstr (ack->result, ==, "ok");
        g_assert_cmpstr (ack->source, ==, "gui");
        if (strstr (ack->detail, "\"comment\":\"shift handover\"") != NULL)
          with_comment++;
      }
    g_assert_cmpuint (with_comment, ==, 2);
  }

  fx_free (fx);
}

static gboolean
row_class_is (gpointer data)
{
  gpointer *args = data;

  return gtk_widget_has_css_class (args[0], "alarm-flash") == GPOINTER_TO_INT (args[1]);
}

/* Reduced motion (the tests' default: gtk-enable-animations off): an alarm waiting for an
 * acknowledgement is tinted and never flashes. Animations on: it flashes (alarm-flash toggled on
 * a timer), without a rebuild, until it is acknowledged; a page not shown does not flash. */
static void
test_alarms_flash (void)
{
  Fx *fx = fx_new ();
  RowWait rw = { fx, "temp", "high", 0 };
  StateWait sw;
  GtkSettings *settings = gtk_widget_get_settings (GTK_WIDGET (fx->page));
  GtkWidget *row;
  gboolean animations;

  g_object_get (settings, "gtk-enable-animations", &animations, NULL);
  g_assert_false (animations);
  g_assert_false (dc_alarms_page_is_flashing (fx->page));

  /* Reduced motion: tinted, steady. */
  push (fx, "temp", 95.5);
  g_assert_true (ui_wait_until (row_shown, &rw, 5000));
  dc_alarms_page_refresh (fx->page);
  row = dc_alarms_page_get_row (fx->page, rw.id);
  g_assert_true (gtk_widget_has_css_class (row, "alarm-unacknowledged"));
  g_assert_false (dc_alarms_page_is_flashing (fx->page));
  g_assert_false (gtk_widget_has_css_class (row, "alarm-flash"));

  /* Animations on: it flashes at once, then off and on again. */
  g_object_set (settings, "gtk-enable-animations", TRUE, NULL);
  g_assert_true (dc_alarms_page_is_flashing (fx->page));
  g_assert_true (gtk_widget_has_css_class (row, "alarm-flash"));
  g_assert_true (ui_wait_until (row_class_is, (gpointer[]) { row, GINT_TO_POINTER (FALSE) }, 3000));
  g_assert_true (ui_wait_until (row_class_is, (gpointer[]) { row, GINT_TO_POINTER (TRUE) }, 3000));
  /* A rebuilt list flashes too. */
  dc_alarms_page_refresh (fx->page);
  row = dc_alarms_page_get_row (fx->page, rw.id);
  g_assert_true (dc_alarms_page_is_flashing (fx->page));
  g_assert_true (ui_wait_until (row_class_is, (gpointer[]) { row, GINT_TO_POINTER (TRUE) }, 3000));

  /* Acknowledged: steady, no tint. */
  g_assert_true (dc_alarm_ack (fx->alarm, rw.id, "operator", NULL, NULL));
  sw = (StateWait) { fx, rw.id, DC_ALARM_ACTIVE_ACKED };
  g_assert_true (ui_wait_until (state_is, &sw, 5000));
  dc_alarms_page_refresh (fx->page);
  row = dc_alarms_page_get_row (fx->page, rw.id);
  g_assert_false (dc_alarms_page_is_flashing (fx->page));
  g_assert_false (gtk_widget_has_css_class (row, "alarm-unacknowledged"));
  g_assert_false (gtk_widget_has_css_class (row, "alarm-flash"));

  /* A new one flashes; animations off again stops it at once. */
  push (fx, "level", 4);
  rw = (RowWait) { fx, "level", "low", 0 };
  g_assert_true (ui_wait_until (row_shown, &rw, 5000));
  dc_alarms_page_refresh (fx->page);
  row = dc_alarms_page_get_row (fx->page, rw.id);
  g_assert_true (dc_alarms_page_is_flashing (fx->page));
  g_object_set (settings, "gtk-enable-animations", FALSE, NULL);
  g_assert_false (dc_alarms_page_is_flashing (fx->page));
  g_assert_false (gtk_widget_has_css_class (row, "alarm-flash"));
  g_assert_true (gtk_widget_has_css_class (row, "alarm-unacknowledged"));

  /* A page not shown does not flash. */
  g_object_set (settings, "gtk-enable-animations", TRUE, NULL);
  g_assert_true (dc_alarms_page_is_flashing (fx->page));
  dc_window_set_view (fx->window, "points");
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (fx->page)));
  g_assert_false (dc_alarms_page_is_flashing (fx->page));
  g_object_set (settings, "gtk-enable-animations", FALSE, NULL);

  fx_free (fx);
}

/* The optional sound: off by default (no bell for a new alarm); with the preference on (the
 * Preferences window's switch), one bell per new alarm waiting for an acknowledgement. */
static void
test_alarms_sound (void)
{
  Fx *fx = fx_new ();
  g_autoptr(GSettings) settings = dc_ui_settings_new (NULL);
  g_autofree char *conf = g_build_filename (fx->dir, "datacoll.conf", NULL);
  RowWait rw = { fx, "temp", "high", 0 };
  DcPreferencesWindow *prefs;
  GtkWidget *sound_switch = NULL;

  g_assert_nonnull (settings);
  g_assert_false (g_settings_get_boolean (settings, "alarm-sound"));
  push (fx, "temp", 95.5);
  g_assert_true (ui_wait_until (row_shown, &rw, 5000));
  g_assert_cmpuint (dc_alarms_page_get_n_beeps (fx->page), ==, 0);

  /* The Preferences window's switch turns it on. */
  prefs = dc_preferences_window_new (GTK_WINDOW (fx->window), settings, conf);
  {
    GtkWidget *w = GTK_WIDGET (prefs);
    GPtrArray *stack = g_ptr_array_new ();

    g_ptr_array_add (stack, w);
    while (stack->len > 0 && sound_switch == NULL)
      {
        GtkWidget *cur = g_ptr_array_steal_index (stack, stack->len - 1);

        if (ADW_IS_ACTION_ROW (cur) &&
            g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (cur)),
                       "_Sound on new alarms") == 0)
          sound_switch = ui_find_type (cur, GTK_TYPE_SWITCH);
        for (GtkWidget *c = gtk_widget_get_first_child (cur); c; c = gtk_widget_get_next_sibling (c))
          g_ptr_array_add (stack, c);
      }
    g_ptr_array_unref (stack);
  }
  g_assert_nonnull (sound_switch);
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (sound_switch)));
  gtk_switch_set_active (GTK_SWITCH (sound_switch), TRUE);
  g_assert_true (g_settings_get_boolean (settings, "alarm-sound"));
  gtk_window_destroy (GTK_WINDOW (prefs));

  push (fx, "level", 4);
  rw = (RowWait) { fx, "level", "low", 0 };
  g_assert_true (ui_wait_until (row_shown, &rw, 5000));
  g_assert_cmpuint (dc_alarms_page_get_n_beeps (fx->page), ==, 1);
  /* An acknowledgement is no new alarm. */
  g_assert_true (dc_alarm_ack (fx->alarm, rw.id, "operator", NULL, NULL));
  dc_alarms_page_refresh (fx->page);
  g_assert_cmpuint (dc_alarms_page_get_n_beeps (fx->page), ==, 1);
  g_settings_reset (settings, "alarm-sound");

  fx_free (fx);
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  ui_test_add ("/dc/ui/alarms/ack-many", test_alarms_ack_many);
  ui_test_add ("/dc/ui/alarms/flash", test_alarms_flash);
  ui_test_add ("/dc/ui/alarms/sound", test_alarms_sound);

  return g_test_run ();
}
