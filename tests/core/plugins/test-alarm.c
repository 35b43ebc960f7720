/* test-alarm.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#include "config.h"

#include <math.h>

#include "dc-alarm.h"
#include "dc-error.h"
#include "dc-protocols.h"
#include "dc-store.h"

#include "dc-test-store.h"

/* A real store and journal file; the test plays the engine and feeds samples. */
typedef struct
{
  char      *dir;
  char      *journal;
  DcStore   *store;
  DcAlarm   *alarm;
  GPtrArray *events;   /* JsonObject of ::changed */
  gint64     key_temp;
  gint64     key_level;
  gint64     key_breaker;
  gint64     key_check;
} Fixture;

static void
changed_cb (DcAlarm    *alarm,
            JsonObject *object,
            Fixture    *fx)
{
  g_ptr_array_add (fx->events, json_object_ref (object));
}

static void
open_alarm (Fixture *fx)
{
  g_autoptr(GError) error = NULL;

  fx->alarm = dc_alarm_new (fx->store, fx->journal, &error);
  g_assert_no_error (error);
  g_signal_connect (fx->alarm, "changed", G_CALLBACK (changed_cb), fx);
  dc_alarm_start (fx->alarm);
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;

  fx->dir = g_dir_make_tmp ("dc-alarm-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (fx->dir, "dc.db", NULL);
  fx->store = dc_store_open (db, &error);
  g_assert_no_error (error);
  fx->journal = dc_alarm_path_for_config (db);
  fx->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  dc_test_store_create (fx->store, DC_KIND_DEVICE, "{\"id\": \"plant\", \"protocol\": \"virtual\", "
                              "\"comm_alarm_delay_ms\": 50, \"comm_alarm_priority\": \"critical\"}");
  dc_test_store_create (fx->store, DC_KIND_TERM, "{\"id\": \"t\", \"device_id\": \"plant\"}");
  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\": \"temp\"}");
  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\": \"level\"}");
  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\": \"breaker\"}");
  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\": \"check\"}");
  dc_test_store_create (fx->store, DC_KIND_POINT, "{\"term_id\": \"t\", \"item_id\": \"temp\", \"up_limit\": 100,"
                             " \"alarm_deadband\": 5, \"alarm_priority\": \"high\"}");
  dc_test_store_create (fx->store, DC_KIND_POINT, "{\"term_id\": \"t\", \"item_id\": \"level\", \"down_limit\": \"10\","
                             " \"alarm_delay_ms\": 100}");
  dc_test_store_create (fx->store, DC_KIND_POINT, "{\"term_id\": \"t\", \"item_id\": \"breaker\", \"alarm_on\": 2,"
                             " \"alarm_priority\": \"critical\"}");
  dc_test_store_create (fx->store, DC_KIND_POINT, "{\"term_id\": \"t\", \"item_id\": \"check\", \"up_limit\": 50,"
                             " \"down_limit\": 0, \"do_verify\":"
                             " \"param.down_limit <= value <= param.up_limit and int(value) != 42\","
                             " \"warn_msg\": \"check out of range\", \"alarm_priority\": \"low\"}");
  fx->key_temp = dc_store_get_point_key (fx->store, "t", "temp");
  fx->key_level = dc_store_get_point_key (fx->store, "t", "level");
  fx->key_breaker = dc_store_get_point_key (fx->store, "t", "breaker");
  fx->key_check = dc_store_get_point_key (fx->store, "t", "check");
  open_alarm (fx);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_assert_finalize_object (fx->alarm);
  g_assert_finalize_object (fx->store);
  g_ptr_array_unref (fx->events);
  dc_test_remove_dir (fx->dir);
  g_free (fx->dir);
  g_free (fx->journal);
}

static void
feed (Fixture *fx,
      gint64   key,
      double   value,
      guint32  quality)
{
  DcSample s = { key, g_get_real_time (), value, quality };

  dc_alarm_process (fx->alarm, &s, 1);
}

static DcAlarmState
state_of (Fixture    *fx,
          gint64      key,
          const char *condition)
{
  gint64 id = dc_alarm_find (fx->alarm, key, condition);

  return id != 0 ? dc_alarm_get_state (fx->alarm, id) : DC_ALARM_NORMAL;
}

/* Iterates the main context until @id reaches @state (timers: delay, shelving). */
static void
wait_state (Fixture      *fx,
            gint64        id,
            DcAlarmState  state)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (dc_alarm_get_state (fx->alarm, id) != state && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (dc_alarm_state_to_string (dc_alarm_get_state (fx->alarm, id)), ==,
                   dc_alarm_state_to_string (state));
}

/* high with deadband: raised above 100, kept until the value is back under 95. */
static void
test_high_deadband (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) alarm = NULL;
  gint64 id;

  feed (fx, fx->key_temp, 99, 0);
  g_assert_cmpint (dc_alarm_find (fx->alarm, fx->key_temp, "high"), ==, 0);
  g_assert_cmpuint (fx->events->len, ==, 0);

  feed (fx, fx->key_temp, 101, 0);
  id = dc_alarm_find (fx->alarm, fx->key_temp, "high");
  g_assert_cmpint (id, >, 0);
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, id), ==, DC_ALARM_ACTIVE_UNACKED);
  g_assert_cmpuint (fx->events->len, ==, 1);

  /* Numeric comparison (PyDataColl compared strings: "99" > "100"). */
  feed (fx, fx->key_temp, 97, 0);
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, id), ==, DC_ALARM_ACTIVE_UNACKED);
  /* Invalid samples prove nothing. */
  feed (fx, fx->key_temp, 50, DC_QUALITY_INVALID);
  feed (fx, fx->key_temp, NAN, 0);
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, id), ==, DC_ALARM_ACTIVE_UNACKED);

  feed (fx, fx->key_temp, 94.9, 0);
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, id), ==, DC_ALARM_CLEARED_UNACKED);
  g_assert_cmpuint (fx->events->len, ==, 2);

  /* Back above the limit before anyone acknowledged: active again. */
  feed (fx, fx->key_temp, 120, 0);
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, id), ==, DC_ALARM_ACTIVE_UNACKED);

  g_assert_true (dc_alarm_ack (fx->alarm, id, "ann", "seen", &error));
  g_assert_no_error (error);
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, id), ==, DC_ALARM_ACTIVE_ACKED);
  g_assert_false (dc_alarm_ack (fx->alarm, id, "ann", NULL, &error));
  g_assert_error (error, DC_ERROR, DC_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "alarm 1 has nothing to acknowledge");
  g_clear_error (&error);

  feed (fx, fx->key_temp, 90, 0);
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, id), ==, DC_ALARM_NORMAL);

  alarm = dc_alarm_get (fx->alarm, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (alarm, "condition"), ==, "high");
  g_assert_cmpstr (json_object_get_string_member (alarm, "priority"), ==, "high");
  g_assert_cmpstr (json_object_get_string_member (alarm, "ack_user"), ==, "ann");
  g_assert_cmpstr (json_object_get_string_member (alarm, "ack_comment"), ==, "seen");
  g_assert_cmpstr (json_object_get_string_member (alarm, "text"), ==, "plant:t:temp above 100");
  g_assert_cmpfloat (json_object_get_double_member (alarm, "value"), ==, 90);

  g_assert_null (dc_alarm_get (fx->alarm, 999, &error));
  g_assert_error (error, DC_ERROR, DC_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "alarm_id not found!");
}

/* Limits in the texts as docs/model.md "Numbers in texts" writes numbers: every digit that
 * matters, no exponent, whatever the locale (%g wrote "above 1.23457e+06", which the
 * workstation read back as 1234570); several acknowledged at once (dc_alarm_ack_many()). */
static void
test_text_numbers_and_ack_many (Fixture       *fx,
                                gconstpointer  data)
{
  g_autoptr(JsonObject) patch = dc_test_json_object ("{\"up_limit\": 1234567.5}");
  g_autoptr(JsonObject) alarm = NULL;
  g_autoptr(GArray) none = NULL;
  g_autoptr(GArray) all = NULL;
  g_autoptr(GArray) again = NULL;
  g_autoptr(GError) error = NULL;
  gint64 temp, breaker, ids[2];

  g_assert_true (dc_store_update_point (fx->store, "t", "temp", patch, &error));
  g_assert_no_error (error);
  /* The plugin reads its rules at start. */
  g_assert_finalize_object (fx->alarm);
  open_alarm (fx);
  feed (fx, fx->key_temp, 2e6, 0);
  temp = dc_alarm_find (fx->alarm, fx->key_temp, "high");
  g_assert_cmpint (temp, >, 0);
  alarm = dc_alarm_get (fx->alarm, temp, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (alarm, "text"), ==,
                   "plant:t:temp above 1234567.5");
  feed (fx, fx->key_breaker, 2, 0);
  g_clear_pointer (&alarm, json_object_unref);
  alarm = dc_alarm_get (fx->alarm, dc_alarm_find (fx->alarm, fx->key_breaker, "state"), &error);
  g_assert_cmpstr (json_object_get_string_member (alarm, "text"), ==, "plant:t:breaker is 2");
  breaker = dc_alarm_find (fx->alarm, fx->key_breaker, "state");

  /* An unknown id acknowledges nothing. */
  ids[0] = temp;
  ids[1] = 987654;
  none = dc_alarm_ack_many (fx->alarm, ids, 2, "ann", "all", &error);
  g_assert_null (none);
  g_assert_error (error, DC_ERROR, DC_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, temp), ==, DC_ALARM_ACTIVE_UNACKED);
  /* NULL: every alarm waiting; a second call finds none. */
  all = dc_alarm_ack_many (fx->alarm, NULL, 0, "ann", "all", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 2);
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, temp), ==, DC_ALARM_ACTIVE_ACKED);
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, breaker), ==, DC_ALARM_ACTIVE_ACKED);
  ids[1] = temp;
  again = dc_alarm_ack_many (fx->alarm, ids, 2, "ann", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->len, ==, 0);
}

static void
done_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* low with a delay: a short dip never alarms, a long one does. */
static void
test_low_delay (Fixture       *fx,
                gconstpointer  data)
{
  gint64 id;
  gint64 start;

  feed (fx, fx->key_level, 9, 0);
  id = dc_alarm_find (fx->alarm, fx->key_level, "low");
  g_assert_cmpint (id, >, 0);
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, id), ==, DC_ALARM_NORMAL);
  feed (fx, fx->key_level, 11, 0);
  /* The delay passes without the condition: still normal, nothing journaled. (Nothing
   * happens here to wait for: run the main context for longer than the delay.) */
  {
    gboolean done = FALSE;

    g_timeout_add_once (250, done_cb, &done);
    while (!done)
      g_main_context_iteration (NULL, TRUE);
  }
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, id), ==, DC_ALARM_NORMAL);
  g_assert_cmpuint (fx->events->len, ==, 0);

  start = g_get_monotonic_time ();
  feed (fx, fx->key_level, 5, 0);
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, id), ==, DC_ALARM_NORMAL);
  wait_state (fx, id, DC_ALARM_ACTIVE_UNACKED);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 100 * 1000);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (fx->events, 0), "priority"),
                   ==, "medium");
}

/* state alarms on a binary/double point: the breaker trips. */
static void
test_state (Fixture       *fx,
            gconstpointer  data)
{
  gint64 id;

  feed (fx, fx->key_breaker, 1, 0);
  g_assert_cmpint (state_of (fx, fx->key_breaker, "state"), ==, DC_ALARM_NORMAL);
  feed (fx, fx->key_breaker, 2, 0);
  id = dc_alarm_find (fx->alarm, fx->key_breaker, "state");
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, id), ==, DC_ALARM_ACTIVE_UNACKED);
  feed (fx, fx->key_breaker, 1, 0);
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, id), ==, DC_ALARM_CLEARED_UNACKED);
  g_assert_true (dc_alarm_ack (fx->alarm, id, NULL, NULL, NULL));
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, id), ==, DC_ALARM_NORMAL);
}

/* verify: PyDataColl's do_verify in the same evaluator, numbers not strings. */
static void
test_verify (Fixture       *fx,
             gconstpointer  data)
{
  gint64 id;

  feed (fx, fx->key_check, 20, 0);
  g_assert_cmpint (dc_alarm_find (fx->alarm, fx->key_check, "verify"), ==, 0);
  feed (fx, fx->key_check, 42, 0);
  id = dc_alarm_find (fx->alarm, fx->key_check, "verify");
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, id), ==, DC_ALARM_ACTIVE_UNACKED);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (fx->events, 0), "text"),
                   ==, "check out of range");
  /* The limits of the point alarm on their own as well. */
  feed (fx, fx->key_check, 60, 0);
  g_assert_cmpint (state_of (fx, fx->key_check, "high"), ==, DC_ALARM_ACTIVE_UNACKED);
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, id), ==, DC_ALARM_ACTIVE_UNACKED);
  feed (fx, fx->key_check, 30, 0);
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, id), ==, DC_ALARM_CLEARED_UNACKED);

  /* A do_verify that fails to evaluate alarms with the reason (no warn_msg). */
  {
    g_autoptr(JsonObject) patch = dc_test_json_object ("{\"do_verify\": \"value < 'a'\", \"warn_msg\": null}");
    g_autoptr(JsonObject) alarm = NULL;

    g_assert_true (dc_store_update_point (fx->store, "t", "check", patch, NULL));
    dc_alarm_flush (fx->alarm);
    feed (fx, fx->key_check, 31, 0);
    g_assert_cmpint (dc_alarm_get_state (fx->alarm, id), ==, DC_ALARM_ACTIVE_UNACKED);
    alarm = dc_alarm_get (fx->alarm, id, NULL);
    g_assert_cmpstr (json_object_get_string_member (alarm, "text"), ==,
                     "do_verify failed: '<' not supported between instances of 'float' and 'str'");
  }
}

/* Shelving hides an alarm until a time, then it returns to what its condition gives. */
static void
test_shelve (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) list = NULL;
  gint64 id;

  feed (fx, fx->key_temp, 150, 0);
  id = dc_alarm_find (fx->alarm, fx->key_temp, "high");
  g_assert_false (dc_alarm_shelve (fx->alarm, id, g_get_real_time () - 1, "bob", NULL, &error));
  g_assert_cmpstr (error->message, ==, "field until must be a time in the future");
  g_clear_error (&error);

  g_assert_true (dc_alarm_shelve (fx->alarm, id, g_get_real_time () + 200 * 1000, "bob",
                                  "maintenance", &error));
  g_assert_no_error (error);
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, id), ==, DC_ALARM_SHELVED);
  list = dc_alarm_list (fx->alarm, FALSE);
  g_assert_cmpuint (json_array_get_length (list), ==, 0);
  /* Changes of the condition while shelved are not shown. */
  feed (fx, fx->key_temp, 50, 0);
  feed (fx, fx->key_temp, 150, 0);
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, id), ==, DC_ALARM_SHELVED);

  wait_state (fx, id, DC_ALARM_ACTIVE_UNACKED);

  /* Shelved while the condition is gone → normal afterwards. */
  feed (fx, fx->key_temp, 10, 0);
  g_assert_true (dc_alarm_shelve (fx->alarm, id, g_get_real_time () + 50 * 1000, NULL, NULL,
                                  NULL));
  wait_state (fx, id, DC_ALARM_NORMAL);
}

/* One comm alarm per device, with its own delay and priority. */
static void
test_comm (Fixture       *fx,
           gconstpointer  data)
{
  gint64 id;

  dc_alarm_set_link (fx->alarm, "plant", TRUE, g_get_real_time ());
  g_assert_cmpint (dc_alarm_find_comm (fx->alarm, "plant"), ==, 0);
  dc_alarm_set_link (fx->alarm, "plant", FALSE, g_get_real_time ());
  id = dc_alarm_find_comm (fx->alarm, "plant");
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, id), ==, DC_ALARM_NORMAL);
  wait_state (fx, id, DC_ALARM_ACTIVE_UNACKED);
  {
    g_autoptr(JsonObject) alarm = dc_alarm_get (fx->alarm, id, NULL);

    g_assert_cmpstr (json_object_get_string_member (alarm, "condition"), ==, "comm");
    g_assert_cmpstr (json_object_get_string_member (alarm, "priority"), ==, "critical");
    g_assert_cmpstr (json_object_get_string_member (alarm, "text"), ==, "device plant is offline");
    g_assert_false (json_object_has_member (alarm, "term_id"));
  }
  dc_alarm_set_link (fx->alarm, "plant", TRUE, g_get_real_time ());
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, id), ==, DC_ALARM_CLEARED_UNACKED);
}

/* The list order, the journal (JSON and CSV) and persistence across a restart. */
static void
test_list_journal (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(JsonArray) list = NULL;
  g_autoptr(JsonArray) journal = NULL;
  g_autofree char *csv = NULL;
  g_auto(GStrv) lines = NULL;
  gint64 temp_id;

  feed (fx, fx->key_temp, 150, 0);    /* high priority */
  feed (fx, fx->key_check, 99, 0);    /* low priority: verify and high */
  feed (fx, fx->key_breaker, 2, 0);   /* critical */
  temp_id = dc_alarm_find (fx->alarm, fx->key_temp, "high");
  g_assert_true (dc_alarm_ack (fx->alarm, temp_id, "ann", "a, \"quoted\" comment", NULL));

  list = dc_alarm_list (fx->alarm, FALSE);
  g_assert_cmpuint (json_array_get_length (list), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0),
                                                  "priority"), ==, "critical");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 1),
                                                  "priority"), ==, "high");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 1),
                                                  "state"), ==, "active_acknowledged");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 3),
                                                  "priority"), ==, "low");

  journal = dc_alarm_journal (fx->alarm, G_MININT64, G_MAXINT64, 0, NULL);
  g_assert_cmpuint (json_array_get_length (journal), ==, 5);
  {
    JsonObject *last = json_array_get_object_element (journal, 4);

    g_assert_cmpstr (json_object_get_string_member (last, "state"), ==, "active_acknowledged");
    g_assert_cmpstr (json_object_get_string_member (last, "user"), ==, "ann");
    g_assert_cmpint (json_object_get_int_member (last, "alarm_id"), ==, temp_id);
  }
  g_clear_pointer (&journal, json_array_unref);
  journal = dc_alarm_journal (fx->alarm, G_MININT64, G_MAXINT64, 2, NULL);
  g_assert_cmpuint (json_array_get_length (journal), ==, 2);
  g_clear_pointer (&journal, json_array_unref);
  journal = dc_alarm_journal (fx->alarm, g_get_real_time () + G_USEC_PER_SEC, G_MAXINT64, 0, NULL);
  g_assert_cmpuint (json_array_get_length (journal), ==, 0);

  csv = dc_alarm_journal_csv (fx->alarm, G_MININT64, G_MAXINT64, 0, NULL);
  lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 7);
  g_assert_cmpstr (lines[0], ==, "time,alarm_id,condition,device_id,term_id,item_id,state,value,"
                                 "user,comment,text");
  g_assert_true (g_str_has_suffix (lines[1], ",1,high,plant,t,temp,active_unacknowledged,150,,,"
                                             "plant:t:temp above 100"));
  g_assert_true (strstr (lines[5], ",ann,\"a, \"\"quoted\"\" comment\",") != NULL);

  /* Restart: the alarms and their states come back from the journal database. */
  g_assert_finalize_object (fx->alarm);
  open_alarm (fx);
  g_assert_cmpint (dc_alarm_find (fx->alarm, fx->key_temp, "high"), ==, temp_id);
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, temp_id), ==, DC_ALARM_ACTIVE_ACKED);
  g_clear_pointer (&list, json_array_unref);
  list = dc_alarm_list (fx->alarm, FALSE);
  g_assert_cmpuint (json_array_get_length (list), ==, 4);
  feed (fx, fx->key_temp, 20, 0);
  g_assert_cmpint (dc_alarm_get_state (fx->alarm, temp_id), ==, DC_ALARM_NORMAL);
  /* Ids are never reused. */
  feed (fx, fx->key_level, 1, 0);
  g_assert_cmpint (dc_alarm_find (fx->alarm, fx->key_level, "low"), >, 4);
}

static void
patch_point (Fixture    *fx,
             const char *item,
             const char *json)
{
  g_autoptr(JsonObject) patch = dc_test_json_object (json);
  g_autoptr(GError) error = NULL;

  g_assert_true (dc_store_update_point (fx->store, "t", item, patch, &error));
  g_assert_no_error (error);
  dc_alarm_flush (fx->alarm);
}

/* alarm_enabled false keeps the limits and raises nothing (docs/model.md "Fields"); a limit
 * written as low_limit (an alias) alarms as down_limit. */
static void
test_enabled_and_alias (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(JsonObject) stored = NULL;
  gint64 key;

  patch_point (fx, "temp", "{\"alarm_enabled\": false}");
  feed (fx, fx->key_temp, 150, 0);
  g_assert_cmpint (state_of (fx, fx->key_temp, "high"), ==, DC_ALARM_NORMAL);
  g_assert_cmpuint (fx->events->len, ==, 0);
  stored = dc_store_get_point (fx->store, "t", "temp", NULL);
  g_assert_cmpint (json_object_get_int_member (stored, "up_limit"), ==, 100);

  patch_point (fx, "temp", "{\"alarm_enabled\": null}");
  feed (fx, fx->key_temp, 151, 0);
  g_assert_cmpint (state_of (fx, fx->key_temp, "high"), ==, DC_ALARM_ACTIVE_UNACKED);

  dc_test_store_create (fx->store, DC_KIND_ITEM, "{\"id\": \"pressure\"}");
  dc_test_store_create (fx->store, DC_KIND_POINT,
                        "{\"term_id\": \"t\", \"item_id\": \"pressure\", \"low_limit\": 3}");
  dc_alarm_flush (fx->alarm);
  key = dc_store_get_point_key (fx->store, "t", "pressure");
  feed (fx, key, 1, 0);
  g_assert_cmpint (state_of (fx, key, "low"), ==, DC_ALARM_ACTIVE_UNACKED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  dc_protocols_register_all ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/dc/alarm/high-deadband", test_high_deadband);
  ADD ("/dc/alarm/low-delay", test_low_delay);
  ADD ("/dc/alarm/state", test_state);
  ADD ("/dc/alarm/verify", test_verify);
  ADD ("/dc/alarm/shelve", test_shelve);
  ADD ("/dc/alarm/comm", test_comm);
  ADD ("/dc/alarm/list-journal", test_list_journal);
  ADD ("/dc/alarm/enabled-and-alias", test_enabled_and_alias);
  ADD ("/dc/alarm/text-numbers-ack-many", test_text_numbers_and_ack_many);
#undef ADD

  return g_test_run ();
}
