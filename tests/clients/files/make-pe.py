#!/usr/bin/env python3
"""Write a minimal valid PE32+ executable (x86-64 console program whose entry
point returns 0) to argv[1]: DOS header, PE header, one .text section."""
import struct
import sys

FILE_ALIGN = 0x200
SECT_ALIGN = 0x1000


def main() -> int:
    code = bytes([0x31, 0xC0, 0xC3])  # xor eax, eax; ret
    dos = bytearray(64)
    dos[0:2] = b"MZ"
    struct.pack_into("<I", dos, 0x3C, 64)  # e_lfanew

    coff = struct.pack(
        "<HHIIIHH",
        0x8664,  # Machine: AMD64
        1,  # NumberOfSections
        0,  # TimeDateStamp
        0,  # PointerToSymbolTable
        0,  # NumberOfSymbols
        240,  # SizeOfOptionalHeader (PE32+)
        0x0022,  # EXECUTABLE_IMAGE | LARGE_ADDRESS_AWARE
    )
    optional = struct.pack(
        "<HBBIIIII",
        0x20B,  # PE32+
        14,
        0,  # linker version
        FILE_ALIGN,  # SizeOfCode
        0,  # SizeOfInitializedData
        0,  # SizeOfUninitializedData
        SECT_ALIGN,  # AddressOfEntryPoint
        SECT_ALIGN,  # BaseOfCode
    )
    optional += struct.pack(
        "<QIIHHHHHHIIIIHHQQQQII",
        0x140000000,  # ImageBase
        SECT_ALIGN,
        FILE_ALIGN,
        6,
        0,  # OS version
        0,
        0,  # image version
        6,
        0,  # subsystem version
        0,  # Win32VersionValue
        2 * SECT_ALIGN,  # SizeOfImage
        FILE_ALIGN,  # SizeOfHeaders
        0,  # CheckSum
        3,  # Subsystem: Windows console
        0x8160,  # DllCharacteristics: dynamic base, NX, TS aware, high entropy VA
        0x100000,
        0x1000,  # stack reserve, commit
        0x100000,
        0x1000,  # heap reserve, commit
        0,  # LoaderFlags
        16,  # NumberOfRvaAndSizes
    )
    optional += bytes(16 * 8)  # data directories, all empty
    assert len(optional) == 240
    section = struct.pack(
        "<8sIIIIIIHHI",
        b".text",
        len(code),  # VirtualSize
        SECT_ALIGN,  # VirtualAddress
        FILE_ALIGN,  # SizeOfRawData
        FILE_ALIGN,  # PointerToRawData
        0,
        0,
        0,
        0,
        0x60000020,  # CODE | EXECUTE | READ
    )
    headers = bytes(dos) + b"PE\0\0" + coff + optional + section
    image = headers.ljust(FILE_ALIGN, b"\0") + code.ljust(FILE_ALIGN, b"\0")
    with open(sys.argv[1], "wb") as f:
        f.write(image)
    return 0


if __name__ == "__main__":
    sys.exit(main())
