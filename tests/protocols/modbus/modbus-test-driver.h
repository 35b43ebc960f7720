/* modbus-test-driver.h
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * A sample sink of the tests' own and helpers to configure Modbus drivers.
 */

#pragma once

#include <math.h>

#include "dc-driver.h"
#include "dc-model.h"
#include "modbus-test-util.h"

typedef struct
{
  DcSampleSink  parent;
  GMutex        lock;
  GArray       *samples;
  GHashTable   *latest;     /* key → DcSample* */
  guint         n_batches;
  gboolean      congested;
  GMainContext *wake;
} TestSink;

static inline void
test_sink_push_batch (DcSampleSink *sink,
                      GArray       *samples)
{
  TestSink *self = (TestSink *) sink;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < samples->len; i++)
    {
      DcSample *s = &g_array_index (samples, DcSample, i);

      g_hash_table_insert (self->latest, GINT_TO_POINTER ((int) s->key), g_memdup2 (s, sizeof *s));
    }
  g_array_append_vals (self->samples, samples->data, samples->len);
  self->n_batches++;
  g_mutex_unlock (&self->lock);
  g_array_unref (samples);
  g_main_context_wakeup (self->wake);
}

static inline gboolean
test_sink_is_congested (DcSampleSink *sink)
{
  return g_atomic_int_get (&((TestSink *) sink)->congested);
}

static inline TestSink *
test_sink_new (void)
{
  TestSink *self = g_new0 (TestSink, 1);

  self->parent.push_batch = test_sink_push_batch;
  self->parent.is_congested = test_sink_is_congested;
  g_mutex_init (&self->lock);
  self->samples = g_array_new (FALSE, FALSE, sizeof (DcSample));
  self->latest = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->wake = g_main_context_ref_thread_default ();
  return self;
}

static inline void
test_sink_free (TestSink *self)
{
  g_array_unref (self->samples);
  g_hash_table_unref (self->latest);
  g_main_context_unref (self->wake);
  g_mutex_clear (&self->lock);
  g_free (self);
}

static inline guint
test_sink_n_batches (TestSink *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->n_batches;
  g_mutex_unlock (&self->lock);
  return n;
}

/* The latest sample of @key; FALSE when none yet. */
static inline gboolean
test_sink_latest (TestSink *self,
                  gint64    key,
                  DcSample *sample)
{
  DcSample *s;

  g_mutex_lock (&self->lock);
  s = g_hash_table_lookup (self->latest, GINT_TO_POINTER ((int) key));
  if (s != NULL)
    *sample = *s;
  g_mutex_unlock (&self->lock);
  return s != NULL;
}

static inline void
test_sink_reset (TestSink *self)
{
  g_mutex_lock (&self->lock);
  g_array_set_size (self->samples, 0);
  g_hash_table_remove_all (self->latest);
  self->n_batches = 0;
  g_mutex_unlock (&self->lock);
}

typedef struct
{
  TestSink *sink;
  guint     n;
} BatchWait;

static inline gboolean
test_sink_has_batches (gpointer user_data)
{
  BatchWait *w = user_data;

  return test_sink_n_batches (w->sink) >= w->n;
}

static inline gboolean
test_sink_wait_batches (TestSink *sink,
                        guint     n,
                        double    timeout_s)
{
  BatchWait w = { sink, n };

  return test_wait_for (NULL, test_sink_has_batches, &w, timeout_s);
}

static inline JsonObject *
test_device_json (const char *id,
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

static inline JsonObject *
test_term_json (const char *id,
                int         address)
{
  JsonObject *term = json_object_new ();

  json_object_set_string_member (term, "id", id);
  json_object_set_int_member (term, "address", address);
  return term;
}

static inline DcPointInfo *
test_point (gint64      key,
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

static inline GPtrArray *
test_terms_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
}

static inline GPtrArray *
test_points_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) dc_point_info_free);
}

/* Link state tracking through ::link-changed (main context). */
typedef struct
{
  int      state;
  guint    n_up;
  guint    n_down;
  char    *last_error;
} LinkLog;

static inline void
test_link_changed_cb (DcDriver   *driver,
                      int         state,
                      const char *last_error,
                      LinkLog    *log)
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
  LinkLog *log;
  guint    n_up;
  guint    n_down;
} LinkWait;

static inline gboolean
test_link_reached (gpointer user_data)
{
  LinkWait *w = user_data;

  return w->log->n_up >= w->n_up && w->log->n_down >= w->n_down;
}

static inline gboolean
test_wait_link (LinkLog *log,
                guint    n_up,
                guint    n_down,
                double   timeout_s)
{
  LinkWait w = { log, n_up, n_down };

  return test_wait_for (NULL, test_link_reached, &w, timeout_s);
}

/* Async results. */
typedef struct
{
  gboolean  done;
  gboolean  ok;
  DcSample  sample;
  double    confirmed;
  GError   *error;
  GString  *steps;
} OpResult;

static inline void
test_op_result_clear (OpResult *r)
{
  g_clear_error (&r->error);
  if (r->steps != NULL)
    g_string_free (r->steps, TRUE);
  memset (r, 0, sizeof *r);
}

static inline void
test_call_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  OpResult *r = user_data;

  r->ok = dc_driver_call_finish (DC_DRIVER (source), result, &r->sample, &r->error);
  r->done = TRUE;
}

static inline void
test_ctrl_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  OpResult *r = user_data;

  r->ok = dc_driver_ctrl_finish (DC_DRIVER (source), result, &r->confirmed, &r->error);
  r->done = TRUE;
}

static inline void
test_progress_cb (DcCtrlStep  step,
                  const char *detail,
                  gpointer    user_data)
{
  OpResult *r = user_data;

  if (r->steps == NULL)
    r->steps = g_string_new (NULL);
  if (r->steps->len > 0)
    g_string_append (r->steps, ",");
  g_string_append (r->steps, dc_ctrl_step_to_string (step));
}

static inline void
test_ctrl (DcDriver          *driver,
           const DcPointInfo *point,
           double             value,
           OpResult          *r)
{
  test_op_result_clear (r);
  dc_driver_ctrl_async (driver, point, value, 0, test_progress_cb, r, NULL, test_ctrl_done_cb, r);
  g_assert_true (test_wait_for (NULL, test_flag_is_set, &r->done, 20));
}

static inline void
test_call (DcDriver          *driver,
           const DcPointInfo *point,
           OpResult          *r)
{
  test_op_result_clear (r);
  dc_driver_call_async (driver, point, 0, NULL, test_call_done_cb, r);
  g_assert_true (test_wait_for (NULL, test_flag_is_set, &r->done, 20));
}
