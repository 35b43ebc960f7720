/* dc-sparkplug-driver.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-sparkplug-host"

#include "config.h"

#include "dc-sparkplug-driver.h"

#include <math.h>
#include <string.h>

#include "dc-error.h"
#include "dc-json-util.h"
#include "dc-sparkplug-birth-private.h"
#include "dc-sparkplug-frame-private.h"
#include "dc-sparkplug-payload.h"
#include "dc-sparkplug-session-private.h"

/* A control waiting for the DATA that confirms it. */
typedef struct
{
  DcSparkplugDriver  *self;
  GTask              *task;
  guint64             alias;
  DcCtrlProgressFunc  progress;
  gpointer            progress_data;
  guint               timeout_id;
  gint64              timeout_us;
} Ctrl;

struct _DcSparkplugDriver
{
  DcDriver            parent_instance;

  DcSparkplugSession *session;
  char               *group_id;
  char               *edge_node_id;
  /* The latest births: address → DcSparkplugBorn (alias, datatype; key unused). */
  GHashTable         *born;
  GHashTable         *ctrls;          /* guint64 * alias → Ctrl */
  gboolean            broker_up;
  gboolean            node_alive;
  guint64             points_created;
};

G_DEFINE_FINAL_TYPE (DcSparkplugDriver, dc_sparkplug_driver, DC_TYPE_DRIVER)

static void
born_free (gpointer data)
{
  DcSparkplugBorn *b = data;

  g_free (b->address);
  g_free (b);
}

/* address → DcPointInfo of the device's configured points (borrowed from the config). */
static GHashTable *
known_points (DcSparkplugDriver *self)
{
  GPtrArray *points = dc_driver_get_points (DC_DRIVER (self));
  GHashTable *known = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; points != NULL && i < points->len; i++)
    {
      const DcPointInfo *info = g_ptr_array_index (points, i);

      if (info->protocol_code != NULL)
        g_hash_table_replace (known, info->protocol_code, (gpointer) info);
    }
  return known;
}

/* The session's alias table from the births and the configured points. */
static void
update_aliases (DcSparkplugDriver *self,
                gboolean           birth_applied)
{
  g_autoptr(GHashTable) known = known_points (self);
  DcSparkplugAliases *aliases = dc_sparkplug_aliases_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, known);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const DcPointInfo *info = value;

      dc_sparkplug_aliases_add (aliases, 0, info->protocol_code, info->key,
                                dc_sparkplug_datatype_from_name (info->code_type));
    }
  g_hash_table_iter_init (&iter, self->born);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const DcSparkplugBorn *b = value;
      const DcPointInfo *info = g_hash_table_lookup (known, b->address);
      /* A point made by the birth that the configuration does not show yet has its key. */
      gint64 key = info != NULL ? info->key : b->key;

      dc_sparkplug_aliases_add (aliases, b->alias, b->address, key, b->datatype);
    }
  if (self->session != NULL)
    dc_sparkplug_session_set_aliases (self->session, aliases, birth_applied);
  dc_sparkplug_aliases_unref (aliases);
}

/* The terms of Sparkplug device @device (from the configured points' addresses). */
static GPtrArray *
device_terms (DcSparkplugDriver *self,
              const char        *device)
{
  GPtrArray *points = dc_driver_get_points (DC_DRIVER (self));
  g_autofree char *prefix = g_strdup_printf ("%s/", device);
  GPtrArray *terms = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; points != NULL && i < points->len; i++)
    {
      const DcPointInfo *info = g_ptr_array_index (points, i);

      if (info->protocol_code != NULL && g_str_has_prefix (info->protocol_code, prefix) &&
          g_hash_table_add (seen, info->term_id))
        g_ptr_array_add (terms, g_strdup (info->term_id));
    }
  return terms;
}

static void
ctrl_finish (Ctrl   *ctrl,
             double *confirmed,
             GError *error)
{
  DcSparkplugDriver *self = ctrl->self;
  g_autoptr(GTask) task = ctrl->task;

  g_clear_handle_id (&ctrl->timeout_id, g_source_remove);
  if (self->session != NULL)
    dc_sparkplug_session_unexpect (self->session, ctrl->alias);
  g_hash_table_steal (self->ctrls, &ctrl->alias);
  if (error != NULL)
    {
      if (ctrl->progress != NULL)
        ctrl->progress (DC_CTRL_STEP_FAILED, error->message, ctrl->progress_data);
      g_task_return_error (task, error);
    }
  else
    {
      if (ctrl->progress != NULL)
        ctrl->progress (DC_CTRL_STEP_CONFIRMED, NULL, ctrl->progress_data);
      g_task_return_pointer (task, g_memdup2 (confirmed, sizeof *confirmed), g_free);
    }
  g_free (ctrl);
}

static void
fail_ctrls (DcSparkplugDriver *self)
{
  GList *ctrls = g_hash_table_get_values (self->ctrls);

  for (GList *l = ctrls; l != NULL; l = l->next)
    ctrl_finish (l->data, NULL,
                 dc_driver_error_offline (dc_driver_get_device_id (DC_DRIVER (self))));
  g_list_free (ctrls);
}

/* Session callbacks (main context) */

static void
session_broker_cb (gpointer    user_data,
                   gboolean    up,
                   const char *error)
{
  DcSparkplugDriver *self = user_data;

  self->broker_up = up;
  if (up)
    {
      /* Connected and subscribed; the node is up with its next NBIRTH. */
      if (!self->node_alive)
        dc_driver_set_link_state (DC_DRIVER (self), DC_LINK_CONNECTING, NULL);
      return;
    }
  self->node_alive = FALSE;
  fail_ctrls (self);
  dc_driver_set_link_state (DC_DRIVER (self), DC_LINK_DOWN, error);
}

/* Samples of the values a birth carries (historical ones to history only). */
static void
push_birth_values (DcSparkplugDriver        *self,
                   const char               *sp_device,
                   const DcSparkplugMessage *message)
{
  DcSampleSink *sink = dc_driver_get_sink (DC_DRIVER (self));
  GArray *live = g_array_new (FALSE, FALSE, sizeof (DcSample));
  GArray *history = g_array_new (FALSE, FALSE, sizeof (DcSample));
  gint64 now = g_get_real_time ();

  for (guint i = 0; i < message->metrics->len; i++)
    {
      const DcSparkplugValue *v = &g_array_index (message->metrics, DcSparkplugValue, i);
      g_autofree char *address = NULL;
      const DcSparkplugBorn *b;
      DcSample sample;

      if (!dc_sparkplug_metric_is_point (v))
        continue;
      address = dc_sparkplug_address (sp_device, v->name);
      b = g_hash_table_lookup (self->born, address);
      if (b == NULL || b->key == 0)
        continue;
      sample.key = b->key;
      sample.time = v->timestamp_ms != 0 ? (gint64) v->timestamp_ms * 1000 :
                    message->has_timestamp ? (gint64) message->timestamp_ms * 1000 : now;
      sample.quality = v->has_quality ? v->quality : 0;
      if (v->has_value)
        sample.value = v->value;
      else
        {
          /* A metric born without a value has none yet: nothing to show. */
          if (!v->has_quality)
            continue;
          sample.value = NAN;
          sample.quality |= DC_QUALITY_INVALID;
        }
      g_array_append_val (v->is_historical ? history : live, sample);
    }
  if (sink != NULL && history->len > 0)
    dc_sample_sink_push_history (sink, history);
  else
    g_array_unref (history);
  if (sink != NULL && live->len > 0)
    dc_sample_sink_push_batch (sink, live);
  else
    g_array_unref (live);
}

static void
session_birth_cb (gpointer                user_data,
                  DcSparkplugMessageType  type,
                  const char             *device,
                  DcSparkplugMessage     *message)
{
  DcSparkplugDriver *self = user_data;
  DcStore *store = dc_driver_get_store (DC_DRIVER (self));
  const char *device_id = dc_driver_get_device_id (DC_DRIVER (self));
  g_autoptr(GHashTable) known = known_points (self);
  g_autoptr(GArray) born = NULL;
  guint created = 0;

  if (type == DC_SPARKPLUG_NBIRTH)
    {
      /* A new session of the node: aliases start again. */
      g_hash_table_remove_all (self->born);
    }
  else
    {
      g_autofree char *prefix = g_strdup_printf ("%s/", device);
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, self->born);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (g_str_has_prefix (key, prefix))
          g_hash_table_iter_remove (&iter);
    }

  if (store != NULL)
    born = dc_sparkplug_birth_apply (store, device_id, device, message, known, &created);
  else
    {
      /* Without a store (a driver outside the engine) only configured points are fed. */
      born = g_array_new (FALSE, TRUE, sizeof (DcSparkplugBorn));
      for (guint i = 0; i < message->metrics->len; i++)
        {
          const DcSparkplugValue *v = &g_array_index (message->metrics, DcSparkplugValue, i);
          DcSparkplugBorn b = { 0 };
          const DcPointInfo *info;

          if (!dc_sparkplug_metric_is_point (v))
            continue;
          b.address = dc_sparkplug_address (device, v->name);
          info = g_hash_table_lookup (known, b.address);
          b.alias = v->has_alias ? v->alias : 0;
          b.datatype = v->datatype != 0 ? v->datatype : DC_SPARKPLUG_DOUBLE;
          b.key = info != NULL ? info->key : 0;
          g_array_append_val (born, b);
        }
    }
  for (guint i = 0; i < born->len; i++)
    {
      DcSparkplugBorn *b = &g_array_index (born, DcSparkplugBorn, i);

      /* The array's strings move into the table. */
      g_hash_table_replace (self->born, b->address, g_memdup2 (b, sizeof *b));
    }
  self->points_created += created;
  g_debug ("%s: %s %s: %u metrics, %u points created", device_id,
           dc_sparkplug_message_type_name (type), device != NULL ? device : "", born->len,
           created);

  push_birth_values (self, device, message);
  update_aliases (self, TRUE);

  if (type == DC_SPARKPLUG_NBIRTH)
    {
      self->node_alive = TRUE;
      dc_driver_set_link_state (DC_DRIVER (self), DC_LINK_UP, NULL);
    }
  else
    {
      g_autoptr(GPtrArray) terms = device_terms (self, device);

      for (guint i = 0; i < terms->len; i++)
        dc_driver_set_term_link_state (DC_DRIVER (self), g_ptr_array_index (terms, i), TRUE,
                                       NULL);
    }
}

static void
session_death_cb (gpointer                user_data,
                  DcSparkplugMessageType  type,
                  const char             *device)
{
  DcSparkplugDriver *self = user_data;

  if (type == DC_SPARKPLUG_NDEATH)
    {
      g_autofree char *error = g_strdup_printf ("edge node %s/%s is offline (NDEATH)",
                                                self->group_id, self->edge_node_id);

      self->node_alive = FALSE;
      fail_ctrls (self);
      dc_driver_set_link_state (DC_DRIVER (self), DC_LINK_DOWN, error);
    }
  else
    {
      g_autoptr(GPtrArray) terms = device_terms (self, device);
      g_autofree char *error = g_strdup_printf ("Sparkplug device %s is offline (DDEATH)",
                                                device);

      for (guint i = 0; i < terms->len; i++)
        dc_driver_set_term_link_state (DC_DRIVER (self), g_ptr_array_index (terms, i), FALSE,
                                       error);
    }
}

static void
session_confirm_cb (gpointer user_data,
                    guint64  alias,
                    double   value,
                    guint32  quality)
{
  DcSparkplugDriver *self = user_data;
  Ctrl *ctrl = g_hash_table_lookup (self->ctrls, &alias);

  if (ctrl != NULL)
    ctrl_finish (ctrl, &value, NULL);
}

static const DcSparkplugSessionCallbacks session_callbacks = {
  .broker = session_broker_cb,
  .birth = session_birth_cb,
  .death = session_death_cb,
  .confirm = session_confirm_cb,
};

/* Driver vfuncs */

static char *
read_password (const char  *path,
               GError     **error)
{
  g_autofree char *contents = NULL;
  char *newline;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;
  newline = strchr (contents, '\n');
  if (newline != NULL)
    *newline = '\0';
  return g_steal_pointer (&contents);
}

static void
dc_sparkplug_driver_start (DcDriver *driver)
{
  DcSparkplugDriver *self = DC_SPARKPLUG_DRIVER (driver);
  JsonObject *device = dc_driver_get_device (driver);
  const char *device_id = dc_driver_get_device_id (driver);
  const char *username = dc_json_get_string (device, "username", NULL);
  const char *password_file = dc_json_get_string (device, "password_file", NULL);
  g_autofree char *password = NULL;
  g_autofree char *client_id = NULL;
  DcSparkplugSessionConfig config = { 0 };

  g_clear_pointer (&self->group_id, g_free);
  g_clear_pointer (&self->edge_node_id, g_free);
  self->group_id = g_strdup (dc_json_get_string (device, "group_id", NULL));
  self->edge_node_id = g_strdup (dc_json_get_string (device, "edge_node_id", NULL));
  if (self->group_id == NULL || self->edge_node_id == NULL)
    {
      dc_driver_set_link_state (driver, DC_LINK_DOWN, "missing field: group_id or edge_node_id");
      return;
    }
  if (password_file != NULL && password_file[0] != '\0')
    {
      g_autoptr(GError) error = NULL;

      password = read_password (password_file, &error);
      if (password == NULL)
        {
          g_autofree char *text = g_strdup_printf ("cannot read the MQTT password: %s",
                                                   error->message);

          dc_driver_set_link_state (driver, DC_LINK_DOWN, text);
          return;
        }
    }

  client_id = g_strdup_printf ("datacoll-host-%s-%08x", device_id, g_random_int ());
  config.host = dc_json_get_string (device, "ip", "127.0.0.1");
  config.port = (guint) dc_json_get_int (device, "port", 1883);
  config.username = username != NULL && username[0] != '\0' ? username : NULL;
  config.password = password;
  config.group_id = self->group_id;
  config.edge_node_id = self->edge_node_id;
  config.client_id = client_id;
  config.keepalive_s = 30;
  config.host_id = dc_json_get_string (device, "host_id", NULL);
  if (config.host_id != NULL && config.host_id[0] == '\0')
    config.host_id = NULL;

  dc_driver_set_link_state (driver, DC_LINK_CONNECTING, NULL);
  self->session = dc_sparkplug_session_new (driver, &config, &session_callbacks, self);
  update_aliases (self, FALSE);
  dc_sparkplug_session_start (self->session);
}

static void
dc_sparkplug_driver_stop (DcDriver *driver)
{
  DcSparkplugDriver *self = DC_SPARKPLUG_DRIVER (driver);

  fail_ctrls (self);
  g_clear_pointer (&self->session, dc_sparkplug_session_free);
  g_hash_table_remove_all (self->born);
  self->broker_up = FALSE;
  self->node_alive = FALSE;
}

static void
dc_sparkplug_driver_points_changed (DcDriver *driver)
{
  /* New or changed points (ours, made by a birth, or a user's): the same session goes on. */
  update_aliases (DC_SPARKPLUG_DRIVER (driver), FALSE);
}

static gboolean
ctrl_timeout_cb (gpointer data)
{
  Ctrl *ctrl = data;

  ctrl->timeout_id = 0;
  ctrl_finish (ctrl, NULL,
               dc_driver_error_timeout (dc_driver_get_device_id (DC_DRIVER (ctrl->self)),
                                        ctrl->timeout_us));
  return G_SOURCE_REMOVE;
}

/* The value a metric of @datatype can take. */
static gboolean
check_value (guint32   datatype,
             double    value,
             GError  **error)
{
  double min = -INFINITY, max = INFINITY;
  gboolean integer = TRUE;

  switch (datatype)
    {
    case DC_SPARKPLUG_BOOLEAN: min = 0; max = 1; break;
    case DC_SPARKPLUG_INT8: min = G_MININT8; max = G_MAXINT8; break;
    case DC_SPARKPLUG_INT16: min = G_MININT16; max = G_MAXINT16; break;
    case DC_SPARKPLUG_INT32: min = G_MININT32; max = G_MAXINT32; break;
    case DC_SPARKPLUG_INT64: min = -9007199254740992.0; max = 9007199254740992.0; break;
    case DC_SPARKPLUG_UINT8: min = 0; max = G_MAXUINT8; break;
    case DC_SPARKPLUG_UINT16: min = 0; max = G_MAXUINT16; break;
    case DC_SPARKPLUG_UINT32: min = 0; max = G_MAXUINT32; break;
    case DC_SPARKPLUG_UINT64: min = 0; max = 9007199254740992.0; break;
    default: integer = FALSE; break;
    }
  if (!isfinite (value) || value < min || value > max || (integer && value != floor (value)))
    {
      g_set_error (error, DC_ERROR, DC_ERROR_INVALID,
                   "value %g is out of range for a %s metric", value,
                   dc_sparkplug_datatype_name (datatype) ? dc_sparkplug_datatype_name (datatype) :
                   "Sparkplug");
      return FALSE;
    }
  return TRUE;
}

static void
dc_sparkplug_driver_ctrl_async (DcDriver            *driver,
                                const DcPointInfo   *point,
                                double               value,
                                gint64               deadline_us,
                                DcCtrlProgressFunc   progress,
                                gpointer             progress_data,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  DcSparkplugDriver *self = DC_SPARKPLUG_DRIVER (driver);
  const char *device_id = dc_driver_get_device_id (driver);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  g_autofree char *sp_device = NULL;
  const DcSparkplugBorn *b;
  const char *slash;
  gint64 now = g_get_monotonic_time ();
  Ctrl *ctrl;

  g_task_set_source_tag (task, dc_sparkplug_driver_ctrl_async);
  b = point->protocol_code != NULL ? g_hash_table_lookup (self->born, point->protocol_code) : NULL;
  if (!self->node_alive || b == NULL || self->session == NULL)
    {
      g_task_return_error (task, dc_driver_error_offline (device_id));
      return;
    }
  if (!check_value (b->datatype, value, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (b->alias != 0 && g_hash_table_contains (self->ctrls, &b->alias))
    {
      g_task_return_error (task, dc_driver_error_rejected (device_id,
                                                           "a control of this point waits for "
                                                           "its confirmation"));
      return;
    }

  slash = strchr (b->address, '/');
  if (slash != b->address)
    sp_device = g_strndup (b->address, (gsize) (slash - b->address));
  if (b->alias != 0)
    dc_sparkplug_session_expect (self->session, b->alias);
  if (!dc_sparkplug_session_command (self->session, sp_device, slash + 1, b->alias, b->datatype,
                                     value, &error))
    {
      if (b->alias != 0)
        dc_sparkplug_session_unexpect (self->session, b->alias);
      g_task_return_error (task, dc_driver_error_offline (device_id));
      return;
    }
  if (progress != NULL)
    progress (DC_CTRL_STEP_EXECUTE_SENT, NULL, progress_data);
  if (b->alias == 0)
    {
      /* Without an alias the node's answer cannot be told from other DATA: sent is done. */
      if (progress != NULL)
        progress (DC_CTRL_STEP_CONFIRMED, NULL, progress_data);
      g_task_return_pointer (task, g_memdup2 (&value, sizeof value), g_free);
      return;
    }

  ctrl = g_new0 (Ctrl, 1);
  ctrl->self = self;
  ctrl->task = g_steal_pointer (&task);
  ctrl->alias = b->alias;
  ctrl->progress = progress;
  ctrl->progress_data = progress_data;
  ctrl->timeout_us = MAX (deadline_us - now, 0);
  ctrl->timeout_id = g_timeout_add ((guint) MAX ((deadline_us - now) / 1000, 1), ctrl_timeout_cb,
                                    ctrl);
  g_hash_table_insert (self->ctrls, g_memdup2 (&ctrl->alias, sizeof ctrl->alias), ctrl);
}

static void
dc_sparkplug_driver_add_status (DcDriver    *driver,
                                JsonBuilder *builder)
{
  DcSparkplugDriver *self = DC_SPARKPLUG_DRIVER (driver);
  DcSparkplugSessionStats s = { 0 };

  if (self->session != NULL)
    dc_sparkplug_session_get_stats (self->session, &s);

#define ADD(name, value) \
  G_STMT_START { json_builder_set_member_name (builder, name); \
                 json_builder_add_int_value (builder, (gint64) (value)); } G_STMT_END
  json_builder_set_member_name (builder, "edge_node");
  json_builder_add_string_value (builder, self->edge_node_id != NULL ? self->edge_node_id : "");
  json_builder_set_member_name (builder, "node_online");
  json_builder_add_boolean_value (builder, self->node_alive);
  ADD ("messages", s.messages);
  ADD ("values", s.values);
  ADD ("historical", s.historical);
  ADD ("births", s.births);
  ADD ("deaths", s.deaths);
  ADD ("seq_gaps", s.seq_gaps);
  ADD ("rebirth_requests", s.rebirth_requests);
  ADD ("unknown_aliases", s.unknown_aliases);
  ADD ("decode_errors", s.decode_errors);
  ADD ("commands", s.commands);
  ADD ("stale_deaths", s.stale_deaths);
  ADD ("throttled", s.throttled);
  ADD ("points_created", self->points_created);
#undef ADD
}

static char *
dc_sparkplug_driver_decode_frame (DcDriver              *driver,
                                  const DcTrafficFrame  *frame,
                                  JsonObject           **decoded,
                                  char                 **error)
{
  return dc_sparkplug_frame_decode (frame->bytes, frame->len, decoded, error);
}

static void
dc_sparkplug_driver_dispose (GObject *object)
{
  dc_sparkplug_driver_stop (DC_DRIVER (object));

  G_OBJECT_CLASS (dc_sparkplug_driver_parent_class)->dispose (object);
}

static void
dc_sparkplug_driver_finalize (GObject *object)
{
  DcSparkplugDriver *self = DC_SPARKPLUG_DRIVER (object);

  g_hash_table_unref (self->born);
  g_hash_table_unref (self->ctrls);
  g_free (self->group_id);
  g_free (self->edge_node_id);

  G_OBJECT_CLASS (dc_sparkplug_driver_parent_class)->finalize (object);
}

static void
dc_sparkplug_driver_class_init (DcSparkplugDriverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  DcDriverClass *driver_class = DC_DRIVER_CLASS (klass);

  object_class->dispose = dc_sparkplug_driver_dispose;
  object_class->finalize = dc_sparkplug_driver_finalize;
  driver_class->start = dc_sparkplug_driver_start;
  driver_class->stop = dc_sparkplug_driver_stop;
  driver_class->points_changed = dc_sparkplug_driver_points_changed;
  driver_class->ctrl_async = dc_sparkplug_driver_ctrl_async;
  driver_class->add_status = dc_sparkplug_driver_add_status;
  driver_class->decode_frame = dc_sparkplug_driver_decode_frame;
}

static void
dc_sparkplug_driver_init (DcSparkplugDriver *self)
{
  /* The value owns its address, which is also the key. */
  self->born = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, born_free);
  self->ctrls = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

DcDriver *
dc_sparkplug_driver_new (void)
{
  return g_object_new (DC_TYPE_SPARKPLUG_DRIVER, NULL);
}
