/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The KVM path's ioctl layer (accel/virtcca/kvm-launch.c) against the
 * kernel stand-in: probing, option mapping, and each API's rules refused
 * with the errno the kernel returns.  The RIMs are compared with the TCG
 * path's executor by test-standin-rim.py and tests/system.
 */
#include <errno.h>
#include <string.h>
#include <glib.h>

#include "standin-vmm.h"
#include "standin-abi.h"
#include "tmm.h"

#define RAM_BASE    0x40000000ULL
#define RAM_SIZE    (8ULL << 20)
#define KERNEL      0x40080000ULL
#define INITRD      0x40200000ULL
#define DTB         0x40400000ULL
#define MiB         (1ULL << 20)

static uint8_t image_bytes[3][12000];

/* A small Linux-like realm: three images, openEuler's ranges, two RECs. */
static void test_plan(VirtccaPlan *plan, uint8_t hash_algo)
{
    VirtccaPlanRec boot = { .pc = KERNEL, .gprs = { DTB }, .runnable = 1 };
    VirtccaPlanRec second = { .mpidr = 1 };
    size_t i, j;

    for (i = 0; i < 3; i++) {
        for (j = 0; j < sizeof(image_bytes[i]); j++) {
            image_bytes[i][j] = (j * 31 + i * 7) % 253;
        }
    }
    virtcca_plan_init(plan);
    plan->params.hash_algo = hash_algo;
    plan->params.s2sz = 40;
    virtcca_plan_add_ram(plan, RAM_BASE, RAM_BASE + RAM_SIZE);
    virtcca_plan_add_image(plan, "kernel", KERNEL, image_bytes[0], 12000);
    virtcca_plan_add_image(plan, "initrd", INITRD, image_bytes[1], 5000);
    virtcca_plan_add_image(plan, "dtb", DTB, image_bytes[2], 3000);
    g_assert_true(virtcca_plan_add_linux_populate(plan, RAM_BASE, KERNEL,
                                                  12000, INITRD, DTB, 3000));
    virtcca_plan_add_rec(plan, &boot);
    virtcca_plan_add_rec(plan, &second);
    virtcca_plan_sort(plan);
}

static long kvm(StandinVmm *m, int fd, unsigned long req, void *arg)
{
    return kvm_standin_ioctl(m->standin, fd, req, arg);
}

static long kvm_val(StandinVmm *m, int fd, unsigned long req, uint64_t v)
{
    return kvm_standin_ioctl(m->standin, fd, req, (void *)(uintptr_t)v);
}

static void start(StandinVmm *m, KvmStandinApi api, int revision,
                  int rmi_cap)
{
    KvmStandinConfig cfg = {
        .api = api, .upstream_revision = revision, .rmi_cap = rmi_cap,
        .secure_size = 64 * MiB,
    };
    char err[256];

    g_assert_true(standin_vmm_start(m, &cfg, err, sizeof(err)));
}

static void test_probe(void)
{
    StandinVmm m;

    start(&m, KVM_STANDIN_OPENEULER, 0, 0);
    g_assert_cmpint(m.caps.api, ==, VIRTCCA_KVM_API_OPENEULER);
    g_assert_cmphex(m.caps.monitor_version, ==, 0x20000);
    g_assert_cmpuint(m.caps.hash_algos, ==, 3);
    g_assert_cmpuint(m.caps.max_sve_vl, ==, 0);
    g_assert_cmpuint(m.caps.max_pmu_counters, ==, 0);
    g_assert_cmpuint(m.caps.max_ipa_bits, ==, 48);
    standin_vmm_stop(&m);

    /* 240 and 243 answer CHECK_EXTENSION too, but only 248 configures. */
    start(&m, KVM_STANDIN_UPSTREAM, 14, 248);
    g_assert_cmpint(m.caps.api, ==, VIRTCCA_KVM_API_UPSTREAM);
    g_assert_cmpint(m.caps.rmi_cap, ==, 248);
    g_assert_cmpuint(m.caps.hash_algos, ==, 3);
    g_assert_cmpstr(virtcca_kvm_api_name(m.caps.api), ==, "upstream-cca");
    standin_vmm_stop(&m);

    /* Capability 300 answers on mainline too: the TMI version decides. */
    start(&m, KVM_STANDIN_MAINLINE, 0, 0);
    g_assert_cmpint(kvm_val(&m, m.kvm_fd, VKVM_CHECK_EXTENSION,
                            VKVM_CAP_ARM_TMM), ==, 1);
    g_assert_cmpint(m.caps.api, ==, VIRTCCA_KVM_API_NONE);
    standin_vmm_stop(&m);
}

static void expect_option_error(const VirtccaKvmCaps *caps,
                                const VirtccaKvmOptions *opts,
                                const char *words)
{
    VirtccaPlanParams params = { 0 };
    char err[256];

    g_assert_false(virtcca_kvm_options_to_params(caps, opts, &params, err,
                                                 sizeof(err)));
    g_assert_nonnull(strstr(err, words));
}

static void test_options(void)
{
    VirtccaKvmOptions sve = { .sve_vl = 256 }, pmu = { .pmu_counters = 4 };
    VirtccaKvmOptions sha512 = { .hash_algo = TMM_HASH_SHA512 };
    VirtccaKvmOptions rpv = { .rpv = { 1 } };
    VirtccaPlanParams params = { 0 };
    StandinVmm m;
    char err[256];

    start(&m, KVM_STANDIN_OPENEULER, 0, 0);
    expect_option_error(&m.caps, &sve, "sve-vector-length=256: this host "
                        "(openeuler-virtcca) offers realms no SVE");
    expect_option_error(&m.caps, &pmu, "num-pmu-counters=4:");
    g_assert_true(virtcca_kvm_options_to_params(&m.caps, &sha512, &params,
                                                err, sizeof(err)));
    g_assert_cmpint(params.hash_algo, ==, TMM_HASH_SHA512);
    standin_vmm_stop(&m);

    /* A TMM with SVE up to 512 bits: what the message says then. */
    m.caps = (VirtccaKvmCaps) { .api = VIRTCCA_KVM_API_OPENEULER,
                                .hash_algos = 1, .max_sve_vl = 512 };
    sve.sve_vl = 1024;
    expect_option_error(&m.caps, &sve, "sve-vector-length=1024: this "
                        "host's TMM supports at most 512");
    sve.sve_vl = 384;
    g_assert_true(virtcca_kvm_options_to_params(&m.caps, &sve, &params,
                                                err, sizeof(err)));
    g_assert_cmpuint(params.sve_vl, ==, 2);
    g_assert_cmphex(params.flags, ==, TMM_REALM_FLAG_SVE);
    sve.sve_vl = 200;
    expect_option_error(&m.caps, &sve, "not a multiple of 128");
    expect_option_error(&m.caps, &sha512, "measurement-algorithm=sha-512: "
                        "this host (openeuler-virtcca) offers sha-256 only");

    /* An upstream host whose realm capability nothing answers to. */
    start(&m, KVM_STANDIN_UPSTREAM, 14, 999);
    g_assert_cmpint(m.caps.rmi_cap, ==, 0);
    expect_option_error(&m.caps, &sha512, "measurement-algorithm=sha-512");
    expect_option_error(&m.caps, &rpv, "personalization-value: this host "
                        "(upstream-cca) takes no realm parameters");
    standin_vmm_stop(&m);

    start(&m, KVM_STANDIN_MAINLINE, 0, 0);
    expect_option_error(&m.caps, &sha512, "runs no realms");
    standin_vmm_stop(&m);
}

static int one_reg_set(StandinVmm *m, int vcpu, uint64_t id, uint64_t v)
{
    struct vkvm_one_reg reg = { .id = id, .addr = (uintptr_t)&v };

    return kvm(m, vcpu, VKVM_SET_ONE_REG, &reg);
}

static long tmm_cap(StandinVmm *m, int vm, uint64_t cmd, const void *arg)
{
    struct vkvm_enable_cap ec = {
        .cap = VKVM_CAP_ARM_TMM, .args = { cmd, (uintptr_t)arg },
    };

    return kvm(m, vm, VKVM_ENABLE_CAP, &ec);
}

static void test_openeuler_rules(void)
{
    struct vkvm_tmm_config hash = { .cfg = VKVM_TMM_CFG_HASH_ALGO };
    struct vkvm_tmm_config sve = { .cfg = VKVM_TMM_CFG_SVE };
    struct vkvm_user_data ud = {
        .loader_start = RAM_BASE, .ram_size = RAM_SIZE,
        .image_end = RAM_BASE + MiB,
    };
    struct vkvm_tmm_populate pop = {
        .base1 = RAM_BASE, .size1 = MiB, .flags = VKVM_TMM_POPULATE_MEASURE,
    };
    struct vkvm_userspace_memory_region slot = {
        .guest_phys_addr = RAM_BASE, .memory_size = RAM_SIZE,
    };
    struct vkvm_vcpu_init init = { .target = SKVM_ARM_TARGET_GENERIC_V8 };
    int tec = VKVM_ARM_VCPU_TEC;
    StandinVmm m;
    long vm, plain, vcpu;
    void *ram = g_malloc0(RAM_SIZE + 4096);

    start(&m, KVM_STANDIN_OPENEULER, 0, 0);
    g_assert_cmpint(kvm_val(&m, m.kvm_fd, VKVM_CREATE_VM, 1 << 9), ==,
                    -EINVAL);
    g_assert_cmpint(kvm_val(&m, m.kvm_fd, VKVM_CREATE_VM,
                            VKVM_VM_TYPE_ARM_TMM | 60), ==, -EINVAL);
    plain = kvm_val(&m, m.kvm_fd, VKVM_CREATE_VM, 40);
    g_assert_cmpint(tmm_cap(&m, plain, VKVM_CAP_ARM_TMM_CREATE_RD, NULL),
                    ==, -EINVAL);
    vm = kvm_val(&m, m.kvm_fd, VKVM_CREATE_VM, VKVM_VM_TYPE_ARM_TMM | 40);
    g_assert_cmpint(vm, >=, 0);

    /* Config items before CREATE_RD, valid ones only. */
    hash.hash_algo = 7;
    g_assert_cmpint(tmm_cap(&m, vm, VKVM_CAP_ARM_TMM_CONFIG_CVM, &hash),
                    ==, -EINVAL);
    sve.sve_vq = 2;
    g_assert_cmpint(tmm_cap(&m, vm, VKVM_CAP_ARM_TMM_CONFIG_CVM, &sve),
                    ==, -EINVAL);
    g_assert_cmpint(kvm(&m, vm, VKVM_LOAD_USER_DATA, &ud), ==, -EINVAL);
    g_assert_cmpint(tmm_cap(&m, vm, VKVM_CAP_ARM_TMM_CREATE_RD, NULL),
                    ==, 0);
    g_assert_cmpint(tmm_cap(&m, vm, VKVM_CAP_ARM_TMM_CREATE_RD, NULL),
                    ==, -EEXIST);
    hash.hash_algo = VKVM_TMM_HASH_SHA512;
    g_assert_cmpint(tmm_cap(&m, vm, VKVM_CAP_ARM_TMM_CONFIG_CVM, &hash),
                    ==, -EBUSY);

    /* User data, then POPULATE's argument checks. */
    g_assert_cmpint(tmm_cap(&m, vm, VKVM_CAP_ARM_TMM_POPULATE_CVM, &pop),
                    ==, -EINVAL);
    ud.loader_start = RAM_BASE + 0x800;
    g_assert_cmpint(kvm(&m, vm, VKVM_LOAD_USER_DATA, &ud), ==, -EINVAL);
    ud.loader_start = RAM_BASE;
    g_assert_cmpint(kvm(&m, vm, VKVM_LOAD_USER_DATA, &ud), ==, 0);
    pop.flags = 2;
    g_assert_cmpint(tmm_cap(&m, vm, VKVM_CAP_ARM_TMM_POPULATE_CVM, &pop),
                    ==, -EINVAL);
    pop.flags = VKVM_TMM_POPULATE_MEASURE;
    pop.reserved[1] = 1;
    g_assert_cmpint(tmm_cap(&m, vm, VKVM_CAP_ARM_TMM_POPULATE_CVM, &pop),
                    ==, -EINVAL);
    pop.reserved[1] = 0;
    pop.base1 = RAM_BASE + 0x200;
    g_assert_cmpint(tmm_cap(&m, vm, VKVM_CAP_ARM_TMM_POPULATE_CVM, &pop),
                    ==, -EINVAL);
    pop.base1 = RAM_BASE + RAM_SIZE - 4096;
    pop.size1 = 2 * 4096;
    g_assert_cmpint(tmm_cap(&m, vm, VKVM_CAP_ARM_TMM_POPULATE_CVM, &pop),
                    ==, -EINVAL);
    pop.base1 = RAM_BASE;
    pop.size1 = MiB;
    pop.base2 = RAM_BASE + MiB / 2;
    pop.size2 = 4096;
    g_assert_cmpint(tmm_cap(&m, vm, VKVM_CAP_ARM_TMM_POPULATE_CVM, &pop),
                    ==, -EINVAL);
    pop.base2 = pop.size2 = 0;
    g_assert_cmpint(tmm_cap(&m, vm, VKVM_CAP_ARM_TMM_POPULATE_CVM, &pop),
                    ==, -EFAULT);

    /* vCPUs: TEC feature in a cVM, finalized after POPULATE. */
    vcpu = kvm_val(&m, vm, VKVM_CREATE_VCPU, 0);
    g_assert_cmpint(kvm_val(&m, vm, VKVM_CREATE_VCPU, 0), ==, -EEXIST);
    g_assert_cmpint(one_reg_set(&m, vcpu, VKVM_REG_CORE_PC, KERNEL), ==,
                    -ENOEXEC);
    g_assert_cmpint(kvm(&m, vcpu, VKVM_ARM_VCPU_INIT, &init), ==, -EINVAL);
    /* Only the preferred target. */
    init.features[0] = 1u << VKVM_ARM_VCPU_TEC;
    init.target = 0;
    g_assert_cmpint(kvm(&m, vcpu, VKVM_ARM_VCPU_INIT, &init), ==, -EINVAL);
    init.target = SKVM_ARM_TARGET_GENERIC_V8;
    g_assert_cmpint(kvm(&m, vcpu, VKVM_ARM_VCPU_INIT, &init), ==, 0);
    g_assert_cmpint(one_reg_set(&m, vcpu, VKVM_REG_CORE_PC, KERNEL), ==, 0);
    /* No such register: op0 3, op1 7, CRn 15, CRm 15, op2 7. */
    g_assert_cmpint(one_reg_set(&m, vcpu, VKVM_REG_SYS(3, 7, 15, 15, 7),
                                0), ==, -ENOENT);
    /* ID registers keep the CPU's values. */
    g_assert_cmpint(one_reg_set(&m, vcpu, VKVM_REG_SYS(3, 0, 0, 4, 0), 0),
                    ==, -EINVAL);
    g_assert_cmpint(kvm(&m, vcpu, VKVM_ARM_VCPU_FINALIZE, &tec), ==,
                    -EINVAL);
    g_assert_cmpint(kvm(&m, vcpu, VKVM_RUN, NULL), ==, -EPERM);

    slot.userspace_addr = ((uintptr_t)ram + 4095) & ~4095ULL;
    g_assert_cmpint(kvm(&m, vm, VKVM_SET_USER_MEMORY_REGION, &slot), ==, 0);
    g_assert_cmpint(tmm_cap(&m, vm, VKVM_CAP_ARM_TMM_POPULATE_CVM, &pop),
                    ==, 0);
    g_assert_cmpuint(kvm_standin_data_granules(m.standin, vm), ==, 256);
    g_assert_cmpint(tmm_cap(&m, vm, VKVM_CAP_ARM_TMM_POPULATE_CVM, &pop),
                    ==, -EBUSY);
    g_assert_cmpint(kvm(&m, vm, VKVM_LOAD_USER_DATA, &ud), ==, -EBUSY);

    /* ACTIVATE once every vCPU's TEC exists; nothing changes after. */
    g_assert_cmpint(tmm_cap(&m, vm, VKVM_CAP_ARM_TMM_ACTIVATE_CVM, NULL),
                    ==, -EINVAL);
    g_assert_cmpint(kvm(&m, vcpu, VKVM_ARM_VCPU_FINALIZE, &tec), ==, 0);
    g_assert_cmpint(kvm(&m, vcpu, VKVM_ARM_VCPU_FINALIZE, &tec), ==, -EPERM);
    g_assert_cmpint(one_reg_set(&m, vcpu, VKVM_REG_CORE_PC, 0), ==, -EPERM);
    g_assert_cmpint(tmm_cap(&m, vm, VKVM_CAP_ARM_TMM_ACTIVATE_CVM, NULL),
                    ==, 0);
    g_assert_cmpint(tmm_cap(&m, vm, VKVM_CAP_ARM_TMM_ACTIVATE_CVM, NULL),
                    ==, -EPERM);
    g_assert_cmpint(tmm_cap(&m, vm, VKVM_CAP_ARM_TMM_CONFIG_CVM, &hash),
                    ==, -EPERM);
    g_assert_cmpint(kvm(&m, vm, VKVM_LOAD_USER_DATA, &ud), ==, -EPERM);
    g_assert_cmpint(kvm_val(&m, vm, VKVM_CREATE_VCPU, 1), ==, -EPERM);
    g_assert_cmpint(kvm(&m, vcpu, VKVM_RUN, NULL), ==, -EINTR);
    standin_vmm_stop(&m);
    g_free(ram);
}

/* The layer refuses what openEuler's POPULATE cannot express. */
static void test_openeuler_plan_limits(void)
{
    VirtccaPlan plan;
    StandinVmm m;
    char err[256];

    test_plan(&plan, TMM_HASH_SHA256);
    /* Without explicit ranges: one per image, three of them. */
    plan.nr_populate = 0;
    start(&m, KVM_STANDIN_OPENEULER, 0, 0);
    g_assert_true(standin_vmm_create(&m, &plan, err, sizeof(err)));
    g_assert_false(standin_vmm_launch(&m, &plan, err, sizeof(err)));
    g_assert_nonnull(strstr(err, "two ranges; the plan has 3"));
    g_assert_cmpint(m.launch.stage, ==, VIRTCCA_KVM_STAGE_FAILED);
    standin_vmm_stop(&m);

    /* The plan must carry the parameters the VM was configured with. */
    test_plan(&plan, TMM_HASH_SHA256);
    start(&m, KVM_STANDIN_OPENEULER, 0, 0);
    g_assert_true(standin_vmm_create(&m, &plan, err, sizeof(err)));
    plan.params.rpv[0] = 1;
    g_assert_false(standin_vmm_launch(&m, &plan, err, sizeof(err)));
    g_assert_nonnull(strstr(err, "not the ones configured"));
    standin_vmm_stop(&m);
    virtcca_plan_free(&plan);
}

static long rmi_populate(StandinVmm *m, int vm, unsigned long req,
                         uint64_t base, uint64_t size, const void *src,
                         uint32_t flags, uint32_t reserved)
{
    struct vkvm_arm_rmi_populate p = {
        .base = base, .size = size, .source_uaddr = (uintptr_t)src,
        .flags = flags, .reserved = reserved,
    };

    return kvm(m, vm, req, &p);
}

static void test_upstream_rules(void)
{
    struct vkvm_create_guest_memfd gmem = { .size = RAM_SIZE };
    struct vkvm_userspace_memory_region2 slot = {
        .guest_phys_addr = RAM_BASE, .memory_size = RAM_SIZE,
        .flags = VKVM_MEM_GUEST_MEMFD,
    };
    struct vkvm_memory_attributes attr = {
        .address = RAM_BASE, .size = RAM_SIZE,
        .attributes = VKVM_MEMORY_ATTRIBUTE_PRIVATE,
    };
    struct vkvm_rmi_config hash = { .cfg = VKVM_RMI_CFG_HASH_ALGO };
    struct vkvm_enable_cap config = {
        .cap = 248, .args = { VKVM_CAP_ARM_RMI_CONFIG_REALM,
                              (uintptr_t)&hash },
    };
    struct vkvm_vcpu_init init = {
        .target = SKVM_ARM_TARGET_GENERIC_V8,
        .features = { 1u << VKVM_ARM_VCPU_TEC },
    };
    unsigned long pop = VKVM_ARM_RMI_POPULATE;
    uint8_t *ram = g_malloc0(RAM_SIZE + 4096);
    uint8_t *src = (uint8_t *)(((uintptr_t)ram + 4095) & ~4095ULL);
    StandinVmm m;
    long vm, vcpu, fd;

    start(&m, KVM_STANDIN_UPSTREAM, 14, 248);
    g_assert_cmpint(kvm_val(&m, m.kvm_fd, VKVM_CREATE_VM,
                            VKVM_VM_TYPE_ARM_TMM | 40), ==, -EINVAL);
    vm = kvm_val(&m, m.kvm_fd, VKVM_CREATE_VM, VKVM_VM_TYPE_ARM_REALM | 40);
    g_assert_cmpint(vm, >=, 0);
    config.cap = 240;       /* a mainline number: not the realm's */
    g_assert_cmpint(kvm(&m, vm, VKVM_ENABLE_CAP, &config), ==, -EINVAL);
    config.cap = 248;
    hash.hash_algo = 5;
    g_assert_cmpint(kvm(&m, vm, VKVM_ENABLE_CAP, &config), ==, -EINVAL);
    hash.hash_algo = VKVM_RMI_HASH_SHA512;
    g_assert_cmpint(kvm(&m, vm, VKVM_ENABLE_CAP, &config), ==, 0);

    /* guest_memfd-backed private memory */
    gmem.size = 100;
    g_assert_cmpint(kvm(&m, vm, VKVM_CREATE_GUEST_MEMFD, &gmem), ==,
                    -EINVAL);
    gmem.size = RAM_SIZE;
    fd = kvm(&m, vm, VKVM_CREATE_GUEST_MEMFD, &gmem);
    g_assert_cmpint(fd, >=, 0);
    slot.userspace_addr = (uintptr_t)src;
    slot.guest_memfd = m.kvm_fd;        /* not a guest_memfd */
    g_assert_cmpint(kvm(&m, vm, VKVM_SET_USER_MEMORY_REGION2, &slot), ==,
                    -EINVAL);
    slot.guest_memfd = fd;
    g_assert_cmpint(kvm(&m, vm, VKVM_SET_USER_MEMORY_REGION2, &slot), ==, 0);

    /* POPULATE: the revision's number, its argument checks, private. */
    g_assert_cmpint(rmi_populate(&m, vm, VKVM_ARM_RMI_POPULATE_R12,
                                 RAM_BASE, 4096, src, 1, 0), ==, -ENOTTY);
    g_assert_cmpint(rmi_populate(&m, vm, pop, RAM_BASE, 4096, src, 1, 0),
                    ==, -EINVAL);       /* not private yet */
    attr.flags = 1;
    g_assert_cmpint(kvm(&m, vm, VKVM_SET_MEMORY_ATTRIBUTES, &attr), ==,
                    -EINVAL);
    attr.flags = 0;
    attr.size = 100;
    g_assert_cmpint(kvm(&m, vm, VKVM_SET_MEMORY_ATTRIBUTES, &attr), ==,
                    -EINVAL);
    attr.size = RAM_SIZE;
    g_assert_cmpint(kvm(&m, vm, VKVM_SET_MEMORY_ATTRIBUTES, &attr), ==, 0);
    g_assert_cmpint(rmi_populate(&m, vm, pop, RAM_BASE, 4096, src, 3, 0),
                    ==, -EINVAL);
    g_assert_cmpint(rmi_populate(&m, vm, pop, RAM_BASE, 4096, src, 1, 1),
                    ==, -EINVAL);
    g_assert_cmpint(rmi_populate(&m, vm, pop, RAM_BASE, 4096, src + 8, 1,
                                 0), ==, -EINVAL);
    g_assert_cmpint(rmi_populate(&m, vm, pop, RAM_BASE + 8, 4096, src, 1,
                                 0), ==, -EINVAL);
    g_assert_cmpint(rmi_populate(&m, vm, pop, RAM_BASE, 0, src, 1, 0), ==,
                    -EINVAL);
    g_assert_cmpint(rmi_populate(&m, vm, pop, RAM_BASE + RAM_SIZE, 4096,
                                 src, 1, 0), ==, -EINVAL);
    g_assert_cmpint(rmi_populate(&m, vm, pop, RAM_BASE, 8192, src, 1, 0),
                    ==, 0);
    g_assert_cmpuint(kvm_standin_data_granules(m.standin, vm), ==, 2);
    /* The realm exists now: its parameters are fixed. */
    g_assert_cmpint(kvm(&m, vm, VKVM_ENABLE_CAP, &config), ==, -EBUSY);

    /* Not openEuler's vCPU feature; the first run activates. */
    vcpu = kvm_val(&m, vm, VKVM_CREATE_VCPU, 0);
    g_assert_cmpint(kvm(&m, vcpu, VKVM_ARM_VCPU_INIT, &init), ==, -EINVAL);
    init.features[0] = 0;
    g_assert_cmpint(kvm(&m, vcpu, VKVM_ARM_VCPU_INIT, &init), ==, 0);
    g_assert_cmpint(kvm(&m, vcpu, VKVM_RUN, NULL), ==, -EINTR);
    g_assert_cmpint(rmi_populate(&m, vm, pop, RAM_BASE + MiB, 4096, src, 1,
                                 0), ==, -EPERM);
    g_assert_cmpint(one_reg_set(&m, vcpu, VKVM_REG_CORE_PC, 0), ==, -EPERM);
    g_assert_cmpint(kvm_val(&m, vm, VKVM_CREATE_VCPU, 1), ==, -EPERM);
    standin_vmm_stop(&m);

    /* Revision 12 knows the _IOW number only. */
    start(&m, KVM_STANDIN_UPSTREAM, 12, 248);
    vm = kvm_val(&m, m.kvm_fd, VKVM_CREATE_VM, VKVM_VM_TYPE_ARM_REALM | 40);
    g_assert_cmpint(rmi_populate(&m, vm, VKVM_ARM_RMI_POPULATE, RAM_BASE,
                                 4096, src, 1, 0), ==, -ENOTTY);
    g_assert_cmpint(rmi_populate(&m, vm, VKVM_ARM_RMI_POPULATE_R12,
                                 RAM_BASE, 4096, src, 1, 0), ==, -EINVAL);
    standin_vmm_stop(&m);
    g_free(ram);
}

/* A RIPAS change the realm asks for, through KVM_EXIT_MEMORY_FAULT. */
static void test_upstream_memory_fault(void)
{
    const uint64_t base = RAM_BASE + 4 * MiB, top = base + 2 * MiB;
    uint64_t gpa, size, status, reached;
    bool to_private;
    VirtccaPlan plan;
    StandinVmm m;
    void *run;
    char err[256];

    test_plan(&plan, TMM_HASH_SHA256);
    start(&m, KVM_STANDIN_UPSTREAM, 13, 248);
    g_assert_true(standin_vmm_create(&m, &plan, err, sizeof(err)));
    g_assert_true(standin_vmm_launch(&m, &plan, err, sizeof(err)));
    run = kvm_standin_run_page(m.standin, m.vcpu_fds[0]);
    g_assert_cmpint(kvm_standin_ripas(m.standin, m.vm_fd, base), ==,
                    TMM_RIPAS_RAM);

    /* To EMPTY (shared): the VMM converts, the realm's call succeeds. */
    kvm_standin_guest_set_ripas(m.standin, m.vcpu_fds[0], base, top, false);
    g_assert_cmpint(kvm(&m, m.vcpu_fds[0], VKVM_RUN, NULL), ==, -EFAULT);
    g_assert_true(virtcca_kvm_run_memory_fault(run, &gpa, &size,
                                               &to_private));
    g_assert_cmphex(gpa, ==, base);
    g_assert_cmphex(size, ==, top - base);
    g_assert_false(to_private);
    g_assert_cmpint(virtcca_kvm_memory_fault(&m.launch, gpa, size,
                                             to_private), ==, 0);
    g_assert_cmpint(kvm(&m, m.vcpu_fds[0], VKVM_RUN, NULL), ==, -EINTR);
    g_assert_true(kvm_standin_guest_result(m.standin, m.vcpu_fds[0],
                                           &status, &reached));
    g_assert_cmpuint(status, ==, 0);
    g_assert_cmphex(reached, ==, top);
    g_assert_cmpint(kvm_standin_ripas(m.standin, m.vm_fd, base), ==,
                    TMM_RIPAS_EMPTY);

    /* Back to RAM without converting: the kernel rejects the change. */
    kvm_standin_guest_set_ripas(m.standin, m.vcpu_fds[0], base, top, true);
    g_assert_cmpint(kvm(&m, m.vcpu_fds[0], VKVM_RUN, NULL), ==, -EFAULT);
    g_assert_true(virtcca_kvm_run_memory_fault(run, &gpa, &size,
                                               &to_private));
    g_assert_true(to_private);
    g_assert_cmpint(kvm(&m, m.vcpu_fds[0], VKVM_RUN, NULL), ==, -EINTR);
    g_assert_true(kvm_standin_guest_result(m.standin, m.vcpu_fds[0],
                                           &status, &reached));
    g_assert_cmpuint(status, ==, 1);
    g_assert_cmpint(kvm_standin_ripas(m.standin, m.vm_fd, base), ==,
                    TMM_RIPAS_EMPTY);

    /* ... and accepts it once the memory is private again. */
    kvm_standin_guest_set_ripas(m.standin, m.vcpu_fds[0], base, top, true);
    g_assert_cmpint(kvm(&m, m.vcpu_fds[0], VKVM_RUN, NULL), ==, -EFAULT);
    g_assert_cmpint(virtcca_kvm_memory_fault(&m.launch, base, top - base,
                                             true), ==, 0);
    g_assert_cmpint(kvm(&m, m.vcpu_fds[0], VKVM_RUN, NULL), ==, -EINTR);
    g_assert_true(kvm_standin_guest_result(m.standin, m.vcpu_fds[0],
                                           &status, &reached));
    g_assert_cmpuint(status, ==, 0);
    g_assert_cmpint(kvm_standin_ripas(m.standin, m.vm_fd, base), ==,
                    TMM_RIPAS_RAM);
    standin_vmm_stop(&m);
    virtcca_plan_free(&plan);
}

/* Both APIs, same plan: same RIM, and the DATA granules of the ranges. */
static void test_both_apis_agree(void)
{
    static const KvmStandinApi apis[] = { KVM_STANDIN_OPENEULER,
                                          KVM_STANDIN_UPSTREAM };
    uint8_t rim[2][64];
    size_t rim_size = 0, a;
    int h;

    for (h = TMM_HASH_SHA256; h <= TMM_HASH_SHA512; h++) {
        for (a = 0; a < 2; a++) {
            VirtccaPlan plan;
            StandinVmm m;
            char err[256];

            test_plan(&plan, h);
            start(&m, apis[a], 14, 248);
            g_assert_true(standin_vmm_create(&m, &plan, err, sizeof(err)));
            g_assert_true(standin_vmm_launch(&m, &plan, err, sizeof(err)));
            g_assert_true(kvm_standin_read_rim(m.standin, m.vm_fd, rim[a],
                                               &rim_size));
            /* [RAM, kernel end) and [initrd, dtb end), every granule. */
            g_assert_cmpuint(kvm_standin_data_granules(m.standin, m.vm_fd),
                             ==, (KERNEL + 12288 - RAM_BASE +
                                  DTB + 4096 - INITRD) / 4096);
            standin_vmm_stop(&m);
            virtcca_plan_free(&plan);
        }
        g_assert_cmpuint(rim_size, ==, h == TMM_HASH_SHA256 ? 32 : 64);
        g_assert_cmpmem(rim[0], rim_size, rim[1], rim_size);
    }
}

static long attr(StandinVmm *m, int fd, unsigned long req, uint32_t group,
                 uint64_t a, void *value)
{
    struct skvm_device_attr da = {
        .group = group, .attr = a, .addr = (uintptr_t)value,
    };

    return kvm(m, fd, req, &da);
}

/* What QEMU's own KVM code asks of a host beyond the realm calls. */
static void test_generic_kvm(void)
{
    struct skvm_create_device cd = { .type = SKVM_DEV_TYPE_ARM_VGIC_V2 };
    struct vkvm_vcpu_init init = { .target = 0 };
    struct {
        struct skvm_reg_list hdr;
        uint64_t regs[256];
    } list = { { 0 } };
    struct {
        struct skvm_signal_mask hdr;
        uint8_t set[8];
    } mask = { { 4 } };
    uint64_t dist = 0x08000000, odd = 0x08001000, v64;
    uint32_t nr = 96;
    struct skvm_irq_level spi = { .irq = 1u << 24 | 40, .level = 1 };
    struct skvm_irq_level ppi = { .irq = 2u << 24 | 1 << 16 | 27 };
    StandinVmm m;
    long vm, vcpu, gic;

    start(&m, KVM_STANDIN_MAINLINE, 0, 0);
    vm = kvm_val(&m, m.kvm_fd, VKVM_CREATE_VM, 40);
    g_assert_cmpint(vm, >=, 0);
    g_assert_cmpint(kvm_val(&m, vm, VKVM_CHECK_EXTENSION,
                            SKVM_CAP_IRQCHIP), ==, 1);
    g_assert_cmpint(kvm(&m, vm, SKVM_ARM_PREFERRED_TARGET, &init), ==, 0);
    g_assert_cmpint(init.target, ==, SKVM_ARM_TARGET_GENERIC_V8);

    /* The vCPU: its register list, 2-step, and its signal mask. */
    vcpu = kvm_val(&m, vm, VKVM_CREATE_VCPU, 0);
    g_assert_cmpint(kvm(&m, vcpu, SKVM_GET_REG_LIST, &list), ==, -ENOEXEC);
    g_assert_cmpint(kvm(&m, vcpu, VKVM_ARM_VCPU_INIT, &init), ==, 0);
    g_assert_cmpint(kvm(&m, vcpu, SKVM_GET_REG_LIST, &list), ==, -E2BIG);
    g_assert_cmpint(list.hdr.n, >, 100);
    g_assert_cmpint(list.hdr.n, <=, 256);
    g_assert_cmpint(kvm(&m, vcpu, SKVM_GET_REG_LIST, &list), ==, 0);
    g_assert_cmphex(list.regs[0], ==, VKVM_REG_CORE_X(0));
    g_assert_cmpint(kvm(&m, vcpu, SKVM_SET_SIGNAL_MASK, &mask), ==, -EINVAL);
    mask.hdr.len = 8;
    g_assert_cmpint(kvm(&m, vcpu, SKVM_SET_SIGNAL_MASK, &mask), ==, 0);

    /* The in-kernel GICv3: a GICv3-only host, one per VM. */
    g_assert_cmpint(kvm(&m, vm, SKVM_CREATE_DEVICE, &cd), ==, -ENODEV);
    cd.type = SKVM_DEV_TYPE_ARM_VGIC_V3;
    cd.flags = SKVM_CREATE_DEVICE_TEST;
    g_assert_cmpint(kvm(&m, vm, SKVM_CREATE_DEVICE, &cd), ==, 0);
    cd.flags = 0;
    g_assert_cmpint(kvm(&m, vm, SKVM_CREATE_DEVICE, &cd), ==, 0);
    gic = cd.fd;
    g_assert_cmpint(kvm(&m, vm, SKVM_CREATE_DEVICE, &cd), ==, -EEXIST);
    g_assert_cmpint(kvm(&m, vm, SKVM_IRQ_LINE, &spi), ==, -EBUSY);
    nr = 100;
    g_assert_cmpint(attr(&m, gic, SKVM_SET_DEVICE_ATTR,
                         SKVM_VGIC_GRP_NR_IRQS, 0, &nr), ==, -EINVAL);
    nr = 96;
    g_assert_cmpint(attr(&m, gic, SKVM_SET_DEVICE_ATTR,
                         SKVM_VGIC_GRP_NR_IRQS, 0, &nr), ==, 0);
    g_assert_cmpint(attr(&m, gic, SKVM_SET_DEVICE_ATTR,
                         SKVM_VGIC_GRP_NR_IRQS, 0, &nr), ==, -EBUSY);
    g_assert_cmpint(attr(&m, gic, SKVM_SET_DEVICE_ATTR, SKVM_VGIC_GRP_ADDR,
                         SKVM_VGIC_V3_ADDR_TYPE_DIST, &odd), ==, -EINVAL);
    g_assert_cmpint(attr(&m, gic, SKVM_SET_DEVICE_ATTR, SKVM_VGIC_GRP_ADDR,
                         SKVM_VGIC_V3_ADDR_TYPE_DIST, &dist), ==, 0);
    g_assert_cmpint(attr(&m, gic, SKVM_SET_DEVICE_ATTR, SKVM_VGIC_GRP_ADDR,
                         SKVM_VGIC_V3_ADDR_TYPE_DIST, &dist), ==, -EEXIST);
    g_assert_cmpint(attr(&m, gic, SKVM_GET_DEVICE_ATTR, SKVM_VGIC_GRP_ADDR,
                         SKVM_VGIC_V3_ADDR_TYPE_DIST, &v64), ==, 0);
    g_assert_cmphex(v64, ==, dist);
    /* No register state for the host to save: a realm's is its own. */
    g_assert_cmpint(attr(&m, gic, SKVM_HAS_DEVICE_ATTR,
                         SKVM_VGIC_GRP_DIST_REGS, 0, NULL), ==, -ENXIO);
    g_assert_cmpint(attr(&m, gic, SKVM_SET_DEVICE_ATTR, SKVM_VGIC_GRP_CTRL,
                         SKVM_VGIC_CTRL_INIT, NULL), ==, 0);
    /* Initialised: lines work, within range; no more vCPUs. */
    g_assert_cmpint(kvm(&m, vm, SKVM_IRQ_LINE, &spi), ==, 0);
    spi.irq = 1u << 24 | 96;
    g_assert_cmpint(kvm(&m, vm, SKVM_IRQ_LINE, &spi), ==, -EINVAL);
    g_assert_cmpint(kvm(&m, vm, SKVM_IRQ_LINE, &ppi), ==, -EINVAL);
    ppi.irq = 2u << 24 | 27;
    g_assert_cmpint(kvm(&m, vm, SKVM_IRQ_LINE, &ppi), ==, 0);
    g_assert_cmpint(kvm_val(&m, vm, VKVM_CREATE_VCPU, 1), ==, -EBUSY);
    standin_vmm_stop(&m);
}

/*
 * The machine's plan takes its images from guest RAM, where the loader put
 * them, and openEuler measures guest RAM in place: the launch must leave
 * the images there, not clear them.
 */
static void test_images_in_guest_ram(void)
{
    uint8_t rim[2][64];
    size_t rim_size = 0, i;
    int pass;

    for (pass = 0; pass < 2; pass++) {
        VirtccaPlan plan;
        StandinVmm m;
        char err[256];

        test_plan(&plan, TMM_HASH_SHA256);
        start(&m, KVM_STANDIN_OPENEULER, 0, 0);
        g_assert_true(standin_vmm_create(&m, &plan, err, sizeof(err)));
        for (i = 0; pass && i < plan.nr_images; i++) {
            VirtccaPlanImage *img = &plan.images[i];
            uint8_t *host = m.ram[0].host + (img->ipa - RAM_BASE);

            memcpy(host, img->data, img->size);
            img->data = host;
        }
        g_assert_true(standin_vmm_launch(&m, &plan, err, sizeof(err)));
        g_assert_true(kvm_standin_read_rim(m.standin, m.vm_fd, rim[pass],
                                           &rim_size));
        standin_vmm_stop(&m);
        virtcca_plan_free(&plan);
    }
    g_assert_cmpmem(rim[0], rim_size, rim[1], rim_size);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/kvm-standin/probe", test_probe);
    g_test_add_func("/kvm-standin/options", test_options);
    g_test_add_func("/kvm-standin/openeuler/rules", test_openeuler_rules);
    g_test_add_func("/kvm-standin/openeuler/plan-limits",
                    test_openeuler_plan_limits);
    g_test_add_func("/kvm-standin/upstream/rules", test_upstream_rules);
    g_test_add_func("/kvm-standin/upstream/memory-fault",
                    test_upstream_memory_fault);
    g_test_add_func("/kvm-standin/both-apis-agree", test_both_apis_agree);
    g_test_add_func("/kvm-standin/generic-kvm", test_generic_kvm);
    g_test_add_func("/kvm-standin/openeuler/images-in-guest-ram",
                    test_images_in_guest_ram);
    return g_test_run();
}
