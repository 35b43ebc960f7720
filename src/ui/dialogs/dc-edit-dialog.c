/* dc-edit-dialog.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-edit-dialog"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "dc-edit-dialog-private.h"

#include "dc-dialog-save.h"
#include "dc-error.h"
#include "dc-ui.h"

enum {
  SIGNAL_SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DcEditDialog, dc_edit_dialog, ADW_TYPE_WINDOW)

static void
clear_errors (DcEditDialog *self)
{
  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *f = g_ptr_array_index (self->fields, i);

      g_clear_pointer (&f->error, g_free);
      gtk_widget_remove_css_class (GTK_WIDGET (f->row), "error");
      {
        g_autofree char *hint = dc_edit_form_hint (f->spec);

        adw_action_row_set_subtitle (f->row, hint);
      }
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
      f = dc_edit_form_find_field (self, key);
      if (f == NULL && g_str_equal (key, "code_type"))
        {
          const DcProtocol *p = dc_protocol_lookup (dc_edit_form_current_protocol (self));

          if (p != NULL && p->code_type_field != NULL)
            f = dc_edit_form_find_field (self, p->code_type_field);
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

static void
save_failed_cb (GtkWindow    *window,
                const GError *error)
{
  show_error (DC_EDIT_DIALOG (window), error);
}

gboolean
dc_edit_dialog_save (DcEditDialog *self)
{
  g_autoptr(JsonObject) object = NULL;
  g_autofree char *saved_id = NULL;

  g_return_val_if_fail (DC_IS_EDIT_DIALOG (self), FALSE);

  if (dc_dialog_is_saving (GTK_WINDOW (self)))
    return FALSE;
  clear_errors (self);
  object = dc_edit_form_build_object (self);
  /* ::saved names an edited point by the id it had; anything else by its id now. */
  if (self->id != NULL && self->kind == DC_KIND_POINT)
    saved_id = g_strdup (self->id);
  else if (self->kind == DC_KIND_POINT)
    saved_id = g_strdup_printf ("%s:%s",
                                json_object_get_string_member_with_default (object, "term_id", ""),
                                json_object_get_string_member_with_default (object, "item_id", ""));
  else
    saved_id = g_strdup (json_object_get_string_member_with_default (object, "id", self->id));
  if (self->id != NULL && self->kind == DC_KIND_POINT)
    {
      json_object_remove_member (object, "term_id");
      json_object_remove_member (object, "item_id");
    }
  return dc_dialog_save (GTK_WINDOW (self), self->source, self->kind, self->id, object, saved_id,
                         save_failed_cb);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  dc_edit_dialog_save (DC_EDIT_DIALOG (widget));
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

  g_clear_object (&self->source);
  g_ptr_array_unref (self->fields);
  g_ptr_array_unref (self->groups);
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
  self->fields = g_ptr_array_new_with_free_func ((GDestroyNotify) dc_edit_form_field_free);
  self->groups = g_ptr_array_new ();
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

static DcEditDialog *
edit_dialog_new (GtkWindow     *parent,
                 DcPlantSource *source,
                 DcKind         kind)
{
  DcEditDialog *self = g_object_new (DC_TYPE_EDIT_DIALOG, "transient-for", parent, NULL);

  self->source = g_object_ref (source);
  self->kind = kind;
  return self;
}

DcEditDialog *
dc_edit_dialog_new_create (GtkWindow     *parent,
                           DcPlantSource *source,
                           DcKind         kind,
                           const char    *parent_id)
{
  DcEditDialog *self;

  g_return_val_if_fail (DC_IS_PLANT_SOURCE (source), NULL);

  self = edit_dialog_new (parent, source, kind);
  self->create = TRUE;
  self->parent_id = g_strdup (parent_id);
  dc_edit_form_load_protocol (self, parent_id, kind == DC_KIND_POINT);
  dc_edit_form_build (self);
  adw_window_title_set_title (self->window_title, kind_title (kind, TRUE));
  if (kind == DC_KIND_TERM && parent_id != NULL)
    dc_edit_form_set_text (dc_edit_form_find_field (self, "device_id"), parent_id);
  if (kind == DC_KIND_POINT && parent_id != NULL)
    dc_edit_form_set_text (dc_edit_form_find_field (self, "term_id"), parent_id);
  dc_edit_form_update_visibility (self);
  return self;
}

DcEditDialog *
dc_edit_dialog_new_edit (GtkWindow     *parent,
                         DcPlantSource *source,
                         DcKind         kind,
                         const char    *id,
                         gboolean       duplicate)
{
  DcEditDialog *self;
  g_autoptr(JsonObject) object = NULL;

  g_return_val_if_fail (DC_IS_PLANT_SOURCE (source), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  object = dc_plant_source_get (source, kind, id);
  if (object == NULL)
    return NULL;

  self = edit_dialog_new (parent, source, kind);
  if (!duplicate)
    self->id = g_strdup (id);
  if (kind == DC_KIND_POINT)
    dc_edit_form_load_protocol (self, json_object_get_string_member_with_default (object, "term_id", NULL), TRUE);
  else if (kind == DC_KIND_TERM)
    dc_edit_form_load_protocol (self, json_object_get_string_member_with_default (object, "device_id", NULL), FALSE);
  dc_edit_form_build (self);
  dc_edit_form_fill (self, object);
  if (duplicate)
    {
      Field *f = dc_edit_form_find_field (self, kind == DC_KIND_POINT ? "item_id" : "id");
      g_autofree char *copy = kind == DC_KIND_POINT ? g_strdup ("")
                                                    : g_strdup_printf ("%s-copy", id);

      dc_edit_form_set_text (f, copy);
      adw_window_title_set_title (self->window_title, _("Duplicate"));
    }
  else
    {
      adw_window_title_set_title (self->window_title, kind_title (kind, FALSE));
      if (kind == DC_KIND_POINT)
        {
          gtk_widget_set_sensitive (dc_edit_form_find_field (self, "term_id")->widget, FALSE);
          gtk_widget_set_sensitive (dc_edit_form_find_field (self, "item_id")->widget, FALSE);
        }
    }
  adw_window_title_set_subtitle (self->window_title, id);
  dc_edit_form_update_visibility (self);
  return self;
}

gboolean
dc_edit_dialog_set_field (DcEditDialog *self,
                          const char   *key,
                          const char   *text)
{
  Field *f;

  g_return_val_if_fail (DC_IS_EDIT_DIALOG (self), FALSE);

  f = dc_edit_form_find_field (self, key);
  if (f == NULL)
    return FALSE;
  dc_edit_form_set_text (f, text);
  return TRUE;
}

const char *
dc_edit_dialog_get_field_error (DcEditDialog *self,
                                const char   *key)
{
  Field *f;

  g_return_val_if_fail (DC_IS_EDIT_DIALOG (self), NULL);
  f = dc_edit_form_find_field (self, key);
  return f ? f->error : NULL;
}

const char *
dc_edit_dialog_get_error (DcEditDialog *self)
{
  g_return_val_if_fail (DC_IS_EDIT_DIALOG (self), NULL);
  return self->error;
}

const char *
dc_edit_dialog_get_field (DcEditDialog *self,
                          const char   *key)
{
  g_return_val_if_fail (DC_IS_EDIT_DIALOG (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  return dc_edit_form_get_text (key, self);
}
