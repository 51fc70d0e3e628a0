;; Function names are data: a newline and escape sequences in the name section must not forge backtrace lines.
(module
  (func $"inner\n  at forged (wasm offset 0x0)" unreachable)
  (func $"tab\there\u{1b}[31m\u{2028}\\" (export "boom") (call 0)))
