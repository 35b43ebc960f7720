/* dc-test-wait.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

/* Waiting without sleeping: the tests iterate a main context until a condition holds. */

#include <glib.h>

G_BEGIN_DECLS

typedef gboolean (*DcTestPredicate) (gpointer user_data);

/* Iterates @context (NULL = the default one; blocking, other threads wake it with
 * g_main_context_wakeup()) until @predicate returns TRUE or @timeout_s passes. Returns the
 * predicate's last answer. */
gboolean dc_test_wait_for      (GMainContext    *context,
                                DcTestPredicate  predicate,
                                gpointer         user_data,
                                double           timeout_s);

/* A predicate: the gboolean at @user_data is set. */
gboolean dc_test_flag_is_set   (gpointer         user_data);

/* A timeout callback that does nothing but wake the loop (G_SOURCE_CONTINUE). */
gboolean dc_test_heartbeat_cb  (gpointer         user_data);

/* Iterates the default context until @cond holds or @seconds passed, then asserts @cond; a 5 ms
 * heartbeat wakes the loop to re-check conditions set by other threads. */
#define DC_TEST_WAIT_UNTIL(cond, seconds)                                         \
  G_STMT_START {                                                                  \
    gint64 _deadline = g_get_monotonic_time () + (seconds) * G_USEC_PER_SEC;      \
    guint _tick = g_timeout_add (5, dc_test_heartbeat_cb, NULL);                  \
    while (!(cond) && g_get_monotonic_time () < _deadline)                        \
      g_main_context_iteration (NULL, TRUE);                                      \
    g_source_remove (_tick);                                                      \
    g_assert_true (cond);                                                         \
  } G_STMT_END

G_END_DECLS
