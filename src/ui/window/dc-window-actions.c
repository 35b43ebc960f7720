/* dc-window-actions.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-window"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "dc-control-dialog.h"
#include "dc-control-recent.h"
#include "dc-edit-dialog.h"
#include "dc-formula-editor.h"
#include "dc-import-dialog.h"
#include "dc-point-id.h"
#include "dc-window-private.h"

/* The window's actions (docs/ui.md, "Window and actions"; docs/ui-editing.md):
 *
 *   win.toast (s)            shows a toast: how pages and widgets report to the operator
 *   win.search               Ctrl+F, the device tree's search
 *   win.copy-rest-address    the header's REST address to the clipboard
 *   win.traffic              Ctrl+Shift+T, the Traffic page
 *   win.control              "Control…" of the selected point (enabled for command points)
 *   win.add-device/-term/-item/-point   Ctrl+N (device), the "+" menu
 *   win.edit, win.duplicate, win.delete F2, the "+" menu; Delete in the tree and the table
 *   win.add-formula, win.edit-formula   the formula editor (new, or the selected point's)
 *   win.import, win.export-project, win.export-project-csv
 *
 * The Trend page's actions (win.trend, win.export-trend, trend.range) are in
 * dc-window-trend.c. */

/* The parts that do not go through the plant connection read the local engine (NULL on a
 * server's desk): the history of the delete dialog (docs/ui.md). */
static DcEngine *
get_engine (DcWindow *self)
{
  DcPlantSource *source = _dc_window_get_source (self);

  return source ? dc_plant_source_get_local_engine (source) : NULL;
}

static void
toast (DcWindow   *self,
       const char *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

void
_dc_window_refresh_recent (DcWindow *self)
{
  if (self->plant != NULL && self->device_id != NULL)
    dc_control_fill_recent (self->recent_list, dc_plant_model_get_audit_source (self->plant),
                            self->plant, self->device_id, 10);
}

static void
toast_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  toast ((DcWindow *) widget, g_variant_get_string (param, NULL));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  DcWindow *self = (DcWindow *) widget;

  _dc_window_show_devices (self);
  dc_device_tree_focus_search (self->device_tree);
}

static void
copy_rest_address_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *param)
{
  DcWindow *self = (DcWindow *) widget;
  g_autofree char *uri = NULL;

  if (self->rest_address == NULL)
    return;
  uri = g_strdup_printf ("http://%s/", self->rest_address);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), uri);
  toast (self, _("Server address copied"));
}

static void
traffic_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  DcWindow *self = (DcWindow *) widget;

  adw_view_stack_set_visible_child_name (self->view_stack, "traffic");
}

static void
control_finished_cb (DcWindow        *self,
                     gboolean         confirmed,
                     const char      *text,
                     DcControlDialog *dialog)
{
  _dc_window_refresh_recent (self);
}

static void
control_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  DcWindow *self = (DcWindow *) widget;
  DcPointRow *row = dc_point_table_get_selected (self->point_table);
  DcControlDialog *dialog;

  if (row == NULL || !_dc_window_is_connected (self))
    return;
  dialog = dc_control_dialog_new (GTK_WINDOW (self), _dc_window_get_source (self), self->plant,
                                  row);
  g_signal_connect_object (dialog, "finished", G_CALLBACK (control_finished_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* What edit/duplicate/delete act on: the selected point in the Points view, else the tree's
 * selection (device, term or point). */
static gboolean
get_target (DcWindow  *self,
            DcKind    *kind,
            char     **id)
{
  GObject *item = dc_device_tree_get_selected (self->device_tree);
  DcPointRow *row = dc_point_table_get_selected (self->point_table);

  if (row != NULL &&
      g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "points") == 0)
    item = G_OBJECT (row);
  if (item == NULL)
    return FALSE;
  if (DC_IS_POINT_ROW (item))
    {
      *kind = DC_KIND_POINT;
      *id = g_strdup_printf ("%s:%s", dc_point_row_get_term_id (DC_POINT_ROW (item)),
                             dc_point_row_get_item_id (DC_POINT_ROW (item)));
      return TRUE;
    }
  if (DC_IS_DEVICE_NODE (item))
    {
      DcDeviceNode *node = DC_DEVICE_NODE (item);

      *kind = dc_device_node_get_kind (node) == DC_NODE_DEVICE ? DC_KIND_DEVICE : DC_KIND_TERM;
      *id = g_strdup (dc_device_node_get_id (node));
      return TRUE;
    }
  return FALSE;
}

static void
present (GtkWidget *dialog)
{
  if (dialog != NULL)
    gtk_window_present (GTK_WINDOW (dialog));
}

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  DcWindow *self = (DcWindow *) widget;
  DcPlantSource *source = _dc_window_get_source (self);
  g_autofree char *id = NULL;
  const char *parent = NULL;
  DcKind kind = DC_KIND_DEVICE, target = DC_KIND_FORMULA;  /* formula: no selection */

  if (source == NULL)
    return;
  if (get_target (self, &target, &id))
    {
      /* A new term goes to the selected device, a new point to the selected term. */
      if (target == DC_KIND_POINT)
        *strchr (id, ':') = '\0';
      parent = id;
    }
  if (g_str_equal (action_name, "win.add-term"))
    {
      kind = DC_KIND_TERM;
      if (target == DC_KIND_TERM || target == DC_KIND_POINT)
        {
          DcDeviceNode *term = dc_plant_model_lookup_term (self->plant, id);

          parent = term ? dc_device_node_get_device_id (term) : NULL;
        }
    }
  else if (g_str_equal (action_name, "win.add-item"))
    kind = DC_KIND_ITEM;
  else if (g_str_equal (action_name, "win.add-point"))
    kind = DC_KIND_POINT;
  if (kind == DC_KIND_POINT && target == DC_KIND_DEVICE)
    {
      /* A new point on a device goes to its first term. */
      DcDeviceNode *device = dc_plant_model_lookup_device (self->plant, id);
      GListModel *terms = device ? G_LIST_MODEL (dc_device_node_get_children (device)) : NULL;
      g_autoptr(DcDeviceNode) first = terms && g_list_model_get_n_items (terms) > 0
                                      ? g_list_model_get_item (terms, 0) : NULL;

      parent = first ? dc_device_node_get_id (first) : NULL;
      present (GTK_WIDGET (dc_edit_dialog_new_create (GTK_WINDOW (self), source, kind, parent)));
      return;
    }
  present (GTK_WIDGET (dc_edit_dialog_new_create (GTK_WINDOW (self), source, kind,
                                                  kind == DC_KIND_DEVICE || kind == DC_KIND_ITEM
                                                  ? NULL : parent)));
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  DcWindow *self = (DcWindow *) widget;
  DcPlantSource *source = _dc_window_get_source (self);
  g_autofree char *id = NULL;
  DcKind kind;

  if (source == NULL || !get_target (self, &kind, &id))
    return;
  present (GTK_WIDGET (dc_edit_dialog_new_edit (GTK_WINDOW (self), source, kind, id,
                                                g_str_equal (action_name, "win.duplicate"))));
}

/* The formula editor (docs/ui-editing.md "Formulas"): a new formula, or the one computing the
 * selected point (a new one with that result when none does). */
static void
formula_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  DcWindow *self = (DcWindow *) widget;
  DcPlantSource *source = _dc_window_get_source (self);
  g_autofree char *id = NULL;
  g_autofree char *term = NULL;
  const char *item = NULL;
  g_autofree char *formula = NULL;
  g_autofree char *result = NULL;
  DcKind kind;

  if (source == NULL)
    return;
  if (g_str_equal (action_name, "win.edit-formula") && get_target (self, &kind, &id) &&
      kind == DC_KIND_POINT && dc_point_id_split (id, &term, &item))
    {
      DcPointRow *row = dc_plant_model_lookup_point_id (self->plant, term, item);

      if (row != NULL)
        {
          formula = dc_formula_editor_find_formula (source, dc_point_row_get_device_id (row),
                                                    term, item);
          result = g_strdup_printf ("%s:%s", dc_point_row_get_device_id (row), id);
        }
    }
  present (GTK_WIDGET (dc_formula_editor_new (GTK_WINDOW (self), source, self->plant, formula,
                                              result)));
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  DcWindow *self = (DcWindow *) widget;
  DcPlantSource *source = _dc_window_get_source (self);
  DcEngine *engine = get_engine (self);
  g_autofree char *id = NULL;
  DcKind kind;

  if (source == NULL || !get_target (self, &kind, &id))
    return;
  present (dc_delete_dialog_new (GTK_WINDOW (self), source, self->plant,
                                 engine ? dc_engine_get_history (engine) : NULL, kind, id));
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  DcWindow *self = (DcWindow *) widget;
  DcPlantSource *source = _dc_window_get_source (self);

  if (source == NULL)
    return;
  present (GTK_WIDGET (dc_import_dialog_new (GTK_WINDOW (self), source)));
}

typedef struct
{
  DcWindow *self;
  gboolean  csv;
  GFile    *file;
} ExportData;

static void
export_data_free (ExportData *data)
{
  g_object_unref (data->self);
  g_clear_object (&data->file);
  g_free (data);
}

/* The project read through the plant connection (the store, or the server's
 * GET /api/v1/project), then written. */
static void
export_ready_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ExportData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) project = dc_plant_source_export_finish (DC_PLANT_SOURCE (object), result,
                                                                 &error);
  gboolean ok = project != NULL &&
                (data->csv ? dc_project_export_csv (project, data->file, &error)
                           : dc_project_export_json (project, data->file, &error));

  if (ok)
    toast (data->self, _("Configuration exported"));
  else
    {
      g_autofree char *msg = g_strdup_printf (_("Could not export: %s"), error->message);

      toast (data->self, msg);
    }
  export_data_free (data);
}

static void
export_response_cb (GtkNativeDialog *native,
                    int              response,
                    ExportData      *data)
{
  DcPlantSource *source = _dc_window_get_source (data->self);

  if (response == GTK_RESPONSE_ACCEPT && source != NULL)
    {
      data->file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      dc_plant_source_export_async (source, NULL, export_ready_cb, data);
    }
  else
    export_data_free (data);
  g_object_unref (native);
}

static void
export_project_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  DcWindow *self = (DcWindow *) widget;
  gboolean csv = g_str_equal (action_name, "win.export-project-csv");
  GtkFileChooserNative *native;
  ExportData *data;

  native = gtk_file_chooser_native_new (csv ? _("Export as CSV Files (choose a folder)")
                                            : _("Export Project"),
                                        GTK_WINDOW (self),
                                        csv ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER
                                            : GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Export"), _("_Cancel"));
  if (!csv)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), "datacoll-project.json");
  data = g_new0 (ExportData, 1);
  data->self = g_object_ref (self);
  data->csv = csv;
  g_signal_connect (native, "response", G_CALLBACK (export_response_cb), data);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

void
_dc_window_class_init_actions (GtkWidgetClass *widget_class)
{
  static const char * const adds[] = { "win.add-device", "win.add-term", "win.add-item",
                                       "win.add-point" };

  gtk_widget_class_install_action (widget_class, "win.toast", "s", toast_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.copy-rest-address", NULL,
                                   copy_rest_address_action);
  gtk_widget_class_install_action (widget_class, "win.traffic", NULL, traffic_action);
  gtk_widget_class_install_action (widget_class, "win.control", NULL, control_action);
  for (guint i = 0; i < G_N_ELEMENTS (adds); i++)
    gtk_widget_class_install_action (widget_class, adds[i], NULL, add_action);
  gtk_widget_class_install_action (widget_class, "win.edit", NULL, edit_action);
  gtk_widget_class_install_action (widget_class, "win.duplicate", NULL, edit_action);
  gtk_widget_class_install_action (widget_class, "win.delete", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "win.add-formula", NULL, formula_action);
  gtk_widget_class_install_action (widget_class, "win.edit-formula", NULL, formula_action);
  gtk_widget_class_install_action (widget_class, "win.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "win.export-project", NULL,
                                   export_project_action);
  gtk_widget_class_install_action (widget_class, "win.export-project-csv", NULL,
                                   export_project_action);

  /* Delete is bound in ui/dc-window.ui, on the tree and the table only. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.traffic", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "win.add-device", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F2, 0, "win.edit", NULL);
}
