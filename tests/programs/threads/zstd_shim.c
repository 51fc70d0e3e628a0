/* tests/programs/threads/zstd_shim.c -- chmod and chown for the zstd program (scripts/build-wasi-threads-programs.sh):
 * WASI preview1 has neither and wasi-libc declares but does not define them. zstd calls them only to copy a source
 * file's mode and owner to an output file; they fail with ENOTSUP, which zstd ignores. */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

int chmod(const char* path, mode_t mode) {
  (void)path;
  (void)mode;
  errno = ENOTSUP;
  return -1;
}

int chown(const char* path, uid_t owner, gid_t group) {
  (void)path;
  (void)owner;
  (void)group;
  errno = ENOTSUP;
  return -1;
}
