/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel stand-in: the arm64 vCPU its KVM presents (the real thing needs
 * CCA hardware).  The registers KVM_GET_REG_LIST lists and ONE_REG reads
 * and writes: the core registers of struct kvm_regs, FP/SIMD, the EL1
 * system registers, the timer and PSCI firmware registers, and the ID
 * registers of the stand-in's CPU (an Armv8.2-A core with the debug
 * resources the monitor offers realms, no SVE, no PMU, no AArch32).
 */
#ifndef STANDIN_ARM64_H
#define STANDIN_ARM64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STANDIN_ARM64_MAX_REGS  192

typedef struct StandinArm64Regs {
    uint64_t value[STANDIN_ARM64_MAX_REGS][2];
} StandinArm64Regs;

/* The registers of KVM_GET_REG_LIST, in its order. */
size_t standin_arm64_nr_regs(void);
uint64_t standin_arm64_reg_id(size_t i);
/* The index of ONE_REG @id, or -1 (the kernel's ENOENT). */
int standin_arm64_reg_index(uint64_t id);
/* The size in bytes ONE_REG @id transfers. */
size_t standin_arm64_reg_size(uint64_t id);
/* An ID register: its value cannot change (the kernel's EINVAL). */
bool standin_arm64_reg_is_id(uint64_t id);

/* The state after KVM_ARM_VCPU_INIT of a vCPU with affinity @mpidr. */
void standin_arm64_reset(StandinArm64Regs *r, uint64_t mpidr);
/* A 64-bit register's value (the low half of a 128-bit one). */
uint64_t *standin_arm64_reg64(StandinArm64Regs *r, uint64_t id);

#endif
