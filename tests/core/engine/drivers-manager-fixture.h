/* drivers-manager-fixture.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

/* The fixture of the driver manager tests (tests/core/engine/test-engine-drivers-{manager,calls}.c),
 * built once: a fake IEC 104 driver (a real DcDriver subclass whose work runs on the engine's
 * I/O threads), a real store in a temporary directory, a sink with a live table, the drivers. */

#include "dc-engine-drivers.h"
#include "dc-store.h"

#include "dc-test-store.h"
#include "dc-test-wait.h"

G_BEGIN_DECLS

#define WAIT_UNTIL(cond) DC_TEST_WAIT_UNTIL (cond, 20)

/* The fake protocol. Device fields (kept by the store as unknown fields) steer it:
 * "test_link": "up" (default) or "down"; "answer_ms": delay of call/ctrl answers.
 * Items steer calls: "hang*" never answers, "rej*" is rejected. */
#define TEST_TYPE_DRIVER (test_driver_get_type ())
G_DECLARE_FINAL_TYPE (TestDriver, test_driver, TEST, DRIVER, DcDriver)

struct _TestDriver
{
  DcDriver  parent_instance;
  guint     n_starts;
  guint     n_stops;
  guint     n_points_changed;
  guint     n_points;
};

/* Weak: every TestDriver alive. */
extern GPtrArray *all_drivers;

/* Fixture: a real store in a temp dir, a sink with a live table, the drivers. */

typedef struct
{
  DcSampleSink     sink;
  GMutex           lock;
  GArray          *samples;     /* everything pushed, in order */
  GHashTable      *live;        /* key → DcSample* (latest by push order) */
  GArray          *api_samples; /* push_api */
  DcStore         *store;
  DcEngineDrivers *drivers;
  GPtrArray       *events;      /* "device:state:error" */
} Fixture;

/* The hooks' live value of @key; FALSE when none. */
gboolean    fixture_get_live (gpointer       user_data,
                              gint64         key,
                              DcSample      *sample);
/* Samples of @key pushed so far, only those with a quality bit of @quality_mask unless 0. */
guint       count_samples    (Fixture       *fx,
                              gint64         key,
                              guint32        quality_mask);
/* Whether a "device:state:error" event was seen. */
gboolean    has_event        (Fixture       *fx,
                              const char    *event);
/* Updates an entity of the store from JSON text; the store must accept it. */
void        update           (Fixture       *fx,
                              DcKind         kind,
                              const char    *id,
                              const char    *text);
/* The point key of @term_id:@item_id, which must exist. */
gint64      key_of           (Fixture       *fx,
                              const char    *term_id,
                              const char    *item_id);
/* Two iec104 devices with two points each, a virtual and a formula device, a disabled one;
 * the drivers started with two I/O threads. */
void        fixture_setup    (Fixture       *fx,
                              gconstpointer  data);
void        fixture_teardown (Fixture       *fx,
                              gconstpointer  data);
/* The device's TestDriver, or NULL when it has none. */
TestDriver *driver_of        (Fixture       *fx,
                              const char    *device_id);

G_END_DECLS
