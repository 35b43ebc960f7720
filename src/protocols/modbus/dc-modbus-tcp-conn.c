/* dc-modbus-tcp-conn.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The Modbus TCP driver's connection on its I/O thread (docs/modbus.md): requests sent and
 * timed out, calls and controls step by step, the poll cycle on a loop timer, responses received,
 * connecting with back-off, and the entry points the driver invokes (start, stop, swap, submit).
 */

#define G_LOG_DOMAIN "dc-modbus-tcp"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "dc-error.h"
#include "dc-json-util.h"
#include "dc-modbus-tcp-driver-private.h"

static void conn_pump    (Conn       *conn);
static void conn_fail    (Conn       *conn,
                          const char *reason,
                          gboolean    timeout);
static void conn_connect (Conn       *conn);

/* Arms the poll timer for @due (monotonic µs, as g_get_monotonic_time()), or disarms it
 * (-1). */
static void
poll_timer_set (Conn   *conn,
                gint64  due)
{
  if (due >= 0)
    dc_io_timer_set (conn->loop, &conn->poll_timer, due);
  else
    dc_io_timer_cancel (conn->loop, &conn->poll_timer);
}

Conn *
_dc_modbus_tcp_conn_ref (Conn *conn)
{
  g_atomic_ref_count_inc (&conn->ref);
  return conn;
}

void
_dc_modbus_tcp_conn_unref (Conn *conn)
{
  if (!g_atomic_ref_count_dec (&conn->ref))
    return;
  /* Watches and timers went on the I/O thread when the connection stopped. */
  g_assert (conn->socket == NULL && conn->watch == NULL);
  g_clear_object (&conn->cancellable);
  g_clear_pointer (&conn->config, dc_modbus_config_unref);
  g_clear_pointer (&conn->cycle_config, dc_modbus_config_unref);
  g_clear_pointer (&conn->request_config, dc_modbus_config_unref);
  g_clear_pointer (&conn->batch, g_array_unref);
  dc_io_loop_unref (conn->loop);
  g_free (conn->device_id);
  g_free (conn->host);
  g_free (conn);
}

void
_dc_modbus_tcp_op_free (gpointer data)
{
  Op *op = data;

  if (op->conn != NULL)
    _dc_modbus_tcp_conn_unref (op->conn);
  dc_modbus_op_clear (&op->base);
  g_free (op);
}

void
_dc_modbus_tcp_op_return_error (Op     *op,
                                GError *error)
{
  dc_modbus_op_return_error (&op->base, error);
}

/* Traffic and sending */

static void
conn_record (Conn         *conn,
             gboolean      incoming,
             const guint8 *bytes,
             gsize         len)
{
  DcDriver *driver = DC_DRIVER (conn->driver);

  dc_traffic_append (dc_driver_get_traffic (driver), incoming, bytes, len);
  dc_driver_count_frame (driver, incoming, len);
}

static void
timeout_cb (gpointer user_data)
{
  Conn *conn = user_data;
  gint64 now;

  /* The timer disarmed itself before this callback; it is the connection's one request timer
   * for its whole life and every request re-arms it (issue 20, defect 1: a timer that stayed
   * disarmed let the next unanswered request wait for ever). A firing for no request in
   * flight, or before the deadline of the one in flight, changes nothing (it sleeps until
   * that deadline). */
  if (!conn->busy || conn->deadline == 0)
    return;
  now = g_get_monotonic_time ();
  if (now < conn->deadline)
    {
      dc_io_timer_set (conn->loop, &conn->timeout_timer, conn->deadline);
      return;
    }
  conn->deadline = 0;

  if (conn->op_deadline_timer && conn->op != NULL)
    {
      /* The caller's deadline passed before the device's timeout: fail the operation but keep
       * the connection; the late answer is recognised by its transaction id and dropped. */
      Op *op = g_steal_pointer (&conn->op);

      conn->busy = FALSE;
      _dc_modbus_tcp_op_return_error (op, dc_driver_error_timeout (conn->device_id,
                                                                   g_get_monotonic_time () - conn->sent_at));
      conn_pump (conn);
      return;
    }

  STATS_LOCK (conn);
  conn->driver->stats.timeouts++;
  STATS_UNLOCK (conn);
  {
    g_autofree char *reason = g_strdup_printf ("no answer within %" G_GINT64_FORMAT " ms",
                                               conn->timeout_us / 1000);
    conn_fail (conn, reason, TRUE);
  }
}

/* Sends the PDU in conn->pdu to @unit. */
static void
conn_send (Conn   *conn,
           guint8  unit)
{
  guint8 adu[DC_MODBUS_MAX_ADU];
  gsize len;
  gssize n;
  gint64 now = g_get_monotonic_time ();
  gint64 wait = conn->timeout_us;

  conn->tid++;
  conn->unit = unit;
  len = dc_modbus_mbap_wrap (adu, conn->tid, unit, conn->pdu, conn->pdu_len);
  do
    n = send (conn->fd, adu, len, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n != (gssize) len)
    {
      /* One small request on an idle connection always fits the socket buffer; anything else
       * is a broken connection. */
      g_autofree char *reason = n < 0 ? g_strdup_printf ("Error sending data: %s", g_strerror (errno))
                                      : g_strdup ("short send");

      conn_fail (conn, reason, FALSE);
      return;
    }
  conn_record (conn, FALSE, adu, len);
  conn->busy = TRUE;
  conn->sent_at = now;
  STATS_LOCK (conn);
  conn->driver->stats.requests++;
  STATS_UNLOCK (conn);

  conn->op_deadline_timer = FALSE;
  if (conn->op != NULL && conn->op->base.deadline > 0 && conn->op->base.deadline - now < wait)
    {
      wait = MAX (conn->op->base.deadline - now, 0);
      conn->op_deadline_timer = TRUE;
    }
  conn->deadline = now + wait;
  dc_io_timer_set (conn->loop, &conn->timeout_timer, conn->deadline);
}

/* Operations */

static void
op_send_step (Conn *conn,
              Op   *op)
{
  conn->op = op;
  switch (op->step)
    {
    case STEP_READ:
    case STEP_RMW_READ:
      conn->pdu_len = dc_modbus_point_read_pdu (&op->base.point, conn->pdu);
      break;
    case STEP_WRITE:
      conn->pdu_len = dc_modbus_ctrl_write_pdu (&op->base.point, op->base.raw, TRUE, 0, conn->pdu);
      break;
    case STEP_RMW_WRITE:
      conn->pdu_len = dc_modbus_ctrl_write_pdu (&op->base.point, op->base.raw, FALSE, op->current,
                                                conn->pdu);
      break;
    default:
      g_assert_not_reached ();
    }
  conn_send (conn, op->base.point.unit);
  if (conn->busy && op->base.ctrl &&
      (op->step == STEP_WRITE || op->step == STEP_RMW_WRITE))
    dc_modbus_op_progress (&op->base, DC_CTRL_STEP_EXECUTE_SENT, NULL);
}

static void
op_handle_response (Conn         *conn,
                    Op           *op,
                    const guint8 *pdu,
                    gsize         len)
{
  g_autofree char *error = NULL;
  guint8 exception = 0;

  if (!dc_modbus_check_response (conn->pdu, conn->pdu_len, pdu, len, conn->values, &exception,
                                 &error))
    {
      if (exception == DC_MODBUS_EX_ILLEGAL_FUNCTION && op->step == STEP_WRITE &&
          op->base.point.ct.type == DC_MODBUS_TYPE_BIT)
        {
          /* No mask write on this device: read-modify-write instead. */
          op->step = STEP_RMW_READ;
          g_queue_push_head (&conn->ops, op);
          return;
        }
      if (exception != 0)
        {
          STATS_LOCK (conn);
          conn->driver->stats.exceptions++;
          STATS_UNLOCK (conn);
          _dc_modbus_tcp_op_return_error (op, dc_driver_error_rejected (conn->device_id,
                                                                        dc_modbus_exception_name (exception)));
        }
      else
        _dc_modbus_tcp_op_return_error (op, dc_driver_error_rejected (conn->device_id, error));
      return;
    }

  switch (op->step)
    {
    case STEP_RMW_READ:
      op->current = conn->values[0];
      op->step = STEP_RMW_WRITE;
      g_queue_push_head (&conn->ops, op);
      return;
    case STEP_WRITE:
    case STEP_RMW_WRITE:
      dc_modbus_op_progress (&op->base, DC_CTRL_STEP_CONFIRMED, NULL);
      op->step = STEP_READ;
      g_queue_push_head (&conn->ops, op);
      return;
    case STEP_READ:
      {
        guint32 quality;
        double v = dc_modbus_point_decode (&op->base.point, conn->values, &quality);

        dc_modbus_op_return_value (&op->base, v, quality);
      }
      return;
    default:
      g_assert_not_reached ();
    }
}

/* Polling */

static void
cycle_finish (Conn *conn)
{
  DcSampleSink *sink = dc_driver_get_sink (DC_DRIVER (conn->driver));

  conn->cycle_active = FALSE;
  g_clear_pointer (&conn->cycle_config, dc_modbus_config_unref);
  if (conn->batch != NULL && conn->batch->len > 0 && sink != NULL)
    dc_sample_sink_push_batch (sink, g_steal_pointer (&conn->batch));
  g_clear_pointer (&conn->batch, g_array_unref);
}

static void
poll_handle_response (Conn         *conn,
                      const guint8 *pdu,
                      gsize         len)
{
  g_autofree char *error = NULL;
  guint8 exception = 0;
  gint64 now = g_get_real_time ();

  if (conn->batch == NULL)
    return; /* the cycle ended (configuration changed) */

  if (dc_modbus_check_response (conn->pdu, conn->pdu_len, pdu, len, conn->values, &exception,
                                &error))
    dc_modbus_config_decode (conn->request_config, conn->request, conn->values, now, conn->batch);
  else
    {
      if (exception != 0)
        {
          STATS_LOCK (conn);
          conn->driver->stats.exceptions++;
          STATS_UNLOCK (conn);
          g_debug ("device %s: %s", conn->device_id, dc_modbus_exception_name (exception));
        }
      else
        g_debug ("device %s: bad response: %s", conn->device_id, error);
      dc_modbus_config_mark (conn->request_config, conn->request, DC_QUALITY_INVALID, now,
                             conn->batch);
    }
}

static void
conn_pump (Conn *conn)
{
  if (!conn->connected || conn->busy || conn->stopped)
    return;

  while (!g_queue_is_empty (&conn->ops))
    {
      Op *op = g_queue_pop_head (&conn->ops);

      if (g_cancellable_is_cancelled (g_task_get_cancellable (op->base.task)))
        {
          _dc_modbus_tcp_op_return_error (op, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                                   "operation cancelled"));
          continue;
        }
      op_send_step (conn, op);
      return;
    }

  if (!conn->cycle_active)
    return;

  if (conn->cycle_next < conn->cycle_config->plan->requests->len)
    {
      const DcModbusRequest *req = &g_array_index (conn->cycle_config->plan->requests,
                                                   DcModbusRequest, conn->cycle_next);

      conn->op = NULL;
      conn->request = conn->cycle_next++;
      g_clear_pointer (&conn->request_config, dc_modbus_config_unref);
      conn->request_config = dc_modbus_config_ref (conn->cycle_config);
      conn->pdu_len = dc_modbus_pdu_read (conn->pdu, dc_modbus_table_read_function (req->table),
                                          req->address, req->count);
      conn_send (conn, req->unit);
      return;
    }

  cycle_finish (conn);
}

static void
poll_tick (gpointer user_data)
{
  Conn *conn = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 due = conn->next_due;
  gint64 missed = (now - due) / conn->poll_us;
  gint64 lateness;

  if (!conn->connected)
    {
      /* Polling resumes when the connection is back (conn_connected re-arms). */
      poll_timer_set (conn, -1);
      return;
    }

  /* Periods that passed entirely without a poll count as late polls. */
  conn->next_due = due + (missed + 1) * conn->poll_us;
  poll_timer_set (conn, conn->next_due);
  due += missed * conn->poll_us;
  lateness = now - due;

  STATS_LOCK (conn);
  conn->driver->stats.late_polls += missed;
  if (conn->cycle_active)
    conn->driver->stats.late_polls++;
  STATS_UNLOCK (conn);
  if (conn->cycle_active)
    return;

  if (dc_sample_sink_is_congested (dc_driver_get_sink (DC_DRIVER (conn->driver))))
    {
      STATS_LOCK (conn);
      conn->driver->stats.congested_polls++;
      STATS_UNLOCK (conn);
      return;
    }

  STATS_LOCK (conn);
  conn->driver->stats.polls++;
  conn->driver->stats.sum_lateness_us += lateness;
  conn->driver->stats.max_lateness_us = MAX (conn->driver->stats.max_lateness_us, lateness);
  STATS_UNLOCK (conn);

  conn->cycle_active = TRUE;
  conn->cycle_next = 0;
  g_clear_pointer (&conn->cycle_config, dc_modbus_config_unref);
  conn->cycle_config = dc_modbus_config_ref (conn->config);
  g_clear_pointer (&conn->batch, g_array_unref);
  conn->batch = g_array_sized_new (FALSE, FALSE, sizeof (DcSample),
                                   conn->cycle_config->points->len);
  conn_pump (conn);
}

/* Receiving */

static void
conn_input (Conn *conn)
{
  gsize pos = 0;
  gssize n;

  do
    n = recv (conn->fd, conn->rx + conn->rx_len, RX_BUF_SIZE - conn->rx_len, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    return;
  if (n <= 0)
    {
      g_autofree char *reason = n == 0 ? g_strdup ("connection closed by the device")
                                       : g_strdup_printf ("Error receiving data: %s", g_strerror (errno));

      conn_fail (conn, reason, FALSE);
      return;
    }
  conn->rx_len += n;

  /* conn_fail() from inside clears the buffer; guard the loop with conn->socket. */
  _dc_modbus_tcp_conn_ref (conn);
  while (conn->socket != NULL && conn->rx_len - pos >= DC_MODBUS_MBAP_HEADER + 1)
    {
      const guint8 *frame = conn->rx + pos;
      gsize flen = dc_modbus_mbap_frame_length (frame);
      guint16 tid;

      if (flen == 0)
        {
          conn_record (conn, TRUE, frame, conn->rx_len - pos);
          conn_fail (conn, "invalid MBAP header from the device", FALSE);
          break;
        }
      if (conn->rx_len - pos < flen)
        break;
      pos += flen;
      conn_record (conn, TRUE, frame, flen);
      tid = (frame[0] << 8) | frame[1];
      if (!conn->busy || tid != conn->tid || frame[6] != conn->unit)
        continue; /* a late answer to a request given up on */

      conn->busy = FALSE;
      conn->deadline = 0;
      dc_io_timer_cancel (conn->loop, &conn->timeout_timer);
      if (!conn->answered)
        {
          /* The first answer on this connection, whatever it says (an exception is an answer
           * too): the device is up (docs/modbus.md "Link state"). */
          conn->answered = TRUE;
          conn->backoff_us = BACKOFF_MIN_US;
          dc_driver_set_link_state (DC_DRIVER (conn->driver), DC_LINK_UP, NULL);
        }
      STATS_LOCK (conn);
      dc_modbus_stats_add_response (&conn->driver->stats,
                                    g_get_monotonic_time () - conn->sent_at);
      STATS_UNLOCK (conn);
      if (conn->op != NULL)
        op_handle_response (conn, g_steal_pointer (&conn->op), frame + 7, flen - 7);
      else
        poll_handle_response (conn, frame + 7, flen - 7);
    }
  if (conn->socket != NULL)
    {
      if (pos > 0)
        {
          memmove (conn->rx, conn->rx + pos, conn->rx_len - pos);
          conn->rx_len -= pos;
        }
      conn_pump (conn);
    }
  _dc_modbus_tcp_conn_unref (conn);
}

/* Connecting */

static void
conn_close (Conn *conn)
{
  g_clear_pointer (&conn->watch, dc_io_watch_remove);
  dc_io_timer_cancel (conn->loop, &conn->connect_timer);
  dc_io_timer_cancel (conn->loop, &conn->timeout_timer);
  conn->deadline = 0;
  if (conn->socket != NULL)
    {
      g_socket_close (conn->socket, NULL);
      g_clear_object (&conn->socket);
    }
  conn->fd = -1;
  poll_timer_set (conn, -1);
  conn->connected = FALSE;
  conn->answered = FALSE;
  conn->busy = FALSE;
  conn->rx_len = 0;
}

static void
conn_fail_ops (Conn   *conn,
               GError *error)
{
  Op *op;

  while ((op = g_queue_pop_head (&conn->ops)) != NULL)
    _dc_modbus_tcp_op_return_error (op, g_error_copy (error));
}

static void
reconnect_cb (gpointer user_data)
{
  Conn *conn = user_data;

  dc_driver_count_reconnect (DC_DRIVER (conn->driver));
  conn_connect (conn);
}

static void
conn_fail (Conn       *conn,
           const char *reason,
           gboolean    timeout)
{
  g_autoptr(GError) offline = dc_driver_error_offline (conn->device_id);
  Op *op = g_steal_pointer (&conn->op);

  g_debug ("device %s: %s", conn->device_id, reason);
  conn_close (conn);

  /* Samples already received in this cycle go out before the link-down. */
  cycle_finish (conn);

  if (op != NULL)
    _dc_modbus_tcp_op_return_error (op, timeout ? dc_driver_error_timeout (conn->device_id, conn->timeout_us)
                                                : g_error_copy (offline));
  conn_fail_ops (conn, offline);

  dc_driver_set_link_state (DC_DRIVER (conn->driver), DC_LINK_DOWN, reason);

  dc_io_timer_set (conn->loop, &conn->reconnect_timer, g_get_monotonic_time () + conn->backoff_us);
  conn->backoff_us = MIN (conn->backoff_us * 2, BACKOFF_MAX_US);
}

static void
conn_io_cb (int      fd,
            guint32  events,
            gpointer user_data);

static void
conn_connected (Conn *conn)
{
  g_socket_set_option (conn->socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  conn->connected = TRUE;
  conn->ever_connected = TRUE;
  if (conn->watch == NULL)
    conn->watch = dc_io_watch_add (conn->loop, conn->fd, EPOLLIN, conn_io_cb, conn);
  else
    dc_io_watch_set_events (conn->watch, EPOLLIN);
  /* A TCP connection is not an answer: a gateway, a proxy or a frozen device accept
   * connections and answer nothing. The link stays "connecting" until the first answer
   * (conn_input), and the back-off only resets then, so that a peer that accepts and never
   * answers is retried less and less often instead of every second. */

  /* Poll right away, then every poll_ms. */
  conn->next_due = g_get_monotonic_time ();
  poll_timer_set (conn, conn->next_due);
  conn_pump (conn);
}

static void
connect_ready (Conn *conn)
{
  g_autoptr(GError) error = NULL;

  dc_io_timer_cancel (conn->loop, &conn->connect_timer);
  if (!g_socket_check_connect_result (conn->socket, &error))
    {
      conn_fail (conn, error->message, FALSE);
      return;
    }
  conn_connected (conn);
}

/* The socket's one watch: writable while connecting, readable (or failed) once connected. */
static void
conn_io_cb (int      fd,
            guint32  events,
            gpointer user_data)
{
  Conn *conn = user_data;

  if (conn->connected)
    conn_input (conn);
  else
    connect_ready (conn);
}

static void
connect_timeout_cb (gpointer user_data)
{
  Conn *conn = user_data;

  conn_fail (conn, "connection timed out", FALSE);
}

static void
conn_connect_address (Conn         *conn,
                      GInetAddress *inet)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (inet, conn->port);

  conn->socket = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                               G_SOCKET_PROTOCOL_TCP, &error);
  if (conn->socket == NULL)
    {
      conn_fail (conn, error->message, FALSE);
      return;
    }
  conn->fd = g_socket_get_fd (conn->socket);
  g_socket_set_blocking (conn->socket, FALSE);
  if (g_socket_connect (conn->socket, address, NULL, &error))
    {
      conn_connected (conn);
      return;
    }
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING))
    {
      conn_fail (conn, error->message, FALSE);
      return;
    }
  conn->watch = dc_io_watch_add (conn->loop, conn->fd, EPOLLOUT, conn_io_cb, conn);
  dc_io_timer_set (conn->loop, &conn->connect_timer,
                   g_get_monotonic_time () + MAX (conn->timeout_us, 1000));
}

static void
resolve_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Conn *conn = user_data;
  g_autoptr(GError) error = NULL;
  GList *addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      _dc_modbus_tcp_conn_unref (conn);
      return;
    }
  if (!conn->stopped)
    {
      if (addresses == NULL)
        conn_fail (conn, error->message, FALSE);
      else
        conn_connect_address (conn, addresses->data);
    }
  g_resolver_free_addresses (addresses);
  _dc_modbus_tcp_conn_unref (conn);
}

static void
conn_connect (Conn *conn)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (conn->host);

  dc_driver_set_link_state (DC_DRIVER (conn->driver), DC_LINK_CONNECTING, NULL);
  if (inet != NULL)
    {
      conn_connect_address (conn, inet);
      return;
    }

  /* A host name: resolve without blocking the I/O thread. */
  {
    g_autoptr(GResolver) resolver = g_resolver_get_default ();

    g_resolver_lookup_by_name_async (resolver, conn->host, conn->cancellable, resolve_cb,
                                     _dc_modbus_tcp_conn_ref (conn));
  }
}

/* I/O thread entry points */

/* The connection's timers (main thread, before the start is invoked). */
void
_dc_modbus_tcp_conn_init (Conn *conn)
{
  conn->fd = -1;
  dc_io_timer_init (&conn->timeout_timer, timeout_cb, conn);
  dc_io_timer_init (&conn->poll_timer, poll_tick, conn);
  dc_io_timer_init (&conn->connect_timer, connect_timeout_cb, conn);
  dc_io_timer_init (&conn->reconnect_timer, reconnect_cb, conn);
}

gboolean
_dc_modbus_tcp_conn_start_cb (gpointer user_data)
{
  Conn *conn = user_data;

  conn_connect (conn);
  return G_SOURCE_REMOVE;
}

gboolean
_dc_modbus_tcp_conn_stop_cb (gpointer user_data)
{
  Conn *conn = user_data;
  g_autoptr(GError) error = NULL;

  conn->stopped = TRUE;
  g_cancellable_cancel (conn->cancellable);
  conn_close (conn);
  dc_io_timer_cancel (conn->loop, &conn->reconnect_timer);
  g_clear_pointer (&conn->batch, g_array_unref);
  conn->cycle_active = FALSE;

  error = g_error_new (DC_ERROR, DC_ERROR_OFFLINE, "device %s is offline", conn->device_id);
  if (conn->op != NULL)
    _dc_modbus_tcp_op_return_error (g_steal_pointer (&conn->op), g_error_copy (error));
  conn_fail_ops (conn, error);
  return G_SOURCE_REMOVE;
}


gboolean
_dc_modbus_tcp_conn_swap_config_cb (gpointer user_data)
{
  SwapConfig *swap = user_data;

  g_clear_pointer (&swap->conn->config, dc_modbus_config_unref);
  swap->conn->config = g_steal_pointer (&swap->config);
  /* A cycle in progress finishes with the plan it started with. */
  return G_SOURCE_REMOVE;
}

gboolean
_dc_modbus_tcp_conn_submit_cb (gpointer user_data)
{
  Op *op = user_data;
  Conn *conn = op->conn;

  if (conn->stopped || !conn->connected)
    {
      _dc_modbus_tcp_op_return_error (op, dc_driver_error_offline (conn->device_id));
      return G_SOURCE_REMOVE;
    }
  g_queue_push_tail (&conn->ops, op);
  conn_pump (conn);
  return G_SOURCE_REMOVE;
}
