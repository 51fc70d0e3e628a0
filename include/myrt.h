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
/* Serialized modules with their machine code. wasm_module_serialize writes, where this library and CPU have the JIT
 * tier, a precompiled artifact (the format of `myrt compile`'s .cwasm files): the module binary and the JIT's machine
 * code of every function for this CPU, compiled once; wasm_module_deserialize maps that code and compiles nothing
 * (the jit and auto tiers install it at the first call into an instance; the interpreter runs the module binary).
 * An artifact loads only in the same libmyrt build (myrt's version and the library's GNU build id) on a CPU with the
 * features the code uses; anything else -- truncated, damaged (a checksum covers the whole artifact), another build,
 * missing CPU features -- makes wasm_module_deserialize return NULL (myrt_module_deserialize says why), and nothing is
 * executed. Machine code is trusted input, as in wasmtime: deserialize only what your program or a trusted party
 * serialized. The code is compiled for memories with guard pages (the default memory reservation); an instance made
 * under a smaller myrt_config_set_memory_reservation compiles its functions as a module without code does.
 * Without the JIT (libmyrt.so built without it, a CPU it does not support, or AArch64, whose JIT records no relocations
 * yet) wasm_module_serialize writes the bytes-only form ("\0myrtmod", a version byte, the module binary), which
 * wasm_module_deserialize accepts everywhere: it decodes and validates the binary again.
 * myrt_module_serialize: the artifact, or an error saying why there is no machine code to write ("unsupported: ...").
 * myrt_module_deserialize: wasm_module_deserialize with the reason of a failure, e.g. "corrupt precompiled module
 * (checksum mismatch)", "truncated precompiled module (N of M bytes)", "precompiled by another myrt build (...)",
 * "precompiled for CPU features this CPU lacks: AVX2". */
WASM_API_EXTERN own myrt_error_t* myrt_module_serialize(const wasm_module_t*, own wasm_byte_vec_t* out);
WASM_API_EXTERN own myrt_error_t* myrt_module_deserialize(wasm_store_t*, const wasm_byte_vec_t* serialized,
                                                          own wasm_module_t** out);
/* WebAssembly text (a .wat module) to the binary format; errors carry the byte offset in the text. */
WASM_API_EXTERN own myrt_error_t* myrt_wat2wasm(const char* text, size_t len, own wasm_byte_vec_t* out);

/* ---------------------------------------------------------------------------------------------------------------
 * Engine configuration (before wasm_engine_new_with_config) */

/* "interp" (the interpreter), "jit" (compile every function first), "auto" (interpreter, hot functions compiled) or
 * "opt" (like "jit", with the optimizing tier for the functions its code generator supports, x86-64 only).
 * An error for an unknown name or a tier this build/CPU cannot run. Default: "auto" where the library and CPU have
 * the JIT, else "interp". */
WASM_API_EXTERN own myrt_error_t* myrt_config_set_tier(wasm_config_t*, const char* tier);
/* Threads that compile a module instance on the jit tier (each takes functions in turn; the generated code is the same
 * for any number). 0 (the default): the online CPUs, at most 8. Instances with less than 64 KiB of code compile on one
 * thread. The auto tier compiles on its background thread regardless. */
WASM_API_EXTERN void myrt_config_set_compile_jobs(wasm_config_t*, uint32_t jobs);
/* Limits of every store of the engine: the host memory a store may allocate for its guest (linear memory pages, table
 * elements at 8 bytes each, GC objects and exceptions, all together; default 16 GiB), elements per table, wasm call
 * depth, and the bytes of the value stack. At a limit memory.grow/table.grow return -1, allocating a GC object or
 * exception traps ("out of memory"), deep calls trap ("call stack exhausted"). 0 keeps the default. */
WASM_API_EXTERN void myrt_config_set_max_memory_bytes(wasm_config_t*, uint64_t bytes);
WASM_API_EXTERN void myrt_config_set_max_table_elements(wasm_config_t*, uint64_t elements);
WASM_API_EXTERN void myrt_config_set_max_call_depth(wasm_config_t*, uint32_t depth);
WASM_API_EXTERN void myrt_config_set_max_stack_bytes(wasm_config_t*, uint64_t bytes);
/* Native (machine) stack that wasm may use below each call from the host (JIT frames; host functions calling back
 * in), like wasmtime's max_wasm_stack. Default 0: the running thread's whole stack minus a margin (64 KiB; 256 KiB
 * in sanitizer builds) left for host functions and the runtime. The bound is taken from the thread that makes the
 * call, so stores may move between threads with different stacks; a host callback needing more stack than the margin
 * must run on a thread with room for it. Exceeding the bound traps "call stack exhausted". */
WASM_API_EXTERN void myrt_config_set_max_native_stack_bytes(wasm_config_t*, uint64_t bytes);
/* Address space reserved for each linear memory (its base never moves). 0 (the default): 8 GiB + 64 KiB for a 32-bit
 * memory, so accesses need no bounds checks (guard pages; about 16,000 memories fit in a process's 128 TiB). Smaller
 * (rounded up to 64 KiB pages, at least the memory's initial size), e.g. 65536 for one-page instances: accesses are
 * bounds-checked explicitly (somewhat slower code) and memory.grow returns -1 past the reservation; 100,000 and more
 * memories fit in a process. */
WASM_API_EXTERN void myrt_config_set_memory_reservation(wasm_config_t*, uint64_t bytes);
/* The code cache (off by default in the C API; `myrt run` has it on): wasm_module_new and myrt_module_new of a store
 * of this engine, on the jit or auto tier, look the module up in the cache directory -- a hit attaches the cached
 * machine code (nothing is compiled; the first call into an instance installs it), a miss compiles the whole module
 * once and writes its entry. Entries are keyed by the module's bytes, the libmyrt build, the CPU features and the
 * compile settings; written to a temporary file and renamed, so concurrent writers (threads, processes) leave one
 * whole entry; an entry failing any check is removed and rewritten, never executed. Modules with less than 64 KiB of
 * code are not cached. `dir`: the directory (created when needed); NULL: $MYRT_CACHE_DIR, else $XDG_CACHE_HOME/myrt,
 * else $HOME/.cache/myrt. enabled false turns it off. Ignored on the interp tier and where there is no JIT. */
WASM_API_EXTERN void myrt_config_set_code_cache(wasm_config_t*, bool enabled, const char* dir);

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
 * where a deep backtrace was cut (the innermost and outermost 32 frames are kept). Names are data: control
 * characters, line separators, bidi overrides and backslashes in them are escaped ("\n", "\u{1b}", "\\"), so a
 * name cannot forge a line. Null-terminated. */
WASM_API_EXTERN void myrt_trap_describe(const wasm_trap_t*, own wasm_message_t* out);
/* The name of frame's function (as above, but raw: not escaped). Null-terminated. */
WASM_API_EXTERN void myrt_frame_func_name(const wasm_frame_t*, own wasm_name_t* out);

/* Source locations of a frame's instruction from the module's DWARF (the custom sections .debug_info, .debug_line,
 * ... that clang -g emits; read at the first request for a module, never at load). A frame stands for several
 * source locations where functions were inlined: index 0 is the innermost (in the inlined callee), the last is the
 * location in the frame's own function. myrt_trap_describe prints them under each frame ("      at FILE:LINE:COL",
 * "(inlined NAME)") unless the environment variable MYRT_BACKTRACE_DETAILS is "0".
 * Returns false (and leaves *out empty) when there is no location at index: no DWARF, no line for this offset, a
 * host frame, or DWARF that cannot be read. file and function are raw bytes from the module, null-terminated; free
 * them with myrt_source_location_delete. */
typedef struct myrt_source_location_t {
  own wasm_name_t file;     /* as the line table names it (usually an absolute path) */
  own wasm_name_t function; /* the DWARF name of the function the location is in; empty when unknown */
  uint32_t line;            /* 0: no line */
  uint32_t column;          /* 0: unknown */
  bool inlined;             /* in `function`, which was inlined into the function of location index + 1 */
} myrt_source_location_t;
WASM_API_EXTERN bool myrt_frame_source_location(const wasm_frame_t*, size_t index, own myrt_source_location_t* out);
WASM_API_EXTERN void myrt_source_location_delete(own myrt_source_location_t*);

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

/* Standard input from bytes, and stdout/stderr captured into memory (read them with myrt_wasi_stdout/_stderr after
 * the guest ran). The bytes are copied. */
WASM_API_EXTERN own myrt_error_t* myrt_wasi_config_set_stdin_bytes(myrt_wasi_config_t*, const wasm_byte_vec_t* bytes);
WASM_API_EXTERN own myrt_error_t* myrt_wasi_config_capture_stdout(myrt_wasi_config_t*);
WASM_API_EXTERN own myrt_error_t* myrt_wasi_config_capture_stderr(myrt_wasi_config_t*);
/* What the guest wrote so far to a captured stdout / stderr (an empty vector when not captured). */
WASM_API_EXTERN void myrt_wasi_stdout(const myrt_wasi_t*, own wasm_byte_vec_t* out);
WASM_API_EXTERN void myrt_wasi_stderr(const myrt_wasi_t*, own wasm_byte_vec_t* out);

/* ---------------------------------------------------------------------------------------------------------------
 * Trap codes: why wasm code trapped, as a value (myrt_trap_code), beside the message text. */
typedef uint8_t myrt_trap_code_t;
enum myrt_trap_code_enum {
  MYRT_TRAP_UNREACHABLE = 0,             /* "unreachable" */
  MYRT_TRAP_INTEGER_DIVIDE_BY_ZERO,      /* "integer divide by zero" */
  MYRT_TRAP_INTEGER_OVERFLOW,            /* "integer overflow" */
  MYRT_TRAP_BAD_CONVERSION_TO_INTEGER,   /* "invalid conversion to integer" */
  MYRT_TRAP_MEMORY_OUT_OF_BOUNDS,        /* "out of bounds memory access" */
  MYRT_TRAP_TABLE_OUT_OF_BOUNDS,         /* "out of bounds table access", "undefined element", "uninitialized element" */
  MYRT_TRAP_INDIRECT_CALL_TYPE_MISMATCH, /* "indirect call type mismatch" */
  MYRT_TRAP_STACK_OVERFLOW,              /* "call stack exhausted" */
  MYRT_TRAP_NULL_REFERENCE,              /* null function/struct/array/i31/descriptor reference */
  MYRT_TRAP_ARRAY_OUT_OF_BOUNDS,         /* "out of bounds array access" */
  MYRT_TRAP_CAST_FAILURE,                /* "cast failure" */
  MYRT_TRAP_UNCAUGHT_EXCEPTION,          /* an exception escaped to the host */
  MYRT_TRAP_UNALIGNED_ATOMIC,            /* "unaligned atomic" */
  MYRT_TRAP_OUT_OF_MEMORY,               /* host allocation failed, or a store limit was exceeded */
  MYRT_TRAP_OUT_OF_FUEL,                 /* "fuel exhausted" */
  MYRT_TRAP_INTERRUPT,                   /* "interrupted" (myrt_interrupt_handle_interrupt) */
  MYRT_TRAP_HOST,                        /* a host function returned a trap (its message is the trap's) */
  MYRT_TRAP_UNIMPLEMENTED,               /* a feature this tier cannot execute */
  MYRT_TRAP_EXPECTED_SHARED_MEMORY,      /* "expected shared memory": memory.atomic.wait on an unshared memory */
};
/* True and the code when the trap came from running wasm (or a host function it called); false for a trap made with
 * wasm_trap_new and for a WASI proc_exit (see myrt_wasi_exit_code). */
WASM_API_EXTERN bool myrt_trap_code(const wasm_trap_t*, myrt_trap_code_t* code);

/* ---------------------------------------------------------------------------------------------------------------
 * Per-store limits (override the engine's myrt_config_set_max_* for one store, at any time): memory bytes of all
 * memories of the store together, elements per table, wasm call depth. 0 keeps the current value. */
WASM_API_EXTERN void myrt_store_set_limits(wasm_store_t*, uint64_t max_memory_bytes, uint64_t max_table_elements,
                                           uint32_t max_call_depth);

/* ---------------------------------------------------------------------------------------------------------------
 * Host functions with a caller: the callback receives the calling instance, whose exports (e.g. its "memory") it can
 * read, as wasmtime_caller_export_get does. The caller is valid only during the callback. */
typedef struct myrt_caller_t myrt_caller_t;
typedef own wasm_trap_t* (*myrt_func_callback_t)(void* env, myrt_caller_t* caller, const wasm_val_vec_t* args,
                                                 wasm_val_vec_t* results);
WASM_API_EXTERN own wasm_func_t* myrt_func_new_with_caller(wasm_store_t*, const wasm_functype_t*,
                                                           myrt_func_callback_t, void* env, void (*finalizer)(void*));
/* The caller's export `name` (NULL-terminated), or false when the caller is the embedder (wasm_func_call) or has no
 * such export. */
WASM_API_EXTERN bool myrt_caller_export_get(myrt_caller_t*, const char* name, own wasm_extern_t** out);

/* ---------------------------------------------------------------------------------------------------------------
 * Shared memories (threads proposal). wasm.h's wasm_limits_t has no `shared` flag: a shared memory type is made with
 * myrt_memorytype_new_shared (NULL without a maximum, which a shared memory needs) and recognised with
 * myrt_memorytype_is_shared (also on the types of wasm_memory_type, wasm_module_imports and wasm_module_exports).
 * wasm_memory_new of a shared type makes a shared memory. Unlike any other extern, a shared memory may be imported by
 * instances of other stores (wasm_instance_new, myrt_linker_define): the importing store keeps the memory's store
 * alive. Each store is used by one thread at a time, so several threads run instances over one memory with one store
 * each; atomics, memory.atomic.wait/notify and memory.grow work across them (the base never moves; growth is
 * serialized). wasm_memory_data_size may grow behind the embedder's back. */
WASM_API_EXTERN own wasm_memorytype_t* myrt_memorytype_new_shared(const wasm_limits_t*);
WASM_API_EXTERN bool myrt_memorytype_is_shared(const wasm_memorytype_t*);

/* ---------------------------------------------------------------------------------------------------------------
 * Linker: names (module, name) -> externs of one store; instantiates modules by resolving their imports by name.
 * Defining a name twice is an error unless myrt_linker_allow_shadowing(linker, true). */
typedef struct myrt_linker_t myrt_linker_t;
WASM_API_EXTERN own myrt_linker_t* myrt_linker_new(wasm_store_t*);
WASM_API_EXTERN void myrt_linker_delete(own myrt_linker_t*);
WASM_API_EXTERN void myrt_linker_allow_shadowing(myrt_linker_t*, bool allow);
/* An extern (function, global, table, memory) of this store under module/name. */
WASM_API_EXTERN own myrt_error_t* myrt_linker_define(myrt_linker_t*, const char* module, const char* name,
                                                     const wasm_extern_t*);
/* A host function under module/name (myrt_func_new_with_caller + myrt_linker_define). */
WASM_API_EXTERN own myrt_error_t* myrt_linker_define_func(myrt_linker_t*, const char* module, const char* name,
                                                          const wasm_functype_t*, myrt_func_callback_t, void* env,
                                                          void (*finalizer)(void*));
/* Every wasi_snapshot_preview1 function of `wasi` (which must belong to the linker's store). */
WASM_API_EXTERN own myrt_error_t* myrt_linker_define_wasi(myrt_linker_t*, myrt_wasi_t*);
/* Every export of `instance` under module name `module`. */
WASM_API_EXTERN own myrt_error_t* myrt_linker_define_instance(myrt_linker_t*, const char* module,
                                                              const wasm_instance_t*);
/* For every function import of `module` the linker cannot resolve: a stub that traps when called
 * (MYRT_TRAP_HOST, "unknown import M::N called"), or one that returns zeros / null references (an error for a result
 * type without a default value). */
WASM_API_EXTERN own myrt_error_t* myrt_linker_define_unknown_imports_as_traps(myrt_linker_t*, const wasm_module_t*);
WASM_API_EXTERN own myrt_error_t* myrt_linker_define_unknown_imports_as_default_values(myrt_linker_t*,
                                                                                        const wasm_module_t*);
/* Instantiates `module` with its imports resolved by name. A missing import is an error ("unknown import: M::N");
 * a trap in the start function is returned in *trap (and the error is NULL, *out NULL). */
WASM_API_EXTERN own myrt_error_t* myrt_linker_instantiate(const myrt_linker_t*, const wasm_module_t*,
                                                          own wasm_instance_t** out, own wasm_trap_t** trap);
/* The extern defined under module/name, or false. */
WASM_API_EXTERN bool myrt_linker_get(const myrt_linker_t*, const char* module, const char* name,
                                     own wasm_extern_t** out);
/* The default export of module `module` (defined with myrt_linker_define_instance): its function named "" or, for a
 * WASI command, "_start"; an error when there is neither. */
WASM_API_EXTERN own myrt_error_t* myrt_linker_get_default(const myrt_linker_t*, const char* module,
                                                          own wasm_func_t** out);
/* ---------------------------------------------------------------------------------------------------------------
 * Components (the component model, docs/embedding.md "Components"): load and validate a component, define host
 * functions and resource types by interface name ("wasi:io/streams@0.2.12"; imports link semver-compatibly: an import
 * of @0.2.0 finds a host interface @0.2.12), instantiate it in a store (its core modules run on the store's tier), and
 * call its exported functions with component values (myrt_cval_t); WASI 0.2 with myrt_component_linker_define_wasi.
 * Synchronous ABI only: component-model async (async lifts/lowers, streams, futures, tasks) is decoded and validated,
 * but calling it traps "unsupported: component-model async (...)". */
typedef struct myrt_component_t myrt_component_t;
typedef struct myrt_component_linker_t myrt_component_linker_t;
typedef struct myrt_component_instance_t myrt_component_instance_t;
typedef struct myrt_cval_t myrt_cval_t;                  /* an owned component value */
typedef struct myrt_resource_type_t myrt_resource_type_t; /* a host resource type (owned by the linker) */

/* Value kinds (the component-model value types). */
typedef uint8_t myrt_cval_kind_t;
enum myrt_cval_kind_enum {
  MYRT_CVAL_BOOL, MYRT_CVAL_S8, MYRT_CVAL_U8, MYRT_CVAL_S16, MYRT_CVAL_U16, MYRT_CVAL_S32, MYRT_CVAL_U32,
  MYRT_CVAL_S64, MYRT_CVAL_U64, MYRT_CVAL_F32, MYRT_CVAL_F64, MYRT_CVAL_CHAR, MYRT_CVAL_STRING,
  MYRT_CVAL_ERROR_CONTEXT, MYRT_CVAL_RECORD, MYRT_CVAL_VARIANT, MYRT_CVAL_LIST, MYRT_CVAL_FIXED_LIST,
  MYRT_CVAL_TUPLE, MYRT_CVAL_FLAGS, MYRT_CVAL_ENUM, MYRT_CVAL_OPTION, MYRT_CVAL_RESULT, MYRT_CVAL_OWN,
  MYRT_CVAL_BORROW,
};

/* Decodes and validates a component (errors carry the byte offset). */
WASM_API_EXTERN own myrt_error_t* myrt_component_new(const wasm_byte_vec_t* binary, own myrt_component_t** out);
WASM_API_EXTERN void myrt_component_delete(own myrt_component_t*);
/* True when the bytes are a component (not a core module). */
WASM_API_EXTERN bool myrt_is_component(const wasm_byte_vec_t* binary);
/* The component's imports and exports as WIT-like text (null-terminated). */
WASM_API_EXTERN void myrt_component_describe(const myrt_component_t*, own wasm_name_t* out);

/* A host function: `args` are the parameters (borrowed, shaped by the component's declared type); store the result
 * (if the function has one) in *result (ownership passes to the runtime). Return NULL, or a trap (wasm_trap_new;
 * the runtime takes it). */
typedef own wasm_trap_t* (*myrt_component_func_callback_t)(void* env, const myrt_cval_t* const* args, size_t nargs,
                                                          own myrt_cval_t** result);
WASM_API_EXTERN own myrt_component_linker_t* myrt_component_linker_new(void);
WASM_API_EXTERN void myrt_component_linker_delete(own myrt_component_linker_t*);
/* Defines function `name` of host interface `interface` (NULL: a top-level function import). `finalizer(env)` runs
 * when the linker and every instance using the function are gone. */
WASM_API_EXTERN void myrt_component_linker_define_func(myrt_component_linker_t*, const char* interface,
                                                       const char* name, myrt_component_func_callback_t callback,
                                                       void* env, void (*finalizer)(void*));
/* Defines resource type `name` of `interface`; `dtor(env, rep)` (may be NULL) runs when the guest drops an own
 * handle. The returned type identifies the resource in myrt_cval_new_handle / myrt_cval_resource. */
WASM_API_EXTERN myrt_resource_type_t* myrt_component_linker_define_resource(myrt_component_linker_t*,
                                                                             const char* interface, const char* name,
                                                                             void (*dtor)(void* env, uint32_t rep),
                                                                             void* env);

/* Instantiates `component` in `store`; a missing import is an error naming it and its type. */
WASM_API_EXTERN own myrt_error_t* myrt_component_instantiate(wasm_store_t*, const myrt_component_linker_t*,
                                                             const myrt_component_t*,
                                                             own myrt_component_instance_t** out);
WASM_API_EXTERN void myrt_component_instance_delete(own myrt_component_instance_t*);

/* WASI 0.2 for components: links the interfaces the wasi:cli/command world imports (wasi:cli/{environment, exit,
 * stdin, stdout, stderr, terminal-*}, wasi:io/{error, poll, streams}, wasi:clocks/{monotonic-clock, wall-clock},
 * wasi:filesystem/{types, preopens}, wasi:random/{random, insecure, insecure-seed}; an import of any 0.2.x links),
 * wasi:sockets and wasi:http/types + outgoing-handler into the linker, over the capabilities of `wasi` (myrt_wasi_new:
 * args, env, preopens and stdio of its configuration, the same sandbox as preview1; sockets and HTTP requests only
 * with the configuration's network grants). Captured stdout/stderr are read with myrt_wasi_stdout/_stderr, a
 * wasi:cli/exit status with myrt_wasi_exit_code. Blocking waits (poll, blocking reads) end when the interrupt of
 * the store given to myrt_wasi_new is requested. One WASI per linker (a second call is an error); a myrt_wasi_t may
 * be linked into several linkers (one context) and deleted afterwards. */
WASM_API_EXTERN own myrt_error_t* myrt_component_linker_define_wasi(myrt_component_linker_t*, myrt_wasi_t*);
/* Runs a command component: calls its wasi:cli/run#run export (any 0.2.x). Returns the exit status: 0 when run
 * returns ok, 1 for err, the status given to wasi:cli/exit; 134 for a trap (*trap, if not NULL, receives it) or a
 * component without wasi:cli/run (a trap saying so). */
WASM_API_EXTERN int myrt_component_instance_run(myrt_component_instance_t*, own wasm_trap_t** trap);
/* Calls exported function `name` (of the exported instance `interface`, e.g. "wasi:cli/run@0.2.12", or NULL for a
 * top-level export). Errors: no such function (an error). A trap: *trap (if not NULL) receives it and the call returns
 * NULL with *result untouched. On success *result receives the result (NULL for a function without one). */
WASM_API_EXTERN own myrt_error_t* myrt_component_instance_call(myrt_component_instance_t*, const char* interface,
                                                               const char* name, const myrt_cval_t* const* args,
                                                               size_t nargs, own myrt_cval_t** result,
                                                               own wasm_trap_t** trap);

/* Values. Integers of every width are created with _int (signed kinds) / _uint (unsigned kinds, char, flags: bit i =
 * label i); lists/records/tuples with _list (takes ownership of the elements; the array itself stays the caller's);
 * variants/enums/options/results with _case (option: 0 none / 1 some; result: 0 ok / 1 error; payload NULL when the
 * case has none; ownership taken). list<u8> values are byte lists: _bytes / myrt_cval_string. */
WASM_API_EXTERN own myrt_cval_t* myrt_cval_new_bool(bool);
WASM_API_EXTERN own myrt_cval_t* myrt_cval_new_int(myrt_cval_kind_t kind, int64_t);
WASM_API_EXTERN own myrt_cval_t* myrt_cval_new_uint(myrt_cval_kind_t kind, uint64_t);
WASM_API_EXTERN own myrt_cval_t* myrt_cval_new_f32(float);
WASM_API_EXTERN own myrt_cval_t* myrt_cval_new_f64(double);
WASM_API_EXTERN own myrt_cval_t* myrt_cval_new_string(const char* utf8, size_t len);
WASM_API_EXTERN own myrt_cval_t* myrt_cval_new_bytes(const uint8_t* bytes, size_t len);
WASM_API_EXTERN own myrt_cval_t* myrt_cval_new_list(myrt_cval_kind_t kind, own myrt_cval_t* const* elems, size_t n);
WASM_API_EXTERN own myrt_cval_t* myrt_cval_new_case(myrt_cval_kind_t kind, uint32_t index, own myrt_cval_t* payload);
WASM_API_EXTERN own myrt_cval_t* myrt_cval_new_handle(myrt_cval_kind_t kind, const myrt_resource_type_t*, uint32_t rep);
WASM_API_EXTERN own myrt_cval_t* myrt_cval_copy(const myrt_cval_t*);
WASM_API_EXTERN void myrt_cval_delete(own myrt_cval_t*);
WASM_API_EXTERN myrt_cval_kind_t myrt_cval_kind(const myrt_cval_t*);
WASM_API_EXTERN int64_t myrt_cval_int(const myrt_cval_t*);    /* signed kinds (sign-extended), bool */
WASM_API_EXTERN uint64_t myrt_cval_uint(const myrt_cval_t*);  /* unsigned kinds, char, flags, handle rep */
WASM_API_EXTERN float myrt_cval_f32(const myrt_cval_t*);
WASM_API_EXTERN double myrt_cval_f64(const myrt_cval_t*);
/* Strings (UTF-8) and byte lists: the bytes (not null-terminated) and their length; NULL for other kinds. */
WASM_API_EXTERN const char* myrt_cval_string(const myrt_cval_t*, size_t* len);
/* Elements of records, tuples and lists (0 / NULL for byte lists: use myrt_cval_string). */
WASM_API_EXTERN size_t myrt_cval_len(const myrt_cval_t*);
WASM_API_EXTERN const myrt_cval_t* myrt_cval_elem(const myrt_cval_t*, size_t i);
/* Variants, enums, options, results: the case index and the payload (NULL when none). */
WASM_API_EXTERN uint32_t myrt_cval_case(const myrt_cval_t*);
WASM_API_EXTERN const myrt_cval_t* myrt_cval_payload(const myrt_cval_t*);
/* own/borrow handles: the resource type (host resources: the linker's myrt_resource_type_t; guest resources: an
 * opaque identity) and the rep (myrt_cval_uint). */
WASM_API_EXTERN const myrt_resource_type_t* myrt_cval_resource(const myrt_cval_t*);

/* ---------------------------------------------------------------------------------------------------------------
 * wasi:http proxy components: the embedder's own requests answered by a component's wasi:http/incoming-handler, on
 * the code path of `myrt serve` (docs/embedding.md "HTTP handlers"). Every request gets a fresh store (the engine's
 * tier and limits) and a fresh instance of the component, so nothing crosses requests, and a trap, timeout, fuel
 * exhaustion or memory limit ends only that request. The host interfaces are myrt's WASI 0.2 (wasi:cli, clocks,
 * random, filesystem over the preopened directories, io), wasi:http (types, outgoing-handler) and wasi:sockets. */
typedef struct myrt_http_handler_t myrt_http_handler_t;
typedef struct myrt_http_request_t myrt_http_request_t;
typedef struct myrt_http_response_t myrt_http_response_t;

/* Network grants for WASI 0.2 guests (none by default): outgoing HTTP requests (wasi:http/outgoing-handler) to HOST
 * (any port) or HOST:PORT, as `myrt serve --allow-http`; every destination (HTTP and sockets) with inherit_network, as
 * `-S inherit-network`. A request to any other destination gets the error-code HTTP-request-denied.
 * Error: a malformed HOST[:PORT]. */
WASM_API_EXTERN own myrt_error_t* myrt_wasi_config_allow_http(myrt_wasi_config_t*, const char* host_port);
WASM_API_EXTERN void myrt_wasi_config_inherit_network(myrt_wasi_config_t*);
/* Limits of each guest (one store: each request of a handler) on outgoing HTTP: requests alive at once (from handle
 * until the guest drops its last resource of the exchange; more: handle answers the error-code
 * connection-limit-reached), and bytes of request bodies buffered before their requests are sent (more: the write
 * fails with HTTP-request-body-size). Once sent, each request buffers at most 1 MiB per direction, so a guest's
 * outgoing HTTP buffers stay below max_buffer_bytes + max_requests * 2 MiB (plus libcurl's 16 KiB chunks).
 * Defaults (0 keeps them): 32 requests, 64 MiB; `myrt run/serve --max-outgoing-requests / --max-outgoing-buffer`. */
WASM_API_EXTERN void myrt_wasi_config_set_outgoing_http_limits(myrt_wasi_config_t*, uint32_t max_requests,
                                                               uint64_t max_buffer_bytes);

/* Per-request settings (zero-initialise it; 0 everywhere: the defaults). */
typedef struct myrt_http_handler_options_t {
  uint64_t fuel;           /* fuel units per request (about one per instruction): 0 = unlimited */
  uint64_t timeout_ms;     /* wall time per request: 0 = none; at the deadline the guest traps "interrupted" */
  uint64_t max_body_bytes; /* request bodies given as bytes and response bodies: 0 = 64 MiB */
} myrt_http_handler_options_t;

/* Prepares `component` for requests and checks it by instantiating it once: it must link against the host interfaces
 * above and export wasi:http/incoming-handler@0.2.x (errors say what is missing). `wasi` (NULL: none) is copied: the
 * environment, preopened directories, network grants and stdout/stderr the guests see (arguments and stdin are not
 * used); `options` may be NULL. The component and the configuration may be deleted afterwards. */
WASM_API_EXTERN own myrt_error_t* myrt_http_handler_new(wasm_engine_t*, const myrt_component_t*,
                                                        const myrt_wasi_config_t*,
                                                        const myrt_http_handler_options_t*,
                                                        own myrt_http_handler_t** out);
/* No request may be running on the handler. */
WASM_API_EXTERN void myrt_http_handler_delete(own myrt_http_handler_t*);

/* A request: `method` a token ("GET", "POST", "PURGE", ...), `scheme` "http", "https" or another (NULL: "http"),
 * `authority` (NULL or "": none), `path_with_query` (NULL: "/"). Errors: a method that is not a token; a scheme,
 * authority or path with control characters or spaces. */
WASM_API_EXTERN own myrt_error_t* myrt_http_request_new(const char* method, const char* scheme, const char* authority,
                                                        const char* path_with_query, own myrt_http_request_t** out);
WASM_API_EXTERN void myrt_http_request_delete(own myrt_http_request_t*);
/* Appends a header (names are case-insensitive; the guest sees them lowercase, in order; repeated names are kept).
 * Errors: a name that is not a token or a value with NUL, CR, LF or other control characters than tab. Hop-by-hop and
 * host-controlled names (connection, keep-alive, transfer-encoding, upgrade, host, proxy-*, http2-settings) are
 * accepted and, as in `myrt serve`, not shown to the guest. */
WASM_API_EXTERN own myrt_error_t* myrt_http_request_add_header(myrt_http_request_t*, const char* name,
                                                               const char* value, size_t value_len);
/* The body as bytes (copied; replaces a body callback). Without a body the guest reads an empty one. */
WASM_API_EXTERN void myrt_http_request_set_body(myrt_http_request_t*, const uint8_t* bytes, size_t len);
/* The body streamed: `read` is called on the thread running myrt_http_handler_handle whenever the guest reads more
 * of the body and stores up to `capacity` bytes in `buf`; it returns how many (1..capacity), 0 at the end of the
 * body, or a negative number for a failure (the guest's read fails with last-operation-failed). Nothing is read
 * before the guest asks, and nothing past what it asks for. Each myrt_http_handler_handle call reads from the callback
 * afresh (it continues where the callback is). `finalizer(env)` runs when the request is deleted (or the callback
 * replaced). Replaces a body given as bytes. */
typedef int64_t (*myrt_http_body_read_t)(void* env, uint8_t* buf, size_t capacity);
WASM_API_EXTERN void myrt_http_request_set_body_callback(myrt_http_request_t*, myrt_http_body_read_t read, void* env,
                                                         void (*finalizer)(void*));

/* Runs the component's handler for `request` (on the calling thread; any number of threads may call it at once on
 * one handler). On success returns NULL and stores the guest's response in *out. When the guest traps -- including
 * timeout_ms ("interrupted", MYRT_TRAP_INTERRUPT), fuel ("fuel exhausted") and the store's memory limit -- returns
 * NULL, stores NULL in *out and the trap in *trap (if not NULL): its message is the spec's wording, myrt_trap_describe
 * has the backtrace with function names, its frames have function indices and offsets but no instance. Any other
 * failure is an error: the guest returned without setting a response ("the handler returned without setting a
 * response"), answered an error-code ("the handler answered error-code NAME") or left its body unfinished; the
 * component could not be instantiated. (Writes past max_body_bytes fail in the guest with last-operation-failed.) */
WASM_API_EXTERN own myrt_error_t* myrt_http_handler_handle(myrt_http_handler_t*, const myrt_http_request_t*,
                                                           own myrt_http_response_t** out, own wasm_trap_t** trap);
WASM_API_EXTERN void myrt_http_response_delete(own myrt_http_response_t*);
WASM_API_EXTERN uint16_t myrt_http_response_status(const myrt_http_response_t*);
/* Headers in the guest's order (names lowercase). The pointers stay valid until the response is deleted; not
 * null-terminated. False for i >= the header count. */
WASM_API_EXTERN size_t myrt_http_response_header_count(const myrt_http_response_t*);
WASM_API_EXTERN bool myrt_http_response_header(const myrt_http_response_t*, size_t i, const char** name,
                                               size_t* name_len, const char** value, size_t* value_len);
/* The body (valid until the response is deleted; NULL with *len 0 when empty). */
WASM_API_EXTERN const uint8_t* myrt_http_response_body(const myrt_http_response_t*, size_t* len);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#undef own

#endif  /* MYRT_H */
