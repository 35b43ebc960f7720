/* dc-alarm-ack.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-alarm"

#include "config.h"

#include "dc-alarm.h"

/* Acknowledge several alarms at once (docs/plugins.md, POST /api/v1/alarms/ack; the Alarms
 * page's Acknowledge Selected and Acknowledge All). Only the public calls of dc-alarm.h: each
 * acknowledgement is dc_alarm_ack()'s, with its journal entry and audit row. */

static gboolean
waits_for_ack (DcAlarm *self,
               gint64   id)
{
  DcAlarmState state = dc_alarm_get_state (self, id);

  return state == DC_ALARM_ACTIVE_UNACKED || state == DC_ALARM_CLEARED_UNACKED;
}

GArray *
dc_alarm_ack_many (DcAlarm       *self,
                   const gint64  *ids,
                   guint          n_ids,
                   const char    *user,
                   const char    *comment,
                   GError       **error)
{
  g_autoptr(GArray) wanted = g_array_new (FALSE, FALSE, sizeof (gint64));
  GArray *done = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_return_val_if_fail (DC_IS_ALARM (self), done);
  g_return_val_if_fail (ids != NULL || n_ids == 0, done);

  if (ids != NULL)
    {
      /* Every id first: an unknown one acknowledges nothing. */
      for (guint i = 0; i < n_ids; i++)
        {
          g_autoptr(JsonObject) found = dc_alarm_get (self, ids[i], error);

          if (found == NULL)
            {
              g_array_unref (done);
              return NULL;
            }
        }
      g_array_append_vals (wanted, ids, n_ids);
    }
  else
    {
      g_autoptr(JsonArray) all = dc_alarm_list (self, TRUE);

      for (guint i = 0; i < json_array_get_length (all); i++)
        {
          JsonObject *alarm = json_array_get_object_element (all, i);
          gint64 id = json_object_get_int_member_with_default (alarm, "id", 0);

          g_array_append_val (wanted, id);
        }
    }

  for (guint i = 0; i < wanted->len; i++)
    {
      gint64 id = g_array_index (wanted, gint64, i);
      g_autoptr(GError) local_error = NULL;

      /* Acknowledged meanwhile (another desk), or listed twice: nothing to do. */
      if (!waits_for_ack (self, id))
        continue;
      if (dc_alarm_ack (self, id, user, comment, &local_error))
        g_array_append_val (done, id);
      else
        g_debug ("alarm %" G_GINT64_FORMAT ": %s", id, local_error->message);
    }
  return done;
}
