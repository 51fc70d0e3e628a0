/* tests/cli/hostile_exec.c -- runs a program in a hostile environment a parent process can hand it, for the CLI tests
 * of issue 11: `hostile_exec [--stack KIB] [--block-signals] [--close-fds] [--out FILE] -- PROGRAM ARGS...`
 *   --stack KIB       RLIMIT_STACK soft limit (like `ulimit -s KIB`; the exec'd main thread's stack follows it)
 *   --block-signals   SIGSEGV and SIGBUS blocked in the signal mask (which survives exec)
 *   --close-fds       fds 0, 1 and 2 closed
 *   --out FILE        (with --close-fds) the exit status of PROGRAM is written to FILE as "exit N" / "signal N":
 *                     the program runs as a child, the helper waits for it
 * Without --out it execs PROGRAM in place (its exit status is the helper's). */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
  long stack_kib = 0;
  int block = 0, close_fds = 0, i = 1;
  const char* out = NULL;
  for (; i < argc && strcmp(argv[i], "--") != 0; ++i) {
    if (!strcmp(argv[i], "--stack") && i + 1 < argc) stack_kib = atol(argv[++i]);
    else if (!strcmp(argv[i], "--block-signals")) block = 1;
    else if (!strcmp(argv[i], "--close-fds")) close_fds = 1;
    else if (!strcmp(argv[i], "--out") && i + 1 < argc) out = argv[++i];
    else {
      fprintf(stderr, "hostile_exec: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (i + 1 >= argc) {
    fprintf(stderr, "usage: hostile_exec [options] -- PROGRAM ARGS...\n");
    return 2;
  }
  char** prog = argv + i + 1;
  if (stack_kib > 0) {
    struct rlimit rl;
    getrlimit(RLIMIT_STACK, &rl);
    rl.rlim_cur = (rlim_t)stack_kib * 1024;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max) rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_STACK, &rl) != 0) {
      perror("hostile_exec: setrlimit");
      return 2;
    }
  }
  if (block) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGSEGV);
    sigaddset(&set, SIGBUS);
    sigprocmask(SIG_BLOCK, &set, NULL);
  }
  int status_fd = -1;
  if (out) {
    status_fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (status_fd < 0) {
      perror("hostile_exec: --out");
      return 2;
    }
    /* keep it above 2 so closing 0-2 leaves it */
    if (status_fd <= 2) {
      int moved = fcntl(status_fd, F_DUPFD_CLOEXEC, 3);
      close(status_fd);
      status_fd = moved;
    }
  }
  if (close_fds) {
    close(0);
    close(1);
    close(2);
  }
  if (status_fd < 0) {
    execv(prog[0], prog);
    return 127;
  }
  pid_t pid = fork();
  if (pid == 0) {
    execv(prog[0], prog);
    _exit(127);
  }
  int st = 0;
  char buf[64];
  int n;
  if (pid < 0 || waitpid(pid, &st, 0) < 0) n = snprintf(buf, sizeof buf, "wait failed\n");
  else if (WIFSIGNALED(st)) n = snprintf(buf, sizeof buf, "signal %d\n", WTERMSIG(st));
  else n = snprintf(buf, sizeof buf, "exit %d\n", WEXITSTATUS(st));
  if (write(status_fd, buf, (size_t)n) != n) return 2;
  close(status_fd);
  return 0;
}
