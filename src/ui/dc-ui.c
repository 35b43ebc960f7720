/* dc-ui.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-ui"

#include "config.h"

#include <gio/gio.h>

#include "dc-ui.h"
#include "dc-ui-resources.h"

void
dc_ui_ensure_resources (void)
{
  static gsize done;

  if (g_once_init_enter (&done))
    {
      GResource *resource = dc_ui_get_resource ();
      g_autoptr(GBytes) probe = NULL;

      /* With constructors the resource is registered when linked; register it otherwise. */
      probe = g_resources_lookup_data ("/io/github/datacoll/DataColl/style.css",
                                       G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
      if (probe == NULL)
        g_resources_register (resource);
      g_once_init_leave (&done, 1);
    }
}
