/* dc-driver.h
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The driver interface lives in the core (src/core/dc-driver.h) so the engine can own drivers
 * without depending on any protocol; see docs/engine.md.
 */

#pragma once

#include "../core/dc-driver.h"
