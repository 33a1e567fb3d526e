// SPDX-License-Identifier: GPL-2.0-only
/*
 * The whole user-space pipeline with the real processes: aodv2-supervisor
 * replaying a binary recording into the shared ring -> aodv2-detectord ->
 * supervisor -> aodv2-collectord (and sweeperd running beside them).
 *
 *   bench_pipeline throughput   one recording of three phases at 1x, 4x and
 *       16x a base rate (default 1 M events/s, 1 s each, 1 s apart),
 *       replayed first at recorded speed (cost growth: the rate each phase
 *       achieved, CPU per event, memory after each phase), then the same
 *       file at --replay-speed max (the sustained rate: where it saturates).
 *       Rates come from `aodctl status` samples every 100 ms: the slope of
 *       the ring's produced counter between 10% and 90% of a phase's events.
 *   bench_pipeline emergency    background traffic (20 000 fast events/s)
 *       and one 1.5 s request every 300 ms; each is an emergency anomaly
 *       (cooldown 0, windows of 0.2 s: a window declares one emergency)
 *       whose only action is dmesg. The latency is from the
 *       event's timestamp (the replay produces it into the ring when that
 *       time comes) to collectord forking its first action, seen by the
 *       kernel's process connector; both are CLOCK_MONOTONIC.
 *
 * Usage: bench_pipeline throughput [BASE_EVENTS_PER_S [PHASE_SEC]]
 *        bench_pipeline emergency [COUNT]          (default 100)
 *
 * Events: latency events over the common commands, 1..15 ms, 1% of them
 * 30 ms (over the 20 ms default threshold: every window is an anomaly, the
 * rest suppressed by the 60 s cooldown), every 64th an error event (ENOENT,
 * not tracked). All figures are wall-clock on whatever else the machine runs.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "benchenv.h"
#include "cnproc.h"
#include "det_util.h"
#include "recording.h"

#define BATCH 4096
#define SAMPLE_NS (100 * BENCH_MS)
#define NPHASES 3

static const unsigned phase_mult[NPHASES] = { 1, 4, 16 };
static const int common_cmds[] = { 0x05, 0x06, 0x08, 0x09, 0x0e, 0x10, 0x11 };

struct writer {
	struct recording_writer *w;
	struct aod_event buf[BATCH];
	size_t n;
	uint64_t total;
	uint32_t rnd;
	bool fast_only; /* no 30 ms requests (no threshold anomalies) */
};

static uint32_t rnd_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static int writer_put(struct writer *w, const struct aod_event *ev)
{
	w->buf[w->n++] = *ev;
	w->total++;
	if (w->n < BATCH)
		return 0;
	w->n = 0;
	return recording_write(w->w, w->buf, BATCH);
}

/* A typical event at ts (relative ns). */
static int writer_traffic(struct writer *w, uint64_t ts)
{
	uint32_t r = rnd_next(&w->rnd);
	int cmd = common_cmds[r % (sizeof(common_cmds) / sizeof(common_cmds[0]))];
	struct aod_event ev = dt_lat(ts, cmd, 1 * MS + (r >> 8) % (14 * MS));

	if (!w->fast_only && (r >> 4) % 100 == 0)
		ev.latency_ns = 30 * MS;
	if (w->total % 64 == 63)
		ev = dt_err(ts, cmd, ENOENT);
	ev.message_id = w->total;
	return writer_put(w, &ev);
}

static int writer_open(struct writer *w, const char *path)
{
	memset(w, 0, sizeof(*w));
	w->rnd = 2463534242u;
	int rc = recording_create(path, &w->w);
	struct aod_event first = dt_lat(0, 0x08, 1 * MS); /* fixes the recording's 0 */
	return rc < 0 ? rc : writer_put(w, &first);
}

static int writer_close(struct writer *w)
{
	int rc = w->n ? recording_write(w->w, w->buf, w->n) : 0;
	int rc2 = recording_finish(w->w);
	return rc < 0 ? rc : rc2;
}

/* ---- throughput and cost growth ------------------------------------------ */

struct sample {
	uint64_t t, produced, consumed, dropped;
	struct bench_usage use;         /* the four processes together */
	uint64_t cpu_sup_ns, cpu_det_ns; /* on-CPU time of the supervisor, detectord */
	unsigned long priv_kib[BP_COUNT]; /* VmRSS - RssShmem of each process */
};

struct run {
	struct bench_sup sup;
	pid_t pids[BP_COUNT];
	struct sample *s;
	size_t n, cap;
};

static int run_sample(struct run *r)
{
	static char json[65536];
	struct bench_usage each[BP_COUNT];
	struct sample s;

	uint64_t t0 = bench_mono_ns();
	if (bench_status(&r->sup, json, sizeof(json)) < 0)
		return -EIO;
	s.t = t0 + (bench_mono_ns() - t0) / 2; /* the supervisor read its counters in between */
	s.produced = (uint64_t)bench_json_num(json, "ring", "produced");
	s.consumed = (uint64_t)bench_json_num(json, "ring", "consumed");
	s.dropped = (uint64_t)bench_json_num(json, "ring", "dropped");
	bench_usage_all(r->pids, &s.use, each);
	s.cpu_sup_ns = each[BP_SUPERVISOR].cpu_ns;
	s.cpu_det_ns = each[BP_DETECTORD].cpu_ns;
	for (int i = 0; i < BP_COUNT; i++)
		s.priv_kib[i] = each[i].rss_kib - each[i].shmem_kib;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 1024;
		struct sample *p = realloc(r->s, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		r->s = p;
		r->cap = cap;
	}
	r->s[r->n++] = s;
	return 0;
}

/* Replays path (max_speed or recorded) until every one of total events is
 * consumed, sampling; 0 or -errno. The supervisor is stopped afterwards. */
static int run_replay(struct run *r, const char *path, bool max_speed, uint64_t total)
{
	char source[300];
	int rc;

	memset(r, 0, sizeof(*r));
	/* The 60 s cooldown (default) keeps the collections down to one per
	 * anomaly type; the pipeline, not dmesg, is measured here. */
	rc = bench_sup_init(&r->sup, NULL);
	if (rc < 0)
		return rc;
	snprintf(source, sizeof(source), "replay:%s", path);
	rc = max_speed ? bench_sup_start(&r->sup, "--source", source, "--replay-speed", "max", NULL)
		       : bench_sup_start(&r->sup, "--source", source, NULL);
	if (rc == 0)
		rc = bench_sup_ready(&r->sup, r->pids, 20000);
	uint64_t deadline = bench_mono_ns() + 600 * BENCH_SEC;
	while (rc == 0 && (r->n == 0 || r->s[r->n - 1].consumed < total)) {
		if (bench_mono_ns() > deadline) {
			rc = -ETIMEDOUT;
			break;
		}
		bench_sleep_ns(SAMPLE_NS);
		rc = run_sample(r);
	}
	if (rc < 0)
		fprintf(stderr, "bench_pipeline: replay of %s: %s (log in %s)\n", path, strerror(-rc),
			r->sup.log);
	bench_sup_stop(&r->sup, rc < 0);
	return rc;
}

struct slope {
	double rate;            /* events/s */
	double sup_ns, det_ns;  /* CPU ns per event of the supervisor, detectord */
};

/* The rate and CPU per event between the samples where produced first
 * passes lo and last stays under hi. */
static int run_slope(const struct run *r, uint64_t lo, uint64_t hi, struct slope *sl)
{
	const struct sample *a = NULL, *b = NULL;

	for (size_t i = 0; i < r->n; i++) {
		if (!a && r->s[i].produced >= lo)
			a = &r->s[i];
		if (r->s[i].produced <= hi)
			b = &r->s[i];
	}
	if (!a || !b || b <= a || b->produced == a->produced)
		return -1;
	double n = (double)(b->produced - a->produced);
	sl->rate = n / ((double)(b->t - a->t) / 1e9);
	sl->sup_ns = (double)(b->cpu_sup_ns - a->cpu_sup_ns) / n;
	sl->det_ns = (double)(b->cpu_det_ns - a->cpu_det_ns) / n;
	return 0;
}

/* The first sample at which produced reached n (its memory). */
static const struct sample *run_at(const struct run *r, uint64_t n)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->s[i].produced >= n)
			return &r->s[i];
	return r->n ? &r->s[r->n - 1] : NULL;
}

static int bench_throughput(const char *dir, double base_rate, double phase_sec)
{
	char path[256], fig[160], how[320], id[64];
	uint64_t start[NPHASES], count[NPHASES];
	struct writer w;
	struct run rec, max;
	int rc;

	snprintf(path, sizeof(path), "%s/growth.aodrec", dir);
	rc = writer_open(&w, path);
	uint64_t ts = 1 * BENCH_SEC;
	for (int k = 0; rc == 0 && k < NPHASES; k++) {
		double rate = base_rate * phase_mult[k];
		count[k] = (uint64_t)(rate * phase_sec);
		start[k] = w.total;
		for (uint64_t i = 0; rc == 0 && i < count[k]; i++)
			rc = writer_traffic(&w, ts + (uint64_t)((double)i * 1e9 / rate));
		ts += (uint64_t)(phase_sec * 1e9) + 1 * BENCH_SEC;
	}
	int rc2 = writer_close(&w);
	if (rc < 0 || rc2 < 0) {
		fprintf(stderr, "bench_pipeline: writing %s: %s\n", path, strerror(rc < 0 ? -rc : -rc2));
		unlink(path);
		return -1;
	}
	uint64_t total = w.total;
	printf("recording: %" PRIu64 " events (%.0f MiB): phases of %.1f s at %.2f, %.2f, %.2f M events/s\n",
	       total, (double)total * sizeof(struct aod_event) / 1048576.0, phase_sec,
	       base_rate * phase_mult[0] / 1e6, base_rate * phase_mult[1] / 1e6,
	       base_rate * phase_mult[2] / 1e6);

	rc = run_replay(&rec, path, false, total);
	if (rc == 0) {
		double prev_mib = 0; /* after the previous phase */
		for (int k = 0; k < NPHASES; k++) {
			struct slope sl;
			uint64_t lo = start[k] + count[k] / 10, hi = start[k] + count[k] * 9 / 10;
			if (run_slope(&rec, lo, hi, &sl) < 0) {
				fprintf(stderr, "bench_pipeline: phase %ux: too few samples\n", phase_mult[k]);
				rc = -1;
				continue;
			}
			const struct sample *end = run_at(&rec, start[k] + count[k]);
			double offered = base_rate * phase_mult[k];
			snprintf(id, sizeof(id), "pipeline.growth_%ux", phase_mult[k]);
			snprintf(fig, sizeof(fig), "pipeline at %ux (%.2f M events/s offered): achieved rate",
				 phase_mult[k], offered / 1e6);
			/* Keeping up is reaching the offered rate (within sampling error);
			 * not keeping up is the saturation this figure is there to show. */
			snprintf(how, sizeof(how), "wall-clock, ring produced counter 10%%..90%% of %.1f M events: "
				 "%s; CPU/event supervisor %.0f ns, detectord %.0f ns", count[k] / 1e6,
				 sl.rate >= offered * 0.95 ? "keeps up" : "SATURATED (the replay fell behind)",
				 sl.sup_ns, sl.det_ns);
			bench_report(id, sl.rate / 1e6, "M/s", "-", fig, how);
			/* The ring's memfd pages (RssShmem) are bounded by its capacity and
			 * get touched as bursts fill it; what could grow per event is the
			 * rest (anonymous and file pages). */
			snprintf(id, sizeof(id), "pipeline.rss_after_%ux", phase_mult[k]);
			snprintf(fig, sizeof(fig), "memory of the 4 processes without the ring after the %ux phase "
				 "(%.1f M events so far)", phase_mult[k], (double)end->produced / 1e6);
			/* The last phase carries 16x the events of the first: the memory
			 * after it, against after the phase before (collectord's first
			 * collection and warm caches come earlier), shows per-event
			 * growth if there is any. */
			double mib = (end->use.rss_kib - end->use.shmem_kib) / 1024.0;
			char target[32] = "-";
			if (k == NPHASES - 1)
				snprintf(target, sizeof(target), "<=%.4g", prev_mib + 0.25);
			snprintf(how, sizeof(how), "VmRSS - RssShmem summed (sup %lu, det %lu, col %lu, swp %lu KiB; "
				 "VmRSS with the ring %.1f MiB)%s",
				 end->priv_kib[BP_SUPERVISOR], end->priv_kib[BP_DETECTORD], end->priv_kib[BP_COLLECTORD],
				 end->priv_kib[BP_SWEEPERD], end->use.rss_kib / 1024.0,
				 k == NPHASES - 1 ? "; target: at most 0.25 MiB above after the previous phase" : "");
			bench_report(id, mib, "MiB", target, fig, how);
			prev_mib = mib;
		}
		const struct sample *last = &rec.s[rec.n - 1];
		printf("recorded-speed run: dropped %" PRIu64 ", peak RSS sum (VmHWM) %.1f MiB\n", last->dropped,
		       last->use.hwm_kib / 1024.0);
	}
	free(rec.s);

	int rcm = run_replay(&max, path, true, total);
	if (rcm == 0) {
		struct slope sl;
		const struct sample *last = &max.s[max.n - 1];
		if (run_slope(&max, total / 10, total * 9 / 10, &sl) == 0) {
			double busier = sl.sup_ns > sl.det_ns ? sl.sup_ns : sl.det_ns;
			snprintf(how, sizeof(how), "wall-clock, replay --replay-speed max of %.1f M events, "
				 "ring produced 10%%..90%%; dropped %" PRIu64 "; CPU/event supervisor %.0f ns, "
				 "detectord %.0f ns", total / 1e6, last->dropped, sl.sup_ns, sl.det_ns);
			bench_report("pipeline.max_events_per_s", last->dropped ? 0 : sl.rate / 1e6, "M/s", "-",
				     "pipeline replay->ring->detectord: sustained events/s, zero drops (saturation)", how);
			bench_report("pipeline.cpu_capacity", 1e3 / busier, "M/s", "-",
				     "pipeline capacity from CPU time: 1 / CPU per event of the busier process",
				     "supervisor and detectord on-CPU ns per event at max rate (schedstat): "
				     "the rate with a free core each, whatever else the machine runs");
		} else {
			rcm = -1;
		}
		snprintf(how, sizeof(how), "VmHWM sum (the 4 MiB ring counts in supervisor and detectord); "
			 "PSS sum at the end %.1f MiB", last->use.pss_kib / 1024.0);
		bench_report("pipeline.peak_rss", last->use.hwm_kib / 1024.0, "MiB", "<16",
			     "pipeline: peak RSS of the 4 processes at max rate", how);
	}
	free(max.s);
	unlink(path);
	return rc < 0 || rcm < 0 ? -1 : 0;
}

/* ---- emergency latency ---------------------------------------------------- */

static int collection_times(const char *out, uint64_t *ts, size_t max)
{
	DIR *d = opendir(out);
	struct dirent *de;
	size_t n = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d)) != NULL && n < max)
		if (strncmp(de->d_name, "aod_", 4) == 0 &&
		    strspn(de->d_name + 4, "0123456789") == strlen(de->d_name + 4))
			ts[n++] = strtoull(de->d_name + 4, NULL, 10);
	closedir(d);
	bench_sort_u64(ts, n);
	return (int)n;
}

/* started_after_ms of the first action in a collection's manifest (the
 * time collectord itself took from receiving the anomaly to the fork), in
 * ns; 0 when not found. */
static uint64_t manifest_started_after(const char *out, uint64_t ts)
{
	char path[300], buf[16384];
	FILE *f;

	snprintf(path, sizeof(path), "%s/aod_%" PRIu64 "/manifest.json", out, ts);
	f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *p = strstr(buf, "\"started_after_ms\":");
	return p ? (uint64_t)(strtod(p + 19, NULL) * 1e6) : 0;
}

static int64_t wall_minus_mono(void)
{
	struct timespec m, w;

	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_REALTIME, &w);
	return ((int64_t)w.tv_sec - m.tv_sec) * (int64_t)BENCH_SEC + (w.tv_nsec - m.tv_nsec);
}

static int bench_emergency(const char *dir, unsigned n_emerg)
{
	static const char yaml[] =
		"watch_interval_sec: 0.2\n"
		"guardian:\n  anomalies:\n    latency:\n      cooldown_sec: 0\n      actions: [dmesg]\n";
	/* One emergency per window is declared: 300 ms apart, windows of 0.2 s. */
	const uint64_t period = 300 * BENCH_MS, gap = 50 * 1000; /* 20 000 events/s */
	char path[256], source[300], how[400];
	struct bench_sup sup;
	struct writer w;
	struct cnproc *cn;
	pid_t pids[BP_COUNT];
	int rc;

	snprintf(path, sizeof(path), "%s/emergency.aodrec", dir);
	rc = writer_open(&w, path);
	w.fast_only = true; /* one anomaly, one collection per emergency */
	uint64_t end = 1 * BENCH_SEC + n_emerg * period;
	unsigned k = 0;
	for (uint64_t ts = 1 * BENCH_SEC; rc == 0 && ts < end; ts += gap) {
		rc = writer_traffic(&w, ts);
		if (rc == 0 && ts >= 1 * BENCH_SEC + k * period + period / 2) {
			struct aod_event ev = dt_lat(ts, 0x08, 1500 * MS);
			ev.message_id = ++k;
			rc = writer_put(&w, &ev);
		}
	}
	int rc2 = writer_close(&w);
	if (rc < 0 || rc2 < 0 || (rc = cnproc_start(&cn)) < 0) {
		fprintf(stderr, "bench_pipeline: emergency setup: %s\n", strerror(rc < 0 ? -rc : -rc2));
		unlink(path);
		return -1;
	}
	int64_t offset = wall_minus_mono();
	rc = bench_sup_init(&sup, yaml);
	snprintf(source, sizeof(source), "replay:%s", path);
	if (rc == 0)
		rc = bench_sup_start(&sup, "--source", source, NULL);
	if (rc == 0)
		rc = bench_sup_ready(&sup, pids, 20000);
	if (rc == 0)
		bench_sleep_ns(end + 2 * BENCH_SEC);
	size_t nforks = 0;
	uint64_t *forks = cnproc_stop(cn, rc == 0 ? pids[BP_COLLECTORD] : -1, &nforks);
	uint64_t *colls = calloc(n_emerg + 16, sizeof(uint64_t)), *lat = calloc(n_emerg + 16, sizeof(uint64_t));
	int ncoll = rc == 0 && colls ? collection_times(sup.out, colls, n_emerg + 16) : -1;
	uint64_t *own = calloc(n_emerg + 16, sizeof(uint64_t));
	size_t nlat = 0;
	for (int i = 0; ncoll > 0 && lat && own && forks && i < ncoll; i++) {
		uint64_t in_ring = (uint64_t)((int64_t)colls[i] - offset);
		for (size_t j = 0; j < nforks; j++)
			if (forks[j] >= in_ring) {
				own[nlat] = manifest_started_after(sup.out, colls[i]);
				lat[nlat++] = forks[j] - in_ring;
				break;
			}
	}
	/* An emergency without a collection is a finding, reported as a figure;
	 * the supervisor's log is kept for it. */
	bench_sup_stop(&sup, ncoll != (int)k);
	unlink(path);
	if (ncoll != (int)k)
		fprintf(stderr, "bench_pipeline: %d collections for %u emergencies, %zu action forks seen "
			"(log kept in %s)\n", ncoll, k, nforks, sup.log);
	if (nlat == 0) {
		free(forks); free(colls); free(lat); free(own);
		return -1;
	}
	snprintf(how, sizeof(how), "%d collections for %u emergency events (one per 0.2 s window, 300 ms apart)",
		 ncoll, k);
	bench_report("pipeline.emergency_missed", (double)k - ncoll, "events", "<1",
		     "emergency events without an anomaly and a collection", how);
	bench_sort_u64(lat, nlat);
	bench_sort_u64(own, nlat);
	snprintf(how, sizeof(how), "wall-clock, %zu emergencies (1.5 s requests) amid 20k events/s; "
		 "event timestamp -> fork of the dmesg action (proc connector); max %.2f ms; "
		 "of which collectord itself (manifest started_after_ms) p50 %.2f p99 %.2f ms",
		 nlat, (double)lat[nlat - 1] / 1e6, (double)bench_quantile(own, nlat, 0.5) / 1e6,
		 (double)bench_quantile(own, nlat, 0.99) / 1e6);
	bench_report("pipeline.emergency_p50", (double)bench_quantile(lat, nlat, 0.5) / 1e6, "ms", "<10",
		     "emergency event in ring -> collectord starts first action, p50", how);
	bench_report("pipeline.emergency_p99", (double)bench_quantile(lat, nlat, 0.99) / 1e6, "ms", "<10",
		     "emergency event in ring -> collectord starts first action, p99", how);
	free(forks); free(colls); free(lat); free(own);
	return 0;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "all";
	double base = argc > 2 ? atof(argv[2]) : 1e6, phase = argc > 3 ? atof(argv[3]) : 1.0;
	char dir[] = "/var/tmp/aodbench-rec.XXXXXX";
	int rc = 0;

	if (!mkdtemp(dir)) {
		perror("bench_pipeline: mkdtemp");
		return 1;
	}
	if (strcmp(what, "throughput") == 0 || strcmp(what, "all") == 0)
		rc |= bench_throughput(dir, base, phase);
	if (strcmp(what, "emergency") == 0 || strcmp(what, "all") == 0)
		rc |= bench_emergency(dir, argc > 2 && strcmp(what, "emergency") == 0 ? (unsigned)atoi(argv[2]) : 100);
	rmdir(dir);
	return rc ? 1 : 0;
}
