;; Run with fds 0-2 closed and --dir DIR (the guest's preopen is fd 3): creates DIR/aux and DIR/out (with 0-2 closed
;; they would take the host's fds 1 and 2), writes "guest data\n" to out, "stdout\n" to fd 1 and traps. Only
;; "guest data\n" may end up in DIR/out (not myrt's trap message, written to the host's fd 2).
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "out")
  (data (i32.const 24) "aux")
  (data (i32.const 32) "guest data\n")
  (data (i32.const 48) "stdout\n")
  ;; iovecs at 64 (file) and 72 (stdout), out's fd at 80, nwritten at 84, aux's fd at 88
  (func (export "_start")
    (i32.store (i32.const 64) (i32.const 32))
    (i32.store (i32.const 68) (i32.const 11))
    (i32.store (i32.const 72) (i32.const 48))
    (i32.store (i32.const 76) (i32.const 7))
    ;; O_CREAT|O_TRUNC (1|8), rights fd_write (1<<6)
    (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 24) (i32.const 3) (i32.const 9)
                         (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 88))
      (then unreachable))
    (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 3) (i32.const 9)
                         (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 80))
      (then unreachable))
    (drop (call $fd_write (i32.load (i32.const 80)) (i32.const 64) (i32.const 1) (i32.const 84)))
    (drop (call $fd_write (i32.const 1) (i32.const 72) (i32.const 1) (i32.const 84)))
    unreachable))
