/* iec104-master-fixture.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

/* The fixture of the master driver tests (tests/protocols/iec104/test-iec104-master-*.c), built
 * once: the master driver against the outstation simulator over loopback, each on its own I/O
 * thread (dc-io-pool), the test's sink collecting batches, the main context receiving link
 * changes, call/ctrl results and progress. */

#include "dc-driver.h"
#include "dc-io-pool.h"
#include "dc-iec104-driver.h"
#include "dc-iec104-sim.h"

G_BEGIN_DECLS

/* Sink */

typedef struct
{
  DcSampleSink  parent;
  GMutex        lock;
  GArray       *samples;
  GHashTable   *last;       /* key → DcSample * (newest) */
  guint         batches;
  gint          congested;
  guint64       count;
} TestSink;

/* The newest sample of @key (copied to @out when not NULL); FALSE when none yet. */
gboolean           sink_last            (TestSink     *self,
                                         gint64        key,
                                         DcSample     *out);
/* Samples received so far. */
guint64            sink_count           (TestSink     *self);

/* Fixture */

typedef struct
{
  DcIoPool          *sim_pool;
  DcIoPool          *io_pool;
  DcIec104SimConfig  sim_config;
  DcIec104Sim       *sim;
  guint16            port;
  DcDriver          *driver;
  TestSink           sink;
  JsonObject        *device;
  GPtrArray         *terms;
  GPtrArray         *points;
  DcLinkState        state;
  guint              ups;
  guint              downs;
  GPtrArray         *steps;
  gboolean           done;
  GError            *error;
  double             confirmed;
  DcSample           sample;
  gboolean           on_main_context;
} Fixture;

/* The simulator on its own I/O thread, on f->port (0: any; the port is read back). */
void               sim_start            (Fixture      *f);
void               sim_stop             (Fixture      *f);

typedef gboolean (*Cond) (Fixture *f, gconstpointer data);

/* Iterates the main context until @cond holds; FALSE after @seconds. */
gboolean           wait_for             (Fixture       *f,
                                         Cond           cond,
                                         gconstpointer  data,
                                         double         seconds);

/* Conditions for wait_for(). */
gboolean           is_up                (Fixture *f, gconstpointer data);
gboolean           is_down              (Fixture *f, gconstpointer data);
gboolean           ups_at_least         (Fixture *f, gconstpointer data);
gboolean           downs_at_least       (Fixture *f, gconstpointer data);
gboolean           is_done              (Fixture *f, gconstpointer data);
gboolean           has_sample           (Fixture *f, gconstpointer data);
gboolean           count_at_least       (Fixture *f, gconstpointer data);
gboolean           sim_gi_at_least      (Fixture *f, gconstpointer data);
gboolean           t1_timeouts_at_least (Fixture *f, gconstpointer data);

/* Adds the point @key at @ioa of TYP @type on device dev1, term t1. */
void               add_point            (Fixture    *f,
                                         gint64      key,
                                         guint32     ioa,
                                         guint       type,
                                         double      coefficient,
                                         gboolean    direct);
const DcPointInfo *point                (Fixture    *f,
                                         gint64      key);

/* Device dev1 (term t1, CA 1) with every point of the default simulator. */
void               fixture_setup        (Fixture       *f,
                                         gconstpointer  data);
void               fixture_teardown     (Fixture       *f,
                                         gconstpointer  data);
/* The driver on f->port (on its I/O thread unless f->on_main_context). */
void               driver_start         (Fixture      *f);
/* The simulator, then the driver; waits until the link is up. */
void               start_both           (Fixture      *f);

/* A dc_driver_call_async() callback: the sample in f->sample, f->error, f->done. */
void               call_done_cb         (GObject      *source,
                                         GAsyncResult *result,
                                         gpointer      user_data);
/* Runs a control of @key to @value and waits for its result (f->confirmed, f->error) and its
 * progress steps (f->steps). */
void               run_ctrl             (Fixture      *f,
                                         gint64        key,
                                         double        value,
                                         double        timeout_s);
/* The progress steps so far, joined with ", ". */
char              *steps_string         (Fixture      *f);

#define ADD(path, func) \
  g_test_add ("/dc/iec104/master/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

G_END_DECLS
