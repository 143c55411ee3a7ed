/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A minimal VMM over the kernel stand-in.  See standin-vmm.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "standin-vmm.h"
#include "standin-abi.h"
#include "tmm.h"

#define GRANULE 4096ULL

static long vmm_ioctl(void *opaque, int fd, unsigned long req, void *arg)
{
    StandinVmm *m = opaque;

    return kvm_standin_ioctl(m->standin, fd, req, arg);
}

static int vmm_close(void *opaque, int fd)
{
    StandinVmm *m = opaque;

    return kvm_standin_close(m->standin, fd);
}

static void *vmm_ram_ptr(void *opaque, uint64_t ipa, uint64_t size)
{
    StandinVmm *m = opaque;
    size_t i;

    for (i = 0; i < m->nr_ram; i++) {
        if (ipa >= m->ram[i].base &&
            ipa + size <= m->ram[i].base + m->ram[i].size) {
            return m->ram[i].host + (ipa - m->ram[i].base);
        }
    }
    return NULL;
}

uint64_t standin_vmm_secure_size(const VirtccaPlan *plan)
{
    VirtccaPlanRange *ranges;
    size_t nr = virtcca_plan_populate_ranges(plan, &ranges), i;
    uint64_t bytes = 16ULL << 20;

    /* DATA granules, and RTTs: about one level-3 table per 2 MiB. */
    for (i = 0; i < nr; i++) {
        bytes += (ranges[i].top - ranges[i].base) * 2;
    }
    for (i = 0; i < plan->nr_ram; i++) {
        bytes += (plan->ram[i].top - plan->ram[i].base) / 256;
    }
    free(ranges);
    return bytes;
}

bool standin_vmm_start(StandinVmm *m, const KvmStandinConfig *cfg,
                       char *err, size_t len)
{
    memset(m, 0, sizeof(*m));
    m->kvm_fd = m->vm_fd = -1;
    m->standin = kvm_standin_new(cfg);
    if (!m->standin) {
        return virtcca_plan_error(err, len, "cannot start the stand-in");
    }
    m->ops = (VirtccaKvmOps) {
        .opaque = m, .ioctl = vmm_ioctl, .close = vmm_close,
        .ram_ptr = vmm_ram_ptr,
    };
    m->kvm_fd = kvm_standin_open(m->standin);
    return virtcca_kvm_probe(&m->ops, m->kvm_fd, &m->caps, err, len);
}

static bool add_ram(StandinVmm *m, uint64_t base, uint64_t size,
                    char *err, size_t len)
{
    StandinVmmRam *r = &m->ram[m->nr_ram];
    bool upstream = m->caps.api == VIRTCCA_KVM_API_UPSTREAM;
    struct vkvm_userspace_memory_region2 region = {
        .slot = m->nr_ram, .guest_phys_addr = base, .memory_size = size,
    };
    long ret;

    if (m->nr_ram == STANDIN_VMM_MAX_RAM) {
        return virtcca_plan_error(err, len, "too many RAM ranges");
    }
    /* Untouched pages of an anonymous mapping cost nothing. */
    r->host = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (r->host == MAP_FAILED) {
        return virtcca_plan_error(err, len, "cannot map guest RAM");
    }
    r->base = base;
    r->size = size;
    m->nr_ram++;
    region.userspace_addr = (uintptr_t)r->host;
    if (upstream) {
        struct vkvm_create_guest_memfd gmem = { .size = size };

        ret = m->ops.ioctl(m->ops.opaque, m->vm_fd, VKVM_CREATE_GUEST_MEMFD,
                           &gmem);
        if (ret < 0) {
            return virtcca_plan_error(err, len, "KVM_CREATE_GUEST_MEMFD: "
                                      "%s", strerror(-ret));
        }
        region.flags = VKVM_MEM_GUEST_MEMFD;
        region.guest_memfd = ret;
        ret = m->ops.ioctl(m->ops.opaque, m->vm_fd,
                           VKVM_SET_USER_MEMORY_REGION2, &region);
    } else {
        ret = m->ops.ioctl(m->ops.opaque, m->vm_fd,
                           VKVM_SET_USER_MEMORY_REGION, &region);
    }
    if (ret < 0) {
        return virtcca_plan_error(err, len, "KVM_SET_USER_MEMORY_REGION: "
                                  "%s", strerror(-ret));
    }
    return true;
}

bool standin_vmm_create(StandinVmm *m, const VirtccaPlan *plan,
                        char *err, size_t len)
{
    const VirtccaPlanParams *p = &plan->params;
    VirtccaKvmOptions opts = {
        .hash_algo = p->hash_algo,
        .sve_vl = p->flags & TMM_REALM_FLAG_SVE ? (p->sve_vl + 1) * 128 : 0,
        .pmu_counters = p->flags & TMM_REALM_FLAG_PMU ? p->pmu_num_ctrs : 0,
    };
    VirtccaPlanParams params = *p;
    long ret;
    size_t i;

    memcpy(opts.rpv, p->rpv, sizeof(opts.rpv));
    if (!virtcca_kvm_options_to_params(&m->caps, &opts, &params, err, len)) {
        return false;
    }
    ret = m->ops.ioctl(m->ops.opaque, m->kvm_fd, VKVM_CREATE_VM,
                       (void *)(uintptr_t)virtcca_kvm_vm_type(&m->caps,
                                                              p->s2sz));
    if (ret < 0) {
        return virtcca_plan_error(err, len, "KVM_CREATE_VM: %s",
                                  strerror(-ret));
    }
    m->vm_fd = ret;
    virtcca_kvm_launch_init(&m->launch, &m->ops, &m->caps, m->vm_fd);
    if (!virtcca_kvm_configure(&m->launch, &params, err, len)) {
        return false;
    }
    for (i = 0; i < plan->nr_ram; i++) {
        if (!add_ram(m, plan->ram[i].base,
                     plan->ram[i].top - plan->ram[i].base, err, len)) {
            return false;
        }
    }
    if (plan->nr_recs > STANDIN_VMM_MAX_VCPUS) {
        return virtcca_plan_error(err, len, "too many RECs");
    }
    for (i = 0; i < plan->nr_recs; i++) {
        struct vkvm_vcpu_init init = {
            .target = SKVM_ARM_TARGET_GENERIC_V8,
        };

        ret = m->ops.ioctl(m->ops.opaque, m->vm_fd, VKVM_CREATE_VCPU,
                           (void *)(uintptr_t)i);
        if (ret < 0) {
            return virtcca_plan_error(err, len, "KVM_CREATE_VCPU: %s",
                                      strerror(-ret));
        }
        m->vcpu_fds[m->nr_vcpus++] = ret;
        virtcca_kvm_vcpu_features(&m->launch, plan->recs[i].runnable,
                                  init.features);
        ret = m->ops.ioctl(m->ops.opaque, ret, VKVM_ARM_VCPU_INIT, &init);
        if (ret < 0) {
            return virtcca_plan_error(err, len, "KVM_ARM_VCPU_INIT: %s",
                                      strerror(-ret));
        }
    }
    return true;
}

bool standin_vmm_launch(StandinVmm *m, const VirtccaPlan *plan,
                        char *err, size_t len)
{
    long ret;

    if (!virtcca_kvm_launch(&m->launch, plan, m->vcpu_fds, m->nr_vcpus,
                            err, len)) {
        return false;
    }
    /* The first run activates an upstream realm; no guest code runs. */
    ret = m->ops.ioctl(m->ops.opaque, m->vcpu_fds[0], VKVM_RUN, NULL);
    if (ret < 0 && ret != -EINTR) {
        return virtcca_plan_error(err, len, "KVM_RUN: %s", strerror(-ret));
    }
    return true;
}

void standin_vmm_stop(StandinVmm *m)
{
    size_t i;

    for (i = 0; i < m->nr_ram; i++) {
        munmap(m->ram[i].host, m->ram[i].size);
    }
    kvm_standin_free(m->standin);
    memset(m, 0, sizeof(*m));
}
