/* dc-iec104-codec.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* IEC 60870-5-104 codec (docs/iec104.md): pure functions that build and parse APCI
 * frames and ASDUs. Every parser is bounds-checked on every octet and reports a precise
 * DC_IEC104_ERROR; nothing here allocates on the hot path except the caller's GArray. */

#define DC_IEC104_ERROR (dc_iec104_error_quark ())

typedef enum
{
  DC_IEC104_ERROR_TRUNCATED,     /* fewer octets than the frame or object needs */
  DC_IEC104_ERROR_BAD_FRAME,     /* start octet, length, control field */
  DC_IEC104_ERROR_UNKNOWN_TYPE,  /* TYP not in the profile */
  DC_IEC104_ERROR_BAD_OBJECT,    /* VSQ count, trailing octets, impossible field values */
  DC_IEC104_ERROR_RANGE,         /* a value that cannot be encoded */
} DcIec104Error;

GQuark dc_iec104_error_quark (void);

#define DC_IEC104_START        0x68
#define DC_IEC104_APCI_LEN     6      /* start, length, 4 control octets */
#define DC_IEC104_MAX_APDU_LEN 253    /* the length octet */
#define DC_IEC104_MAX_FRAME    (DC_IEC104_MAX_APDU_LEN + 2)
#define DC_IEC104_MAX_ASDU     (DC_IEC104_MAX_APDU_LEN - 4)
#define DC_IEC104_ASDU_HEADER  6      /* TYP, VSQ, COT, OA, CA (2) */
#define DC_IEC104_SEQ_MOD      32768

typedef enum
{
  DC_IEC104_FRAME_I,
  DC_IEC104_FRAME_S,
  DC_IEC104_FRAME_U,
} DcIec104FrameKind;

/* U-frame functions, the first control octet. */
typedef enum
{
  DC_IEC104_U_STARTDT_ACT = 0x07,
  DC_IEC104_U_STARTDT_CON = 0x0b,
  DC_IEC104_U_STOPDT_ACT  = 0x13,
  DC_IEC104_U_STOPDT_CON  = 0x23,
  DC_IEC104_U_TESTFR_ACT  = 0x43,
  DC_IEC104_U_TESTFR_CON  = 0x83,
} DcIec104UFunction;

typedef enum
{
  /* monitor direction */
  DC_IEC104_M_SP_NA_1 = 1,
  DC_IEC104_M_SP_TA_1 = 2,
  DC_IEC104_M_DP_NA_1 = 3,
  DC_IEC104_M_DP_TA_1 = 4,
  DC_IEC104_M_ST_NA_1 = 5,
  DC_IEC104_M_ST_TA_1 = 6,
  DC_IEC104_M_BO_NA_1 = 7,
  DC_IEC104_M_BO_TA_1 = 8,
  DC_IEC104_M_ME_NA_1 = 9,
  DC_IEC104_M_ME_TA_1 = 10,
  DC_IEC104_M_ME_NB_1 = 11,
  DC_IEC104_M_ME_TB_1 = 12,
  DC_IEC104_M_ME_NC_1 = 13,
  DC_IEC104_M_ME_TC_1 = 14,
  DC_IEC104_M_IT_NA_1 = 15,
  DC_IEC104_M_IT_TA_1 = 16,
  DC_IEC104_M_PS_NA_1 = 20,
  DC_IEC104_M_ME_ND_1 = 21,
  DC_IEC104_M_SP_TB_1 = 30,
  DC_IEC104_M_DP_TB_1 = 31,
  DC_IEC104_M_ST_TB_1 = 32,
  DC_IEC104_M_BO_TB_1 = 33,
  DC_IEC104_M_ME_TD_1 = 34,
  DC_IEC104_M_ME_TE_1 = 35,
  DC_IEC104_M_ME_TF_1 = 36,
  DC_IEC104_M_IT_TB_1 = 37,
  DC_IEC104_M_EP_TD_1 = 38,
  DC_IEC104_M_EI_NA_1 = 70,
  /* control direction */
  DC_IEC104_C_SC_NA_1 = 45,
  DC_IEC104_C_DC_NA_1 = 46,
  DC_IEC104_C_RC_NA_1 = 47,
  DC_IEC104_C_SE_NA_1 = 48,
  DC_IEC104_C_SE_NB_1 = 49,
  DC_IEC104_C_SE_NC_1 = 50,
  DC_IEC104_C_BO_NA_1 = 51,
  DC_IEC104_C_SC_TA_1 = 58,
  DC_IEC104_C_DC_TA_1 = 59,
  DC_IEC104_C_RC_TA_1 = 60,
  DC_IEC104_C_SE_TA_1 = 61,
  DC_IEC104_C_SE_TB_1 = 62,
  DC_IEC104_C_SE_TC_1 = 63,
  DC_IEC104_C_BO_TA_1 = 64,
  DC_IEC104_C_IC_NA_1 = 100,
  DC_IEC104_C_CI_NA_1 = 101,
  DC_IEC104_C_RD_NA_1 = 102,
  DC_IEC104_C_CS_NA_1 = 103,
} DcIec104Type;

typedef enum
{
  DC_IEC104_COT_PERIODIC      = 1,
  DC_IEC104_COT_BACKGROUND    = 2,
  DC_IEC104_COT_SPONTANEOUS   = 3,
  DC_IEC104_COT_INIT          = 4,
  DC_IEC104_COT_REQUEST       = 5,
  DC_IEC104_COT_ACT           = 6,
  DC_IEC104_COT_ACTCON        = 7,
  DC_IEC104_COT_DEACT         = 8,
  DC_IEC104_COT_DEACTCON      = 9,
  DC_IEC104_COT_ACTTERM       = 10,
  DC_IEC104_COT_RETREM        = 11,
  DC_IEC104_COT_RETLOC        = 12,
  DC_IEC104_COT_INROGEN       = 20,
  DC_IEC104_COT_REQCOGEN      = 37,
  DC_IEC104_COT_UNKNOWN_TYPE  = 44,
  DC_IEC104_COT_UNKNOWN_CAUSE = 45,
  DC_IEC104_COT_UNKNOWN_CA    = 46,
  DC_IEC104_COT_UNKNOWN_IOA   = 47,
} DcIec104Cause;

/* Type families: a monitor point declared with one TYP accepts every TYP of its family. */
typedef enum
{
  DC_IEC104_FAMILY_NONE,
  DC_IEC104_FAMILY_SINGLE,
  DC_IEC104_FAMILY_DOUBLE,
  DC_IEC104_FAMILY_STEP,
  DC_IEC104_FAMILY_BITSTRING,
  DC_IEC104_FAMILY_NORMALIZED,
  DC_IEC104_FAMILY_SCALED,
  DC_IEC104_FAMILY_FLOAT,
  DC_IEC104_FAMILY_TOTALS,
  DC_IEC104_FAMILY_PACKED,
  DC_IEC104_FAMILY_PROTECTION,
  DC_IEC104_FAMILY_COMMAND,
  DC_IEC104_FAMILY_SYSTEM,
} DcIec104Family;

/* Both CP56Time2a and CP24Time2a (which uses only ms, minute and iv). Wall-clock fields in the
 * station's time zone. */
typedef struct
{
  guint16  ms;      /* 0…59999: seconds × 1000 + milliseconds */
  guint8   minute;  /* 0…59 */
  guint8   hour;    /* 0…23 */
  guint8   day;     /* 1…31 */
  guint8   dow;     /* 0 (unused) or 1…7 */
  guint8   month;   /* 1…12 */
  guint8   year;    /* 0…99, 2000 + year */
  gboolean iv;
  gboolean su;
} DcIec104Time;

typedef enum
{
  DC_IEC104_TIME_NONE,
  DC_IEC104_TIME_CP24,
  DC_IEC104_TIME_CP56,
} DcIec104TimeKind;

/* One information object. @value is the protocol value before point scaling: 0/1 single,
 * 0…3 double, −64…63 step, unsigned 32-bit bitstring, normalized −1 … 1 − 2⁻¹⁵,
 * scaled −32768…32767, float, signed 32-bit counter, the 16-bit status word of packed singles
 * (@extra = change detection), 0…3 protection event state (@extra = elapsed ms), COI of end of
 * initialisation, the command state/value of commands, QOI/QCC of interrogations.
 * @quality is DcQuality bits. @qualifier is the command qualifier octet without the value
 * bits: S/E (0x80) plus QU/QL; for C_IC/C_CI it equals the QOI/QCC. @extra also carries a
 * counter's sequence number. */
typedef struct
{
  guint32          ioa;
  double           value;
  guint32          quality;
  guint8           qualifier;
  guint16          extra;
  DcIec104TimeKind time_kind;
  DcIec104Time     time;
} DcIec104Object;

typedef struct
{
  guint8   type;
  gboolean sq;
  guint8   count;    /* objects, 0…127 */
  guint8   cause;    /* 0…63 */
  gboolean negative;
  gboolean test;
  guint8   oa;
  guint16  ca;
} DcIec104Asdu;

typedef struct
{
  DcIec104FrameKind kind;
  guint16           ns;        /* I */
  guint16           nr;        /* I and S */
  guint8            u;         /* U: DcIec104UFunction */
  const guint8     *asdu;      /* I: points into the frame */
  gsize             asdu_len;
} DcIec104Apci;

/* Link layer */

/* How many octets the frame at the start of @buf occupies: 0 when more octets are needed,
 * -1 with @error when the stream is not IEC 104 (bad start octet or length). */
gssize       dc_iec104_frame_length    (const guint8       *buf,
                                        gsize               len,
                                        GError            **error);
gboolean     dc_iec104_parse_apci      (const guint8       *frame,
                                        gsize               len,
                                        DcIec104Apci       *apci,
                                        GError            **error);
/* Builders write into @out (≥ 6 octets, or 6 + asdu_len) and return the frame length. */
gsize        dc_iec104_build_u         (guint8             *out,
                                        DcIec104UFunction   function);
gsize        dc_iec104_build_s         (guint8             *out,
                                        guint16             nr);
gsize        dc_iec104_build_i         (guint8             *out,
                                        guint16             ns,
                                        guint16             nr,
                                        const guint8       *asdu,
                                        gsize               asdu_len);
/* Rewrites N(S)/N(R) of an I-frame built earlier (queued frames get N(R) when sent). */
void         dc_iec104_set_i_seq       (guint8             *frame,
                                        guint16             ns,
                                        guint16             nr);

/* ASDU */

/* Octets of one object of @type after the IOA (0 for C_RD), or -1 for an unknown type. */
int          dc_iec104_object_size     (guint8              type);
DcIec104Family dc_iec104_type_family   (guint8              type);
gboolean     dc_iec104_type_is_command (guint8              type);
DcIec104TimeKind dc_iec104_type_time   (guint8              type);

/* Parses the header and every object into @objects (a GArray of DcIec104Object, cleared first;
 * may be NULL to only validate). With SQ=1 the IOAs are consecutive from the first. */
gboolean     dc_iec104_parse_asdu      (const guint8       *asdu,
                                        gsize               len,
                                        DcIec104Asdu       *header,
                                        GArray             *objects,
                                        GError            **error);
/* Encodes @header and @n_objects objects (header->count is ignored; with header->sq the
 * first IOA is written once). Returns the ASDU length, or 0 with @error when it does not fit
 * in @out_size octets or a value is out of range for the type. */
gsize        dc_iec104_build_asdu      (guint8             *out,
                                        gsize               out_size,
                                        const DcIec104Asdu *header,
                                        const DcIec104Object *objects,
                                        guint               n_objects,
                                        GError            **error);

/* Time. @tz NULL means UTC. */
void         dc_iec104_time_from_us    (DcIec104Time       *time,
                                        gint64              time_us,
                                        GTimeZone          *tz);
/* µs since the epoch (UTC); FALSE for impossible fields (month 13, …). */
gboolean     dc_iec104_time_to_us      (const DcIec104Time *time,
                                        GTimeZone          *tz,
                                        gint64             *time_us);
/* CP24: the hour and date come from @receive_us, choosing the nearest match. */
gint64       dc_iec104_cp24_to_us      (const DcIec104Time *time,
                                        gint64              receive_us,
                                        GTimeZone          *tz);

/* Names */
const char  *dc_iec104_type_name       (guint8              type);  /* "M_ME_NC_1", NULL */
const char  *dc_iec104_cause_name      (guint8              cause); /* "spont", NULL */
const char  *dc_iec104_u_name          (guint8              function); /* "STARTDT act" */

/* Traffic log: decodes one raw frame. Returns the one-line summary; *decoded gets a JSON
 * object {kind, ns, nr, function, type, type_name, cause, cause_name, negative, test, oa, ca,
 * sq, objects: [{ioa, value, quality, time}]} (as far as decoding went) and *error the decode
 * error text, or NULL. @tz is the station's time zone (NULL = UTC), @receive_us the frame's
 * time (for CP24). */
char        *dc_iec104_decode_frame    (const guint8       *bytes,
                                        gsize               len,
                                        GTimeZone          *tz,
                                        gint64              receive_us,
                                        JsonObject        **decoded,
                                        char              **error);

G_END_DECLS
