/* dc-alarm-comm.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-alarm"

#include "config.h"

#include "dc-alarm-private.h"

#include "dc-json-util.h"

/* The comm alarms of devices (docs/plugins.md "Alarms"): the link state the drivers report,
 * and the end of the condition when a device is deleted or renamed. */

/* The comm condition of a device ends with the device: when it is deleted or renamed, its
 * comm alarm clears (and waits for its acknowledgement) instead of staying active for ever;
 * @new_id is the new name of a renamed device. */
void
dc_alarm_device_gone (DcAlarm    *self,
                      const char *device_id,
                      const char *new_id)
{
  DcAlarmItem *a = dc_alarm_item_lookup (self, DC_ALARM_COND_COMM, 0, device_id);

  if (a == NULL || !a->raw)
    return;
  if (a->active)
    {
      g_free (a->text);
      a->text = new_id != NULL ? g_strdup_printf ("device %s was renamed to %s", device_id,
                                                  new_id)
                               : g_strdup_printf ("device %s was deleted", device_id);
    }
  dc_alarm_item_update (self, a, FALSE, 0, g_get_real_time ());
}

/* Comm alarms loaded from the journal whose device is gone (deleted while DataColl was
 * stopped, or by an earlier version that left them active). */
void
dc_alarm_clear_gone_devices (DcAlarm *self)
{
  g_autoptr(GPtrArray) gone = g_ptr_array_new ();
  GHashTableIter iter;
  DcAlarmItem *a;

  g_hash_table_iter_init (&iter, self->alarms);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &a))
    if (a->cond == DC_ALARM_COND_COMM && a->raw)
      {
        g_autoptr(JsonObject) device = dc_store_get (self->store, DC_KIND_DEVICE, a->device_id,
                                                     NULL);

        if (device == NULL)
          g_ptr_array_add (gone, a->device_id);
      }
  for (guint i = 0; i < gone->len; i++)
    dc_alarm_device_gone (self, g_ptr_array_index (gone, i), NULL);
}

void
dc_alarm_device_changed_cb (DcEngineDrivers *drivers,
                            const char      *device_id,
                            const char      *state,
                            const char      *last_error,
                            DcAlarm         *self)
{
  if (g_strcmp0 (state, "down") == 0)
    dc_alarm_comm_set_link (self, device_id, FALSE, g_get_real_time ());
  else if (g_strcmp0 (state, "up") == 0 || g_strcmp0 (state, "disabled") == 0)
    dc_alarm_comm_set_link (self, device_id, TRUE, g_get_real_time ());
}

void
dc_alarm_comm_set_link (DcAlarm    *self,
                        const char *device_id,
                        gboolean    up,
                        gint64      time_us)
{
  g_autoptr(JsonObject) device = NULL;
  DcAlarmItem *a;

  a = dc_alarm_item_lookup (self, DC_ALARM_COND_COMM, 0, device_id);
  if (up && a == NULL)
    return;
  device = dc_store_get (self->store, DC_KIND_DEVICE, device_id, NULL);
  /* A link that goes down after its device was deleted (before the engine stopped its
   * driver) alarms nothing. */
  if (!up && device == NULL)
    return;
  if (a == NULL)
    a = dc_alarm_item_create (self, DC_ALARM_COND_COMM, 0, device_id, NULL, NULL);
  if (device != NULL)
    a->priority = dc_alarm_priority_from_string (dc_json_get_string (device, "comm_alarm_priority",
                                                                     NULL),
                                                 2);
  else
    a->priority = 2;
  if (!up)
    {
      g_free (a->text);
      a->text = g_strdup_printf ("device %s is offline", device_id);
    }
  dc_alarm_item_update (self, a, !up,
          device != NULL ? MAX (dc_json_get_int (device, "comm_alarm_delay_ms", 10000), 0) * 1000
                         : 10000 * 1000,
          time_us);
}

