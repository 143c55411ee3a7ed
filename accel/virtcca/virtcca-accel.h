/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * -accel virtcca: KVM running the virtcca machine's guest as a realm on
 * an aarch64 host whose kernel offers openEuler virtCCA or upstream Arm
 * CCA (accel/virtcca/virtcca-accel.c).  Built only where KVM is; the
 * machine reaches it through the class below, so that it needs no stubs
 * where the accelerator is absent.
 */
#ifndef ACCEL_VIRTCCA_ACCEL_H
#define ACCEL_VIRTCCA_ACCEL_H

#include "qemu/accel.h"
#include "accel/accel-ops.h"
#include "qapi/qapi-types-virtcca.h"

#define TYPE_VIRTCCA_ACCEL ACCEL_CLASS_NAME("virtcca")

typedef struct VirtccaAccelClass {
    AccelClass parent_class;

    /*
     * The KVM_CREATE_VM type for @ms's realm (the machine's kvm_type
     * hook); -1 with the error reported.
     */
    int (*vm_type)(AccelState *accel, MachineState *ms);
    /* What the host offers realms, as probed at start. */
    void (*capabilities)(AccelState *accel, VirtccaCapabilities *caps);
} VirtccaAccelClass;

DECLARE_CLASS_CHECKERS(VirtccaAccelClass, VIRTCCA_ACCEL, TYPE_VIRTCCA_ACCEL)

/* The running accelerator's class if it is -accel virtcca, else NULL. */
static inline VirtccaAccelClass *virtcca_accel_class(void)
{
    AccelState *accel = current_accel();
    ObjectClass *oc;

    if (!accel) {
        return NULL;
    }
    oc = object_class_dynamic_cast(object_get_class(OBJECT(accel)),
                                   TYPE_VIRTCCA_ACCEL);
    return oc ? VIRTCCA_ACCEL_CLASS(oc) : NULL;
}

#endif
