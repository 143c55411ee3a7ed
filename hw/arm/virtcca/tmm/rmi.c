/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TMM core: the RMI 1.0 dispatcher.  Decodes the function id, runs the
 * command under the monitor lock, and clears output registers the command
 * does not define so nothing stale reaches the host.
 */
#include "tmm-internal.h"

typedef struct RmiCommand {
    uint64_t fid;
    void (*fn)(Tmm *tmm, uint64_t *regs);
    unsigned nr_out;            /* output registers after x0 */
} RmiCommand;

static void rmi_version(Tmm *tmm, uint64_t *regs)
{
    regs[0] = regs[1] == TMM_ABI_VERSION ? TMM_RMI_SUCCESS
                                         : TMM_RMI_ERROR_INPUT;
    regs[1] = TMM_ABI_VERSION;
    regs[2] = TMM_ABI_VERSION;
}

static void rmi_features(Tmm *tmm, uint64_t *regs)
{
    /* Only register 0 is defined; others read as zero. */
    regs[1] = regs[1] == 0 ? tmm_features0() : 0;
    regs[0] = TMM_RMI_SUCCESS;
}

static void rmi_rec_enter(Tmm *tmm, uint64_t *regs)
{
    TmmVcpuContext ctx;

    regs[0] = tmm_rec_enter_locked(tmm, regs[1], regs[2], &ctx);
}

static const RmiCommand rmi_commands[] = {
    { TMM_RMI_VERSION, rmi_version, 2 },
    { TMM_RMI_GRANULE_DELEGATE, tmm_smc_granule_delegate, 0 },
    { TMM_RMI_GRANULE_UNDELEGATE, tmm_smc_granule_undelegate, 0 },
    { TMM_RMI_DATA_CREATE, tmm_smc_data_create, 0 },
    { TMM_RMI_DATA_CREATE_UNKNOWN, tmm_smc_data_create_unknown, 0 },
    { TMM_RMI_DATA_DESTROY, tmm_smc_data_destroy, 2 },
    { TMM_RMI_REALM_ACTIVATE, tmm_smc_realm_activate, 0 },
    { TMM_RMI_REALM_CREATE, tmm_smc_realm_create, 0 },
    { TMM_RMI_REALM_DESTROY, tmm_smc_realm_destroy, 0 },
    { TMM_RMI_REC_CREATE, tmm_smc_rec_create, 0 },
    { TMM_RMI_REC_DESTROY, tmm_smc_rec_destroy, 0 },
    { TMM_RMI_REC_ENTER, rmi_rec_enter, 0 },
    { TMM_RMI_RTT_CREATE, tmm_smc_rtt_create, 0 },
    { TMM_RMI_RTT_DESTROY, tmm_smc_rtt_destroy, 2 },
    { TMM_RMI_RTT_MAP_UNPROTECTED, tmm_smc_rtt_map_unprotected, 0 },
    { TMM_RMI_RTT_READ_ENTRY, tmm_smc_rtt_read_entry, 4 },
    { TMM_RMI_RTT_UNMAP_UNPROTECTED, tmm_smc_rtt_unmap_unprotected, 1 },
    { TMM_RMI_PSCI_COMPLETE, tmm_smc_psci_complete, 0 },
    { TMM_RMI_FEATURES, rmi_features, 1 },
    { TMM_RMI_RTT_FOLD, tmm_smc_rtt_fold, 1 },
    { TMM_RMI_REC_AUX_COUNT, tmm_smc_rec_aux_count, 1 },
    { TMM_RMI_RTT_INIT_RIPAS, tmm_smc_rtt_init_ripas, 1 },
    { TMM_RMI_RTT_SET_RIPAS, tmm_smc_rtt_set_ripas, 1 },
};

void tmm_rmi_call(Tmm *tmm, uint64_t regs[TMM_RMI_REGS])
{
    const RmiCommand *cmd = NULL;
    uint64_t r[TMM_RMI_REGS];
    unsigned i;

    for (i = 0; i < sizeof(rmi_commands) / sizeof(rmi_commands[0]); i++) {
        if (rmi_commands[i].fid == regs[0]) {
            cmd = &rmi_commands[i];
            break;
        }
    }
    if (!cmd) {
        regs[0] = TMM_SMCCC_NOT_SUPPORTED;
        memset(regs + 1, 0, (TMM_RMI_REGS - 1) * sizeof(uint64_t));
        return;
    }
    memcpy(r, regs, sizeof(r));
    pthread_mutex_lock(&tmm->lock);
    cmd->fn(tmm, r);
    tmm_self_check(tmm, "an RMI call");
    pthread_mutex_unlock(&tmm->lock);
    regs[0] = r[0];
    for (i = 1; i < TMM_RMI_REGS; i++) {
        regs[i] = i <= cmd->nr_out ? r[i] : 0;
    }
}
