// tests/programs/stdin_filter.c -- reads standard input to its end (fgets over fd_read), prints each line upper-cased
// with its number, then the line and byte counts. Run by `myrt run` with stdin redirected from a file.
#include <ctype.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  char line[256];
  int lines = 0;
  size_t bytes = 0;
  while (fgets(line, sizeof line, stdin)) {
    bytes += strlen(line);
    for (char* p = line; *p; ++p) *p = (char)toupper((unsigned char)*p);
    printf("%d: %s", ++lines, line);
  }
  if (ferror(stdin)) {
    perror("stdin");
    return 1;
  }
  printf("%d lines, %zu bytes\n", lines, bytes);
  return 0;
}
