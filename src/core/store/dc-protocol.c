/* dc-protocol.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-protocol"

#include "config.h"

#include "dc-protocol.h"
#include "dc-error.h"

static GMutex registry_lock;
static GPtrArray *registry;   /* DcProtocol*, registration order, never freed */

static DcProtocol *
find_locked (const char *name)
{
  for (guint i = 0; registry != NULL && i < registry->len; i++)
    {
      DcProtocol *protocol = g_ptr_array_index (registry, i);

      if (g_str_equal (protocol->name, name))
        return protocol;
    }
  return NULL;
}

void
dc_protocol_register (const DcProtocol *protocol)
{
  DcProtocol *known;

  g_return_if_fail (protocol != NULL);
  g_return_if_fail (protocol->name != NULL);

  g_mutex_lock (&registry_lock);
  if (registry == NULL)
    registry = g_ptr_array_new ();
  known = find_locked (protocol->name);
  if (known == NULL)
    {
      known = g_new0 (DcProtocol, 1);
      g_ptr_array_add (registry, known);
    }
  *known = *protocol;
  known->name = g_intern_string (protocol->name);
  g_mutex_unlock (&registry_lock);
}

const DcProtocol *
dc_protocol_lookup (const char *name)
{
  const DcProtocol *protocol;

  if (name == NULL)
    return NULL;

  g_mutex_lock (&registry_lock);
  protocol = find_locked (name);
  g_mutex_unlock (&registry_lock);

  return protocol;
}

const DcProtocol **
dc_protocol_list (guint *n_protocols)
{
  const DcProtocol **list;
  guint n;

  g_mutex_lock (&registry_lock);
  n = registry != NULL ? registry->len : 0;
  list = g_new0 (const DcProtocol *, n + 1);
  for (guint i = 0; i < n; i++)
    list[i] = g_ptr_array_index (registry, i);
  g_mutex_unlock (&registry_lock);

  if (n_protocols != NULL)
    *n_protocols = n;
  return list;
}

static int
compare_ui_order (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  const DcProtocol *pa = *(const DcProtocol * const *) a;
  const DcProtocol *pb = *(const DcProtocol * const *) b;

  return (pa->ui_order > pb->ui_order) - (pa->ui_order < pb->ui_order);
}

const DcProtocol **
dc_protocol_list_for_ui (guint *n_protocols)
{
  guint n;
  const DcProtocol **list = dc_protocol_list (&n);

  /* g_qsort_with_data() is a stable merge sort: ties keep the registration order. */
  g_qsort_with_data (list, n, sizeof *list, compare_ui_order, NULL);
  if (n_protocols != NULL)
    *n_protocols = n;
  return list;
}

gboolean
dc_protocol_check_name (JsonNode    *node,
                        const char  *field,
                        GError     **error)
{
  g_autofree const DcProtocol **list = NULL;
  g_autoptr(GString) names = NULL;
  guint n;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
      dc_protocol_lookup (json_node_get_string (node)) != NULL)
    return TRUE;

  list = dc_protocol_list (&n);
  names = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", list[i]->name);
  g_set_error (error, DC_ERROR, DC_ERROR_INVALID, "field %s must be one of %s", field, names->str);
  return FALSE;
}

gboolean
dc_protocol_validate_point (const char  *protocol,
                            JsonObject  *point,
                            GError     **error)
{
  const DcProtocol *p = dc_protocol_lookup (protocol);

  g_return_val_if_fail (point != NULL, FALSE);

  if (p == NULL || p->validate_point == NULL)
    return TRUE;
  return p->validate_point (point, error);
}

gboolean
dc_protocol_point_address (const char  *protocol,
                           JsonObject  *point,
                           gint64       term_address,
                           char       **space,
                           gint64      *first,
                           gint64      *last,
                           int         *bit)
{
  const DcProtocol *p = dc_protocol_lookup (protocol);

  g_return_val_if_fail (point != NULL, FALSE);

  if (p == NULL || p->point_address == NULL)
    return FALSE;
  return p->point_address (point, term_address, space, first, last, bit);
}
