/* dc-edit-dialog-form.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The edit dialog's form (dc-edit-dialog-private.h): the fields every protocol has, the
 * protocols' own fields from the protocol registry (dc-protocol.h), shown for the current
 * protocol, filled from and read into JSON.
 */

#define G_LOG_DOMAIN "dc-edit-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "dc-edit-dialog-private.h"
#include "dc-number.h"
#include "dc-states.h"

/* The fields every protocol has; the protocols' own fields come from the protocol registry
 * (dc-protocol.h) at the rows without a key. */
static const Option history_options[] = {
  { "", N_("Default (on change)") }, { "change", N_("On change") }, { "all", N_("Every sample") },
  { "none", N_("Not stored") }, { NULL, NULL },
};

static const Option priority_options[] = {
  { "", N_("Default (medium)") }, { "low", N_("Low") }, { "medium", N_("Medium") },
  { "high", N_("High") }, { "critical", N_("Critical") }, { NULL, NULL },
};

static const FieldSpec fields[] = {
  FIELD (DC_KIND_DEVICE, "id", N_("ID"), F_TEXT, NULL, NULL),
  FIELD (DC_KIND_DEVICE, "name", N_("Name"), F_TEXT, NULL, NULL),
  FIELD (DC_KIND_DEVICE, "protocol", N_("Protocol"), F_CHOICE, NULL, NULL),
  PROTOCOL_FIELDS (DC_KIND_DEVICE, DC_PROTOCOL_PLACE_MAIN),
  PROTOCOL_FIELDS (DC_KIND_DEVICE, DC_PROTOCOL_PLACE_END),
  FIELD (DC_KIND_DEVICE, "enabled", N_("Enabled"), F_BOOL, NULL, NULL),

  FIELD (DC_KIND_TERM, "id", N_("ID"), F_TEXT, NULL, NULL),
  FIELD (DC_KIND_TERM, "name", N_("Name"), F_TEXT, NULL, NULL),
  FIELD (DC_KIND_TERM, "device_id", N_("Device"), F_TEXT, NULL, NULL),
  FIELD (DC_KIND_TERM, "address", N_("Unit id / common address"), F_INT, NULL, "1"),

  FIELD (DC_KIND_ITEM, "id", N_("ID"), F_TEXT, NULL, NULL),
  FIELD (DC_KIND_ITEM, "name", N_("Name"), F_TEXT, NULL, NULL),
  FIELD (DC_KIND_ITEM, "unit", N_("Unit"), F_TEXT, NULL, NULL),

  FIELD (DC_KIND_POINT, "term_id", N_("Term"), F_TEXT, NULL, NULL),
  FIELD (DC_KIND_POINT, "item_id", N_("Item"), F_TEXT, NULL, NULL),
  FIELD (DC_KIND_POINT, "protocol_code", N_("Address (register / IOA)"), F_INT, NULL, NULL),
  PROTOCOL_FIELDS (DC_KIND_POINT, DC_PROTOCOL_PLACE_MAIN),
  GROUP (DC_KIND_POINT, N_("Value")),
  FIELD (DC_KIND_POINT, "coefficient", N_("Coefficient (value = raw × coefficient + offset)"), F_NUMBER, NULL, "1"),
  FIELD (DC_KIND_POINT, "base_val", N_("Offset"), F_NUMBER, NULL, "0"),
  FIELD (DC_KIND_POINT, "decimals", N_("Decimals (empty: as many as needed)"), F_INT, NULL, NULL),
  FIELD (DC_KIND_POINT, "states", N_("State texts"), F_TEXT, NULL,
         N_("1 = open; 2 = closed (empty: the defaults of the point's kind)")),
  GROUP (DC_KIND_POINT, N_("Alarms")),
  FIELD_PRESET (DC_KIND_POINT, "alarm_enabled", N_("Alarms enabled"), F_BOOL, NULL, NULL, "true"),
  FIELD (DC_KIND_POINT, "down_limit", N_("Low limit"), F_NUMBER, NULL, NULL),
  FIELD (DC_KIND_POINT, "up_limit", N_("High limit"), F_NUMBER, NULL, NULL),
  FIELD (DC_KIND_POINT, "alarm_deadband", N_("Deadband (clears when back by this much)"), F_NUMBER, NULL, "0"),
  FIELD (DC_KIND_POINT, "alarm_delay_ms", N_("Delay (ms the condition must hold)"), F_INT, NULL, "0"),
  FIELD (DC_KIND_POINT, "alarm_priority", N_("Priority"), F_CHOICE, priority_options, NULL),
  FIELD (DC_KIND_POINT, "alarm_on", N_("Alarm state (binary points: the value that alarms)"), F_NUMBER, NULL, NULL),
  GROUP (DC_KIND_POINT, N_("History")),
  FIELD (DC_KIND_POINT, "history", N_("History"), F_CHOICE, history_options, NULL),
  FIELD (DC_KIND_POINT, "history_deadband", N_("History deadband"), F_NUMBER, NULL, "0"),
  GROUP (DC_KIND_POINT, N_("Protocol Options")),
  PROTOCOL_FIELDS (DC_KIND_POINT, DC_PROTOCOL_PLACE_END),
};

char *
dc_edit_form_hint (const FieldSpec *spec)
{
  if (spec->hint == NULL)
    return g_strdup ("");
  /* A number's hint is the value used when the field is empty. */
  if (spec->type == F_INT || spec->type == F_NUMBER)
    return g_strdup_printf (_("Default: %s"), spec->hint);
  return g_strdup (_(spec->hint));
}

void
dc_edit_form_field_free (Field *f)
{
  g_free (f->error);
  g_free (f);
}

Field *
dc_edit_form_find_field (DcEditDialog *self,
            const char   *key)
{
  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *f = g_ptr_array_index (self->fields, i);

      if (g_str_equal (f->spec->key, key))
        return f;
    }
  return NULL;
}

const char *
dc_edit_form_current_protocol (DcEditDialog *self)
{
  Field *f;

  if (self->kind == DC_KIND_DEVICE && (f = dc_edit_form_find_field (self, "protocol")) != NULL)
    {
      guint i = gtk_drop_down_get_selected (GTK_DROP_DOWN (f->widget));

      for (guint j = 0; self->protocol_options[j].value != NULL; j++)
        if (j == i)
          return self->protocol_options[j].value;
      return "";
    }
  return self->protocol ? self->protocol : "";
}

/* The field @key of @protocol's descriptor, NULL when the protocol has none. */
static const FieldSpec *
protocol_field (const char *protocol,
                DcKind      kind,
                const char *key)
{
  const DcProtocol *p = dc_protocol_lookup (protocol);

  for (const FieldSpec *spec = p ? p->fields : NULL; spec != NULL && spec->key != NULL; spec++)
    if (spec->kind == kind && g_str_equal (spec->key, key))
      return spec;
  return NULL;
}

void
dc_edit_form_update_visibility (DcEditDialog *self)
{
  const char *protocol = dc_edit_form_current_protocol (self);

  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *f = g_ptr_array_index (self->fields, i);
      const FieldSpec *spec = f->from_protocol ? protocol_field (protocol, self->kind, f->spec->key)
                                               : f->spec;

      if (spec != NULL && spec != f->spec)
        {
          const char *text = dc_edit_form_get_text (spec->key, self);

          /* A key several protocols share (port): this protocol's hint, and in a new entity
           * its preset unless the field was typed in. */
          if (self->create && g_strcmp0 (text, f->spec->default_value) == 0)
            {
              f->spec = spec;
              dc_edit_form_set_text (f, spec->default_value);
            }
          f->spec = spec;
          if (f->error == NULL)
            {
              g_autofree char *hint = dc_edit_form_hint (spec);

              adw_action_row_set_subtitle (f->row, hint);
            }
          if (GTK_IS_ENTRY (f->widget) && spec->type != F_TEXT)
            gtk_entry_set_placeholder_text (GTK_ENTRY (f->widget), spec->hint);
        }
      gtk_widget_set_visible (GTK_WIDGET (f->row), spec != NULL);
    }

  /* A group is shown when one of its rows is. */
  for (guint i = 0; i < self->groups->len; i++)
    {
      GtkWidget *group = g_ptr_array_index (self->groups, i);
      gboolean visible = FALSE;

      for (guint j = 0; j < self->fields->len && !visible; j++)
        {
          Field *f = g_ptr_array_index (self->fields, j);

          visible = (GtkWidget *) f->group == group &&
                    gtk_widget_get_visible (GTK_WIDGET (f->row));
        }
      gtk_widget_set_visible (group, visible);
    }
}

static guint
option_index (const Option *options,
              const char   *value)
{
  for (guint i = 0; options[i].value != NULL; i++)
    if (g_str_equal (options[i].value, value))
      return i;
  return GTK_INVALID_LIST_POSITION;
}

void
dc_edit_form_set_text (Field      *f,
                const char *text)
{
  switch (f->spec->type)
    {
    case F_BOOL:
      gtk_switch_set_active (GTK_SWITCH (f->widget), g_strcmp0 (text, "true") == 0);
      break;
    case F_CHOICE:
      {
        guint i = option_index (f->spec->options, text ? text : "");

        if (i != GTK_INVALID_LIST_POSITION)
          gtk_drop_down_set_selected (GTK_DROP_DOWN (f->widget), i);
      }
      break;
    case F_TEXT:
    case F_INT:
    case F_NUMBER:
    default:
      gtk_editable_set_text (GTK_EDITABLE (f->widget), text ? text : "");
      break;
    }
}

static char *
node_to_text (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node) || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_DOUBLE:
      return dc_number_format (json_node_get_double (node), -1);
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (node) ? "true" : "false");
    default:
      return NULL;
    }
}

/* State texts (docs/model.md "State texts") as the form shows them: "1 = open; 2 = closed",
 * in the order of the values. */
static int
compare_state_keys (gconstpointer a,
                    gconstpointer b)
{
  gint64 x = g_ascii_strtoll (*(const char * const *) a, NULL, 10);
  gint64 y = g_ascii_strtoll (*(const char * const *) b, NULL, 10);

  return x < y ? -1 : x > y;
}

static char *
states_to_text (JsonNode *node)
{
  JsonObject *object;
  g_autoptr(GList) members = NULL;
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  GString *out = g_string_new (NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return g_string_free (out, FALSE);
  object = json_node_get_object (node);
  members = json_object_get_members (object);
  for (const GList *l = members; l != NULL; l = l->next)
    g_ptr_array_add (keys, l->data);
  g_ptr_array_sort (keys, compare_state_keys);
  for (guint i = 0; i < keys->len; i++)
    {
      const char *key = g_ptr_array_index (keys, i);
      JsonNode *text = json_object_get_member (object, key);

      g_string_append_printf (out, "%s%s = %s", i > 0 ? "; " : "", key,
                              JSON_NODE_HOLDS_VALUE (text) &&
                              json_node_get_value_type (text) == G_TYPE_STRING
                              ? json_node_get_string (text) : "");
    }
  return g_string_free (out, FALSE);
}

/* "1 = open; 2 = closed" → {"1": "open", "2": "closed"}; NULL when the text does not read so
 * (it is then sent as it is, and the store says what a state text is). */
static JsonNode *
states_from_text (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, ";", -1);
  g_autoptr(JsonObject) object = json_object_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autofree char *part = g_strstrip (g_strdup (parts[i]));
      g_auto(GStrv) pair = NULL;
      char *end = NULL;
      gint64 value;

      if (*part == '\0')
        continue;
      pair = g_strsplit (part, "=", 2);
      if (pair[1] == NULL)
        return NULL;
      g_strstrip (pair[0]);
      g_strstrip (pair[1]);
      value = g_ascii_strtoll (pair[0], &end, 10);
      if (*pair[0] == '\0' || *end != '\0' || *pair[1] == '\0')
        return NULL;
      {
        g_autofree char *key = g_strdup_printf ("%" G_GINT64_FORMAT, value);

        json_object_set_string_member (object, key, pair[1]);
      }
    }
  return json_node_init_object (json_node_alloc (), object);
}

static void
set_field_cb (const char *key,
              const char *text,
              gpointer    user_data)
{
  Field *f = dc_edit_form_find_field (user_data, key);

  if (f != NULL)
    dc_edit_form_set_text (f, text);
}

void
dc_edit_form_fill (DcEditDialog *self,
           JsonObject   *object)
{
  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *f = g_ptr_array_index (self->fields, i);
      JsonNode *node = json_object_get_member (object, f->spec->key);
      g_autofree char *text = NULL;

      if (node != NULL && g_str_equal (f->spec->key, "states"))
        text = states_to_text (node);
      else
        text = node_to_text (node);
      if (text != NULL)
        dc_edit_form_set_text (f, text);
    }
  /* The state texts' placeholder: the defaults of this point's kind ("0 = off; 1 = on"). */
  if (self->kind == DC_KIND_POINT)
    {
      const DcProtocol *p = dc_protocol_lookup (self->protocol);
      Field *states = dc_edit_form_find_field (self, "states");
      DcProtocolValueKind kind = p && p->value_kind ? p->value_kind (object)
                                                    : DC_PROTOCOL_VALUE_ANALOG;
      GString *defaults = g_string_new (NULL);

      for (int value = 0; value <= 3; value++)
        {
          const char *text = dc_states_default (kind, value);

          if (text != NULL)
            g_string_append_printf (defaults, "%s%d = %s", defaults->len ? "; " : "", value,
                                    _(text));
        }
      if (states != NULL && defaults->len > 0)
        gtk_entry_set_placeholder_text (GTK_ENTRY (states->widget), defaults->str);
      g_string_free (defaults, TRUE);
    }
  /* code_type into the protocol's pickers */
  if (self->kind == DC_KIND_POINT && json_object_has_member (object, "code_type"))
    {
      const DcProtocol *p = dc_protocol_lookup (self->protocol);

      if (p != NULL && p->code_type_to_fields != NULL)
        p->code_type_to_fields (json_object_get_member (object, "code_type"), set_field_cb, self);
    }
}

static JsonNode *
field_value (Field *f)
{
  const char *text;
  char *end = NULL;

  if (g_str_equal (f->spec->key, "states"))
    {
      JsonNode *states;

      text = gtk_editable_get_text (GTK_EDITABLE (f->widget));
      if (text[0] == '\0')
        return NULL;
      states = states_from_text (text);
      return states != NULL ? states : json_node_init_string (json_node_alloc (), text);
    }
  switch (f->spec->type)
    {
    case F_BOOL:
      /* A switch that is on by default is written only when off (alarm_enabled). */
      if (g_strcmp0 (f->spec->default_value, "true") == 0 &&
          gtk_switch_get_active (GTK_SWITCH (f->widget)))
        return NULL;
      return json_node_init_boolean (json_node_alloc (), gtk_switch_get_active (GTK_SWITCH (f->widget)));
    case F_CHOICE:
      {
        guint i = gtk_drop_down_get_selected (GTK_DROP_DOWN (f->widget));

        if (i == GTK_INVALID_LIST_POSITION || f->spec->options[i].value[0] == '\0')
          return NULL;
        return json_node_init_string (json_node_alloc (), f->spec->options[i].value);
      }
    case F_INT:
    case F_NUMBER:
      text = gtk_editable_get_text (GTK_EDITABLE (f->widget));
      if (text[0] == '\0')
        return NULL;
      if (f->spec->type == F_INT)
        {
          gint64 v = g_ascii_strtoll (text, &end, 10);

          if (*end == '\0')
            return json_node_init_int (json_node_alloc (), v);
        }
      else
        {
          double v = g_ascii_strtod (text, &end);

          if (*end == '\0')
            return json_node_init_double (json_node_alloc (), v);
        }
      /* Not a number: the store says so, next to the field. */
      return json_node_init_string (json_node_alloc (), text);
    case F_TEXT:
    default:
      text = gtk_editable_get_text (GTK_EDITABLE (f->widget));
      if (text[0] == '\0')
        return NULL;
      return json_node_init_string (json_node_alloc (), text);
    }
}

/* The text of a field for the protocol's code_type_from_fields; NULL when empty. */
const char *
dc_edit_form_get_text (const char *key,
               gpointer    user_data)
{
  Field *f = dc_edit_form_find_field (user_data, key);
  const char *text;

  if (f == NULL)
    return NULL;
  if (f->spec->type == F_CHOICE)
    {
      guint i = gtk_drop_down_get_selected (GTK_DROP_DOWN (f->widget));

      if (i == GTK_INVALID_LIST_POSITION || f->spec->options[i].value[0] == '\0')
        return NULL;
      return f->spec->options[i].value;
    }
  if (f->spec->type == F_BOOL)
    return gtk_switch_get_active (GTK_SWITCH (f->widget)) ? "true" : "false";
  text = gtk_editable_get_text (GTK_EDITABLE (f->widget));
  return text[0] != '\0' ? text : NULL;
}

JsonObject *
dc_edit_form_build_object (DcEditDialog *self)
{
  JsonObject *object = json_object_new ();
  const char *protocol = dc_edit_form_current_protocol (self);
  const DcProtocol *p = dc_protocol_lookup (protocol);

  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *f = g_ptr_array_index (self->fields, i);
      JsonNode *value;

      if (f->from_protocol &&
          (protocol_field (protocol, self->kind, f->spec->key) == NULL || f->spec->code_type_part))
        continue;
      value = field_value (f);
      if (value != NULL)
        json_object_set_member (object, f->spec->key, value);
      else if (self->id != NULL)
        json_object_set_null_member (object, f->spec->key);  /* merge update: null removes */
    }
  if (self->kind == DC_KIND_POINT && p != NULL && p->code_type_from_fields != NULL)
    {
      JsonNode *code_type = p->code_type_from_fields (dc_edit_form_get_text, self);

      if (code_type != NULL)
        json_object_set_member (object, "code_type", code_type);
    }
  return object;
}

static GtkStringList *
options_model (const Option *options)
{
  GtkStringList *list = gtk_string_list_new (NULL);

  for (guint i = 0; options[i].value != NULL; i++)
    gtk_string_list_append (list, options[i].label ? _(options[i].label) : options[i].value);
  return list;
}

static void
term_changed_cb (DcEditDialog *self)
{
  Field *term = dc_edit_form_find_field (self, "term_id");

  g_clear_pointer (&self->protocol, g_free);
  dc_edit_form_load_protocol (self, gtk_editable_get_text (GTK_EDITABLE (term->widget)), TRUE);
  dc_edit_form_update_visibility (self);
}

/* Enter in a text field saves, through the dialog's action. */
static void
entry_activate_cb (GtkEntry *entry,
                   gpointer  user_data)
{
  gtk_widget_activate_action (GTK_WIDGET (entry), "edit.save", NULL);
}

static void
add_field (DcEditDialog    *self,
           const FieldSpec *spec,
           gboolean         from_protocol)
{
  Field *f = g_new0 (Field, 1);

  f->spec = spec;
  f->from_protocol = from_protocol;
  f->row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (f->row), _(spec->label));
  if (spec->hint != NULL)
    {
      g_autofree char *hint = dc_edit_form_hint (spec);

      adw_action_row_set_subtitle (f->row, hint);
    }
  switch (spec->type)
    {
    case F_BOOL:
      f->widget = gtk_switch_new ();
      break;
    case F_CHOICE:
      {
        GtkStringList *model = options_model (spec->options);

        f->widget = gtk_drop_down_new (G_LIST_MODEL (model), NULL);
        /* Long lists (data types, ASDU types) can be searched. */
        if (g_list_model_get_n_items (G_LIST_MODEL (model)) > 8)
          gtk_drop_down_set_enable_search (GTK_DROP_DOWN (f->widget), TRUE);
      }
      break;
    case F_TEXT:
    case F_INT:
    case F_NUMBER:
    default:
      f->widget = gtk_entry_new ();
      gtk_editable_set_width_chars (GTK_EDITABLE (f->widget), 18);
      if (spec->hint != NULL && spec->type != F_TEXT)
        gtk_entry_set_placeholder_text (GTK_ENTRY (f->widget), spec->hint);
      if (spec->type != F_TEXT)
        {
          gtk_entry_set_input_purpose (GTK_ENTRY (f->widget), GTK_INPUT_PURPOSE_NUMBER);
          gtk_editable_set_alignment (GTK_EDITABLE (f->widget), 1);
        }
      g_signal_connect (f->widget, "activate", G_CALLBACK (entry_activate_cb), NULL);
      break;
    }
  gtk_widget_set_valign (f->widget, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (f->widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _(spec->label), -1);
  adw_action_row_add_suffix (f->row, f->widget);
  adw_action_row_set_activatable_widget (f->row, f->widget);
  adw_preferences_group_add (self->group, GTK_WIDGET (f->row));
  f->group = self->group;
  g_ptr_array_add (self->fields, f);
  /* Presets (a new IEC 104 device's port 2404, t0–t3, k, w) in new entities only, so that an
   * edit shows what is stored; a switch that is on by default is on in edits too. */
  if (spec->default_value != NULL && (self->create || spec->type == F_BOOL))
    dc_edit_form_set_text (f, spec->default_value);
}

static void
add_group (DcEditDialog *self,
           const char   *title)
{
  self->group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  if (title != NULL)
    adw_preferences_group_set_title (self->group, _(title));
  gtk_box_append (GTK_BOX (self->form_box), GTK_WIDGET (self->group));
  g_ptr_array_add (self->groups, self->group);
}

static int
spec_index (GPtrArray  *specs,
            const char *key)
{
  for (guint i = 0; i < specs->len; i++)
    if (g_str_equal (((const FieldSpec *) g_ptr_array_index (specs, i))->key, key))
      return i;
  return -1;
}

/* The fields of every registered protocol for one place of the form, each key once; a key new
 * to the list goes before the next of its protocol's fields already listed, so that each
 * protocol sees its fields in its own order. */
static GPtrArray *
protocol_fields (DcKind          kind,
                 DcProtocolPlace place)
{
  g_autofree const DcProtocol **protocols = dc_protocol_list (NULL);
  GPtrArray *specs = g_ptr_array_new ();

  for (guint i = 0; protocols[i] != NULL; i++)
    for (const FieldSpec *spec = protocols[i]->fields; spec != NULL && spec->key != NULL; spec++)
      {
        int at = specs->len;

        if (spec->kind != kind || spec->place != place || spec_index (specs, spec->key) >= 0)
          continue;
        for (const FieldSpec *next = spec + 1; next->key != NULL; next++)
          if (next->kind == kind && next->place == place &&
              (at = spec_index (specs, next->key)) >= 0)
            break;
        g_ptr_array_insert (specs, at >= 0 ? at : (int) specs->len, (gpointer) spec);
      }
  return specs;
}

void
dc_edit_form_build (DcEditDialog *self)
{
  g_autofree const DcProtocol **protocols = NULL;
  guint n_protocols;

  add_group (self, NULL);

  /* The protocol list in the protocols' ui_order: the first is the new device's default. */
  protocols = dc_protocol_list_for_ui (&n_protocols);
  self->protocol_options = g_new0 (Option, n_protocols + 1);
  for (guint i = 0; i < n_protocols; i++)
    {
      self->protocol_options[i].value = protocols[i]->name;
      self->protocol_options[i].label = protocols[i]->title;
    }

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      const FieldSpec *spec = &fields[i];

      if (spec->kind != self->kind)
        continue;
      if (spec->key == NULL && spec->code_type_part)
        add_group (self, spec->label);
      else if (spec->key == NULL)
        {
          g_autoptr(GPtrArray) specs = protocol_fields (spec->kind, spec->place);

          for (guint j = 0; j < specs->len; j++)
            add_field (self, g_ptr_array_index (specs, j), TRUE);
        }
      else if (g_str_equal (spec->key, "protocol"))
        {
          self->protocol_spec = *spec;
          self->protocol_spec.options = self->protocol_options;
          add_field (self, &self->protocol_spec, FALSE);
        }
      else
        add_field (self, spec, FALSE);
    }
  if (self->kind == DC_KIND_DEVICE)
    {
      Field *protocol = dc_edit_form_find_field (self, "protocol");
      Field *enabled = dc_edit_form_find_field (self, "enabled");

      g_signal_connect_object (protocol->widget, "notify::selected",
                               G_CALLBACK (dc_edit_form_update_visibility), self, G_CONNECT_SWAPPED);
      gtk_switch_set_active (GTK_SWITCH (enabled->widget), TRUE);
    }
  if (self->kind == DC_KIND_POINT)
    {
      /* The fields follow the protocol of the term's device. */
      g_signal_connect_object (dc_edit_form_find_field (self, "term_id")->widget, "changed",
                               G_CALLBACK (term_changed_cb), self, G_CONNECT_SWAPPED);
    }
}

void
dc_edit_form_load_protocol (DcEditDialog *self,
               const char   *term_or_device,
               gboolean      is_term)
{
  g_autoptr(JsonObject) term = NULL;
  g_autoptr(JsonObject) device = NULL;
  const char *device_id = term_or_device;

  if (term_or_device == NULL)
    return;
  if (is_term)
    {
      term = dc_plant_source_get (self->source, DC_KIND_TERM, term_or_device);
      device_id = term ? json_object_get_string_member_with_default (term, "device_id", NULL) : NULL;
    }
  if (device_id != NULL)
    device = dc_plant_source_get (self->source, DC_KIND_DEVICE, device_id);
  if (device != NULL)
    self->protocol = g_strdup (json_object_get_string_member_with_default (device, "protocol", ""));
}
