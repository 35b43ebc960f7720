/* ui-rows.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

/* Waiting on a point row's texts (with ui_wait_until()), for the workstation tests of
 * tests/ui; built once (tests/ui/meson.build). */

#include "dc-point-row.h"

G_BEGIN_DECLS

typedef struct
{
  DcPointRow *row;
  const char *text;
} RowText;

/* Whether the row's value text is rt->text. */
gboolean row_value_is         (gpointer data);
/* Whether the row's quality text contains rt->text. */
gboolean row_quality_contains (gpointer data);

G_END_DECLS
