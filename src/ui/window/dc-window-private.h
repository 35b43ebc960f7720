/* dc-window-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-window.h"
#include "dc-local-source.h"

G_BEGIN_DECLS

/* DcWindow is one class split by concern (docs/ui.md): dc-window.c holds the type, the
 * template, the selection, the detail pane, the Device page and the public API;
 * dc-window-trend.c the Trend page and the trends of the selection (dc-window-trend-export.c its
 * CSV export); dc-window-actions.c the window's actions (toast, search, traffic,
 * add/edit/delete, import/export, control).
 *
 * The parts only use the struct below and the types of other folders: they never call back
 * into dc-window.c (dc-window.c calls them), so the files stay free of circles. */
struct _DcWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template children */
  AdwToastOverlay      *toast_overlay;
  GtkButton            *search_button;
  AdwViewSwitcherTitle *switcher_title;
  GtkButton            *rest_button;
  GtkLabel             *rest_label;
  GtkLabel             *user_label;
  GtkRevealer          *connection_revealer;
  GtkLabel             *connection_label;
  GtkButton            *connection_button;
  GtkWidget            *control_button;
  GtkWidget            *edit_button;
  GtkStack             *main_stack;
  AdwLeaflet           *leaflet;
  GtkWidget            *back_button;
  AdwViewStack         *view_stack;
  DcDeviceTree         *device_tree;
  DcPointTable         *point_table;
  GtkStack             *detail_stack;
  GtkLabel             *detail_name;
  GtkLabel             *detail_value;
  GtkLabel             *detail_quality;
  GtkLabel             *detail_time;
  GtkLabel             *detail_address;
  GtkLabel             *detail_scaling;
  GtkLabel             *detail_limits;
  DcTrendView          *mini_trend;
  DcTrendView          *trend_view;
  GtkToggleButton      *follow_button;
  GtkLabel             *trend_points_label;
  AdwActionRow         *device_state_row;
  GtkImage             *device_state_icon;
  AdwActionRow         *device_protocol_row;
  AdwActionRow         *device_address_row;
  AdwActionRow         *device_port_row;
  AdwActionRow         *device_backup_row;
  AdwActionRow         *device_serial_row;
  AdwActionRow         *device_unit_row;
  AdwActionRow         *device_error_row;
  AdwActionRow         *device_points_row;
  DcLinkCounters       *link_counters;
  GtkListBox           *recent_list;
  DcAlarmsPage         *alarms_page;
  DcAuditPage          *audit_page;
  DcTrafficView        *traffic_view;

  /* Owned */
  DcPlantModel         *plant;
  DcPlantSource        *source;          /* the plant connection (dc-window-connection.c) … */
  DcPlantSource        *fallback;        /* … or a local one over the plant's store */
  DcPointRow           *detail_row;
  DcDeviceNode         *device;
  char                 *device_id;       /* the Traffic page's and the counters' device */
  GSettings            *settings;
  char                 *rest_address;
  GCancellable         *mini_query;      /* history queries of the mini trend … */
  GCancellable         *trend_query;     /* … and of the Trend page */
  struct _DcWindowTrend *trend;          /* the Trend and History pages (dc-window-trend.c) */
};

/* dc-window-trend.c */
void _dc_window_class_init_trend     (GtkWidgetClass *widget_class);
void _dc_window_init_trend           (DcWindow       *self);
void _dc_window_dispose_trend        (DcWindow       *self);
/* The selected point (or NULL) in the mini trend and the History page; the selected points
 * on the Trend page while it follows the selection (besides the pinned ones). */
void _dc_window_trend_show_selection (DcWindow       *self,
                                      DcPointRow     *row);
/* A new plant: the Trend page starts empty, nothing pinned. */
void _dc_window_trend_reset          (DcWindow       *self);
/* Extends the trends with the rows the plant model just updated. */
void _dc_window_trend_flushed_cb     (DcWindow       *self,
                                      guint           n_rows,
                                      DcPlantModel   *plant);

/* dc-window-trend-export.c: the `win.export-trend` action (a file chooser, then
 * dc_window_export_trend_async()). */
void _dc_window_trend_export_action  (GtkWidget      *widget,
                                      const char     *action_name,
                                      GVariant       *param);

/* dc-window-connection.c: the plant connection of the window (docs/ui.md) */
void _dc_window_class_init_connection (GtkWidgetClass *widget_class);
void _dc_window_dispose_connection    (DcWindow       *self);
/* The window's plant connection: the one set, else (a plant model fed directly, as the tests
 * do) a local one over the plant model's store and engine; NULL when there is neither. */
DcPlantSource *_dc_window_get_source  (DcWindow       *self);
void _dc_window_set_source            (DcWindow       *self,
                                       DcPlantSource  *source);
/* Whether the plant connection is live (controls and edits are enabled only then). */
gboolean _dc_window_is_connected      (DcWindow       *self);

/* The selected point (or the connection) changed: "Control…" follows it. */
void _dc_window_update_control       (DcWindow       *self);

/* dc-window-device.c: the Device page (docs/ui.md "Device page") */
void _dc_window_class_init_device    (GtkWidgetClass *widget_class);
void _dc_window_init_device          (DcWindow       *self);
/* The selected device (self->device) or its fields changed. */
void _dc_window_device_update        (DcWindow       *self);

/* dc-window-layout.c: the narrow window (docs/ui.md "Narrow windows") */
void _dc_window_class_init_layout    (GtkWidgetClass *widget_class);
void _dc_window_init_layout          (DcWindow       *self);
/* Folded, shows the pages or the device tree (unfolded both are shown: nothing changes). */
void _dc_window_show_pages           (DcWindow       *self);
void _dc_window_show_devices         (DcWindow       *self);
/* The header's back and search buttons for the fold and the page (empty or plant). */
void _dc_window_layout_update        (DcWindow       *self);

/* dc-window-actions.c */
void _dc_window_class_init_actions   (GtkWidgetClass *widget_class);
/* Reloads the Device page's "Recent Controls" of the device. */
void _dc_window_refresh_recent       (DcWindow       *self);

G_END_DECLS
