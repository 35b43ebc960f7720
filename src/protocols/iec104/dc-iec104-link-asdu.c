/* dc-iec104-link-asdu.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The IEC 104 link's incoming ASDUs (docs/iec104.md): monitor objects become samples for the
 * engine (by cause, with the sink's congestion), command confirmations and terminations answer
 * the requests.
 */

#define G_LOG_DOMAIN "dc-iec104-driver"

#include "config.h"

#include <math.h>
#include <string.h>

#include "dc-error.h"
#include "dc-iec104-driver-private.h"

/* Samples */

static gboolean
cause_delivers_samples (guint8 cause)
{
  return cause == 1 || cause == 2 || cause == 3 || cause == 5 || cause == 11 || cause == 12 ||
         (cause >= 20 && cause <= 41);
}

static void
object_to_sample (Link                 *link,
                  const PointEntry     *entry,
                  const DcIec104Object *o,
                  gint64                receive_us,
                  DcSample             *s)
{
  s->key = entry->point_key;
  s->value = o->value * entry->coefficient + entry->base_val;
  s->quality = o->quality;
  if (!isfinite (s->value))
    s->quality |= DC_QUALITY_INVALID;
  s->time = receive_us;
  if (o->time_kind == DC_IEC104_TIME_CP56)
    {
      if (!dc_iec104_time_to_us (&o->time, link->tz, &s->time))
        {
          s->time = receive_us;
          s->quality |= DC_QUALITY_TIME_INVALID;
        }
    }
  else if (o->time_kind == DC_IEC104_TIME_CP24)
    s->time = dc_iec104_cp24_to_us (&o->time, receive_us, link->tz);
}

static Request *
find_request (Link    *link,
              RequestKind kind,
              guint16  ca,
              guint32  ioa,
              guint8   type)
{
  for (GList *l = link->requests; l; l = l->next)
    {
      Request *req = l->data;

      if (req->kind == kind && req->ca == ca && req->ioa == ioa && (type == 0 || req->type == type))
        return req;
    }
  return NULL;
}

static void
handle_monitor (Link               *link,
                const DcIec104Asdu *h,
                gint64              receive_us)
{
  DcIec104Family family = dc_iec104_type_family (h->type);

  if (!cause_delivers_samples (h->cause) || h->negative)
    return;

  for (guint i = 0; i < link->objects->len; i++)
    {
      const DcIec104Object *o = &g_array_index (link->objects, DcIec104Object, i);
      gint64 key = _dc_iec104_point_hash_key (h->ca, o->ioa);
      const PointEntry *entry = g_hash_table_lookup (link->points, &key);
      DcSample s;

      if (entry == NULL ||
          (entry->family != family && entry->family != DC_IEC104_FAMILY_COMMAND))
        {
          STAT_ADD (link->driver->stats.unknown_objects, 1);
          continue;
        }
      object_to_sample (link, entry, o, receive_us, &s);

      if (h->cause == DC_IEC104_COT_REQUEST)
        {
          Request *req = find_request (link, REQ_CALL, h->ca, o->ioa, 0);

          if (req != NULL)
            {
              /* The engine stores a call's answer itself. */
              g_task_return_pointer (req->task, g_memdup2 (&s, sizeof s), g_free);
              _dc_iec104_request_remove (req);
              continue;
            }
        }
      g_array_append_val (link->batch, s);
    }
}

static char *
cause_reason (const DcIec104Asdu *h)
{
  const char *tname = dc_iec104_type_name (h->type);
  const char *cname = dc_iec104_cause_name (h->cause);

  if (h->cause >= 44 && h->cause <= 47)
    return g_strdup_printf ("%s (cause %u)", cname, h->cause);
  return g_strdup_printf ("negative confirmation (%s %s P/N=1)", tname ? tname : "?",
                          cname ? cname : "?");
}

gboolean
_dc_iec104_send_command (Request  *req,
                         gboolean  select,
                         GError  **error)
{
  DcIec104Object o = { .ioa = req->ioa, .value = req->raw };

  if (select)
    o.qualifier = 0x80;
  if (dc_iec104_type_time (req->type) == DC_IEC104_TIME_CP56)
    dc_iec104_time_from_us (&o.time, g_get_real_time (), req->link->tz);
  if (!_dc_iec104_build_and_queue (req->link, req->type, DC_IEC104_COT_ACT, req->ca, &o, error))
    return FALSE;
  _dc_iec104_request_progress (req, select ? DC_CTRL_STEP_SELECT_SENT : DC_CTRL_STEP_EXECUTE_SENT, NULL);
  return TRUE;
}

static void
handle_command_reply (Link               *link,
                      const DcIec104Asdu *h)
{
  const DcIec104Object *o = &g_array_index (link->objects, DcIec104Object, 0);
  Request *req = find_request (link, REQ_CTRL, h->ca, o->ioa, h->type);

  if (req == NULL)
    return;  /* a late or foreign answer: logged in the _dc_iec104_traffic ring only */

  if (h->negative || (h->cause >= 44 && h->cause <= 47))
    {
      g_autofree char *reason = cause_reason (h);

      _dc_iec104_request_fail (req, dc_driver_error_rejected (link->device_id, reason));
      return;
    }

  if (h->cause == DC_IEC104_COT_ACTTERM)
    {
      _dc_iec104_request_progress (req, DC_CTRL_STEP_TERMINATED, NULL);
      return;
    }
  if (h->cause != DC_IEC104_COT_ACTCON)
    return;

  if (req->phase == PHASE_SELECT_SENT && (o->qualifier & 0x80))
    {
      g_autoptr(GError) error = NULL;

      _dc_iec104_request_progress (req, DC_CTRL_STEP_SELECTED, NULL);
      req->phase = PHASE_EXECUTE_SENT;
      if (!_dc_iec104_send_command (req, FALSE, &error))
        _dc_iec104_request_fail (req, g_error_new_literal (DC_ERROR, DC_ERROR_INVALID, error->message));
      return;
    }
  if (req->phase == PHASE_EXECUTE_SENT && !(o->qualifier & 0x80))
    {
      double *confirmed = g_new (double, 1);

      *confirmed = req->value;
      _dc_iec104_request_progress (req, DC_CTRL_STEP_CONFIRMED, NULL);
      g_task_return_pointer (req->task, confirmed, g_free);
      _dc_iec104_request_remove (req);
    }
}

void
_dc_iec104_handle_asdu (Link         *link,
                        const guint8 *asdu,
                        gsize         len,
                        gint64        receive_us)
{
  g_autoptr(GError) error = NULL;
  DcIec104Asdu h;

  STAT_ADD (link->driver->stats.asdus_in, 1);
  if (!dc_iec104_parse_asdu (asdu, len, &h, link->objects, &error))
    {
      STAT_ADD (link->driver->stats.asdus_dropped, 1);
      g_debug ("%s: dropping ASDU: %s", link->device_id, error->message);
      /* A read answered with an error cause still fails the call. */
      if (len >= 9 && asdu[0] == DC_IEC104_C_RD_NA_1)
        {
          Request *req = find_request (link, REQ_CALL, asdu[4] | (asdu[5] << 8),
                                       asdu[6] | (asdu[7] << 8) | (asdu[8] << 16), 0);
          if (req)
            _dc_iec104_request_fail (req, dc_driver_error_rejected (link->device_id, error->message));
        }
      return;
    }
  STAT_ADD (link->driver->stats.objects_in, link->objects->len);

  switch (dc_iec104_type_family (h.type))
    {
    case DC_IEC104_FAMILY_COMMAND:
      handle_command_reply (link, &h);
      break;

    case DC_IEC104_FAMILY_SYSTEM:
      if (h.type == DC_IEC104_M_EI_NA_1)
        {
          STAT_ADD (link->driver->stats.end_of_init, 1);
          _dc_iec104_send_gi (link);
        }
      else if (h.type == DC_IEC104_C_RD_NA_1 && (h.negative || h.cause >= 44))
        {
          const DcIec104Object *o = &g_array_index (link->objects, DcIec104Object, 0);
          Request *req = find_request (link, REQ_CALL, h.ca, o->ioa, 0);

          if (req)
            {
              g_autofree char *reason = cause_reason (&h);

              _dc_iec104_request_fail (req, dc_driver_error_rejected (link->device_id, reason));
            }
        }
      break;

    case DC_IEC104_FAMILY_NONE:
      break;

    default:
      handle_monitor (link, &h, receive_us);
      break;
    }
}
