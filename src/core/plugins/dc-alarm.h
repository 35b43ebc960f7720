/* dc-alarm.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <json-glib/json-glib.h>

#include "dc-engine.h"
#include "dc-sample.h"
#include "dc-store.h"

G_BEGIN_DECLS

/* The alarm plugin (docs/model.md "Alarms", docs/plugins.md): one alarm per point and condition
 * (high, low, state, verify) and one comm alarm per device, the five states, acknowledge and
 * shelve, and a journal of every transition in its own sqlite file. Main thread only.
 *
 * Signals:
 *   ::changed (JsonObject *alarm)
 *       an alarm changed state (or was acknowledged or shelved); the object is the alarm as
 *       GET /api/v1/alarms shows it. */
#define DC_TYPE_ALARM (dc_alarm_get_type ())

G_DECLARE_FINAL_TYPE (DcAlarm, dc_alarm, DC, ALARM, GObject)

typedef enum
{
  DC_ALARM_NORMAL,
  DC_ALARM_ACTIVE_UNACKED,
  DC_ALARM_ACTIVE_ACKED,
  DC_ALARM_CLEARED_UNACKED,
  DC_ALARM_SHELVED,
} DcAlarmState;

/* "<name>-alarms.db" next to @config_db_path "<name>.db" (dc_companion_path()). */
char       *dc_alarm_path_for_config (const char   *config_db_path);

/* Opens or creates the journal at @journal_path and loads the alarms it holds. */
DcAlarm    *dc_alarm_new             (DcStore      *store,
                                      const char   *journal_path,
                                      GError      **error);
/* The plugin wired to @engine: its ::samples and its drivers' ::device-changed. */
DcAlarm    *dc_alarm_new_for_engine  (DcEngine     *engine,
                                      const char   *journal_path,
                                      GError      **error);
/* Loads the point rules and follows the store from now on. */
void        dc_alarm_start           (DcAlarm      *self);
/* Applies pending configuration changes now (they are applied in an idle otherwise). */
void        dc_alarm_flush           (DcAlarm      *self);

/* Checks a batch of accepted samples against the limits of their points. */
void        dc_alarm_process         (DcAlarm      *self,
                                      const DcSample *samples,
                                      guint         n_samples);
/* The link of @device_id went down (@up FALSE) or came back, at @time_us. */
void        dc_alarm_set_link        (DcAlarm      *self,
                                      const char   *device_id,
                                      gboolean      up,
                                      gint64        time_us);

/* Alarms that are not normal and not shelved (@all: every alarm), highest priority first,
 * then newest. */
JsonArray  *dc_alarm_list            (DcAlarm      *self,
                                      gboolean      all);
/* DC_ERROR_NOT_FOUND "alarm_id not found!". */
JsonObject *dc_alarm_get             (DcAlarm      *self,
                                      gint64        id,
                                      GError      **error);
DcAlarmState dc_alarm_get_state      (DcAlarm      *self,
                                      gint64        id);
/* The id of the alarm of @key and @condition ("high", "low", "state", "verify"), or 0. */
gint64      dc_alarm_find            (DcAlarm      *self,
                                      gint64        key,
                                      const char   *condition);
/* The id of the comm alarm of @device_id, or 0. */
gint64      dc_alarm_find_comm       (DcAlarm      *self,
                                      const char   *device_id);

/* Errors: DC_ERROR_NOT_FOUND "alarm_id not found!"; DC_ERROR_INVALID "alarm <id> has nothing
 * to acknowledge". */
gboolean    dc_alarm_ack             (DcAlarm      *self,
                                      gint64        id,
                                      const char   *user,
                                      const char   *comment,
                                      GError      **error);
/* Acknowledges the alarms @ids (NULL: every alarm waiting for an acknowledgement), each as
 * dc_alarm_ack() does; those that no longer wait are skipped. Returns the ids acknowledged
 * (gint64), or NULL with DC_ERROR_NOT_FOUND "alarm_id not found!" for an unknown id, before
 * anything is acknowledged. */
GArray     *dc_alarm_ack_many        (DcAlarm      *self,
                                      const gint64 *ids,
                                      guint         n_ids,
                                      const char   *user,
                                      const char   *comment,
                                      GError      **error);
/* Shelves until @until_us (in the future: else DC_ERROR_INVALID "field until must be a time in
 * the future"). */
gboolean    dc_alarm_shelve          (DcAlarm      *self,
                                      gint64        id,
                                      gint64        until_us,
                                      const char   *user,
                                      const char   *comment,
                                      GError      **error);

/* Journal entries in [@from, @to), oldest first; at most @limit (the newest; 0 = 100,000). */
JsonArray  *dc_alarm_journal         (DcAlarm      *self,
                                      gint64        from,
                                      gint64        to,
                                      guint         limit,
                                      GError      **error);
/* The same as CSV with the header
 * "time,alarm_id,condition,device_id,term_id,item_id,state,value,user,comment,text". */
char       *dc_alarm_journal_csv     (DcAlarm      *self,
                                      gint64        from,
                                      gint64        to,
                                      guint         limit,
                                      GError      **error);

const char *dc_alarm_state_to_string (DcAlarmState  state);

G_END_DECLS
