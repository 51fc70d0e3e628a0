/* include/myrt.h -- myrt's extensions to the standard C API (wasm.h): compile errors with byte offsets, WAT text,
 * execution tier, resource limits, fuel, interruption from another thread, and WASI preview1 (configuration, linking
 * into an instance, running a command, proc_exit's exit code).
 * docs/embedding.md explains both headers with examples. Implementation: capi/myrt_capi.cpp.
 *
 * Errors: functions that can fail return an owned myrt_error_t* (NULL on success). */
#ifndef MYRT_H
#define MYRT_H

#include "wasm.h"

#define own

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------------------------
 * Kinds beyond wasm.h's (WebAssembly 3.0): values of these kinds cannot cross wasm_func_call (a trap says so) except
 * references, which pass as opaque wasm_ref_t handles. Tags (exception handling) appear in module imports/exports
 * with the extern kind MYRT_EXTERN_TAG and the function type of their payload. */
enum myrt_valkind_enum {
  MYRT_V128 = 4,      /* v128 */
  MYRT_ANYREF = 130,  /* the any hierarchy: anyref, eqref, i31ref, structref, arrayref, GC types */
  MYRT_EXNREF = 131,  /* exnref */
};
enum myrt_externkind_enum { MYRT_EXTERN_TAG = 4 };

/* ---------------------------------------------------------------------------------------------------------------
 * Errors */

typedef struct myrt_error_t myrt_error_t;

WASM_API_EXTERN void myrt_error_delete(own myrt_error_t*);
/* The message (null-terminated; size counts the 0), e.g. "unexpected end" or "type mismatch: ...". */
WASM_API_EXTERN void myrt_error_message(const myrt_error_t*, own wasm_message_t* out);
/* True and the byte offset in the module binary (or in the WAT text) when the error has one. */
WASM_API_EXTERN bool myrt_error_offset(const myrt_error_t*, size_t* offset);

/* The version of libmyrt ("0.1.0"). */
WASM_API_EXTERN const char* myrt_version(void);

/* ---------------------------------------------------------------------------------------------------------------
 * Modules */

/* wasm_module_new with the reason of a failure: on success stores the module in *out and returns NULL; otherwise
 * returns the error (with the byte offset of a malformed or invalid construct) and stores NULL. */
WASM_API_EXTERN own myrt_error_t* myrt_module_new(wasm_store_t*, const wasm_byte_vec_t* binary,
                                                  own wasm_module_t** out);
/* WebAssembly text (a .wat module) to the binary format; errors carry the byte offset in the text. */
WASM_API_EXTERN own myrt_error_t* myrt_wat2wasm(const char* text, size_t len, own wasm_byte_vec_t* out);

/* ---------------------------------------------------------------------------------------------------------------
 * Engine configuration (before wasm_engine_new_with_config) */

/* "interp" (the interpreter), "jit" (compile every function first) or "auto" (interpreter, hot functions compiled).
 * An error for an unknown name or a tier this build/CPU cannot run. Default: "auto" where the library and CPU have
 * the JIT, else "interp". */
WASM_API_EXTERN own myrt_error_t* myrt_config_set_tier(wasm_config_t*, const char* tier);
/* Threads that compile a module instance on the jit tier (each takes functions in turn; the generated code is the same
 * for any number). 0 (the default): the online CPUs, at most 8. Instances with less than 64 KiB of code compile on one
 * thread. The auto tier compiles on its background thread regardless. */
WASM_API_EXTERN void myrt_config_set_compile_jobs(wasm_config_t*, uint32_t jobs);
/* Limits of every store of the engine: memory bytes of all memories of a store together, elements per table, wasm
 * call depth, and the bytes of the value stack. Exceeding one makes memory.grow/table.grow fail, or traps
 * ("call stack exhausted"). 0 keeps the default. */
WASM_API_EXTERN void myrt_config_set_max_memory_bytes(wasm_config_t*, uint64_t bytes);
WASM_API_EXTERN void myrt_config_set_max_table_elements(wasm_config_t*, uint64_t elements);
WASM_API_EXTERN void myrt_config_set_max_call_depth(wasm_config_t*, uint32_t depth);
WASM_API_EXTERN void myrt_config_set_max_stack_bytes(wasm_config_t*, uint64_t bytes);

/* ---------------------------------------------------------------------------------------------------------------
 * Fuel and interruption */

/* Fuel: when enabled, executing wasm consumes about one unit per instruction and running out traps with
 * "fuel exhausted". myrt_store_set_fuel(store, false, 0) disables it. */
WASM_API_EXTERN void myrt_store_set_fuel(wasm_store_t*, bool enabled, int64_t amount);
/* True if fuel is enabled; *remaining (if not NULL) receives what is left. */
WASM_API_EXTERN bool myrt_store_get_fuel(const wasm_store_t*, int64_t* remaining);

/* A handle that interrupts a store's running wasm code from any thread: the code traps with "interrupted" at the
 * next function entry or loop back-edge. The request stays until myrt_interrupt_handle_clear. The handle stays valid
 * (and harmless) after the store is deleted. */
typedef struct myrt_interrupt_handle_t myrt_interrupt_handle_t;
WASM_API_EXTERN own myrt_interrupt_handle_t* myrt_interrupt_handle_new(wasm_store_t*);
WASM_API_EXTERN void myrt_interrupt_handle_delete(own myrt_interrupt_handle_t*);
WASM_API_EXTERN void myrt_interrupt_handle_interrupt(myrt_interrupt_handle_t*);
WASM_API_EXTERN void myrt_interrupt_handle_clear(myrt_interrupt_handle_t*);

/* ---------------------------------------------------------------------------------------------------------------
 * Traps */

/* The trap's full text: the message and the wasm backtrace, one "  at NAME (wasm offset 0x2a)" line per frame (names
 * from the name section, else the export name, else "func[N]"; the offset of the frame's instruction in the module
 * binary, left out when unknown); runs of one frame as one line "(repeated N times)", and "  ... N frames omitted"
 * where a deep backtrace was cut (the innermost and outermost 32 frames are kept). Null-terminated. */
WASM_API_EXTERN void myrt_trap_describe(const wasm_trap_t*, own wasm_message_t* out);
/* The name of frame's function (as above). Null-terminated. */
WASM_API_EXTERN void myrt_frame_func_name(const wasm_frame_t*, own wasm_name_t* out);

/* ---------------------------------------------------------------------------------------------------------------
 * WASI preview1 */

/* What the guest sees. By default: no arguments, no environment, no directories, and stdin/stdout/stderr closed. */
typedef struct myrt_wasi_config_t myrt_wasi_config_t;
WASM_API_EXTERN own myrt_wasi_config_t* myrt_wasi_config_new(void);
WASM_API_EXTERN void myrt_wasi_config_delete(own myrt_wasi_config_t*);
/* argv, argv[0] included (the program name). Replaces earlier arguments. */
WASM_API_EXTERN void myrt_wasi_config_set_args(myrt_wasi_config_t*, size_t argc, const char* const argv[]);
WASM_API_EXTERN void myrt_wasi_config_add_env(myrt_wasi_config_t*, const char* name, const char* value);
/* Adds the host process's environment. */
WASM_API_EXTERN void myrt_wasi_config_inherit_env(myrt_wasi_config_t*);
/* A host directory the guest can reach as `guest_path` (e.g. "/" or "."); read_only: no right that modifies the file
 * system, for the directory and everything below it. Directories become guest fds 3, 4, ... in the order given. */
WASM_API_EXTERN void myrt_wasi_config_preopen_dir(myrt_wasi_config_t*, const char* host_path, const char* guest_path,
                                                  bool read_only);
/* stdio: the host's own stdin/stdout/stderr, or files (stdin read from a file, stdout/stderr created or truncated).
 * The file errors (e.g. "cannot open file: ...") are returned here. */
WASM_API_EXTERN void myrt_wasi_config_inherit_stdin(myrt_wasi_config_t*);
WASM_API_EXTERN void myrt_wasi_config_inherit_stdout(myrt_wasi_config_t*);
WASM_API_EXTERN void myrt_wasi_config_inherit_stderr(myrt_wasi_config_t*);
WASM_API_EXTERN own myrt_error_t* myrt_wasi_config_set_stdin_file(myrt_wasi_config_t*, const char* path);
WASM_API_EXTERN own myrt_error_t* myrt_wasi_config_set_stdout_file(myrt_wasi_config_t*, const char* path);
WASM_API_EXTERN own myrt_error_t* myrt_wasi_config_set_stderr_file(myrt_wasi_config_t*, const char* path);

/* A WASI instance for one store: the host functions of wasi_snapshot_preview1 over the configuration (copied). Errors:
 * a preopened directory that cannot be opened. */
typedef struct myrt_wasi_t myrt_wasi_t;
WASM_API_EXTERN own myrt_error_t* myrt_wasi_new(wasm_store_t*, const myrt_wasi_config_t*, own myrt_wasi_t** out);
WASM_API_EXTERN void myrt_wasi_delete(own myrt_wasi_t*);
/* The WASI function `name` of module `module` ("wasi_snapshot_preview1"), or NULL. */
WASM_API_EXTERN own wasm_extern_t* myrt_wasi_get_import(myrt_wasi_t*, const char* module, const char* name);
/* Imports for `module` in its import order, all from WASI: an error naming the first import WASI does not provide
 * ("unknown import: env.f"). Pass the vector to wasm_instance_new. */
WASM_API_EXTERN own myrt_error_t* myrt_wasi_imports(myrt_wasi_t*, const wasm_module_t*, own wasm_extern_vec_t* out);
/* Binds the instance whose exported "memory" the WASI functions use (without binding, the memory of the calling
 * instance is used). */
WASM_API_EXTERN void myrt_wasi_bind_instance(myrt_wasi_t*, const wasm_instance_t*);
/* Binds `instance` and runs its exported "_start". Returns the exit code: proc_exit's code, 0 when _start returned,
 * 134 on a trap (then *trap, if not NULL, receives it), 127 when there is no "_start" function. */
WASM_API_EXTERN int myrt_wasi_run_start(myrt_wasi_t*, const wasm_instance_t*, own wasm_trap_t** trap);
/* True and the code once the guest called proc_exit (a wasm_func_call that ran proc_exit returns a trap with the
 * message "wasi proc_exit"). */
WASM_API_EXTERN bool myrt_wasi_exit_code(const myrt_wasi_t*, int* code);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#undef own

#endif  /* MYRT_H */
