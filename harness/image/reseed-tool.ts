/**
 * gauntlet-reseed: the guest's one way to make its kernel reseed its random generator now.
 *
 * A clone restored from a saved state resumes with the saved generator state: two clones would hand out
 * the same "random" bytes until the kernel next reseeds by itself (Linux 6.1: every 60 s once past
 * its early-boot phase). Kernels with a VM generation ID driver reseed on the runtime's signal; the
 * Debian 6.1 cloud kernels have none (no CONFIG_VMGENID on amd64; arm64 gets a devicetree one only in
 * 6.10). So after a restore the runtime mixes fresh host bytes into the guest's pool through
 * /dev/urandom and runs this, which asks the kernel to reseed from that pool (ioctl RNDRESEEDCRNG,
 * root only). Busybox has no applet that issues an ioctl, so the tool is a static ELF of a few
 * instructions, spelled out here per architecture (no cross compiler needed to build an image):
 * open /dev/urandom, ioctl(fd, RNDRESEEDCRNG), exit with the ioctl's errno (0 when it reseeded).
 */
import type { GuestArch } from './types.ts';

export const RESEED_TOOL_PATH = 'usr/sbin/gauntlet-reseed';

/** _IO('R', 0x07) from linux/random.h. */
const RNDRESEEDCRNG = 0x5207;
const DEVICE = Buffer.from('/dev/urandom\0');
const LOAD_ADDRESS = 0x400000n;
const ELF_HEADER_BYTES = 64;
const PROGRAM_HEADER_BYTES = 56;

/** x86_64, syscalls by number (open 2, ioctl 16, exit 60); the device path follows the code. */
function x86Code(): Buffer {
  const le32 = (value: number) => {
    const word = Buffer.alloc(4);
    word.writeInt32LE(value);
    return [...word];
  };
  const afterLea = [
    0xbe, ...le32(0), //               mov esi, O_RDONLY
    0xb8, ...le32(2), //               mov eax, SYS_open
    0x0f, 0x05, //                     syscall
    0x89, 0xc7, //                     mov edi, eax          (the fd)
    0xbe, ...le32(RNDRESEEDCRNG), //   mov esi, RNDRESEEDCRNG
    0xb8, ...le32(16), //              mov eax, SYS_ioctl
    0x0f, 0x05, //                     syscall
    0x89, 0xc7, //                     mov edi, eax
    0xf7, 0xdf, //                     neg edi               (-errno → errno)
    0xb8, ...le32(60), //              mov eax, SYS_exit
    0x0f, 0x05, //                     syscall
  ];
  // lea rdi, [rip + distance to the path]: rip is the end of the 7-byte lea.
  return Buffer.from([0x48, 0x8d, 0x3d, ...le32(afterLea.length), ...afterLea]);
}

/** aarch64, syscalls by number (openat 56, ioctl 29, exit 93); the device path follows the code. */
function aarch64Code(): Buffer {
  const movz = (register: number, value: number) => 0xd2800000 | (value << 5) | register;
  const svc = 0xd4000001;
  const words = [
    0x92800c60, //                       movn x0, #99          (AT_FDCWD, -100)
    0, //                                adr x1, path          (filled below)
    movz(2, 0), //                       mov x2, #O_RDONLY
    movz(8, 56), //                      mov x8, #SYS_openat
    svc, //                              svc #0                (x0: the fd)
    movz(1, RNDRESEEDCRNG), //           mov x1, #RNDRESEEDCRNG
    movz(8, 29), //                      mov x8, #SYS_ioctl
    svc, //                              svc #0
    0xcb0003e0, //                       neg x0, x0            (-errno → errno)
    movz(8, 93), //                      mov x8, #SYS_exit
    svc, //                              svc #0
  ];
  const distance = (words.length - 1) * 4;
  words[1] = 0x10000000 | ((distance & 3) << 29) | ((distance >> 2) << 5) | 1;
  const code = Buffer.alloc(words.length * 4);
  words.forEach((word, index) => code.writeUInt32LE(word >>> 0, index * 4));
  return code;
}

const MACHINES: Record<GuestArch, { elfMachine: number; code: () => Buffer }> = {
  x86_64: { elfMachine: 0x3e, code: x86Code },
  aarch64: { elfMachine: 0xb7, code: aarch64Code },
};

/** The tool as a static ELF64 executable for `arch`: one loadable segment holding code and path. */
export function reseedToolElf(arch: GuestArch): Buffer {
  const { elfMachine, code } = MACHINES[arch];
  const body = Buffer.concat([code(), DEVICE]);
  const fileBytes = ELF_HEADER_BYTES + PROGRAM_HEADER_BYTES + body.length;
  const header = Buffer.alloc(ELF_HEADER_BYTES);
  header.set([0x7f, 0x45, 0x4c, 0x46, 2 /* 64-bit */, 1 /* little endian */, 1 /* ELF version */]);
  header.writeUInt16LE(2, 16); // ET_EXEC
  header.writeUInt16LE(elfMachine, 18);
  header.writeUInt32LE(1, 20);
  header.writeBigUInt64LE(LOAD_ADDRESS + BigInt(ELF_HEADER_BYTES + PROGRAM_HEADER_BYTES), 24); // entry
  header.writeBigUInt64LE(BigInt(ELF_HEADER_BYTES), 32); // program headers' offset
  header.writeUInt16LE(ELF_HEADER_BYTES, 52);
  header.writeUInt16LE(PROGRAM_HEADER_BYTES, 54);
  header.writeUInt16LE(1, 56); // one program header
  const load = Buffer.alloc(PROGRAM_HEADER_BYTES);
  load.writeUInt32LE(1, 0); // PT_LOAD
  load.writeUInt32LE(5, 4); // readable, executable
  load.writeBigUInt64LE(LOAD_ADDRESS, 16);
  load.writeBigUInt64LE(LOAD_ADDRESS, 24);
  load.writeBigUInt64LE(BigInt(fileBytes), 32);
  load.writeBigUInt64LE(BigInt(fileBytes), 40);
  load.writeBigUInt64LE(0x1000n, 48);
  return Buffer.concat([header, load, body]);
}
