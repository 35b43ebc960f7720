/* dc-task-util.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-task-util"

#include "config.h"

#include "dc-task-util.h"

gboolean
dc_task_propagate_double (GTask   *task,
                          double  *value,
                          GError **error)
{
  g_autofree double *result = g_task_propagate_pointer (task, error);

  if (result == NULL)
    return FALSE;
  if (value != NULL)
    *value = *result;
  return TRUE;
}
