/* dc-formula-editor.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-formula-editor"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "dc-formula-editor.h"

#include "dc-dialog-save.h"
#include "dc-ui.h"

/* The check runs this long after the last keystroke or parameter change. */
#define CHECK_DELAY_MS 300

typedef struct
{
  guint         number;   /* N of pN */
  char          name[16]; /* "pN" */
  char         *point;    /* "d:t:i" */
  AdwActionRow *row;
} Param;

struct _DcFormulaEditor
{
  AdwWindow            parent_instance;

  AdwWindowTitle      *window_title;
  GtkLabel            *error_label;
  GtkEntry            *id_entry;
  GtkDropDown         *result_dropdown;
  GtkEntry            *expression_entry;
  GtkLabel            *check_label;
  AdwPreferencesGroup *params_group;
  GtkDropDown         *picker;

  DcPlantSource       *source;
  DcPlantModel        *plant;
  char                *formula_id;       /* edited; NULL for a new formula */
  GPtrArray           *result_points;    /* "d:t:i" of result_dropdown's rows */
  GPtrArray           *picker_points;    /* "d:t:i" of picker's rows */
  GPtrArray           *params;           /* Param, by number */
  guint                check_id;
  GCancellable        *check_cancellable;
  char                *check_text;       /* NULL while a check is pending */
  char                *error;
};

enum {
  SIGNAL_SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DcFormulaEditor, dc_formula_editor, ADW_TYPE_WINDOW)

static void
param_free (Param *param)
{
  g_free (param->point);
  g_free (param);
}

static Param *
find_param (DcFormulaEditor *self,
            const char      *name)
{
  if (name == NULL || name[0] != 'p')
    return NULL;
  for (guint i = 0; i < self->params->len; i++)
    {
      Param *param = g_ptr_array_index (self->params, i);

      if (g_str_equal (param->name, name))
        return param;
    }
  return NULL;
}

/* The formula as the REST API takes it (docs/rest.md "Formulas"); without id and result
 * point when @for_check. */
static JsonObject *
build_object (DcFormulaEditor *self,
              gboolean         for_check)
{
  JsonObject *object = json_object_new ();
  const char *id = gtk_editable_get_text (GTK_EDITABLE (self->id_entry));
  guint selected = gtk_drop_down_get_selected (self->result_dropdown);

  if (!for_check && *id != '\0')
    json_object_set_string_member (object, "id", id);
  json_object_set_string_member (object, "formula",
                                 gtk_editable_get_text (GTK_EDITABLE (self->expression_entry)));
  if (!for_check && selected != GTK_INVALID_LIST_POSITION && selected < self->result_points->len)
    {
      g_auto(GStrv) parts = g_strsplit (g_ptr_array_index (self->result_points, selected), ":", 3);

      if (g_strv_length (parts) == 3)
        {
          json_object_set_string_member (object, "device_id", parts[0]);
          json_object_set_string_member (object, "term_id", parts[1]);
          json_object_set_string_member (object, "item_id", parts[2]);
        }
    }
  for (guint i = 0; i < self->params->len; i++)
    {
      Param *param = g_ptr_array_index (self->params, i);
      g_autofree char *name = g_strdup_printf ("p%u", param->number);

      json_object_set_string_member (object, name, param->point);
    }
  return object;
}

/* The check ---------------------------------------------------------------------------- */

static void
show_check (DcFormulaEditor *self,
            const char      *text,
            const char      *style)
{
  static const char * const styles[] = { "success", "error", "dim-label" };

  for (guint i = 0; i < G_N_ELEMENTS (styles); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->check_label), styles[i]);
  gtk_widget_add_css_class (GTK_WIDGET (self->check_label), style);
  gtk_label_set_label (self->check_label, text);
}

static void
check_ready_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = dc_plant_source_formula_check_finish (DC_PLANT_SOURCE (object),
                                                                  result, &error);
  DcFormulaEditor *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  g_clear_object (&self->check_cancellable);
  if (answer == NULL)
    {
      g_free (self->check_text);
      self->check_text = g_strdup_printf (_("Cannot check the formula: %s"), error->message);
      show_check (self, self->check_text, "dim-label");
      return;
    }
  g_free (self->check_text);
  self->check_text = g_steal_pointer (&answer);
  if (g_str_equal (self->check_text, "OK"))
    show_check (self, _("OK: the formula reads its parameters and computes"), "success");
  else
    show_check (self, self->check_text, "error");
}

static gboolean
check_cb (gpointer data)
{
  DcFormulaEditor *self = data;
  g_autoptr(JsonObject) object = NULL;

  self->check_id = 0;
  if (*gtk_editable_get_text (GTK_EDITABLE (self->expression_entry)) == '\0')
    {
      g_free (self->check_text);
      self->check_text = g_strdup ("");
      show_check (self, _("Type an expression, such as p1[-1] * 2."), "dim-label");
      return G_SOURCE_REMOVE;
    }
  object = build_object (self, TRUE);
  self->check_cancellable = g_cancellable_new ();
  /* The window outlives the check: dispose cancels it before the window goes. */
  dc_plant_source_formula_check_async (self->source, object, self->check_cancellable,
                                       check_ready_cb, self);
  return G_SOURCE_REMOVE;
}

/* Something the check reads changed: ask again after a pause in typing. */
static void
schedule_check (DcFormulaEditor *self)
{
  if (self->check_cancellable != NULL)
    {
      g_cancellable_cancel (self->check_cancellable);
      g_clear_object (&self->check_cancellable);
    }
  g_clear_pointer (&self->check_text, g_free);
  show_check (self, _("Checking…"), "dim-label");
  g_clear_handle_id (&self->check_id, g_source_remove);
  self->check_id = g_timeout_add (CHECK_DELAY_MS, check_cb, self);
}

/* Points --------------------------------------------------------------------------------- */

/* "Feeder 1 › ca1 › Breaker (sub1:ca1:brk)" for every point of the plant, in the tree's order;
 * only those on formula devices when @formula_only. */
static GtkStringList *
point_list (DcFormulaEditor *self,
            gboolean         formula_only,
            GPtrArray       *ids)
{
  GtkStringList *list = gtk_string_list_new (NULL);
  GListModel *devices = dc_plant_model_get_devices (self->plant);

  for (guint i = 0; i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr(DcDeviceNode) device = g_list_model_get_item (devices, i);
      GListModel *points = dc_device_node_get_points (device);
      const char *device_name = dc_device_node_get_name (device);

      if (formula_only && g_strcmp0 (dc_device_node_get_protocol (device), "formula") != 0)
        continue;
      for (guint j = 0; points != NULL && j < g_list_model_get_n_items (points); j++)
        {
          g_autoptr(DcPointRow) row = g_list_model_get_item (points, j);
          g_autofree char *id = g_strdup_printf ("%s:%s:%s", dc_point_row_get_device_id (row),
                                                 dc_point_row_get_term_id (row),
                                                 dc_point_row_get_item_id (row));
          const char *name = dc_point_row_get_name (row);
          g_autofree char *label = g_strdup_printf ("%s › %s › %s (%s)",
                                                    device_name && *device_name
                                                    ? device_name : dc_point_row_get_device_id (row),
                                                    dc_point_row_get_term_id (row),
                                                    name && *name ? name : dc_point_row_get_item_id (row),
                                                    id);

          gtk_string_list_append (list, label);
          g_ptr_array_add (ids, g_steal_pointer (&id));
        }
    }
  return list;
}

static guint
index_of (GPtrArray  *ids,
          const char *id)
{
  for (guint i = 0; id != NULL && i < ids->len; i++)
    if (g_str_equal (g_ptr_array_index (ids, i), id))
      return i;
  return GTK_INVALID_LIST_POSITION;
}

static void
set_model (GtkDropDown   *dropdown,
           GtkStringList *list)
{
  g_autoptr(GtkExpression) expression =
    gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string");

  gtk_drop_down_set_expression (dropdown, expression);
  gtk_drop_down_set_model (dropdown, G_LIST_MODEL (list));
}

/* Parameters ----------------------------------------------------------------------------- */

static void
remove_param_cb (GtkButton       *button,
                 DcFormulaEditor *self)
{
  for (guint i = 0; i < self->params->len; i++)
    {
      Param *param = g_ptr_array_index (self->params, i);

      if (gtk_widget_is_ancestor (GTK_WIDGET (button), GTK_WIDGET (param->row)))
        {
          adw_preferences_group_remove (self->params_group, GTK_WIDGET (param->row));
          g_ptr_array_remove_index (self->params, i);
          schedule_check (self);
          return;
        }
    }
}

/* "p2[-1]" into the expression at the cursor. */
static void
insert_param_cb (GtkButton       *button,
                 DcFormulaEditor *self)
{
  const char *name = g_object_get_data (G_OBJECT (button), "dc-param");
  g_autofree char *text = g_strdup_printf ("%s[-1]", name);
  int position = gtk_editable_get_position (GTK_EDITABLE (self->expression_entry));

  gtk_editable_insert_text (GTK_EDITABLE (self->expression_entry), text, -1, &position);
  gtk_editable_set_position (GTK_EDITABLE (self->expression_entry), position);
  gtk_widget_grab_focus (GTK_WIDGET (self->expression_entry));
}

static const char *
point_label (DcFormulaEditor *self,
             const char      *point)
{
  guint i = index_of (self->picker_points, point);
  GListModel *model = gtk_drop_down_get_model (self->picker);

  if (i == GTK_INVALID_LIST_POSITION || model == NULL)
    return point;
  return gtk_string_list_get_string (GTK_STRING_LIST (model), i);
}

static Param *
add_param (DcFormulaEditor *self,
           guint            number,
           const char      *point)
{
  Param *param = g_new0 (Param, 1);
  g_autofree char *name = g_strdup_printf ("p%u", number);
  g_autofree char *insert_tip = g_strdup_printf (_("Insert %s[-1] into the expression"), name);
  GtkWidget *insert, *remove;
  guint at = 0;

  param->number = number;
  g_snprintf (param->name, sizeof param->name, "p%u", number);
  param->point = g_strdup (point);
  param->row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (param->row), name);
  adw_action_row_set_subtitle (param->row, point_label (self, point));

  insert = gtk_button_new_from_icon_name ("list-add-symbolic");
  gtk_widget_set_valign (insert, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (insert, insert_tip);
  gtk_widget_add_css_class (insert, "flat");
  g_object_set_data_full (G_OBJECT (insert), "dc-param", g_strdup (name), g_free);
  g_signal_connect (insert, "clicked", G_CALLBACK (insert_param_cb), self);
  adw_action_row_add_suffix (param->row, insert);

  remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (remove, _("Remove this parameter"));
  gtk_widget_add_css_class (remove, "flat");
  g_signal_connect (remove, "clicked", G_CALLBACK (remove_param_cb), self);
  adw_action_row_add_suffix (param->row, remove);

  /* Kept in number order; rows are appended, so a gap filled shows at the end. */
  while (at < self->params->len && ((Param *) g_ptr_array_index (self->params, at))->number < number)
    at++;
  g_ptr_array_insert (self->params, at, param);
  adw_preferences_group_add (self->params_group, GTK_WIDGET (param->row));
  return param;
}

/* The lowest free N of pN. */
static guint
free_number (DcFormulaEditor *self)
{
  guint n = 1;

  for (guint i = 0; i < self->params->len; i++)
    if (((Param *) g_ptr_array_index (self->params, i))->number == n)
      n++;
  return n;
}

static void
add_parameter_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  DcFormulaEditor *self = DC_FORMULA_EDITOR (widget);
  guint selected = gtk_drop_down_get_selected (self->picker);

  if (selected == GTK_INVALID_LIST_POSITION || selected >= self->picker_points->len)
    return;
  add_param (self, free_number (self), g_ptr_array_index (self->picker_points, selected));
  schedule_check (self);
}

/* Saving --------------------------------------------------------------------------------- */

static void
show_error (DcFormulaEditor *self,
            const char      *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
  gtk_label_set_label (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
save_failed_cb (GtkWindow    *window,
                const GError *error)
{
  show_error (DC_FORMULA_EDITOR (window), error->message);
}

gboolean
dc_formula_editor_save (DcFormulaEditor *self)
{
  g_autoptr(JsonObject) object = NULL;

  g_return_val_if_fail (DC_IS_FORMULA_EDITOR (self), FALSE);

  if (dc_dialog_is_saving (GTK_WINDOW (self)))
    return FALSE;
  show_error (self, NULL);
  object = build_object (self, FALSE);
  /* A formula is replaced whole (PUT), or created (POST): the server checks it. */
  return dc_dialog_save (GTK_WINDOW (self), self->source, DC_KIND_FORMULA, self->formula_id,
                         object, gtk_editable_get_text (GTK_EDITABLE (self->id_entry)),
                         save_failed_cb);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  dc_formula_editor_save (DC_FORMULA_EDITOR (widget));
}

/* The class ------------------------------------------------------------------------------ */

static void
dc_formula_editor_dispose (GObject *object)
{
  DcFormulaEditor *self = DC_FORMULA_EDITOR (object);

  g_clear_handle_id (&self->check_id, g_source_remove);
  if (self->check_cancellable != NULL)
    g_cancellable_cancel (self->check_cancellable);
  g_clear_object (&self->check_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (object), DC_TYPE_FORMULA_EDITOR);

  G_OBJECT_CLASS (dc_formula_editor_parent_class)->dispose (object);
}

static void
dc_formula_editor_finalize (GObject *object)
{
  DcFormulaEditor *self = DC_FORMULA_EDITOR (object);

  g_clear_object (&self->source);
  g_clear_object (&self->plant);
  g_free (self->formula_id);
  g_ptr_array_unref (self->result_points);
  g_ptr_array_unref (self->picker_points);
  g_ptr_array_unref (self->params);
  g_free (self->check_text);
  g_free (self->error);

  G_OBJECT_CLASS (dc_formula_editor_parent_class)->finalize (object);
}

static void
dc_formula_editor_class_init (DcFormulaEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  dc_ui_ensure_resources ();

  object_class->dispose = dc_formula_editor_dispose;
  object_class->finalize = dc_formula_editor_finalize;

  signals[SIGNAL_SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/datacoll/DataColl/ui/dc-formula-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, DcFormulaEditor, window_title);
  gtk_widget_class_bind_template_child (widget_class, DcFormulaEditor, error_label);
  gtk_widget_class_bind_template_child (widget_class, DcFormulaEditor, id_entry);
  gtk_widget_class_bind_template_child (widget_class, DcFormulaEditor, result_dropdown);
  gtk_widget_class_bind_template_child (widget_class, DcFormulaEditor, expression_entry);
  gtk_widget_class_bind_template_child (widget_class, DcFormulaEditor, check_label);
  gtk_widget_class_bind_template_child (widget_class, DcFormulaEditor, params_group);
  gtk_widget_class_bind_template_child (widget_class, DcFormulaEditor, picker);
  gtk_widget_class_install_action (widget_class, "formula.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "formula.add-parameter", NULL,
                                   add_parameter_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
dc_formula_editor_init (DcFormulaEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->result_points = g_ptr_array_new_with_free_func (g_free);
  self->picker_points = g_ptr_array_new_with_free_func (g_free);
  self->params = g_ptr_array_new_with_free_func ((GDestroyNotify) param_free);
  g_signal_connect_swapped (self->expression_entry, "changed", G_CALLBACK (schedule_check), self);
}

/* Public --------------------------------------------------------------------------------- */

static int
compare_params (gconstpointer a,
                gconstpointer b)
{
  guint x = atoi (*(const char * const *) a + 1);
  guint y = atoi (*(const char * const *) b + 1);

  return x < y ? -1 : x > y;
}

/* A formula's pN members, in number order. */
static GPtrArray *
param_names (JsonObject *formula)
{
  g_autoptr(GList) members = json_object_get_members (formula);
  GPtrArray *names = g_ptr_array_new ();

  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;

      if (name[0] == 'p' && name[1] != '\0' && strspn (name + 1, "0123456789") == strlen (name + 1) &&
          strlen (name) < 8)
        g_ptr_array_add (names, (gpointer) name);
    }
  g_ptr_array_sort (names, compare_params);
  return names;
}

DcFormulaEditor *
dc_formula_editor_new (GtkWindow     *parent,
                       DcPlantSource *source,
                       DcPlantModel  *plant,
                       const char    *formula_id,
                       const char    *result_point)
{
  g_autoptr(JsonObject) formula = NULL;
  g_autofree char *result = NULL;
  DcFormulaEditor *self;
  GtkStringList *list;

  g_return_val_if_fail (DC_IS_PLANT_SOURCE (source), NULL);
  g_return_val_if_fail (DC_IS_PLANT_MODEL (plant), NULL);

  if (formula_id != NULL)
    {
      formula = dc_plant_source_get (source, DC_KIND_FORMULA, formula_id);
      if (formula == NULL)
        return NULL;
    }

  self = g_object_new (DC_TYPE_FORMULA_EDITOR, "transient-for", parent, NULL);
  self->source = g_object_ref (source);
  self->plant = g_object_ref (plant);
  self->formula_id = g_strdup (formula_id);

  list = point_list (self, FALSE, self->picker_points);
  set_model (self->picker, list);
  g_object_unref (list);
  list = point_list (self, TRUE, self->result_points);

  if (formula != NULL)
    {
      g_autoptr(GPtrArray) names = param_names (formula);

      result = g_strdup_printf ("%s:%s:%s",
                                json_object_get_string_member_with_default (formula, "device_id", ""),
                                json_object_get_string_member_with_default (formula, "term_id", ""),
                                json_object_get_string_member_with_default (formula, "item_id", ""));
      gtk_editable_set_text (GTK_EDITABLE (self->id_entry), formula_id);
      gtk_editable_set_text (GTK_EDITABLE (self->expression_entry),
                             json_object_get_string_member_with_default (formula, "formula", ""));
      for (guint i = 0; i < names->len; i++)
        {
          const char *name = g_ptr_array_index (names, i);

          add_param (self, atoi (name + 1),
                     json_object_get_string_member_with_default (formula, name, ""));
        }
    }
  else
    result = g_strdup (result_point);

  /* A stored result that is not (or no longer) on a formula device is still shown. */
  if (result != NULL && index_of (self->result_points, result) == GTK_INVALID_LIST_POSITION &&
      formula != NULL)
    {
      gtk_string_list_append (list, result);
      g_ptr_array_add (self->result_points, g_strdup (result));
    }
  set_model (self->result_dropdown, list);
  g_object_unref (list);
  if (index_of (self->result_points, result) != GTK_INVALID_LIST_POSITION)
    gtk_drop_down_set_selected (self->result_dropdown, index_of (self->result_points, result));

  adw_window_title_set_title (self->window_title,
                              formula != NULL ? _("Edit Formula") : _("Add Formula"));
  if (formula_id != NULL)
    adw_window_title_set_subtitle (self->window_title, formula_id);
  schedule_check (self);
  return self;
}

char *
dc_formula_editor_find_formula (DcPlantSource *source,
                                const char    *device_id,
                                const char    *term_id,
                                const char    *item_id)
{
  g_autoptr(GPtrArray) ids = NULL;

  g_return_val_if_fail (DC_IS_PLANT_SOURCE (source), NULL);

  ids = dc_plant_source_list_ids (source, DC_KIND_FORMULA);
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(JsonObject) formula = dc_plant_source_get (source, DC_KIND_FORMULA,
                                                           g_ptr_array_index (ids, i));

      if (formula != NULL &&
          g_strcmp0 (json_object_get_string_member_with_default (formula, "device_id", NULL), device_id) == 0 &&
          g_strcmp0 (json_object_get_string_member_with_default (formula, "term_id", NULL), term_id) == 0 &&
          g_strcmp0 (json_object_get_string_member_with_default (formula, "item_id", NULL), item_id) == 0)
        return g_strdup (g_ptr_array_index (ids, i));
    }
  return NULL;
}

void
dc_formula_editor_set_id (DcFormulaEditor *self,
                          const char      *id)
{
  g_return_if_fail (DC_IS_FORMULA_EDITOR (self));
  gtk_editable_set_text (GTK_EDITABLE (self->id_entry), id ? id : "");
}

void
dc_formula_editor_set_expression (DcFormulaEditor *self,
                                  const char      *expression)
{
  g_return_if_fail (DC_IS_FORMULA_EDITOR (self));
  gtk_editable_set_text (GTK_EDITABLE (self->expression_entry), expression ? expression : "");
}

const char *
dc_formula_editor_get_expression (DcFormulaEditor *self)
{
  g_return_val_if_fail (DC_IS_FORMULA_EDITOR (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->expression_entry));
}

gboolean
dc_formula_editor_set_result (DcFormulaEditor *self,
                              const char      *point)
{
  guint i;

  g_return_val_if_fail (DC_IS_FORMULA_EDITOR (self), FALSE);

  i = index_of (self->result_points, point);
  if (i == GTK_INVALID_LIST_POSITION)
    return FALSE;
  gtk_drop_down_set_selected (self->result_dropdown, i);
  return TRUE;
}

const char *
dc_formula_editor_add_parameter (DcFormulaEditor *self,
                                 const char      *point)
{
  char name[16];
  Param *param;
  guint i;

  g_return_val_if_fail (DC_IS_FORMULA_EDITOR (self), NULL);

  i = index_of (self->picker_points, point);
  if (i == GTK_INVALID_LIST_POSITION)
    return NULL;
  gtk_drop_down_set_selected (self->picker, i);
  g_snprintf (name, sizeof name, "p%u", free_number (self));
  gtk_widget_activate_action (GTK_WIDGET (self), "formula.add-parameter", NULL);
  param = find_param (self, name);
  return param ? param->name : NULL;
}

guint
dc_formula_editor_get_n_parameters (DcFormulaEditor *self)
{
  g_return_val_if_fail (DC_IS_FORMULA_EDITOR (self), 0);
  return self->params->len;
}

const char *
dc_formula_editor_get_parameter (DcFormulaEditor *self,
                                 const char      *name)
{
  Param *param;

  g_return_val_if_fail (DC_IS_FORMULA_EDITOR (self), NULL);
  param = find_param (self, name);
  return param ? param->point : NULL;
}

const char *
dc_formula_editor_get_check_text (DcFormulaEditor *self)
{
  g_return_val_if_fail (DC_IS_FORMULA_EDITOR (self), NULL);
  return self->check_text;
}

const char *
dc_formula_editor_get_error (DcFormulaEditor *self)
{
  g_return_val_if_fail (DC_IS_FORMULA_EDITOR (self), NULL);
  return self->error;
}
