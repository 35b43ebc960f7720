/* ui-rows.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "test-ui"

#include "config.h"

#include "ui-rows.h"

#include <string.h>

gboolean
row_value_is (gpointer data)
{
  RowText *rt = data;

  return g_strcmp0 (dc_point_row_get_value_text (rt->row), rt->text) == 0;
}

gboolean
row_quality_contains (gpointer data)
{
  RowText *rt = data;
  g_autofree char *q = NULL;

  g_object_get (rt->row, "quality-text", &q, NULL);
  return q != NULL && strstr (q, rt->text) != NULL;
}
