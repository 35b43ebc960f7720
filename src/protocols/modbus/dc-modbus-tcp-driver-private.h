/* dc-modbus-tcp-driver-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The Modbus TCP driver's parts: the DcDriver side (main thread) in dc-modbus-tcp-driver.c; the
 * connection on the I/O thread (sending, operations, polling, receiving, connecting and the
 * entry points the driver invokes) in dc-modbus-tcp-conn.c.
 */

#pragma once

#include "dc-io-loop.h"
#include "dc-modbus-private.h"
#include "dc-modbus-tcp-driver.h"

G_BEGIN_DECLS

#define BACKOFF_MIN_US (1 * G_USEC_PER_SEC)
#define BACKOFF_MAX_US (30 * G_USEC_PER_SEC)
#define RX_BUF_SIZE    4096

typedef struct _Conn Conn;

typedef enum
{
  STEP_READ,        /* call: read the point; ctrl: read-back */
  STEP_WRITE,       /* ctrl: the write (FC 5/6/16/22) */
  STEP_RMW_READ,    /* ctrl bitN fallback: read the register */
  STEP_RMW_WRITE,   /* ctrl bitN fallback: write it back with the bit replaced */
} OpStep;

typedef struct
{
  DcModbusOp          base;
  Conn               *conn;
  OpStep              step;
  guint16             current;
} Op;

struct _Conn
{
  gatomicrefcount  ref;
  DcModbusTcpDriver *driver;    /* valid until stopped */
  DcIoLoop        *loop;        /* the I/O thread's loop: every watch and timer below */
  char            *device_id;
  char            *host;
  guint16          port;
  gint64           poll_us;
  gint64           timeout_us;
  DcModbusConfig  *config;
  gboolean         stopped;

  /* Connection */
  GSocket         *socket;
  int              fd;          /* the socket's, -1 without one */
  DcIoWatch       *watch;       /* EPOLLOUT while connecting, then EPOLLIN */
  DcIoTimer        connect_timer;
  DcIoTimer        reconnect_timer;
  GCancellable    *cancellable;
  gboolean         connected;
  gboolean         answered;    /* the device answered a request on this connection: "up" */
  gint64           backoff_us;
  gboolean         ever_connected;

  /* The request in flight */
  gboolean         busy;
  guint16          tid;
  guint8           unit;
  guint8           pdu[256];
  gsize            pdu_len;
  gint64           sent_at;
  gint64           deadline;         /* of the request in flight (monotonic µs), 0: none */
  Op              *op;          /* NULL for a poll request */
  guint            request;     /* plan request index of a poll request */
  DcModbusConfig  *request_config;
  DcIoTimer        timeout_timer;    /* the request in flight */
  gboolean         op_deadline_timer; /* the timer is the op's deadline, not timeout_ms */

  /* Polling: a loop timer (µs precision; GLib's own timeouts round to milliseconds, which at
   * poll_ms 1 lost a third of the polls) */
  DcIoTimer        poll_timer;
  gint64           next_due;
  gboolean         cycle_active;
  guint            cycle_next;
  DcModbusConfig  *cycle_config;
  GArray          *batch;

  GQueue           ops;
  gsize            rx_len;
  guint8           rx[RX_BUF_SIZE];
  guint16          values[DC_MODBUS_MAX_BITS];
};

struct _DcModbusTcpDriver
{
  DcDriver        parent_instance;

  DcModbusConfig *config;   /* main thread */
  Conn           *conn;     /* main thread: the running connection, NULL when stopped */

  GMutex          stats_lock;
  DcModbusStats   stats;
};

typedef struct
{
  Conn           *conn;
  DcModbusConfig *config;
} SwapConfig;

#define STATS_LOCK(c)   g_mutex_lock (&(c)->driver->stats_lock)
#define STATS_UNLOCK(c) g_mutex_unlock (&(c)->driver->stats_lock)

/* dc-modbus-tcp-conn.c: the connection on the I/O thread. */

Conn *   _dc_modbus_tcp_conn_ref            (Conn     *conn);
void     _dc_modbus_tcp_conn_unref          (Conn     *conn);
void     _dc_modbus_tcp_op_free             (gpointer data);
void     _dc_modbus_tcp_op_return_error     (Op       *op,
                                             GError   *error);
void     _dc_modbus_tcp_conn_init           (Conn     *conn);
gboolean _dc_modbus_tcp_conn_start_cb       (gpointer user_data);
gboolean _dc_modbus_tcp_conn_stop_cb        (gpointer user_data);
gboolean _dc_modbus_tcp_conn_swap_config_cb (gpointer user_data);
gboolean _dc_modbus_tcp_conn_submit_cb      (gpointer user_data);

G_END_DECLS
