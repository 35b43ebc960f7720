/* dc-point-row.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "dc-sample.h"

G_BEGIN_DECLS

/* One point as the workstation shows it: identity and configuration from the store, the
 * current sample from the engine. Rows live as long as the point is configured; a new
 * sample changes the row in place (property notifications), never the list models. */
typedef enum
{
  DC_POINT_KIND_ANALOG,
  DC_POINT_KIND_SINGLE,   /* 0 off, 1 on (default texts, dc-states.h) */
  DC_POINT_KIND_DOUBLE,   /* 0 intermediate, 1 off, 2 on, 3 indeterminate */
} DcPointKind;

#define DC_TYPE_POINT_ROW (dc_point_row_get_type ())

G_DECLARE_FINAL_TYPE (DcPointRow, dc_point_row, DC, POINT_ROW, GObject)

DcPointRow *dc_point_row_new             (gint64          key,
                                          const char     *device_id,
                                          const char     *term_id,
                                          const char     *item_id);
/* The same with everything a row shows, set without notifications (bulk loads). */
DcPointRow *dc_point_row_new_full        (gint64          key,
                                          const char     *device_id,
                                          const char     *term_id,
                                          const char     *item_id,
                                          const char     *name,
                                          const char     *address,
                                          const char     *unit,
                                          DcPointKind     kind,
                                          double          coefficient,
                                          double          base_val,
                                          double          down_limit,
                                          double          up_limit);
/* The same from GRefStrings (g_ref_string_new()), each taken with a reference, not copied:
 * rows of one device, term or item share their strings (bulk loads). */
DcPointRow *dc_point_row_new_shared      (gint64          key,
                                          char           *device_id,
                                          char           *term_id,
                                          char           *item_id,
                                          char           *name,
                                          char           *address,
                                          char           *unit,
                                          DcPointKind     kind,
                                          double          coefficient,
                                          double          base_val,
                                          double          down_limit,
                                          double          up_limit);
gint64      dc_point_row_get_key         (DcPointRow     *self);
/* The key's address, valid as long as the row: a hash table key that costs no copy. */
const gint64 *dc_point_row_peek_key      (DcPointRow     *self);
const char *dc_point_row_get_device_id   (DcPointRow     *self);
const char *dc_point_row_get_term_id     (DcPointRow     *self);
const char *dc_point_row_get_item_id     (DcPointRow     *self);
/* "term:item", the id used in the store's signals. */
const char *dc_point_row_get_point_id    (DcPointRow     *self);
/* Renames and moves (term or item rename, term moved to another device). */
void        dc_point_row_set_ids         (DcPointRow     *self,
                                          const char     *device_id,
                                          const char     *term_id,
                                          const char     *item_id);
const char *dc_point_row_get_name        (DcPointRow     *self);
void        dc_point_row_set_name        (DcPointRow     *self,
                                          const char     *name);
const char *dc_point_row_get_address     (DcPointRow     *self);
void        dc_point_row_set_address     (DcPointRow     *self,
                                          const char     *address);
const char *dc_point_row_get_unit        (DcPointRow     *self);
void        dc_point_row_set_unit        (DcPointRow     *self,
                                          const char     *unit);
void        dc_point_row_set_limits      (DcPointRow     *self,
                                          double          down_limit,
                                          double          up_limit);
/* 1 above the high limit, -1 below the low limit, 0 within (or no limits / no value). */
int         dc_point_row_get_limit_state (DcPointRow     *self);
void        dc_point_row_get_limits      (DcPointRow     *self,
                                          double         *down_limit,
                                          double         *up_limit);
void        dc_point_row_set_scaling     (DcPointRow     *self,
                                          double          coefficient,
                                          double          base_val);
void        dc_point_row_get_scaling     (DcPointRow     *self,
                                          double         *coefficient,
                                          double         *base_val);

/* Binary and double points show their state in words instead of the number. */
void        dc_point_row_set_kind        (DcPointRow     *self,
                                          DcPointKind     kind);
/* Decimals (-1: as many as needed) and state texts (the point's `states`, nullable) of
 * docs/model.md: the value text follows them. */
void        dc_point_row_set_presentation (DcPointRow *self,
                                           int         decimals,
                                           JsonObject *states);
JsonObject *dc_point_row_get_states      (DcPointRow     *self);
/* TRUE when the point's values are states (a binary or double point, or texts configured). */
gboolean    dc_point_row_is_state        (DcPointRow     *self);
/* @value as this point shows it: the state text, else the number with decimals and unit. */
char       *dc_point_row_format_value    (DcPointRow     *self,
                                          double          value);
/* Applies a sample: notifies only the properties that changed. */
void        dc_point_row_set_sample      (DcPointRow     *self,
                                          const DcSample *sample);
gboolean    dc_point_row_has_value       (DcPointRow     *self);
double      dc_point_row_get_value       (DcPointRow     *self);
guint32     dc_point_row_get_quality     (DcPointRow     *self);
gint64      dc_point_row_get_time        (DcPointRow     *self);
/* "152.3 A", or "—" before the first sample. */
const char *dc_point_row_get_value_text  (DcPointRow     *self);
const char *dc_point_row_get_time_text   (DcPointRow     *self);
/* "0.4 s", "14 min"… relative to @now_us (µs since the epoch); "" before the first sample. */
char       *dc_point_row_format_age      (DcPointRow     *self,
                                          gint64          now_us);
/* The highest priority of the point's active alarms ("low" … "critical"), NULL: none. */
void        dc_point_row_set_alarm_priority (DcPointRow  *self,
                                             const char  *priority);
const char *dc_point_row_get_alarm_priority (DcPointRow  *self);

G_END_DECLS
