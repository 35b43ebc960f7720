/* dc-test-sink.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-test"

#include "config.h"

#include "dc-test-sink.h"

#include "dc-test-wait.h"

static void
dc_test_sink_push_batch (DcSampleSink *sink,
                         GArray       *samples)
{
  DcTestSink *self = (DcTestSink *) sink;

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

static gboolean
dc_test_sink_is_congested (DcSampleSink *sink)
{
  return g_atomic_int_get (&((DcTestSink *) sink)->congested);
}

DcTestSink *
dc_test_sink_new (void)
{
  DcTestSink *self = g_new0 (DcTestSink, 1);

  self->parent.push_batch = dc_test_sink_push_batch;
  self->parent.is_congested = dc_test_sink_is_congested;
  g_mutex_init (&self->lock);
  self->samples = g_array_new (FALSE, FALSE, sizeof (DcSample));
  self->latest = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->wake = g_main_context_ref_thread_default ();
  return self;
}

void
dc_test_sink_free (DcTestSink *self)
{
  g_array_unref (self->samples);
  g_hash_table_unref (self->latest);
  g_main_context_unref (self->wake);
  g_mutex_clear (&self->lock);
  g_free (self);
}

guint
dc_test_sink_n_batches (DcTestSink *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->n_batches;
  g_mutex_unlock (&self->lock);
  return n;
}

guint
dc_test_sink_count (DcTestSink *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->samples->len;
  g_mutex_unlock (&self->lock);
  return n;
}

gboolean
dc_test_sink_latest (DcTestSink *self,
                     gint64      key,
                     DcSample   *sample)
{
  DcSample *s;

  g_mutex_lock (&self->lock);
  s = g_hash_table_lookup (self->latest, GINT_TO_POINTER ((int) key));
  if (s != NULL)
    *sample = *s;
  g_mutex_unlock (&self->lock);
  return s != NULL;
}

void
dc_test_sink_reset (DcTestSink *self)
{
  g_mutex_lock (&self->lock);
  g_array_set_size (self->samples, 0);
  g_hash_table_remove_all (self->latest);
  self->n_batches = 0;
  g_mutex_unlock (&self->lock);
}

typedef struct
{
  DcTestSink *sink;
  guint       n;
} BatchWait;

static gboolean
dc_test_sink_has_batches (gpointer user_data)
{
  BatchWait *w = user_data;

  return dc_test_sink_n_batches (w->sink) >= w->n;
}

gboolean
dc_test_sink_wait_batches (DcTestSink *sink,
                           guint       n,
                           double      timeout_s)
{
  BatchWait w = { sink, n };

  return dc_test_wait_for (NULL, dc_test_sink_has_batches, &w, timeout_s);
}

void
dc_test_sink_assert_values (DcTestSink           *self,
                            const DcTestExpected *expected,
                            guint                 n_expected)
{
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->samples->len; i++)
    {
      DcSample *s = &g_array_index (self->samples, DcSample, i);

      if (s->quality != 0)
        continue;
      for (guint e = 0; e < n_expected; e++)
        if (expected[e].key == s->key && s->value != expected[e].value)
          g_error ("key %" G_GINT64_FORMAT ": stored %.17g, the peer sent %.17g", s->key,
                   s->value, expected[e].value);
    }
  g_mutex_unlock (&self->lock);
}

gboolean
dc_test_flow_ready (gpointer data)
{
  DcTestFlow *flow = data;
  DcSample s;

  if (flow->link_state != NULL && *flow->link_state != DC_LINK_UP)
    return FALSE;
  if (dc_test_sink_n_batches (flow->sink) <= flow->batches)
    return FALSE;
  for (guint i = 0; i < flow->n_expected; i++)
    if (!dc_test_sink_latest (flow->sink, flow->expected[i].key, &s) || s.quality != 0)
      return FALSE;
  return TRUE;
}
