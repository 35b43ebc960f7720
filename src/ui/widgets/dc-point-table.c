/* dc-point-table.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-point-table"

#include "config.h"

#include <glib/gi18n.h>

#include "dc-point-table.h"
#include "dc-alarm-badge.h"
#include "dc-ui.h"

struct _DcPointTable
{
  GtkWidget           parent_instance;

  GtkScrolledWindow  *scroller;
  GtkColumnView      *column_view;
  GtkColumnViewColumn *name_column;
  GtkColumnViewColumn *id_column;
  GtkColumnViewColumn *address_column;
  GtkColumnViewColumn *value_column;
  GtkColumnViewColumn *quality_column;
  GtkColumnViewColumn *time_column;

  GListModel         *model;
  GtkSortListModel   *sorted;
  GtkMultiSelection  *selection;   /* Ctrl/Shift+click: several points (the trend's pens) */
  gpointer            shown_first;  /* the first selected row last notified (not a ref) */
  GHashTable         *age_cells;    /* GtkListItem → NULL: bound age cells */
  guint               tick_id;
};

enum {
  PROP_0,
  PROP_MODEL,
  PROP_SELECTED,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (DcPointTable, dc_point_table, GTK_TYPE_WIDGET)

static GParamSpec *properties[N_PROPS];

typedef enum
{
  COL_NAME,
  COL_ID,
  COL_ADDRESS,
  COL_VALUE,
  COL_QUALITY,
  COL_TIME,
} Column;

/* The row properties each column shows; a cell listens to those only. */
static const char *column_props[][3] = {
  [COL_NAME]    = { "notify::name", NULL, NULL },
  [COL_ID]      = { "notify::item-id", NULL, NULL },
  [COL_ADDRESS] = { "notify::address", NULL, NULL },
  [COL_VALUE]   = { "notify::value-text", "notify::dimmed", NULL },
  [COL_QUALITY] = { "notify::quality-text", NULL, NULL },
  [COL_TIME]    = { "notify::time-text", NULL, NULL },
};

static GQuark column_quark;

static void
set_inscription (GtkWidget  *widget,
                 const char *text)
{
  if (g_strcmp0 (gtk_inscription_get_text (GTK_INSCRIPTION (widget)), text) != 0)
    gtk_inscription_set_text (GTK_INSCRIPTION (widget), text);
}

/* GTK 4.8's gtk_widget_set_tooltip_text() costs ~80,000 instructions even when nothing
 * changes (markup, accessible description, notifications): called on every bind of the value
 * and quality cells it was 21 % of the instructions of bench/ui (docs/performance.md). */
static void
set_tooltip (GtkWidget  *widget,
             const char *text)
{
  if (g_strcmp0 (gtk_widget_get_tooltip_text (widget), text) != 0)
    gtk_widget_set_tooltip_text (widget, text);
}

static void
update_cell (GtkListItem *list_item)
{
  DcPointRow *row = gtk_list_item_get_item (list_item);
  GtkWidget *child = gtk_list_item_get_child (list_item);
  Column column = GPOINTER_TO_INT (g_object_get_qdata (G_OBJECT (list_item), column_quark));

  if (row == NULL)
    return;

  switch (column)
    {
    case COL_NAME:
      set_inscription (child, dc_point_row_get_name (row));
      break;
    case COL_ID:
      set_inscription (child, dc_point_row_get_item_id (row));
      break;
    case COL_ADDRESS:
      set_inscription (child, dc_point_row_get_address (row));
      break;
    case COL_VALUE:
      {
        gboolean dimmed;

        g_object_get (row, "dimmed", &dimmed, NULL);
        set_inscription (child, dc_point_row_get_value_text (row));
        {
          int limit = dc_point_row_get_limit_state (row);
          gboolean warn = limit != 0;

          if (warn != gtk_widget_has_css_class (child, "quality-warn"))
            {
              if (warn)
                gtk_widget_add_css_class (child, "quality-warn");
              else
                gtk_widget_remove_css_class (child, "quality-warn");
            }
          set_tooltip (child, limit > 0 ? _("Above the high limit")
                              : limit < 0 ? _("Below the low limit") : NULL);
        }
        /* Toggle only on a change: a class change restyles the cell. */
        if (dimmed != gtk_widget_has_css_class (child, "dim-label"))
          {
            if (dimmed)
              gtk_widget_add_css_class (child, "dim-label");
            else
              gtk_widget_remove_css_class (child, "dim-label");
          }
      }
      break;
    case COL_QUALITY:
      {
        GtkWidget *image = gtk_widget_get_first_child (child);
        GtkWidget *label = gtk_widget_get_next_sibling (image);
        g_autofree char *text = NULL;
        g_autofree char *icon = NULL;

        g_object_get (row, "quality-text", &text, "quality-icon", &icon, NULL);
        if (g_strcmp0 (gtk_image_get_icon_name (GTK_IMAGE (image)), icon) != 0)
          gtk_image_set_from_icon_name (GTK_IMAGE (image), icon);
        set_inscription (label, text);
        set_tooltip (label, text);
      }
      break;
    case COL_TIME:
      set_inscription (child, dc_point_row_get_time_text (row));
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
row_notify_cb (DcPointRow  *row,
               GParamSpec  *pspec,
               GtkListItem *list_item)
{
  update_cell (list_item);
}

static void
cell_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               gpointer                  user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  GtkWidget *child;

  g_object_set_qdata (G_OBJECT (list_item), column_quark, user_data);
  if (column == COL_QUALITY)
    {
      GtkWidget *label = gtk_inscription_new (NULL);

      child = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      gtk_box_append (GTK_BOX (child), gtk_image_new ());
      gtk_inscription_set_nat_chars (GTK_INSCRIPTION (label), 10);
      gtk_inscription_set_text_overflow (GTK_INSCRIPTION (label),
                                         GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
      gtk_widget_set_hexpand (label, TRUE);
      gtk_box_append (GTK_BOX (child), label);
    }
  else
    {
      child = gtk_inscription_new (NULL);
      /* Ellipsizing costs a layout pass per cell: only the free-text columns need it. */
      if (column == COL_NAME || column == COL_ID)
        gtk_inscription_set_text_overflow (GTK_INSCRIPTION (child),
                                           GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
      if (column == COL_VALUE || column == COL_TIME)
        gtk_inscription_set_xalign (GTK_INSCRIPTION (child), 1);
      if (column == COL_VALUE)
        {
          /* A value is never cut: the free-text columns give way first (docs/ui.md). */
          gtk_inscription_set_min_chars (GTK_INSCRIPTION (child), 16);
          gtk_inscription_set_nat_chars (GTK_INSCRIPTION (child), 18);
          gtk_widget_add_css_class (child, "value");
        }
      if (column == COL_TIME)
        gtk_widget_add_css_class (child, "time");
    }
  gtk_list_item_set_child (list_item, child);
}

static void
cell_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  user_data)
{
  DcPointRow *row = gtk_list_item_get_item (list_item);
  Column column = GPOINTER_TO_INT (user_data);

  for (guint i = 0; column_props[column][i] != NULL; i++)
    g_signal_connect (row, column_props[column][i], G_CALLBACK (row_notify_cb), list_item);
  update_cell (list_item);
}

static void
cell_unbind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                gpointer                  user_data)
{
  DcPointRow *row = gtk_list_item_get_item (list_item);

  if (row != NULL)
    g_signal_handlers_disconnect_by_func (row, row_notify_cb, list_item);
}

static void
set_cell_factory (GtkColumnViewColumn *column,
                  Column               which)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (cell_setup_cb), GINT_TO_POINTER (which));
  g_signal_connect (factory, "bind", G_CALLBACK (cell_bind_cb), GINT_TO_POINTER (which));
  g_signal_connect (factory, "unbind", G_CALLBACK (cell_unbind_cb), GINT_TO_POINTER (which));
  gtk_column_view_column_set_factory (column, factory);
  g_object_unref (factory);
}

static void
update_age_cell (GtkListItem *list_item,
                 gint64       now)
{
  DcPointRow *row = gtk_list_item_get_item (list_item);
  GtkInscription *label = GTK_INSCRIPTION (gtk_list_item_get_child (list_item));
  g_autofree char *text = NULL;

  if (row == NULL)
    return;
  text = dc_point_row_format_age (row, now);
  if (g_strcmp0 (gtk_inscription_get_text (label), text) != 0)
    gtk_inscription_set_text (label, text);
}

static void
age_row_time_changed_cb (DcPointRow  *row,
                         GParamSpec  *pspec,
                         GtkListItem *list_item)
{
  update_age_cell (list_item, g_get_real_time ());
}

static void
age_setup_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              DcPointTable             *self)
{
  GtkWidget *label = gtk_inscription_new (NULL);

  gtk_inscription_set_xalign (GTK_INSCRIPTION (label), 1);
  gtk_inscription_set_nat_chars (GTK_INSCRIPTION (label), 7);
  gtk_widget_add_css_class (label, "age");
  gtk_list_item_set_child (list_item, label);
}

static void
age_bind_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             DcPointTable             *self)
{
  DcPointRow *row = gtk_list_item_get_item (list_item);

  /* Plain handlers: unbind always runs before the list item goes away. */
  g_signal_connect (row, "notify::time", G_CALLBACK (age_row_time_changed_cb), list_item);
  g_hash_table_add (self->age_cells, list_item);
  update_age_cell (list_item, g_get_real_time ());
}

static void
age_unbind_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               DcPointTable             *self)
{
  DcPointRow *row = gtk_list_item_get_item (list_item);

  if (row != NULL)
    g_signal_handlers_disconnect_by_func (row, age_row_time_changed_cb, list_item);
  g_hash_table_remove (self->age_cells, list_item);
}

static void
age_teardown_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 DcPointTable             *self)
{
  g_hash_table_remove (self->age_cells, list_item);
}

static int
compare_age (gconstpointer a,
             gconstpointer b,
             gpointer      user_data)
{
  gint64 ta = dc_point_row_has_value ((DcPointRow *) a) ? dc_point_row_get_time ((DcPointRow *) a) : G_MININT64;
  gint64 tb = dc_point_row_has_value ((DcPointRow *) b) ? dc_point_row_get_time ((DcPointRow *) b) : G_MININT64;

  /* Younger first: a newer time is a smaller age. */
  return ta < tb ? 1 : ta > tb ? -1 : 0;
}

static gboolean
tick_cb (gpointer data)
{
  dc_point_table_tick (data);
  return G_SOURCE_CONTINUE;
}

static void
selection_changed_cb (DcPointTable *self)
{
  self->shown_first = dc_point_table_get_selected (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
}

static void
items_changed_cb (DcPointTable *self)
{
  /* A new model drops the selection without ::selection-changed. */
  if (dc_point_table_get_selected (self) != self->shown_first)
    selection_changed_cb (self);
}

static void
dc_point_table_map (GtkWidget *widget)
{
  DcPointTable *self = DC_POINT_TABLE (widget);

  GTK_WIDGET_CLASS (dc_point_table_parent_class)->map (widget);
  if (self->tick_id == 0)
    self->tick_id = g_timeout_add_seconds (1, tick_cb, self);
}

static void
dc_point_table_unmap (GtkWidget *widget)
{
  DcPointTable *self = DC_POINT_TABLE (widget);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  GTK_WIDGET_CLASS (dc_point_table_parent_class)->unmap (widget);
}

static void
dc_point_table_dispose (GObject *object)
{
  DcPointTable *self = DC_POINT_TABLE (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), DC_TYPE_POINT_TABLE);
  {
    GtkWidget *child;

    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
      gtk_widget_unparent (child);
  }
  g_clear_object (&self->selection);
  g_clear_object (&self->sorted);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (dc_point_table_parent_class)->dispose (object);
}

static void
dc_point_table_finalize (GObject *object)
{
  DcPointTable *self = DC_POINT_TABLE (object);

  g_clear_pointer (&self->age_cells, g_hash_table_unref);

  G_OBJECT_CLASS (dc_point_table_parent_class)->finalize (object);
}

static void
dc_point_table_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  DcPointTable *self = DC_POINT_TABLE (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;
    case PROP_SELECTED:
      g_value_set_object (value, dc_point_table_get_selected (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dc_point_table_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  DcPointTable *self = DC_POINT_TABLE (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      dc_point_table_set_model (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dc_point_table_class_init (DcPointTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  dc_ui_ensure_resources ();

  object_class->dispose = dc_point_table_dispose;
  object_class->finalize = dc_point_table_finalize;
  object_class->get_property = dc_point_table_get_property;
  object_class->set_property = dc_point_table_set_property;

  widget_class->map = dc_point_table_map;
  widget_class->unmap = dc_point_table_unmap;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED] =
    g_param_spec_object ("selected", NULL, NULL, DC_TYPE_POINT_ROW,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (DC_TYPE_POINT_ROW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/datacoll/DataColl/ui/dc-point-table.ui");
  gtk_widget_class_bind_template_child (widget_class, DcPointTable, scroller);
  gtk_widget_class_bind_template_child (widget_class, DcPointTable, column_view);
  gtk_widget_class_bind_template_child (widget_class, DcPointTable, name_column);
  gtk_widget_class_bind_template_child (widget_class, DcPointTable, id_column);
  gtk_widget_class_bind_template_child (widget_class, DcPointTable, address_column);
  gtk_widget_class_bind_template_child (widget_class, DcPointTable, value_column);
  gtk_widget_class_bind_template_child (widget_class, DcPointTable, quality_column);
  gtk_widget_class_bind_template_child (widget_class, DcPointTable, time_column);

  column_quark = g_quark_from_static_string ("dc-point-table-column");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
dc_point_table_init (DcPointTable *self)
{
  GtkListItemFactory *factory;
  GtkColumnViewColumn *column;
  GtkSorter *sorter;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Cells are set directly and listen to the few row properties they show: cheaper to
   * rebind while scrolling than expression bindings, and no style change per bind. */
  set_cell_factory (self->name_column, COL_NAME);
  set_cell_factory (self->id_column, COL_ID);
  set_cell_factory (self->address_column, COL_ADDRESS);
  set_cell_factory (self->value_column, COL_VALUE);
  set_cell_factory (self->quality_column, COL_QUALITY);
  set_cell_factory (self->time_column, COL_TIME);

  self->age_cells = g_hash_table_new (NULL, NULL);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (age_setup_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (age_bind_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (age_unbind_cb), self);
  g_signal_connect (factory, "teardown", G_CALLBACK (age_teardown_cb), self);
  column = gtk_column_view_column_new (_("Age"), factory);
  sorter = GTK_SORTER (gtk_custom_sorter_new (compare_age, NULL, NULL));
  gtk_column_view_column_set_sorter (column, sorter);
  gtk_column_view_column_set_resizable (column, TRUE);
  gtk_column_view_append_column (self->column_view, column);
  g_object_unref (sorter);
  g_object_unref (column);

  /* The point's alarm badge (icon and priority word, set by the Alarms page). */
  column = dc_alarm_badge_new_column ();
  gtk_column_view_append_column (self->column_view, column);
  g_object_unref (column);

  self->sorted = gtk_sort_list_model_new (NULL,
                                          g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  self->selection = gtk_multi_selection_new (g_object_ref (G_LIST_MODEL (self->sorted)));
  g_signal_connect_object (self->selection, "selection-changed",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "items-changed",
                           G_CALLBACK (items_changed_cb), self, G_CONNECT_SWAPPED);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
}

GtkWidget *
dc_point_table_new (void)
{
  return g_object_new (DC_TYPE_POINT_TABLE, NULL);
}

GListModel *
dc_point_table_get_model (DcPointTable *self)
{
  g_return_val_if_fail (DC_IS_POINT_TABLE (self), NULL);
  return self->model;
}

void
dc_point_table_set_model (DcPointTable *self,
                          GListModel   *model)
{
  g_return_if_fail (DC_IS_POINT_TABLE (self));
  g_return_if_fail (model == NULL || G_IS_LIST_MODEL (model));

  if (!g_set_object (&self->model, model))
    return;
  gtk_sort_list_model_set_model (self->sorted, model);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

DcPointRow *
dc_point_table_get_selected (DcPointTable *self)
{
  g_autoptr(GtkBitset) set = NULL;
  g_autoptr(DcPointRow) row = NULL;

  g_return_val_if_fail (DC_IS_POINT_TABLE (self), NULL);

  /* The first selected row as shown (the model keeps it alive). */
  set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  if (gtk_bitset_is_empty (set))
    return NULL;
  row = g_list_model_get_item (G_LIST_MODEL (self->sorted), gtk_bitset_get_minimum (set));
  return row;
}

GPtrArray *
dc_point_table_get_selected_rows (DcPointTable *self,
                                  guint         max_rows)
{
  g_autoptr(GtkBitset) set = NULL;
  GtkBitsetIter iter;
  GPtrArray *rows = g_ptr_array_new_with_free_func (g_object_unref);
  guint position;

  g_return_val_if_fail (DC_IS_POINT_TABLE (self), rows);

  set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  for (gboolean ok = gtk_bitset_iter_init_first (&iter, set, &position);
       ok && rows->len < max_rows;
       ok = gtk_bitset_iter_next (&iter, &position))
    g_ptr_array_add (rows, g_list_model_get_item (G_LIST_MODEL (self->sorted), position));
  return rows;
}

void
dc_point_table_select_key (DcPointTable *self,
                           gint64        key)
{
  GListModel *model;

  g_return_if_fail (DC_IS_POINT_TABLE (self));

  model = G_LIST_MODEL (self->sorted);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(DcPointRow) row = g_list_model_get_item (model, i);

      if (dc_point_row_get_key (row) == key)
        {
          gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), i, TRUE);
          /* GTK 4.8 has no gtk_column_view_scroll_to(): use the inner list view's action. */
          for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
               child != NULL;
               child = gtk_widget_get_next_sibling (child))
            if (GTK_IS_LIST_VIEW (child))
              gtk_widget_activate_action (child, "list.scroll-to-item", "u", i);
          return;
        }
    }
}

GListModel *
dc_point_table_get_sorted_model (DcPointTable *self)
{
  g_return_val_if_fail (DC_IS_POINT_TABLE (self), NULL);
  return G_LIST_MODEL (self->sorted);
}

GtkColumnView *
dc_point_table_get_column_view (DcPointTable *self)
{
  g_return_val_if_fail (DC_IS_POINT_TABLE (self), NULL);
  return self->column_view;
}

void
dc_point_table_tick (DcPointTable *self)
{
  GHashTableIter iter;
  gpointer key;
  gint64 now = g_get_real_time ();

  g_return_if_fail (DC_IS_POINT_TABLE (self));

  g_hash_table_iter_init (&iter, self->age_cells);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    update_age_cell (key, now);
}
