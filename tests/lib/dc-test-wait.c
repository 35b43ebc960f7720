/* dc-test-wait.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-test"

#include "config.h"

#include "dc-test-wait.h"

static gboolean
dc_test_timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
dc_test_wait_for (GMainContext    *context,
                  DcTestPredicate  predicate,
                  gpointer         user_data,
                  double           timeout_s)
{
  gboolean timed_out = FALSE;
  GSource *timeout = g_timeout_source_new (timeout_s * 1000);
  gboolean ok;

  g_source_set_callback (timeout, dc_test_timeout_cb, &timed_out, NULL);
  g_source_attach (timeout, context);
  while (!(ok = predicate (user_data)) && !timed_out)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timeout);
  g_source_unref (timeout);
  return ok;
}

gboolean
dc_test_flag_is_set (gpointer user_data)
{
  return *(gboolean *) user_data;
}

gboolean
dc_test_heartbeat_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}
