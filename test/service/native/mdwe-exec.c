/*
 * mdwe-exec PROGRAM [ARGS...]: runs PROGRAM with the kernel's memory-deny-write-execute policy
 * (prctl PR_SET_MDWE, Linux >= 6.3), which is what systemd >= 254 applies for
 * MemoryDenyWriteExecute=yes: no mapping may be writable and executable, and none may become
 * executable later. The policy survives execve, so PROGRAM runs under it from its first instruction.
 * Exit 77 when the kernel does not offer it.
 */
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#endif
#ifndef PR_MDWE_REFUSE_EXEC_GAIN
#define PR_MDWE_REFUSE_EXEC_GAIN 1
#endif

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: mdwe-exec PROGRAM [ARGS...]\n");
    return 2;
  }
  if (prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0L, 0L, 0L) != 0) {
    perror("mdwe-exec: prctl(PR_SET_MDWE)");
    return 77;
  }
  execv(argv[1], argv + 1);
  perror("mdwe-exec: execv");
  return 127;
}
