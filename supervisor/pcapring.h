/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The packet ring: tcpdump capturing SMB traffic (the configured filter and
 * snap length) into packet_files rotating files of packet_file_mb each
 * (-C/-W, packet-buffered -U), in /run/aodv2/recorder.<pid>/ (tmpfs: RAM,
 * bounded by the ring's size, not the output directory's disk budget).
 *
 * tcpdump runs as the service user with only CAP_NET_RAW (ambient, so it
 * survives exec), no_new_privs, and dies with the supervisor
 * (PR_SET_PDEATHSIG). It is restarted when it dies (1 s doubling to 60 s);
 * its stderr is logged (bounded). collectord gets the directory as an fd
 * with each anomaly and cuts the packets around the trigger itself.
 *
 * Promise: after pcapring_close no capture process, ring file or directory
 * is left; a directory left by a supervisor that no longer runs is removed
 * at open.
 */
#ifndef SUP_PCAPRING_H
#define SUP_PCAPRING_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "loop.h"

#define PCAPRING_RUN_DIR "/run/aodv2"
#define PCAPRING_BASE "packets.pcap"

struct pcapring {
	struct loop *loop;
	uid_t uid;
	gid_t gid;
	char dir[96];         /* PCAPRING_RUN_DIR/recorder.<pid> */
	int dirfd;            /* -1 when there is no ring */
	pid_t pid;            /* tcpdump, 0 when not running */
	int err_fd;           /* its stderr */
	struct loop_watch err_watch;
	int tfd;              /* restart timer */
	struct loop_watch tfd_watch;
	uint64_t started_ns;
	uint32_t delay_ms;    /* next restart delay */
	unsigned lines;       /* stderr lines logged for this process */
	char *filter;
	uint32_t snaplen, file_mb, files;
};

void pcapring_init(struct pcapring *p);
/* Makes the ring directory and starts tcpdump. 0 or -errno (logged). */
int pcapring_open(struct pcapring *p, struct loop *loop, uid_t uid, gid_t gid,
		  const struct aod_recorder_cfg *cfg);
/* pid was reaped: true when it was the capture (then restarted later). */
bool pcapring_reaped(struct pcapring *p, pid_t pid, int status);
/* A new O_DIRECTORY fd of the ring, or -errno. */
int pcapring_open_dir(const struct pcapring *p);
/* Stops tcpdump (SIGTERM, then SIGKILL after 1 s), removes the files. */
void pcapring_close(struct pcapring *p);

#endif
