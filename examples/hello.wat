;; examples/hello.wat -- a small WASI command: `_start` prints "Hello, world!" with fd_write, and `add` is an
;; exported function to call directly.
;;   myrt validate examples/hello.wat
;;   myrt inspect examples/hello.wat
;;   myrt run examples/hello.wat                    (prints "Hello, world!")
;;   myrt run --invoke add examples/hello.wat 40 2  (prints 42)
(module $hello
  (type $fd_write_t (func (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (type $fd_write_t)))

  (memory (export "memory") 1)
  ;; iovec at 0: { buf = 16, len = 14 }; the text at 16; fd_write stores the byte count at 32.
  (data (i32.const 0) "\10\00\00\00\0e\00\00\00")
  (data (i32.const 16) "Hello, world!\n")

  (func $add (export "add") (param $a i32) (param $b i32) (result i32)
    (i32.add (local.get $a) (local.get $b)))

  (func $_start (export "_start")
    (drop (call $fd_write
      (i32.const 1)     ;; stdout
      (i32.const 0)     ;; iovecs
      (i32.const 1)     ;; one iovec
      (i32.const 32)))) ;; where to store the count
)
