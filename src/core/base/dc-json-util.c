/* dc-json-util.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-json-util"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

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

void
dc_json_append_string (GString    *out,
                       const char *str)
{
  static const char hex[] = "0123456789abcdef";
  const char *run = str;
  const char *p;

  g_string_append_c (out, '"');
  for (p = str; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;
      const char *escape = NULL;

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;

      g_string_append_len (out, run, p - run);
      switch (c)
        {
        case '"': escape = "\\\""; break;
        case '\\': escape = "\\\\"; break;
        case '\n': escape = "\\n"; break;
        case '\r': escape = "\\r"; break;
        case '\t': escape = "\\t"; break;
        case '\b': escape = "\\b"; break;
        case '\f': escape = "\\f"; break;
        default:
          break;
        }
      if (escape != NULL)
        {
          g_string_append (out, escape);
        }
      else
        {
          g_string_append (out, "\\u00");
          g_string_append_c (out, hex[c >> 4]);
          g_string_append_c (out, hex[c & 0xF]);
        }
      run = p + 1;
    }
  g_string_append_len (out, run, p - run);
  g_string_append_c (out, '"');
}

void
dc_json_append_double (GString *out,
                       double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    {
      g_string_append (out, "null");
      return;
    }

  /* The shortest of %.15g, %.16g, %.17g that reads back to the same double. */
  g_ascii_formatd (buf, sizeof buf, "%.15g", value);
  if (g_ascii_strtod (buf, NULL) != value)
    {
      g_ascii_formatd (buf, sizeof buf, "%.16g", value);
      if (g_ascii_strtod (buf, NULL) != value)
        g_ascii_formatd (buf, sizeof buf, "%.17g", value);
    }

  g_string_append (out, buf);
  if (strpbrk (buf, ".eE") == NULL)
    g_string_append (out, ".0");
}

void
dc_json_append (GString  *out,
                JsonNode *node)
{
  if (node == NULL)
    {
      g_string_append (out, "null");
      return;
    }

  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;
        gboolean first = TRUE;

        g_string_append_c (out, '{');
        json_object_iter_init_ordered (&iter, json_node_get_object (node));
        while (json_object_iter_next_ordered (&iter, &name, &member))
          {
            if (!first)
              g_string_append_c (out, ',');
            first = FALSE;
            dc_json_append_string (out, name);
            g_string_append_c (out, ':');
            dc_json_append (out, member);
          }
        g_string_append_c (out, '}');
        break;
      }

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            dc_json_append (out, json_array_get_element (array, i));
          }
        g_string_append_c (out, ']');
        break;
      }

    case JSON_NODE_NULL:
      g_string_append (out, "null");
      break;

    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_INT64:
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
          break;
        case G_TYPE_DOUBLE:
          dc_json_append_double (out, json_node_get_double (node));
          break;
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          break;
        case G_TYPE_STRING:
          dc_json_append_string (out, json_node_get_string (node));
          break;
        default:
          g_string_append (out, "null");
          break;
        }
      break;

    default:
      g_assert_not_reached ();
    }
}

char *
dc_json_node_to_string (JsonNode *node)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (node != NULL, g_string_free (out, FALSE));

  dc_json_append (out, node);
  return g_string_free (out, FALSE);
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
