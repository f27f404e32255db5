// SPDX-License-Identifier: GPL-2.0
/*
 * The tracing state machine: STOPPED <-> RUNNING.
 *
 * START allocates everything the hooks will need (per-CPU rings, socket
 * and tag tables) before registering a single hook, so hooks never
 * allocate.  STOP unregisters every hook first, which waits for callbacks
 * in flight, then delivers what is still buffered and frees.  One mutex
 * orders concurrent START/STOP/SET/RESET requests from any number of
 * processes.
 *
 * Hooks read the configuration through an RCU pointer, once per call, so
 * SET can replace it atomically: a hook sees the old configuration or the
 * new one, never a mix.
 */
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/string.h>

#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "skbstamp.h"
#include "hist.h"
#include "track.h"

#define SKS_BUFFER_DEFAULT	4096
#define SKS_BUFFER_MIN		64
#define SKS_BUFFER_MAX		1048576

static DEFINE_MUTEX(sks_ctl_lock);
static enum skbstamp_state sks_cur = SKBSTAMP_STATE_STOPPED;
static bool sks_ever_started;
/* Counters of the last run, kept after STOP so they can still be read. */
static u64 sks_tags_abandoned;

struct sks_config __rcu *sks_cfg_rcu __read_mostly;
/* The configuration of the current (or last) run; under sks_ctl_lock. */
static struct sks_config sks_cur_cfg;

enum skbstamp_state sks_state(void)
{
	return READ_ONCE(sks_cur);
}

/*
 * Every available transmit stage but hw: asking a NIC for hardware stamps
 * takes its timestamping resources (often one packet at a time) from
 * whoever configured it, such as ptp4l, so that is only done when asked
 * for.  The receive stages hook every packet the host receives, whoever
 * it is for, so they too are only traced when selected.
 */
void sks_config_default(struct sks_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->stages = sks_stages_avail() &
		      ~(BIT(SKBSTAMP_STAGE_HW) | SKS_STAGES_RX);
	cfg->buffer = SKS_BUFFER_DEFAULT;
	cfg->mode = SKBSTAMP_MODE_RECORDS;
	cfg->drain = SKBSTAMP_DRAIN_MULTICAST;
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
	if (cfg->mode == SKBSTAMP_MODE_SUMMARY &&
	    cfg->drain != SKBSTAMP_DRAIN_MULTICAST) {
		NL_SET_ERR_MSG(extack, "summary mode has no records to drain");
		return -EINVAL;
	}
	cfg->buffer = roundup_pow_of_two(cfg->buffer);
	return 0;
}

static void sks_free_all(void)
{
	sks_rx_free();
	sks_tag_free();
	sks_sock_free();
	sks_ring_free_bufs();
}

/* The stages whose hooks a configuration needs. */
static u32 sks_config_hooks(const struct sks_config *cfg)
{
	/* Sampling is decided at the send call, whichever stages are traced. */
	return cfg->stages | (cfg->filter.sample > 1 ?
			      BIT(SKBSTAMP_STAGE_SENDMSG) : 0);
}

/* Publish @cfg to the hooks; the old copy is freed after a grace period. */
static int sks_config_publish(const struct sks_config *cfg)
{
	struct sks_config *new = kmemdup(cfg, sizeof(*cfg), GFP_KERNEL), *old;

	if (!new)
		return -ENOMEM;
	old = rcu_replace_pointer(sks_cfg_rcu, new, lockdep_is_held(&sks_ctl_lock));
	sks_cur_cfg = *cfg;
	if (old) {
		synchronize_rcu();
		kfree(old);
	}
	return 0;
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

	/* Summary mode needs no record buffers, only their counters. */
	err = sks_ring_alloc(cfg.mode == SKBSTAMP_MODE_SUMMARY ? 0 : cfg.buffer,
			     cfg.mode == SKBSTAMP_MODE_SUMMARY);
	if (!err)
		err = sks_sock_alloc();
	if (!err)
		err = sks_tag_alloc();
	if (!err)
		err = sks_rx_alloc();
	if (!err && cfg.mode == SKBSTAMP_MODE_SUMMARY)
		err = sks_hist_reset();
	else if (!err)
		sks_hist_free();
	if (!err)
		err = sks_config_publish(&cfg);
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot allocate the buffers");
		sks_free_all();
		goto out;
	}
	if (cfg.drain == SKBSTAMP_DRAIN_MULTICAST)
		sks_drain_start();
	else
		sks_drain_enable();
	err = sks_hooks_register(sks_config_hooks(&cfg), extack);
	if (err) {
		sks_drain_stop();
		sks_free_all();
		goto out;
	}
	/* The last run's count stays readable until a START succeeds. */
	sks_tags_abandoned = 0;
	sks_ever_started = true;
	WRITE_ONCE(sks_cur, SKBSTAMP_STATE_RUNNING);
	pr_info("tracing started: %s mode, stages %#x, %u records per CPU\n",
		cfg.mode == SKBSTAMP_MODE_SUMMARY ? "summary" : "records",
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
	struct sks_counters cnt;
	u64 left;

	sks_hooks_unregister_taggers();
	while ((left = sks_tag_count()) && time_before(jiffies, deadline))
		msleep(20);
	sks_hooks_unregister_reporting();
	sks_drain_stop();
	sks_tags_abandoned = left;
	sks_free_all();
	WRITE_ONCE(sks_cur, SKBSTAMP_STATE_STOPPED);
	sks_ring_counters(&cnt, -1);
	pr_info("tracing stopped: %llu records, %llu delivered, %llu dropped (buffer full), %llu dropped (netlink), %llu summarized, %llu tagged skbs abandoned\n",
		cnt.generated, cnt.delivered, cnt.dropped_full,
		cnt.dropped_send, cnt.summarized, left);
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
	struct sks_config *old;

	mutex_lock(&sks_ctl_lock);
	if (sks_cur == SKBSTAMP_STATE_RUNNING)
		sks_stop_locked();
	old = rcu_replace_pointer(sks_cfg_rcu, NULL, true);
	mutex_unlock(&sks_ctl_lock);
	/* No hook is registered: nobody can hold the configuration. */
	kfree(old);
	sks_hist_free();
	sks_ring_release();
}

/*
 * Replace filters, sampling and stages of the running configuration.  The
 * rest describes allocated resources and registered hooks, which a swap
 * cannot change.
 */
int sks_set(const struct sks_config *req, struct netlink_ext_ack *extack)
{
	struct sks_config cfg = *req;
	int err;

	mutex_lock(&sks_ctl_lock);
	if (sks_cur != SKBSTAMP_STATE_RUNNING) {
		NL_SET_ERR_MSG(extack, "tracing is not running: use START");
		err = -EALREADY;
		goto out;
	}
	err = sks_config_check(&cfg, extack);
	if (err)
		goto out;
	err = -EINVAL;
	if (cfg.mode != sks_cur_cfg.mode) {
		NL_SET_ERR_MSG(extack, "the mode cannot change while running: stop, then start");
		goto out;
	}
	if (cfg.drain != sks_cur_cfg.drain) {
		NL_SET_ERR_MSG(extack, "the drain cannot change while running: stop, then start");
		goto out;
	}
	if (cfg.buffer != sks_cur_cfg.buffer) {
		NL_SET_ERR_MSG(extack, "the buffer cannot change while running: stop, then start");
		goto out;
	}
	if (!sks_hooks_cover(sks_config_hooks(&cfg))) {
		NL_SET_ERR_MSG(extack,
			       "a stage (or sampling's send call hook) was not hooked at start: stop, then start");
		err = -EOPNOTSUPP;
		goto out;
	}
	err = sks_config_publish(&cfg);
	if (err)
		NL_SET_ERR_MSG(extack, "cannot allocate the configuration");
	else
		pr_info("configuration replaced: stages %#x\n", cfg.stages);
out:
	mutex_unlock(&sks_ctl_lock);
	return err;
}

int sks_reset(struct netlink_ext_ack *extack)
{
	int err = 0;

	mutex_lock(&sks_ctl_lock);
	if (sks_cur_cfg.mode == SKBSTAMP_MODE_SUMMARY && sks_ever_started)
		err = sks_hist_reset();
	if (err)
		NL_SET_ERR_MSG(extack, "cannot allocate fresh histograms");
	mutex_unlock(&sks_ctl_lock);
	return err;
}

bool sks_snapshot(struct sks_config *cfg, struct sks_counters *cnt)
{
	bool ret;

	mutex_lock(&sks_ctl_lock);
	ret = sks_ever_started;
	*cfg = sks_cur_cfg;
	sks_ring_counters(cnt, -1);
	if (sks_cur != SKBSTAMP_STATE_RUNNING)
		cnt->tags_abandoned = sks_tags_abandoned;
	cnt->rx_evicted = sks_rx_evictions();
	cnt->rx_tracked = sks_rx_count();
	cnt->tags_pending = sks_tag_count();
	cnt->tags_evicted = sks_tag_evictions();
	cnt->socks_tracked = sks_sock_count();
	cnt->socks_evicted = sks_sock_evictions();
	mutex_unlock(&sks_ctl_lock);
	return ret;
}
