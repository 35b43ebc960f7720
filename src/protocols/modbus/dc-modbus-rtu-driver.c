/* dc-modbus-rtu-driver.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * modbus_rtu: libmodbus (serial framing, CRC, timing) on one worker thread per serial line
 * (docs/modbus.md "Implementation"). Raw requests go out with modbus_send_raw_request() and come
 * back whole from modbus_receive_confirmation(), so the traffic ring sees the real bytes and
 * one decoder (dc-modbus-codec) serves TCP and RTU.
 */

#define G_LOG_DOMAIN "dc-modbus-rtu"

#include "config.h"

#include "dc-modbus-rtu-driver.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <modbus.h>

#include "dc-error.h"
#include "dc-json-util.h"
#include "dc-modbus-private.h"

#define BACKOFF_MIN_US (1 * G_USEC_PER_SEC)
#define BACKOFF_MAX_US (30 * G_USEC_PER_SEC)

typedef struct _Worker Worker;

typedef DcModbusOp Op;

typedef struct
{
  gboolean down;
  gint64   retry_at;
  gint64   backoff_us;
} UnitState;

struct _Worker
{
  gatomicrefcount    ref;
  DcModbusRtuDriver *driver;   /* valid until the thread is joined */
  char              *device_id;
  char              *serial;
  int                baud;
  char               parity;
  int                data_bits;
  int                stop_bits;
  gint64             poll_us;
  gint64             timeout_us;

  GMutex             lock;
  GCond              cond;
  gboolean           stop;
  DcModbusConfig    *config;   /* under lock */
  GQueue             ops;      /* under lock */

  GThread           *thread;
  modbus_t          *ctx;
  char              *line_error;   /* set when the line failed; the worker reopens it */
  UnitState          units[256];
  guint16            values[DC_MODBUS_MAX_BITS];
};

struct _DcModbusRtuDriver
{
  DcDriver        parent_instance;

  DcModbusConfig *config;
  Worker         *worker;

  GMutex          stats_lock;
  DcModbusStats   stats;
};

G_DEFINE_FINAL_TYPE (DcModbusRtuDriver, dc_modbus_rtu_driver, DC_TYPE_DRIVER)

#define STATS(w, stmt)                                  \
  G_STMT_START {                                        \
    g_mutex_lock (&(w)->driver->stats_lock);            \
    DcModbusStats *stats = &(w)->driver->stats;         \
    stmt;                                               \
    g_mutex_unlock (&(w)->driver->stats_lock);          \
  } G_STMT_END

static void
worker_unref (Worker *w)
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
  TX_BAD,
  TX_LINE,      /* the serial line itself failed (unplugged adapter): reopen it */
} TxResult;

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
  start = g_get_monotonic_time ();
  STATS (w, stats->requests++);
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

      modbus_flush (w->ctx);
      if (n < 0 && e == ETIMEDOUT)
        {
          STATS (w, stats->timeouts++);
          *error = g_strdup_printf ("no answer within %" G_GINT64_FORMAT " ms",
                                    w->timeout_us / 1000);
          return TX_TIMEOUT;
        }
      *error = g_strdup (n < 0 ? modbus_strerror (e) : "response too short");
      return TX_BAD;
    }
  worker_record (w, TRUE, rsp, n);
  STATS (w, dc_modbus_stats_add_response (stats, g_get_monotonic_time () - start));

  if (rsp[0] != unit)
    {
      *error = g_strdup_printf ("answer from unit %u, expected %u", rsp[0], unit);
      return TX_BAD;
    }
  if (!dc_modbus_check_response (pdu, pdu_len, rsp + 1, n - 3, w->values, exception, error))
    {
      if (*exception != 0)
        {
          STATS (w, stats->exceptions++);
          return TX_EXCEPTION;
        }
      return TX_BAD;
    }
  return TX_OK;
}

static void
worker_set_unit (Worker         *w,
                 DcModbusConfig *config,
                 guint8          unit,
                 gboolean        up,
                 const char     *error)
{
  UnitState *st = &w->units[unit];
  g_autoptr(GHashTable) done = NULL;

  if (up)
    {
      st->backoff_us = BACKOFF_MIN_US;
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
          g_debug ("device %s unit %u: %s", w->device_id, req->unit, error);
          dc_modbus_config_mark (config, i, DC_QUALITY_INVALID, g_get_real_time (), batch);
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
  dc_driver_set_link_state (DC_DRIVER (w->driver), DC_LINK_UP, NULL);
  return TRUE;
}

static gpointer
worker_main (gpointer data)
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

/* DcDriver */

static void
dc_modbus_rtu_driver_stop (DcDriver *driver)
{
  DcModbusRtuDriver *self = DC_MODBUS_RTU_DRIVER (driver);
  Worker *w = g_steal_pointer (&self->worker);

  if (w == NULL)
    return;
  g_mutex_lock (&w->lock);
  w->stop = TRUE;
  g_cond_broadcast (&w->cond);
  g_mutex_unlock (&w->lock);
  g_thread_join (w->thread);
  worker_unref (w);
  dc_driver_set_link_state (driver, DC_LINK_DISABLED, NULL);
}

static char
parity_of (const char *text)
{
  if (text != NULL && (text[0] == 'N' || text[0] == 'O' || text[0] == 'E'))
    return text[0];
  return 'E';
}

static void
dc_modbus_rtu_driver_start (DcDriver *driver)
{
  DcModbusRtuDriver *self = DC_MODBUS_RTU_DRIVER (driver);
  JsonObject *device = dc_driver_get_device (driver);
  Worker *w;

  if (self->worker != NULL)
    dc_modbus_rtu_driver_stop (driver);

  g_clear_pointer (&self->config, dc_modbus_config_unref);
  self->config = dc_modbus_config_new (dc_driver_get_terms (driver), dc_driver_get_points (driver),
                                       TRUE);

  w = g_new0 (Worker, 1);
  g_atomic_ref_count_init (&w->ref);
  g_mutex_init (&w->lock);
  g_cond_init (&w->cond);
  g_queue_init (&w->ops);
  w->driver = self;
  w->device_id = g_strdup (dc_driver_get_device_id (driver));
  w->serial = g_strdup (dc_json_get_string (device, "serial", "/dev/ttyS0"));
  w->baud = dc_json_get_int (device, "baud", 9600);
  w->parity = parity_of (dc_json_get_string (device, "parity", "E"));
  w->data_bits = dc_json_get_int (device, "data_bits", 8);
  w->stop_bits = dc_json_get_int (device, "stop_bits", 1);
  w->poll_us = MAX (dc_json_get_int (device, "poll_ms", 1000), 1) * 1000;
  w->timeout_us = MAX (dc_json_get_int (device, "timeout_ms", 1000), 1) * 1000;
  w->config = dc_modbus_config_ref (self->config);
  self->worker = w;
  w->thread = g_thread_new ("dc-modbus-rtu", worker_main, w);
}

static void
dc_modbus_rtu_driver_points_changed (DcDriver *driver)
{
  DcModbusRtuDriver *self = DC_MODBUS_RTU_DRIVER (driver);

  g_clear_pointer (&self->config, dc_modbus_config_unref);
  self->config = dc_modbus_config_new (dc_driver_get_terms (driver), dc_driver_get_points (driver),
                                       TRUE);
  if (self->worker == NULL)
    return;
  g_mutex_lock (&self->worker->lock);
  g_clear_pointer (&self->worker->config, dc_modbus_config_unref);
  self->worker->config = dc_modbus_config_ref (self->config);
  g_mutex_unlock (&self->worker->lock);
}

static void
submit (DcModbusRtuDriver *self,
        Op                *op)
{
  if (self->worker == NULL)
    {
      const char *device_id = dc_driver_get_device_id (DC_DRIVER (self));

      dc_modbus_op_return_error (op, dc_driver_error_offline (device_id));
      return;
    }
  g_mutex_lock (&self->worker->lock);
  g_queue_push_tail (&self->worker->ops, op);
  g_cond_broadcast (&self->worker->cond);
  g_mutex_unlock (&self->worker->lock);
}

static void
dc_modbus_rtu_driver_call_async (DcDriver            *driver,
                                 const DcPointInfo   *point,
                                 gint64               deadline_us,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  DcModbusRtuDriver *self = DC_MODBUS_RTU_DRIVER (driver);
  Op *op = dc_modbus_op_new (driver, sizeof (Op), NULL, TRUE, dc_modbus_rtu_driver_call_async,
                             point, deadline_us, cancellable, callback, user_data);

  if (op != NULL)
    submit (self, op);
}

static void
dc_modbus_rtu_driver_ctrl_async (DcDriver            *driver,
                                 const DcPointInfo   *point,
                                 double               value,
                                 gint64               deadline_us,
                                 DcCtrlProgressFunc   progress,
                                 gpointer             progress_data,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  DcModbusRtuDriver *self = DC_MODBUS_RTU_DRIVER (driver);
  Op *op = dc_modbus_op_new (driver, sizeof (Op), NULL, TRUE, dc_modbus_rtu_driver_ctrl_async,
                             point, deadline_us, cancellable, callback, user_data);

  if (op != NULL && dc_modbus_op_set_ctrl (op, value, progress, progress_data))
    submit (self, op);
}

static void
dc_modbus_rtu_driver_add_status (DcDriver    *driver,
                                 JsonBuilder *builder)
{
  DcModbusRtuDriver *self = DC_MODBUS_RTU_DRIVER (driver);
  DcModbusStats stats;

  g_mutex_lock (&self->stats_lock);
  stats = self->stats;
  g_mutex_unlock (&self->stats_lock);
  dc_modbus_stats_to_json (&stats, self->config, builder);
}

static char *
dc_modbus_rtu_driver_decode_frame (DcDriver             *driver,
                                   const DcTrafficFrame *frame,
                                   JsonObject          **decoded,
                                   char                **error)
{
  return dc_modbus_decode_frame (frame->bytes, frame->len, TRUE, frame->incoming, decoded, error);
}

static void
dc_modbus_rtu_driver_dispose (GObject *object)
{
  DcModbusRtuDriver *self = DC_MODBUS_RTU_DRIVER (object);

  if (self->worker != NULL)
    dc_modbus_rtu_driver_stop (DC_DRIVER (self));

  G_OBJECT_CLASS (dc_modbus_rtu_driver_parent_class)->dispose (object);
}

static void
dc_modbus_rtu_driver_finalize (GObject *object)
{
  DcModbusRtuDriver *self = DC_MODBUS_RTU_DRIVER (object);

  g_clear_pointer (&self->config, dc_modbus_config_unref);
  g_mutex_clear (&self->stats_lock);

  G_OBJECT_CLASS (dc_modbus_rtu_driver_parent_class)->finalize (object);
}

static void
dc_modbus_rtu_driver_class_init (DcModbusRtuDriverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  DcDriverClass *driver_class = DC_DRIVER_CLASS (klass);

  object_class->dispose = dc_modbus_rtu_driver_dispose;
  object_class->finalize = dc_modbus_rtu_driver_finalize;

  driver_class->start = dc_modbus_rtu_driver_start;
  driver_class->stop = dc_modbus_rtu_driver_stop;
  driver_class->points_changed = dc_modbus_rtu_driver_points_changed;
  driver_class->call_async = dc_modbus_rtu_driver_call_async;
  driver_class->ctrl_async = dc_modbus_rtu_driver_ctrl_async;
  driver_class->add_status = dc_modbus_rtu_driver_add_status;
  driver_class->decode_frame = dc_modbus_rtu_driver_decode_frame;
}

static void
dc_modbus_rtu_driver_init (DcModbusRtuDriver *self)
{
  g_mutex_init (&self->stats_lock);
}

DcDriver *
dc_modbus_rtu_driver_new (void)
{
  return g_object_new (DC_TYPE_MODBUS_RTU_DRIVER, NULL);
}
