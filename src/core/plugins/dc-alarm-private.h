/* dc-alarm-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <sqlite3.h>

#include "dc-alarm.h"
#include "dc-deferred.h"
#include "dc-expr.h"

G_BEGIN_DECLS

/* The alarm plugin in five files, each using only the ones after it:
 *
 *   dc-alarm.c          the object: shelving, configuration, public API
 *   dc-alarm-comm.c     the comm alarms of devices: link states, deleted and renamed devices
 *   dc-alarm-states.c   the states: conditions of samples, delays, transitions, journal writes
 *   dc-alarm-rules.c    the rules of a point (limits, deadband, delay, do_verify), the
 *                       condition tests and the alarm texts
 *   dc-alarm-journal.c  the journal file: alarms and transitions, their JSON form, names */

/* The statements the alarm journal keeps prepared. */
#define DC_ALARM_JOURNAL_N_STMTS 4

typedef enum
{
  DC_ALARM_COND_HIGH,
  DC_ALARM_COND_LOW,
  DC_ALARM_COND_STATE,
  DC_ALARM_COND_VERIFY,
  DC_ALARM_COND_COMM,
  DC_ALARM_N_CONDS
} DcAlarmCond;

/* The limits of one point, read from its JSON when the configuration changes. */
typedef struct
{
  gint64      key;
  char       *device_id;
  char       *term_id;
  char       *item_id;
  gboolean    has_up, has_down, has_on;
  double      up, down, on;
  double      deadband;
  gint64      delay_us;
  int         priority;
  DcExpr     *verify;
  char       *verify_error;   /* do_verify does not parse */
  char       *warn_msg;
  JsonObject *json;
  /* The alarms of this point per condition, once looked up (alarms live as long as the
   * plugin; a rebuilt rule looks them up again). */
  gpointer    alarms[DC_ALARM_N_CONDS];
  gboolean    looked_up[DC_ALARM_N_CONDS];
  /* The texts of the high, low and state alarms, made when first needed. */
  char       *texts[DC_ALARM_COND_STATE + 1];
} DcAlarmRule;

/* One alarm: a condition of a point, or the comm alarm of a device. */
typedef struct
{
  DcAlarm      *self;          /* borrowed */
  gint64        id;
  DcAlarmCond   cond;
  gint64        key;           /* points; 0 for comm */
  char         *device_id;
  char         *term_id;
  char         *item_id;
  int           priority;
  DcAlarmState  state;
  gboolean      raw;           /* the condition itself (deadband applied), before the delay */
  gboolean      active;        /* the condition after the delay */
  gint64        raw_since;
  guint         delay_id;
  double        value;
  char         *text;
  gint64        since;         /* last state change */
  gint64        active_since;
  char         *ack_user;
  char         *ack_comment;
  gint64        ack_time;
  gint64        shelved_until;
  char         *shelve_user;
  char         *shelve_comment;
  guint         shelve_id;
} DcAlarmItem;

struct _DcAlarm
{
  GObject      parent_instance;

  DcStore     *store;
  DcEngine    *engine;        /* weak */
  gulong       samples_id;
  gulong       device_id_handler;
  gulong       changed_id;
  gulong       removed_id;
  DcDeferred   rebuild;
  gboolean     reload;        /* the next rebuild reads every point */
  GHashTable  *refresh;       /* "term:item" of points created or edited since, or NULL */
  guint        n_points;      /* points read by the last rebuild */
  sqlite3     *db;
  sqlite3_stmt *journal_stmts[DC_ALARM_JOURNAL_N_STMTS];
  guint        batching;      /* > 0 inside dc_alarm_process(): one transaction for its batch */
  gboolean     in_tx;
  GHashTable  *rules;         /* gint64 key → DcAlarmRule */
  GHashTable  *alarms;        /* gint64 id → DcAlarmItem */
  GHashTable  *by_ident;      /* "high:<key>", "comm:<device>" → DcAlarmItem */
  DcExprScope *scope;
};

/* dc-alarm-states.c */
/* The id of DcAlarm ::changed (set by the class). */
extern guint dc_alarm_changed_signal;
/* Sets @a's state, journals the transition and emits ::changed. */
void         dc_alarm_set_state            (DcAlarm      *self,
                                            DcAlarmItem  *a,
                                            DcAlarmState  state,
                                            gint64        time,
                                            const char   *user,
                                            const char   *comment);
/* Commits the journal's transaction unless a batch is being processed. */
void         dc_alarm_journal_end          (DcAlarm      *self);
/* The conditions of @rule's point for one sample. */
void         dc_alarm_process_sample       (DcAlarm        *self,
                                            DcAlarmRule    *rule,
                                            const DcSample *s);
DcAlarmItem *dc_alarm_item_lookup          (DcAlarm      *self,
                                            DcAlarmCond   cond,
                                            gint64        key,
                                            const char   *device_id);
/* A new alarm (its id from the journal), registered. */
DcAlarmItem *dc_alarm_item_create          (DcAlarm      *self,
                                            DcAlarmCond   cond,
                                            gint64        key,
                                            const char   *device_id,
                                            const char   *term_id,
                                            const char   *item_id);
/* The condition of @a is @raw at @time (a sample's time); applies the delay. */
void         dc_alarm_item_update          (DcAlarm      *self,
                                            DcAlarmItem  *a,
                                            gboolean      raw,
                                            gint64        delay_us,
                                            gint64        time);

/* dc-alarm-comm.c */
/* The comm alarm of @device_id clears: the device was deleted, or renamed to @new_id. */
void         dc_alarm_device_gone          (DcAlarm      *self,
                                            const char   *device_id,
                                            const char   *new_id);
/* dc_alarm_set_link(). */
void         dc_alarm_comm_set_link        (DcAlarm      *self,
                                            const char   *device_id,
                                            gboolean      up,
                                            gint64        time_us);
/* Comm alarms loaded from the journal whose device no longer exists. */
void         dc_alarm_clear_gone_devices   (DcAlarm      *self);
/* DcEngineDrivers ::device-changed. */
void         dc_alarm_device_changed_cb    (DcEngineDrivers *drivers,
                                            const char   *device_id,
                                            const char   *state,
                                            const char   *last_error,
                                            DcAlarm      *self);

/* dc-alarm-journal.c */
const char  *dc_alarm_cond_to_string       (DcAlarmCond   cond);
int          dc_alarm_priority_from_string (const char   *text,
                                            int           fallback);
/* "high:<key>", "comm:<device>": the key of an alarm in the journal and in by_ident. */
char        *dc_alarm_ident_of             (DcAlarmCond   cond,
                                            gint64        key,
                                            const char   *device_id);
void         dc_alarm_item_free            (gpointer      data);
/* The alarm as GET /api/v1/alarms shows it and the journal stores it. */
JsonObject  *dc_alarm_item_to_json         (DcAlarmItem  *a);
/* Opens or creates the journal file. */
sqlite3     *dc_alarm_journal_open         (const char   *path,
                                            GError      **error);
/* The alarms saved in the journal, in id order (@store gives the keys of their points);
 * their self pointer is left to the caller. */
GPtrArray   *dc_alarm_journal_load         (sqlite3      *db,
                                            DcStore      *store);
/* The statements the journal keeps prepared (the array is NULL until first used). */
void         dc_alarm_journal_clear_cache  (sqlite3_stmt **cache);
/* Runs @sql (BEGIN, COMMIT); a failure is logged. */
void         dc_alarm_journal_exec         (sqlite3       *db,
                                            const char    *sql);
/* Saves @a (as @object) and journals its transition, inside the caller's transaction. */
void         dc_alarm_journal_record       (sqlite3       *db,
                                            sqlite3_stmt **cache,
                                            DcAlarmItem   *a,
                                            JsonObject    *object,
                                            gint64         time,
                                            const char    *user,
                                            const char    *comment);
/* A new alarm id for @ident, or 0 when the journal cannot give one. */
gint64       dc_alarm_journal_new_id       (sqlite3       *db,
                                            sqlite3_stmt **cache,
                                            const char    *ident);
JsonArray   *dc_alarm_journal_read         (sqlite3      *db,
                                            gint64        from,
                                            gint64        to,
                                            guint         limit);
char        *dc_alarm_journal_read_csv     (sqlite3      *db,
                                            gint64        from,
                                            gint64        to,
                                            guint         limit);

/* dc-alarm-rules.c */
DcAlarmRule *dc_alarm_rule_new             (DcPointInfo  *info);
void         dc_alarm_rule_free            (gpointer      data);
/* The text of @rule's high, low or state alarm (owned by the rule). */
const char  *dc_alarm_rule_text            (DcAlarmRule  *rule,
                                            DcAlarmCond   cond);
/* The text of a verify alarm: the warn_msg, else the reason. */
char        *dc_alarm_verify_text          (DcAlarmRule  *rule,
                                            double        value,
                                            const GError *error);
/* TRUE when the point has no alarm condition at all. */
gboolean     dc_alarm_rule_is_empty        (DcAlarmRule  *rule);
/* The condition tests: TRUE when the condition holds (@a, the alarm so far, may be NULL). */
gboolean     dc_alarm_test_high            (DcAlarmRule  *rule,
                                            DcAlarmItem  *a,
                                            double        value,
                                            gboolean      failed);
gboolean     dc_alarm_test_low             (DcAlarmRule  *rule,
                                            DcAlarmItem  *a,
                                            double        value,
                                            gboolean      failed);
gboolean     dc_alarm_test_state           (DcAlarmRule  *rule,
                                            DcAlarmItem  *a,
                                            double        value,
                                            gboolean      failed);
gboolean     dc_alarm_test_verify          (DcAlarmRule  *rule,
                                            DcAlarmItem  *a,
                                            double        value,
                                            gboolean      failed);

G_END_DECLS
