/* dc-json-util.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-json-util"

#include "config.h"

#include <errno.h>
#include <math.h>

#include "dc-json-util.h"

gboolean
dc_json_node_get_number (JsonNode *node,
                         double   *out,
                         gboolean *is_integer)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      *out = (double) json_node_get_int (node);
      *is_integer = TRUE;
      return TRUE;

    case G_TYPE_DOUBLE:
      *out = json_node_get_double (node);
      *is_integer = (*out == floor (*out)) && fabs (*out) < 9.0e15;
      return isfinite (*out);

    case G_TYPE_STRING:
      {
        const char *s = json_node_get_string (node);
        g_autofree char *stripped = g_strstrip (g_strdup (s));
        char *end = NULL;
        double v;

        if (*stripped == '\0')
          return FALSE;
        errno = 0;
        v = g_ascii_strtod (stripped, &end);
        if (*end != '\0' || errno == ERANGE || !isfinite (v))
          return FALSE;
        *out = v;
        *is_integer = (v == floor (v)) && fabs (v) < 9.0e15;
        return TRUE;
      }

    default:
      return FALSE;
    }
}

gboolean
dc_json_nesting_within (const char *text,
                        gssize      length,
                        guint       max)
{
  guint depth = 0;

  for (gssize i = 0; length < 0 ? text[i] != '\0' : i < length; i++)
    {
      if (text[i] == '[' || text[i] == '{')
        {
          if (++depth > max)
            return FALSE;
        }
      else if ((text[i] == ']' || text[i] == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}

gint64
dc_json_get_int (JsonObject *object,
                 const char *field,
                 gint64      default_value)
{
  double v;
  gboolean is_int;

  if (object == NULL ||
      !dc_json_node_get_number (json_object_get_member (object, field), &v, &is_int))
    return default_value;
  /* Saturated: converting a double beyond gint64 is undefined behaviour. */
  if (v >= 0x1p63)
    return G_MAXINT64;
  if (v < -0x1p63)
    return G_MININT64;
  return (gint64) v;
}

double
dc_json_get_double (JsonObject *object,
                    const char *field,
                    double      default_value)
{
  double v;
  gboolean is_int;

  if (object == NULL ||
      !dc_json_node_get_number (json_object_get_member (object, field), &v, &is_int))
    return default_value;
  return v;
}

gboolean
dc_json_node_get_bool (JsonNode *node,
                       gboolean *out)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_BOOLEAN:
      *out = json_node_get_boolean (node);
      return TRUE;

    case G_TYPE_INT64:
      if (json_node_get_int (node) != 0 && json_node_get_int (node) != 1)
        return FALSE;
      *out = json_node_get_int (node) == 1;
      return TRUE;

    case G_TYPE_STRING:
      {
        const char *s = json_node_get_string (node);

        if (g_ascii_strcasecmp (s, "true") == 0 || g_strcmp0 (s, "1") == 0)
          *out = TRUE;
        else if (g_ascii_strcasecmp (s, "false") == 0 || g_strcmp0 (s, "0") == 0)
          *out = FALSE;
        else
          return FALSE;
        return TRUE;
      }

    default:
      return FALSE;
    }
}

gboolean
dc_json_get_bool (JsonObject *object,
                  const char *field,
                  gboolean    default_value)
{
  gboolean v;

  if (object == NULL || !dc_json_node_get_bool (json_object_get_member (object, field), &v))
    return default_value;
  return v;
}

const char *
dc_json_get_string (JsonObject *object,
                    const char *field,
                    const char *default_value)
{
  JsonNode *node;

  if (object == NULL)
    return default_value;

  node = json_object_get_member (object, field);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return default_value;

  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);

  return default_value;
}
