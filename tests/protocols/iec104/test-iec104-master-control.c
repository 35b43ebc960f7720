/* test-iec104-master-control.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The master driver's commands: select-before-operate with the station's feedback, a direct
 * set-point, a negative confirmation, no answer and an offline device.
 */

#define G_LOG_DOMAIN "test-iec104-master"

#include "config.h"

#include "dc-error.h"

#include "iec104-master-fixture.h"

static gboolean
feedback_is (Fixture *f, gconstpointer data)
{
  DcSample s = { 0 };

  return sink_last (&f->sink, 100, &s) && s.value == *(const double *) data;
}

static void
test_sbo (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *steps = NULL;
  const double one = 1;

  add_point (f, 100, DC_IEC104_SIM_IOA_DOUBLES + 1, 46, 1, FALSE);
  /* The monitor point at the same IOA is replaced by the command point. */
  start_both (f);
  g_assert_true (wait_for (f, has_sample, GINT_TO_POINTER (100), 10));

  run_ctrl (f, 100, 1, 5);
  g_assert_no_error (f->error);
  g_assert_cmpfloat (f->confirmed, ==, 1);
  steps = steps_string (f);
  g_assert_true (g_str_has_prefix (steps, "select sent, selected, execute sent, confirmed"));
  /* The station's feedback reaches the command point. */
  g_assert_true (wait_for (f, feedback_is, &one, 5));

  /* Value checks happen before anything is sent. */
  run_ctrl (f, 100, 3, 5);
  g_assert_error (f->error, DC_ERROR, DC_ERROR_INVALID);
  g_assert_cmpstr (f->error->message, ==,
                   "value 3 is not allowed for a double command (use 1 or 2)");
  run_ctrl (f, 41, 3, 5);
  g_assert_error (f->error, DC_ERROR, DC_ERROR_INVALID);
  g_assert_cmpstr (f->error->message, ==, "point is read-only");
}

static void
test_direct_setpoint (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *steps = NULL;

  add_point (f, 101, DC_IEC104_SIM_IOA_FLOATS + 2, 50, 1, TRUE);
  start_both (f);
  run_ctrl (f, 101, 12.5, 5);
  g_assert_no_error (f->error);
  g_assert_cmpfloat (f->confirmed, ==, 12.5);
  steps = steps_string (f);
  g_assert_true (g_str_has_prefix (steps, "execute sent, confirmed"));
}

static void
test_negative (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *steps = NULL;

  f->sim_config.negative = TRUE;
  add_point (f, 100, DC_IEC104_SIM_IOA_DOUBLES + 1, 46, 1, FALSE);
  start_both (f);
  run_ctrl (f, 100, 2, 5);
  g_assert_error (f->error, DC_ERROR, DC_ERROR_REJECTED);
  g_assert_cmpuint (dc_error_http_status (f->error), ==, 502);
  g_assert_cmpstr (f->error->message, ==,
                   "device dev1 rejected the command: "
                   "negative confirmation (C_DC_NA_1 actcon P/N=1)");
  steps = steps_string (f);
  g_assert_true (g_str_has_prefix (steps, "select sent, failed"));
}

static void
test_no_answer (Fixture       *f,
                gconstpointer  data)
{
  add_point (f, 100, DC_IEC104_SIM_IOA_DOUBLES + 1, 46, 1, FALSE);
  start_both (f);
  dc_iec104_sim_set_mute_commands (f->sim, TRUE);
  run_ctrl (f, 100, 2, 1);
  g_assert_error (f->error, DC_ERROR, DC_ERROR_TIMEOUT);
  g_assert_cmpuint (dc_error_http_status (f->error), ==, 504);
  g_assert_cmpstr (f->error->message, ==, "device dev1 did not answer within 1 s");

  /* Offline: 503 */
  sim_stop (f);
  g_assert_true (wait_for (f, is_down, NULL, 5));
  run_ctrl (f, 100, 2, 1);
  g_assert_error (f->error, DC_ERROR, DC_ERROR_OFFLINE);
  g_assert_cmpstr (f->error->message, ==, "device dev1 is offline");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  ADD ("sbo", test_sbo);
  ADD ("direct-setpoint", test_direct_setpoint);
  ADD ("negative", test_negative);
  ADD ("no-answer", test_no_answer);

  return g_test_run ();
}
