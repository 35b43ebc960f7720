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

/* A value a test expects for a key. */
typedef struct
{
  gint64 key;
  double value;
} DcTestExpected;

/* Every valid sample (quality 0) of a key of @expected has the expected value: a fault (split,
 * delay, corruption) never stored a value the peer did not send. g_error() names the first
 * that differs. */
void        dc_test_sink_assert_values (DcTestSink           *self,
                                        const DcTestExpected *expected,
                                        guint                 n_expected);

/* "Values flow": a batch after @batches arrived, every key of @expected has a valid latest
 * sample and, when @link_state is set, the link is up. A DcTestPredicate for
 * dc_test_wait_for() (dc-test-wait.h) with the DcTestFlow as its data. */
typedef struct
{
  DcTestSink           *sink;
  const int            *link_state;   /* DcTestLinkLog.state, or NULL */
  const DcTestExpected *expected;
  guint                 n_expected;
  guint                 batches;
} DcTestFlow;

gboolean    dc_test_flow_ready         (gpointer flow);

G_END_DECLS
