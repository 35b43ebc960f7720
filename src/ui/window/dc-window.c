/* dc-window.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-window"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "dc-window-private.h"
#include "dc-number.h"
#include "dc-sparkplug-status.h"
#include "dc-ui.h"

enum {
  PROP_0,
  PROP_PLANT,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (DcWindow, dc_window, ADW_TYPE_APPLICATION_WINDOW)

static GParamSpec *properties[N_PROPS];

static void
update_page (DcWindow *self)
{
  gboolean empty = self->plant == NULL ||
                   g_list_model_get_n_items (dc_plant_model_get_devices (self->plant)) == 0;

  gtk_stack_set_visible_child_name (self->main_stack, empty ? "empty" : "plant");
  adw_view_switcher_title_set_view_switcher_enabled (self->switcher_title, !empty);
  _dc_window_layout_update (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search", !empty);
}

static void
devices_changed_cb (DcWindow   *self,
                    guint       position,
                    guint       removed,
                    guint       added,
                    GListModel *model)
{
  update_page (self);
  /* A plant loaded after the window opened (a desk on a server): start on the first device,
   * as dc_window_set_plant() does. */
  if (self->device == NULL && self->detail_row == NULL && position == 0 && added > 0 &&
      removed == 0 && added == g_list_model_get_n_items (model))
    {
      g_autoptr(DcDeviceNode) first = g_list_model_get_item (model, 0);

      dc_window_select (self, first);
    }
}

static void
device_notify_cb (DcWindow *self)
{
  _dc_window_device_update (self);
}

static void
set_device (DcWindow     *self,
            DcDeviceNode *device)
{
  if (self->device == device)
    return;
  if (self->device != NULL)
    g_signal_handlers_disconnect_by_func (self->device, device_notify_cb, self);
  g_set_object (&self->device, device);
  if (device != NULL)
    g_signal_connect_object (device, "notify", G_CALLBACK (device_notify_cb), self,
                             G_CONNECT_SWAPPED);
  _dc_window_device_update (self);
}

static char *
format_limit (double v)
{
  if (!isfinite (v))
    return g_strdup ("—");
  return dc_number_format (v, -1);
}

static void
update_detail (DcWindow *self)
{
  DcPointRow *row = self->detail_row;
  g_autofree char *quality = NULL;
  g_autofree char *scaling = NULL;
  g_autofree char *limits = NULL;
  g_autofree char *lo = NULL;
  g_autofree char *hi = NULL;
  double coefficient, base_val, down, up;
  guint32 q;

  if (row == NULL)
    {
      gtk_stack_set_visible_child_name (self->detail_stack, "none");
      return;
    }

  gtk_stack_set_visible_child_name (self->detail_stack, "detail");
  gtk_label_set_label (self->detail_name, dc_point_row_get_name (row));
  gtk_label_set_label (self->detail_value, dc_point_row_get_value_text (row));
  q = dc_point_row_get_quality (row);
  g_object_get (row, "quality-text", &quality, NULL);
  gtk_label_set_label (self->detail_quality, quality);
  if (dc_point_row_has_value (row) && q != 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->detail_value), "dim-label");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->detail_value), "dim-label");
  gtk_label_set_label (self->detail_time, dc_point_row_get_time_text (row));
  gtk_label_set_label (self->detail_address, dc_point_row_get_address (row));
  dc_point_row_get_scaling (row, &coefficient, &base_val);
  /* Translators: value = raw × coefficient + offset. */
  {
    g_autofree char *c = dc_number_format (coefficient, -1);
    g_autofree char *b = dc_number_format (base_val, -1);

    scaling = g_strdup_printf (_("raw × %s + %s"), c, b);
  }
  gtk_label_set_label (self->detail_scaling, scaling);
  dc_point_row_get_limits (row, &down, &up);
  lo = format_limit (down);
  hi = format_limit (up);
  if (dc_point_row_get_limit_state (row) > 0)
    /* Translators: low … high, then the violation in words. */
    limits = g_strdup_printf (_("%s … %s — above the high limit"), lo, hi);
  else if (dc_point_row_get_limit_state (row) < 0)
    limits = g_strdup_printf (_("%s … %s — below the low limit"), lo, hi);
  else
    limits = g_strdup_printf ("%s … %s", lo, hi);
  gtk_label_set_label (self->detail_limits, limits);
}

static void
detail_row_notify_cb (DcWindow *self)
{
  update_detail (self);
}

static void
set_detail_row (DcWindow   *self,
                DcPointRow *row)
{
  if (self->detail_row == row)
    return;
  if (self->detail_row != NULL)
    g_signal_handlers_disconnect_by_func (self->detail_row, detail_row_notify_cb, self);
  g_set_object (&self->detail_row, row);
  if (row != NULL)
    g_signal_connect_object (row, "notify", G_CALLBACK (detail_row_notify_cb), self,
                             G_CONNECT_SWAPPED);

  _dc_window_trend_show_selection (self, row);
  update_detail (self);
}

/* The device the Traffic page, the link counters and "Recent Controls" follow. */
static void
apply_device_id (DcWindow *self)
{
  DcPlantSource *source = _dc_window_get_source (self);

  _dc_window_refresh_recent (self);
  dc_traffic_view_set_source (self->traffic_view, source, self->plant, self->device_id);
  dc_link_counters_set_source (self->link_counters, source, self->device_id);
}

static void
set_device_id (DcWindow   *self,
               const char *device_id)
{
  if (g_strcmp0 (self->device_id, device_id) == 0 && self->device_id != NULL)
    return;
  g_free (self->device_id);
  self->device_id = g_strdup (device_id);
  apply_device_id (self);
}

static void
table_selected_cb (DcWindow *self)
{
  set_detail_row (self, dc_point_table_get_selected (self->point_table));
  /* More points selected beside the first: the Trend page follows them all. */
  _dc_window_trend_show_selection (self, self->detail_row);
  _dc_window_update_control (self);
}

static void
tree_selected_cb (DcWindow *self)
{
  GObject *item = dc_device_tree_get_selected (self->device_tree);
  DcDeviceNode *node = NULL;

  if (item == NULL || self->plant == NULL)
    return;

  if (DC_IS_DEVICE_NODE (item))
    node = DC_DEVICE_NODE (item);
  else if (DC_IS_POINT_ROW (item))
    node = dc_plant_model_lookup_term (self->plant, dc_point_row_get_term_id (DC_POINT_ROW (item)));

  if (node != NULL)
    {
      dc_point_table_set_model (self->point_table, dc_device_node_get_points (node));
      if (dc_device_node_get_kind (node) == DC_NODE_DEVICE)
        set_device (self, node);
      else
        set_device (self, dc_plant_model_lookup_device (self->plant,
                                                        dc_device_node_get_device_id (node)));
    }

  if (DC_IS_POINT_ROW (item))
    dc_point_table_select_key (self->point_table, dc_point_row_get_key (DC_POINT_ROW (item)));

  if (DC_IS_DEVICE_NODE (item))
    set_device_id (self, dc_device_node_get_kind (DC_DEVICE_NODE (item)) == DC_NODE_DEVICE
                         ? dc_device_node_get_id (DC_DEVICE_NODE (item))
                         : dc_device_node_get_device_id (DC_DEVICE_NODE (item)));
  else if (DC_IS_POINT_ROW (item))
    set_device_id (self, dc_point_row_get_device_id (DC_POINT_ROW (item)));
}

static void
device_failed_cb (DcWindow     *self,
                  DcDeviceNode *device,
                  const char   *message)
{
  dc_window_add_toast (self, message);
}

static gboolean
settings_has_key (GSettings  *settings,
                  const char *key)
{
  g_autoptr(GSettingsSchema) schema = NULL;

  if (settings == NULL)
    return FALSE;
  g_object_get (settings, "settings-schema", &schema, NULL);
  return schema != NULL && g_settings_schema_has_key (schema, key);
}

static gboolean
dc_window_close_request (GtkWindow *window)
{
  DcWindow *self = DC_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  if (settings_has_key (self->settings, "window-width") &&
      settings_has_key (self->settings, "window-height") &&
      settings_has_key (self->settings, "window-maximized"))
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
    }

  return GTK_WINDOW_CLASS (dc_window_parent_class)->close_request (window);
}

static void
dc_window_dispose (GObject *object)
{
  DcWindow *self = DC_WINDOW (object);

  set_detail_row (self, NULL);
  set_device (self, NULL);
  if (self->plant != NULL)
    {
      g_signal_handlers_disconnect_by_data (dc_plant_model_get_devices (self->plant), self);
      g_signal_handlers_disconnect_by_data (self->plant, self);
    }
  _dc_window_dispose_trend (self);
  _dc_window_dispose_connection (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), DC_TYPE_WINDOW);
  g_clear_object (&self->plant);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (dc_window_parent_class)->dispose (object);
}

static void
dc_window_finalize (GObject *object)
{
  DcWindow *self = DC_WINDOW (object);

  g_free (self->rest_address);
  g_free (self->device_id);

  G_OBJECT_CLASS (dc_window_parent_class)->finalize (object);
}

static void
dc_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  DcWindow *self = DC_WINDOW (object);

  switch (prop_id)
    {
    case PROP_PLANT:
      g_value_set_object (value, self->plant);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dc_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  DcWindow *self = DC_WINDOW (object);

  switch (prop_id)
    {
    case PROP_PLANT:
      dc_window_set_plant (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dc_window_class_init (DcWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  dc_ui_ensure_resources ();

  object_class->dispose = dc_window_dispose;
  object_class->finalize = dc_window_finalize;
  object_class->get_property = dc_window_get_property;
  object_class->set_property = dc_window_set_property;

  window_class->close_request = dc_window_close_request;

  properties[PROP_PLANT] =
    g_param_spec_object ("plant", NULL, NULL, DC_TYPE_PLANT_MODEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (DC_TYPE_DEVICE_TREE);
  g_type_ensure (DC_TYPE_POINT_TABLE);
  g_type_ensure (DC_TYPE_TREND_VIEW);
  g_type_ensure (DC_TYPE_ALARMS_PAGE);
  g_type_ensure (DC_TYPE_AUDIT_PAGE);
  g_type_ensure (DC_TYPE_LINK_COUNTERS);
  g_type_ensure (DC_TYPE_SPARKPLUG_STATUS);
  g_type_ensure (DC_TYPE_TRAFFIC_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/datacoll/DataColl/ui/dc-window.ui");
  gtk_widget_class_bind_template_child (widget_class, DcWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, rest_button);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, rest_label);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, device_tree);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, point_table);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, detail_name);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, detail_value);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, detail_quality);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, detail_time);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, detail_address);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, detail_scaling);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, detail_limits);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, mini_trend);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, trend_view);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, follow_button);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, trend_points_label);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, recent_list);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, alarms_page);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, audit_page);
  gtk_widget_class_bind_template_child (widget_class, DcWindow, traffic_view);

  _dc_window_class_init_actions (widget_class);
  _dc_window_class_init_trend (widget_class);
  _dc_window_class_init_connection (widget_class);
  _dc_window_class_init_device (widget_class);
  _dc_window_class_init_layout (widget_class);
}

static void
dc_window_init (DcWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = dc_ui_settings_new (NULL);
  if (settings_has_key (self->settings, "window-width") &&
      settings_has_key (self->settings, "window-height"))
    gtk_window_set_default_size (GTK_WINDOW (self),
                                 g_settings_get_int (self->settings, "window-width"),
                                 g_settings_get_int (self->settings, "window-height"));
  if (settings_has_key (self->settings, "window-maximized") &&
      g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  g_signal_connect_object (self->point_table, "notify::selected",
                           G_CALLBACK (table_selected_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->device_tree, "notify::selected",
                           G_CALLBACK (tree_selected_cb), self, G_CONNECT_SWAPPED);
  _dc_window_init_trend (self);
  _dc_window_init_device (self);
  _dc_window_init_layout (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.control", FALSE);
  update_page (self);
  update_detail (self);
}

DcWindow *
dc_window_new (GtkApplication *application)
{
  return g_object_new (DC_TYPE_WINDOW, "application", application, NULL);
}

DcPlantModel *
dc_window_get_plant (DcWindow *self)
{
  g_return_val_if_fail (DC_IS_WINDOW (self), NULL);
  return self->plant;
}

void
dc_window_set_plant (DcWindow     *self,
                     DcPlantModel *plant)
{
  g_return_if_fail (DC_IS_WINDOW (self));

  if (self->plant == plant)
    return;
  if (self->plant != NULL)
    {
      g_signal_handlers_disconnect_by_data (dc_plant_model_get_devices (self->plant), self);
      g_signal_handlers_disconnect_by_data (self->plant, self);
    }
  set_detail_row (self, NULL);
  set_device (self, NULL);
  _dc_window_trend_reset (self);
  dc_point_table_set_model (self->point_table, NULL);
  g_set_object (&self->plant, plant);
  if (plant != NULL)
    {
      g_signal_connect_object (dc_plant_model_get_devices (plant), "items-changed",
                               G_CALLBACK (devices_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (plant, "flushed", G_CALLBACK (_dc_window_trend_flushed_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (plant, "device-failed", G_CALLBACK (device_failed_cb), self,
                               G_CONNECT_SWAPPED);
    }
  dc_device_tree_set_plant (self->device_tree, plant);
  dc_alarms_page_set_plant (self->alarms_page, plant);
  dc_audit_page_set_plant (self->audit_page, plant);
  update_page (self);

  /* Start on the first device so that the table is never empty by accident. */
  if (plant != NULL && g_list_model_get_n_items (dc_plant_model_get_devices (plant)) > 0)
    {
      g_autoptr(DcDeviceNode) first = g_list_model_get_item (dc_plant_model_get_devices (plant), 0);

      dc_window_select (self, first);
    }
  /* The Traffic page, the counters and "Recent Controls" read the new plant's engine. */
  apply_device_id (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLANT]);
}

void
dc_window_set_source (DcWindow      *self,
                      DcPlantSource *source)
{
  g_return_if_fail (DC_IS_WINDOW (self));
  g_return_if_fail (source == NULL || DC_IS_PLANT_SOURCE (source));

  _dc_window_set_source (self, source);
  dc_alarms_page_set_source (self->alarms_page, source);
  apply_device_id (self);
}

DcPlantSource *
dc_window_get_source (DcWindow *self)
{
  g_return_val_if_fail (DC_IS_WINDOW (self), NULL);
  return _dc_window_get_source (self);
}

void
dc_window_set_rest_address (DcWindow   *self,
                            const char *address)
{
  g_return_if_fail (DC_IS_WINDOW (self));

  g_free (self->rest_address);
  self->rest_address = g_strdup (address);
  gtk_label_set_label (self->rest_label, address ? address : "");
  gtk_widget_set_visible (GTK_WIDGET (self->rest_button), address != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.copy-rest-address", address != NULL);
}

const char *
dc_window_get_rest_address (DcWindow *self)
{
  g_return_val_if_fail (DC_IS_WINDOW (self), NULL);
  return self->rest_address;
}

void
dc_window_add_toast (DcWindow   *self,
                     const char *text)
{
  g_return_if_fail (DC_IS_WINDOW (self));
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

gboolean
dc_window_select (DcWindow *self,
                  gpointer  item)
{
  g_return_val_if_fail (DC_IS_WINDOW (self), FALSE);

  if (dc_device_tree_select (self->device_tree, item))
    return TRUE;

  /* A point inside a collapsed term: show its term's points and select the row. */
  if (DC_IS_POINT_ROW (item) && self->plant != NULL)
    {
      DcDeviceNode *term = dc_plant_model_lookup_term (self->plant,
                                                       dc_point_row_get_term_id (item));

      DcDeviceNode *device;

      if (term == NULL)
        return FALSE;
      device = dc_plant_model_lookup_device (self->plant, dc_device_node_get_device_id (term));
      /* Select the device in the tree (its points fill the table), then the row. */
      if (device == NULL || !dc_device_tree_select (self->device_tree, device))
        {
          dc_point_table_set_model (self->point_table, dc_device_node_get_points (term));
          set_device (self, device);
        }
      dc_point_table_select_key (self->point_table, dc_point_row_get_key (item));
      return TRUE;
    }
  return FALSE;
}

const char *
dc_window_get_page (DcWindow *self)
{
  g_return_val_if_fail (DC_IS_WINDOW (self), NULL);
  return gtk_stack_get_visible_child_name (self->main_stack);
}

void
dc_window_set_view (DcWindow   *self,
                    const char *name)
{
  g_return_if_fail (DC_IS_WINDOW (self));
  adw_view_stack_set_visible_child_name (self->view_stack, name);
}

DcDeviceTree *
dc_window_get_device_tree (DcWindow *self)
{
  g_return_val_if_fail (DC_IS_WINDOW (self), NULL);
  return self->device_tree;
}

DcPointTable *
dc_window_get_point_table (DcWindow *self)
{
  g_return_val_if_fail (DC_IS_WINDOW (self), NULL);
  return self->point_table;
}

DcTrendView *
dc_window_get_trend_view (DcWindow *self)
{
  g_return_val_if_fail (DC_IS_WINDOW (self), NULL);
  return self->trend_view;
}

DcTrendView *
dc_window_get_mini_trend (DcWindow *self)
{
  g_return_val_if_fail (DC_IS_WINDOW (self), NULL);
  return self->mini_trend;
}

const char *
dc_window_get_detail_value (DcWindow *self)
{
  g_return_val_if_fail (DC_IS_WINDOW (self), NULL);
  return gtk_label_get_label (self->detail_value);
}

DcAuditPage *
dc_window_get_audit_page (DcWindow *self)
{
  g_return_val_if_fail (DC_IS_WINDOW (self), NULL);

  return self->audit_page;
}

DcAlarmsPage *
dc_window_get_alarms_page (DcWindow *self)
{
  g_return_val_if_fail (DC_IS_WINDOW (self), NULL);
  return self->alarms_page;
}

const char *
dc_window_get_device_id (DcWindow *self)
{
  g_return_val_if_fail (DC_IS_WINDOW (self), NULL);
  return self->device_id;
}

DcTrafficView *
dc_window_get_traffic_view (DcWindow *self)
{
  g_return_val_if_fail (DC_IS_WINDOW (self), NULL);
  return self->traffic_view;
}

DcLinkCounters *
dc_window_get_link_counters (DcWindow *self)
{
  g_return_val_if_fail (DC_IS_WINDOW (self), NULL);
  return self->link_counters;
}

GtkListBox *
dc_window_get_recent_controls (DcWindow *self)
{
  g_return_val_if_fail (DC_IS_WINDOW (self), NULL);
  return self->recent_list;
}
