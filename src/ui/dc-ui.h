/* dc-ui.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Makes sure the GResource bundle (templates, style.css, help overlay) is linked in and
 * registered: the static library's resource object is otherwise dropped by the linker. */
void dc_ui_ensure_resources (void);

G_END_DECLS
