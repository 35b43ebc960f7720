/* dc-test-serial.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

/* Serial lines for the RTU tests: a socat pseudo-terminal pair (two linked ptys, as a null-modem
 * cable between two serial ports), and a fault-injecting relay between two such pairs:
 *
 *   driver ⇄ master  ══ pair ══  relay side A ⇄ [relay] ⇄ relay side B  ══ pair ══  peer
 *
 * The relay reads whole RTU frames (their length from the function code) and passes them on,
 * through the fault set at the time. */

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _DcTestPtyPair DcTestPtyPair;

/* Spawns socat with two raw ptys linked at @path_a and @path_b and waits until it relays;
 * socat dies with the test. */
DcTestPtyPair *dc_test_pty_pair_new      (const char    *path_a,
                                          const char    *path_b);
/* Closes the pair (SIGTERM to socat, then waits): both ends see the line go away. */
void           dc_test_pty_pair_close    (DcTestPtyPair *self);
void           dc_test_pty_pair_free     (DcTestPtyPair *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DcTestPtyPair, dc_test_pty_pair_free)

typedef enum
{
  DC_TEST_SERIAL_PASS,       /* frames passed on as read */
  DC_TEST_SERIAL_NOISE,      /* @arg random bytes follow each answer (written with it): noise on
                              * the line between frames */
  DC_TEST_SERIAL_CORRUPT,    /* one bit of each answer's last byte inverted: a CRC error */
  DC_TEST_SERIAL_MUTE_UNIT,  /* requests to unit @arg are not passed on: a dead unit */
} DcTestSerialFault;

typedef struct _DcTestSerialRelay DcTestSerialRelay;

/* Relays between the ptys at @master_side (the driver's pair) and @peer_side (the peer's). */
DcTestSerialRelay *dc_test_serial_relay_new       (const char         *master_side,
                                                   const char         *peer_side);
void               dc_test_serial_relay_set_fault (DcTestSerialRelay  *self,
                                                   DcTestSerialFault   fault,
                                                   guint               arg);
/* Answers passed on, and answers passed on through a NOISE or CORRUPT fault, so far. */
guint              dc_test_serial_relay_n_answers (DcTestSerialRelay  *self);
guint              dc_test_serial_relay_n_faulted (DcTestSerialRelay  *self);
void               dc_test_serial_relay_free      (DcTestSerialRelay  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DcTestSerialRelay, dc_test_serial_relay_free)

G_END_DECLS
