/* dc-model.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-model"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dc-error.h"
#include "dc-json-util.h"
#include "dc-model.h"
#include "dc-model-rules-private.h"
#include "dc-point-scan-private.h"
#include "dc-protocol.h"

static const char * const kind_names[DC_N_KINDS] = {
  "device", "term", "item", "point", "formula",
};

static const char * const not_found_texts[DC_N_KINDS] = {
  "device_id not found!",
  "term_id not found!",
  "item_id not found!",
  "term_item not found!",
  "formula_id not found!",
};

static const char * const exists_texts[DC_N_KINDS] = {
  "device already exists!",
  "term already exists!",
  "item already exists!",
  "term_item already exists!",
  "formula already exists!",
};

const char *
dc_kind_to_string (DcKind kind)
{
  g_return_val_if_fail (kind < DC_N_KINDS, NULL);
  return kind_names[kind];
}

const char *
dc_change_op_to_string (DcChangeOp op)
{
  switch (op)
    {
    case DC_CHANGE_CREATE: return "create";
    case DC_CHANGE_UPDATE: return "update";
    case DC_CHANGE_DELETE: return "delete";
    default:               g_return_val_if_reached (NULL);
    }
}

const char *
dc_kind_not_found_text (DcKind kind)
{
  g_return_val_if_fail (kind < DC_N_KINDS, NULL);
  return not_found_texts[kind];
}

const char *
dc_kind_exists_text (DcKind kind)
{
  g_return_val_if_fail (kind < DC_N_KINDS, NULL);
  return exists_texts[kind];
}

/* Bidirectional controls make an id display as another (U+202E turns "abc\u202Etxt.exe" into
 * "abcexe.txt"): ALM, LRM, RLM, the embeddings and overrides, the isolates. */
static gboolean
is_bidi_control (gunichar c)
{
  return c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);
}

static gboolean
id_has_bidi_control (const char *id)
{
  for (const char *p = id; *p; p = g_utf8_next_char (p))
    if (is_bidi_control (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

/* "." and ".." are path segments of their own in a URL: /api/v1/devices/.. is not the
 * device "..". */
static gboolean
id_is_dot_segment (const char *id)
{
  return g_str_equal (id, ".") || g_str_equal (id, "..");
}

gboolean
dc_model_id_is_valid (const char *id)
{
  glong n = 0;

  if (id == NULL || !g_utf8_validate (id, -1, NULL) || id_is_dot_segment (id) ||
      id_has_bidi_control (id))
    return FALSE;

  for (const char *p = id; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '/' || c == ':' || c == '*' || g_unichar_isspace (c) ||
          g_unichar_iscntrl (c) || c == 0xFEFF || c == 0x200B)
        return FALSE;
      n++;
    }

  return n >= 1 && n <= 64;
}

char *
dc_model_id_from_node (JsonNode   *node,
                       const char *field,
                       GError    **error)
{
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node))
    {
      GType type = json_node_get_value_type (node);

      if (type == G_TYPE_STRING)
        {
          const char *s = json_node_get_string (node);

          if (dc_model_id_is_valid (s))
            return g_strdup (s);

          if (g_utf8_validate (s, -1, NULL) && id_is_dot_segment (s))
            g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                         "field %s must not be \".\" or \"..\"", field);
          else if (g_utf8_validate (s, -1, NULL) && id_has_bidi_control (s))
            g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                         "field %s must not contain bidirectional control characters", field);
          else
            g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                       "field %s must be 1 to 64 characters without '/', ':', '*', "
                       "spaces or control characters", field);
          return NULL;
        }

      if (type == G_TYPE_INT64)
        return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    }

  g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
               "field %s must be a string or an integer", field);
  return NULL;
}

/* A canonical decimal integer id ("0", "12", "-3"), which sorts numerically. */
static gboolean
parse_numeric_id (const char *s,
                  gint64     *out)
{
  const char *p = s;

  if (*p == '-')
    p++;
  if (*p == '\0' || strlen (p) > 18)
    return FALSE;
  for (const char *q = p; *q; q++)
    if (!g_ascii_isdigit (*q))
      return FALSE;

  *out = g_ascii_strtoll (s, NULL, 10);
  return TRUE;
}

int
dc_natural_compare (const char *a,
                    const char *b)
{
  gint64 na, nb;
  gboolean a_num = parse_numeric_id (a, &na);
  gboolean b_num = parse_numeric_id (b, &nb);

  if (a_num && b_num)
    {
      if (na != nb)
        return na < nb ? -1 : 1;
      return strcmp (a, b);
    }
  if (a_num != b_num)
    return a_num ? -1 : 1;

  return strcmp (a, b);
}

static int
natural_compare_ptr (gconstpointer a,
                     gconstpointer b)
{
  return dc_natural_compare (*(const char * const *) a, *(const char * const *) b);
}

void
dc_natural_sort (GPtrArray *ids)
{
  g_return_if_fail (ids != NULL);
  g_ptr_array_sort (ids, natural_compare_ptr);
}

/* Validation. Numbers and booleans are read as the field accessors read them. */

#define node_get_number dc_json_node_get_number

/* Normalises an id field to a string in place. */
static gboolean
normalize_id (JsonObject *object,
              const char *field,
              gboolean    required,
              GError    **error)
{
  JsonNode *node = json_object_get_member (object, field);
  g_autofree char *id = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (!required)
        return TRUE;
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID, "missing field: %s", field);
      return FALSE;
    }

  id = dc_model_id_from_node (node, field, error);
  if (id == NULL)
    return FALSE;

  /* A valid string is already the id (this runs for every entity stored). */
  if (json_node_get_value_type (node) != G_TYPE_STRING)
    json_object_set_string_member (object, field, id);
  return TRUE;
}

/* The protocol's own device fields (dc-protocol.h validate_device). */
static gboolean
validate_device_protocol (JsonObject  *device,
                          GError     **error)
{
  JsonNode *node = json_object_get_member (device, "protocol");
  const DcProtocol *descriptor;

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return TRUE;
  descriptor = dc_protocol_lookup (json_node_get_string (node));
  return descriptor == NULL || descriptor->validate_device == NULL ||
         descriptor->validate_device (device, error);
}

/* The term address range comes with the protocol of the term's device (dc-protocol.h). */
static gboolean
validate_term_address (JsonObject *object,
                       const char *protocol,
                       GError    **error)
{
  const DcProtocol *descriptor = dc_protocol_lookup (protocol);
  JsonNode *node = json_object_get_member (object, "address");
  double v;
  gboolean is_int;
  double lo = 0, hi = 65535;
  const char *what = "";

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (descriptor != NULL && descriptor->term_address_max > 0)
    {
      lo = descriptor->term_address_min;
      hi = descriptor->term_address_max;
      what = descriptor->term_address_what ? descriptor->term_address_what : "";
    }

  if (!node_get_number (node, &v, &is_int) || !is_int || v < lo || v > hi)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                   "field address must be an integer between %.0f and %.0f%s", lo, hi, what);
      return FALSE;
    }
  return TRUE;
}

static gboolean
validate_time_zone (JsonObject *object,
                    GError    **error)
{
  JsonNode *node = json_object_get_member (object, "time_zone");
  const char *tz;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      tz = json_node_get_string (node);
      if (g_str_equal (tz, "UTC") || g_str_equal (tz, "local"))
        return TRUE;
      if (*tz != '\0' && strstr (tz, "..") == NULL)
        {
          GTimeZone *zone = g_time_zone_new_identifier (tz);

          if (zone != NULL)
            {
              g_time_zone_unref (zone);
              return TRUE;
            }
        }
    }

  g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID,
                       "field time_zone must be UTC, local or an IANA time zone name");
  return FALSE;
}

static gboolean
validate_formula (JsonObject *object,
                  GError    **error)
{
  JsonNode *node = json_object_get_member (object, "formula");
  g_autoptr(GList) members = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID, "missing field: formula");
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING ||
      *json_node_get_string (node) == '\0')
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID,
                           "field formula must be a non-empty string");
      return FALSE;
    }

  members = json_object_get_members (object);
  for (const GList *l = members; l; l = l->next)
    {
      const char *name = l->data;
      JsonNode *param;
      g_auto(GStrv) parts = NULL;
      gboolean ok = FALSE;

      if (name[0] != 'p' || name[1] == '\0' || strspn (name + 1, "0123456789") != strlen (name + 1))
        continue;

      param = json_object_get_member (object, name);
      if (JSON_NODE_HOLDS_VALUE (param) && json_node_get_value_type (param) == G_TYPE_STRING)
        {
          parts = g_strsplit (json_node_get_string (param), ":", -1);
          ok = g_strv_length (parts) == 3 && dc_model_id_is_valid (parts[0]) &&
               dc_model_id_is_valid (parts[1]) && dc_model_id_is_valid (parts[2]);
        }
      if (!ok)
        {
          g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                       "field %s must be a point name device_id:term_id:item_id", name);
          return FALSE;
        }
    }

  return TRUE;
}

/* Aliases of point fields (docs/model.md "Fields"): names clients send for a field DataColl
 * calls otherwise. They are stored under the field's own name. */
static const struct
{
  const char *alias;
  const char *field;
} point_aliases[] = {
  { "low_limit", "down_limit" },
  { "high_limit", "up_limit" },
};

static gboolean
same_value (JsonNode *a,
            JsonNode *b)
{
  double x, y;
  gboolean is_int;

  if (node_get_number (a, &x, &is_int) && node_get_number (b, &y, &is_int))
    return x == y;
  return json_node_equal (a, b);
}

gboolean
dc_model_normalize_aliases (DcKind      kind,
                            JsonObject *object,
                            gboolean    patch,
                            GError    **error)
{
  g_return_val_if_fail (object != NULL, FALSE);

  if (kind != DC_KIND_POINT)
    return TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (point_aliases); i++)
    {
      const char *alias = point_aliases[i].alias;
      const char *field = point_aliases[i].field;
      JsonNode *value = json_object_get_member (object, alias);
      JsonNode *own = json_object_get_member (object, field);

      if (value == NULL)
        continue;
      if (JSON_NODE_HOLDS_NULL (value))
        {
          /* A patch's null removes the limit under either name. */
          if (patch && own == NULL)
            json_object_set_null_member (object, field);
          if (!patch)
            json_object_remove_member (object, alias);
          continue;
        }
      if (own != NULL && !JSON_NODE_HOLDS_NULL (own) && !same_value (value, own))
        {
          g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                       "field %s is another name for %s and differs from it", alias, field);
          return FALSE;
        }
      json_object_set_member (object, field, json_node_copy (value));
      /* A patch removes the alias from the stored object as it merges. */
      if (patch)
        json_object_set_null_member (object, alias);
      else
        json_object_remove_member (object, alias);
    }
  return TRUE;
}

const char *
dc_model_alias_field (DcKind      kind,
                      const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  if (kind != DC_KIND_POINT)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (point_aliases); i++)
    if (g_str_equal (point_aliases[i].alias, name))
      return point_aliases[i].field;
  return NULL;
}

/* The identity and protocol fields that the rules above do not list. */

gboolean
dc_model_validate (DcKind      kind,
                   JsonObject *object,
                   const char *device_protocol,
                   GError    **error)
{
  g_return_val_if_fail (kind < DC_N_KINDS, FALSE);
  g_return_val_if_fail (object != NULL, FALSE);

  switch (kind)
    {
    case DC_KIND_DEVICE:
      json_object_remove_member (object, "status");
      if (!normalize_id (object, "id", TRUE, error))
        return FALSE;
      if (!json_object_has_member (object, "protocol") ||
          JSON_NODE_HOLDS_NULL (json_object_get_member (object, "protocol")))
        {
          g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID, "missing field: protocol");
          return FALSE;
        }
      return _dc_model_check_rules (DC_KIND_DEVICE, object, error) && validate_time_zone (object, error) &&
             validate_device_protocol (object, error);

    case DC_KIND_TERM:
      return normalize_id (object, "id", TRUE, error) &&
             normalize_id (object, "device_id", TRUE, error) &&
             _dc_model_check_rules (DC_KIND_TERM, object, error) &&
             validate_term_address (object, device_protocol, error);

    case DC_KIND_ITEM:
      return normalize_id (object, "id", TRUE, error) &&
             _dc_model_check_rules (DC_KIND_ITEM, object, error);

    case DC_KIND_POINT:
      return dc_model_normalize_aliases (kind, object, FALSE, error) &&
             normalize_id (object, "term_id", TRUE, error) &&
             normalize_id (object, "item_id", TRUE, error) &&
             normalize_id (object, "device_id", FALSE, error) &&
             _dc_model_check_rules (DC_KIND_POINT, object, error) &&
             dc_protocol_validate_point (device_protocol, object, error);

    case DC_KIND_FORMULA:
      return normalize_id (object, "id", TRUE, error) &&
             normalize_id (object, "device_id", TRUE, error) &&
             normalize_id (object, "term_id", TRUE, error) &&
             normalize_id (object, "item_id", TRUE, error) &&
             validate_formula (object, error);

    case DC_N_KINDS:
    default:
      g_assert_not_reached ();
    }
}

/* Interned and reference counted (GRefString): one copy per distinct text in the process,
 * released with the last point that uses it. */
static char *
intern (const char *text)
{
  return text != NULL ? g_ref_string_new_intern (text) : NULL;
}

static char *
intern_take (char *text)
{
  char *interned = intern (text);

  g_free (text);
  return interned;
}

/* Members a reader takes from DcPointInfo.json rather than from its typed fields: the alarms
 * (dc-alarm-rules.c, and param.x of do_verify), the templates (dc-templates.c), the values'
 * state texts (states) and the IEC 104 driver (direct). */
/* dc-point-scan.c keeps the same list. */
static const char * const json_members[] = {
  "up_limit", "down_limit", "alarm_on", "do_verify", "db_save_sql", "db_warn_sql", "states",
  "direct",
};

static gboolean
needs_json (JsonObject *point)
{
  for (guint i = 0; i < G_N_ELEMENTS (json_members); i++)
    if (json_object_has_member (point, json_members[i]))
      return TRUE;
  return FALSE;
}

/* The members but the ids, as compact JSON text. */
static char *
body_text (JsonObject *point)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  json_builder_begin_object (builder);
  json_object_iter_init_ordered (&iter, point);
  while (json_object_iter_next_ordered (&iter, &name, &value))
    {
      if (g_str_equal (name, "device_id") || g_str_equal (name, "term_id") ||
          g_str_equal (name, "item_id"))
        continue;
      json_builder_set_member_name (builder, name);
      json_builder_add_value (builder, json_node_copy (value));
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

DcPointInfo *
dc_point_info_new_from_json (gint64      key,
                             JsonObject *point)
{
  return dc_point_info_new_from_body (key, point, NULL);
}

/* A view and its reference count: 8 bytes before the view, where a GArcBox header takes 32
 * (100,000 points: 2.4 MB; docs/performance.md). */
typedef struct
{
  gatomicrefcount ref_count;
  DcPointInfo     info;
} InfoBox;

#define INFO_BOX(i) ((InfoBox *) ((char *) (i) - G_STRUCT_OFFSET (InfoBox, info)))

static DcPointInfo *
info_alloc (void)
{
  InfoBox *box = g_new0 (InfoBox, 1);

  g_atomic_ref_count_init (&box->ref_count);
  return &box->info;
}

DcPointInfo *
dc_point_info_new_from_text (gint64      key,
                             const char *device_id,
                             const char *term_id,
                             const char *item_id,
                             const char *body)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonObject) point = NULL;
  DcPointInfo *info;

  g_return_val_if_fail (device_id != NULL && term_id != NULL && item_id != NULL, NULL);
  g_return_val_if_fail (body != NULL, NULL);

  info = info_alloc ();
  if (_dc_point_scan_body (body, info))
    {
      info->key = key;
      info->device_id = intern (device_id);
      info->term_id = intern (term_id);
      info->item_id = intern (item_id);
      info->body = intern (body);
      return info;
    }
  g_free (INFO_BOX (info));

  /* Nested members, escapes, alarm members…: the object (as the store reads a row). */
  node = json_from_string (body, NULL);
  point = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_object_ref (json_node_get_object (node))
                                                        : json_object_new ();
  json_object_set_string_member (point, "device_id", device_id);
  json_object_set_string_member (point, "term_id", term_id);
  json_object_set_string_member (point, "item_id", item_id);
  return dc_point_info_new_from_body (key, point, body);
}

/* A typed field read here is also read by _dc_point_scan_body() (dc-point-scan.c), or that
 * scanner sends the points with its member here. */
DcPointInfo *
dc_point_info_new_from_body (gint64      key,
                             JsonObject *point,
                             const char *body)
{
  DcPointInfo *info;
  const char *history;
  JsonNode *code;

  g_return_val_if_fail (point != NULL, NULL);

  info = info_alloc ();
  info->key = key;
  info->device_id = intern (dc_json_get_string (point, "device_id", ""));
  info->term_id = intern (dc_json_get_string (point, "term_id", ""));
  info->item_id = intern (dc_json_get_string (point, "item_id", ""));

  code = json_object_get_member (point, "protocol_code");
  if (code != NULL && JSON_NODE_HOLDS_VALUE (code))
    {
      if (json_node_get_value_type (code) == G_TYPE_STRING)
        info->protocol_code = intern (json_node_get_string (code));
      else if (json_node_get_value_type (code) == G_TYPE_INT64)
        info->protocol_code = intern_take (g_strdup_printf ("%" G_GINT64_FORMAT,
                                                            json_node_get_int (code)));
      else if (json_node_get_value_type (code) == G_TYPE_DOUBLE)
        info->protocol_code = intern_take (g_strdup_printf ("%.0f", json_node_get_double (code)));
    }

  code = json_object_get_member (point, "code_type");
  if (code != NULL && JSON_NODE_HOLDS_VALUE (code))
    {
      if (json_node_get_value_type (code) == G_TYPE_STRING)
        info->code_type = intern (json_node_get_string (code));
      else if (json_node_get_value_type (code) == G_TYPE_INT64)
        info->code_type = intern_take (g_strdup_printf ("%" G_GINT64_FORMAT,
                                                        json_node_get_int (code)));
    }

  info->coefficient = dc_json_get_double (point, "coefficient", 1.0);
  info->base_val = dc_json_get_double (point, "base_val", 0.0);
  history = dc_json_get_string (point, "history", "change");
  if (g_str_equal (history, "all"))
    info->history = DC_HISTORY_ALL;
  else if (g_str_equal (history, "none"))
    info->history = DC_HISTORY_NONE;
  else
    info->history = DC_HISTORY_CHANGE;
  info->history_deadband = dc_json_get_double (point, "history_deadband", 0.0);
  info->retention_days = (int) dc_json_get_int (point, "retention_days", 0);
  info->decimals = json_object_has_member (point, "decimals")
                   ? (int) CLAMP (dc_json_get_int (point, "decimals", -1), -1, 15) : -1;
  if (needs_json (point))
    info->json = json_object_ref (point);
  else
    info->body = body != NULL ? intern (body)  /* the same text for the same register */
                              : intern_take (body_text (point));

  return info;
}

JsonObject *
dc_point_info_dup_json (const DcPointInfo *info)
{
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  g_return_val_if_fail (info != NULL, NULL);

  if (info->json != NULL)
    return json_object_ref (info->json);
  node = json_from_string (info->body != NULL ? info->body : "{}", NULL);
  object = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_object_ref (json_node_get_object (node))
                                                         : json_object_new ();
  json_object_set_string_member (object, "device_id", info->device_id);
  json_object_set_string_member (object, "term_id", info->term_id);
  json_object_set_string_member (object, "item_id", info->item_id);
  return object;
}

JsonNode *
dc_point_info_dup_member (const DcPointInfo *info,
                          const char        *name)
{
  g_autoptr(JsonObject) object = NULL;
  JsonNode *node = NULL;

  g_return_val_if_fail (info != NULL && name != NULL, NULL);

  if (g_str_equal (name, "device_id") || g_str_equal (name, "term_id") ||
      g_str_equal (name, "item_id"))
    return json_node_init_string (json_node_alloc (),
                                  name[0] == 'd' ? info->device_id :
                                  name[0] == 't' ? info->term_id : info->item_id);
  if (info->json == NULL && info->body != NULL && _dc_point_scan_member (info->body, name, &node))
    return node;
  object = dc_point_info_dup_json (info);
  node = json_object_get_member (object, name);
  return node != NULL ? json_node_copy (node) : NULL;
}

DcPointInfo *
dc_point_info_ref (DcPointInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);

  g_atomic_ref_count_inc (&INFO_BOX (info)->ref_count);
  return info;
}

static void
point_info_clear (gpointer data)
{
  DcPointInfo *info = data;

  g_clear_pointer (&info->device_id, g_ref_string_release);
  g_clear_pointer (&info->term_id, g_ref_string_release);
  g_clear_pointer (&info->item_id, g_ref_string_release);
  g_clear_pointer (&info->protocol_code, g_ref_string_release);
  g_clear_pointer (&info->code_type, g_ref_string_release);
  g_clear_pointer (&info->json, json_object_unref);
  g_clear_pointer (&info->body, g_ref_string_release);
}

void
dc_point_info_unref (DcPointInfo *info)
{
  if (info != NULL)
    {
      InfoBox *box = INFO_BOX (info);

      if (g_atomic_ref_count_dec (&box->ref_count))
        {
          point_info_clear (info);
          g_free (box);
        }
    }
}

void
dc_point_info_free (DcPointInfo *info)
{
  dc_point_info_unref (info);
}
