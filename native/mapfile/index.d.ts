/**
 * Maps the whole file at `path` into memory, private and copy-on-write (writes never reach the file), as one
 * ArrayBuffer; unmapped when the buffer is garbage-collected. Throws with `code` EMAP (open, stat or mmap
 * failed, or the file is empty or not a regular file) or ENOEXTERNAL (the runtime forbids external buffers).
 */
export function map(path: string): ArrayBuffer;
