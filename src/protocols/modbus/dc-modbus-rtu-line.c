/* dc-modbus-rtu-line.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The Modbus RTU driver's serial line on its worker thread (docs/modbus.md "RTU driver"): one
 * request at a time through libmodbus, what waits on the line dropped before each request and
 * after each failed exchange, each unit's comm state (down after a timeout or three unusable
 * answers in a row, retried after its back-off), the device up when a unit answers and down
 * when none does, the poll cycle, and opening the line again when it fails.
 */

#define G_LOG_DOMAIN "dc-modbus-rtu"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "dc-error.h"
#include "dc-modbus-rtu-driver-private.h"

void
_dc_modbus_rtu_worker_unref (Worker *w)
{
  Op *op;

  if (!g_atomic_ref_count_dec (&w->ref))
    return;
  while ((op = g_queue_pop_head (&w->ops)) != NULL)
    dc_modbus_op_return_error (op, dc_driver_error_offline (w->device_id));
  g_clear_pointer (&w->config, dc_modbus_config_unref);
  g_free (w->line_error);
  g_mutex_clear (&w->lock);
  g_cond_clear (&w->cond);
  g_free (w->device_id);
  g_free (w->serial);
  g_free (w);
}

/* Waits until @until (monotonic) or a signal; returns TRUE when stopping. Called with the lock
 * held. */
static gboolean
worker_wait_locked (Worker *w,
                    gint64  until)
{
  while (!w->stop && g_queue_is_empty (&w->ops) && g_get_monotonic_time () < until)
    g_cond_wait_until (&w->cond, &w->lock, until);
  return w->stop;
}

static void
worker_record (Worker       *w,
               gboolean      incoming,
               const guint8 *bytes,
               gsize         len)
{
  DcDriver *driver = DC_DRIVER (w->driver);

  dc_traffic_append (dc_driver_get_traffic (driver), incoming, bytes, len);
  dc_driver_count_frame (driver, incoming, len);
}

typedef enum
{
  TX_OK,
  TX_EXCEPTION,
  TX_TIMEOUT,
  TX_BAD,       /* an unusable answer: CRC error, another unit, too short */
  TX_LINE,      /* the serial line itself failed (unplugged adapter): reopen it */
} TxResult;

/* After a failed exchange: drops what arrives until the line has been quiet for DRAIN_QUIET_US
 * (at most DRAIN_MAX_US). RTU answers carry no transaction id, so the rest of a garbled answer,
 * or an answer that comes after its timeout, would otherwise be read as the answer to the next
 * request: a value of another register stored as good (seen with noise on the line). */
#define DRAIN_QUIET_US (20 * 1000)
#define DRAIN_MAX_US   (250 * 1000)

static void
worker_drain (Worker *w)
{
  int fd = modbus_get_socket (w->ctx);
  gint64 end = g_get_monotonic_time () + DRAIN_MAX_US;
  guint8 junk[256];

  modbus_flush (w->ctx);
  while (fd >= 0 && g_get_monotonic_time () < end)
    {
      struct pollfd pfd = { fd, POLLIN, 0 };

      if (poll (&pfd, 1, DRAIN_QUIET_US / 1000) <= 0 || read (fd, junk, sizeof junk) <= 0)
        break;
    }
}

/* One request/response on the line. */
static TxResult
worker_transact (Worker        *w,
                 guint8         unit,
                 const guint8  *pdu,
                 gsize          pdu_len,
                 guint8        *exception,
                 char         **error)
{
  guint8 raw[DC_MODBUS_MAX_ADU];
  guint8 rsp[MODBUS_RTU_MAX_ADU_LENGTH];
  gint64 start;
  guint16 crc;
  int n;

  *exception = 0;
  raw[0] = unit;
  memcpy (raw + 1, pdu, pdu_len);
  crc = dc_modbus_crc16 (raw, pdu_len + 1);
  raw[pdu_len + 1] = crc & 0xff;
  raw[pdu_len + 2] = crc >> 8;

  modbus_set_slave (w->ctx, unit);
  /* Whatever waits on the line now (noise, the rest of a garbled or late answer) is not the
   * answer to this request: read as its start, it would garble it. */
  modbus_flush (w->ctx);
  start = g_get_monotonic_time ();
  UNIT_STATS (w, unit, { stats->requests++; unit_stats->requests++; });
  if (modbus_send_raw_request (w->ctx, raw, pdu_len + 1) < 0)
    {
      *error = g_strdup_printf ("write to %s failed: %s", w->serial, modbus_strerror (errno));
      g_free (w->line_error);
      w->line_error = g_strdup (*error);
      return TX_LINE;
    }
  worker_record (w, FALSE, raw, pdu_len + 3);

  n = modbus_receive_confirmation (w->ctx, rsp);
  if (n < 0 || n < 4)
    {
      int e = errno;

      worker_drain (w);
      if (n < 0 && e == ETIMEDOUT)
        {
          UNIT_STATS (w, unit, { stats->timeouts++; unit_stats->timeouts++; });
          *error = g_strdup_printf ("no answer within %" G_GINT64_FORMAT " ms",
                                    w->timeout_us / 1000);
          return TX_TIMEOUT;
        }
      if (n < 0 && e == EMBBADCRC)
        {
          UNIT_STATS (w, unit, {
            w->driver->crc_errors++;
            unit_stats->crc_errors++;
            unit_stats->bad_answers++;
          });
          *error = g_strdup ("CRC error");
          return TX_BAD;
        }
      UNIT_STATS (w, unit, unit_stats->bad_answers++);
      *error = g_strdup (n < 0 ? modbus_strerror (e) : "response too short");
      return TX_BAD;
    }
  worker_record (w, TRUE, rsp, n);

  if (rsp[0] != unit)
    {
      UNIT_STATS (w, unit, unit_stats->bad_answers++);
      *error = g_strdup_printf ("answer from unit %u, expected %u", rsp[0], unit);
      return TX_BAD;
    }
  UNIT_STATS (w, unit, {
    dc_modbus_stats_add_response (stats, g_get_monotonic_time () - start);
    unit_stats->responses++;
  });
  if (!dc_modbus_check_response (pdu, pdu_len, rsp + 1, n - 3, w->values, exception, error))
    {
      if (*exception != 0)
        {
          UNIT_STATS (w, unit, { stats->exceptions++; unit_stats->exceptions++; });
          return TX_EXCEPTION;
        }
      return TX_BAD;
    }
  return TX_OK;
}

/* Whether every unit with points on the line is down. */
static gboolean
all_units_down (Worker         *w,
                DcModbusConfig *config)
{
  if (config->plan->requests->len == 0)
    return FALSE;
  for (guint i = 0; i < config->plan->requests->len; i++)
    {
      const DcModbusRequest *req = &g_array_index (config->plan->requests, DcModbusRequest, i);

      if (!w->units[req->unit].down)
        return FALSE;
    }
  return TRUE;
}

/* A unit answered (@up) or failed: its comm state, its terms' link states and the device's
 * (up when a unit answers, down when none does). */
static void
worker_set_unit (Worker         *w,
                 DcModbusConfig *config,
                 guint8          unit,
                 gboolean        up,
                 const char     *error)
{
  UnitState *st = &w->units[unit];
  g_autoptr(GHashTable) done = NULL;

  UNIT_STATS (w, unit, {
    unit_stats->state = up ? UNIT_UP : UNIT_DOWN;
    if (!up)
      {
        g_free (unit_stats->last_error);
        unit_stats->last_error = g_strdup (error);
      }
  });
  if (up)
    {
      st->backoff_us = BACKOFF_MIN_US;
      st->bad_in_row = 0;
      /* Up means answered (docs/modbus.md "RTU driver"); an open line proves nothing. */
      dc_driver_set_link_state (DC_DRIVER (w->driver), DC_LINK_UP, NULL);
      if (!st->down)
        return;
      st->down = FALSE;
    }
  else
    {
      st->retry_at = g_get_monotonic_time () + st->backoff_us;
      st->backoff_us = MIN (st->backoff_us * 2, BACKOFF_MAX_US);
      if (st->down)
        return;
      st->down = TRUE;
    }

  done = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < config->points->len; i++)
    {
      const DcModbusPoint *p = &g_array_index (config->points, DcModbusPoint, i);

      if (p->unit == unit && !g_hash_table_contains (done, p->term_id))
        {
          g_hash_table_add (done, p->term_id);
          dc_driver_set_term_link_state (DC_DRIVER (w->driver), p->term_id, up, error);
        }
    }
  if (!up && all_units_down (w, config))
    dc_driver_set_link_state (DC_DRIVER (w->driver), DC_LINK_DOWN, "no unit answers");
}

/* An unusable answer from @unit (@error): the unit goes down after BAD_ANSWERS_DOWN in a row
 * (a single one, line noise, only costs that request's points their quality). */
static void
worker_bad_answer (Worker         *w,
                   DcModbusConfig *config,
                   guint8          unit,
                   const char     *error)
{
  UnitState *st = &w->units[unit];
  g_autofree char *text = NULL;

  g_debug ("device %s unit %u: %s", w->device_id, unit, error);
  if (++st->bad_in_row < BAD_ANSWERS_DOWN && !st->down)
    return;
  if (g_strcmp0 (error, "CRC error") == 0)
    text = g_strdup_printf ("%u answers in a row failed their CRC check", st->bad_in_row);
  else
    text = g_strdup_printf ("%u unusable answers in a row: %s", st->bad_in_row, error);
  worker_set_unit (w, config, unit, FALSE, text);
}

/* Executes one call or ctrl on the line (lock not held). */
static void
worker_run_op (Worker         *w,
               DcModbusConfig *config,
               Op             *op)
{
  g_autofree char *error = NULL;
  guint8 pdu[256];
  guint8 exception = 0;
  gsize len;
  TxResult r;

  if (op->deadline > 0 && g_get_monotonic_time () > op->deadline)
    {
      dc_modbus_op_return_error (op, dc_driver_error_timeout (w->device_id, w->timeout_us));
      return;
    }
  if (g_task_return_error_if_cancelled (op->task))
    {
      dc_modbus_op_free (op);
      return;
    }

  if (op->ctrl)
    {
      len = dc_modbus_ctrl_write_pdu (&op->point, op->raw, TRUE, 0, pdu);
      dc_modbus_op_progress (op, DC_CTRL_STEP_EXECUTE_SENT, NULL);
      r = worker_transact (w, op->point.unit, pdu, len, &exception, &error);
      if (r == TX_EXCEPTION && exception == DC_MODBUS_EX_ILLEGAL_FUNCTION &&
          op->point.ct.type == DC_MODBUS_TYPE_BIT)
        {
          /* No mask write: read-modify-write. */
          len = dc_modbus_point_read_pdu (&op->point, pdu);
          r = worker_transact (w, op->point.unit, pdu, len, &exception, &error);
          if (r == TX_OK)
            {
              len = dc_modbus_ctrl_write_pdu (&op->point, op->raw, FALSE, w->values[0], pdu);
              dc_modbus_op_progress (op, DC_CTRL_STEP_EXECUTE_SENT, NULL);
              r = worker_transact (w, op->point.unit, pdu, len, &exception, &error);
            }
        }
      if (r == TX_OK)
        dc_modbus_op_progress (op, DC_CTRL_STEP_CONFIRMED, NULL);
    }
  else
    r = TX_OK;

  if (r == TX_OK)
    {
      len = dc_modbus_point_read_pdu (&op->point, pdu);
      r = worker_transact (w, op->point.unit, pdu, len, &exception, &error);
    }

  switch (r)
    {
    case TX_OK:
      worker_set_unit (w, config, op->point.unit, TRUE, NULL);
      {
        guint32 quality;
        double v = dc_modbus_point_decode (&op->point, w->values, &quality);

        dc_modbus_op_return_value (op, v, quality);
      }
      break;
    case TX_EXCEPTION:
      dc_modbus_op_return_error (op, dc_driver_error_rejected (w->device_id,
                                                               dc_modbus_exception_name (exception)));
      break;
    case TX_TIMEOUT:
      worker_set_unit (w, config, op->point.unit, FALSE, error);
      dc_modbus_op_return_error (op, dc_driver_error_timeout (w->device_id, w->timeout_us));
      break;
    case TX_LINE:
      dc_modbus_op_return_error (op, dc_driver_error_offline (w->device_id));
      break;
    case TX_BAD:
    default:
      worker_bad_answer (w, config, op->point.unit, error);
      dc_modbus_op_return_error (op, dc_driver_error_rejected (w->device_id, error));
      break;
    }
}

/* Runs queued operations; returns TRUE when stopping. */
static gboolean
worker_run_ops (Worker         *w,
                DcModbusConfig *config)
{
  for (;;)
    {
      Op *op;

      g_mutex_lock (&w->lock);
      if (w->stop)
        {
          g_mutex_unlock (&w->lock);
          return TRUE;
        }
      op = g_queue_pop_head (&w->ops);
      g_mutex_unlock (&w->lock);
      if (op == NULL)
        return FALSE;
      worker_run_op (w, config, op);
    }
}

static void
worker_cycle (Worker         *w,
              DcModbusConfig *config)
{
  GArray *batch = g_array_sized_new (FALSE, FALSE, sizeof (DcSample), config->points->len);
  DcSampleSink *sink = dc_driver_get_sink (DC_DRIVER (w->driver));
  gboolean skip_unit[256] = { FALSE };

  for (guint i = 0; i < config->plan->requests->len; i++)
    {
      const DcModbusRequest *req = &g_array_index (config->plan->requests, DcModbusRequest, i);
      g_autofree char *error = NULL;
      guint8 pdu[8];
      guint8 exception;
      gsize len;
      gint64 now;

      if (worker_run_ops (w, config) || w->line_error != NULL)
        break;
      if (skip_unit[req->unit])
        continue;
      if (w->units[req->unit].down && g_get_monotonic_time () < w->units[req->unit].retry_at)
        continue; /* a dead unit is retried after its back-off; its points stay comm-lost */

      len = dc_modbus_pdu_read (pdu, dc_modbus_table_read_function (req->table), req->address,
                                req->count);
      switch (worker_transact (w, req->unit, pdu, len, &exception, &error))
        {
        case TX_OK:
          worker_set_unit (w, config, req->unit, TRUE, NULL);
          dc_modbus_config_decode (config, i, w->values, g_get_real_time (), batch);
          break;
        case TX_EXCEPTION:
          worker_set_unit (w, config, req->unit, TRUE, NULL);
          now = g_get_real_time ();
          dc_modbus_config_mark (config, i, DC_QUALITY_INVALID, now, batch);
          break;
        case TX_TIMEOUT:
          worker_set_unit (w, config, req->unit, FALSE, error);
          skip_unit[req->unit] = TRUE;
          break;
        case TX_LINE:
          break;
        case TX_BAD:
        default:
          worker_bad_answer (w, config, req->unit, error);
          dc_modbus_config_mark (config, i, DC_QUALITY_INVALID, g_get_real_time (), batch);
          if (w->units[req->unit].down)
            skip_unit[req->unit] = TRUE;
          break;
        }
    }

  if (batch->len > 0 && sink != NULL)
    dc_sample_sink_push_batch (sink, batch);
  else
    g_array_unref (batch);
}

static gboolean
worker_open (Worker *w)
{
  w->ctx = modbus_new_rtu (w->serial, w->baud, w->parity, w->data_bits, w->stop_bits);
  if (w->ctx == NULL)
    {
      dc_driver_set_link_state (DC_DRIVER (w->driver), DC_LINK_DOWN, modbus_strerror (errno));
      return FALSE;
    }
  modbus_set_response_timeout (w->ctx, w->timeout_us / G_USEC_PER_SEC,
                               w->timeout_us % G_USEC_PER_SEC);
  if (modbus_connect (w->ctx) < 0)
    {
      g_autofree char *error = g_strdup_printf ("cannot open %s: %s", w->serial,
                                                modbus_strerror (errno));

      modbus_free (w->ctx);
      w->ctx = NULL;
      dc_driver_set_link_state (DC_DRIVER (w->driver), DC_LINK_DOWN, error);
      return FALSE;
    }
  /* Connecting until a unit answers (worker_set_unit). */
  dc_driver_set_link_state (DC_DRIVER (w->driver), DC_LINK_CONNECTING, NULL);
  return TRUE;
}

gpointer
_dc_modbus_rtu_worker_main (gpointer data)
{
  Worker *w = data;
  gint64 backoff = BACKOFF_MIN_US;
  gint64 next_due;

  for (guint i = 0; i < 256; i++)
    w->units[i].backoff_us = BACKOFF_MIN_US;

  dc_driver_set_link_state (DC_DRIVER (w->driver), DC_LINK_CONNECTING, NULL);
reopen:
  while (!worker_open (w))
    {
      gboolean stop;
      Op *op;

      g_mutex_lock (&w->lock);
      while ((op = g_queue_pop_head (&w->ops)) != NULL)
        dc_modbus_op_return_error (op, dc_driver_error_offline (w->device_id));
      stop = worker_wait_locked (w, g_get_monotonic_time () + backoff);
      g_mutex_unlock (&w->lock);
      if (stop)
        return NULL;
      backoff = MIN (backoff * 2, BACKOFF_MAX_US);
      dc_driver_count_reconnect (DC_DRIVER (w->driver));
    }
  backoff = BACKOFF_MIN_US;

  next_due = g_get_monotonic_time ();
  for (;;)
    {
      g_autoptr(DcModbusConfig) config = NULL;
      gint64 now;
      gboolean stop;

      if (w->line_error != NULL)
        {
          /* The line failed: close it, go down, reopen after the back-off. */
          g_autofree char *error = g_steal_pointer (&w->line_error);

          modbus_close (w->ctx);
          modbus_free (w->ctx);
          w->ctx = NULL;
          dc_driver_set_link_state (DC_DRIVER (w->driver), DC_LINK_DOWN, error);
          goto reopen;
        }

      g_mutex_lock (&w->lock);
      config = dc_modbus_config_ref (w->config);
      g_mutex_unlock (&w->lock);

      if (worker_run_ops (w, config))
        break;

      now = g_get_monotonic_time ();
      if (now >= next_due)
        {
          gint64 missed = (now - next_due) / w->poll_us;
          gint64 lateness = now - (next_due + missed * w->poll_us);

          next_due += (missed + 1) * w->poll_us;
          if (dc_sample_sink_is_congested (dc_driver_get_sink (DC_DRIVER (w->driver))))
            STATS (w, { stats->late_polls += missed; stats->congested_polls++; });
          else
            {
              STATS (w, {
                stats->late_polls += missed;
                stats->polls++;
                stats->sum_lateness_us += lateness;
                stats->max_lateness_us = MAX (stats->max_lateness_us, lateness);
              });
              worker_cycle (w, config);
            }
          continue;
        }

      g_mutex_lock (&w->lock);
      stop = worker_wait_locked (w, next_due);
      g_mutex_unlock (&w->lock);
      if (stop)
        break;
    }

  modbus_close (w->ctx);
  modbus_free (w->ctx);
  w->ctx = NULL;
  return NULL;
}
