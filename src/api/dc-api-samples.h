/* dc-api-samples.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-engine.h"
#include "dc-server.h"

G_BEGIN_DECLS

/* Adds the sample routes of docs/rest.md to @server: `…/datas` (window, limit, buckets, CSV,
 * truncation header), `…/datas/{index}`, GET /api/v1/values, POST /api/v1/device_call and
 * /api/v1/device_ctrl (through the engine's drivers). @max_samples is --max-samples. */
void dc_api_add_sample_routes (DcServer *server,
                               DcEngine *engine,
                               gint64    max_samples);

G_END_DECLS
