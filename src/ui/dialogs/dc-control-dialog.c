/* dc-control-dialog.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-control-dialog"

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include <glib/gi18n.h>

#include "dc-control-dialog.h"
#include "dc-control-recent.h"
#include "dc-error.h"
#include "dc-number.h"
#include "dc-protocol.h"
#include "dc-states.h"
#include "dc-ui.h"

#define N_RECENT 10

typedef struct
{
  gboolean      possible;
  char         *type_text;     /* "C_SC_NA_1 (45)", "hr:u16", … */
  /* A choice (single/double/regulating step commands, coils): labels in words … */
  double        choice_values[2];
  char         *choice_labels[2];
  guint         n_choices;
  /* … or a number in [min, max] (engineering units), integer when @integer. */
  double        min;
  double        max;
  gboolean      integer;
  /* The point that reports the commanded device's state (docs/model.md `feedback`):
   * "term_id:item_id", or an item id of the command point's term; NULL for none. */
  char         *feedback;
} ControlKind;

struct _DcControlDialog
{
  AdwWindow        parent_instance;

  /* Template children */
  AdwWindowTitle  *window_title;
  GtkButton       *send_button;
  AdwActionRow    *point_row;
  AdwActionRow    *address_row;
  AdwActionRow    *current_row;
  AdwPreferencesGroup *command_group;
  AdwActionRow    *value_row;
  GtkStack        *value_stack;
  GtkDropDown     *choice_dropdown;
  GtkEntry        *number_entry;
  GtkLabel        *value_error;
  GtkCheckButton  *confirm_check;
  AdwPreferencesGroup *progress_group;
  GtkListBox      *steps_list;
  GtkLabel        *result_label;
  GtkListBox      *recent_list;

  /* Owned */
  DcPlantSource   *source;
  DcPointRow      *row;
  DcPointRow      *feedback;   /* the state's point when the command point has none */
  DcPlantModel    *plant;
  char            *device_id;
  char            *device_name;
  ControlKind      kind;
  GCancellable    *cancellable;
  GPtrArray       *steps;
  char            *result;
  char            *value_error_text;
  gboolean         running;
  gboolean         done;
};

enum {
  SIGNAL_STEP,
  SIGNAL_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DcControlDialog, dc_control_dialog, ADW_TYPE_WINDOW)

/* "Open" for the state text "open": a choice is a button-like label. */
static char *
capitalize (const char *text)
{
  gunichar first = g_utf8_get_char (text);
  char buf[8] = { 0 };

  g_unichar_to_utf8 (g_unichar_totitle (first), buf);
  return g_strconcat (buf, g_utf8_next_char (text), NULL);
}

/* The two choices of a single or double command in the words of the point's states
 * (docs/model.md "State texts"): "Open" / "Closed", else "Off" / "On". */
static void
set_state_choices (ControlKind        *kind,
                   JsonObject         *point,
                   DcProtocolValueKind value_kind,
                   double              off,
                   double              on)
{
  JsonNode *node = json_object_get_member (point, "states");
  JsonObject *states = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node)
                                                                   : NULL;

  kind->n_choices = 2;
  kind->choice_values[0] = off;
  kind->choice_values[1] = on;
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *text = dc_states_text (states, value_kind, kind->choice_values[i]);

      kind->choice_labels[i] = capitalize (text != NULL ? text : "?");
    }
}

static void
scale_range (ControlKind *kind,
             double       raw_min,
             double       raw_max,
             double       coefficient,
             double       base)
{
  double a = raw_min * coefficient + base;
  double b = raw_max * coefficient + base;

  kind->min = MIN (a, b);
  kind->max = MAX (a, b);
}

static void
control_kind_clear (ControlKind *kind)
{
  g_clear_pointer (&kind->type_text, g_free);
  g_clear_pointer (&kind->feedback, g_free);
  g_clear_pointer (&kind->choice_labels[0], g_free);
  g_clear_pointer (&kind->choice_labels[1], g_free);
}

static gboolean
control_kind_for (DcPlantSource *source,
                  DcPointRow    *row,
                  ControlKind   *kind,
                  char         **device_name)
{
  g_autoptr(JsonObject) device = NULL;
  g_autoptr(JsonObject) point = NULL;
  const char *protocol;
  const DcProtocol *descriptor;
  DcProtocolControl control = { 0 };
  double coefficient, base;

  memset (kind, 0, sizeof *kind);
  kind->min = -INFINITY;
  kind->max = INFINITY;
  device = dc_plant_source_get (source, DC_KIND_DEVICE, dc_point_row_get_device_id (row));
  point = dc_plant_source_get (source, DC_KIND_POINT, dc_point_row_get_point_id (row));
  if (device == NULL || point == NULL)
    return FALSE;
  if (device_name != NULL)
    *device_name = g_strdup (json_object_get_string_member_with_default (device, "name",
                                                                         dc_point_row_get_device_id (row)));
  protocol = json_object_get_string_member_with_default (device, "protocol", "");
  {
    JsonNode *feedback = json_object_get_member (point, "feedback");

    if (feedback != NULL && JSON_NODE_HOLDS_VALUE (feedback) &&
        json_node_get_value_type (feedback) == G_TYPE_STRING &&
        json_node_get_string (feedback)[0] != '\0')
      kind->feedback = g_strdup (json_node_get_string (feedback));
  }
  coefficient = json_object_get_double_member_with_default (point, "coefficient", 1);
  base = json_object_get_double_member_with_default (point, "base_val", 0);

  descriptor = dc_protocol_lookup (protocol);
  if (descriptor == NULL || descriptor->control_info == NULL ||
      !descriptor->control_info (point, &control))
    return FALSE;

  /* The protocol tells the raw range; the dialog offers engineering values. */
  kind->possible = TRUE;
  kind->type_text = control.type_text;
  switch (control.kind)
    {
    case DC_PROTOCOL_CONTROL_SINGLE:
      set_state_choices (kind, point, DC_PROTOCOL_VALUE_SINGLE, 0, 1);
      break;
    case DC_PROTOCOL_CONTROL_DOUBLE:
      set_state_choices (kind, point, DC_PROTOCOL_VALUE_DOUBLE, 1, 2);
      break;
    case DC_PROTOCOL_CONTROL_STEP:
      kind->n_choices = 2;
      kind->choice_values[0] = 1;
      kind->choice_values[1] = 2;
      kind->choice_labels[0] = g_strdup (_("Lower"));
      kind->choice_labels[1] = g_strdup (_("Higher"));
      break;
    case DC_PROTOCOL_CONTROL_VALUE:
    default:
      if (isfinite (control.raw_min) && isfinite (control.raw_max))
        scale_range (kind, control.raw_min, control.raw_max, coefficient, base);
      kind->integer = control.integer && coefficient == 1 && base == floor (base);
      break;
    }
  return TRUE;
}

gboolean
dc_control_is_possible (DcPlantSource *source,
                        DcPointRow    *row)
{
  ControlKind kind;
  gboolean possible;

  if (source == NULL || row == NULL)
    return FALSE;
  possible = control_kind_for (source, row, &kind, NULL) && kind.possible;
  control_kind_clear (&kind);
  return possible;
}

/* Recent controls ------------------------------------------------------------------------- */

static void
refresh_recent (DcControlDialog *self)
{
  dc_control_fill_recent (self->recent_list,
                          self->plant != NULL ? dc_plant_model_get_audit_source (self->plant)
                                              : NULL,
                          self->plant, NULL, N_RECENT);
}

/* Value ----------------------------------------------------------------------------------- */

static void
update_send_sensitive (DcControlDialog *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->send_button),
                            self->kind.possible && !self->running && !self->done &&
                            self->value_error_text == NULL &&
                            gtk_check_button_get_active (self->confirm_check));
}

static void
show_value_error (DcControlDialog *self,
                  const char      *text)
{
  g_free (self->value_error_text);
  self->value_error_text = g_strdup (text);
  gtk_label_set_label (self->value_error, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->value_error), text != NULL);
  if (text != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->number_entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->number_entry), "error");
}

static gboolean
read_value (DcControlDialog *self,
            double          *value)
{
  const char *text;
  char *end = NULL;
  char buf_min[DC_NUMBER_BUF_SIZE], buf_max[DC_NUMBER_BUF_SIZE];

  if (self->kind.n_choices > 0)
    {
      guint i = gtk_drop_down_get_selected (self->choice_dropdown);

      if (i >= self->kind.n_choices)
        {
          show_value_error (self, _("Choose the value to send."));
          return FALSE;
        }
      *value = self->kind.choice_values[i];
      return TRUE;
    }

  text = gtk_editable_get_text (GTK_EDITABLE (self->number_entry));
  *value = g_ascii_strtod (text, &end);
  if (text[0] == '\0' || end == text || *end != '\0' || !isfinite (*value))
    {
      show_value_error (self, _("Enter a number (use a dot for decimals)."));
      return FALSE;
    }
  if (self->kind.integer && *value != floor (*value))
    {
      show_value_error (self, _("This command takes a whole number."));
      return FALSE;
    }
  if (*value < self->kind.min || *value > self->kind.max)
    {
      g_autofree char *msg = g_strdup_printf (_("The value must be between %s and %s."),
                                              dc_number_format_buf (buf_min, sizeof buf_min, self->kind.min, -1),
                                              dc_number_format_buf (buf_max, sizeof buf_max, self->kind.max, -1));

      show_value_error (self, msg);
      return FALSE;
    }
  return TRUE;
}

static void
value_changed_cb (DcControlDialog *self)
{
  double v;

  show_value_error (self, NULL);
  if (self->kind.n_choices == 0 && gtk_editable_get_text (GTK_EDITABLE (self->number_entry))[0] != '\0')
    read_value (self, &v);
  update_send_sensitive (self);
}

/* The point of @feedback ("term_id:item_id", or an item of @row's term) in @plant, or NULL. */
static DcPointRow *
lookup_feedback (DcPlantModel *plant,
                 DcPointRow   *row,
                 const char   *feedback)
{
  g_auto(GStrv) parts = NULL;

  if (plant == NULL || feedback == NULL)
    return NULL;
  parts = g_strsplit (feedback, ":", 2);
  if (parts[1] == NULL)
    return dc_plant_model_lookup_point_id (plant, dc_point_row_get_term_id (row), parts[0]);
  return dc_plant_model_lookup_point_id (plant, parts[0], parts[1]);
}

/* The state now in words: the command point's own value when it has one (a station that
 * answers at the command's address), else its feedback point's ("closed · good · 14:02:11 —
 * from F1 breaker"): a command point of a station with separate command addresses never
 * receives a value itself. */
static void
update_current (DcControlDialog *self)
{
  DcPointRow *shown = self->row;
  g_autofree char *quality = NULL;
  g_autofree char *subtitle = NULL;

  if (!dc_point_row_has_value (self->row) && self->feedback != NULL)
    shown = self->feedback;
  g_object_get (shown, "quality-text", &quality, NULL);
  if (shown != self->row)
    /* Translators: the state of the commanded device, read from its feedback point: "closed ·
     * good · 14:02:11 — from F1 breaker" */
    subtitle = g_strdup_printf (_("%s · %s · %s — from %s"), dc_point_row_get_value_text (shown),
                                quality ? quality : "", dc_point_row_get_time_text (shown),
                                dc_point_row_get_name (shown) ? dc_point_row_get_name (shown)
                                                              : dc_point_row_get_item_id (shown));
  else
    subtitle = g_strdup_printf ("%s · %s · %s", dc_point_row_get_value_text (shown),
                                quality ? quality : "", dc_point_row_get_time_text (shown));
  adw_action_row_set_subtitle (self->current_row, subtitle);
}

/* Steps ----------------------------------------------------------------------------------- */

static const char *
step_text (DcCtrlStep step)
{
  switch (step)
    {
    case DC_CTRL_STEP_SELECT_SENT: return _("Select sent");
    case DC_CTRL_STEP_SELECTED:    return _("Selected: the device confirmed the selection");
    case DC_CTRL_STEP_EXECUTE_SENT: return _("Execute sent");
    case DC_CTRL_STEP_CONFIRMED:   return _("Confirmed by the device");
    case DC_CTRL_STEP_TERMINATED:  return _("Terminated: the device finished the command");
    case DC_CTRL_STEP_FAILED:      return _("Failed");
    default:                       return "?";
    }
}

static void
add_step_row (DcControlDialog *self,
              const char      *icon_name,
              const char      *css,
              const char      *title,
              const char      *detail)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (icon_name);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *time = g_date_time_format (now, "%H:%M:%S");
  g_autofree char *subtitle = NULL;

  if (css != NULL)
    gtk_widget_add_css_class (icon, css);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  subtitle = detail && detail[0] ? g_strdup_printf ("%s · %s", time, detail) : g_strdup (time);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_list_box_append (self->steps_list, row);
  g_ptr_array_add (self->steps, g_strdup (title));
}

static void
progress_cb (DcCtrlStep  step,
             const char *detail,
             gpointer    user_data)
{
  DcControlDialog *self = user_data;

  if (self->done || self->steps_list == NULL)
    return;
  add_step_row (self, step == DC_CTRL_STEP_FAILED ? "dialog-error-symbolic" : "emblem-ok-symbolic",
                step == DC_CTRL_STEP_FAILED ? "error" : "success", step_text (step), detail);
  g_signal_emit (self, signals[SIGNAL_STEP], 0, (int) step, detail);
}

static char *
error_reason (const GError *error)
{
  if (g_error_matches (error, DC_ERROR, DC_ERROR_TIMEOUT))
    /* Translators: %s is the engine's error text */
    return g_strdup_printf (_("No answer in time — %s"), error->message);
  if (g_error_matches (error, DC_ERROR, DC_ERROR_REJECTED))
    return g_strdup_printf (_("Refused by the device — %s"), error->message);
  if (g_error_matches (error, DC_ERROR, DC_ERROR_OFFLINE))
    return g_strdup_printf (_("Not sent: the device is offline — %s"), error->message);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_strdup (_("Cancelled"));
  return g_strdup_printf (_("Not done — %s"), error->message);
}

static void
ctrl_ready_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(DcControlDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  DcSample sample = { 0 };
  gboolean ok;

  ok = dc_plant_source_control_finish (DC_PLANT_SOURCE (object), result, &sample.value, &error);
  self->running = FALSE;
  self->done = TRUE;
  g_free (self->result);
  if (ok)
    {
      g_autofree char *reported = dc_point_row_format_value (self->row, sample.value);

      /* Translators: %s is the value in words: "closed", "230.5 V" */
      self->result = g_strdup_printf (_("Confirmed: the device reports %s."), reported);
      gtk_widget_remove_css_class (GTK_WIDGET (self->result_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->result_label), "success");
    }
  else
    {
      self->result = error_reason (error);
      if (self->steps_list != NULL)
        add_step_row (self, "dialog-error-symbolic", "error", _("Failed"), error->message);
      gtk_widget_remove_css_class (GTK_WIDGET (self->result_label), "success");
      gtk_widget_add_css_class (GTK_WIDGET (self->result_label), "error");
    }
  if (self->result_label != NULL)  /* not disposed */
    {
      gtk_label_set_label (self->result_label, self->result);
      update_send_sensitive (self);
      refresh_recent (self);
    }
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0, ok, self->result);
}

gboolean
dc_control_dialog_send (DcControlDialog *self)
{
  double value;

  g_return_val_if_fail (DC_IS_CONTROL_DIALOG (self), FALSE);

  if (self->running || self->done || !self->kind.possible)
    return FALSE;
  show_value_error (self, NULL);
  if (!read_value (self, &value))
    return FALSE;
  if (!gtk_check_button_get_active (self->confirm_check))
    {
      show_value_error (self, _("Confirm the command first."));
      return FALSE;
    }

  self->running = TRUE;
  update_send_sensitive (self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->command_group), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_group), TRUE);
  gtk_label_set_label (self->result_label, _("Sending…"));
  /* The user is the source's: the desktop user here, the logged-in one on a server. */
  dc_plant_source_control_async (self->source,
                                 dc_point_row_get_device_id (self->row),
                                 dc_point_row_get_term_id (self->row),
                                 dc_point_row_get_item_id (self->row),
                                 value, progress_cb, self, self->cancellable,
                                 ctrl_ready_cb, g_object_ref (self));
  return TRUE;
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  dc_control_dialog_send (DC_CONTROL_DIALOG (widget));
}

/* GObject --------------------------------------------------------------------------------- */

static void
dc_control_dialog_dispose (GObject *object)
{
  DcControlDialog *self = DC_CONTROL_DIALOG (object);

  /* Closing the dialog does not cancel a control already on its way: the device decides and
   * the control record keeps the result. */
  if (self->row != NULL)
    g_signal_handlers_disconnect_by_data (self->row, self);
  if (self->feedback != NULL)
    g_signal_handlers_disconnect_by_data (self->feedback, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), DC_TYPE_CONTROL_DIALOG);
  g_clear_object (&self->row);
  g_clear_object (&self->feedback);
  g_clear_object (&self->source);
  g_clear_object (&self->plant);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (dc_control_dialog_parent_class)->dispose (object);
}

static void
dc_control_dialog_finalize (GObject *object)
{
  DcControlDialog *self = DC_CONTROL_DIALOG (object);

  control_kind_clear (&self->kind);
  g_clear_pointer (&self->steps, g_ptr_array_unref);
  g_free (self->device_id);
  g_free (self->device_name);
  g_free (self->result);
  g_free (self->value_error_text);

  G_OBJECT_CLASS (dc_control_dialog_parent_class)->finalize (object);
}

static void
dc_control_dialog_class_init (DcControlDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  dc_ui_ensure_resources ();

  object_class->dispose = dc_control_dialog_dispose;
  object_class->finalize = dc_control_dialog_finalize;

  signals[SIGNAL_STEP] =
    g_signal_new ("step", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);
  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_BOOLEAN, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/datacoll/DataColl/ui/dc-control-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, DcControlDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, DcControlDialog, send_button);
  gtk_widget_class_bind_template_child (widget_class, DcControlDialog, point_row);
  gtk_widget_class_bind_template_child (widget_class, DcControlDialog, address_row);
  gtk_widget_class_bind_template_child (widget_class, DcControlDialog, current_row);
  gtk_widget_class_bind_template_child (widget_class, DcControlDialog, command_group);
  gtk_widget_class_bind_template_child (widget_class, DcControlDialog, value_row);
  gtk_widget_class_bind_template_child (widget_class, DcControlDialog, value_stack);
  gtk_widget_class_bind_template_child (widget_class, DcControlDialog, choice_dropdown);
  gtk_widget_class_bind_template_child (widget_class, DcControlDialog, number_entry);
  gtk_widget_class_bind_template_child (widget_class, DcControlDialog, value_error);
  gtk_widget_class_bind_template_child (widget_class, DcControlDialog, confirm_check);
  gtk_widget_class_bind_template_child (widget_class, DcControlDialog, progress_group);
  gtk_widget_class_bind_template_child (widget_class, DcControlDialog, steps_list);
  gtk_widget_class_bind_template_child (widget_class, DcControlDialog, result_label);
  gtk_widget_class_bind_template_child (widget_class, DcControlDialog, recent_list);

  gtk_widget_class_install_action (widget_class, "control.send", NULL, send_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
dc_control_dialog_init (DcControlDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->steps = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect_object (self->confirm_check, "toggled", G_CALLBACK (update_send_sensitive),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->number_entry, "changed", G_CALLBACK (value_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->choice_dropdown, "notify::selected", G_CALLBACK (value_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->number_entry, "activate", G_CALLBACK (dc_control_dialog_send),
                           self, G_CONNECT_SWAPPED);
}

DcControlDialog *
dc_control_dialog_new (GtkWindow     *parent,
                       DcPlantSource *source,
                       DcPlantModel  *plant,
                       DcPointRow    *row)
{
  DcControlDialog *self;
  g_autofree char *ids = NULL;
  g_autofree char *address = NULL;
  g_autofree char *confirm = NULL;
  g_autofree char *range = NULL;

  g_return_val_if_fail (DC_IS_PLANT_SOURCE (source), NULL);
  g_return_val_if_fail (DC_IS_POINT_ROW (row), NULL);

  self = g_object_new (DC_TYPE_CONTROL_DIALOG, "transient-for", parent, NULL);
  self->source = g_object_ref (source);
  self->row = g_object_ref (row);
  g_set_object (&self->plant, plant);
  self->device_id = g_strdup (dc_point_row_get_device_id (row));
  control_kind_for (source, row, &self->kind, &self->device_name);

  adw_window_title_set_subtitle (self->window_title, dc_point_row_get_name (row));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->point_row), dc_point_row_get_name (row));
  ids = g_strdup_printf ("%s · %s:%s", self->device_name ? self->device_name : self->device_id,
                         dc_point_row_get_term_id (row), dc_point_row_get_item_id (row));
  adw_action_row_set_subtitle (self->point_row, ids);
  address = g_strdup_printf ("%s · %s", dc_point_row_get_address (row),
                             self->kind.type_text ? self->kind.type_text : _("no command type"));
  adw_action_row_set_subtitle (self->address_row, address);
  g_set_object (&self->feedback, lookup_feedback (plant, row, self->kind.feedback));
  update_current (self);
  g_signal_connect_object (row, "notify::value-text", G_CALLBACK (update_current), self,
                           G_CONNECT_SWAPPED);
  if (self->feedback != NULL)
    g_signal_connect_object (self->feedback, "notify::value-text", G_CALLBACK (update_current),
                             self, G_CONNECT_SWAPPED);

  if (self->kind.n_choices > 0)
    {
      GtkStringList *list = gtk_string_list_new (NULL);

      for (guint i = 0; i < self->kind.n_choices; i++)
        gtk_string_list_append (list, self->kind.choice_labels[i]);
      gtk_drop_down_set_model (self->choice_dropdown, G_LIST_MODEL (list));
      g_object_unref (list);
      gtk_stack_set_visible_child_name (self->value_stack, "choice");
    }
  else
    {
      char a[DC_NUMBER_BUF_SIZE], b[DC_NUMBER_BUF_SIZE];

      gtk_stack_set_visible_child_name (self->value_stack, "number");
      if (isfinite (self->kind.min) && isfinite (self->kind.max))
        range = g_strdup_printf (_("%s … %s %s"), dc_number_format_buf (a, sizeof a, self->kind.min, -1),
                                 dc_number_format_buf (b, sizeof b, self->kind.max, -1),
                                 dc_point_row_get_unit (row) ? dc_point_row_get_unit (row) : "");
      else
        range = g_strdup_printf (_("any number, %s"), dc_point_row_get_unit (row) ? dc_point_row_get_unit (row) : "");
      adw_action_row_set_subtitle (self->value_row, range);
    }
  if (!self->kind.possible)
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->command_group), FALSE);
      show_value_error (self, _("This point has no command type: it cannot be controlled."));
    }
  /* Translators: %s is the device name */
  confirm = g_strdup_printf (_("I have checked the point and the value: _send this command to %s"),
                             self->device_name ? self->device_name : self->device_id);
  gtk_check_button_set_label (self->confirm_check, confirm);
  refresh_recent (self);
  update_send_sensitive (self);
  return self;
}

void
dc_control_dialog_set_value (DcControlDialog *self,
                             double           value)
{
  g_return_if_fail (DC_IS_CONTROL_DIALOG (self));

  if (self->kind.n_choices > 0)
    {
      for (guint i = 0; i < self->kind.n_choices; i++)
        if (self->kind.choice_values[i] == value)
          gtk_drop_down_set_selected (self->choice_dropdown, i);
    }
  else
    {
      g_autofree char *text = dc_number_format (value, -1);

      gtk_editable_set_text (GTK_EDITABLE (self->number_entry), text);
    }
}

void
dc_control_dialog_set_confirmed (DcControlDialog *self,
                                 gboolean         confirmed)
{
  g_return_if_fail (DC_IS_CONTROL_DIALOG (self));
  gtk_check_button_set_active (self->confirm_check, confirmed);
}

const char *
dc_control_dialog_get_value_error (DcControlDialog *self)
{
  g_return_val_if_fail (DC_IS_CONTROL_DIALOG (self), NULL);
  return self->value_error_text;
}

GPtrArray *
dc_control_dialog_get_steps (DcControlDialog *self)
{
  g_return_val_if_fail (DC_IS_CONTROL_DIALOG (self), NULL);
  return self->steps;
}

const char *
dc_control_dialog_get_result (DcControlDialog *self)
{
  g_return_val_if_fail (DC_IS_CONTROL_DIALOG (self), NULL);
  return self->result ? self->result : "";
}

gboolean
dc_control_dialog_is_done (DcControlDialog *self)
{
  g_return_val_if_fail (DC_IS_CONTROL_DIALOG (self), FALSE);
  return self->done;
}

GListModel *
dc_control_dialog_get_choices (DcControlDialog *self)
{
  g_return_val_if_fail (DC_IS_CONTROL_DIALOG (self), NULL);
  return self->kind.n_choices > 0 ? gtk_drop_down_get_model (self->choice_dropdown) : NULL;
}

const char *
dc_control_dialog_get_current (DcControlDialog *self)
{
  g_return_val_if_fail (DC_IS_CONTROL_DIALOG (self), NULL);
  return adw_action_row_get_subtitle (self->current_row);
}

guint
dc_control_dialog_get_n_recent (DcControlDialog *self)
{
  g_return_val_if_fail (DC_IS_CONTROL_DIALOG (self), 0);
  return dc_control_recent_get_count (self->recent_list);
}
