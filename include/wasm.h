/* include/wasm.h -- the standard WebAssembly C API (wasm-c-api), as implemented by myrt.
 *
 * myrt's own declarations of the published API (https://github.com/WebAssembly/wasm-c-api): the same names, types and
 * semantics, so a host program written against wasm.h builds and runs against libmyrt unchanged. myrt's extensions
 * (WASI, fuel, interruption, limits, tiers, compile errors) are in myrt.h. docs/embedding.md explains both headers.
 *
 * Ownership: a parameter or result marked `own` transfers ownership; everything else is borrowed. Every `own` object
 * is released with its `*_delete` function. Vectors own their elements (wasm_*_vec_delete deletes them).
 * Threads: engines and shared modules (wasm_shared_module_t) may be used from any thread; a store and everything
 * created in it must be used by one thread at a time. A store must outlive nothing: objects keep their store alive
 * until they are deleted (myrt's choice; the API only requires the store to outlive its objects).
 * Bad use: null pointers are detected where the API allows (functions return NULL/false/0 or a trap); see
 * docs/embedding.md. Implementation: capi/.
 */
#ifndef MYRT_WASM_H
#define MYRT_WASM_H

#include <assert.h> /* upstream's wasm.h includes it, and its examples rely on that */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifndef WASM_API_EXTERN
#define WASM_API_EXTERN __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------------------------
 * Auxiliaries */

typedef char byte_t;
typedef float float32_t;
typedef double float64_t;

/* Ownership marker (documentation only). */
#define own

/* Vectors: `size` elements at `data`. Declares wasm_<name>_vec_t and its new_empty / new_uninitialized / new / copy /
 * delete functions. A vector of pointers owns the pointed-to objects. */
#define WASM_DECLARE_VEC(name, ptr_or_none)                                                                      \
  typedef struct wasm_##name##_vec_t {                                                                           \
    size_t size;                                                                                                 \
    wasm_##name##_t ptr_or_none* data;                                                                           \
  } wasm_##name##_vec_t;                                                                                         \
  WASM_API_EXTERN void wasm_##name##_vec_new_empty(own wasm_##name##_vec_t* out);                                \
  WASM_API_EXTERN void wasm_##name##_vec_new_uninitialized(own wasm_##name##_vec_t* out, size_t);                \
  WASM_API_EXTERN void wasm_##name##_vec_new(own wasm_##name##_vec_t* out, size_t,                               \
                                             own wasm_##name##_t ptr_or_none const[]);                           \
  WASM_API_EXTERN void wasm_##name##_vec_copy(own wasm_##name##_vec_t* out, const wasm_##name##_vec_t*);         \
  WASM_API_EXTERN void wasm_##name##_vec_delete(own wasm_##name##_vec_t*);

/* An owned object type with a delete function. */
#define WASM_DECLARE_OWN(name)                          \
  typedef struct wasm_##name##_t wasm_##name##_t;       \
  WASM_API_EXTERN void wasm_##name##_delete(own wasm_##name##_t*);

/* Byte vectors and names (names are not null-terminated unless said so). */
typedef byte_t wasm_byte_t;
WASM_DECLARE_VEC(byte, )

typedef wasm_byte_vec_t wasm_name_t;
#define wasm_name wasm_byte_vec
#define wasm_name_new wasm_byte_vec_new
#define wasm_name_new_empty wasm_byte_vec_new_empty
#define wasm_name_new_new_uninitialized wasm_byte_vec_new_uninitialized
#define wasm_name_copy wasm_byte_vec_copy
#define wasm_name_delete wasm_byte_vec_delete

static inline void wasm_name_new_from_string(own wasm_name_t* out, const char* s) {
  wasm_name_new(out, strlen(s), s);
}
static inline void wasm_name_new_from_string_nt(own wasm_name_t* out, const char* s) {
  wasm_name_new(out, strlen(s) + 1, s);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Runtime environment */

/* Configuration of an engine (myrt.h: tier, limits). wasm_engine_new_with_config takes ownership. */
WASM_DECLARE_OWN(config)
WASM_API_EXTERN own wasm_config_t* wasm_config_new(void);

/* An engine: shared by all stores created from it; may be used from several threads. */
WASM_DECLARE_OWN(engine)
WASM_API_EXTERN own wasm_engine_t* wasm_engine_new(void);
WASM_API_EXTERN own wasm_engine_t* wasm_engine_new_with_config(own wasm_config_t*);

/* A store: owns every runtime object (functions, globals, tables, memories, instances, foreign objects). One thread
 * at a time. Its objects stay valid until the store and every handle to them are deleted. */
WASM_DECLARE_OWN(store)
WASM_API_EXTERN own wasm_store_t* wasm_store_new(wasm_engine_t*);

/* ---------------------------------------------------------------------------------------------------------------
 * Type representations */

/* Declares an owned type object with a vector and a copy function. */
#define WASM_DECLARE_TYPE(name)  \
  WASM_DECLARE_OWN(name)         \
  WASM_DECLARE_VEC(name, *)      \
  WASM_API_EXTERN own wasm_##name##_t* wasm_##name##_copy(const wasm_##name##_t*);

typedef uint8_t wasm_mutability_t;
enum wasm_mutability_enum { WASM_CONST, WASM_VAR };

typedef struct wasm_limits_t {
  uint32_t min;
  uint32_t max;
} wasm_limits_t;

static const uint32_t wasm_limits_max_default = 0xffffffff;  /* "no maximum" */

/* Value types */
WASM_DECLARE_TYPE(valtype)

typedef uint8_t wasm_valkind_t;
enum wasm_valkind_enum {
  WASM_I32,
  WASM_I64,
  WASM_F32,
  WASM_F64,
  WASM_EXTERNREF = 128,
  WASM_FUNCREF,
};

WASM_API_EXTERN own wasm_valtype_t* wasm_valtype_new(wasm_valkind_t);
WASM_API_EXTERN wasm_valkind_t wasm_valtype_kind(const wasm_valtype_t*);

static inline bool wasm_valkind_is_num(wasm_valkind_t k) { return k < WASM_EXTERNREF; }
static inline bool wasm_valkind_is_ref(wasm_valkind_t k) { return k >= WASM_EXTERNREF; }
static inline bool wasm_valtype_is_num(const wasm_valtype_t* t) { return wasm_valkind_is_num(wasm_valtype_kind(t)); }
static inline bool wasm_valtype_is_ref(const wasm_valtype_t* t) { return wasm_valkind_is_ref(wasm_valtype_kind(t)); }

/* Function types: the vectors are taken over (their contents become owned by the type). */
WASM_DECLARE_TYPE(functype)
WASM_API_EXTERN own wasm_functype_t* wasm_functype_new(own wasm_valtype_vec_t* params,
                                                       own wasm_valtype_vec_t* results);
WASM_API_EXTERN const wasm_valtype_vec_t* wasm_functype_params(const wasm_functype_t*);
WASM_API_EXTERN const wasm_valtype_vec_t* wasm_functype_results(const wasm_functype_t*);

/* Global types */
WASM_DECLARE_TYPE(globaltype)
WASM_API_EXTERN own wasm_globaltype_t* wasm_globaltype_new(own wasm_valtype_t*, wasm_mutability_t);
WASM_API_EXTERN const wasm_valtype_t* wasm_globaltype_content(const wasm_globaltype_t*);
WASM_API_EXTERN wasm_mutability_t wasm_globaltype_mutability(const wasm_globaltype_t*);

/* Table types (limits in elements) */
WASM_DECLARE_TYPE(tabletype)
WASM_API_EXTERN own wasm_tabletype_t* wasm_tabletype_new(own wasm_valtype_t*, const wasm_limits_t*);
WASM_API_EXTERN const wasm_valtype_t* wasm_tabletype_element(const wasm_tabletype_t*);
WASM_API_EXTERN const wasm_limits_t* wasm_tabletype_limits(const wasm_tabletype_t*);

/* Memory types (limits in pages of 64 KiB) */
WASM_DECLARE_TYPE(memorytype)
WASM_API_EXTERN own wasm_memorytype_t* wasm_memorytype_new(const wasm_limits_t*);
WASM_API_EXTERN const wasm_limits_t* wasm_memorytype_limits(const wasm_memorytype_t*);

/* Extern types: a view of one of the four types above. The as_* conversions return the same object (borrowed). */
WASM_DECLARE_TYPE(externtype)

typedef uint8_t wasm_externkind_t;
enum wasm_externkind_enum {
  WASM_EXTERN_FUNC,
  WASM_EXTERN_GLOBAL,
  WASM_EXTERN_TABLE,
  WASM_EXTERN_MEMORY,
};

WASM_API_EXTERN wasm_externkind_t wasm_externtype_kind(const wasm_externtype_t*);

WASM_API_EXTERN wasm_externtype_t* wasm_functype_as_externtype(wasm_functype_t*);
WASM_API_EXTERN wasm_externtype_t* wasm_globaltype_as_externtype(wasm_globaltype_t*);
WASM_API_EXTERN wasm_externtype_t* wasm_tabletype_as_externtype(wasm_tabletype_t*);
WASM_API_EXTERN wasm_externtype_t* wasm_memorytype_as_externtype(wasm_memorytype_t*);

/* NULL if the extern type is of another kind. */
WASM_API_EXTERN wasm_functype_t* wasm_externtype_as_functype(wasm_externtype_t*);
WASM_API_EXTERN wasm_globaltype_t* wasm_externtype_as_globaltype(wasm_externtype_t*);
WASM_API_EXTERN wasm_tabletype_t* wasm_externtype_as_tabletype(wasm_externtype_t*);
WASM_API_EXTERN wasm_memorytype_t* wasm_externtype_as_memorytype(wasm_externtype_t*);

WASM_API_EXTERN const wasm_externtype_t* wasm_functype_as_externtype_const(const wasm_functype_t*);
WASM_API_EXTERN const wasm_externtype_t* wasm_globaltype_as_externtype_const(const wasm_globaltype_t*);
WASM_API_EXTERN const wasm_externtype_t* wasm_tabletype_as_externtype_const(const wasm_tabletype_t*);
WASM_API_EXTERN const wasm_externtype_t* wasm_memorytype_as_externtype_const(const wasm_memorytype_t*);

WASM_API_EXTERN const wasm_functype_t* wasm_externtype_as_functype_const(const wasm_externtype_t*);
WASM_API_EXTERN const wasm_globaltype_t* wasm_externtype_as_globaltype_const(const wasm_externtype_t*);
WASM_API_EXTERN const wasm_tabletype_t* wasm_externtype_as_tabletype_const(const wasm_externtype_t*);
WASM_API_EXTERN const wasm_memorytype_t* wasm_externtype_as_memorytype_const(const wasm_externtype_t*);

/* Import types: the names and the type are taken over. */
WASM_DECLARE_TYPE(importtype)
WASM_API_EXTERN own wasm_importtype_t* wasm_importtype_new(own wasm_name_t* module, own wasm_name_t* name,
                                                           own wasm_externtype_t*);
WASM_API_EXTERN const wasm_name_t* wasm_importtype_module(const wasm_importtype_t*);
WASM_API_EXTERN const wasm_name_t* wasm_importtype_name(const wasm_importtype_t*);
WASM_API_EXTERN const wasm_externtype_t* wasm_importtype_type(const wasm_importtype_t*);

/* Export types */
WASM_DECLARE_TYPE(exporttype)
WASM_API_EXTERN own wasm_exporttype_t* wasm_exporttype_new(own wasm_name_t*, own wasm_externtype_t*);
WASM_API_EXTERN const wasm_name_t* wasm_exporttype_name(const wasm_exporttype_t*);
WASM_API_EXTERN const wasm_externtype_t* wasm_exporttype_type(const wasm_exporttype_t*);

/* ---------------------------------------------------------------------------------------------------------------
 * Runtime values */

struct wasm_ref_t;

/* A value: `kind` tells which member of `of` is set. A reference value (of.ref, NULL for the null reference) is owned
 * by the value when the value is owned. */
typedef struct wasm_val_t {
  wasm_valkind_t kind;
  union {
    int32_t i32;
    int64_t i64;
    float32_t f32;
    float64_t f64;
    struct wasm_ref_t* ref;
  } of;
} wasm_val_t;

WASM_API_EXTERN void wasm_val_delete(own wasm_val_t* v);
WASM_API_EXTERN void wasm_val_copy(own wasm_val_t* out, const wasm_val_t*);

WASM_DECLARE_VEC(val, )

/* ---------------------------------------------------------------------------------------------------------------
 * References */

/* Every reference object has: delete, copy (a new handle to the same object), same (identity), and host info: a
 * pointer the embedder attaches to the object (shared by all handles to it). A finalizer given with the host info
 * runs exactly once: when the host info is replaced, or when the object dies (store-owned objects: when the store
 * and all handles are gone; traps and modules: when their last handle is deleted). */
#define WASM_DECLARE_REF_BASE(name)                                                          \
  WASM_DECLARE_OWN(name)                                                                     \
  WASM_API_EXTERN own wasm_##name##_t* wasm_##name##_copy(const wasm_##name##_t*);           \
  WASM_API_EXTERN bool wasm_##name##_same(const wasm_##name##_t*, const wasm_##name##_t*);   \
  WASM_API_EXTERN void* wasm_##name##_get_host_info(const wasm_##name##_t*);                 \
  WASM_API_EXTERN void wasm_##name##_set_host_info(wasm_##name##_t*, void*);                 \
  WASM_API_EXTERN void wasm_##name##_set_host_info_with_finalizer(wasm_##name##_t*, void*, void (*)(void*));

/* A reference object that converts to and from the generic wasm_ref_t (same handle, borrowed; NULL on a kind
 * mismatch). */
#define WASM_DECLARE_REF(name)                                                                   \
  WASM_DECLARE_REF_BASE(name)                                                                    \
  WASM_API_EXTERN wasm_ref_t* wasm_##name##_as_ref(wasm_##name##_t*);                            \
  WASM_API_EXTERN wasm_##name##_t* wasm_ref_as_##name(wasm_ref_t*);                              \
  WASM_API_EXTERN const wasm_ref_t* wasm_##name##_as_ref_const(const wasm_##name##_t*);          \
  WASM_API_EXTERN const wasm_##name##_t* wasm_ref_as_##name##_const(const wasm_ref_t*);

/* A reference object that can move between stores (and threads) as a shared_<name>. */
#define WASM_DECLARE_SHARABLE_REF(name)                                                           \
  WASM_DECLARE_REF(name)                                                                          \
  WASM_DECLARE_OWN(shared_##name)                                                                 \
  WASM_API_EXTERN own wasm_shared_##name##_t* wasm_##name##_share(const wasm_##name##_t*);        \
  WASM_API_EXTERN own wasm_##name##_t* wasm_##name##_obtain(wasm_store_t*, const wasm_shared_##name##_t*);

WASM_DECLARE_REF_BASE(ref)

/* ---------------------------------------------------------------------------------------------------------------
 * Frames and traps */

/* A frame of a trap's backtrace: the instance, the function index in its module, and byte offsets. */
WASM_DECLARE_OWN(frame)
WASM_DECLARE_VEC(frame, *)
WASM_API_EXTERN own wasm_frame_t* wasm_frame_copy(const wasm_frame_t*);

struct wasm_instance_t;
WASM_API_EXTERN struct wasm_instance_t* wasm_frame_instance(const wasm_frame_t*);
WASM_API_EXTERN uint32_t wasm_frame_func_index(const wasm_frame_t*);
WASM_API_EXTERN size_t wasm_frame_func_offset(const wasm_frame_t*);
WASM_API_EXTERN size_t wasm_frame_module_offset(const wasm_frame_t*);

/* A trap message is a null-terminated name (its size counts the terminating 0). */
typedef wasm_name_t wasm_message_t;

WASM_DECLARE_REF(trap)
WASM_API_EXTERN own wasm_trap_t* wasm_trap_new(wasm_store_t* store, const wasm_message_t*);
WASM_API_EXTERN void wasm_trap_message(const wasm_trap_t*, own wasm_message_t* out);
/* The innermost frame, or NULL when the trap has no wasm frames (e.g. created with wasm_trap_new). */
WASM_API_EXTERN own wasm_frame_t* wasm_trap_origin(const wasm_trap_t*);
/* All frames, innermost first. */
WASM_API_EXTERN void wasm_trap_trace(const wasm_trap_t*, own wasm_frame_vec_t* out);

/* ---------------------------------------------------------------------------------------------------------------
 * Foreign objects: opaque host objects that wasm code can hold as externref values. */

WASM_DECLARE_REF(foreign)
WASM_API_EXTERN own wasm_foreign_t* wasm_foreign_new(wasm_store_t*);

/* ---------------------------------------------------------------------------------------------------------------
 * Modules */

WASM_DECLARE_SHARABLE_REF(module)

/* Decodes and validates a binary module; NULL if it is malformed or invalid (myrt_module_new gives the reason). */
WASM_API_EXTERN own wasm_module_t* wasm_module_new(wasm_store_t*, const wasm_byte_vec_t* binary);
WASM_API_EXTERN bool wasm_module_validate(wasm_store_t*, const wasm_byte_vec_t* binary);

WASM_API_EXTERN void wasm_module_imports(const wasm_module_t*, own wasm_importtype_vec_t* out);
WASM_API_EXTERN void wasm_module_exports(const wasm_module_t*, own wasm_exporttype_vec_t* out);

/* A byte image that wasm_module_deserialize turns back into the module (myrt's own format; see embedding.md). */
WASM_API_EXTERN void wasm_module_serialize(const wasm_module_t*, own wasm_byte_vec_t* out);
WASM_API_EXTERN own wasm_module_t* wasm_module_deserialize(wasm_store_t*, const wasm_byte_vec_t*);

/* ---------------------------------------------------------------------------------------------------------------
 * Function instances */

WASM_DECLARE_REF(func)

/* A host function: `args` holds the arguments (borrowed), `results` is preallocated with the result count; the
 * callback stores owned values into it. Returning a trap (owned; e.g. from wasm_trap_new or from a nested
 * wasm_func_call) makes the calling wasm code trap with it. */
typedef own wasm_trap_t* (*wasm_func_callback_t)(const wasm_val_vec_t* args, own wasm_val_vec_t* results);
typedef own wasm_trap_t* (*wasm_func_callback_with_env_t)(void* env, const wasm_val_vec_t* args,
                                                          wasm_val_vec_t* results);

WASM_API_EXTERN own wasm_func_t* wasm_func_new(wasm_store_t*, const wasm_functype_t*, wasm_func_callback_t);
/* `finalizer(env)` (if not NULL) runs exactly once, when the function dies with its store. */
WASM_API_EXTERN own wasm_func_t* wasm_func_new_with_env(wasm_store_t*, const wasm_functype_t* type,
                                                        wasm_func_callback_with_env_t, void* env,
                                                        void (*finalizer)(void*));

WASM_API_EXTERN own wasm_functype_t* wasm_func_type(const wasm_func_t*);
WASM_API_EXTERN size_t wasm_func_param_arity(const wasm_func_t*);
WASM_API_EXTERN size_t wasm_func_result_arity(const wasm_func_t*);

/* Calls the function. `results` must be preallocated with wasm_func_result_arity elements; they receive owned values.
 * Returns NULL on success, or a trap (owned): a wasm trap, a trap returned by a host function, or a bad call (wrong
 * argument count or kinds, a too small result vector, a function of another store). */
WASM_API_EXTERN own wasm_trap_t* wasm_func_call(const wasm_func_t*, const wasm_val_vec_t* args,
                                                wasm_val_vec_t* results);

/* ---------------------------------------------------------------------------------------------------------------
 * Global instances */

WASM_DECLARE_REF(global)

/* NULL if the value's kind differs from the type's content. */
WASM_API_EXTERN own wasm_global_t* wasm_global_new(wasm_store_t*, const wasm_globaltype_t*, const wasm_val_t*);
WASM_API_EXTERN own wasm_globaltype_t* wasm_global_type(const wasm_global_t*);
WASM_API_EXTERN void wasm_global_get(const wasm_global_t*, own wasm_val_t* out);
/* Ignored (nothing changes) for an immutable global or a value of another kind. */
WASM_API_EXTERN void wasm_global_set(wasm_global_t*, const wasm_val_t*);

/* ---------------------------------------------------------------------------------------------------------------
 * Table instances */

WASM_DECLARE_REF(table)

typedef uint32_t wasm_table_size_t;

/* `init` (borrowed, NULL for null) fills the initial elements. */
WASM_API_EXTERN own wasm_table_t* wasm_table_new(wasm_store_t*, const wasm_tabletype_t*, wasm_ref_t* init);
WASM_API_EXTERN own wasm_tabletype_t* wasm_table_type(const wasm_table_t*);
/* The element (owned), or NULL for a null element or an index out of bounds. */
WASM_API_EXTERN own wasm_ref_t* wasm_table_get(const wasm_table_t*, wasm_table_size_t index);
/* False if the index is out of bounds or the reference does not fit the element type. */
WASM_API_EXTERN bool wasm_table_set(wasm_table_t*, wasm_table_size_t index, wasm_ref_t*);
WASM_API_EXTERN wasm_table_size_t wasm_table_size(const wasm_table_t*);
/* False if the table cannot grow by `delta` (maximum or limits). */
WASM_API_EXTERN bool wasm_table_grow(wasm_table_t*, wasm_table_size_t delta, wasm_ref_t* init);

/* ---------------------------------------------------------------------------------------------------------------
 * Memory instances */

WASM_DECLARE_REF(memory)

typedef uint32_t wasm_memory_pages_t;

static const size_t MEMORY_PAGE_SIZE = 0x10000;

WASM_API_EXTERN own wasm_memory_t* wasm_memory_new(wasm_store_t*, const wasm_memorytype_t*);
WASM_API_EXTERN own wasm_memorytype_t* wasm_memory_type(const wasm_memory_t*);
/* The memory's bytes: valid until the memory grows (myrt never moves them, but portable code must not rely on it). */
WASM_API_EXTERN byte_t* wasm_memory_data(wasm_memory_t*);
WASM_API_EXTERN size_t wasm_memory_data_size(const wasm_memory_t*);
WASM_API_EXTERN wasm_memory_pages_t wasm_memory_size(const wasm_memory_t*);
WASM_API_EXTERN bool wasm_memory_grow(wasm_memory_t*, wasm_memory_pages_t delta);

/* ---------------------------------------------------------------------------------------------------------------
 * Externals: a function, global, table or memory. The as_* conversions return the same handle (borrowed). */

WASM_DECLARE_REF(extern)
WASM_DECLARE_VEC(extern, *)

WASM_API_EXTERN wasm_externkind_t wasm_extern_kind(const wasm_extern_t*);
WASM_API_EXTERN own wasm_externtype_t* wasm_extern_type(const wasm_extern_t*);

WASM_API_EXTERN wasm_extern_t* wasm_func_as_extern(wasm_func_t*);
WASM_API_EXTERN wasm_extern_t* wasm_global_as_extern(wasm_global_t*);
WASM_API_EXTERN wasm_extern_t* wasm_table_as_extern(wasm_table_t*);
WASM_API_EXTERN wasm_extern_t* wasm_memory_as_extern(wasm_memory_t*);

WASM_API_EXTERN wasm_func_t* wasm_extern_as_func(wasm_extern_t*);
WASM_API_EXTERN wasm_global_t* wasm_extern_as_global(wasm_extern_t*);
WASM_API_EXTERN wasm_table_t* wasm_extern_as_table(wasm_extern_t*);
WASM_API_EXTERN wasm_memory_t* wasm_extern_as_memory(wasm_extern_t*);

WASM_API_EXTERN const wasm_extern_t* wasm_func_as_extern_const(const wasm_func_t*);
WASM_API_EXTERN const wasm_extern_t* wasm_global_as_extern_const(const wasm_global_t*);
WASM_API_EXTERN const wasm_extern_t* wasm_table_as_extern_const(const wasm_table_t*);
WASM_API_EXTERN const wasm_extern_t* wasm_memory_as_extern_const(const wasm_memory_t*);

WASM_API_EXTERN const wasm_func_t* wasm_extern_as_func_const(const wasm_extern_t*);
WASM_API_EXTERN const wasm_global_t* wasm_extern_as_global_const(const wasm_extern_t*);
WASM_API_EXTERN const wasm_table_t* wasm_extern_as_table_const(const wasm_extern_t*);
WASM_API_EXTERN const wasm_memory_t* wasm_extern_as_memory_const(const wasm_extern_t*);

/* ---------------------------------------------------------------------------------------------------------------
 * Module instances */

WASM_DECLARE_REF(instance)

/* Instantiates `module` with `imports` (in the order of wasm_module_imports). On failure returns NULL and, if `trap`
 * is not NULL, stores a trap (owned) saying why: a link error ("incompatible import type", a wrong import count), or
 * the trap of a segment initialization or the start function. */
WASM_API_EXTERN own wasm_instance_t* wasm_instance_new(wasm_store_t*, const wasm_module_t*,
                                                       const wasm_extern_vec_t* imports, own wasm_trap_t** trap);
/* The exports, in the order of wasm_module_exports. */
WASM_API_EXTERN void wasm_instance_exports(const wasm_instance_t*, own wasm_extern_vec_t* out);

/* ---------------------------------------------------------------------------------------------------------------
 * Convenience */

static inline own wasm_valtype_t* wasm_valtype_new_i32(void) { return wasm_valtype_new(WASM_I32); }
static inline own wasm_valtype_t* wasm_valtype_new_i64(void) { return wasm_valtype_new(WASM_I64); }
static inline own wasm_valtype_t* wasm_valtype_new_f32(void) { return wasm_valtype_new(WASM_F32); }
static inline own wasm_valtype_t* wasm_valtype_new_f64(void) { return wasm_valtype_new(WASM_F64); }
static inline own wasm_valtype_t* wasm_valtype_new_externref(void) { return wasm_valtype_new(WASM_EXTERNREF); }
static inline own wasm_valtype_t* wasm_valtype_new_funcref(void) { return wasm_valtype_new(WASM_FUNCREF); }

/* Function type short-hands wasm_functype_new_P_R (P parameters, R results, 0..3 each); the value types are owned. */
static inline own wasm_functype_t* myrt_functype_make_(own wasm_valtype_t* p[], size_t np, own wasm_valtype_t* r[],
                                                       size_t nr) {
  wasm_valtype_vec_t ps, rs;
  wasm_valtype_vec_new(&ps, np, p);
  wasm_valtype_vec_new(&rs, nr, r);
  return wasm_functype_new(&ps, &rs);
}

static inline own wasm_functype_t* wasm_functype_new_0_0(void) { return myrt_functype_make_(NULL, 0, NULL, 0); }
static inline own wasm_functype_t* wasm_functype_new_1_0(own wasm_valtype_t* p) {
  wasm_valtype_t* ps[1] = {p};
  return myrt_functype_make_(ps, 1, NULL, 0);
}
static inline own wasm_functype_t* wasm_functype_new_2_0(own wasm_valtype_t* p1, own wasm_valtype_t* p2) {
  wasm_valtype_t* ps[2] = {p1, p2};
  return myrt_functype_make_(ps, 2, NULL, 0);
}
static inline own wasm_functype_t* wasm_functype_new_3_0(own wasm_valtype_t* p1, own wasm_valtype_t* p2,
                                                         own wasm_valtype_t* p3) {
  wasm_valtype_t* ps[3] = {p1, p2, p3};
  return myrt_functype_make_(ps, 3, NULL, 0);
}
static inline own wasm_functype_t* wasm_functype_new_0_1(own wasm_valtype_t* r) {
  wasm_valtype_t* rs[1] = {r};
  return myrt_functype_make_(NULL, 0, rs, 1);
}
static inline own wasm_functype_t* wasm_functype_new_1_1(own wasm_valtype_t* p, own wasm_valtype_t* r) {
  wasm_valtype_t* ps[1] = {p};
  wasm_valtype_t* rs[1] = {r};
  return myrt_functype_make_(ps, 1, rs, 1);
}
static inline own wasm_functype_t* wasm_functype_new_2_1(own wasm_valtype_t* p1, own wasm_valtype_t* p2,
                                                         own wasm_valtype_t* r) {
  wasm_valtype_t* ps[2] = {p1, p2};
  wasm_valtype_t* rs[1] = {r};
  return myrt_functype_make_(ps, 2, rs, 1);
}
static inline own wasm_functype_t* wasm_functype_new_3_1(own wasm_valtype_t* p1, own wasm_valtype_t* p2,
                                                         own wasm_valtype_t* p3, own wasm_valtype_t* r) {
  wasm_valtype_t* ps[3] = {p1, p2, p3};
  wasm_valtype_t* rs[1] = {r};
  return myrt_functype_make_(ps, 3, rs, 1);
}
static inline own wasm_functype_t* wasm_functype_new_0_2(own wasm_valtype_t* r1, own wasm_valtype_t* r2) {
  wasm_valtype_t* rs[2] = {r1, r2};
  return myrt_functype_make_(NULL, 0, rs, 2);
}
static inline own wasm_functype_t* wasm_functype_new_1_2(own wasm_valtype_t* p, own wasm_valtype_t* r1,
                                                         own wasm_valtype_t* r2) {
  wasm_valtype_t* ps[1] = {p};
  wasm_valtype_t* rs[2] = {r1, r2};
  return myrt_functype_make_(ps, 1, rs, 2);
}
static inline own wasm_functype_t* wasm_functype_new_2_2(own wasm_valtype_t* p1, own wasm_valtype_t* p2,
                                                         own wasm_valtype_t* r1, own wasm_valtype_t* r2) {
  wasm_valtype_t* ps[2] = {p1, p2};
  wasm_valtype_t* rs[2] = {r1, r2};
  return myrt_functype_make_(ps, 2, rs, 2);
}
static inline own wasm_functype_t* wasm_functype_new_3_2(own wasm_valtype_t* p1, own wasm_valtype_t* p2,
                                                         own wasm_valtype_t* p3, own wasm_valtype_t* r1,
                                                         own wasm_valtype_t* r2) {
  wasm_valtype_t* ps[3] = {p1, p2, p3};
  wasm_valtype_t* rs[2] = {r1, r2};
  return myrt_functype_make_(ps, 3, rs, 2);
}
static inline own wasm_functype_t* wasm_functype_new_0_3(own wasm_valtype_t* r1, own wasm_valtype_t* r2,
                                                         own wasm_valtype_t* r3) {
  wasm_valtype_t* rs[3] = {r1, r2, r3};
  return myrt_functype_make_(NULL, 0, rs, 3);
}
static inline own wasm_functype_t* wasm_functype_new_1_3(own wasm_valtype_t* p, own wasm_valtype_t* r1,
                                                         own wasm_valtype_t* r2, own wasm_valtype_t* r3) {
  wasm_valtype_t* ps[1] = {p};
  wasm_valtype_t* rs[3] = {r1, r2, r3};
  return myrt_functype_make_(ps, 1, rs, 3);
}
static inline own wasm_functype_t* wasm_functype_new_2_3(own wasm_valtype_t* p1, own wasm_valtype_t* p2,
                                                         own wasm_valtype_t* r1, own wasm_valtype_t* r2,
                                                         own wasm_valtype_t* r3) {
  wasm_valtype_t* ps[2] = {p1, p2};
  wasm_valtype_t* rs[3] = {r1, r2, r3};
  return myrt_functype_make_(ps, 2, rs, 3);
}
static inline own wasm_functype_t* wasm_functype_new_3_3(own wasm_valtype_t* p1, own wasm_valtype_t* p2,
                                                         own wasm_valtype_t* p3, own wasm_valtype_t* r1,
                                                         own wasm_valtype_t* r2, own wasm_valtype_t* r3) {
  wasm_valtype_t* ps[3] = {p1, p2, p3};
  wasm_valtype_t* rs[3] = {r1, r2, r3};
  return myrt_functype_make_(ps, 3, rs, 3);
}

/* Value short-hands */
static inline void* wasm_val_ptr(const wasm_val_t* val) {
#if UINTPTR_MAX == UINT32_MAX
  return (void*)(intptr_t)val->of.i32;
#else
  return (void*)(intptr_t)val->of.i64;
#endif
}

#define WASM_I32_VAL(i) {.kind = WASM_I32, .of = {.i32 = (i)}}
#define WASM_I64_VAL(i) {.kind = WASM_I64, .of = {.i64 = (i)}}
#define WASM_F32_VAL(z) {.kind = WASM_F32, .of = {.f32 = (z)}}
#define WASM_F64_VAL(z) {.kind = WASM_F64, .of = {.f64 = (z)}}
#define WASM_REF_VAL(r) {.kind = WASM_EXTERNREF, .of = {.ref = (r)}}
#define WASM_INIT_VAL {.kind = WASM_EXTERNREF, .of = {.ref = NULL}}

#define WASM_EMPTY_VEC {0, NULL}
#define WASM_ARRAY_VEC(array) {sizeof(array) / sizeof(*(array)), array}

#ifdef __cplusplus
}  /* extern "C" */
#endif

#undef own

#endif  /* MYRT_WASM_H */
