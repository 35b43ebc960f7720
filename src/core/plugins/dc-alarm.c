/* dc-alarm.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-alarm"

#include "config.h"

#include <math.h>
#include <string.h>

#include <sqlite3.h>

#include "dc-deferred.h"
#include "dc-alarm.h"
#include "dc-error.h"
#include "dc-expr.h"
#include "dc-json-util.h"
#include "dc-time.h"

typedef enum
{
  COND_HIGH,
  COND_LOW,
  COND_STATE,
  COND_VERIFY,
  COND_COMM,
  N_CONDS
} Cond;

static const char * const cond_names[N_CONDS] = { "high", "low", "state", "verify", "comm" };
static const char * const state_names[] = {
  "normal", "active_unacknowledged", "active_acknowledged", "cleared_unacknowledged", "shelved",
};
static const char * const priority_names[] = { "low", "medium", "high", "critical" };

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
  gpointer    alarms[N_CONDS];
  gboolean    looked_up[N_CONDS];
} Rule;

typedef struct
{
  DcAlarm      *self;          /* borrowed */
  gint64        id;
  Cond          cond;
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
} Alarm;

struct _DcAlarm
{
  GObject      parent_instance;

  DcStore     *store;
  DcEngine    *engine;        /* weak */
  gulong       samples_id;
  gulong       device_id_handler;
  gulong       changed_id;
  DcDeferred        rebuild;
  sqlite3     *db;
  GHashTable  *rules;         /* gint64 key → Rule */
  GHashTable  *alarms;        /* gint64 id → Alarm */
  GHashTable  *by_ident;      /* "high:<key>", "comm:<device>" → Alarm */
  DcExprScope *scope;
};

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DcAlarm, dc_alarm, G_TYPE_OBJECT)

const char *
dc_alarm_state_to_string (DcAlarmState state)
{
  g_return_val_if_fail (state <= DC_ALARM_SHELVED, NULL);

  return state_names[state];
}

char *
dc_alarm_path_for_config (const char *config_db_path)
{
  g_autofree char *dir = g_path_get_dirname (config_db_path);

  return g_build_filename (dir, "datacoll-alarms.db", NULL);
}

static int
priority_from_string (const char *text,
                      int         fallback)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (priority_names); i++)
    if (g_ascii_strcasecmp (text, priority_names[i]) == 0)
      return (int) i;
  return fallback;
}

static char *
ident_of (Cond        cond,
          gint64      key,
          const char *device_id)
{
  if (cond == COND_COMM)
    return g_strdup_printf ("comm:%s", device_id);
  return g_strdup_printf ("%s:%" G_GINT64_FORMAT, cond_names[cond], key);
}

/* Rules */

static void
rule_free (gpointer data)
{
  Rule *rule = data;

  g_free (rule->device_id);
  g_free (rule->term_id);
  g_free (rule->item_id);
  g_clear_pointer (&rule->verify, dc_expr_unref);
  g_free (rule->verify_error);
  g_free (rule->warn_msg);
  g_clear_pointer (&rule->json, json_object_unref);
  g_free (rule);
}

static gboolean
has_number (JsonObject *json,
            const char *field,
            double     *value)
{
  JsonNode *node = json_object_get_member (json, field);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return FALSE;
  *value = dc_json_get_double (json, field, NAN);
  return isfinite (*value);
}

static Rule *
rule_new (DcPointInfo *info)
{
  Rule *rule = g_new0 (Rule, 1);
  JsonObject *json = info->json;
  const char *verify;

  rule->key = info->key;
  rule->device_id = g_strdup (info->device_id);
  rule->term_id = g_strdup (info->term_id);
  rule->item_id = g_strdup (info->item_id);
  rule->json = json != NULL ? json_object_ref (json) : json_object_new ();
  rule->has_up = has_number (rule->json, "up_limit", &rule->up);
  rule->has_down = has_number (rule->json, "down_limit", &rule->down);
  rule->has_on = has_number (rule->json, "alarm_on", &rule->on);
  rule->deadband = fabs (dc_json_get_double (rule->json, "alarm_deadband", 0));
  if (!isfinite (rule->deadband))
    rule->deadband = 0;
  rule->delay_us = MAX (dc_json_get_int (rule->json, "alarm_delay_ms", 0), 0) * 1000;
  rule->priority = priority_from_string (dc_json_get_string (rule->json, "alarm_priority", NULL),
                                         1);
  rule->warn_msg = g_strdup (dc_json_get_string (rule->json, "warn_msg", NULL));
  verify = dc_json_get_string (rule->json, "do_verify", NULL);
  if (verify != NULL && *verify != '\0')
    {
      g_autoptr(GError) error = NULL;

      rule->verify = dc_expr_parse (verify, &error);
      if (rule->verify == NULL)
        rule->verify_error = g_strdup (error->message);
    }
  return rule;
}

static gboolean
rule_is_empty (Rule *rule)
{
  return !rule->has_up && !rule->has_down && !rule->has_on && rule->verify == NULL &&
         rule->verify_error == NULL;
}

/* Alarms */

static void
alarm_free (gpointer data)
{
  Alarm *a = data;

  g_clear_handle_id (&a->delay_id, g_source_remove);
  g_clear_handle_id (&a->shelve_id, g_source_remove);
  g_free (a->device_id);
  g_free (a->term_id);
  g_free (a->item_id);
  g_free (a->text);
  g_free (a->ack_user);
  g_free (a->ack_comment);
  g_free (a->shelve_user);
  g_free (a->shelve_comment);
  g_free (a);
}

static JsonObject *
alarm_to_json (Alarm *a)
{
  JsonObject *object = json_object_new ();
  const char *times[] = { "since", "active_since", "ack_time", "shelved_until" };
  gint64 values[] = { a->since, a->active_since, a->ack_time, a->shelved_until };

  json_object_set_int_member (object, "id", a->id);
  json_object_set_string_member (object, "condition", cond_names[a->cond]);
  json_object_set_string_member (object, "device_id", a->device_id);
  if (a->cond != COND_COMM)
    {
      json_object_set_string_member (object, "term_id", a->term_id);
      json_object_set_string_member (object, "item_id", a->item_id);
    }
  json_object_set_string_member (object, "state", state_names[a->state]);
  json_object_set_string_member (object, "priority", priority_names[a->priority]);
  if (isfinite (a->value))
    json_object_set_double_member (object, "value", a->value);
  else
    json_object_set_null_member (object, "value");
  json_object_set_string_member (object, "text", a->text != NULL ? a->text : "");
  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      if (values[i] == 0)
        json_object_set_null_member (object, times[i]);
      else
        {
          g_autofree char *t = dc_time_format (values[i]);

          json_object_set_string_member (object, times[i], t);
        }
    }
  if (a->ack_user != NULL)
    json_object_set_string_member (object, "ack_user", a->ack_user);
  if (a->ack_comment != NULL)
    json_object_set_string_member (object, "ack_comment", a->ack_comment);
  if (a->shelve_user != NULL)
    json_object_set_string_member (object, "shelve_user", a->shelve_user);
  if (a->shelve_comment != NULL)
    json_object_set_string_member (object, "shelve_comment", a->shelve_comment);
  return object;
}

/* Persistence: the alarms and their journal, one short transaction per transition
 * (transitions are rare next to samples). */

static gboolean
exec (DcAlarm    *self,
      const char *sql,
      GError    **error)
{
  char *message = NULL;

  if (sqlite3_exec (self->db, sql, NULL, NULL, &message) != SQLITE_OK)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INTERNAL, "alarm journal: %s", message);
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

static sqlite3_stmt *
prepare (DcAlarm    *self,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      g_warning ("alarm journal: %s", sqlite3_errmsg (self->db));
      return NULL;
    }
  return stmt;
}

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

/* Saves @a and journals the transition (@event: the new state, or "acknowledged", …). */
static void
record (DcAlarm    *self,
        Alarm      *a,
        gint64      time,
        const char *user,
        const char *comment)
{
  g_autoptr(JsonObject) object = alarm_to_json (a);
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);
  g_autofree char *body = json_to_string (node, FALSE);
  sqlite3_stmt *stmt;

  exec (self, "BEGIN", NULL);
  stmt = prepare (self, "INSERT OR REPLACE INTO alarms (id, ident, body) VALUES (?, ?, ?)");
  if (stmt != NULL)
    {
      g_autofree char *ident = ident_of (a->cond, a->key, a->device_id);

      sqlite3_bind_int64 (stmt, 1, a->id);
      bind_text (stmt, 2, ident);
      bind_text (stmt, 3, body);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        g_warning ("alarm journal: %s", sqlite3_errmsg (self->db));
      sqlite3_finalize (stmt);
    }
  stmt = prepare (self, "INSERT INTO journal (time, alarm_id, condition, device_id, term_id, "
                        "item_id, state, value, user, comment, text) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, time);
      sqlite3_bind_int64 (stmt, 2, a->id);
      bind_text (stmt, 3, cond_names[a->cond]);
      bind_text (stmt, 4, a->device_id);
      bind_text (stmt, 5, a->term_id);
      bind_text (stmt, 6, a->item_id);
      bind_text (stmt, 7, state_names[a->state]);
      if (isfinite (a->value))
        sqlite3_bind_double (stmt, 8, a->value);
      else
        sqlite3_bind_null (stmt, 8);
      bind_text (stmt, 9, user);
      bind_text (stmt, 10, comment);
      bind_text (stmt, 11, a->text);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        g_warning ("alarm journal: %s", sqlite3_errmsg (self->db));
      sqlite3_finalize (stmt);
    }
  exec (self, "COMMIT", NULL);

  g_signal_emit (self, signals[SIGNAL_CHANGED], 0, object);
}

static void
set_state (DcAlarm      *self,
           Alarm        *a,
           DcAlarmState  state,
           gint64        time,
           const char   *user,
           const char   *comment)
{
  a->state = state;
  a->since = time;
  record (self, a, time, user, comment);
}

static Alarm *
alarm_lookup (DcAlarm    *self,
              Cond        cond,
              gint64      key,
              const char *device_id)
{
  g_autofree char *ident = ident_of (cond, key, device_id);

  return g_hash_table_lookup (self->by_ident, ident);
}

static Alarm *
alarm_create (DcAlarm    *self,
              Cond        cond,
              gint64      key,
              const char *device_id,
              const char *term_id,
              const char *item_id)
{
  Alarm *a = g_new0 (Alarm, 1);
  sqlite3_stmt *stmt;

  a->self = self;
  a->cond = cond;
  a->key = key;
  a->device_id = g_strdup (device_id);
  a->term_id = g_strdup (term_id);
  a->item_id = g_strdup (item_id);
  a->value = NAN;

  /* Ids come from the journal database (AUTOINCREMENT: never reused). */
  stmt = prepare (self, "INSERT INTO alarms (ident, body) VALUES (?, '{}')");
  if (stmt != NULL)
    {
      g_autofree char *ident = ident_of (cond, key, device_id);

      bind_text (stmt, 1, ident);
      if (sqlite3_step (stmt) == SQLITE_DONE)
        a->id = sqlite3_last_insert_rowid (self->db);
      sqlite3_finalize (stmt);
    }
  if (a->id == 0)
    a->id = g_hash_table_size (self->alarms) + 1000000;

  g_hash_table_insert (self->alarms, &a->id, a);
  g_hash_table_insert (self->by_ident, ident_of (cond, key, device_id), a);
  return a;
}

static void
activate (DcAlarm *self,
          Alarm   *a,
          gint64   time)
{
  a->active = TRUE;
  a->active_since = time;
  if (a->state == DC_ALARM_NORMAL || a->state == DC_ALARM_CLEARED_UNACKED)
    set_state (self, a, DC_ALARM_ACTIVE_UNACKED, time, NULL, NULL);
}

static void
deactivate (DcAlarm *self,
            Alarm   *a,
            gint64   time)
{
  gboolean was_active = a->active;

  a->active = FALSE;
  if (!was_active)
    return;
  if (a->state == DC_ALARM_ACTIVE_UNACKED)
    set_state (self, a, DC_ALARM_CLEARED_UNACKED, time, NULL, NULL);
  else if (a->state == DC_ALARM_ACTIVE_ACKED)
    set_state (self, a, DC_ALARM_NORMAL, time, NULL, NULL);
}

static gboolean
delay_cb (gpointer user_data)
{
  Alarm *a = user_data;

  a->delay_id = 0;
  if (a->raw && !a->active)
    activate (a->self, a, MAX (a->raw_since, g_get_real_time ()));
  return G_SOURCE_REMOVE;
}

/* The condition of @a is @raw at @time (a sample's time); applies the delay. */
static void
update (DcAlarm *self,
        Alarm   *a,
        gboolean raw,
        gint64   delay_us,
        gint64   time)
{
  if (raw && !a->raw)
    {
      a->raw = TRUE;
      a->raw_since = time;
      if (delay_us <= 0)
        activate (self, a, time);
      else
        {
          /* Measured on the wall clock from now, so that a stalled device still alarms;
           * a later sample that proves the delay has passed activates at once. */
          g_clear_handle_id (&a->delay_id, g_source_remove);
          a->delay_id = g_timeout_add ((guint) MIN (delay_us / 1000, G_MAXUINT), delay_cb, a);
        }
    }
  else if (raw && !a->active && delay_us > 0 && time - a->raw_since >= delay_us)
    {
      g_clear_handle_id (&a->delay_id, g_source_remove);
      activate (self, a, time);
    }
  else if (!raw && a->raw)
    {
      a->raw = FALSE;
      g_clear_handle_id (&a->delay_id, g_source_remove);
      deactivate (self, a, time);
    }
}

static void
check (DcAlarm    *self,
       Rule       *rule,
       Cond        cond,
       gboolean    (*test) (Rule *rule, Alarm *a, double value, gboolean failed),
       gboolean    failed,
       double      value,
       gint64      time,
       const char *text)
{
  Alarm *a;
  gboolean raw;

  if (!rule->looked_up[cond])
    {
      rule->alarms[cond] = alarm_lookup (self, cond, rule->key, NULL);
      rule->looked_up[cond] = TRUE;
    }
  a = rule->alarms[cond];

  raw = test (rule, a, value, failed);
  if (!raw && a == NULL)
    return;
  if (a == NULL)
    {
      a = alarm_create (self, cond, rule->key, rule->device_id, rule->term_id, rule->item_id);
      rule->alarms[cond] = a;
    }
  a->priority = rule->priority;
  a->value = value;
  if (raw)
    {
      g_free (a->text);
      a->text = g_strdup (text);
    }
  update (self, a, raw, rule->delay_us, time);
}

/* Limits with hysteresis: an alarm clears only when the value is back by the deadband. */
static gboolean
test_high (Rule     *rule,
           Alarm    *a,
           double    value,
           gboolean  failed)
{
  if (a != NULL && a->raw)
    return value > rule->up - rule->deadband;
  return value > rule->up;
}

static gboolean
test_low (Rule     *rule,
          Alarm    *a,
          double    value,
          gboolean  failed)
{
  if (a != NULL && a->raw)
    return value < rule->down + rule->deadband;
  return value < rule->down;
}

static gboolean
test_state (Rule     *rule,
            Alarm    *a,
            double    value,
            gboolean  failed)
{
  return value == rule->on;
}

static gboolean
test_verify (Rule     *rule,
             Alarm    *a,
             double    value,
             gboolean  failed)
{
  return failed;
}

static void
process_sample (DcAlarm        *self,
                Rule           *rule,
                const DcSample *s)
{
  char text[160];

  /* An invalid or stale value proves nothing either way: conditions keep their state. */
  if (!isfinite (s->value) || (s->quality & (DC_QUALITY_INVALID | DC_QUALITY_COMM_LOST)) != 0)
    return;

  if (rule->has_up)
    {
      g_snprintf (text, sizeof text, "%s:%s:%s above %g", rule->device_id, rule->term_id,
                  rule->item_id, rule->up);
      check (self, rule, COND_HIGH, test_high, FALSE, s->value, s->time, text);
    }
  if (rule->has_down)
    {
      g_snprintf (text, sizeof text, "%s:%s:%s below %g", rule->device_id, rule->term_id,
                  rule->item_id, rule->down);
      check (self, rule, COND_LOW, test_low, FALSE, s->value, s->time, text);
    }
  if (rule->has_on)
    {
      g_snprintf (text, sizeof text, "%s:%s:%s is %g", rule->device_id, rule->term_id,
                  rule->item_id, rule->on);
      check (self, rule, COND_STATE, test_state, FALSE, s->value, s->time, text);
    }
  if (rule->verify != NULL || rule->verify_error != NULL)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = FALSE;
      g_autofree char *message = NULL;

      if (rule->verify != NULL)
        {
          dc_expr_scope_set_number (self->scope, "value", s->value);
          dc_expr_scope_set_object (self->scope, "param", rule->json);
          if (!dc_expr_eval_bool (rule->verify, self->scope, &ok, &error))
            ok = FALSE;
        }
      /* The warn_msg is the alarm text; without one, the reason. */
      if (rule->warn_msg != NULL)
        message = g_strdup (rule->warn_msg);
      else if (error != NULL || rule->verify_error != NULL)
        message = g_strdup_printf ("do_verify failed: %s",
                                   error != NULL ? error->message : rule->verify_error);
      else
        message = g_strdup_printf ("do_verify is false for %g", s->value);
      check (self, rule, COND_VERIFY, test_verify, !ok, s->value, s->time, message);
    }
}

/* Configuration */

static void
rebuild (DcAlarm *self)
{
  g_autoptr(GPtrArray) infos = dc_store_list_point_infos (self->store);

  g_hash_table_remove_all (self->rules);
  for (guint i = 0; i < infos->len; i++)
    {
      Rule *rule = rule_new (g_ptr_array_index (infos, i));

      if (rule_is_empty (rule))
        rule_free (rule);
      else
        g_hash_table_insert (self->rules, &rule->key, rule);
    }
}

static void
store_changed_cb (DcStore    *store,
                  int         kind,
                  int         op,
                  const char *id,
                  const char *old_id,
                  DcAlarm    *self)
{
  if (kind == DC_KIND_FORMULA || kind == DC_KIND_ITEM)
    return;
  dc_deferred_schedule (&self->rebuild);
}

/* Shelving */

static gboolean
unshelve_cb (gpointer user_data)
{
  Alarm *a = user_data;
  DcAlarm *self = a->self;

  a->shelve_id = 0;
  if (a->state != DC_ALARM_SHELVED)
    return G_SOURCE_REMOVE;
  a->shelved_until = 0;
  /* Back to the state its condition gives. */
  set_state (self, a, a->active ? DC_ALARM_ACTIVE_UNACKED : DC_ALARM_NORMAL,
             g_get_real_time (), NULL, "shelving ended");
  return G_SOURCE_REMOVE;
}

static void
arm_shelve (Alarm *a)
{
  gint64 delay = a->shelved_until - g_get_real_time ();

  g_clear_handle_id (&a->shelve_id, g_source_remove);
  a->shelve_id = g_timeout_add ((guint) CLAMP (delay / 1000, 0, G_MAXINT), unshelve_cb, a);
}

/* Loading */

static gboolean
open_db (DcAlarm     *self,
         const char  *path,
         GError     **error)
{
  if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
      SQLITE_OK)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INTERNAL, "cannot open %s: %s", path,
                   self->db != NULL ? sqlite3_errmsg (self->db) : "out of memory");
      return FALSE;
    }
  sqlite3_busy_timeout (self->db, 5000);
  return exec (self, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                     "CREATE TABLE IF NOT EXISTS alarms (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                     " ident TEXT NOT NULL UNIQUE, body TEXT NOT NULL);"
                     "CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                     " time INTEGER NOT NULL, alarm_id INTEGER NOT NULL, condition TEXT,"
                     " device_id TEXT, term_id TEXT, item_id TEXT, state TEXT, value REAL,"
                     " user TEXT, comment TEXT, text TEXT);"
                     "CREATE INDEX IF NOT EXISTS journal_time ON journal (time);", error);
}

static gint64
time_member (JsonObject *object,
             const char *name)
{
  const char *text = json_object_get_string_member_with_default (object, name, NULL);
  gint64 t = 0;

  if (text == NULL || !dc_time_parse (text, &t))
    return 0;
  return t;
}

static void
load (DcAlarm *self)
{
  sqlite3_stmt *stmt = prepare (self, "SELECT id, body FROM alarms ORDER BY id");

  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *o;
      Alarm *a;
      const char *cond;
      Cond c = N_CONDS;

      if (!json_parser_load_from_data (parser, (const char *) sqlite3_column_text (stmt, 1), -1,
                                       NULL) ||
          !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        continue;
      o = json_node_get_object (json_parser_get_root (parser));
      cond = json_object_get_string_member_with_default (o, "condition", "");
      for (guint i = 0; i < N_CONDS; i++)
        if (g_str_equal (cond, cond_names[i]))
          c = i;
      if (c == N_CONDS)
        continue;

      a = g_new0 (Alarm, 1);
      a->self = self;
      a->id = sqlite3_column_int64 (stmt, 0);
      a->cond = c;
      a->device_id = g_strdup (json_object_get_string_member_with_default (o, "device_id", ""));
      a->term_id = g_strdup (json_object_get_string_member_with_default (o, "term_id", NULL));
      a->item_id = g_strdup (json_object_get_string_member_with_default (o, "item_id", NULL));
      if (c != COND_COMM)
        a->key = dc_store_get_point_key (self->store, a->term_id, a->item_id);
      a->priority = priority_from_string (json_object_get_string_member_with_default (o, "priority", NULL), 1);
      a->value = json_object_get_double_member_with_default (o, "value", NAN);
      a->text = g_strdup (json_object_get_string_member_with_default (o, "text", NULL));
      a->since = time_member (o, "since");
      a->active_since = time_member (o, "active_since");
      a->ack_time = time_member (o, "ack_time");
      a->shelved_until = time_member (o, "shelved_until");
      a->ack_user = g_strdup (json_object_get_string_member_with_default (o, "ack_user", NULL));
      a->ack_comment = g_strdup (json_object_get_string_member_with_default (o, "ack_comment", NULL));
      a->shelve_user = g_strdup (json_object_get_string_member_with_default (o, "shelve_user", NULL));
      a->shelve_comment = g_strdup (json_object_get_string_member_with_default (o, "shelve_comment", NULL));
      for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
        if (g_str_equal (json_object_get_string_member_with_default (o, "state", ""),
                         state_names[i]))
          a->state = i;
      /* The condition is re-established by the next sample; an active alarm stays active
       * until then. */
      a->active = a->raw = a->state == DC_ALARM_ACTIVE_UNACKED ||
                           a->state == DC_ALARM_ACTIVE_ACKED;
      if (a->state == DC_ALARM_SHELVED)
        arm_shelve (a);
      g_hash_table_insert (self->alarms, &a->id, a);
      g_hash_table_insert (self->by_ident, ident_of (c, a->key, a->device_id), a);
    }
  if (stmt != NULL)
    sqlite3_finalize (stmt);
}

/* GObject */

static void
engine_samples_cb (DcEngine *engine,
                   GArray   *samples,
                   DcAlarm  *self)
{
  dc_alarm_process (self, (const DcSample *) samples->data, samples->len);
}

static void
device_changed_cb (DcEngineDrivers *drivers,
                   const char      *device_id,
                   const char      *state,
                   const char      *last_error,
                   DcAlarm         *self)
{
  if (g_strcmp0 (state, "down") == 0)
    dc_alarm_set_link (self, device_id, FALSE, g_get_real_time ());
  else if (g_strcmp0 (state, "up") == 0 || g_strcmp0 (state, "disabled") == 0)
    dc_alarm_set_link (self, device_id, TRUE, g_get_real_time ());
}

static void
dc_alarm_dispose (GObject *object)
{
  DcAlarm *self = DC_ALARM (object);

  g_clear_signal_handler (&self->changed_id, self->store);
  if (self->engine != NULL)
    {
      g_clear_signal_handler (&self->samples_id, self->engine);
      g_clear_signal_handler (&self->device_id_handler, dc_engine_get_drivers (self->engine));
      g_object_remove_weak_pointer (G_OBJECT (self->engine), (gpointer *) &self->engine);
      self->engine = NULL;
    }
  dc_deferred_cancel (&self->rebuild);
  if (self->alarms != NULL)
    g_hash_table_remove_all (self->by_ident);
  if (self->alarms != NULL)
    g_hash_table_remove_all (self->alarms);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (dc_alarm_parent_class)->dispose (object);
}

static void
dc_alarm_finalize (GObject *object)
{
  DcAlarm *self = DC_ALARM (object);

  g_clear_pointer (&self->by_ident, g_hash_table_unref);
  g_clear_pointer (&self->alarms, g_hash_table_unref);
  g_clear_pointer (&self->rules, g_hash_table_unref);
  g_clear_pointer (&self->scope, dc_expr_scope_free);
  if (self->db != NULL)
    sqlite3_close (self->db);

  G_OBJECT_CLASS (dc_alarm_parent_class)->finalize (object);
}

static void
dc_alarm_class_init (DcAlarmClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dc_alarm_dispose;
  object_class->finalize = dc_alarm_finalize;

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, JSON_TYPE_OBJECT | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
dc_alarm_init (DcAlarm *self)
{
  dc_deferred_init (&self->rebuild, (GFunc) rebuild, self);
  self->rules = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, rule_free);
  self->alarms = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, alarm_free);
  self->by_ident = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->scope = dc_expr_scope_new ();
}

/* Public API */

DcAlarm *
dc_alarm_new (DcStore     *store,
              const char  *journal_path,
              GError     **error)
{
  g_autoptr(DcAlarm) self = NULL;

  g_return_val_if_fail (DC_IS_STORE (store), NULL);
  g_return_val_if_fail (journal_path != NULL, NULL);

  self = g_object_new (DC_TYPE_ALARM, NULL);
  self->store = g_object_ref (store);
  if (!open_db (self, journal_path, error))
    return NULL;
  load (self);
  return g_steal_pointer (&self);
}

DcAlarm *
dc_alarm_new_for_engine (DcEngine    *engine,
                         const char  *journal_path,
                         GError     **error)
{
  DcAlarm *self;

  g_return_val_if_fail (DC_IS_ENGINE (engine), NULL);

  self = dc_alarm_new (dc_engine_get_store (engine), journal_path, error);
  if (self == NULL)
    return NULL;
  self->engine = engine;
  g_object_add_weak_pointer (G_OBJECT (engine), (gpointer *) &self->engine);
  self->samples_id = g_signal_connect_after (engine, "samples", G_CALLBACK (engine_samples_cb),
                                             self);
  self->device_id_handler = g_signal_connect (dc_engine_get_drivers (engine), "device-changed",
                                              G_CALLBACK (device_changed_cb), self);
  return self;
}

void
dc_alarm_start (DcAlarm *self)
{
  g_return_if_fail (DC_IS_ALARM (self));

  if (self->changed_id == 0)
    self->changed_id = g_signal_connect (self->store, "changed", G_CALLBACK (store_changed_cb),
                                         self);
  rebuild (self);
}

void
dc_alarm_flush (DcAlarm *self)
{
  g_return_if_fail (DC_IS_ALARM (self));

  dc_deferred_flush (&self->rebuild);
}

void
dc_alarm_process (DcAlarm        *self,
                  const DcSample *samples,
                  guint           n_samples)
{
  g_return_if_fail (DC_IS_ALARM (self));

  for (guint i = 0; i < n_samples; i++)
    {
      Rule *rule = g_hash_table_lookup (self->rules, &samples[i].key);

      if (rule != NULL)
        process_sample (self, rule, &samples[i]);
    }
}

void
dc_alarm_set_link (DcAlarm    *self,
                   const char *device_id,
                   gboolean    up,
                   gint64      time_us)
{
  g_autoptr(JsonObject) device = NULL;
  Alarm *a;

  g_return_if_fail (DC_IS_ALARM (self));
  g_return_if_fail (device_id != NULL);

  a = alarm_lookup (self, COND_COMM, 0, device_id);
  if (up && a == NULL)
    return;
  device = dc_store_get (self->store, DC_KIND_DEVICE, device_id, NULL);
  if (a == NULL)
    a = alarm_create (self, COND_COMM, 0, device_id, NULL, NULL);
  if (device != NULL)
    a->priority = priority_from_string (dc_json_get_string (device, "comm_alarm_priority", NULL),
                                        2);
  else
    a->priority = 2;
  if (!up)
    {
      g_free (a->text);
      a->text = g_strdup_printf ("device %s is offline", device_id);
    }
  update (self, a, !up,
          device != NULL ? MAX (dc_json_get_int (device, "comm_alarm_delay_ms", 10000), 0) * 1000
                         : 10000 * 1000,
          time_us);
}

static int
compare_alarms (gconstpointer pa,
                gconstpointer pb)
{
  const Alarm *a = *(const Alarm * const *) pa;
  const Alarm *b = *(const Alarm * const *) pb;

  if (a->priority != b->priority)
    return b->priority - a->priority;
  if (a->since != b->since)
    return a->since > b->since ? -1 : 1;
  return a->id > b->id ? -1 : a->id < b->id;
}

JsonArray *
dc_alarm_list (DcAlarm  *self,
               gboolean  all)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new ();
  JsonArray *array = json_array_new ();
  GHashTableIter iter;
  Alarm *a;

  g_return_val_if_fail (DC_IS_ALARM (self), array);

  g_hash_table_iter_init (&iter, self->alarms);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &a))
    if (all || (a->state != DC_ALARM_NORMAL && a->state != DC_ALARM_SHELVED))
      g_ptr_array_add (list, a);
  g_ptr_array_sort (list, compare_alarms);
  for (guint i = 0; i < list->len; i++)
    json_array_add_object_element (array, alarm_to_json (g_ptr_array_index (list, i)));
  return array;
}

static Alarm *
get_alarm (DcAlarm  *self,
           gint64    id,
           GError  **error)
{
  Alarm *a = g_hash_table_lookup (self->alarms, &id);

  if (a == NULL)
    g_set_error_literal (error, DC_ERROR, DC_ERROR_NOT_FOUND, "alarm_id not found!");
  return a;
}

JsonObject *
dc_alarm_get (DcAlarm  *self,
              gint64    id,
              GError  **error)
{
  Alarm *a;

  g_return_val_if_fail (DC_IS_ALARM (self), NULL);

  a = get_alarm (self, id, error);
  return a != NULL ? alarm_to_json (a) : NULL;
}

DcAlarmState
dc_alarm_get_state (DcAlarm *self,
                    gint64   id)
{
  Alarm *a;

  g_return_val_if_fail (DC_IS_ALARM (self), DC_ALARM_NORMAL);

  a = g_hash_table_lookup (self->alarms, &id);
  return a != NULL ? a->state : DC_ALARM_NORMAL;
}

gint64
dc_alarm_find (DcAlarm    *self,
               gint64      key,
               const char *condition)
{
  g_return_val_if_fail (DC_IS_ALARM (self), 0);
  g_return_val_if_fail (condition != NULL, 0);

  for (guint c = 0; c < COND_COMM; c++)
    if (g_str_equal (condition, cond_names[c]))
      {
        Alarm *a = alarm_lookup (self, c, key, NULL);

        return a != NULL ? a->id : 0;
      }
  return 0;
}

gint64
dc_alarm_find_comm (DcAlarm    *self,
                    const char *device_id)
{
  Alarm *a;

  g_return_val_if_fail (DC_IS_ALARM (self), 0);
  g_return_val_if_fail (device_id != NULL, 0);

  a = alarm_lookup (self, COND_COMM, 0, device_id);
  return a != NULL ? a->id : 0;
}

gboolean
dc_alarm_ack (DcAlarm     *self,
              gint64       id,
              const char  *user,
              const char  *comment,
              GError     **error)
{
  Alarm *a;
  gint64 now = g_get_real_time ();

  g_return_val_if_fail (DC_IS_ALARM (self), FALSE);

  a = get_alarm (self, id, error);
  if (a == NULL)
    return FALSE;
  if (a->state != DC_ALARM_ACTIVE_UNACKED && a->state != DC_ALARM_CLEARED_UNACKED)
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                   "alarm %" G_GINT64_FORMAT " has nothing to acknowledge", id);
      return FALSE;
    }
  g_free (a->ack_user);
  a->ack_user = g_strdup (user);
  g_free (a->ack_comment);
  a->ack_comment = g_strdup (comment);
  a->ack_time = now;
  set_state (self, a, a->state == DC_ALARM_ACTIVE_UNACKED ? DC_ALARM_ACTIVE_ACKED :
                                                            DC_ALARM_NORMAL,
             now, user, comment);
  return TRUE;
}

gboolean
dc_alarm_shelve (DcAlarm     *self,
                 gint64       id,
                 gint64       until_us,
                 const char  *user,
                 const char  *comment,
                 GError     **error)
{
  Alarm *a;
  gint64 now = g_get_real_time ();

  g_return_val_if_fail (DC_IS_ALARM (self), FALSE);

  a = get_alarm (self, id, error);
  if (a == NULL)
    return FALSE;
  if (until_us <= now)
    {
      g_set_error_literal (error, DC_ERROR, DC_ERROR_INVALID,
                           "field until must be a time in the future");
      return FALSE;
    }
  a->shelved_until = until_us;
  g_free (a->shelve_user);
  a->shelve_user = g_strdup (user);
  g_free (a->shelve_comment);
  a->shelve_comment = g_strdup (comment);
  arm_shelve (a);
  set_state (self, a, DC_ALARM_SHELVED, now, user, comment);
  return TRUE;
}

static sqlite3_stmt *
journal_query (DcAlarm  *self,
               gint64    from,
               gint64    to,
               guint     limit)
{
  sqlite3_stmt *stmt = prepare (self,
                                "SELECT * FROM (SELECT seq, time, alarm_id, condition, device_id,"
                                " term_id, item_id, state, value, user, comment, text FROM journal"
                                " WHERE time >= ? AND time < ? ORDER BY time DESC, seq DESC"
                                " LIMIT ?) ORDER BY time, seq");

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, from);
  sqlite3_bind_int64 (stmt, 2, to);
  sqlite3_bind_int64 (stmt, 3, limit == 0 ? 100000 : limit);
  return stmt;
}

JsonArray *
dc_alarm_journal (DcAlarm  *self,
                  gint64    from,
                  gint64    to,
                  guint     limit,
                  GError  **error)
{
  static const char * const names[] = {
    NULL, "time", "alarm_id", "condition", "device_id", "term_id", "item_id", "state", "value",
    "user", "comment", "text",
  };
  JsonArray *array = json_array_new ();
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DC_IS_ALARM (self), array);

  stmt = journal_query (self, from, to, limit);
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonObject *o = json_object_new ();

      for (int c = 1; c < (int) G_N_ELEMENTS (names); c++)
        {
          if (c == 1)
            {
              g_autofree char *t = dc_time_format (sqlite3_column_int64 (stmt, c));

              json_object_set_string_member (o, names[c], t);
            }
          else if (c == 2)
            json_object_set_int_member (o, names[c], sqlite3_column_int64 (stmt, c));
          else if (sqlite3_column_type (stmt, c) == SQLITE_NULL)
            json_object_set_null_member (o, names[c]);
          else if (c == 8)
            json_object_set_double_member (o, names[c], sqlite3_column_double (stmt, c));
          else
            json_object_set_string_member (o, names[c], (const char *) sqlite3_column_text (stmt, c));
        }
      json_array_add_object_element (array, o);
    }
  if (stmt != NULL)
    sqlite3_finalize (stmt);
  return array;
}

static void
csv_field (GString    *out,
           const char *text)
{
  if (text == NULL)
    return;
  if (strpbrk (text, ",\"\n\r") == NULL)
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

char *
dc_alarm_journal_csv (DcAlarm  *self,
                      gint64    from,
                      gint64    to,
                      guint     limit,
                      GError  **error)
{
  GString *out = g_string_new ("time,alarm_id,condition,device_id,term_id,item_id,state,value,"
                               "user,comment,text\n");
  sqlite3_stmt *stmt;

  g_return_val_if_fail (DC_IS_ALARM (self), g_string_free (out, FALSE));

  stmt = journal_query (self, from, to, limit);
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autofree char *t = dc_time_format (sqlite3_column_int64 (stmt, 1));

      g_string_append (out, t);
      g_string_append_printf (out, ",%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, 2));
      for (int c = 3; c <= 11; c++)
        {
          g_string_append_c (out, ',');
          if (c == 8 && sqlite3_column_type (stmt, c) != SQLITE_NULL)
            {
              char buf[G_ASCII_DTOSTR_BUF_SIZE];

              g_string_append (out, g_ascii_dtostr (buf, sizeof buf, sqlite3_column_double (stmt, c)));
            }
          else
            csv_field (out, (const char *) sqlite3_column_text (stmt, c));
        }
      g_string_append_c (out, '\n');
    }
  if (stmt != NULL)
    sqlite3_finalize (stmt);
  return g_string_free (out, FALSE);
}
