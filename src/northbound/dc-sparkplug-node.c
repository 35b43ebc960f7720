/* dc-sparkplug-node.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-sparkplug"

#include "config.h"

#include "dc-sparkplug-node-private.h"

#include <math.h>
#include <string.h>

#include "dc-audit.h"
#include "dc-sparkplug-client.h"
#include "dc-sparkplug-forward.h"
#include "dc-sparkplug-payload.h"
#include "dc-status-section.h"

G_DEFINE_FINAL_TYPE (DcSparkplugNode, dc_sparkplug_node, G_TYPE_OBJECT)

static void
device_free (gpointer data)
{
  Device *device = data;

  g_free (device->id);
  g_free (device->signature);
  g_free (device->ddata_topic);
  g_hash_table_unref (device->keys);
  g_array_unref (device->pending);
  g_free (device);
}

static guint64
now_ms (void)
{
  return (guint64) (g_get_real_time () / 1000);
}

char *
dc_sparkplug_node_make_topic (DcSparkplugNode *self,
            const char      *type,
            const char      *device_id)
{
  if (device_id == NULL)
    return g_strdup_printf ("spBv1.0/%s/%s/%s", self->group_id, type, self->edge_node_id);
  return g_strdup_printf ("spBv1.0/%s/%s/%s/%s", self->group_id, type, self->edge_node_id,
                          device_id);
}

/* Publishes one message of the node on @topic with the next seq (0–255, wrapping). */
static gboolean
publish_on (DcSparkplugNode         *self,
            const char              *topic,
            const DcSparkplugMetric *metrics,
            guint                    n_metrics)
{
  g_autoptr(GBytes) payload = NULL;

  payload = dc_sparkplug_payload_encode (now_ms (), (gint) self->seq, metrics, n_metrics);
  self->seq = (self->seq + 1) % 256;
  return dc_sparkplug_client_publish (self->client, topic, payload, 0);
}

gboolean
dc_sparkplug_node_publish (DcSparkplugNode         *self,
         const char              *type,
         const char              *device_id,
         const DcSparkplugMetric *metrics,
         guint                    n_metrics)
{
  g_autofree char *topic = dc_sparkplug_node_make_topic (self, type, device_id);

  return publish_on (self, topic, metrics, n_metrics);
}

/* Points whose value is a bit are Booleans; every other value is a Double (DataColl's values
 * are scaled doubles, docs/model.md). Modbus tables co/di, bool and bitN types; IEC 104
 * single points and commands (1, 30, 45, 58). */
static guint32
datatype_for (const char *code_type)
{
  static const char * const iec104_single[] = { "1", "30", "45", "58", NULL };

  if (code_type == NULL)
    return DC_SPARKPLUG_DOUBLE;
  if (g_str_has_prefix (code_type, "co:") || g_str_has_prefix (code_type, "di:") ||
      strstr (code_type, ":bool") != NULL || strstr (code_type, ":bit") != NULL ||
      g_strv_contains (iec104_single, code_type))
    return DC_SPARKPLUG_BOOLEAN;
  return DC_SPARKPLUG_DOUBLE;
}

static gboolean
sample_is_null (const DcSample *sample)
{
  return (sample->quality & DC_QUALITY_INVALID) != 0 || !isfinite (sample->value);
}

static Last *
ensure_last (DcSparkplugNode *self,
             gint64           key)
{
  Last *last = g_hash_table_lookup (self->last, KEY_PTR (key));

  if (last == NULL)
    {
      last = g_new0 (Last, 1);
      last->device = g_hash_table_lookup (self->point_device, KEY_PTR (key));
      g_hash_table_insert (self->last, KEY_PTR (key), last);
    }
  return last;
}

/* @sample went out (in a birth or a DDATA) with @datatype. */
static void
remember (DcSparkplugNode *self,
          const DcSample  *sample,
          guint32          datatype)
{
  Last *last = ensure_last (self, sample->key);

  last->value = sample->value;
  last->quality = sample->quality;
  last->time = sample->time;
  last->datatype = datatype;
  last->sent = TRUE;
}

static Device *
ensure_device (DcSparkplugNode *self,
               const char      *device_id)
{
  Device *device = g_hash_table_lookup (self->devices, device_id);

  if (device == NULL)
    {
      device = g_new0 (Device, 1);
      device->id = g_strdup (device_id);
      device->interned = g_intern_string (device_id);
      device->keys = g_hash_table_new (g_direct_hash, g_direct_equal);
      device->ddata_topic = dc_sparkplug_node_make_topic (self, "DDATA", device_id);
      device->pending = g_array_new (FALSE, TRUE, sizeof (DcSparkplugMetric));
      g_hash_table_insert (self->devices, device->id, device);
    }
  return device;
}

void
dc_sparkplug_node_forget_metrics (DcSparkplugNode *self,
                Device          *device)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, device->keys);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_hash_table_lookup (self->point_device, key) == device)
      {
        Last *last = g_hash_table_lookup (self->last, key);

        if (last != NULL)
          last->device = NULL;
        g_hash_table_remove (self->point_device, key);
      }
  g_hash_table_remove_all (device->keys);
}

/* DBIRTH of @device_id with every metric. With @only_if_changed, nothing is published when
 * the device is born with the same metrics already. */
static void
birth_device (DcSparkplugNode *self,
              const char      *device_id,
              gboolean         only_if_changed)
{
  g_autoptr(GPtrArray) points = NULL;
  g_autoptr(GArray) metrics = NULL;
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) units = NULL;
  g_autoptr(GString) signature = g_string_new (NULL);
  Device *device;

  if (!dc_sparkplug_id_is_valid (device_id))
    {
      g_message ("device %s is not published: a Sparkplug device id has no '/', '+' or '#'",
                 device_id);
      return;
    }

  points = dc_store_list_points (self->store, device_id, NULL);
  metrics = g_array_sized_new (FALSE, TRUE, sizeof (DcSparkplugMetric), points->len);
  units = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < points->len; i++)
    {
      JsonObject *point = g_ptr_array_index (points, i);
      const char *term_id = json_object_get_string_member_with_default (point, "term_id", "");
      const char *item_id = json_object_get_string_member_with_default (point, "item_id", "");
      const char *code_type = json_object_get_string_member_with_default (point, "code_type",
                                                                          NULL);
      gint64 key = dc_store_get_point_key (self->store, term_id, item_id);
      DcSparkplugMetric metric = { 0 };
      DcSample sample;
      const char *unit;
      char *name;

      if (key <= 0)
        continue;
      if (!g_hash_table_contains (units, item_id))
        {
          g_autoptr(JsonObject) item = dc_store_get (self->store, DC_KIND_ITEM, item_id, NULL);
          const char *text = item != NULL ?
            json_object_get_string_member_with_default (item, "unit", NULL) : NULL;

          g_hash_table_insert (units, g_strdup (item_id),
                               text != NULL && *text != '\0' ? g_strdup (text) : NULL);
        }
      unit = g_hash_table_lookup (units, item_id);

      name = g_strdup_printf ("%s/%s", term_id, item_id);
      g_ptr_array_add (strings, name);
      metric.name = name;
      metric.alias = (guint64) key;
      metric.datatype = datatype_for (code_type);
      metric.unit = unit;
      metric.has_quality = TRUE;
      metric.timestamp_ms = now_ms ();
      if (dc_engine_get_live (self->engine, key, &sample))
        {
          metric.timestamp_ms = (guint64) (sample.time / 1000);
          metric.value = sample.value;
          metric.quality = sample.quality;
          metric.is_null = sample_is_null (&sample);
        }
      else
        metric.is_null = TRUE;
      g_array_append_val (metrics, metric);
      g_string_append_printf (signature, "%" G_GINT64_FORMAT "|%s|%u|%s\n", key, name,
                              metric.datatype, unit != NULL ? unit : "");
    }

  device = ensure_device (self, device_id);
  if (only_if_changed && device->born && g_strcmp0 (device->signature, signature->str) == 0)
    return;

  dc_sparkplug_node_forget_metrics (self, device);
  for (guint i = 0; i < metrics->len; i++)
    {
      const DcSparkplugMetric *metric = &g_array_index (metrics, DcSparkplugMetric, i);
      gint64 key = (gint64) metric->alias;
      DcSample sample;
      Last *last;

      g_hash_table_add (device->keys, KEY_PTR (key));
      g_hash_table_insert (self->point_device, KEY_PTR (key), device);
      /* Every born metric has its entry from now on (no allocation per first value). */
      last = ensure_last (self, key);
      last->device = device;
      if (dc_engine_get_live (self->engine, key, &sample))
        remember (self, &sample, metric->datatype);
      else
        {
          last->datatype = metric->datatype;
          last->sent = FALSE;
        }
    }
  g_free (device->signature);
  device->signature = g_string_free (g_steal_pointer (&signature), FALSE);
  device->born = TRUE;

  dc_sparkplug_node_publish (self, "DBIRTH", device_id, (DcSparkplugMetric *) metrics->data, metrics->len);
  g_debug ("DBIRTH %s: %u metrics", device_id, metrics->len);
}

static void
death_device (DcSparkplugNode *self,
              const char      *device_id)
{
  Device *device = g_hash_table_lookup (self->devices, device_id);

  if (device == NULL || !device->born)
    return;
  device->born = FALSE;
  dc_sparkplug_node_forget_metrics (self, device);
  dc_sparkplug_node_publish (self, "DDEATH", device_id, NULL, 0);
  g_debug ("DDEATH %s", device_id);
}

/* NBIRTH (seq 0, bdSeq of the session, Node Control/Rebirth), then DBIRTH of every device
 * whose link is up. */
void
dc_sparkplug_node_birth_all (DcSparkplugNode *self)
{
  g_autoptr(GPtrArray) ids = NULL;
  DcSparkplugMetric node_metrics[] = {
    { .name = "bdSeq", .timestamp_ms = now_ms (), .datatype = DC_SPARKPLUG_INT64,
      .long_value = (gint64) self->bd_seq },
    { .name = REBIRTH_METRIC, .timestamp_ms = now_ms (), .datatype = DC_SPARKPLUG_BOOLEAN,
      .value = 0 },
  };
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->devices);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Device *device = value;

      device->born = FALSE;
      device->held = FALSE;
      dc_sparkplug_node_forget_metrics (self, device);
    }

  self->seq = 0;
  dc_sparkplug_node_publish (self, "NBIRTH", NULL, node_metrics, G_N_ELEMENTS (node_metrics));
  self->births++;
  g_debug ("NBIRTH bdSeq %" G_GUINT64_FORMAT, self->bd_seq);

  ids = dc_store_list_ids (self->store, DC_KIND_DEVICE);
  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = g_ptr_array_index (ids, i);

      if (dc_engine_drivers_get_state (self->drivers, id) == DC_LINK_UP)
        birth_device (self, id, FALSE);
    }
}

/* Store changes: devices gone die, devices whose points changed are born again. */
static gboolean
resync_cb (gpointer user_data)
{
  DcSparkplugNode *self = user_data;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer value;

  self->resync_id = 0;
  if (!self->online)
    return G_SOURCE_REMOVE;

  ids = dc_store_list_ids (self->store, DC_KIND_DEVICE);
  g_hash_table_iter_init (&iter, self->devices);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Device *device = value;
      gboolean found = FALSE;

      for (guint i = 0; i < ids->len && !found; i++)
        found = g_str_equal (g_ptr_array_index (ids, i), device->id);
      if (!found)
        g_ptr_array_add (gone, g_strdup (device->id));
    }
  for (guint i = 0; i < gone->len; i++)
    {
      Device *device = g_hash_table_lookup (self->devices, g_ptr_array_index (gone, i));

      death_device (self, device->id);
      /* Nothing may point at it once freed (a held device was not born). */
      dc_sparkplug_node_forget_metrics (self, device);
      g_hash_table_remove (self->devices, g_ptr_array_index (gone, i));
    }

  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = g_ptr_array_index (ids, i);

      if (dc_engine_drivers_get_state (self->drivers, id) == DC_LINK_UP)
        birth_device (self, id, TRUE);
      else
        death_device (self, id);
    }

  return G_SOURCE_REMOVE;
}

void
dc_sparkplug_node_store_changed_cb (DcStore    *store,
                  int         kind,
                  int         op,
                  const char *id,
                  const char *old_id,
                  gpointer    user_data)
{
  DcSparkplugNode *self = user_data;

  if (kind == DC_KIND_FORMULA || !self->online || self->resync_id != 0)
    return;
  /* After the engine and its drivers followed the change (they apply it in a high-priority
   * idle). */
  self->resync_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, resync_cb, self, NULL);
}

void
dc_sparkplug_node_device_changed_cb (DcEngineDrivers *drivers,
                   const char      *device_id,
                   const char      *state,
                   const char      *last_error,
                   gpointer         user_data)
{
  DcSparkplugNode *self = user_data;
  Device *device;

  if (!self->online)
    return;
  device = g_hash_table_lookup (self->devices, device_id);
  if (g_strcmp0 (state, "up") == 0)
    {
      if (device == NULL || !device->born)
        birth_device (self, device_id, FALSE);
    }
  else
    death_device (self, device_id);
}

/* DDATA: the values of @samples that changed since they were last published, one message
 * per device. Late samples (older than the last published) go out flagged historical. While
 * the node is not born, the changes of the devices born before go to the store-and-forward
 * queue instead. */
void
dc_sparkplug_node_samples_cb (DcEngine *engine,
            GArray   *samples,
            gpointer  user_data)
{
  DcSparkplugNode *self = user_data;
  GArray *values = self->queued;

  if (!self->online && self->forward == NULL)
    return;

  /* Per sample: one lookup (its Last, which knows the device), the metric appended to its
   * device's array; no allocation once the arrays have grown (docs/performance.md). */
  g_array_set_size (values, 0);
  for (guint i = 0; i < samples->len; i++)
    {
      const DcSample *sample = &g_array_index (samples, DcSample, i);
      Last *last = g_hash_table_lookup (self->last, KEY_PTR (sample->key));
      Device *device = last != NULL ? last->device : NULL;
      DcSparkplugMetric metric = { 0 };
      DcSparkplugQueued queued;
      gboolean late;

      if (device == NULL || !(self->online ? device->born : device->held))
        continue;
      late = last->sent && sample->time < last->time;
      if (!late && last->sent && last->quality == sample->quality &&
          (last->value == sample->value || (isnan (last->value) && isnan (sample->value))))
        continue;

      metric.alias = (guint64) sample->key;
      metric.timestamp_ms = (guint64) (sample->time / 1000);
      metric.value = sample->value;
      metric.is_null = sample_is_null (sample);
      metric.is_historical = late;
      /* The first value after a birth without one carries its quality (docs/sparkplug.md). */
      metric.has_quality = !last->sent || last->quality != sample->quality;
      metric.quality = sample->quality;
      /* The datatype is the birth's; the encoder needs it to pick the value field. */
      metric.datatype = last->datatype;
      if (!late)
        {
          last->value = sample->value;
          last->quality = sample->quality;
          last->time = sample->time;
          last->sent = TRUE;
        }

      queued.key = sample->key;
      queued.device_id = device->interned;
      queued.time = sample->time;
      queued.value = sample->value;
      queued.quality = sample->quality;
      queued.datatype = metric.datatype;
      g_array_append_val (values, queued);
      if (!self->online)
        continue;

      if (device->pending->len == 0)
        g_ptr_array_add (self->touched, device);
      g_array_append_val (device->pending, metric);
    }

  if (!self->online)
    {
      dc_sparkplug_forward_store (self->forward, (DcSparkplugQueued *) values->data,
                                  values->len);
      return;
    }

  for (guint i = 0; i < self->touched->len; i++)
    {
      Device *device = g_ptr_array_index (self->touched, i);

      publish_on (self, device->ddata_topic, (DcSparkplugMetric *) device->pending->data,
                  device->pending->len);
      g_array_set_size (device->pending, 0);
    }
  g_ptr_array_set_size (self->touched, 0);
  self->values_sent += values->len;
  if (self->forward != NULL)
    dc_sparkplug_forward_sent (self->forward, (DcSparkplugQueued *) values->data, values->len);
}

/* DCMD: a device_ctrl per metric (user `mqtt`), through the engine's checks and control
 * record; the confirmed value goes out as DDATA. */
typedef struct
{
  DcSparkplugNode *self;
  char            *device_id;
} CtrlData;

static void
ctrl_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  CtrlData *data = user_data;
  DcSparkplugNode *self = data->self;
  g_autoptr(GError) error = NULL;
  DcSample sample;

  if (!dc_engine_drivers_ctrl_finish (DC_ENGINE_DRIVERS (source), result, &sample, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("DCMD on %s refused: %s", data->device_id, error->message);
    }
  else
    {
      Device *device = g_hash_table_lookup (self->point_device, KEY_PTR (sample.key));
      Last *last = g_hash_table_lookup (self->last, KEY_PTR (sample.key));

      /* A virtual point's confirmation is also a sample: published once. */
      if (last != NULL && last->sent && last->value == sample.value &&
          last->quality == sample.quality)
        g_debug ("DCMD on %s confirmed (already published)", data->device_id);
      else if (self->online && device != NULL && device->born)
        {
          const DcPointInfo *info = dc_engine_get_point (self->engine, sample.key);
          DcSparkplugMetric metric = {
            .alias = (guint64) sample.key,
            .timestamp_ms = (guint64) (sample.time / 1000),
            .datatype = datatype_for (info != NULL ? info->code_type : NULL),
            .value = sample.value,
            .has_quality = TRUE,
            .quality = sample.quality,
          };

          remember (self, &sample, metric.datatype);
          dc_sparkplug_node_publish (self, "DDATA", device->id, &metric, 1);
        }
    }

  g_object_unref (data->self);
  g_free (data->device_id);
  g_free (data);
}

void
dc_sparkplug_node_handle_dcmd (DcSparkplugNode *self,
             const char      *device_id,
             GArray          *commands)
{
  Device *device = g_hash_table_lookup (self->devices, device_id);
  g_autoptr(DcAuditActor) mqtt_actor = dc_audit_actor_new ("mqtt", "", "mqtt");

  if (device == NULL || !device->born)
    {
      g_message ("DCMD for %s ignored: not a born device", device_id);
      return;
    }

  for (guint i = 0; i < commands->len; i++)
    {
      const DcSparkplugCommand *command = &g_array_index (commands, DcSparkplugCommand, i);
      const DcPointInfo *info = NULL;
      CtrlData *data;

      if (command->has_alias &&
          g_hash_table_lookup (self->point_device, KEY_PTR (command->alias)) ==
          (gpointer) device)
        info = dc_engine_get_point (self->engine, (gint64) command->alias);
      else if (command->name != NULL)
        {
          g_auto(GStrv) parts = g_strsplit (command->name, "/", 2);
          gint64 key = g_strv_length (parts) == 2 ?
            dc_store_get_point_key (self->store, parts[0], parts[1]) : 0;

          if (key > 0 &&
              g_hash_table_lookup (self->point_device, KEY_PTR (key)) == (gpointer) device)
            info = dc_engine_get_point (self->engine, key);
        }
      if (info == NULL)
        {
          g_message ("DCMD for %s: no metric %s", device_id,
                     command->name != NULL ? command->name : "(alias)");
          continue;
        }
      if (!command->has_value || !isfinite (command->value))
        {
          g_message ("DCMD for %s/%s: the value is not a number", info->term_id,
                     info->item_id);
          continue;
        }

      data = g_new0 (CtrlData, 1);
      data->self = g_object_ref (self);
      data->device_id = g_strdup (device_id);
      /* A DCMD is the user "mqtt" from the source "mqtt" (docs/security.md). */
      dc_audit_actor_push (mqtt_actor);
      dc_engine_drivers_ctrl_async (self->drivers, device_id, info->term_id, info->item_id,
                                    command->value, "mqtt", NULL, NULL, self->cancellable,
                                    ctrl_done_cb, data);
      dc_audit_actor_pop ();
    }
}

static void
dc_sparkplug_node_dispose (GObject *object)
{
  DcSparkplugNode *self = DC_SPARKPLUG_NODE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->resync_id, g_source_remove);
  if (self->engine != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->engine, self);
      g_signal_handlers_disconnect_by_data (self->drivers, self);
      g_signal_handlers_disconnect_by_data (self->store, self);
    }
  dc_status_section_remove ("sparkplug", self);
  g_clear_pointer (&self->client, dc_sparkplug_client_free);
  g_clear_pointer (&self->forward, dc_sparkplug_forward_free);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (dc_sparkplug_node_parent_class)->dispose (object);
}

static void
dc_sparkplug_node_finalize (GObject *object)
{
  DcSparkplugNode *self = DC_SPARKPLUG_NODE (object);

  g_clear_object (&self->cancellable);
  g_hash_table_unref (self->point_device);
  g_hash_table_unref (self->devices);
  g_hash_table_unref (self->last);
  g_ptr_array_unref (self->touched);
  g_array_unref (self->queued);
  g_free (self->host);
  g_free (self->group_id);
  g_free (self->edge_node_id);
  g_free (self->client_id);
  g_free (self->username);
  g_free (self->tls_ca);
  g_free (self->primary_host_id);
  g_free (self->state_topic);
  g_free (self->queue_path);
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_free (self->password);

  G_OBJECT_CLASS (dc_sparkplug_node_parent_class)->finalize (object);
}

static void
dc_sparkplug_node_class_init (DcSparkplugNodeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dc_sparkplug_node_dispose;
  object_class->finalize = dc_sparkplug_node_finalize;
}

static void
dc_sparkplug_node_init (DcSparkplugNode *self)
{
  self->cancellable = g_cancellable_new ();
  self->devices = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, device_free);
  self->point_device = g_hash_table_new (g_direct_hash, g_direct_equal);
  self->last = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  self->touched = g_ptr_array_new ();
  self->queued = g_array_new (FALSE, FALSE, sizeof (DcSparkplugQueued));
  self->host_timestamp = -1;
}

DcSparkplugNode *
dc_sparkplug_node_new (DcEngine                  *engine,
                       const DcSparkplugSettings *settings)
{
  DcSparkplugNode *self;

  g_return_val_if_fail (DC_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (settings != NULL, NULL);

  self = g_object_new (DC_TYPE_SPARKPLUG_NODE, NULL);
  self->engine = g_object_ref (engine);
  self->store = dc_engine_get_store (engine);
  self->drivers = dc_engine_get_drivers (engine);
  self->host = g_strdup (settings->host);
  self->port = settings->port;
  self->keepalive_s = settings->keepalive_s;
  self->group_id = g_strdup (settings->group_id);
  self->edge_node_id = g_strdup (settings->edge_node_id);
  self->username = g_strdup (settings->username);
  self->password = g_strdup (settings->password);
  self->tls_ca = g_strdup (settings->tls_ca);
  self->primary_host_id = g_strdup (settings->primary_host_id);
  if (self->primary_host_id != NULL)
    self->state_topic = g_strdup_printf ("spBv1.0/STATE/%s", self->primary_host_id);
  self->queue_path = g_strdup (settings->queue_path);
  self->queue_max = MAX ((guint64) settings->queue_mb * 1024 * 1024 /
                         DC_SPARKPLUG_QUEUE_BYTES_PER_VALUE, 1);
  self->client_id = settings->client_id != NULL ? g_strdup (settings->client_id) :
    g_strdup_printf ("datacoll-%s-%s", settings->group_id, settings->edge_node_id);

  return self;
}
