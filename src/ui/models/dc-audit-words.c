/* dc-audit-words.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-audit-item"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "dc-audit-item.h"
#include "dc-number.h"
#include "dc-plant-model.h"
#include "dc-time.h"

/* The detail of an audit row in words (docs/ui-audit.md): what a person reads in the Audit
 * page instead of the JSON. Unknown actions show their detail as "key: value" pairs. */

#define MAX_LISTED 10

char *
dc_audit_format_local_time (gint64     time,
                            GDateTime *now_local)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (time / G_USEC_PER_SEC);
  g_autoptr(GDateTime) dt = utc != NULL ? g_date_time_to_local (utc) : NULL;

  if (dt == NULL)
    return g_strdup ("—");
  if (now_local != NULL && g_date_time_get_year (dt) == g_date_time_get_year (now_local) &&
      g_date_time_get_day_of_year (dt) == g_date_time_get_day_of_year (now_local))
    return g_date_time_format (dt, "%H:%M:%S");
  return g_date_time_format (dt, "%Y-%m-%d %H:%M:%S");
}

static const char *
entity_word (const char *entity)
{
  if (g_strcmp0 (entity, "device") == 0)
    return _("device");
  if (g_strcmp0 (entity, "term") == 0)
    return _("term");
  if (g_strcmp0 (entity, "item") == 0)
    return _("item");
  if (g_strcmp0 (entity, "point") == 0)
    return _("point");
  if (g_strcmp0 (entity, "formula") == 0)
    return _("formula");
  return entity != NULL ? entity : "";
}

/* A JSON value for people: strings as they are, numbers as numbers, null as "—", the rest
 * as JSON. */
static char *
value_text (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("—");
  if (JSON_NODE_HOLDS_VALUE (node))
    {
      GType type = json_node_get_value_type (node);

      if (type == G_TYPE_STRING)
        return g_strdup (json_node_get_string (node));
      if (type == G_TYPE_BOOLEAN)
        return g_strdup (json_node_get_boolean (node) ? _("yes") : _("no"));
      return dc_number_format (json_node_get_double (node), -1);
    }
  return json_to_string (node, FALSE);
}

static char *
member_text (JsonObject *object,
             const char *name)
{
  return value_text (object != NULL ? json_object_get_member (object, name) : NULL);
}

static gboolean
nodes_equal (JsonNode *a,
             JsonNode *b)
{
  g_autofree char *ta = NULL;
  g_autofree char *tb = NULL;

  if (a == NULL || b == NULL)
    return a == b;
  ta = json_to_string (a, FALSE);
  tb = json_to_string (b, FALSE);
  return g_str_equal (ta, tb);
}

/* "name: A → B; up_limit: 100 → 90" for every field that differs. */
static void
append_changes (GString    *out,
                JsonObject *old,
                JsonObject *now)
{
  g_autoptr(GList) names = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint n = 0;

  if (old != NULL)
    names = g_list_concat (names, json_object_get_members (old));
  if (now != NULL)
    names = g_list_concat (names, json_object_get_members (now));
  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *a = old != NULL ? json_object_get_member (old, name) : NULL;
      JsonNode *b = now != NULL ? json_object_get_member (now, name) : NULL;
      g_autofree char *ta = NULL;
      g_autofree char *tb = NULL;

      if (!g_hash_table_add (seen, (gpointer) name) || nodes_equal (a, b))
        continue;
      ta = value_text (a);
      tb = value_text (b);
      if (n++ > 0)
        g_string_append (out, "; ");
      /* Translators: a changed field: "<field>: <old value> → <new value>" */
      g_string_append_printf (out, _("%s: %s → %s"), name, ta, tb);
    }
  if (n == 0)
    g_string_append (out, _("no change"));
}

static void
append_ids (GString   *out,
            JsonArray *ids)
{
  guint n = ids != NULL ? json_array_get_length (ids) : 0;

  for (guint i = 0; i < n && i < MAX_LISTED; i++)
    {
      g_autofree char *id = value_text (json_array_get_element (ids, i));

      g_string_append (out, i > 0 ? ", " : ": ");
      g_string_append (out, id);
    }
  if (n > MAX_LISTED)
    g_string_append (out, ", …");
}

static void
describe_change (GString    *out,
                 const char *verb,
                 JsonObject *d)
{
  const char *entity = json_object_get_string_member_with_default (d, "entity", "");
  const char *id = json_object_get_string_member_with_default (d, "id", "");
  JsonObject *old = json_object_has_member (d, "old") &&
                    JSON_NODE_HOLDS_OBJECT (json_object_get_member (d, "old"))
                    ? json_object_get_object_member (d, "old") : NULL;
  JsonObject *now = json_object_has_member (d, "new") &&
                    JSON_NODE_HOLDS_OBJECT (json_object_get_member (d, "new"))
                    ? json_object_get_object_member (d, "new") : NULL;

  if (json_object_has_member (d, "count"))
    {
      gint64 count = json_object_get_int_member_with_default (d, "count", 0);
      JsonNode *ids = json_object_get_member (d, "ids");

      if (g_str_equal (verb, "create"))
        /* Translators: a batch: "Created 3 × item: a, b, c" */
        g_string_append_printf (out, _("Created %" G_GINT64_FORMAT " × %s"), count,
                                entity_word (entity));
      else
        g_string_append_printf (out, _("Deleted %" G_GINT64_FORMAT " × %s"), count,
                                entity_word (entity));
      append_ids (out, ids != NULL && JSON_NODE_HOLDS_ARRAY (ids) ? json_node_get_array (ids)
                                                                  : NULL);
      return;
    }
  if (g_str_equal (verb, "create"))
    {
      const char *name = now != NULL ? json_object_get_string_member_with_default (now, "name",
                                                                                   NULL) : NULL;

      /* Translators: "Created device d2" */
      g_string_append_printf (out, _("Created %s %s"), entity_word (entity), id);
      if (name != NULL)
        g_string_append_printf (out, " “%s”", name);
    }
  else if (g_str_equal (verb, "delete"))
    g_string_append_printf (out, _("Deleted %s %s"), entity_word (entity), id);
  else
    {
      const char *new_id = json_object_get_string_member_with_default (d, "new_id", NULL);

      if (new_id != NULL)
        {
          g_string_append_printf (out, _("Renamed to %s"), new_id);
          g_string_append (out, "; ");
        }
      if (old == NULL || now == NULL)
        g_string_append (out, _("Change refused"));
      else
        append_changes (out, old, now);
    }
}

/* A control's value in the point's words (its state text, or the number with its decimals and
 * unit, as the Control dialog shows it), the number alone for a point the plant does not know. */
static char *
control_value_text (JsonObject *d,
                    const char *name,
                    DcPointRow *point)
{
  JsonNode *node = json_object_get_member (d, name);

  if (point != NULL && node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) != G_TYPE_STRING &&
      json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return dc_point_row_format_value (point, json_node_get_double (node));
  return value_text (node);
}

/* "control.request" and "control.result" (target "device:term:item"): "Set F3 breaker (Substation
 * 1) to closed; the device reports closed", with the names and state texts of @plant. */
static void
describe_control (GString          *out,
                  const DcAuditRow *row,
                  JsonObject       *d,
                  DcPlantModel     *plant)
{
  g_auto(GStrv) parts = g_strsplit (row->target != NULL ? row->target : "", ":", 3);
  gboolean named = g_strv_length (parts) == 3;
  DcPointRow *point = named && plant != NULL
                      ? dc_plant_model_lookup_point_id (plant, parts[1], parts[2]) : NULL;
  DcDeviceNode *device = named && plant != NULL ? dc_plant_model_lookup_device (plant, parts[0])
                                                : NULL;
  g_autofree char *value = control_value_text (d, "value", point);
  g_autofree char *what = NULL;
  const char *by = json_object_get_string_member_with_default (d, "by", NULL);

  if (named)
    /* Translators: the point of a control and its device: "F3 breaker (Substation 1)" */
    what = g_strdup_printf (_("%s (%s)"),
                            point != NULL && dc_point_row_get_name (point) != NULL
                            ? dc_point_row_get_name (point) : parts[2],
                            device != NULL && dc_device_node_get_name (device) != NULL
                            ? dc_device_node_get_name (device) : parts[0]);

  if (g_str_equal (row->action, "control.request"))
    {
      if (what != NULL)
        /* Translators: "Asked to set <point (device)> to <value>" */
        g_string_append_printf (out, _("Asked to set %s to %s"), what, value);
      else
        g_string_append_printf (out, _("Asked to set %s"), value);
    }
  else if (json_object_has_member (d, "confirmed"))
    {
      g_autofree char *confirmed = control_value_text (d, "confirmed", point);

      if (what != NULL)
        /* Translators: "Set <point (device)> to <value>; the device reports <value>" */
        g_string_append_printf (out, _("Set %s to %s; the device reports %s"), what, value,
                                confirmed);
      else
        g_string_append_printf (out, _("Set to %s, the device reports %s"), value, confirmed);
    }
  else if (what != NULL)
    /* Translators: "Set <point (device)> to <value>: not done" */
    g_string_append_printf (out, _("Set %s to %s: not done"), what, value);
  else
    g_string_append_printf (out, _("Set to %s: not done"), value);
  if (by != NULL)
    /* Translators: the name given with a control, e.g. " (for shift 2)" */
    g_string_append_printf (out, _(" (for %s)"), by);
}

static void
append_comment (GString    *out,
                JsonObject *d)
{
  const char *comment = json_object_get_string_member_with_default (d, "comment", NULL);

  if (comment != NULL && comment[0] != '\0')
    g_string_append_printf (out, ": “%s”", comment);
}

char *
dc_audit_describe (const DcAuditRow *row,
                   DcPlantModel     *plant)
{
  g_autoptr(JsonNode) node = json_from_string (row->detail, NULL);
  JsonObject *d = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node)
                                                                : NULL;
  GString *out = g_string_new (NULL);
  const char *action = row->action;
  const char *dot = strchr (action, '.');

  if (d == NULL)
    {
      g_string_append (out, row->detail);
      return g_string_free (out, FALSE);
    }

  if (g_str_equal (action, "control.request") || g_str_equal (action, "control.result"))
    describe_control (out, row, d, plant);
  else if (g_str_equal (action, "import"))
    {
      g_string_append_printf (out, _("Import: %" G_GINT64_FORMAT " created, %" G_GINT64_FORMAT
                                     " changed, %" G_GINT64_FORMAT " unchanged, %"
                                     G_GINT64_FORMAT " failed"),
                              json_object_get_int_member_with_default (d, "created", 0),
                              json_object_get_int_member_with_default (d, "updated", 0),
                              json_object_get_int_member_with_default (d, "unchanged", 0),
                              json_object_get_int_member_with_default (d, "errors", 0));
      if (!json_object_get_boolean_member_with_default (d, "applied", FALSE))
        g_string_append_printf (out, " (%s)", _("not applied"));
    }
  else if (g_str_equal (action, "alarm.ack"))
    {
      g_string_append_printf (out, _("Acknowledged the %s alarm"),
                              json_object_get_string_member_with_default (d, "condition", ""));
      append_comment (out, d);
    }
  else if (g_str_equal (action, "alarm.shelve"))
    {
      const char *until = json_object_get_string_member_with_default (d, "until", NULL);
      gint64 us = 0;
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *local = until != NULL && dc_time_parse (until, &us)
                               ? dc_audit_format_local_time (us, now) : g_strdup ("—");

      g_string_append_printf (out, _("Shelved the %s alarm until %s"),
                              json_object_get_string_member_with_default (d, "condition", ""),
                              local);
      append_comment (out, d);
    }
  else if (g_str_equal (action, "alarm.unshelve"))
    g_string_append_printf (out, _("The shelving of the %s alarm ended"),
                            json_object_get_string_member_with_default (d, "condition", ""));
  else if (g_str_equal (action, "settings.change"))
    {
      g_autofree char *old = member_text (d, "old");
      g_autofree char *now = member_text (d, "new");

      g_string_append_printf (out, _("%s → %s"), old, now);
    }
  else if (g_str_equal (action, "server.start"))
    g_string_append_printf (out, _("DataColl %s started on %s"),
                            json_object_get_string_member_with_default (d, "version", ""),
                            json_object_get_string_member_with_default (d, "uri", ""));
  else if (g_str_equal (action, "server.stop"))
    g_string_append (out, _("DataColl stopped"));
  else if (g_str_equal (action, "audit.dropped"))
    g_string_append_printf (out, _("%" G_GINT64_FORMAT " rows were lost: the queue was full"),
                            json_object_get_int_member_with_default (d, "count", 0));
  else if (dot != NULL && json_object_has_member (d, "entity"))
    describe_change (out, dot + 1, d);
  else
    {
      g_autoptr(GList) names = json_object_get_members (d);
      guint n = 0;

      for (GList *l = names; l != NULL; l = l->next)
        {
          g_autofree char *value = member_text (d, l->data);

          g_string_append_printf (out, "%s%s: %s", n++ > 0 ? "; " : "", (char *) l->data, value);
        }
    }
  return g_string_free (out, FALSE);
}
