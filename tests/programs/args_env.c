// tests/programs/args_env.c -- prints its arguments and the environment it was given (only what --env passed), then
// exits with the status named by its first argument: `myrt run` must return it as the process exit code.
#include <stdio.h>
#include <stdlib.h>

extern char** environ;

int main(int argc, char** argv) {
  printf("argc=%d\n", argc);
  for (int i = 0; i < argc; ++i) printf("argv[%d]=%s\n", i, argv[i]);
  for (char** e = environ; *e; ++e) printf("env %s\n", *e);
  const char* home = getenv("HOME");
  printf("HOME %s\n", home ? "set" : "unset");
  fflush(stdout);
  fprintf(stderr, "exiting with %s\n", argc > 1 ? argv[1] : "0");
  return argc > 1 ? atoi(argv[1]) : 0;
}
