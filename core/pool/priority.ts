import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The nice value pool workers run at: below the host's thread, which answers every client. */
export const WORKER_NICE = 10;

/**
 * Lowers the calling thread's scheduling priority (Linux: `setpriority` on the thread's own id,
 * read from `/proc/thread-self`; elsewhere the whole process, which is right for a utility process).
 * On a machine with more runnable threads than cores, a busy pool then yields the CPU to the host's
 * thread first, so a cheap call stays cheap while simulations run. Returns false when the platform
 * refuses (never throws): the pool works the same, only less politely.
 */
export function lowerThreadPriority(nice = WORKER_NICE, perThread = true): boolean {
  try {
    if (perThread && process.platform === 'linux') {
      const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
      if (!Number.isInteger(tid) || tid <= 0) return false;
      setPriority(tid, nice);
    } else {
      setPriority(nice);
    }
    return true;
  } catch {
    return false;
  }
}
