// bench/wasi_p1_calls.c -- preview1 call-overhead probe (docs/performance.md): N fd_write calls to stdout, then M
// rounds of path_open(O_CREAT|O_TRUNC) + fd_write + fd_close + path_filestat_get. Build: clang --target=wasm32-wasi -O2.
// Run: myrt run --dir DIR::. wasi_p1_calls.wasm N M
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 20000, m = argc > 2 ? atoi(argv[2]) : 5000;
  for (int i = 0; i < n; ++i) write(1, "x\n", 2);
  for (int i = 0; i < m; ++i) {
    int fd = open("f.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return 2;
    write(fd, "hello", 5);
    close(fd);
    struct stat st;
    if (stat("f.txt", &st) != 0 || st.st_size != 5) return 3;
  }
  return 0;
}
