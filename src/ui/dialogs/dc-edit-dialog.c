/* dc-edit-dialog.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-edit-dialog"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "dc-edit-dialog.h"
#include "dc-error.h"
#include "dc-protocol.h"
#include "dc-ui.h"

/* The fields every protocol has; the protocols' own fields come from the protocol registry
 * (dc-protocol.h) at the rows without a key. */
typedef DcProtocolField FieldSpec;
typedef DcProtocolOption Option;

#define F_TEXT   DC_PROTOCOL_FIELD_TEXT
#define F_INT    DC_PROTOCOL_FIELD_INT
#define F_NUMBER DC_PROTOCOL_FIELD_NUMBER
#define F_BOOL   DC_PROTOCOL_FIELD_BOOL
#define F_CHOICE DC_PROTOCOL_FIELD_CHOICE
#define FIELD(kind, key, label, type, options, hint) \
  { kind, key, label, type, options, hint, NULL, DC_PROTOCOL_PLACE_MAIN, FALSE }
#define PROTOCOL_FIELDS(kind, place) { kind, NULL, NULL, 0, NULL, NULL, NULL, place, FALSE }

static const Option history_options[] = {
  { "", N_("Default (on change)") }, { "change", N_("On change") }, { "all", N_("Every sample") },
  { "none", N_("Not stored") }, { NULL, NULL },
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
  FIELD (DC_KIND_POINT, "coefficient", N_("Coefficient (value = raw × coefficient + offset)"), F_NUMBER, NULL, "1"),
  FIELD (DC_KIND_POINT, "base_val", N_("Offset"), F_NUMBER, NULL, "0"),
  FIELD (DC_KIND_POINT, "down_limit", N_("Low limit"), F_NUMBER, NULL, NULL),
  FIELD (DC_KIND_POINT, "up_limit", N_("High limit"), F_NUMBER, NULL, NULL),
  FIELD (DC_KIND_POINT, "history", N_("History"), F_CHOICE, history_options, NULL),
  FIELD (DC_KIND_POINT, "history_deadband", N_("History deadband"), F_NUMBER, NULL, "0"),
  PROTOCOL_FIELDS (DC_KIND_POINT, DC_PROTOCOL_PLACE_END),
};

typedef struct
{
  const FieldSpec *spec;           /* a protocol's field: the current protocol's */
  gboolean         from_protocol;
  AdwActionRow    *row;
  GtkWidget       *widget;
  char            *error;
} Field;

struct _DcEditDialog
{
  AdwWindow       parent_instance;

  AdwWindowTitle *window_title;
  GtkWidget      *form_box;
  GtkLabel       *error_label;

  DcStore        *store;
  DcKind          kind;
  char           *id;          /* edited entity; NULL when creating */
  char           *parent_id;
  char           *protocol;    /* of the device (points, terms) */
  GPtrArray      *fields;      /* Field */
  AdwPreferencesGroup *group;
  char           *error;
  Option         *protocol_options;   /* the registered protocols */
  FieldSpec       protocol_spec;
};

enum {
  SIGNAL_SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DcEditDialog, dc_edit_dialog, ADW_TYPE_WINDOW)

static void
field_free (Field *f)
{
  g_free (f->error);
  g_free (f);
}

static Field *
find_field (DcEditDialog *self,
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

static const char *
current_protocol (DcEditDialog *self)
{
  Field *f;

  if (self->kind == DC_KIND_DEVICE && (f = find_field (self, "protocol")) != NULL)
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

static void
update_visibility (DcEditDialog *self)
{
  const char *protocol = current_protocol (self);

  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *f = g_ptr_array_index (self->fields, i);
      const FieldSpec *spec = f->from_protocol ? protocol_field (protocol, self->kind, f->spec->key)
                                               : f->spec;

      if (spec != NULL && spec != f->spec)
        {
          /* A key several protocols share (port): this protocol's hint. */
          f->spec = spec;
          if (f->error == NULL)
            adw_action_row_set_subtitle (f->row, spec->hint ? _(spec->hint) : "");
        }
      gtk_widget_set_visible (GTK_WIDGET (f->row), spec != NULL);
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

static void
set_field_text (Field      *f,
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
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (node == NULL || JSON_NODE_HOLDS_NULL (node) || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_DOUBLE:
      return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.17g", json_node_get_double (node)));
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (node) ? "true" : "false");
    default:
      return NULL;
    }
}

static void
set_field_cb (const char *key,
              const char *text,
              gpointer    user_data)
{
  Field *f = find_field (user_data, key);

  if (f != NULL)
    set_field_text (f, text);
}

static void
fill_from (DcEditDialog *self,
           JsonObject   *object)
{
  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *f = g_ptr_array_index (self->fields, i);
      g_autofree char *text = node_to_text (json_object_get_member (object, f->spec->key));

      if (text != NULL)
        set_field_text (f, text);
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

  switch (f->spec->type)
    {
    case F_BOOL:
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
static const char *
field_text_cb (const char *key,
               gpointer    user_data)
{
  Field *f = find_field (user_data, key);
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

static JsonObject *
build_object (DcEditDialog *self)
{
  JsonObject *object = json_object_new ();
  const char *protocol = current_protocol (self);
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
      else if (self->id != NULL && self->kind != DC_KIND_POINT)
        json_object_set_null_member (object, f->spec->key);  /* merge update: null removes */
    }
  if (self->kind == DC_KIND_POINT && p != NULL && p->code_type_from_fields != NULL)
    {
      JsonNode *code_type = p->code_type_from_fields (field_text_cb, self);

      if (code_type != NULL)
        json_object_set_member (object, "code_type", code_type);
    }
  return object;
}

static void
clear_errors (DcEditDialog *self)
{
  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *f = g_ptr_array_index (self->fields, i);

      g_clear_pointer (&f->error, g_free);
      gtk_widget_remove_css_class (GTK_WIDGET (f->row), "error");
      adw_action_row_set_subtitle (f->row, f->spec->hint ? _(f->spec->hint) : "");
    }
  g_clear_pointer (&self->error, g_free);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
}

/* "field X must …", "missing field: X", "<kind> already exists!" → X */
static char *
error_field (DcEditDialog *self,
             const GError *error)
{
  const char *msg = error->message;

  if (g_str_has_prefix (msg, "field "))
    {
      const char *start = msg + strlen ("field ");
      const char *end = strchr (start, ' ');

      return end ? g_strndup (start, end - start) : g_strdup (start);
    }
  if (g_str_has_prefix (msg, "missing field: "))
    {
      const char *start = msg + strlen ("missing field: ");

      return g_strndup (start, strcspn (start, " "));
    }
  if (g_error_matches (error, DC_ERROR, DC_ERROR_EXISTS))
    return g_strdup (self->kind == DC_KIND_POINT ? "item_id" : "id");
  return NULL;
}

static void
show_error (DcEditDialog *self,
            const GError *error)
{
  g_autofree char *key = error_field (self, error);
  Field *f = NULL;

  if (key != NULL)
    {
      f = find_field (self, key);
      if (f == NULL && g_str_equal (key, "code_type"))
        {
          const DcProtocol *p = dc_protocol_lookup (current_protocol (self));

          if (p != NULL && p->code_type_field != NULL)
            f = find_field (self, p->code_type_field);
        }
    }
  if (f != NULL && gtk_widget_get_visible (GTK_WIDGET (f->row)))
    {
      f->error = g_strdup (error->message);
      gtk_widget_add_css_class (GTK_WIDGET (f->row), "error");
      adw_action_row_set_subtitle (f->row, error->message);
      gtk_widget_grab_focus (f->widget);
    }
  self->error = g_strdup (error->message);
  gtk_label_set_label (self->error_label, error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), f == NULL);
}

gboolean
dc_edit_dialog_save (DcEditDialog *self)
{
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved_id = NULL;
  gboolean ok;

  g_return_val_if_fail (DC_IS_EDIT_DIALOG (self), FALSE);

  clear_errors (self);
  object = build_object (self);
  if (self->id == NULL)
    ok = dc_store_create (self->store, self->kind, object, &error);
  else if (self->kind == DC_KIND_POINT)
    {
      g_auto(GStrv) ids = g_strsplit (self->id, ":", 2);

      json_object_remove_member (object, "term_id");
      json_object_remove_member (object, "item_id");
      ok = dc_store_update_point (self->store, ids[0], ids[1], object, &error);
    }
  else
    ok = dc_store_update (self->store, self->kind, self->id, object, &error);

  if (!ok)
    {
      show_error (self, error);
      return FALSE;
    }
  if (self->kind == DC_KIND_POINT)
    saved_id = g_strdup_printf ("%s:%s",
                                json_object_get_string_member_with_default (object, "term_id", ""),
                                json_object_get_string_member_with_default (object, "item_id", ""));
  else
    saved_id = g_strdup (json_object_get_string_member_with_default (object, "id", self->id));
  g_signal_emit (self, signals[SIGNAL_SAVED], 0, self->id && self->kind == DC_KIND_POINT ? self->id : saved_id);
  gtk_window_close (GTK_WINDOW (self));
  return TRUE;
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  dc_edit_dialog_save (DC_EDIT_DIALOG (widget));
}

static GtkStringList *
options_model (const Option *options)
{
  GtkStringList *list = gtk_string_list_new (NULL);

  for (guint i = 0; options[i].value != NULL; i++)
    gtk_string_list_append (list, options[i].label ? _(options[i].label) : options[i].value);
  return list;
}

static void load_protocol (DcEditDialog *self,
                           const char   *term_or_device,
                           gboolean      is_term);

static void
term_changed_cb (DcEditDialog *self)
{
  Field *term = find_field (self, "term_id");

  g_clear_pointer (&self->protocol, g_free);
  load_protocol (self, gtk_editable_get_text (GTK_EDITABLE (term->widget)), TRUE);
  update_visibility (self);
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
    adw_action_row_set_subtitle (f->row, _(spec->hint));
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
      if (spec->type != F_TEXT)
        {
          gtk_entry_set_input_purpose (GTK_ENTRY (f->widget), GTK_INPUT_PURPOSE_NUMBER);
          gtk_editable_set_alignment (GTK_EDITABLE (f->widget), 1);
        }
      g_signal_connect_object (f->widget, "activate", G_CALLBACK (dc_edit_dialog_save), self,
                               G_CONNECT_SWAPPED);
      break;
    }
  gtk_widget_set_valign (f->widget, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (f->widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _(spec->label), -1);
  adw_action_row_add_suffix (f->row, f->widget);
  adw_action_row_set_activatable_widget (f->row, f->widget);
  adw_preferences_group_add (self->group, GTK_WIDGET (f->row));
  g_ptr_array_add (self->fields, f);
  if (spec->default_value != NULL)
    set_field_text (f, spec->default_value);
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

static void
build_form (DcEditDialog *self)
{
  g_autofree const DcProtocol **protocols = NULL;
  guint n_protocols;

  self->group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  gtk_box_append (GTK_BOX (self->form_box), GTK_WIDGET (self->group));

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
      if (spec->key == NULL)
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
      Field *protocol = find_field (self, "protocol");
      Field *enabled = find_field (self, "enabled");

      g_signal_connect_object (protocol->widget, "notify::selected",
                               G_CALLBACK (update_visibility), self, G_CONNECT_SWAPPED);
      gtk_switch_set_active (GTK_SWITCH (enabled->widget), TRUE);
    }
  if (self->kind == DC_KIND_POINT)
    {
      /* The fields follow the protocol of the term's device. */
      g_signal_connect_object (find_field (self, "term_id")->widget, "changed",
                               G_CALLBACK (term_changed_cb), self, G_CONNECT_SWAPPED);
    }
}

static void
dc_edit_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), DC_TYPE_EDIT_DIALOG);
  G_OBJECT_CLASS (dc_edit_dialog_parent_class)->dispose (object);
}

static void
dc_edit_dialog_finalize (GObject *object)
{
  DcEditDialog *self = DC_EDIT_DIALOG (object);

  g_clear_object (&self->store);
  g_ptr_array_unref (self->fields);
  g_free (self->id);
  g_free (self->parent_id);
  g_free (self->protocol);
  g_free (self->error);
  g_free (self->protocol_options);

  G_OBJECT_CLASS (dc_edit_dialog_parent_class)->finalize (object);
}

static void
dc_edit_dialog_class_init (DcEditDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  dc_ui_ensure_resources ();

  object_class->dispose = dc_edit_dialog_dispose;
  object_class->finalize = dc_edit_dialog_finalize;

  signals[SIGNAL_SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/datacoll/DataColl/ui/dc-edit-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, DcEditDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, DcEditDialog, form_box);
  gtk_widget_class_bind_template_child (widget_class, DcEditDialog, error_label);
  gtk_widget_class_install_action (widget_class, "edit.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
dc_edit_dialog_init (DcEditDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->fields = g_ptr_array_new_with_free_func ((GDestroyNotify) field_free);
}

static const char *
kind_title (DcKind kind,
            gboolean create)
{
  switch (kind)
    {
    case DC_KIND_DEVICE: return create ? _("Add Device") : _("Edit Device");
    case DC_KIND_TERM:   return create ? _("Add Term") : _("Edit Term");
    case DC_KIND_ITEM:   return create ? _("Add Item") : _("Edit Item");
    case DC_KIND_POINT:  return create ? _("Add Point") : _("Edit Point");
    case DC_KIND_FORMULA:
    default:             return "";
    }
}

static void
load_protocol (DcEditDialog *self,
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
      term = dc_store_get (self->store, DC_KIND_TERM, term_or_device, NULL);
      device_id = term ? json_object_get_string_member_with_default (term, "device_id", NULL) : NULL;
    }
  if (device_id != NULL)
    device = dc_store_get (self->store, DC_KIND_DEVICE, device_id, NULL);
  if (device != NULL)
    self->protocol = g_strdup (json_object_get_string_member_with_default (device, "protocol", ""));
}

static DcEditDialog *
edit_dialog_new (GtkWindow *parent,
                 DcStore   *store,
                 DcKind     kind)
{
  DcEditDialog *self = g_object_new (DC_TYPE_EDIT_DIALOG, "transient-for", parent, NULL);

  self->store = g_object_ref (store);
  self->kind = kind;
  return self;
}

DcEditDialog *
dc_edit_dialog_new_create (GtkWindow  *parent,
                           DcStore    *store,
                           DcKind      kind,
                           const char *parent_id)
{
  DcEditDialog *self;

  g_return_val_if_fail (DC_IS_STORE (store), NULL);

  self = edit_dialog_new (parent, store, kind);
  self->parent_id = g_strdup (parent_id);
  load_protocol (self, parent_id, kind == DC_KIND_POINT);
  build_form (self);
  adw_window_title_set_title (self->window_title, kind_title (kind, TRUE));
  if (kind == DC_KIND_TERM && parent_id != NULL)
    set_field_text (find_field (self, "device_id"), parent_id);
  if (kind == DC_KIND_POINT && parent_id != NULL)
    set_field_text (find_field (self, "term_id"), parent_id);
  update_visibility (self);
  return self;
}

DcEditDialog *
dc_edit_dialog_new_edit (GtkWindow  *parent,
                         DcStore    *store,
                         DcKind      kind,
                         const char *id,
                         gboolean    duplicate)
{
  DcEditDialog *self;
  g_autoptr(JsonObject) object = NULL;

  g_return_val_if_fail (DC_IS_STORE (store), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if (kind == DC_KIND_POINT)
    {
      g_auto(GStrv) ids = g_strsplit (id, ":", 2);

      object = ids[1] ? dc_store_get_point (store, ids[0], ids[1], NULL) : NULL;
    }
  else
    object = dc_store_get (store, kind, id, NULL);
  if (object == NULL)
    return NULL;

  self = edit_dialog_new (parent, store, kind);
  if (!duplicate)
    self->id = g_strdup (id);
  if (kind == DC_KIND_POINT)
    load_protocol (self, json_object_get_string_member_with_default (object, "term_id", NULL), TRUE);
  else if (kind == DC_KIND_TERM)
    load_protocol (self, json_object_get_string_member_with_default (object, "device_id", NULL), FALSE);
  build_form (self);
  fill_from (self, object);
  if (duplicate)
    {
      Field *f = find_field (self, kind == DC_KIND_POINT ? "item_id" : "id");
      g_autofree char *copy = kind == DC_KIND_POINT ? g_strdup ("")
                                                    : g_strdup_printf ("%s-copy", id);

      set_field_text (f, copy);
      adw_window_title_set_title (self->window_title, _("Duplicate"));
    }
  else
    {
      adw_window_title_set_title (self->window_title, kind_title (kind, FALSE));
      if (kind == DC_KIND_POINT)
        {
          gtk_widget_set_sensitive (find_field (self, "term_id")->widget, FALSE);
          gtk_widget_set_sensitive (find_field (self, "item_id")->widget, FALSE);
        }
    }
  adw_window_title_set_subtitle (self->window_title, id);
  update_visibility (self);
  return self;
}

gboolean
dc_edit_dialog_set_field (DcEditDialog *self,
                          const char   *key,
                          const char   *text)
{
  Field *f;

  g_return_val_if_fail (DC_IS_EDIT_DIALOG (self), FALSE);

  f = find_field (self, key);
  if (f == NULL)
    return FALSE;
  set_field_text (f, text);
  return TRUE;
}

const char *
dc_edit_dialog_get_field_error (DcEditDialog *self,
                                const char   *key)
{
  Field *f;

  g_return_val_if_fail (DC_IS_EDIT_DIALOG (self), NULL);
  f = find_field (self, key);
  return f ? f->error : NULL;
}

const char *
dc_edit_dialog_get_error (DcEditDialog *self)
{
  g_return_val_if_fail (DC_IS_EDIT_DIALOG (self), NULL);
  return self->error;
}

/* Delete ---------------------------------------------------------------------------------- */

typedef struct
{
  gint       refs;
  DcStore   *store;
  DcKind     kind;
  char      *id;
  GArray    *keys;      /* gint64 point keys going with it */
  guint      n_terms;
  guint      n_points;
  gint64     n_samples;
  guint      pending;
  char      *text;
  GWeakRef   dialog;
} DeleteData;

static void
delete_data_unref (gpointer data)
{
  DeleteData *d = data;

  if (--d->refs > 0)
    return;

  g_clear_object (&d->store);
  g_free (d->id);
  g_array_unref (d->keys);
  g_free (d->text);
  g_weak_ref_clear (&d->dialog);
  g_free (d);
}

static void
delete_update_text (DeleteData *d,
                    GtkWidget  *dialog)
{
  g_autoptr(GString) body = g_string_new (NULL);

  if (d->kind == DC_KIND_DEVICE)
    {
      g_string_append_printf (body, g_dngettext (GETTEXT_PACKAGE, "%u term", "%u terms", d->n_terms),
                              d->n_terms);
      g_string_append (body, ", ");
    }
  if (d->kind == DC_KIND_DEVICE || d->kind == DC_KIND_TERM || d->kind == DC_KIND_ITEM)
    {
      g_string_append_printf (body, g_dngettext (GETTEXT_PACKAGE, "%u point", "%u points", d->n_points),
                              d->n_points);
      g_string_append (body, ", ");
    }
  if (d->pending > 0)
    g_string_append (body, _("counting history samples…"));
  else
    g_string_append_printf (body, g_dngettext (GETTEXT_PACKAGE, "%ld history sample",
                                               "%ld history samples", d->n_samples),
                            (long) d->n_samples);
  g_free (d->text);
  /* Translators: %s lists what goes with the deleted entity */
  d->text = g_strdup_printf (_("This also deletes: %s. It cannot be undone."), body->str);
  if (dialog != NULL)
    adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog), d->text);
}

static void
count_ready_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  DeleteData *d = user_data;
  g_autoptr(GtkWidget) dialog = g_weak_ref_get (&d->dialog);
  gint64 n = dc_history_count_finish (DC_HISTORY (object), result, NULL);

  if (n > 0)
    d->n_samples += n;
  d->pending--;
  delete_update_text (d, dialog);
  delete_data_unref (d);
}

static void
delete_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    DeleteData       *d)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;

  if (!g_str_equal (response, "delete"))
    return;
  if (d->kind == DC_KIND_POINT)
    {
      g_auto(GStrv) ids = g_strsplit (d->id, ":", 2);

      ok = dc_store_delete_point (d->store, ids[0], ids[1], &error);
    }
  else
    ok = dc_store_delete (d->store, d->kind, d->id, &error);
  if (!ok)
    {
      GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (dialog));
      GtkWidget *failed = adw_message_dialog_new (parent, _("Could Not Delete"), error->message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (failed), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (failed));
    }
}

GtkWidget *
dc_delete_dialog_new (GtkWindow  *parent,
                      DcStore    *store,
                      DcHistory  *history,
                      DcKind      kind,
                      const char *id)
{
  GtkWidget *dialog;
  DeleteData *d;
  g_autoptr(GPtrArray) points = NULL;
  g_autofree char *heading = NULL;

  g_return_val_if_fail (DC_IS_STORE (store), NULL);

  d = g_new0 (DeleteData, 1);
  d->refs = 1;
  d->store = g_object_ref (store);
  d->kind = kind;
  d->id = g_strdup (id);
  d->keys = g_array_new (FALSE, FALSE, sizeof (gint64));

  switch (kind)
    {
    case DC_KIND_DEVICE:
      {
        g_autoptr(GPtrArray) terms = dc_store_list_device_terms (store, id, NULL);

        d->n_terms = terms ? terms->len : 0;
        points = dc_store_list_points (store, id, NULL);
      }
      break;
    case DC_KIND_TERM:
      points = dc_store_list_points (store, NULL, id);
      break;
    case DC_KIND_ITEM:
      {
        g_autoptr(GPtrArray) all = dc_store_list_points (store, NULL, NULL);

        points = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
        for (guint i = 0; all && i < all->len; i++)
          {
            JsonObject *p = g_ptr_array_index (all, i);

            if (g_strcmp0 (json_object_get_string_member_with_default (p, "item_id", ""), id) == 0)
              g_ptr_array_add (points, json_object_ref (p));
          }
      }
      break;
    case DC_KIND_POINT:
      {
        g_auto(GStrv) ids = g_strsplit (id, ":", 2);
        gint64 key = ids[1] ? dc_store_get_point_key (store, ids[0], ids[1]) : 0;

        if (key != 0)
          g_array_append_val (d->keys, key);
      }
      break;
    case DC_KIND_FORMULA:
    default:
      break;
    }
  for (guint i = 0; points != NULL && i < points->len; i++)
    {
      JsonObject *p = g_ptr_array_index (points, i);
      gint64 key = dc_store_get_point_key (store,
                                           json_object_get_string_member_with_default (p, "term_id", ""),
                                           json_object_get_string_member_with_default (p, "item_id", ""));

      if (key != 0)
        g_array_append_val (d->keys, key);
    }
  d->n_points = points ? points->len : 0;

  /* Translators: %s is the id of what is deleted */
  heading = g_strdup_printf (_("Delete “%s”?"), id);
  dialog = adw_message_dialog_new (parent, heading, NULL);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "delete", _("_Delete"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_weak_ref_init (&d->dialog, dialog);
  g_object_set_data_full (G_OBJECT (dialog), "dc-delete", d, delete_data_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (delete_response_cb), d);

  if (history != NULL)
    for (guint i = 0; i < d->keys->len; i++)
      {
        d->pending++;
        d->refs++;
        dc_history_count_async (history, g_array_index (d->keys, gint64, i), G_MININT64,
                                G_MAXINT64, NULL, count_ready_cb, d);
      }
  delete_update_text (d, dialog);
  return dialog;
}

const char *
dc_delete_dialog_get_text (GtkWidget *dialog)
{
  DeleteData *d = g_object_get_data (G_OBJECT (dialog), "dc-delete");

  return d ? d->text : NULL;
}
