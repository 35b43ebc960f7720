/* dc-alarms-page-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-alarms-page.h"
#include "dc-plant-source.h"

G_BEGIN_DECLS

/* DcAlarmsPage is split by concern: dc-alarms-page.c (type, active list, badges, notifications,
 * acknowledge and shelve), dc-alarms-journal.c (the journal table, filter, CSV export) and
 * dc-alarms-text.c (words and numbers both show). The parts only use this struct and never call
 * back into dc-alarms-page.c. */
struct _DcAlarmsPage
{
  AdwBin          parent_instance;

  /* Template children */
  GtkStack       *active_stack;
  AdwStatusPage  *status_page;
  GtkListBox     *active_list;
  GtkDropDown    *range_dropdown;
  GtkSearchEntry *journal_search;
  GtkColumnView  *journal_view;

  /* Owned */
  DcAlarm        *alarm;       /* the plugin itself (set directly) … */
  DcPlantSource  *source;      /* … or the plant connection's alarms */
  DcPlantModel   *plant;
  GListStore     *journal;
  GtkFilterListModel *filtered;
  GtkCustomFilter *filter;
  GHashTable     *states;      /* alarm id → last DcAlarmState seen (for notifications) */
  GHashTable     *rows;        /* alarm id → GtkWidget row (borrowed from the list) */
  GPtrArray      *badged;      /* DcPointRow and DcDeviceNode that carry an alarm badge */
  char           *filter_text;
  guint           refresh_id;
  guint           n_unacked;
  guint           n_notifications;
};

/* dc-alarms-text.c */
const char *_dc_alarms_json_string        (JsonObject     *object,
                                           const char     *name);
gboolean    _dc_alarms_json_double        (JsonObject     *object,
                                           const char     *name,
                                           double         *value);
/* "14:02:11" today, else "2026-11-25 14:02:11", in local time. */
char       *_dc_alarms_format_time        (const char     *rfc3339,
                                           gboolean        always_date);
/* The point's or the device's name (ids when the plant does not know them). */
char       *_dc_alarms_source_name        (DcAlarmsPage   *self,
                                           JsonObject     *object);
char       *_dc_alarms_format_value       (DcAlarmsPage   *self,
                                           JsonObject     *object);
/* A toast in the window (its win.toast action), a warning without one. */
char       *_dc_alarms_describe           (DcAlarmsPage   *self,
                                           JsonObject     *object);
void        _dc_alarms_report             (DcAlarmsPage   *self,
                                           const char     *message);

/* dc-alarms-journal.c */
void        _dc_alarms_journal_class_init (GtkWidgetClass *widget_class);
void        _dc_alarms_journal_init       (DcAlarmsPage   *self);
void        _dc_alarms_journal_refresh    (DcAlarmsPage   *self);
void        _dc_alarms_journal_set_filter (DcAlarmsPage   *self,
                                           const char     *text);
JsonObject *_dc_alarms_journal_get_entry  (DcAlarmsPage   *self,
                                           guint           position);
gboolean    _dc_alarms_journal_export_csv (DcAlarmsPage   *self,
                                           GFile          *file,
                                           GError        **error);

G_END_DECLS
