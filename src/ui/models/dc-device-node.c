/* dc-device-node.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#define G_LOG_DOMAIN "dc-device-node"

#include "config.h"

#include <gtk/gtk.h>
#include <glib/gi18n.h>

#include "dc-device-node.h"
#include "dc-model.h"
#include "dc-protocol.h"

struct _DcDeviceNode
{
  GObject      parent_instance;

  GListStore  *children;
  GListModel  *points;

  char        *id;
  char        *name;
  char        *protocol;
  char        *device_id;
  char        *last_error;
  DcNodeKind   kind;
  DcNodeLink  state;
  guint        n_points;
  guint        n_alarms;         /* active alarms of the device and its points */
  char        *alarm_priority;   /* the highest of them, NULL: none */
};

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_PROTOCOL,
  PROP_STATE,
  PROP_STATE_ICON,
  PROP_STATE_TEXT,
  PROP_LAST_ERROR,
  PROP_N_POINTS,
  PROP_COUNT_TEXT,
  PROP_N_ALARMS,
  PROP_ALARM_PRIORITY,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (DcDeviceNode, dc_device_node, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

static gpointer
term_points_map_cb (gpointer item,
                    gpointer user_data)
{
  DcDeviceNode *term = item;
  GListModel *model = g_object_ref (G_LIST_MODEL (term->children));

  g_object_unref (term);
  return model;
}

static void
recount (DcDeviceNode *self)
{
  guint n;

  if (self->kind == DC_NODE_TERM)
    n = g_list_model_get_n_items (G_LIST_MODEL (self->children));
  else
    n = g_list_model_get_n_items (self->points);

  if (n != self->n_points)
    {
      self->n_points = n;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_POINTS]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT_TEXT]);
    }
}

static void
points_items_changed_cb (DcDeviceNode *self,
                         guint         position,
                         guint         removed,
                         guint         added,
                         GListModel   *model)
{
  recount (self);
}

static void
dc_device_node_dispose (GObject *object)
{
  DcDeviceNode *self = DC_DEVICE_NODE (object);

  if (self->points != NULL)
    g_signal_handlers_disconnect_by_data (self->points, self);
  g_clear_object (&self->points);
  g_clear_object (&self->children);

  G_OBJECT_CLASS (dc_device_node_parent_class)->dispose (object);
}

static void
dc_device_node_finalize (GObject *object)
{
  DcDeviceNode *self = DC_DEVICE_NODE (object);

  g_free (self->id);
  g_free (self->name);
  g_free (self->protocol);
  g_free (self->device_id);
  g_free (self->last_error);
  g_free (self->alarm_priority);

  G_OBJECT_CLASS (dc_device_node_parent_class)->finalize (object);
}

static void
dc_device_node_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  DcDeviceNode *self = DC_DEVICE_NODE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, dc_device_node_get_name (self));
      break;
    case PROP_PROTOCOL:
      g_value_set_string (value, self->protocol);
      break;
    case PROP_STATE:
      g_value_set_uint (value, self->state);
      break;
    case PROP_STATE_ICON:
      g_value_set_string (value, dc_device_node_get_state_icon (self));
      break;
    case PROP_STATE_TEXT:
      g_value_set_string (value, dc_device_node_get_state_text (self));
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    case PROP_N_POINTS:
      g_value_set_uint (value, self->n_points);
      break;
    case PROP_COUNT_TEXT:
      g_value_take_string (value, g_strdup_printf ("%u", self->n_points));
      break;
    case PROP_N_ALARMS:
      g_value_set_uint (value, self->n_alarms);
      break;
    case PROP_ALARM_PRIORITY:
      g_value_set_string (value, self->alarm_priority);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dc_device_node_class_init (DcDeviceNodeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dc_device_node_dispose;
  object_class->finalize = dc_device_node_finalize;
  object_class->get_property = dc_device_node_get_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROTOCOL] =
    g_param_spec_string ("protocol", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_uint ("state", NULL, NULL, 0, DC_NODE_LINK_DISABLED, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE_ICON] =
    g_param_spec_string ("state-icon", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE_TEXT] =
    g_param_spec_string ("state-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_POINTS] =
    g_param_spec_uint ("n-points", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_COUNT_TEXT] =
    g_param_spec_string ("count-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ALARMS] =
    g_param_spec_uint ("n-alarms", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ALARM_PRIORITY] =
    g_param_spec_string ("alarm-priority", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
dc_device_node_init (DcDeviceNode *self)
{
}

DcDeviceNode *
dc_device_node_new (DcNodeKind  kind,
                    const char *id)
{
  DcDeviceNode *self = g_object_new (DC_TYPE_DEVICE_NODE, NULL);

  self->kind = kind;
  self->id = g_strdup (id);
  if (kind == DC_NODE_DEVICE)
    {
      GtkMapListModel *map;

      self->children = g_list_store_new (DC_TYPE_DEVICE_NODE);
      map = gtk_map_list_model_new (g_object_ref (G_LIST_MODEL (self->children)),
                                    term_points_map_cb, NULL, NULL);
      self->points = G_LIST_MODEL (gtk_flatten_list_model_new (G_LIST_MODEL (map)));
    }
  else
    {
      self->children = g_list_store_new (DC_TYPE_POINT_ROW);
      self->points = g_object_ref (G_LIST_MODEL (self->children));
    }
  g_signal_connect_object (self->points, "items-changed",
                           G_CALLBACK (points_items_changed_cb), self, G_CONNECT_SWAPPED);

  return self;
}

DcNodeKind
dc_device_node_get_kind (DcDeviceNode *self)
{
  g_return_val_if_fail (DC_IS_DEVICE_NODE (self), 0);
  return self->kind;
}

const char *
dc_device_node_get_id (DcDeviceNode *self)
{
  g_return_val_if_fail (DC_IS_DEVICE_NODE (self), NULL);
  return self->id;
}

void
dc_device_node_set_id (DcDeviceNode *self,
                       const char   *id)
{
  g_return_if_fail (DC_IS_DEVICE_NODE (self));
  if (g_strcmp0 (self->id, id) == 0)
    return;
  g_free (self->id);
  self->id = g_strdup (id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
  if (self->name == NULL || self->name[0] == '\0')
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

const char *
dc_device_node_get_name (DcDeviceNode *self)
{
  g_return_val_if_fail (DC_IS_DEVICE_NODE (self), NULL);
  return self->name != NULL && self->name[0] != '\0' ? self->name : self->id;
}

void
dc_device_node_set_name (DcDeviceNode *self,
                         const char   *name)
{
  g_return_if_fail (DC_IS_DEVICE_NODE (self));
  if (g_strcmp0 (self->name, name) == 0)
    return;
  g_free (self->name);
  self->name = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

const char *
dc_device_node_get_protocol (DcDeviceNode *self)
{
  g_return_val_if_fail (DC_IS_DEVICE_NODE (self), NULL);
  return self->protocol;
}

void
dc_device_node_set_protocol (DcDeviceNode *self,
                             const char   *protocol)
{
  g_return_if_fail (DC_IS_DEVICE_NODE (self));
  if (g_strcmp0 (self->protocol, protocol) == 0)
    return;
  g_free (self->protocol);
  self->protocol = g_strdup (protocol);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROTOCOL]);
}

const char *
dc_device_node_get_device_id (DcDeviceNode *self)
{
  g_return_val_if_fail (DC_IS_DEVICE_NODE (self), NULL);
  return self->device_id;
}

void
dc_device_node_set_device_id (DcDeviceNode *self,
                              const char   *device_id)
{
  g_return_if_fail (DC_IS_DEVICE_NODE (self));
  g_free (self->device_id);
  self->device_id = g_strdup (device_id);
}

DcNodeLink
dc_device_node_get_state (DcDeviceNode *self)
{
  g_return_val_if_fail (DC_IS_DEVICE_NODE (self), 0);
  return self->state;
}

void
dc_device_node_set_state (DcDeviceNode *self,
                          DcNodeLink   state)
{
  g_return_if_fail (DC_IS_DEVICE_NODE (self));
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE_ICON]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE_TEXT]);
}

const char *
dc_device_node_get_last_error (DcDeviceNode *self)
{
  g_return_val_if_fail (DC_IS_DEVICE_NODE (self), NULL);
  return self->last_error;
}

void
dc_device_node_set_last_error (DcDeviceNode *self,
                               const char   *last_error)
{
  g_return_if_fail (DC_IS_DEVICE_NODE (self));
  if (g_strcmp0 (self->last_error, last_error) == 0)
    return;
  g_free (self->last_error);
  self->last_error = g_strdup (last_error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

const char *
dc_device_node_get_state_icon (DcDeviceNode *self)
{
  g_return_val_if_fail (DC_IS_DEVICE_NODE (self), NULL);

  if (self->kind == DC_NODE_TERM)
    return "folder-symbolic";

  switch (self->state)
    {
    case DC_NODE_LINK_UP:
      return "network-transmit-receive-symbolic";
    case DC_NODE_LINK_DOWN:
      return "network-offline-symbolic";
    case DC_NODE_LINK_CONNECTING:
      return "network-idle-symbolic";
    case DC_NODE_LINK_DISABLED:
      return "action-unavailable-symbolic";
    case DC_NODE_LINK_UNKNOWN:
    default:
      {
        const DcProtocol *protocol = dc_protocol_lookup (self->protocol);

        if (protocol != NULL && protocol->icon_name != NULL)
          return protocol->icon_name;
        return "network-wired-symbolic";
      }
    }
}

const char *
dc_device_node_get_state_text (DcDeviceNode *self)
{
  g_return_val_if_fail (DC_IS_DEVICE_NODE (self), NULL);

  if (self->kind == DC_NODE_TERM)
    return _("Terminal");

  switch (self->state)
    {
    case DC_NODE_LINK_UP:
      return _("Connected");
    case DC_NODE_LINK_DOWN:
      return _("Disconnected");
    case DC_NODE_LINK_CONNECTING:
      return _("Connecting");
    case DC_NODE_LINK_DISABLED:
      return _("Disabled");
    case DC_NODE_LINK_UNKNOWN:
    default:
      return _("Not connected yet");
    }
}

GListStore *
dc_device_node_get_children (DcDeviceNode *self)
{
  g_return_val_if_fail (DC_IS_DEVICE_NODE (self), NULL);
  return self->children;
}

GListModel *
dc_device_node_get_points (DcDeviceNode *self)
{
  g_return_val_if_fail (DC_IS_DEVICE_NODE (self), NULL);
  return self->points;
}

guint
dc_device_node_get_n_points (DcDeviceNode *self)
{
  g_return_val_if_fail (DC_IS_DEVICE_NODE (self), 0);
  return self->n_points;
}

void
dc_device_node_points_changed (DcDeviceNode *self)
{
  g_return_if_fail (DC_IS_DEVICE_NODE (self));
  recount (self);
}

static guint
find_insert_position (GListStore  *store,
                      const char  *id,
                      const char *(*id_func) (gpointer))
{
  guint lo = 0;
  guint hi = g_list_model_get_n_items (G_LIST_MODEL (store));

  /* Binary search: items are kept in natural order. */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (store), mid);

      if (dc_natural_compare (id_func (item), id) <= 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

void
dc_list_store_insert_natural (GListStore  *store,
                              gpointer     item,
                              const char *(*id_func) (gpointer))
{
  g_list_store_insert (store, find_insert_position (store, id_func (item), id_func), item);
}

gboolean
dc_list_store_find_id (GListStore  *store,
                       const char  *id,
                       const char *(*id_func) (gpointer),
                       guint       *position)
{
  guint lo = 0;
  guint hi = g_list_model_get_n_items (G_LIST_MODEL (store));

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (store), mid);
      int cmp = dc_natural_compare (id_func (item), id);

      if (cmp == 0)
        {
          *position = mid;
          return TRUE;
        }
      if (cmp < 0)
        lo = mid + 1;
      else
        hi = mid;
    }

  /* Fall back to a scan in case the order was broken by a rename. */
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (store)); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (store), i);

      if (g_strcmp0 (id_func (item), id) == 0)
        {
          *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

/* Set by the Alarms page: @n active alarms on the device and its points, the highest
 * @priority ("low" … "critical") among them, or 0 and NULL. */
void
dc_device_node_set_alarms (DcDeviceNode *self,
                           guint         n,
                           const char   *priority)
{
  g_return_if_fail (DC_IS_DEVICE_NODE (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (g_strcmp0 (self->alarm_priority, priority) != 0)
    {
      g_free (self->alarm_priority);
      self->alarm_priority = g_strdup (priority);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALARM_PRIORITY]);
    }
  if (self->n_alarms != n)
    {
      self->n_alarms = n;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ALARMS]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

guint
dc_device_node_get_n_alarms (DcDeviceNode *self)
{
  g_return_val_if_fail (DC_IS_DEVICE_NODE (self), 0);
  return self->n_alarms;
}

const char *
dc_device_node_get_alarm_priority (DcDeviceNode *self)
{
  g_return_val_if_fail (DC_IS_DEVICE_NODE (self), NULL);
  return self->alarm_priority;
}
