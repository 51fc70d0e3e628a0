;; tests/cli/inputs/big-memory.wat -- a module whose initial memory (32 pages = 2 MiB) exceeds `--max-memory 1M`.
(module (memory (export "memory") 32) (func (export "_start")))
