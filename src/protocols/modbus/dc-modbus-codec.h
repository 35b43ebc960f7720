/* dc-modbus-codec.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Pure Modbus helpers shared by the TCP and RTU drivers and by the simulator: code_type
 * parsing, value conversions (word/byte orders, scaling), request planning and frame
 * building/decoding. No I/O, no global state. dc-modbus-codec.c holds the code types, values
 * and planning; dc-modbus-frame.c the PDUs, framing, CRC, response checks and frame decoding. */

#define DC_MODBUS_MAX_REGISTERS  125
#define DC_MODBUS_MAX_BITS       2000
#define DC_MODBUS_MAX_WRITE_REGS 123
#define DC_MODBUS_GAP_REGISTERS  8
#define DC_MODBUS_GAP_BITS       128
#define DC_MODBUS_MBAP_HEADER    7
#define DC_MODBUS_MAX_ADU        260

typedef enum
{
  DC_MODBUS_FC_READ_COILS               = 0x01,
  DC_MODBUS_FC_READ_DISCRETE_INPUTS     = 0x02,
  DC_MODBUS_FC_READ_HOLDING_REGISTERS   = 0x03,
  DC_MODBUS_FC_READ_INPUT_REGISTERS     = 0x04,
  DC_MODBUS_FC_WRITE_SINGLE_COIL        = 0x05,
  DC_MODBUS_FC_WRITE_SINGLE_REGISTER    = 0x06,
  DC_MODBUS_FC_WRITE_MULTIPLE_COILS     = 0x0F,
  DC_MODBUS_FC_WRITE_MULTIPLE_REGISTERS = 0x10,
  DC_MODBUS_FC_MASK_WRITE_REGISTER      = 0x16,
} DcModbusFunction;

typedef enum
{
  DC_MODBUS_EX_ILLEGAL_FUNCTION         = 0x01,
  DC_MODBUS_EX_ILLEGAL_DATA_ADDRESS     = 0x02,
  DC_MODBUS_EX_ILLEGAL_DATA_VALUE       = 0x03,
  DC_MODBUS_EX_SERVER_DEVICE_FAILURE    = 0x04,
  DC_MODBUS_EX_ACKNOWLEDGE              = 0x05,
  DC_MODBUS_EX_SERVER_DEVICE_BUSY       = 0x06,
  DC_MODBUS_EX_MEMORY_PARITY_ERROR      = 0x08,
  DC_MODBUS_EX_GATEWAY_PATH_UNAVAILABLE = 0x0A,
  DC_MODBUS_EX_GATEWAY_TARGET_FAILED    = 0x0B,
} DcModbusException;

typedef enum
{
  DC_MODBUS_TABLE_CO,
  DC_MODBUS_TABLE_DI,
  DC_MODBUS_TABLE_IR,
  DC_MODBUS_TABLE_HR,
} DcModbusTable;

typedef enum
{
  DC_MODBUS_TYPE_BOOL,
  DC_MODBUS_TYPE_U16,
  DC_MODBUS_TYPE_I16,
  DC_MODBUS_TYPE_U32,
  DC_MODBUS_TYPE_I32,
  DC_MODBUS_TYPE_F32,
  DC_MODBUS_TYPE_U64,
  DC_MODBUS_TYPE_I64,
  DC_MODBUS_TYPE_F64,
  DC_MODBUS_TYPE_BIT,
} DcModbusType;

/* Byte order inside a word and word order, named by the letters of a big-endian value. */
typedef enum
{
  DC_MODBUS_ORDER_ABCD,
  DC_MODBUS_ORDER_CDAB,
  DC_MODBUS_ORDER_BADC,
  DC_MODBUS_ORDER_DCBA,
} DcModbusOrder;

typedef struct
{
  DcModbusTable table;
  DcModbusType  type;
  DcModbusOrder order;
  guint8        bit;    /* DC_MODBUS_TYPE_BIT: 0–15 */
} DcModbusCodeType;

const char *dc_modbus_table_to_string     (DcModbusTable           table);
const char *dc_modbus_type_to_string      (DcModbusType            type);
const char *dc_modbus_order_to_string     (DcModbusOrder           order);
/* "illegal function", …, "gateway target failed to respond"; "exception 0xNN" otherwise. */
const char *dc_modbus_exception_name      (guint8                  code);
const char *dc_modbus_function_name       (guint8                  function);

/* Parses "<table>:<type>[:<order>]" (docs/modbus.md). Errors are DC_ERROR_INVALID naming the field:
 * "field code_type …". */
gboolean    dc_modbus_code_type_parse     (const char             *text,
                                           DcModbusCodeType       *code_type,
                                           GError                **error);
/* Canonical text, e.g. "hr:f32:cdab", "hr:bit3", "co:bool". */
char       *dc_modbus_code_type_to_string (const DcModbusCodeType *code_type);
/* Parses a 0-based protocol address 0–65535 (decimal). */
gboolean    dc_modbus_address_parse       (const char             *text,
                                           guint16                *address,
                                           GError                **error);
/* Registers (or bits for co/di) the type occupies. */
guint       dc_modbus_code_type_width     (const DcModbusCodeType *code_type);
gboolean    dc_modbus_table_is_bits       (DcModbusTable           table);
gboolean    dc_modbus_table_is_writable   (DcModbusTable           table);
guint8      dc_modbus_table_read_function (DcModbusTable           table);

/* Raw (unscaled) value from @words (host-order register values as read, in wire order;
 * dc_modbus_code_type_width() of them). For bool, words[0] is 0 or 1. */
double      dc_modbus_decode_raw          (const DcModbusCodeType *code_type,
                                           const guint16          *words);
/* Inverse of dc_modbus_decode_raw for an already range-checked raw value. For bitN, @words[0]
 * must hold the current register; the bit is replaced. */
void        dc_modbus_encode_raw          (const DcModbusCodeType *code_type,
                                           double                  raw,
                                           guint16                *words);
/* Engineering value → raw: raw = (value − base_val) / coefficient, rounded for integer types and
 * range-checked. Errors (DC_ERROR_INVALID): "point is read-only",
 * "value 70000 is out of range for hr:u16 (0 to 65535)". */
gboolean    dc_modbus_inverse_scale       (const DcModbusCodeType *code_type,
                                           double                  value,
                                           double                  coefficient,
                                           double                  base_val,
                                           double                 *raw,
                                           GError                **error);

/* Request planning. Items are points of one device; the plan merges points of the same unit and
 * table into as few requests as possible. */
typedef struct
{
  guint8           unit;
  guint16          address;
  DcModbusCodeType code_type;
  guint            index;     /* caller's index, returned in the plan */
} DcModbusPlanItem;

typedef struct
{
  guint8         unit;
  DcModbusTable  table;
  guint16        address;
  guint16        count;      /* registers or bits */
  guint          first_item; /* range in DcModbusPlan.items */
  guint          n_items;
} DcModbusRequest;

typedef struct
{
  GArray *requests;  /* DcModbusRequest */
  GArray *items;     /* DcModbusPlanItem, sorted, grouped by request */
} DcModbusPlan;

/* @items: DcModbusPlanItem (not modified). @max_gap_registers: gap read through (registers;
 * bits use 16× this). */
DcModbusPlan *dc_modbus_plan_new          (GArray                 *items,
                                           guint                   max_registers,
                                           guint                   max_bits,
                                           guint                   max_gap_registers);
void          dc_modbus_plan_free         (DcModbusPlan           *plan);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DcModbusPlan, dc_modbus_plan_free)

/* PDU builders: write the PDU (function code first) into @pdu (≥ 253 bytes) and return its
 * length. */
gsize       dc_modbus_pdu_read            (guint8                 *pdu,
                                           guint8                  function,
                                           guint16                 address,
                                           guint16                 count);
gsize       dc_modbus_pdu_write_coil      (guint8                 *pdu,
                                           guint16                 address,
                                           gboolean                on);
gsize       dc_modbus_pdu_write_register  (guint8                 *pdu,
                                           guint16                 address,
                                           guint16                 value);
gsize       dc_modbus_pdu_write_registers (guint8                 *pdu,
                                           guint16                 address,
                                           const guint16          *values,
                                           guint16                 count);
gsize       dc_modbus_pdu_mask_write      (guint8                 *pdu,
                                           guint16                 address,
                                           guint16                 and_mask,
                                           guint16                 or_mask);

/* MBAP: prefixes a PDU with the 7-byte header into @adu; returns the ADU length. */
gsize       dc_modbus_mbap_wrap           (guint8                 *adu,
                                           guint16                 transaction,
                                           guint8                  unit,
                                           const guint8           *pdu,
                                           gsize                   pdu_len);
/* Length of the complete ADU starting at @buf (≥ 7 bytes available), or 0 when the header is
 * invalid (protocol id ≠ 0 or length out of 2–254). */
gsize       dc_modbus_mbap_frame_length   (const guint8           *buf);
guint16     dc_modbus_crc16               (const guint8           *buf,
                                           gsize                   len);

/* Checks a response PDU against the request that was sent. Returns TRUE for a valid normal
 * response; sets *exception (0 when none) for an exception response (and returns FALSE with
 * @error NULL); returns FALSE with @error set for a malformed response (an exception code 0
 * is one). For reads, @values (≥ count entries) receives the registers or bits (0/1). */
gboolean    dc_modbus_check_response      (const guint8           *request_pdu,
                                           gsize                   request_len,
                                           const guint8           *response_pdu,
                                           gsize                   response_len,
                                           guint16                *values,
                                           guint8                 *exception,
                                           char                  **error);

/* Decodes one frame for the traffic view (GET …/frames): @rtu selects RTU framing (unit, PDU,
 * CRC) over MBAP; @incoming tells a response (client side) from a request. Returns the one-line
 * summary; *decoded receives {transaction?, unit, function, function_name, address?, count?,
 * values?, exception?, exception_name?}; *error a decode error text (the summary then describes
 * what could be read). */
char       *dc_modbus_decode_frame        (const guint8           *bytes,
                                           gsize                   len,
                                           gboolean                rtu,
                                           gboolean                incoming,
                                           JsonObject            **decoded,
                                           char                  **error);

G_END_DECLS
