// tests/wasi/programs/libc_checks.c -- a guest program (C, wasi-libc, clang --target=wasm32-wasi) exercising
// myrt's WASI preview1 through a real libc: arguments and environment, files and directories under the preopened
// root, rights of read-only opens, escapes that must fail (`..`, absolute paths, symlinks to / and to the parent),
// clocks, sleeping (poll_oneoff), random bytes, and proc_exit through exit(). Every failed check is printed to
// stderr; stdout gets one summary line. Built and run by tests/wasi/CMakeLists.txt (expectation: libc_checks.json).
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int checks, failures;

#define CHECK(cond)                                                        \
  do {                                                                     \
    ++checks;                                                              \
    if (!(cond)) {                                                         \
      ++failures;                                                          \
      fprintf(stderr, "line %d: CHECK(%s) failed (errno %d: %s)\n", __LINE__, #cond, errno, strerror(errno)); \
    }                                                                      \
  } while (0)

static int fails_with(int r, int e) { return r < 0 && errno == e; }

// The open must fail as not capable; with `inside_ok`, also as "no such file" (wasi-libc maps an absolute path to
// the preopen "/", so "/etc/passwd" is looked up as etc/passwd inside the sandbox).
static int refused(const char* path, int inside_ok) {
  errno = 0;
  int fd = open(path, O_RDONLY);
  if (fd >= 0) {
    close(fd);
    return 0;
  }
  return errno == ENOTCAPABLE || errno == EPERM || (inside_ok && errno == ENOENT);
}

static void test_args_env(int argc, char** argv) {
  CHECK(argc == 3);
  CHECK(argc == 3 && strcmp(argv[1], "first") == 0 && strcmp(argv[2], "second arg") == 0);
  const char* k = getenv("MYRT_KEY");
  CHECK(k && strcmp(k, "value=with=equals") == 0);
  CHECK(getenv("PATH") == NULL);  // nothing of the host's environment
}

static void test_files(void) {
  FILE* f = fopen("/hello.txt", "r");
  CHECK(f != NULL);
  if (f) {
    char buf[64] = {0};
    CHECK(fgets(buf, sizeof buf, f) != NULL);
    CHECK(strcmp(buf, "hello from the fixture\n") == 0);
    fclose(f);
  }
  CHECK(mkdir("/work", 0755) == 0);
  CHECK(fails_with(mkdir("/work", 0755), EEXIST));
  int fd = open("/work/data.bin", O_CREAT | O_RDWR | O_TRUNC, 0644);
  CHECK(fd >= 0);
  CHECK(write(fd, "0123456789", 10) == 10);
  CHECK(lseek(fd, 2, SEEK_SET) == 2);
  char two[3] = {0};
  CHECK(read(fd, two, 2) == 2 && strcmp(two, "23") == 0);
  CHECK(pwrite(fd, "AB", 2, 8) == 2);
  CHECK(pread(fd, two, 2, 8) == 2 && strcmp(two, "AB") == 0);
  CHECK(ftruncate(fd, 4) == 0);
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && st.st_size == 4 && S_ISREG(st.st_mode));
  CHECK(close(fd) == 0);
  CHECK(rename("/work/data.bin", "/work/renamed.bin") == 0);
  CHECK(stat("/work/renamed.bin", &st) == 0 && st.st_size == 4);
  CHECK(fails_with(stat("/work/data.bin", &st), ENOENT));
  CHECK(symlink("renamed.bin", "/work/link") == 0);
  char target[64] = {0};
  CHECK(readlink("/work/link", target, sizeof target - 1) == 11 && strcmp(target, "renamed.bin") == 0);
  CHECK(lstat("/work/link", &st) == 0 && S_ISLNK(st.st_mode));
  CHECK(stat("/work/link", &st) == 0 && S_ISREG(st.st_mode));
  CHECK(link("/work/renamed.bin", "/work/hard") == 0);
  CHECK(stat("/work/hard", &st) == 0 && st.st_nlink == 2);
  // Directory listing.
  DIR* d = opendir("/work");
  CHECK(d != NULL);
  int seen = 0;
  if (d) {
    struct dirent* e;
    while ((e = readdir(d)) != NULL)
      if (strcmp(e->d_name, "renamed.bin") == 0 || strcmp(e->d_name, "link") == 0 || strcmp(e->d_name, "hard") == 0)
        ++seen;
    closedir(d);
  }
  CHECK(seen == 3);
  CHECK(fails_with(rmdir("/work"), ENOTEMPTY));
  CHECK(unlink("/work/link") == 0 && unlink("/work/hard") == 0 && unlink("/work/renamed.bin") == 0);
  CHECK(rmdir("/work") == 0);
  // A read-only open cannot write.
  fd = open("/hello.txt", O_RDONLY);
  CHECK(fd >= 0 && write(fd, "x", 1) < 0);
  if (fd >= 0) close(fd);
  CHECK(fails_with(open("/missing", O_RDONLY), ENOENT));
  CHECK(fails_with(open("/hello.txt/x", O_RDONLY), ENOTDIR));
  CHECK(fails_with(open("/hello.txt", O_RDONLY | O_DIRECTORY), ENOTDIR));
}

static void test_escapes(void) {
  CHECK(refused("/../libc_checks.dir/hello.txt", 0));  // the fixture copy itself, seen from outside
  CHECK(refused("../libc_checks.dir/hello.txt", 0));
  CHECK(refused("/etc/passwd", 1));
  CHECK(refused("/proc/self/environ", 1));
  CHECK(symlink("..", "/up") == 0);
  CHECK(refused("/up/libc_checks.dir/hello.txt", 0));
  CHECK(symlink("../../../../../../etc/passwd", "/deep") == 0);
  CHECK(refused("/deep", 0));
  errno = 0;
  CHECK(symlink("/etc/passwd", "/abs") < 0);  // absolute targets are refused
  CHECK(symlink("loop_b", "/loop_a") == 0 && symlink("loop_a", "/loop_b") == 0);
  CHECK(fails_with(open("/loop_a", O_RDONLY), ELOOP));
  CHECK(unlink("/up") == 0 && unlink("/deep") == 0 && unlink("/loop_a") == 0 && unlink("/loop_b") == 0);
  CHECK(mkdir("/../escaped", 0755) < 0);
}

static void test_time_random(void) {
  struct timespec a, b, res;
  CHECK(clock_gettime(CLOCK_MONOTONIC, &a) == 0);
  struct timespec nap = {0, 3 * 1000 * 1000};
  CHECK(nanosleep(&nap, NULL) == 0);
  CHECK(clock_gettime(CLOCK_MONOTONIC, &b) == 0);
  long long ns = (long long)(b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
  CHECK(ns >= 3 * 1000 * 1000);
  CHECK(clock_getres(CLOCK_REALTIME, &res) == 0);
  CHECK(clock_gettime(CLOCK_REALTIME, &a) == 0 && a.tv_sec > 1600000000);
  unsigned char r1[32] = {0}, r2[32] = {0};
  CHECK(getentropy(r1, sizeof r1) == 0 && getentropy(r2, sizeof r2) == 0);
  CHECK(memcmp(r1, r2, sizeof r1) != 0);
}

int main(int argc, char** argv) {
  test_args_env(argc, argv);
  test_files();
  test_escapes();
  test_time_random();
  printf("libc_checks: %d checks, %d failed\n", checks, failures);
  fflush(stdout);
  exit(failures ? 1 : 7);  // 7: proc_exit's code reaches the embedder
}
