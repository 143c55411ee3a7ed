/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host's emulation of a realm's device accesses (host-mmio.c).
 */
#ifndef HW_ARM_VIRTCCA_HOST_MMIO_H
#define HW_ARM_VIRTCCA_HOST_MMIO_H

/*
 * Answer an emulatable data abort exit (syndrome @esr, run structure
 * @run) of vCPU @cpu at bus address @addr (the unprotected IPA without
 * its top bit): the entry's flags and, for a load, gprs[0].
 */
void virtcca_host_emulate_mmio(int cpu, uint64_t esr, hwaddr addr,
                               uint8_t *run);

#endif
