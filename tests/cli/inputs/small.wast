;; tests/cli/inputs/small.wast -- a script whose front-end checks all pass (execution commands are skipped).
(module $m
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
(register "m" $m)
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
(assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
(assert_malformed (module binary "\00asm" "\01\00\00") "unexpected end")
(assert_malformed (module binary "\00asm" "\01\00\00\00" "\0a") "unexpected end")
(assert_trap (invoke "add" (i32.const 0) (i32.const 0)) "never traps")
(module binary "\00asm" "\01\00\00\00")
