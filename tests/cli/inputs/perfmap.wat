;; myrt run --tier=jit --profile=perfmap --invoke main: two named functions, one without a name and one whose name
;; holds a newline and an escape character (names are data: escaped, never a forged perf-map line).
(module
  (func $fib (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func (result i32) (i32.const 1))
  (func $main (export "main") (result i32)
    (i32.add (i32.add (call $fib (i32.const 10)) (call 1)) (call $"evil\n1234 10 forged\u{1b}")))
  (func $"evil\n1234 10 forged\u{1b}" (result i32) (i32.const 0)))
