/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel stand-in: the real thing needs CCA hardware.  See kvm-standin.h.
 *
 * Rules it enforces, with the errno the kernel returns:
 *
 * both APIs
 *   unknown ioctl on an fd                                   ENOTTY
 *   bad fd                                                   EBADF
 *   KVM_CREATE_VM: unknown type bits, IPA width outside
 *     32..48 (0 means 40)                                    EINVAL
 *   KVM_CREATE_VCPU: id >= 256                               EINVAL
 *     id taken                                               EEXIST
 *     realm already activated                                EPERM
 *   KVM_ARM_VCPU_INIT: unknown feature                       EINVAL
 *   KVM_SET_ONE_REG: before VCPU_INIT                        ENOEXEC
 *     unknown register                                       ENOENT
 *     the REC exists already                                 EPERM
 *   ENABLE_CAP: non-zero flags                               EINVAL
 *   a call the monitor refuses                               ENXIO
 *
 * openEuler virtCCA (type bit 8: a cVM)
 *   KVM_GET_TMI_VERSION on /dev/kvm: TMI 2.0
 *   ENABLE_CAP(KVM_CAP_ARM_TMM) on a VM that is not a cVM     EINVAL
 *   CONFIG_CVM: unknown item or value the TMM cannot honour  EINVAL
 *     after CREATE_RD                                        EBUSY
 *   CREATE_RD twice                                          EEXIST
 *   KVM_LOAD_USER_DATA: not a cVM or before CREATE_RD        EINVAL
 *     RAM not 4 KiB aligned, images outside it, > 8 nodes    EINVAL
 *     after POPULATE                                         EBUSY
 *   POPULATE_CVM: before LOAD_USER_DATA                      EINVAL
 *     flags other than MEASURE, reserved not zero,
 *     unaligned, empty first range, overlapping ranges,
 *     outside RAM                                            EINVAL
 *     RAM without a memory slot                              EFAULT
 *     twice                                                  EBUSY
 *   KVM_ARM_VCPU_INIT of a cVM vCPU without the TEC feature,
 *     or with it outside a cVM                               EINVAL
 *   KVM_ARM_VCPU_FINALIZE(TEC): before POPULATE              EINVAL
 *     twice                                                  EPERM
 *   ACTIVATE_CVM: before POPULATE, or a vCPU not finalized   EINVAL
 *   anything that changes the cVM after ACTIVATE             EPERM
 *   KVM_RUN before ACTIVATE                                  EPERM
 *
 * upstream CCA (type 1 << 30: a realm)
 *   the realm capability on a realm VM; CONFIG_REALM items:
 *     unknown item or hash                                   EINVAL
 *     after the realm exists                                 EBUSY
 *   KVM_CREATE_GUEST_MEMFD: size 0 or unaligned, flags       EINVAL
 *   KVM_SET_USER_MEMORY_REGION2: a guest_memfd that is not
 *     one, or an offset past it                              EINVAL
 *   KVM_SET_MEMORY_ATTRIBUTES: unaligned, flags, unknown
 *     attributes                                             EINVAL
 *   KVM_ARM_RMI_POPULATE (_IOW in revision 12, _IOWR later;
 *     the other one                                          ENOTTY)
 *     flags other than MEASURE, reserved not zero, range or
 *     source not 4 KiB aligned, empty                        EINVAL
 *     outside guest_memfd-backed private memory              EINVAL
 *     after the first KVM_RUN                                EPERM
 *   The realm is created at the first POPULATE or KVM_RUN (RTT_INIT_RIPAS
 *   over the private memory at that time); RECs and REALM_ACTIVATE at the
 *   first KVM_RUN.  A RIPAS change the realm asks for becomes
 *   KVM_EXIT_MEMORY_FAULT (KVM_RUN returns EFAULT); the next KVM_RUN
 *   applies it (RTT_SET_RIPAS) if the memory attributes now match, and
 *   rejects it otherwise.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "kvm-standin.h"
#include "standin-abi.h"
#include "standin-arm64.h"
#include "standin-vgic.h"
#include "plan-rmi.h"

#define GRANULE         TMM_GRANULE_SIZE
#define NS_BASE         0x1000ULL       /* params, DATA source, REC run */
#define NS_GRANULES     3
#define SECURE_BASE     0x100000000ULL
#define FD_BASE         100
#define MAX_FDS         256
#define MAX_VCPUS       256
#define MAX_SLOTS       32
#define TMI_VERSION     (2ULL << 16)
#define IPA_BITS_MAX    48
#define IPA_BITS_DEFAULT 40
#define KVM_EXIT_INTR   SKVM_EXIT_INTR
#define NR_GSIS         4096
#define PSCI_SYSTEM_OFF 0x84000008ULL
#define FDT_MAGIC       0xd00dfeedU

typedef enum ObjKind {
    OBJ_FREE = 0, OBJ_SYS, OBJ_VM, OBJ_VCPU, OBJ_GMEM, OBJ_VGIC,
} ObjKind;

typedef struct Vm Vm;

typedef struct Vcpu {
    Vm *vm;
    uint32_t id;
    bool inited;
    uint32_t features[7];
    bool finalized;                 /* openEuler: TEC created */
    StandinArm64Regs regs;
    uint64_t mpidr;                 /* its affinity, from the vCPU id */
    struct vkvm_run *run;           /* 4 KiB, "mmap'ed" */
    bool has_sigmask;               /* KVM_SET_SIGNAL_MASK */
    uint64_t sigmask;
    bool booted;                    /* boot_guest: the realm ran */
    bool guest_request;             /* a RIPAS change to ask at next run */
    uint64_t req_base, req_top, req_ripas;
    bool ripas_exit;                /* the VMM owes an answer */
    bool have_result;
    uint64_t result_status, result_top;
} Vcpu;

typedef struct Gmem {
    uint64_t size;
} Gmem;

typedef struct Slot {
    bool used;
    uint32_t flags;
    uint64_t gpa, size, uaddr;
    int gmem_fd;
} Slot;

typedef enum VmStage {
    VM_NEW = 0,
    VM_REALM,           /* RD exists */
    VM_POPULATED,       /* openEuler: POPULATE done */
    VM_ACTIVE,
} VmStage;

struct Vm {
    KvmStandin *s;
    bool realm;                     /* a cVM or a realm VM */
    unsigned ipa_bits;
    VmStage stage;
    VirtccaPlanParams params;       /* from the config items */
    Vcpu *vcpus[MAX_VCPUS];
    Slot slots[MAX_SLOTS];
    VirtccaPlanRange *private;      /* private memory attributes, sorted */
    size_t nr_private;
    bool user_data;                 /* openEuler: LOAD_USER_DATA done */
    struct vkvm_user_data ud;
    VirtccaPlanRealm built;
    StandinVgic *vgic;              /* the in-kernel GICv3, if created */
    unsigned nr_vcpus;
};

/* What the report says of the last realm VM (kvm_standin_write_report). */
typedef struct Report {
    bool realm;
    char calls[2048];               /* the realm calls, comma-separated */
    VmStage stage;
    int hash_algo;
    size_t data_granules, recs;
    bool have_rim;
    uint8_t rim[64];
    size_t rim_size;
    bool entered;                   /* the first REC's first entry */
    uint64_t pc, x0, mpidr, vcpu_mpidr;
    bool pc_in_ram, x0_is_dtb;
} Report;

typedef struct Obj {
    ObjKind kind;
    void *p;
} Obj;

struct KvmStandin {
    KvmStandinConfig cfg;
    Obj fds[MAX_FDS];
    Tmm *tmm;
    uint8_t ns[NS_GRANULES][GRANULE];
    uint8_t *secure;
    uint64_t secure_granules, next_granule;
    VirtccaPlanHost host;
    Report report;
};

static void *standin_map(void *opaque, uint64_t pa)
{
    KvmStandin *s = opaque;

    if (pa >= NS_BASE && pa < NS_BASE + NS_GRANULES * GRANULE) {
        return s->ns[(pa - NS_BASE) / GRANULE];
    }
    if (pa >= SECURE_BASE &&
        pa < SECURE_BASE + s->secure_granules * GRANULE) {
        return s->secure + (pa - SECURE_BASE);
    }
    return NULL;
}

static bool standin_alloc(void *opaque, uint64_t *pa)
{
    KvmStandin *s = opaque;

    if (s->next_granule == s->secure_granules) {
        return false;
    }
    *pa = SECURE_BASE + s->next_granule++ * GRANULE;
    return true;
}

KvmStandin *kvm_standin_new(const KvmStandinConfig *cfg)
{
    KvmStandin *s = calloc(1, sizeof(*s));
    TmmRange secure;

    if (!s) {
        return NULL;
    }
    s->cfg = *cfg;
    s->secure_granules = (cfg->secure_size ? cfg->secure_size
                                           : 256ULL << 20) / GRANULE;
    s->secure = calloc(s->secure_granules, GRANULE);
    secure = (TmmRange) { SECURE_BASE, s->secure_granules * GRANULE };
    s->tmm = s->secure ? tmm_new(standin_map, s, &secure, 1, NULL) : NULL;
    if (!s->tmm) {
        free(s->secure);
        free(s);
        return NULL;
    }
    s->host = (VirtccaPlanHost) {
        .tmm = s->tmm, .opaque = s, .alloc_granule = standin_alloc,
        .ns_pa = { NS_BASE, NS_BASE + GRANULE },
        .ns_ptr = { s->ns[0], s->ns[1] },
    };
    return s;
}

static int new_fd(KvmStandin *s, ObjKind kind, void *p)
{
    int i;

    for (i = 0; i < MAX_FDS; i++) {
        if (s->fds[i].kind == OBJ_FREE) {
            s->fds[i] = (Obj) { kind, p };
            return FD_BASE + i;
        }
    }
    return -EMFILE;
}

static Obj *get_fd(KvmStandin *s, int fd)
{
    if (fd < FD_BASE || fd >= FD_BASE + MAX_FDS ||
        s->fds[fd - FD_BASE].kind == OBJ_FREE) {
        return NULL;
    }
    return &s->fds[fd - FD_BASE];
}

int kvm_standin_open(KvmStandin *s)
{
    return new_fd(s, OBJ_SYS, NULL);
}

/* The realm calls a VM makes, for the report. */
static void report_call(KvmStandin *s, const char *name)
{
    Report *r = &s->report;
    size_t len = strlen(r->calls);

    if (len + strlen(name) + 2 < sizeof(r->calls)) {
        snprintf(r->calls + len, sizeof(r->calls) - len, "%s%s",
                 len ? "," : "", name);
    }
}

static void report_vm(Vm *vm)
{
    Report *r = &vm->s->report;

    if (vm->realm) {
        r->stage = vm->stage;
        r->hash_algo = vm->params.hash_algo;
        r->data_granules = vm->built.nr_data;
        r->recs = vm->built.nr_recs;
    }
}

static void vm_free(Vm *vm)
{
    int i;

    for (i = 0; i < MAX_VCPUS; i++) {
        if (vm->vcpus[i]) {
            free(vm->vcpus[i]->run);
            free(vm->vcpus[i]);
        }
    }
    report_vm(vm);
    free(vm->private);
    free(vm->vgic);
    virtcca_plan_realm_free(&vm->built);
    free(vm);
}

/*
 * Closing a VM fd frees it here at once; the kernel would wait for its
 * vCPU fds too.  The monitor keeps the realm's granules: the stand-in
 * does not tear realms down.
 */
int kvm_standin_close(KvmStandin *s, int fd)
{
    Obj *o = get_fd(s, fd);
    int i;

    if (!o) {
        return -EBADF;
    }
    if (o->kind == OBJ_VM) {
        for (i = 0; i < MAX_FDS; i++) {
            if ((s->fds[i].kind == OBJ_VCPU &&
                 ((Vcpu *)s->fds[i].p)->vm == o->p) ||
                (s->fds[i].kind == OBJ_VGIC && s->fds[i].p == o->p)) {
                s->fds[i].kind = OBJ_FREE;
            }
        }
        vm_free(o->p);
    } else if (o->kind == OBJ_GMEM) {
        free(o->p);
    }
    o->kind = OBJ_FREE;
    o->p = NULL;
    return 0;
}

void kvm_standin_free(KvmStandin *s)
{
    int i;

    if (!s) {
        return;
    }
    for (i = 0; i < MAX_FDS; i++) {
        if (s->fds[i].kind == OBJ_VM || s->fds[i].kind == OBJ_GMEM) {
            kvm_standin_close(s, FD_BASE + i);
        }
    }
    tmm_free(s->tmm);
    free(s->secure);
    free(s);
}

/* /dev/kvm */

static long check_extension(KvmStandin *s, Vm *vm, uint64_t cap)
{
    static const int candidates[] = VKVM_RMI_CAP_CANDIDATES;
    size_t i;

    /*
     * What QEMU's KVM code needs of an arm64 host: user memory (with MMU
     * notifiers: SYNC_MMU), the in-kernel GIC with irqfd and routing,
     * eventfds, PSCI 0.2.  Not
     * offered: KVM_CAP_IMMEDIATE_EXIT (QEMU then kicks vCPUs through
     * KVM_SET_SIGNAL_MASK), MP_STATE, VCPU_EVENTS, PMU, SVE, pointer
     * authentication, nested virtualisation.
     */
    switch (cap) {
    case VKVM_CAP_ARM_VM_IPA_SIZE:
        return IPA_BITS_MAX;
    case SKVM_CAP_NR_VCPUS:
    case SKVM_CAP_MAX_VCPUS:
    case SKVM_CAP_MAX_VCPU_ID:
        return MAX_VCPUS;
    case SKVM_CAP_NR_MEMSLOTS:
        return MAX_SLOTS;
    case SKVM_CAP_IRQ_ROUTING:
        return NR_GSIS;
    case SKVM_CAP_IRQCHIP:
    case SKVM_CAP_USER_MEMORY:
    case SKVM_CAP_SYNC_MMU:
    case SKVM_CAP_DESTROY_MEMORY_REGION_WORKS:
    case SKVM_CAP_JOIN_MEMORY_REGIONS_WORKS:
    case SKVM_CAP_IRQFD:
    case SKVM_CAP_IOEVENTFD:
    case SKVM_CAP_IOEVENTFD_ANY_LENGTH:
    case SKVM_CAP_INTERNAL_ERROR_DATA:
    case SKVM_CAP_DEVICE_CTRL:
    case SKVM_CAP_SET_GUEST_DEBUG:
    case SKVM_CAP_ARM_PSCI:
    case SKVM_CAP_ARM_PSCI_0_2:
    case SKVM_CAP_ARM_IRQ_LINE_LAYOUT_2:
        return 1;
    }
    if (cap == VKVM_CAP_ARM_TMM) {
        /* On a mainline host 300 stands for something else. */
        return s->cfg.api != KVM_STANDIN_UPSTREAM;
    }
    if (s->cfg.api == KVM_STANDIN_UPSTREAM &&
        (cap == VKVM_CAP_USER_MEMORY2 || cap == VKVM_CAP_GUEST_MEMFD)) {
        return 1;
    }
    /* The attributes it supports, as a mask. */
    if (s->cfg.api == KVM_STANDIN_UPSTREAM &&
        cap == VKVM_CAP_MEMORY_ATTRIBUTES) {
        return VKVM_MEMORY_ATTRIBUTE_PRIVATE;
    }
    /* The realm capability's old numbers mean mainline things too. */
    for (i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
        if (cap == (uint64_t)candidates[i]) {
            return 1;
        }
    }
    return 0;
}

static long create_vm(KvmStandin *s, uint64_t type)
{
    uint64_t realm_bit = s->cfg.api == KVM_STANDIN_OPENEULER ?
                         VKVM_VM_TYPE_ARM_TMM :
                         s->cfg.api == KVM_STANDIN_UPSTREAM ?
                         VKVM_VM_TYPE_ARM_REALM : 0;
    unsigned ipa = type & VKVM_VM_TYPE_ARM_IPA_SIZE_MASK;
    Vm *vm;
    long fd;

    if (type & ~(VKVM_VM_TYPE_ARM_IPA_SIZE_MASK | realm_bit)) {
        return -EINVAL;
    }
    if (ipa == 0) {
        ipa = IPA_BITS_DEFAULT;
    } else if (ipa < 32 || ipa > IPA_BITS_MAX) {
        return -EINVAL;
    }
    vm = calloc(1, sizeof(*vm));
    if (!vm) {
        return -ENOMEM;
    }
    vm->s = s;
    vm->realm = type & realm_bit;
    vm->ipa_bits = ipa;
    vm->params.hash_algo = TMM_HASH_SHA256;
    vm->params.s2sz = ipa;
    /*
     * Like a host kernel, which takes them from the VM's ID_AA64DFR0_EL1
     * (upstream KVM's realm_create_rd): this stand-in's CPU has what its
     * monitor offers, in the same count-minus-one encoding.
     */
    vm->params.num_bps = TMM_FEAT_NUM_BPS;
    vm->params.num_wps = TMM_FEAT_NUM_WPS;
    fd = new_fd(s, OBJ_VM, vm);
    if (fd < 0) {
        free(vm);
        return fd;
    }
    if (vm->realm) {
        s->report = (Report) { .realm = true };
        report_call(s, "CREATE_VM");
    }
    return fd;
}

static long sys_ioctl(KvmStandin *s, unsigned long req, void *arg)
{
    switch (req) {
    case VKVM_GET_API_VERSION:
        return 12;
    case VKVM_CREATE_VM:
        return create_vm(s, (uintptr_t)arg);
    case VKVM_CHECK_EXTENSION:
        return check_extension(s, NULL, (uintptr_t)arg);
    case VKVM_GET_VCPU_MMAP_SIZE:
        return KVM_STANDIN_RUN_SIZE;
    case VKVM_GET_TMI_VERSION:
        if (s->cfg.api != KVM_STANDIN_OPENEULER) {
            return -ENOTTY;
        }
        if (!arg) {
            return -EFAULT;
        }
        *(uint64_t *)arg = TMI_VERSION;
        return 0;
    default:
        return -ENOTTY;
    }
}

/* Memory: slots and private attributes */

static Slot *slot_holding(Vm *vm, uint64_t base, uint64_t top)
{
    int i;

    for (i = 0; i < MAX_SLOTS; i++) {
        Slot *sl = &vm->slots[i];

        if (sl->used && base >= sl->gpa && top <= sl->gpa + sl->size) {
            return sl;
        }
    }
    return NULL;
}

static bool is_private(Vm *vm, uint64_t base, uint64_t top)
{
    size_t i;

    for (i = 0; i < vm->nr_private && base < top; i++) {
        if (vm->private[i].base <= base && vm->private[i].top > base) {
            base = vm->private[i].top;
        }
    }
    return base >= top;
}

static bool is_shared(Vm *vm, uint64_t base, uint64_t top)
{
    size_t i;

    for (i = 0; i < vm->nr_private; i++) {
        if (vm->private[i].base < top && vm->private[i].top > base) {
            return false;
        }
    }
    return true;
}

/*
 * Private intervals stay as the VMM set them, joined only when they
 * overlap: the realm's RTT_INIT_RIPAS steps depend on the ranges' edges.
 */
static long set_attributes(Vm *vm, uint64_t base, uint64_t top, bool priv)
{
    VirtccaPlanRange *out = malloc((vm->nr_private * 2 + 1) * sizeof(*out));
    size_t n = 0, i;
    bool placed = !priv;

    if (!out) {
        return -ENOMEM;
    }
    for (i = 0; i < vm->nr_private; i++) {
        VirtccaPlanRange r = vm->private[i];

        if (r.top <= base || r.base >= top) {
            if (!placed && r.base >= top) {
                out[n++] = (VirtccaPlanRange) { base, top };
                placed = true;
            }
            out[n++] = r;
            continue;
        }
        if (priv) {
            /* Overlap: grow the new interval over it. */
            base = r.base < base ? r.base : base;
            top = r.top > top ? r.top : top;
            continue;
        }
        if (r.base < base) {
            out[n++] = (VirtccaPlanRange) { r.base, base };
        }
        if (r.top > top) {
            out[n++] = (VirtccaPlanRange) { top, r.top };
        }
    }
    if (!placed) {
        out[n++] = (VirtccaPlanRange) { base, top };
    }
    free(vm->private);
    vm->private = out;
    vm->nr_private = n;
    return 0;
}

static bool aligned(uint64_t v)
{
    return !(v % GRANULE);
}

static long set_memory_region(Vm *vm, const void *arg, bool v2)
{
    const struct vkvm_userspace_memory_region2 *r = arg;
    uint32_t known = v2 ? VKVM_MEM_GUEST_MEMFD : 0;
    Slot *sl;

    if (!arg) {
        return -EFAULT;
    }
    /* Version 1 is the first 32 bytes of version 2. */
    if (r->slot >= MAX_SLOTS || (r->flags & ~known) ||
        !aligned(r->guest_phys_addr) || !aligned(r->memory_size) ||
        !aligned(r->userspace_addr)) {
        return -EINVAL;
    }
    sl = &vm->slots[r->slot];
    if (!r->memory_size) {
        sl->used = false;
        return 0;
    }
    if (r->flags & VKVM_MEM_GUEST_MEMFD) {
        Obj *g = get_fd(vm->s, r->guest_memfd);

        if (!g || g->kind != OBJ_GMEM || !aligned(r->guest_memfd_offset) ||
            r->guest_memfd_offset + r->memory_size > ((Gmem *)g->p)->size) {
            return -EINVAL;
        }
    }
    *sl = (Slot) {
        .used = true, .flags = r->flags, .gpa = r->guest_phys_addr,
        .size = r->memory_size, .uaddr = r->userspace_addr,
        .gmem_fd = (r->flags & VKVM_MEM_GUEST_MEMFD) ? (int)r->guest_memfd
                                                     : -1,
    };
    return 0;
}

static long create_guest_memfd(Vm *vm, const struct vkvm_create_guest_memfd *a)
{
    Gmem *g;
    long fd;
    int i;

    if (!a) {
        return -EFAULT;
    }
    if (!vm->realm || !a->size || !aligned(a->size) || a->flags) {
        return -EINVAL;
    }
    for (i = 0; i < 6; i++) {
        if (a->reserved[i]) {
            return -EINVAL;
        }
    }
    g = calloc(1, sizeof(*g));
    if (!g) {
        return -ENOMEM;
    }
    g->size = a->size;
    fd = new_fd(vm->s, OBJ_GMEM, g);
    if (fd < 0) {
        free(g);
    }
    return fd;
}

static long memory_attributes(Vm *vm, const struct vkvm_memory_attributes *a)
{
    if (!a) {
        return -EFAULT;
    }
    if (!a->size || !aligned(a->address) || !aligned(a->size) || a->flags ||
        (a->attributes & ~VKVM_MEMORY_ATTRIBUTE_PRIVATE) ||
        a->address + a->size < a->address) {
        return -EINVAL;
    }
    return set_attributes(vm, a->address, a->address + a->size,
                          a->attributes & VKVM_MEMORY_ATTRIBUTE_PRIVATE);
}

/* The monitor */

static long realm_create(Vm *vm)
{
    char err[256];

    if (!virtcca_plan_create_realm(&vm->params, &vm->s->host, &vm->built,
                                   err, sizeof(err))) {
        return -ENXIO;
    }
    vm->stage = VM_REALM;
    return 0;
}

static long init_ripas(Vm *vm, const VirtccaPlanRange *r)
{
    char err[256];

    return virtcca_plan_init_ripas(&vm->s->host, &vm->built, r, err,
                                   sizeof(err)) ? 0 : -ENXIO;
}

/* DATA_CREATE of each granule of [base, base + size) from user memory. */
static long populate_from(Vm *vm, uint64_t base, uint64_t size,
                          const uint8_t *src, bool measure)
{
    KvmStandin *s = vm->s;
    char err[256];
    uint64_t off;

    for (off = 0; off < size; off += GRANULE) {
        memcpy(s->host.ns_ptr[1], src + off, GRANULE);
        if (!virtcca_plan_data_create(&s->host, &vm->built, base + off,
                                      measure, err, sizeof(err))) {
            return -ENXIO;
        }
    }
    return 0;
}

static uint64_t vcpu_mpidr(Vcpu *v)
{
    return *standin_arm64_reg64(&v->regs, VKVM_REG_MPIDR_EL1) &
           0xff00ffffffULL;
}

static long create_rec(Vm *vm, Vcpu *v)
{
    VirtccaPlanRec rec = {
        .mpidr = vcpu_mpidr(v),
        .pc = *standin_arm64_reg64(&v->regs, VKVM_REG_CORE_PC),
        .runnable = !(v->features[0] & (1u << VKVM_ARM_VCPU_POWER_OFF)),
    };
    char err[256];
    int n;

    for (n = 0; n < 8; n++) {
        rec.gprs[n] = *standin_arm64_reg64(&v->regs, VKVM_REG_CORE_X(n));
    }
    return virtcca_plan_create_rec(&vm->s->host, &vm->built, &rec, err,
                                   sizeof(err)) ? 0 : -ENXIO;
}

static long activate(Vm *vm)
{
    uint64_t regs[TMM_RMI_REGS] = { TMM_RMI_REALM_ACTIVATE, vm->built.rd };

    tmm_rmi_call(vm->s->tmm, regs);
    if (regs[0] != TMM_RMI_SUCCESS) {
        return -ENXIO;
    }
    vm->stage = VM_ACTIVE;
    return 0;
}

/* openEuler virtCCA */

static long tmm_config(Vm *vm, const struct vkvm_tmm_config *item)
{
    if (!item) {
        return -EFAULT;
    }
    if (vm->stage != VM_NEW) {
        return -EBUSY;
    }
    switch (item->cfg) {
    case VKVM_TMM_CFG_RPV:
        memcpy(vm->params.rpv, item->rpv, sizeof(vm->params.rpv));
        return 0;
    case VKVM_TMM_CFG_HASH_ALGO:
        if (item->hash_algo != VKVM_TMM_HASH_SHA256 &&
            item->hash_algo != VKVM_TMM_HASH_SHA512) {
            return -EINVAL;
        }
        vm->params.hash_algo = item->hash_algo == VKVM_TMM_HASH_SHA512 ?
                               TMM_HASH_SHA512 : TMM_HASH_SHA256;
        return 0;
    case VKVM_TMM_CFG_SVE:
    case VKVM_TMM_CFG_PMU:
        /* This TMM offers realms neither SVE nor a PMU. */
        return -EINVAL;
    case VKVM_TMM_CFG_DBG:
        if (!item->num_brps || item->num_brps > TMM_FEAT_NUM_BPS ||
            !item->num_wrps || item->num_wrps > TMM_FEAT_NUM_WPS) {
            return -EINVAL;
        }
        vm->params.num_bps = item->num_brps;
        vm->params.num_wps = item->num_wrps;
        return 0;
    default:
        return -EINVAL;
    }
}

static long load_user_data(Vm *vm, const struct vkvm_user_data *ud)
{
    uint64_t ram_top;

    if (!ud) {
        return -EFAULT;
    }
    if (!vm->realm || vm->stage == VM_NEW) {
        return -EINVAL;
    }
    if (vm->stage == VM_ACTIVE) {
        return -EPERM;
    }
    if (vm->stage == VM_POPULATED) {
        return -EBUSY;
    }
    ram_top = ud->loader_start + ud->ram_size;
    if (!ud->ram_size || !aligned(ud->loader_start) ||
        !aligned(ud->ram_size) || ram_top < ud->loader_start ||
        ram_top > 1ULL << (vm->ipa_bits - 1) ||
        ud->image_end < ud->loader_start || ud->image_end > ram_top ||
        (ud->dtb_end && (ud->initrd_start < ud->loader_start ||
                         ud->dtb_end < ud->initrd_start ||
                         ud->dtb_end > ram_top)) ||
        ud->numa_node_count > VKVM_TMM_MAX_NUMA_NODES) {
        return -EINVAL;
    }
    vm->ud = *ud;
    vm->user_data = true;
    return 0;
}

static long populate_cvm(Vm *vm, const struct vkvm_tmm_populate *p)
{
    VirtccaPlanRange ram, r[2];
    uint64_t ram_top = vm->ud.loader_start + vm->ud.ram_size;
    size_t nr, i;
    long ret;

    if (!p) {
        return -EFAULT;
    }
    if (vm->stage == VM_POPULATED) {
        return -EBUSY;
    }
    if (vm->stage != VM_REALM || !vm->user_data) {
        return -EINVAL;
    }
    if ((p->flags & ~VKVM_TMM_POPULATE_MEASURE) || p->reserved[0] ||
        p->reserved[1] || p->reserved[2] || !p->size1 ||
        !aligned(p->base1) || !aligned(p->size1) || !aligned(p->base2) ||
        !aligned(p->size2) ||
        (p->size2 && p->base2 < p->base1 + p->size1)) {
        return -EINVAL;
    }
    r[0] = (VirtccaPlanRange) { p->base1, p->base1 + p->size1 };
    r[1] = (VirtccaPlanRange) { p->base2, p->base2 + p->size2 };
    nr = p->size2 ? 2 : 1;
    for (i = 0; i < nr; i++) {
        if (r[i].top < r[i].base || r[i].base < vm->ud.loader_start ||
            r[i].top > ram_top) {
            return -EINVAL;
        }
        if (!slot_holding(vm, r[i].base, r[i].top)) {
            return -EFAULT;
        }
    }
    ram = (VirtccaPlanRange) { vm->ud.loader_start, ram_top };
    ret = init_ripas(vm, &ram);
    for (i = 0; !ret && i < nr; i++) {
        Slot *sl = slot_holding(vm, r[i].base, r[i].top);

        ret = populate_from(vm, r[i].base, r[i].top - r[i].base,
                            (const uint8_t *)(uintptr_t)
                            (sl->uaddr + (r[i].base - sl->gpa)),
                            p->flags & VKVM_TMM_POPULATE_MEASURE);
    }
    if (!ret) {
        vm->stage = VM_POPULATED;
    }
    return ret;
}

static long activate_cvm(Vm *vm)
{
    int i, n = 0;

    if (vm->stage != VM_POPULATED) {
        return -EINVAL;
    }
    for (i = 0; i < MAX_VCPUS; i++) {
        if (vm->vcpus[i]) {
            if (!vm->vcpus[i]->finalized) {
                return -EINVAL;
            }
            n++;
        }
    }
    return n ? activate(vm) : -EINVAL;
}

static long tmm_enable_cap(Vm *vm, const struct vkvm_enable_cap *ec)
{
    if (!vm->realm) {
        return -EINVAL;
    }
    if (vm->stage == VM_ACTIVE) {
        return -EPERM;
    }
    switch (ec->args[0]) {
    case VKVM_CAP_ARM_TMM_CONFIG_CVM:
        return tmm_config(vm, (const void *)(uintptr_t)ec->args[1]);
    case VKVM_CAP_ARM_TMM_CREATE_RD:
        return vm->stage != VM_NEW ? -EEXIST : realm_create(vm);
    case VKVM_CAP_ARM_TMM_POPULATE_CVM:
        return populate_cvm(vm, (const void *)(uintptr_t)ec->args[1]);
    case VKVM_CAP_ARM_TMM_ACTIVATE_CVM:
        return activate_cvm(vm);
    default:
        return -EINVAL;
    }
}

/* upstream CCA */

static long rmi_config(Vm *vm, const struct vkvm_enable_cap *ec)
{
    const struct vkvm_rmi_config *item = (const void *)(uintptr_t)
                                         ec->args[1];

    if (!vm->realm || ec->args[0] != VKVM_CAP_ARM_RMI_CONFIG_REALM) {
        return -EINVAL;
    }
    if (!item) {
        return -EFAULT;
    }
    if (vm->stage != VM_NEW) {
        return -EBUSY;
    }
    switch (item->cfg) {
    case VKVM_RMI_CFG_RPV:
        memcpy(vm->params.rpv, item->rpv, sizeof(vm->params.rpv));
        return 0;
    case VKVM_RMI_CFG_HASH_ALGO:
        if (item->hash_algo != VKVM_RMI_HASH_SHA256 &&
            item->hash_algo != VKVM_RMI_HASH_SHA512) {
            return -EINVAL;
        }
        vm->params.hash_algo = item->hash_algo == VKVM_RMI_HASH_SHA512 ?
                               TMM_HASH_SHA512 : TMM_HASH_SHA256;
        return 0;
    default:
        return -EINVAL;
    }
}

/* The realm, when first needed: RIPAS RAM over the private memory. */
static long upstream_realm(Vm *vm)
{
    long ret;
    size_t i;

    if (vm->stage != VM_NEW) {
        return 0;
    }
    ret = realm_create(vm);
    for (i = 0; !ret && i < vm->nr_private; i++) {
        ret = init_ripas(vm, &vm->private[i]);
    }
    return ret;
}

static long rmi_populate(Vm *vm, struct vkvm_arm_rmi_populate *p,
                         bool writes_back)
{
    Slot *sl;
    long ret;

    if (!p) {
        return -EFAULT;
    }
    if (!vm->realm) {
        return -EINVAL;
    }
    if (vm->stage == VM_ACTIVE) {
        return -EPERM;
    }
    if ((p->flags & ~VKVM_RMI_POPULATE_MEASURE) || p->reserved ||
        !p->size || !aligned(p->base) || !aligned(p->size) ||
        !aligned(p->source_uaddr) || p->base + p->size < p->base) {
        return -EINVAL;
    }
    sl = slot_holding(vm, p->base, p->base + p->size);
    if (!sl || !(sl->flags & VKVM_MEM_GUEST_MEMFD) ||
        !is_private(vm, p->base, p->base + p->size)) {
        return -EINVAL;
    }
    ret = upstream_realm(vm);
    if (!ret) {
        ret = populate_from(vm, p->base, p->size,
                            (const uint8_t *)(uintptr_t)p->source_uaddr,
                            p->flags & VKVM_RMI_POPULATE_MEASURE);
    }
    if (!ret && writes_back) {
        p->base += p->size;
        p->source_uaddr += p->size;
        p->size = 0;
    }
    return ret;
}

/* First KVM_RUN: the RECs, in vCPU order, and activation. */
static long upstream_activate(Vm *vm)
{
    long ret = upstream_realm(vm);
    int i;

    for (i = 0; !ret && i < MAX_VCPUS; i++) {
        if (vm->vcpus[i]) {
            ret = create_rec(vm, vm->vcpus[i]);
        }
    }
    return ret ? ret : activate(vm);
}

/* vCPUs */

static long create_vcpu(Vm *vm, uint64_t id)
{
    Vcpu *v;
    long fd;

    if (id >= MAX_VCPUS) {
        return -EINVAL;
    }
    if (vm->vcpus[id]) {
        return -EEXIST;
    }
    if (vm->stage == VM_ACTIVE) {
        return -EPERM;
    }
    /* The vGIC sized its redistributors at initialisation. */
    if (vm->vgic && vm->vgic->initialized) {
        return -EBUSY;
    }
    v = calloc(1, sizeof(*v));
    if (!v || posix_memalign((void **)&v->run, KVM_STANDIN_RUN_SIZE,
                             KVM_STANDIN_RUN_SIZE)) {
        free(v);
        return -ENOMEM;
    }
    memset(v->run, 0, KVM_STANDIN_RUN_SIZE);
    v->vm = vm;
    v->id = id;
    /* KVM's default affinity for a vCPU id: Aff0 up to 16, then Aff1. */
    v->mpidr = (id & 0xf) | ((id >> 4) & 0xff) << 8;
    standin_arm64_reset(&v->regs, v->mpidr);
    fd = new_fd(vm->s, OBJ_VCPU, v);
    if (fd < 0) {
        free(v->run);
        free(v);
        return fd;
    }
    vm->vcpus[id] = v;
    vm->nr_vcpus++;
    return fd;
}

static long vcpu_init(Vcpu *v, const struct vkvm_vcpu_init *init)
{
    bool openeuler = v->vm->s->cfg.api == KVM_STANDIN_OPENEULER;
    /*
     * POWER_OFF, EL1_32BIT, PSCI_0_2, PMU_V3, SVE, PTRAUTH x2; HAS_EL2
     * outside realms (capability 240, KVM_CAP_ARM_EL2 on mainline, says
     * 1); TEC.
     */
    uint32_t known = 0x7f | (v->vm->realm ? 0 : 1u << 7) |
                     (openeuler ? 1u << VKVM_ARM_VCPU_TEC : 0);
    bool tec;
    int i;

    if (!init) {
        return -EFAULT;
    }
    if (init->target != SKVM_ARM_TARGET_GENERIC_V8) {
        return -EINVAL;
    }
    if (v->finalized || v->vm->stage == VM_ACTIVE) {
        return -EPERM;
    }
    for (i = 1; i < 7; i++) {
        if (init->features[i]) {
            return -EINVAL;
        }
    }
    tec = init->features[0] & (1u << VKVM_ARM_VCPU_TEC);
    if ((init->features[0] & ~known) ||
        (openeuler && tec != v->vm->realm) ||
        (v->vm->realm && (init->features[0] & 2))) {
        return -EINVAL;
    }
    memcpy(v->features, init->features, sizeof(v->features));
    /* VCPU_INIT resets the vCPU, again each time. */
    standin_arm64_reset(&v->regs, v->mpidr);
    v->inited = true;
    return 0;
}

static long one_reg(Vcpu *v, const struct vkvm_one_reg *r, bool set)
{
    size_t size;
    int i;

    if (!r) {
        return -EFAULT;
    }
    if (!v->inited) {
        return -ENOEXEC;
    }
    i = standin_arm64_reg_index(r->id);
    if (i < 0) {
        return -ENOENT;
    }
    size = standin_arm64_reg_size(r->id);
    if (!set) {
        memcpy((void *)(uintptr_t)r->addr, v->regs.value[i], size);
        return 0;
    }
    /* A REC's registers belong to the monitor once it exists. */
    if (v->vm->realm && (v->finalized || v->vm->stage == VM_ACTIVE)) {
        return -EPERM;
    }
    if (standin_arm64_reg_is_id(r->id) &&
        memcmp(v->regs.value[i], (const void *)(uintptr_t)r->addr, size)) {
        return -EINVAL;
    }
    memcpy(v->regs.value[i], (const void *)(uintptr_t)r->addr, size);
    return 0;
}

static long reg_list(Vcpu *v, struct skvm_reg_list *list)
{
    uint64_t n = standin_arm64_nr_regs(), given, i;

    if (!list) {
        return -EFAULT;
    }
    if (!v->inited) {
        return -ENOEXEC;
    }
    given = list->n;
    list->n = n;
    if (given < n) {
        return -E2BIG;
    }
    for (i = 0; i < n; i++) {
        uint64_t id = standin_arm64_reg_id(i);

        memcpy((uint8_t *)(list + 1) + 8 * i, &id, 8);
    }
    return 0;
}

static long finalize(Vcpu *v, const int *feature)
{
    Vm *vm = v->vm;
    long ret;

    if (!feature) {
        return -EFAULT;
    }
    if (*feature != VKVM_ARM_VCPU_TEC ||
        vm->s->cfg.api != KVM_STANDIN_OPENEULER || !vm->realm ||
        !v->inited) {
        return -EINVAL;
    }
    if (v->finalized || vm->stage == VM_ACTIVE) {
        return -EPERM;
    }
    if (vm->stage != VM_POPULATED) {
        return -EINVAL;
    }
    ret = create_rec(vm, v);
    if (!ret) {
        v->finalized = true;
    }
    return ret;
}

/* The REC of @v: the monitor holds them in creation order. */
static uint64_t rec_of(Vcpu *v)
{
    Vm *vm = v->vm;
    size_t n = 0;
    uint32_t i;

    for (i = 0; i < v->id; i++) {
        n += vm->vcpus[i] != NULL;
    }
    return n < vm->built.nr_recs ? vm->built.recs[n] : 0;
}

static uint64_t run_ld64(const uint8_t *run, size_t off)
{
    uint64_t v;

    memcpy(&v, run + off, 8);
    return v;
}

/* The VMM's answer to a RIPAS change: carry it out if memory agrees. */
static uint64_t answer_ripas(Vcpu *v, uint64_t rec)
{
    KvmStandin *s = v->vm->s;
    Vm *vm = v->vm;
    const uint8_t *run = s->ns[2];
    uint64_t base = run_ld64(run, TMM_REC_RUN_EXIT_RIPAS_BASE);
    uint64_t top = run_ld64(run, TMM_REC_RUN_EXIT_RIPAS_TOP);
    bool ram = run[TMM_REC_RUN_EXIT_RIPAS_VALUE] == TMM_RIPAS_RAM;
    char err[256];
    int tries = 0;

    if (ram ? !is_private(vm, base, top) : !is_shared(vm, base, top)) {
        return TMM_REC_ENTRY_RIPAS_RESPONSE;        /* reject */
    }
    while (base < top && tries < 4) {
        uint64_t regs[TMM_RMI_REGS] = { TMM_RMI_RTT_SET_RIPAS,
                                        vm->built.rd, rec, base, top };

        tmm_rmi_call(s->tmm, regs);
        if (regs[0] == TMM_RMI_SUCCESS) {
            base = regs[1];
            tries = 0;
            continue;
        }
        /* A block the change only partly covers: split it. */
        if ((regs[0] & 0xff) != TMM_RMI_ERROR_RTT || (regs[0] >> 8) >= 3 ||
            !virtcca_plan_ensure_table(&s->host, &vm->built, base,
                                       (regs[0] >> 8) + 1, err,
                                       sizeof(err))) {
            break;
        }
        tries++;
    }
    return 0;
}

/* The realm's granule at @ipa, if DATA was created there. */
static const uint8_t *realm_granule(Vm *vm, uint64_t ipa)
{
    uint64_t regs[TMM_RMI_REGS] = { TMM_RMI_RTT_READ_ENTRY, vm->built.rd,
                                    ipa & ~(GRANULE - 1), 3 };

    tmm_rmi_call(vm->s->tmm, regs);
    if (regs[0] != TMM_RMI_SUCCESS || regs[2] != TMM_RTTE_ASSIGNED ||
        regs[4] != TMM_RIPAS_RAM) {
        return NULL;
    }
    return standin_map(vm->s, regs[3]);
}

/* The realm, entered at @ctx, reads its RIM (RSI_MEASUREMENT_READ slot 0). */
static bool realm_reads_rim(Vm *vm, uint64_t rec, TmmVcpuContext *ctx,
                            uint8_t *rim, size_t *size)
{
    int i;

    ctx->gprs[0] = TMM_RSI_MEASUREMENT_READ;
    ctx->gprs[1] = 0;
    if (tmm_rec_smc(vm->s->tmm, rec, ctx) != TMM_SMC_RESUME ||
        ctx->gprs[0] != TMM_RSI_SUCCESS) {
        return false;
    }
    for (i = 0; i < 8; i++) {
        memcpy(rim + 8 * i, &ctx->gprs[1 + i], 8);
    }
    *size = tmm_hash_size(vm->params.hash_algo);
    return true;
}

/* A flattened device tree starts at @ipa of the realm's memory. */
static bool realm_has_dtb_at(Vm *vm, uint64_t ipa)
{
    const uint8_t *g = realm_granule(vm, ipa), *p;

    if (!g || ipa % 8) {
        return false;
    }
    p = g + ipa % GRANULE;
    return ((uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]) ==
           FDT_MAGIC;
}

/*
 * boot_guest: the realm's first entry.  What the host set up reaches the
 * REC (the monitor's copy of PC, x0 and MPIDR, read at REC_ENTER); the
 * realm then powers off through PSCI, which the monitor reports as a PSCI
 * exit and KVM as a system event.
 */
static long boot_realm(Vcpu *v, uint64_t rec)
{
    Vm *vm = v->vm;
    KvmStandin *s = vm->s;
    Report *r = &s->report;
    struct skvm_run_system_event *ev = (void *)&v->run->memory_fault;
    TmmVcpuContext ctx;
    bool ok;

    memset(s->ns[2], 0, GRANULE);
    if (tmm_rec_enter(s->tmm, rec, NS_BASE + 2 * GRANULE, &ctx) !=
        TMM_RMI_SUCCESS) {
        return -ENXIO;
    }
    /* One boot REC: the first entry is the one reported. */
    r->entered = true;
    r->pc = ctx.pc;
    r->x0 = ctx.gprs[0];
    r->mpidr = ctx.mpidr;
    r->vcpu_mpidr = vcpu_mpidr(v);
    r->pc_in_ram = realm_granule(vm, ctx.pc) != NULL;
    r->x0_is_dtb = realm_has_dtb_at(vm, ctx.gprs[0]);
    ok = r->pc_in_ram && r->x0_is_dtb && r->mpidr == r->vcpu_mpidr;
    /* The realm reads its RIM ... */
    r->have_rim = realm_reads_rim(vm, rec, &ctx, r->rim, &r->rim_size);
    /* ... and powers off. */
    ctx.gprs[0] = PSCI_SYSTEM_OFF;
    if (tmm_rec_smc(s->tmm, rec, &ctx) != TMM_SMC_EXIT ||
        run_ld64(s->ns[2], TMM_REC_RUN_EXIT_REASON) != TMM_EXIT_PSCI) {
        return -ENXIO;
    }
    v->booted = true;
    v->run->exit_reason = SKVM_EXIT_SYSTEM_EVENT;
    memset(ev, 0, sizeof(*ev));
    ev->type = ok ? SKVM_SYSTEM_EVENT_SHUTDOWN : SKVM_SYSTEM_EVENT_CRASH;
    return 0;
}

/* A vCPU with nothing to run: a REC not runnable, or no realm at all. */
static bool nothing_to_run(Vcpu *v)
{
    return !v->vm->realm || v->booted ||
           (v->features[0] & (1u << VKVM_ARM_VCPU_POWER_OFF));
}

static long run_vcpu(Vcpu *v)
{
    Vm *vm = v->vm;
    KvmStandin *s = vm->s;
    uint8_t *run = s->ns[2];
    uint64_t rec, flags = 0;
    TmmVcpuContext ctx;
    TmmExitEvent irq = { .kind = TMM_EVENT_IRQ };
    long ret;

    if (!v->inited) {
        return -ENOEXEC;
    }
    if (vm->realm && vm->stage != VM_ACTIVE) {
        if (s->cfg.api == KVM_STANDIN_OPENEULER) {
            return -EPERM;
        }
        ret = upstream_activate(vm);
        if (ret) {
            return ret;
        }
    }
    if (s->cfg.boot_guest && nothing_to_run(v)) {
        return -KVM_STANDIN_WOULD_BLOCK;
    }
    if (!vm->realm) {
        v->run->exit_reason = KVM_EXIT_INTR;
        return -EINTR;          /* no guest to run */
    }
    rec = rec_of(v);
    if (s->cfg.boot_guest && !v->guest_request && !v->ripas_exit) {
        report_call(s, "RUN");
        report_vm(vm);
        return boot_realm(v, rec);
    }
    if (v->ripas_exit) {
        flags = answer_ripas(v, rec);
    }
    memset(run, 0, GRANULE);
    memcpy(run + TMM_REC_RUN_ENTRY_FLAGS, &flags, 8);
    if (tmm_rec_enter(s->tmm, rec, NS_BASE + 2 * GRANULE, &ctx) !=
        TMM_RMI_SUCCESS) {
        return -ENXIO;
    }
    if (v->ripas_exit) {
        v->ripas_exit = false;
        v->have_result = true;
        v->result_status = ctx.gprs[2];     /* 0 accepted, 1 rejected */
        v->result_top = ctx.gprs[1];
    }
    if (v->guest_request) {
        v->guest_request = false;
        ctx.gprs[0] = TMM_RSI_IPA_STATE_SET;
        ctx.gprs[1] = v->req_base;
        ctx.gprs[2] = v->req_top;
        ctx.gprs[3] = v->req_ripas;
        ctx.gprs[4] = 0;
        if (tmm_rec_smc(s->tmm, rec, &ctx) == TMM_SMC_EXIT) {
            bool ram = run[TMM_REC_RUN_EXIT_RIPAS_VALUE] == TMM_RIPAS_RAM;
            uint64_t base = run_ld64(run, TMM_REC_RUN_EXIT_RIPAS_BASE);

            v->run->exit_reason = VKVM_EXIT_MEMORY_FAULT;
            v->run->memory_fault.flags = ram ?
                                         VKVM_MEMORY_EXIT_FLAG_PRIVATE : 0;
            v->run->memory_fault.gpa = base;
            v->run->memory_fault.size =
                run_ld64(run, TMM_REC_RUN_EXIT_RIPAS_TOP) - base;
            v->ripas_exit = true;
            return -EFAULT;
        }
        v->have_result = true;      /* refused by the monitor at once */
        v->result_status = ctx.gprs[0];
        v->result_top = 0;
    }
    /* No guest code runs here: the entry ends with an interrupt. */
    tmm_rec_exit(s->tmm, rec, &ctx, &irq);
    v->run->exit_reason = KVM_EXIT_INTR;
    return -EINTR;
}

/* Dispatch */

/* The in-kernel GICv3: one per VM; KVM_CREATE_DEVICE_TEST only probes. */
static long create_device(Vm *vm, struct skvm_create_device *cd)
{
    long fd;

    if (!cd) {
        return -EFAULT;
    }
    if (cd->flags & ~SKVM_CREATE_DEVICE_TEST) {
        return -EINVAL;
    }
    /* A GICv3 host without GICv2 compatibility; no ITS emulation. */
    if (cd->type != SKVM_DEV_TYPE_ARM_VGIC_V3) {
        return -ENODEV;
    }
    if (cd->flags & SKVM_CREATE_DEVICE_TEST) {
        return 0;
    }
    if (vm->vgic) {
        return -EEXIST;
    }
    vm->vgic = malloc(sizeof(*vm->vgic));
    if (!vm->vgic) {
        return -ENOMEM;
    }
    standin_vgic_init(vm->vgic);
    fd = new_fd(vm->s, OBJ_VGIC, vm);
    if (fd < 0) {
        free(vm->vgic);
        vm->vgic = NULL;
        return fd;
    }
    cd->fd = fd;
    return 0;
}

static long vgic_ioctl(Vm *vm, unsigned long req, struct skvm_device_attr *a)
{
    if (req != SKVM_SET_DEVICE_ATTR && req != SKVM_GET_DEVICE_ATTR &&
        req != SKVM_HAS_DEVICE_ATTR) {
        return -ENOTTY;
    }
    if (!a) {
        return -EFAULT;
    }
    if (a->flags) {
        return -EINVAL;
    }
    if (req == SKVM_HAS_DEVICE_ATTR) {
        return standin_vgic_has_attr(a->group, a->attr);
    }
    if (!a->addr && a->group != SKVM_VGIC_GRP_CTRL) {
        return -EFAULT;
    }
    if (req == SKVM_GET_DEVICE_ATTR) {
        return standin_vgic_get_attr(vm->vgic, a->group, a->attr,
                                     (void *)(uintptr_t)a->addr);
    }
    return standin_vgic_set_attr(vm->vgic, a->group, a->attr,
                                 (const void *)(uintptr_t)a->addr,
                                 vm->nr_vcpus);
}

/* Interrupt plumbing the VMM sets up: checked, then nothing to deliver. */
static long irq_ioctl(Vm *vm, unsigned long req, void *arg)
{
    if (!arg) {
        return -EFAULT;
    }
    if (req == SKVM_IRQ_LINE) {
        const struct skvm_irq_level *l = arg;

        return vm->vgic ? standin_vgic_irq_line(vm->vgic, l->irq, l->level,
                                                vm->nr_vcpus) : -ENXIO;
    }
    if (req == SKVM_SET_GSI_ROUTING) {
        const struct skvm_irq_routing *r = arg;

        return r->nr > NR_GSIS || r->flags ? -EINVAL : 0;
    }
    if (req == SKVM_IRQFD) {
        const struct skvm_irqfd *f = arg;

        if (f->flags & ~(SKVM_IRQFD_FLAG_DEASSIGN |
                         SKVM_IRQFD_FLAG_RESAMPLE)) {
            return -EINVAL;
        }
        return !vm->vgic || !vm->vgic->initialized ? -ENODEV :
               f->gsi >= NR_GSIS ? -EINVAL : 0;
    }
    if (req == SKVM_IOEVENTFD) {
        const struct skvm_ioeventfd *e = arg;

        if (e->flags & ~(SKVM_IOEVENTFD_FLAG_DATAMATCH |
                         SKVM_IOEVENTFD_FLAG_DEASSIGN)) {
            return -EINVAL;
        }
        return e->len != 0 && e->len != 1 && e->len != 2 && e->len != 4 &&
               e->len != 8 ? -EINVAL : 0;
    }
    return -ENOTTY;
}

static long vm_ioctl(Vm *vm, unsigned long req, void *arg)
{
    KvmStandin *s = vm->s;
    bool upstream = s->cfg.api == KVM_STANDIN_UPSTREAM;
    unsigned long populate = s->cfg.upstream_revision == 12 ?
                             VKVM_ARM_RMI_POPULATE_R12 :
                             VKVM_ARM_RMI_POPULATE;

    if (req == VKVM_CHECK_EXTENSION) {
        return check_extension(s, vm, (uintptr_t)arg);
    }
    if (req == VKVM_CREATE_VCPU) {
        return create_vcpu(vm, (uintptr_t)arg);
    }
    if (req == SKVM_CREATE_DEVICE) {
        return create_device(vm, arg);
    }
    if (req == SKVM_IRQ_LINE || req == SKVM_SET_GSI_ROUTING ||
        req == SKVM_IRQFD || req == SKVM_IOEVENTFD) {
        return irq_ioctl(vm, req, arg);
    }
    if (req == SKVM_ARM_PREFERRED_TARGET) {
        struct vkvm_vcpu_init *init = arg;

        if (!init) {
            return -EFAULT;
        }
        memset(init, 0, sizeof(*init));
        init->target = SKVM_ARM_TARGET_GENERIC_V8;
        return 0;
    }
    if (req == SKVM_HAS_DEVICE_ATTR) {
        return -ENXIO;          /* no VM-wide attributes */
    }
    if (req == VKVM_SET_USER_MEMORY_REGION) {
        struct vkvm_userspace_memory_region2 r2 = { 0 };

        if (!arg) {
            return -EFAULT;
        }
        memcpy(&r2, arg, sizeof(struct vkvm_userspace_memory_region));
        return set_memory_region(vm, &r2, false);
    }
    if (req == VKVM_ENABLE_CAP) {
        const struct vkvm_enable_cap *ec = arg;

        if (!ec) {
            return -EFAULT;
        }
        if (ec->flags) {
            return -EINVAL;
        }
        if (s->cfg.api == KVM_STANDIN_OPENEULER &&
            ec->cap == VKVM_CAP_ARM_TMM) {
            return tmm_enable_cap(vm, ec);
        }
        if (upstream && (int)ec->cap == s->cfg.rmi_cap) {
            return rmi_config(vm, ec);
        }
        return -EINVAL;
    }
    if (s->cfg.api == KVM_STANDIN_OPENEULER && req == VKVM_LOAD_USER_DATA) {
        return load_user_data(vm, arg);
    }
    if (upstream) {
        if (req == VKVM_SET_USER_MEMORY_REGION2) {
            return set_memory_region(vm, arg, true);
        }
        if (req == VKVM_CREATE_GUEST_MEMFD) {
            return create_guest_memfd(vm, arg);
        }
        if (req == VKVM_SET_MEMORY_ATTRIBUTES) {
            return memory_attributes(vm, arg);
        }
        if (req == populate) {
            return rmi_populate(vm, arg, populate == VKVM_ARM_RMI_POPULATE);
        }
    }
    return -ENOTTY;
}

static long set_signal_mask(Vcpu *v, const struct skvm_signal_mask *m)
{
    if (!m) {
        v->has_sigmask = false;
        return 0;
    }
    /* The kernel's sigset_t: 64 signals. */
    if (m->len != 8) {
        return -EINVAL;
    }
    memcpy(&v->sigmask, m + 1, 8);
    v->has_sigmask = true;
    return 0;
}

static long vcpu_ioctl(Vcpu *v, unsigned long req, void *arg)
{
    switch (req) {
    case SKVM_GET_REG_LIST:
        return reg_list(v, arg);
    case SKVM_SET_GUEST_DEBUG:
        /* A REC's debug state is the monitor's to set, not the host's. */
        return !arg ? -EFAULT : v->vm->realm ? -EINVAL : 0;
    case SKVM_SET_SIGNAL_MASK:
        return set_signal_mask(v, arg);
    case SKVM_HAS_DEVICE_ATTR:
    case SKVM_SET_DEVICE_ATTR:
    case SKVM_GET_DEVICE_ATTR:
        return -ENXIO;          /* no PMU, timer or PV-time attributes */
    case VKVM_ARM_VCPU_INIT:
        return vcpu_init(v, arg);
    case VKVM_SET_ONE_REG:
        return one_reg(v, arg, true);
    case VKVM_GET_ONE_REG:
        return one_reg(v, arg, false);
    case VKVM_ARM_VCPU_FINALIZE:
        return finalize(v, arg);
    case VKVM_RUN:
        return run_vcpu(v);
    default:
        return -ENOTTY;
    }
}

/* The name of a realm call, for the report; NULL if not one. */
static const char *realm_call_name(KvmStandin *s, Obj *o, unsigned long req,
                                   const void *arg)
{
    static const char *const tmm_cap[] = {
        "CONFIG_CVM", "CREATE_RD", "POPULATE_CVM", "ACTIVATE_CVM",
    };
    const struct vkvm_enable_cap *ec = arg;

    if (o->kind == OBJ_VCPU && req == VKVM_ARM_VCPU_FINALIZE) {
        return "FINALIZE";
    }
    if (o->kind != OBJ_VM || !((Vm *)o->p)->realm) {
        return NULL;
    }
    if (req == VKVM_ENABLE_CAP) {
        if (ec->cap == VKVM_CAP_ARM_TMM && ec->args[0] < 4) {
            return tmm_cap[ec->args[0]];
        }
        return "CONFIG_REALM";
    }
    if (req == VKVM_LOAD_USER_DATA && s->cfg.api == KVM_STANDIN_OPENEULER) {
        return "LOAD_USER_DATA";
    }
    if (s->cfg.api != KVM_STANDIN_UPSTREAM) {
        return NULL;
    }
    switch (req) {
    case VKVM_CREATE_GUEST_MEMFD:
        return "CREATE_GUEST_MEMFD";
    case VKVM_SET_MEMORY_ATTRIBUTES:
        return "SET_MEMORY_ATTRIBUTES";
    case VKVM_ARM_RMI_POPULATE:
    case VKVM_ARM_RMI_POPULATE_R12:
        return "RMI_POPULATE";
    default:
        return NULL;
    }
}

long kvm_standin_ioctl(KvmStandin *s, int fd, unsigned long req, void *arg)
{
    Obj *o = get_fd(s, fd);
    const char *call;
    Vm *vm;
    long ret;

    if (!o) {
        return -EBADF;
    }
    switch (o->kind) {
    case OBJ_SYS:
        return sys_ioctl(s, req, arg);
    case OBJ_VM:
        vm = o->p;
        ret = vm_ioctl(vm, req, arg);
        break;
    case OBJ_VCPU:
        vm = ((Vcpu *)o->p)->vm;
        ret = vcpu_ioctl(o->p, req, arg);
        break;
    case OBJ_VGIC:
        return vgic_ioctl(o->p, req, arg);
    default:
        return -ENOTTY;
    }
    call = ret >= 0 && vm->realm ? realm_call_name(s, o, req, arg) : NULL;
    if (call) {
        report_call(s, call);
        report_vm(vm);
    }
    return ret;
}

const char *kvm_standin_fd_kind_of_answer(KvmStandin *s, int fd,
                                          unsigned long req)
{
    Obj *o = get_fd(s, fd);

    if (!o) {
        return NULL;
    }
    if (o->kind == OBJ_SYS && req == VKVM_CREATE_VM) {
        return "kvm-standin-vm";
    }
    if (o->kind == OBJ_VM && req == VKVM_CREATE_VCPU) {
        return "kvm-standin-vcpu";
    }
    if (o->kind == OBJ_VM && req == VKVM_CREATE_GUEST_MEMFD) {
        return "kvm-standin-gmem";
    }
    if (o->kind == OBJ_VM && req == SKVM_CREATE_DEVICE) {
        return "kvm-standin-device";
    }
    return NULL;
}

bool kvm_standin_is_run_page(KvmStandin *s, const void *page)
{
    int i;

    for (i = 0; i < MAX_FDS; i++) {
        if (s->fds[i].kind == OBJ_VCPU &&
            ((Vcpu *)s->fds[i].p)->run == page) {
            return true;
        }
    }
    return false;
}

long kvm_standin_block(KvmStandin *s, int vcpu_fd)
{
    Obj *o = get_fd(s, vcpu_fd);
    Vcpu *v = o && o->kind == OBJ_VCPU ? o->p : NULL;
    sigset_t blocked, admitted;
    int sig;

    if (!v) {
        return -EBADF;
    }
    /*
     * As the kernel does: sleep until a signal arrives that the vCPU's
     * KVM_SET_SIGNAL_MASK admits while it runs but the thread blocks
     * (QEMU's SIG_IPI kick), and leave it pending, for the VMM to take.
     * A signal the thread does not block is delivered as usual and ends
     * the wait too.
     */
    pthread_sigmask(SIG_BLOCK, NULL, &blocked);
    sigemptyset(&admitted);
    for (sig = 1; v->has_sigmask && sig <= 64; sig++) {
        if (sigismember(&blocked, sig) == 1 &&
            !(v->sigmask & (1ULL << (sig - 1)))) {
            sigaddset(&admitted, sig);
        }
    }
    sig = sigwaitinfo(&admitted, NULL);
    if (sig > 0) {
        pthread_kill(pthread_self(), sig);
    }
    v->run->exit_reason = KVM_EXIT_INTR;
    return -EINTR;
}

void *kvm_standin_run_page(KvmStandin *s, int vcpu_fd)
{
    Obj *o = get_fd(s, vcpu_fd);

    return o && o->kind == OBJ_VCPU ? ((Vcpu *)o->p)->run : NULL;
}

static const char *const stage_names[] = {
    [VM_NEW] = "new", [VM_REALM] = "realm", [VM_POPULATED] = "populated",
    [VM_ACTIVE] = "active",
};

static void write_hex(FILE *f, const char *key, uint64_t v, bool comma)
{
    fprintf(f, "\"%s\": \"0x%" PRIx64 "\"%s", key, v, comma ? ", " : "");
}

void kvm_standin_write_report(KvmStandin *s, FILE *f)
{
    static const char *const apis[] = {
        [KVM_STANDIN_MAINLINE] = "mainline",
        [KVM_STANDIN_OPENEULER] = "openeuler",
        [KVM_STANDIN_UPSTREAM] = "upstream",
    };
    Report *r = &s->report;
    size_t i;
    int fd;

    /* The realm VMs still open: their state now. */
    for (fd = 0; fd < MAX_FDS; fd++) {
        if (s->fds[fd].kind == OBJ_VM) {
            report_vm(s->fds[fd].p);
        }
    }
    fprintf(f, "{\"api\": \"%s\", \"revision\": %d, \"realm\": %s",
            apis[s->cfg.api], s->cfg.api == KVM_STANDIN_UPSTREAM ?
            s->cfg.upstream_revision : 0, r->realm ? "true" : "false");
    if (!r->realm) {
        fprintf(f, "}\n");
        return;
    }
    fprintf(f, ", \"calls\": \"%s\", \"stage\": \"%s\", "
            "\"hash\": \"%s\", \"data_granules\": %zu, \"recs\": %zu",
            r->calls, stage_names[r->stage],
            r->hash_algo == TMM_HASH_SHA512 ? "sha512" : "sha256",
            r->data_granules, r->recs);
    if (r->have_rim) {
        fprintf(f, ", \"rim\": \"");
        for (i = 0; i < r->rim_size; i++) {
            fprintf(f, "%02x", r->rim[i]);
        }
        fprintf(f, "\"");
    }
    if (r->entered) {
        fprintf(f, ", \"entry\": {");
        write_hex(f, "pc", r->pc, true);
        write_hex(f, "x0", r->x0, true);
        write_hex(f, "mpidr", r->mpidr, true);
        write_hex(f, "vcpu_mpidr", r->vcpu_mpidr, true);
        fprintf(f, "\"pc_in_realm_ram\": %s, \"x0_is_dtb\": %s}",
                r->pc_in_ram ? "true" : "false",
                r->x0_is_dtb ? "true" : "false");
    }
    fprintf(f, "}\n");
}

/* Test windows */

static Vm *vm_of(KvmStandin *s, int fd)
{
    Obj *o = get_fd(s, fd);

    return o && o->kind == OBJ_VM ? o->p : NULL;
}

static Vcpu *vcpu_of(KvmStandin *s, int fd)
{
    Obj *o = get_fd(s, fd);

    return o && o->kind == OBJ_VCPU ? o->p : NULL;
}

bool kvm_standin_read_rim(KvmStandin *s, int vm_fd, uint8_t *rim,
                          size_t *size)
{
    Vm *vm = vm_of(s, vm_fd);
    TmmExitEvent irq = { .kind = TMM_EVENT_IRQ };
    TmmVcpuContext ctx;
    uint64_t rec;
    bool ok;

    if (!vm || vm->stage != VM_ACTIVE || !vm->built.nr_recs) {
        return false;
    }
    rec = vm->built.recs[0];
    memset(s->ns[2], 0, GRANULE);
    if (tmm_rec_enter(s->tmm, rec, NS_BASE + 2 * GRANULE, &ctx) !=
        TMM_RMI_SUCCESS) {
        return false;
    }
    ok = realm_reads_rim(vm, rec, &ctx, rim, size);
    tmm_rec_exit(s->tmm, rec, &ctx, &irq);
    return ok;
}

void kvm_standin_guest_set_ripas(KvmStandin *s, int vcpu_fd, uint64_t base,
                                 uint64_t top, bool ram)
{
    Vcpu *v = vcpu_of(s, vcpu_fd);

    if (v) {
        v->guest_request = true;
        v->req_base = base;
        v->req_top = top;
        v->req_ripas = ram ? TMM_RIPAS_RAM : TMM_RIPAS_EMPTY;
        v->have_result = false;
    }
}

bool kvm_standin_guest_result(KvmStandin *s, int vcpu_fd, uint64_t *status,
                              uint64_t *top)
{
    Vcpu *v = vcpu_of(s, vcpu_fd);

    if (!v || !v->have_result) {
        return false;
    }
    *status = v->result_status;
    *top = v->result_top;
    return true;
}

int kvm_standin_ripas(KvmStandin *s, int vm_fd, uint64_t ipa)
{
    Vm *vm = vm_of(s, vm_fd);
    uint64_t regs[TMM_RMI_REGS] = { TMM_RMI_RTT_READ_ENTRY };
    int level;

    if (!vm || vm->stage == VM_NEW) {
        return -1;
    }
    /* The deepest entry that maps @ipa, as RTT_READ_ENTRY reports it. */
    for (level = 3; level >= vm->built.start_level; level--) {
        regs[0] = TMM_RMI_RTT_READ_ENTRY;
        regs[1] = vm->built.rd;
        regs[2] = ipa & ~((1ULL << (12 + 9 * (3 - level))) - 1);
        regs[3] = level;
        tmm_rmi_call(s->tmm, regs);
        if (regs[0] == TMM_RMI_SUCCESS && regs[2] != TMM_RTTE_TABLE) {
            return regs[4];
        }
    }
    return -1;
}

size_t kvm_standin_data_granules(KvmStandin *s, int vm_fd)
{
    Vm *vm = vm_of(s, vm_fd);

    return vm ? vm->built.nr_data : 0;
}
