/* dc-protocol.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include <json-glib/json-glib.h>

#include "dc-model.h"

G_BEGIN_DECLS

/* The protocol registry (docs/ARCHITECTURE.md "protocols"): what DataColl knows about a device
 * protocol lives in the protocol's folder (src/protocols/<name>/) and reaches the rest of the
 * program through one DcProtocol descriptor per protocol name, registered at start
 * (dc_protocols_register_all() in src/protocols, called by main.c, the simulator and the tests).
 *
 * The store validates devices, terms and points with it (protocol names, term addresses, point
 * addresses and code types, address uniqueness), the engine creates drivers with it, and the UI
 * builds its edit forms and point texts from it. The registry sits with the store because the
 * store is the lowest layer that needs it; the driver factory is typed through the forward
 * declared struct _DcDriver so that the store does not depend on the engine.
 *
 * Threads: register on the main thread before anything looks up; lookups are thread-safe. A
 * descriptor returned by a lookup stays valid for the life of the process (registering the same
 * name again updates it in place). */

struct _DcDriver;

typedef enum
{
  DC_PROTOCOL_FIELD_TEXT,
  DC_PROTOCOL_FIELD_INT,
  DC_PROTOCOL_FIELD_NUMBER,
  DC_PROTOCOL_FIELD_BOOL,
  DC_PROTOCOL_FIELD_CHOICE,
} DcProtocolFieldType;

/* Where an edit form shows a protocol's field. */
typedef enum
{
  /* Devices: the link settings, after the protocol. Points: the address, after protocol_code. */
  DC_PROTOCOL_PLACE_MAIN,
  /* After the fields every protocol has. */
  DC_PROTOCOL_PLACE_END,
} DcProtocolPlace;

typedef struct
{
  const char *value;   /* stored value ("" = absent) */
  const char *label;   /* shown (N_() text or literal); NULL = the value itself */
} DcProtocolOption;

/* One field of the edit forms that applies to a protocol. Keys that are not JSON members of
 * the entity (a point's code_type pickers) are put together by code_type_from_fields. */
typedef struct
{
  DcKind                  kind;            /* DC_KIND_DEVICE or DC_KIND_POINT */
  const char             *key;
  const char             *label;           /* N_() */
  DcProtocolFieldType     type;
  const DcProtocolOption *options;         /* DC_PROTOCOL_FIELD_CHOICE, NULL-value terminated */
  const char             *hint;            /* the default, shown as placeholder; nullable */
  const char             *default_value;   /* preset in a new form; nullable */
  DcProtocolPlace         place;
  gboolean                code_type_part;  /* a picker of code_type, not a JSON member */
} DcProtocolField;

/* What a point's value means, for its presentation. */
typedef enum
{
  DC_PROTOCOL_VALUE_ANALOG,
  DC_PROTOCOL_VALUE_SINGLE,   /* 0/1 state */
  DC_PROTOCOL_VALUE_DOUBLE,   /* IEC 104 double point: 1 off, 2 on */
} DcProtocolValueKind;

typedef enum
{
  DC_PROTOCOL_CONTROL_VALUE,   /* any raw value in [raw_min, raw_max] */
  DC_PROTOCOL_CONTROL_SINGLE,  /* off 0 / on 1 */
  DC_PROTOCOL_CONTROL_DOUBLE,  /* off 1 / on 2 */
  DC_PROTOCOL_CONTROL_STEP,    /* lower 1 / higher 2 */
} DcProtocolControlKind;

/* How a point is controlled (device_ctrl), for the control dialog. */
typedef struct
{
  char                  *type_text;  /* "C_SC_NA_1 (45)", "hr:u16"; owned by the caller */
  DcProtocolControlKind  kind;
  double                 raw_min;    /* DC_PROTOCOL_CONTROL_VALUE; ±INFINITY when open */
  double                 raw_max;
  gboolean               integer;    /* raw values are integers */
} DcProtocolControl;

/* The edit forms' access to their fields by key; get returns NULL for an empty field. */
typedef void        (*DcProtocolSetFunc) (const char *key,
                                          const char *text,
                                          gpointer    user_data);
typedef const char *(*DcProtocolGetFunc) (const char *key,
                                          gpointer    user_data);

typedef struct _DcProtocol DcProtocol;

/* A protocol's entry in the terminal catalogue of docs/rest.md (GET /api/v1/term_protocols),
 * fixed English; protocols that share terminals (Modbus TCP and RTU) share one entry. */
typedef struct
{
  const char *key;             /* "modbus" */
  const char *name;            /* "Modbus unit" */
  const char *address;
  const char *protocol_code;
  const char *code_type;
} DcProtocolTermInfo;

struct _DcProtocol
{
  const char *name;     /* the device's "protocol": "modbus_tcp" */
  const char *title;    /* N_("Modbus TCP") */
  /* The place in the edit form's protocol list, lowest first (ties in registration order);
   * the lowest is the new device's default. */
  int         ui_order;
  /* The device's icon in the plant tree while its link state is unknown; NULL = the generic
   * network icon. */
  const char *icon_name;

  /* The catalogues of docs/rest.md (fixed English, part of the API): the device protocol's
   * description (GET /api/v1/device_protocols) and the terminal entry; NULL = not listed. */
  const char               *description;
  const DcProtocolTermInfo *term_info;

  /* Main thread. A new driver for a device of this protocol; NULL when the protocol has none. */
  struct _DcDriver *(*driver_new) (void);

  /* A term's "address": unit id, common address. term_address_max 0 = 0 to 65535. */
  gint64      term_address_min;
  gint64      term_address_max;
  const char *term_address_what;   /* " (Modbus unit id)", appended to the error text */

  /* Checks the device's protocol-specific fields (the texts of docs/rest.md); NULL = none
   * beyond the common rules. */
  gboolean  (*validate_device)  (JsonObject        *device,
                                 GError           **error);
  /* Checks a point's protocol_code and code_type (the texts of docs/rest.md); NULL = any. */
  gboolean  (*validate_point)   (JsonObject        *point,
                                 GError           **error);
  /* The address range the point occupies, for the uniqueness rule of docs/rest.md (see
   * dc_protocol_point_address()); NULL = points have no address. */
  gboolean  (*point_address)    (JsonObject        *point,
                                 gint64             term_address,
                                 char             **space,
                                 gint64            *first,
                                 gint64            *last,
                                 int               *bit);

  /* Presentation, all nullable. "IOA 100", "hr 3" from the point's protocol_code text @code. */
  char     *(*format_address)   (JsonObject        *point,
                                 const char        *code);
  DcProtocolValueKind (*value_kind) (JsonObject    *point);
  /* FALSE when the point cannot be controlled. */
  gboolean  (*control_info)     (JsonObject        *point,
                                 DcProtocolControl *control);

  /* Edit forms: the fields that apply (NULL-key terminated), the field that shows code_type
   * errors, and code_type split into / put together from its pickers. */
  const DcProtocolField *fields;
  const char            *code_type_field;
  void      (*code_type_to_fields)   (JsonNode          *code_type,
                                      DcProtocolSetFunc  set,
                                      gpointer           user_data);
  JsonNode *(*code_type_from_fields) (DcProtocolGetFunc  get,
                                      gpointer           user_data);

  /* Type names: "M_ME_NC_1" ⇄ 13 for IEC 104; NULL / -1 when unknown. */
  const char *(*type_name)      (int                code);
  int         (*type_code)      (const char        *name);

  /* The traffic view's byte-by-byte notes on a captured frame (main thread): appends one line
   * per field from *@offset on to @out and advances *@offset past what it described; the
   * caller notes the rest. @kind is the frame's kind as the view shows it ("M_ME_NC_1").
   * NULL = no notes. */
  void      (*describe_frame)   (const guint8      *bytes,
                                 gsize              len,
                                 const char        *kind,
                                 gsize             *offset,
                                 GString           *out);
  /* The traffic view: decoded frames carry a request/answer "transaction" (a request without
   * answer within the device's timeout_ms is marked); frames travel on a serial line (no pcap
   * export); the TCP port of the pcap export when the device has none (0 = 502). */
  gboolean    traffic_transactions;
  gboolean    serial_line;
  guint16     default_port;
};

/* Registers (a copy of) @protocol, replacing the one of the same name in place. */
void               dc_protocol_register           (const DcProtocol  *protocol);
const DcProtocol  *dc_protocol_lookup             (const char        *name);
/* The registered protocols in registration order; free the array with g_free(). */
const DcProtocol **dc_protocol_list               (guint             *n_protocols);
/* The same in the order of the edit form's protocol list (ui_order, then registration). */
const DcProtocol **dc_protocol_list_for_ui        (guint             *n_protocols);

/* Store checks (DC_ERROR_INVALID, texts of docs/rest.md). A device's "protocol" must be a
 * registered name: "field protocol must be one of iec104, modbus_tcp, …". */
gboolean           dc_protocol_check_name         (JsonNode          *node,
                                                   const char        *field,
                                                   GError           **error);
/* A point's protocol_code and code_type for the protocol of its device (nullable). */
gboolean           dc_protocol_validate_point     (const char        *protocol,
                                                   JsonObject        *point,
                                                   GError           **error);
/* The protocol address range a point occupies, for the uniqueness rule of docs/rest.md.
 * Modbus: @space = "unit/table", [@first, @last] registers or bits, @bit = N for bitN points
 * else -1. IEC 104: @space = "ca", @first = @last = IOA. Returns FALSE when the point has no
 * address (virtual, formula) or its address does not parse. */
gboolean           dc_protocol_point_address      (const char        *protocol,
                                                   JsonObject        *point,
                                                   gint64             term_address,
                                                   char             **space,
                                                   gint64            *first,
                                                   gint64            *last,
                                                   int               *bit);

G_END_DECLS
