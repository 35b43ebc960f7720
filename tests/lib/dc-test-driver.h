/* dc-test-driver.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

/* Configuring a driver directly (device, term and point JSON), following its link state and
 * running one read or control to its end. */

#include <json-glib/json-glib.h>

#include "dc-driver.h"
#include "dc-model.h"

G_BEGIN_DECLS

/* A device at 127.0.0.1:@port. */
JsonObject  *dc_test_device_json (const char *id,
                                  const char *protocol,
                                  guint16     port,
                                  int         poll_ms,
                                  int         timeout_ms);
JsonObject  *dc_test_term_json   (const char *id,
                                  int         address);

/* A point "i<key>" of @device_id/@term_id at protocol_code @address. */
DcPointInfo *dc_test_point       (gint64      key,
                                  const char *device_id,
                                  const char *term_id,
                                  int         address,
                                  const char *code_type,
                                  double      coefficient,
                                  double      base_val);

/* Arrays owning JsonObject terms and DcPointInfo points. */
GPtrArray   *dc_test_terms_new   (void);
GPtrArray   *dc_test_points_new  (void);

/* Link state tracking: connect dc_test_link_changed_cb() to ::link-changed with the log as
 * data (main context). */
typedef struct
{
  int      state;
  guint    n_up;
  guint    n_down;
  char    *last_error;
} DcTestLinkLog;

void         dc_test_link_changed_cb (DcDriver      *driver,
                                      int            state,
                                      const char    *last_error,
                                      DcTestLinkLog *log);

/* Waits until the link went up @n_up and down @n_down times in all; FALSE after @timeout_s. */
gboolean     dc_test_wait_link       (DcTestLinkLog *log,
                                      guint          n_up,
                                      guint          n_down,
                                      double         timeout_s);

/* The outcome of one call (read) or control. */
typedef struct
{
  gboolean  done;
  gboolean  ok;
  DcSample  sample;     /* of a call */
  double    confirmed;  /* of a control */
  GError   *error;
  GString  *steps;      /* a control's steps, comma-separated */
} DcTestOp;

void         dc_test_op_clear      (DcTestOp     *op);
void         dc_test_call_done_cb  (GObject      *source,
                                    GAsyncResult *result,
                                    gpointer      user_data);

/* Runs one control of @point to @value (or one call of @point) to its end, up to 20 s. */
void         dc_test_ctrl          (DcDriver          *driver,
                                    const DcPointInfo *point,
                                    double             value,
                                    DcTestOp          *op);
void         dc_test_call          (DcDriver          *driver,
                                    const DcPointInfo *point,
                                    DcTestOp          *op);

/* Stops @driver, runs what it queued on the main context (its link-state idles hold
 * references) and asserts that dropping the caller's reference finalizes it. */
void         dc_test_driver_finish (DcDriver          *driver);

G_END_DECLS
