/* dc-device-tree.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-device-tree"

#include "config.h"

#include <glib/gi18n.h>

#include "dc-device-tree.h"
#include "dc-alarm-badge.h"
#include "dc-ui.h"

struct _DcDeviceTree
{
  GtkWidget           parent_instance;

  GtkSearchEntry     *search_entry;
  GtkListView        *list_view;

  DcPlantModel       *plant;
  GtkCustomFilter    *filter;
  GtkTreeListModel   *tree;
  GtkSingleSelection *selection;
  GHashTable         *visible;      /* search results and their parents, NULL: all */
};

enum {
  PROP_0,
  PROP_PLANT,
  PROP_SELECTED,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (DcDeviceTree, dc_device_tree, GTK_TYPE_WIDGET)

static guint row_activated_signal;

static void
list_activate_cb (DcDeviceTree *self,
                  guint         position)
{
  g_signal_emit (self, row_activated_signal, 0);
}

static GParamSpec *properties[N_PROPS];
static GQuark bindings_quark;
static GQuark item_quark;

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  DcDeviceTree *self = user_data;

  return self->visible == NULL || g_hash_table_contains (self->visible, item);
}

static GListModel *
create_child_model (gpointer item,
                    gpointer user_data)
{
  DcDeviceTree *self = user_data;
  GtkFilterListModel *model;

  if (!DC_IS_DEVICE_NODE (item))
    return NULL;

  model = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (dc_device_node_get_children (item))),
                                     g_object_ref (GTK_FILTER (self->filter)));
  return G_LIST_MODEL (model);
}

static gboolean
text_matches (const char *text,
              const char *needle)
{
  g_autofree char *folded = NULL;

  if (text == NULL)
    return FALSE;
  folded = g_utf8_casefold (text, -1);
  return strstr (folded, needle) != NULL;
}

static void
add_all (GHashTable *visible,
         gpointer    node)
{
  GListModel *children;

  g_hash_table_add (visible, node);
  if (!DC_IS_DEVICE_NODE (node))
    return;
  children = G_LIST_MODEL (dc_device_node_get_children (node));
  for (guint i = 0; i < g_list_model_get_n_items (children); i++)
    {
      g_autoptr(GObject) child = g_list_model_get_item (children, i);

      add_all (visible, child);
    }
}

static GHashTable *
compute_visible (DcDeviceTree *self,
                 const char   *text)
{
  g_autofree char *needle = g_utf8_casefold (text, -1);
  GHashTable *visible = g_hash_table_new (NULL, NULL);
  GListModel *devices = dc_plant_model_get_devices (self->plant);

  for (guint d = 0; d < g_list_model_get_n_items (devices); d++)
    {
      g_autoptr(DcDeviceNode) device = g_list_model_get_item (devices, d);
      GListModel *terms = G_LIST_MODEL (dc_device_node_get_children (device));

      if (text_matches (dc_device_node_get_name (device), needle) ||
          text_matches (dc_device_node_get_id (device), needle))
        {
          add_all (visible, device);
          continue;
        }

      for (guint t = 0; t < g_list_model_get_n_items (terms); t++)
        {
          g_autoptr(DcDeviceNode) term = g_list_model_get_item (terms, t);
          GListModel *points = G_LIST_MODEL (dc_device_node_get_children (term));

          if (text_matches (dc_device_node_get_name (term), needle) ||
              text_matches (dc_device_node_get_id (term), needle))
            {
              add_all (visible, term);
              g_hash_table_add (visible, device);
              continue;
            }

          for (guint p = 0; p < g_list_model_get_n_items (points); p++)
            {
              g_autoptr(DcPointRow) row = g_list_model_get_item (points, p);

              if (text_matches (dc_point_row_get_name (row), needle) ||
                  text_matches (dc_point_row_get_item_id (row), needle))
                {
                  g_hash_table_add (visible, row);
                  g_hash_table_add (visible, term);
                  g_hash_table_add (visible, device);
                }
            }
        }
    }

  return visible;
}

static void
rebuild_tree (DcDeviceTree *self)
{
  GtkFilterListModel *root;

  g_clear_object (&self->tree);
  if (self->plant == NULL)
    {
      gtk_single_selection_set_model (self->selection, NULL);
      return;
    }

  root = gtk_filter_list_model_new (g_object_ref (dc_plant_model_get_devices (self->plant)),
                                    g_object_ref (GTK_FILTER (self->filter)));
  self->tree = gtk_tree_list_model_new (G_LIST_MODEL (root), FALSE, self->visible != NULL,
                                        create_child_model, self, NULL);
  gtk_single_selection_set_model (self->selection, G_LIST_MODEL (self->tree));
}

static void
search_changed_cb (DcDeviceTree *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  g_clear_pointer (&self->visible, g_hash_table_unref);
  if (self->plant != NULL && text != NULL && text[0] != '\0')
    self->visible = compute_visible (self, text);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  rebuild_tree (self);
}

static void
stop_search_cb (DcDeviceTree *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

static void
selection_changed_cb (DcDeviceTree *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
}

static gboolean
state_to_classes (GBinding     *binding,
                  const GValue *from,
                  GValue       *to,
                  gpointer      user_data)
{
  static const char *up[] = { "status-up", NULL };
  static const char *down[] = { "status-down", NULL };
  static const char *connecting[] = { "status-connecting", NULL };
  static const char *none[] = { NULL };

  switch (g_value_get_uint (from))
    {
    case DC_NODE_LINK_UP:
      g_value_set_boxed (to, up);
      break;
    case DC_NODE_LINK_DOWN:
      g_value_set_boxed (to, down);
      break;
    case DC_NODE_LINK_CONNECTING:
      g_value_set_boxed (to, connecting);
      break;
    default:
      g_value_set_boxed (to, none);
      break;
    }
  return TRUE;
}

static void
update_row_description (DcDeviceNode *node,
                        GParamSpec   *pspec,
                        GtkWidget    *expander)
{
  g_autofree char *text = NULL;

  /* Translators: a device tree row for screen readers: link state, number of points. */
  text = g_strdup_printf (ngettext ("%s, %u point", "%s, %u points", dc_device_node_get_n_points (node)),
                          dc_device_node_get_state_text (node), dc_device_node_get_n_points (node));
  gtk_accessible_update_property (GTK_ACCESSIBLE (expander),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
}

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          DcDeviceTree             *self)
{
  GtkWidget *expander = gtk_tree_expander_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *icon = gtk_image_new ();
  GtkWidget *label = gtk_label_new (NULL);
  GtkWidget *count = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (count, "dim-label");
  gtk_widget_add_css_class (count, "point-count");
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), count);
  gtk_box_append (GTK_BOX (box), dc_alarm_badge_new ());
  gtk_tree_expander_set_child (GTK_TREE_EXPANDER (expander), box);
  gtk_list_item_set_child (list_item, expander);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *list_item,
         DcDeviceTree             *self)
{
  GtkTreeListRow *row = gtk_list_item_get_item (list_item);
  GtkWidget *expander = gtk_list_item_get_child (list_item);
  GtkWidget *box = gtk_tree_expander_get_child (GTK_TREE_EXPANDER (expander));
  GtkWidget *icon = gtk_widget_get_first_child (box);
  GtkWidget *label = gtk_widget_get_next_sibling (icon);
  GtkWidget *count = gtk_widget_get_next_sibling (label);
  GtkWidget *badge = gtk_widget_get_next_sibling (count);
  GObject *item = gtk_tree_list_row_get_item (row);
  GPtrArray *bindings = g_ptr_array_new_with_free_func (g_object_unref);

  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (expander), row);

  if (DC_IS_DEVICE_NODE (item))
    {
      g_ptr_array_add (bindings, g_object_ref (g_object_bind_property (item, "name", label, "label",
                                                         G_BINDING_SYNC_CREATE)));
      g_ptr_array_add (bindings, g_object_ref (g_object_bind_property (item, "state-icon", icon, "icon-name",
                                                         G_BINDING_SYNC_CREATE)));
      g_ptr_array_add (bindings, g_object_ref (g_object_bind_property_full (item, "state", icon, "css-classes",
                                                                            G_BINDING_SYNC_CREATE,
                                                                            state_to_classes, NULL,
                                                                            NULL, NULL)));
      g_ptr_array_add (bindings, g_object_ref (g_object_bind_property (item, "state-text", icon, "tooltip-text",
                                                         G_BINDING_SYNC_CREATE)));
      g_ptr_array_add (bindings, g_object_ref (g_object_bind_property (item, "count-text", count, "label",
                                                         G_BINDING_SYNC_CREATE)));
      gtk_widget_set_visible (icon, TRUE);
      gtk_widget_remove_css_class (count, "value");
      g_signal_connect (item, "notify::state-text", G_CALLBACK (update_row_description), expander);
      g_signal_connect (item, "notify::n-points", G_CALLBACK (update_row_description), expander);
      update_row_description (DC_DEVICE_NODE (item), NULL, expander);
      g_object_set_qdata_full (G_OBJECT (list_item), item_quark, g_object_ref (item), g_object_unref);
    }
  else if (DC_IS_POINT_ROW (item))
    {
      g_ptr_array_add (bindings, g_object_ref (g_object_bind_property (item, "name", label, "label",
                                                         G_BINDING_SYNC_CREATE)));
      g_ptr_array_add (bindings, g_object_ref (g_object_bind_property (item, "value-text", count, "label",
                                                         G_BINDING_SYNC_CREATE)));
      gtk_widget_set_visible (icon, FALSE);
      gtk_widget_set_css_classes (icon, NULL);
      gtk_widget_add_css_class (count, "value");
    }

  if (DC_IS_DEVICE_NODE (item) || DC_IS_POINT_ROW (item))
    dc_alarm_badge_bind (badge, item, bindings);
  g_object_set_qdata_full (G_OBJECT (list_item), bindings_quark, bindings,
                           (GDestroyNotify) g_ptr_array_unref);
  g_object_unref (item);
}

static void
unbind_cb (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           DcDeviceTree             *self)
{
  GPtrArray *bindings = g_object_get_qdata (G_OBJECT (list_item), bindings_quark);

  for (guint i = 0; bindings != NULL && i < bindings->len; i++)
    g_binding_unbind (g_ptr_array_index (bindings, i));
  g_object_set_qdata (G_OBJECT (list_item), bindings_quark, NULL);
  {
    /* The row may have lost its item already (removed from the model): use the one bound. */
    GObject *item = g_object_get_qdata (G_OBJECT (list_item), item_quark);

    if (item != NULL)
      g_signal_handlers_disconnect_by_func (item, update_row_description,
                                            gtk_list_item_get_child (list_item));
    g_object_set_qdata (G_OBJECT (list_item), item_quark, NULL);
  }
  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (gtk_list_item_get_child (list_item)), NULL);
}

static void
dc_device_tree_dispose (GObject *object)
{
  DcDeviceTree *self = DC_DEVICE_TREE (object);

  if (self->list_view != NULL)
    gtk_list_view_set_model (self->list_view, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), DC_TYPE_DEVICE_TREE);
  {
    GtkWidget *child;

    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
      gtk_widget_unparent (child);
  }
  g_clear_object (&self->selection);
  g_clear_object (&self->tree);
  g_clear_object (&self->filter);
  g_clear_object (&self->plant);
  g_clear_pointer (&self->visible, g_hash_table_unref);

  G_OBJECT_CLASS (dc_device_tree_parent_class)->dispose (object);
}

static void
dc_device_tree_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  DcDeviceTree *self = DC_DEVICE_TREE (object);

  switch (prop_id)
    {
    case PROP_PLANT:
      g_value_set_object (value, self->plant);
      break;
    case PROP_SELECTED:
      g_value_set_object (value, dc_device_tree_get_selected (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dc_device_tree_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  DcDeviceTree *self = DC_DEVICE_TREE (object);

  switch (prop_id)
    {
    case PROP_PLANT:
      dc_device_tree_set_plant (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dc_device_tree_class_init (DcDeviceTreeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  dc_ui_ensure_resources ();

  object_class->dispose = dc_device_tree_dispose;
  object_class->get_property = dc_device_tree_get_property;
  object_class->set_property = dc_device_tree_set_property;

  properties[PROP_PLANT] =
    g_param_spec_object ("plant", NULL, NULL, DC_TYPE_PLANT_MODEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED] =
    g_param_spec_object ("selected", NULL, NULL, G_TYPE_OBJECT,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A row was activated (Enter, a double click): the narrow window shows its values. */
  row_activated_signal = g_signal_new ("row-activated", G_TYPE_FROM_CLASS (klass),
                                       G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  bindings_quark = g_quark_from_static_string ("dc-device-tree-bindings");
  item_quark = g_quark_from_static_string ("dc-device-tree-item");

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/datacoll/DataColl/ui/dc-device-tree.ui");
  gtk_widget_class_bind_template_child (widget_class, DcDeviceTree, search_entry);
  gtk_widget_class_bind_template_child (widget_class, DcDeviceTree, list_view);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
dc_device_tree_init (DcDeviceTree *self)
{
  GtkListItemFactory *factory;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->selection = gtk_single_selection_new (NULL);
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cb), self);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  g_signal_connect_object (self->list_view, "activate", G_CALLBACK (list_activate_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self->list_view));
}

GtkWidget *
dc_device_tree_new (void)
{
  return g_object_new (DC_TYPE_DEVICE_TREE, NULL);
}

DcPlantModel *
dc_device_tree_get_plant (DcDeviceTree *self)
{
  g_return_val_if_fail (DC_IS_DEVICE_TREE (self), NULL);
  return self->plant;
}

void
dc_device_tree_set_plant (DcDeviceTree *self,
                          DcPlantModel *plant)
{
  g_return_if_fail (DC_IS_DEVICE_TREE (self));

  if (!g_set_object (&self->plant, plant))
    return;
  g_clear_pointer (&self->visible, g_hash_table_unref);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  rebuild_tree (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLANT]);
}

GObject *
dc_device_tree_get_selected (DcDeviceTree *self)
{
  GtkTreeListRow *row;

  g_return_val_if_fail (DC_IS_DEVICE_TREE (self), NULL);

  row = gtk_single_selection_get_selected_item (self->selection);
  if (row == NULL)
    return NULL;
  /* The row keeps its item alive; return it borrowed. */
  {
    GObject *item = gtk_tree_list_row_get_item (row);

    g_object_unref (item);
    return item;
  }
}

gboolean
dc_device_tree_select (DcDeviceTree *self,
                       gpointer      item)
{
  GListModel *model;

  g_return_val_if_fail (DC_IS_DEVICE_TREE (self), FALSE);

  if (self->tree == NULL)
    return FALSE;
  model = G_LIST_MODEL (self->tree);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (model, i);
      g_autoptr(GObject) row_item = gtk_tree_list_row_get_item (row);

      if (row_item == item)
        {
          gtk_single_selection_set_selected (self->selection, i);
          return TRUE;
        }
    }
  return FALSE;
}

void
dc_device_tree_set_search (DcDeviceTree *self,
                           const char   *text)
{
  g_return_if_fail (DC_IS_DEVICE_TREE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text ? text : "");
  /* Apply now instead of after the entry's typing delay. */
  search_changed_cb (self);
}

void
dc_device_tree_focus_search (DcDeviceTree *self)
{
  g_return_if_fail (DC_IS_DEVICE_TREE (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

GListModel *
dc_device_tree_get_rows (DcDeviceTree *self)
{
  g_return_val_if_fail (DC_IS_DEVICE_TREE (self), NULL);
  return G_LIST_MODEL (self->selection);
}
