/* dc-task-util.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Ends an asynchronous call whose GTask returned a g_new'd double with g_task_return_pointer()
 * (a control's confirmed value): stores it in @value (may be NULL) and frees it. FALSE with
 * @error when the task returned an error. */
gboolean dc_task_propagate_double (GTask   *task,
                                   double  *value,
                                   GError **error);

G_END_DECLS
