/* dc-states.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-states"

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include <glib/gi18n-lib.h>

#include "dc-states.h"
#include "dc-error.h"

const char *
dc_states_default (DcProtocolValueKind kind,
                   int                 value)
{
  static const char * const single[] = { N_("off"), N_("on") };
  static const char * const dbl[] = { N_("intermediate"), N_("off"), N_("on"), N_("indeterminate") };

  switch (kind)
    {
    case DC_PROTOCOL_VALUE_SINGLE:
      return value >= 0 && value < (int) G_N_ELEMENTS (single) ? single[value] : NULL;
    case DC_PROTOCOL_VALUE_DOUBLE:
      return value >= 0 && value < (int) G_N_ELEMENTS (dbl) ? dbl[value] : NULL;
    case DC_PROTOCOL_VALUE_ANALOG:
    default:
      return NULL;
    }
}

char *
dc_states_text (JsonObject          *states,
                DcProtocolValueKind  kind,
                double               value)
{
  return dc_states_text_full (states, kind, value, TRUE);
}

char *
dc_states_text_full (JsonObject          *states,
                     DcProtocolValueKind  kind,
                     double               value,
                     gboolean             translate)
{
  const char *text;
  char key[24];
  int state;

  if (!isfinite (value) || value != floor (value) || fabs (value) > G_MAXINT32)
    return NULL;
  /* A single point's state is "not zero", whatever the raw value. */
  state = kind == DC_PROTOCOL_VALUE_SINGLE ? (value != 0) : (int) value;

  g_snprintf (key, sizeof key, "%d", state);
  if (states != NULL && json_object_has_member (states, key))
    {
      JsonNode *node = json_object_get_member (states, key);

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        return g_strdup (json_node_get_string (node));
    }
  text = dc_states_default (kind, state);
  if (text == NULL)
    return NULL;
  return g_strdup (translate ? g_dgettext (GETTEXT_PACKAGE, text) : text);
}

gboolean
dc_states_check (JsonNode    *node,
                 const char  *field,
                 GError     **error)
{
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    goto invalid;
  json_object_iter_init (&iter, json_node_get_object (node));
  while (json_object_iter_next (&iter, &key, &value))
    {
      char *end = NULL;
      gint64 n = g_ascii_strtoll (key, &end, 10);

      if (key[0] == '\0' || *end != '\0' || n < G_MININT32 || n > G_MAXINT32 ||
          g_ascii_isspace (key[0]) || key[0] == '+')
        goto invalid;
      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING ||
          json_node_get_string (value)[0] == '\0')
        goto invalid;
    }
  return TRUE;

invalid:
  g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
               "field %s must be an object of state values to texts, like {\"1\": \"open\"}",
               field);
  return FALSE;
}
