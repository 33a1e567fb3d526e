/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one epoll loop of every aodv2 process: every fd it watches is registered with a
 * struct loop_watch naming the callback and the object it belongs to, so the
 * loop dispatches without lookups. Timers are timerfds (CLOCK_MONOTONIC).
 */
#ifndef AOD_LOOP_H
#define AOD_LOOP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

struct loop;
struct loop_watch;

typedef void (*loop_fn)(struct loop_watch *w, uint32_t events);

struct loop_watch {
	loop_fn fn;
	void *obj;
	int fd;       /* -1 when not registered */
};

/* batch: events taken per epoll_wait (1..LOOP_BATCH_MAX). A process whose
 * callbacks free other watches' owners (collectord's tasks) takes 1, so no
 * stale event of a freed watch is still pending in the batch. */
#define LOOP_BATCH_MAX 32
int loop_open(struct loop **out, unsigned batch);
void loop_close(struct loop *l);
/* Registers fd; w must stay valid until loop_del. Returns 0 or -errno. */
int loop_add(struct loop *l, struct loop_watch *w, int fd, uint32_t events, loop_fn fn, void *obj);
int loop_mod(struct loop *l, struct loop_watch *w, uint32_t events);
void loop_del(struct loop *l, struct loop_watch *w);
/* loop_del, then closes the fd w watched (or only holds: w->fd set but not
 * registered). w->fd is -1 afterwards. */
void loop_del_close(struct loop *l, struct loop_watch *w);
/* Waits for readiness (timeout_ms -1 = forever) and dispatches. 0 or -errno. */
int loop_run_once(struct loop *l, int timeout_ms);

/* Blocks the signals in set and watches them through a signalfd registered
 * as w (EPOLLIN; w->fd is the signalfd, released with loop_del_close).
 * Returns 0 or -errno (nothing left open). */
int loop_add_signals(struct loop *l, struct loop_watch *w, const sigset_t *set, loop_fn fn,
		     void *obj);

/* timerfd helpers. Arming a timer from timer_new() cannot fail short of a
 * bug; if it does, the supervisor logs it and aborts (systemd restarts it)
 * rather than run on with a lost restart or deadline. */
int timer_new(void);
/* timer_new, registered as w (EPOLLIN): w->fd is the timerfd, to arm with
 * timer_arm_* or timerfd_settime, released with loop_del_close. Returns 0 or
 * -errno (nothing left open). */
int loop_add_timer(struct loop *l, struct loop_watch *w, loop_fn fn, void *obj);
void timer_arm_ms(int tfd, uint64_t ms);   /* one-shot, relative; 0 disarms */
void timer_arm_abs_ns(int tfd, uint64_t mono_ns); /* one-shot, absolute CLOCK_MONOTONIC */
void timer_ack(int tfd);                  /* reads the expiration count */

#endif
