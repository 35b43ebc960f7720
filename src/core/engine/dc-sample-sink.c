/* dc-sample-sink.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Where drivers deliver samples (DcSampleSink, dc-driver.h): the engine implements it.
 */

#define G_LOG_DOMAIN "dc-driver"

#include "config.h"

#include "dc-driver.h"

void
dc_sample_sink_push_batch (DcSampleSink *sink,
                           GArray       *samples)
{
  g_return_if_fail (sink != NULL);
  g_return_if_fail (samples != NULL);

  sink->push_batch (sink, samples);
}

gboolean
dc_sample_sink_is_congested (DcSampleSink *sink)
{
  g_return_val_if_fail (sink != NULL, FALSE);

  return sink->is_congested != NULL && sink->is_congested (sink);
}

void
dc_sample_sink_push_api (DcSampleSink   *sink,
                         const DcSample *sample)
{
  GArray *batch;

  g_return_if_fail (sink != NULL);
  g_return_if_fail (sample != NULL);

  if (sink->push_api != NULL)
    {
      sink->push_api (sink, sample);
      return;
    }

  batch = g_array_sized_new (FALSE, FALSE, sizeof (DcSample), 1);
  g_array_append_val (batch, *sample);
  sink->push_batch (sink, batch);
}

void
dc_sample_sink_push_history (DcSampleSink *sink,
                             GArray       *samples)
{
  g_return_if_fail (sink != NULL);
  g_return_if_fail (samples != NULL);

  if (sink->push_history != NULL)
    sink->push_history (sink, samples);
  else
    sink->push_batch (sink, samples);
}
