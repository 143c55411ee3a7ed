/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rest of the kernel's stable KVM user ABI (arm64) that QEMU's own KVM
 * code uses and the kernel stand-in therefore answers: capabilities, the
 * in-kernel GICv3 device, interrupt lines and routing, vCPU registers,
 * signal masks.  What the accelerator's ioctl layer uses is in
 * accel/virtcca/kvm-abi.h; this adds to it, in the same style.
 */
#ifndef STANDIN_ABI_H
#define STANDIN_ABI_H

#include "kvm-abi.h"

/* Capabilities (KVM_CHECK_EXTENSION) */
#define SKVM_CAP_IRQCHIP                        0
#define SKVM_CAP_USER_MEMORY                    3
#define SKVM_CAP_NR_VCPUS                       9
#define SKVM_CAP_NR_MEMSLOTS                    10
#define SKVM_CAP_SYNC_MMU                       16
#define SKVM_CAP_DESTROY_MEMORY_REGION_WORKS    21
#define SKVM_CAP_SET_GUEST_DEBUG                23
#define SKVM_CAP_IRQ_ROUTING                    25
#define SKVM_CAP_JOIN_MEMORY_REGIONS_WORKS      30
#define SKVM_CAP_IRQFD                          32
#define SKVM_CAP_IOEVENTFD                      36
#define SKVM_CAP_INTERNAL_ERROR_DATA            40
#define SKVM_CAP_MAX_VCPUS                      66
#define SKVM_CAP_DEVICE_CTRL                    89
#define SKVM_CAP_ARM_PSCI                       87
#define SKVM_CAP_ARM_PSCI_0_2                   102
#define SKVM_CAP_IOEVENTFD_ANY_LENGTH           122
#define SKVM_CAP_MAX_VCPU_ID                    128
#define SKVM_CAP_ARM_USER_IRQ                   144
#define SKVM_CAP_ARM_IRQ_LINE_LAYOUT_2          174

/* ioctls on a VM */
struct skvm_irq_level {
    uint32_t irq;
    uint32_t level;
};
#define SKVM_IRQ_LINE                   VKVM_IOW(0x61, struct skvm_irq_level)

struct skvm_irq_routing {
    uint32_t nr;
    uint32_t flags;
    /* struct kvm_irq_routing_entry entries[nr], 48 bytes each */
};
#define SKVM_IRQ_ROUTING_ENTRY_SIZE     48
#define SKVM_SET_GSI_ROUTING            VKVM_IOW(0x6a, struct skvm_irq_routing)

struct skvm_irqfd {
    uint32_t fd;
    uint32_t gsi;
    uint32_t flags;
    uint32_t resamplefd;
    uint8_t pad[16];
};
_Static_assert(sizeof(struct skvm_irqfd) == 32, "kvm_irqfd");
#define SKVM_IRQFD                      VKVM_IOW(0x76, struct skvm_irqfd)
#define SKVM_IRQFD_FLAG_DEASSIGN        (1U << 0)
#define SKVM_IRQFD_FLAG_RESAMPLE        (1U << 1)

struct skvm_ioeventfd {
    uint64_t datamatch;
    uint64_t addr;
    uint32_t len;
    int32_t fd;
    uint32_t flags;
    uint8_t pad[36];
};
_Static_assert(sizeof(struct skvm_ioeventfd) == 64, "kvm_ioeventfd");
#define SKVM_IOEVENTFD                  VKVM_IOW(0x79, struct skvm_ioeventfd)
#define SKVM_IOEVENTFD_FLAG_DATAMATCH   (1U << 0)
#define SKVM_IOEVENTFD_FLAG_PIO         (1U << 1)
#define SKVM_IOEVENTFD_FLAG_DEASSIGN    (1U << 2)

struct skvm_create_device {
    uint32_t type;
    uint32_t fd;                        /* out */
    uint32_t flags;
};
_Static_assert(sizeof(struct skvm_create_device) == 12, "kvm_create_device");
#define SKVM_CREATE_DEVICE          VKVM_IOWR(0xe0, struct skvm_create_device)
#define SKVM_CREATE_DEVICE_TEST     1U
#define SKVM_DEV_TYPE_ARM_VGIC_V2   5
#define SKVM_DEV_TYPE_ARM_VGIC_V3   7
#define SKVM_DEV_TYPE_ARM_VGIC_ITS  8

/* ... on a device (and on a vCPU) */
struct skvm_device_attr {
    uint32_t flags;
    uint32_t group;
    uint64_t attr;
    uint64_t addr;                      /* user address of the value */
};
_Static_assert(sizeof(struct skvm_device_attr) == 24, "kvm_device_attr");
#define SKVM_SET_DEVICE_ATTR        VKVM_IOW(0xe1, struct skvm_device_attr)
#define SKVM_GET_DEVICE_ATTR        VKVM_IOW(0xe2, struct skvm_device_attr)
#define SKVM_HAS_DEVICE_ATTR        VKVM_IOW(0xe3, struct skvm_device_attr)

/* GICv3 device attribute groups and attributes */
#define SKVM_VGIC_GRP_ADDR              0
#define SKVM_VGIC_GRP_DIST_REGS         1
#define SKVM_VGIC_GRP_NR_IRQS           3
#define SKVM_VGIC_GRP_CTRL              4
#define SKVM_VGIC_GRP_REDIST_REGS       5
#define SKVM_VGIC_GRP_CPU_SYSREGS       6
#define SKVM_VGIC_GRP_LEVEL_INFO        7
#define SKVM_VGIC_CTRL_INIT             0
#define SKVM_VGIC_V3_ADDR_TYPE_DIST     2
#define SKVM_VGIC_V3_ADDR_TYPE_REDIST   3
#define SKVM_VGIC_V3_ADDR_TYPE_REDIST_REGION 5
#define SKVM_VGIC_V3_DIST_SIZE          0x10000ULL
#define SKVM_VGIC_V3_REDIST_SIZE        0x20000ULL

/* ... on a vCPU */
struct skvm_signal_mask {
    uint32_t len;
    /* uint8_t sigset[len] */
};
#define SKVM_SET_SIGNAL_MASK        VKVM_IOW(0x8b, struct skvm_signal_mask)

struct skvm_reg_list {
    uint64_t n;
    /* uint64_t reg[n] */
};
#define SKVM_GET_REG_LIST           VKVM_IOWR(0xb0, struct skvm_reg_list)
#define SKVM_ARM_PREFERRED_TARGET   VKVM_IOR(0xaf, struct vkvm_vcpu_init)
#define SKVM_ARM_TARGET_GENERIC_V8  5

struct skvm_guest_debug {
    uint32_t control;
    uint32_t pad;
    uint64_t dbg_regs[4][16];           /* bcr, bvr, wcr, wvr */
};
_Static_assert(sizeof(struct skvm_guest_debug) == 520, "kvm_guest_debug");
#define SKVM_SET_GUEST_DEBUG        VKVM_IOW(0x9b, struct skvm_guest_debug)

/* KVM_RUN exits */
#define SKVM_EXIT_INTR                  10
#define SKVM_EXIT_SYSTEM_EVENT          24
#define SKVM_SYSTEM_EVENT_SHUTDOWN      1
#define SKVM_SYSTEM_EVENT_CRASH         3

/* struct kvm_run's system_event, at the union (offset 32) */
struct skvm_run_system_event {
    uint32_t type;
    uint32_t ndata;
    uint64_t data[16];
};

/* ONE_REG ids beyond kvm-abi.h's */
#define SKVM_REG_SIZE_U32               0x0020000000000000ULL
#define SKVM_REG_SIZE_U128              0x0040000000000000ULL
#define SKVM_REG_SIZE_MASK              0x00f0000000000000ULL
#define SKVM_REG_SIZE_SHIFT             52
#define SKVM_REG_ARM_FW                 (0x0014ULL << 16)
#define SKVM_REG_ARM_COPROC_MASK        0x000000000fff0000ULL
/* struct kvm_regs: user_pt_regs, sp_el1, elr_el1, spsr[5], fp_regs */
#define SKVM_CORE_OFF_SP                (31 * 8)
#define SKVM_CORE_OFF_PSTATE            (33 * 8)
#define SKVM_CORE_OFF_SP_EL1            (34 * 8)
#define SKVM_CORE_OFF_ELR_EL1           (35 * 8)
#define SKVM_CORE_OFF_SPSR              (36 * 8)
#define SKVM_CORE_OFF_VREGS             0x150
#define SKVM_CORE_OFF_FPSR              (SKVM_CORE_OFF_VREGS + 32 * 16)
#define SKVM_CORE_OFF_FPCR              (SKVM_CORE_OFF_FPSR + 4)
#define SKVM_REG_CORE(size, off)        (VKVM_REG_ARM64 | (size) | \
                                         VKVM_REG_ARM_CORE | ((off) / 4))
#define SKVM_REG_PSCI_VERSION           (VKVM_REG_ARM64 | VKVM_REG_SIZE_U64 | \
                                         SKVM_REG_ARM_FW | 0)

#endif
