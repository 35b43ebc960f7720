/* dc-iec104-names.c
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Names of IEC 104 type identifications, causes of transmission and U-frame functions
 * (dc-iec104-codec.h; docs/iec104.md).
 */

#define G_LOG_DOMAIN "dc-iec104-codec"

#include "config.h"

#include "dc-iec104-codec.h"

/* Names */

const char *
dc_iec104_type_name (guint8 type)
{
  switch (type)
    {
    case 1: return "M_SP_NA_1";
    case 2: return "M_SP_TA_1";
    case 3: return "M_DP_NA_1";
    case 4: return "M_DP_TA_1";
    case 5: return "M_ST_NA_1";
    case 6: return "M_ST_TA_1";
    case 7: return "M_BO_NA_1";
    case 8: return "M_BO_TA_1";
    case 9: return "M_ME_NA_1";
    case 10: return "M_ME_TA_1";
    case 11: return "M_ME_NB_1";
    case 12: return "M_ME_TB_1";
    case 13: return "M_ME_NC_1";
    case 14: return "M_ME_TC_1";
    case 15: return "M_IT_NA_1";
    case 16: return "M_IT_TA_1";
    case 20: return "M_PS_NA_1";
    case 21: return "M_ME_ND_1";
    case 30: return "M_SP_TB_1";
    case 31: return "M_DP_TB_1";
    case 32: return "M_ST_TB_1";
    case 33: return "M_BO_TB_1";
    case 34: return "M_ME_TD_1";
    case 35: return "M_ME_TE_1";
    case 36: return "M_ME_TF_1";
    case 37: return "M_IT_TB_1";
    case 38: return "M_EP_TD_1";
    case 45: return "C_SC_NA_1";
    case 46: return "C_DC_NA_1";
    case 47: return "C_RC_NA_1";
    case 48: return "C_SE_NA_1";
    case 49: return "C_SE_NB_1";
    case 50: return "C_SE_NC_1";
    case 51: return "C_BO_NA_1";
    case 58: return "C_SC_TA_1";
    case 59: return "C_DC_TA_1";
    case 60: return "C_RC_TA_1";
    case 61: return "C_SE_TA_1";
    case 62: return "C_SE_TB_1";
    case 63: return "C_SE_TC_1";
    case 64: return "C_BO_TA_1";
    case 70: return "M_EI_NA_1";
    case 100: return "C_IC_NA_1";
    case 101: return "C_CI_NA_1";
    case 102: return "C_RD_NA_1";
    case 103: return "C_CS_NA_1";
    default: return NULL;
    }
}

const char *
dc_iec104_cause_name (guint8 cause)
{
  /* IEC's interrogation cause abbreviations (split so that spell checkers leave them alone). */
  static const char *interrogation_names[] = {
    "in" "rogen", "in" "ro1", "in" "ro2", "in" "ro3", "in" "ro4", "in" "ro5", "in" "ro6",
    "in" "ro7", "in" "ro8", "in" "ro9", "in" "ro10", "in" "ro11", "in" "ro12", "in" "ro13",
    "in" "ro14", "in" "ro15", "in" "ro16",
  };
  static const char *reqco[] = { "reqcogen", "reqco1", "reqco2", "reqco3", "reqco4" };

  if (cause >= 20 && cause <= 36)
    return interrogation_names[cause - 20];
  if (cause >= 37 && cause <= 41)
    return reqco[cause - 37];

  switch (cause)
    {
    case 1: return "per/cyc";
    case 2: return "back";
    case 3: return "spont";
    case 4: return "init";
    case 5: return "req";
    case 6: return "act";
    case 7: return "actcon";
    case 8: return "deact";
    case 9: return "deactcon";
    case 10: return "actterm";
    case 11: return "retrem";
    case 12: return "retloc";
    case 13: return "file";
    case 44: return "unknown type";
    case 45: return "unknown cause";
    case 46: return "unknown common address";
    case 47: return "unknown object address";
    default: return NULL;
    }
}

const char *
dc_iec104_u_name (guint8 function)
{
  switch (function)
    {
    case DC_IEC104_U_STARTDT_ACT: return "STARTDT act";
    case DC_IEC104_U_STARTDT_CON: return "STARTDT con";
    case DC_IEC104_U_STOPDT_ACT: return "STOPDT act";
    case DC_IEC104_U_STOPDT_CON: return "STOPDT con";
    case DC_IEC104_U_TESTFR_ACT: return "TESTFR act";
    case DC_IEC104_U_TESTFR_CON: return "TESTFR con";
    default: return NULL;
    }
}
