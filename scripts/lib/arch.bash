# shellcheck shell=bash
# The release architectures, as the Makefile's table gives them (the only
# place they are written). Source this file, then:
#   arch_table       one row per architecture: name triplet debian qemu
#                    oci-arch oci-variant elf-class elf-machine elf-abi
#                    ("-" where a column has no value)
#   arch_names       the names, one per line
#   host_arch        the name of the architecture the compiler builds for

ARCH_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

arch_table() { make -s --no-print-directory -C "$ARCH_REPO" arch-table; }
arch_names() { arch_table | awk '{ print $1 }'; }
host_arch() { make -s --no-print-directory -C "$ARCH_REPO" print-HOST_ARCH; }
