;; tests/cli/inputs/failures.wast -- every kind of failure the runner reports.
(module binary "\00asm" "\02\00\00\00")
(assert_invalid (module (func (result i32) (i32.const 0))) "type mismatch")
(assert_malformed (module binary "\00asm" "\01\00\00\00") "unexpected end")
(register "x" $nowhere)
(assert_invalid (module binary "\00asm" "\01\00\00\00" "\01\05\01\60\00\01\7f" "\03\02\01\00" "\0a\06\01\04\00\42\00\0b")
  "type mismatch")
