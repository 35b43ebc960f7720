/* dc-alarm-badge.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Words, icons and style classes for alarm priorities ("low", "medium", "high", "critical"),
 * conditions and states (the JSON names of GET /api/v1/alarms), shared by the Alarms page and
 * the badges of the device tree and point table. Colour never stands alone: every icon comes
 * with a word (label or tooltip). */
const char *dc_alarm_priority_text      (const char *priority);
const char *dc_alarm_priority_icon      (const char *priority);
/* "error", "warning" or "dim-label" (libadwaita's named colours only). */
const char *dc_alarm_priority_css_class (const char *priority);
/* 0 low … 3 critical; -1 for anything else. */
int         dc_alarm_priority_rank      (const char *priority);
const char *dc_alarm_condition_text     (const char *condition);
const char *dc_alarm_state_text         (const char *state);
/* A GtkImage of the priority's icon and colour with the word as tooltip and accessible label. */
GtkWidget  *dc_alarm_badge_new_icon     (const char *priority);

/* The badge of a device tree row: icon and count for a DcDeviceNode ("n-alarms",
 * "alarm-priority"), icon alone for a DcPointRow ("alarm-priority"); hidden without alarms.
 * dc_alarm_badge_bind() adds its GBindings to @bindings (the caller unbinds them). */
GtkWidget  *dc_alarm_badge_new          (void);
void        dc_alarm_badge_bind         (GtkWidget  *badge,
                                         GObject    *item,
                                         GPtrArray  *bindings);
/* A point table column over DcPointRow items: icon and priority word of the point's alarm. */
GtkColumnViewColumn *dc_alarm_badge_new_column (void);

G_END_DECLS
