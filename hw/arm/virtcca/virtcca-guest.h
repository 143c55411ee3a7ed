/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtcca-guest: the realm configuration object, and the realm executor
 * the machine drives under TCG (realm.c).
 */
#ifndef HW_ARM_VIRTCCA_GUEST_H
#define HW_ARM_VIRTCCA_GUEST_H

#include "exec/hwaddr.h"
#include "system/confidential-guest-support.h"
#include "hw/resettable.h"

#define TYPE_VIRTCCA_GUEST "virtcca-guest"
#define TYPE_TMM_GUEST "tmm-guest"
OBJECT_DECLARE_SIMPLE_TYPE(VirtccaGuest, VIRTCCA_GUEST)

typedef struct VirtccaRealm VirtccaRealm;

struct VirtccaGuest {
    ConfidentialGuestSupport parent_obj;

    uint8_t hash_algo;          /* 0 SHA-256, 1 SHA-512 */
    uint8_t rpv[64];
    uint32_t sve_vl;
    uint32_t pmu_counters;
    char *rak_file;
    char *platform_key_file;
    char *measurement_log;

    VirtccaRealm *realm;
    ResettableState reset_state;
};

/* What the machine hands the realm executor. */
typedef struct VirtccaRealmConfig {
    MemoryRegion *secure_ram;   /* the TZASC carve-out's DRAM */
    hwaddr secure_base;
    uint64_t secure_size;
    MemoryRegion *ns_ram;       /* the machine's Non-secure DRAM */
    hwaddr ram_base;            /* of both the DRAM and the realm's RAM */
    struct arm_boot_info *binfo;
} VirtccaRealmConfig;

/*
 * Set up the realm: its monitor's hooks, its DMA view for devices.
 * The realm itself is built at every system reset, after the images are
 * loaded.  Fails with a message naming the offending option.
 */
VirtccaRealm *virtcca_realm_new(VirtccaGuest *guest, MachineState *ms,
                                const VirtccaRealmConfig *cfg, Error **errp);
typedef struct VirtccaInfo VirtccaInfo;
/* The realm's part of query-virtcca. */
void virtcca_realm_fill_info(VirtccaRealm *realm, VirtccaInfo *info);

/* The reset phases of the guest object, which rebuild the realm. */
void virtcca_guest_reset_class_init(ObjectClass *oc);
/* dump-guest-memory fails with virtcca's message while a realm exists. */
void virtcca_guest_refuse_host_dumps(void);
/* Secure memory a realm with @ram_size of RAM may need. */
uint64_t virtcca_realm_secure_memory_needed(uint64_t ram_size);
/* Once the machine has created the secure DRAM. */
void virtcca_realm_attach_secure_memory(VirtccaRealm *realm);
/*
 * The MSI doorbell at [@base, @base + @size): devices reach it at that
 * plain address although it is in the protected half of the IPA space.
 */
void virtcca_realm_add_msi_doorbell(VirtccaRealm *realm, hwaddr base,
                                    uint64_t size);
/* Devices on @bus see the realm's DMA view. */
void virtcca_realm_setup_pci(VirtccaRealm *realm, PCIBus *bus);
/* Give an unrealized vCPU the features the realm's parameters allow. */
void virtcca_realm_configure_cpu(VirtccaRealm *realm, Object *cpuobj);
bool virtcca_realm_host_data_destroy(VirtccaRealm *realm, uint64_t ipa,
                                     Error **errp);

/* What devices see: only the unprotected half. */
AddressSpace *virtcca_realm_dma_as(VirtccaRealm *realm);

#endif
