// tests/programs/file_io.c -- file I/O in the preopened working directory (`myrt run --dir . file_io.wasm` on a fresh
// copy of file_io.dir): read a file, create/append/seek/truncate, mkdir, rename, list a directory, stat, unlink, and
// check that `..` and an absolute host path stay out of reach. Prints what it saw; exit 0 iff all went as expected.
// With --read-only (run with --dir-ro): reads work, every change is refused.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures;
#define EXPECT(c)                                              \
  do {                                                         \
    if (!(c)) {                                                \
      printf("FAILED line %d: %s (errno %d)\n", __LINE__, #c, errno); \
      ++failures;                                              \
    }                                                          \
  } while (0)

static int cmp(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

int main(int argc, char** argv) {
  // Read the fixture.
  FILE* f = fopen("input.txt", "r");
  if (!f) {  // e.g. run without --dir: no preopen, nothing reachable
    printf("file_io: input.txt: %s\n", strerror(errno));
    return 1;
  }
  char buf[128] = {0};
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  printf("input.txt: %zu bytes: %s", n, buf);
  fclose(f);
  if (argc > 1 && strcmp(argv[1], "--read-only") == 0) {  // run with --dir-ro: every change is refused
    EXPECT(mkdir("out", 0755) != 0);
    printf("mkdir: %s\n", strerror(errno));
    EXPECT(fopen("new.txt", "w") == NULL);
    printf("fopen for writing: %s\n", strerror(errno));
    EXPECT(fopen("input.txt", "a") == NULL);
    EXPECT(unlink("input.txt") != 0);
    EXPECT(access("new.txt", F_OK) != 0 && access("input.txt", F_OK) == 0);
    printf("%s\n", failures ? "file_io: FAILED" : "file_io: read-only ok");
    return failures ? 1 : 0;
  }
  // Write, append, read back.
  f = fopen("out/result.txt", "w");
  EXPECT(f == NULL && errno == ENOENT);  // no out/ yet
  EXPECT(mkdir("out", 0755) == 0);
  f = fopen("out/result.txt", "w");
  EXPECT(f != NULL);
  if (f) {
    fprintf(f, "first line\n");
    fclose(f);
  }
  f = fopen("out/result.txt", "a");
  EXPECT(f != NULL);
  if (f) {
    fprintf(f, "second line\n");
    fclose(f);
  }
  struct stat st = {0};
  EXPECT(stat("out/result.txt", &st) == 0 && st.st_size == 23 && S_ISREG(st.st_mode));
  printf("out/result.txt: %lld bytes\n", (long long)st.st_size);
  // Seek and overwrite in place, truncate.
  int fd = open("out/result.txt", O_RDWR);
  EXPECT(fd >= 0);
  EXPECT(lseek(fd, 6, SEEK_SET) == 6);
  EXPECT(write(fd, "LINE", 4) == 4);
  EXPECT(ftruncate(fd, 11) == 0);
  EXPECT(lseek(fd, 0, SEEK_SET) == 0);
  memset(buf, 0, sizeof buf);
  EXPECT(read(fd, buf, sizeof buf - 1) == 11);
  printf("after seek+write+truncate: %s", buf);
  close(fd);
  // Rename and list.
  EXPECT(rename("out/result.txt", "out/renamed.txt") == 0);
  EXPECT(access("out/result.txt", F_OK) != 0 && errno == ENOENT);
  DIR* d = opendir(".");
  EXPECT(d != NULL);
  char* names[16];
  int count = 0;
  for (struct dirent* e; d && (e = readdir(d)) && count < 16;)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names[count++] = strdup(e->d_name);
  if (d) closedir(d);
  qsort(names, count, sizeof names[0], cmp);
  printf("listing:");
  for (int i = 0; i < count; ++i) printf(" %s", names[i]);
  printf("\n");
  // The sandbox: nothing outside the preopen.
  EXPECT(open("../escape.txt", O_RDONLY) < 0 && errno == ENOTCAPABLE);  // wasi-libc: not beneath a preopen
  EXPECT(open("/etc/passwd", O_RDONLY) < 0);
  // Clean up what we made.
  EXPECT(unlink("out/renamed.txt") == 0);
  EXPECT(rmdir("out") == 0);
  printf("%s\n", failures ? "file_io: FAILED" : "file_io: ok");
  return failures ? 1 : 0;
}
