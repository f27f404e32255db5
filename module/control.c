// SPDX-License-Identifier: GPL-2.0
/*
 * The tracing state machine: STOPPED <-> RUNNING.
 *
 * START allocates everything the hooks will need (per-CPU rings, socket
 * and tag tables) before registering a single hook, so hooks never
 * allocate.  STOP unregisters every hook first, which waits for callbacks
 * in flight, then delivers what is still buffered and frees.  One mutex
 * orders concurrent START/STOP requests from any number of processes.
 */
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/string.h>

#include "skbstamp.h"
#include "track.h"

#define SKS_BUFFER_DEFAULT	4096
#define SKS_BUFFER_MIN		64
#define SKS_BUFFER_MAX		1048576

static DEFINE_MUTEX(sks_ctl_lock);
static enum skbstamp_state sks_cur = SKBSTAMP_STATE_STOPPED;
static bool sks_ever_started;
/* Counters of the last run, kept after STOP so they can still be read. */
static struct sks_counters sks_last;

struct sks_config sks_cfg;

enum skbstamp_state sks_state(void)
{
	return READ_ONCE(sks_cur);
}

/*
 * Every available stage but hw: asking a NIC for hardware stamps takes its
 * timestamping resources (often one packet at a time) from whoever
 * configured it, such as ptp4l, so that is only done when asked for.
 */
void sks_config_default(struct sks_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->stages = sks_stages_avail() & ~BIT(SKBSTAMP_STAGE_HW);
	cfg->buffer = SKS_BUFFER_DEFAULT;
}

static int sks_config_check(struct sks_config *cfg,
			    struct netlink_ext_ack *extack)
{
	u32 avail = sks_stages_avail();

	if (!cfg->stages) {
		NL_SET_ERR_MSG(extack, "no stage selected");
		return -EINVAL;
	}
	if (cfg->stages & ~avail) {
		NL_SET_ERR_MSG(extack,
			       "a selected stage is not available on this kernel");
		return -EOPNOTSUPP;
	}
	if (cfg->buffer < SKS_BUFFER_MIN || cfg->buffer > SKS_BUFFER_MAX) {
		NL_SET_ERR_MSG(extack, "buffer must be 64 .. 1048576 records");
		return -ERANGE;
	}
	cfg->buffer = roundup_pow_of_two(cfg->buffer);
	return 0;
}

static void sks_free_all(void)
{
	sks_tag_free();
	sks_sock_free();
	sks_ring_free();
}

int sks_start(const struct sks_config *req, struct netlink_ext_ack *extack)
{
	struct sks_config cfg = *req;
	int err;

	mutex_lock(&sks_ctl_lock);
	if (sks_cur == SKBSTAMP_STATE_RUNNING) {
		NL_SET_ERR_MSG(extack, "tracing is already running");
		err = -EBUSY;
		goto out;
	}
	err = sks_config_check(&cfg, extack);
	if (err)
		goto out;

	err = sks_ring_alloc(cfg.buffer);
	if (!err)
		err = sks_sock_alloc();
	if (!err)
		err = sks_tag_alloc();
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot allocate the buffers");
		sks_free_all();
		goto out;
	}
	sks_cfg = cfg;
	sks_drain_start();
	/* Sampling is decided at the send call, whichever stages are traced. */
	err = sks_hooks_register(cfg.stages | (cfg.filter.sample > 1 ?
					       BIT(SKBSTAMP_STAGE_SENDMSG) : 0),
				 extack);
	if (err) {
		sks_drain_stop();
		sks_free_all();
		goto out;
	}
	sks_ever_started = true;
	WRITE_ONCE(sks_cur, SKBSTAMP_STATE_RUNNING);
	pr_info("tracing started, stages %#x, %u records per CPU\n",
		cfg.stages, cfg.buffer);
out:
	mutex_unlock(&sks_ctl_lock);
	return err;
}

/*
 * How long STOP waits for skbs tagged before it to reach their last stage
 * (TCP: the ACK) while their stamps are still intercepted.  Whatever is
 * left was dropped or belongs to a stalled connection; it is counted.
 */
#define SKS_STOP_GRACE_MS	2000

static void sks_stop_locked(void)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(SKS_STOP_GRACE_MS);
	u64 left;

	sks_hooks_unregister_taggers();
	while ((left = sks_tag_count()) && time_before(jiffies, deadline))
		msleep(20);
	sks_hooks_unregister_reporting();
	sks_drain_stop();
	sks_ring_counters(&sks_last);
	sks_last.tags_abandoned = left;
	sks_free_all();
	WRITE_ONCE(sks_cur, SKBSTAMP_STATE_STOPPED);
	pr_info("tracing stopped: %llu records, %llu delivered, %llu dropped (buffer full), %llu dropped (netlink), %llu tagged skbs abandoned\n",
		sks_last.generated, sks_last.delivered, sks_last.dropped_full,
		sks_last.dropped_send, sks_last.tags_abandoned);
}

int sks_stop(struct netlink_ext_ack *extack)
{
	int err = 0;

	mutex_lock(&sks_ctl_lock);
	if (sks_cur == SKBSTAMP_STATE_STOPPED) {
		NL_SET_ERR_MSG(extack, "tracing is not running");
		err = -EALREADY;
	} else {
		sks_stop_locked();
	}
	mutex_unlock(&sks_ctl_lock);
	return err;
}

/* At unload: stop if running, whatever the state. */
void sks_shutdown(void)
{
	mutex_lock(&sks_ctl_lock);
	if (sks_cur == SKBSTAMP_STATE_RUNNING)
		sks_stop_locked();
	mutex_unlock(&sks_ctl_lock);
}

bool sks_snapshot(struct sks_config *cfg, struct sks_counters *cnt)
{
	bool ret;

	mutex_lock(&sks_ctl_lock);
	ret = sks_ever_started;
	*cfg = sks_cfg;
	if (sks_cur == SKBSTAMP_STATE_RUNNING)
		sks_ring_counters(cnt);
	else
		*cnt = sks_last;
	mutex_unlock(&sks_ctl_lock);
	return ret;
}
