/** Facts about this machine for the Node object (cpu, memory, disk, kernel, OS, ids). */
import { readFileSync, statfsSync } from 'node:fs';
import { arch, cpus, hostname, release, totalmem } from 'node:os';
import { type MachineInfo, goArch } from './node-status.js';

function readTrim(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

function osImage(): string {
  const text = readTrim('/etc/os-release');
  const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text);
  return m?.[1] ?? `${process.platform}`;
}

/** Reads the machine's facts; disk size is that of the file system holding `dataDir`. */
export function readMachineInfo(dataDir: string): MachineInfo {
  let disk = 0;
  try {
    const s = statfsSync(dataDir);
    disk = s.blocks * s.bsize;
  } catch {
    disk = 0;
  }
  return {
    cpus: cpus().length,
    memoryBytes: totalmem(),
    ephemeralStorageBytes: disk,
    kernelVersion: release(),
    osImage: osImage(),
    architecture: goArch(arch()),
    hostname: hostname(),
    machineID: readTrim('/etc/machine-id'),
    bootID: readTrim('/proc/sys/kernel/random/boot_id'),
  };
}
