;; myrt run --tier=jit --profile=perfmap --invoke main: two named functions and one without a name.
(module
  (func $fib (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func (result i32) (i32.const 1))
  (func $main (export "main") (result i32)
    (i32.add (call $fib (i32.const 10)) (call 1))))
