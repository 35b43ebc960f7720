/* dc-point-scan.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * A point's typed fields read straight from its stored body text, without a JsonObject: the
 * point cache reads every point at start (docs/performance.md "Start without json-glib").
 */

#define G_LOG_DOMAIN "dc-model"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "dc-point-scan-private.h"

typedef enum
{
  VALUE_NONE,     /* member absent */
  VALUE_STRING,   /* no escapes: the text between the quotes */
  VALUE_INT,
  VALUE_DOUBLE,
  VALUE_OTHER,    /* true, false or null */
} ValueType;

typedef struct
{
  ValueType   type;
  const char *text;
  gsize       len;
} Value;

/* The members the typed fields come from. */
enum
{
  M_PROTOCOL_CODE,
  M_CODE_TYPE,
  M_COEFFICIENT,
  M_BASE_VAL,
  M_HISTORY,
  M_HISTORY_DEADBAND,
  M_RETENTION_DAYS,
  M_DECIMALS,
  N_MEMBERS
};

static const char * const member_names[N_MEMBERS] = {
  "protocol_code", "code_type", "coefficient", "base_val", "history", "history_deadband",
  "retention_days", "decimals",
};

/* Members that make a view keep its JsonObject (dc-model.c json_members): such a point takes
 * the JSON path. */
static const char * const object_members[] = {
  "up_limit", "down_limit", "alarm_on", "do_verify", "db_save_sql", "db_warn_sql", "states",
  "direct",
};

static const char *
skip_space (const char *p)
{
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
    p++;
  return p;
}

/* A string without escapes or control characters: *start and *len its contents. */
static const char *
scan_string (const char  *p,
             const char **start,
             gsize       *len)
{
  const char *s;

  if (*p != '"')
    return NULL;
  s = ++p;
  while (*p != '"')
    {
      if (*p == '\\' || (guchar) *p < 0x20)
        return NULL;
      p++;
    }
  *start = s;
  *len = p - s;
  return p + 1;
}

/* A JSON number; integers of up to 18 digits are VALUE_INT (no overflow to care about). */
static const char *
scan_number (const char *p,
             Value      *value)
{
  const char *s = p;
  int digits = 0;

  value->type = VALUE_INT;
  if (*p == '-')
    p++;
  if (*p == '0')
    p++, digits++;
  else if (*p >= '1' && *p <= '9')
    while (g_ascii_isdigit (*p))
      p++, digits++;
  else
    return NULL;
  if (*p == '.')
    {
      p++;
      if (!g_ascii_isdigit (*p))
        return NULL;
      while (g_ascii_isdigit (*p))
        p++;
      value->type = VALUE_DOUBLE;
    }
  if (*p == 'e' || *p == 'E')
    {
      p++;
      if (*p == '+' || *p == '-')
        p++;
      if (!g_ascii_isdigit (*p))
        return NULL;
      while (g_ascii_isdigit (*p))
        p++;
      value->type = VALUE_DOUBLE;
    }
  if (value->type == VALUE_INT && digits > 18)
    return NULL;
  value->text = s;
  value->len = p - s;
  return p;
}

static const char *
scan_value (const char *p,
            Value      *value)
{
  if (*p == '"')
    {
      value->type = VALUE_STRING;
      return scan_string (p, &value->text, &value->len);
    }
  if (*p == '-' || g_ascii_isdigit (*p))
    return scan_number (p, value);
  value->type = VALUE_OTHER;
  if (strncmp (p, "true", 4) == 0 || strncmp (p, "null", 4) == 0)
    return p + 4;
  if (strncmp (p, "false", 5) == 0)
    return p + 5;
  return NULL;  /* an object, an array or not JSON */
}

static gboolean
name_is (const char *name,
         gsize       len,
         const char *known)
{
  return strlen (known) == len && memcmp (name, known, len) == 0;
}

/* Reads the flat object @body: FALSE when it is anything else (nested values, escapes, a
 * member repeated, a member of object_members). */
static gboolean
scan_members (const char *body,
              Value       values[N_MEMBERS])
{
  const char *p = skip_space (body);

  if (*p++ != '{')
    return FALSE;
  p = skip_space (p);
  if (*p == '}')
    return *skip_space (p + 1) == '\0';
  for (;;)
    {
      const char *name;
      gsize len;
      Value value = { VALUE_NONE };

      p = scan_string (p, &name, &len);
      if (p == NULL)
        return FALSE;
      p = skip_space (p);
      if (*p++ != ':')
        return FALSE;
      p = scan_value (skip_space (p), &value);
      if (p == NULL)
        return FALSE;
      for (guint i = 0; i < G_N_ELEMENTS (object_members); i++)
        if (name_is (name, len, object_members[i]))
          return FALSE;
      for (guint i = 0; i < N_MEMBERS; i++)
        if (name_is (name, len, member_names[i]))
          {
            if (values[i].type != VALUE_NONE)
              return FALSE;
            values[i] = value;
            break;
          }
      p = skip_space (p);
      if (*p == '}')
        return *skip_space (p + 1) == '\0';
      if (*p++ != ',')
        return FALSE;
      p = skip_space (p);
    }
}

static JsonNode *
value_to_node (const Value *value)
{
  g_autofree char *text = NULL;

  switch (value->type)
    {
    case VALUE_STRING:
      text = g_strndup (value->text, value->len);
      return json_node_init_string (json_node_alloc (), text);
    case VALUE_INT:
      return json_node_init_int (json_node_alloc (), g_ascii_strtoll (value->text, NULL, 10));
    case VALUE_DOUBLE:
      return json_node_init_double (json_node_alloc (), g_ascii_strtod (value->text, NULL));
    case VALUE_OTHER:
      if (value->text[0] == 'n')
        return json_node_init_null (json_node_alloc ());
      return json_node_init_boolean (json_node_alloc (), value->text[0] == 't');
    case VALUE_NONE:
    default:
      return NULL;
    }
}

gboolean
_dc_point_scan_member (const char  *body,
                       const char  *name,
                       JsonNode   **node)
{
  const char *p;

  g_return_val_if_fail (body != NULL && name != NULL && node != NULL, FALSE);

  *node = NULL;
  if (!g_utf8_validate (body, -1, NULL))
    return FALSE;
  p = skip_space (body);
  if (*p++ != '{')
    return FALSE;
  p = skip_space (p);
  if (*p == '}')
    return *skip_space (p + 1) == '\0';
  for (;;)
    {
      const char *member;
      gsize len;
      Value value = { VALUE_NONE };

      p = scan_string (p, &member, &len);
      if (p == NULL)
        break;
      p = skip_space (p);
      if (*p++ != ':')
        break;
      value.text = p = skip_space (p);
      p = scan_value (p, &value);
      if (p == NULL)
        break;
      if (name_is (member, len, name))
        {
          if (*node != NULL)
            break;  /* repeated */
          *node = value_to_node (&value);
        }
      p = skip_space (p);
      if (*p == '}' && *skip_space (p + 1) == '\0')
        return TRUE;
      if (*p++ != ',')
        break;
      p = skip_space (p);
    }
  g_clear_pointer (node, json_node_unref);
  return FALSE;
}

static char *
value_dup (const Value *value)
{
  return g_strndup (value->text, value->len);
}

/* dc_json_node_get_number() on the member. */
static gboolean
value_get_number (const Value *value,
                  double      *out)
{
  g_autofree char *text = NULL;
  char *end = NULL;

  switch (value->type)
    {
    /* A number checked by scan_number() is followed by a character no number has. */
    case VALUE_INT:
      *out = (double) g_ascii_strtoll (value->text, NULL, 10);
      return TRUE;

    case VALUE_DOUBLE:
      *out = g_ascii_strtod (value->text, NULL);
      return isfinite (*out);

    case VALUE_STRING:
      text = g_strstrip (value_dup (value));
      if (*text == '\0')
        return FALSE;
      errno = 0;
      *out = g_ascii_strtod (text, &end);
      return *end == '\0' && errno != ERANGE && isfinite (*out);

    case VALUE_NONE:
    case VALUE_OTHER:
    default:
      return FALSE;
    }
}

static double
value_get_double (const Value *value,
                  double       default_value)
{
  double v;

  return value_get_number (value, &v) ? v : default_value;
}

/* dc_json_get_int(): saturated. */
static gint64
value_get_int (const Value *value,
               gint64       default_value)
{
  double v;

  if (!value_get_number (value, &v))
    return default_value;
  if (v >= 0x1p63)
    return G_MAXINT64;
  if (v < -0x1p63)
    return G_MININT64;
  return (gint64) v;
}

/* protocol_code and code_type: a string as it is, an integer in decimals, and (protocol_code
 * only) a double rounded. */
static char *
value_code (const Value *value,
            gboolean     doubles)
{
  g_autofree char *text = NULL;

  switch (value->type)
    {
    case VALUE_STRING:
      text = value_dup (value);
      return g_ref_string_new_intern (text);

    case VALUE_INT:
      text = g_strdup_printf ("%" G_GINT64_FORMAT, g_ascii_strtoll (value->text, NULL, 10));
      return g_ref_string_new_intern (text);

    case VALUE_DOUBLE:
      if (!doubles)
        return NULL;
      text = g_strdup_printf ("%.0f", g_ascii_strtod (value->text, NULL));
      return g_ref_string_new_intern (text);

    case VALUE_NONE:
    case VALUE_OTHER:
    default:
      return NULL;
    }
}

gboolean
_dc_point_scan_body (const char  *body,
                     DcPointInfo *info)
{
  Value values[N_MEMBERS] = { { VALUE_NONE } };
  const Value *history = &values[M_HISTORY];

  g_return_val_if_fail (body != NULL && info != NULL, FALSE);

  /* json-glib refuses a body that is not UTF-8 (the view then has no members): so does this. */
  if (!g_utf8_validate (body, -1, NULL) || !scan_members (body, values))
    return FALSE;

  info->protocol_code = value_code (&values[M_PROTOCOL_CODE], TRUE);
  info->code_type = value_code (&values[M_CODE_TYPE], FALSE);
  info->coefficient = value_get_double (&values[M_COEFFICIENT], 1.0);
  info->base_val = value_get_double (&values[M_BASE_VAL], 0.0);
  if (history->type == VALUE_STRING && name_is (history->text, history->len, "all"))
    info->history = DC_HISTORY_ALL;
  else if (history->type == VALUE_STRING && name_is (history->text, history->len, "none"))
    info->history = DC_HISTORY_NONE;
  else
    info->history = DC_HISTORY_CHANGE;
  info->history_deadband = value_get_double (&values[M_HISTORY_DEADBAND], 0.0);
  info->retention_days = (int) value_get_int (&values[M_RETENTION_DAYS], 0);
  info->decimals = values[M_DECIMALS].type != VALUE_NONE
                   ? (int) CLAMP (value_get_int (&values[M_DECIMALS], -1), -1, 15) : -1;
  return TRUE;
}
