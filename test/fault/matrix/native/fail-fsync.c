/*
 * LD_PRELOAD shim for the fault matrix: while the file named by FAIL_FSYNC_FLAG exists, fsync()
 * and fdatasync() fail with EIO, as they do on an SD card whose controller gave up on a write.
 * Everything else (and every call while the flag is absent) goes to the C library.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static int failing(void) {
  const char *flag = getenv("FAIL_FSYNC_FLAG");
  return flag != NULL && access(flag, F_OK) == 0;
}

int fsync(int fd) {
  static int (*real)(int) = NULL;
  if (failing()) { errno = EIO; return -1; }
  if (real == NULL) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  return real(fd);
}

int fdatasync(int fd) {
  static int (*real)(int) = NULL;
  if (failing()) { errno = EIO; return -1; }
  if (real == NULL) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  return real(fd);
}
