/* dc-test-sink.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

/* A sample sink of the tests' own: collects the batches drivers push from any thread. */

#include "dc-driver.h"

G_BEGIN_DECLS

typedef struct
{
  DcSampleSink  parent;
  GMutex        lock;
  GArray       *samples;    /* DcSample, every sample pushed, in order */
  GHashTable   *latest;     /* key → DcSample* */
  guint         n_batches;
  gboolean      congested;  /* what is_congested answers; set with g_atomic_int_set() */
  GMainContext *wake;       /* the creating thread's context, woken on each batch */
} DcTestSink;

DcTestSink *dc_test_sink_new           (void);
void        dc_test_sink_free          (DcTestSink *self);

/* Number of batches and of samples received so far. */
guint       dc_test_sink_n_batches     (DcTestSink *self);
guint       dc_test_sink_count         (DcTestSink *self);

/* The latest sample of @key; FALSE when none yet. */
gboolean    dc_test_sink_latest        (DcTestSink *self,
                                        gint64      key,
                                        DcSample   *sample);

/* Forgets every sample and batch received. */
void        dc_test_sink_reset         (DcTestSink *self);

/* Waits (iterating the default context) until @n batches arrived; FALSE after @timeout_s. */
gboolean    dc_test_sink_wait_batches  (DcTestSink *sink,
                                        guint       n,
                                        double      timeout_s);

G_END_DECLS
