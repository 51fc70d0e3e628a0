/* bytecode: a switch-dispatched stack-machine interpreter (indirect branches via br_table) running a small program
   that computes a sum of a polynomial over a counted loop. */
#include "bench.h"
enum { PUSH, LOAD, STORE, ADD, SUB, MUL, XOR, SHR, DUP, JNZ, JMP, HALT, AND, SWAP, POP };
static int program[64];
static int vars[8];
static int stack[64];
static int assemble(int n) {
  int p = 0;
  int* c = program;
  c[p++] = PUSH; c[p++] = n; c[p++] = STORE; c[p++] = 0;   /* i = n */
  c[p++] = PUSH; c[p++] = 0; c[p++] = STORE; c[p++] = 1;   /* acc = 0 */
  int loop = p;
  c[p++] = LOAD; c[p++] = 0; c[p++] = DUP; c[p++] = MUL;   /* i*i */
  c[p++] = LOAD; c[p++] = 0; c[p++] = PUSH; c[p++] = 3; c[p++] = MUL; c[p++] = ADD;  /* + 3i */
  c[p++] = LOAD; c[p++] = 1; c[p++] = XOR;                 /* ^ acc */
  c[p++] = PUSH; c[p++] = 1; c[p++] = SHR;                 /* >> 1 */
  c[p++] = LOAD; c[p++] = 1; c[p++] = ADD;
  c[p++] = PUSH; c[p++] = 0x7fffffff; c[p++] = AND; c[p++] = STORE; c[p++] = 1;
  c[p++] = LOAD; c[p++] = 0; c[p++] = PUSH; c[p++] = 1; c[p++] = SUB; c[p++] = DUP; c[p++] = STORE; c[p++] = 0;
  c[p++] = JNZ; c[p++] = loop;
  c[p++] = LOAD; c[p++] = 1; c[p++] = HALT;
  return p;
}
static int execute(void) {
  int pc = 0, sp = 0;
  for (;;) {
    int op = program[pc++];
    switch (op) {
      case PUSH: stack[sp++] = program[pc++]; break;
      case LOAD: stack[sp++] = vars[program[pc++]]; break;
      case STORE: vars[program[pc++]] = stack[--sp]; break;
      case ADD: --sp; stack[sp - 1] += stack[sp]; break;
      case SUB: --sp; stack[sp - 1] -= stack[sp]; break;
      case MUL: --sp; stack[sp - 1] *= stack[sp]; break;
      case XOR: --sp; stack[sp - 1] ^= stack[sp]; break;
      case AND: --sp; stack[sp - 1] &= stack[sp]; break;
      case SHR: --sp; stack[sp - 1] = (int)((unsigned)stack[sp - 1] >> stack[sp]); break;
      case DUP: stack[sp] = stack[sp - 1]; ++sp; break;
      case SWAP: { int t = stack[sp - 1]; stack[sp - 1] = stack[sp - 2]; stack[sp - 2] = t; break; }
      case POP: --sp; break;
      case JNZ: { int t = program[pc++]; if (stack[--sp]) pc = t; break; }
      case JMP: pc = program[pc]; break;
      case HALT: return stack[sp - 1];
      default: return -1;
    }
  }
}
u32 run(void) {
  assemble((int)opaque32(1300000));
  return (u32)execute();
}
