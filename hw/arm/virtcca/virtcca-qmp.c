/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QMP query-virtcca and HMP info virtcca: the platform operator's view of
 * the virtcca machine's realm.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-virtcca.h"
#include "qobject/qdict.h"
#include "hw/boards.h"
#include "monitor/hmp.h"
#include "monitor/monitor.h"
#include "system/tcg.h"
#include "accel/virtcca/virtcca-accel.h"
#include "virtcca.h"
#include "virtcca-guest.h"
#include "tmm.h"

VirtccaInfo *qmp_query_virtcca(Error **errp)
{
    VirtCCAMachineState *vms = (VirtCCAMachineState *)
        object_dynamic_cast(OBJECT(current_machine), TYPE_VIRTCCA_MACHINE);
    VirtccaInfo *info;

    if (!vms) {
        error_setg(errp, "query-virtcca: the machine is not virtcca");
        return NULL;
    }
    info = g_new0(VirtccaInfo, 1);
    if (vms->tzasc) {
        info->tzasc_violations = object_property_get_uint(
            OBJECT(vms->tzasc), "violations", &error_abort);
    }
    if (vms->realm) {
        virtcca_realm_fill_info(vms->realm, info);
    }
    return info;
}

void hmp_info_virtcca(Monitor *mon, const QDict *qdict)
{
    Error *err = NULL;
    g_autoptr(VirtccaInfo) info = qmp_query_virtcca(&err);
    strList *rem;
    int i = 1;

    if (err) {
        error_report_err(err);
        return;
    }
    monitor_printf(mon, "realm: %s\n", info->realm ? "yes" : "no");
    if (info->realm) {
        VirtccaGranules *g = info->granules;

        monitor_printf(mon, "state: %s\n", info->state);
        monitor_printf(mon, "measurement algorithm: %s\n",
                       info->measurement_algorithm);
        monitor_printf(mon, "RIM:  %s\n", info->rim);
        for (rem = info->rems; rem; rem = rem->next) {
            monitor_printf(mon, "REM%d: %s\n", i++, rem->value);
        }
        monitor_printf(mon, "secure granules: undelegated %" PRIu64
                       ", delegated %" PRIu64 ", rd %" PRIu64 ", rec %"
                       PRIu64 ", rec-aux %" PRIu64 ", data %" PRIu64
                       ", rtt %" PRIu64 "\n", g->undelegated, g->delegated,
                       g->rd, g->rec, g->rec_aux, g->data, g->rtt);
        monitor_printf(mon, "RIPAS of RAM: ram %" PRIu64 " MiB, empty %"
                       PRIu64 " MiB, destroyed %" PRIu64 " MiB\n",
                       info->ripas_ram_bytes >> 20,
                       info->ripas_empty_bytes >> 20,
                       info->ripas_destroyed_bytes >> 20);
        monitor_printf(mon, "refused: device DMA %" PRIu64 ", host reads "
                       "and writes %" PRIu64 "\n", info->dma_refused,
                       info->host_refused);
        for (VirtccaExitsList *e = info->exits; e; e = e->next) {
            monitor_printf(mon, "vCPU %" PRId64 " REC exits: mmio %" PRIu64
                           ", shared-map %" PRIu64 ", populate %" PRIu64
                           ", sysreg %" PRIu64 ", wfx %" PRIu64 ", irq %"
                           PRIu64 ", smc %" PRIu64 "\n", e->value->cpu,
                           e->value->mmio, e->value->shared_map,
                           e->value->populate, e->value->sysreg,
                           e->value->wfx, e->value->irq, e->value->smc);
        }
    }
    monitor_printf(mon, "TZASC violations: %" PRIu64 "\n",
                   info->tzasc_violations);
}

/*
 * Under TCG, the TMM core built into QEMU: RMI 1.0, both hash algorithms,
 * and realms without SVE or a PMU (virtcca-guest refuses either).  Under
 * -accel virtcca, what the accelerator probed.
 */
VirtccaCapabilities *qmp_query_virtcca_capabilities(Error **errp)
{
    VirtccaAccelClass *vac = virtcca_accel_class();
    VirtccaCapabilities *caps;
    strList **tail;

    if (vac) {
        caps = g_new0(VirtccaCapabilities, 1);
        vac->capabilities(current_accel(), caps);
        return caps;
    }
    if (!tcg_enabled()) {
        error_setg(errp, "query-virtcca-capabilities: realms run under "
                   "TCG or -accel virtcca, not %s", current_accel_name());
        return NULL;
    }
    caps = g_new0(VirtccaCapabilities, 1);
    caps->api = g_strdup("tcg");
    caps->rmi_version = g_strdup_printf("%u.%u",
        (unsigned)(TMM_ABI_VERSION >> 16),
        (unsigned)(TMM_ABI_VERSION & 0xffff));
    tail = &caps->hash_algorithms;
    QAPI_LIST_APPEND(tail, g_strdup("sha256"));
    QAPI_LIST_APPEND(tail, g_strdup("sha512"));
    caps->max_sve_vector_length = 0;
    caps->max_pmu_counters = 0;
    return caps;
}
