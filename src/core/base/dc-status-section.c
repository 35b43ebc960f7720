/* dc-status-section.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-status"

#include "config.h"

#include "dc-status-section.h"

typedef struct
{
  DcStatusSectionFunc func;
  gpointer            user_data;
} Provider;

/* name → Provider; main thread only. */
static GHashTable *providers;

void
dc_status_section_add (const char          *name,
                       DcStatusSectionFunc  func,
                       gpointer             user_data)
{
  Provider *provider;

  g_return_if_fail (name != NULL);
  g_return_if_fail (func != NULL);

  if (providers == NULL)
    providers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  provider = g_new0 (Provider, 1);
  provider->func = func;
  provider->user_data = user_data;
  g_hash_table_insert (providers, g_strdup (name), provider);
}

void
dc_status_section_remove (const char *name,
                          gpointer    user_data)
{
  Provider *provider;

  g_return_if_fail (name != NULL);

  provider = providers != NULL ? g_hash_table_lookup (providers, name) : NULL;
  if (provider != NULL && provider->user_data == user_data)
    g_hash_table_remove (providers, name);
}

JsonNode *
dc_status_section_get (const char *name)
{
  Provider *provider;

  g_return_val_if_fail (name != NULL, NULL);

  provider = providers != NULL ? g_hash_table_lookup (providers, name) : NULL;
  return provider != NULL ? provider->func (provider->user_data) : NULL;
}
