/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The virtcca machine's launch plan for its realm, from what the boot
 * loader placed in RAM: what -accel virtcca turns into the host kernel's
 * realm ioctls.
 */
#ifndef HW_ARM_VIRTCCA_REALM_PLAN_H
#define HW_ARM_VIRTCCA_REALM_PLAN_H

#include "hw/boards.h"
#include "plan.h"

/*
 * Fill @plan (initialised by the caller, its parameters set) for the
 * virtcca machine @ms after reset, once the images are loaded: RAM, the
 * images, the two populate ranges openEuler's host kernel measures, and
 * one REC per vCPU in MPIDR order, the first one runnable at the kernel.
 */
bool virtcca_machine_realm_plan(MachineState *ms, VirtccaPlan *plan,
                                Error **errp);

#endif
