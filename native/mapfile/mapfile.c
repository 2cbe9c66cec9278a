/*
 * quantdesk-mapfile: maps a whole file into memory as one ArrayBuffer.
 *
 * The mapping is private and writable: pages are shared with the kernel's page cache until the program writes to
 * one, which then gets its own copy (copy-on-write); the file never changes. The descriptor is closed at once (the
 * mapping keeps the file alive, even if it is then renamed over or deleted), and the ArrayBuffer's finalizer unmaps
 * it when the garbage collector frees the buffer.
 *
 * Runtimes that forbid external ArrayBuffers (Electron's V8 memory cage) get an error with code ENOEXTERNAL; the
 * caller then reads the file instead. POSIX only (Linux, macOS).
 */
#define NAPI_VERSION 8
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

static void unmap(napi_env env, void *data, void *hint) {
  (void)env;
  munmap(data, (size_t)hint);
}

static napi_value fail(napi_env env, const char *code, const char *what, const char *path, int err) {
  char msg[4400];
  snprintf(msg, sizeof msg, "%s: %s %s", path, what, err ? strerror(err) : "");
  napi_throw_error(env, code, msg);
  return NULL;
}

/* map(path: string): ArrayBuffer */
static napi_value map_file(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char path[4096];
  size_t len = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_string_utf8(env, argv[0], path, sizeof path, &len) != napi_ok || len >= sizeof path - 1) {
    napi_throw_type_error(env, "EARG", "map(path): path must be a string of under 4,095 bytes");
    return NULL;
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(env, "EMAP", "open:", path, errno);
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    return fail(env, "EMAP", "fstat:", path, e);
  }
  if (!S_ISREG(st.st_mode) || st.st_size <= 0) {
    close(fd);
    return fail(env, "EMAP", "not a regular file with data", path, 0);
  }
  size_t size = (size_t)st.st_size;
  void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  int e = errno;
  close(fd);
  if (p == MAP_FAILED) return fail(env, "EMAP", "mmap:", path, e);
  napi_value buffer;
  napi_status s = napi_create_external_arraybuffer(env, p, size, unmap, (void *)size, &buffer);
  if (s != napi_ok) {
    munmap(p, size);
    if (s == napi_no_external_buffers_allowed)
      return fail(env, "ENOEXTERNAL", "this runtime forbids external ArrayBuffers", path, 0);
    return fail(env, "EMAP", "napi_create_external_arraybuffer failed", path, 0);
  }
  return buffer;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "map", NAPI_AUTO_LENGTH, map_file, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "map", fn) != napi_ok) return NULL;
  return exports;
}
