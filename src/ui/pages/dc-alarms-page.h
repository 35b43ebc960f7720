/* dc-alarms-page.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <adwaita.h>

#include "dc-alarm.h"
#include "dc-plant-model.h"
#include "dc-plant-source.h"

G_BEGIN_DECLS

/* The Alarms page (docs/ui.md): the active alarms (not normal, not shelved; highest priority first,
 * then newest), each with its priority as icon, colour and word, acknowledge and shelve with a
 * comment, several at once (Acknowledge Selected…, Acknowledge All…); rows waiting for an
 * acknowledgement flash while animations are on; below, the journal of a time range with a text
 * filter and CSV export. New high and critical alarms raise a desktop notification
 * (GNotification) while the window is not focused, and ring the bell when the alarm-sound
 * preference is on.
 *
 * Properties:
 *   n-unacknowledged (guint): active or cleared alarms waiting for acknowledgement (badge)
 *   needs-attention (gboolean): n-unacknowledged > 0 */
#define DC_TYPE_ALARMS_PAGE (dc_alarms_page_get_type ())

G_DECLARE_FINAL_TYPE (DcAlarmsPage, dc_alarms_page, DC, ALARMS_PAGE, AdwBin)

typedef enum
{
  DC_ALARMS_RANGE_HOUR,
  DC_ALARMS_RANGE_DAY,
  DC_ALARMS_RANGE_WEEK,
  DC_ALARMS_RANGE_ALL,
} DcAlarmsRange;

DcAlarmsPage *dc_alarms_page_new                (void);
/* @alarm may be NULL (alarms switched off: the page says so). */
void          dc_alarms_page_set_alarm          (DcAlarmsPage  *self,
                                                 DcAlarm       *alarm);
DcAlarm      *dc_alarms_page_get_alarm          (DcAlarmsPage  *self);
/* The plant connection's alarms (used when no plugin is set directly: a desk on a server, or
 * the application's local connection). */
void          dc_alarms_page_set_source         (DcAlarmsPage  *self,
                                                 DcPlantSource *source);
/* Names of devices and points, and units. */
void          dc_alarms_page_set_plant          (DcAlarmsPage  *self,
                                                 DcPlantModel  *plant);
guint         dc_alarms_page_get_n_unacknowledged (DcAlarmsPage *self);

/* Reloads the active list and the journal now (they are reloaded in an idle after changes). */
void          dc_alarms_page_refresh            (DcAlarmsPage  *self);
/* A narrow window (docs/ui.md "Narrow windows"): the rows' buttons show icons (the words in
 * their tooltips), so that a row fits 360 px. */
void          dc_alarms_page_set_narrow         (DcAlarmsPage  *self,
                                                 gboolean       narrow);
/* The row of the active alarm @id, or NULL; its buttons are named "ack" and "shelve". */
GtkWidget    *dc_alarms_page_get_row            (DcAlarmsPage  *self,
                                                 gint64         id);
/* Active rows shown, in order. */
guint         dc_alarms_page_get_n_rows         (DcAlarmsPage  *self);
GtkWidget    *dc_alarms_page_get_nth_row        (DcAlarmsPage  *self,
                                                 guint          n);

void          dc_alarms_page_set_range          (DcAlarmsPage  *self,
                                                 DcAlarmsRange  range);
void          dc_alarms_page_set_filter         (DcAlarmsPage  *self,
                                                 const char    *text);
/* The journal entries shown (filtered), newest first: JSON objects as dc_alarm_journal(). */
GListModel   *dc_alarms_page_get_journal        (DcAlarmsPage  *self);
JsonObject   *dc_alarms_page_get_journal_entry  (DcAlarmsPage  *self,
                                                 guint          position);
/* Writes the journal entries shown (filtered), oldest first, as dc_alarm_journal_csv() does. */
gboolean      dc_alarms_page_export_csv         (DcAlarmsPage  *self,
                                                 GFile         *file,
                                                 GError       **error);
/* Desktop notifications sent so far (tests). */
guint         dc_alarms_page_get_n_notifications (DcAlarmsPage *self);
/* Bells rung for new alarms (the alarm-sound preference; tests). */
guint         dc_alarms_page_get_n_beeps        (DcAlarmsPage  *self);
/* Whether the rows waiting for an acknowledgement flash now (shown, animations on). */
gboolean      dc_alarms_page_is_flashing        (DcAlarmsPage  *self);

G_END_DECLS
