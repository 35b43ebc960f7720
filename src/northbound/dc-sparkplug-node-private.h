/* dc-sparkplug-node-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-sparkplug-client.h"
#include "dc-sparkplug-forward.h"
#include "dc-sparkplug-node.h"
#include "dc-sparkplug-payload.h"

G_BEGIN_DECLS

/* The edge node is split by concern: dc-sparkplug-node.c (devices, births, data, commands)
 * and dc-sparkplug-node-session.c (the broker's session, the primary host's STATE, store and
 * forward, the status section, start). The session part calls the node part, never the
 * other way round. */

#define REBIRTH_METRIC "Node Control/Rebirth"

/* A Sparkplug device: a DataColl device and the metrics of its last DBIRTH. */
typedef struct
{
  char       *id;
  const char *interned;  /* the id, g_intern_string() (store and forward) */
  gboolean    born;
  /* Born when the node stopped publishing: its values go to the store-and-forward queue. */
  gboolean    held;
  /* Keys, names, datatypes and units of the last birth: a change means a rebirth. */
  char       *signature;
  GHashTable *keys;  /* KEY_PTR (key) set: the metrics of the last birth */
  char       *ddata_topic;
  GArray     *pending;  /* DcSparkplugMetric: this batch's DDATA (dc_sparkplug_node_samples_cb) */
} Device;

/* The last value published for a point, and the datatype of its metric; kept from the birth
 * on (@sent FALSE until a value went out after it: the first DDATA carries the quality). One
 * lookup per sample: @device is the device it is born in (point_device's, NULL when none). */
typedef struct
{
  double   value;
  guint32  quality;
  gint64   time;
  guint32  datatype;
  gboolean sent;
  Device  *device;
} Last;

/* Point keys in the node's tables are the pointers' values themselves (g_direct_hash): no
 * key to follow per lookup, which matters at a few hundred thousand values a second. Keys are
 * sqlite rowids, far below 2^32 even where a pointer has 32 bits. */
#define KEY_PTR(key) GSIZE_TO_POINTER ((gsize) (key))

struct _DcSparkplugNode
{
  GObject             parent_instance;

  DcEngine           *engine;
  DcStore            *store;     /* the engine's */
  DcEngineDrivers    *drivers;   /* the engine's */
  DcSparkplugClient  *client;
  GCancellable       *cancellable;

  char               *host;
  guint               port;
  guint               keepalive_s;
  char               *group_id;
  char               *edge_node_id;
  char               *client_id;
  char               *username;
  char               *password;
  char               *tls_ca;
  char               *primary_host_id;
  char               *state_topic;    /* spBv1.0/STATE/<primary_host_id> */
  char               *queue_path;
  guint64             queue_max;      /* values */
  DcSparkplugForward *forward;        /* NULL: no store and forward */

  /* online: born, publishing (a session, and the primary host online when there is one). */
  gboolean            session;
  gboolean            host_online;
  gint64              host_timestamp; /* of the last STATE accepted (ms), -1: none */
  gboolean            online;
  guint64             births;         /* NBIRTH published */
  guint64             values_sent;    /* live values published in DDATA */
  guint64             commands;       /* NCMD and DCMD received */
  guint64             bd_seq;
  guint               seq;       /* the next message's seq, 0–255 */
  GHashTable         *devices;   /* id → Device */
  GHashTable         *point_device; /* gint64 key → Device (born metrics only) */
  GHashTable         *last;      /* gint64 key → Last */
  guint               resync_id;
  /* dc_sparkplug_node_samples_cb's, kept between batches: the devices with DDATA to send, the
   * values sent (store and forward). */
  GPtrArray          *touched;
  GArray             *queued;
};

char     *dc_sparkplug_node_make_topic        (DcSparkplugNode         *self,
                                               const char              *type,
                                               const char              *device_id);
gboolean  dc_sparkplug_node_publish           (DcSparkplugNode         *self,
                                               const char              *type,
                                               const char              *device_id,
                                               const DcSparkplugMetric *metrics,
                                               guint                    n_metrics);
void      dc_sparkplug_node_forget_metrics    (DcSparkplugNode         *self,
                                               Device                  *device);
void      dc_sparkplug_node_birth_all         (DcSparkplugNode         *self);
void      dc_sparkplug_node_handle_dcmd       (DcSparkplugNode         *self,
                                               const char              *device_id,
                                               GArray                  *commands);
void      dc_sparkplug_node_samples_cb        (DcEngine                *engine,
                                               GArray                  *samples,
                                               gpointer                 user_data);
void      dc_sparkplug_node_device_changed_cb (DcEngineDrivers         *drivers,
                                               const char              *device_id,
                                               const char              *state,
                                               const char              *last_error,
                                               gpointer                 user_data);
void      dc_sparkplug_node_store_changed_cb  (DcStore                 *store,
                                               int                      kind,
                                               int                      op,
                                               const char              *id,
                                               const char              *old_id,
                                               gpointer                 user_data);

G_END_DECLS
