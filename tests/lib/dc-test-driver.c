/* dc-test-driver.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-test"

#include "config.h"

#include "dc-test-driver.h"

#include <string.h>

#include "dc-test-wait.h"

JsonObject *
dc_test_device_json (const char *id,
                     const char *protocol,
                     guint16     port,
                     int         poll_ms,
                     int         timeout_ms)
{
  JsonObject *device = json_object_new ();

  json_object_set_string_member (device, "id", id);
  json_object_set_string_member (device, "protocol", protocol);
  json_object_set_string_member (device, "ip", "127.0.0.1");
  json_object_set_int_member (device, "port", port);
  json_object_set_int_member (device, "poll_ms", poll_ms);
  json_object_set_int_member (device, "timeout_ms", timeout_ms);
  return device;
}

JsonObject *
dc_test_term_json (const char *id,
                   int         address)
{
  JsonObject *term = json_object_new ();

  json_object_set_string_member (term, "id", id);
  json_object_set_int_member (term, "address", address);
  return term;
}

DcPointInfo *
dc_test_point (gint64      key,
               const char *device_id,
               const char *term_id,
               int         address,
               const char *code_type,
               double      coefficient,
               double      base_val)
{
  g_autoptr(JsonObject) p = json_object_new ();
  g_autofree char *item = g_strdup_printf ("i%" G_GINT64_FORMAT, key);

  json_object_set_string_member (p, "device_id", device_id);
  json_object_set_string_member (p, "term_id", term_id);
  json_object_set_string_member (p, "item_id", item);
  json_object_set_int_member (p, "protocol_code", address);
  json_object_set_string_member (p, "code_type", code_type);
  json_object_set_double_member (p, "coefficient", coefficient);
  json_object_set_double_member (p, "base_val", base_val);
  return dc_point_info_new_from_json (key, p);
}

GPtrArray *
dc_test_terms_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
}

GPtrArray *
dc_test_points_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) dc_point_info_free);
}

void
dc_test_link_changed_cb (DcDriver      *driver,
                         int            state,
                         const char    *last_error,
                         DcTestLinkLog *log)
{
  log->state = state;
  if (state == DC_LINK_UP)
    log->n_up++;
  if (state == DC_LINK_DOWN)
    {
      log->n_down++;
      g_free (log->last_error);
      log->last_error = g_strdup (last_error);
    }
}

typedef struct
{
  DcTestLinkLog *log;
  guint          n_up;
  guint          n_down;
} LinkWait;

static gboolean
dc_test_link_reached (gpointer user_data)
{
  LinkWait *w = user_data;

  return w->log->n_up >= w->n_up && w->log->n_down >= w->n_down;
}

gboolean
dc_test_wait_link (DcTestLinkLog *log,
                   guint          n_up,
                   guint          n_down,
                   double         timeout_s)
{
  LinkWait w = { log, n_up, n_down };

  return dc_test_wait_for (NULL, dc_test_link_reached, &w, timeout_s);
}

void
dc_test_op_clear (DcTestOp *op)
{
  g_clear_error (&op->error);
  if (op->steps != NULL)
    g_string_free (op->steps, TRUE);
  memset (op, 0, sizeof *op);
}

void
dc_test_call_done_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  DcTestOp *op = user_data;

  op->ok = dc_driver_call_finish (DC_DRIVER (source), result, &op->sample, &op->error);
  op->done = TRUE;
}

static void
dc_test_ctrl_done_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  DcTestOp *op = user_data;

  op->ok = dc_driver_ctrl_finish (DC_DRIVER (source), result, &op->confirmed, &op->error);
  op->done = TRUE;
}

static void
dc_test_progress_cb (DcCtrlStep  step,
                     const char *detail,
                     gpointer    user_data)
{
  DcTestOp *op = user_data;

  if (op->steps == NULL)
    op->steps = g_string_new (NULL);
  if (op->steps->len > 0)
    g_string_append (op->steps, ",");
  g_string_append (op->steps, dc_ctrl_step_to_string (step));
}

void
dc_test_ctrl (DcDriver          *driver,
              const DcPointInfo *point,
              double             value,
              DcTestOp          *op)
{
  dc_test_op_clear (op);
  dc_driver_ctrl_async (driver, point, value, 0, dc_test_progress_cb, op, NULL,
                        dc_test_ctrl_done_cb, op);
  g_assert_true (dc_test_wait_for (NULL, dc_test_flag_is_set, &op->done, 20));
}

void
dc_test_call (DcDriver          *driver,
              const DcPointInfo *point,
              DcTestOp          *op)
{
  dc_test_op_clear (op);
  dc_driver_call_async (driver, point, 0, NULL, dc_test_call_done_cb, op);
  g_assert_true (dc_test_wait_for (NULL, dc_test_flag_is_set, &op->done, 20));
}

void
dc_test_driver_finish (DcDriver *driver)
{
  dc_driver_stop (driver);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (driver);
}
