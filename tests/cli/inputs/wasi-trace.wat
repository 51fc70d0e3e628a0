;; tests/cli/inputs/wasi-trace.wat -- WASI calls for MYRT_WASI_TRACE: opens a missing file in the preopened directory
;; (fd 3; path shown as a string, errno noent), renames with two paths, writes "ok\n" to stderr (so the order of the lines is fixed), exits with 3.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_rename" (func $rename (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 200) "missing.txt")
  (data (i32.const 220) "a\"b")
  (data (i32.const 240) "ok\n")
  (func (export "_start")
    (drop (call $open (i32.const 3) (i32.const 0) (i32.const 200) (i32.const 11) (i32.const 0)
                      (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 100)))
    (drop (call $rename (i32.const 3) (i32.const 200) (i32.const 11) (i32.const 3) (i32.const 220) (i32.const 3)))
    (i32.store (i32.const 0) (i32.const 240))
    (i32.store (i32.const 4) (i32.const 3))
    (drop (call $write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $exit (i32.const 3))))
