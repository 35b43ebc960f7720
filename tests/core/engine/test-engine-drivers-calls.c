/* test-engine-drivers-calls.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * device_call/device_ctrl through the driver manager: deadlines, concurrent calls, hung and
 * rejected answers, offline devices, the control journal and the spec's errors.
 */

#define G_LOG_DOMAIN "test-engine-drivers"

#include "config.h"

#include <string.h>

#include "dc-error.h"
#include "dc-protocols.h"

#include "drivers-manager-fixture.h"

/* Calls */

typedef struct
{
  gboolean  done;
  gboolean  ok;
  DcSample  sample;
  GError   *error;
  GPtrArray *steps;
} CallResult;

static void
call_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  CallResult *r = user_data;

  r->ok = dc_engine_drivers_call_finish (DC_ENGINE_DRIVERS (object), result, &r->sample, &r->error);
  r->done = TRUE;
}

static void
ctrl_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  CallResult *r = user_data;

  r->ok = dc_engine_drivers_ctrl_finish (DC_ENGINE_DRIVERS (object), result, &r->sample, &r->error);
  r->done = TRUE;
}

static void
progress_cb (DcCtrlStep  step,
             const char *detail,
             gpointer    user_data)
{
  CallResult *r = user_data;

  if (r->steps == NULL)
    r->steps = g_ptr_array_new ();
  g_ptr_array_add (r->steps, (gpointer) dc_ctrl_step_to_string (step));
}

static void
call_result_clear (CallResult *r)
{
  g_clear_error (&r->error);
  g_clear_pointer (&r->steps, g_ptr_array_unref);
  memset (r, 0, sizeof *r);
}

static void
do_call (Fixture    *fx,
         const char *d,
         const char *t,
         const char *i,
         CallResult *r)
{
  call_result_clear (r);
  dc_engine_drivers_call_async (fx->drivers, d, t, i, NULL, call_done_cb, r);
  WAIT_UNTIL (r->done);
}

static void
do_ctrl (Fixture    *fx,
         const char *d,
         const char *t,
         const char *i,
         double      value,
         CallResult *r)
{
  call_result_clear (r);
  dc_engine_drivers_ctrl_async (fx->drivers, d, t, i, value, "tester", progress_cb, r, NULL,
                                ctrl_done_cb, r);
  WAIT_UNTIL (r->done);
}

static void
assert_error (CallResult *r,
              int         code,
              const char *message)
{
  g_assert_false (r->ok);
  g_assert_error (r->error, DC_ERROR, code);
  g_assert_cmpstr (r->error->message, ==, message);
}

static void
test_calls (Fixture       *fx,
            gconstpointer  data)
{
  CallResult r = { 0, };
  gint64 ua = key_of (fx, "t1", "ua");

  WAIT_UNTIL (dc_engine_drivers_get_state (fx->drivers, "d1") == DC_LINK_UP);

  /* A read: answered by the driver on its thread, the answer is a sample. */
  do_call (fx, "d1", "t1", "ua", &r);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpint (r.sample.key, ==, ua);
  g_assert_cmpfloat (r.sample.value, ==, 100.0 + ua);
  g_assert_cmpuint (fx->api_samples->len, ==, 1);
  g_assert_cmpfloat (g_array_index (fx->api_samples, DcSample, 0).value, ==, 100.0 + ua);

  /* 404s in the order device, term, item, point; a term of another device. */
  do_call (fx, "nope", "nope", "nope", &r);
  assert_error (&r, DC_ERROR_NOT_FOUND, "device_id not found!");
  do_call (fx, "d1", "nope", "nope", &r);
  assert_error (&r, DC_ERROR_NOT_FOUND, "term_id not found!");
  do_call (fx, "d1", "t2", "ua", &r);
  assert_error (&r, DC_ERROR_INVALID, "term t2 does not belong to device d1");
  do_call (fx, "d1", "t1", "nope", &r);
  assert_error (&r, DC_ERROR_NOT_FOUND, "item_id not found!");
  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\": \"spare\"}");
  do_call (fx, "d1", "t1", "spare", &r);
  assert_error (&r, DC_ERROR_NOT_FOUND, "term_item not found!");

  /* Rejected by the device. */
  do_call (fx, "d1", "t1", "rej1", &r);
  assert_error (&r, DC_ERROR_REJECTED, "device d1 rejected the command: illegal data address");

  /* The deadline: the driver never answers. */
  dc_engine_drivers_set_call_timeout (fx->drivers, 200 * 1000);
  do_call (fx, "d1", "t1", "hang1", &r);
  assert_error (&r, DC_ERROR_TIMEOUT, "device d1 did not answer within 0.2 s");

  /* Offline: link down, disabled. */
  dc_driver_set_link_state (DC_DRIVER (driver_of (fx, "d1")), DC_LINK_DOWN, "gone");
  do_call (fx, "d1", "t1", "ua", &r);
  assert_error (&r, DC_ERROR_OFFLINE, "device d1 is offline");
  do_call (fx, "off", "toff", "ua", &r);
  assert_error (&r, DC_ERROR_OFFLINE, "device off is offline");

  /* Virtual and formula points answer their current sample. */
  do_call (fx, "v", "tv", "ua", &r);
  assert_error (&r, DC_ERROR_NOT_FOUND, "no sample yet!");
  do_ctrl (fx, "v", "tv", "ua", 21.5, &r);
  g_assert_no_error (r.error);
  do_call (fx, "v", "tv", "ua", &r);
  g_assert_no_error (r.error);
  g_assert_cmpfloat (r.sample.value, ==, 21.5);
  do_call (fx, "f", "tf", "ua", &r);
  assert_error (&r, DC_ERROR_NOT_FOUND, "no sample yet!");

  call_result_clear (&r);
}

static guint
count_done (CallResult *results,
            guint       n)
{
  guint n_done = 0;

  for (guint i = 0; i < n; i++)
    n_done += results[i].done;

  return n_done;
}

static void
test_concurrent_calls (Fixture       *fx,
                       gconstpointer  data)
{
  CallResult results[40];
  const char *items[] = { "ua", "ub", "rej1", "hang1" };

  memset (results, 0, sizeof results);
  update (fx, DC_KIND_DEVICE, "d1", "{\"answer_ms\": 20}");
  dc_engine_drivers_set_call_timeout (fx->drivers, 500 * 1000);
  WAIT_UNTIL (dc_engine_drivers_get_state (fx->drivers, "d1") == DC_LINK_UP &&
              dc_engine_drivers_get_state (fx->drivers, "d2") == DC_LINK_UP);

  /* Reads and writes to two devices at once, every one gets its own answer. */
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      const char *item = items[i % 4];

      if (i % 5 == 0)
        dc_engine_drivers_call_async (fx->drivers, "d2", "t2", "ua", NULL, call_done_cb, &results[i]);
      else if (i % 2 == 0)
        dc_engine_drivers_call_async (fx->drivers, "d1", "t1", item, NULL, call_done_cb, &results[i]);
      else
        dc_engine_drivers_ctrl_async (fx->drivers, "d1", "t1", item, i, "tester", NULL, NULL, NULL,
                                      ctrl_done_cb, &results[i]);
    }

  WAIT_UNTIL (count_done (results, G_N_ELEMENTS (results)) == G_N_ELEMENTS (results));

  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      CallResult *r = &results[i];
      const char *item = items[i % 4];

      if (i % 5 == 0)
        {
          g_assert_no_error (r->error);
          g_assert_cmpfloat (r->sample.value, ==, 100.0 + key_of (fx, "t2", "ua"));
        }
      else if (g_str_equal (item, "rej1"))
        g_assert_error (r->error, DC_ERROR, DC_ERROR_REJECTED);
      else if (g_str_equal (item, "hang1"))
        g_assert_error (r->error, DC_ERROR, DC_ERROR_TIMEOUT);
      else if (i % 2 == 0)
        {
          g_assert_no_error (r->error);
          g_assert_cmpfloat (r->sample.value, ==, 100.0 + key_of (fx, "t1", item));
        }
      else
        {
          g_assert_no_error (r->error);
          g_assert_cmpfloat (r->sample.value, ==, i);
        }
      call_result_clear (r);
    }
}

static void
test_controls (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GPtrArray) record = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  CallResult r = { 0, };
  DcAuditRow *entry;

  WAIT_UNTIL (dc_engine_drivers_get_state (fx->drivers, "d1") == DC_LINK_UP);

  do_ctrl (fx, "d1", "t1", "ua", 42, &r);
  g_assert_no_error (r.error);
  g_assert_cmpfloat (r.sample.value, ==, 42);
  g_assert_cmpuint (r.steps->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (r.steps, 0), ==, "execute sent");
  /* A field device's confirmation is not a sample. */
  g_assert_cmpuint (fx->api_samples->len, ==, 0);

  do_ctrl (fx, "d1", "t1", "rej1", 1, &r);
  assert_error (&r, DC_ERROR_REJECTED, "device d1 rejected the command: illegal data address");
  do_ctrl (fx, "f", "tf", "ua", 1, &r);
  assert_error (&r, DC_ERROR_INVALID, "formula points are computed, not written");
  do_ctrl (fx, "off", "toff", "ua", 1, &r);
  assert_error (&r, DC_ERROR_OFFLINE, "device off is offline");
  do_ctrl (fx, "v", "tv", "ua", 7, &r);
  g_assert_no_error (r.error);
  /* A virtual control is a sample, stored even when it repeats. */
  do_ctrl (fx, "v", "tv", "ua", 7, &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (fx->api_samples->len, ==, 2);
  do_ctrl (fx, "nope", "t1", "ua", 1, &r);
  assert_error (&r, DC_ERROR_NOT_FOUND, "device_id not found!");

  /* Every control is in the audit log, newest first: each request, and the outcome of those
   * that reached a point, with the actor of the call (outside any scope: the default). */
  requests = dc_test_audit_rows (fx->store, "control.request", NULL);
  g_assert_cmpuint (requests->len, ==, 7);
  entry = g_ptr_array_index (requests, 0);
  g_assert_cmpstr (entry->target, ==, "nope:t1:ua");
  g_assert_cmpstr (entry->result, ==, "device_id not found!");
  record = dc_test_audit_rows (fx->store, "control.result", NULL);
  g_assert_cmpuint (record->len, ==, 6);
  entry = g_ptr_array_index (record, 5);
  g_assert_cmpstr (entry->target, ==, "d1:t1:ua");
  g_assert_cmpstr (entry->user, ==, "local");
  g_assert_cmpstr (entry->source, ==, "system");
  g_assert_cmpstr (entry->detail, ==, "{\"value\":42.0,\"confirmed\":42.0,\"by\":\"tester\"}");
  g_assert_cmpstr (entry->result, ==, "ok");
  entry = g_ptr_array_index (record, 4);
  g_assert_cmpstr (entry->result, ==, "device d1 rejected the command: illegal data address");
  entry = g_ptr_array_index (record, 2);
  g_assert_cmpstr (entry->result, ==, "device off is offline");

  call_result_clear (&r);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_protocols_register_all ();

  g_test_add ("/dc/engine-drivers/calls", Fixture, NULL, fixture_setup, test_calls, fixture_teardown);
  g_test_add ("/dc/engine-drivers/concurrent-calls", Fixture, NULL, fixture_setup, test_concurrent_calls, fixture_teardown);
  g_test_add ("/dc/engine-drivers/controls", Fixture, NULL, fixture_setup, test_controls, fixture_teardown);

  return g_test_run ();
}
