/* dc-iec104-link.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The IEC 104 master's link on the I/O thread (docs/iec104.md): requests' progress and results,
 * sending within the k window, receiving and acknowledging within w, connection with backup,
 * the t0–t3 timers, start and stop.
 */

#define G_LOG_DOMAIN "dc-iec104-driver"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "dc-error.h"
#include "dc-iec104-driver-private.h"
#include "dc-iec104-io-private.h"

static void link_close (Link       *link,
                        const char *error_text);

Link *
_dc_iec104_link_ref (Link *link)
{
  return g_atomic_rc_box_acquire (link);
}

static void
link_clear (Link *link)
{
  g_free (link->device_id);
  g_free (link->host[0]);
  g_free (link->host[1]);
  g_clear_pointer (&link->tz, g_time_zone_unref);
  g_clear_pointer (&link->points, g_hash_table_unref);
  g_clear_pointer (&link->cas, g_array_unref);
  g_clear_pointer (&link->loop, dc_io_loop_unref);
  g_clear_pointer (&link->context, g_main_context_unref);
  g_clear_pointer (&link->sent_times, g_array_unref);
  g_clear_pointer (&link->batch, g_array_unref);
  g_clear_pointer (&link->objects, g_array_unref);
  g_clear_pointer (&link->out, g_byte_array_unref);
  g_clear_pointer (&link->inbuf, g_free);
  g_queue_clear_full (&link->tx_queue, (GDestroyNotify) g_bytes_unref);
}

void
_dc_iec104_link_unref (Link *link)
{
  g_atomic_rc_box_release_full (link, (GDestroyNotify) link_clear);
}

/* Progress and results go to the caller's main context. */

typedef struct
{
  DcCtrlProgressFunc  func;
  gpointer            data;
  DcCtrlStep          step;
  char               *detail;
} Progress;

static gboolean
progress_cb (gpointer data)
{
  Progress *p = data;

  p->func (p->step, p->detail, p->data);
  return G_SOURCE_REMOVE;
}

static void
progress_free (gpointer data)
{
  Progress *p = data;

  g_free (p->detail);
  g_free (p);
}

void
_dc_iec104_request_progress (Request    *req,
                             DcCtrlStep  step,
                             const char *detail)
{
  Progress *p;

  if (req->progress == NULL)
    return;
  p = g_new0 (Progress, 1);
  p->func = req->progress;
  p->data = req->progress_data;
  p->step = step;
  p->detail = g_strdup (detail);
  g_main_context_invoke_full (req->main_context, G_PRIORITY_DEFAULT, progress_cb, p, progress_free);
}

void
_dc_iec104_request_free (Request *req)
{
  g_clear_object (&req->task);
  g_clear_pointer (&req->main_context, g_main_context_unref);
  g_clear_pointer (&req->link, _dc_iec104_link_unref);
  g_free (req);
}

void
_dc_iec104_request_remove (Request *req)
{
  req->link->requests = g_list_remove (req->link->requests, req);
  _dc_iec104_request_free (req);
}

void
_dc_iec104_request_fail (Request *req,
                         GError  *error)
{
  if (req->kind == REQ_CTRL)
    _dc_iec104_request_progress (req, DC_CTRL_STEP_FAILED, error->message);
  g_task_return_error (req->task, error);
  _dc_iec104_request_remove (req);
}

static void
fail_all_requests (Link *link)
{
  while (link->requests)
    _dc_iec104_request_fail (link->requests->data, dc_driver_error_offline (link->device_id));
}

/* Sending */

void
_dc_iec104_traffic (Link         *link,
                    gboolean      incoming,
                    const guint8 *bytes,
                    gsize         len)
{
  DcDriver *driver = DC_DRIVER (link->driver);

  dc_traffic_append (dc_driver_get_traffic (driver), incoming, bytes, len);
  dc_driver_count_frame (driver, incoming, len);
}

static void
link_write (Link         *link,
            const guint8 *frame,
            gsize         len)
{
  _dc_iec104_traffic (link, FALSE, frame, len);
  g_byte_array_append (link->out, frame, len);
}

static void
send_s (Link *link)
{
  guint8 s[6];

  STAT_MAX (link->driver->stats.w_max_used, link->unacked_rx);
  link_write (link, s, dc_iec104_build_s (s, link->vr));
  link->unacked_rx = 0;
}

static void
send_u (Link              *link,
        DcIec104UFunction  function)
{
  guint8 u[6];

  link_write (link, u, dc_iec104_build_u (u, function));
}

static guint
outstanding (Link *link)
{
  return (link->vs - link->ack) & 0x7fff;
}

static void
send_i (Link         *link,
        const guint8 *asdu,
        gsize         len)
{
  guint8 frame[DC_IEC104_MAX_FRAME];
  gsize n = dc_iec104_build_i (frame, link->vs, link->vr, asdu, len);
  gint64 now = g_get_monotonic_time ();

  STAT_MAX (link->driver->stats.w_max_used, link->unacked_rx);
  link->vs = (link->vs + 1) & 0x7fff;
  link->unacked_rx = 0;
  g_array_append_val (link->sent_times, now);
  STAT_MAX (link->driver->stats.k_max_used, outstanding (link));
  link_write (link, frame, n);
}

/* Queues an ASDU; it goes out when the k window allows. */
static void
queue_asdu (Link         *link,
            const guint8 *asdu,
            gsize         len)
{
  g_queue_push_tail (&link->tx_queue, g_bytes_new (asdu, len));
}

gboolean
_dc_iec104_build_and_queue (Link           *link,
                            guint8          type,
                            guint8          cause,
                            guint16         ca,
                            DcIec104Object *o,
                            GError        **error)
{
  DcIec104Asdu h = { .type = type, .cause = cause, .ca = ca };
  guint8 buf[DC_IEC104_MAX_ASDU];
  gsize len = dc_iec104_build_asdu (buf, sizeof buf, &h, o, 1, error);

  if (len == 0)
    return FALSE;
  queue_asdu (link, buf, len);
  return TRUE;
}

static void
send_interrogation (Link    *link,
                    guint8   type,
                    guint8   qualifier)
{
  for (guint i = 0; i < link->cas->len; i++)
    {
      DcIec104Object o = { .ioa = 0, .value = qualifier };
      guint16 ca = g_array_index (link->cas, guint16, i);

      _dc_iec104_build_and_queue (link, type, DC_IEC104_COT_ACT, ca, &o, NULL);
    }
  if (type == DC_IEC104_C_IC_NA_1)
    STAT_ADD (link->driver->stats.gi_sent, link->cas->len);
  else
    STAT_ADD (link->driver->stats.ci_sent, link->cas->len);
}

void
_dc_iec104_send_gi (Link *link)
{
  send_interrogation (link, DC_IEC104_C_IC_NA_1, 20);
  link->next_gi = link->gi_period > 0 ? g_get_monotonic_time () + link->gi_period : 0;
}

static void
send_ci (Link *link)
{
  /* QCC: RQT 5 (general counter request), FRZ 0 (read). */
  send_interrogation (link, DC_IEC104_C_CI_NA_1, 5);
  link->next_ci = link->ci_period > 0 ? g_get_monotonic_time () + link->ci_period : 0;
}

static void
send_clock_sync (Link *link)
{
  for (guint i = 0; i < link->cas->len; i++)
    {
      DcIec104Object o = { .ioa = 0 };

      dc_iec104_time_from_us (&o.time, g_get_real_time (), link->tz);
      _dc_iec104_build_and_queue (link, DC_IEC104_C_CS_NA_1, DC_IEC104_COT_ACT,
                                  g_array_index (link->cas, guint16, i), &o, NULL);
    }
  STAT_ADD (link->driver->stats.clock_syncs, 1);
}

void
_dc_iec104_link_flush (Link *link)
{
  g_autoptr(GError) error = NULL;

  if (link->socket == NULL)
    return;

  while (link->up && !g_queue_is_empty (&link->tx_queue) && outstanding (link) < link->k)
    {
      g_autoptr(GBytes) asdu = g_queue_pop_head (&link->tx_queue);
      gsize len;
      const guint8 *data = g_bytes_get_data (asdu, &len);

      send_i (link, data, len);
    }

  if (!dc_iec104_send_out (link->socket, link->out, &error))
    {
      link_close (link, error->message);
      return;
    }
  /* Writable is watched exactly while bytes wait. */
  dc_io_watch_set_events (link->watch, link->out->len > 0 ? EPOLLIN | EPOLLOUT : EPOLLIN);
}

/* Samples to the engine */

static void
push_batch (Link *link)
{
  DcDriver *driver = DC_DRIVER (link->driver);
  GArray *batch;

  if (link->batch->len == 0)
    return;
  batch = link->batch;
  link->batch = g_array_sized_new (FALSE, FALSE, sizeof (DcSample), 256);
  STAT_ADD (link->driver->stats.samples, batch->len);
  dc_sample_sink_push_batch (dc_driver_get_sink (driver), batch);
}

static gboolean
sink_congested (Link *link)
{
  DcSampleSink *sink = dc_driver_get_sink (DC_DRIVER (link->driver));

  return sink != NULL && dc_sample_sink_is_congested (sink);
}

/* Receiving */

static void
acknowledge (Link *link,
             guint16 nr)
{
  guint acked = (nr - link->ack) & 0x7fff;

  if (acked > link->sent_times->len)
    acked = link->sent_times->len;
  if (acked > 0)
    g_array_remove_range (link->sent_times, 0, acked);
  link->ack = nr;
}

static gboolean
handle_frame (Link         *link,
              const guint8 *frame,
              gsize         len,
              gint64        now_real)
{
  g_autoptr(GError) error = NULL;
  DcIec104Apci apci;

  _dc_iec104_traffic (link, TRUE, frame, len);
  if (!dc_iec104_parse_apci (frame, len, &apci, &error))
    {
      link_close (link, error->message);
      return FALSE;
    }

  switch (apci.kind)
    {
    case DC_IEC104_FRAME_U:
      switch (apci.u)
        {
        case DC_IEC104_U_STARTDT_CON:
          if (link->startdt_sent != 0)
            {
              DcIec104Driver *driver = link->driver;

              link->startdt_sent = 0;
              link->up = TRUE;
              link->backoff = BACKOFF_MIN_US;
              STAT_SET (driver->stats.connected, 1);
              STAT_SET (driver->stats.using_backup, link->target);
              dc_driver_set_link_state (DC_DRIVER (driver), DC_LINK_UP, NULL);
              _dc_iec104_send_gi (link);
              if (link->clock_sync)
                send_clock_sync (link);
              if (link->ci_period > 0)
                send_ci (link);
            }
          break;
        case DC_IEC104_U_TESTFR_ACT:
          send_u (link, DC_IEC104_U_TESTFR_CON);
          break;
        case DC_IEC104_U_TESTFR_CON:
          link->testfr_sent = 0;
          break;
        case DC_IEC104_U_STOPDT_ACT:
          send_u (link, DC_IEC104_U_STOPDT_CON);
          _dc_iec104_link_flush (link);
          link_close (link, "the outstation sent STOPDT");
          return FALSE;
        default:
          break;
        }
      return TRUE;

    case DC_IEC104_FRAME_S:
    case DC_IEC104_FRAME_I:
    default:
      if (((link->vs - apci.nr) & 0x7fff) > outstanding (link))
        {
          g_autofree char *text = g_strdup_printf ("sequence error: N(R)=%u acknowledges frames "
                                                   "not sent (N(S)=%u)", apci.nr, link->vs);
          link_close (link, text);
          return FALSE;
        }
      acknowledge (link, apci.nr);
      if (apci.kind == DC_IEC104_FRAME_S)
        return TRUE;
      break;
    }

  if (apci.ns != link->vr)
    {
      g_autofree char *text = g_strdup_printf ("sequence error: N(S)=%u, expected %u",
                                               apci.ns, link->vr);
      link_close (link, text);
      return FALSE;
    }
  link->vr = (link->vr + 1) & 0x7fff;
  if (link->unacked_rx++ == 0)
    link->rx_since = g_get_monotonic_time ();
  link->handle_asdu (link, apci.asdu, apci.asdu_len, now_real);
  return TRUE;
}

static void
maybe_acknowledge (Link   *link,
                   gint64  now)
{
  if (link->unacked_rx == 0 || link->socket == NULL)
    return;
  if (now - link->rx_since >= link->t2)
    send_s (link);
  else if (link->unacked_rx >= link->w)
    {
      if (sink_congested (link))
        STAT_ADD (link->driver->stats.acks_held, 1);
      else
        send_s (link);
    }
}

static void
link_input (Link *link)
{
  gint64 now_real = g_get_real_time ();
  gsize off = 0;
  gssize n;

  do
    n = recv (g_socket_get_fd (link->socket), link->inbuf + link->inlen,
              INBUF_SIZE - link->inlen, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    return;
  if (n <= 0)
    {
      g_autofree char *reason = n < 0 ? g_strdup_printf ("Error receiving data: %s", g_strerror (errno))
                                      : g_strdup ("the outstation closed the connection");

      push_batch (link);
      link_close (link, reason);
      return;
    }
  link->inlen += n;
  link->last_rx = g_get_monotonic_time ();

  while (link->socket != NULL)
    {
      g_autoptr(GError) frame_error = NULL;
      gssize flen = dc_iec104_frame_length (link->inbuf + off, link->inlen - off, &frame_error);

      if (flen == 0)
        break;
      if (flen < 0)
        {
          push_batch (link);
          link_close (link, frame_error->message);
          return;
        }
      if (!handle_frame (link, link->inbuf + off, flen, now_real))
        {
          push_batch (link);
          return;
        }
      off += flen;
      /* Acknowledge inside a long read too, as soon as w frames are in. */
      if (link->unacked_rx >= link->w)
        {
          push_batch (link);
          maybe_acknowledge (link, link->last_rx);
        }
    }
  if (link->socket == NULL)
    return;

  memmove (link->inbuf, link->inbuf + off, link->inlen - off);
  link->inlen -= off;

  push_batch (link);
  maybe_acknowledge (link, link->last_rx);
  _dc_iec104_link_flush (link);
  if (link->socket != NULL)
    _dc_iec104_link_rearm (link);
}

/* The socket's one watch: output resumes when writable, input is read when readable (or on
 * an error or hang-up, which the read reports). */
static void
link_io_cb (int      fd,
            guint32  events,
            gpointer user_data)
{
  Link *link = user_data;

  if (events & EPOLLOUT)
    {
      _dc_iec104_link_flush (link);
      if (link->socket == NULL)
        return;
    }
  if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
    link_input (link);
}

/* Connection */

static void
link_disconnect (Link *link)
{
  if (link->connect_cancel)
    {
      g_cancellable_cancel (link->connect_cancel);
      g_clear_object (&link->connect_cancel);
    }
  g_clear_pointer (&link->watch, dc_io_watch_remove);
  if (link->connection)
    g_io_stream_close (G_IO_STREAM (link->connection), NULL, NULL);
  g_clear_object (&link->connection);
  link->socket = NULL;
  link->connecting = FALSE;
  link->up = FALSE;
  link->inlen = 0;
  g_byte_array_set_size (link->out, 0);
  g_array_set_size (link->sent_times, 0);
  g_queue_clear_full (&link->tx_queue, (GDestroyNotify) g_bytes_unref);
  g_queue_init (&link->tx_queue);
  link->vs = link->vr = link->ack = 0;
  link->unacked_rx = 0;
  link->startdt_sent = link->testfr_sent = 0;
}

static void
link_close (Link       *link,
            const char *error_text)
{
  gint64 now = g_get_monotonic_time ();

  g_debug ("%s: closing: %s", link->device_id, error_text);
  link_disconnect (link);
  fail_all_requests (link);
  STAT_SET (link->driver->stats.connected, 0);
  dc_driver_set_link_state (DC_DRIVER (link->driver), DC_LINK_DOWN, error_text);
  dc_driver_count_reconnect (DC_DRIVER (link->driver));

  /* Alternate to the backup address; back off after each full round. */
  if (link->host[1] != NULL)
    link->target = !link->target;
  if (link->host[1] == NULL || link->target == 0)
    {
      link->reconnect_at = now + link->backoff;
      link->backoff = MIN (link->backoff * 2, BACKOFF_MAX_US);
    }
  else
    link->reconnect_at = now + BACKOFF_MIN_US / 10;
  _dc_iec104_link_rearm (link);
}

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Link *link = user_data;
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;

  connection = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, &error);
  if (link->stopped || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      gboolean timed_out = !link->stopped && link->connect_deadline == -1;

      g_clear_object (&connection);
      if (timed_out)
        {
          link->connecting = FALSE;
          link_close (link, "connection timed out (t0)");
        }
      _dc_iec104_link_unref (link);
      return;
    }
  g_clear_object (&link->connect_cancel);
  link->connecting = FALSE;
  link->connect_deadline = 0;
  if (connection == NULL)
    {
      link_close (link, error->message);
      _dc_iec104_link_unref (link);
      return;
    }

  link->connection = connection;
  link->socket = g_socket_connection_get_socket (connection);
  g_socket_set_blocking (link->socket, FALSE);
  g_socket_set_option (link->socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  link->watch = dc_io_watch_add (link->loop, g_socket_get_fd (link->socket), EPOLLIN,
                                 link_io_cb, link);

  link->last_rx = g_get_monotonic_time ();
  link->startdt_sent = link->last_rx;
  send_u (link, DC_IEC104_U_STARTDT_ACT);
  _dc_iec104_link_flush (link);
  _dc_iec104_link_rearm (link);
  _dc_iec104_link_unref (link);
}

static void
link_connect (Link *link)
{
  guint t = link->target;

  link->reconnect_at = 0;
  link->connecting = TRUE;
  link->connect_deadline = g_get_monotonic_time () + link->t0;
  link->connect_cancel = g_cancellable_new ();
  dc_driver_set_link_state (DC_DRIVER (link->driver), DC_LINK_CONNECTING, NULL);

  g_main_context_push_thread_default (link->context);
  g_socket_client_connect_to_host_async (link->client, link->host[t], link->port[t],
                                         link->connect_cancel, connected_cb, _dc_iec104_link_ref (link));
  g_main_context_pop_thread_default (link->context);
  _dc_iec104_link_rearm (link);
}

/* Timers: one loop timer per link, re-armed to the earliest deadline. */

static void
consider (gint64 *earliest,
          gint64  when)
{
  if (when > 0 && (*earliest < 0 || when < *earliest))
    *earliest = when;
}

void
_dc_iec104_link_rearm (Link *link)
{
  gint64 t = -1;

  if (!link->timer_live)
    return;
  for (GList *l = link->requests; l; l = l->next)
    consider (&t, ((Request *) l->data)->deadline);
  if (link->connecting)
    consider (&t, link->connect_deadline);
  else if (link->socket == NULL)
    consider (&t, link->reconnect_at);
  else
    {
      if (link->startdt_sent)
        consider (&t, link->startdt_sent + link->t1);
      if (link->testfr_sent)
        consider (&t, link->testfr_sent + link->t1);
      else
        consider (&t, link->last_rx + link->t3);
      if (link->sent_times->len > 0)
        consider (&t, g_array_index (link->sent_times, gint64, 0) + link->t1);
      if (link->unacked_rx > 0)
        {
          consider (&t, link->rx_since + link->t2);
          if (link->unacked_rx >= link->w)
            consider (&t, g_get_monotonic_time () + CONGESTION_POLL_US);
        }
      if (link->up)
        {
          consider (&t, link->next_gi);
          consider (&t, link->next_ci);
        }
    }
  if (t < 0)
    dc_io_timer_cancel (link->loop, &link->timer);
  else if (!dc_io_timer_is_armed (&link->timer) || link->timer.due != t)
    dc_io_timer_set (link->loop, &link->timer, t);
}

static void
timer_cb (gpointer user_data)
{
  Link *link = user_data;
  gint64 now = g_get_monotonic_time ();

  for (GList *l = link->requests; l; )
    {
      Request *req = l->data;

      l = l->next;
      if (req->deadline > 0 && now >= req->deadline)
        _dc_iec104_request_fail (req, dc_driver_error_timeout (link->device_id, req->timeout_us));
    }

  if (link->connecting)
    {
      if (now >= link->connect_deadline && link->connect_cancel)
        {
          link->connect_deadline = -1;  /* tells connected_cb that t0 cancelled */
          g_cancellable_cancel (link->connect_cancel);
        }
    }
  else if (link->socket == NULL)
    {
      if (link->reconnect_at > 0 && now >= link->reconnect_at)
        link_connect (link);
    }
  else
    {
      gboolean t1 = (link->startdt_sent && now >= link->startdt_sent + link->t1) ||
                    (link->testfr_sent && now >= link->testfr_sent + link->t1) ||
                    (link->sent_times->len > 0 &&
                     now >= g_array_index (link->sent_times, gint64, 0) + link->t1);

      if (t1)
        {
          STAT_ADD (link->driver->stats.t1_timeouts, 1);
          link_close (link, "no acknowledgement within t1");
          return;
        }
      maybe_acknowledge (link, now);
      if (!link->testfr_sent && now >= link->last_rx + link->t3)
        {
          link->testfr_sent = now;
          send_u (link, DC_IEC104_U_TESTFR_ACT);
        }
      if (link->up && link->next_gi > 0 && now >= link->next_gi)
        _dc_iec104_send_gi (link);
      if (link->up && link->next_ci > 0 && now >= link->next_ci)
        send_ci (link);
      _dc_iec104_link_flush (link);
    }
  _dc_iec104_link_rearm (link);
}

/* Start/stop on the I/O thread */

gboolean
_dc_iec104_link_start_cb (gpointer data)
{
  Link *link = data;

  if (link->stopped)
    return G_SOURCE_REMOVE;
  link->client = g_socket_client_new ();
  g_socket_client_set_enable_proxy (link->client, FALSE);
  dc_io_timer_init (&link->timer, timer_cb, link);
  link->timer_live = TRUE;
  link_connect (link);
  return G_SOURCE_REMOVE;
}

gboolean
_dc_iec104_link_stop_cb (gpointer data)
{
  Link *link = data;

  link->stopped = TRUE;
  link_disconnect (link);
  fail_all_requests (link);
  if (link->timer_live)
    {
      dc_io_timer_cancel (link->loop, &link->timer);
      link->timer_live = FALSE;
    }
  g_clear_object (&link->client);
  push_batch (link);  /* never drop what was received */
  return G_SOURCE_REMOVE;
}
