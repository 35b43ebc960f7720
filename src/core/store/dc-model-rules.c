/* dc-model-rules.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The field rule tables of dc_model_validate() (docs/model.md "Fields"): each known field's
 * type and range, and the names dc_model_append_field_names() lists.
 */

#define G_LOG_DOMAIN "dc-model"

#include "config.h"

#include <math.h>
#include <string.h>

#include <gio/gio.h>

#include "dc-error.h"
#include "dc-json-util.h"
#include "dc-model-rules-private.h"
#include "dc-protocol.h"
#include "dc-states.h"

/* Numbers and booleans are read as the field accessors read them. */

#define node_get_number dc_json_node_get_number
#define node_get_bool   dc_json_node_get_bool

typedef enum
{
  FIELD_TEXT,     /* free text: string or number */
  FIELD_INT,      /* integer in [min, max] */
  FIELD_NUMBER,   /* any finite number */
  FIELD_BOOL,
  FIELD_ENUM,     /* one of choices */
  FIELD_HOST,     /* non-empty string without whitespace */
  FIELD_PROTOCOL, /* a registered protocol name (dc-protocol.h) */
  FIELD_STATES,   /* state texts: {"1": "open"} (dc-states.h) */
} FieldType;

typedef struct
{
  const char        *name;
  FieldType          type;
  double             min;
  double             max;
  const char * const *choices;
} FieldRule;

static const char * const parities[] = { "N", "E", "O", NULL };
static const char * const priorities[] = { "low", "medium", "high", "critical", NULL };
static const char * const history_modes[] = { "change", "all", "none", NULL };

static const FieldRule device_rules[] = {
  { "name", FIELD_TEXT },
  { "identify", FIELD_TEXT },
  { "protocol", FIELD_PROTOCOL },
  { "ip", FIELD_HOST },
  { "port", FIELD_INT, 1, 65535 },
  { "serial", FIELD_HOST },
  { "baud", FIELD_INT, 50, 4000000 },
  { "parity", FIELD_ENUM, 0, 0, parities },
  { "data_bits", FIELD_INT, 5, 8 },
  { "stop_bits", FIELD_INT, 1, 2 },
  { "poll_ms", FIELD_INT, 1, 86400000 },
  { "timeout_ms", FIELD_INT, 1, 600000 },
  { "backup_ip", FIELD_HOST },
  { "backup_port", FIELD_INT, 1, 65535 },
  { "k", FIELD_INT, 1, 32767 },
  { "w", FIELD_INT, 1, 32767 },
  { "t0", FIELD_INT, 1, 255 },
  { "t1", FIELD_INT, 1, 255 },
  { "t2", FIELD_INT, 1, 255 },
  { "t3", FIELD_INT, 1, 172800 },
  { "gi_s", FIELD_INT, 0, 604800 },
  { "ci_s", FIELD_INT, 0, 604800 },
  { "clock_sync", FIELD_BOOL },
  { "enabled", FIELD_BOOL },
  { "comm_alarm_delay_ms", FIELD_INT, 0, 86400000 },
  { "comm_alarm_priority", FIELD_ENUM, 0, 0, priorities },
  { NULL }
};

static const FieldRule term_rules[] = {
  { "name", FIELD_TEXT },
  { "identify", FIELD_TEXT },
  { "protocol", FIELD_TEXT },
  { NULL }
};

static const FieldRule item_rules[] = {
  { "name", FIELD_TEXT },
  { "view_code", FIELD_TEXT },
  { "func_type", FIELD_TEXT },
  { "unit", FIELD_TEXT },
  { NULL }
};

static const FieldRule point_rules[] = {
  { "coefficient", FIELD_NUMBER },
  { "base_val", FIELD_NUMBER },
  { "history", FIELD_ENUM, 0, 0, history_modes },
  { "history_deadband", FIELD_NUMBER, 0, G_MAXDOUBLE },
  { "retention_days", FIELD_INT, 1, 36500 },
  { "up_limit", FIELD_NUMBER },
  { "down_limit", FIELD_NUMBER },
  { "decimals", FIELD_INT, 0, 15 },
  { "states", FIELD_STATES },
  { "feedback", FIELD_TEXT },
  { "alarm_deadband", FIELD_NUMBER, 0, G_MAXDOUBLE },
  { "alarm_delay_ms", FIELD_INT, 0, 86400000 },
  { "alarm_on", FIELD_NUMBER },
  { "alarm_priority", FIELD_ENUM, 0, 0, priorities },
  { "alarm_enabled", FIELD_BOOL },
  { "direct", FIELD_BOOL },
  { "do_verify", FIELD_TEXT },
  { "warn_msg", FIELD_TEXT },
  { "db_save_sql", FIELD_TEXT },
  { "db_warn_sql", FIELD_TEXT },
  { NULL }
};

static char *
format_bound (double v)
{
  if (v == floor (v) && fabs (v) < 1e15)
    return g_strdup_printf ("%.0f", v);
  return g_strdup_printf ("%g", v);
}

/* Four decimal numbers 0-255 joined by dots, nothing else (inet_pton's IPv4 form). */
static gboolean
is_dotted_quad (const char *s)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (s);

  return address != NULL && g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4;
}

static gboolean
check_field (const FieldRule *rule,
             JsonNode        *node,
             GError         **error)
{
  double v;
  gboolean is_int;
  gboolean b;

  switch (rule->type)
    {
    case FIELD_TEXT:
      if (JSON_NODE_HOLDS_VALUE (node) &&
          json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        return TRUE;
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                   "field %s must be a string", rule->name);
      return FALSE;

    case FIELD_HOST:
      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        {
          const char *s = json_node_get_string (node);
          gboolean ok = *s != '\0' && strlen (s) <= 255;

          for (const char *p = s; ok && *p; p++)
            if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p))
              ok = FALSE;
          /* Digits and dots are an IPv4 address or nothing: the resolver would take
           * 256.256.256.256 for a host name. */
          if (ok && g_str_has_suffix (rule->name, "ip") &&
              strspn (s, "0123456789.") == strlen (s) && !is_dotted_quad (s))
            {
              g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                           "field %s must be a valid IPv4 address: %s", rule->name, s);
              return FALSE;
            }
          if (ok)
            return TRUE;
        }
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                   "field %s must be a non-empty host name or address without spaces",
                   rule->name);
      return FALSE;

    case FIELD_INT:
      if (!node_get_number (node, &v, &is_int) || !is_int || v < rule->min || v > rule->max)
        {
          g_autofree char *lo = format_bound (rule->min);
          g_autofree char *hi = format_bound (rule->max);

          g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                       "field %s must be an integer between %s and %s", rule->name, lo, hi);
          return FALSE;
        }
      return TRUE;

    case FIELD_NUMBER:
      if (!node_get_number (node, &v, &is_int))
        {
          g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                       "field %s must be a number", rule->name);
          return FALSE;
        }
      if (rule->max > rule->min && (v < rule->min || v > rule->max))
        {
          g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                       "field %s must not be negative", rule->name);
          return FALSE;
        }
      return TRUE;

    case FIELD_BOOL:
      if (!node_get_bool (node, &b))
        {
          g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                       "field %s must be true or false", rule->name);
          return FALSE;
        }
      return TRUE;

    case FIELD_ENUM:
      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
          g_strv_contains ((const char * const *) rule->choices, json_node_get_string (node)))
        return TRUE;
      {
        g_autofree char *list = g_strjoinv (", ", (char **) rule->choices);

        g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                     "field %s must be one of %s", rule->name, list);
      }
      return FALSE;

    case FIELD_PROTOCOL:
      return dc_protocol_check_name (node, rule->name, error);

    case FIELD_STATES:
      return dc_states_check (node, rule->name, error);

    default:
      g_assert_not_reached ();
    }
}

static const FieldRule *
rules_of (DcKind kind)
{
  static const FieldRule no_rules[] = { { NULL } };

  switch (kind)
    {
    case DC_KIND_DEVICE:  return device_rules;
    case DC_KIND_TERM:    return term_rules;
    case DC_KIND_ITEM:    return item_rules;
    case DC_KIND_POINT:   return point_rules;
    case DC_KIND_FORMULA: return no_rules;
    case DC_N_KINDS:
    default:              g_assert_not_reached ();
    }
}

gboolean
_dc_model_check_rules (DcKind      kind,
                       JsonObject *object,
                       GError    **error)
{
  for (const FieldRule *rule = rules_of (kind); rule->name; rule++)
    {
      JsonNode *node = json_object_get_member (object, rule->name);

      if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        continue;
      if (!check_field (rule, node, error))
        return FALSE;
    }
  return TRUE;
}

static const char * const device_extra[] = { "id", "status", "time_zone", NULL };
static const char * const term_extra[] = { "id", "device_id", "address", NULL };
static const char * const item_extra[] = { "id", NULL };
static const char * const point_extra[] = {
  "term_id", "item_id", "device_id", "protocol_code", "code_type", NULL
};
static const char * const formula_extra[] = {
  "id", "formula", "device_id", "term_id", "item_id", NULL
};

void
dc_model_append_field_names (DcKind     kind,
                             GPtrArray *names)
{
  const char * const *extra;

  g_return_if_fail (kind < DC_N_KINDS);
  g_return_if_fail (names != NULL);

  switch (kind)
    {
    case DC_KIND_DEVICE:  extra = device_extra; break;
    case DC_KIND_TERM:    extra = term_extra; break;
    case DC_KIND_ITEM:    extra = item_extra; break;
    case DC_KIND_POINT:   extra = point_extra; break;
    case DC_KIND_FORMULA: extra = formula_extra; break;
    case DC_N_KINDS:
    default:              g_assert_not_reached ();
    }
  for (const char * const *name = extra; *name != NULL; name++)
    g_ptr_array_add (names, (gpointer) *name);
  for (const FieldRule *rule = rules_of (kind); rule->name != NULL; rule++)
    g_ptr_array_add (names, (gpointer) rule->name);
}
