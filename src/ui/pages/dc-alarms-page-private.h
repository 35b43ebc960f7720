/* dc-alarms-page-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-alarms-page.h"
#include "dc-plant-source.h"

G_BEGIN_DECLS

/* DcAlarmsPage is split by concern: dc-alarms-page.c (type, active list refresh,
 * notifications, acknowledge and shelve), dc-alarms-active.c (the active list's rows, the
 * plant's alarm badges), dc-alarms-journal.c (the journal table, filter, CSV export),
 * dc-alarms-text.c (words and numbers both show), dc-alarms-ack.c (selection, Acknowledge
 * Selected and Acknowledge All) and dc-alarms-attention.c (flashing until acknowledged, the
 * optional sound). The parts only use this struct and never call back into dc-alarms-page.c:
 * the page's actions are installed there (with the checked DC_ALARMS_PAGE() cast) and call
 * the parts' functions, so no part needs the type's get_type() and no file circle forms. */
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
  GtkLabel       *unacked_label;

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
  gboolean        narrow;      /* dc_alarms_page_set_narrow(): icon buttons in the rows */

  /* dc-alarms-ack.c */
  GHashTable     *selected;    /* alarm ids of the selected rows (kept over a rebuild) */
  gboolean        rebuilding;
  /* dc-alarms-attention.c */
  GSettings      *settings;    /* the desktop preferences (alarm-sound), NULL without schema */
  GtkSettings    *gtk_settings;
  guint           flash_id;
  gboolean        flash_on;
  guint           n_beeps;
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
/* The device's name (its id when the plant does not know it), NULL for none. */
char       *_dc_alarms_device_name        (DcAlarmsPage   *self,
                                           JsonObject     *object);
/* The condition in words: "above high limit 90 °C", "is open", "communication lost". */
char       *_dc_alarms_condition_words    (DcAlarmsPage   *self,
                                           JsonObject     *object);
/* The alarm as a sentence: "F1 current above high limit 95 A", "F3 breaker is open". */
char       *_dc_alarms_describe           (DcAlarmsPage   *self,
                                           JsonObject     *object);
/* A toast in the window (its win.toast action), a warning without one. */
void        _dc_alarms_report             (DcAlarmsPage   *self,
                                           const char     *message);

/* dc-alarms-active.c */
/* A row of the active list for @object (its actions name the page's alarms.ack and
 * alarms.shelve). */
GtkWidget  *_dc_alarms_active_row_new     (DcAlarmsPage   *self,
                                           JsonObject     *object);
/* The badges on the plant's points and devices for the alarms of @list (NULL: none). */
void        _dc_alarms_update_badges      (DcAlarmsPage   *self,
                                           JsonArray      *list);
/* dc-alarms-journal.c */
void        _dc_alarms_journal_init       (DcAlarmsPage   *self);
/* The file chooser of the page's alarms.export-csv. */
void        _dc_alarms_journal_export_dialog (DcAlarmsPage *self);
void        _dc_alarms_journal_refresh    (DcAlarmsPage   *self);
void        _dc_alarms_journal_set_filter (DcAlarmsPage   *self,
                                           const char     *text);
JsonObject *_dc_alarms_journal_get_entry  (DcAlarmsPage   *self,
                                           guint           position);
gboolean    _dc_alarms_journal_export_csv (DcAlarmsPage   *self,
                                           GFile          *file,
                                           GError        **error);

/* dc-alarms-ack.c */
void        _dc_alarms_ack_init           (DcAlarmsPage   *self);
/* The dialog of the page's alarms.ack-selected (@all FALSE) and alarms.ack-all (TRUE). */
void        _dc_alarms_ack_open_dialog    (DcAlarmsPage   *self,
                                           gboolean        all);
/* Around a rebuild of the active list: the selection is kept by alarm id. */
void        _dc_alarms_ack_begin_rebuild  (DcAlarmsPage   *self);
void        _dc_alarms_ack_end_rebuild    (DcAlarmsPage   *self);

/* dc-alarms-attention.c */
void        _dc_alarms_attention_init     (DcAlarmsPage   *self);
void        _dc_alarms_attention_dispose  (DcAlarmsPage   *self);
/* Starts or stops the flashing (rows rebuilt, page mapped or unmapped). */
void        _dc_alarms_attention_update   (DcAlarmsPage   *self);
/* A new alarm waits for an acknowledgement: the sound, when the preferences want it. */
void        _dc_alarms_attention_new      (DcAlarmsPage   *self);

G_END_DECLS
