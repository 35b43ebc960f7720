/* test-ui-control.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The Control… dialog against the IEC 104 simulator, under Xvfb: the steps of a select-before-
 * operate command, a negative confirmation, a timeout, a refused value, the control record, and
 * a breaker command at its own address whose state comes from its feedback point, in words.
 */

#include "config.h"

#include <string.h>

#include "dc-test-ui.h"

#include "dc-control-dialog.h"
#include "dc-control-recent.h"

typedef enum
{
  CASE_SUCCESS,
  CASE_NEGATIVE,
  CASE_TIMEOUT,
} Case;

static gboolean
dialog_done (gpointer data)
{
  return dc_control_dialog_is_done (data);
}

static gboolean
has_steps (gpointer data)
{
  gpointer *args = data;

  return dc_control_dialog_get_steps (args[0])->len >= GPOINTER_TO_UINT (args[1]);
}

static DcControlDialog *
open_control (UiPlant    *f,
              const char *term_id,
              const char *item_id)
{
  DcPointRow *row = dc_plant_model_lookup_point_id (dc_window_get_plant (f->window), term_id, item_id);
  DcControlDialog *dialog;

  g_assert_nonnull (row);
  g_assert_true (dc_window_select (f->window, row));
  g_assert_true (dc_point_table_get_selected (dc_window_get_point_table (f->window)) == row);
  /* The action is enabled for a point with a command type, and opens the dialog. */
  dialog = DC_CONTROL_DIALOG (ui_activate_for_dialog (GTK_WINDOW (f->window), "win.control",
                                                      DC_TYPE_CONTROL_DIALOG));
  g_assert_true (DC_IS_CONTROL_DIALOG (dialog));
  ui_wait_for_frame (GTK_WIDGET (dialog));
  return dialog;
}

static void
setup_station (UiPlant  *f,
               gboolean  negative)
{
  DcIec104SimConfig config;

  dc_iec104_sim_config_init (&config);
  config.negative = negative;
  ui_plant_setup (f, FALSE, &config);
  ui_plant_add_iec104 (f, "rtu");
  dc_test_store_create (f->store, DC_KIND_ITEM, "{\"id\":\"cb\",\"name\":\"Feeder 1 breaker command\"}");
  dc_test_store_create (f->store, DC_KIND_ITEM, "{\"id\":\"sp\",\"name\":\"Feeder 1 set point\",\"unit\":\"A\"}");
  dc_test_store_create (f->store, DC_KIND_ITEM, "{\"id\":\"cur\",\"name\":\"Feeder 1 current\",\"unit\":\"A\"}");
  dc_test_store_create (f->store, DC_KIND_TERM, "{\"id\":\"ca1\",\"device_id\":\"rtu\",\"address\":1}");
  dc_test_store_create (f->store, DC_KIND_POINT, "{\"term_id\":\"ca1\",\"item_id\":\"cb\",\"protocol_code\":1,"
                        "\"code_type\":45}");
  dc_test_store_create (f->store, DC_KIND_POINT, "{\"term_id\":\"ca1\",\"item_id\":\"sp\",\"protocol_code\":2001,"
                        "\"code_type\":49,\"coefficient\":0.1}");
  dc_test_store_create (f->store, DC_KIND_POINT, "{\"term_id\":\"ca1\",\"item_id\":\"cur\",\"protocol_code\":4001,"
                        "\"code_type\":13}");
  /* A breaker command with state texts (docs/model.md "State texts"). */
  dc_test_store_create (f->store, DC_KIND_ITEM, "{\"id\":\"dc\",\"name\":\"Feeder 2 breaker command\"}");
  dc_test_store_create (f->store, DC_KIND_POINT, "{\"term_id\":\"ca1\",\"item_id\":\"dc\",\"protocol_code\":11002,"
                        "\"code_type\":46,\"states\":{\"1\":\"open\",\"2\":\"closed\"},"
                        "\"feedback\":\"br\"}");
  /* Its status: the station reports the breaker at 1002 (closed, 2, at start), not at the
   * command's address 11002 (docs/model.md `feedback`). */
  dc_test_store_create (f->store, DC_KIND_ITEM, "{\"id\":\"br\",\"name\":\"Feeder 2 breaker\"}");
  dc_test_store_create (f->store, DC_KIND_POINT, "{\"term_id\":\"ca1\",\"item_id\":\"br\",\"protocol_code\":1002,"
                        "\"code_type\":31,\"states\":{\"1\":\"open\",\"2\":\"closed\"}}");
  ui_plant_open_window (f);
}

static gboolean
link_up (gpointer data)
{
  UiPlant *f = data;

  return dc_engine_drivers_get_state (dc_engine_get_drivers (f->engine), "rtu") == DC_LINK_UP;
}

/* Recent Controls answer from the audit log in a thread: wait for the dialog's count. */
static gboolean
recent_shown (gpointer data)
{
  return dc_control_dialog_get_n_recent (data) != G_MAXUINT;
}

static gboolean
window_recent_shown (gpointer data)
{
  return dc_control_recent_get_count (dc_window_get_recent_controls (data)) == 1;
}

static guint
n_control_rows (DcStore *store)
{
  g_autoptr(GPtrArray) rows = dc_test_audit_rows (store, "control", NULL);

  return rows->len;
}

static void
run_case (Case c)
{
  DcControlDialog *dialog;
  g_autoptr(GPtrArray) controls = NULL;
  DcAuditRow *record;
  GPtrArray *steps;
  gpointer args[2];
  UiPlant f;

  setup_station (&f, c == CASE_NEGATIVE);
  g_assert_true (ui_wait_until (link_up, &f, 10000));
  if (c == CASE_TIMEOUT)
    {
      dc_engine_drivers_set_call_timeout (dc_engine_get_drivers (f.engine), G_USEC_PER_SEC);
      dc_iec104_sim_set_mute_commands (f.iec, TRUE);
    }

  /* A measured value has no command type: no Control…. */
  g_assert_true (dc_window_select (f.window, dc_plant_model_lookup_point_id (dc_window_get_plant (f.window), "ca1", "cur")));
  g_assert_null (ui_activate_for_dialog (GTK_WINDOW (f.window), "win.control",
                                         DC_TYPE_CONTROL_DIALOG));

  /* The choices are the point's states in words, not "Off (1)" / "On (2)". */
  dialog = open_control (&f, "ca1", "dc");
  {
    GListModel *choices = dc_control_dialog_get_choices (dialog);

    g_assert_nonnull (choices);
    g_assert_cmpuint (g_list_model_get_n_items (choices), ==, 2);
    g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (choices), 0), ==, "Open");
    g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (choices), 1), ==, "Closed");
  }
  gtk_window_destroy (GTK_WINDOW (dialog));

  dialog = open_control (&f, "ca1", "cb");
  g_assert_true (ui_wait_until (recent_shown, dialog, 5000));
  g_assert_cmpuint (dc_control_dialog_get_n_recent (dialog), ==, 0);
  /* A single command without texts: the defaults of docs/model.md. */
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (dc_control_dialog_get_choices (dialog)), 0),
                   ==, "Off");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (dc_control_dialog_get_choices (dialog)), 1),
                   ==, "On");
  dc_control_dialog_set_value (dialog, 1);
  /* Nothing is sent without the explicit confirmation. */
  g_assert_false (dc_control_dialog_send (dialog));
  g_assert_nonnull (dc_control_dialog_get_value_error (dialog));
  g_assert_cmpuint (n_control_rows (f.store), ==, 0);
  dc_control_dialog_set_confirmed (dialog, TRUE);
  g_assert_true (dc_control_dialog_send (dialog));

  if (c == CASE_TIMEOUT)
    {
      /* Mid-sequence: select sent, the station does not answer. */
      args[0] = dialog;
      args[1] = GUINT_TO_POINTER (1);
      g_assert_true (ui_wait_until (has_steps, args, 5000));
      ui_run_for (150);
      g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (dialog), "screenshot-control-mid-sequence.png"), >, 16);
    }
  g_assert_true (ui_wait_until (dialog_done, dialog, 15000));
  steps = dc_control_dialog_get_steps (dialog);
  for (guint i = 0; i < steps->len; i++)
    g_test_message ("step %u: %s", i, (char *) g_ptr_array_index (steps, i));
  g_test_message ("result: %s", dc_control_dialog_get_result (dialog));

  switch (c)
    {
    case CASE_SUCCESS:
      g_assert_cmpuint (steps->len, >=, 4);
      g_assert_cmpstr (g_ptr_array_index (steps, 0), ==, "Select sent");
      g_assert_true (g_str_has_prefix (g_ptr_array_index (steps, 1), "Selected"));
      g_assert_cmpstr (g_ptr_array_index (steps, 2), ==, "Execute sent");
      g_assert_cmpstr (g_ptr_array_index (steps, 3), ==, "Confirmed by the device");
      /* The result in words. */
      g_assert_cmpstr (dc_control_dialog_get_result (dialog), ==, "Confirmed: the device reports on.");
      /* Tall enough to show Recent Controls under the result. */
      gtk_window_set_default_size (GTK_WINDOW (dialog), 600, 960);
      ui_run_for (100);
      g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (dialog), "screenshot-control-confirmed.png"), >, 16);
      break;
    case CASE_NEGATIVE:
      g_assert_true (g_str_has_prefix (dc_control_dialog_get_result (dialog), "Refused by the device"));
      g_assert_nonnull (strstr (dc_control_dialog_get_result (dialog), "rejected"));
      g_assert_cmpstr (g_ptr_array_index (steps, steps->len - 1), ==, "Failed");
      break;
    case CASE_TIMEOUT:
      g_assert_true (g_str_has_prefix (dc_control_dialog_get_result (dialog), "No answer in time"));
      g_assert_nonnull (strstr (dc_control_dialog_get_result (dialog), "did not answer"));
      g_assert_cmpstr (g_ptr_array_index (steps, 0), ==, "Select sent");
      break;
    default:
      g_assert_not_reached ();
    }

  /* The control record: who, what and the result, shown in Recent Controls. */
  /* The audit log: the request and its outcome, from the workstation (source "gui", user
   * "local" in open mode; the name the dialog gives is kept as "by"). */
  controls = dc_test_audit_rows (f.store, "control.result", NULL);
  g_assert_cmpuint (controls->len, ==, 1);
  record = g_ptr_array_index (controls, 0);
  g_assert_cmpstr (record->user, ==, "local");
  g_assert_cmpstr (record->source, ==, "gui");
  g_assert_cmpstr (record->target, ==, "rtu:ca1:cb");
  g_assert_true (g_str_has_prefix (record->detail, "{\"value\":1.0"));
  if (c == CASE_SUCCESS)
    g_assert_cmpstr (record->result, ==, "ok");
  else
    g_assert_cmpstr (record->result, !=, "ok");
  g_assert_cmpuint (n_control_rows (f.store), ==, 2);
  g_assert_true (ui_wait_until (recent_shown, dialog, 5000));
  g_assert_cmpuint (dc_control_dialog_get_n_recent (dialog), ==, 1);
  /* … and on the Device page, for this device. */
  g_assert_true (ui_wait_until (window_recent_shown, f.window, 5000));
  {
    GtkListBox *recent = dc_window_get_recent_controls (f.window);
    GtkWidget *first = gtk_widget_get_first_child (GTK_WIDGET (recent));

    g_autofree char *pattern = NULL;

    g_assert_true (ADW_IS_ACTION_ROW (first));
    /* Names and words, local time: not "ca1:cb ← 1" over a UTC RFC 3339 time. */
    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (first)), ==,
                     "Feeder 1 breaker command ← on");
    g_test_message ("recent: %s", adw_action_row_get_subtitle (ADW_ACTION_ROW (first)));
    pattern = g_strdup_printf ("^[0-2][0-9]:[0-5][0-9]:[0-5][0-9] · Substation RTU · local · %s$",
                               c == CASE_SUCCESS ? "confirmed" : ".+");
    g_assert_true (g_regex_match_simple (pattern, adw_action_row_get_subtitle (ADW_ACTION_ROW (first)),
                                         0, 0));
    g_assert_null (gtk_widget_get_next_sibling (first));
  }
  /* A finished dialog does not send again. */
  g_assert_false (dc_control_dialog_send (dialog));

  gtk_window_destroy (GTK_WINDOW (dialog));
  ui_plant_teardown (&f);
}

static void
test_control_success (void)
{
  run_case (CASE_SUCCESS);
}

static void
test_control_negative (void)
{
  run_case (CASE_NEGATIVE);
}

static void
test_control_timeout (void)
{
  run_case (CASE_TIMEOUT);
}

static gboolean
current_is (gpointer data)
{
  gpointer *args = data;

  return g_str_has_prefix (dc_control_dialog_get_current (args[0]), args[1]);
}

/* A breaker command point never receives a value (the station reports at 1002, the command goes
 * to 11002): the dialog shows the breaker's state from the feedback point, in words; the choices
 * and the result are state texts; the state follows the breaker after the command; Recent
 * Controls names the point and the state. */
static void
test_control_feedback (void)
{
  DcControlDialog *dialog;
  DcPointRow *command;
  UiPlant f;

  setup_station (&f, FALSE);
  g_assert_true (ui_wait_until (link_up, &f, 10000));
  dialog = open_control (&f, "ca1", "dc");
  command = dc_plant_model_lookup_point_id (dc_window_get_plant (f.window), "ca1", "dc");
  g_assert_true (ui_wait_until (current_is, (gpointer[]) { dialog, (gpointer) "closed · " }, 10000));
  g_assert_false (dc_point_row_has_value (command));
  g_test_message ("current: %s", dc_control_dialog_get_current (dialog));
  g_assert_true (g_str_has_suffix (dc_control_dialog_get_current (dialog), " — from Feeder 2 breaker"));
  g_assert_nonnull (strstr (dc_control_dialog_get_current (dialog), " · good · "));
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (dc_control_dialog_get_choices (dialog)), 0),
                   ==, "Open");
  ui_run_for (100);
  g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (dialog), "screenshot-control-feedback.png"), >, 16);

  /* Open it: the device reports "open", and so does the feedback. */
  dc_control_dialog_set_value (dialog, 1);
  dc_control_dialog_set_confirmed (dialog, TRUE);
  g_assert_true (dc_control_dialog_send (dialog));
  g_assert_true (ui_wait_until (dialog_done, dialog, 15000));
  g_assert_cmpstr (dc_control_dialog_get_result (dialog), ==, "Confirmed: the device reports open.");
  g_assert_true (ui_wait_until (current_is, (gpointer[]) { dialog, (gpointer) "open · " }, 10000));
  g_assert_true (ui_wait_until (recent_shown, dialog, 5000));
  g_assert_cmpuint (dc_control_dialog_get_n_recent (dialog), ==, 1);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 600, 960);
  ui_run_for (100);
  g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (dialog), "screenshot-control-feedback-done.png"), >, 16);

  gtk_window_destroy (GTK_WINDOW (dialog));
  ui_plant_teardown (&f);
}

static void
test_control_range (void)
{
  DcControlDialog *dialog;
  UiPlant f;

  setup_station (&f, FALSE);
  /* C_SE_NB_1 with coefficient 0.1: −3276.8 … 3276.7 A. */
  dialog = open_control (&f, "ca1", "sp");
  dc_control_dialog_set_confirmed (dialog, TRUE);
  dc_control_dialog_set_value (dialog, 5000);
  g_assert_false (dc_control_dialog_send (dialog));
  g_assert_nonnull (strstr (dc_control_dialog_get_value_error (dialog), "between -3276.8 and 3276.7"));
  g_assert_false (dc_control_dialog_is_done (dialog));
  g_assert_cmpuint (n_control_rows (f.store), ==, 0);
  ui_run_for (200);
  g_assert_cmpuint (ui_render_png_settled (GTK_WIDGET (dialog), "screenshot-control-range.png"), >, 16);

  gtk_window_destroy (GTK_WINDOW (dialog));
  ui_plant_teardown (&f);
}

static gboolean
modbus_up (gpointer data)
{
  UiPlant *f = data;

  return dc_engine_drivers_get_state (dc_engine_get_drivers (f->engine), "plc") == DC_LINK_UP;
}

static void
test_control_modbus (void)
{
  g_autoptr(GPtrArray) controls = NULL;
  DcControlDialog *dialog;
  GPtrArray *steps;
  guint16 reg = 0;
  UiPlant f;

  ui_plant_setup (&f, TRUE, NULL);
  ui_plant_add_modbus (&f, "plc");
  dc_test_store_create (f.store, DC_KIND_ITEM, "{\"id\":\"sp\",\"name\":\"Pump speed set point\",\"unit\":\"rpm\"}");
  dc_test_store_create (f.store, DC_KIND_TERM, "{\"id\":\"u1\",\"device_id\":\"plc\",\"address\":1}");
  dc_test_store_create (f.store, DC_KIND_POINT, "{\"term_id\":\"u1\",\"item_id\":\"sp\",\"protocol_code\":10,"
                        "\"code_type\":\"hr:u16\"}");
  ui_plant_open_window (&f);
  g_assert_true (ui_wait_until (modbus_up, &f, 10000));

  dialog = open_control (&f, "u1", "sp");
  /* u16: whole numbers 0 … 65535. */
  dc_control_dialog_set_confirmed (dialog, TRUE);
  dc_control_dialog_set_value (dialog, 12.5);
  g_assert_false (dc_control_dialog_send (dialog));
  g_assert_nonnull (strstr (dc_control_dialog_get_value_error (dialog), "whole number"));
  dc_control_dialog_set_value (dialog, 777);
  g_assert_true (dc_control_dialog_send (dialog));
  g_assert_true (ui_wait_until (dialog_done, dialog, 10000));
  steps = dc_control_dialog_get_steps (dialog);
  for (guint i = 0; i < steps->len; i++)
    g_test_message ("step %u: %s", i, (char *) g_ptr_array_index (steps, i));
  g_assert_cmpuint (steps->len, >=, 2);
  g_assert_cmpstr (g_ptr_array_index (steps, 0), ==, "Execute sent");
  g_assert_cmpstr (g_ptr_array_index (steps, 1), ==, "Confirmed by the device");
  g_assert_cmpstr (dc_control_dialog_get_result (dialog), ==, "Confirmed: the device reports 777 rpm.");
  g_assert_true (dc_modbus_sim_get_value (f.modbus, 0, 1, DC_MODBUS_TABLE_HR, 10, &reg));
  g_assert_cmpuint (reg, ==, 777);
  controls = dc_test_audit_rows (f.store, "control.result", NULL);
  g_assert_cmpuint (controls->len, ==, 1);
  g_assert_cmpstr (((DcAuditRow *) g_ptr_array_index (controls, 0))->result, ==, "ok");

  gtk_window_destroy (GTK_WINDOW (dialog));
  ui_plant_teardown (&f);
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  ui_test_add ("/dc/ui/control/success", test_control_success);
  ui_test_add ("/dc/ui/control/negative", test_control_negative);
  ui_test_add ("/dc/ui/control/timeout", test_control_timeout);
  ui_test_add ("/dc/ui/control/range", test_control_range);
  ui_test_add ("/dc/ui/control/feedback", test_control_feedback);
  ui_test_add ("/dc/ui/control/modbus", test_control_modbus);

  return g_test_run ();
}
