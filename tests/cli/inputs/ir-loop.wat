;; tests/cli/inputs/ir-loop.wat -- a counted loop for `myrt inspect --dump-ir` (the optimizing tier's IR): two locals change
;; in the loop (header parameters), 2*3 folds to 6.
(module
  (func $sum (export "sum") (param $n i32) (result i32) (local $i i32) (local $s i32)
    block
      loop
        local.get $i local.get $n i32.ge_s br_if 1
        local.get $s local.get $i i32.const 2 i32.const 3 i32.mul i32.mul i32.add local.set $s
        local.get $i i32.const 1 i32.add local.set $i
        br 0
      end
    end
    local.get $s))
