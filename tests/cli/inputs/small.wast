;; tests/cli/inputs/small.wast -- a script whose commands all pass: execution, traps and front-end rejections.
(module $m
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1))))
(register "m" $m)
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
(assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
(assert_malformed (module binary "\00asm" "\01\00\00") "unexpected end")
(assert_malformed (module binary "\00asm" "\01\00\00\00" "\0a") "unexpected end")
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
(module binary "\00asm" "\01\00\00\00")
