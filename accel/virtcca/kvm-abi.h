/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host kernel's KVM user API as the virtcca accelerator uses it: the
 * project's own definitions, so that nothing depends on the kernel headers
 * of the build machine (which know neither realm API).
 *
 * Sources: docs/system/arm/virtcca.rst and the project's ABI notes
 * (cca-abi.md section 7) for the two realm APIs; the generic KVM ioctls
 * and structures are the kernel's stable user ABI.  Layouts are spelled
 * out with fixed-width fields and their sizes asserted, because an ioctl
 * number encodes the size of its argument: a wrong size is a different
 * ioctl, which the kernel refuses with ENOTTY.
 *
 * Two parts are the project's reading where the notes are silent, marked
 * UNVERIFIED below: the field widths of openEuler's NUMA description in
 * struct kvm_user_data, and the realm-parameter call of upstream CCA.
 * Check both against the host kernel before relying on them on hardware.
 * The kernel stand-in (tests/tmm/kvm/) uses these same definitions, so
 * running the accelerator against it cannot settle them; nor the realm
 * VM type of upstream revisions 12 and 13, which the notes give only for
 * revision 14 and which both sides take to be the same.
 */
#ifndef VIRTCCA_KVM_ABI_H
#define VIRTCCA_KVM_ABI_H

#include <stddef.h>
#include <stdint.h>

/* ioctl numbers: the asm-generic encoding arm64 uses. */
#define VKVM_IOC_NRSHIFT        0
#define VKVM_IOC_TYPESHIFT      8
#define VKVM_IOC_SIZESHIFT      16
#define VKVM_IOC_DIRSHIFT       30
#define VKVM_IOC_NONE           0UL
#define VKVM_IOC_WRITE          1UL
#define VKVM_IOC_READ           2UL

#define VKVM_IOC(dir, type, nr, size) \
    (((unsigned long)(dir) << VKVM_IOC_DIRSHIFT) | \
     ((unsigned long)(type) << VKVM_IOC_TYPESHIFT) | \
     ((unsigned long)(nr) << VKVM_IOC_NRSHIFT) | \
     ((unsigned long)(size) << VKVM_IOC_SIZESHIFT))

#define VKVMIO                  0xAE
#define VKVM_IO(nr)             VKVM_IOC(VKVM_IOC_NONE, VKVMIO, nr, 0)
#define VKVM_IOR(nr, type)      VKVM_IOC(VKVM_IOC_READ, VKVMIO, nr, \
                                         sizeof(type))
#define VKVM_IOW(nr, type)      VKVM_IOC(VKVM_IOC_WRITE, VKVMIO, nr, \
                                         sizeof(type))
#define VKVM_IOWR(nr, type)     VKVM_IOC(VKVM_IOC_READ | VKVM_IOC_WRITE, \
                                         VKVMIO, nr, sizeof(type))

/* Generic KVM structures */

struct vkvm_enable_cap {
    uint32_t cap;
    uint32_t flags;
    uint64_t args[4];
    uint8_t pad[64];
};
_Static_assert(sizeof(struct vkvm_enable_cap) == 104, "kvm_enable_cap");

struct vkvm_vcpu_init {
    uint32_t target;
    uint32_t features[7];
};
_Static_assert(sizeof(struct vkvm_vcpu_init) == 32, "kvm_vcpu_init");

struct vkvm_one_reg {
    uint64_t id;
    uint64_t addr;              /* user address of the value */
};
_Static_assert(sizeof(struct vkvm_one_reg) == 16, "kvm_one_reg");

struct vkvm_userspace_memory_region {
    uint32_t slot;
    uint32_t flags;
    uint64_t guest_phys_addr;
    uint64_t memory_size;
    uint64_t userspace_addr;
};
_Static_assert(sizeof(struct vkvm_userspace_memory_region) == 32,
               "kvm_userspace_memory_region");

struct vkvm_userspace_memory_region2 {
    uint32_t slot;
    uint32_t flags;
    uint64_t guest_phys_addr;
    uint64_t memory_size;
    uint64_t userspace_addr;
    uint64_t guest_memfd_offset;
    uint32_t guest_memfd;
    uint32_t pad1;
    uint64_t pad2[14];
};
_Static_assert(sizeof(struct vkvm_userspace_memory_region2) == 160,
               "kvm_userspace_memory_region2");

struct vkvm_create_guest_memfd {
    uint64_t size;
    uint64_t flags;
    uint64_t reserved[6];
};
_Static_assert(sizeof(struct vkvm_create_guest_memfd) == 64,
               "kvm_create_guest_memfd");

struct vkvm_memory_attributes {
    uint64_t address;
    uint64_t size;
    uint64_t attributes;
    uint64_t flags;
};
_Static_assert(sizeof(struct vkvm_memory_attributes) == 32,
               "kvm_memory_attributes");

/*
 * The start of struct kvm_run (the vCPU's mmap'ed page): what the layer
 * reads.  The kernel's structure is larger; only these offsets matter.
 */
struct vkvm_run_memory_fault {
    uint64_t flags;
    uint64_t gpa;
    uint64_t size;
};

struct vkvm_run {
    uint8_t request_interrupt_window;
    uint8_t immediate_exit;
    uint8_t padding1[6];
    uint32_t exit_reason;
    uint8_t ready_for_interrupt_injection;
    uint8_t if_flag;
    uint16_t flags;
    uint64_t cr8;
    uint64_t apic_base;
    union {
        struct vkvm_run_memory_fault memory_fault;
        uint8_t padding[256];
    };
};
_Static_assert(offsetof(struct vkvm_run, exit_reason) == 8, "kvm_run");
_Static_assert(offsetof(struct vkvm_run, memory_fault) == 32, "kvm_run");

/* Generic KVM ioctls: on /dev/kvm ... */
#define VKVM_GET_API_VERSION            VKVM_IO(0x00)
#define VKVM_CREATE_VM                  VKVM_IO(0x01)
#define VKVM_CHECK_EXTENSION            VKVM_IO(0x03)   /* also on a VM */
#define VKVM_GET_VCPU_MMAP_SIZE         VKVM_IO(0x04)
/* ... on a VM ... */
#define VKVM_CREATE_VCPU                VKVM_IO(0x41)
#define VKVM_SET_USER_MEMORY_REGION     VKVM_IOW(0x46, \
                                        struct vkvm_userspace_memory_region)
#define VKVM_SET_USER_MEMORY_REGION2    VKVM_IOW(0x49, \
                                        struct vkvm_userspace_memory_region2)
#define VKVM_ENABLE_CAP                 VKVM_IOW(0xa3, struct vkvm_enable_cap)
#define VKVM_SET_MEMORY_ATTRIBUTES      VKVM_IOW(0xd2, \
                                        struct vkvm_memory_attributes)
#define VKVM_CREATE_GUEST_MEMFD         VKVM_IOWR(0xd4, \
                                        struct vkvm_create_guest_memfd)
/* ... on a vCPU */
#define VKVM_RUN                        VKVM_IO(0x80)
#define VKVM_GET_ONE_REG                VKVM_IOW(0xab, struct vkvm_one_reg)
#define VKVM_SET_ONE_REG                VKVM_IOW(0xac, struct vkvm_one_reg)
#define VKVM_ARM_VCPU_INIT              VKVM_IOW(0xae, struct vkvm_vcpu_init)
#define VKVM_ARM_VCPU_FINALIZE          VKVM_IOW(0xc2, int)

/* Capabilities, features, flags */
#define VKVM_CAP_ARM_VM_IPA_SIZE        165
#define VKVM_CAP_USER_MEMORY2           231
#define VKVM_CAP_MEMORY_ATTRIBUTES      233
#define VKVM_CAP_GUEST_MEMFD            234
#define VKVM_VM_TYPE_ARM_IPA_SIZE_MASK  0xffULL
#define VKVM_ARM_VCPU_POWER_OFF         0       /* vcpu_init feature bit */
#define VKVM_MEM_GUEST_MEMFD            (1U << 2)
#define VKVM_MEMORY_ATTRIBUTE_PRIVATE   (1ULL << 3)
#define VKVM_EXIT_MEMORY_FAULT          39
#define VKVM_MEMORY_EXIT_FLAG_PRIVATE   (1ULL << 3)

/* ONE_REG ids of arm64: core registers (struct kvm_regs) and sysregs */
#define VKVM_REG_ARM64                  0x6000000000000000ULL
#define VKVM_REG_SIZE_U64               0x0030000000000000ULL
#define VKVM_REG_ARM_CORE               (0x0010ULL << 16)
#define VKVM_REG_ARM64_SYSREG           (0x0013ULL << 16)
/* kvm_regs starts with user_pt_regs: x0..x30, sp, pc; ids count 32 bits */
#define VKVM_REG_CORE_X(n)  (VKVM_REG_ARM64 | VKVM_REG_SIZE_U64 | \
                             VKVM_REG_ARM_CORE | ((n) * 2))
#define VKVM_REG_CORE_PC    (VKVM_REG_ARM64 | VKVM_REG_SIZE_U64 | \
                             VKVM_REG_ARM_CORE | (32 * 2))
#define VKVM_REG_SYS(op0, op1, crn, crm, op2) \
    (VKVM_REG_ARM64 | VKVM_REG_SIZE_U64 | VKVM_REG_ARM64_SYSREG | \
     ((uint64_t)(op0) << 14) | ((op1) << 11) | ((crn) << 7) | \
     ((crm) << 3) | (op2))
#define VKVM_REG_MPIDR_EL1  VKVM_REG_SYS(3, 0, 0, 0, 5)

/* openEuler virtCCA */

#define VKVM_CAP_ARM_TMM                300
#define VKVM_VM_TYPE_ARM_TMM            (1ULL << 8)
#define VKVM_ARM_VCPU_TEC               8       /* feature bit; finalized */
#define VKVM_TMI_ABI_MAJOR              2       /* KVM_GET_TMI_VERSION >> 16 */

/* KVM_ENABLE_CAP(KVM_CAP_ARM_TMM) args[0] */
#define VKVM_CAP_ARM_TMM_CONFIG_CVM     0       /* args[1]: the item */
#define VKVM_CAP_ARM_TMM_CREATE_RD      1
#define VKVM_CAP_ARM_TMM_POPULATE_CVM   2       /* args[1]: the ranges */
#define VKVM_CAP_ARM_TMM_ACTIVATE_CVM   3

/* CONFIG_CVM items */
#define VKVM_TMM_CFG_RPV                0
#define VKVM_TMM_CFG_HASH_ALGO          1
#define VKVM_TMM_CFG_SVE                2
#define VKVM_TMM_CFG_DBG                3
#define VKVM_TMM_CFG_PMU                4
#define VKVM_TMM_HASH_SHA256            0
#define VKVM_TMM_HASH_SHA512            1

struct vkvm_tmm_config {
    uint32_t cfg;
    union {
        uint8_t rpv[64];
        uint32_t hash_algo;
        uint32_t sve_vq;                /* vector length / 128 bits */
        struct {
            uint32_t num_brps;
            uint32_t num_wrps;
        };
        uint32_t num_pmu_cntrs;
        uint8_t reserved[256];
    };
};
_Static_assert(sizeof(struct vkvm_tmm_config) == 260, "tmm config");

#define VKVM_TMM_POPULATE_MEASURE       (1U << 0)

struct vkvm_tmm_populate {
    uint64_t base1;
    uint64_t size1;
    uint64_t base2;
    uint64_t size2;
    uint32_t flags;
    uint32_t reserved[3];
};
_Static_assert(sizeof(struct vkvm_tmm_populate) == 48, "tmm populate");

/*
 * UNVERIFIED widths: the notes name the NUMA fields (count, up to 8 nodes
 * of numa_id, ipa_start, ipa_size, host nodes, cpu bitmap) but not their
 * sizes.  Here: 64-bit fields, bitmaps of 256 host nodes and 256 vCPUs.
 */
#define VKVM_TMM_MAX_NUMA_NODES         8
#define VKVM_TMM_BITMAP_WORDS           4

struct vkvm_tmm_numa_node {
    uint64_t numa_id;
    uint64_t ipa_start;
    uint64_t ipa_size;
    uint64_t host_numa_nodes[VKVM_TMM_BITMAP_WORDS];
    uint64_t cpu_bitmap[VKVM_TMM_BITMAP_WORDS];
};

struct vkvm_user_data {
    uint64_t loader_start;              /* RAM base: populate range 1 */
    uint64_t image_end;
    uint64_t initrd_start;              /* populate range 2 */
    uint64_t dtb_end;
    uint64_t ram_size;
    uint64_t numa_node_count;           /* 0: one node, all of RAM */
    struct vkvm_tmm_numa_node numa_nodes[VKVM_TMM_MAX_NUMA_NODES];
};
_Static_assert(sizeof(struct vkvm_user_data) == 48 + 8 * 88, "user data");

/* On a VM; 0x49 and 0xd2 differ from the generic ones by size/direction. */
#define VKVM_LOAD_USER_DATA     VKVM_IOW(0x49, struct vkvm_user_data)
/* On /dev/kvm */
#define VKVM_GET_TMI_VERSION    VKVM_IOR(0xd2, uint64_t)

/* Upstream Arm CCA, revision 12 onward */

#define VKVM_VM_TYPE_ARM_REALM          (1ULL << 30)    /* revision 14 */
#define VKVM_RMI_POPULATE_MEASURE       (1U << 0)

struct vkvm_arm_rmi_populate {
    uint64_t base;
    uint64_t size;
    uint64_t source_uaddr;
    uint32_t flags;
    uint32_t reserved;
};
_Static_assert(sizeof(struct vkvm_arm_rmi_populate) == 32, "rmi populate");

/* On a VM: _IOW in revision 12, _IOWR from revision 13. */
#define VKVM_ARM_RMI_POPULATE_R12 VKVM_IOW(0xd7, struct vkvm_arm_rmi_populate)
#define VKVM_ARM_RMI_POPULATE     VKVM_IOWR(0xd7, struct vkvm_arm_rmi_populate)

/*
 * The realm capability's number moved between revisions, colliding with
 * mainline ones: these are candidates to probe, never trusted as such.
 */
#define VKVM_RMI_CAP_CANDIDATES         { 240, 243, 244, 247, 248, 249 }

/*
 * UNVERIFIED: the realm parameters of upstream CCA.  The notes give no
 * call for them; this is KVM_ENABLE_CAP(<realm cap>) with args[0] =
 * CONFIG_REALM and args[1] pointing to the same shape as openEuler's
 * CONFIG_CVM item, limited to the two items a realm's RIM depends on.
 */
#define VKVM_CAP_ARM_RMI_CONFIG_REALM   0
#define VKVM_RMI_CFG_RPV                0
#define VKVM_RMI_CFG_HASH_ALGO          1
#define VKVM_RMI_HASH_SHA256            0
#define VKVM_RMI_HASH_SHA512            1

struct vkvm_rmi_config {
    uint32_t cfg;
    union {
        uint8_t rpv[64];
        uint32_t hash_algo;
        uint8_t reserved[256];
    };
};
_Static_assert(sizeof(struct vkvm_rmi_config) == 260, "rmi config");

#endif
