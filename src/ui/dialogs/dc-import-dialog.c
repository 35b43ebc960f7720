/* dc-import-dialog.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-import-dialog"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "dc-csv.h"
#include "dc-error.h"
#include "dc-import-dialog.h"
#include "dc-json-util.h"
#include "dc-project.h"
#include "dc-ui.h"

static const DcKind project_kinds[] = {
  DC_KIND_DEVICE, DC_KIND_TERM, DC_KIND_ITEM, DC_KIND_POINT, DC_KIND_FORMULA,
};

struct _DcImportDialog
{
  AdwWindow       parent_instance;

  AdwWindowTitle *window_title;
  GtkButton      *apply_button;
  GtkLabel       *summary_label;
  GtkListBox     *rows_list;

  DcPlantSource  *source;
  GCancellable   *cancellable;
  gboolean        busy;
  gboolean        applying;
  JsonObject     *project;
  GPtrArray      *rows;
  char           *summary;
  guint           n_errors;
  guint           n_changes;
};

enum {
  SIGNAL_APPLIED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DcImportDialog, dc_import_dialog, ADW_TYPE_WINDOW)

static const char *
action_text (DcImportAction action)
{
  switch (action)
    {
    case DC_IMPORT_CREATE:    return _("create");
    case DC_IMPORT_UPDATE:    return _("change");
    case DC_IMPORT_UNCHANGED: return _("unchanged");
    case DC_IMPORT_ERROR:     return _("error");
    default:                  return "?";
    }
}

static const char *
action_icon (DcImportAction action)
{
  switch (action)
    {
    case DC_IMPORT_CREATE:    return "list-add-symbolic";
    case DC_IMPORT_UPDATE:    return "document-edit-symbolic";
    case DC_IMPORT_UNCHANGED: return "object-select-symbolic";
    case DC_IMPORT_ERROR:     return "dialog-error-symbolic";
    default:                  return NULL;
    }
}

static void
update_apply (DcImportDialog *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.apply",
                                 !self->busy && dc_import_dialog_can_apply (self));
}

static void
set_busy (DcImportDialog *self,
          gboolean        busy)
{
  self->busy = busy;
  if (busy)
    gtk_label_set_label (self->summary_label, _("Waiting for the answer…"));
  update_apply (self);
}

static void
show_preview (DcImportDialog *self)
{
  guint counts[DC_IMPORT_ERROR + 1] = { 0 };
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->rows_list))) != NULL)
    gtk_list_box_remove (self->rows_list, child);

  for (guint i = 0; self->rows != NULL && i < self->rows->len; i++)
    {
      DcImportRow *r = g_ptr_array_index (self->rows, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = gtk_image_new_from_icon_name (action_icon (r->action));
      GtkWidget *label = gtk_label_new (action_text (r->action));
      g_autofree char *title = NULL;

      counts[r->action]++;
      /* Translators: kind and id of an imported row, e.g. "device plc" */
      title = g_strdup_printf (_("%s %s"), dc_kind_to_string (r->kind), r->id ? r->id : "?");
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      if (r->error != NULL)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), r->error);
      if (r->action == DC_IMPORT_ERROR)
        {
          gtk_widget_add_css_class (icon, "error");
          gtk_widget_add_css_class (label, "error");
        }
      else if (r->action == DC_IMPORT_UNCHANGED)
        gtk_widget_add_css_class (label, "dim-label");
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
      gtk_list_box_append (self->rows_list, row);
    }
  self->n_errors = counts[DC_IMPORT_ERROR];
  self->n_changes = counts[DC_IMPORT_CREATE] + counts[DC_IMPORT_UPDATE];
  g_free (self->summary);
  /* Translators: the import preview's counts */
  self->summary = g_strdup_printf (_("%u to create, %u to change, %u unchanged, %u with errors"),
                                   counts[DC_IMPORT_CREATE], counts[DC_IMPORT_UPDATE],
                                   counts[DC_IMPORT_UNCHANGED], counts[DC_IMPORT_ERROR]);
  if (self->n_errors > 0)
    {
      g_autofree char *text = g_strdup_printf (_("%s — fix the errors in the files: nothing is imported while a row fails."),
                                               self->summary);

      gtk_label_set_label (self->summary_label, text);
    }
  else
    gtk_label_set_label (self->summary_label, self->summary);
  update_apply (self);
}

static gboolean
add_csv (JsonObject  *project,
         GFile       *file,
         GError     **error)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *contents = NULL;
  g_autoptr(JsonArray) rows = NULL;
  gsize len;

  for (guint i = 0; i < G_N_ELEMENTS (project_kinds); i++)
    {
      DcKind kind = project_kinds[i];

      if (g_strcmp0 (name, dc_csv_file_name (kind)) != 0)
        continue;
      if (!g_file_load_contents (file, NULL, &contents, &len, NULL, error))
        return FALSE;
      rows = dc_csv_read_rows (kind, contents, len, error);
      if (rows == NULL)
        {
          g_prefix_error (error, "%s: ", name);
          return FALSE;
        }
      json_object_set_array_member (project, dc_project_section_name (kind), g_steal_pointer (&rows));
      return TRUE;
    }
  g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
               _("%s: a CSV file must be named devices.csv, terms.csv, items.csv, points.csv or formulas.csv"),
               name);
  return FALSE;
}

/* The answer of a preview or of an apply. */
static void
import_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(DcImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean apply = self->applying;
  gboolean applied = FALSE;
  GPtrArray *rows = dc_plant_source_import_finish (DC_PLANT_SOURCE (object), result, &applied,
                                                   &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->busy = self->applying = FALSE;
  if (rows == NULL)
    {
      gtk_label_set_label (self->summary_label, error->message);
      update_apply (self);
      return;
    }
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  self->rows = rows;
  show_preview (self);
  if (!apply)
    return;
  if (!applied)
    {
      /* Something changed since the preview: the new preview says what. */
      g_autofree char *text = g_strdup_printf ("%s — %s", self->summary,
                                               _("rows failed: nothing was imported"));

      gtk_label_set_label (self->summary_label, text);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_APPLIED], 0);
  gtk_window_close (GTK_WINDOW (self));
}

gboolean
dc_import_dialog_load_files (DcImportDialog *self,
                             GFile         **files,
                             guint           n_files,
                             GError        **error)
{
  g_autoptr(JsonObject) project = json_object_new ();

  g_return_val_if_fail (DC_IS_IMPORT_DIALOG (self), FALSE);

  for (guint i = 0; i < n_files; i++)
    {
      g_autofree char *name = g_file_get_basename (files[i]);

      if (g_str_has_suffix (name, ".json"))
        {
          g_autoptr(JsonParser) parser = json_parser_new ();
          g_autofree char *contents = NULL;
          gsize length;
          JsonNode *root;

          if (!g_file_load_contents (files[i], NULL, &contents, &length, NULL, error))
            return FALSE;
          /* json-glib's parser has no depth limit: a deep file would crash it. */
          if (!dc_json_nesting_within (contents, length, DC_PROJECT_MAX_NESTING))
            {
              g_set_error (error, DC_ERROR, DC_ERROR_INVALID, _("%s nests too deeply"), name);
              return FALSE;
            }
          if (!json_parser_load_from_data (parser, contents, length, error))
            return FALSE;
          root = json_parser_get_root (parser);
          if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
            {
              g_set_error (error, DC_ERROR, DC_ERROR_INVALID, _("%s is not a project object"), name);
              return FALSE;
            }
          json_object_unref (project);
          project = json_object_ref (json_node_get_object (root));
        }
      else if (!add_csv (project, files[i], error))
        return FALSE;
    }

  g_clear_pointer (&self->project, json_object_unref);
  self->project = g_steal_pointer (&project);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->summary, g_free);
  self->n_errors = self->n_changes = 0;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  dc_plant_source_import_async (self->source, self->project, FALSE, self->cancellable,
                                import_done_cb, g_object_ref (self));
  return TRUE;
}

const char *
dc_import_dialog_get_summary (DcImportDialog *self)
{
  g_return_val_if_fail (DC_IS_IMPORT_DIALOG (self), NULL);
  return self->summary;
}

GPtrArray *
dc_import_dialog_get_rows (DcImportDialog *self)
{
  g_return_val_if_fail (DC_IS_IMPORT_DIALOG (self), NULL);
  return self->rows;
}

gboolean
dc_import_dialog_is_busy (DcImportDialog *self)
{
  g_return_val_if_fail (DC_IS_IMPORT_DIALOG (self), FALSE);
  return self->busy;
}

gboolean
dc_import_dialog_can_apply (DcImportDialog *self)
{
  g_return_val_if_fail (DC_IS_IMPORT_DIALOG (self), FALSE);
  return self->project != NULL && self->n_errors == 0 && self->n_changes > 0;
}

gboolean
dc_import_dialog_apply (DcImportDialog *self,
                        GError        **error)
{
  g_return_val_if_fail (DC_IS_IMPORT_DIALOG (self), FALSE);

  if (self->busy || !dc_import_dialog_can_apply (self))
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID, _("Nothing to import"));
      return FALSE;
    }
  set_busy (self, TRUE);
  self->applying = TRUE;
  dc_plant_source_import_async (self->source, self->project, TRUE, self->cancellable,
                                import_done_cb, g_object_ref (self));
  return TRUE;
}

static void
apply_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  DcImportDialog *self = DC_IMPORT_DIALOG (widget);
  g_autoptr(GError) error = NULL;

  if (!dc_import_dialog_apply (self, &error))
    gtk_label_set_label (self->summary_label, error->message);
}

static void
open_response_cb (GtkNativeDialog *native,
                  int              response,
                  gpointer         user_data)
{
  DcImportDialog *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (native));
      g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_object_unref);
      g_autoptr(GError) error = NULL;

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        g_ptr_array_add (list, g_list_model_get_item (files, i));
      if (!dc_import_dialog_load_files (self, (GFile **) list->pdata, list->len, &error))
        gtk_label_set_label (self->summary_label, error->message);
    }
  g_object_unref (native);
  g_object_unref (self);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  gboolean csv = g_str_equal (action_name, "import.open-csv");
  GtkFileChooserNative *native;
  GtkFileFilter *filter = gtk_file_filter_new ();

  native = gtk_file_chooser_native_new (csv ? _("Open CSV Files") : _("Open Project"),
                                        GTK_WINDOW (widget), GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Open"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (native), csv);
  gtk_file_filter_add_suffix (filter, csv ? "csv" : "json");
  gtk_file_filter_set_name (filter, csv ? _("CSV files") : _("Project files"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  g_object_unref (filter);
  g_signal_connect (native, "response", G_CALLBACK (open_response_cb), g_object_ref (widget));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
dc_import_dialog_dispose (GObject *object)
{
  DcImportDialog *self = DC_IMPORT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (object), DC_TYPE_IMPORT_DIALOG);
  G_OBJECT_CLASS (dc_import_dialog_parent_class)->dispose (object);
}

static void
dc_import_dialog_finalize (GObject *object)
{
  DcImportDialog *self = DC_IMPORT_DIALOG (object);

  g_clear_object (&self->source);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->project, json_object_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_free (self->summary);

  G_OBJECT_CLASS (dc_import_dialog_parent_class)->finalize (object);
}

static void
dc_import_dialog_class_init (DcImportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  dc_ui_ensure_resources ();

  object_class->dispose = dc_import_dialog_dispose;
  object_class->finalize = dc_import_dialog_finalize;

  signals[SIGNAL_APPLIED] =
    g_signal_new ("applied", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/datacoll/DataColl/ui/dc-import-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, DcImportDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, DcImportDialog, apply_button);
  gtk_widget_class_bind_template_child (widget_class, DcImportDialog, summary_label);
  gtk_widget_class_bind_template_child (widget_class, DcImportDialog, rows_list);
  gtk_widget_class_install_action (widget_class, "import.apply", NULL, apply_action);
  gtk_widget_class_install_action (widget_class, "import.open-json", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "import.open-csv", NULL, open_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
dc_import_dialog_init (DcImportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update_apply (self);
}

DcImportDialog *
dc_import_dialog_new (GtkWindow     *parent,
                      DcPlantSource *source)
{
  DcImportDialog *self;

  g_return_val_if_fail (DC_IS_PLANT_SOURCE (source), NULL);

  self = g_object_new (DC_TYPE_IMPORT_DIALOG, "transient-for", parent, NULL);
  self->source = g_object_ref (source);
  self->cancellable = g_cancellable_new ();
  /* A desk on a server says where the import goes. */
  if (!dc_plant_source_is_local (source))
    {
      /* Translators: the Import dialog's subtitle on a server's desk, e.g. "into 10.0.0.5:8080" */
      g_autofree char *where = g_strdup_printf (_("into %s"), dc_plant_source_get_location (source));

      adw_window_title_set_subtitle (self->window_title, where);
    }
  return self;
}

gboolean
dc_project_export_json (JsonObject  *project,
                        GFile       *file,
                        GError     **error)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *text = NULL;

  json_node_set_object (node, project);
  text = json_to_string (node, TRUE);
  return g_file_replace_contents (file, text, strlen (text), NULL, FALSE,
                                  G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, error);
}

gboolean
dc_project_export_csv (JsonObject  *project,
                       GFile       *folder,
                       GError     **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (project_kinds); i++)
    {
      DcKind kind = project_kinds[i];
      JsonArray *rows = json_object_get_array_member (project, dc_project_section_name (kind));
      g_autoptr(GFile) file = g_file_get_child (folder, dc_csv_file_name (kind));
      g_autofree char *csv = NULL;

      if (rows == NULL)
        continue;
      csv = dc_csv_write_rows (kind, rows);
      if (!g_file_replace_contents (file, csv, strlen (csv), NULL, FALSE,
                                    G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, error))
        return FALSE;
    }
  return TRUE;
}
