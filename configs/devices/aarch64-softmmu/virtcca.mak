# virtcca-qemu: the boards and devices this build needs, and nothing more
# (configured with --without-default-devices --with-devices-aarch64=virtcca).

# The confidential machine.
CONFIG_VIRTCCA=y
# The stock machine the benchmarks compare against.
CONFIG_ARM_VIRT=y

# Devices the realm guests use.
CONFIG_VIRTIO_MMIO=y
CONFIG_VIRTIO_PCI=y
CONFIG_VIRTIO_BLK=y
CONFIG_VIRTIO_NET=y
CONFIG_VIRTIO_RNG=y
CONFIG_VIRTIO_SERIAL=y
CONFIG_PCI_DEVICES=y

# virt's ACPI tables call into CXL: QEMU 10.2 does not link virt without
# it, and CXL needs the PCIe expander bridge.
CONFIG_CXL=y
CONFIG_PXB=y
CONFIG_CXL_MEM_DEVICE=y
CONFIG_PCIE_PORT=y
