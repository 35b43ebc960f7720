/* bench-history-common.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */

#pragma once

#include "dc-history.h"

G_BEGIN_DECLS

/* What bench-history (sqlite) and bench-history-pg share: the synthetic workloads, the
 * writer's push loop, the query medians, the load average and the clean-up of a database. */

#define SEC ((gint64) G_USEC_PER_SEC)
#define BATCH 1000

typedef struct
{
  const char *name;
  guint       n_keys;     /* points, one sample each per step */
  gint64      step;       /* µs between samples of one point */
  guint64     n_rows;
} Workload;

/* The time of the first sample of every workload (set once by main). */
extern gint64 bench_t_base;

/* Rows @first … @first + @n - 1 of @w: keys 1 … n_keys round robin, a sine as value. */
void   bench_fill_batch      (const Workload *w,
                              guint64         first,
                              DcSample       *out,
                              guint           n);
/* @w's rows pushed into @h in batches of BATCH (waiting for room as a caller without a main
 * loop does) until all are committed: rows/s from the first push to the commit. */
double bench_push_rate       (DcHistory      *h,
                              const Workload *w);
/* Medians of 9 runs each: buckets=1000 over the whole span of key 1 in @w, and the newest
 * 1,000 samples (datas?limit=1000). */
void   bench_query_medians   (DcHistory      *h,
                              const Workload *w,
                              double         *buckets_ms,
                              double         *limit_ms,
                              guint          *n_buckets);
double bench_median          (double         *v,
                              guint           n);
/* The 1-minute load average; figures are noisy from 1.5. */
double bench_load_average    (void);
const char *bench_noisy      (void);
/* Removes the sqlite database @path with its -wal and -shm files. */
void   bench_remove_sqlite   (const char     *path);

G_END_DECLS
