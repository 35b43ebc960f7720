/* dc-mqtt-link.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <glib.h>
#include <mosquitto.h>

G_BEGIN_DECLS

/* One MQTT connection on libmosquitto, shared by the edge node (src/northbound) and the
 * southbound sparkplug protocol (docs/sparkplug.md, "The MQTT link"). A network thread of its
 * own connects (a name lookup may block), runs libmosquitto's loop and reconnects every
 * second; a CONNECT that gets no CONNACK within 2 s is abandoned and tried again at once
 * (libmosquitto's own thread would wait a whole keep-alive). Publishing from any thread only
 * queues. dc_mqtt_link_free() ends the session cleanly: what was published, then DISCONNECT,
 * written before the socket closes (so the broker does not send the will as well).
 *
 * The callbacks run on the network thread. dc_mqtt_link_post() hands work to the main context
 * the link was created on, never after dc_mqtt_link_free(). */
typedef struct _DcMqttLink DcMqttLink;

/* ::disconnected's reason when a CONNECT got no CONNACK in time. */
#define DC_MQTT_LINK_NO_CONNACK (-1)

typedef struct
{
  /* CONNACK accepted: subscribe here (dc_mqtt_link_subscribe()). */
  void (*connected)    (gpointer                        user_data);
  /* A SUBACK (NULL: ignored). */
  void (*subscribed)   (gpointer                        user_data);
  /* A connection ended (@reason: libmosquitto's, 0 = asked for) or a CONNECT was abandoned
   * (DC_MQTT_LINK_NO_CONNACK): the next session's will is set here (dc_mqtt_link_set_will()),
   * before the link connects again. */
  void (*disconnected) (gpointer                        user_data,
                        int                             reason);
  /* The broker cannot be reached or refused the connection, at each attempt (NULL: the link
   * logs it once until a session starts). */
  void (*failed)       (gpointer                        user_data,
                        const char                     *error);
  void (*message)      (gpointer                        user_data,
                        const struct mosquitto_message *message);
} DcMqttLinkCallbacks;

DcMqttLink *dc_mqtt_link_new             (const char                 *client_id,
                                          const DcMqttLinkCallbacks  *callbacks,
                                          gpointer                    user_data);
/* Before start; @password may be NULL. */
void        dc_mqtt_link_set_credentials (DcMqttLink                 *self,
                                          const char                 *username,
                                          const char                 *password);
/* TLS to the broker (before start): its certificate is checked against the CA certificates in
 * @ca_file and its name against the host name. FALSE (DC_ERROR_INVALID) when libmosquitto
 * refuses the file. */
gboolean    dc_mqtt_link_set_tls         (DcMqttLink                 *self,
                                          const char                 *ca_file,
                                          GError                    **error);
/* Before start, or on the network thread in ::disconnected. */
void        dc_mqtt_link_set_will        (DcMqttLink                 *self,
                                          const char                 *topic,
                                          gconstpointer               payload,
                                          gsize                       size,
                                          int                         qos,
                                          gboolean                    retain);
void        dc_mqtt_link_start           (DcMqttLink                 *self,
                                          const char                 *host,
                                          guint                       port,
                                          guint                       keepalive_s);
/* Network thread, in ::connected. */
void        dc_mqtt_link_subscribe       (DcMqttLink                 *self,
                                          const char                 *filter,
                                          int                         qos);
/* Any thread; never blocks. @mid (nullable) gets the message id. FALSE with libmosquitto's
 * reason in @error_text (static) when it refused (no connection, …). */
gboolean    dc_mqtt_link_publish         (DcMqttLink                 *self,
                                          const char                 *topic,
                                          gconstpointer               payload,
                                          gsize                       size,
                                          int                         qos,
                                          gboolean                    retain,
                                          int                        *mid,
                                          const char                **error_text);
/* Any thread: @func(@data) on the link's main context, unless the link is freed first
 * (@destroy is called either way). */
void        dc_mqtt_link_post            (DcMqttLink                 *self,
                                          GSourceFunc                 func,
                                          gpointer                    data,
                                          GDestroyNotify              destroy);
const char *dc_mqtt_link_get_host        (DcMqttLink                 *self);
guint       dc_mqtt_link_get_port        (DcMqttLink                 *self);
/* Main context. No posted function runs after this. When the link was started: sends
 * DISCONNECT after what was published before (a last STATE or NDEATH), waits up to 2 s for
 * them to be written, and joins the network thread (callbacks may run until then). */
void        dc_mqtt_link_free            (DcMqttLink                 *self);

G_END_DECLS
