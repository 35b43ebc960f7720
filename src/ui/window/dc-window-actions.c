/* dc-workbench.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-workbench"

#include "config.h"

#include <glib/gi18n.h>

#include "dc-control-dialog.h"
#include "dc-edit-dialog.h"
#include "dc-import-dialog.h"
#include "dc-workbench.h"

typedef struct
{
  DcWindow       *window;          /* borrowed: the workbench lives as the window's data */
  DcTrafficView  *traffic;
  DcLinkCounters *counters;
  char           *device_id;
  GSimpleAction  *control;
  GtkWidget      *control_button;
  GtkListBox     *recent_list;
} Workbench;

#define WORKBENCH_KEY "dc-workbench"

static void
workbench_free (gpointer data)
{
  Workbench *wb = data;

  g_free (wb->device_id);
  g_clear_object (&wb->control);
  g_free (wb);
}

static Workbench *
get_workbench (DcWindow *window)
{
  return g_object_get_data (G_OBJECT (window), WORKBENCH_KEY);
}

static DcEngine *
get_engine (Workbench *wb)
{
  DcPlantModel *plant = dc_window_get_plant (wb->window);

  return plant ? dc_plant_model_get_engine (plant) : NULL;
}

static void
refresh_recent (Workbench *wb)
{
  DcEngine *engine = get_engine (wb);

  if (engine != NULL && wb->device_id != NULL)
    dc_control_fill_recent (wb->recent_list, dc_engine_get_store (engine), wb->device_id, 10);
}

static void
apply_device (Workbench *wb)
{
  DcEngine *engine = get_engine (wb);

  refresh_recent (wb);
  dc_traffic_view_set_source (wb->traffic, engine, wb->device_id);
  dc_link_counters_set_source (wb->counters, engine, wb->device_id);
}

static void
tree_selected_cb (DcDeviceTree *tree,
                  GParamSpec   *pspec,
                  Workbench    *wb)
{
  GObject *item = dc_device_tree_get_selected (tree);
  const char *device_id = NULL;

  if (item == NULL)
    return;
  if (DC_IS_DEVICE_NODE (item))
    {
      DcDeviceNode *node = DC_DEVICE_NODE (item);

      device_id = dc_device_node_get_kind (node) == DC_NODE_DEVICE ? dc_device_node_get_id (node)
                                                                  : dc_device_node_get_device_id (node);
    }
  else if (DC_IS_POINT_ROW (item))
    device_id = dc_point_row_get_device_id (DC_POINT_ROW (item));
  dc_workbench_set_device_id (wb->window, device_id);
}

static void
plant_changed_cb (DcWindow   *window,
                  GParamSpec *pspec,
                  Workbench  *wb)
{
  apply_device (wb);
}

static void
traffic_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  dc_window_set_view (DC_WINDOW (widget), "traffic");
}

static DcPointRow *
selected_point (Workbench *wb)
{
  return dc_point_table_get_selected (dc_window_get_point_table (wb->window));
}

static void
point_selected_cb (GObject    *table,
                   GParamSpec *pspec,
                   Workbench  *wb)
{
  g_simple_action_set_enabled (wb->control, dc_control_is_possible (get_engine (wb), selected_point (wb)));
}

static void
control_finished_cb (DcControlDialog *dialog,
                     gboolean         confirmed,
                     const char      *text,
                     DcWindow        *window)
{
  Workbench *wb = get_workbench (window);

  if (wb != NULL)
    refresh_recent (wb);
}

static void
control_activate_cb (GSimpleAction *action,
                     GVariant      *param,
                     Workbench     *wb)
{
  DcPointRow *row = selected_point (wb);
  DcControlDialog *dialog;

  if (row == NULL || get_engine (wb) == NULL)
    return;
  dialog = dc_control_dialog_new (GTK_WINDOW (wb->window), get_engine (wb), row);
  g_signal_connect_object (dialog, "finished", G_CALLBACK (control_finished_cb), wb->window, 0);
  g_object_set_data (G_OBJECT (wb->window), "dc-control-dialog", dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* What edit/duplicate/delete act on: the selected point in the Points view, else the tree's
 * selection (device, term or point). */
static gboolean
get_target (Workbench *wb,
            DcKind    *kind,
            char     **id)
{
  GObject *item = dc_device_tree_get_selected (dc_window_get_device_tree (wb->window));
  DcPointRow *row = selected_point (wb);
  AdwViewStack *stack = ADW_VIEW_STACK (gtk_widget_get_template_child (GTK_WIDGET (wb->window),
                                                                       DC_TYPE_WINDOW, "view_stack"));

  if (row != NULL && g_strcmp0 (adw_view_stack_get_visible_child_name (stack), "points") == 0)
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

static DcStore *
get_store (Workbench *wb)
{
  DcPlantModel *plant = dc_window_get_plant (wb->window);

  return plant ? dc_plant_model_get_store (plant) : NULL;
}

static void
present_edit (Workbench    *wb,
              DcEditDialog *dialog)
{
  if (dialog == NULL)
    return;
  g_object_set_data (G_OBJECT (wb->window), "dc-edit-dialog", dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
add_activate_cb (GSimpleAction *action,
                 GVariant      *param,
                 Workbench     *wb)
{
  const char *what = g_action_get_name (G_ACTION (action));
  DcStore *store = get_store (wb);
  g_autofree char *id = NULL;
  const char *parent = NULL;
  DcKind kind = DC_KIND_DEVICE, target = DC_KIND_FORMULA;  /* formula: no selection */

  if (store == NULL)
    return;
  if (get_target (wb, &target, &id))
    {
      /* A new term goes to the selected device, a new point to the selected term. */
      if (target == DC_KIND_POINT)
        *strchr (id, ':') = '\0';
      parent = id;
    }
  if (g_str_equal (what, "add-term"))
    {
      kind = DC_KIND_TERM;
      if (target == DC_KIND_TERM || target == DC_KIND_POINT)
        {
          DcDeviceNode *term = dc_plant_model_lookup_term (dc_window_get_plant (wb->window), id);

          parent = term ? dc_device_node_get_device_id (term) : NULL;
        }
    }
  else if (g_str_equal (what, "add-item"))
    kind = DC_KIND_ITEM;
  else if (g_str_equal (what, "add-point"))
    kind = DC_KIND_POINT;
  if (kind == DC_KIND_POINT && target == DC_KIND_DEVICE)
    {
      /* A new point on a device goes to its first term. */
      g_autoptr(GPtrArray) terms = dc_store_list_device_terms (store, id, NULL);

      parent = terms && terms->len > 0 ? g_ptr_array_index (terms, 0) : NULL;
      present_edit (wb, dc_edit_dialog_new_create (GTK_WINDOW (wb->window), store, kind, parent));
      return;
    }
  present_edit (wb, dc_edit_dialog_new_create (GTK_WINDOW (wb->window), store, kind,
                                               kind == DC_KIND_DEVICE || kind == DC_KIND_ITEM ? NULL : parent));
}

static void
edit_activate_cb (GSimpleAction *action,
                  GVariant      *param,
                  Workbench     *wb)
{
  DcStore *store = get_store (wb);
  g_autofree char *id = NULL;
  DcKind kind;

  if (store == NULL || !get_target (wb, &kind, &id))
    return;
  present_edit (wb, dc_edit_dialog_new_edit (GTK_WINDOW (wb->window), store, kind, id,
                                             g_str_equal (g_action_get_name (G_ACTION (action)), "duplicate")));
}

static void
delete_activate_cb (GSimpleAction *action,
                    GVariant      *param,
                    Workbench     *wb)
{
  DcStore *store = get_store (wb);
  DcEngine *engine = get_engine (wb);
  g_autofree char *id = NULL;
  GtkWidget *dialog;
  DcKind kind;

  if (store == NULL || !get_target (wb, &kind, &id))
    return;
  dialog = dc_delete_dialog_new (GTK_WINDOW (wb->window), store,
                                 engine ? dc_engine_get_history (engine) : NULL, kind, id);
  g_object_set_data (G_OBJECT (wb->window), "dc-delete-dialog", dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
import_activate_cb (GSimpleAction *action,
                    GVariant      *param,
                    Workbench     *wb)
{
  DcStore *store = get_store (wb);
  DcImportDialog *dialog;

  if (store == NULL)
    return;
  dialog = dc_import_dialog_new (GTK_WINDOW (wb->window), store);
  g_object_set_data (G_OBJECT (wb->window), "dc-import-dialog", dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
export_response_cb (GtkNativeDialog *native,
                    int              response,
                    Workbench       *wb)
{
  gboolean csv = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (native), "dc-csv"));
  DcStore *store = get_store (wb);

  if (response == GTK_RESPONSE_ACCEPT && store != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autoptr(GError) error = NULL;
      gboolean ok = csv ? dc_project_export_csv (store, file, &error)
                        : dc_project_export_json (store, file, &error);

      if (ok)
        dc_window_add_toast (wb->window, _("Configuration exported"));
      else
        {
          g_autofree char *msg = g_strdup_printf (_("Could not export: %s"), error->message);

          dc_window_add_toast (wb->window, msg);
        }
    }
  g_object_unref (native);
}

static void
export_activate_cb (GSimpleAction *action,
                    GVariant      *param,
                    Workbench     *wb)
{
  gboolean csv = g_str_equal (g_action_get_name (G_ACTION (action)), "export-csv");
  GtkFileChooserNative *native;

  native = gtk_file_chooser_native_new (csv ? _("Export as CSV Files (choose a folder)")
                                            : _("Export Project"),
                                        GTK_WINDOW (wb->window),
                                        csv ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER
                                            : GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Export"), _("_Cancel"));
  if (!csv)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), "datacoll-project.json");
  g_object_set_data (G_OBJECT (native), "dc-csv", GINT_TO_POINTER (csv));
  g_signal_connect (native, "response", G_CALLBACK (export_response_cb), wb);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
add_shortcut (GtkWidget  *widget,
              const char *accel,
              const char *action)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();

  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (controller), GTK_SHORTCUT_SCOPE_GLOBAL);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string (accel),
                                                          gtk_named_action_new (action)));
  gtk_widget_add_controller (widget, controller);
}

static void
add_local_shortcut (GtkWidget  *widget,
                    const char *accel,
                    const char *action)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();

  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (controller), GTK_SHORTCUT_SCOPE_LOCAL);
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_BUBBLE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string (accel),
                                                          gtk_named_action_new (action)));
  gtk_widget_add_controller (widget, controller);
}

void
dc_workbench_attach (DcWindow *window)
{
  Workbench *wb = g_new0 (Workbench, 1);
  AdwViewStack *stack;
  GtkWidget *page;

  g_return_if_fail (DC_IS_WINDOW (window));

  wb->window = window;
  g_object_set_data_full (G_OBJECT (window), WORKBENCH_KEY, wb, workbench_free);

  stack = ADW_VIEW_STACK (gtk_widget_get_template_child (GTK_WIDGET (window), DC_TYPE_WINDOW,
                                                         "view_stack"));
  wb->traffic = DC_TRAFFIC_VIEW (dc_traffic_view_new ());
  adw_view_stack_add_titled_with_icon (stack, GTK_WIDGET (wb->traffic), "traffic", _("Traffic"),
                                       "network-transmit-receive-symbolic");

  /* Link counters under the Device page's Connection group. */
  page = adw_view_stack_get_child_by_name (stack, "device");
  wb->counters = DC_LINK_COUNTERS (dc_link_counters_new ());
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (wb->counters));
  {
    GtkWidget *group = adw_preferences_group_new ();

    adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Recent Controls"));
    wb->recent_list = GTK_LIST_BOX (gtk_list_box_new ());
    gtk_list_box_set_selection_mode (wb->recent_list, GTK_SELECTION_NONE);
    gtk_widget_add_css_class (GTK_WIDGET (wb->recent_list), "boxed-list");
    gtk_accessible_update_property (GTK_ACCESSIBLE (wb->recent_list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    _("Recent controls of the device"), -1);
    adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (wb->recent_list));
    adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));
  }

  add_shortcut (GTK_WIDGET (window), "<Control><Shift>t", "workbench.traffic");
  add_shortcut (GTK_WIDGET (window), "<Control>n", "workbench.add-device");
  add_shortcut (GTK_WIDGET (window), "F2", "workbench.edit");
  /* Delete asks; only where the selection is (a text entry keeps its own Delete key: these
   * controllers run in the bubble phase, after the focused entry). */
  add_local_shortcut (GTK_WIDGET (dc_window_get_point_table (window)), "Delete", "workbench.delete");
  add_local_shortcut (GTK_WIDGET (dc_window_get_device_tree (window)), "Delete", "workbench.delete");

  /* The "+" menu at the start of the header bar. */
  {
    GtkWidget *search = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), DC_TYPE_WINDOW,
                                                                   "search_button"));
    GtkWidget *header = search ? gtk_widget_get_ancestor (search, ADW_TYPE_HEADER_BAR) : NULL;
    g_autoptr(GMenu) menu = g_menu_new ();
    g_autoptr(GMenu) add = g_menu_new ();
    g_autoptr(GMenu) edit = g_menu_new ();
    g_autoptr(GMenu) bulk = g_menu_new ();
    GtkWidget *button;

    g_menu_append (add, _("Add _Device…"), "workbench.add-device");
    g_menu_append (add, _("Add _Term…"), "workbench.add-term");
    g_menu_append (add, _("Add _Item…"), "workbench.add-item");
    g_menu_append (add, _("Add _Point…"), "workbench.add-point");
    g_menu_append (edit, _("_Edit Selection…"), "workbench.edit");
    g_menu_append (edit, _("D_uplicate Selection…"), "workbench.duplicate");
    g_menu_append (edit, _("_Delete Selection…"), "workbench.delete");
    g_menu_append_section (menu, NULL, G_MENU_MODEL (add));
    g_menu_append (bulk, _("_Import…"), "workbench.import");
    g_menu_append (bulk, _("Export _Project (JSON)…"), "workbench.export-json");
    g_menu_append (bulk, _("Export as _CSV Files…"), "workbench.export-csv");
    g_menu_append_section (menu, NULL, G_MENU_MODEL (edit));
    g_menu_append_section (menu, NULL, G_MENU_MODEL (bulk));
    button = gtk_menu_button_new ();
    gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "list-add-symbolic");
    gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), G_MENU_MODEL (menu));
    gtk_widget_set_tooltip_text (button, _("Add, edit or delete"));
    gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    _("Add, edit or delete"), -1);
    if (header != NULL)
      adw_header_bar_pack_start (ADW_HEADER_BAR (header), button);
  }
  {
    g_autoptr(GSimpleActionGroup) actions = g_simple_action_group_new ();
    g_autoptr(GSimpleAction) show_traffic = g_simple_action_new ("traffic", NULL);

    g_signal_connect_object (show_traffic, "activate", G_CALLBACK (traffic_action), window,
                             G_CONNECT_SWAPPED);
    g_action_map_add_action (G_ACTION_MAP (actions), G_ACTION (show_traffic));
    wb->control = g_simple_action_new ("control", NULL);
    g_simple_action_set_enabled (wb->control, FALSE);
    g_signal_connect (wb->control, "activate", G_CALLBACK (control_activate_cb), wb);
    g_action_map_add_action (G_ACTION_MAP (actions), G_ACTION (wb->control));
    {
      static const char *adds[] = { "add-device", "add-term", "add-item", "add-point" };
      static const char *edits[] = { "edit", "duplicate" };

      for (guint i = 0; i < G_N_ELEMENTS (adds); i++)
        {
          g_autoptr(GSimpleAction) a = g_simple_action_new (adds[i], NULL);

          g_signal_connect (a, "activate", G_CALLBACK (add_activate_cb), wb);
          g_action_map_add_action (G_ACTION_MAP (actions), G_ACTION (a));
        }
      for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
        {
          g_autoptr(GSimpleAction) a = g_simple_action_new (edits[i], NULL);

          g_signal_connect (a, "activate", G_CALLBACK (edit_activate_cb), wb);
          g_action_map_add_action (G_ACTION_MAP (actions), G_ACTION (a));
        }
      {
        g_autoptr(GSimpleAction) a = g_simple_action_new ("delete", NULL);
        g_autoptr(GSimpleAction) imp = g_simple_action_new ("import", NULL);
        g_autoptr(GSimpleAction) json = g_simple_action_new ("export-json", NULL);
        g_autoptr(GSimpleAction) csv = g_simple_action_new ("export-csv", NULL);

        g_signal_connect (a, "activate", G_CALLBACK (delete_activate_cb), wb);
        g_action_map_add_action (G_ACTION_MAP (actions), G_ACTION (a));
        g_signal_connect (imp, "activate", G_CALLBACK (import_activate_cb), wb);
        g_action_map_add_action (G_ACTION_MAP (actions), G_ACTION (imp));
        g_signal_connect (json, "activate", G_CALLBACK (export_activate_cb), wb);
        g_action_map_add_action (G_ACTION_MAP (actions), G_ACTION (json));
        g_signal_connect (csv, "activate", G_CALLBACK (export_activate_cb), wb);
        g_action_map_add_action (G_ACTION_MAP (actions), G_ACTION (csv));
      }
    }
    gtk_widget_insert_action_group (GTK_WIDGET (window), "workbench", G_ACTION_GROUP (actions));
  }

  g_signal_connect (dc_window_get_device_tree (window), "notify::selected",
                    G_CALLBACK (tree_selected_cb), wb);
  g_signal_connect (window, "notify::plant", G_CALLBACK (plant_changed_cb), wb);
  g_signal_connect (dc_window_get_point_table (window), "notify::selected",
                    G_CALLBACK (point_selected_cb), wb);

  /* "Add Device" on the empty state, next to "Open Demo Plant". */
  {
    GtkStack *main_stack = GTK_STACK (gtk_widget_get_template_child (GTK_WIDGET (window), DC_TYPE_WINDOW,
                                                                     "main_stack"));
    GtkWidget *empty = main_stack ? gtk_stack_get_child_by_name (main_stack, "empty") : NULL;
    GtkWidget *box = ADW_IS_STATUS_PAGE (empty) ? adw_status_page_get_child (ADW_STATUS_PAGE (empty)) : NULL;

    if (GTK_IS_BOX (box))
      {
        GtkWidget *add = gtk_button_new_with_mnemonic (_("_Add Device…"));

        gtk_actionable_set_action_name (GTK_ACTIONABLE (add), "workbench.add-device");
        gtk_widget_add_css_class (add, "pill");
        gtk_widget_set_halign (add, GTK_ALIGN_CENTER);
        gtk_box_prepend (GTK_BOX (box), add);
      }
  }

  /* "Control…" in the point detail. */
  {
    GtkWidget *mini = GTK_WIDGET (dc_window_get_mini_trend (window));
    GtkWidget *box = gtk_widget_get_parent (mini);

    wb->control_button = gtk_button_new_with_mnemonic (_("_Control…"));
    gtk_widget_set_halign (wb->control_button, GTK_ALIGN_START);
    gtk_widget_set_tooltip_text (wb->control_button, _("Send a command to this point"));
    gtk_actionable_set_action_name (GTK_ACTIONABLE (wb->control_button), "workbench.control");
    GtkWidget *grid = gtk_widget_get_prev_sibling (mini);

    gtk_widget_set_valign (wb->control_button, GTK_ALIGN_START);
    gtk_widget_set_margin_top (wb->control_button, 6);
    /* Under the detail's fields (the grid's last row), else next to the mini trend. */
    if (GTK_IS_GRID (grid))
      gtk_grid_attach (GTK_GRID (grid), wb->control_button, 0, 100, 2, 1);
    else if (GTK_IS_BOX (box))
      gtk_box_insert_child_after (GTK_BOX (box), wb->control_button, grid);
  }
}

const char *
dc_workbench_get_device_id (DcWindow *window)
{
  Workbench *wb = get_workbench (window);

  return wb ? wb->device_id : NULL;
}

void
dc_workbench_set_device_id (DcWindow   *window,
                            const char *device_id)
{
  Workbench *wb = get_workbench (window);

  g_return_if_fail (wb != NULL);
  if (g_strcmp0 (wb->device_id, device_id) == 0 && wb->device_id != NULL)
    return;
  g_free (wb->device_id);
  wb->device_id = g_strdup (device_id);
  apply_device (wb);
}

DcTrafficView *
dc_workbench_get_traffic_view (DcWindow *window)
{
  Workbench *wb = get_workbench (window);

  return wb ? wb->traffic : NULL;
}

GtkListBox *
dc_workbench_get_recent_controls (DcWindow *window)
{
  Workbench *wb = get_workbench (window);

  return wb ? wb->recent_list : NULL;
}

DcLinkCounters *
dc_workbench_get_link_counters (DcWindow *window)
{
  Workbench *wb = get_workbench (window);

  return wb ? wb->counters : NULL;
}
