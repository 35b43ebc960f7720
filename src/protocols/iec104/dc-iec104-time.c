/* dc-iec104-time.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * IEC 104 time tags (CP56Time2a, CP24Time2a) to and from microseconds in a time zone
 * (dc-iec104-codec.h; docs/iec104.md). The byte layout of the tags is in dc-iec104-codec.c.
 */

#define G_LOG_DOMAIN "dc-iec104-codec"

#include "config.h"

#include "dc-iec104-codec.h"

#define USEC_PER_MINUTE (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)
#define USEC_PER_HOUR   (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)
#define USEC_PER_DAY    (G_GINT64_CONSTANT (86400) * G_USEC_PER_SEC)

static inline gint64
floor_div (gint64 a,
           gint64 b)
{
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static gint64
days_from_civil (gint64 y,
                 guint  m,
                 guint  d)
{
  gint64 era, yoe, doy, doe;

  y -= m <= 2;
  era = floor_div (y, 400);
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void
civil_from_days (gint64  z,
                 gint64 *y,
                 guint  *m,
                 guint  *d)
{
  gint64 era, doe, yoe, doy, mp;

  z += 719468;
  era = floor_div (z, 146097);
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *d = (guint) (doy - (153 * mp + 2) / 5 + 1);
  *m = (guint) (mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

static gint32
tz_offset_utc (GTimeZone *tz,
               gint64     utc_secs,
               gboolean  *dst)
{
  int interval;

  if (tz == NULL)
    {
      if (dst)
        *dst = FALSE;
      return 0;
    }
  interval = g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, utc_secs);
  if (interval < 0)
    interval = 0;
  if (dst)
    *dst = g_time_zone_is_dst (tz, interval);
  return g_time_zone_get_offset (tz, interval);
}

void
dc_iec104_time_from_us (DcIec104Time *time,
                        gint64        time_us,
                        GTimeZone    *tz)
{
  gboolean dst = FALSE;
  gint64 local_us, days, in_day, y;
  guint m, d;

  g_return_if_fail (time != NULL);

  local_us = time_us + (gint64) tz_offset_utc (tz, floor_div (time_us, G_USEC_PER_SEC), &dst)
                       * G_USEC_PER_SEC;
  days = floor_div (local_us, USEC_PER_DAY);
  in_day = local_us - days * USEC_PER_DAY;
  civil_from_days (days, &y, &m, &d);

  memset (time, 0, sizeof *time);
  time->hour = (guint8) (in_day / USEC_PER_HOUR);
  time->minute = (guint8) ((in_day / USEC_PER_MINUTE) % 60);
  time->ms = (guint16) ((in_day % USEC_PER_MINUTE) / 1000);
  time->day = (guint8) d;
  time->month = (guint8) m;
  time->year = (guint8) (((y % 100) + 100) % 100);
  time->dow = (guint8) (((days % 7) + 7 + 3) % 7 + 1);  /* 1970-01-01 was a Thursday (4) */
  time->su = dst;
  time->iv = FALSE;
}

gboolean
dc_iec104_time_to_us (const DcIec104Time *time,
                      GTimeZone          *tz,
                      gint64             *time_us)
{
  static const guint8 mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  gint64 local_secs, days;
  guint year;

  g_return_val_if_fail (time != NULL && time_us != NULL, FALSE);

  if (time->ms > 59999 || time->minute > 59 || time->hour > 23 || time->month < 1 ||
      time->month > 12 || time->day < 1 || time->day > mdays[time->month - 1] || time->year > 99)
    return FALSE;
  year = 2000 + time->year;
  if (time->month == 2 && time->day == 29 &&
      !(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)))
    return FALSE;

  days = days_from_civil (year, time->month, time->day);
  local_secs = days * 86400 + time->hour * 3600 + time->minute * 60;

  if (tz != NULL)
    {
      GTimeType type = time->su ? G_TIME_TYPE_DAYLIGHT : G_TIME_TYPE_STANDARD;
      gint64 adjusted = local_secs;
      int interval = g_time_zone_adjust_time (tz, type, &adjusted);
      if (interval < 0)
        interval = 0;
      local_secs -= g_time_zone_get_offset (tz, interval);
    }

  *time_us = local_secs * G_USEC_PER_SEC + (gint64) time->ms * 1000;
  return TRUE;
}

gint64
dc_iec104_cp24_to_us (const DcIec104Time *time,
                      gint64              receive_us,
                      GTimeZone          *tz)
{
  gint64 offset_us, local, base, cand, best = 0, best_diff = G_MAXINT64;

  g_return_val_if_fail (time != NULL, receive_us);

  if (time->ms > 59999 || time->minute > 59)
    return receive_us;

  offset_us = (gint64) tz_offset_utc (tz, floor_div (receive_us, G_USEC_PER_SEC), NULL)
              * G_USEC_PER_SEC;
  local = receive_us + offset_us;
  base = floor_div (local, USEC_PER_HOUR) * USEC_PER_HOUR;
  cand = base + time->minute * USEC_PER_MINUTE + (gint64) time->ms * 1000;

  for (int i = -1; i <= 1; i++)
    {
      gint64 c = cand + i * USEC_PER_HOUR;
      gint64 diff = c > local ? c - local : local - c;

      if (diff < best_diff)
        {
          best_diff = diff;
          best = c;
        }
    }
  return best - offset_us;
}
